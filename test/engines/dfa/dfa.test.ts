import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDfa } from '../../../src/engines/dfa/build.js';
import { buildDfaMatcher } from '../../../src/engines/dfa/matcher.js';
import { LimitExceededError, UsageError } from '../../../src/errors.js';
import { arbInput, expectReports, arbNfa, makeNfa, referenceEvents, runMatcher, sorted } from './helpers.js';

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** `(a|b)*a(a|b){k}` over classes {a}, {b}, rest: the textbook 2^(k+1) DFA blow-up. */
function blowUp(k: number) {
  // class 0 = 'a', 1 = 'b', 2 = everything else. State 0: unanchored start; 1: the 'a';
  // 2..k+1: the k following letters.
  const labels: number[][] = [[0, 1, 2], [0]];
  const follow: number[][] = [[0, 1], [2]];
  for (let i = 0; i < k; i++) {
    labels.push([0, 1]);
    follow.push(i + 1 < k ? [i + 3] : []);
  }
  return makeNfa({
    classCount: 3,
    byteClass: (b) => (b === 97 ? 0 : b === 98 ? 1 : 2),
    labels,
    follow,
    start: [0],
    accept: [[k + 1, 0, 0]],
    signatureCount: 1,
  });
}

describe('dfa engine', () => {
  it('matches a hand-built NFA for /ab/ and /b$/ with streaming and end acceptance', () => {
    // classes: 0 = 'a', 1 = 'b', 2 = '\n', 3 = other. States: 0 start (.*), 1 'a', 2 'b'
    // (sig 0 accepts), 3 'b' (sig 1 accepts at end, and with delta 1 before a final '\n'
    // when followed by state 4 = '\n' whose end acceptance has delta 1).
    const nfa = makeNfa({
      classCount: 4,
      byteClass: (b) => (b === 97 ? 0 : b === 98 ? 1 : b === 10 ? 2 : 3),
      labels: [[0, 1, 2, 3], [0], [1], [1], [2]],
      follow: [[0, 1, 3], [2], [], [4], []],
      start: [0],
      accept: [[2, 0, 0]],
      end: [
        [3, 1, 0],
        [4, 1, 1],
      ],
      signatureCount: 2,
    });
    const m = buildDfaMatcher(nfa);
    expect(sorted(runMatcher(m, bytes('xabab'), 'all'))).toEqual(['0@3', '0@5', '1@5']);
    expect(sorted(runMatcher(m, bytes('xabab'), 'all', [2, 3]))).toEqual(['0@3', '0@5', '1@5']);
    expect(sorted(runMatcher(m, bytes('ab\n'), 'all'))).toEqual(['0@2', '1@2']);
    expect(runMatcher(m, bytes('abab'), 'set')).toEqual(['0@2', '1@4']);
    expect(runMatcher(m, bytes('ba'), 'all')).toEqual([]);
  });

  it('agrees with the literal frontier simulation on random NFAs, inputs and chunkings', () => {
    fc.assert(
      fc.property(arbNfa, arbInput, fc.array(fc.nat(24), { maxLength: 4 }), fc.boolean(), (nfa, input, cuts, minimize) => {
        const m = buildDfaMatcher(nfa, { minimize });
        const events = referenceEvents(nfa, input);
        expectReports(runMatcher(m, input, 'all', cuts), events, 'all');
        expectReports(runMatcher(m, input, 'set', cuts), events, 'set');
      }),
      { numRuns: 200 },
    );
  });

  it('a scratch is reusable after finish and after reset', () => {
    fc.assert(
      fc.property(arbNfa, arbInput, arbInput, (nfa, a, b) => {
        const m = buildDfaMatcher(nfa);
        const sc = m.createScratch();
        const out: string[] = [];
        m.scan(sc, a, () => {});
        m.reset(sc);
        m.scan(sc, b, (s, e) => out.push(`${s}@${e}`));
        m.finish(sc, (s, e) => out.push(`${s}@${e}`));
        expect(sc.offset).toBe(0);
        expectReports(out, referenceEvents(nfa, b), 'all');
      }),
      { numRuns: 100 },
    );
  });

  it('minimisation merges equivalent states and keeps the blow-up exact', () => {
    // (a|b)*a(a|b){k}: the minimal DFA has exactly 2^(k+1) states.
    const d = buildDfa(blowUp(5));
    expect(d.stateCount).toBe(64);
    // The same signature twice (two copies of every state) minimises to the same size.
    const twice = makeNfa({
      classCount: 2,
      labels: [[0, 1], [0], [0], [1], [1]],
      follow: [[0, 1, 2], [3], [4], [], []],
      start: [0],
      accept: [
        [3, 0, 0],
        [4, 0, 0],
      ],
      signatureCount: 1,
    });
    const unmin = buildDfa(twice, { minimize: false });
    const min = buildDfa(twice);
    expect(min.stateCount).toBeLessThanOrEqual(unmin.stateCount);
    expect(min.stateCount).toBe(3);
  });

  it('minimised DFAs are minimal (naive Moore refinement finds no equivalent pair)', () => {
    fc.assert(
      fc.property(arbNfa, (nfa) => {
        const d = buildDfa(nfa);
        const C = d.classCount;
        const list = (s: Uint32Array, sig: Uint32Array, dl: Uint8Array, i: number) =>
          Array.from(sig.subarray(s[i]!, s[i + 1]!), (x, k) => `${dl[s[i]! + k]}:${x}`).join(',');
        let cls = Array.from({ length: d.stateCount }, (_, i) =>
          `${list(d.acceptStart, d.acceptSig, d.acceptDelta, i)}|${list(d.endStart, d.endSig, d.endDelta, i)}`,
        );
        for (;;) {
          const next = cls.map((k, i) => {
            const succ: string[] = [];
            for (let c = 0; c < C; c++) {
              const t = d.table[i * C + c]!;
              succ.push(cls[(t < 0 ? ~t : t) / C]!);
            }
            return JSON.stringify([k, succ]);
          });
          if (new Set(next).size === new Set(cls).size) break;
          cls = next;
        }
        expect(new Set(cls).size).toBe(d.stateCount);
        expect(d.stateCount).toBeLessThanOrEqual(buildDfa(nfa, { minimize: false }).stateCount);
      }),
      { numRuns: 200 },
    );
  });

  it('stops with LimitExceededError saying how many states were built', () => {
    let err: unknown;
    try {
      buildDfa(blowUp(12), { maxStates: 1000 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LimitExceededError);
    const l = err as LimitExceededError;
    expect(l.resource).toBe('dfa states');
    expect(l.limit).toBe(1000);
    expect(l.given).toBe(1001);
    expect(l.message).toMatch(/stopped after 1000 DFA states/);
    expect(() => buildDfa(blowUp(12), { maxBytes: 10_000 })).toThrow(/dfa bytes limit exceeded/);
    // Under a sufficient budget the same NFA builds: 2^13 states.
    expect(buildDfa(blowUp(12), { maxStates: 10_000 }).stateCount).toBe(8192);
  });

  it('rejects a scratch from another matcher', () => {
    const nfa = blowUp(1);
    const a = buildDfaMatcher(nfa);
    const b = buildDfaMatcher(nfa);
    expect(() => a.scan(b.createScratch(), bytes('a'), () => {})).toThrow(TypeError);
  });

  it('bad options and bad input are usage/type errors, not crashes', () => {
    const nfa = blowUp(1);
    expect(() => buildDfaMatcher(nfa, { maxStates: -1 })).toThrow(UsageError);
    expect(() => buildDfaMatcher(nfa, { maxStates: 'x' as unknown as number })).toThrow(/maxStates/);
    const m = buildDfaMatcher(nfa);
    expect(() => m.scan(m.createScratch(), 'ab' as unknown as Uint8Array, () => {})).toThrow(TypeError);
  });

  it('reports stats', () => {
    const s = buildDfaMatcher(blowUp(3)).stats();
    expect(s).toMatchObject({ engine: 'dfa', signatures: 1, states: 16, classes: 3, nfaStates: 5 });
  });
});
