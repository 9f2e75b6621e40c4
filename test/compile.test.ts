/**
 * `compile`, the public front door: input forms, rejection without stopping, ids kept,
 * budgets, engine dispatch errors; and an end-to-end differential test from PCRE text
 * (through the real front end) against V8 on patterns whose meaning both share.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LimitExceededError, RegexSyntaxError, UnsupportedFeatureError, UsageError } from '../src/errors.js';
import { compile, compileNfa, DEFAULT_ENGINE, type CompileOptions, type SignatureSpec } from '../src/compile.js';
import type { Matcher } from '../src/matcher/types.js';
import { inputArb, latin1 } from './support/random-ir.js';

function ends(m: Matcher, input: Uint8Array | string): Array<[number, number]> {
  const bytes = typeof input === 'string' ? Uint8Array.from(input, (c) => c.charCodeAt(0)) : input;
  const out: Array<[number, number]> = [];
  const s = m.createScratch();
  const cb = (sig: number, end: number): void => {
    out.push([sig, end]);
  };
  m.scan(s, bytes, cb);
  m.finish(s, cb);
  return out;
}

describe('compile', () => {
  it('accepts pcre text, bare patterns, { pcre } and { content, nocase }', () => {
    const sigs: Array<string | SignatureSpec> = [
      '/ab+c/i',
      'x[0-9]',
      { pcre: '/^GET/' },
      { content: 'HeLLo', nocase: true },
      { content: Uint8Array.of(0x00, 0xff) },
    ];
    const r = compile(sigs);
    expect(r.rejected).toEqual([]);
    expect(r.matcher.engine).toBe(DEFAULT_ENGINE); // the default engine
    expect(r.matcher.signatureCount).toBe(5);
    expect(r.nfa).toMatchObject({ signatures: 5, compiled: 5 });
    expect(r.nfa.states).toBeGreaterThan(10);
    expect(r.compileMs).toBeGreaterThanOrEqual(0);
    // Ordered per signature; across signatures the prefiltered default reports literals first.
    expect(ends(r.matcher, 'GET ABBC x1 hello \x00\xff').sort((a, b) => a[1] - b[1] || a[0] - b[0])).toEqual([
      [2, 3],
      [0, 8],
      [1, 11],
      [3, 17],
      [4, 20],
    ]);
    expect(ends(r.matcher, 'xGET')).toEqual([]);
  });

  it('compileNfa (an NFA, nothing confirms it) rejects pcres that need confirmation unless confirm is given', () => {
    const plain = compileNfa(['/(a)\\1/', '/ab/']);
    expect(plain.rejected.map((r) => r.signature)).toEqual([0]);
    expect((plain.rejected[0]!.error as UnsupportedFeatureError).feature).toBe('backreference');
    expect(compileNfa(['/(a)\\1/', '/ab/'], { confirm: true }).rejected).toEqual([]);
  });

  it('rejects bad signatures with typed errors and keeps every id', () => {
    const r = compile(['/a(/', 'ok', '/a(?R)?b/', { content: '' }, '!/neg/', 'a{3}', 42 as unknown as string]);
    expect(r.rejected.map((x) => x.signature)).toEqual([0, 2, 3, 4, 6]);
    expect(r.rejected[0].error).toBeInstanceOf(RegexSyntaxError);
    expect(r.rejected[0].source).toBe('/a(/');
    expect(r.rejected[1].error).toBeInstanceOf(UnsupportedFeatureError);
    expect(r.rejected[2].error).toBeInstanceOf(UnsupportedFeatureError);
    expect(r.rejected[3].error).toBeInstanceOf(UnsupportedFeatureError);
    expect(r.rejected[4].error).toBeInstanceOf(UsageError);
    expect(r.matcher.signatureCount).toBe(7);
    expect(ends(r.matcher, 'ok aaa')).toEqual([
      [1, 2],
      [5, 6],
    ]);
  });

  it('budgets reject the signatures that exceed them, not the set', () => {
    const r = compile(['abc', 'x{40}', 'def'], { maxStates: 20 });
    expect(r.rejected.map((x) => [x.signature, x.error instanceof LimitExceededError])).toEqual([[1, true]]);
    expect(ends(r.matcher, 'abcdef')).toEqual([
      [0, 3],
      [2, 6],
    ]);
    const r2 = compile(['a{100}b', 'b'], { maxRepeatExpansion: 50 });
    expect(r2.rejected.map((x) => x.signature)).toEqual([0]);
    expect(r2.rejected[0].error).toBeInstanceOf(LimitExceededError);
  });

  it('unknown or unavailable engines are a UsageError', () => {
    expect(() => compile(['a'], { engine: 'bogus' as never })).toThrow(UsageError);
  });

  it('the default configuration is DEFAULT_ENGINE (nfa) with the prefilter; a named engine runs alone unless asked', () => {
    expect(DEFAULT_ENGINE).toBe('nfa');
    expect(compile(['a']).matcher.engine).toBe(DEFAULT_ENGINE);
    expect(compile(['/abc/']).matcher.stats().prefilter).toBeDefined();
    expect(compile(['/abc/'], { prefilter: false }).matcher.stats().prefilter).toBeUndefined();
    expect(compile(['/abc/'], { engine: 'nfa' }).matcher.stats().prefilter).toBeUndefined();
    expect(compile(['/abc/'], { engine: 'obdd', prefilter: true }).matcher.stats().prefilter).toBeDefined();
  });

  it('an unknown option key is a UsageError naming the option and the engine', () => {
    expect(() => compile(['a'], { engine: 'nfa', engineOptions: { bogus: 1 } as never })).toThrow(UsageError);
    expect(() => compile(['a'], { engine: 'nfa', engineOptions: { bogus: 1 } as never })).toThrow(/unknown nfa option 'bogus'/);
    // An option of another engine is unknown here too (memo is obdd's).
    expect(() => compile(['a'], { engine: 'dfa', engineOptions: { memo: false } as never })).toThrow(/unknown dfa option 'memo'/);
    // Nested option objects are checked too; obdd's stride follows from the engine name.
    expect(() => compile(['a'], { engine: 'obdd', engineOptions: { encoding: { order: 'x' } } as never })).toThrow(/unknown obdd option 'encoding.order'/);
    expect(() => compile(['a'], { engine: 'obdd2', engineOptions: { stride: 2 } as never })).toThrow(/unknown obdd2 option 'stride'/);
    expect(() => compile(['a'], { engine: 'obdd', engineOptions: { grouping: { size: 2 } } as never })).toThrow(/unknown obdd option 'grouping.size'/);
    expect(() => compile(['a'], { engine: 'regexp', engineOptions: 'fast' as never })).toThrow(/regexp options must be an object/);
  });

  it('an ill-typed option value is a UsageError naming the option and the engine', () => {
    const bad: Array<[CompileOptions, RegExp]> = [
      [{ engine: 'nfa', engineOptions: { indexDegree: 'high' as never } }, /nfa option indexDegree/],
      [{ engine: 'obdd', engineOptions: { memo: 'no' as never } }, /obdd option memo/],
      [{ engine: 'obdd2', engineOptions: { memoKey: 'triple' as never } }, /obdd2 option memoKey/],
      [{ engine: 'obdd', engineOptions: { grouping: { groupSize: 0 } } }, /obdd option groupSize/],
      [{ engine: 'dfa', engineOptions: { maxStates: -1 } }, /dfa option maxStates/],
      [{ engine: 'mdfa', engineOptions: { minimize: 1 as never } }, /mdfa option minimize/],
      [{ engine: 'regexp', engineOptions: { guard: 'thread' as never } }, /regexp option guard/],
    ];
    for (const [options, message] of bad) {
      expect(() => compile(['a'], options), JSON.stringify(options)).toThrow(UsageError);
      expect(() => compile(['a'], options), JSON.stringify(options)).toThrow(message);
    }
  });

  it('grouping is selected by the grouping option, with the same matches', () => {
    const srcs = ['/ab+/', '/c[de]/', '/x$/'];
    const one = compile(srcs, { engine: 'obdd' });
    const grouped = compile(srcs, { engine: 'obdd', engineOptions: { memo: false, grouping: { groupSize: 1 } } });
    expect(one.matcher.stats().groups).toBeUndefined();
    expect(grouped.matcher.stats().groups).toBe(3);
    const sorted = (xs: Array<[number, number]>): Array<[number, number]> => xs.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    expect(sorted(ends(grouped.matcher, 'abbcdx'))).toEqual(sorted(ends(one.matcher, 'abbcdx')));
  });

  it('searchForm must be a boolean (a string such as "false" is not silently true)', () => {
    expect(() => compile(['a'], { searchForm: 'false' as never })).toThrow(/searchForm must be true or false/);
    expect(() => compile(['a'], { searchForm: 'false' as never })).toThrow(UsageError);
    expect(compile(['/.*a/'], { engine: 'nfa', searchForm: false }).nfa.states).toBeGreaterThan(compile(['/.*a/'], { engine: 'nfa' }).nfa.states);
  });
});

/**
 * Random PCRE source in a subset where PCRE and V8 agree on latin1 strings: literals,
 * classes over a small alphabet, `\d` `\w` `\b` `\B`, `^` (no m), groups, alternation and
 * quantifiers. (No `.`, `\s`, `i`, `$`: they differ, see GUIDE.md.)
 */
const atomArb: fc.Arbitrary<string> = fc.constantFrom(
  'a',
  'b',
  '_',
  '0',
  ' ',
  '\\n',
  '[ab]',
  '[^a]',
  '[a\\n ]',
  '\\d',
  '\\w',
  '\\W',
  '\\xe9',
  '\\b',
  '\\B',
  '^',
);
const { re: pcreArb } = fc.letrec<{ re: string }>((tie) => ({
  re: fc.oneof(
    { depthSize: 'small' },
    { weight: 4, arbitrary: atomArb },
    { weight: 3, arbitrary: fc.array(tie('re'), { minLength: 2, maxLength: 4 }).map((a) => a.join('')) },
    { weight: 2, arbitrary: fc.array(tie('re'), { minLength: 2, maxLength: 3 }).map((a) => `(?:${a.join('|')})`) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(tie('re'), fc.constantFrom('*', '+', '?', '{2}', '{0,2}', '{1,}', '*?'))
        .map(([r, q]) => `(?:${r})${q}`),
    },
  ),
}));

describe('compile vs V8 through the PCRE front end', () => {
  it('every match end of random PCRE-and-V8 patterns equals V8', () => {
    fc.assert(
      fc.property(pcreArb, inputArb, (src, input) => {
        const r = compile([src]);
        // Quantified assertions (`\b*`) are rejected by the front end (PCRE refuses them too).
        fc.pre(r.rejected.length === 0);
        const got = ends(r.matcher, input).map(([, e]) => e);
        const re = new RegExp(`(?<=${src})`, 'y');
        const str = latin1(input);
        const want: number[] = [];
        for (let e = 0; e <= str.length; e++) {
          re.lastIndex = e;
          if (re.test(str)) want.push(e);
        }
        expect(got).toEqual(want);
      }),
      { numRuns: 400 },
    );
  });
});

describe('compile: size limits (issue 18: checked before the work they bound, and named)', () => {
  const alternation = (n: number): string => Array.from({ length: n }, (_, i) => `w${i.toString(36)}x`).join('|');
  const limitOf = (r: { rejected: Array<{ signature: number; error: Error }> }, id = 0): LimitExceededError => {
    const e = r.rejected.find((x) => x.signature === id)?.error;
    expect(e).toBeInstanceOf(LimitExceededError);
    return e as LimitExceededError;
  };
  const engines: CompileOptions[] = [{}, { engine: 'nfa' }, { engine: 'obdd' }, { engine: 'mdfa' }, { engine: 'dfa' }];

  it('a 1 MB content is rejected as "content length", by every engine, and the others still match', () => {
    const big = new Uint8Array(1_000_000).fill(0x41);
    for (const options of engines) {
      const r = compile([{ content: big }, { content: 'AAAB' }], options);
      const e = limitOf(r);
      expect([e.resource, e.limit, e.given]).toEqual(['content length', 50_000, 1_000_000]);
      expect(r.rejected).toHaveLength(1);
      expect(r.rejected[0].source.length).toBeLessThan(300);
      expect(ends(r.matcher, 'xAAAAB')).toEqual([[1, 6]]);
    }
  });

  it('a 100k-way literal alternation is rejected as "pattern length", by every engine', () => {
    const alt = `/${alternation(100_000)}/`;
    for (const options of engines) {
      const r = compile([alt, '/w1x/'], options);
      const e = limitOf(r);
      expect([e.resource, e.limit, e.given]).toEqual(['pattern length', 65_536, alt.length - 2]);
      expect(ends(r.matcher, 'w1x')).toEqual([[1, 3]]);
    }
  });

  it('a 20k-way literal alternation is a "pattern length" reject, not a "repeat expansion" one', () => {
    expect(limitOf(compile([`/${alternation(20_000)}/`])).resource).toBe('pattern length');
  });

  it('maxPatternLength and maxRepeatExpansion are options of compile()', () => {
    const r = compile(['/abcdefghij/', { content: 'abcdef' }, '/(?:ab){4}/', '/abc/'], { maxPatternLength: 9, maxRepeatExpansion: 5 });
    expect(r.rejected.map((x) => (x.error as LimitExceededError).resource)).toEqual(['pattern length', 'content length', 'repeat expansion']);
    expect(ends(r.matcher, 'abc')).toEqual([[3, 3]]);
  });

  it('a literal alternation under the limits compiles and matches each literal', () => {
    const n = 8_000;
    const r = compile([`/${alternation(n)}/`]);
    expect(r.rejected).toEqual([]);
    expect(ends(r.matcher, `w${(n - 1).toString(36)}x w0x wzzx`)).toEqual([[0, 5], [0, 9], [0, 14]]);
  });
});
