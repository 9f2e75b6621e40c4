/**
 * The whole-run benchmark: our version of the published NFA-OBDD table (Yang et al., RAID
 * 2010) on our data — every engine × the pcre sets × the payloads of the Zeek HTTP and FTP
 * traces × both match modes, from one run — plus the time–space picture and the
 * backtracking demonstration.
 *
 *   npx tsx --expose-gc bench/whole-run.ts [--sets ftp,http,community,et] [--modes set,all]
 *       [--engines nfa,nfa+pf,...] [--time-budget MS] [--runs N] [--quick] [--out DIR]
 *       [--no-pathological]
 *
 * Sets (pcre options as written, duplicates kept, compiled as one set each; the front end
 * rejects what no automaton can express — backreferences, lookaround — and every engine
 * is compared on the signatures all built engines accepted):
 *   ftp        Snort 2 community rules (disabled ones included) aimed at port 21
 *              (selector `ftp` = proto=tcp,dport=21,strict), over the FTP payloads
 *   http       the same for port 80 (selector `http`), over the HTTP payloads
 *   community  every pcre option of the Snort 2 community rules, over HTTP + FTP payloads
 *   et         every pcre option of the active ET Open rules, over HTTP + FTP payloads
 * Modes (--modes, default both, in the order given; each set is compared once per mode):
 *   set        the per-packet match set: each signature reported at most once per payload,
 *              at its earliest end (what Hyperscan's HS_FLAG_SINGLEMATCH reports)
 *   all        every (signature, end) pair
 * Engines (--engines selects a subset by name, default all): nfa (explicit), obdd / obdd2
 * with the memo off (the paper's configuration), obdd+memo / obdd2+memo, dfa (default
 * 100,000-state budget: failing it is a result), mdfa (default 10,000 states per group
 * DFA), regexp (V8, worker-guarded, 250 ms per signature and scan call), and compile()'s
 * literal prefilter (only the signatures whose literals occur in a payload run on it;
 * signatures without a usable literal run on every payload in a residual engine):
 * nfa+pf, obdd+pf (obdd with its default memo; residual = the same engine), nfa+pf/mdfa
 * (residual signatures on an mdfa). Ratios are against nfa, or the first engine selected
 * when nfa is not.
 *
 * Budgets: slow engines would take hours on all payloads, so each engine's first pass
 * stops after --time-budget ms (default 10,000) of scanning, on a prefix of the payload
 * list (files in name order, packets in capture order); bytes scanned are reported and
 * matches are compared per payload among the engines that scanned it. Every engine then
 * rescans its prefix (--runs passes in all, default 3): MB/s is the median pass, i.e. the
 * warm steady state (obdd memo and pair relations filled, JIT warm); the first, cold pass
 * is reported too. Worst case about runs × budget per engine, set and mode.
 * Memory: programBytes from each matcher's stats (compiled program; prefiltered engines:
 * their main engine's), cacheBytes (obdd memo + pair relations after the scans), heapBytes
 * = heap + ArrayBuffer growth across the compile after full GCs (needs --expose-gc;
 * otherwise marked noisy). Compile and memory are tabled from the first mode's run.
 *
 * Writes DIR/whole-run.json (everything, one entry per set and mode), DIR/whole-run.md
 * (tables, one throughput table per mode) and DIR/tradeoff.svg (scan MB/s against memory,
 * log–log; set-mode results when that mode ran). Default DIR: bench/results.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { compareEngines, type CompareResult, type EngineSpec } from '../src/compare/compare.js';
import { payloadsFromCaptures, type Corpus, type SignatureSet } from '../src/compare/corpus.js';
import { formatBytes, formatMBps, formatText } from '../src/compare/format.js';
import { pathologicalMarkdown, runPathological, type PathologicalResult } from './lib/pathological.js';
import { logLogScatterSvg, type PlotPoint } from './lib/svg.js';
import { benchSet, corpusFiles, type BenchSet } from './lib/sets.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1]! : dflt);
const quick = argv.includes('--quick');
const timeBudgetMs = Number(opt('time-budget', quick ? '3000' : '10000'));
const runs = Number(opt('runs', quick ? '1' : '3'));
const outDir = opt('out', join(here, 'results'));
const setNames = opt('sets', 'ftp,http,community,et').split(',');

/** The match modes compared, in run order. */
type Mode = 'set' | 'all';
const MODE_TITLES: Record<Mode, string> = { set: 'Set mode (per-packet match set)', all: 'All-ends mode' };

export const ENGINES: EngineSpec[] = [
  { name: 'nfa', engine: 'nfa' },
  { name: 'obdd', engine: 'obdd', engineOptions: { memo: false } },
  { name: 'obdd2', engine: 'obdd2', engineOptions: { memo: false } },
  { name: 'obdd+memo', engine: 'obdd', engineOptions: { memo: true } },
  { name: 'obdd2+memo', engine: 'obdd2', engineOptions: { memo: true } },
  { name: 'dfa', engine: 'dfa' },
  { name: 'mdfa', engine: 'mdfa' },
  { name: 'regexp', engine: 'regexp' },
  { name: 'nfa+pf', engine: 'nfa', prefilter: true },
  { name: 'obdd+pf', engine: 'obdd', prefilter: true },
  { name: 'nfa+pf/mdfa', engine: 'nfa', prefilter: { residual: { engine: 'mdfa' } } },
];

/** A comma-separated option checked against the allowed values (order kept, duplicates dropped). */
function listOption(name: string, dflt: string, allowed: readonly string[]): string[] {
  const list = [...new Set(opt(name, dflt).split(',').map((x) => x.trim()).filter((x) => x !== ''))];
  const unknown = list.filter((x) => !allowed.includes(x));
  if (unknown.length || !list.length) {
    throw new Error(`--${name}: ${unknown.length ? `unknown ${unknown.map((x) => `'${x}'`).join(', ')}` : 'empty list'} (choose from: ${allowed.join(', ')})`);
  }
  return list;
}

/** What a run covers: modes in run order, engines in the order named, the ratios' baseline. */
interface Plan {
  modes: Mode[];
  engines: EngineSpec[];
  baseline: string;
  /** How the tables name the baseline. */
  baselineText: string;
}

/** The plan from --modes and --engines; throws on an unknown name. */
function planFromArgs(): Plan {
  const modes = listOption('modes', 'set,all', ['set', 'all']) as Mode[];
  const all = ENGINES.map((e) => e.name!);
  const engines = listOption('engines', all.join(','), all).map((n) => ENGINES.find((e) => e.name === n)!);
  const baseline = engines.some((e) => e.name === 'nfa') ? 'nfa' : engines[0]!.name!;
  const baselineText = baseline === 'nfa' ? 'the explicit NFA' : `\`${baseline}\`, the first engine named, as nfa is not selected`;
  return { modes, engines, baseline, baselineText };
}

function log(line: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

interface SetResult {
  name: string;
  /** The match mode compared (also in result.mode). */
  mode: Mode;
  describe: string;
  set: string;
  corpus: string;
  result: CompareResult;
  wallMs: number;
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: here, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Memory drawn in the picture: compiled program + scan caches; regexp: heap growth. */
function memoryOf(e: CompareResult['engines'][number]): { bytes: number | null; label: string } {
  if (e.programBytes !== null) return { bytes: e.programBytes + (e.cacheBytes ?? 0), label: e.engine };
  return { bytes: e.heapBytes, label: `${e.engine} (heap)` };
}

/** One speed cell: MB/s and the speed-up over the baseline. */
function speedCell(e: CompareResult['engines'][number] | undefined, cold: boolean, baseline: string): string {
  if (!e) return '';
  if (e.stats === null) return 'build failed';
  const sp = cold ? e.ratios.scanCold : e.ratios.scan;
  const mbps = cold ? e.firstPassMBps : e.scanMBps;
  const ratio = sp !== null && e.engine !== baseline ? ` (${sp >= 10 ? sp.toFixed(0) : sp >= 1 ? sp.toFixed(1) : sp.toPrecision(2)}×)` : '';
  return `${formatMBps(mbps)}${ratio}${e.error ? ' ⚠' : ''}`;
}

/** The MB/s table of one mode's results, warm (median pass) or cold (first pass). */
function speedTable(plan: Plan, results: SetResult[], cold: boolean): string[] {
  const names = plan.engines.map((e) => e.name!);
  const L = [`| set | signatures (accepted) | ${names.join(' | ')} |`, `|---|---:|${names.map(() => '---:').join('|')}|`];
  for (const s of results) {
    const cells = names.map((n) => speedCell(s.result.engines.find((x) => x.engine === n), cold, plan.baseline));
    L.push(`| ${s.name} | ${s.result.signatures} (${s.result.comparedSignatures}) | ${cells.join(' | ')} |`);
  }
  return [...L, ''];
}

/** The throughput section of one mode: warm table, then cold. */
function throughputSection(plan: Plan, mode: Mode, results: SetResult[]): string[] {
  const what = mode === 'set'
    ? 'each signature reported at most once per payload, at its earliest end (Hyperscan\'s HS_FLAG_SINGLEMATCH)'
    : 'every (signature, end) pair reported';
  return [
    `## ${MODE_TITLES[mode]}: scan throughput, MB/s (speed-up over ${plan.baselineText})`,
    '',
    `Mode \`${mode}\`: ${what}. MB/s: bytes an engine scanned / its median pass time. Speed-up: the baseline's time over the ` +
      'engine\'s on the same bytes (the payload prefix both scanned within the budget), so the ratios compare like with like.',
    '',
    ...speedTable(plan, results, false),
    `${MODE_TITLES[mode]}, first pass alone (cold: empty obdd memo and pair cache, JIT warming up). The warm figures above ` +
      'rescan the same payloads, which flatters caches on short prefixes (obdd2 on `et` scans only a few payloads within the budget).',
    '',
    ...speedTable(plan, results, true),
  ];
}

/** Compile time and memory, from one mode's results (the build does not depend on the mode). */
function compileSection(plan: Plan, mode: Mode, results: SetResult[]): string[] {
  const names = plan.engines.map((e) => e.name!);
  const L = [
    '## Compile time (ms) and memory (compiled program; obdd: + memo/pair caches after scanning)',
    '',
    `From the \`${mode}\`-mode run (the first mode run; caches are those left by its scans). Prefiltered engines (\`+pf\`): ` +
      'the live engine\'s program + the literal searcher\'s tables + the residual matchers\' programs.',
    '',
    `| set | ${names.join(' | ')} |`,
    `|---|${names.map(() => '---:').join('|')}|`,
  ];
  for (const s of results) {
    const cells = names.map((n) => {
      const e = s.result.engines.find((x) => x.engine === n);
      if (!e) return '';
      if (e.stats === null) return `${e.compileMs.toFixed(0)} ms, failed`;
      const cache = e.cacheBytes ? ` + ${formatBytes(e.cacheBytes)}` : '';
      const prog = e.programBytes !== null ? formatBytes(e.programBytes) + cache : `heap ${formatBytes(memoryOf(e).bytes)}`;
      return `${e.compileMs.toFixed(0)} ms, ${prog}`;
    });
    L.push(`| ${s.name} | ${cells.join(' | ')} |`);
  }
  return [...L, ''];
}

/** Agreement per set and mode. */
function agreementSection(results: SetResult[]): string[] {
  const L = [
    '## Agreement',
    '',
    '| set | mode | payloads compared | scanned by every engine | disagreeing payloads | differences | excused (regexp timeouts) |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const s of results) {
    const r = s.result;
    L.push(`| ${s.name} | ${s.mode} | ${r.comparedInputs} of ${r.inputs} | ${r.commonInputs} (${formatBytes(r.commonBytes)}) | ${r.disagreeingInputs} | ${r.disagreementCount} | ${r.excusedInputs} |`);
  }
  return [...L, ''];
}

/** The full per-set reports (formatText), one per set and mode. */
function perSetSection(results: SetResult[]): string[] {
  const L: string[] = [];
  for (const s of results) {
    L.push(`## Set \`${s.name}\`, ${s.mode} mode: ${s.describe}`, '', '```');
    L.push(formatText(s.result, `set: ${s.set}\ncorpus: ${s.corpus}\nwall time: ${(s.wallMs / 1000).toFixed(0)} s`).trimEnd());
    L.push('```', '');
  }
  return L;
}

function pathologicalSection(patho: PathologicalResult): string[] {
  const verdict = Object.values(patho.matches).every((x) => x === 0) ? 'no match (correct)' : JSON.stringify(patho.matches);
  return [
    '## Pathological case: exponential backtracking',
    '',
    `Input: n bytes 'a'. Time guard ${patho.guardMs} ms: a regexp series stops at the first length over it ('stopped' after). ` +
      `Automata: both signatures compiled as one set, scan + finish, best of 3 batches. Every engine reported ${verdict}.`,
    '',
    pathologicalMarkdown(patho),
    '',
  ];
}

function markdown(plan: Plan, results: SetResult[], patho: PathologicalResult | null, meta: Record<string, unknown>): string {
  const L: string[] = [
    '# Whole-run benchmark results',
    '',
    `Generated by \`npx tsx --expose-gc bench/whole-run.ts\` on ${String(meta.date)} (commit ${String(meta.commit)}, ` +
      `Node ${String(meta.node)}, ${String(meta.cpu)} × ${String(meta.cores)}, load average ${String(meta.loadavg)} at start; ` +
      `a shared 2-core machine, so figures carry a few tens of percent of noise). Modes: ${plan.modes.join(', ')}. ` +
      `Engines: ${plan.engines.map((e) => e.name).join(', ')}; baseline ${plan.baselineText}. Time budget per engine: ` +
      `${timeBudgetMs} ms of scanning on the first pass (a prefix of the payloads); ${runs} passes over that prefix, median ` +
      'reported (warm: caches filled by earlier passes; the cold first pass is in the second table of each mode).',
    '',
  ];
  for (const mode of plan.modes) {
    const rs = results.filter((s) => s.mode === mode);
    if (rs.length) L.push(...throughputSection(plan, mode, rs));
  }
  const first = plan.modes.find((m) => results.some((s) => s.mode === m));
  if (first) L.push(...compileSection(plan, first, results.filter((s) => s.mode === first)));
  L.push(...agreementSection(results), ...perSetSection(results));
  if (patho) L.push(...pathologicalSection(patho));
  return L.join('\n');
}

/** The trade-off plot: set-mode results when that mode ran, else all-ends. */
function svg(all: SetResult[], meta: Record<string, unknown>): string {
  const mode: Mode = all.some((s) => s.mode === 'set') ? 'set' : 'all';
  const results = all.filter((s) => s.mode === mode);
  const points: PlotPoint[] = [];
  for (const s of results) {
    for (const e of s.result.engines) {
      if (e.stats === null || e.scanMBps === null) continue;
      const mem = memoryOf(e);
      points.push({ series: e.engine, group: s.name, x: mem.bytes ?? 0, y: e.scanMBps, label: `${e.engine} ${s.name}` });
    }
  }
  const failed = results.flatMap((s) => s.result.engines.filter((e) => e.stats === null).map((e) => `${e.engine}/${s.name}`));
  // Decades of bytes read best in decimal units (10 kB, 100 kB, 1 MB).
  const byteTick = (v: number): string => {
    const k = Math.round(Math.log10(v));
    const units = ['B', 'kB', 'MB', 'GB', 'TB'];
    const u = Math.min(units.length - 1, Math.max(0, Math.floor(k / 3)));
    return `${10 ** (k - 3 * u)} ${units[u]}`;
  };
  return logLogScatterSvg(points, {
    title: `Time–space trade-off: scan throughput vs memory (Zeek HTTP/FTP payloads; ${mode === 'set' ? 'set mode, per-packet match set' : 'all-ends mode'})`,
    xLabel: 'memory: compiled program (+ obdd memo and pair caches; regexp: heap growth), bytes, log scale',
    yLabel: 'scan throughput, MB/s, log scale',
    xTick: byteTick,
    yTick: (v) => (v >= 1 ? String(v) : String(Number(v.toPrecision(1)))),
    note: `bench/whole-run.ts, ${String(meta.date)}, commit ${String(meta.commit)}${failed.length ? `; failed to build: ${failed.join(', ')}` : ''}`,
  });
}

/** The payloads of a corpus kind, read once per run. */
function corpusReader(): (kind: BenchSet['corpus']) => Corpus {
  const corpora = new Map<string, Corpus>();
  return (kind) => {
    let c = corpora.get(kind);
    if (!c) {
      c = payloadsFromCaptures(corpusFiles(kind));
      for (const w of c.warnings) log(`corpus ${kind}: warning: ${w}`);
      corpora.set(kind, c);
    }
    return c;
  };
}

/** One set in one mode: every selected engine compared. */
function runSet(plan: Plan, def: BenchSet, sigs: SignatureSet, corpus: Corpus, mode: Mode): SetResult {
  const ts = performance.now();
  const result = compareEngines(sigs.sources, corpus.inputs, {
    engines: plan.engines,
    mode,
    runs,
    baseline: plan.baseline,
    timeBudgetMs,
    inputNames: corpus.names,
    signatureNames: sigs.names,
    onProgress: (l) => log(`  ${def.name}/${mode}: ${l}`),
  });
  const wallMs = performance.now() - ts;
  log(`set ${def.name}, ${mode} mode, done in ${(wallMs / 1000).toFixed(0)} s: ${result.disagreeingInputs} disagreeing payloads`);
  return { name: def.name, mode, describe: def.describe, set: sigs.summary, corpus: corpus.summary, result, wallMs };
}

async function main(): Promise<void> {
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
    log('warning: no global.gc (run with `npx tsx --expose-gc`): heap figures will be noisy');
  }
  const plan = planFromArgs();
  const defs = setNames.map((name) => {
    const def = benchSet(name);
    return def;
  });
  const meta: Record<string, unknown> = {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    commit: gitCommit(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadavg: loadavg().map((x) => x.toFixed(2)).join(' '),
    timeBudgetMs,
    runs,
    modes: plan.modes,
    baseline: plan.baseline,
    engines: plan.engines,
  };
  mkdirSync(outDir, { recursive: true });
  const corpusOf = corpusReader();
  const results: SetResult[] = [];
  let patho: PathologicalResult | null = null;
  const write = (): void => {
    const json = { meta, sets: results, pathological: patho };
    writeFileSync(join(outDir, 'whole-run.json'), JSON.stringify(json, null, 1) + '\n');
    writeFileSync(join(outDir, 'whole-run.md'), markdown(plan, results, patho, meta) + '\n');
    if (results.length) writeFileSync(join(outDir, 'tradeoff.svg'), svg(results, meta));
  };
  const t0 = performance.now();
  for (const def of defs) {
    const sigs = def.signatures();
    const corpus = corpusOf(def.corpus);
    log(`set ${def.name}: ${sigs.summary}; corpus: ${corpus.summary}`);
    for (const mode of plan.modes) {
      results.push(runSet(plan, def, sigs, corpus, mode));
      write();
    }
  }
  if (!argv.includes('--no-pathological')) {
    log('pathological case');
    patho = runPathological({ guardMs: quick ? 300 : 1000 });
    write();
  }
  log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s; wrote ${outDir}/whole-run.{json,md}, tradeoff.svg`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    process.stderr.write(`whole-run: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
