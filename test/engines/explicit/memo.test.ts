/**
 * The explicit engine's step cache (set-cache.ts) against the plain simulation: random IR
 * signature sets, inputs and chunkings, both modes, with budgets small enough that the
 * cache is dropped and refilled mid-input; a scratch reused across inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildNfaMatcher } from '../../../src/engines/explicit/matcher.js';
import { buildNfa } from '../../../src/nfa/build.js';
import { inputArb, signatureSetArb } from '../../support/random-ir.js';
import { runReports, split } from '../../support/inputs.js';

const sigsArb = signatureSetArb(5);

describe('nfa step cache', () => {
  it('reports exactly what the plain simulation reports (both modes, chunked, tiny and default budgets)', () => {
    fc.assert(
      fc.property(sigsArb, fc.array(inputArb, { minLength: 1, maxLength: 3 }), fc.array(fc.nat(), { maxLength: 3 }), fc.constantFrom(0, 3000, 32 << 20), (sigs, inputs, cuts, budget) => {
        const nfa = buildNfa(sigs);
        const plain = buildNfaMatcher(nfa);
        const cached = buildNfaMatcher(nfa, { memo: true, memoBudgetBytes: budget });
        for (const mode of ['all', 'set'] as const) {
          for (const input of inputs) {
            expect(runReports(cached, split(input, cuts), mode)).toEqual(runReports(plain, [input], mode));
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('counts hits and misses, and keeps to its budget by clearing', () => {
    const nfa = buildNfa([{ id: 0, ir: { kind: 'bytes', set: Uint32Array.of(0, 0, 0, 2, 0, 0, 0, 0) }, anchored: false }]);
    const m = buildNfaMatcher(nfa, { memo: true });
    const sc = m.createScratch();
    const bytes = new TextEncoder().encode('xaxaxaxaxa');
    let n = 0;
    m.scan(sc, bytes, () => n++);
    m.finish(sc, () => n++);
    expect(n).toBe(5);
    const st = m.stats().memoStats as Record<string, number>;
    expect(st.lookups).toBe(10);
    // Two frontiers ({start}, {start, a}) and two classes: at most 4 misses, the rest hits.
    expect(st.misses).toBeLessThanOrEqual(4);
    expect(() => buildNfaMatcher(nfa, { memo: 'yes' as never })).toThrow(/memo must be true or false/);
  });
});
