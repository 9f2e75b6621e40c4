/**
 * The match-reporting rule every NFA-based engine shares, so that all engines report
 * exactly the same (signature, end) sequence for the same input.
 *
 * Where duplicates come from: acceptance with delta 1 (a one-byte lookahead such as a
 * trailing `\b` or multiline `$`) and end-of-input acceptance can name an end that a
 * delta-0 acceptance already reported, e.g. `/a\b|a/` on "a ": after "a" the second
 * branch reports end 1, after " " the first branch reports end 1 again.
 *
 * Where out-of-order ends come from: `$` without m also matches before a final `\n`,
 * which is only known at the end of input. `/a$|a\n/` on "a\n" finds end 2 after the
 * `\n`, and end 1 only at `finish` (end-of-input acceptance with delta 1).
 *
 * The rule:
 * 1. Within one step (one byte read, or `finish`), an engine emits delta-1 acceptances
 *    before delta-0 acceptances, and names each (signature, delta) at most once. Reported
 *    ends are then non-decreasing over time, except for end-of-input delta-1 acceptance:
 *    step k reports ends o−1 then o (o = offset after the byte); `finish` reports
 *    offset−1 then offset.
 * 2. A (signature, end) is passed on only if end > the last end passed on for that
 *    signature in this input. Only signatures that have any delta-1 or end-of-input
 *    acceptance can repeat an end (a signature with delta-0 acceptance only reports each
 *    end in exactly one step), so only they get a slot in the per-scratch table: most
 *    signatures do not, and per-flow scratch stays small.
 * 3. Signatures with end-of-input delta-1 acceptance (`hold`) have their latest end held
 *    back until it is safe: until a larger end of the same signature arrives, until the
 *    input is known to go on past it, or until `endOfInput`. A smaller end arriving
 *    meanwhile (the `finish` case above) is passed on first. So, per signature, ends are
 *    passed on in increasing order. Engines call `flush(offset, onMatch)` whenever `held`
 *    is non-zero and they know the input has more than `offset` bytes: before reading
 *    the byte at offset k, `flush(k + 1)` (one byte of delay), and `flush(o)` at the end
 *    of a `scan` call that ends at offset o. Engines must call `endOfInput(onMatch)` in
 *    `finish`, after the end-of-input acceptances; `reset()` drops held ends (a reset
 *    reports nothing).
 * 4. 'set' mode: a signature is reported once per input (until `endOfInput`/`reset`).
 *    By 1.–3., the first report of a signature is its earliest-ending match.
 * 5. A callback that returns `true` makes the reporter throw `STOP` (`guard.ts`); one that
 *    throws, a CallbackError. Both unwind out of the engine to its guarded entry point,
 *    which resets the scratch (the reporter included).
 */
import { CallbackError } from '../errors.js';
import { STOP } from './guard.js';
import type { MatchCallback } from './types.js';
import type { Nfa } from '../nfa/types.js';

/** Immutable per-matcher part: which signatures need an end slot, and which are held back. */
export interface ReportPlan {
  readonly signatureCount: number;
  /** signature → slot in the last-end table, or -1 when it never repeats an end. */
  readonly slot: Int32Array;
  readonly slotCount: number;
  /**
   * signature → 1 when it has end-of-input acceptance with delta 1 (rule 3); such a
   * signature always has a slot. Absent: nothing is held back.
   */
  readonly hold?: Uint8Array;
}

/** The acceptance lists a report plan is derived from (an Nfa, or a Dfa's per-state lists). */
export interface AcceptLists {
  readonly acceptSig: ArrayLike<number>;
  readonly acceptDelta: ArrayLike<number>;
  readonly endSig: ArrayLike<number>;
  readonly endDelta: ArrayLike<number>;
}

/** Plan for the union of several automata's acceptances (mdfa runs one DFA per group). */
export function reportPlanFromAccepts(sources: readonly AcceptLists[], signatureCount: number): ReportPlan {
  const slot = new Int32Array(signatureCount).fill(-1);
  const hold = new Uint8Array(signatureCount);
  let slotCount = 0;
  const need = (sig: number): void => {
    if (slot[sig] < 0) slot[sig] = slotCount++;
  };
  for (const a of sources) {
    for (let i = 0; i < a.acceptDelta.length; i++) if (a.acceptDelta[i] !== 0) need(a.acceptSig[i]!);
    for (let i = 0; i < a.endSig.length; i++) {
      need(a.endSig[i]!);
      if (a.endDelta[i] !== 0) hold[a.endSig[i]!] = 1;
    }
  }
  return { signatureCount, slot, slotCount, hold };
}

/** The report plan of one NFA (which signatures report, which hold their last end back). */
export function reportPlanFromNfa(nfa: Nfa): ReportPlan {
  return reportPlanFromAccepts([nfa], nfa.signatureCount);
}

/** Mutable per-scratch part. */
export class MatchReporter {
  /** Last end passed on per slot, -1 when none in this input. */
  private readonly lastEnd: Float64Array;
  /** Held-back end per slot (rule 3), -1 when none. */
  private readonly heldEnd: Float64Array;
  /** Signatures with a held end: heldSigs[0 .. heldCount). */
  private readonly heldSigs: Int32Array;
  private heldCount = 0;
  private readonly hold: Uint8Array | undefined;
  /** 'set' mode: bit per signature, set once reported in this input. */
  private readonly done: Uint32Array;
  private doneCount = 0;
  /**
   * 'set' mode, when an engine squashes: signatures that reported since the engine last
   * took them (`takeDone`). Undefined when nobody asked (`trackDone`).
   */
  private newlyDone: number[] | undefined;

  constructor(
    private readonly plan: ReportPlan,
    readonly mode: 'all' | 'set',
    /** 'set' mode: signatures passed on at every end nonetheless (`ScratchOptions.everyEnd`). */
    private readonly everyEnd?: Uint8Array,
  ) {
    this.lastEnd = new Float64Array(plan.slotCount).fill(-1);
    this.hold = plan.hold;
    let holds = 0;
    if (plan.hold) for (let s = 0; s < plan.hold.length; s++) holds += plan.hold[s];
    this.heldEnd = new Float64Array(holds ? plan.slotCount : 0).fill(-1);
    this.heldSigs = new Int32Array(holds);
    this.done = new Uint32Array(mode === 'set' ? (plan.signatureCount + 31) >>> 5 : 0);
  }

  /** True in 'set' mode once every signature has reported (an engine may stop early). */
  get allDone(): boolean {
    return this.mode === 'set' && this.doneCount === this.plan.signatureCount;
  }

  /** 'set' mode: from now on, remember which signatures become done, for `takeDone`. */
  trackDone(): void {
    if (this.mode === 'set') this.newlyDone ??= [];
  }

  /** Number of signatures done since the last `takeDone` (0 unless `trackDone`). */
  get pendingDone(): number {
    return this.newlyDone === undefined ? 0 : this.newlyDone.length;
  }

  /** Hands over (and forgets) the signatures done since the last call. */
  takeDone(): number[] {
    const d = this.newlyDone ?? [];
    if (this.newlyDone !== undefined) this.newlyDone = [];
    return d;
  }

  /** True when `sig` has reported in this input ('set' mode). */
  isDone(sig: number): boolean {
    return (this.done[sig >>> 5] & (1 << (sig & 31))) !== 0;
  }

  /** Number of signatures with a held-back end (engines skip `flush` when 0). */
  get held(): number {
    return this.heldCount;
  }

  emit(sig: number, end: number, onMatch: MatchCallback): void {
    const s = this.plan.slot[sig];
    if (s >= 0) {
      if (end <= this.lastEnd[s]) return;
      if (this.hold !== undefined && this.hold[sig] === 1) {
        const h = this.heldEnd[s];
        if (h < 0) {
          this.heldEnd[s] = end;
          this.heldSigs[this.heldCount++] = sig;
        } else if (end < h) {
          // An end confirmed late (before a final newline): it goes first, h stays held.
          this.lastEnd[s] = end;
          this.pass(sig, end, onMatch);
        } else if (end > h) {
          this.lastEnd[s] = h;
          this.heldEnd[s] = end;
          this.pass(sig, h, onMatch);
        }
        return;
      }
      this.lastEnd[s] = end;
    }
    this.pass(sig, end, onMatch);
  }

  /** Passes on held ends below `offset` (the input is known to be longer than them). */
  flush(offset: number, onMatch: MatchCallback): void {
    let w = 0;
    for (let i = 0; i < this.heldCount; i++) {
      const sig = this.heldSigs[i];
      const s = this.plan.slot[sig];
      const h = this.heldEnd[s];
      if (h < offset) {
        this.heldEnd[s] = -1;
        this.lastEnd[s] = h;
        this.pass(sig, h, onMatch);
      } else this.heldSigs[w++] = sig;
    }
    this.heldCount = w;
  }

  /** End of input: passes on every held end, then starts a new input. */
  endOfInput(onMatch: MatchCallback): void {
    if (this.heldCount) this.flush(Infinity, onMatch);
    this.reset();
  }

  /** Start a new input, dropping held ends. */
  reset(): void {
    if (this.lastEnd.length) this.lastEnd.fill(-1);
    if (this.heldEnd.length) this.heldEnd.fill(-1);
    this.heldCount = 0;
    if (this.done.length) this.done.fill(0);
    this.doneCount = 0;
    if (this.newlyDone !== undefined) this.newlyDone.length = 0;
  }

  private pass(sig: number, end: number, onMatch: MatchCallback): void {
    if (this.mode === 'set' && (this.everyEnd === undefined || this.everyEnd[sig] !== 1)) {
      const w = sig >>> 5;
      const bit = 1 << (sig & 31);
      if (this.done[w] & bit) return;
      this.done[w] |= bit;
      this.doneCount++;
      this.newlyDone?.push(sig);
    }
    // The only place a callback runs: its `true` (stop) and its exceptions unwind to the
    // engine's entry point (`guard.ts`), which resets the scratch; nothing is tested per byte.
    let stop: unknown;
    try {
      stop = onMatch(sig, end);
    } catch (e) {
      // A composite matcher's callback (src/confirm) reports through a reporter of its
      // own: its stop and its wrapped error go through unchanged.
      if (e === STOP || e instanceof CallbackError) throw e;
      throw new CallbackError(e);
    }
    if (stop === true) throw STOP;
  }
}
