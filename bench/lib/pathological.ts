/**
 * Why automata matter, measured: signatures on which V8's backtracking `RegExp` takes time
 * exponential in the input length, while the automaton engines stay linear.
 *
 * - `/(a+)+b/` on "aaa…a" (no b): `RegExp.test`, what a Node developer writes (the regexp
 *   engine's `isMatch`), tries every way of splitting the run of a's among the nested
 *   repeats before giving up at each start: about 2^n steps.
 * - `/x(a+)+/` on the same input: the `regexp` engine's all-ends scan runs each signature
 *   as a lookbehind `(?<=R)` (it matches R backwards from every end), so the mirror image
 *   of the classic shape explodes there, 2^e steps at end e.
 * The automaton engines read each byte once, whatever the signature.
 *
 * Time guard: V8 cannot interrupt a regex, so n grows one by one and stops at the first
 * length whose time passes `guardMs` (the last measurement then costs about 2 × guardMs).
 */
import { performance } from 'node:perf_hooks';
import { compile } from '../../src/compile.js';
import type { EngineName, Matcher } from '../../src/matcher/types.js';
import { formatBytes } from '../../src/compare/format.js';

export interface PathologicalOptions {
  /** Input lengths tried (a's). @default 10..40 */
  lengths?: readonly number[];
  /** Stop a backtracking series once one measurement exceeds this. @default 1000 */
  guardMs?: number;
  /** Automaton engines measured. @default ['nfa', 'obdd', 'dfa'] */
  automata?: readonly EngineName[];
  /** Bytes of a's for the automata's throughput line. @default 1 << 20 */
  longBytes?: number;
}

export interface PathologicalRow {
  n: number;
  /** `/(a+)+b/`, `RegExp.test`: ms, or null once the guard stopped the series. */
  regexpTest: number | null;
  /** `/x(a+)+/`, regexp engine scan + finish ('all' mode). */
  regexpScan: number | null;
  /** Per automaton engine: ms to scan + finish the input with both signatures. */
  automata: Record<string, number>;
}

export interface PathologicalResult {
  signatures: string[];
  guardMs: number;
  rows: PathologicalRow[];
  /** Automata on `longBytes` of a's: MB/s per engine (linear time: same order as usual). */
  longMBps: Record<string, number>;
  longBytes: number;
  /** Matches each engine reported on the longest input (all zero: no b, no x). */
  matches: Record<string, number>;
}

export const PATHOLOGICAL_SIGNATURES = ['/(a+)+b/', '/x(a+)+/'] as const;

/**
 * ms per call of `f`: repeated until `minMs` passed (resolves µs timings), best of 3 (a GC
 * pause in one batch is not the engine's cost).
 */
function timeIt(f: () => void, minMs = 3): number {
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    let reps = 0;
    const t0 = performance.now();
    let t = t0;
    do {
      f();
      reps++;
      t = performance.now();
    } while (t - t0 < minMs);
    best = Math.min(best, (t - t0) / reps);
  }
  return best;
}

function scanAll(m: Matcher, input: Uint8Array): number {
  let count = 0;
  const cb = (): void => {
    count++;
  };
  const sc = m.createScratch({ mode: 'all' });
  m.scan(sc, input, cb);
  m.finish(sc, cb);
  return count;
}

export function runPathological(options: PathologicalOptions = {}): PathologicalResult {
  const lengths = options.lengths ?? Array.from({ length: 31 }, (_, i) => 10 + i);
  const guardMs = options.guardMs ?? 1000;
  const automata = options.automata ?? (['nfa', 'obdd', 'dfa'] as const);
  const longBytes = options.longBytes ?? 1 << 20;
  const sigs = [...PATHOLOGICAL_SIGNATURES];

  // guard 'none': measure V8 itself in this thread (the worker guard would cut it short).
  // searchForm false: V8 runs the pattern as written (the search form would compile
  // /(a+)+b/ as /ab/, which no longer backtracks: the point here is the pattern a user writes).
  const asWritten = { engine: 'regexp', engineOptions: { guard: 'none' }, searchForm: false } as const;
  const testOnly = compile([sigs[0]!], asWritten).matcher as Matcher & {
    isMatch(b: Uint8Array): number[];
  };
  const scanOnly = compile([sigs[1]!], asWritten).matcher;
  const machines = automata.map((e) => ({ engine: e, m: compile(sigs, { engine: e }).matcher }));

  const rows: PathologicalRow[] = [];
  const matches: Record<string, number> = {};
  let testAlive = true;
  let scanAlive = true;
  for (const n of lengths) {
    const input = new Uint8Array(n).fill(0x61);
    const row: PathologicalRow = { n, regexpTest: null, regexpScan: null, automata: {} };
    if (testAlive) {
      const t0 = performance.now();
      const hit = testOnly.isMatch(input);
      row.regexpTest = performance.now() - t0;
      matches['regexp test'] = hit.length;
      if (row.regexpTest > guardMs) testAlive = false;
    }
    if (scanAlive) {
      const t0 = performance.now();
      matches['regexp scan'] = scanAll(scanOnly, input);
      row.regexpScan = performance.now() - t0;
      if (row.regexpScan > guardMs) scanAlive = false;
    }
    for (const { engine, m } of machines) {
      row.automata[engine] = timeIt(() => {
        matches[engine] = scanAll(m, input);
      });
    }
    rows.push(row);
  }
  const long = new Uint8Array(longBytes).fill(0x61);
  const longMBps: Record<string, number> = {};
  for (const { engine, m } of machines) {
    const ms = timeIt(() => scanAll(m, long), 30);
    longMBps[engine] = longBytes / 1e6 / (ms / 1000);
  }
  return { signatures: sigs, guardMs, rows, longMBps, longBytes, matches };
}

/** A markdown table of the result (rows where something was measured by the regexps). */
export function pathologicalMarkdown(r: PathologicalResult): string {
  const engines = Object.keys(r.longMBps);
  const fmt = (x: number | null): string => (x === null ? 'stopped' : x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(3));
  const lines = [
    `| n (a's) | \`${r.signatures[0]}\` RegExp.test, ms | \`${r.signatures[1]}\` regexp engine scan, ms | ${engines.map((e) => `${e}, ms (both)`).join(' | ')} |`,
    `|---:|---:|---:|${engines.map(() => '---:').join('|')}|`,
  ];
  // Every other length keeps the table short; the regexps' last (guard-tripping) lengths
  // and the longest input are always shown.
  const keep = r.rows.filter((row, i) => {
    const next = r.rows[i + 1];
    const lastTest = row.regexpTest !== null && (next === undefined || next.regexpTest === null);
    const lastScan = row.regexpScan !== null && (next === undefined || next.regexpScan === null);
    return i % 2 === 0 || lastTest || lastScan || i === r.rows.length - 1;
  });
  for (const row of keep) {
    lines.push(`| ${row.n} | ${fmt(row.regexpTest)} | ${fmt(row.regexpScan)} | ${engines.map((e) => fmt(row.automata[e] ?? null)).join(' | ')} |`);
  }
  lines.push(`| ${formatBytes(r.longBytes)}, MB/s | | | ${engines.map((e) => r.longMBps[e]!.toFixed(1)).join(' | ')} |`);
  return lines.join('\n');
}
