/**
 * The backtracking demonstration on tiny lengths: every engine finds no match on a's
 * alone, each series is timed, the guard stops a regexp series after the first length over
 * it, and the markdown table lists what was measured.
 */
import { describe, expect, it } from 'vitest';
import { pathologicalMarkdown, runPathological } from '../../src/compare/pathological.js';

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
