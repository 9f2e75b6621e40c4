/**
 * Size limits of the front end (issue 18): a limit is checked before the work it bounds and
 * names what is too big ('content length', 'pattern length', 'positions', 'repeat
 * expansion'); and long branches are read in linear time (the pre-pass chunks them for
 * regexp-tree, whose item lists are quadratic) into the IR they always had.
 *
 * The limit tests fail on the main of issue 18 (a content went through the regex parser,
 * a long alternation was blamed on 'repeat expansion', a 60,000-character literal took
 * regexp-tree ~15 s); the chunking tests hold there too (same IR) and guard the rewrite.
 * Nothing here is timed (speed: bench/compile-limits.ts).
 */
import { describe, expect, it } from 'vitest';
import { LimitExceededError, UnsupportedFeatureError } from '../../src/errors.js';
import {
  altIr,
  byteSetOf,
  concatIr,
  DEFAULT_MAX_PATTERN_LENGTH,
  DEFAULT_MAX_REPEAT_EXPANSION,
  foldAsciiCaseInto,
  irEquals,
  literalIr,
  parseContent,
  parsePattern,
  repeatIr,
  bytesIr,
  type Ir,
} from '../../src/syntax/index.js';

/** `n` alternatives `w<base 36>x`: a literal alternation of ~5.5 n characters. */
function literalAlternation(n: number): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`w${i.toString(36)}x`);
  return parts.join('|');
}

function limitOf(f: () => unknown): LimitExceededError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LimitExceededError);
    return e as LimitExceededError;
  }
  throw new Error('no LimitExceededError');
}

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('size limits, checked first and named', () => {
  it('a 1 MB content is rejected as its content length, before any IR is built', () => {
    const e = limitOf(() => parseContent(new Uint8Array(1_000_000).fill(0x41), false));
    expect([e.resource, e.limit, e.given]).toEqual(['content length', DEFAULT_MAX_REPEAT_EXPANSION, 1_000_000]);
    expect(e.message.length).toBeLessThan(300);
    expect(irEquals(parseContent(ascii('aB'), true), literalIr(ascii('aB'), true))).toBe(true);
    expect(limitOf(() => parseContent(ascii('abcd'), false, { maxRepeatExpansion: 3 })).resource).toBe('content length');
  });

  it('a pattern longer than maxPatternLength is rejected before it is read, named, with a short message', () => {
    const alt = literalAlternation(100_000);
    const e = limitOf(() => parsePattern(alt));
    expect([e.resource, e.limit, e.given]).toEqual(['pattern length', DEFAULT_MAX_PATTERN_LENGTH, alt.length]);
    expect(e.message.length).toBeLessThan(400);
    // Even an invalid one: nothing is read past the length check.
    expect(limitOf(() => parsePattern(`(${'a'.repeat(70_000)}`)).resource).toBe('pattern length');
    expect(limitOf(() => parsePattern('abcdef', '', { maxPatternLength: 5 })).resource).toBe('pattern length');
    expect(limitOf(() => parsePattern(literalAlternation(20_000))).resource).toBe('pattern length');
  });

  it('a pattern with too many positions and no counted repeat to blame is named "positions"', () => {
    // 60,000 characters (under the length limit), 60,000 positions (over the position limit).
    const lit = limitOf(() => parsePattern('A'.repeat(60_000)));
    expect([lit.resource, lit.limit, lit.given]).toEqual(['positions', DEFAULT_MAX_REPEAT_EXPANSION, 60_000]);
    expect(lit.message.length).toBeLessThan(400);
    // A literal alternation of ~56,000 characters and ~50,700 positions.
    const alt = literalAlternation(10_400);
    expect(alt.length).toBeLessThan(DEFAULT_MAX_PATTERN_LENGTH);
    expect(limitOf(() => parsePattern(alt)).resource).toBe('positions');
  });

  it('counted repeats past the position budget are still named "repeat expansion"', () => {
    const e = limitOf(() => parsePattern('(?:abc){20000}'));
    expect([e.resource, e.given]).toEqual(['repeat expansion', 60_000]);
    expect(limitOf(() => parsePattern('a{3}b', '', { maxRepeatExpansion: 3 })).resource).toBe('repeat expansion');
  });

  it('a literal alternation under the limits parses to the alternation of its literals', () => {
    const n = 9_000;
    const ir = parsePattern(literalAlternation(n));
    const want = altIr(Array.from({ length: n }, (_, i) => literalIr(ascii(`w${i.toString(36)}x`), false)));
    expect(irEquals(ir, want)).toBe(true);
  });
});

describe('long branches are chunked for regexp-tree without changing the IR', () => {
  const unit = 'a[bc]d*(?:e|f)?\\x41{2}\\.';
  const unitIr = (): Ir => parsePattern(unit);
  const times = (ir: Ir, n: number): Ir => concatIr(Array.from({ length: n }, () => ir));

  it('a long literal is the literal', () => {
    expect(irEquals(parsePattern('q'.repeat(40_000)), literalIr(new Uint8Array(40_000).fill(0x71), false))).toBe(true);
  });

  it('a long branch at top level, in a group, between alternatives, under a quantifier', () => {
    const n = 700;
    const body = unit.repeat(n);
    expect(irEquals(parsePattern(body), times(unitIr(), n))).toBe(true);
    expect(irEquals(parsePattern(`x|${body}|y`), altIr([bytesIr(byteSetOf(0x78)), times(unitIr(), n), bytesIr(byteSetOf(0x79))]))).toBe(true);
    expect(irEquals(parsePattern(`z(?:${body})+`), concatIr([bytesIr(byteSetOf(0x7a)), repeatIr(times(unitIr(), n), 1, Infinity)]))).toBe(true);
    expect(irEquals(parsePattern(`(${body}|q)`), altIr([times(unitIr(), n), bytesIr(byteSetOf(0x71))]))).toBe(true);
  });

  it('flags, quotes and comments keep their place across chunks', () => {
    const n = 600;
    const folded = (c: string): Ir => {
      const s = byteSetOf(c.charCodeAt(0));
      foldAsciiCaseInto(s);
      return bytesIr(s);
    };
    const exact = (c: string): Ir => bytesIr(byteSetOf(c.charCodeAt(0)));
    // Inline (?i) in the middle of a long branch: the bytes before it stay exact.
    const ir = parsePattern(`${'a'.repeat(n)}(?i)${'b'.repeat(n)}`);
    expect(irEquals(ir, concatIr([...Array(n).fill(exact('a')), ...Array(n).fill(folded('b'))]))).toBe(true);
    // A \Q…\E quote is read char by char; a comment between an atom and its quantifier.
    expect(irEquals(parsePattern(`\\Q${'.'.repeat(n)}\\E`), times(exact('.'), n))).toBe(true);
    const withComment = parsePattern(`${'c'.repeat(n)}(?#note)*`);
    expect(irEquals(withComment, concatIr([...Array(n - 1).fill(exact('c')), repeatIr(exact('c'), 0, Infinity)]))).toBe(true);
    // Errors after a chunked stretch still name the offset in the original pattern.
    try {
      parsePattern(`${'a'.repeat(n)}(?<=x)`);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UnsupportedFeatureError);
      expect((e as UnsupportedFeatureError).offset).toBe(n);
    }
  });
});
