/**
 * The match collector: receives an engine's (signature, end) reports for one payload or
 * stream window and groups the ends by signature (ascending, deduplicated), the form the
 * evaluator searches. Allocation-free per event once its arrays have grown.
 */
import type { MatchCallback } from '../matcher/types.js';

/**
 * Collects an engine's (signature, end) reports for one payload, then groups the ends by
 * signature (ascending, deduplicated). Allocation-free per event once warmed up.
 * `onMatch` is a stable bound callback to hand to `Matcher.scan`/`finish`.
 */
export class MatchCollector {
  private evSig = new Int32Array(256);
  private evEnd = new Float64Array(256);
  private evCount = 0;
  private base = 0;
  /** Signatures that matched (in first-match order), valid after `finalize`. */
  touched: Int32Array;
  /** Number of valid entries of `touched`. */
  touchedCount = 0;
  private readonly count: Int32Array;
  private readonly start: Int32Array;
  private ends = new Float64Array(256);
  private finalized = false;
  /** Entries of `ends` in use after `finalize` and `addLate`. */
  private used = 0;
  /** Signatures given by `addLate` since the last reset. */
  private late: number[] = [];

  constructor(readonly signatureCount: number) {
    this.count = new Int32Array(signatureCount);
    this.start = new Int32Array(signatureCount + 1);
    this.touched = new Int32Array(Math.min(signatureCount, 1024));
  }

  /** Clears the events; `base` is subtracted from every reported end (stream offset of the payload). */
  reset(base = 0): void {
    for (let i = 0; i < this.touchedCount; i++) this.count[this.touched[i]] = 0;
    for (const s of this.late) this.count[s] = 0;
    this.late.length = 0;
    // Events added after a previous finalize also left counts at zero: nothing else to clear.
    this.evCount = 0;
    this.touchedCount = 0;
    this.base = base;
    this.finalized = false;
  }

  /** The engine callback: records one (signature, end) event; ids out of range are ignored. */
  readonly onMatch: MatchCallback = (signature: number, end: number): void => {
    if (signature < 0 || signature >= this.signatureCount) return;
    if (this.evCount === this.evSig.length) {
      const s = new Int32Array(this.evSig.length * 2);
      s.set(this.evSig);
      this.evSig = s;
      const e = new Float64Array(this.evEnd.length * 2);
      e.set(this.evEnd);
      this.evEnd = e;
    }
    this.evSig[this.evCount] = signature;
    this.evEnd[this.evCount] = end - this.base;
    this.evCount++;
    this.finalized = false;
  };

  /** Groups events by signature (counting sort over the touched signatures). Idempotent. */
  finalize(): void {
    if (this.finalized) return;
    // Locals: the loops below are the per-event cost of rule evaluation.
    const count = this.count;
    const start = this.start;
    const evSig = this.evSig;
    const evEnd = this.evEnd;
    const evCount = this.evCount;
    let touched = this.touched;
    let touchedCount = this.touchedCount;
    for (let i = 0; i < touchedCount; i++) count[touched[i]] = 0;
    touchedCount = 0;
    for (let i = 0; i < evCount; i++) {
      const s = evSig[i];
      if (count[s]++ === 0) {
        if (touchedCount === touched.length) {
          const t = new Int32Array(Math.max(16, touched.length * 2));
          t.set(touched);
          touched = t;
        }
        touched[touchedCount++] = s;
      }
    }
    this.touched = touched;
    this.touchedCount = touchedCount;
    let pos = 0;
    for (let i = 0; i < touchedCount; i++) {
      const s = touched[i];
      start[s] = pos;
      pos += count[s];
    }
    if (this.ends.length < pos) this.ends = new Float64Array(Math.max(pos, this.ends.length * 2));
    this.used = pos;
    const ends = this.ends;
    // Reuse `count` as a fill cursor, then restore it as the (deduplicated) length.
    for (let i = 0; i < touchedCount; i++) count[touched[i]] = 0;
    for (let i = 0; i < evCount; i++) {
      const s = evSig[i];
      ends[start[s] + count[s]++] = evEnd[i];
    }
    for (let i = 0; i < touchedCount; i++) {
      const s = touched[i];
      const a = start[s];
      const stop = a + count[s];
      // Engines report ends in increasing order except for one-byte lookahead and end-of-input
      // reports: an insertion sort is linear on such nearly sorted runs. Then deduplicate.
      let w = a + 1;
      for (let k = a + 1; k < stop; k++) {
        const v = ends[k];
        if (v > ends[w - 1]) {
          ends[w++] = v;
          continue;
        }
        if (v === ends[w - 1]) continue;
        let j = w - 1;
        while (j >= a && ends[j] > v) j--;
        if (j >= a && ends[j] === v) continue;
        for (let m = w; m > j + 1; m--) ends[m] = ends[m - 1];
        ends[j + 1] = v;
        w++;
      }
      count[s] = stop > a ? w - a : 0;
    }
    this.finalized = true;
  }

  /**
   * After `finalize`: the ends (ascending, distinct, relative to the payload like the
   * reported ones) of a signature the engine was not asked to find, found by the caller
   * in the payload itself (the evaluator's lazy contents). `s` must have no events.
   */
  addLate(s: number, ends: readonly number[]): void {
    if (this.count[s] !== 0) throw new Error(`internal: signature ${s} already has events`);
    const need = this.used + ends.length;
    if (this.ends.length < need) {
      const e = new Float64Array(Math.max(need, this.ends.length * 2));
      e.set(this.ends.subarray(0, this.used));
      this.ends = e;
    }
    this.start[s] = this.used;
    for (let k = 0; k < ends.length; k++) this.ends[this.used + k] = ends[k];
    this.used = need;
    this.count[s] = ends.length;
    this.late.push(s);
  }

  /** Number of distinct ends of signature `s` (after finalize). */
  countOf(s: number): number {
    return this.count[s];
  }

  /** @internal start of signature s in the ends array. */
  startOf(s: number): number {
    return this.start[s];
  }

  /** @internal */
  get endsArray(): Float64Array {
    return this.ends;
  }

  /** The ends of signature `s`, ascending (a copy; for tests and debugging). */
  endsOf(s: number): number[] {
    this.finalize();
    return Array.from(this.ends.subarray(this.start[s], this.start[s] + this.count[s]));
  }
}
