import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NfaObddError } from '../../src/errors.js';
import { parseSignature } from '../../src/syntax/index.js';

// Pieces that exercise every branch of the pre-pass, glued at random.
const PIECES = [
  '\\', '(', ')', '[', ']', '{', '}', '|', '?', '*', '+', '^', '$', '.', '-', ',', ':', '#', ' ', '\n',
  '(?', '(?i)', '(?-x:', '(?<', '(?P', "(?'", '(?#', '(*', '[:', ':]', '[:alpha:]', '[^', '\\Q', '\\E',
  '\\x', '\\x{', '\\c', '\\0', '\\1', '\\8', '\\12', '\\o{', '\\g', '\\k', '\\p', '\\b', '\\B', '\\A',
  '\\Z', '\\z', '\\d', '\\h', '\\R', '\\N', '\\C', 'a', 'Z', '0', '7', 'f', '{2}', '{1,}', '{3,1}',
  '{99999}', '\xff', '\u20ac', '\ud83d', '!',
];

describe('bad input never crashes or hangs', () => {
  it('random PCRE-ish text parses or fails with a typed error', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...PIECES), { maxLength: 14 }).map((a) => a.join('')),
        fc.constantFrom('', 'i', 'x', 'smxi', 'AE', 'RB', 'q'),
        (p, flags) => {
          try {
            parseSignature(`/${p}/${flags}`);
          } catch (e) {
            expect(e).toBeInstanceOf(NfaObddError);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
  it('long inputs stay fast', () => {
    const t0 = performance.now();
    parseSignature(`/${'(?:a|b)'.repeat(2000)}/`);
    parseSignature(`/${'a|'.repeat(5000)}b/`);
    parseSignature(`/[${'\\x41-\\x5a'.repeat(2000)}]/`);
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});
