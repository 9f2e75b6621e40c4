/**
 * permuteStates is an isomorphism: the explicit engine reports the same (signature, end)
 * pairs on the renumbered NFA, for the entry order and for random permutations.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildNfa } from '../../src/nfa/build.js';
import { entryOrder, permuteStates, startStates } from '../../src/nfa/renumber.js';
import { parseSignature } from '../../src/syntax/index.js';
import { buildNfaMatcher } from '../../src/engines/explicit/matcher.js';
import { inputArb, irArb } from '../support/random-ir.js';
import { allEnds } from '../support/inputs.js';


describe('permuteStates', () => {
  it('entry order and random orders keep every match', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ ir: irArb(), anchored: fc.boolean() }), { minLength: 1, maxLength: 4 }),
        inputArb,
        fc.nat(),
        (sigs, input, seed) => {
          const nfa = buildNfa(sigs.map((s, id) => ({ id, ...s })));
          const want = allEnds(buildNfaMatcher(nfa), input);
          const entry = entryOrder(nfa);
          expect([...entry].sort((a, b) => a - b)).toEqual([...Array(nfa.stateCount).keys()]);
          expect(allEnds(buildNfaMatcher(permuteStates(nfa, entry)), input)).toEqual(want);
          // A random permutation (Fisher–Yates from the seed).
          const order = Uint32Array.from({ length: nfa.stateCount }, (_, i) => i);
          let x = seed | 1;
          for (let i = order.length - 1; i > 0; i--) {
            x = (Math.imul(x, 1103515245) + 12345) >>> 0;
            const j = x % (i + 1);
            [order[i], order[j]] = [order[j]!, order[i]!];
          }
          expect(allEnds(buildNfaMatcher(permuteStates(nfa, order)), input)).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects what is not a permutation', () => {
    const nfa = buildNfa([]);
    expect(() => permuteStates(nfa, new Uint32Array(nfa.stateCount + 1))).toThrow(RangeError);
    if (nfa.stateCount > 1) expect(() => permuteStates(nfa, new Uint32Array(nfa.stateCount))).toThrow(RangeError);
  });

  it('startStates: state 0 and the unanchored loop, not an anchored self-looping first position', () => {
    const sig = (id: number, src: string) => {
      const p = parseSignature(src);
      return { id, ir: p.ir, anchored: p.anchored };
    };
    // No assertions in the unanchored signature: the loop is one state (1).
    const nfa = buildNfa([sig(0, '/^a+b/'), sig(1, '/cd/')]);
    const marked = [...startStates(nfa)].flatMap((v, q) => (v ? [q] : []));
    expect(marked).toEqual([0, 1]);
    // With \b the loop splits by the previous byte's kind: several loop states right after
    // state 0, and still not the anchored signature's.
    const nfa2 = buildNfa([sig(0, '/^a+b/'), sig(1, '/\\bcd/')]);
    const marked2 = [...startStates(nfa2)].flatMap((v, q) => (v ? [q] : []));
    expect(marked2.length).toBeGreaterThan(2);
    expect(marked2).toEqual([...Array(marked2.length).keys()]);
  });
});
