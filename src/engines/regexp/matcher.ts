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
 * 'all' mode (every end of every match). A global regex loop does not give all ends (it
 * finds one match per start, non-overlapping). Here each signature R runs as the
 * zero-width pattern `(?<=R)` with flag `g`: it matches at position e exactly when some
 * substring ending at e matches R (V8 lookbehind is unrestricted and backtracks over every
 * start; lookarounds inside R see the whole string). One `exec` per reported end, starting
 * from the previous end + 1. Cost: each position is tried once per signature and each try
 * matches R backwards, so O(n · m) per signature at best and much worse on backtracking
 * shapes — this baseline is meant to be the slow reference. 'set' mode stops each
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
 * empty prefix's matches, as the automata do.
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
 * Build and scan parts: `translate.ts` prints each signature's IR as V8 sources (and
 * decides which signatures hold their last end back), `guard.ts` runs the regexes in a
 * worker under a time budget (`guard: 'worker'`, the default; `guard: 'none'` runs them
 * in the calling thread), and this file scans: windows, variants, reports, failures.
 */
import { UnsupportedFeatureError, UsageError } from '../../errors.js';
import type { NfaSignatureInput } from '../../nfa/build.js';
import { MatchReporter, type ReportPlan } from '../../matcher/report.js';
import { checkBytes, GuardedMatcher } from '../../matcher/guard.js';
import type { MatchCallback, Matcher, MatcherStats, MatchMode, RejectedSignature, Scratch, ScratchOptions } from '../../matcher/types.js';
import { normalizeMode } from '../../matcher/types.js';
import type { OptionKeysOf } from '../../matcher/options.js';
import { runJobInThread, WorkerRunner, type Job } from './guard.js';
import { holdsLastEnd, PLAIN, signatureSources, VARIANTS } from './translate.js';

/** Options of the `regexp` engine (`compile(..., { engine: 'regexp', engineOptions })`). */
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

/** A signature the engine disabled while scanning, and why. */
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

/** The option keys of the `regexp` engine (checked by compile() for untyped callers). */
export const REGEXP_OPTION_KEYS: OptionKeysOf<RegexpOptions> = { guard: true, timeBudgetMs: true, windowBytes: true, onFailure: true };

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

/** The state of one stream scanned by a `RegexpMatcher`: the window string and its offset. */
export class RegexpScratch implements Scratch {
  readonly engine = 'regexp' as const;
  /** Absolute offset = bytes of this input so far. */
  offset = 0;
  /** The window: latin1 chars of the stream from absolute offset `winStart`. */
  text = '';
  winStart = 0;
  /** End 0 was evaluated (a `scan` of no bytes at offset 0 reports matches of the empty prefix). */
  primed = false;
  /** 'set' mode: signatures already reported in this input. */
  readonly done: Uint8Array;
  readonly reporter: MatchReporter;
  constructor(
    readonly owner: RegexpMatcher,
    readonly mode: 'all' | 'set',
    readonly everyEnd?: Uint8Array,
  ) {
    this.reporter = new MatchReporter(owner.plan, mode, everyEnd);
    this.done = new Uint8Array(mode === 'set' ? owner.signatureCount : 0);
  }
}

/** The `regexp` engine (see the module comment); `failures()` lists disabled signatures. */
export class RegexpMatcher extends GuardedMatcher<RegexpScratch> implements Matcher {
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
    super();
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
    return new RegexpScratch(this, normalizeMode(options.mode), options.everyEnd);
  }

  protected override scanChunk(sc: RegexpScratch, bytes: Uint8Array, onMatch: MatchCallback): void {
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

  protected override finishInput(sc: RegexpScratch, onMatch: MatchCallback): void {
    // The last two ends, now with end-of-input assertions (the rest are settled).
    this.evaluate(sc, Math.max(0, sc.offset - 1), sc.offset, true, onMatch);
    sc.reporter.endOfInput(onMatch);
    this.restart(sc);
  }

  protected override restart(sc: RegexpScratch): void {
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
    checkBytes(bytes, 'isMatch()');
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
    const first = sc.mode === 'set';
    const jobs: Job[] = [];
    for (let p = 0; p < this.ids.length; p++) {
      if (this.disabled[p] || (first && sc.done[this.ids[p]!])) continue;
      jobs.push({ p, v, from: lo, to: hi, first: first && sc.everyEnd?.[this.ids[p]!] !== 1 });
    }
    this.runJobs(sc.text, jobs, sc.offset, (p, ends) => {
      const id = this.ids[p]!;
      for (let i = 0; i < ends.length; i++) sc.reporter.emit(id, ends[i]! + sc.winStart, onMatch);
      // A held end (rule 3) may still be preceded by an end confirmed only at `finish`:
      // such a signature keeps being evaluated (the reporter passes one end per input).
      if (first && ends.length > 0 && this.hold[id] === 0 && sc.everyEnd?.[id] !== 1) sc.done[id] = 1;
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
}

/** Build the regexp baseline from parsed signatures (null entries never match). */
export function buildRegexpMatcher(
  signatures: ReadonlyArray<NfaSignatureInput | null>,
  options: RegexpOptions = {},
): RegexpMatcher {
  return new RegexpMatcher(signatures, options);
}
