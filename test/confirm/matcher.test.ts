/**
 * Confirmed signatures through compile(): every engine reports exactly the exact matcher's
 * ends for them (and its usual ends for the others), in one buffer or in chunks, in 'all'
 * and 'set' mode; the budget, the stop and throw protocol, `confirm: false`; and the
 * replay of rules whose pcres need confirmation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile, type CompileOptions } from '../../src/compile.js';
import { ExactMatcher } from '../../src/confirm/exact.js';
import { ConfirmingMatcher, MAX_FAILURES_KEPT } from '../../src/confirm/matcher.js';
import { CallbackError, UnsupportedFeatureError } from '../../src/errors.js';
import { scanBlock } from '../../src/matcher/block.js';
import type { Matcher } from '../../src/matcher/types.js';
import { prepareRules, Replayer, type Alert } from '../../src/replay/index.js';
import { parseSignature } from '../../src/syntax/index.js';
import { ends as irEnds } from '../../src/syntax/ir-reference.js';
import { bytes, pcapFile, tcpPacket } from '../pcap/build.js';
import { runReports, split } from '../support/inputs.js';

const SIGS = [
  '/(\\w+) \\1/', // backreference
  '/ab(?=c)/', // lookahead
  '/(?<!a)bc/', // lookbehind
  '/a++b/', // possessive
  '/(?>a|ab)c/', // atomic: never matches "abc" at its a
  '/(?i)(ab)x\\1/', // caseless backreference
  '/c(?!a[ab]{0,3}c)/', // negative lookahead reaching 5 bytes past the end
  '/(?<=ab|b c)a/', // lookbehind branches of different lengths
  '/abc/', // plain: goes straight through
  '/b\\b/',
];

const CONFIGS: Array<[string, CompileOptions]> = [
  ['default (nfa+prefilter)', {}],
  ['nfa', { engine: 'nfa' }],
  ['obdd', { engine: 'obdd' }],
  ['dfa', { engine: 'dfa' }],
  ['mdfa', { engine: 'mdfa' }],
  ['regexp', { engine: 'regexp', engineOptions: { guard: 'none' } }],
];

/** What the signatures must report on `input`: (signature, end) sorted, from the reference matchers. */
function expected(input: Uint8Array, mode: 'all' | 'set'): string[] {
  const out: string[] = [];
  const all = new Set(Array.from({ length: input.length + 1 }, (_, i) => i));
  SIGS.forEach((src, sig) => {
    const p = parseSignature(src, { confirm: true });
    let ends: number[];
    if (p.exact) {
      const r = new ExactMatcher(p.exact, p.anchored).confirmEnds(input, input.length, true, [...all]);
      if (!Array.isArray(r)) throw new Error('budget');
      ends = r;
    } else {
      ends = [...irEnds(p.ir, input, all)].sort((a, b) => a - b);
    }
    if (mode === 'set') ends = ends.slice(0, 1);
    for (const e of ends) out.push(`${sig}@${e}`);
  });
  return out.sort();
}

/** Reports of `input` scanned in chunks cut at `cuts` (then finish), as sorted "sig@end". */
function chunked(m: Matcher, input: Uint8Array, cuts: number[], mode: 'all' | 'set'): string[] {
  return runReports(m, split(input, cuts), mode);
}

const inputArb = fc
  .array(fc.constantFrom(...'abcx AB'.split('')), { maxLength: 24 })
  .map((cs) => bytes(cs.join('')));

describe('confirmed signatures through compile()', () => {
  for (const [name, options] of CONFIGS) {
    it(`${name}: exactly the exact matcher's ends, in one buffer and in chunks, 'all' and 'set'`, () => {
      const r = compile(SIGS, options);
      expect(r.rejected).toEqual([]);
      expect(r.matcher.stats().confirmedSignatures).toBe(8);
      fc.assert(
        fc.property(inputArb, fc.array(fc.nat(), { maxLength: 5 }), (input, cuts) => {
          for (const mode of ['all', 'set'] as const) {
            const want = expected(input, mode);
            expect(scanBlock(r.matcher, input, { mode }).map((x) => `${x.signature}@${x.end}`).sort()).toEqual(want);
            expect(chunked(r.matcher, input, cuts, mode)).toEqual(want);
          }
        }),
        { numRuns: 60 },
      );
      (r.matcher as { close?: () => void }).close?.();
    });
  }

  it('hand-checked answers (PCRE): backreference, atomic, lookarounds', () => {
    const r = compile(SIGS);
    const hits = (s: string): string[] => scanBlock(r.matcher, bytes(s)).map((x) => `${x.signature}@${x.end}`);
    expect(hits('hey hey')).toEqual(['0@7']);
    expect(hits('hey hex')).toEqual([]);
    expect(hits('abx').sort()).toEqual(['3@2']); // ab(?=c) fails: not followed by c
    // (?<!a)bc fails after a; (?>a|ab)c commits to a and never tries ab; b is followed by a word byte.
    expect(hits('abc').sort()).toEqual(['1@2', '3@2', '6@3', '8@3']);
    expect(hits('xbc').sort()).toEqual(['2@3', '6@3']);
    expect(hits('aab').sort()).toEqual(['3@3', '9@3']);
    expect(hits('abxAB').sort()).toEqual(['3@2', '5@5']);
    expect(hits('abcx')).toContain('6@3'); // c not followed by a[ab]{0,3}c
    expect(hits('cabbc')).not.toContain('6@1');
  });

  it('a big counted repeat runs coarser in the automaton ({16,}), and confirmation keeps the exact count', () => {
    const r = compile(['/(a)[^x]{20,24}\\1/'], { engine: 'nfa' });
    const loose = compile(['/(a)[^x]{20,24}\\1/'], { engine: 'nfa', confirm: false });
    expect(loose.rejected).toHaveLength(1);
    expect(Number(r.matcher.stats().states)).toBeLessThan(30);
    const hits = (s: string): number[] => scanBlock(r.matcher, bytes(s)).map((x) => x.end);
    expect(hits(`a${'b'.repeat(22)}a`)).toEqual([24]);
    expect(hits(`a${'b'.repeat(17)}a`)).toEqual([]); // the automaton's candidate, refused
    expect(hits(`a${'b'.repeat(25)}a`)).toEqual([]);
    expect(r.matcher.stats().confirmCandidates).toBeGreaterThanOrEqual(2);
  });

  it('a lookahead past the chunk waits for its bytes, or for finish', () => {
    const r = compile(['/foo(?=bar)/', '/foo(?!bar)/']);
    const m = r.matcher;
    const sc = m.createScratch();
    const got: string[][] = [];
    for (const part of ['fo', 'ob', 'ar', 'foob']) {
      const now: string[] = [];
      m.scan(sc, bytes(part), (s, e) => void now.push(`${s}@${e}`));
      got.push(now);
    }
    const last: string[] = [];
    m.finish(sc, (s, e) => void last.push(`${s}@${e}`));
    // foo at end 3 is decided once "bar" (3 more bytes) arrived; the second foo (end 9)
    // only at finish, when "b" is known to be the last byte.
    expect(got).toEqual([[], [], ['0@3'], []]);
    expect(last).toEqual(['1@9']);
  });

  it('a confirmation past its budget is a failure, named and counted, never a silent report', () => {
    const failures: unknown[] = [];
    // The over-approximation (a|aa)+ matches everywhere; the exact pattern tries every way
    // to split the a's before its lookbehind fails: exponential.
    const r = compile(['/(?:a|aa)+(?<=b)/', '/aaa/'], { confirm: { budgetMs: 5, onFailure: (f) => void failures.push(f) } });
    const input = bytes(`${'a'.repeat(40)}c`);
    const got = scanBlock(r.matcher, input);
    expect(got.some((x) => x.signature === 0)).toBe(false);
    expect(got.filter((x) => x.signature === 1).length).toBe(38);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ signature: 0, reason: 'budget' });
    expect((r.matcher as unknown as { failures(): unknown[] }).failures()).toEqual(failures);
    expect(r.matcher.stats().confirmExhausted).toBe(1);
  });

  it('past MAX_FAILURES_KEPT the failure list still names every signature that failed (its first failure)', () => {
    const r = compile(['/(?:a|aa)+(?<=b)/', '/(?:b|bb)+(?<=a)/'], { confirm: { budgetMs: 1e-6 } });
    const m = r.matcher as ConfirmingMatcher;
    const as = bytes(`${'a'.repeat(24)}c`);
    for (let i = 0; i <= MAX_FAILURES_KEPT; i++) scanBlock(m, as);
    scanBlock(m, bytes(`${'b'.repeat(24)}c`));
    expect(m.failureCount).toBe(MAX_FAILURES_KEPT + 2);
    expect(m.failures()).toHaveLength(MAX_FAILURES_KEPT + 1);
    expect([...new Set(m.failures().map((f) => f.signature))]).toEqual([0, 1]);
    expect(m.lastFailure?.signature).toBe(1);
  });

  it('a callback returning true stops; one that throws gives CallbackError; the scratch works again', () => {
    const r = compile(['/(x)\\1/', '/y/']);
    const m = r.matcher;
    const sc = m.createScratch();
    let n = 0;
    expect(m.scan(sc, bytes('xx y xx'), () => ++n === 1)).toBe(true);
    expect(n).toBe(1);
    expect(m.finish(sc, () => undefined)).toBe(true);
    const boom = new Error('boom');
    // 'xx ': the end after xx is decided once the next byte is there (a \1 may be followed by \b…).
    expect(() => m.scan(sc, bytes('xx '), () => { throw boom; })).toThrow(CallbackError);
    try {
      m.scan(sc, bytes('xx '), () => { throw boom; });
    } catch (e) {
      expect((e as CallbackError).cause).toBe(boom);
    }
    expect(scanBlock(m, bytes('xx'))).toEqual([{ signature: 0, end: 2 }]);
  });

  it('confirm: false rejects them as before, naming the feature', () => {
    const r = compile(['/(a)\\1/', '/a(?=b)/', '/ok/'], { confirm: false });
    expect(r.rejected.map((x) => x.signature)).toEqual([0, 1]);
    expect(r.rejected[0]!.error).toBeInstanceOf(UnsupportedFeatureError);
    expect((r.rejected[0]!.error as UnsupportedFeatureError).feature).toBe('backreference');
    expect((r.rejected[1]!.error as UnsupportedFeatureError).feature).toBe('lookahead');
    expect(r.matcher.stats().confirmedSignatures).toBeUndefined();
  });

  it('what no automaton prefilter can help still gets its typed error', () => {
    const r = compile(['/a(?R)?b/', '/(a)(?(1)b|c)/', '/a\\Kb/', '/a(?C1)b/']);
    expect(r.rejected.map((x) => (x.error as UnsupportedFeatureError).feature)).toEqual(['recursion', 'conditional group', '\\K', 'callout']);
  });
});

describe('replay of rules that need confirmation', () => {
  const C = [10, 0, 0, 1];
  const S = [10, 0, 0, 2];
  const capture = (payloads: string[]): Uint8Array =>
    pcapFile(
      payloads.map((p, i) => ({
        sec: 1_600_000_000 + i,
        sub: 0,
        data: tcpPacket({ src: C, dst: S, sport: 40000, dport: 80, seq: 1000 + i * 100, ack: 1, flags: 0x18, payload: bytes(p) }),
      })),
    );
  const rules =
    'alert tcp any any -> any 80 (msg:"repeated word"; content:"GET"; pcre:"/GET \\/(\\w+)\\/\\1/"; sid:1;)\n' +
    'alert tcp any any -> any 80 (msg:"not after x"; pcre:"/(?<!x)evil(?=\\.php)/"; sid:2;)\n';

  it('fire exactly where PCRE matches, and the summary counts the confirmations', async () => {
    const prepared = prepareRules({ ruleTexts: [{ file: 't.rules', text: rules }] });
    expect(prepared.rejected).toEqual([]);
    const alerts: Alert[] = [];
    const replayer = new Replayer(prepared.detector, { mode: 'packet' });
    const res = await replayer.replay(
      capture(['GET /abc/abc', 'GET /abc/abd', 'GET /evil.php', 'GET /xevil.php', 'GET /evil.phx']),
      't.pcap',
      (a) => alerts.push(a),
    );
    expect(alerts.map((a) => `${a.rule.sid}@${a.packet}`)).toEqual(['1@1', '2@3']);
    expect(res.confirmExhausted).toBe(0);
    expect(replayer.stats.confirm.signatures).toBe(2);
    expect(replayer.stats.confirm.confirmed).toBeGreaterThanOrEqual(2);
  });

  it('with confirm off, those rules are rejected as unsupported patterns', () => {
    const prepared = prepareRules({ ruleTexts: [{ file: 't.rules', text: rules }], confirm: false });
    expect(prepared.rejected.map((r) => r.kind)).toEqual(['unsupported-pattern', 'unsupported-pattern']);
  });

  it('a confirmation out of budget is counted and named with its packet and rule', async () => {
    const slow = 'alert tcp any any -> any 80 (msg:"slow"; content:"aaaa"; pcre:"/(?:a|aa)+(?<=b)/"; sid:7;)\n';
    const prepared = prepareRules({ ruleTexts: [{ file: 't.rules', text: slow }], confirm: { budgetMs: 5 } });
    const res = await new Replayer(prepared.detector, { mode: 'packet' }).replay(capture(['x', `${'a'.repeat(40)}c`]), 't.pcap', () => undefined);
    expect(res.confirmExhausted).toBe(1);
    expect(res.confirmExhaustedFirst).toMatch(/^packet 2: rule sid 7 \(pcre .*\): confirmation ran out of time/);
  });
});
