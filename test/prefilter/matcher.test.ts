/**
 * The prefiltered matcher against the plain engines: random IR signature sets, inputs and
 * chunkings, both modes, with literal lengths and history sizes small enough that units
 * are activated late in a stream, replayed over history and promoted when an input
 * outgrows it. The reference is the explicit NFA engine on the ordinary (shared-entry)
 * NFA, itself checked against V8 elsewhere.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { programBytesOf } from '../../src/compare/compare.js';
import { buildNfaMatcher } from '../../src/engines/explicit/matcher.js';
import { buildObddMatcher } from '../../src/engines/obdd/index.js';
import { isLiveMatcher } from '../../src/matcher/live.js';
import { buildNfa, type NfaSignatureInput } from '../../src/nfa/build.js';
import { buildPrefilteredMatcher } from '../../src/prefilter/matcher.js';
import { inputArb, signatureSetArb } from '../support/random-ir.js';
import { runReports, split } from '../support/inputs.js';
import type { Matcher } from '../../src/matcher/types.js';

const sigsArb = signatureSetArb(5);

const optionsArb = fc.record({
  minLiteral: fc.integer({ min: 1, max: 3 }),
  maxLiteral: fc.integer({ min: 1, max: 4 }),
  historyBytes: fc.integer({ min: 1, max: 12 }),
});

/** A longer input: several random pieces, so streams outgrow small histories. */
const longInputArb = fc.array(inputArb, { minLength: 1, maxLength: 4 }).map((parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
});

/** The live engines: explicit NFA with and without its step cache, NFA-OBDD with and without the step memo. */
const LIVE_ENGINES = ['nfa', 'nfa-memo', 'nfa-memo-tiny', 'obdd', 'obdd-nomemo'] as const;
type LiveEngine = (typeof LIVE_ENGINES)[number];

function live(sigs: NfaSignatureInput[], engine: LiveEngine = 'nfa'): Matcher {
  const nfa = buildNfa(sigs, { entries: 'per-unit' });
  if (engine === 'nfa') return buildNfaMatcher(nfa);
  // A tiny budget drops the step cache every few states (the refill path).
  if (engine === 'nfa-memo') return buildNfaMatcher(nfa, { memo: true });
  if (engine === 'nfa-memo-tiny') return buildNfaMatcher(nfa, { memo: true, memoBudgetBytes: 4096 });
  return buildObddMatcher(nfa, { stride: 1, memo: engine === 'obdd' });
}

describe('per-unit NFA', () => {
  it('every live engine reports the same on per-unit entries as the explicit engine on shared ones (both modes, chunked)', () => {
    fc.assert(
      fc.property(sigsArb, longInputArb, fc.array(fc.nat(), { maxLength: 3 }), fc.constantFrom(...LIVE_ENGINES), (sigs, input, cuts, engine) => {
        const ref = buildNfaMatcher(buildNfa(sigs));
        const m = live(sigs, engine);
        for (const mode of ['all', 'set'] as const) {
          expect(runReports(m, split(input, cuts), mode)).toEqual(runReports(ref, [input], mode));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('prefiltered matcher', () => {
  it('random sets, inputs, chunkings and history sizes: the same reports as the plain engine', () => {
    fc.assert(
      fc.property(sigsArb, longInputArb, fc.array(fc.nat(), { maxLength: 5 }), optionsArb, fc.constantFrom(...LIVE_ENGINES), (sigs, input, cuts, options, engine) => {
        const ref = buildNfaMatcher(buildNfa(sigs));
        const inner = live(sigs, engine);
        if (!isLiveMatcher(inner)) throw new Error('not live');
        const m = buildPrefilteredMatcher(inner, (id) => sigs[id].ir, options);
        const chunks = split(input, cuts);
        for (const mode of ['all', 'set'] as const) {
          const want = runReports(ref, [input], mode);
          expect(runReports(m, chunks, mode)).toEqual(want);
          // A scratch is reusable: a second input on the same scratch gives the same.
          const sc = m.createScratch({ mode });
          const out: string[] = [];
          const cb = (s: number, e: number): void => void out.push(`${s}@${e}`);
          for (let round = 0; round < 2; round++) {
            out.length = 0;
            for (const c of chunks) m.scan(sc, c, cb);
            m.finish(sc, cb);
            expect(out.sort()).toEqual(want);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('gated signatures report exactly their matches in inputs holding a gate alternative, and all or none of them elsewhere', () => {
    const litArb = fc.uint8Array({ minLength: 1, maxLength: 2 }).map((b) => b.map((x) => [0x61, 0x62, 0x20, 0x41][x & 3]));
    // an alternative: one literal, or several that must all occur (a rule's contents)
    const altArb = fc.oneof(litArb, fc.array(litArb, { minLength: 1, maxLength: 3 }));
    const gateArb = fc.option(fc.array(altArb, { minLength: 1, maxLength: 2 }), { nil: undefined });
    const fold = (g: Uint8Array): Buffer => Buffer.from(g.map((b) => (b >= 0x41 && b <= 0x5a ? b + 0x20 : b)));
    fc.assert(
      fc.property(sigsArb, fc.array(gateArb, { minLength: 5, maxLength: 5 }), longInputArb, fc.array(fc.nat(), { maxLength: 5 }), optionsArb, fc.constantFrom(...LIVE_ENGINES), (sigs, gates, input, cuts, options, engine) => {
        const ref = buildNfaMatcher(buildNfa(sigs));
        const inner = live(sigs, engine);
        if (!isLiveMatcher(inner)) throw new Error('not live');
        const m = buildPrefilteredMatcher(inner, (id) => sigs[id].ir, { ...options, minLiteral: 1 }, [], (id) => gates[id]);
        const folded = Buffer.from(input.map((b) => (b >= 0x41 && b <= 0x5a ? b + 0x20 : b)));
        const present = (id: number): boolean =>
          gates[id] === undefined || gates[id]!.some((alt) => (alt instanceof Uint8Array ? [alt] : alt).every((g) => folded.includes(fold(g))));
        for (const mode of ['all', 'set'] as const) {
          const all = runReports(ref, [input], mode);
          const got = runReports(m, split(input, cuts), mode);
          // Every match of a signature whose gate occurs; for the others, all or none of its
          // matches (gates are searched as windows of maxLiteral bytes, and a stream that
          // outgrows the history runs gated signatures from then on).
          const sigOf = (r: string): number => Number(r.split('@')[0]);
          for (const id of new Set(all.map(sigOf))) {
            const mine = got.filter((r) => sigOf(r) === id);
            const theirs = all.filter((r) => sigOf(r) === id);
            if (present(id)) expect(mine).toEqual(theirs);
            else expect(mine.length === 0 || mine.join() === theirs.join()).toBe(true);
          }
          expect(got.every((r) => all.includes(r))).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('a skip hint leaves the reports of the other signatures unchanged and reports no skipped one alone (both modes, chunked, gated)', () => {
    const litArb = fc.uint8Array({ minLength: 1, maxLength: 2 }).map((b) => b.map((x) => [0x61, 0x62, 0x20, 0x41][x & 3]));
    const gateArb = fc.option(fc.array(fc.array(litArb, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 }), { nil: undefined });
    fc.assert(
      fc.property(sigsArb, fc.array(gateArb, { minLength: 5, maxLength: 5 }), fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), longInputArb, fc.array(fc.nat(), { maxLength: 5 }), optionsArb, (sigs, gates, skipped, input, cuts, options) => {
        const inner = live(sigs, 'nfa');
        if (!isLiveMatcher(inner)) throw new Error('not live');
        const m = buildPrefilteredMatcher(inner, (id) => sigs[id].ir, { ...options, minLiteral: 1 }, [], (id) => gates[id]);
        const skip = Uint8Array.from(sigs, (_, id) => (skipped[id] ? 1 : 0));
        const kept = (r: string): boolean => skip[Number(r.split('@')[0])] === 0;
        for (const mode of ['all', 'set'] as const) {
          const full = runReports(m, split(input, cuts), mode);
          const out: string[] = [];
          const sc = m.createScratch({ mode, skip });
          const cb = (sig: number, end: number): void => void out.push(`${sig}@${end}`);
          for (const c of split(input, cuts)) m.scan(sc, c, cb);
          m.finish(sc, cb);
          out.sort();
          expect(out.filter(kept)).toEqual(full.filter(kept));
          expect(out.every((r) => full.includes(r))).toBe(true);
          // a skipped signature reports only beside a kept identical copy (one unit)
          const units = inner.units;
          for (const r of out.filter((x) => !kept(x))) {
            const sig = Number(r.split('@')[0]);
            let u = 0;
            while (u < units.count && !Array.from(units.sigs.subarray(units.sigStart[u], units.sigStart[u + 1])).includes(sig)) u++;
            expect(Array.from(units.sigs.subarray(units.sigStart[u], units.sigStart[u + 1])).some((x) => skip[x] === 0)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gated contents sharing windows, matches straddling chunks, gates completing mid-chunk: exact where the gate holds (property)', () => {
    // Contents over two bytes and gates over two letters, short windows and histories: the
    // same window with different tails, occurrences waiting across chunk boundaries, hits
    // set aside before the gate completes in the same chunk (found by review, 2026-12-03).
    const alpha = [1, 2];
    const litArb = fc.array(fc.constantFrom(...alpha), { minLength: 2, maxLength: 6 }).map((a) => Uint8Array.from(a));
    const gateLit = fc.array(fc.constantFrom(0x67, 0x68), { minLength: 1, maxLength: 2 }).map((a) => Uint8Array.from(a));
    const gateArb = fc.option(fc.array(fc.array(gateLit, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 }), { nil: undefined });
    const specArb = fc.array(fc.record({ content: litArb, nocase: fc.boolean(), gate: gateArb }), { minLength: 1, maxLength: 5 });
    const inputArb2 = fc.array(fc.constantFrom(1, 2, 1, 2, 0x67, 0x68), { maxLength: 60 }).map((a) => Uint8Array.from(a));
    const has = (hay: Uint8Array, lit: Uint8Array): boolean => Buffer.from(hay).includes(Buffer.from(lit));
    fc.assert(
      fc.property(specArb, inputArb2, fc.array(fc.nat(), { maxLength: 6 }), fc.integer({ min: 1, max: 3 }), fc.constantFrom(8, 16, 65536), (specs, input, cuts, maxLiteral, historyBytes) => {
        const sigs = specs.map((x) => (x.gate ? { content: x.content, nocase: x.nocase, gate: x.gate } : { content: x.content, nocase: x.nocase }));
        const plain = compile(sigs, { engine: 'nfa' }).matcher;
        const pre = compile(sigs, { engine: 'nfa', prefilter: { maxLiteral, historyBytes } }).matcher;
        for (const mode of ['all', 'set'] as const) {
          const want = runReports(plain, [input], mode);
          const got = runReports(pre, split(input, cuts), mode);
          specs.forEach((x, id) => {
            const mine = (list: string[]): string[] => list.filter((r) => Number(r.split('@')[0]) === id);
            const present = !x.gate || x.gate.some((alt) => alt.every((l) => has(input, l)));
            if (present) expect(mine(got)).toEqual(mine(want));
            else expect(mine(got).length === 0 || mine(got).join() === mine(want).join()).toBe(true);
          });
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('compile({ prefilter }) on pcre signatures agrees with compile() without it', () => {
    const sigs = ['/(^|x)abc/', '/foo\\d+bar/i', '/^GET \\/admin/', '/(abc|xyz)[^\\n]{0,4}def/', '/\\bpass=\\w{3}/', '/a+/', '/[0-9]{3}/', '/(?:evil|bad)\\.exe$/m'];
    const inputs = ['abcxabc', 'GET /admin FOO12BAR', 'xx abc12def pass=abc', 'evil.exe\nbad.exe', 'nothing here', ''].map((s) => new TextEncoder().encode(s));
    const plain = compile(sigs, { engine: 'nfa' }).matcher;
    for (const engine of ['nfa', 'obdd'] as const)
    for (const mode of ['all', 'set'] as const) {
      const pre = compile(sigs, { engine, prefilter: true }).matcher;
      for (const input of inputs) {
        expect(runReports(pre, [input], mode)).toEqual(runReports(plain, [input], mode));
        expect(runReports(pre, split(input, [3, 7]), mode)).toEqual(runReports(plain, [input], mode));
      }
    }
    expect(compile(sigs, { engine: 'obdd', prefilter: true }).matcher.stats().prefilter).toBeDefined();
    // The residual signatures (here /[0-9]{3}/: no literal) under other engines.
    for (const residual of [{ engine: 'dfa' }, { engine: 'mdfa' }, { engine: 'regexp' }, { engine: 'obdd', engineOptions: { memo: false } }] as const) {
      const pre = compile(sigs, { engine: 'nfa', prefilter: { residual } }).matcher;
      expect(pre.stats().residual).toBeDefined();
      for (const mode of ['all', 'set'] as const) {
        for (const input of inputs) expect(runReports(pre, split(input, [2, 5]), mode)).toEqual(runReports(plain, [input], mode));
      }
    }
  });

  it('a residual engine that cannot build a signature hands it to the explicit NFA (no signature lost)', () => {
    const sigs = ['/[0-9]{3}x/', '/[a-f]{2}[0-9]/', '/evil/'];
    const plain = compile(sigs, { engine: 'nfa' }).matcher;
    // A 3-state budget per group DFA: neither residual signature fits alone.
    const pre = compile(sigs, { engine: 'nfa', prefilter: { residual: { engine: 'mdfa', engineOptions: { maxStates: 3 } } } }).matcher;
    expect((pre as unknown as { rejected: unknown[] }).rejected).toEqual([]);
    expect(pre.stats().residual2).toBeDefined();
    for (const text of ['123x ab1 evil', 'ff9 000x', '']) {
      const input = new TextEncoder().encode(text);
      for (const mode of ['all', 'set'] as const) expect(runReports(pre, split(input, [4]), mode)).toEqual(runReports(plain, [input], mode));
    }
  });

  it('its program size counts the live engine, the searcher and every residual matcher', () => {
    const sigs = ['/[0-9]{3}x/', '/evil\\d/', '/passwd/i'];
    const pre = compile(sigs, { engine: 'nfa', prefilter: { residual: { engine: 'dfa' } } }).matcher.stats();
    const pf = pre.prefilter as Record<string, number>;
    const residual = pre.residual as Record<string, number>;
    expect(pre.residualEngines).toBe('dfa');
    const { prefilter: _p, ...live } = pre;
    expect(programBytesOf(pre)).toBe(programBytesOf(live as typeof pre)! + pf.totalBytes + residual.tableBytes);
  });

  it('an engine that cannot run a subset of its signatures is a UsageError', () => {
    expect(() => compile(['/abc/'], { engine: 'dfa', prefilter: true })).toThrow(/prefilter needs/);
    expect(() => compile(['/abc/'], { engine: 'obdd2', prefilter: true })).toThrow(/prefilter needs/);
    expect(() => compile(['/abc/'], { engine: 'obdd', engineOptions: { grouping: { groups: 2 } } as never, prefilter: true })).toThrow();
    expect(() => compile(['/abc/'], { engine: 'nfa', prefilter: { historyBytes: 0 } })).toThrow(/historyBytes/);
    expect(() => compile(['/abc/'], { engine: 'nfa', prefilter: { frob: 1 } as never })).toThrow(/frob/);
    expect(() => compile(['/abc/'], { engine: 'nfa', prefilter: { residual: { engine: 'nope' } } as never })).toThrow(/unknown engine 'nope'/);
  });
});
