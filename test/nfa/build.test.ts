/**
 * The NFA builder: the structural guarantees of the `Nfa` contract (src/nfa/types.ts) on
 * random signature sets, byte classes checked against their definition, budgets, and a
 * few hand-built automata whose sizes are known.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LimitExceededError, UnsupportedFeatureError } from '../../src/errors.js';
import { buildNfa } from '../../src/nfa/build.js';
import { computeByteClasses } from '../../src/nfa/byte-classes.js';
import type { Nfa } from '../../src/nfa/types.js';
import type { ByteSet, Ir } from '../../src/syntax/ir.js';
import { byteSet, irArb } from '../support/random-ir.js';

const lit = (s: string): Ir => ({
  kind: 'concat',
  items: [...s].map((ch): Ir => ({ kind: 'bytes', set: byteSet([ch.charCodeAt(0)]) })),
});
const bytes = (...bs: number[]): Ir => ({ kind: 'bytes', set: byteSet(bs) });

function labelHas(nfa: Nfa, q: number, c: number): boolean {
  return ((nfa.labels[q * nfa.classWords + (c >>> 5)] >>> (c & 31)) & 1) === 1;
}

function checkContract(nfa: Nfa): void {
  const n = nfa.stateCount;
  expect(nfa.byteClass.length).toBe(256);
  expect(nfa.classRep.length).toBe(nfa.classCount);
  for (let c = 0; c < nfa.classCount; c++) expect(nfa.byteClass[nfa.classRep[c]]).toBe(c);
  expect(nfa.classWords).toBe(Math.ceil(nfa.classCount / 32));
  expect(nfa.labels.length).toBe(n * nfa.classWords);
  expect(nfa.followStart.length).toBe(n + 1);
  expect(nfa.followStart[n]).toBe(nfa.follow.length);
  for (let p = 0; p < n; p++) {
    for (let j = nfa.followStart[p] + 1; j < nfa.followStart[p + 1]; j++) {
      expect(nfa.follow[j]).toBeGreaterThan(nfa.follow[j - 1]); // sorted, distinct
    }
  }
  for (const q of nfa.follow) expect(q).toBeLessThan(n);
  for (const q of nfa.follow) expect(q).not.toBe(0); // nothing re-enters "before input"
  expect(Array.from(nfa.start)).toEqual([0]);
  for (const [start, sig, delta] of [
    [nfa.acceptStart, nfa.acceptSig, nfa.acceptDelta],
    [nfa.endStart, nfa.endSig, nfa.endDelta],
  ] as const) {
    expect(start.length).toBe(n + 1);
    expect(start[n]).toBe(sig.length);
    expect(delta.length).toBe(sig.length);
    for (let i = 0; i < sig.length; i++) {
      expect(sig[i]).toBeLessThan(nfa.signatureCount);
      expect(delta[i] === 0 || delta[i] === 1).toBe(true);
    }
  }
  // Delta-1 acceptance never sits on a start state (it would report end -1 at offset 0).
  for (let j = nfa.acceptStart[0]; j < nfa.acceptStart[1]; j++) expect(nfa.acceptDelta[j]).toBe(0);
}

describe('byte classes', () => {
  it('are the coarsest partition refining every set', () => {
    const setArb = fc.array(fc.nat(255), { maxLength: 20 }).map((bs) => byteSet(bs));
    fc.assert(
      fc.property(fc.array(setArb, { maxLength: 6 }), (sets: ByteSet[]) => {
        const { byteClass, classCount, classRep } = computeByteClasses(sets);
        const has = (s: ByteSet, b: number): boolean => ((s[b >>> 5] >>> (b & 31)) & 1) === 1;
        const wrong: Array<[number, number]> = [];
        for (let a = 0; a < 256; a += 3) {
          for (let b = a + 1; b < 256; b += 2) {
            const same = sets.every((s) => has(s, a) === has(s, b));
            if ((byteClass[a] === byteClass[b]) !== same) wrong.push([a, b]);
          }
        }
        expect(wrong).toEqual([]);
        // Numbered by smallest byte.
        for (let c = 0; c < classCount; c++) {
          expect(byteClass.indexOf(c)).toBe(classRep[c]);
          if (c > 0) expect(classRep[c]).toBeGreaterThan(classRep[c - 1]);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('buildNfa', () => {
  it('keeps the structural contract on random signature sets', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.record({ ir: irArb(), anchored: fc.boolean() })), { maxLength: 4 }), (sigs) => {
        checkContract(buildNfa(sigs.map((s, id) => (s ? { id, ...s } : null))));
      }),
      { numRuns: 200 },
    );
  });

  it('a literal: one state per byte after the two start states', () => {
    const nfa = buildNfa([{ id: 0, ir: lit('abc'), anchored: false }]);
    expect(nfa.stateCount).toBe(2 + 3);
    // Classes: a, b, c, and everything else.
    expect(nfa.classCount).toBe(4);
    // The unanchored loop: state 1 follows itself, labelled with every class.
    for (let c = 0; c < nfa.classCount; c++) expect(labelHas(nfa, 1, c)).toBe(true);
    expect(Array.from(nfa.follow.subarray(nfa.followStart[1], nfa.followStart[2]))).toEqual([1, 2]);
    expect(Array.from(nfa.acceptSig)).toEqual([0]);
    expect(nfa.acceptStart[5] - nfa.acceptStart[4]).toBe(1);
    expect(nfa.endSig.length).toBe(0);
  });

  it('anchored signatures hang off state 0 only', () => {
    const nfa = buildNfa([
      { id: 0, ir: lit('ab'), anchored: true },
      { id: 1, ir: { kind: 'concat', items: [{ kind: 'assert', assertion: 'text-start' }, lit('cd')] }, anchored: false },
    ]);
    const fromLoop = Array.from(nfa.follow.subarray(nfa.followStart[1], nfa.followStart[2]));
    expect(fromLoop).toEqual([1]);
    const fromStart = Array.from(nfa.follow.subarray(nfa.followStart[0], nfa.followStart[1]));
    expect(fromStart.length).toBe(3); // loop + 'a' + 'c'
  });

  it('splits states only for signatures with assertions', () => {
    const plain = buildNfa([{ id: 0, ir: lit('ab'), anchored: false }]);
    const withB = buildNfa([
      { id: 0, ir: lit('ab'), anchored: false },
      { id: 1, ir: { kind: 'concat', items: [{ kind: 'assert', assertion: 'word-boundary' }, lit('ab')] }, anchored: false },
    ]);
    // Loop split into word / non-word (2 states); sig 1: 'a' only entered from non-word/start,
    // 'b' once, plus no lookahead. Sig 0 unchanged.
    expect(plain.stateCount).toBe(4);
    expect(withB.stateCount).toBe(1 + 2 + 2 + 2);
  });

  it('counted repeats expand into copies; a{2,} loops its last copy', () => {
    const rep = (min: number, max: number): number =>
      buildNfa([{ id: 0, ir: { kind: 'repeat', item: bytes(0x61), min, max, greedy: true }, anchored: false }])
        .stateCount - 2;
    expect(rep(3, 3)).toBe(3);
    expect(rep(0, 4)).toBe(4);
    expect(rep(2, Infinity)).toBe(2);
    expect(rep(0, Infinity)).toBe(1);
  });

  it('rejects over-budget signatures: throws, or reports and skips with onReject', () => {
    const big: Ir = { kind: 'repeat', item: bytes(0x61), min: 50, max: 50, greedy: true };
    expect(() => buildNfa([{ id: 0, ir: big, anchored: false }], { maxStates: 20 })).toThrow(LimitExceededError);
    expect(() => buildNfa([{ id: 0, ir: big, anchored: false }], { maxRepeatExpansion: 10 })).toThrow(
      LimitExceededError,
    );
    const rejected: number[] = [];
    const nfa = buildNfa(
      [
        { id: 0, ir: lit('ok'), anchored: false },
        { id: 1, ir: big, anchored: false },
        { id: 2, ir: lit('fine'), anchored: false },
      ],
      {
        maxStates: 30,
        onReject: (id, e) => {
          rejected.push(id);
          expect(e).toBeInstanceOf(LimitExceededError);
        },
      },
    );
    expect(rejected).toEqual([1]);
    expect(nfa.signatureCount).toBe(3);
    expect(nfa.stateCount).toBe(2 + 2 + 4);
    checkContract(nfa);
  });

  it('null entries keep their ids and never match', () => {
    const nfa = buildNfa([null, { id: 1, ir: lit('x'), anchored: false }, null]);
    expect(nfa.signatureCount).toBe(3);
    expect(Array.from(nfa.acceptSig)).toEqual([1]);
  });
});

describe('buildNfa on invalid IR', () => {
  it('rejects impossible repeat bounds with a typed error', () => {
    const bad: Ir = { kind: 'repeat', item: bytes(0x61), min: 3, max: 1, greedy: true };
    expect(() => buildNfa([{ id: 0, ir: bad, anchored: false }])).toThrow(UnsupportedFeatureError);
    const rejected: number[] = [];
    buildNfa([{ id: 0, ir: bad, anchored: false }], { onReject: (id) => rejected.push(id) });
    expect(rejected).toEqual([0]);
  });
});
