/**
 * Differential comparison and benchmark of engines on one signature set and one corpus:
 * compile the set with each engine, scan the same inputs (each input = one packet payload
 * or one file, scanned whole, then `finish`, in the chosen match mode: 'all' by default,
 * or 'set', the per-input match set), check that every engine reports the same set of
 * (signature, end) pairs per input, and measure compile time,
 * compiled size, heap growth and scan throughput (median of several runs) — the figures
 * Hyperscan's bench tool prints, plus ratios against a baseline engine.
 *
 * Guarantees:
 * - An engine that cannot be built (unknown options, DFA state budget...) gets `error` and
 *   the others still run; an engine that throws while scanning an input is retried once on
 *   a fresh scratch (with a warning); if it throws again it keeps the inputs it finished,
 *   gets `error`, and stops.
 * - Each input is compared among the engines that scanned it (budgets can stop slow
 *   engines early, always on a prefix of the input list), over the signatures every built
 *   engine accepted. Agreement is checked first with an order-independent digest of each
 *   input's (signature, end) set, so memory does not grow with the match count (real sets
 *   report tens of millions of matches); only inputs whose digests differ are scanned
 *   again, collecting exact pairs, to list each disagreement with signature, input and end.
 * - A signature that an engine disabled while scanning (the `regexp` engine's time budget)
 *   never counts as a disagreement: such differences are counted as `excused`.
 * - Memory: `heapBytes` is the growth of V8 heap + ArrayBuffer memory across the compile,
 *   after a full GC on both sides when `global.gc` exists (run node with `--expose-gc`);
 *   without it the figure is noisy and `heapMethod` says so. `programBytes` is the
 *   engine's own size estimate from `stats()` (see `programBytesOf`).
 */
import { performance } from 'node:perf_hooks';
import { UsageError } from '../errors.js';
import { compile, ENGINE_NAMES, type CompileOptions, type CompileResult, type EngineConfig, type EngineOptions, type NfaCompileOptions, type SignatureSpec } from '../compile.js';
import { normalizeMode, type EngineName, type Matcher, type MatcherStats, type MatchMode, type RejectedSignature, type Scratch } from '../matcher/types.js';

/**
 * One engine configuration (an `EngineConfig` of compile.ts) under a label: `name` labels
 * it in reports (e.g. 'obdd2+memo').
 */
export type EngineSpec = EngineConfig & {
  /** @default engine */
  name?: string;
  /** compile()'s literal prefilter for this engine (`CompileOptions.prefilter`). @default false */
  prefilter?: CompileOptions['prefilter'];
  /**
   * Builds the matcher instead of `compile` (same contract: never throws for a bad
   * signature, lists it in `rejected`). For wrapping or instrumenting an engine, or for
   * comparing a matcher from outside this package. @default compile
   */
  build?: (signatures: ReadonlyArray<string | SignatureSpec>, options: CompileOptions) => Pick<CompileResult, 'matcher' | 'rejected'>;
};

/** Options of `compareEngines`. */
export interface CompareOptions {
  engines: ReadonlyArray<EngineName | EngineSpec>;
  /**
   * The match mode every engine scans in, and so the events compared: 'all' compares every
   * (signature, end) pair; 'set' (or its deprecated alias 'first') the per-input match set,
   * each signature once per input with its earliest end. @default 'all'
   */
  mode?: MatchMode;
  /** Timed scan passes over the inputs; the median is reported. @default 3 */
  runs?: number;
  /** Label of the engine the ratios are taken against. @default 'nfa' if present, else the first */
  baseline?: string;
  /** Stop an engine's first pass once it has scanned this many bytes. @default Infinity */
  byteBudget?: number;
  /** Stop an engine's first pass after this much scan time (checked between inputs). @default Infinity */
  timeBudgetMs?: number;
  /** Repeat passes only when the first pass took at most this long. @default Infinity */
  repeatBelowMs?: number;
  /** Disagreements listed in full (the count is always exact per input). @default 100 */
  maxDisagreements?: number;
  /** Inputs re-scanned to list exact disagreements. @default 50 */
  maxRescanInputs?: number;
  /** Options for the shared NFA front end. */
  compile?: Pick<NfaCompileOptions, 'maxStates' | 'maxRepeatExpansion'>;
  /** Names for inputs in reports (file#packet); default `#<index>`. */
  inputNames?: readonly string[];
  /** Where each signature came from (file:line sid N), for disagreement reports. */
  signatureNames?: readonly string[];
  /** Progress lines (for long runs); default silent. */
  onProgress?: (line: string) => void;
}

/** One engine's figures relative to the baseline engine (null where not comparable). */
export interface EngineRatios {
  /**
   * Speed-up over the baseline (higher is better), on identical bytes: the baseline's time
   * to scan the inputs both engines scanned (the shorter prefix) over this engine's, each
   * the median over passes. Under time budgets engines scan different prefixes, and MB/s of
   * different payloads would not compare.
   */
  scan: number | null;
  /** The same on the first, cold pass alone (no warm caches on either side). */
  scanCold: number | null;
  /** Bytes of that common prefix. */
  scanBytes: number;
  compile: number | null;
  programBytes: number | null;
  heapBytes: number | null;
}

/** One engine's row of a comparison: build, size, scan figures, matches, error. Times in ms. */
export interface EngineReport {
  /** The configuration's label. */
  engine: string;
  kind: EngineName;
  engineOptions: EngineOptions;
  /** Set when the engine could not be built, or failed while scanning. */
  error: string | null;
  accepted: number | null;
  rejected: number | null;
  compileMs: number;
  /** Compiled program size, from `stats()` (null when the engine gives none: regexp). */
  programBytes: number | null;
  /** A short size summary: states, nodes, groups... */
  size: string;
  /** Heap + ArrayBuffer growth across the compile (see `heapMethod`). */
  heapBytes: number | null;
  /** Caches grown while scanning (obdd memo + pair relations), from stats() after the scans. */
  cacheBytes: number | null;
  inputsScanned: number;
  bytesScanned: number;
  /** Passes actually run, and each pass's time. */
  runs: number;
  runMs: number[];
  /** Median pass time. */
  scanMs: number;
  /** Bytes scanned / median pass time. */
  scanMBps: number | null;
  /**
   * The first pass alone: cold caches (obdd memo and lazily built pair relations, V8's
   * JIT). Later passes rescan the same inputs, so they show the warm steady state.
   */
  firstPassMBps: number | null;
  /** (signature, end) reports in one pass, all signatures. */
  matches: number;
  /** Signatures the engine disabled while scanning (regexp time budget). */
  disabled: number;
  /** True when a later pass reported something different from the first (a bug). */
  unstable: boolean;
  ratios: EngineRatios;
  stats: MatcherStats | null;
}

/** One (signature, input, end) reported by some engines and not by others. */
export interface Disagreement {
  input: number;
  inputName: string;
  signature: number;
  /** From `signatureNames`, when given. */
  signatureName?: string;
  source: string;
  end: number;
  reportedBy: string[];
  missingFrom: string[];
}

/** What `compareEngines` returns. */
export interface CompareResult {
  /** The match mode scanned and compared ('first' given is reported as 'set'). */
  mode: 'all' | 'set';
  signatures: number;
  inputs: number;
  inputBytes: number;
  baseline: string | null;
  heapMethod: 'gc' | 'no-gc';
  /** Signatures every built engine accepted: the ones compared. */
  comparedSignatures: number;
  /** Inputs scanned by at least two engines (compared), and by every engine that ran. */
  comparedInputs: number;
  commonInputs: number;
  commonBytes: number;
  /** Inputs whose match sets differ between engines (excused ones not counted). */
  disagreeingInputs: number;
  /**
   * Inputs whose digests differed but whose re-scan shows no difference on the compared
   * signatures: they differed only on signatures an engine disabled while scanning.
   */
  excusedInputs: number;
  /** Listed disagreements (at most maxDisagreements) and how many were found in all. */
  disagreements: Disagreement[];
  disagreementCount: number;
  /** Digest-differing inputs not re-scanned (past maxRescanInputs): counted, not listed. */
  unlistedInputs: number;
  engines: EngineReport[];
  warnings: string[];
}

// ---------------------------------------------------------------- helpers

const gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;

function heapNow(): number {
  if (gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function num(stats: MatcherStats, key: string): number {
  const v = stats[key];
  return typeof v === 'number' ? v : 0;
}

/**
 * The engine's compiled size in bytes, from its stats:
 * - nfa: the NFA arrays the scan reads (labels, CSR follow and acceptance lists) and the
 *   matcher's per-class successor index;
 * - dfa, mdfa: transition tables and acceptance lists (`tableBytes`);
 * - obdd, obdd2: live BDD nodes right after compile × 24 bytes (node table + unique table
 *   slots); the memo and pair relations built while scanning are in `cacheBytes`;
 * - regexp: null — V8 does not expose compiled RegExp sizes (see heapBytes).
 */
export function programBytesOf(stats: MatcherStats): number | null {
  const pre = stats.prefilter;
  if (pre !== undefined && typeof pre === 'object') return prefilteredBytes(stats, pre);
  switch (stats.engine) {
    case 'nfa': {
      const states = num(stats, 'states');
      const words = Math.ceil(num(stats, 'classes') / 32);
      return (
        states * words * 4 + // labels
        (states + 1) * 4 * 3 + // followStart, acceptStart, endStart
        num(stats, 'followEdges') * 4 +
        (num(stats, 'acceptEntries') + num(stats, 'endAcceptEntries')) * 5 +
        num(stats, 'classIndexEntries') * 4 +
        states * 5 // indexBase, hasAccept
      );
    }
    case 'dfa':
    case 'mdfa':
      return num(stats, 'tableBytes');
    case 'obdd':
    case 'obdd2':
      return num(stats, 'compiledLiveNodes') * 24;
    default:
      return null;
  }
}

/**
 * A prefiltered matcher: its live engine's program, the literal searcher's tables, and
 * each residual matcher's program.
 */
function prefilteredBytes(stats: MatcherStats, pre: Record<string, number>): number | null {
  const { prefilter: _p, ...live } = stats;
  let total = programBytesOf(live as MatcherStats);
  if (total === null) return null;
  total += pre.totalBytes ?? 0;
  const engines = typeof stats.residualEngines === 'string' && stats.residualEngines !== '' ? stats.residualEngines.split(',') : [];
  for (let k = 0; k < engines.length; k++) {
    const r = stats[k === 0 ? 'residual' : `residual${k + 1}`];
    if (r === undefined || typeof r !== 'object') return null;
    const bytes = programBytesOf({ ...r, engine: engines[k] } as MatcherStats);
    if (bytes === null) return null;
    total += bytes;
  }
  return total;
}

function sizeOf(stats: MatcherStats): string {
  switch (stats.engine) {
    case 'nfa':
      return `${num(stats, 'states')} states, ${num(stats, 'followEdges')} edges`;
    case 'dfa':
      return `${num(stats, 'states')} states, ${num(stats, 'classes')} classes`;
    case 'mdfa':
      return `${num(stats, 'groups')} DFAs, ${num(stats, 'states')} states`;
    case 'obdd':
    case 'obdd2':
      return `${num(stats, 'compiledLiveNodes')} nodes, ${num(stats, 'stateBits')} state bits`;
    case 'regexp':
      return `${num(stats, 'compiled')} RegExps`;
    default:
      return '';
  }
}

function cacheBytesOf(stats: MatcherStats): number | null {
  if (stats.engine !== 'obdd' && stats.engine !== 'obdd2') return null;
  return num(stats, 'memoBytes') + num(stats, 't2Bytes');
}

function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >>> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/**
 * Order-independent digest of one input's (signature, end) set: count, sum and xor of two
 * independent 32-bit mixes. Engines report each pair once (in either mode), so equal sets give
 * equal digests; unequal sets collide with probability about 2^-64.
 */
class Digest {
  count = 0;
  sum = 0;
  xor = 0;
  total = 0;
  constructor(readonly mask: Uint8Array) {}
  readonly onMatch = (sig: number, end: number): void => {
    this.total++;
    if (this.mask[sig] === 0) return;
    this.count++;
    this.sum = (this.sum + fmix32(Math.imul(sig, 0x9e3779b1) ^ end)) | 0;
    this.xor ^= fmix32(Math.imul(end, 0x27d4eb2f) + sig + 0x165667b1);
  };
  clear(): void {
    this.count = this.sum = this.xor = 0;
  }
}

interface Built {
  report: EngineReport;
  matcher: Matcher | null;
  rejectedIds: Set<number>;
  /** Per input: count, sum, xor of the first pass (valid for i < inputsScanned). */
  dCount: Uint32Array;
  dSum: Int32Array;
  dXor: Int32Array;
  /** Per pass: ms elapsed when input i was done (for time on a common prefix). */
  cum: Float64Array[];
}

/** An engine spec with its defaults filled in. */
interface NormalSpec {
  name: string;
  config: Required<EngineConfig>;
  prefilter: CompileOptions['prefilter'];
  build: NonNullable<EngineSpec['build']>;
}

function normalize(e: EngineName | EngineSpec): NormalSpec {
  const spec: EngineSpec = typeof e === 'string' ? { engine: e } : e;
  if (!spec || !(ENGINE_NAMES as readonly string[]).includes(spec.engine)) {
    throw new UsageError(`unknown engine '${String(spec?.engine ?? e)}' (engines: ${ENGINE_NAMES.join(', ')})`);
  }
  const config = { engine: spec.engine, engineOptions: spec.engineOptions ?? {} } as Required<EngineConfig>;
  return { name: spec.name ?? spec.engine, config, prefilter: spec.prefilter, build: spec.build ?? compile };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Signatures disabled while scanning (the regexp engine's timeouts) or left undecided by a
 * confirmation budget (src/confirm, which wraps the engine: its `inner` is asked too).
 */
function disabledIds(matcher: Matcher | null): number[] {
  const out: number[] = [];
  for (let m = matcher as { failures?: () => ReadonlyArray<{ signature: number }>; inner?: unknown } | null; m; m = m.inner as typeof m) {
    if (typeof m.failures === 'function') out.push(...m.failures().map((x) => x.signature));
  }
  return out;
}

function describeSignature(spec: string | SignatureSpec): string {
  if (typeof spec === 'string') return spec;
  if ('pcre' in spec) return spec.pcre;
  return typeof spec.content === 'string' ? `content:"${spec.content}"` : 'content:|…|';
}

// ---------------------------------------------------------------- main entry

/** The checked options of one comparison, defaults applied. */
interface Settings {
  mode: 'all' | 'set';
  specs: NormalSpec[];
  names: Set<string>;
  runs: number;
  byteBudget: number;
  timeBudgetMs: number;
  repeatBelowMs: number;
  maxList: number;
  maxRescan: number;
  progress: (line: string) => void;
  inputName: (i: number) => string;
}

function checkSettings(options: CompareOptions): Settings {
  const specs = options.engines.map(normalize);
  if (specs.length === 0) throw new UsageError('compare needs at least one engine');
  const names = new Set<string>();
  for (const s of specs) {
    if (names.has(s.name)) throw new UsageError(`engine label '${s.name}' given twice`);
    names.add(s.name);
  }
  const runs = options.runs ?? 3;
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`runs must be a positive integer, not ${String(runs)}`);
  const byteBudget = options.byteBudget ?? Infinity;
  const timeBudgetMs = options.timeBudgetMs ?? Infinity;
  const repeatBelowMs = options.repeatBelowMs ?? Infinity;
  for (const [k, v] of [['byteBudget', byteBudget], ['timeBudgetMs', timeBudgetMs], ['repeatBelowMs', repeatBelowMs]] as const) {
    if (typeof v !== 'number' || Number.isNaN(v) || v < 0) throw new UsageError(`${k} must be a non-negative number`);
  }
  if (options.baseline !== undefined && !names.has(options.baseline)) {
    throw new UsageError(`baseline '${options.baseline}' is not one of the engines (${[...names].join(', ')})`);
  }
  let mode: 'all' | 'set';
  try {
    mode = normalizeMode(options.mode);
  } catch (e) {
    throw new UsageError(errorText(e));
  }
  return {
    mode, specs, names, runs, byteBudget, timeBudgetMs, repeatBelowMs,
    maxList: options.maxDisagreements ?? 100,
    maxRescan: options.maxRescanInputs ?? 50,
    progress: options.onProgress ?? ((): void => {}),
    inputName: (i: number): string => options.inputNames?.[i] ?? `#${i}`,
  };
}

/**
 * Compares `engines` on `signatures` over `inputs` (see the module comment): builds each,
 * scans every input with each, checks agreement and measures. Throws UsageError for bad
 * options (no engine, an unknown engine name, a label given twice, runs or budgets out of
 * range, an unknown baseline); an engine that fails to build or to scan is reported in its
 * `error`, not thrown.
 */
export function compareEngines(
  signatures: ReadonlyArray<string | SignatureSpec>,
  inputs: readonly Uint8Array[],
  options: CompareOptions,
): CompareResult {
  const settings = checkSettings(options);
  let inputBytes = 0;
  for (const b of inputs) inputBytes += b.length;
  const warnings: string[] = [];

  // 1. Compile every engine, measuring time and heap growth. Matchers stay alive until the
  // end (the heap delta of one must not be reclaimed into the next one's measurement).
  const built = settings.specs.map((spec) => buildEngine(spec, signatures, inputs.length, options.compile, settings.progress));

  // 2. The compared signatures: accepted by every engine that was built.
  const mask = new Uint8Array(signatures.length).fill(1);
  for (const b of built) if (b.matcher) for (const id of b.rejectedIds) mask[id] = 0;
  let comparedSignatures = 0;
  for (let i = 0; i < mask.length; i++) comparedSignatures += mask[i]!;

  // 3. Scan each engine; 4. compare digests per input; 5. ratios against the baseline.
  for (const b of built) if (b.matcher) scanEngine(b, inputs, mask, settings, warnings);
  const comparison = compareInputs(built, signatures, inputs, mask, settings, options.signatureNames, warnings);
  const baseName = options.baseline ?? (settings.names.has('nfa') ? 'nfa' : settings.specs[0]!.name);
  const base = setRatios(built, inputs, baseName);
  for (const b of built) if (b.matcher) (b.matcher as { close?: () => void }).close?.();

  return {
    mode: settings.mode, signatures: signatures.length, inputs: inputs.length, inputBytes, baseline: base ? baseName : null, heapMethod: gc ? 'gc' : 'no-gc',
    comparedSignatures, ...comparison, engines: built.map((b) => b.report), warnings,
  };
}

/** Builds one engine, measuring compile time and heap growth; a build failure becomes its `error`. */
function buildEngine(
  spec: NormalSpec,
  signatures: ReadonlyArray<string | SignatureSpec>,
  n: number,
  nfaOptions: CompareOptions['compile'],
  progress: (line: string) => void,
): Built {
  const h0 = heapNow();
  const t0 = performance.now();
  const report: EngineReport = {
    engine: spec.name, kind: spec.config.engine, engineOptions: spec.config.engineOptions, error: null,
    accepted: null, rejected: null, compileMs: 0, programBytes: null, size: '', heapBytes: null, cacheBytes: null,
    inputsScanned: 0, bytesScanned: 0, runs: 0, runMs: [], scanMs: 0, scanMBps: null, firstPassMBps: null, matches: 0, disabled: 0,
    unstable: false, ratios: { scan: null, scanCold: null, scanBytes: 0, compile: null, programBytes: null, heapBytes: null }, stats: null,
  };
  let matcher: Matcher | null = null;
  const rejectedIds = new Set<number>();
  try {
    const r = spec.build(signatures, { ...nfaOptions, ...spec.config, ...(spec.prefilter ? { prefilter: spec.prefilter } : {}) });
    report.compileMs = performance.now() - t0;
    matcher = r.matcher;
    const engineRejected = (matcher as { rejected?: readonly RejectedSignature[] }).rejected ?? [];
    for (const x of r.rejected) rejectedIds.add(x.signature);
    for (const x of engineRejected) rejectedIds.add(x.signature);
    report.rejected = rejectedIds.size;
    report.accepted = signatures.length - rejectedIds.size;
    report.heapBytes = Math.max(0, heapNow() - h0);
    report.stats = matcher.stats();
    report.programBytes = programBytesOf(report.stats);
    report.size = sizeOf(report.stats);
  } catch (e) {
    // compile() itself never throws for bad signatures; this is the engine's build
    // failing as a whole (e.g. LimitExceededError from the DFA's state budget).
    report.compileMs = performance.now() - t0;
    report.error = errorText(e);
  }
  progress(`${spec.name}: ${report.error ? `error: ${report.error}` : `compiled in ${report.compileMs.toFixed(0)} ms`}`);
  return {
    report, matcher, rejectedIds,
    dCount: new Uint32Array(matcher ? n : 0), dSum: new Int32Array(matcher ? n : 0), dXor: new Int32Array(matcher ? n : 0), cum: [],
  };
}

/**
 * Scans with one built engine: the first pass fixes the prefix of inputs under the budgets
 * and records the per-input digests; further passes time the same prefix and must agree
 * with the first.
 */
function scanEngine(b: Built, inputs: readonly Uint8Array[], mask: Uint8Array, settings: Settings, warnings: string[]): void {
  const m = b.matcher!;
  const rep = b.report;
  const digest = new Digest(mask);
  const pass: Pass = { scratch: m.createScratch({ mode: settings.mode }), limit: inputs.length };
  for (let run = 0; run < settings.runs; run++) {
    if (run > 0 && (rep.runMs[0]! > settings.repeatBelowMs || rep.error)) break;
    const disabledBefore = disabledIds(m).length;
    const { ms, changed } = scanPass(b, inputs, digest, pass, run, settings, warnings);
    rep.runMs.push(ms);
    rep.runs++;
    // A pass that disabled signatures (regexp time budget) legitimately reports less:
    // not instability.
    const disabledNow = disabledIds(m).length;
    const lostSignatures = disabledNow > disabledBefore;
    if (run > 0 && !lostSignatures && !rep.unstable && (changed || digest.total !== rep.matches)) {
      rep.unstable = true;
      warnings.push(`${rep.engine}: pass ${run + 1} reported different matches than pass 1 (${digest.total} vs ${rep.matches})`);
    }
    if (run === 0) rep.matches = digest.total;
    digest.total = 0;
  }
  rep.scanMs = median(rep.runMs);
  const mbps = (ms: number): number | null => (ms > 0 && rep.bytesScanned > 0 ? rep.bytesScanned / 1e6 / (ms / 1000) : null);
  rep.scanMBps = mbps(rep.scanMs);
  rep.firstPassMBps = mbps(rep.runMs[0] ?? 0);
  rep.stats = m.stats();
  rep.cacheBytes = cacheBytesOf(rep.stats);
  rep.disabled = disabledIds(m).length;
  if (rep.inputsScanned < inputs.length) {
    settings.progress(`${rep.engine}: budget reached after ${rep.inputsScanned}/${inputs.length} inputs (${rep.bytesScanned} bytes)`);
  }
  settings.progress(`${rep.engine}: ${rep.runs} pass(es), median ${rep.scanMs.toFixed(0)} ms, ${rep.scanMBps?.toFixed(3) ?? '-'} MB/s`);
}

/** What passes of one engine share: its scratch (replaced after a failure) and the inputs the first pass reached. */
interface Pass {
  scratch: Scratch;
  limit: number;
}

/**
 * One timed pass over the inputs (the first one under the budgets); returns its time and
 * whether a later pass's digests differ from the first's. A scan that throws is retried
 * once on a fresh scratch; a second failure ends the pass and sets the engine's `error`.
 */
function scanPass(
  b: Built,
  inputs: readonly Uint8Array[],
  digest: Digest,
  pass: Pass,
  run: number,
  settings: Settings,
  warnings: string[],
): { ms: number; changed: boolean } {
  const m = b.matcher!;
  const rep = b.report;
  let bytes = 0;
  let i = 0;
  let changed = false;
  const cum = new Float64Array(run === 0 ? inputs.length : pass.limit).fill(Number.NaN);
  b.cum.push(cum);
  const t0 = performance.now();
  try {
    for (; i < pass.limit; i++) {
      if (run === 0 && (bytes >= settings.byteBudget || performance.now() - t0 >= settings.timeBudgetMs)) break;
      const input = inputs[i]!;
      const totalBefore = digest.total;
      digest.clear();
      try {
        m.scan(pass.scratch, input, digest.onMatch);
        m.finish(pass.scratch, digest.onMatch);
      } catch (e) {
        // One retry on a fresh scratch, so that a transient failure (e.g. a worker
        // hiccup under load) does not end the engine's run; it is still reported.
        warnings.push(`${rep.engine}: scan failed on input ${i} (${settings.inputName(i)}), retried once: ${errorText(e)}`);
        pass.scratch = m.createScratch({ mode: settings.mode });
        digest.total = totalBefore;
        digest.clear();
        m.scan(pass.scratch, input, digest.onMatch);
        m.finish(pass.scratch, digest.onMatch);
      }
      bytes += input.length;
      cum[i] = performance.now() - t0;
      if (run === 0) {
        b.dCount[i] = digest.count;
        b.dSum[i] = digest.sum;
        b.dXor[i] = digest.xor;
      } else if (b.dCount[i] !== digest.count || b.dSum[i] !== digest.sum || b.dXor[i] !== digest.xor) {
        changed = true;
      }
    }
  } catch (e) {
    rep.error = `scan failed on input ${i} (${settings.inputName(i)}): ${errorText(e)}`;
    warnings.push(`${rep.engine}: ${rep.error}`);
    pass.scratch = m.createScratch({ mode: settings.mode });
  }
  const ms = performance.now() - t0;
  if (run === 0) {
    pass.limit = i;
    rep.inputsScanned = i;
    rep.bytesScanned = bytes;
  }
  return { ms, changed };
}

/** The comparison figures of `CompareResult`. */
type Comparison = Pick<
  CompareResult,
  'comparedInputs' | 'commonInputs' | 'commonBytes' | 'disagreeingInputs' | 'excusedInputs' | 'disagreements' | 'disagreementCount' | 'unlistedInputs'
>;

/**
 * Compares the digests of each input among the engines that scanned it; inputs whose
 * digests differ are re-scanned (up to `maxRescan`) to list exact disagreements.
 */
function compareInputs(
  built: readonly Built[],
  signatures: ReadonlyArray<string | SignatureSpec>,
  inputs: readonly Uint8Array[],
  mask: Uint8Array,
  settings: Settings,
  signatureNames: readonly string[] | undefined,
  warnings: string[],
): Comparison {
  const live = built.filter((b) => b.matcher);
  const disabled = new Set<number>();
  for (const b of live) for (const id of disabledIds(b.matcher)) disabled.add(id);
  const out: Comparison = {
    comparedInputs: 0, commonInputs: 0, commonBytes: 0, disagreeingInputs: 0, excusedInputs: 0,
    disagreements: [], disagreementCount: 0, unlistedInputs: 0,
  };
  let rescanned = 0;
  for (let i = 0; i < inputs.length; i++) {
    const here = live.filter((b) => b.report.inputsScanned > i);
    if (here.length === live.length && live.length > 0) {
      out.commonInputs++;
      out.commonBytes += inputs[i]!.length;
    }
    if (here.length < 2) continue;
    out.comparedInputs++;
    const r0 = here[0]!;
    const same = here.every((b) => b.dCount[i] === r0.dCount[i] && b.dSum[i] === r0.dSum[i] && b.dXor[i] === r0.dXor[i]);
    if (same) continue;
    if (rescanned >= settings.maxRescan) {
      out.unlistedInputs++;
      out.disagreeingInputs++;
      continue;
    }
    rescanned++;
    const found = listDisagreements(here, inputs[i]!, mask, disabled, settings.mode);
    if (found.length === 0) {
      out.excusedInputs++;
      continue;
    }
    out.disagreeingInputs++;
    out.disagreementCount += found.length;
    for (const d of found) {
      if (out.disagreements.length >= settings.maxList) break;
      out.disagreements.push({
        input: i, inputName: settings.inputName(i), signature: d.signature,
        ...(signatureNames ? { signatureName: signatureNames[d.signature] } : {}),
        source: describeSignature(signatures[d.signature]!),
        end: d.end, reportedBy: d.reportedBy, missingFrom: d.missingFrom,
      });
    }
  }
  if (out.unlistedInputs > 0) warnings.push(`${out.unlistedInputs} more disagreeing inputs not listed (maxRescanInputs ${settings.maxRescan})`);
  if (disabled.size > 0) warnings.push(`${disabled.size} signature(s) disabled while scanning (time budget); their differences are excused`);
  return out;
}

/**
 * Sets every built engine's ratios against the baseline `baseName` and returns the
 * baseline's report (undefined when it failed: no ratios then).
 */
function setRatios(built: readonly Built[], inputs: readonly Uint8Array[], baseName: string): EngineReport | undefined {
  const base = built.find((b) => b.report.engine === baseName && b.matcher && !b.report.error)?.report;
  const baseBuilt = built.find((b) => b.report === base);
  const ratio = (a: number | null, b: number | null | undefined): number | null =>
    a !== null && b !== null && b !== undefined && b > 0 && !Number.isNaN(a) ? a / b : null;
  /** Median over passes of the time to finish the first k inputs. */
  const prefixMs = (b: Built, k: number): number =>
    median(b.cum.filter((c) => c.length >= k && !Number.isNaN(c[k - 1]!)).map((c) => c[k - 1]!));
  for (const b of built) {
    const r = b.report;
    if (!b.matcher || !base || !baseBuilt) continue;
    const k = Math.min(r.inputsScanned, base.inputsScanned);
    let kBytes = 0;
    for (let i = 0; i < k; i++) kBytes += inputs[i]!.length;
    r.ratios = {
      scan: k > 0 && kBytes > 0 ? ratio(prefixMs(baseBuilt, k), prefixMs(b, k)) : null,
      scanCold: k > 0 && kBytes > 0 ? ratio(baseBuilt.cum[0]![k - 1]!, b.cum[0]![k - 1]!) : null,
      scanBytes: kBytes,
      compile: ratio(r.compileMs, base.compileMs),
      programBytes: ratio(r.programBytes, base.programBytes),
      heapBytes: ratio(r.heapBytes, base.heapBytes),
    };
  }
  return base;
}

interface Found {
  signature: number;
  end: number;
  reportedBy: string[];
  missingFrom: string[];
}

/** Re-scans one input with each engine, collecting exact pairs, and lists the differences. */
function listDisagreements(engines: readonly Built[], input: Uint8Array, mask: Uint8Array, disabled: Set<number>, mode: 'all' | 'set'): Found[] {
  const sets: Set<number>[] = [];
  const all = new Set<number>();
  // key = signature · 2^32 + end: exact in a double for any realistic signature count.
  const K = 2 ** 32;
  for (const b of engines) {
    const m = b.matcher!;
    const s = new Set<number>();
    const sc = m.createScratch({ mode });
    const cb = (sig: number, end: number): void => {
      if (mask[sig] === 1 && !disabled.has(sig)) s.add(sig * K + end);
    };
    try {
      m.scan(sc, input, cb);
      m.finish(sc, cb);
    } catch {
      // Already reported as this engine's scan error; what it found so far stands.
    }
    sets.push(s);
    for (const k of s) all.add(k);
  }
  const out: Found[] = [];
  for (const k of [...all].sort((a, b) => a - b)) {
    const reportedBy: string[] = [];
    const missingFrom: string[] = [];
    engines.forEach((b, j) => (sets[j]!.has(k) ? reportedBy : missingFrom).push(b.report.engine));
    if (missingFrom.length > 0) out.push({ signature: Math.floor(k / K), end: k % K, reportedBy, missingFrom });
  }
  return out;
}
