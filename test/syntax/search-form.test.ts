/**
 * The search form (src/syntax/search-form.ts) must report exactly the match ends of the
 * signature as written. Oracles: V8 RegExp on both forms of random IR (independent of our
 * NFA), and the explicit NFA engine on real ET Open pcres over real HTTP payloads.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import type { Matcher } from '../../src/matcher/types.js';
import { payloadsFromCaptures } from '../../src/compare/index.js';
import { expandedSize, irEquals } from '../../src/syntax/ir-build.js';
import type { Ir } from '../../src/syntax/ir.js';
import { parseSignature } from '../../src/syntax/index.js';
import { searchForm } from '../../src/syntax/search-form.js';
import { byteSet, inputArb, irArb, irToJs, latin1, v8MatchEnds } from '../support/random-ir.js';

const TEXT_START: Ir = { kind: 'assert', assertion: 'text-start' };
const LINE_START: Ir = { kind: 'assert', assertion: 'line-start' };
const ALL = byteSet(Array.from({ length: 256 }, (_, i) => i));
const NOT_NL = byteSet(Array.from({ length: 256 }, (_, i) => i).filter((b) => b !== 10));

/** Signatures shaped like the ones the rewrite targets: a leading loop, anchor or counter. */
const leadingArb: fc.Arbitrary<Ir> = fc
  .tuple(
    fc.constantFrom('loop', 'any', 'line', 'group', 'plain'),
    irArb(),
    irArb(),
    fc.nat(2),
    fc.oneof(fc.nat(3), fc.constant(Infinity)),
  )
  .map(([shape, x, rest, a, b]): Ir => {
    const min = Math.min(a, b);
    const max = b === Infinity ? Infinity : Math.max(a, b);
    switch (shape) {
      case 'loop':
        return { kind: 'concat', items: [{ kind: 'repeat', item: x, min, max, greedy: false }, rest] };
      case 'any':
        return { kind: 'concat', items: [TEXT_START, { kind: 'repeat', item: { kind: 'bytes', set: ALL }, min, max: Infinity, greedy: true }, rest] };
      case 'line':
        return { kind: 'concat', items: [LINE_START, { kind: 'repeat', item: { kind: 'bytes', set: b === Infinity ? ALL : NOT_NL }, min, max: Infinity, greedy: true }, rest] };
      case 'group': {
        const body: Ir = { kind: 'concat', items: [{ kind: 'repeat', item: { kind: 'bytes', set: ALL }, min: 0, max: Infinity, greedy: false }, x] };
        return { kind: 'concat', items: [TEXT_START, { kind: 'repeat', item: body, min: Math.max(1, min), max: Math.max(1, min) + 1, greedy: true }, rest] };
      }
      default:
        return x;
    }
  });

function anchoredOf(ir: Ir): boolean {
  return ir.kind === 'concat' ? irEquals(ir.items[0]!, TEXT_START) : irEquals(ir, TEXT_START);
}

describe('search form', () => {
  it('random signatures: the same match ends as written (V8 on both forms)', () => {
    fc.assert(
      fc.property(fc.oneof(leadingArb, irArb()), inputArb, (ir, input) => {
        const sf = searchForm(ir);
        const s = latin1(input);
        // `anchored` only matters for the oracle's start positions; the IR carries \A itself.
        expect(v8MatchEnds(irToJs(sf.ir), sf.anchored, s)).toEqual(v8MatchEnds(irToJs(ir), anchoredOf(ir), s));
      }),
      { numRuns: 1500 },
    );
  });

  it('trims what only re-describes the free start, and nothing else', () => {
    const cases: Array<[string, string]> = [
      ['/.+INSERT.+INTO/i', '/.INSERT.+INTO/i'],
      ['/[^&]*(?:SELECT|UNION)/', '/(?:SELECT|UNION)/'],
      ['/\\S{20,40}\'>/', '/\\S{20}\'>/'],
      ['/[^0-9a-f]{1,3}68[^0-9a-f]{1,3}74/', '/[^0-9a-f]68[^0-9a-f]{1,3}74/'],
      ['/^.*?foo/s', '/foo/'],
      ['/^(?:.*?(?:ab|cd)){3}/s', '/(?:ab|cd)(?:.*?(?:ab|cd)){2}/s'],
      ['/^[^\\n]*foo/m', '/foo/'],
      ['/^.+?bar/m', '/.bar/'],
      ['/(?:a*|b)c/', '/c/'],
      ['/x?y/', '/y/'],
      // unchanged: the start is pinned by an assertion or by the anchor
      ['/^[^\\n]*foo/', '/^[^\\n]*foo/'],
      ['/\\b.*foo/', '/\\b.*foo/'],
      ['/^.*foo/', '/^.*foo/'],
      ['/foo.*/', '/foo.*/'],
    ];
    for (const [given, expected] of cases) {
      const got = searchForm(parseSignature(given).ir);
      const want = parseSignature(expected);
      expect(irEquals(got.ir, want.ir), `${given} -> ${expected}`).toBe(true);
      expect(got.anchored, given).toBe(want.anchored);
    }
    expect(expandedSize(searchForm(parseSignature('/[^\\x26]{1,720}x/').ir).ir)).toBe(2);
  });

  it('real ET Open pcres over real HTTP payloads: identical matches with and without it', () => {
    const text = readFileSync(new URL('../../traces/rules/emerging-web_server.rules', import.meta.url), 'latin1');
    const pcres = [...text.matchAll(/pcre:"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
    expect(pcres.length).toBeGreaterThan(100);
    const caps = [new URL('../../traces/pcap/get.pcap', import.meta.url).pathname];
    const inputs = payloadsFromCaptures(caps).inputs;
    // Plus text that exercises the trimmed prefixes (long lines, SQL words, counters).
    const extra = new TextEncoder().encode('GET /index.php?id=1 UNION SELECT a FROM b INSERT INTO t\n' + 'x='.padEnd(900, 'A') + '&\n');
    const all = [...inputs, extra];
    const run = (m: Matcher): string[] => {
      const out: string[] = [];
      let k = 0;
      const sc = m.createScratch({ mode: 'all' });
      for (const buf of all) {
        m.scan(sc, buf, (s, e) => out.push(`${k}:${s}:${e}`));
        m.finish(sc, (s, e) => out.push(`${k}:${s}:${e}`));
        m.reset(sc);
        k++;
      }
      return out.sort();
    };
    const trimmed = compile(pcres, { engine: 'nfa' });
    const asWritten = compile(pcres, { engine: 'nfa', searchForm: false });
    expect(trimmed.rejected.map((r) => r.signature)).toEqual(asWritten.rejected.map((r) => r.signature));
    expect(trimmed.nfa.states).toBeLessThan(asWritten.nfa.states);
    const got = run(trimmed.matcher);
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(run(asWritten.matcher));
  });
});
