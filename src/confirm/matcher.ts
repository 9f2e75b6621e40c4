/**
 * Confirmed signatures: a pattern with backreferences, lookarounds, atomic
 * groups or possessive quantifiers runs in the automata as its regular
 * over-approximation (src/syntax/exact.ts), and `ConfirmingMatcher` checks each end the
 * automaton reports for it with the exact backtracking matcher (`exact.ts`) before
 * passing it on. The other signatures' reports go straight through.
 *
 * Per scratch it keeps the bytes of the current input (a backreference or lookbehind may
 * reach back to its start) and the candidate ends not decided yet. An end is decided once
 * the bytes its pattern may read past it have arrived (`lookaheadReach`; a lookahead
 * without a bound waits for `finish`), so a confirmed signature's reports may come later
 * than the automaton's (at the end of the `scan` call that brings those bytes, or at
 * `finish`): per signature, ends still arrive in increasing order. In 'set' mode the inner
 * engine reports a confirmed signature at every end (`ScratchOptions.everyEnd`) until one
 * is confirmed, so that an unconfirmed earliest end does not hide a later true one.
 *
 * Budget: all confirmations of one `scan` or `finish` call (one packet, one stream
 * segment) share `budgetMs` of time. When it runs out, the candidates left are not
 * reported; each such signature is a `ConfirmFailure` (`failures()`, `onFailure`,
 * `stats().confirmExhausted`), never a silent loss.
 *
 * Streams: a start from which the exact matcher can reach no later end is remembered as
 * dead (`ExactMatcher.deadBefore`), so each chunk's candidates are searched from the first
 * start still alive, not from the stream's first byte.
 */
import { performance } from 'node:perf_hooks';
import { GuardedMatcher, partScratch, STOP } from '../matcher/guard.js';
import { MatchReporter, type ReportPlan } from '../matcher/report.js';
import { normalizeMode, type EngineName, type MatchCallback, type Matcher, type MatcherStats, type Scratch, type ScratchOptions } from '../matcher/types.js';
import type { ExactForm } from '../syntax/ir.js';
import { EXHAUSTED, ExactMatcher } from './exact.js';

/** Failures kept by `ConfirmingMatcher.failures()` (later ones are only counted). */
export const MAX_FAILURES_KEPT = 1000;

/** Default time for all confirmations of one input (one packet, one stream). */
export const DEFAULT_CONFIRM_BUDGET_MS = 100;

/** A signature that needs confirmation, as compile() hands it over. */
export interface ConfirmedSignature {
  readonly id: number;
  readonly form: ExactForm;
  readonly anchored: boolean;
  /** Bounds on the length of its matches (those of the over-approximation hold). */
  readonly minLength: number;
  readonly maxLength: number;
}

/** Options of confirmation (compile()'s `confirm` when it is an object). */
export interface ConfirmOptions {
  /** Time for all confirmations of one `scan` or `finish` call (a packet, a stream segment), in ms. @default 100 */
  budgetMs?: number;
  /** Told of every signature whose candidates the budget left undecided. */
  onFailure?: (failure: ConfirmFailure) => void;
}

/** Candidates of one signature that the budget left undecided (not reported). */
export interface ConfirmFailure {
  signature: number;
  reason: 'budget';
  /** The undecided candidate ends (absolute offsets in the input). */
  ends: number[];
  /** Bytes of the input known when it happened. */
  streamOffset: number;
  /** Time spent on this input's confirmations so far. */
  ms: number;
}

/** Counters of `stats()`. */
interface ConfirmCounters {
  candidates: number;
  confirmed: number;
  runs: number;
  ms: number;
  exhausted: number;
  worstInputMs: number;
}

/** One input's state: its bytes, the candidate ends per confirmed signature. */
class ConfirmScratch implements Scratch {
  buf = new Uint8Array(1024);
  len = 0;
  /** Pending candidate ends per confirmed index (same order as `owner.sigs`). */
  readonly pending: number[][];
  /** Confirmed indices with pending ends. */
  readonly open: number[] = [];
  /** Time spent confirming in this call. */
  spent = 0;
  /** Per confirmed index: starts below it are dead for this input (`ExactMatcher.deadBefore`). */
  readonly deadBefore: Int32Array;
  onMatch: MatchCallback = () => undefined;
  readonly forward: MatchCallback;

  constructor(
    readonly owner: ConfirmingMatcher,
    readonly inner: Scratch,
    readonly reporter: MatchReporter,
    confirmIndex: Int32Array,
  ) {
    this.pending = owner.sigs.map(() => []);
    this.deadBefore = new Int32Array(owner.sigs.length);
    this.forward = (sig, end) => {
      const c = confirmIndex[sig];
      if (c === undefined || c < 0) {
        // The inner engine already applied the mode to this signature; its reporter turns a
        // throw into a CallbackError, and passes this STOP on.
        if (this.onMatch(sig, end) === true) throw STOP;
        return;
      }
      if (this.reporter.mode === 'set' && this.reporter.isDone(sig)) return;
      const list = this.pending[c]!;
      if (list.length === 0) this.open.push(c);
      list.push(end);
      owner.counters.candidates++;
    };
  }

  get engine(): EngineName {
    return this.owner.engine;
  }

  get offset(): number {
    return this.inner.offset;
  }

  append(bytes: Uint8Array): void {
    const need = this.len + bytes.length;
    if (need > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < need) cap *= 2;
      const b = new Uint8Array(cap);
      b.set(this.buf.subarray(0, this.len));
      this.buf = b;
    }
    this.buf.set(bytes, this.len);
    this.len = need;
  }

  clear(): void {
    this.len = 0;
    this.spent = 0;
    this.deadBefore.fill(0);
    for (const c of this.open) this.pending[c]!.length = 0;
    this.open.length = 0;
    // Inputs are usually packets: give back a buffer a long stream grew.
    if (this.buf.length > 1 << 20) this.buf = new Uint8Array(1024);
  }
}

/** A matcher whose confirmed signatures' ends are checked by their exact matchers. */
export class ConfirmingMatcher extends GuardedMatcher<ConfirmScratch> implements Matcher {
  readonly engine: EngineName;
  readonly signatureCount: number;
  /** The confirmed signatures, with their exact matchers. */
  readonly sigs: readonly ConfirmedSignature[];
  private readonly exact: ExactMatcher[];
  private readonly confirmIndex: Int32Array;
  private readonly everyEnd: Uint8Array;
  private readonly plan: ReportPlan;
  private readonly budgetMs: number;
  private readonly failureList: ConfirmFailure[] = [];
  /** Signatures with a failure in `failureList` (each keeps its first, past the cap too). */
  private readonly failedSignatures = new Set<number>();
  /** The latest failure (`failures()` may have stopped listing them). */
  lastFailure: ConfirmFailure | undefined = undefined;
  /** Running totals (all scratches). */
  readonly counters: ConfirmCounters = { candidates: 0, confirmed: 0, runs: 0, ms: 0, exhausted: 0, worstInputMs: 0 };

  constructor(
    readonly inner: Matcher,
    sigs: readonly ConfirmedSignature[],
    private readonly options: ConfirmOptions = {},
  ) {
    super();
    this.engine = inner.engine;
    this.signatureCount = inner.signatureCount;
    this.sigs = sigs;
    this.exact = sigs.map((s) => new ExactMatcher(s.form, s.anchored, s.minLength, s.maxLength));
    this.confirmIndex = new Int32Array(inner.signatureCount).fill(-1);
    this.everyEnd = new Uint8Array(inner.signatureCount);
    sigs.forEach((s, i) => {
      this.confirmIndex[s.id] = i;
      this.everyEnd[s.id] = 1;
    });
    // Confirmed ends pass through a reporter of its own, for the mode and the stop/throw
    // protocol (the others come from the inner engine's reporter, which applied them).
    this.plan = { signatureCount: inner.signatureCount, slot: new Int32Array(inner.signatureCount).fill(-1), slotCount: 0 };
    this.budgetMs = options.budgetMs ?? DEFAULT_CONFIRM_BUDGET_MS;
  }

  createScratch(options: ScratchOptions = {}): Scratch {
    const mode = normalizeMode(options.mode);
    const inner = partScratch(this.inner.createScratch({ ...options, everyEnd: this.everyEnd }));
    return new ConfirmScratch(this, inner, new MatchReporter(this.plan, mode), this.confirmIndex);
  }

  protected scanChunk(sc: ConfirmScratch, bytes: Uint8Array, onMatch: MatchCallback): void {
    sc.append(bytes);
    sc.onMatch = onMatch;
    sc.spent = 0;
    this.inner.scan(sc.inner, bytes, sc.forward);
    if (sc.open.length > 0) this.settle(sc, false);
  }

  protected finishInput(sc: ConfirmScratch, onMatch: MatchCallback): void {
    sc.onMatch = onMatch;
    sc.spent = 0;
    this.inner.finish(sc.inner, sc.forward);
    if (sc.open.length > 0) this.settle(sc, true);
    sc.reporter.endOfInput(onMatch);
    sc.clear();
  }

  protected restart(sc: ConfirmScratch): void {
    this.inner.reset(sc.inner);
    sc.reporter.reset();
    sc.clear();
  }

  /** Decides the pending ends whose bytes are all known (every one when `final`). */
  private settle(sc: ConfirmScratch, final: boolean): void {
    const open = sc.open.slice().sort((a, b) => a - b);
    sc.open.length = 0;
    for (const c of open) {
      const list = sc.pending[c]!;
      const reach = this.exact[c]!.reach;
      let ready = list;
      if (!final) {
        const limit = sc.len - reach;
        ready = list.filter((e) => e <= limit);
        const later = list.filter((e) => e > limit);
        list.length = 0;
        list.push(...later);
        if (later.length > 0) sc.open.push(c);
      } else {
        sc.pending[c] = [];
      }
      if (ready.length > 0) this.decide(sc, c, ready, final);
    }
  }

  private decide(sc: ConfirmScratch, c: number, ends: number[], final: boolean): void {
    const sig = this.sigs[c]!.id;
    if (sc.reporter.mode === 'set' && sc.reporter.isDone(sig)) return;
    const wanted = Array.from(new Set(ends)).sort((a, b) => a - b);
    const t0 = performance.now();
    const left = this.budgetMs - sc.spent;
    const exact = this.exact[c]!;
    const found = left > 0 ? exact.confirmEnds(sc.buf, sc.len, final, wanted, t0 + left, sc.deadBefore[c]) : EXHAUSTED;
    if (Array.isArray(found)) sc.deadBefore[c] = exact.deadBefore;
    const ms = performance.now() - t0;
    sc.spent += ms;
    this.counters.runs++;
    this.counters.ms += ms;
    if (sc.spent > this.counters.worstInputMs) this.counters.worstInputMs = sc.spent;
    if (!Array.isArray(found)) {
      this.counters.exhausted++;
      const failure: ConfirmFailure = { signature: sig, reason: 'budget', ends: wanted, streamOffset: sc.len, ms: sc.spent };
      // A long replay must not keep every one: the count goes on, the list stops, except
      // for a signature's first failure (so the list names every signature that failed).
      this.lastFailure = failure;
      if (this.failureList.length < MAX_FAILURES_KEPT || !this.failedSignatures.has(sig)) {
        this.failureList.push(failure);
        this.failedSignatures.add(sig);
      }
      this.options.onFailure?.(failure);
      return;
    }
    for (const e of found) {
      this.counters.confirmed++;
      sc.reporter.emit(sig, e, sc.onMatch);
      if (sc.reporter.mode === 'set') break;
    }
  }

  /** Failures so far (`failures()` keeps the first MAX_FAILURES_KEPT of them). */
  get failureCount(): number {
    return this.counters.exhausted;
  }

  /**
   * Signatures whose candidates the budget left undecided, in order: the first
   * MAX_FAILURES_KEPT, then only each further signature's first (`failureCount` counts all).
   */
  failures(): readonly ConfirmFailure[] {
    return this.failureList;
  }

  /** Signatures the inner engine could not build (mdfa), as it lists them. */
  get rejected(): unknown {
    return (this.inner as { rejected?: unknown }).rejected;
  }

  /** Frees what the inner engine holds (the regexp engine's worker). */
  close(): void {
    (this.inner as { close?: () => void }).close?.();
  }

  stats(): MatcherStats {
    const c = this.counters;
    return {
      ...this.inner.stats(),
      confirmedSignatures: this.sigs.length,
      confirmCandidates: c.candidates,
      confirmRuns: c.runs,
      confirmedEnds: c.confirmed,
      confirmMs: Math.round(c.ms * 1000) / 1000,
      confirmWorstInputMs: Math.round(c.worstInputMs * 1000) / 1000,
      confirmExhausted: c.exhausted,
    };
  }
}
