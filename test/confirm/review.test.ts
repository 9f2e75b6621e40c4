/**
 * Review: differential tests of confirmed signatures (random patterns, random chunking)
 * and the deadBefore contract of ExactMatcher.confirmEnds on growing inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile, type CompileOptions } from '../../src/compile.js';
import { EXHAUSTED, ExactMatcher } from '../../src/confirm/exact.js';
import type { Matcher } from '../../src/matcher/types.js';
import type { Rx } from '../../src/syntax/ir.js';
import { parseSignature } from '../../src/syntax/index.js';
import { ends as irEnds } from '../../src/syntax/ir-reference.js';
import { irLengthBounds } from '../../src/syntax/ir-build.js';
import { render, treeArb } from '../support/random-rx.js';
import { runReports, split } from '../support/inputs.js';

// CI size; REVIEW_RUNS=100 REVIEW_MAXLEN=60 is the size of the review that found the bugs below.
const RUNS = Number(process.env.REVIEW_RUNS ?? 6);
const CONFIGS: Array<[string, CompileOptions]> = [
  ['default', {}],
  ['nfa', { engine: 'nfa' }],
  ['obdd', { engine: 'obdd' }],
  ['dfa', { engine: 'dfa' }],
  ['mdfa', { engine: 'mdfa' }],
  // V8 backtracks exponentially on some random patterns: the worker guard stops those, and a
  // case where it had to is skipped (a CI run once spent an hour in one unguarded scan).
  ['regexp', { engine: 'regexp', engineOptions: { guard: 'worker', timeBudgetMs: 500 } }],
  ['prefilter small history', { prefilter: { historyBytes: 8, minLiteral: 2 } }],
  ['obdd prefilter', { engine: 'obdd', prefilter: true }],
];
const b = (s: string): Uint8Array => new Uint8Array([...s].map((c) => c.charCodeAt(0)));
const ALPHA = ['a', 'b', 'c', ' ', 'a', 'b', '\n', 'A'];
const MAXLEN = Number(process.env.REVIEW_MAXLEN ?? 30);
const WORDS = ['abc', 'ab a', 'cab', 'bb', 'a\nb'];
const inputArb = fc
  .array(fc.oneof(fc.constantFrom(...ALPHA), fc.constantFrom(...WORDS)), { maxLength: 30 })
  .map((a) => a.join('').slice(0, MAXLEN));
const flagsArb = fc.constantFrom('', '', 'i', 'm', 's');

function refEnds(src: string, input: Uint8Array): number[] {
  const p = parseSignature(src, { confirm: true });
  const all = Array.from({ length: input.length + 1 }, (_, i) => i);
  if (p.exact) {
    const r = new ExactMatcher(p.exact, p.anchored).confirmEnds(input, input.length, true, all, performance.now() + 200);
    if (!Array.isArray(r)) throw new Error('budget');
    return r;
  }
  return [...irEnds(p.ir, input, new Set(all))].sort((x, y) => x - y);
}

function expected(srcs: string[], input: Uint8Array, mode: 'all' | 'set'): string[] {
  const out: string[] = [];
  srcs.forEach((src, sig) => {
    let e = refEnds(src, input);
    if (mode === 'set') e = e.slice(0, 1);
    for (const x of e) out.push(`${sig}@${x}`);
  });
  return out.sort();
}

/** Reports of `input` scanned in chunks cut at `cuts` (then finish), as sorted "sig@end". */
function chunked(m: Matcher, input: Uint8Array, cuts: number[], mode: 'all' | 'set'): string[] {
  return runReports(m, split(input, cuts), mode);
}

// Both bugs are fixed: their patterns stay in (REVIEW_SKIP_NAN / REVIEW_SKIP_DOLLAR leave them out).
const SKIP_NAN = process.env.REVIEW_SKIP_NAN !== undefined;
const SKIP_DOLLAR_IN_LOOK = process.env.REVIEW_SKIP_DOLLAR !== undefined;
/** Whether a text-end-newline assertion ($ without /m, \\Z) sits in a lookaround or an atomic group. */
function dollarInLook(rx: Rx, inside = false): boolean {
  switch (rx.kind) {
    case 'assert':
      return inside && rx.assertion === 'text-end-newline';
    case 'concat':
    case 'alt':
      return rx.items.some((x) => dollarInLook(x, inside));
    case 'repeat':
    case 'group':
      return dollarInLook(rx.item, inside);
    case 'look':
    case 'atomic':
      return dollarInLook(rx.item, true);
    default:
      return false;
  }
}
/** Patterns outside the two known bugs (NaN reach, $ in a lookaround), unless asked. */
function usable(src: string): boolean {
  const p = parseSignature(src, { confirm: true });
  if (p.exact === undefined) return true;
  if (SKIP_NAN && Number.isNaN(new ExactMatcher(p.exact, p.anchored).reach)) return false;
  if (SKIP_DOLLAR_IN_LOOK && dollarInLook(p.exact.rx, true)) return false;
  return true;
}
const wordRx = fc.constantFrom('abc', 'ab a', 'cab', 'bb', 'a\\nb', '(?:abc|cab)');
const patArb = fc
  .tuple(treeArb, flagsArb, fc.constantFrom<'free' | 'v8'>('free', 'v8'), fc.nat(5), wordRx)
  .map(([t, f, mode, how, w]) => {
    const x = render(t, mode).pcre;
    const body = how === 0 ? `${w}${x}` : how === 1 ? `${x}${w}` : how === 2 ? `${w}(?=${x})` : how === 3 ? `(?<!c)${w}${x}` : x;
    return `/${body}/${f}`;
  })
  .filter((src) => {
    try {
      return usable(src);
    } catch {
      return true;
    }
  });
/** Big counted repeats (coarsenRepeats), leading .{m,} with /s (searchForm's unanchor), (?i) scoping. */
const pat2Arb = fc
  .tuple(treeArb, treeArb, fc.nat(7), fc.constantFrom('', 'i', 's', 'm'))
  .map(([t1, t2, how, f]) => {
    const x = render(t1, 'free').pcre;
    const y = render(t2, 'free').pcre;
    const body = [
      `(${x})[^c]{17,20}\\1`,
      `^.{2,}(${x})${y}`,
      `(?i:(${x}))${y}\\1`,
      `(${x})(?i)${y}\\1`,
      `(a(?i)b|${x})\\1${y}`,
      `(?:(${x})|b){17,}\\1`,
      `^(?:.*?(${x})){2}${y}`,
      `(?>[ab]{3,18})${x}`,
    ][how]!;
    return `/${body}/${f === 'i' ? 's' : f}${how === 1 || how === 6 ? 's' : ''}`;
  })
  .filter((src) => {
    try {
      return usable(src);
    } catch {
      return true;
    }
  });

describe('review: random confirmed signatures, every engine, random chunks', () => {
  for (const [name, options] of CONFIGS) {
    it(`${name}`, () => {
      fc.assert(
        fc.property(
          fc.array(process.env.REVIEW_PAT2 ? pat2Arb : fc.oneof(patArb, pat2Arb), { minLength: 1, maxLength: 3 }),
          fc.array(fc.tuple(inputArb, fc.array(fc.nat(), { maxLength: 8 })), { minLength: 1, maxLength: 4 }),
          (srcs, cases) => {
            let r: ReturnType<typeof compile>;
            try {
              for (const [s] of cases) expected(srcs, b(s), 'all');
            } catch (e) {
              fc.pre(false); // the reference itself is too slow here
            }
            let timedOut = false;
            const engineOptions =
              options.engine === 'regexp' ? { ...options.engineOptions, onFailure: () => void (timedOut = true) } : options.engineOptions;
            try {
              r = compile(srcs, { ...options, engineOptions, confirm: { budgetMs: 2_000 } } as CompileOptions);
            } catch (e) {
              // A DFA past its state limit throws at compile time (not a confirmation matter).
              if ((e as { code?: string }).code === 'LIMIT_EXCEEDED') fc.pre(false);
              throw e;
            }
            const ok = srcs.filter((_, i) => !r.rejected.some((x) => x.signature === i));
            fc.pre(ok.length === srcs.length);
            try {
              for (const [s, cuts] of cases) {
                const input = b(s);
                for (const mode of ['all', 'set'] as const) {
                  const want = expected(srcs, input, mode);
                  const ctx = `${JSON.stringify(srcs)} on ${JSON.stringify(s)} ${mode}`;
                  const ones = Array.from({ length: input.length }, (_, i) => i);
                  const got = [[], cuts, ones].map((c) => chunked(r.matcher, input, c, mode));
                  fc.pre(!timedOut);
                  expect(got[0], `${ctx} one buffer`).toEqual(want);
                  expect(got[1], `${ctx} cuts ${JSON.stringify(cuts)}`).toEqual(want);
                  expect(got[2], `${ctx} 1-byte chunks`).toEqual(want);
                }
              }
            } finally {
              (r.matcher as { close?: () => void }).close?.();
            }
          },
        ),
        { numRuns: RUNS },
      );
    }, 600_000);
  }
});

describe('review: confirmEnds on a growing input with startFrom = deadBefore', () => {
  it('asks the same as one call on the full input', () => {
    fc.assert(
      fc.property(fc.oneof(patArb, pat2Arb), inputArb, fc.array(fc.nat(), { maxLength: 10 }), fc.integer({ min: 0, max: 3 }), (src, s, cuts, reach0) => {
        const p = parseSignature(src, { confirm: true });
        fc.pre(p.exact !== undefined);
        const input = b(s);
        const n = input.length;
        let want: number[] = [];
        try {
          want = refEnds(src, input);
        } catch {
          fc.pre(false);
        }
        const m = new ExactMatcher(p.exact!, p.anchored);
        const reach = Math.max(m.reach, reach0);
        const at = [...new Set(cuts.map((c) => c % (n + 1)))].sort((x, y) => x - y);
        const got: number[] = [];
        let asked = 0; // ends < asked already decided
        let dead = 0;
        for (const len of [...at, n]) {
          const final = len === n && at[at.length - 1] !== n ? false : false;
          void final;
          const limit = len - reach;
          const wanted: number[] = [];
          for (let e = asked; e <= Math.min(limit, n); e++) wanted.push(e);
          if (wanted.length === 0) continue;
          const r = m.confirmEnds(input, len, false, wanted, performance.now() + 2000, dead);
          if (r === EXHAUSTED) throw new Error('budget');
          got.push(...(r as number[]));
          dead = m.deadBefore;
          asked = wanted[wanted.length - 1]! + 1;
        }
        const rest: number[] = [];
        for (let e = asked; e <= n; e++) rest.push(e);
        if (rest.length > 0) {
          const r = m.confirmEnds(input, n, true, rest, performance.now() + 2000, dead);
          if (r === EXHAUSTED) throw new Error('budget');
          got.push(...(r as number[]));
        }
        expect(got, `${src} on ${JSON.stringify(s)} cuts ${JSON.stringify(at)} reach ${reach}`).toEqual(want);
      }),
      { numRuns: RUNS * 20 },
    );
  }, 600_000);
});

describe('review: confirmEnds with candidate subsets and length bounds, growing input', () => {
  it('answers each asked end as one call on the full input does', () => {
    fc.assert(
      fc.property(fc.oneof(patArb, pat2Arb), inputArb, fc.array(fc.nat(), { maxLength: 10 }), fc.array(fc.boolean(), { minLength: 61, maxLength: 61 }), (src, s, cuts, pick) => {
        const p = parseSignature(src, { confirm: true });
        fc.pre(p.exact !== undefined);
        const { minLength, maxLength } = irLengthBounds(p.ir);
        const input = b(s);
        const n = input.length;
        let full = new Set<number>();
        try {
          full = new Set(refEnds(src, input));
        } catch {
          fc.pre(false);
        }
        const m = new ExactMatcher(p.exact!, p.anchored, minLength, maxLength);
        const reach = m.reach;
        const at = [...new Set(cuts.map((c) => c % (n + 1)))].sort((x, y) => x - y);
        const got: number[] = [];
        const asked: number[] = [];
        let next = 0;
        let dead = 0;
        for (const len of [...at, n]) {
          const wanted: number[] = [];
          for (let e = next; e <= Math.min(len - reach, n); e++) if (pick[e]) wanted.push(e);
          if (wanted.length === 0) continue;
          const r = m.confirmEnds(input, len, false, wanted, performance.now() + 2000, dead);
          if (r === EXHAUSTED) throw new Error('budget');
          got.push(...(r as number[]));
          asked.push(...wanted);
          dead = m.deadBefore;
          next = Math.floor(len - reach) + 1;
        }
        const rest: number[] = [];
        for (let e = next; e <= n; e++) if (pick[e]) rest.push(e);
        if (rest.length > 0) {
          const r = m.confirmEnds(input, n, true, rest, performance.now() + 2000, dead);
          if (r === EXHAUSTED) throw new Error('budget');
          got.push(...(r as number[]));
          asked.push(...rest);
        }
        expect(got, `${src} on ${JSON.stringify(s)} cuts ${JSON.stringify(at)} reach ${reach}`).toEqual(asked.filter((e) => full.has(e)));
      }),
      { numRuns: RUNS * 20 },
    );
  }, 600_000);
});

describe('review: bugs found (the NaN reach failed on 7966be3, the $ cases on 1020be5; both fixed)', () => {
  const hits = (m: Matcher, s: string, cuts: number[] = []): number[] =>
    chunked(m, b(s), cuts, 'all').map((x) => Number(x.split('@')[1]));
  for (const [name, options] of CONFIGS) {
    it(`${name}: a $ (or \\Z) inside a lookaround is decided before the end of input is known`, () => {
      // PCRE: /a(?=b$)/ matches "ab\n" at [0, 1) ($ before a final newline).
      const r = compile(['/a(?=b$)/', '/a(?=b\\Z)/', '/x(?<=x$)/'], options);
      expect(hits(r.matcher, 'ab\n')).toEqual([1, 1]);
      expect(hits(r.matcher, 'x\n')).toEqual([1]);
      (r.matcher as { close?: () => void }).close?.();
    });
    it(`${name}: a repeat {0,1} of a backreference inside a lookaround/atomic makes reach NaN: ends silently dropped`, () => {
      const r = compile(['/(?=(a)(?:\\1)?)/', '/(?:(a)\\1?)*+/', '/(?>(\\w+) \\1?)x/'], options);
      expect(chunked(r.matcher, b('a'), [], 'all')).toEqual(['0@0', '1@1']);
      expect(chunked(r.matcher, b('ab x'), [2], 'all')).toContain('2@4');
      (r.matcher as { close?: () => void }).close?.();
    });
  }
  it('default: a main-path $ whose automaton approximation reports the end early (backreference widened)', () => {
    const r = compile(['/((?:$|\\1))\\1/']);
    expect(hits(r.matcher, '\n')).toEqual([0, 1]);
  });
  it('lookaheadReach', () => {
    const p = parseSignature('/(?=(a)(?:\\1)?)/', { confirm: true });
    expect(Number.isNaN(new ExactMatcher(p.exact!, p.anchored).reach)).toBe(false);
  });
});
