/**
 * The explicit NFA engine ("nfa" baseline): the traditional simulation of the literature.
 * The frontier is a list of states; for every byte, every frontier state's successors are
 * tested against the byte's class and the new frontier is collected. Cost per byte is the
 * number of frontier states times their out-degree, which is what the NFA-OBDD engine is
 * measured against. One standard refinement keeps the baseline fair: states with a large
 * out-degree (above all the unanchored start loop, which follows every signature's first
 * positions) list their successors per byte class, so only enterable ones are visited.
 *
 * Membership of the next frontier uses a generation stamp per state (no clearing per
 * byte); acceptance is gathered only for states that have any. Reports follow the shared
 * rule of `report.ts` (delta-1 before delta-0 within a step, deduplicated per signature,
 * a possible final-newline `$` match held back one byte).
 * Streaming: the scratch keeps the frontier and absolute offset between `scan` calls.
 * A match callback that throws leaves its scratch mid-step: `reset` it before reuse.
 */
import { UsageError } from '../../errors.js';
import type { Nfa, NfaUnits } from '../../nfa/types.js';
import { MatchReporter, reportPlanFromNfa, type ReportPlan } from '../../matcher/report.js';
import type { MatchCallback, Matcher, MatcherStats, Scratch, ScratchOptions } from '../../matcher/types.js';
import { normalizeMode } from '../../matcher/types.js';
import type { OptionKeysOf } from '../../matcher/options.js';
import { unitStartState } from '../../matcher/live.js';
import { GuardedMatcher } from '../../matcher/guard.js';
import { mixState, SetCache } from './set-cache.js';
import { LoopIndex, UnitLoopTable } from './loop-index.js';

const STAMP_LIMIT = 0xfffffff0;
const DEFAULT_INDEX_DEGREE = 32;
/** Cap on per-class index entries (4 bytes each) for the whole matcher. */
const MAX_INDEX_ENTRIES = 8 << 20;

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Options of the `nfa` engine (`compile(..., { engine: 'nfa', engineOptions })`). */
export interface NfaMatcherOptions {
  /**
   * States with at least this many successors get a per-class successor index (memory:
   * one entry per (successor, class of its label)). Infinity disables it.
   * @default 32
   */
  indexDegree?: number;
  /**
   * Cache explicit steps as a lazily built DFA over frontiers (`set-cache.ts`): a frontier
   * that recurs then costs one table read per byte. Off by default, so that `nfa` stays
   * the literature's baseline. @default false
   */
  memo?: boolean;
  /** Step cache budget in bytes; past it the cache is dropped and refilled. @default 32 MiB */
  memoBudgetBytes?: number;
}

/** The option keys of the `nfa` engine (checked by compile() for untyped callers). */
export const NFA_OPTION_KEYS: OptionKeysOf<NfaMatcherOptions> = { indexDegree: true, memo: true, memoBudgetBytes: true };

/** Throws UsageError naming the option when a value of `options` has the wrong type. */
function checkNfaOptions(options: NfaMatcherOptions): void {
  const d = options.indexDegree as unknown;
  if (d !== undefined && !(typeof d === 'number' && d >= 0)) {
    throw new UsageError(`nfa option indexDegree must be a non-negative number or Infinity (got ${JSON.stringify(d)})`);
  }
  if (options.memo !== undefined && typeof options.memo !== 'boolean') {
    throw new UsageError(`nfa option memo must be true or false (got ${JSON.stringify(options.memo)})`);
  }
  const b = options.memoBudgetBytes as unknown;
  if (b !== undefined && !(typeof b === 'number' && b >= 0)) {
    throw new UsageError(`nfa option memoBudgetBytes must be a non-negative number (got ${JSON.stringify(b)})`);
  }
}

class NfaScratch implements Scratch {
  readonly engine = 'nfa' as const;
  offset = 0;
  cur: Uint32Array;
  curLen = 0;
  nxt: Uint32Array;
  /** mark[q] === gen ⇔ q is already in the frontier being built. */
  readonly mark: Uint32Array;
  gen = 0;
  /** States of the new frontier that have acceptance entries. */
  readonly acc: Uint32Array;
  /** sigStamp[s] === stamp ⇔ s was already named in the current acceptance pass. */
  readonly sigStamp: Uint32Array;
  stamp = 0;
  /** Start acceptance (offset 0) has been checked for this input. */
  primed = false;
  readonly reporter: MatchReporter;
  /**
   * With the step cache: the cache state holding the frontier, valid while `sgen` equals
   * the cache's generation (then `cur` may be stale); -1 when `cur` is the frontier.
   */
  sid = -1;
  sgen = -1;
  /** Live scratches without the step cache: the active units' shared loop (`loop-index.ts`). */
  readonly loops: LoopIndex | undefined;

  /**
   * `live`: the frontier starts (and restarts) empty; the driver enters units
   * (`LiveMatcher`). Invariant between steps: mark[q] === gen ⇔ q is in cur, so `enter`
   * and `absorb` add a state at most once.
   */
  constructor(
    readonly owner: NfaMatcher,
    nfa: Nfa,
    plan: ReportPlan,
    options: ScratchOptions,
    readonly live = false,
    loopTable?: UnitLoopTable,
  ) {
    const n = nfa.stateCount;
    this.loops = loopTable ? new LoopIndex(loopTable, nfa.classCount) : undefined;
    this.cur = new Uint32Array(n);
    this.nxt = new Uint32Array(n);
    this.mark = new Uint32Array(n);
    this.acc = new Uint32Array(n);
    this.sigStamp = new Uint32Array(nfa.signatureCount);
    this.reporter = new MatchReporter(plan, normalizeMode(options.mode), options.everyEnd);
    // A per-unit NFA lets 'set' mode drop a unit's states once it has reported.
    if (nfa.units) this.reporter.trackDone();
    this.restart(nfa);
  }

  /** Back to the initial frontier: empty when live, else the NFA's start states. */
  restart(nfa: Nfa): void {
    if (this.gen >= STAMP_LIMIT) {
      this.mark.fill(0);
      this.gen = 0;
    }
    const gen = ++this.gen;
    this.sid = -1;
    this.loops?.clear();
    if (this.live) {
      this.curLen = 0;
      return;
    }
    this.cur.set(nfa.start);
    this.curLen = nfa.start.length;
    for (let k = 0; k < this.curLen; k++) this.mark[this.cur[k]] = gen;
  }
}

/** The `nfa` engine: explicit frontier simulation over the shared NFA. */
export class NfaMatcher extends GuardedMatcher<NfaScratch> implements Matcher {
  readonly engine = 'nfa' as const;
  readonly signatureCount: number;
  private readonly plan: ReportPlan;
  /** hasAccept[q] = 1 when q has (after-byte) acceptance entries. */
  private readonly hasAccept: Uint8Array;
  private readonly edgeCount: number;

  /** indexBase[p] ≥ 0: p's successors are listed per class at classStart[indexBase[p] + c]. */
  private readonly indexBase: Int32Array;
  private readonly classStart: Uint32Array;
  private readonly classSucc: Uint32Array;
  private readonly indexedStates: number;
  /** The step cache, when `memo` is on. */
  private readonly cache: SetCache | null;
  /** Live scratches' loop index data (built with the first live scratch). */
  private loopTable: UnitLoopTable | undefined;

  constructor(
    readonly nfa: Nfa,
    options: NfaMatcherOptions = {},
  ) {
    super();
    checkNfaOptions(options);
    this.signatureCount = nfa.signatureCount;
    this.plan = reportPlanFromNfa(nfa);
    this.hasAccept = new Uint8Array(nfa.stateCount);
    for (let q = 0; q < nfa.stateCount; q++) {
      this.hasAccept[q] = nfa.acceptStart[q + 1] > nfa.acceptStart[q] ? 1 : 0;
    }
    this.edgeCount = nfa.follow.length;

    // High out-degree states (the unanchored loop follows the first position of every
    // signature) get their successors grouped by class, so a byte visits only the
    // successors it can enter instead of testing every label.
    const minDegree = options.indexDegree ?? DEFAULT_INDEX_DEGREE;
    const { stateCount, classCount, classWords, labels, followStart, follow } = nfa;
    this.indexBase = new Int32Array(stateCount).fill(-1);
    const starts: number[] = [];
    const succ: number[] = [];
    let indexed = 0;
    for (let p = 0; p < stateCount; p++) {
      const lo = followStart[p];
      const hi = followStart[p + 1];
      if (hi - lo < minDegree || hi === lo) continue;
      // Entries = Σ classes per successor label; skip a state that would blow the budget.
      let cost = 0;
      for (let j = lo; j < hi; j++) {
        for (let k = 0; k < classWords; k++) cost += popcount(labels[follow[j] * classWords + k]);
      }
      if (succ.length + cost > MAX_INDEX_ENTRIES) continue;
      indexed++;
      this.indexBase[p] = starts.length;
      for (let c = 0; c < classCount; c++) {
        starts.push(succ.length);
        const w = c >>> 5;
        const bit = 1 << (c & 31);
        for (let j = lo; j < hi; j++) if ((labels[follow[j] * classWords + w] & bit) !== 0) succ.push(follow[j]);
      }
      starts.push(succ.length);
    }
    this.classStart = Uint32Array.from(starts);
    this.classSucc = Uint32Array.from(succ);
    this.indexedStates = indexed;
    this.cache = options.memo ? new SetCache(classCount, options.memoBudgetBytes ?? 32 << 20) : null;
  }

  createScratch(options: ScratchOptions = {}): Scratch {
    return new NfaScratch(this, this.nfa, this.plan, options);
  }

  protected override scanChunk(s: NfaScratch, bytes: Uint8Array, onMatch: MatchCallback): void {
    if (!s.primed) this.prime(s, onMatch);
    if (this.cache) this.scanCached(s, bytes, onMatch);
    else this.scanPlain(s, bytes, onMatch);
    s.offset += bytes.length;
    if (s.reporter.held !== 0) s.reporter.flush(s.offset, onMatch);
  }

  private scanPlain(s: NfaScratch, bytes: Uint8Array, onMatch: MatchCallback): void {
    const byteClass = this.nfa.byteClass;
    const reporter = s.reporter;
    const base = s.offset;
    for (let i = 0; i < bytes.length; i++) {
      // Nothing left that could report (all reported, or an empty frontier that cannot refill).
      if (reporter.allDone || (s.curLen === 0 && (s.loops === undefined || s.loops.units.length === 0))) break;
      // A byte follows: ends held back for a possible final-newline `$` are now safe.
      if (reporter.held !== 0) reporter.flush(base + i + 1, onMatch);
      const accN = this.step(s, byteClass[bytes[i]]);
      if (accN !== 0) {
        this.emitAccepts(s, s.acc, accN, base + i + 1, false, onMatch);
        if (reporter.pendingDone !== 0) s.curLen = this.squash(s, s.cur, s.curLen);
      }
    }
  }

  /**
   * One explicit step on class `c`: s.cur becomes the successor frontier (its states
   * stamped with the new s.gen, the set hash in s.hash); returns how many of them have
   * acceptance (listed in s.acc).
   */
  private step(s: NfaScratch, c: number): number {
    const { labels, classWords, followStart, follow } = this.nfa;
    const hasAccept = this.hasAccept;
    const indexBase = this.indexBase;
    const classStart = this.classStart;
    const classSucc = this.classSucc;
    const mark = s.mark;
    const acc = s.acc;
    const cur = s.cur;
    const nxt = s.nxt;
    const curLen = s.curLen;
    const w = c >>> 5;
    const bit = 1 << (c & 31);
    if (s.gen >= STAMP_LIMIT) {
      mark.fill(0);
      s.gen = 0;
    }
    const gen = ++s.gen;
    let n = 0;
    let accN = 0;
    for (let k = 0; k < curLen; k++) {
      const p = cur[k];
      const ix = indexBase[p];
      if (ix >= 0) {
        const e = classStart[ix + c + 1];
        for (let j = classStart[ix + c]; j < e; j++) {
          const q = classSucc[j];
          if (mark[q] !== gen) {
            mark[q] = gen;
            nxt[n++] = q;
            if (hasAccept[q] !== 0) acc[accN++] = q;
          }
        }
        continue;
      }
      const e = followStart[p + 1];
      for (let j = followStart[p]; j < e; j++) {
        const q = follow[j];
        if ((labels[q * classWords + w] & bit) !== 0 && mark[q] !== gen) {
          mark[q] = gen;
          nxt[n++] = q;
          if (hasAccept[q] !== 0) acc[accN++] = q;
        }
      }
    }
    const loops = s.loops;
    if (loops !== undefined && loops.lens[c] !== 0) {
      const list = loops.lists[c];
      for (let j = 0, e = loops.lens[c]; j < e; j++) {
        const q = list[j];
        if (mark[q] !== gen) {
          mark[q] = gen;
          nxt[n++] = q;
          if (hasAccept[q] !== 0) acc[accN++] = q;
        }
      }
    }
    s.cur = nxt;
    s.nxt = cur;
    s.curLen = n;
    return accN;
  }

  // ---------------------------------------------------------------- the step cache

  /**
   * Stride 1 through the step cache (`set-cache.ts`): one table read per byte on a hit;
   * a miss steps the cached frontier explicitly and interns the result.
   */
  private scanCached(s: NfaScratch, bytes: Uint8Array, onMatch: MatchCallback): void {
    const cache = this.cache!;
    const C = this.nfa.classCount;
    const byteClass = this.nfa.byteClass;
    const reporter = s.reporter;
    const base = s.offset;
    let sid = this.cachedState(s);
    let next = cache.next;
    let i = 0;
    for (; i < bytes.length; i++) {
      if (reporter.allDone || cache.setLen[sid] === 0) break;
      if (reporter.held !== 0) reporter.flush(base + i + 1, onMatch);
      const c = byteClass[bytes[i]];
      let v = next[sid * C + c];
      if (v < 0) {
        v = this.cacheMiss(s, sid, c);
        next = cache.next;
      }
      sid = v >>> 1;
      if ((v & 1) !== 0) {
        this.emitList(s, cache.accPool, cache.accOff[sid], cache.accLen[sid], base + i + 1, onMatch);
        if (reporter.pendingDone !== 0) {
          this.materialize(s, sid);
          s.curLen = this.squash(s, s.cur, s.curLen);
          sid = this.cachedState(s);
          next = cache.next;
        }
      }
    }
    cache.lookups += i;
    s.sid = sid;
    s.sgen = cache.gen;
  }

  /** The cache state of the scratch's frontier, interning s.cur when it is not one. */
  private cachedState(s: NfaScratch): number {
    const cache = this.cache!;
    if (s.sid >= 0 && s.sgen === cache.gen) return s.sid;
    // Stamp s.cur afresh so that `find` can compare sets by membership.
    if (s.gen >= STAMP_LIMIT) {
      s.mark.fill(0);
      s.gen = 0;
    }
    const gen = ++s.gen;
    let hash = 0;
    for (let k = 0; k < s.curLen; k++) {
      s.mark[s.cur[k]] = gen;
      hash = (hash + mixState(s.cur[k])) | 0;
    }
    const id = this.intern(s, hash);
    s.sid = id;
    s.sgen = cache.gen;
    return id;
  }

  /** Interns s.cur (stamped with s.gen); clears a full cache first. */
  private intern(s: NfaScratch, hash: number): number {
    const cache = this.cache!;
    const found = cache.find(s.cur, s.curLen, hash, s.mark, s.gen);
    if (found >= 0) return found;
    const acc = this.acceptList(s.cur, s.curLen);
    let id = cache.add(s.cur, s.curLen, hash, acc);
    if (id < 0) {
      cache.clear();
      id = cache.add(s.cur, s.curLen, hash, acc, true);
    }
    return id;
  }

  /** A cache miss on (sid, c): one explicit step; returns the packed successor and records it. */
  private cacheMiss(s: NfaScratch, sid: number, c: number): number {
    const cache = this.cache!;
    cache.misses++;
    const gen = cache.gen;
    this.materialize(s, sid);
    this.step(s, c);
    let hash = 0;
    for (let k = 0; k < s.curLen; k++) hash = (hash + mixState(s.cur[k])) | 0;
    const t = this.intern(s, hash);
    const packed = t * 2 + (cache.accLen[t] !== 0 ? 1 : 0);
    // A clear while interning invalidated sid: then only the new state stands.
    if (cache.gen === gen) cache.next[sid * this.nfa.classCount + c] = packed;
    s.sid = t;
    s.sgen = cache.gen;
    return packed;
  }

  /** Copies cache state `sid` into s.cur (membership stamps kept consistent); s.cur is then authoritative. */
  private materialize(s: NfaScratch, sid: number): void {
    const cache = this.cache!;
    const off = cache.setOff[sid], n = cache.setLen[sid];
    if (s.gen >= STAMP_LIMIT) {
      s.mark.fill(0);
      s.gen = 0;
    }
    const gen = ++s.gen;
    for (let k = 0; k < n; k++) {
      const q = cache.pool[off + k];
      s.cur[k] = q;
      s.mark[q] = gen;
    }
    s.curLen = n;
    s.sid = -1;
  }

  /** Packed acceptance (sig * 2 + delta) of a frontier: delta 1 first, each (sig, delta) once. */
  private acceptList(states: Uint32Array, n: number): number[] {
    const nfa = this.nfa;
    const out: number[] = [];
    const seen = new Set<number>();
    for (let delta = 1; delta >= 0; delta--) {
      for (let k = 0; k < n; k++) {
        const q = states[k];
        for (let j = nfa.acceptStart[q]; j < nfa.acceptStart[q + 1]; j++) {
          const e = nfa.acceptSig[j] * 2 + delta;
          if (nfa.acceptDelta[j] !== delta || seen.has(e)) continue;
          seen.add(e);
          out.push(e);
        }
      }
    }
    return out;
  }

  /** Passes a packed acceptance list on to the reporter (ends relative to `offset`). */
  private emitList(s: NfaScratch, pool: Int32Array, off: number, len: number, offset: number, onMatch: MatchCallback): void {
    for (let j = off; j < off + len; j++) {
      const e = pool[j];
      const end = offset - (e & 1);
      if (end >= 0) s.reporter.emit(e >>> 1, end, onMatch);
    }
  }

  protected override finishInput(s: NfaScratch, onMatch: MatchCallback): void {
    this.current(s);
    if (!s.primed) this.prime(s, onMatch);
    if (!s.reporter.allDone) this.emitAccepts(s, s.cur, s.curLen, s.offset, true, onMatch);
    s.reporter.endOfInput(onMatch);
    this.restart(s);
  }

  protected override restart(s: NfaScratch): void {
    s.restart(this.nfa);
    s.offset = 0;
    s.primed = false;
    s.reporter.reset();
  }

  /** Makes s.cur the frontier (it may be held in the step cache). */
  private current(s: NfaScratch): void {
    if (s.sid >= 0 && this.cache && s.sgen === this.cache.gen) this.materialize(s, s.sid);
    s.sid = -1;
  }

  /** Acceptance of the start frontier: empty matches at offset 0. */
  private prime(s: NfaScratch, onMatch: MatchCallback): void {
    s.primed = true;
    this.emitAccepts(s, s.cur, s.curLen, 0, false, onMatch);
    if (s.reporter.pendingDone !== 0) s.curLen = this.squash(s, s.cur, s.curLen);
  }

  /**
   * 'set' mode on a per-unit NFA: removes the states of every unit whose signatures have
   * all reported (once per unit and input, so a linear filter is cheap). Returns the new length.
   */
  private squash(s: NfaScratch, cur: Uint32Array, curLen: number): number {
    const units = this.nfa.units!;
    let n = curLen;
    for (const sig of s.reporter.takeDone()) {
      const u = units.unitOf[sig];
      if (u < 0) continue;
      let all = true;
      for (let j = units.sigStart[u]; j < units.sigStart[u + 1] && all; j++) all = s.reporter.isDone(units.sigs[j]);
      if (!all) continue;
      const lo = units.stateRange[2 * u];
      const hi = units.stateRange[2 * u + 1];
      let w = 0;
      for (let k = 0; k < n; k++) {
        const q = cur[k];
        if (q < lo || q >= hi) cur[w++] = q;
        else s.mark[q] = 0; // keeps mark[q] === gen ⇔ q in cur
      }
      n = w;
      s.loops?.remove(u, lo, hi);
    }
    return n;
  }

  /** The unit's states (`LiveMatcher`); undefined on a shared-entry NFA. */
  get units(): NfaUnits | undefined {
    return this.nfa.units;
  }

  /** A scratch with an empty frontier (`LiveMatcher`); needs a per-unit NFA. */
  createLiveScratch(options: ScratchOptions = {}): Scratch {
    if (!this.nfa.units) throw new UsageError("live scratches need an NFA built with entries: 'per-unit'");
    if (!this.cache) this.loopTable ??= new UnitLoopTable(this.nfa);
    return new NfaScratch(this, this.nfa, this.plan, options, true, this.cache ? undefined : this.loopTable);
  }

  /** Starts `unit` at the scratch's offset (`LiveMatcher.enter`). */
  enter(scratch: Scratch, unit: number, prevByte: number): void {
    const s = this.own(scratch);
    this.current(s);
    if (s.loops !== undefined && this.loopTable!.indexable[unit] === 1) {
      // No assertions and not nullable: starting at offset 0 or later is the same loop.
      s.loops.add(unit);
      return;
    }
    const q = unitStartState(this.nfa, unit, prevByte);
    if (q < 0) return; // anchored: it cannot start after offset 0
    this.add(s, q);
  }

  /** The scratch's reporter (`LiveMatcher.reporterOf`). */
  reporterOf(scratch: Scratch): MatchReporter {
    return this.own(scratch).reporter;
  }

  /** Adds `from`'s frontier to `scratch`'s (`LiveMatcher.absorb`). */
  absorb(scratch: Scratch, from: Scratch): void {
    const s = this.own(scratch);
    const f = this.own(from);
    this.current(s);
    this.current(f);
    for (let k = 0; k < f.curLen; k++) this.add(s, f.cur[k]);
    if (f.loops) for (const u of f.loops.units) s.loops!.add(u);
  }

  /** Frontier states of the scratch (`LiveMatcher.frontierSize`). */
  frontierSize(scratch: Scratch): number {
    const s = this.own(scratch);
    this.current(s);
    return s.curLen;
  }

  private add(s: NfaScratch, q: number): void {
    if (s.mark[q] === s.gen) return;
    s.mark[q] = s.gen;
    s.cur[s.curLen++] = q;
  }

  /**
   * Reports the acceptance (or end-acceptance) entries of `states`: delta 1 first, then
   * delta 0, each signature once per pass (report.ts rule 1).
   */
  private emitAccepts(
    s: NfaScratch,
    states: Uint32Array,
    count: number,
    offset: number,
    atEnd: boolean,
    onMatch: MatchCallback,
  ): void {
    const nfa = this.nfa;
    const rowStart = atEnd ? nfa.endStart : nfa.acceptStart;
    const sigs = atEnd ? nfa.endSig : nfa.acceptSig;
    const deltas = atEnd ? nfa.endDelta : nfa.acceptDelta;
    const stamps = s.sigStamp;
    for (let delta = 1; delta >= 0; delta--) {
      const end = offset - delta;
      if (end < 0) continue;
      if (s.stamp >= STAMP_LIMIT) {
        stamps.fill(0);
        s.stamp = 0;
      }
      const stamp = ++s.stamp;
      for (let k = 0; k < count; k++) {
        const q = states[k];
        const e = rowStart[q + 1];
        for (let j = rowStart[q]; j < e; j++) {
          if (deltas[j] !== delta) continue;
          const sig = sigs[j];
          if (stamps[sig] === stamp) continue;
          stamps[sig] = stamp;
          s.reporter.emit(sig, end, onMatch);
        }
      }
    }
  }

  stats(): MatcherStats {
    const nfa = this.nfa;
    return {
      engine: 'nfa',
      signatures: nfa.signatureCount,
      states: nfa.stateCount,
      classes: nfa.classCount,
      followEdges: this.edgeCount,
      acceptEntries: nfa.acceptSig.length,
      endAcceptEntries: nfa.endSig.length,
      scratchBytes: nfa.stateCount * 16 + nfa.signatureCount * 4,
      classIndexedStates: this.indexedStates,
      classIndexEntries: this.classSucc.length,
      memo: this.cache !== null,
      ...(this.cache
        ? {
            memoBytes: this.cache.bytes,
            memoStats: { states: this.cache.count, lookups: this.cache.lookups, misses: this.cache.misses, clears: this.cache.clears },
          }
        : {}),
    };
  }
}

/**
 * The `nfa` engine's matcher for `nfa`. Throws UsageError when an option value is ill-typed
 * (`indexDegree` not a non-negative number).
 */
export function buildNfaMatcher(nfa: Nfa, options: NfaMatcherOptions = {}): Matcher {
  return new NfaMatcher(nfa, options);
}
