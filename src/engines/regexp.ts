/**
 * The `regexp` baseline: V8's `RegExp`, one per signature, over a latin1 view of the bytes
 * (one char per byte) — what a Node developer would write today, and our analogue of PCRE
 * in the published comparison. It has the same match semantics as the automaton engines,
 * with one known exception on their side: their shared report rule (report.ts, "end >
 * last end") drops an end e = length − 1 confirmed only at end of input after e + 1 was
 * reported (`/a\n|a$/` on "a\n": true ends 1 and 2, automata report 2); this engine
 * reports both.
 *
 * Translation. Each signature's IR (flags already applied) is printed back as a V8 pattern
 * with PCRE's raw-byte meaning and no flags that V8 interprets differently: byte sets
 * become explicit `[\xNN-\xNN]` classes (no `i`, no `.`, no `\s`), text-start `^` and
 * text-end `$` (no `m`), line-start `(?<![^\n])`, text-end-newline `(?=\n?$)`, line-end
 * `(?=\n|$)`, `\b`/`\B` as is (ASCII word bytes in V8 without `u`, as in PCRE here). Every
 * IR is expressible; a pattern V8 refuses to compile (e.g. "Regular expression too large")
 * is rejected with an UnsupportedFeatureError naming V8's message. Backreferences and the
 * like never reach this engine: the PCRE front end already rejected them.
 *
 * 'all' mode (every end of every match). A global regex loop does not give all ends (it
 * finds one match per start, non-overlapping). Here each signature R runs as the
 * zero-width pattern `(?<=R)` with flag `g`: it matches at position e exactly when some
 * substring ending at e matches R (V8 lookbehind is unrestricted and backtracks over every
 * start; lookarounds inside R see the whole string). One `exec` per reported end, starting
 * from the previous end + 1. Cost: each position is tried once per signature and each try
 * matches R backwards, so O(n · m) per signature at best and much worse on backtracking
 * shapes — this baseline is meant to be the slow reference. 'first' mode stops each
 * signature at its first end (the earliest-ending match), usually far cheaper. Outside
 * the Matcher interface, `isMatch(bytes)` is the plain `re.test(payload)` per signature
 * that a Node developer would write (which signatures match one whole input; no ends).
 *
 * Streaming (bounded window). The scratch keeps the stream's last `windowBytes` bytes (plus
 * the chunk being scanned). `scan` reports ends up to offset − 1 (the end just before the
 * newest byte, so `\b` and line-end see their real next byte); `finish` tests the last two
 * ends with end-of-input assertions enabled. While scanning, text-end and
 * text-end-newline are replaced by "never" (they can only hold at the true end, which
 * `finish` re-checks). Once bytes have left the window, text-start is "never" and the
 * assertions that look at the previous byte fail at the window's first char, so a match
 * is missed (never invented) only if it starts more than `windowBytes` before its end.
 *
 * Catastrophic backtracking. V8 has no regex timeout, so by default (`guard: 'worker'`)
 * the regexes run in a worker thread; the calling thread waits synchronously (Atomics.wait
 * plus receiveMessageOnPort keep `scan` synchronous, as the Matcher interface requires)
 * and watches a progress counter. A signature that spends more than `timeBudgetMs` on
 * one scan is reported through `failures()`/`stats().timedOut` and `onFailure`, disabled
 * for the rest of the matcher's life (so one pattern cannot stall a whole comparison), the
 * worker is terminated and replaced, and the scan resumes with the other signatures.
 * The budget is wall-clock time from the moment the worker starts that signature (worker
 * start-up is not counted), so on a heavily loaded machine a merely slow pattern can be
 * disabled too; the report lists it either way.
 * Each guarded scan call copies the window string to the worker and costs a thread round
 * trip (about 0.1 ms). `guard: 'none'` runs in the calling thread: faster, unprotected.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { UnsupportedFeatureError, UsageError } from '../errors.js';
import type { NfaSignatureInput } from '../nfa/build.js';
import type { AssertionKind, ByteSet, Ir } from '../syntax/ir.js';
import { MatchReporter, type ReportPlan } from './report.js';
import type { MatchCallback, Matcher, MatcherStats, MatchMode, RejectedSignature, Scratch, ScratchOptions } from './types.js';

export interface RegexpOptions {
  /** Where the regexes run. 'worker' enforces `timeBudgetMs`; 'none' is unguarded. @default 'worker' */
  guard?: 'worker' | 'none';
  /** Time one signature may take on one scan call before it is disabled. @default 250 */
  timeBudgetMs?: number;
  /** Stream bytes kept for matches that span scan calls. @default 65536 */
  windowBytes?: number;
  /** Called when a signature is disabled (time budget exceeded, or V8 threw while matching). */
  onFailure?: (failure: RegexpFailure) => void;
}

export interface RegexpFailure {
  signature: number;
  reason: 'timeout' | 'error';
  /** V8's message for 'error'. */
  message?: string;
  /** Time spent before it was stopped ('timeout'). */
  ms: number;
  /** Stream length (bytes) when it happened. */
  streamOffset: number;
}

/** Translation context: whether end-of-input is known, whether the window was trimmed. */
export interface RegexpVariant {
  /** End-of-input assertions may hold at the end of the string (finish). */
  final: boolean;
  /** Bytes before the string's first char were dropped (not the stream start). */
  trimmed: boolean;
}

/** Options arrive untyped through compile(): bad values are usage errors. */
function checkRegexpOptions(o: RegexpOptions): void {
  if (o.guard !== undefined && o.guard !== 'worker' && o.guard !== 'none') {
    throw new UsageError(`regexp option guard must be 'worker' or 'none' (got ${String(o.guard)})`);
  }
  for (const key of ['timeBudgetMs', 'windowBytes'] as const) {
    const v = o[key];
    if (v !== undefined && !(typeof v === 'number' && v > 0 && Number.isFinite(v))) {
      throw new UsageError(`regexp option ${key} must be a positive number (got ${String(v)})`);
    }
  }
  if (o.onFailure !== undefined && typeof o.onFailure !== 'function') {
    throw new UsageError('regexp option onFailure must be a function');
  }
}

const hex = (b: number): string => `\\x${b.toString(16).padStart(2, '0')}`;

/** A byte set as a V8 class over latin1 chars: ranges, complemented when shorter. */
export function byteSetToJs(set: ByteSet): string {
  const has = (b: number): boolean => ((set[b >>> 5]! >>> (b & 31)) & 1) === 1;
  const ranges = (want: boolean): string => {
    let out = '';
    for (let b = 0; b < 256; b++) {
      if (has(b) !== want) continue;
      let e = b;
      while (e < 255 && has(e + 1) === want) e++;
      out += e === b ? hex(b) : e === b + 1 ? hex(b) + hex(e) : `${hex(b)}-${hex(e)}`;
      b = e;
    }
    return out;
  };
  let count = 0;
  for (let b = 0; b < 256; b++) if (has(b)) count++;
  if (count === 0) return '[^\\x00-\\xff]';
  if (count === 256) return '[\\x00-\\xff]';
  const pos = `[${ranges(true)}]`;
  // Inputs are latin1 strings (chars ≤ 0xff), so a negated class is exact.
  const neg = `[^${ranges(false)}]`;
  return neg.length < pos.length ? neg : pos;
}

function assertionToJs(kind: AssertionKind, v: RegexpVariant): string {
  switch (kind) {
    case 'text-start':
      return v.trimmed ? '(?!)' : '^';
    case 'line-start':
      return v.trimmed ? '(?<=\\n)' : '(?<![^\\n])';
    case 'text-end':
      return v.final ? '$' : '(?!)';
    case 'text-end-newline':
      return v.final ? '(?=\\n?$)' : '(?!)';
    case 'line-end':
      return '(?=\\n|$)';
    case 'word-boundary':
      // In a trimmed window, the first char's predecessor is unknown: fail there.
      return v.trimmed ? '(?:(?<=\\w)(?!\\w)|(?<=\\W)(?=\\w))' : '\\b';
    case 'not-word-boundary':
      return v.trimmed ? '(?:(?<=\\w)(?=\\w)|(?<=\\W)(?!\\w))' : '\\B';
  }
}

/** V8 source with exactly the IR's meaning on latin1 strings (see the module comment). */
export function irToJs(ir: Ir, v: RegexpVariant = { final: true, trimmed: false }): string {
  switch (ir.kind) {
    case 'empty':
      return '(?:)';
    case 'never':
      return '(?!)';
    case 'bytes':
      return byteSetToJs(ir.set);
    case 'assert':
      return assertionToJs(ir.assertion, v);
    case 'concat':
      return ir.items.map((i) => group(i, v, false)).join('');
    case 'alt':
      return `(?:${ir.items.map((i) => irToJs(i, v)).join('|')})`;
    case 'repeat': {
      const { min, max } = ir;
      const q =
        min === 0 && max === Infinity ? '*' : min === 1 && max === Infinity ? '+' : min === 0 && max === 1 ? '?'
        : max === Infinity ? `{${min},}` : min === max ? `{${min}}` : `{${min},${max}}`;
      return `${group(ir.item, v, true)}${q}${ir.greedy ? '' : '?'}`;
    }
  }
}

/** A concat item as is (V8 concatenation needs no grouping), a repeat item as an atom. */
function group(ir: Ir, v: RegexpVariant, atom: boolean): string {
  const s = irToJs(ir, v);
  if (!atom || ir.kind === 'bytes' || ir.kind === 'alt') return s;
  return `(?:${s})`;
}

/**
 * A signature's sources: index (final ? 1 : 0) + (trimmed ? 2 : 0) holds the lookbehind
 * form `(?<=R)` of that variant; index 4 holds plain R (whole input, end known) for the
 * is-match test.
 */
export function signatureSources(sig: NfaSignatureInput): string[] {
  const out: string[] = [];
  for (const trimmed of [false, true]) {
    for (const final of [false, true]) {
      const v = { final, trimmed };
      const body = irToJs(sig.ir, v);
      const anchor = sig.anchored ? assertionToJs('text-start', v) : '';
      out.push(`(?<=${anchor}(?:${body}))`);
    }
  }
  out.push(`${sig.anchored ? '^' : ''}(?:${irToJs(sig.ir)})`);
  return out;
}

const VARIANTS = 5;
const PLAIN = 4;

/** One unit of work: ends e in [from, to] (string indices) of pattern p, variant v. */
interface Job {
  p: number;
  v: number;
  from: number;
  to: number;
  first: boolean;
}

/**
 * The matching loop, as JavaScript source so that the in-thread path and the worker run
 * the very same code. `regs` caches compiled regexes by p * 5 + v. With `first`, the
 * loop stops at the first match: for the plain variant that is V8's ordinary search.
 */
const CORE_SOURCE = `
function runJob(regs, sources, str, job) {
  const key = job.p * 5 + job.v;
  const ends = [];
  try {
    let re = regs[key];
    if (re === undefined) { re = new RegExp(sources[job.p][job.v], 'g'); regs[key] = re; }
    re.lastIndex = job.from;
    for (;;) {
      const m = re.exec(str);
      if (m === null) break;
      const e = m.index;
      if (e > job.to) break;
      ends.push(e);
      if (job.first || e >= str.length) break;
      re.lastIndex = e + 1;
    }
  } catch (e) {
    // e.g. "Maximum call stack size exceeded" or "Regular expression too large".
    return String(e && e.message || e);
  }
  return ends;
}
`;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
${CORE_SOURCE}
const { port, signal, sources } = workerData;
const regs = [];
port.on('message', (req) => {
  const results = [];
  for (let j = 0; j < req.jobs.length; j++) {
    Atomics.store(signal, 1, j);
    Atomics.add(signal, 2, 1);
    results.push(runJob(regs, sources, req.str, req.jobs[j]));
  }
  port.postMessage(results);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
`;

type RunJob = (regs: (RegExp | undefined)[], sources: string[][], str: string, job: Job) => number[] | string;
const runJobInThread = new Function(`${CORE_SOURCE}; return runJob;`)() as RunJob;

const WORKER_START_LIMIT_MS = 30_000;

/** The guarded runner: one worker, replaced after a timeout. */
class WorkerRunner {
  private worker: Worker | null = null;
  private port: MessagePort | null = null;
  // [0] done flag, [1] index of the job running, [2] progress counter.
  private signal = new Int32Array(new SharedArrayBuffer(12));

  constructor(private readonly sources: string[][]) {}

  private start(): void {
    const { port1, port2 } = new MessageChannel();
    this.signal = new Int32Array(new SharedArrayBuffer(12));
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { port: port2, signal: this.signal, sources: this.sources },
      transferList: [port2],
    });
    this.worker.unref();
    port1.unref();
    this.port = port1;
  }

  /**
   * Run the jobs; returns one result per job, or `{ timedOut: j, ms }` for the first job
   * that overran the budget (the worker is then discarded).
   */
  run(str: string, jobs: Job[], budgetMs: number): (number[] | string)[] | { timedOut: number; ms: number } {
    if (!this.worker) this.start();
    const signal = this.signal;
    Atomics.store(signal, 0, 0);
    const posted = performance.now();
    this.port!.postMessage({ str, jobs });
    const slice = Math.max(1, Math.min(20, budgetMs / 4));
    // The clock of a job starts when the worker reports starting it (progress counter),
    // so a slow worker start-up (a loaded machine) is never blamed on a signature.
    let progress = Atomics.load(signal, 2);
    let since = -1;
    for (;;) {
      const r = Atomics.wait(signal, 0, 0, slice);
      if (r !== 'timed-out') break;
      const now = performance.now();
      const p = Atomics.load(signal, 2);
      if (p !== progress) {
        progress = p;
        since = now;
      } else if (since < 0) {
        if (now - posted > WORKER_START_LIMIT_MS) {
          this.close();
          throw new Error(`regexp worker did not start within ${WORKER_START_LIMIT_MS} ms`);
        }
      } else if (now - since >= budgetMs) {
        const j = Atomics.load(signal, 1);
        void this.worker!.terminate();
        this.worker = null;
        this.port!.close();
        this.port = null;
        return { timedOut: j, ms: now - since };
      }
    }
    const msg = receiveMessageOnPort(this.port!);
    if (!msg) throw new Error('regexp worker signalled completion without a result');
    return msg.message as (number[] | string)[];
  }

  close(): void {
    if (this.worker) void this.worker.terminate();
    this.port?.close();
    this.worker = null;
    this.port = null;
  }
}

export class RegexpScratch implements Scratch {
  readonly engine = 'regexp' as const;
  /** Absolute offset = bytes of this input so far. */
  offset = 0;
  /** The window: latin1 chars of the stream from absolute offset `winStart`. */
  text = '';
  winStart = 0;
  /** Ends below this absolute offset were already evaluated by `scan`. */
  nextEnd = 0;
  /** 'first' mode: signatures already reported in this input. */
  readonly done: Uint8Array;
  readonly reporter: MatchReporter;
  constructor(
    readonly owner: RegexpMatcher,
    readonly mode: MatchMode,
  ) {
    this.reporter = new MatchReporter(owner.plan, mode);
    this.done = new Uint8Array(mode === 'first' ? owner.signatureCount : 0);
  }
}

export class RegexpMatcher implements Matcher {
  readonly engine = 'regexp' as const;
  readonly signatureCount: number;
  readonly plan: ReportPlan;
  /** Signatures V8 would not compile. */
  readonly rejected: RejectedSignature[] = [];
  private readonly ids: number[] = [];
  private readonly sources: string[][] = [];
  /** Per pattern index: disabled after a timeout. */
  private readonly disabled: Uint8Array;
  private readonly failureList: RegexpFailure[] = [];
  private readonly regs: (RegExp | undefined)[] = [];
  private readonly runner: WorkerRunner | null;
  private readonly budgetMs: number;
  private readonly windowBytes: number;
  private readonly buildMs: number;

  constructor(
    signatures: ReadonlyArray<NfaSignatureInput | null>,
    private readonly options: RegexpOptions = {},
  ) {
    const t0 = performance.now();
    checkRegexpOptions(options);
    let count = signatures.length;
    for (const s of signatures) {
      if (!s) continue;
      count = Math.max(count, s.id + 1);
      const sources = signatureSources(s);
      try {
        // Compile every variant once here so that V8's refusals surface at build time.
        for (const src of sources) new RegExp(src, 'g');
        if (sources.length !== VARIANTS) throw new Error('internal: variant count');
      } catch (e) {
        this.rejected.push({
          signature: s.id,
          source: sources[1]!,
          error: new UnsupportedFeatureError(`V8 RegExp: ${e instanceof Error ? e.message : String(e)}`, sources[1]!, 0),
        });
        continue;
      }
      this.ids.push(s.id);
      this.sources.push(sources);
    }
    this.signatureCount = count;
    // Every signature may name the end just before the last byte twice (scan, then finish).
    const slot = new Int32Array(count).fill(-1);
    this.ids.forEach((id, i) => {
      slot[id] = i;
    });
    this.plan = { signatureCount: count, slot, slotCount: this.ids.length };
    this.disabled = new Uint8Array(this.ids.length);
    this.budgetMs = options.timeBudgetMs ?? 250;
    this.windowBytes = Math.max(1, Math.floor(options.windowBytes ?? 65536));
    this.runner = (options.guard ?? 'worker') === 'worker' ? new WorkerRunner(this.sources) : null;
    this.buildMs = performance.now() - t0;
  }

  createScratch(options: ScratchOptions = {}): RegexpScratch {
    return new RegexpScratch(this, options.mode ?? 'all');
  }

  scan(scratch: Scratch, bytes: Uint8Array, onMatch: MatchCallback): void {
    const sc = this.own(scratch);
    if (!(bytes instanceof Uint8Array)) throw new TypeError('regexp: scan expects a Uint8Array');
    if (bytes.length === 0) return;
    sc.text += Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    sc.offset += bytes.length;
    // Ends [nextEnd, offset - 1]: their one-byte lookahead is now inside the window.
    this.evaluate(sc, sc.nextEnd, sc.offset - 1, false, onMatch);
    sc.nextEnd = sc.offset;
    if (sc.text.length > this.windowBytes) {
      const drop = sc.text.length - this.windowBytes;
      sc.text = sc.text.slice(drop);
      sc.winStart += drop;
    }
  }

  finish(scratch: Scratch, onMatch: MatchCallback): void {
    const sc = this.own(scratch);
    // The last two ends, now with end-of-input assertions (the rest are settled).
    this.evaluate(sc, Math.max(0, sc.offset - 1), sc.offset, true, onMatch);
    sc.reporter.endOfInput(onMatch);
    this.reset(sc);
  }

  reset(scratch: Scratch): void {
    const sc = this.own(scratch);
    sc.reporter.reset();
    sc.done.fill(0);
    sc.text = '';
    sc.winStart = 0;
    sc.offset = 0;
    sc.nextEnd = 0;
  }

  /**
   * What a Node developer would write: `re.test(payload)` per signature on one whole
   * input (no streaming, no match ends). Returns the ids that match, ascending. Same
   * guard and failure handling as `scan`.
   */
  isMatch(bytes: Uint8Array): number[] {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('regexp: isMatch expects a Uint8Array');
    const str = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    const jobs: Job[] = [];
    for (let p = 0; p < this.ids.length; p++) {
      if (!this.disabled[p]) jobs.push({ p, v: PLAIN, from: 0, to: str.length, first: true });
    }
    const out: number[] = [];
    this.runJobs(str, jobs, bytes.length, (p, ends) => {
      if (ends.length > 0) out.push(this.ids[p]!);
    });
    return out.sort((a, b) => a - b);
  }

  /** Signatures disabled while scanning (time budget exceeded, or V8 threw), in order. */
  failures(): readonly RegexpFailure[] {
    return this.failureList;
  }

  /** Stop the worker thread (it is unref'd, so this is only needed to free it early). */
  close(): void {
    this.runner?.close();
  }

  stats(): MatcherStats {
    return {
      engine: 'regexp',
      signatures: this.signatureCount,
      compiled: this.ids.length,
      rejected: this.rejected.length,
      timedOut: this.failureList.filter((f) => f.reason === 'timeout').length,
      failed: this.failureList.filter((f) => f.reason === 'error').length,
      guard: this.runner ? 'worker' : 'none',
      timeBudgetMs: this.budgetMs,
      windowBytes: this.windowBytes,
      sourceChars: this.sources.reduce((n, s) => n + s[1]!.length, 0),
      buildMs: Math.round(this.buildMs * 10) / 10,
    };
  }

  /** Report ends in [from, to] (absolute) of every live signature. */
  private evaluate(sc: RegexpScratch, from: number, to: number, final: boolean, onMatch: MatchCallback): void {
    if (to < from) return;
    const v = (final ? 1 : 0) + (sc.winStart > 0 ? 2 : 0);
    const lo = Math.max(0, from - sc.winStart);
    const hi = to - sc.winStart;
    const first = sc.mode === 'first';
    const jobs: Job[] = [];
    for (let p = 0; p < this.ids.length; p++) {
      if (this.disabled[p] || (first && sc.done[this.ids[p]!])) continue;
      jobs.push({ p, v, from: lo, to: hi, first });
    }
    this.runJobs(sc.text, jobs, sc.offset, (p, ends) => {
      const id = this.ids[p]!;
      for (let i = 0; i < ends.length; i++) sc.reporter.emit(id, ends[i]! + sc.winStart, onMatch);
      if (first && ends.length > 0) sc.done[id] = 1;
    });
  }

  /**
   * Run jobs in the worker (or in-thread), disabling a pattern that overran its budget
   * or made V8 throw; `deliver` gets each finished job's ends (string indices).
   */
  private runJobs(str: string, jobs: Job[], streamOffset: number, deliver: (p: number, ends: number[]) => void): void {
    while (jobs.length > 0) {
      let results: (number[] | string)[];
      if (this.runner) {
        const r = this.runner.run(str, jobs, this.budgetMs);
        if (!Array.isArray(r)) {
          // Nothing from this attempt is delivered (the worker died with its results);
          // disable the culprit and rerun the rest.
          const culprit = jobs[r.timedOut]!;
          this.disable(culprit.p, { reason: 'timeout', ms: Math.round(r.ms), streamOffset });
          jobs = jobs.filter((j) => j !== culprit);
          continue;
        }
        results = r;
      } else {
        results = jobs.map((j) => runJobInThread(this.regs, this.sources, str, j));
      }
      for (let k = 0; k < jobs.length; k++) {
        const ends = results[k]!;
        if (typeof ends === 'string') this.disable(jobs[k]!.p, { reason: 'error', message: ends, ms: 0, streamOffset });
        else deliver(jobs[k]!.p, ends);
      }
      return;
    }
  }

  private disable(p: number, f: Omit<RegexpFailure, 'signature'>): void {
    this.disabled[p] = 1;
    const failure: RegexpFailure = { signature: this.ids[p]!, ...f };
    this.failureList.push(failure);
    this.options.onFailure?.(failure);
  }

  private own(scratch: Scratch): RegexpScratch {
    if (!(scratch instanceof RegexpScratch) || scratch.owner !== this) {
      throw new TypeError('regexp: scratch was not created by this matcher (use matcher.createScratch())');
    }
    return scratch;
  }
}

/** Build the regexp baseline from parsed signatures (null entries never match). */
export function buildRegexpMatcher(
  signatures: ReadonlyArray<NfaSignatureInput | null>,
  options: RegexpOptions = {},
): RegexpMatcher {
  return new RegexpMatcher(signatures, options);
}
