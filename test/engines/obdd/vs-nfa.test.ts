/**
 * obdd and obdd2 (memo on and off) against the explicit NFA engine on NFAs built by the
 * real builder: random IR signature sets (test/engines/random-ir.ts) with random inputs
 * and chunkings, pcre signature lists, and a slice of a bundled ET Open rules file over a
 * bundled capture.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/compile.js';
import { buildNfaMatcher } from '../../../src/engines/explicit/matcher.js';
import { buildNfa } from '../../../src/nfa/build.js';
import { buildObddMatcher, type ObddOptions } from '../../../src/engines/obdd/index.js';
import { parseSignature } from '../../../src/syntax/index.js';
import { inputArb, signatureSetArb } from '../../support/random-ir.js';
import { splitAt } from './reference.js';
import { runReports as run, webServerSignatures } from '../../support/inputs.js';

const CONFIGS: ObddOptions[] = [
  { stride: 1, memo: false },
  { stride: 1, memo: true },
  { stride: 2, memo: false },
  { stride: 2, memo: true },
  { stride: 2, memo: true, memoKey: 'pair' },
  { stride: 2, memo: true, memoKey: 'pair', memoBudgetBytes: 1024 },
  { stride: 2, memo: false, pairs: 'split' },
  { stride: 2, memo: false, pairMinUses: 1 },
  { stride: 1, memo: false, encoding: { numbering: 'entry' } },
  { stride: 2, memo: true, encoding: { numbering: 'entry' } },
  { stride: 2, memo: false, pairMinUses: 2 },
  { stride: 2, memo: false, pairMinUses: 'amortized' },
  { stride: 2, memo: true, memoKey: 'pair', pairs: 'split' },
];

const sigsArb = signatureSetArb(4);

describe('obdd vs the explicit nfa engine', () => {
  it('random signature sets, inputs and chunkings: same reports, all configurations, both modes', () => {
    fc.assert(
      fc.property(sigsArb, inputArb, fc.array(fc.nat(), { maxLength: 3 }), (sigs, input, cuts) => {
        const nfa = buildNfa(sigs);
        const ref = buildNfaMatcher(nfa);
        const chunks = splitAt(input, cuts);
        const expected = { all: run(ref, [input], 'all'), set: run(ref, [input], 'set') };
        for (const opts of CONFIGS) {
          const m = buildObddMatcher(nfa, opts);
          for (const mode of ['all', 'set'] as const) {
            expect(run(m, [input], mode)).toEqual(expected[mode]);
            expect(run(m, chunks, mode)).toEqual(expected[mode]);
          }
        }
      }),
      { numRuns: 40, endOnFailure: true },
    );
  });

  it('pcre signatures with lookahead acceptance, anchors and end-of-input: same reports', () => {
    const sigs = ['/ab\\b/', '/^GET /', '/foo$/', '/a.c/s', '/x\\d+y/i', '/line$/m', '/\\Bzz/', '/(ab|ba)+/', '/q\\z/'];
    const input = Uint8Array.from('GET abab ab, xx foo\nline\nfoo x12Y a\nc abc zzz baab q', (c) => c.charCodeAt(0));
    const ref = compile(sigs, { engine: 'nfa' });
    expect(ref.rejected).toEqual([]);
    const nfa = buildNfa(sigs.map((s, id) => { const p = parseSignature(s); return { id, ir: p.ir, anchored: p.anchored }; }));
    for (const mode of ['all', 'set'] as const) {
      const want = run(ref.matcher, [input], mode);
      expect(want.length).toBeGreaterThan(5);
      for (const opts of CONFIGS) {
        const m = buildObddMatcher(nfa, opts);
        expect(run(m, [input], mode)).toEqual(want);
        expect(run(m, [...input].map((b) => Uint8Array.of(b)), mode)).toEqual(want);
      }
    }
  });

  it('ET Open web_server pcres over a capture: obdd and obdd2 equal nfa', () => {
    const sigs = webServerSignatures(40);
    const bytes = readFileSync(new URL('../../../traces/pcap/get.pcap', import.meta.url));
    const nfa = buildNfa(sigs);
    const ref = run(buildNfaMatcher(nfa), [bytes], 'all');
    expect(ref.length).toBeGreaterThan(0);
    for (const opts of CONFIGS) {
      const m = buildObddMatcher(nfa, opts);
      expect(run(m, splitAt(bytes, [1000, 1001, 5000]), 'all')).toEqual(ref);
    }
  });
});

describe('compile() with engine obdd / obdd2', () => {
  it('builds the symbolic engines through the front door and agrees with nfa', () => {
    const sigs = ['/GET\\s+\\/[a-z]+/i', '/Host:\\s*\\w+/', 'not a regex (', { content: 'abc' }];
    const input = Uint8Array.from('GET /index HTTP/1.1\r\nHost: example\r\n\r\nabcabc', (c) => c.charCodeAt(0));
    const ref = compile(sigs, { engine: 'nfa' });
    const want = run(ref.matcher, [input], 'all');
    expect(want.length).toBeGreaterThan(3);
    for (const engine of ['obdd', 'obdd2'] as const) {
      const r = compile(sigs, { engine, engineOptions: { memoBudgetBytes: 1 << 20 } });
      expect(r.matcher.engine).toBe(engine);
      expect(r.rejected.map((x) => x.signature)).toEqual(ref.rejected.map((x) => x.signature));
      expect(run(r.matcher, [input], 'all')).toEqual(want);
    }
    expect(() => compile(sigs, { engine: 'obdd', engineOptions: { memoBudgetBytes: 'big' as never } })).toThrow(/memoBudgetBytes/);
  });
});
