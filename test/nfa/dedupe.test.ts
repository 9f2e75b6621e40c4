/**
 * Identical signatures are compiled once (buildNfa `dedupe`, on by default): the copies
 * must report exactly what they would report compiled separately, under their own ids,
 * and a copy of a signature rejected by a budget is rejected too.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildNfa, type NfaSignatureInput } from '../../src/nfa/build.js';
import { buildNfaMatcher } from '../../src/engines/explicit/matcher.js';
import type { Ir } from '../../src/syntax/ir.js';
import { inputArb, irArb } from '../support/random-ir.js';
import { allEnds } from '../support/inputs.js';


describe('nfa dedupe', () => {
  it('a set with repeated signatures reports the same (id, end) pairs with and without it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ ir: irArb(), anchored: fc.boolean() }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(9), { minLength: 1, maxLength: 6 }),
        inputArb,
        (distinct, picks, input) => {
          const sigs: NfaSignatureInput[] = picks.map((p, id) => ({ id, ...distinct[p % distinct.length]! }));
          const once = buildNfa(sigs);
          const each = buildNfa(sigs, { dedupe: false });
          expect(once.stateCount).toBeLessThanOrEqual(each.stateCount);
          expect(allEnds(buildNfaMatcher(once), input)).toEqual(allEnds(buildNfaMatcher(each), input));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('copies add no states; a copy of a rejected signature is rejected with it', () => {
    const abc: Ir = { kind: 'concat', items: [...'abc'].map((ch): Ir => ({ kind: 'bytes', set: Uint32Array.from({ length: 8 }, (_, w) => (w === ch.charCodeAt(0) >>> 5 ? 1 << (ch.charCodeAt(0) & 31) : 0)) })) };
    const one = buildNfa([{ id: 0, ir: abc, anchored: false }]);
    const three = buildNfa([0, 1, 2].map((id) => ({ id, ir: abc, anchored: false })));
    expect(three.stateCount).toBe(one.stateCount);
    const m = buildNfaMatcher(three);
    expect(allEnds(m, new TextEncoder().encode('xabc'))).toEqual(['0@4', '1@4', '2@4']);

    const big: Ir = { kind: 'repeat', item: abc, min: 40, max: 40, greedy: true };
    const rejected: number[] = [];
    const nfa = buildNfa(
      [{ id: 0, ir: big, anchored: false }, { id: 1, ir: abc, anchored: false }, { id: 2, ir: big, anchored: false }],
      { maxRepeatExpansion: 60, onReject: (id) => rejected.push(id) },
    );
    expect(rejected.sort()).toEqual([0, 2]);
    expect(allEnds(buildNfaMatcher(nfa), new TextEncoder().encode('abc'))).toEqual(['1@3']);
  });
});
