/**
 * The exact matcher of confirmed signatures (src/confirm/exact.ts) against references
 * nobody here wrote: V8's RegExp, on random patterns restricted to where PCRE 8.x and V8
 * agree (test/support/random-rx.ts lists the differences avoided), with PCRE's atomic
 * groups and possessive quantifiers emulated as `(?=(X))\N`. Plus: the regular
 * over-approximation really contains every exact span (issue 16's "prove it"), the
 * partial-input contract of `confirmEnds`, PCRE-specific cases V8 answers differently, the
 * parse errors of exact mode, and the time/stack budget.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXHAUSTED, ExactMatcher } from '../../src/confirm/exact.js';
import { RegexSyntaxError, UnsupportedFeatureError } from '../../src/errors.js';
import type { ParsedSignature, Rx } from '../../src/syntax/ir.js';
import { ends, latin1, leftmostStart } from '../../src/syntax/ir-reference.js';
import { parseSignature } from '../../src/syntax/parse.js';
import { CHARS, CHARS_I, inputArb, render, treeArb } from '../support/random-rx.js';

const parse = (p: string, flags = ''): ParsedSignature => parseSignature(`/${p}/${flags}`, { confirm: true });

function matcherOf(sig: ParsedSignature): ExactMatcher {
  if (sig.exact === undefined) throw new Error(`no exact form for ${sig.source}`);
  return new ExactMatcher(sig.exact, sig.anchored);
}

/** exec, with EXHAUSTED turned into a test failure. */
function execOf(m: ExactMatcher, input: string, from = 0): { start: number; end: number } | null {
  const r = m.exec(latin1(input), from);
  if (r === EXHAUSTED) throw new Error('unexpected EXHAUSTED');
  return r as { start: number; end: number } | null;
}

function confirmOf(m: ExactMatcher, bytes: Uint8Array, len: number, final: boolean, wanted: number[]): number[] {
  const r = m.confirmEnds(bytes, len, final, wanted);
  if (r === EXHAUSTED) throw new Error('unexpected EXHAUSTED');
  return r as number[];
}

const range = (lo: number, hi: number): number[] => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

/** Every (start, end) span of the exact pattern, as "s-e" (start pinned by length bounds). */
function exactSpans(sig: ParsedSignature, bytes: Uint8Array): Set<string> {
  const out = new Set<string>();
  const n = bytes.length;
  for (let s = 0; s <= n; s++) {
    for (let e = s; e <= n; e++) {
      // minLength = maxLength = e − s: the only start tried is s.
      const m = new ExactMatcher(sig.exact!, false, e - s, e - s);
      if (confirmOf(m, bytes, n, true, [e]).length === 1) out.add(`${s}-${e}`);
    }
  }
  return out;
}

/** V8's spans of `js`: a sticky run from s whose match is forced to end at e. */
function v8Spans(js: string, flags: string, input: string): Set<string> {
  const out = new Set<string>();
  const n = input.length;
  for (let e = 0; e <= n; e++) {
    const re = new RegExp(`(?:${js})(?<=^[\\s\\S]{${e}})`, `${flags}y`);
    for (let s = 0; s <= e; s++) {
      re.lastIndex = s;
      if (re.test(input)) out.add(`${s}-${e}`);
    }
  }
  return out;
}

const sorted = (s: Set<string>): string[] => [...s].sort();

/** Whether an Rx uses a node kind the IR has not (a sanity check on `exact`'s presence). */
function needsExact(rx: Rx): boolean {
  switch (rx.kind) {
    case 'backref':
    case 'look':
    case 'atomic':
      return true;
    case 'concat':
    case 'alt':
      return rx.items.some(needsExact);
    case 'repeat':
    case 'group':
      return needsExact(rx.item);
    default:
      return false;
  }
}

const flagsArb = fc.constantFrom('', '', 'i');

describe('exact matcher vs V8 (random patterns where PCRE and V8 agree)', () => {
  it('exec: leftmost start, first match in priority order', () => {
    let confirmed = 0;
    fc.assert(
      fc.property(treeArb, flagsArb, fc.array(inputArb(CHARS_I, 7), { minLength: 1, maxLength: 6 }), (tree, flags, inputs) => {
        const { pcre, v8 } = render(tree, 'v8');
        const sig = parse(pcre, flags);
        const re = new RegExp(v8, flags);
        const ctx = (input: string): string => `/${pcre}/${flags} vs /${v8}/${flags} on ${JSON.stringify(input)}`;
        if (sig.exact !== undefined) {
          confirmed++;
          expect(needsExact(sig.exact.rx), pcre).toBe(true);
          const m = matcherOf(sig);
          for (const input of inputs) {
            const want = re.exec(input);
            const got = execOf(m, input);
            expect(got, ctx(input)).toEqual(want === null ? null : { start: want.index, end: want.index + want[0].length });
          }
        } else {
          // No confirmable feature: the plain IR, checked as in v8-differential.test.ts.
          for (const input of inputs) {
            const bytes = latin1(input);
            const want = re.exec(input);
            const start = leftmostStart(sig.ir, bytes);
            expect(start, ctx(input)).toBe(want === null ? -1 : want.index);
            if (want) expect(ends(sig.ir, bytes, new Set([start])).has(want.index + want[0].length), ctx(input)).toBe(true);
          }
        }
      }),
      { numRuns: 600 },
    );
    // The generator must mostly produce patterns that need confirmation.
    expect(confirmed).toBeGreaterThan(300);
  });

  it('exec from an offset: the first match starting at or after it', () => {
    fc.assert(
      fc.property(treeArb, inputArb(CHARS, 7), fc.nat(7), (tree, input, from0) => {
        const { pcre, v8 } = render(tree, 'v8');
        const sig = parse(pcre);
        fc.pre(sig.exact !== undefined);
        const from = Math.min(from0, input.length);
        const re = new RegExp(v8, 'g');
        re.lastIndex = from;
        const want = re.exec(input);
        expect(execOf(matcherOf(sig), input, from), `/${pcre}/ vs /${v8}/ on ${JSON.stringify(input)} from ${from}`).toEqual(
          want === null ? null : { start: want.index, end: want.index + want[0].length },
        );
      }),
      { numRuns: 300 },
    );
  });

  it('confirmEnds: every (start, end) span and every end, vs V8 forced to end there', () => {
    fc.assert(
      fc.property(treeArb, flagsArb, inputArb(CHARS_I, 6), (tree, flags, input) => {
        const { pcre, v8 } = render(tree, 'v8');
        const sig = parse(pcre, flags);
        fc.pre(sig.exact !== undefined);
        const bytes = latin1(input);
        const ctx = `/${pcre}/${flags} vs /${v8}/${flags} on ${JSON.stringify(input)}`;
        const want = v8Spans(v8, flags, input);
        expect(sorted(exactSpans(sig, bytes)), ctx).toEqual(sorted(want));
        const wantEnds = [...new Set([...want].map((sp) => Number(sp.split('-')[1])))].sort((a, b) => a - b);
        const all = range(0, input.length);
        expect(confirmOf(matcherOf(sig), bytes, input.length, true, all), ctx).toEqual(wantEnds);
        // A subset of wanted ends gets the same answer restricted to it.
        const odd = all.filter((e) => e % 2 === 1);
        expect(confirmOf(matcherOf(sig), bytes, input.length, true, odd), ctx).toEqual(wantEnds.filter((e) => e % 2 === 1));
      }),
      { numRuns: 300 },
    );
  });
});

describe('atomic groups and possessive quantifiers vs their V8 emulation', () => {
  const atomArb = fc.constantFrom('a', 'b', '[ab]', '[^a]', '.', '\\w', '(?:ab)', '(?:a|ab)', '(?:ab|a)', '(?:a|b)');
  it('(?>X)Y ≡ (?=(X))\\1Y', () => {
    fc.assert(
      fc.property(treeArb, treeArb, fc.array(inputArb(CHARS, 7), { minLength: 1, maxLength: 6 }), (tx, ty, inputs) => {
        // X and Y rendered as one V8-safe pattern so references stay valid: ((?:X)(?:Y)) split.
        const x = render(tx, 'v8');
        const y = render(ty, 'v8');
        // References are resolved within X and within Y separately; Y's groups shift by X's.
        const shift = (src: string, by: number): string => src.replace(/\\(\d+)/g, (_, d: string) => `\\${Number(d) + by}`);
        const xV8Groups = (x.v8.match(/\((?!\?)/g) ?? []).length;
        const pcre = `(?>${x.pcre})${shift(y.pcre, x.groups)}`;
        const js = `(?=(${shift(x.v8, 1)}))\\1${shift(y.v8, 1 + xV8Groups)}`;
        const sig = parse(pcre);
        const m = matcherOf(sig);
        for (const input of inputs) {
          const want = new RegExp(js).exec(input);
          expect(execOf(m, input), `/${pcre}/ vs /${js}/ on ${JSON.stringify(input)}`).toEqual(
            want === null ? null : { start: want.index, end: want.index + want[0].length },
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('A*+, A++, A?+, A{m,n}+ on single atoms, then Y', () => {
    fc.assert(
      fc.property(
        atomArb,
        fc.constantFrom('*', '+', '?', '{1,2}', '{0,3}', '{2}', '{2,}'),
        fc.constantFrom('', 'a', 'b', 'ab', '$', '\\b', '[ab]', 'a*', 'b?a'),
        fc.array(inputArb(CHARS, 8), { minLength: 1, maxLength: 6 }),
        (a, q, y, inputs) => {
          const pcre = `${a}${q}+${y}`;
          const js = `(?=(${a}${q}))\\1${y}`;
          const m = matcherOf(parse(pcre));
          for (const input of inputs) {
            const want = new RegExp(js).exec(input);
            expect(execOf(m, input), `/${pcre}/ vs /${js}/ on ${JSON.stringify(input)}`).toEqual(
              want === null ? null : { start: want.index, end: want.index + want[0].length },
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('possessive and atomic forms parse to atomic nodes', () => {
    expect(parse('a*+b').exact?.features).toEqual(['possessive quantifier']);
    expect(parse('(?>a|ab)c').exact?.features).toEqual(['atomic group']);
    const rx = parse('a++b').exact!.rx;
    expect(rx.kind).toBe('concat');
    expect(rx.kind === 'concat' && rx.items[0]!.kind).toBe('atomic');
  });
});

describe('confirmEnds on an input that is not complete', () => {
  it('a(?=bc): the end 1 of "abc" needs byte 2', () => {
    const m = matcherOf(parse('a(?=bc)'));
    const bytes = latin1('abc');
    expect(confirmOf(m, bytes, 2, false, [0, 1, 2])).toEqual([]);
    expect(confirmOf(m, bytes, 3, false, [0, 1, 2, 3])).toEqual([1]);
    expect(confirmOf(m, bytes, 3, true, [0, 1, 2, 3])).toEqual([1]);
  });

  // Found by the property below (bugs in the first version of src/confirm/exact.ts).
  it('an atomic group decides with the bytes past the wanted ends', () => {
    // PCRE: a*+ from 0 on "a" ends at 1 only, from 1 at 1: no match ends at 0. The first
    // version let the possessive body see only bytes before the largest wanted end.
    expect(confirmOf(matcherOf(parse('a*+')), latin1('a'), 1, true, [0])).toEqual([]);
    expect(confirmOf(matcherOf(parse('(?>[ab]*)')), latin1('ab'), 2, true, [0, 1])).toEqual([]);
    // (?>aaa|a) on "aaa": from 0 the atomic group takes aaa (ends {3}; from 1: 2; from 2: 3).
    // With only "aa" known, "aaa" fails and "a" ends at 1: reach must cover the body.
    const m = matcherOf(parse('(?>aaa|a)'));
    expect(confirmOf(m, latin1('aaa'), 3, true, [0, 1, 2, 3])).toEqual([2, 3]);
    expect(m.reach).toBeGreaterThanOrEqual(3);
  });

  it('a lookahead nested in a lookahead counts from its own position', () => {
    // x(?=ab(?=cd)) on "xabcd": end 1 needs bytes up to 4 (the inner lookahead reads 3..4).
    const m = matcherOf(parse('x(?=ab(?=cd))'));
    const bytes = latin1('xabcd');
    expect(confirmOf(m, bytes, 5, true, [1])).toEqual([1]);
    expect(1 + m.reach).toBeGreaterThanOrEqual(5);
    expect(confirmOf(m, bytes, 1 + m.reach, false, [1])).toEqual([1]);
    // And through a lookbehind inside the lookahead.
    const b = matcherOf(parse('x(?=ab(?<=b(?=cd)))'));
    expect(1 + b.reach).toBeGreaterThanOrEqual(5);
    expect(confirmOf(b, bytes, 1 + b.reach, false, [1])).toEqual([1]);
  });

  it('reach is a number for lookaheads under unbounded repeats of empty bodies', () => {
    expect(Number.isNaN(matcherOf(parse('a(?=(?:(?=b))*c)')).reach)).toBe(false);
  });

  it('a\\b and a$ undecided at the last known byte, decided when final', () => {
    const b = matcherOf(parse('(?=a)a\\b'));
    expect(confirmOf(b, latin1('a'), 1, false, [1])).toEqual([]);
    expect(confirmOf(b, latin1('a'), 1, true, [1])).toEqual([1]);
    expect(confirmOf(b, latin1('a '), 2, false, [1])).toEqual([1]);
    const d = matcherOf(parse('(?=a)a$'));
    expect(confirmOf(d, latin1('a'), 1, false, [1])).toEqual([]);
    expect(confirmOf(d, latin1('a'), 1, true, [1])).toEqual([1]);
  });

  it('ends with end + reach ≤ len are decided as on the whole input', () => {
    fc.assert(
      fc.property(treeArb, inputArb(CHARS, 8), (tree, input) => {
        const { pcre } = render(tree, 'free');
        const sig = parse(pcre);
        fc.pre(sig.exact !== undefined);
        const m = matcherOf(sig);
        fc.pre(m.reach !== Infinity);
        const bytes = latin1(input);
        const n = input.length;
        const full = confirmOf(m, bytes, n, true, range(0, n));
        for (let len = 0; len < n; len++) {
          const decided = range(0, len - m.reach);
          if (decided.length === 0) continue;
          expect(confirmOf(m, bytes, len, false, decided), `/${pcre}/ on ${JSON.stringify(input)}, len ${len}, reach ${m.reach}`).toEqual(
            full.filter((e) => e <= len - m.reach),
          );
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('the over-approximation contains every exact span', () => {
  it('random patterns, any references (unset, own group, under repeats), any input', () => {
    fc.assert(
      fc.property(treeArb, fc.constantFrom('', 'i', 'm', 's'), inputArb(CHARS_I, 6), (tree, flags, input) => {
        const { pcre } = render(tree, 'free');
        const sig = parse(pcre, flags);
        fc.pre(sig.exact !== undefined);
        const bytes = latin1(input);
        const n = input.length;
        const ctx = `/${pcre}/${flags} on ${JSON.stringify(input)}`;
        const approxEnds = ends(sig.ir, bytes, new Set(range(0, n)));
        for (const e of confirmOf(matcherOf(sig), bytes, n, true, range(0, n))) expect(approxEnds.has(e), `${ctx}: end ${e}`).toBe(true);
        for (const span of exactSpans(sig, bytes)) {
          const [s, e] = span.split('-').map(Number) as [number, number];
          expect(ends(sig.ir, bytes, new Set([s])).has(e), `${ctx}: span ${span}`).toBe(true);
        }
        // exec's match is one of the spans, and the anchored flag does not change the ends.
        const x = execOf(matcherOf(sig), input);
        if (x !== null) expect(ends(sig.ir, bytes, new Set([x.start])).has(x.end), `${ctx}: exec`).toBe(true);
        const loose = new ExactMatcher(sig.exact!, false);
        expect(confirmOf(loose, bytes, n, true, range(0, n)), ctx).toEqual(confirmOf(matcherOf(sig), bytes, n, true, range(0, n)));
      }),
      { numRuns: 400 },
    );
  });
});

describe('the over-approximation: hand-checked cases', () => {
  // A reference repeats the captured text; the group's assertions held where the group
  // matched, not where the reference does. PCRE: /(^a)\1/ on "aa" matches [0,2], so the
  // approximation must have the span 0-2 (found by the property above: /(?:(^)\1…)*+/).
  const cases: Array<[string, string, string, [number, number]]> = [
    ['(^a)\\1', '', 'aa', [0, 2]],
    ['(\\ba)\\1', '', 'aa', [0, 2]],
    ['(a\\B)\\1', '', 'aaa', [0, 2]],
    ['(a$)\\n\\1b', 'm', 'a\nab', [0, 4]],
    ['((?=a)a)\\1', '', 'aa', [0, 2]],
    ['(a(?<=a))\\1', 'i', 'aA', [0, 2]],
  ];
  for (const [p, f, input, [s, e]] of cases) {
    it(`/${p}/${f} on ${JSON.stringify(input)}: span ${s}-${e} is in the approximation`, () => {
      const sig = parse(p, f);
      expect(execOf(matcherOf(sig), input)).toEqual({ start: s, end: e });
      expect(ends(sig.ir, latin1(input), new Set([s])).has(e)).toBe(true);
    });
  }
});

describe('PCRE semantics where V8 differs (hand-checked cases)', () => {
  const cases: Array<[pattern: string, flags: string, input: string, want: [number, number] | null, why: string]> = [
    // PCRE: a reference to an unset group fails; V8 matches it as '' and finds 'b'.
    ['(a)|\\1b', '', 'b', null, 'unset backreference fails'],
    ['(a)?\\1b', '', 'b', null, 'unset (optional) group fails'],
    // PCRE keeps group 1 = 'a' across the 'b' iteration: a,b then \1 = 'a' → [0,3].
    // V8 resets group 1 in the 'b' iteration, so \1 is '' there and it answers [0,2].
    ['(?:(a)|b)+\\1', '', 'aba', [0, 3], 'captures are not reset per iteration'],
    ['(ab)\\1', 'i', 'abAB', [0, 4], 'caseless backreference'],
    ['(ab)\\1', '', 'abAB', null, 'case-sensitive backreference'],
    // Caselessness is the reference's own: outside the (?i:…) scope \1 is case-sensitive.
    ['(?i:(ab))\\1', '', 'xabAB', null, 'reference outside the (?i) scope is case-sensitive'],
    ['(ab)(?i)\\1', '', 'xabAB', [1, 5], 'reference inside a (?i) scope is caseless'],
    // Multiline ^ matches after an internal \n, not after a \n that ends the subject.
    ['(?=\\n)\\n^', 'm', 'a\n', null, 'multiline ^ not after the final newline'],
    ['(?=\\n)\\n^', 'm', 'a\nb', [1, 2], 'multiline ^ after an internal newline'],
    ['(?m)(?=a|\\n)\\n^', '', 'a\n', null, 'same with an inline (?m)'],
    // Possessive and atomic: no giving back.
    ['a++a', '', 'aaaa', null, 'possessive a++ takes every a'],
    ['a++b', '', 'aaab', [0, 4], 'possessive then another byte'],
    ['(?>a|ab)c', '', 'abc', null, 'atomic keeps its first alternative'],
    ['(?>ab|a)c', '', 'abc', [0, 3], 'atomic, longer alternative first'],
    ['(?>a+)b', '', 'aab', [0, 3], 'atomic group then a byte'],
    // Lookbehind branches of different lengths (PCRE 8.x allows each its own fixed length).
    ['(?<=ab|c)d', '', 'abd', [2, 3], 'lookbehind branch ab'],
    ['(?<=ab|c)d', '', 'cd', [1, 2], 'lookbehind branch c'],
    ['(?<=ab|c)d', '', 'bd', null, 'lookbehind fails'],
    ['(?<!ab|c)d', '', 'abdxd', [4, 5], 'negative lookbehind'],
    ['(?<=\\bab)c', '', ' abc', [3, 4], 'assertion inside a lookbehind'],
    // A positive lookahead keeps its captures; a negative one sets none.
    ['(?=(a+))a*b\\1', '', 'baaabac', [3, 6], 'capture from a lookahead (PCRE: \\1 = "a")'],
    ['(?!(a)b)\\w', '', 'abc', [1, 2], 'negative lookahead'],
    // A repeat stops after an iteration that matched the empty string: (a|)* stops at once,
    // so ^(?:a|)*$ … only the first alternative path is greedy; (?:|a)* on 'a' matches ''.
    ['(?:|a)*(?=)', '', 'a', [0, 0], 'empty iteration ends the repeat (V8: [0,1])'],
    ['(a\\1?)+$', '', 'aaa', [0, 3], 'reference to its own enclosing group'],
    ['\\b(\\w+) \\1\\b', '', 'the the cat', [0, 7], 'doubled word'],
  ];
  for (const [p, f, input, want, why] of cases) {
    it(`/${p}/${f} on ${JSON.stringify(input)}: ${why}`, () => {
      const got = execOf(matcherOf(parse(p, f)), input);
      expect(got).toEqual(want === null ? null : { start: want[0], end: want[1] });
      // The over-approximation contains what the exact matcher found.
      if (got !== null) expect(ends(parse(p, f).ir, latin1(input), new Set([got.start])).has(got.end)).toBe(true);
    });
  }

  it('named and relative references resolve to the right group', () => {
    const refIndex = (p: string): number[] => {
      const out: number[] = [];
      const walk = (rx: Rx): void => {
        if (rx.kind === 'backref') out.push(rx.index);
        if (rx.kind === 'concat' || rx.kind === 'alt') rx.items.forEach(walk);
        if (rx.kind === 'repeat' || rx.kind === 'group' || rx.kind === 'look' || rx.kind === 'atomic') walk(rx.item);
      };
      walk(parse(p).exact!.rx);
      return out;
    };
    const table: Array<[string, number, string, string]> = [
      // [pattern, referenced group, input that matches, input that does not]
      ['(?P<n>x)(?P=n)', 1, 'xx', 'xy'],
      ['(y)(?<n>x)\\k<n>', 2, 'yxx', 'yxy'],
      ["(y)(?'n'x)\\k'n'", 2, 'yxx', 'yxy'],
      ['(y)(?<n>x)\\k{n}', 2, 'yxx', 'yxy'],
      ['(y)(?<n>x)\\g{n}', 2, 'yxx', 'yxy'],
      ['(a)(b)\\g{-1}', 2, 'abb', 'aba'],
      ['(a)(b)\\g{-2}', 1, 'aba', 'abb'],
      ['(a)(b)\\g-2', 1, 'aba', 'abb'],
      ['(a)(b)\\g1', 1, 'aba', 'abb'],
      ['(a)(b)\\g{1}', 1, 'aba', 'abb'],
      ['(a)(?:x)(b)\\2', 2, 'axbb', 'axba'],
      ['(a)(?<n>b)(c)\\3', 3, 'abcc', 'abcb'],
    ];
    for (const [p, g, yes, no] of table) {
      expect(refIndex(p), p).toEqual([g]);
      expect(execOf(matcherOf(parse(p)), yes), `${p} on ${yes}`).not.toBeNull();
      expect(execOf(matcherOf(parse(p)), no), `${p} on ${no}`).toBeNull();
    }
    const ten = `${'(a)'.repeat(9)}(b)\\10`;
    expect(refIndex(ten)).toEqual([10]);
    expect(execOf(matcherOf(parse(ten)), 'aaaaaaaaabb')).toEqual({ start: 0, end: 11 });
  });

  it('features name what needs confirmation', () => {
    expect(parse('(a)\\1(?=b)(?<!c)(?>d)e*+').exact?.features).toEqual([
      'backreference',
      'lookahead',
      'lookbehind',
      'atomic group',
      'possessive quantifier',
    ]);
    expect(parse('(a)b').exact).toBeUndefined();
    expect(parse('(a)b').ir.kind).not.toBe('never');
  });
});

describe('exact-mode parse errors', () => {
  const unsupported = (source: string, confirm: boolean): UnsupportedFeatureError => {
    let err: unknown;
    try {
      parseSignature(source, { confirm });
    } catch (e) {
      err = e;
    }
    expect(err, source).toBeInstanceOf(UnsupportedFeatureError);
    return err as UnsupportedFeatureError;
  };

  it('variable-length lookbehind is a syntax error (PCRE 8.x)', () => {
    for (const p of ['(?<=a+)b', '(?<=a*)b', '(?<=a?)b', '(?<=a|bc?)d', '(?<=(a)\\1)b', '(?<=(?:a|bc))d']) {
      expect(() => parse(p), p).toThrow(RegexSyntaxError);
    }
  });

  it('forward backreference stays unsupported', () => {
    expect(unsupported('/\\2(a)(b)/', true).feature).toBe('forward backreference');
  });

  it('recursion, conditionals, \\K and callouts throw even with confirm', () => {
    expect(unsupported('/(a(?R))/', true).feature).toBe('recursion');
    expect(unsupported('/(a(?1))/', true).feature).toBe('recursion');
    expect(unsupported('/(?(1)a|b)/', true).feature).toBe('conditional group');
    expect(unsupported('/(a)(?(1)a|b)/', true).feature).toBe('conditional group');
    expect(unsupported('/ab\\Kc/', true).feature).toBe('\\K');
    expect(unsupported('/a(?C)b/', true).feature).toBe('callout');
    expect(unsupported('/a(?C1)b/', true).feature).toBe('callout');
  });

  it('without confirm, the confirmable features still throw, naming the feature', () => {
    expect(unsupported('/(a)\\1/', false).feature).toBe('backreference');
    expect(unsupported('/(?=a)/', false).feature).toBe('lookahead');
    expect(unsupported('/(?<=a)b/', false).feature).toBe('lookbehind');
    expect(unsupported('/(?>a)/', false).feature).toBe('atomic group');
    expect(unsupported('/a++/', false).feature).toBe('possessive quantifier');
  });
});

describe('budget', () => {
  it('a catastrophic pattern returns EXHAUSTED by the deadline', () => {
    for (const p of ['(a|aa)+\\1b', '((?:a+)+)\\1b', '(?:(a+)+)\\1$(?<=b)']) {
      const m = matcherOf(parse(p));
      const bytes = latin1('a'.repeat(40));
      const t0 = performance.now();
      expect(m.exec(bytes, 0, performance.now() + 20), p).toBe(EXHAUSTED);
      expect(m.confirmEnds(bytes, 40, true, range(0, 40), performance.now() + 20), p).toBe(EXHAUSTED);
      expect(performance.now() - t0, p).toBeLessThan(2_000);
      // The matcher is usable again afterwards.
      expect(m.exec(latin1('aab'), 0, performance.now() + 1_000), p).not.toBe(EXHAUSTED);
    }
  });

  it('a stack overflow (a group repeated over 200k bytes) returns EXHAUSTED, not a throw', () => {
    const m = matcherOf(parse('(?:(ab))*\\1c'));
    const bytes = latin1(`${'ab'.repeat(100_000)}`);
    expect(m.exec(bytes, 0, performance.now() + 10_000)).toBe(EXHAUSTED);
    expect(m.confirmEnds(bytes, bytes.length, true, [bytes.length], performance.now() + 10_000)).toBe(EXHAUSTED);
    // Still usable on a short input.
    expect(m.exec(latin1('ababc'))).toEqual({ start: 0, end: 5 });
  });
});

describe('cases the Perl/PCRE2 differential found (bench/pcre-perl-diff.ts)', () => {
  // Answers checked against PCRE2 10.42 (and Perl where it agrees with PCRE).
  it('a backreference inside its own group refers to the previous iteration', () => {
    expect(execOf(matcherOf(parse('(a|b\\1)+')), 'aba')).toEqual({ start: 0, end: 3 });
  });

  it('an unbounded repeat stops after an empty iteration from its minimum on; a bounded one never stops early', () => {
    expect(execOf(matcherOf(parse('((?:a\\1a|c*+))+')), 'aac')).toEqual({ start: 0, end: 0 });
    expect(execOf(matcherOf(parse('((?:a\\1a|c*+)){0,3}')), 'aac')).toEqual({ start: 0, end: 3 });
    expect(execOf(matcherOf(parse('((?:a\\1a|c*+)){1,3}')), 'aac')).toEqual({ start: 0, end: 3 });
  });

  it('a backreference with a branch reset group or a duplicate name is rejected, not answered wrong', () => {
    expect(() => parse('(?|(a)|(b))\\1')).toThrow(UnsupportedFeatureError);
    expect(() => parse('(?J)(?:(?<n>a)|(?<n>b))\\k<n>')).toThrow(UnsupportedFeatureError);
  });
});

describe('repeats of a fixed-width item with one way to match (the tempered dot) run as a loop', () => {
  // (No zero-iteration group before a backreference: V8 matches an unset one as empty, PCRE fails.)
  const cases = ['((?!ab).)+c\\1', '(?:(?!ab).)*?c', '((?=a).){2,3}b\\1', '(?:(?!ca)[abc]{2})+?b', '((?!a)[bc])+a\\1'];
  it('agree with V8 on random inputs (first match and captures through a backreference)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...cases), fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 14 }), (p, cs) => {
        const input = cs.join('');
        const m = new RegExp(p).exec(input);
        expect(execOf(matcherOf(parse(p)), input)).toEqual(m === null ? null : { start: m.index, end: m.index + m[0].length });
      }),
      { numRuns: 400 },
    );
  });

  it('decide a 200 kB input instead of running out of stack', () => {
    const input = `${'x'.repeat(200_000)}codebase`;
    expect(execOf(matcherOf(parse('^(?:(?!</object>).)+?codebase', 's')), input)).toEqual({ start: 0, end: input.length });
    expect(execOf(matcherOf(parse('^((?!</object>).)+?codebase', 's')), `${input}</object>`)).toEqual({ start: 0, end: input.length });
  });
});
