/**
 * dfa and mdfa against the explicit NFA engine on NFAs built by the real builder: random
 * IR signature sets (test/engines/random-ir.ts), random inputs and chunkings, and a slice
 * of a bundled ET Open rules file over a bundled capture's bytes.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDfaMatcher } from '../../../src/engines/dfa/matcher.js';
import { buildMdfaMatcher } from '../../../src/engines/dfa/mdfa.js';
import { compile } from '../../../src/compile.js';
import { buildNfaMatcher } from '../../../src/engines/explicit/matcher.js';
import { LimitExceededError } from '../../../src/errors.js';
import { buildNfa } from '../../../src/nfa/build.js';
import { inputArb, signatureSetArb } from '../../support/random-ir.js';
import { runReports as run, split, webServerSignatures } from '../../support/inputs.js';

const sigsArb = signatureSetArb(4);

describe('dfa and mdfa vs the nfa engine', () => {
  it('random signature sets, inputs and chunkings: same reports in both modes', () => {
    fc.assert(
      fc.property(sigsArb, inputArb, fc.array(fc.nat(), { maxLength: 3 }), fc.integer({ min: 1, max: 30 }), (sigs, input, cuts, budget) => {
        const nfa = buildNfa(sigs);
        const ref = buildNfaMatcher(nfa);
        const dfa = buildDfaMatcher(nfa);
        const mdfa = buildMdfaMatcher(sigs, { maxStates: budget });
        const rejected = new Set(mdfa.rejected.map((r) => r.signature));
        const chunks = split(input, cuts);
        for (const mode of ['all', 'set'] as const) {
          const expected = run(ref, [input], mode);
          expect(run(dfa, chunks, mode)).toEqual(expected);
          expect(run(mdfa, chunks, mode)).toEqual(expected.filter((r) => !rejected.has(Number(r.split('@')[0]))));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('compile(): dfa blow-up is a LimitExceededError with the states built; mdfa splits', () => {
    const sigs = ['/a[ab]{10}/', '/b[ab]{10}/', '/c[ab]{3}/'];
    let err: unknown;
    try {
      compile(sigs, { engine: 'dfa', engineOptions: { maxStates: 1000 } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LimitExceededError);
    expect(err).toMatchObject({ resource: 'dfa states', limit: 1000, given: 1001 });
    const { matcher } = compile(sigs, { engine: 'mdfa', engineOptions: { maxStates: 4000 } });
    expect(matcher.stats()).toMatchObject({ engine: 'mdfa', groups: 2, rejected: 0 });
    const input = Uint8Array.from('xaababababbbbcabab', (c) => c.charCodeAt(0));
    const ref = compile(sigs).matcher;
    expect(run(matcher, [input], 'all')).toEqual(run(ref, [input], 'all'));
    expect(run(ref, [input], 'all').length).toBeGreaterThan(2);
  });

  it('ET Open web_server pcres over a capture: dfa and mdfa equal nfa', () => {
    const sigs = webServerSignatures(8);
    const bytes = readFileSync(new URL('../../../traces/pcap/get.pcap', import.meta.url));
    const nfa = buildNfa(sigs);
    const ref = run(buildNfaMatcher(nfa), [bytes], 'all');
    expect(ref.length).toBeGreaterThan(0);
    const dfa = buildDfaMatcher(nfa);
    expect(run(dfa, split(bytes, [1000, 1001, 5000]), 'all')).toEqual(ref);
    const mdfa = buildMdfaMatcher(sigs, { maxStates: 1000 });
    expect(mdfa.rejected).toEqual([]);
    expect(mdfa.stats().groups).toBeGreaterThan(1);
    expect(run(mdfa, [bytes], 'all')).toEqual(ref);
  });
});
