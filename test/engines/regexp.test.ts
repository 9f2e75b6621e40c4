/**
 * The regexp baseline against the explicit NFA engine (same match semantics), its
 * streaming window, its guard against catastrophic backtracking, and compile().
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/engines/compile.js';
import { UsageError } from '../../src/errors.js';
import { buildNfaMatcher } from '../../src/engines/nfa.js';
import { buildRegexpMatcher, irToJs, type RegexpFailure, type RegexpMatcher } from '../../src/engines/regexp.js';
import type { Matcher, MatchMode } from '../../src/engines/types.js';
import { buildNfa, type NfaSignatureInput } from '../../src/nfa/build.js';
import { parseSignature } from '../../src/syntax/index.js';
import { inputArb, irArb } from './random-ir.js';

function run(m: Matcher, chunks: Uint8Array[], mode: MatchMode = 'all'): string[] {
  const out: string[] = [];
  const sc = m.createScratch({ mode });
  const cb = (s: number, e: number) => {
    out.push(`${s}@${e}`);
  };
  for (const c of chunks) m.scan(sc, c, cb);
  m.finish(sc, cb);
  return out.sort();
}

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const sigsOf = (...srcs: string[]): NfaSignatureInput[] =>
  srcs.map((s, id) => {
    const p = parseSignature(s);
    return { id, ir: p.ir, anchored: p.anchored };
  });

/**
 * regexp reports every true end. The automaton engines' shared report rule
 * (src/engines/report.ts, "end > last end") drops an end e = length − 1 that only
 * end-of-input acceptance confirms when e + 1 was reported before it (e.g. `/a\n|a$/` on
 * "a\n": true ends 1 and 2, nfa reports 2). Equal results, or exactly that difference.
 */
function expectSameAsNfa(got: string[], nfa: string[], length: number, mode: MatchMode): void {
  if (got.join() === nfa.join()) return;
  const parse = (r: string) => r.split('@').map(Number) as [number, number];
  const nfaSet = new Set(nfa);
  if (mode === 'all') {
    for (const r of nfa) expect(got).toContain(r);
    for (const r of got) {
      if (nfaSet.has(r)) continue;
      const [s, e] = parse(r);
      expect(e).toBe(length - 1);
      expect(nfa).toContain(`${s}@${length}`);
    }
  } else {
    expect(got.map((r) => parse(r)[0])).toEqual(nfa.map((r) => parse(r)[0]));
    for (const r of got) {
      if (nfaSet.has(r)) continue;
      const [s, e] = parse(r);
      expect(e).toBe(length - 1);
      expect(nfa).toContain(`${s}@${length}`);
    }
  }
}

const sigsArb = fc
  .array(fc.record({ ir: irArb(), anchored: fc.boolean() }), { minLength: 1, maxLength: 3 })
  .map((a): NfaSignatureInput[] => a.map((s, id) => ({ id, ...s })));

const open: RegexpMatcher[] = [];
afterAll(() => {
  for (const m of open) m.close();
});

describe('regexp engine', () => {
  it('translates assertions and byte sets without V8-specific flags', () => {
    const [a, b] = sigsOf('/^a.\\s$/', '/x\\b/mi');
    expect(irToJs(a!.ir)).toMatch(/^\^/);
    expect(irToJs(a!.ir)).not.toMatch(/\\s|\./);
    expect(irToJs(b!.ir)).toContain('\\b');
    // PCRE \s includes VT (0x0b) and \r but not 0xa0; `.` excludes only \n (V8's also \r).
    const m = buildRegexpMatcher(sigsOf('/a\\sb/', '/a.b/', '/\\xe9/i'), { guard: 'none' });
    expect(run(m, [bytes('a\x0bb a\xa0b a\rb \xc9')])).toEqual(['0@11', '0@3', '1@11', '1@3', '1@7']);
  });

  it('equals the nfa engine on random signature sets, inputs and chunkings (in-thread)', () => {
    fc.assert(
      fc.property(sigsArb, inputArb, fc.array(fc.nat(), { maxLength: 3 }), (sigs, input, cuts) => {
        const ref = buildNfaMatcher(buildNfa(sigs));
        const m = buildRegexpMatcher(sigs, { guard: 'none' });
        for (const mode of ['all', 'first'] as const) {
          expectSameAsNfa(run(m, split(input, cuts), mode), run(ref, [input], mode), input.length, mode);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('isMatch (plain re.test per signature) finds exactly the signatures that match', () => {
    fc.assert(
      fc.property(sigsArb, inputArb, (sigs, input) => {
        const ref = run(buildNfaMatcher(buildNfa(sigs)), [input], 'first').map((r) => Number(r.split('@')[0]));
        expect(buildRegexpMatcher(sigs, { guard: 'none' }).isMatch(input)).toEqual(ref.sort((a, b) => a - b));
      }),
      { numRuns: 200 },
    );
  });

  it('reports every end, also an earlier end only confirmed at end of input', () => {
    // `a$` ends at 1 (before the final \n), `a\n` at 2. (The shared report rule of the
    // automaton engines, src/engines/report.ts, drops the 1 because it is confirmed after 2.)
    const m = buildRegexpMatcher(sigsOf('/a\\n|a$/'), { guard: 'none' });
    expect(run(m, [bytes('a\n')])).toEqual(['0@1', '0@2']);
    expect(run(m, [bytes('a'), bytes('\n')])).toEqual(['0@1', '0@2']);
  });

  it('the worker-guarded runner gives the same results', () => {
    const sigs = sigsOf('/ab+c/', '/^GET /', '/foo$/m', '/\\bbar\\b/i');
    const m = buildRegexpMatcher(sigs, { timeBudgetMs: 2000 });
    open.push(m);
    const ref = buildNfaMatcher(buildNfa(sigs));
    const input = bytes('GET abbc foo\nBAR abc foo');
    expect(run(m, split(input, [3, 9, 13]))).toEqual(run(ref, [input]));
    expect(run(m, [input], 'first')).toEqual(run(ref, [input], 'first'));
    expect(m.isMatch(input)).toEqual([0, 1, 2, 3]);
    expect(m.isMatch(bytes('xGET abc'))).toEqual([0]);
    expect(m.stats()).toMatchObject({ engine: 'regexp', guard: 'worker', compiled: 4, rejected: 0, timedOut: 0 });
  });

  it('a bounded window loses only matches longer than the window', () => {
    fc.assert(
      fc.property(sigsArb, inputArb, fc.array(fc.nat(), { maxLength: 6 }), fc.integer({ min: 1, max: 6 }), (sigs, input, cuts, w) => {
        const full = run(buildRegexpMatcher(sigs, { guard: 'none' }), [input]);
        const windowed = run(buildRegexpMatcher(sigs, { guard: 'none', windowBytes: w }), split(input, cuts));
        for (const r of windowed) expect(full).toContain(r);
      }),
      { numRuns: 200 },
    );
    // Short matches survive a long stream through a small window.
    const m = buildRegexpMatcher(sigsOf('/^ab/', '/cd\\b/', '/(?:^|\\n)ef/'), { guard: 'none', windowBytes: 4 });
    const chunks = ['ab', 'xx', 'cd', ' y', 'z\n', 'ef'].map(bytes);
    expect(run(m, chunks)).toEqual(['0@2', '1@6', '2@12']);
  });

  it('disables a catastrophically backtracking signature and keeps scanning the others', () => {
    // Matched backwards, (a+)+ before a b tries every split of the run of a's at every end.
    const sigs = sigsOf('/b(a+)+$/', '/aaa/');
    const failures: RegexpFailure[] = [];
    const m = buildRegexpMatcher(sigs, { timeBudgetMs: 100, onFailure: (f) => failures.push(f) });
    open.push(m);
    const input = bytes(`${'a'.repeat(40)}`);
    const t = performance.now();
    const out = run(m, [input]);
    // Bounded by the budget (plus worker restarts), not by the 2^40 backtracking.
    expect(performance.now() - t).toBeLessThan(10_000);
    expect(failures.map((f) => [f.signature, f.reason])).toEqual([[0, 'timeout']]);
    expect(m.failures()).toEqual(failures);
    expect(out).toEqual(Array.from({ length: 38 }, (_, i) => `1@${i + 3}`).sort());
    expect(m.stats()).toMatchObject({ timedOut: 1 });
    // The signature stays disabled; the matcher keeps working.
    expect(run(m, [bytes('xaaab')])).toEqual(['1@4']);
  });

  it('bad options are usage errors', () => {
    expect(() => buildRegexpMatcher([], { guard: 'thread' as 'none' })).toThrow(UsageError);
    expect(() => buildRegexpMatcher([], { timeBudgetMs: 0 })).toThrow(/timeBudgetMs/);
    expect(() => compile(['/a/'], { engine: 'regexp', engineOptions: { windowBytes: -5 } })).toThrow(UsageError);
  });

  it('is an engine of compile()', () => {
    const r = compile(['/ab+c/', '/(a)\\1/', '/^x/'], { engine: 'regexp', engineOptions: { guard: 'none' } });
    expect(r.rejected.map((x) => x.signature)).toEqual([1]);
    expect(run(r.matcher, [bytes('xabbc')])).toEqual(['0@5', '2@1']);
  });
});
