import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BddManager } from '../../../src/bdd/index.js';
import { encodeNfa, forEachState, stateSet } from '../../../src/engines/obdd/encoding.js';
import { arbNfaSpec, makeNfa } from './reference.js';

describe('encoding', () => {
  it('stateSet (sorted fast path) enumerates back exactly the given states', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 1023 }), { maxLength: 200 }), (states) => {
        const bdd = new BddManager();
        const vars: number[] = [];
        for (let k = 9; k >= 0; k--) vars[k] = bdd.newVars(1); // bit 9 on top: MSB first
        const sorted = [...states].sort((a, b) => a - b);
        const got: number[] = [];
        forEachState(bdd, stateSet(bdd, vars, sorted), vars, (q) => got.push(q));
        expect(got.sort((a, b) => a - b)).toEqual(sorted);
      }),
      { numRuns: 60 },
    );
  });

  it('T_c is exactly follow ∧ label, and the factorised T2 equals ∃z. T_c1(x,z) ∧ T_c2(z,y)', () => {
    fc.assert(
      fc.property(arbNfaSpec(10, 4), (spec) => {
        const nfa = makeNfa(spec);
        const bdd = new BddManager();
        const enc = encodeNfa(bdd, nfa, { withZ: true });
        const { xVars, yVars } = enc.layout;
        const W = nfa.classWords;
        for (let c = 0; c < nfa.classCount; c++) {
          // T_c pairs, enumerated by brute force over (p, q).
          for (let p = 0; p < nfa.stateCount; p++) {
            const succ = new Set(Array.from(nfa.follow.subarray(nfa.followStart[p], nfa.followStart[p + 1])));
            for (let q = 0; q < nfa.stateCount; q++) {
              const want = succ.has(q) && (nfa.labels[q * W + (c >>> 5)] & (1 << (c & 31))) !== 0;
              const cube = bdd.and(bdd.cube(xVars, p), bdd.cube(yVars, q));
              expect(bdd.and(enc.tc[c], cube) !== 0).toBe(want);
            }
          }
        }
        for (let c1 = 0; c1 < nfa.classCount; c1++) {
          for (let c2 = 0; c2 < nfa.classCount; c2++) {
            const direct = bdd.andExists(bdd.rename(enc.tc[c1], enc.yToZ), bdd.rename(enc.tc[c2], enc.xToZ), enc.zSet);
            const m = bdd.andExists(bdd.rename(enc.tc[c1], enc.yToZ), bdd.rename(enc.follow, enc.xToZ), enc.zSet);
            expect(bdd.and(m, enc.enterY[c2])).toBe(direct);
          }
        }
      }),
      { numRuns: 40, endOnFailure: true },
    );
  });
});
