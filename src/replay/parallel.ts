/**
 * Parallel replay: one capture list replayed by N `worker_threads` at once, with the
 * alerts, counters and order of one `Replayer`.
 *
 * Design:
 * - Every worker (worker.ts) loads and compiles the rules itself (`prepareRules` with the
 *   same options): nothing is shared between threads, so memory grows with N (one compiled
 *   automaton per worker). Worker 0 also reports the rule set (`PreparedSummary`).
 * - Every worker reads and decodes every capture and decides only its share of the packets
 *   (`ReplayOptions.shard`): TCP and UDP packets by a symmetric hash of their flow (both
 *   directions in one worker), everything else (other protocols, fragments, undecodable
 *   packets) in worker 0. Every packet's timestamp still ends idle sessions in every worker,
 *   so a worker's sessions end as they would in one replayer. No packet bytes cross threads.
 * - Each alert travels with its position (`AlertOrder`: capture, packet being processed,
 *   ending session, emission order in its worker); with each batch a worker says how far
 *   it got (a watermark). The main thread merges the workers' streams and releases an
 *   alert once every live worker is past it: the output is the one replayer's, in order.
 * - Not exact: the `maxFlows` session cap and the `maxStreamBytes` stream budget count per
 *   worker (N workers hold up to N times as much before evicting or cutting), and idle
 *   expiry can differ for captures whose timestamps go backwards (the session table is
 *   scanned oldest first and stops at the first live session, which is another one per
 *   worker). `sessionsPeak` is a sum of per-worker peaks.
 * - Control: `signal` asks every worker to stop at its next checkpoint (its capture ends
 *   as an interrupted one); the alerts decided so far are released, in order. A worker
 *   that dies is reported (`WorkerLoss`: the capture and packet from which its share is
 *   lost); the other workers go on and their alerts are still released.
 *
 * The worker entry runs from the built `dist/replay/worker.js`, or, from the sources,
 * `src/replay/worker.ts` through tsx (registered in the worker by a small bootstrap).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { RuleParseError, UsageError } from '../errors.js';
import type { EngineName } from '../matcher/types.js';
import type { LoadSummary } from '../rules/index.js';
import type { PreparedRules, PrepareProgress, RuleSetOptions } from './prepare.js';
import type { CaptureResult, ReplayOptions, ReplayStats } from './replay.js';
import type { RuleSetWarning } from './warnings.js';

// ---- the protocol (main thread <-> worker) -------------------------------------------------

/** What a worker is started with (`workerData`). */
export interface WorkerInit {
  /** This worker's share, and the number of workers. */
  index: number;
  count: number;
  /** The rule options (no callbacks). */
  rules: Omit<RuleSetOptions, 'onProgress'>;
  /** The replay options (the share is added by the worker). */
  replay: Omit<ReplayOptions, 'shard'>;
  /** The captures, in order (paths). */
  files: string[];
  /** How alerts are formatted into lines; undefined: no lines (counted only). */
  format: 'fast' | 'json' | undefined;
  /** Milliseconds between checkpoints (batches of alerts, progress). */
  checkpointMs: number;
}

/** The rule set as worker 0 prepared it: `PreparedRules` without the detector, as plain data. */
export interface PreparedSummary {
  engine: EngineName;
  load: LoadSummary;
  /** Unreadable rule files: their messages. */
  unreadable: { message: string }[];
  selected: number;
  rejected: { kind: string; message: string }[];
  rejectedByKind: Record<string, number>;
  active: number;
  warnings: RuleSetWarning[];
  loadMs: number;
  compileMs: number;
  /** The compiled automaton's size. */
  nfa: { compiled: number; signatures: number; states: number; classes: number };
}

/** `PreparedRules` as a `PreparedSummary`. */
export function summarizePrepared(p: PreparedRules): PreparedSummary {
  const nfa = p.detector.compiled.nfa;
  return {
    engine: p.engine,
    load: p.load,
    unreadable: p.unreadable.map((e) => ({ message: e.message })),
    selected: p.selected,
    rejected: p.rejected.map((x) => ({ kind: x.kind, message: x.error.message })),
    rejectedByKind: p.rejectedByKind,
    active: p.active,
    warnings: p.warnings,
    loadMs: p.loadMs,
    compileMs: p.compileMs,
    nfa: { compiled: nfa.compiled, signatures: nfa.signatures, states: nfa.states, classes: nfa.classes },
  };
}

/** One alert on the wire: its position (see `AlertOrder`), rule index and formatted line. */
export interface WireAlert {
  /** Capture index, packet being processed, session order, emission order in the worker. */
  f: number;
  at: number;
  fl: number;
  seq: number;
  /** Rule index in the detector. */
  r: number;
  /** The formatted line (without newline); '' when no format was asked for. */
  line: string;
}

/** The rule of an alert, for counting by rule. */
export interface RuleMeta {
  gid: number;
  sid: number;
  rev: number;
  msg: string;
}

/** A capture's result on the wire (`CaptureResult` with the error as its message). */
export type WireCaptureResult = Omit<CaptureResult, 'error'> & { error: { message: string } | undefined };

/** Messages a worker sends. */
export type WorkerMessage =
  | { t: 'prepare-progress'; p: PrepareProgress }
  | { t: 'prepared'; summary: PreparedSummary | undefined }
  | { t: 'fatal'; name: string; message: string; reason?: string; line?: number; file?: string; sid?: number }
  | {
      t: 'batch';
      alerts: WireAlert[];
      /** Rules first reported by this worker in this batch. */
      rules: [number, RuleMeta][];
      /** Every later alert of this worker is at or after (capture, packet). */
      mark: [number, number];
      /** Where its reading stands: capture index, bytes consumed in it. */
      file: number;
      offset: number;
      stats: ReplayStats;
    }
  | { t: 'file'; index: number; result: WireCaptureResult }
  | { t: 'done'; stats: ReplayStats };

/** Messages the main thread sends. */
export type MainMessage = { t: 'start' } | { t: 'stop' } | { t: 'ack' };

/**
 * Batches a worker may have sent that the main thread has not acknowledged (acknowledged
 * = handled and the output drained, `ParallelReplayOptions.drained`): past this the worker
 * waits, so a slow stdout holds the replay back instead of the alerts piling up in memory.
 */
export const MAX_UNACKED_BATCHES = 4;

// ---- the main thread -------------------------------------------------------------------------

/** A worker that died, and what it lost. */
export interface WorkerLoss {
  /** 0-based worker index. */
  worker: number;
  /** Why (the error's message, or the exit code). */
  reason: string;
  /** The capture it was in (index and name), and the 1-based packet from which its share is lost. */
  fileIndex: number;
  file: string;
  fromPacket: number;
  /** Captures after that one (its share of each is lost too). */
  capturesAfter: number;
  /** One line for people. */
  message: string;
}

/** Where a parallel replay stands (`ParallelReplayOptions.onProgress`). */
export interface ParallelProgress {
  /** Per live worker: the capture it is reading and the bytes consumed in it. */
  positions: { file: number; offset: number }[];
  /** Packets and alerts decided so far, over all workers. */
  packets: number;
  alerts: number;
}

/** Options of `replayParallel`. */
export interface ParallelReplayOptions {
  /** Worker threads (≥ 1). */
  workers: number;
  rules: WorkerInit['rules'];
  replay: WorkerInit['replay'];
  files: string[];
  format: WorkerInit['format'];
  /** Rule loading and compiling in worker 0. */
  onPrepareProgress?: (p: PrepareProgress) => void;
  /** The rule set, once every worker has compiled it (before any packet is read). */
  onPrepared?: (s: PreparedSummary) => void;
  /** Every alert, in the order one replayer gives: its line and its rule. */
  onAlert: (line: string, rule: RuleMeta) => void;
  /** Progress, at every batch received (throttle it yourself). */
  onProgress?: (p: ParallelProgress) => void;
  /** A capture replayed by every live worker (in capture order). */
  onCapture?: (index: number, result: WireCaptureResult) => void;
  /** A worker died (its loss). */
  onLoss?: (loss: WorkerLoss) => void;
  /** Aborting stops every worker at its next checkpoint. */
  signal?: AbortSignal;
  /** @default 100 */
  checkpointMs?: number;
  /**
   * Resolves once the alerts given so far are written (stdout drained); each batch is
   * acknowledged to its worker only then (`MAX_UNACKED_BATCHES`).
   */
  drained?: () => Promise<void>;
}

/** The outcome of `replayParallel`. */
export interface ParallelResult {
  /** The captures replayed, merged over the workers (in order). */
  results: WireCaptureResult[];
  /** Counters summed over the workers (a dead worker's as last reported). */
  stats: ReplayStats;
  /** Workers that died. */
  lost: WorkerLoss[];
}

/** The worker entry point and how to start it (from dist/: the .js; from src/: the .ts through tsx). */
function startWorker(init: WorkerInit): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./worker.js', here), { workerData: init });
  const req = createRequire(here);
  // tsx's ESM api (the package maps `tsx/esm/api` to a .cjs for require and a .mjs for import)
  const api = req.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
  if (!existsSync(api)) throw new Error(`cannot run the worker from the sources: ${api} not found (is tsx installed?)`);
  const entry = new URL('./worker.ts', here).href;
  const boot = `import(${JSON.stringify(pathToFileURL(api).href)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, execArgv: [], workerData: init });
}

/** The error a worker's prepare threw, rebuilt in the main thread. */
function fatalError(m: Extract<WorkerMessage, { t: 'fatal' }>): Error {
  if (m.name === 'UsageError') return new UsageError(m.message);
  if (m.name === 'RuleParseError' && m.reason !== undefined) return new RuleParseError(m.reason, m.line ?? 0, m.file, m.sid);
  return new Error(`worker failed while preparing the rules: ${m.name}: ${m.message}`);
}

/** Zeroed counters. */
function emptyStats(): ReplayStats {
  return {
    packets: 0, bytes: 0, scannedBytes: 0, undecoded: 0, alerts: 0, sessions: 0, sessionsPeak: 0,
    flowsEvicted: { capacity: 0, idle: 0 },
    depthReached: 0, streamEvaluations: 0, scratchRefused: 0, midstreamExcepted: 0,
    reassembly: { gaps: 0, bytesSkipped: 0, outOfOrder: 0, retransmissions: 0 },
    confirm: { signatures: 0, candidates: 0, runs: 0, confirmed: 0, ms: 0, worstInputMs: 0 },
  };
}

/** Sum of counters. */
function addStats(into: ReplayStats, s: ReplayStats): void {
  for (const k of Object.keys(into) as (keyof ReplayStats)[]) {
    if (k === 'reassembly' || k === 'confirm' || k === 'flowsEvicted') continue;
    into[k] += s[k];
  }
  into.flowsEvicted.capacity += s.flowsEvicted?.capacity ?? 0;
  into.flowsEvicted.idle += s.flowsEvicted?.idle ?? 0;
  for (const k of Object.keys(into.reassembly) as (keyof ReplayStats['reassembly'])[]) into.reassembly[k] += s.reassembly[k];
  // Every worker compiles the same rules: the signature count and the worst input are maxima.
  const c = into.confirm;
  const d = s.confirm ?? emptyStats().confirm;
  c.signatures = Math.max(c.signatures, d.signatures);
  c.worstInputMs = Math.max(c.worstInputMs, d.worstInputMs);
  c.candidates += d.candidates;
  c.runs += d.runs;
  c.confirmed += d.confirmed;
  c.ms += d.ms;
}

/** A's position before B's? (capture, packet, session, emission). */
function before(a: WireAlert, b: WireAlert): boolean {
  if (a.f !== b.f) return a.f < b.f;
  if (a.at !== b.at) return a.at < b.at;
  if (a.fl !== b.fl) return a.fl < b.fl;
  return a.seq < b.seq;
}

/** Is the alert before the mark (capture, packet)? */
function beforeMark(a: WireAlert, mark: readonly [number, number]): boolean {
  return a.f !== mark[0] ? a.f < mark[0] : a.at < mark[1];
}

/** The main thread's view of one worker. */
interface WorkerState {
  worker: Worker;
  /** Alerts received, not yet released (in this worker's order), from `head` on. */
  queue: WireAlert[];
  head: number;
  mark: [number, number];
  /** Still expected to send alerts (not done, not dead). */
  live: boolean;
  prepared: boolean;
  file: number;
  offset: number;
  stats: ReplayStats;
  results: Map<number, WireCaptureResult>;
  /** The error the worker raised, if any; handled at its 'exit'. */
  error?: string;
}

/** Merges captures' results of several workers. */
function mergeResults(parts: WireCaptureResult[]): WireCaptureResult {
  const m: WireCaptureResult = { ...parts[0]!, warnings: [...parts[0]!.warnings] };
  for (const r of parts.slice(1)) {
    m.packets += r.packets;
    m.bytes += r.bytes;
    m.alerts += r.alerts;
    m.engineErrors += r.engineErrors;
    m.engineError ??= r.engineError;
    m.confirmExhausted += r.confirmExhausted;
    m.confirmExhaustedFirst ??= r.confirmExhaustedFirst;
    m.error ??= r.error;
    m.interrupted ||= r.interrupted;
    m.ms = Math.max(m.ms, r.ms);
    m.warnings.push(...r.warnings);
  }
  return m;
}

/**
 * Replays `files` with `workers` threads (see the module comment). Resolves when every
 * worker is done or dead; rejects if the rules cannot be prepared (the error worker 0's
 * `prepareRules` threw: UsageError, RuleParseError) or worker 0 dies before reporting them.
 */
export function replayParallel(o: ParallelReplayOptions): Promise<ParallelResult> {
  return new ParallelRun(o).run();
}

/** One `replayParallel` call. */
class ParallelRun {
  private readonly ws: WorkerState[] = [];
  private readonly rules = new Map<number, RuleMeta>();
  private readonly lost: WorkerLoss[] = [];
  private nextCapture = 0;
  private readonly merged: WireCaptureResult[] = [];
  private started = false;
  private resolve!: (r: ParallelResult) => void;
  private reject!: (e: unknown) => void;
  private failed = false;
  private summary: PreparedSummary | undefined;

  constructor(private readonly o: ParallelReplayOptions) {}

  run(): Promise<ParallelResult> {
    return new Promise<ParallelResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      const count = Math.max(1, this.o.workers);
      for (let index = 0; index < count; index++) {
        const init: WorkerInit = {
          index, count, rules: this.o.rules, replay: this.o.replay, files: this.o.files, format: this.o.format,
          checkpointMs: this.o.checkpointMs ?? 100,
        };
        const worker = startWorker(init);
        const st: WorkerState = {
          worker, queue: [], head: 0, mark: [0, 0], live: true, prepared: false, file: 0, offset: 0, stats: emptyStats(), results: new Map(),
        };
        this.ws.push(st);
        worker.on('message', (m: WorkerMessage) => this.onMessage(index, m));
        // Node may deliver 'error' before messages the worker posted earlier, never 'exit':
        // the death is handled at 'exit', once its last batches (and marks) are in.
        worker.on('error', (e: Error) => void (st.error ??= `${e.name}: ${e.message}`));
        worker.on('exit', (code) => this.onDeath(index, st.error ?? `exited with code ${code}`));
      }
      this.o.signal?.addEventListener('abort', () => this.post({ t: 'stop' }), { once: true });
    });
  }

  /** Acknowledges a batch of w once the output has drained (see `MAX_UNACKED_BATCHES`). */
  private acknowledge(w: WorkerState): void {
    const ack = (): void => {
      if (w.live) w.worker.postMessage({ t: 'ack' } satisfies MainMessage);
    };
    const drained = this.o.drained;
    if (drained === undefined) ack();
    // After this batch's alerts are released (below, synchronously) and written.
    else queueMicrotask(() => void drained().then(ack, ack));
  }

  private post(m: MainMessage): void {
    for (const w of this.ws) if (w.live) w.worker.postMessage(m);
  }

  private onMessage(index: number, m: WorkerMessage): void {
    if (this.failed) return;
    const w = this.ws[index]!;
    switch (m.t) {
      case 'prepare-progress':
        this.o.onPrepareProgress?.(m.p);
        return;
      case 'prepared':
        w.prepared = true;
        if (m.summary !== undefined) this.summary = m.summary;
        this.maybeStart();
        return;
      case 'fatal':
        this.fail(fatalError(m));
        return;
      case 'batch':
        this.acknowledge(w);
        for (const [r, meta] of m.rules) this.rules.set(r, meta);
        if (w.queue.length === 0 || w.head === w.queue.length) {
          w.queue = m.alerts;
          w.head = 0;
        } else w.queue.push(...m.alerts);
        w.mark = m.mark;
        w.file = m.file;
        w.offset = m.offset;
        w.stats = m.stats;
        this.release(false);
        this.progress();
        return;
      case 'file':
        w.results.set(m.index, m.result);
        this.captures(false);
        return;
      case 'done':
        w.stats = m.stats;
        w.live = false;
        void w.worker.terminate();
        this.settle();
    }
  }

  /** Every worker compiled: tell the caller, then let them replay. */
  private maybeStart(): void {
    if (this.started || !this.ws.every((w) => w.prepared || !w.live)) return;
    this.started = true;
    if (this.summary === undefined) {
      this.fail(new Error('worker 0 died before reporting the rule set'));
      return;
    }
    this.o.onPrepared?.(this.summary);
    this.post({ t: 'start' });
  }

  private fail(e: unknown): void {
    if (this.failed) return;
    this.failed = true;
    for (const w of this.ws) {
      w.live = false;
      void w.worker.terminate();
    }
    this.reject(e);
  }

  private onDeath(index: number, reason: string): void {
    const w = this.ws[index]!;
    if (!w.live || this.failed) return;
    w.live = false;
    const files = this.o.files;
    const fileIndex = Math.min(w.mark[0], Math.max(0, files.length - 1));
    const loss: WorkerLoss = {
      worker: index,
      reason,
      fileIndex,
      file: files[fileIndex] ?? '',
      fromPacket: w.mark[0] < files.length ? w.mark[1] + 1 : 0,
      capturesAfter: Math.max(0, files.length - fileIndex - 1),
      message: '',
    };
    loss.message = w.mark[0] >= files.length
      ? `worker ${index + 1} of ${this.ws.length} died after its work (${reason})`
      : `worker ${index + 1} of ${this.ws.length} died (${reason}): its share of the packets of ${loss.file} from packet ` +
        `${loss.fromPacket} on` + (loss.capturesAfter > 0 ? `, and of the ${loss.capturesAfter} capture(s) after it,` : '') + ' is lost';
    this.lost.push(loss);
    this.o.onLoss?.(loss);
    void w.worker.terminate();
    if (!this.started) this.maybeStart();
    this.settle();
  }

  /** Releases, in order, the alerts every live worker is past (`all`: every alert held). */
  private release(all: boolean): void {
    let mark: [number, number] = [Infinity, 0];
    if (!all) {
      for (const w of this.ws) if (w.live && (w.mark[0] < mark[0] || (w.mark[0] === mark[0] && w.mark[1] < mark[1]))) mark = w.mark;
    }
    for (;;) {
      let best: WorkerState | undefined;
      for (const w of this.ws) {
        if (w.head < w.queue.length && (best === undefined || before(w.queue[w.head]!, best.queue[best.head]!))) best = w;
      }
      if (best === undefined) break;
      const a = best.queue[best.head]!;
      if (!all && !beforeMark(a, mark)) break;
      best.head++;
      this.o.onAlert(a.line, this.rules.get(a.r)!);
    }
    for (const w of this.ws) {
      if (w.head > 4096 && w.head * 2 > w.queue.length) {
        w.queue = w.queue.slice(w.head);
        w.head = 0;
      }
    }
  }

  private progress(): void {
    if (this.o.onProgress === undefined) return;
    let packets = 0;
    let alerts = 0;
    const positions: { file: number; offset: number }[] = [];
    for (const w of this.ws) {
      packets += w.stats.packets;
      alerts += w.stats.alerts;
      if (w.live) positions.push({ file: w.file, offset: w.offset });
    }
    this.o.onProgress({ positions, packets, alerts });
  }

  /** Reports the captures every worker is done with, in order (`all`: whatever was replayed). */
  private captures(all: boolean): void {
    while (this.nextCapture < this.o.files.length) {
      const i = this.nextCapture;
      if (!all && this.ws.some((w) => w.live && !w.results.has(i))) return;
      const parts = this.ws.flatMap((w) => (w.results.has(i) ? [w.results.get(i)!] : []));
      if (parts.length === 0) return;
      const r = mergeResults(parts);
      // A worker that stopped (a signal) before finishing this capture leaves it partial,
      // even when the others finished it (a dead worker's loss is reported apart).
      if (this.ws.some((w, k) => !w.results.has(i) && !this.lost.some((l) => l.worker === k))) r.interrupted = true;
      this.merged.push(r);
      this.nextCapture++;
      this.o.onCapture?.(i, r);
    }
  }

  /** All workers done or dead: release the rest and resolve. */
  private settle(): void {
    if (this.failed || this.ws.some((w) => w.live)) return;
    if (!this.started) {
      this.fail(new Error('every worker died before the replay started'));
      return;
    }
    this.release(true);
    this.captures(true);
    const stats = emptyStats();
    for (const w of this.ws) addStats(stats, w.stats);
    this.resolve({ results: this.merged, stats, lost: this.lost });
  }
}

/** The number of workers for `--workers auto`: the cores the process may use. */
export function autoWorkers(): number {
  return Math.max(1, availableParallelism());
}
