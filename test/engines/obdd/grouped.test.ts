/**
 * The grouped obdd engine (src/engines/obdd/grouped.ts) against the explicit NFA engine: random
 * IR signature sets (with rejected ids left as gaps), random partitions and chunkings, both
 * strides and match modes; finish/reset; the static hardness score; the compile() wiring.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/compile.js';
import { UsageError } from '../../../src/errors.js';
import { buildNfaMatcher } from '../../../src/engines/explicit/matcher.js';
import type { Matcher, MatchMode } from '../../../src/matcher/types.js';
import { buildNfa, type NfaSignatureInput } from '../../../src/nfa/build.js';
import { buildGroupedObddMatcher, hardness, partitionSignatures } from '../../../src/engines/obdd/grouped.js';
import { parseSignature } from '../../../src/syntax/index.js';
import { inputArb, irArb } from '../../support/random-ir.js';
import { splitAt } from './reference.js';

function run(m: Matcher, inputs: Uint8Array[][], mode: MatchMode): string[] {
  const out: string[] = [];
  const sc = m.createScratch({ mode });
  let k = 0;
  const cb = (s: number, e: number): void => {
    out.push(`${k}:${s}@${e}`);
  };
  for (; k < inputs.length; k++) {
    for (const c of inputs[k]!) m.scan(sc, c, cb);
    m.finish(sc, cb);
  }
  return out.sort();
}

/** 2..7 ids, some null (rejected earlier) so that group NFAs see gaps in the id space. */
const sigsArb = fc
  .array(fc.option(fc.record({ ir: irArb(), anchored: fc.boolean() }), { freq: 4 }), { minLength: 2, maxLength: 7 })
  .map((a): Array<NfaSignatureInput | null> => a.map((s, id) => (s ? { id, ...s } : null)));

describe('grouped obdd vs the explicit nfa engine', () => {
  it('random sets, partitions, strides and chunkings: same (signature, end) multiset in all, same firsts', () => {
    fc.assert(
      fc.property(
        sigsArb,
        fc.array(fc.tuple(inputArb, fc.array(fc.nat(), { maxLength: 3 })), { minLength: 1, maxLength: 2 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom('order' as const, 'hard' as const),
        fc.constantFrom(1 as const, 2 as const),
        fc.constantFrom(0, 4, 1000),
        (sigs, raw, groupSize, partition, stride, hardThreshold) => {
          const ref = buildNfaMatcher(buildNfa(sigs));
          const whole = raw.map(([input]) => [input]);
          const chunked = raw.map(([input, cuts]) => splitAt(input, cuts));
          const m = buildGroupedObddMatcher(sigs, { groupSize, partition, stride, hardThreshold, hardGroupSize: 1 });
          expect(m.signatureCount).toBe(sigs.length);
          for (const mode of ['all', 'set'] as const) {
            const expected = run(ref, whole, mode);
            expect(run(m, whole, mode)).toEqual(expected);
            expect(run(m, chunked, mode)).toEqual(expected);
          }
        },
      ),
      { numRuns: 40, endOnFailure: true },
    );
  });

  it('reset drops the stream state; finish reports end anchors and restarts at offset 0', () => {
    const srcs = ['/abc/', '/c$/', '/^x[^\\n]{3}/', '/b.{0,4}z/s', '/\\bq\\b/'];
    const sigs = srcs.map((s, id) => {
      const p = parseSignature(s);
      return { id, ir: p.ir, anchored: p.anchored };
    });
    const ref = buildNfaMatcher(buildNfa(sigs));
    const m = buildGroupedObddMatcher(sigs, { groupSize: 2 });
    expect(m.stats().groups).toBe(3);
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
    const collect = (mm: Matcher, f: (sc: ReturnType<Matcher['createScratch']>, cb: (s: number, e: number) => void) => void): string[] => {
      const out: string[] = [];
      f(mm.createScratch(), (s, e) => out.push(`${s}@${e}`));
      return out.sort();
    };
    const script = (mm: Matcher) => (sc: ReturnType<Matcher['createScratch']>, cb: (s: number, e: number) => void): void => {
      mm.scan(sc, enc('xab'), cb);
      mm.reset(sc);
      expect(sc.offset).toBe(0);
      mm.scan(sc, enc('xyzwab'), cb);
      mm.scan(sc, enc('c q bzzzzz'), cb);
      mm.finish(sc, cb);
      expect(sc.offset).toBe(0);
      mm.scan(sc, enc('abc'), cb);
      mm.finish(sc, cb);
    };
    const expected = collect(ref, script(ref));
    expect(expected).toContain('1@3'); // c$ in the last input, after finish restarted offsets
    expect(expected).not.toContain('0@2'); // 'xab' + reset + 'c' must not join into abc
    expect(collect(m, script(m))).toEqual(expected);
  });

  it('rejects a scratch from another matcher and bad options with typed errors', () => {
    const sigs = [{ id: 0, ir: parseSignature('/a/').ir, anchored: false }];
    const a = buildGroupedObddMatcher(sigs, { groupSize: 1 });
    const b = buildGroupedObddMatcher(sigs, { groupSize: 1 });
    expect(() => a.scan(b.createScratch(), new Uint8Array(1), () => {})).toThrow(TypeError);
    expect(() => buildGroupedObddMatcher(sigs, { groupSize: 0 })).toThrow(UsageError);
    expect(() => buildGroupedObddMatcher(sigs, { groupSize: 2, partition: 'x' as never })).toThrow(UsageError);
    expect(() => compile(['/a/'], { engine: 'obdd', engineOptions: { grouping: { groupSize: 'many' as never } } })).toThrow(UsageError);
  });
});

describe('hardness and partitions', () => {
  const h = (s: string): number => hardness(parseSignature(s).ir);
  it('scores wide counters and mid-pattern broad loops, not narrow repeats or literals', () => {
    expect(h('/abc/')).toBe(0);
    expect(h('/id=\\d{1,5}x/')).toBe(0);
    expect(h('/a[^\\n]{200}/')).toBe(200);
    expect(h('/GET.{0,500}cmd/s')).toBe(500);
    expect(h('/user.*pass/s')).toBeGreaterThan(0);
    expect(h('/.*pass/s')).toBe(0); // a leading loop is the implicit unanchored loop
  });
  it('hard partition isolates hard signatures and keeps every id exactly once', () => {
    const srcs = ['/a/', '/b[^\\n]{100}/', '/c/', '/d.*e/s', '/f/', '/g/'];
    const sigs: Array<NfaSignatureInput | null> = srcs.map((s, id) => ({ id, ir: parseSignature(s).ir, anchored: false }));
    sigs[4] = null;
    const groups = partitionSignatures(sigs, { groupSize: 10, partition: 'hard', hardThreshold: 16, hardGroupSize: 1 });
    expect(groups).toEqual([[0, 2, 5], [1], [3]]);
    expect(partitionSignatures(sigs, { groupSize: 2 })).toEqual([[0, 1], [2, 3], [5]]);
  });
  it('copies of a signature share a group and do not count against groupSize', () => {
    const srcs = ['/a/', '/b[^\\n]{100}/', '/a/', '/c/', '/b[^\\n]{100}/', '/d/'];
    const sigs: Array<NfaSignatureInput | null> = srcs.map((s, id) => ({ id, ir: parseSignature(s).ir, anchored: false }));
    expect(partitionSignatures(sigs, { groupSize: 2 })).toEqual([[0, 2, 1, 4], [3, 5]]);
    expect(partitionSignatures(sigs, { groupSize: 10, partition: 'hard', hardThreshold: 16 })).toEqual([[0, 2, 3, 5], [1, 4]]);
  });
});

describe('compile() with engineOptions.grouping', () => {
  it('builds the grouped engine for obdd and obdd2 and agrees with nfa', () => {
    const srcs = ['/foo/i', '/ba[rz]+/', '/^GET [^\\n]{4}/m', '/x.{0,3}y/s', '/\\d{3}$/', '/(?!)/'];
    const input = new TextEncoder().encode('GET /fooBARZ x12y 123\nGET abcd 456');
    const ref = compile(srcs, { engine: 'nfa' });
    const expected = run(ref.matcher, [[input]], 'all');
    expect(expected.length).toBeGreaterThan(3);
    for (const engine of ['obdd', 'obdd2'] as const) {
      const r = compile(srcs, { engine, engineOptions: { grouping: { groupSize: 2, partition: 'hard' } } });
      expect(r.matcher.engine).toBe(engine);
      expect(r.matcher.stats().groups).toBeGreaterThan(1);
      expect(r.rejected.map((x) => x.signature)).toEqual(ref.rejected.map((x) => x.signature));
      expect(run(r.matcher, [[input]], 'all')).toEqual(expected);
    }
  });
});
