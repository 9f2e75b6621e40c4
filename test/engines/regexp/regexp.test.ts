/**
 * The regexp baseline against the explicit NFA engine (same match semantics), its
 * streaming window, its guard against catastrophic backtracking, and compile().
 */
import fc from 'fast-check';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../../src/compile.js';
import { UsageError } from '../../../src/errors.js';
import { buildNfaMatcher } from '../../../src/engines/explicit/matcher.js';
import { buildRegexpMatcher, type RegexpFailure, type RegexpMatcher } from '../../../src/engines/regexp/matcher.js';
import { irToJs, signatureSources } from '../../../src/engines/regexp/translate.js';
import { WorkerRunner } from '../../../src/engines/regexp/guard.js';
import type { Matcher, MatchMode } from '../../../src/matcher/types.js';
import { buildNfa, type NfaSignatureInput } from '../../../src/nfa/build.js';
import { parseSignature } from '../../../src/syntax/index.js';
import { inputArb, irToJs as oracleJs, latin1, signatureSetArb } from '../../support/random-ir.js';
import { runReports as run, split } from '../../support/inputs.js';

/**
 * The reports of each call: one sorted list per `scan`, then one for `finish`. Engines
 * must agree call by call, not only in total: stream replay decides rules after each
 * segment on the events reported so far, so a report delayed to a later call is a
 * different result there.
 */
function runPerCall(m: Matcher, chunks: Uint8Array[], mode: MatchMode = 'all'): string[][] {
  const sc = m.createScratch({ mode });
  const calls: string[][] = [];
  let cur: string[] = [];
  const cb = (s: number, e: number) => {
    cur.push(`${s}@${e}`);
  };
  for (const c of chunks) {
    m.scan(sc, c, cb);
    calls.push(cur.sort());
    cur = [];
  }
  m.finish(sc, cb);
  calls.push(cur.sort());
  return calls;
}

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const sigsOf = (...srcs: string[]): NfaSignatureInput[] =>
  srcs.map((s, id) => {
    const p = parseSignature(s);
    return { id, ir: p.ir, anchored: p.anchored };
  });

/**
 * regexp reports every true end. The automaton engines' shared report rule
 * (src/matcher/report.ts, "end > last end") drops an end e = length − 1 that only
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

const sigsArb = signatureSetArb(3);

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
        for (const mode of ['all', 'set'] as const) {
          expectSameAsNfa(run(m, split(input, cuts), mode), run(ref, [input], mode), input.length, mode);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('isMatch (plain re.test per signature) finds exactly the signatures that match', () => {
    fc.assert(
      fc.property(sigsArb, inputArb, (sigs, input) => {
        const ref = run(buildNfaMatcher(buildNfa(sigs)), [input], 'set').map((r) => Number(r.split('@')[0]));
        expect(buildRegexpMatcher(sigs, { guard: 'none' }).isMatch(input)).toEqual(ref.sort((a, b) => a - b));
      }),
      { numRuns: 200 },
    );
  });

  it('reports every end, also an earlier end only confirmed at end of input', () => {
    // `a$` ends at 1 (before the final \n), `a\n` at 2. (The shared report rule of the
    // automaton engines, src/matcher/report.ts, drops the 1 because it is confirmed after 2.)
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
    expect(run(m, [input], 'set')).toEqual(run(ref, [input], 'set'));
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
    const r = compile(['/ab+c/', '/a(?R)?b/', '/^x/'], { engine: 'regexp', engineOptions: { guard: 'none' } });
    expect(r.rejected.map((x) => x.signature)).toEqual([1]);
    expect(run(r.matcher, [bytes('xabbc')])).toEqual(['0@5', '2@1']);
  });
});

describe('regexp engine, streaming call by call', () => {
  it('reports the same (signature, end) as nfa in every scan and finish call (random IR, random chunks)', () => {
    // Inputs are far shorter than the 64 KiB window: the results must be identical.
    const chunkedArb = fc
      .tuple(inputArb, fc.array(fc.nat(), { maxLength: 6 }))
      .map(([input, cuts]) => ({ input, chunks: split(input, cuts) }));
    fc.assert(
      fc.property(sigsArb, chunkedArb, fc.constantFrom<MatchMode>('all', 'set'), (sigs, { chunks }, mode) => {
        const ref = buildNfaMatcher(buildNfa(sigs));
        const m = buildRegexpMatcher(sigs, { guard: 'none' });
        expect(runPerCall(m, chunks, mode)).toEqual(runPerCall(ref, chunks, mode));
      }),
      { numRuns: 300 },
    );
  });

  it('matches ending at a chunk end are reported in that chunk unless they need the next byte', () => {
    const sigs = sigsOf('/ab/', '/ab\\b/', '/ab$/m', '/ab$/');
    const m = buildRegexpMatcher(sigs, { guard: 'none' });
    const ref = buildNfaMatcher(buildNfa(sigs));
    // 'ab' then ' ': /ab/ is complete at once; \b waits for the next byte (and multiline $
    // fails on it); at the end, \b, multiline $ and $ hold.
    const a = [bytes('xab'), bytes(' '), bytes('ab')];
    expect(runPerCall(m, a)).toEqual([['0@3'], ['1@3'], ['0@6'], ['1@6', '2@6', '3@6']]);
    expect(runPerCall(ref, a)).toEqual(runPerCall(m, a));
    // `$` without m may end before a final \n: its end 2 is held until the input ends.
    const b = [bytes('ab\n')];
    expect(runPerCall(m, b)).toEqual([['0@2', '1@2', '2@2'], ['3@2']]);
    expect(runPerCall(ref, b)).toEqual(runPerCall(m, b));
  });

  it('compile() regexp equals compile() nfa call by call on random pcre signatures', () => {
    const atom = fc.constantFrom('a', 'b', '[ab]', '\\n', ' ', '.', '\\w', '\\s', 'a+', 'b*', '(?:ab|b)', 'a{2}');
    const assertion = fc.constantFrom('\\b', '\\B', '^', '$', '\\A', '\\Z', '\\z');
    const piece = fc.oneof({ weight: 3, arbitrary: atom }, { weight: 1, arbitrary: assertion });
    const pcreArb = fc
      .tuple(fc.array(piece, { minLength: 1, maxLength: 5 }), fc.subarray(['i', 'm', 's']))
      .map(([ps, flags]) => `/${ps.join('')}/${flags.join('')}`);
    const textArb = fc
      .array(fc.constantFrom('a', 'b', 'A', '\n', ' ', 'x'), { maxLength: 16 })
      .map((cs) => bytes(cs.join('')));
    fc.assert(
      fc.property(fc.array(pcreArb, { minLength: 1, maxLength: 4 }), textArb, fc.array(fc.nat(), { maxLength: 5 }), (pcres, input, cuts) => {
        const rx = compile(pcres, { engine: 'regexp', engineOptions: { guard: 'none' } });
        const nfa = compile(pcres, { engine: 'nfa' });
        expect(rx.rejected.map((r) => r.signature)).toEqual(nfa.rejected.map((r) => r.signature));
        const chunks = split(input, cuts);
        expect(runPerCall(rx.matcher, chunks)).toEqual(runPerCall(nfa.matcher, chunks));
      }),
      { numRuns: 150 },
    );
  });

  it('streams through the worker guard call by call like nfa (compile, default window)', () => {
    const pcres = ['/GET \\/[a-z]+/', '/\\r\\n\\r\\n/', '/Host: \\w+\\b/i', '/^POST/', '/\\d+$/m'];
    const rx = compile(pcres, { engine: 'regexp', engineOptions: { timeBudgetMs: 5000 } });
    open.push(rx.matcher as RegexpMatcher);
    const nfa = compile(pcres, { engine: 'nfa' });
    const text = bytes('GET /index HTTP/1.1\r\nHost: example\r\nX: 12\r\n\r\nGET /a');
    for (const cuts of [[], [5, 10, 21, 27, 40], [3, 4, 44, 45, 46]]) {
      const chunks = split(text, cuts);
      expect(runPerCall(rx.matcher, chunks)).toEqual(runPerCall(nfa.matcher, chunks));
    }
  });
});

describe('regexp worker completion protocol', () => {
  it('a wake-up that is not the completion of the current request does not end the wait', async () => {
    // Regression: the runner treated any wake-up of its Atomics.wait as "done". A notify
    // left over from the previous request (the worker preempted between publishing
    // "done" and notifying) then ended the wait before the reply existed: "regexp worker
    // signalled completion without a result". Here a second thread notifies the
    // runner's signal word continuously while a ~100 ms request runs.
    const sig = sigsOf('/a/')[0]!;
    const runner = new WorkerRunner([signatureSources(sig)]);
    try {
      // Variant 0: the lookbehind form (?<=a), every end; starts the worker.
      expect(runner.run('xa', [{ p: 0, v: 0, from: 0, to: 2, first: false }], 10_000)).toEqual([[2]]);
      const signal = runner.signalBuffer!;
      expect(signal).not.toBeNull();
      const control = new Int32Array(new SharedArrayBuffer(8));
      const noise = new Worker(
        `const { workerData: { signal, control } } = require('node:worker_threads');
         Atomics.store(control, 1, 1);
         while (Atomics.load(control, 0) === 0) { Atomics.notify(signal, 0); Atomics.wait(control, 0, 0, 0.05); }`,
        { eval: true, workerData: { signal, control } },
      );
      try {
        // Wait (off the main thread's event loop: the runner blocks it) until it notifies.
        const t0 = performance.now();
        while (Atomics.load(control, 1) === 0 && performance.now() - t0 < 10_000) Atomics.wait(control, 1, 0, 5);
        expect(Atomics.load(control, 1)).toBe(1);
        const str = 'a'.repeat(400_000);
        for (let k = 0; k < 3; k++) {
          const r = runner.run(str, [{ p: 0, v: 0, from: 0, to: str.length, first: false }], 10_000);
          expect(Array.isArray(r)).toBe(true);
          const ends = (r as number[][])[0]!;
          expect(ends.length).toBe(str.length);
          expect(ends[0]).toBe(1);
          expect(ends[ends.length - 1]).toBe(str.length);
        }
      } finally {
        Atomics.store(control, 0, 1);
        await noise.terminate();
      }
    } finally {
      runner.close();
    }
  });
});

describe('regexp engine, bounded window', () => {
  /** Whether some match of `sig` spans [s, e) of the whole input (V8 oracle, see random-ir.ts). */
  function spans(sig: NfaSignatureInput, text: string, s: number, e: number): boolean {
    if (sig.anchored && s !== 0) return false;
    const re = new RegExp(`(?<=^[\\s\\S]{${s}}(?:${oracleJs(sig.ir)}))`, 'y');
    re.lastIndex = e;
    return re.test(text);
  }

  it('loses exactly nothing shorter than the window, invents nothing (random IR, chunks, windows)', () => {
    fc.assert(
      fc.property(sigsArb, inputArb, fc.array(fc.nat(), { maxLength: 6 }), fc.integer({ min: 1, max: 6 }), (sigs, input, cuts, w) => {
        const ref = run(buildNfaMatcher(buildNfa(sigs)), [input]);
        const got = run(buildRegexpMatcher(sigs, { guard: 'none', windowBytes: w }), split(input, cuts));
        const text = latin1(input);
        for (const r of got) expect(ref).toContain(r);
        for (const r of ref) {
          const [sig, e] = r.split('@').map(Number) as [number, number];
          let short = false;
          for (let s = Math.max(0, e - w + 1); s <= e && !short; s++) short = spans(sigs[sig]!, text, s, e);
          if (short) expect(got).toContain(r);
        }
        // Never trimmed: identical.
        if (input.length <= w + 1) expect(got).toEqual(ref);
      }),
      { numRuns: 300 },
    );
  });
});
