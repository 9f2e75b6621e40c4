/**
 * Independent check of IR semantics: random JS-compatible patterns are parsed by the
 * front end, run through the reference IR matcher of src/syntax/ir-reference.ts, and compared with
 * V8's RegExp on latin1 strings. Inputs avoid the known V8/PCRE differences (GUIDE.md):
 * no \r (V8's `.` excludes it), no 0xa0 (V8's `\s` has it), no Latin-1 letters with their
 * case partners; `$` gets PCRE's `E` flag so both mean "very end" without `m`.
 * PCRE-only syntax is checked against hand-translated V8 equivalents.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSignature } from '../../src/syntax/index.js';
import { ends, latin1, leftmostStart } from '../../src/syntax/ir-reference.js';

const ATOMS = ['a', 'b', 'A', '0', ' ', '\\n', '.', '\\d', '\\w', '\\W', '\\s', '\\S', '[ab]', '[^a]', '[a-c]', '[\\d_]', '\\x41', '\\xff', '[^\\n-]'];
const ASSERTS = ['\\b', '\\B', '^', '$'];
const INPUT_CHARS = ['a', 'b', 'A', 'B', 'c', '0', '_', ' ', '\n', '-', '\xff', '\x0b', '\xe9'];

const patternArb: fc.Arbitrary<string> = fc.letrec<{ re: string }>((tie) => ({
  re: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...ATOMS),
    fc.constantFrom(...ASSERTS),
    fc.tuple(tie('re'), tie('re')).map(([a, b]) => a + b),
    fc.tuple(tie('re'), tie('re')).map(([a, b]) => `(?:${a}|${b})`),
    fc.tuple(tie('re'), fc.constantFrom('*', '+', '?', '{2}', '{1,2}', '{0,}', '*?', '+?', '{2,3}?'))
      .map(([a, q]) => `(${a})${q}`),
    fc.tuple(fc.constantFrom(...ATOMS), fc.constantFrom('*', '+', '?', '{2}', '{0,1}')).map(([a, q]) => a + q),
  ),
})).re;

const inputArb = fc.array(fc.constantFrom(...INPUT_CHARS), { maxLength: 7 }).map((a) => a.join(''));

function check(pcre: string, pcreFlags: string, js: string, jsFlags: string, input: string): void {
  const ir = parseSignature(`/${pcre}/${pcreFlags}`).ir;
  const bytes = latin1(input);
  const re = new RegExp(js, jsFlags);
  const v8 = re.exec(input);
  const start = leftmostStart(ir, bytes);
  const ctx = `/${pcre}/${pcreFlags} vs /${js}/${jsFlags} on ${JSON.stringify(input)}`;
  expect(start, ctx).toBe(v8 ? v8.index : -1);
  if (v8) {
    // V8's (greedy or lazy) choice must be one of the ends the IR allows from that start.
    expect(ends(ir, bytes, new Set([start])).has(v8.index + v8[0].length), ctx).toBe(true);
  }
}

describe('IR semantics agree with V8 on JS-compatible patterns', () => {
  it('random patterns, flags i/m/s, short inputs', () => {
    fc.assert(
      fc.property(patternArb, fc.subarray(['i', 'm', 's']), fc.array(inputArb, { minLength: 1, maxLength: 6 }), (p, fl, inputs) => {
        const flags = fl.join('');
        for (const input of inputs) check(p, `${flags}E`, p, flags, input);
      }),
      { numRuns: 200 },
    );
  });

  // PCRE-only syntax and its V8 translation.
  const pairs: Array<[string, string, string, string]> = [
    ['\\Aab', 'm', '^ab', ''],
    ['ab\\z', 'm', 'ab$', ''],
    ['ab\\Z', '', 'ab(?=\\n?$)', ''],
    ['ab$', '', 'ab(?=\\n?$)', ''],
    ['\\Qa.b\\E+', '', 'a\\.b+', ''],
    ['[[:alpha:]_-]+', '', '[A-Za-z_-]+', ''],
    ['[[:^digit:]]', '', '[^0-9]', ''],
    ['\\x{41}\\102', '', 'AB', ''],
    ['(?i)ab(?-i)a', '', '[aA][bB]a', ''],
    ['a(?i:b)a', '', 'a[bB]a', ''],
    ['(?s)a.', '', 'a[^]', ''],
    // (V8's multiline ^/$ also see \r as a line end; PCRE only \n)
    ['(?m)^b$', '', '(?<![^\\n])b(?![^\\n])', ''],
    ['a b # c\n c', 'x', 'abc', ''],
    ['a(?#comment)b', '', 'ab', ''],
    ['\\h\\v', '', '[\\t \\xa0][\\n\\v\\f\\r\\x85]', ''],
    ['\\N+', '', '[^\\n]+', ''],
    ['[\\b]\\e\\cA', '', '\\x08\\x1b\\x01', ''],
    ['a{,2}', '', 'a\\{,2\\}', ''],
    ['[]a]', '', '[\\]a]', ''],
    ['[W-c]', 'i', '[W-cw-zA-C]', ''],
    ['\\s', '', '[\\t\\n\\v\\f\\r ]', ''],
    ['.', '', '[^\\n]', ''],
    ['\\R', '', '(?:\\r\\n|[\\n\\v\\f\\r\\x85])', ''],
  ];
  const allChars = ['a', 'b', 'A', 'B', 'c', 'C', 'x', '0', '_', ' ', '.', '-', '{', ',', '2', '}', ']', '\n', '\r', '\x0b', '\x0c', '\t', '\xa0', '\x85', '\x08', '\x1b', '\x01', '\xe9', '\xff'];
  for (const [pcre, pf, js, jf] of pairs) {
    it(`/${pcre}/${pf} ≡ /${js}/${jf}`, () => {
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...allChars), { maxLength: 6 }).map((a) => a.join('')), (input) => {
          check(pcre, pf, js, jf, input);
        }),
        { numRuns: 100 },
      );
    });
  }
});
