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
import { UsageError } from '../errors.js';
import type { LiveMatcher } from '../matcher/live.js';
import type { OptionKeysOf } from '../matcher/options.js';
import type { MatchCallback, Matcher, MatcherStats, RejectedSignature, Scratch, ScratchOptions } from '../matcher/types.js';
import type { Ir } from '../syntax/ir.js';
import { chooseFactor, FOLD, literalCondition, maxMatchLength, pureLiteral, type PureLiteral } from './literals.js';
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
  /** literal → units (CSR). */
  readonly litStart: Uint32Array;
  readonly litUnits: Uint32Array;
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
  /** Search literal → the pure-literal unit it is the last window of, -1 for an activating literal. */
  readonly literalUnit: Int32Array;
  /** Search literal → 1 when every occurrence is reported (pure-literal windows). */
  readonly everyHit: Uint8Array;
  readonly literals: Uint8Array[];
}

/** Matcher-wide counters (sums over all scratches), for `stats()`. */
interface Counters {
  inputs: number;
  activations: number;
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
  readonly activeList: number[] = [];
  /** Units activated by the chunk being prepared. */
  fresh: number[] = [];
  /** Pure-literal window hits of the chunk being prepared: (unit, end in chunk) pairs. */
  readonly literalHits: number[] = [];
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
    this.inner = owner.inner.createLiveScratch(options);
    this.rests = owner.residuals.map((m) => m.createScratch(options));
    this.search = owner.searcher.createState();
    this.active = new Uint8Array(owner.inner.units.count);
    this.history = new Uint8Array(0);
    const { litStart, litUnits, literalUnit } = owner.plan;
    this.onHit = (literal: number, end: number): void => {
      if (literalUnit[literal] >= 0) {
        this.literalHits.push(literalUnit[literal], end);
        return;
      }
      for (let j = litStart[literal]; j < litStart[literal + 1]; j++) {
        const u = litUnits[j];
        if (this.active[u] === 0) {
          this.active[u] = 1;
          this.activeList.push(u);
          this.fresh.push(u);
        }
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
export class PrefilterMatcher implements Matcher {
  readonly engine: Matcher['engine'];
  readonly signatureCount: number;
  readonly searcher: LiteralSearcher;
  readonly historyBytes: number;
  private readonly counters: Counters = { inputs: 0, activations: 0, catchUps: 0, catchUpBytes: 0, promotions: 0 };

  constructor(
    readonly inner: LiveMatcher,
    readonly plan: UnitPlan,
    options: PrefilterOptions = {},
    readonly residuals: readonly ResidualMatcher[] = [],
  ) {
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

  private own(scratch: Scratch): PrefilterScratch {
    if (!(scratch instanceof PrefilterScratch) || scratch.owner !== this) {
      throw new UsageError('scratch was not created by this prefiltered matcher');
    }
    return scratch;
  }

  scan(scratch: Scratch, bytes: Uint8Array, onMatch: MatchCallback): void {
    const s = this.own(scratch);
    // An empty chunk changes nothing; skipping it keeps the engines unprimed until the
    // first byte, so units entered at offset 0 still report their empty matches there.
    if (bytes.length === 0) return;
    if (!s.started) this.start(s);
    s.fresh.length = 0;
    this.searcher.scan(s.search, bytes, s.onHit);
    if (s.literalHits.length !== 0) this.reportLiterals(s, bytes, onMatch);
    if (s.fresh.length !== 0) this.activate(s, onMatch);
    this.inner.scan(s.inner, bytes, onMatch);
    for (let k = 0; k < s.rests.length; k++) this.residuals[k].scan(s.rests[k], bytes, onMatch);
    this.remember(s, bytes, onMatch);
  }

  finish(scratch: Scratch, onMatch: MatchCallback): void {
    const s = this.own(scratch);
    if (!s.started) this.start(s);
    this.inner.finish(s.inner, onMatch);
    for (let k = 0; k < s.rests.length; k++) this.residuals[k].finish(s.rests[k], onMatch);
    this.clear(s);
  }

  reset(scratch: Scratch): void {
    const s = this.own(scratch);
    this.inner.reset(s.inner);
    for (let k = 0; k < s.rests.length; k++) this.residuals[k].reset(s.rests[k]);
    this.clear(s);
  }

  /** A new input: the units without a factor run from offset 0. */
  private start(s: PrefilterScratch): void {
    s.started = true;
    this.counters.inputs++;
    for (const u of this.plan.always) {
      s.active[u] = 1;
      s.activeList.push(u);
      this.inner.enter(s.inner, u, -1);
    }
  }

  private clear(s: PrefilterScratch): void {
    for (const u of s.activeList) s.active[u] = 0;
    s.activeList.length = 0;
    s.fresh.length = 0;
    s.started = false;
    s.histLen = 0;
    s.histStart = 0;
    s.promoted = false;
    this.searcher.reset(s.search);
  }

  /**
   * Pure-literal units: each hit of a unit's last window is an occurrence of its string if
   * the bytes before it (in this chunk or the history) complete it, with case where the
   * string is case-sensitive; each occurrence is a match of the unit's signatures.
   */
  private reportLiterals(s: PrefilterScratch, bytes: Uint8Array, onMatch: MatchCallback): void {
    const at = s.inner.offset;
    const hits = s.literalHits;
    for (let h = 0; h < hits.length; h += 2) {
      const lit = this.plan.pure[hits[h]]!;
      const end = at + hits[h + 1];
      const from = end - lit.bytes.length;
      if (from < s.histStart) continue; // starts before the input (or the kept history, which holds any such string)
      let ok = true;
      if (this.plan.verify[hits[h]] === 1)
      for (let k = 0; k < lit.bytes.length && ok; k++) {
        const pos = from + k;
        const b = pos >= at ? bytes[pos - at] : s.history[pos - s.histStart];
        ok = (lit.caseless[k] === 1 ? FOLD[b] : b) === lit.bytes[k];
      }
      if (!ok) continue;
      const units = this.inner.units;
      const u = hits[h];
      const reporter = this.inner.reporterOf(s.inner);
      for (let j = units.sigStart[u]; j < units.sigStart[u + 1]; j++) reporter.emit(units.sigs[j], end, onMatch);
    }
    hits.length = 0;
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
    if (pos !== 0 && pos - 1 < s.histStart) {
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
      if (s.active[u] !== 0 || lookback[u] + 1 <= this.historyBytes || this.plan.pure[u] !== undefined) continue;
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

/** ASCII letter (the only bytes case folding changes, in either direction). */
function isLetter(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

/** The numeric figures of a matcher's stats (what a nested stats entry may hold). */
function flatStats(st: MatcherStats): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(st)) if (typeof v === 'number') out[k] = v;
  return out;
}

/**
 * Literals that gate a signature: its matches are wanted only in inputs that contain one
 * of them (ASCII case-insensitively), even when they lie outside its matches. A rule
 * engine knows this of a rule's pcre: the rule fires only if its contents match too, so
 * its longest content gates it (Snort's fast pattern). With the prefilter on, a gated
 * signature runs on every input where a gate literal occurs (then exactly, from the input
 * start). On other inputs it reports either nothing or exactly its matches, never a false
 * one: it runs there too when a shorter window of a gate literal occurs (long literals
 * are searched as windows), or when a stream outgrows `historyBytes` (from then on, like
 * any unit that could not be replayed later).
 */
export type SignatureGate = readonly Uint8Array[];

/**
 * The literals that activate unit u: the union over its signatures (identical copies) of
 * each one's gate, or its own factor when ungated; null when one of them has neither.
 */
function unitFactor(
  units: LiveMatcher['units'],
  u: number,
  ir: Ir,
  options: PrefilterOptions,
  gateOf: (signature: number) => SignatureGate | undefined,
): { factor: Uint8Array[] | null; gated: boolean } {
  const out: Uint8Array[] = [];
  let gated = false;
  for (let j = units.sigStart[u]; j < units.sigStart[u + 1]; j++) {
    const gate = gateOf(units.sigs[j]);
    const g = gate === undefined ? null : gateFactor(gate, options);
    const f = g ?? factorOf(ir, options);
    if (f === null) return { factor: null, gated: false };
    if (g !== null) gated = true;
    out.push(...f);
  }
  return { factor: out, gated };
}

/** A gate's literals as a factor (folded, long ones cut to a rare window); null for an empty gate. */
export function gateFactor(gate: SignatureGate, options: PrefilterOptions = {}): Uint8Array[] | null {
  if (gate.length === 0) return null;
  const items = gate.map((b) => ({ kind: 'lit', bytes: Uint8Array.from(b, (x) => FOLD[x]) }) as const);
  // Any gate literal, however short, is a real condition: a rarely seen 2-byte content
  // still spares the signature most inputs, where running it on every input would not.
  return chooseFactor(items.length === 1 ? items[0] : { kind: 'or', items }, {
    minLength: 1,
    maxLength: options.maxLiteral,
    maxLiterals: options.maxLiterals,
  });
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
  const literals: Uint8Array[] = [];
  const litIndex = new Map<string, number>();
  const pairs: Array<[number, number]> = [];
  const lookback = new Float64Array(units.count);
  const maxLength = new Float64Array(units.count);
  const gated = new Uint8Array(units.count);
  const pure: (PureLiteral | undefined)[] = new Array(units.count);
  const verify = new Uint8Array(units.count);
  const literalUnit: number[] = [];
  const cap = options.historyBytes ?? DEFAULT_HISTORY;
  for (let u = 0; u < units.count; u++) {
    const ir = irOf(units.sigs[units.sigStart[u]]);
    maxLength[u] = maxMatchLength(ir);
    lookback[u] = units.anchored[u] === 1 ? Infinity : maxLength[u];
    const lit = units.anchored[u] === 0 ? pureLiteral(ir) : null;
    if (lit !== null && lit.bytes.length <= cap) {
      // Searched by its last window (every occurrence), completed from the input.
      pure[u] = lit;
      const w = lit.bytes.subarray(Math.max(0, lit.bytes.length - (options.maxLiteral ?? 8)));
      verify[u] = w.length < lit.bytes.length || lit.bytes.some((b, k) => lit.caseless[k] === 0 && isLetter(b)) ? 1 : 0;
      literalUnit[literals.length] = u;
      literals.push(Uint8Array.from(w, (b) => FOLD[b]));
      continue;
    }
    const f = unitFactor(units, u, ir, options, gateOf);
    const factor = f.factor;
    if (f.gated) {
      gated[u] = 1;
      lookback[u] = Infinity;
    }
    if (factor === null) {
      always.push(u);
      continue;
    }
    for (const lit of factor) {
      const key = lit.join(',');
      let id = litIndex.get(key);
      if (id === undefined) {
        id = literals.length;
        literalUnit[id] = -1;
        literals.push(lit);
        litIndex.set(key, id);
      }
      pairs.push([id, u]);
    }
  }
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const litStart = new Uint32Array(literals.length + 1);
  for (const [l] of pairs) litStart[l + 1]++;
  for (let l = 0; l < literals.length; l++) litStart[l + 1] += litStart[l];
  return {
    always: Uint32Array.from(always),
    litStart,
    litUnits: Uint32Array.from(pairs, (p) => p[1]),
    lookback,
    maxLength,
    gated,
    pure,
    verify,
    literalUnit: Int32Array.from({ length: literals.length }, (_, i) => literalUnit[i]),
    everyHit: Uint8Array.from({ length: literals.length }, (_, i) => (literalUnit[i] >= 0 ? 1 : 0)),
    literals,
  };
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
