/**
 * The `regexp` baseline: V8's `RegExp`, one per signature, over a latin1 view of the bytes
 * (one char per byte) — what a Node developer would write today, and our analogue of PCRE
 * in the published comparison. Through the Matcher interface it reports exactly what the
 * automaton engines report — the same (signature, end) pairs, each in the same `scan` or
 * `finish` call — with the shared report rule of report.ts (its per-signature last-end
 * table, and the holding back of an end that `$` without m may precede, taken from each
 * such signature's own NFA), except for what the bounded streaming window loses (below),
 * signatures V8 will not compile (rejected) and signatures disabled by the time budget.
 *
 * Translation. Each signature's IR (flags already applied) is printed back as a V8 pattern
 * with PCRE's raw-byte meaning and no flags that V8 interprets differently: byte sets
 * become explicit `[\xNN-\xNN]` classes (no `i`, no `.`, no `\s`), text-start `^` and
 * text-end `$` (no `m`), line-start `(?<![^\n])`, text-end-newline `(?=\n?$)`, line-end
 * `(?=\n|$)`, `\b`/`\B` as is (ASCII word bytes in V8 without `u`, as in PCRE here); the
 * streaming variants below adjust the assertions at the string's ends. Every
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
 * Streaming: the same reports in the same calls as the automata. A `scan` of bytes
 * [o0, o1) evaluates the ends o0 ..= o1 on the window string (older bytes + this chunk),
 * in the automata's timing: an end whose match needs no next byte is reported by the call
 * that read its last byte (delta-0 acceptance), one that needs its next byte (a trailing
 * `\b`, `\B`, multiline `$`) by the call that reads that byte (delta 1). So while
 * scanning, the next-byte assertions fail at the string's end (`\b(?=[\x00-\xff])`,
 * line-end `(?=\n)`), and each call re-tests the previous call's last end o0, now with its
 * next byte; the reporter drops repeats. Text-end and text-end-newline are "never" while
 * scanning; `finish` re-tests the last two ends with end-of-input assertions (the end
 * before a final `\n` is the one `$` without m adds; for such signatures the latest end
 * is held back as report.ts rule 3 says). A `scan` of no bytes at offset 0 reports the
 * empty prefix's matches, as the automata do. (Before: `scan` stopped at o1 − 1, so a
 * match ending at a chunk's last byte came one call late — after stream replay had
 * already decided that segment's rules — and the final one only at `finish`.)
 *
 * Bounded window (the one inherent difference). The scratch keeps only the stream's last
 * `windowBytes` + 1 bytes between calls. Bytes before the window are gone: text-start is
 * "never" and `\b`, `\B`, line-start fail at the window's first char (its predecessor is
 * unknown). Hence: an end e is reported whenever some match ending at e spans fewer than
 * `windowBytes` bytes (e − start < windowBytes); an end all of whose matches are at least
 * that long may be missed (nothing is ever invented), depending on the chunking. A stream
 * of at most `windowBytes` + 1 bytes (until `finish`/`reset`) is never trimmed, so it
 * gets exactly the automata's reports.
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
import { UnsupportedFeatureError, UsageError } from '../../errors.js';
import { buildNfa, type NfaSignatureInput } from '../../nfa/build.js';
import type { AssertionKind, ByteSet, Ir } from '../../syntax/ir.js';
import { MatchReporter, reportPlanFromNfa, type ReportPlan } from '../../matcher/report.js';
import type { MatchCallback, Matcher, MatcherStats, MatchMode, RejectedSignature, Scratch, ScratchOptions } from '../../matcher/types.js';

export interface RegexpOptions {
  /** Where the regexes run. 'worker' enforces `timeBudgetMs`; 'none' is unguarded. @default 'worker' */
  guard?: 'worker' | 'none';
  /** Time one signature may take on one scan call before it is disabled. @default 250 */
  timeBudgetMs?: number;
  /**
   * Stream bytes kept for matches that span scan calls: every match shorter than this is
   * found (see the module comment). @default 65536
   */
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
    // The next three depend on the next byte. While scanning (not final), the string's
    // end is the end of the bytes seen so far, not of the input: there they must fail, so
    // that an end at the chunk's last byte is reported now only if no match ending there
    // needs its next byte (the automata's delta-0 acceptance); `scan` re-tests that end
    // with its next byte (delta 1) on the next call.
    case 'line-end':
      return v.final ? '(?=\\n|$)' : '(?=\\n)';
    case 'word-boundary':
      // In a trimmed window, the first char's predecessor is unknown: fail there.
      if (v.trimmed) return v.final ? '(?:(?<=\\w)(?!\\w)|(?<=\\W)(?=\\w))' : '(?:(?<=\\w)(?=\\W)|(?<=\\W)(?=\\w))';
      return v.final ? '\\b' : '(?:\\b(?=[\\x00-\\xff]))';
    case 'not-word-boundary':
      if (v.trimmed) return v.final ? '(?:(?<=\\w)(?=\\w)|(?<=\\W)(?!\\w))' : '(?:(?<=\\w)(?=\\w)|(?<=\\W)(?=\\W))';
      return v.final ? '\\B' : '(?:\\B(?=[\\x00-\\xff]))';
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
  // The reply is queued on the port before the request's number is published, so a
  // caller that sees signal[0] === seq always finds the reply.
  port.postMessage({ seq: req.seq, results });
  Atomics.store(signal, 0, req.seq);
  Atomics.notify(signal, 0);
});
`;

type RunJob = (regs: (RegExp | undefined)[], sources: string[][], str: string, job: Job) => number[] | string;
const runJobInThread = new Function(`${CORE_SOURCE}; return runJob;`)() as RunJob;

const WORKER_START_LIMIT_MS = 30_000;

/**
 * The guarded runner: one worker, replaced after a timeout. Exported for tests only.
 *
 * Completion protocol. Every request carries a sequence number `seq` (never 0); the
 * worker queues its reply `{ seq, results }` on the port, then stores `seq` in signal[0]
 * and notifies. The caller waits until signal[0] === seq, re-checking after every
 * wake-up, and takes the reply with that number from the port. A wake-up is never taken
 * as completion by itself: the worker's `notify` for request k can arrive after the
 * caller saw signal[0] change (its wait slice timed out between the worker's store and
 * its notify, e.g. the worker thread was preempted there) and has already posted request
 * k + 1; with a plain done flag that stray wake-up ended the wait before the reply of
 * k + 1 existed ("regexp worker signalled completion without a result", seen replaying
 * the Zeek trace 1000-requests-one-dropped-response on a loaded machine).
 */
export class WorkerRunner {
  private worker: Worker | null = null;
  private port: MessagePort | null = null;
  // [0] seq of the last finished request, [1] index of the job running, [2] progress counter.
  private signal = new Int32Array(new SharedArrayBuffer(12));
  private seq = 0;

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
    const seq = (this.seq = this.seq >= 0x7fffffff ? 1 : this.seq + 1);
    const posted = performance.now();
    this.port!.postMessage({ seq, str, jobs });
    const slice = Math.max(1, Math.min(20, budgetMs / 4));
    // The clock of a job starts when the worker reports starting it (progress counter),
    // so a slow worker start-up (a loaded machine) is never blamed on a signature.
    let progress = Atomics.load(signal, 2);
    let since = -1;
    for (;;) {
      const seen = Atomics.load(signal, 0);
      if (seen === seq) break;
      // Whatever ends the wait (a notify, possibly a stray one, or the slice), the loop
      // re-reads signal[0]: only seq there means this request is done.
      Atomics.wait(signal, 0, seen, slice);
      if (Atomics.load(signal, 0) === seq) break;
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
    for (;;) {
      const msg = receiveMessageOnPort(this.port!);
      // Cannot happen (the reply is queued before seq is published); kept as a loud check.
      if (!msg) throw new Error(`regexp worker signalled completion of request ${seq} without a result`);
      const reply = msg.message as { seq: number; results: (number[] | string)[] };
      // An older reply belongs to a request abandoned by an exception: drop it.
      if (reply.seq === seq) return reply.results;
    }
  }

  /** The shared signal words (tests use it to inject stray wake-ups); null before start. */
  get signalBuffer(): Int32Array | null {
    return this.worker ? this.signal : null;
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
  /** End 0 was evaluated (a `scan` of no bytes at offset 0 reports matches of the empty prefix). */
  primed = false;
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
  /** Signature → 1 when its last end is held back (report.ts rule 3), as the automata do. */
  private readonly hold: Uint8Array;
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
    // Every signature may name an end twice (`scan` re-tests the previous call's last end
    // with its next byte; `finish` re-tests the last two), so every one gets a slot.
    const slot = new Int32Array(count).fill(-1);
    this.ids.forEach((id, i) => {
      slot[id] = i;
    });
    this.hold = new Uint8Array(count);
    for (const s of signatures) if (s && slot[s.id]! >= 0) this.hold[s.id] = holdsLastEnd(s) ? 1 : 0;
    this.plan = { signatureCount: count, slot, slotCount: this.ids.length, hold: this.hold };
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
    if (bytes.length === 0) {
      // As the automata do: the empty prefix's matches (end 0) are known before any byte.
      if (!sc.primed) this.evaluate(sc, 0, 0, false, onMatch);
      sc.primed = true;
      return;
    }
    sc.primed = true;
    const from = sc.offset;
    sc.text += Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    sc.offset += bytes.length;
    // The input goes on past `from`: a held end there is safe (report.ts rule 3).
    if (sc.reporter.held) sc.reporter.flush(from + 1, onMatch);
    // Ends [from, offset]: `from` again, now with its next byte (the previous call saw it
    // without), and the new ends; the last one only if it needs no next byte.
    this.evaluate(sc, from, sc.offset, false, onMatch);
    if (sc.reporter.held) sc.reporter.flush(sc.offset, onMatch);
    // Keep windowBytes + 1 chars: every match shorter than windowBytes that a later call
    // tests (ends ≥ offset − 1: `finish` re-tests offset − 1) then starts after the
    // window's first char, whose own predecessor (for `\b`, `\B`, line-start) is unknown.
    if (sc.text.length > this.windowBytes + 1) {
      const drop = sc.text.length - this.windowBytes - 1;
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
    sc.primed = false;
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
      // A held end (rule 3) may still be preceded by an end confirmed only at `finish`:
      // such a signature keeps being evaluated (the reporter passes one end per input).
      if (first && ends.length > 0 && this.hold[id] === 0) sc.done[id] = 1;
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

function hasTextEndNewline(ir: Ir): boolean {
  switch (ir.kind) {
    case 'assert':
      return ir.assertion === 'text-end-newline';
    case 'concat':
    case 'alt':
      return ir.items.some(hasTextEndNewline);
    case 'repeat':
      return hasTextEndNewline(ir.item);
    default:
      return false;
  }
}

/**
 * Whether the automata hold back this signature's latest end (report.ts rule 3: it has
 * end-of-input acceptance with delta 1, i.e. `$` without m can end a match before a final
 * `\n`). Taken from the signature's own NFA so that both agree exactly (the builder
 * keeps only reachable acceptance: `a$\n` has none); only signatures with such a `$` are
 * built (few, and small). If that NFA exceeds a budget, the signature is held
 * conservatively: the only effect is that an end at a chunk's last byte is passed on
 * when the next byte arrives (or at `finish`) instead of at once.
 */
function holdsLastEnd(sig: NfaSignatureInput): boolean {
  if (!hasTextEndNewline(sig.ir)) return false;
  try {
    const plan = reportPlanFromNfa(buildNfa([{ id: 0, ir: sig.ir, anchored: sig.anchored }]));
    return plan.hold![0] === 1;
  } catch {
    return true;
  }
}

/** Build the regexp baseline from parsed signatures (null entries never match). */
export function buildRegexpMatcher(
  signatures: ReadonlyArray<NfaSignatureInput | null>,
  options: RegexpOptions = {},
): RegexpMatcher {
  return new RegexpMatcher(signatures, options);
}
