/**
 * The rule evaluator: decides which rules fire on a payload, given the (signature, end)
 * events that ONE combined automaton over the whole ruleset reported for it (grouped by a
 * `MatchCollector`).
 *
 * `RuleEvaluator.evaluate` finds the candidate rules (those whose key signature matched,
 * plus rules without positive patterns: all of them, or with the packet's addresses
 * given, those `AddressIndex` finds for them), lets the caller veto each one (header, flow, dsize:
 * see `predicates.ts`), checks flowbits, and decides each remaining rule exactly as below.
 *
 * The semantics decided (Snort 2/3 and Suricata agree on these):
 * - A rule fires when all its patterns are satisfied. Patterns are grouped by inspection
 *   buffer; relative modifiers refer to the previous pattern of the same buffer; groups are
 *   independent.
 * - Within a group, in rule order, there must EXIST match positions such that: a content
 *   found at [start, end) obeys `offset` (start ≥ offset) and `depth` (end ≤ offset + depth);
 *   a relative one obeys `distance` (start ≥ cursor + distance) and `within`
 *   (end ≤ cursor + distance + within), where the cursor is the end of the previous
 *   positive pattern match of the group (0 before the first); `startswith` = start 0,
 *   `endswith` = end at the end of the buffer. A negated pattern holds when NO match obeys
 *   its constraints at the current cursor, and does not move the cursor. A `pcre` with `R`
 *   starts at or after the cursor (with a leading `^` or the `A` flag: exactly at it).
 *   `byte_jump` moves the cursor, `byte_test` and relative `isdataat` test the bytes at it,
 *   `urilen`/`bufferlen` test a located buffer's length (payload-checks.ts). The search
 *   over positions is exhaustive (a memoised depth-first search), as Snort's and
 *   Suricata's retry of earlier contents makes it.
 * - A content's start is exact: start = end - length (contents have one length). A pcre's
 *   start is only known to lie in [end - maxLength, end - minLength].
 *
 * Where this is approximate is listed in `program.ts` (`ApproximationKind`).
 */
import { applyPayloadCheck } from './payload-check-eval.js';
import { LOCATABLE_BUFFERS, REGION_ABSENT, REGION_KNOWN, type BufferRegions } from './http-buffers.js';
import { ipv4Of } from './address-index.js';
import { findContent, type LazyContent } from './lazy-contents.js';
import { MatchCollector } from './match-collector.js';
import { F_BUFFER_ANCHOR, F_CURSOR_ANCHOR, F_ENDS_WITH, F_NEGATED, F_RELATIVE, F_STARTS_WITH, type CompiledFlowbits } from './pattern-flags.js';
import type { RuleProgram } from './program.js';

const EMPTY = new Uint8Array(0);

/** Options of `RuleEvaluator.evaluate`. */
export interface EvaluateOptions {
  /** Veto asked before a rule's patterns are checked (header, flow, dsize...). */
  accept?: (r: number) => boolean;
  /** Inspection buffer regions of the payload (`locateHttpBuffers`). */
  regions?: BufferRegions;
  /**
   * The flowbit state of the payload's flow (`program.createFlowbits()`), read by
   * isset/isnotset and updated by the set/unset/toggle of the rules that match.
   */
  flowbits?: Uint8Array;
  /**
   * The packet's addresses (`PacketFields` fits): rules without a positive pattern are
   * then looked up by address (`AddressIndex`) instead of all being candidates.
   */
  addresses?: { readonly ipVersion: number; readonly srcAddr: Uint8Array; readonly dstAddr: Uint8Array };
  /**
   * The engine was told to skip the lazy contents (`program.lazyContents`): find those a
   * rule needs in the payload itself (a Uint8Array payload is then required).
   */
  lazy?: boolean;
}

function flowbitsHold(fb: CompiledFlowbits, state: Uint8Array): boolean {
  for (const c of fb.conds) {
    let hits = 0;
    for (const id of c.ids) if ((state[id] === 1) === c.set) hits++;
    if (c.all ? hits !== c.ids.length : hits === 0) return false;
  }
  return true;
}

function applyFlowbits(fb: CompiledFlowbits, state: Uint8Array): void {
  if (fb.reset) state.fill(0);
  for (const id of fb.set) state[id] = 1;
  for (const id of fb.unset) state[id] = 0;
  for (const id of fb.toggle) state[id] ^= 1;
}

/** Counters of a `RuleEvaluator`, cumulative. */
export interface EvaluatorStats {
  /** Rules whose patterns were checked. */
  evaluated: number;
  /** Rules that fired (noalert rules not counted). */
  fired: number;
  /** Position searches cut at the step budget (the rule was then assumed to fire). */
  budgetExceeded: number;
}

/**
 * Decides rules on one payload. Owns reusable scratch memory; one evaluator per thread of
 * replay. Not reentrant.
 */
export class RuleEvaluator {
  /** Steps per rule before giving up the exhaustive position search (then: fires). */
  stepBudget = 100_000;
  /** See `EvaluatorStats`. */
  readonly stats: EvaluatorStats = { evaluated: 0, fired: 0, budgetExceeded: 0 };
  private readonly stamp: Uint32Array;
  private epoch = 0;
  private candidates: Int32Array;
  private candidateCount = 0;
  private readonly memo = new Set<number>();
  private steps = 0;
  private col!: MatchCollector;
  private length = 0;
  private payload: Uint8Array | undefined;
  private regions: BufferRegions | undefined;
  // The buffer of the group being searched: [base, limit) in payload offsets; absOk when
  // absolute constraints apply (payload, or a located buffer).
  private base = 0;
  private limit = 0;
  private absOk = true;

  private readonly add = (r: number): void => this.addCandidate(r);
  /** Per signature: the `epoch` in which its lazy occurrences were looked for. */
  private readonly lazyStamp: Uint32Array;
  private readonly lazyEnds: number[] = [];

  constructor(readonly program: RuleProgram) {
    this.stamp = new Uint32Array(program.rules.length);
    this.lazyStamp = new Uint32Array(program.signatureCount);
    this.candidates = new Int32Array(Math.max(16, program.alwaysCandidates.length * 2));
  }

  /**
   * Calls `onFire(r)` for every rule index `r` (into `program.rules`, ascending) that fires
   * on the payload whose matches `collector` holds. `payload` is the payload itself, or
   * only its length: then byte_test/byte_jump/isdataat checks are not run (they pass;
   * urilen/bufferlen need only the regions). See `EvaluateOptions` for the rest. `accept(r)`, when given, is asked first (header, flow, dsize): a rule it
   * refuses is not evaluated. `regions` (from `locateHttpBuffers`) holds buffer patterns
   * to their buffers; without it they are searched in the whole payload. Returns the
   * number of rules fired.
   */
  evaluate(collector: MatchCollector, payload: Uint8Array | number, onFire: (r: number) => void, options: EvaluateOptions = {}): number {
    const { accept, regions, flowbits, addresses } = options;
    const lazy = options.lazy === true && typeof payload !== 'number' ? this.program.lazyContents : undefined;
    const p = this.program;
    collector.finalize();
    this.col = collector;
    this.payload = typeof payload === 'number' ? undefined : payload;
    this.length = typeof payload === 'number' ? payload : payload.length;
    this.regions = regions;
    this.epoch++;
    if (this.epoch === 0xffffffff) {
      this.stamp.fill(0);
      this.lazyStamp.fill(0);
      this.epoch = 1;
    }
    this.candidateCount = 0;
    if (addresses === undefined) {
      for (let i = 0; i < p.alwaysCandidates.length; i++) this.addCandidate(p.alwaysCandidates[i]);
    } else {
      const index = p.addressIndex;
      for (let i = 0; i < index.rest.length; i++) this.addCandidate(index.rest[i]);
      if (addresses.ipVersion === 4 && index.indexed > 0) {
        index.lookup(ipv4Of(addresses.srcAddr), this.add);
        index.lookup(ipv4Of(addresses.dstAddr), this.add);
      }
    }
    for (let t = 0; t < collector.touchedCount; t++) {
      const s = collector.touched[t];
      for (let k = p.sRuleStart[s]; k < p.sRuleStart[s + 1]; k++) this.addCandidate(p.sRules[k]);
    }
    const cands = this.candidates.subarray(0, this.candidateCount);
    cands.sort();
    let fired = 0;
    for (let c = 0; c < cands.length; c++) {
      const r = cands[c];
      if (!p.alive[r]) continue; // rejected after construction (rejectSignatures)
      let present = true;
      for (let k = p.rPosStart[r]; k < p.rPosStart[r + 1]; k++) {
        const s = p.rPosSigs[k];
        if (lazy !== undefined && lazy[s] !== undefined) this.findLazy(s, lazy[s]);
        if (collector.countOf(s) === 0) {
          present = false;
          break;
        }
      }
      if (!present) continue;
      if (accept && !accept(r)) continue;
      const fb = p.rFlowbits[r];
      if (fb !== undefined && flowbits !== undefined && !flowbitsHold(fb, flowbits)) continue;
      if (lazy !== undefined) this.findLazyOf(r, lazy);
      this.stats.evaluated++;
      if (this.ruleFires(r)) {
        if (fb !== undefined && flowbits !== undefined) applyFlowbits(fb, flowbits);
        if (fb?.noalert) continue;
        fired++;
        this.stats.fired++;
        onFire(r);
      }
    }
    return fired;
  }

  /** The occurrences of lazy content s in the payload, into the collector (once per payload). */
  private findLazy(s: number, c: LazyContent): void {
    if (this.lazyStamp[s] === this.epoch) return;
    this.lazyStamp[s] = this.epoch;
    // An engine that ignored the skip hint (or ran s with a pcre of the same string) found it already.
    if (this.col.countOf(s) !== 0) return;
    this.lazyEnds.length = 0;
    findContent(c, this.payload!, this.lazyEnds);
    this.col.addLate(s, this.lazyEnds);
  }

  /** Every lazy content among rule r's patterns (negated ones too), before its positions are searched. */
  private findLazyOf(r: number, lazy: readonly (LazyContent | undefined)[]): void {
    const p = this.program;
    for (let g = p.rGroupStart[r]; g < p.rGroupStart[r + 1]; g++) {
      for (let i = p.gPatStart[g]; i < p.gPatStart[g + 1]; i++) {
        const s = p.pSig[p.gPats[i]];
        if (s >= 0 && lazy[s] !== undefined) this.findLazy(s, lazy[s]);
      }
    }
  }

  private addCandidate(r: number): void {
    if (this.stamp[r] === this.epoch) return;
    this.stamp[r] = this.epoch;
    if (this.candidateCount === this.candidates.length) {
      const c = new Int32Array(this.candidates.length * 2);
      c.set(this.candidates);
      this.candidates = c;
    }
    this.candidates[this.candidateCount++] = r;
  }

  /** Exact decision for rule r (given that all its positive signatures matched somewhere). */
  ruleFires(r: number): boolean {
    const p = this.program;
    this.steps = 0;
    for (let g = p.rGroupStart[r]; g < p.rGroupStart[r + 1]; g++) {
      const b = p.gBuffer[g];
      const regions = this.regions;
      this.base = 0;
      this.limit = this.length;
      this.absOk = b === 0;
      if (b !== 0 && regions !== undefined && b < LOCATABLE_BUFFERS) {
        const state = regions.state[b];
        if (state === REGION_ABSENT) {
          // The message has no such buffer: its positive patterns cannot match.
          for (let i = p.gPatStart[g]; i < p.gPatStart[g + 1]; i++) {
            const q = p.gPats[i];
            if (p.pSig[q] >= 0 ? !(p.pFlags[q] & F_NEGATED) : p.pCheck[q]!.kind !== 'isdataat') return false;
          }
          continue;
        }
        if (state === REGION_KNOWN) {
          this.base = regions.start[b];
          this.limit = regions.end[b];
          this.absOk = true;
        }
      }
      this.memo.clear();
      const ok = this.search(p.gPatStart[g], p.gPatStart[g + 1], this.base);
      if (this.steps > this.stepBudget) {
        this.stats.budgetExceeded++;
        return true;
      }
      if (!ok) return false;
    }
    return true;
  }

  /** Does a match of pattern q ending at `end` obey its constraints with the given cursor? */
  private fits(q: number, end: number, cursor: number): boolean {
    const p = this.program;
    const f = p.pFlags[q];
    const startMin = end - p.pMaxLen[q];
    const startMax = end - p.pMinLen[q];
    const base = this.base;
    if (end > this.limit || startMax < base) return false;
    if (this.absOk) {
      if (startMax < base + p.pOffset[q] || end > base + p.pEndMax[q]) return false;
      if (f & (F_STARTS_WITH | F_BUFFER_ANCHOR) && startMin > base) return false;
      if (f & F_ENDS_WITH && end !== this.limit) return false;
    }
    if (f & F_RELATIVE) {
      const lo = cursor + p.pDistance[q];
      if (f & F_CURSOR_ANCHOR) {
        if (startMin > lo || startMax < lo) return false;
      } else if (startMax < lo) return false;
      if (end > lo + p.pWithin[q]) return false;
    }
    return true;
  }

  /** Patterns gPats[i..stop) with the cursor at `cursor`: is there a consistent placement? */
  private search(i: number, stop: number, cursor: number): boolean {
    if (i === stop) return true;
    if (++this.steps > this.stepBudget) return true;
    const key = i * 4294967296 + cursor + 1;
    if (this.memo.has(key)) return false;
    const p = this.program;
    const q = p.gPats[i];
    const s = p.pSig[q];
    if (s < 0) {
      // A byte_test / byte_jump / isdataat step: no choice to make, maybe a new cursor.
      const c = p.pCheck[q]!;
      let next = cursor;
      // A non-relative check (or a length) in a buffer we could not locate would read the
      // wrong bytes: skipped (passes).
      if (c.kind === 'buflen') {
        if (this.absOk) next = applyPayloadCheck(c, EMPTY, cursor, this.base, this.limit);
      } else if (this.payload !== undefined && (this.absOk || c.kind === 'isdataat' || c.relative)) {
        next = applyPayloadCheck(c, this.payload, cursor, this.base, this.limit);
      }
      const ok = next >= 0 && this.search(i + 1, stop, next);
      if (!ok) this.memo.add(key);
      return ok;
    }
    const col = this.col;
    const ends = col.endsArray;
    const a = col.startOf(s);
    const stopK = a + col.countOf(s);
    // Bounds on the end of a fitting match (conservative: `fits` stays the judge), so that
    // only the window of candidate ends is visited; each visit counts against the budget.
    const f = p.pFlags[q];
    const minLen = p.pMinLen[q];
    let minEnd = this.base + minLen;
    let maxEnd = this.limit;
    if (f & F_RELATIVE) {
      const lo = cursor + p.pDistance[q];
      if (lo + minLen > minEnd) minEnd = lo + minLen;
      if (lo + p.pWithin[q] < maxEnd) maxEnd = lo + p.pWithin[q];
    }
    if (this.absOk) {
      if (this.base + p.pOffset[q] + minLen > minEnd) minEnd = this.base + p.pOffset[q] + minLen;
      if (this.base + p.pEndMax[q] < maxEnd) maxEnd = this.base + p.pEndMax[q];
    }
    let lo = a;
    let hi = stopK;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid] < minEnd) lo = mid + 1;
      else hi = mid;
    }
    let ok = false;
    if (f & F_NEGATED) {
      let hit = false;
      for (let k = lo; k < stopK && ends[k] <= maxEnd; k++) {
        if (++this.steps > this.stepBudget) return true;
        if (this.fits(q, ends[k], cursor)) {
          hit = true;
          break;
        }
      }
      ok = !hit && this.search(i + 1, stop, cursor);
    } else {
      const greedy = p.pGreedy[q] === 1;
      for (let k = lo; k < stopK && ends[k] <= maxEnd && !ok; k++) {
        if (++this.steps > this.stepBudget) return true;
        const e = ends[k];
        if (this.fits(q, e, cursor)) {
          ok = this.search(i + 1, stop, e);
          if (greedy) break;
        }
      }
    }
    if (!ok) this.memo.add(key);
    return ok;
  }
}

/**
 * Convenience for tests and small tools: decides every rule of `program` on a payload from
 * an explicit list of events (signature, end), without header checks.
 */
export function firedRules(
  program: RuleProgram,
  events: readonly (readonly [number, number])[],
  length: Uint8Array | number,
  regions?: BufferRegions,
): number[] {
  const col = new MatchCollector(program.signatureCount);
  col.reset();
  for (const [s, e] of events) col.onMatch(s, e);
  const out: number[] = [];
  program.createEvaluator().evaluate(col, length, (r) => out.push(r), { regions });
  return out;
}
