/**
 * The prefiltered matcher: the fastest matchers win by doing less work, so an input only
 * runs the signatures that can match it.
 *
 * Every unit (a signature and its identical copies, `nfa/types.ts` NfaUnits) gets a fast
 * factor from its IR (`literals.ts`): a set of literals one of which occurs in every match.
 * One multi-literal pass (`search.ts`) over each chunk finds which factors occur; a unit
 * enters the live engine's frontier (`matcher/live.ts`) only then. Units without a usable
 * factor run from the start of every input. In 'set' mode the engine squashes a unit once
 * it has reported, so the frontier holds only live, unreported signatures.
 *
 * Why it is exact. A unit is entered at the start of the chunk in which its factor first
 * occurs. Every match of it contains a factor literal, so it ends inside or after that
 * chunk: nothing it could report is lost by starting late, provided it runs from where a
 * match ending there could begin. That is at most `lookback` (its longest match) bytes
 * earlier, so a late unit first replays the retained history of the input (from
 * `chunkStart − lookback − 1`, the extra byte giving assertions their previous byte) in a
 * second live scratch, silently, and that frontier is merged in. History is bounded
 * (`historyBytes`): when an input (a stream) outgrows it, the units whose lookback does not
 * fit (unbounded repeats, anchored ones that could still match) are replayed over the whole
 * history kept so far and run from then on, before anything is dropped. Property tests
 * compare it with the plain engines on random sets and chunkings.
 */
import { GuardedMatcher, partScratch } from '../matcher/guard.js';
import type { LiveMatcher } from '../matcher/live.js';
import type { OptionKeysOf } from '../matcher/options.js';
import type { MatchCallback, Matcher, MatcherStats, RejectedSignature, Scratch, ScratchOptions } from '../matcher/types.js';
import type { Ir } from '../syntax/ir.js';
import { bestWindowStart, chooseFactor, FOLD, isAsciiLetter, literalCondition, occurrenceEnds, stringSearch, type StringSearch, maxMatchLength, pureLiteral, type PureLiteral } from './literals.js';
import { LiteralSearcher, type SearchState } from './search.js';

/** Options of the prefilter (`compile(..., { prefilter: { ... } })`). */
export interface PrefilterOptions {
  /**
   * Bytes of the current input kept so that a unit activated late in a stream can replay
   * the part of its match before the literal. Units whose longest match is longer run
   * from the start once an input outgrows this. @default 65536
   */
  historyBytes?: number;
  /** Shortest literal worth searching for; units without one always run. @default 3 */
  minLiteral?: number;
  /** Longer literals are cut to their rarest window of this length. @default 8 */
  maxLiteral?: number;
  /** Most literals one unit's factor may have. @default 32 */
  maxLiterals?: number;
}

/**
 * A matcher for the signatures without a literal; `covers(sig)` is true when it runs a
 * signature an earlier residual matcher could not build (a fallback).
 */
export type ResidualMatcher = Matcher & { covers?: (signature: number) => boolean };

/** Default `PrefilterOptions.historyBytes`. */
const DEFAULT_HISTORY = 65536;

/** The option keys of `PrefilterOptions` (checked by compile() for untyped callers). */
export const PREFILTER_OPTION_KEYS: OptionKeysOf<PrefilterOptions> = {
  historyBytes: true,
  minLiteral: true,
  maxLiteral: true,
  maxLiterals: true,
};

/** Per-unit activation data, derived once from the IRs. */
interface UnitPlan {
  /** Units that run on every input (no usable factor). */
  readonly always: Uint32Array;
  /** literal → units it activates alone (CSR). */
  readonly litStart: Uint32Array;
  readonly litUnits: Uint32Array;
  /**
   * Conjunctive gates (`SignatureGate`): literal → the conjunctions it is part of (CSR),
   * conjunction → how many distinct literals it needs, and → the units it activates once
   * all of them occurred in the input (CSR).
   */
  readonly litConjStart: Uint32Array;
  readonly litConj: Uint32Array;
  readonly conjSize: Uint16Array;
  readonly conjUnitStart: Uint32Array;
  readonly conjUnits: Uint32Array;
  /** unit → longest match in bytes (Infinity when unbounded or anchored). */
  readonly lookback: Float64Array;
  /** unit → longest match, anchored units included (to skip dead anchored units). */
  readonly maxLength: Float64Array;
  /**
   * unit → 1 when it is gated (activated by literals outside its own matches, see
   * `SignatureGate`): its matches may end before activation, so a late start replays it
   * from the input start and passes the replay's reports on.
   */
  readonly gated: Uint8Array;
  /** unit → its string when it is a pure literal (reported from the search, never stepped). */
  readonly pure: (PureLiteral | undefined)[];
  /**
   * unit → 1 when a hit of its window must be completed against the input: the string is
   * longer than its window, or has a case-sensitive letter (the search folds case).
   */
  readonly verify: Uint8Array;
  /**
   * Pure-literal windows: search literal → the pure-literal units searched by it (CSR;
   * empty for an activating literal). Units with the same window share one literal, so a
   * window such as eight zero bytes, which binary payloads hold at every other offset,
   * costs one report per occurrence, not one per content that contains it.
   */
  readonly litPureStart: Uint32Array;
  readonly litPure: Uint32Array;
  /** unit → bytes of its string after its window (its end = the window's end + this). */
  readonly pureTail: Uint32Array;
  /** Pure unit → its window literal. */
  readonly pureWindowOf: Int32Array;
  /** Window literal → its ungated units, and its units' longest tail. */
  readonly windowUngated: Uint32Array;
  readonly windowTail: Uint32Array;
  /** Search literal → 1 when every occurrence is reported (pure-literal windows). */
  readonly everyHit: Uint8Array;
  readonly literals: Uint8Array[];
}

/** Matcher-wide counters (sums over all scratches), for `stats()`. */
interface Counters {
  inputs: number;
  activations: number;
  /** Gated pure-literal units entered (their strings reported from then on). */
  pureActivations: number;
  catchUps: number;
  catchUpBytes: number;
  promotions: number;
}

class PrefilterScratch implements Scratch {
  readonly engine: Matcher['engine'];
  readonly inner: Scratch;
  /** The residual matchers' scratches (signatures without a factor). */
  readonly rests: Scratch[];
  catchUp: Scratch | undefined;
  readonly search: SearchState;
  /** unit → 1 once entered in this input. */
  readonly active: Uint8Array;
  /** unit → 1 when all its signatures are skipped (`ScratchOptions.skip`): never entered. */
  readonly skipped: Uint8Array | undefined;
  readonly activeList: number[] = [];
  /** Units activated by the chunk being prepared. */
  fresh: number[] = [];
  /** Pure-literal window hits of the chunk being prepared: (literal, end in chunk) pairs. */
  readonly literalHits: number[] = [];
  /**
   * Pure-literal occurrences whose string ends after the chunk where its window was found:
   * (unit, absolute end) pairs, completed in the chunk that holds the end.
   */
  pending: number[] = [];
  /** Window literal → its gated units active in this input, and the touched windows. */
  readonly windowActive: Uint32Array;
  readonly windowsTouched: number[] = [];
  /** Length of the chunk being searched. */
  chunkLength = 0;
  /**
   * Hits dropped in the chunk being prepared (their windows waited for a gate), kept as
   * one list per window: window → its last dropped hit (-1: none), hit → its end in the
   * chunk and the previous hit of its window. A gate completed later in the same chunk
   * takes its unit's occurrences from there.
   */
  readonly dropHead: Int32Array;
  readonly droppedWindows: number[] = [];
  dropEnd = new Int32Array(256);
  dropPrev = new Int32Array(256);
  dropCount = 0;

  private drop(literal: number, end: number): void {
    if (this.dropHead[literal] === -1) this.droppedWindows.push(literal);
    if (this.dropCount === this.dropEnd.length) {
      const e = new Int32Array(this.dropCount * 2);
      e.set(this.dropEnd);
      this.dropEnd = e;
      const p = new Int32Array(this.dropCount * 2);
      p.set(this.dropPrev);
      this.dropPrev = p;
    }
    this.dropEnd[this.dropCount] = end;
    this.dropPrev[this.dropCount] = this.dropHead[literal];
    this.dropHead[literal] = this.dropCount++;
  }

  /** Forgets the chunk's dropped hits. */
  clearDrops(): void {
    for (const l of this.droppedWindows) this.dropHead[l] = -1;
    this.droppedWindows.length = 0;
    this.dropCount = 0;
  }

  /** literal → 1 once seen in this input (literals of conjunctive gates only), and their list. */
  readonly litSeen: Uint8Array;
  readonly seenLits: number[] = [];
  /** conjunction → distinct literals of it seen in this input, and the touched ones. */
  readonly conjCount: Uint16Array;
  readonly conjTouched: number[] = [];
  started = false;
  /** history[0 .. histLen) holds input bytes [histStart, histStart + histLen). */
  history: Uint8Array;
  histLen = 0;
  histStart = 0;
  /** The long units were promoted for this input (it outgrew the history). */
  promoted = false;
  readonly onHit: (literal: number, end: number) => void;

  constructor(
    readonly owner: PrefilterMatcher,
    readonly options: ScratchOptions,
  ) {
    this.engine = owner.engine;
    this.inner = partScratch(owner.inner.createLiveScratch(options));
    this.rests = owner.residuals.map((m) => partScratch(m.createScratch(options)));
    this.active = new Uint8Array(owner.inner.units.count);
    const skipPlan = options.skip === undefined ? undefined : owner.skipPlan(options.skip);
    this.skipped = skipPlan?.units;
    // Hits of windows whose strings are all skipped are not even reported by the search.
    this.search = owner.searcher.createState(skipPlan?.windows);
    this.history = new Uint8Array(0);
    const { litStart, litUnits, litPureStart, litConjStart, litConj, conjSize, conjUnitStart, conjUnits, windowUngated, windowTail } = owner.plan;
    this.windowActive = new Uint32Array(owner.plan.literals.length);
    this.dropHead = new Int32Array(owner.plan.literals.length).fill(-1);
    this.litSeen = new Uint8Array(owner.plan.literals.length);
    this.conjCount = new Uint16Array(conjSize.length);
    const skipped = this.skipped;
    const enter = (u: number): void => {
      if (this.active[u] === 0 && (skipped === undefined || skipped[u] === 0)) {
        this.active[u] = 1;
        this.activeList.push(u);
        this.fresh.push(u);
      }
    };
    this.onHit = (literal: number, end: number): void => {
      if (litPureStart[literal] !== litPureStart[literal + 1]) {
        // Only gated units wait for this window, none active, and the string ends in this
        // chunk: nothing to report (occurrences reaching further may still be wanted).
        if (windowUngated[literal] === 0 && this.windowActive[literal] === 0 && end + windowTail[literal] <= this.chunkLength) {
          this.drop(literal, end);
          return;
        }
        this.literalHits.push(literal, end);
        return;
      }
      for (let j = litStart[literal]; j < litStart[literal + 1]; j++) enter(litUnits[j]);
      if (litConjStart[literal] === litConjStart[literal + 1] || this.litSeen[literal] === 1) return;
      // First occurrence in this input of a literal of conjunctive gates: count it once.
      this.litSeen[literal] = 1;
      this.seenLits.push(literal);
      for (let j = litConjStart[literal]; j < litConjStart[literal + 1]; j++) {
        const c = litConj[j];
        if (this.conjCount[c]++ === 0) this.conjTouched.push(c);
        if (this.conjCount[c] === conjSize[c]) for (let k = conjUnitStart[c]; k < conjUnitStart[c + 1]; k++) enter(conjUnits[k]);
      }
    };
  }

  get offset(): number {
    return this.inner.offset;
  }
}

/**
 * A live engine behind a literal prefilter, plus an optional residual matcher that runs
 * the signatures without a usable factor on every input (any engine: those signatures are
 * few but, never being activated or squashed, they can dominate the time, so the engine
 * that steps them best is a measured choice). Same contract and results as one engine
 * over all the signatures; reports of the two parts interleave per chunk, and each
 * signature's own reports keep the order of `matcher/report.ts`.
 */
export class PrefilterMatcher extends GuardedMatcher<PrefilterScratch> implements Matcher {
  readonly engine: Matcher['engine'];
  readonly signatureCount: number;
  readonly searcher: LiteralSearcher;
  readonly historyBytes: number;
  /**
   * What a skip set (`ScratchOptions.skip`) means for this plan: skipped units, muted
   * windows. Kept per skip array: a rule engine gives every stream of a direction the same.
   */
  skipPlan(skip: Uint8Array): { units: Uint8Array; windows: Uint8Array } {
    let known = this.skipPlans.get(skip);
    if (known === undefined) {
      const units = skippedUnits(this.inner.units, skip);
      known = { units, windows: mutedWindows(this.plan, units) };
      this.skipPlans.set(skip, known);
    }
    return known;
  }

  private readonly skipPlans = new WeakMap<Uint8Array, { units: Uint8Array; windows: Uint8Array }>();

  /** Pure unit → how its history search finds it (made on first use). */
  private readonly searches: (StringSearch | undefined)[] = [];
  /** Ends found by `occurrencesBefore` (reused). */
  private readonly caughtUp: number[] = [];
  private readonly counters: Counters = { inputs: 0, activations: 0, pureActivations: 0, catchUps: 0, catchUpBytes: 0, promotions: 0 };

  constructor(
    readonly inner: LiveMatcher,
    readonly plan: UnitPlan,
    options: PrefilterOptions = {},
    readonly residuals: readonly ResidualMatcher[] = [],
  ) {
    super();
    this.engine = inner.engine;
    this.signatureCount = Math.max(inner.signatureCount, ...residuals.map((m) => m.signatureCount));
    this.searcher = new LiteralSearcher(plan.literals, { everyHit: plan.everyHit });
    this.historyBytes = options.historyBytes ?? DEFAULT_HISTORY;
  }

  /**
   * Signatures an engine could not build although compile() accepted them (mdfa lists
   * those that fit no group DFA): the two parts' lists, as on the engines themselves.
   */
  get rejected(): ReadonlyArray<RejectedSignature> {
    const of = (m: Matcher | null): ReadonlyArray<RejectedSignature> => (m as { rejected?: ReadonlyArray<RejectedSignature> } | null)?.rejected ?? [];
    // A signature one residual engine could not build may be run by a later one (a fallback).
    const later = (k: number, sig: number): boolean => this.residuals.slice(k + 1).some((m) => m.covers?.(sig) === true);
    return [...of(this.inner), ...this.residuals.flatMap((m, k) => of(m).filter((r) => !later(k, r.signature)))];
  }

  createScratch(options: ScratchOptions = {}): Scratch {
    return new PrefilterScratch(this, options);
  }

  protected override scanChunk(s: PrefilterScratch, bytes: Uint8Array, onMatch: MatchCallback): void {
    // An empty chunk changes nothing; skipping it keeps the engines unprimed until the
    // first byte, so units entered at offset 0 still report their empty matches there.
    if (bytes.length === 0) return;
    if (!s.started) this.start(s);
    s.fresh.length = 0;
    s.chunkLength = bytes.length;
    this.searcher.scan(s.search, bytes, s.onHit);
    if (s.fresh.length !== 0) this.enterPure(s, bytes, onMatch);
    if (s.literalHits.length !== 0 || s.pending.length !== 0) this.reportLiterals(s, bytes, onMatch);
    s.clearDrops();
    if (s.fresh.length !== 0) this.activate(s, onMatch);
    this.inner.scan(s.inner, bytes, onMatch);
    for (let k = 0; k < s.rests.length; k++) this.residuals[k].scan(s.rests[k], bytes, onMatch);
    this.remember(s, bytes, onMatch);
  }

  protected override finishInput(s: PrefilterScratch, onMatch: MatchCallback): void {
    if (!s.started) this.start(s);
    this.inner.finish(s.inner, onMatch);
    for (let k = 0; k < s.rests.length; k++) this.residuals[k].finish(s.rests[k], onMatch);
    this.clear(s);
  }

  protected override restart(s: PrefilterScratch): void {
    this.inner.reset(s.inner);
    for (let k = 0; k < s.rests.length; k++) this.residuals[k].reset(s.rests[k]);
    this.clear(s);
  }

  /** A new input: the units without a factor run from offset 0. */
  private start(s: PrefilterScratch): void {
    s.started = true;
    this.counters.inputs++;
    for (const u of this.plan.always) {
      if (s.skipped !== undefined && s.skipped[u] === 1) continue;
      s.active[u] = 1;
      s.activeList.push(u);
      this.inner.enter(s.inner, u, -1);
    }
  }

  private clear(s: PrefilterScratch): void {
    for (const u of s.activeList) s.active[u] = 0;
    s.activeList.length = 0;
    s.fresh.length = 0;
    s.literalHits.length = 0; // left over when a callback stopped or threw mid-chunk
    s.pending.length = 0; // strings the input ended before completing
    s.clearDrops();
    for (const l of s.windowsTouched) s.windowActive[l] = 0;
    s.windowsTouched.length = 0;
    for (const l of s.seenLits) s.litSeen[l] = 0;
    s.seenLits.length = 0;
    for (const c of s.conjTouched) s.conjCount[c] = 0;
    s.conjTouched.length = 0;
    s.started = false;
    s.histLen = 0;
    s.histStart = 0;
    s.promoted = false;
    this.searcher.reset(s.search);
  }

  /**
   * Pure-literal units: each hit of a unit's window (its rarest-looking one) is an
   * occurrence of its string if the bytes around it complete it (before: this chunk or the
   * history; after: this chunk, or a later one, then the occurrence waits in `pending`),
   * with case where the string is case-sensitive; each occurrence is a match of the
   * unit's signatures. Occurrences of one unit are completed in the order of their ends.
   */
  private reportLiterals(s: PrefilterScratch, bytes: Uint8Array, onMatch: MatchCallback): void {
    const at = s.inner.offset;
    const stop = at + bytes.length;
    const { litPureStart, litPure, pureTail } = this.plan;
    if (s.pending.length !== 0) {
      const waiting = s.pending;
      s.pending = [];
      for (let k = 0; k < waiting.length; k += 2) {
        if (waiting[k + 1] > stop) s.pending.push(waiting[k], waiting[k + 1]);
        else this.complete(s, waiting[k], waiting[k + 1], bytes, onMatch);
      }
    }
    const hits = s.literalHits;
    for (let h = 0; h < hits.length; h += 2) {
      const l = hits[h];
      const windowEnd = at + hits[h + 1];
      for (let j = litPureStart[l]; j < litPureStart[l + 1]; j++) {
        const u = litPure[j];
        const end = windowEnd + pureTail[u];
        if (end > stop) s.pending.push(u, end);
        else this.complete(s, u, end, bytes, onMatch);
      }
    }
    hits.length = 0;
  }

  /**
   * Reports unit u's string ending at `end` (within the chunk `bytes`) if the input holds
   * it there, and the unit is not a gated one still waiting for its gate.
   */
  private complete(s: PrefilterScratch, u: number, end: number, bytes: Uint8Array, onMatch: MatchCallback): void {
    if (this.plan.gated[u] === 1 && s.active[u] === 0) return;
    if (s.skipped !== undefined && s.skipped[u] === 1) return;
    this.occurrenceAt(s, u, end, bytes, onMatch);
  }

  /** Reports unit u's string ending at `end` (within the chunk `bytes`) if the input holds it there. */
  private occurrenceAt(s: PrefilterScratch, u: number, end: number, bytes: Uint8Array, onMatch: MatchCallback): void {
    const lit = this.plan.pure[u]!;
    const at = s.inner.offset;
    const from = end - lit.bytes.length;
    if (from < s.histStart) return; // starts before the input (or the kept history, which holds any such string)
    if (this.plan.verify[u] === 1) {
      const lb = lit.bytes;
      const caseless = lit.caseless;
      for (let k = 0; k < lb.length; k++) {
        const pos = from + k;
        const b = pos >= at ? bytes[pos - at] : s.history[pos - s.histStart];
        if ((caseless[k] === 1 ? FOLD[b] : b) !== lb[k]) return;
      }
    }
    const units = this.inner.units;
    const reporter = this.inner.reporterOf(s.inner);
    for (let j = units.sigStart[u]; j < units.sigStart[u + 1]; j++) reporter.emit(units.sigs[j], end, onMatch);
  }

  /**
   * Gated pure-literal units activated by the chunk just searched: their occurrences that
   * ended before it are found in the history now (in order, before the chunk's own); the
   * chunk's own and later ones come from the search (`reportLiterals`). The other fresh
   * units stay for `activate`.
   */
  private enterPure(s: PrefilterScratch, bytes: Uint8Array, onMatch: MatchCallback): void {
    let kept = 0;
    for (const u of s.fresh) {
      if (this.plan.pure[u] === undefined) {
        s.fresh[kept++] = u;
        continue;
      }
      this.counters.pureActivations++;
      this.livePure(s, u);
      // In order of their ends: those in the history, those whose window was found in an
      // earlier chunk (waiting in `pending`) ending in this one, then this chunk's hits
      // set aside while the unit waited; its hits kept for `reportLiterals` come later.
      if (s.inner.offset !== 0) this.occurrencesBefore(s, u, onMatch);
      if (s.pending.length !== 0) this.completeWaiting(s, u, bytes, onMatch);
      let i = s.dropHead[this.plan.pureWindowOf[u]];
      if (i === -1) continue;
      const ends: number[] = [];
      for (; i !== -1; i = s.dropPrev[i]) ends.push(s.dropEnd[i]);
      const at = s.inner.offset;
      const tail = this.plan.pureTail[u];
      for (let k = ends.length - 1; k >= 0; k--) this.occurrenceAt(s, u, at + ends[k] + tail, bytes, onMatch);
    }
    s.fresh.length = kept;
  }

  /** Reports unit u's waiting occurrences that end in the chunk `bytes`, and forgets them. */
  private completeWaiting(s: PrefilterScratch, u: number, bytes: Uint8Array, onMatch: MatchCallback): void {
    const stop = s.inner.offset + bytes.length;
    const pending = s.pending;
    let w = 0;
    for (let k = 0; k < pending.length; k += 2) {
      if (pending[k] === u && pending[k + 1] <= stop) this.occurrenceAt(s, u, pending[k + 1], bytes, onMatch);
      else {
        pending[w++] = pending[k];
        pending[w++] = pending[k + 1];
      }
    }
    pending.length = w;
  }


  /** Gated pure unit u is active: the hits of its window are wanted from now on. */
  private livePure(s: PrefilterScratch, u: number): void {
    const l = this.plan.pureWindowOf[u];
    if (s.windowActive[l]++ === 0) s.windowsTouched.push(l);
  }

  /** Reports pure-literal unit u's occurrences in the history. */
  private occurrencesBefore(s: PrefilterScratch, u: number, onMatch: MatchCallback): void {
    // Candidates come from the native search of the string's longest case-fixed stretch:
    // a stream history can be a megabyte.
    const ends = this.caughtUp;
    ends.length = 0;
    occurrenceEnds((this.searches[u] ??= stringSearch(this.plan.pure[u]!)), s.history, s.histLen, ends);
    const units = this.inner.units;
    const reporter = this.inner.reporterOf(s.inner);
    for (const e of ends) {
      for (let j = units.sigStart[u]; j < units.sigStart[u + 1]; j++) reporter.emit(units.sigs[j], s.histStart + e, onMatch);
    }
    this.counters.catchUps++;
    this.counters.catchUpBytes += s.histLen;
  }

  /** Enters the units activated by the chunk about to be scanned (replaying history when late). */
  private activate(s: PrefilterScratch, onMatch: MatchCallback): void {
    this.counters.activations += s.fresh.length;
    const at = s.inner.offset;
    if (at === 0) {
      for (const u of s.fresh) this.inner.enter(s.inner, u, -1);
      return;
    }
    const { lookback, maxLength } = this.plan;
    const late: number[] = [];
    let need = 0;
    for (const u of s.fresh) {
      // An anchored unit whose longest match ends before here cannot match any more
      // (a gated one may have matched earlier: it is replayed).
      if (this.inner.units.anchored[u] === 1 && maxLength[u] < at && this.plan.gated[u] === 0) continue;
      late.push(u);
      need = Math.max(need, lookback[u]);
    }
    // Matches ending in this chunk or later begin at or after at − need. Once the history
    // was cut, only units with lookback + 1 ≤ historyBytes are still inactive (`promote`).
    if (late.length !== 0) this.replay(s, late, need === Infinity ? 0 : Math.max(0, at - need), onMatch);
  }

  /**
   * Runs `units` from input offset `pos` to the current offset in a second live scratch,
   * then merges it in. Reports are dropped (none can end there, see the module comment)
   * unless a unit is gated: then they are real, and pass through the main scratch's
   * reporter (which applies the mode and holds ends as the report rule says).
   */
  private replay(s: PrefilterScratch, units: readonly number[], pos: number, onMatch: MatchCallback): void {
    if ((pos !== 0 && pos - 1 < s.histStart) || (pos === 0 && s.histStart > 0)) {
      throw new Error(`internal: prefilter history starts at ${s.histStart}, a replay needs ${pos - 1}`);
    }
    const cs = (s.catchUp ??= this.inner.createLiveScratch({ mode: 'all' }));
    const prevByte = pos === 0 ? -1 : s.history[pos - 1 - s.histStart];
    for (const u of units) this.inner.enter(cs, u, prevByte);
    const at = s.inner.offset;
    const found: number[] = [];
    const keep = units.some((u) => this.plan.gated[u] === 1);
    const collect: MatchCallback = keep ? (sig, end) => void found.push(sig, end) : () => {};
    if (at > pos) this.inner.scan(cs, s.history.subarray(pos - s.histStart, at - s.histStart), collect);
    const held = this.inner.reporterOf(cs);
    if (keep && held.held !== 0) held.flush(Infinity, collect);
    this.inner.absorb(s.inner, cs);
    this.inner.reset(cs);
    // Ends are relative to `pos`; gated units replay from the input start, so pos is 0 for them.
    const reporter = this.inner.reporterOf(s.inner);
    for (let k = 0; k < found.length; k += 2) reporter.emit(found[k], found[k + 1] + pos, onMatch);
    this.counters.catchUps++;
    this.counters.catchUpBytes += at - pos;
  }

  /** Appends the chunk to the history, promoting the long units before anything is dropped. */
  private remember(s: PrefilterScratch, bytes: Uint8Array, onMatch: MatchCallback): void {
    const cap = this.historyBytes;
    const end = s.histLen + bytes.length;
    if (end <= s.history.length) {
      s.history.set(bytes, s.histLen);
      s.histLen = end;
      return;
    }
    if (end <= 2 * cap) {
      const h = new Uint8Array(Math.min(2 * cap, Math.max(end, 2 * s.history.length, 4096)));
      h.set(s.history.subarray(0, s.histLen));
      h.set(bytes, s.histLen);
      s.history = h;
      s.histLen = end;
      return;
    }
    // The input outgrows the history: keep its last `cap` bytes.
    const all = new Uint8Array(end);
    all.set(s.history.subarray(0, s.histLen));
    all.set(bytes, s.histLen);
    s.history = all;
    s.histLen = end;
    if (!s.promoted) this.promote(s, onMatch);
    const keep = Math.min(cap, end);
    const h = new Uint8Array(2 * cap);
    h.set(all.subarray(end - keep));
    s.history = h;
    s.histStart += end - keep;
    s.histLen = keep;
  }

  /** Runs, from now on, every inactive unit whose match may reach further back than the kept history. */
  private promote(s: PrefilterScratch, onMatch: MatchCallback): void {
    s.promoted = true;
    const at = s.inner.offset;
    const long: number[] = [];
    const { lookback, maxLength } = this.plan;
    for (let u = 0; u < lookback.length; u++) {
      if (s.active[u] !== 0 || (s.skipped !== undefined && s.skipped[u] === 1)) continue;
      if (this.plan.pure[u] !== undefined) {
        // A gated string whose gate may come after the cut: its occurrences so far are
        // reported now (the whole input is still held), the later ones from the search.
        if (this.plan.gated[u] === 1) {
          s.active[u] = 1;
          s.activeList.push(u);
          this.livePure(s, u);
          this.occurrencesBefore(s, u, onMatch);
        }
        continue;
      }
      if (lookback[u] + 1 <= this.historyBytes) continue;
      // An anchored unit whose longest match ends before here cannot match any more
      // (unless gated: its earlier matches are reported by the replay).
      if (this.inner.units.anchored[u] === 1 && maxLength[u] < at && this.plan.gated[u] === 0) continue;
      s.active[u] = 1;
      s.activeList.push(u);
      long.push(u);
    }
    if (long.length === 0) return;
    this.counters.promotions += long.length;
    this.replay(s, long, 0, onMatch);
  }

  stats(): MatcherStats {
    const inner = this.inner.stats();
    return {
      ...inner,
      ...Object.fromEntries(this.residuals.map((m, k) => [k === 0 ? 'residual' : `residual${k + 1}`, flatStats(m.stats())])),
      /** The residual matchers' engines, in the order of `residual`, `residual2`... */
      residualEngines: this.residuals.map((m) => m.engine).join(','),
      prefilter: {
        literals: this.plan.literals.length,
        pureLiteralUnits: this.plan.pure.filter((x) => x !== undefined).length,
        alwaysOnUnits: this.plan.always.length,
        units: this.inner.units.count,
        historyBytes: this.historyBytes,
        ...this.searcher.stats(),
        ...this.counters,
      },
    };
  }
}

/** The numeric figures of a matcher's stats (what a nested stats entry may hold). */
function flatStats(st: MatcherStats): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(st)) if (typeof v === 'number') out[k] = v;
  return out;
}

/**
 * Literals that gate a signature: its matches are wanted only in inputs that contain one
 * of the alternatives (ASCII case-insensitively), even when they lie outside its matches;
 * an alternative is one literal, or a list of literals that must ALL occur. A rule engine
 * knows this of a rule's pcre: the rule fires only if its contents match too, so the
 * rule's positive contents, together, gate it (Snort's fast pattern, made stronger: a
 * pcre of a rule with `content:"GET"` and a rare content runs only where both occur).
 * With the prefilter on, a gated signature runs on every input where an alternative holds
 * (then exactly, from the input start). On other inputs it reports either nothing or exactly its matches, never a false
 * one: it runs there too when a shorter window of a gate literal occurs (long literals
 * are searched as windows), or when a stream outgrows `historyBytes` (from then on, like
 * any unit that could not be replayed later).
 */
export type SignatureGate = readonly (Uint8Array | readonly Uint8Array[])[];

/**
 * What activates unit u, as alternatives each needing all of its literals: the union over
 * its signatures (identical copies) of each one's gate, or of its own factor (one literal
 * per alternative) when ungated; null when one of them has neither.
 */
function unitFactor(
  units: LiveMatcher['units'],
  u: number,
  ir: Ir,
  options: PrefilterOptions,
  gateOf: (signature: number) => SignatureGate | undefined,
): { factor: Uint8Array[][] | null; gated: boolean } {
  const out: Uint8Array[][] = [];
  let gated = false;
  const own = factorOf(ir, options);
  for (let j = units.sigStart[u]; j < units.sigStart[u + 1]; j++) {
    const gate = gateOf(units.sigs[j]);
    const g = gate === undefined ? null : gateConjunctions(gate, options);
    const f = g === null ? (own?.map((lit) => [lit]) ?? null) : withOwnFactor(g, own);
    if (f === null) return { factor: null, gated: false };
    if (g !== null) gated = true;
    out.push(...f);
  }
  return { factor: out, gated };
}

/** Bound on the alternatives a gate may grow to when the signature's own factor joins it. */
const MAX_GATE_ALTERNATIVES = 64;

/**
 * A gate made stronger by the signature's own factor (one of whose literals occurs in
 * each of its matches): each alternative also needs one of those literals. On an input
 * where the gate holds but no own literal occurs, the signature has no match to report,
 * so the gate's promise (exactly its matches where the gate holds) is kept. Left as it
 * is when the product would be large.
 */
function withOwnFactor(gate: Uint8Array[][], own: Uint8Array[] | null): Uint8Array[][] {
  if (own === null || own.length === 0 || gate.length * own.length > MAX_GATE_ALTERNATIVES) return gate;
  return gate.flatMap((alt) => own.map((lit) => [...alt, lit]));
}

/**
 * The gate of a pure-literal unit: the union of its signatures' gates, or null when one
 * of them is ungated (then every occurrence is reported).
 */
function pureGate(
  units: LiveMatcher['units'],
  u: number,
  options: PrefilterOptions,
  gateOf: (signature: number) => SignatureGate | undefined,
): Uint8Array[][] | null {
  const out: Uint8Array[][] = [];
  for (let j = units.sigStart[u]; j < units.sigStart[u + 1]; j++) {
    const gate = gateOf(units.sigs[j]);
    const g = gate === undefined ? null : gateConjunctions(gate, options);
    if (g === null) return null;
    out.push(...g);
  }
  return out;
}

/**
 * The search window of one gate literal (folded, a long one cut to its rarest window).
 * A rule's contents appear in the gates of all its patterns, and a common content in
 * those of thousands of rules: the answer is kept per literal object and options.
 */
function gateWindow(lit: Uint8Array, options: PrefilterOptions): Uint8Array | null {
  const key = `${options.maxLiteral},${options.maxLiterals}`;
  let known = gateWindowCache.get(lit);
  if (known === undefined) gateWindowCache.set(lit, (known = new Map()));
  let w = known.get(key);
  if (w === undefined) {
    // Any gate literal, however short, is a real condition: a rarely seen 2-byte content
    // still spares the signature most inputs, where running it on every input would not.
    const f = chooseFactor({ kind: 'lit', bytes: Uint8Array.from(lit, (x) => FOLD[x]) }, {
      minLength: 1,
      maxLength: options.maxLiteral,
      maxLiterals: options.maxLiterals,
    });
    w = f !== null && f.length === 1 ? f[0] : null;
    known.set(key, w);
  }
  return w;
}

const gateWindowCache = new WeakMap<Uint8Array, Map<string, Uint8Array | null>>();

/**
 * A gate as alternatives of search windows that must all occur (folded; a long literal
 * cut to its rarest window); null for a gate that is no condition (empty, or with an
 * empty alternative).
 */
export function gateConjunctions(gate: SignatureGate, options: PrefilterOptions = {}): Uint8Array[][] | null {
  if (gate.length === 0) return null;
  const out: Uint8Array[][] = [];
  for (const alt of gate) {
    const lits = alt instanceof Uint8Array ? [alt] : alt;
    const windows: Uint8Array[] = [];
    for (const lit of lits) {
      const w = gateWindow(lit, options);
      if (w !== null) windows.push(w);
    }
    if (windows.length === 0) return null;
    out.push(windows);
  }
  return out;
}

/**
 * The fast factor of a signature: literals (folded), one of which occurs in every input it
 * matches; null when it has none worth searching for (then it runs on every input: compile()
 * gives it to the residual matcher).
 */
export function factorOf(ir: Ir, options: PrefilterOptions = {}): Uint8Array[] | null {
  // compile() asks for each signature's factor when it splits the set, and planUnits again
  // per unit: IR trees are immutable, so the answer is kept per tree and option values.
  const key = `${options.minLiteral},${options.maxLiteral},${options.maxLiterals}`;
  let known = factorCache.get(ir);
  if (known === undefined) factorCache.set(ir, (known = new Map()));
  let f = known.get(key);
  if (f === undefined) {
    f = chooseFactor(literalCondition(ir), { minLength: options.minLiteral, maxLength: options.maxLiteral, maxLiterals: options.maxLiterals });
    known.set(key, f);
  }
  return f;
}

const factorCache = new WeakMap<Ir, Map<string, Uint8Array[] | null>>();

/**
 * The search literals of a plan and what each one does: activate units alone, count
 * towards conjunctive gates, or find pure-literal units (by a window of their string).
 */
class LiteralTable {
  readonly literals: Uint8Array[] = [];
  private readonly activating = new Map<string, number>();
  private readonly windows = new Map<string, number>();
  /** (literal, unit) activations, (conjunction, unit) activations, (window literal, pure unit). */
  readonly pairs: Array<[number, number]> = [];
  readonly conjPairs: Array<[number, number]> = [];
  readonly purePairs: Array<[number, number]> = [];
  /** Each conjunction's literal ids (sorted), and conjunctions by key. */
  readonly conjLits: number[][] = [];
  private readonly conjIndex = new Map<string, number>();

  /** The id of an activating literal (folded), shared by every unit it activates. */
  private literalId(lit: Uint8Array): number {
    return this.idIn(this.activating, lit);
  }

  private idIn(map: Map<string, number>, lit: Uint8Array): number {
    const key = lit.join(',');
    let id = map.get(key);
    if (id === undefined) {
      id = this.literals.length;
      this.literals.push(lit);
      map.set(key, id);
    }
    return id;
  }

  /** Unit u runs where any alternative holds: all the literals of one of them occurred. */
  activate(u: number, alternatives: readonly Uint8Array[][]): void {
    for (const alt of alternatives) {
      const ids = [...new Set(alt.map((lit) => this.literalId(lit)))].sort((a, b) => a - b);
      if (ids.length === 1) {
        this.pairs.push([ids[0], u]);
        continue;
      }
      const key = ids.join(' ');
      let c = this.conjIndex.get(key);
      if (c === undefined) {
        c = this.conjLits.length;
        this.conjLits.push(ids);
        this.conjIndex.set(key, c);
      }
      this.conjPairs.push([c, u]);
    }
  }

  /** The literal-indexed tables of the plan (CSR lists, window summaries). */
  tables(pureWindowOf: Int32Array, pureTail: Uint32Array, gated: Uint8Array) {
    const n = this.literals.length;
    const conjLits = this.conjLits;
    const litCsr = csrOf(n, this.pairs);
    const litConjCsr = csrOf(n, conjLits.flatMap((ids, c) => ids.map((l) => [l, c] as [number, number])));
    const conjUnitCsr = csrOf(conjLits.length, this.conjPairs);
    const pureCsr = csrOf(n, this.purePairs);
    const windowUngated = new Uint32Array(n);
    const windowTail = new Uint32Array(n);
    for (let u = 0; u < pureWindowOf.length; u++) {
      const l = pureWindowOf[u];
      if (l < 0) continue;
      if (gated[u] === 0) windowUngated[l]++;
      windowTail[l] = Math.max(windowTail[l], pureTail[u]);
    }
    return {
      litStart: litCsr.start,
      litUnits: litCsr.items,
      litConjStart: litConjCsr.start,
      litConj: litConjCsr.items,
      conjSize: Uint16Array.from(conjLits, (ids) => ids.length),
      conjUnitStart: conjUnitCsr.start,
      conjUnits: conjUnitCsr.items,
      litPureStart: pureCsr.start,
      litPure: pureCsr.items,
      windowUngated,
      windowTail,
      everyHit: Uint8Array.from({ length: n }, (_, l) => (pureCsr.start[l] !== pureCsr.start[l + 1] ? 1 : 0)),
      literals: this.literals,
    };
  }

  /** Pure-literal unit u is searched by `window` (folded; shared with the units of the same window): its id. */
  pureWindow(u: number, window: Uint8Array): number {
    const id = this.idIn(this.windows, window);
    this.purePairs.push([id, u]);
    return id;
  }
}

/**
 * The unit plan of a live engine: a fast factor per unit from the IR of its first
 * signature (`irOf(signature)`), its lookback, and which units always run.
 */
export function planUnits(
  inner: LiveMatcher,
  irOf: (signature: number) => Ir,
  options: PrefilterOptions = {},
  gateOf: (signature: number) => SignatureGate | undefined = () => undefined,
): UnitPlan {
  const units = inner.units;
  const always: number[] = [];
  const table = new LiteralTable();
  const lookback = new Float64Array(units.count);
  const maxLength = new Float64Array(units.count);
  const gated = new Uint8Array(units.count);
  const pure: (PureLiteral | undefined)[] = new Array(units.count);
  const verify = new Uint8Array(units.count);
  const pureTail = new Uint32Array(units.count);
  const pureWindowOf = new Int32Array(units.count).fill(-1);
  const cap = options.historyBytes ?? DEFAULT_HISTORY;
  const maxLiteral = options.maxLiteral ?? 8;
  for (let u = 0; u < units.count; u++) {
    const ir = irOf(units.sigs[units.sigStart[u]]);
    maxLength[u] = maxMatchLength(ir);
    lookback[u] = units.anchored[u] === 1 ? Infinity : maxLength[u];
    const lit = units.anchored[u] === 0 ? pureLiteral(ir) : null;
    if (lit !== null && lit.bytes.length <= cap) {
      // Searched by its rarest window (every occurrence), completed from the input.
      pure[u] = lit;
      const w = searchWindow(lit, maxLiteral);
      pureTail[u] = w.tail;
      verify[u] = w.verify ? 1 : 0;
      pureWindowOf[u] = table.pureWindow(u, w.window);
      const gate = pureGate(units, u, options, gateOf);
      if (gate !== null) {
        gated[u] = 1;
        table.activate(u, gate);
      }
      continue;
    }
    const f = unitFactor(units, u, ir, options, gateOf);
    if (f.gated) {
      gated[u] = 1;
      lookback[u] = Infinity;
    }
    if (f.factor === null) always.push(u);
    else table.activate(u, f.factor);
  }
  return {
    always: Uint32Array.from(always),
    lookback,
    maxLength,
    gated,
    pure,
    verify,
    pureTail,
    pureWindowOf,
    ...table.tables(pureWindowOf, pureTail, gated),
  };
}

/**
 * How a pure literal is searched: its rarest-looking window of at most `maxLiteral` bytes
 * (folded), the bytes of the string after it, and whether a hit must be completed against
 * the input (the window is not the whole string, or the string has case-sensitive letters).
 */
function searchWindow(lit: PureLiteral, maxLiteral: number): { window: Uint8Array; tail: number; verify: boolean } {
  const folded = Uint8Array.from(lit.bytes, (b) => FOLD[b]);
  let text = '';
  for (let k = 0; k < folded.length; k++) text += String.fromCharCode(folded[k]);
  const from = bestWindowStart(text, maxLiteral);
  const to = Math.min(folded.length, from + maxLiteral);
  const verify = to - from < lit.bytes.length || lit.bytes.some((b, k) => lit.caseless[k] === 0 && isAsciiLetter(b));
  return { window: folded.subarray(from, to), tail: folded.length - to, verify };
}

/**
 * Literal → 1 when no unskipped unit wants its hits: every pure unit it finds, every unit
 * it activates, and every unit of the conjunctive gates it counts towards is skipped. (A
 * streamed packet in stream mode is decided by packet-only rules alone: a few hundred of
 * ET Open's 23k signatures.)
 */
function mutedWindows(plan: UnitPlan, skipped: Uint8Array): Uint8Array {
  const out = new Uint8Array(plan.literals.length);
  const wanted = (u: number): boolean => skipped[u] === 0;
  for (let l = 0; l < out.length; l++) {
    let w = false;
    for (let j = plan.litPureStart[l]; j < plan.litPureStart[l + 1] && !w; j++) w = wanted(plan.litPure[j]);
    for (let j = plan.litStart[l]; j < plan.litStart[l + 1] && !w; j++) w = wanted(plan.litUnits[j]);
    for (let j = plan.litConjStart[l]; j < plan.litConjStart[l + 1] && !w; j++) {
      const c = plan.litConj[j];
      for (let k = plan.conjUnitStart[c]; k < plan.conjUnitStart[c + 1] && !w; k++) w = wanted(plan.conjUnits[k]);
    }
    out[l] = w ? 0 : 1;
  }
  return out;
}

/** unit → 1 when every signature of it is marked in `skip`. */
function skippedUnits(units: LiveMatcher['units'], skip: Uint8Array): Uint8Array {
  const out = new Uint8Array(units.count);
  for (let u = 0; u < units.count; u++) {
    let all = true;
    for (let j = units.sigStart[u]; j < units.sigStart[u + 1] && all; j++) all = skip[units.sigs[j]] === 1;
    out[u] = all ? 1 : 0;
  }
  return out;
}

/** (key, item) pairs as CSR over keys 0..n-1, items ascending within a key, without duplicates. */
function csrOf(n: number, pairs: Array<[number, number]>): { start: Uint32Array; items: Uint32Array } {
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const kept = pairs.filter((p, i) => i === 0 || p[0] !== pairs[i - 1][0] || p[1] !== pairs[i - 1][1]);
  const start = new Uint32Array(n + 1);
  for (const [k] of kept) start[k + 1]++;
  for (let k = 0; k < n; k++) start[k + 1] += start[k];
  return { start, items: Uint32Array.from(kept, (p) => p[1]) };
}

/**
 * A prefiltered matcher over `inner` (built on a 'per-unit' NFA; `irOf` gives each of its
 * signatures' IR) and `residuals` (other signatures, run on every input; ids disjoint,
 * except that a later residual may run signatures an earlier one could not build, which
 * it says with `covers`).
 */
export function buildPrefilteredMatcher(
  inner: LiveMatcher,
  irOf: (signature: number) => Ir,
  options: PrefilterOptions = {},
  residuals: readonly ResidualMatcher[] = [],
  gateOf?: (signature: number) => SignatureGate | undefined,
): Matcher {
  return new PrefilterMatcher(inner, planUnits(inner, irOf, options, gateOf), options, residuals);
}
