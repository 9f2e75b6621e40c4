/**
 * The backtracking demonstration on tiny lengths: every engine finds no match on a's
 * alone, each series is timed, the guard stops a regexp series after the first length over
 * it, and the markdown table lists what was measured.
 */
import { describe, expect, it } from 'vitest';
import { pathologicalMarkdown, runPathological } from '../../bench/lib/pathological.js';
import { compile } from '../../src/compile.js';
import { irEquals } from '../../src/syntax/ir-build.js';
import { parseSignature } from '../../src/syntax/index.js';
import { searchForm } from '../../src/syntax/search-form.js';

describe('runPathological', () => {
  it('measures regexp and automata on short inputs; nobody matches', () => {
    const r = runPathological({ lengths: [6, 8, 10], guardMs: 60_000, automata: ['nfa', 'dfa'], longBytes: 4096 });
    expect(r.rows.map((x) => x.n)).toEqual([6, 8, 10]);
    for (const row of r.rows) {
      expect(row.regexpTest).not.toBeNull();
      expect(row.regexpScan).not.toBeNull();
      expect(row.automata.nfa).toBeGreaterThan(0);
      expect(row.automata.dfa).toBeGreaterThan(0);
    }
    expect(r.matches).toEqual({ 'regexp test': 0, 'regexp scan': 0, nfa: 0, dfa: 0 });
    expect(r.longMBps.nfa).toBeGreaterThan(0);
    const md = pathologicalMarkdown(r);
    expect(md).toMatch(/\| 6 \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \|/);
    expect(md).toMatch(/\| 4\.0 KiB, MB\/s \| \| \| [\d.]+ \| [\d.]+ \|/);
  });

  it('the guard stops a series after the first length over it', () => {
    const r = runPathological({ lengths: [4, 5, 6], guardMs: 0, automata: ['nfa'], longBytes: 1024 });
    expect(r.rows[0]!.regexpTest).not.toBeNull();
    expect(r.rows[1]!.regexpTest).toBeNull();
    expect(r.rows[2]!.regexpScan).toBeNull();
    expect(pathologicalMarkdown(r)).toContain('stopped');
  });
});

describe('searchForm: false, which the demo uses for its V8 series', () => {
  it('keeps /(a+)+b/ as written (the search form makes it /ab/, which cannot backtrack) with the same ends', () => {
    // What the demo relies on: as written, the IR keeps the nested repeat; trimmed it does not.
    const written = parseSignature('/(a+)+b/').ir;
    expect(irEquals(searchForm(written).ir, parseSignature('/ab/').ir)).toBe(true);
    expect(irEquals(written, parseSignature('/ab/').ir)).toBe(false);
    // Both forms report the same ends, so only the demo cares which one V8 runs.
    const ends = (searchFormOn: boolean): number[] => {
      const m = compile(['/(a+)+b/'], { engine: 'regexp', engineOptions: { guard: 'none' }, searchForm: searchFormOn }).matcher;
      const out: number[] = [];
      const sc = m.createScratch();
      m.scan(sc, new TextEncoder().encode('xaaab aab'), (_s, e) => out.push(e));
      m.finish(sc, () => {});
      return out;
    };
    expect(ends(false)).toEqual(ends(true));
    expect(ends(false)).toEqual([5, 9]);
  });
});
