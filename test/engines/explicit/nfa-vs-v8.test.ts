/**
 * Differential property tests: the explicit NFA engine against V8 `RegExp` on random IR
 * (built together with its exact V8 equivalent, see random-ir.ts) and random inputs.
 * Compared: every match end per signature ('all' mode), the earliest end ('set' mode),
 * is-match, and chunked streaming against one-shot scanning.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildNfa } from '../../../src/nfa/build.js';
import { buildNfaMatcher } from '../../../src/engines/explicit/matcher.js';
import type { Matcher, MatchMode } from '../../../src/matcher/types.js';
import { inputArb, irArb, irToJs, latin1, v8IsMatch, v8MatchEnds } from '../../support/random-ir.js';
import { split } from '../../support/inputs.js';

function runEnds(m: Matcher, chunks: Uint8Array[], mode: MatchMode = 'all'): number[][] {
  const ends: number[][] = Array.from({ length: m.signatureCount }, () => []);
  const s = m.createScratch({ mode });
  const cb = (sig: number, end: number): void => {
    ends[sig].push(end);
  };
  for (const c of chunks) m.scan(s, c, cb);
  m.finish(s, cb);
  return ends;
}


const sigArb = fc.record({ ir: irArb(), anchored: fc.boolean() });

describe('nfa engine vs V8 RegExp', () => {
  it('the lookbehind oracle agrees with plain RegExp.test', () => {
    fc.assert(
      fc.property(sigArb, inputArb, ({ ir, anchored }, input) => {
        const js = irToJs(ir);
        const s = latin1(input);
        expect(v8MatchEnds(js, anchored, s).length > 0).toBe(v8IsMatch(js, anchored, s));
      }),
      { numRuns: 300 },
    );
  });

  it('one signature: every match end, earliest end and is-match equal V8', () => {
    fc.assert(
      fc.property(sigArb, inputArb, ({ ir, anchored }, input) => {
        const m = buildNfaMatcher(buildNfa([{ id: 0, ir, anchored }]));
        const expected = v8MatchEnds(irToJs(ir), anchored, latin1(input));
        expect(runEnds(m, [input])[0]).toEqual(expected);
        expect(runEnds(m, [input], 'set')[0]).toEqual(expected.slice(0, 1));
      }),
      { numRuns: 600 },
    );
  });

  it('a set of signatures in one NFA, scanned in chunks, equals each signature alone', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(sigArb, { freq: 6 }), { minLength: 1, maxLength: 4 }),
        inputArb,
        fc.array(fc.nat(20), { maxLength: 3 }),
        fc.constantFrom(0, 2, Infinity),
        (sigs, input, cuts, indexDegree) => {
          const nfa = buildNfa(sigs.map((s, id) => (s ? { id, ir: s.ir, anchored: s.anchored } : null)));
          // Per-class successor index on every state / on most / on none.
          const m = buildNfaMatcher(nfa, { indexDegree });
          const got = runEnds(m, split(input, cuts));
          const gotFirst = runEnds(m, split(input, cuts), 'set');
          const str = latin1(input);
          sigs.forEach((s, id) => {
            const expected = s ? v8MatchEnds(irToJs(s.ir), s.anchored, str) : [];
            expect(got[id]).toEqual(expected);
            expect(gotFirst[id]).toEqual(expected.slice(0, 1));
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a scratch is reusable after finish and after reset', () => {
    fc.assert(
      fc.property(sigArb, inputArb, inputArb, ({ ir, anchored }, a, b) => {
        const m = buildNfaMatcher(buildNfa([{ id: 0, ir, anchored }]));
        const s = m.createScratch();
        const ends: number[] = [];
        const cb = (_sig: number, end: number): void => {
          ends.push(end);
        };
        m.scan(s, a, () => {});
        m.reset(s);
        m.scan(s, b, cb);
        m.finish(s, cb);
        expect(ends).toEqual(v8MatchEnds(irToJs(ir), anchored, latin1(b)));
        ends.length = 0;
        m.scan(s, a, cb);
        m.finish(s, cb);
        expect(ends).toEqual(v8MatchEnds(irToJs(ir), anchored, latin1(a)));
      }),
      { numRuns: 100 },
    );
  });
});

