import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BddManager } from '../../../src/bdd/index.js';
import { LimitExceededError, ScanArgumentError, UsageError } from '../../../src/errors.js';
import { buildNfaMatcher } from '../../../src/engines/explicit/matcher.js';
import { ObddMatcher, type ObddOptions } from '../../../src/engines/obdd/matcher.js';
import { buildObddMatcher } from '../../../src/engines/obdd/index.js';
import type { BddPort } from '../../../src/engines/obdd/bdd-port.js';
import { MiniBdd } from './mini-bdd.js';
import { arbNfaSpec, engineRun, makeNfa, referenceRun, sortEvents, splitAt, type Event, type NfaSpec } from './reference.js';
import { literalNfa, pseudoRandomBytes, randomLiterals } from './literals.js';

const managers: Array<[string, () => BddPort]> = [
  ['BddManager', () => new BddManager()],
  ['MiniBdd', () => new MiniBdd()],
];

const configs: Array<[string, ObddOptions]> = [
  ['stride 1, memo off', { stride: 1, memo: false }],
  ['stride 1, memo on', { stride: 1, memo: true }],
  ['stride 2, memo off', { stride: 2, memo: false }],
  ['stride 2, memo on', { stride: 2, memo: true }],
  ['stride 2, pair memo', { stride: 2, memo: true, memoKey: 'pair' }],
  // A budget this small clears the memo every few states: exercises clears mid-scan.
  ['stride 1, tiny memo', { stride: 1, memo: true, memoBudgetBytes: 256 }],
  ['stride 2, tiny pair memo', { stride: 2, memo: true, memoKey: 'pair', memoBudgetBytes: 256 }],
  ['stride 2, tiny pair cache', { stride: 2, memo: false, pairNodeBudget: 1, pairMinUses: 1 }],
  ['stride 2, amortized pair builds, tiny pair cache', { stride: 2, memo: false, pairNodeBudget: 1, pairMinUses: 'amortized' }],
  ['stride 2, split pairs, memo off', { stride: 2, memo: false, pairs: 'split' }],
  ['stride 2, split pairs, pair memo', { stride: 2, memo: true, memoKey: 'pair', pairs: 'split' }],
  ['stride 2, split pairs, tiny cache', { stride: 2, memo: false, pairs: 'split', pairNodeBudget: 1 }],
  ['stride 2, pairs built on first use', { stride: 2, memo: false, pairMinUses: 1 }],
  ['stride 2, pair relation from the 3rd use', { stride: 2, memo: false, pairMinUses: 3 }],
  ['stride 2, pair memo, pair relation from the 3rd use', { stride: 2, memo: true, memoKey: 'pair', pairMinUses: 3 }],
];

/** /abc/ unanchored for sig 0 and /^ab/ anchored for sig 1, over classes a, b, c, other. */
function abcNfa(): NfaSpec {
  // classes: 0 = other, 1 = 'a', 2 = 'b', 3 = 'c'; states: 0 loop, 1 a, 2 b, 3 c, 4 anchored start, 5 a, 6 b
  return {
    classCount: 4,
    labels: [[0, 1, 2, 3], [1], [2], [3], [], [1], [2]],
    follow: [[0, 1], [2], [3], [], [5], [6], []],
    start: [0, 4],
    accept: [[], [], [], [[0, 0]], [], [], [[1, 0]]],
    end: [[], [], [], [], [], [], []],
    signatureCount: 2,
  };
}

function abcBytes(s: string): Uint8Array {
  const m: Record<string, number> = { a: 1, b: 2, c: 3 };
  // makeNfa maps byte b to class b % classCount; pick bytes with the right residue.
  return Uint8Array.from([...s].map((ch) => m[ch] ?? 4));
}

describe('ObddMatcher on a hand-built NFA', () => {
  for (const [mname, mk] of managers) {
    for (const [cname, opts] of configs) {
      it(`${mname}, ${cname}: finds /abc/ and /^ab/ with end offsets`, () => {
        const m = new ObddMatcher(mk(), makeNfa(abcNfa()), opts);
        const input = abcBytes('abcxabcab');
        const ev = engineRun(m, [input], 'all');
        expect(sortEvents(ev)).toEqual([[0, 3], [0, 7], [1, 2]]);
        // Streaming byte by byte gives the same events.
        const ev2 = engineRun(m, [...input].map((b) => Uint8Array.of(b)), 'all');
        expect(sortEvents(ev2)).toEqual([[0, 3], [0, 7], [1, 2]]);
        // First mode: one event per signature.
        expect(sortEvents(engineRun(m, [input], 'set'))).toEqual([[0, 3], [1, 2]]);
      });
    }
  }
});

describe('ObddMatcher agrees with the explicit simulation on random NFAs', () => {
  for (const [mname, mk] of managers) {
    for (const [cname, opts] of configs) {
      it(`${mname}, ${cname}`, () => {
        fc.assert(
          fc.property(
            arbNfaSpec(),
            fc.uint8Array({ maxLength: 24 }),
            fc.array(fc.nat(), { maxLength: 4 }),
            fc.constantFrom<'all' | 'set'>('all', 'set'),
            (spec, input, cuts, mode) => {
              // Bytes 0..7 keep every class reachable whatever classCount is.
              const bytes = input.map((b) => b & 7);
              const nfa = makeNfa(spec);
              const want = referenceRun(nfa, [bytes], mode);
              // The reference agrees with the project's explicit engine.
              expect(sortEvents(engineRun(buildNfaMatcher(nfa), [bytes], mode))).toEqual(sortEvents(want));
              const m = new ObddMatcher(mk(), nfa, opts);
              // Same events (order within one step may differ between engines).
              expect(sortEvents(engineRun(m, [bytes], mode))).toEqual(sortEvents(want));
              expect(sortEvents(engineRun(m, splitAt(bytes, cuts), mode))).toEqual(sortEvents(want));
            },
          ),
          // No shrinking: arbNfaSpec is chained and shrinking it can run for minutes; the raw
          // counterexample is small anyway (≤ 12 states, ≤ 24 bytes).
          { numRuns: mname === 'MiniBdd' ? 20 : 50, endOnFailure: true },
        );
      });
    }
  }
});

describe('ObddMatcher memory, memo and GC behaviour', () => {
  const alphabet = Uint8Array.from('abcdefgh', (ch) => ch.charCodeAt(0));
  const lits = randomLiterals(30, 3, 8, 7, alphabet);
  const nfa = literalNfa(lits);
  const input = pseudoRandomBytes(6000, 99, alphabet);
  const want = sortEvents(referenceRun(nfa, [input], 'all'));

  it('the literal workload is not trivial', () => {
    expect(want.length).toBeGreaterThan(5);
  });

  it('reports the memo statistics, hits and clears, within the budget', () => {
    const m = new ObddMatcher(new BddManager(), nfa, { memoBudgetBytes: 64 << 10 });
    expect(sortEvents(engineRun(m, [input], 'all'))).toEqual(want);
    const s = m.stats();
    const memo = s.memoStats as Record<string, number>;
    expect(memo.lookups).toBe(input.length);
    expect(memo.hitRate).toBeGreaterThan(0.5);
    expect(memo.bytes).toBeLessThanOrEqual(64 << 10);
    expect(s.nfaStates).toBe(nfa.stateCount);
    expect(s.byteClasses).toBe(nfa.classCount);
    expect(s.tNodes).toBeGreaterThan(0);
    expect(s.tcNodes).toBeGreaterThan(0);
    const tiny = new ObddMatcher(new BddManager(), nfa, { memoBudgetBytes: 2048 });
    expect(sortEvents(engineRun(tiny, [input], 'all'))).toEqual(want);
    expect((tiny.stats().memoStats as Record<string, number>).clears).toBeGreaterThan(0);
  });

  it('scratches stay valid across memo clears (interleaved streams)', () => {
    for (const stride of [1, 2] as const) {
      const m = new ObddMatcher(new BddManager(), nfa, { stride, memoKey: 'pair', memoBudgetBytes: 2048 });
      const other = pseudoRandomBytes(6000, 5, alphabet);
      const wantOther = sortEvents(referenceRun(nfa, [other], 'all'));
      const a = m.createScratch(), b = m.createScratch();
      const ea: Event[] = [], eb: Event[] = [];
      for (let off = 0; off < input.length; off += 257) {
        m.scan(a, input.subarray(off, off + 257), (s, e) => ea.push([s, e]));
        m.scan(b, other.subarray(off, off + 257), (s, e) => eb.push([s, e]));
      }
      m.finish(a, (s, e) => ea.push([s, e]));
      m.finish(b, (s, e) => eb.push([s, e]));
      expect(sortEvents(ea)).toEqual(want);
      expect(sortEvents(eb)).toEqual(wantOther);
      expect((m.stats().memoStats as Record<string, number>).clears).toBeGreaterThan(0);
    }
  });

  it('collects garbage between steps: live nodes stay bounded with the memo off', () => {
    for (const stride of [1, 2] as const) {
      const m = new ObddMatcher(new BddManager(), nfa, { stride, memo: false, gcFloorNodes: 1 });
      expect(sortEvents(engineRun(m, [input], 'all'))).toEqual(want);
      const s = m.stats();
      expect(s.bddGcRuns as number).toBeGreaterThan(2);
      expect(s.bddPeakNodes as number).toBeLessThan(4 * (s.compiledLiveNodes as number) + 4096);
    }
  });

  it('a node budget too small for the encoding throws LimitExceededError', () => {
    expect(() => buildObddMatcher(nfa, { nodeLimit: 64 })).toThrow(LimitExceededError);
  });

  it('a node budget hit during a scan is absorbed by clearing caches (same results)', () => {
    const probe = new ObddMatcher(new BddManager(), nfa, { stride: 2, memo: true });
    const compiled = probe.stats().compiledLiveNodes as number;
    // Room for the encoding and a few steps, but not for every pair relation and frontier.
    const m = buildObddMatcher(nfa, { stride: 2, memo: true, memoKey: 'pair', nodeLimit: compiled + 1500, gcFloorNodes: 1 << 30, pairMinUses: 1 });
    expect(sortEvents(engineRun(m, [input], 'all'))).toEqual(want);
    expect(m.stats().emergencyGcs as number).toBeGreaterThan(0);
  });

  it("'amortized' pair builds (the default): a frequent pair gets its relation, pairs used once mostly do not", () => {
    const code = (ch: string): number => ch.charCodeAt(0);
    // 'cd' first: the very first pair is built at once (to time a build); then 'ab' 20,000
    // times, whose two-single-step time passes any build time long before the end.
    const rep = new Uint8Array(40002);
    rep[0] = code('c');
    rep[1] = code('d');
    for (let i = 2; i < rep.length; i++) rep[i] = code(i % 2 === 0 ? 'a' : 'b');
    const m = new ObddMatcher(new BddManager(), nfa, { stride: 2, memo: false });
    expect(sortEvents(engineRun(m, [rep], 'all'))).toEqual(sortEvents(referenceRun(nfa, [rep], 'all')));
    expect(m.stats().pairPolicy).toBe('amortized');
    expect(m.stats().t2Built).toBe(2);
    // Each of the 64 pairs over a..h once: with build-on-first-use all 64 are built; with
    // 'amortized' only pairs whose one pair of single steps cost as much as a mean build
    // (a GC pause in between can do that), after a warm-up so that cold code does not.
    const once = new Uint8Array(128);
    for (let k = 0; k < 64; k++) {
      once[2 * k] = alphabet[k >> 3]!;
      once[2 * k + 1] = alphabet[k & 7]!;
    }
    const wantOnce = sortEvents(referenceRun(nfa, [once], 'all'));
    const eager = new ObddMatcher(new BddManager(), nfa, { stride: 2, memo: false, pairMinUses: 1 });
    expect(sortEvents(engineRun(eager, [once], 'all'))).toEqual(wantOnce);
    expect(eager.stats().t2Built).toBe(64);
    engineRun(new ObddMatcher(new BddManager(), nfa, { stride: 2, memo: false }), [input], 'all');
    const lazy = new ObddMatcher(new BddManager(), nfa, { stride: 2, memo: false });
    expect(sortEvents(engineRun(lazy, [once], 'all'))).toEqual(wantOnce);
    expect(lazy.stats().t2Built as number).toBeLessThan(32);
  });

  it('rejects a scratch of another engine and bad options', () => {
    const m1 = new ObddMatcher(new BddManager(), nfa, { stride: 1 });
    const m2 = new ObddMatcher(new BddManager(), nfa, { stride: 2 });
    expect(() => m2.scan(m1.createScratch(), input, () => {})).toThrow(ScanArgumentError);
    expect(() => new ObddMatcher(new BddManager(), nfa, { stride: 3 as 1 })).toThrow(UsageError);
    expect(() => new ObddMatcher(new BddManager(), nfa, { memoBudgetBytes: -1 })).toThrow(UsageError);
    expect(() => buildObddMatcher(nfa, { memo: 'yes' as unknown as boolean })).toThrow(UsageError);
    expect(() => buildObddMatcher(nfa, { memoKey: 'both' as 'pair' })).toThrow(UsageError);
    expect(() => buildObddMatcher(nfa, { stride: 2, pairMinUses: 'auto' as 'amortized' })).toThrow(UsageError);
    expect(() => buildObddMatcher(nfa, { encoding: { inputPosition: 'middle' as 'top' } })).toThrow(UsageError);
  });
});
