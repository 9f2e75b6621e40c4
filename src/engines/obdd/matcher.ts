/**
 * The NFA-OBDD engine (after Yang, Karim, Ganapathy and Smith, RAID 2010): the whole NFA
 * frontier is one BDD F(x) and one input byte of class c advances it with one fused
 * relational product, F'(x) = (∃x. F(x) ∧ T_c(x, y))[y → x]. Stride 2 consumes a pair of
 * classes with the precomputed two-step relation T2_{c1,c2}(x, y) = ∃z. T_c1(x, z) ∧
 * T_c2(z, y), built lazily per pair on first use and cached under a node budget.
 *
 * Same scan API and match semantics as the explicit NFA engine: compile once, a
 * caller-owned scratch per stream, each scan continues where the previous chunk ended,
 * acceptance of the start frontier at offset 0, reported end = offset after the byte −
 * delta, end-of-input acceptance on finish, and every report passes through the shared
 * rule of `matcher/report.ts` (deduplication, held ends, 'set' mode) with the same
 * flush protocol, so the reported (signature, end) sets are identical. Stride 2 reports
 * a match that ends on the first byte of a pair (mid-pair acceptance) at its own offset
 * and finishes an odd tail with one single step: results equal stride 1's, offsets too.
 *
 * If the node budget cannot hold even one step after every cache is dropped, scan throws
 * LimitExceededError; the scratch then still holds the frontier from before that scan
 * call (matches of the call may have been reported): reset it before reuse.
 *
 * Beyond the paper, an optional bounded step memo (`memo.ts`) turns repeated symbolic
 * steps into array reads; with it off every byte is a symbolic step (the paper's figures).
 *
 * GC rule (BDD GC never runs implicitly): gc() runs (1) once after encoding, (2) when the
 * memo is cleared, (3) between steps when the manager's live nodes pass a threshold
 * (checked on memo misses and every 256 symbolic steps), and (4) after a LimitExceededError
 * in a step, before one retry. Roots at those points: the encoding (T_c, S, Acc...), the
 * T2 cache, interned memo frontiers, every scratch's frontier (a scratch keeps its frontier
 * protected between scans; a FinalizationRegistry unprotects it if the scratch is dropped)
 * and the scanning scratch's current frontier (protected around the gc call).
 *
 * The matcher owns one BDD manager and the memo, which are mutated by scans (JavaScript
 * is single-threaded, so sharing one matcher between many scratches is safe); this is a
 * cache, like a lazy DFA's, and never changes results.
 */
import { LimitExceededError, UsageError } from '../../errors.js';
import { MatchReporter, reportPlanFromNfa, type ReportPlan } from '../../matcher/report.js';
import type { MatchCallback, Matcher, MatcherStats, Scratch, ScratchOptions, EngineName } from '../../matcher/types.js';
import { normalizeMode } from '../../matcher/types.js';
import type { Nfa, NfaUnits } from '../../nfa/types.js';
import type { BddPort, NodeId } from './bdd-port.js';
import type { OptionKeysOf } from '../../matcher/options.js';
import { unitStartState } from '../../matcher/live.js';
import { GuardedMatcher } from '../../matcher/guard.js';
import { entryOrder, permuteStates } from '../../nfa/renumber.js';
import { encodeNfa, forEachState, stateSet, type Encoding, type EncodingOptions } from './encoding.js';
import { StepMemo, type MemoStats } from './memo.js';

/** 'amortized' pair builds: one pair step in this many is timed; weight of a new sample in the moving averages. */
const PAIR_STEP_SAMPLE = 8;
const EMA_RATE = 1 / 32;

/** Moving average `avg` (-1: no sample yet) updated with sample `x`. */
const ema = (avg: number, x: number): number => (avg < 0 ? x : avg + (x - avg) * EMA_RATE);
/** Mean of `n` samples `mean`, updated with sample `x` (n + 1 samples). */
const meanWith = (mean: number, n: number, x: number): number => (mean * n + x) / (n + 1);

/** The variable-order choices a caller may set; `withZ` follows from the stride. */
export type ObddEncodingOptions = Omit<EncodingOptions, 'withZ'>;

/** Options of one NFA-OBDD matcher (`buildObddMatcher`); compile() sets `stride` from the engine name. */
export interface ObddOptions {
  /** Bytes per symbolic step. @default 1 */
  stride?: 1 | 2;
  /** Bounded step memo. @default true */
  memo?: boolean;
  /**
   * Stride 2 with the memo on: key the memo by class pairs (a hit consumes two bytes; a
   * miss is one T2 step) or by single classes (the stride-1 memo; T2 is then used only
   * with the memo off). Pair keys multiply the key space by the class count, which costs
   * hit rate on large sets (figures: docs/obdd.md). @default 'class'
   */
  memoKey?: 'class' | 'pair';
  /** Memo budget in bytes. @default 32 MiB */
  memoBudgetBytes?: number;
  /** BDD node budget (LimitExceededError beyond it). @default 1 << 25 */
  nodeLimit?: number;
  /**
   * Budget for the cache of lazily built pair relations T2 (stride 2), in BDD nodes (nodes
   * shared between relations counted once); past it the cache is dropped and refilled on
   * demand. @default 1 << 22
   */
  pairNodeBudget?: number;
  /**
   * Stride 2, pairs 'relation': when a class pair gets its own T2 relation; until then it is
   * stepped as two single bytes. A number k: on its k-th use (1 = on first use, the paper's
   * lazy build). 'amortized': once the time spent stepping it as two single bytes has paid
   * for building it, weighed by what a relation saves per use (rent-or-buy; see usePair).
   * @default 'amortized'
   */
  pairMinUses?: number | 'amortized';
  /** Stride 2: how a pair is stepped (see ObddMatcher.pairStep). @default 'relation' */
  pairs?: 'relation' | 'split';
  /** Variable order choices (for measurements; defaults are the measured best). */
  encoding?: ObddEncodingOptions;
  /**
   * Live-node count below which no between-step GC runs (the threshold then adapts to
   * twice the live nodes after each GC). @default max(2^18, 4 × nodes after compile)
   */
  gcFloorNodes?: number;
}

/** The option keys of one NFA-OBDD matcher; `encoding` is a nested options object. */
export const OBDD_MATCHER_OPTION_KEYS: OptionKeysOf<ObddOptions> = {
  stride: true,
  memo: true,
  memoKey: true,
  memoBudgetBytes: true,
  nodeLimit: true,
  pairNodeBudget: true,
  pairMinUses: true,
  pairs: true,
  encoding: { interleave: true, inputPosition: true, stateBitOrder: true, numbering: true } satisfies OptionKeysOf<ObddEncodingOptions>,
  gcFloorNodes: true,
};

/**
 * Options may come untyped (compile's engineOptions, the CLI): throws UsageError naming
 * the engine (obdd, or obdd2 at stride 2) and the option whose value has the wrong type.
 */
export function checkOptions(o: ObddOptions): void {
  const engine = o !== null && typeof o === 'object' && o.stride === 2 ? 'obdd2' : 'obdd';
  const bad = (name: string, v: unknown): never => {
    throw new UsageError(`${engine} option ${name}: invalid value ${JSON.stringify(v)}`);
  };
  if (o === null || typeof o !== 'object') bad('options', o);
  if (o.stride !== undefined && o.stride !== 1 && o.stride !== 2) bad('stride', o.stride);
  if (o.memo !== undefined && typeof o.memo !== 'boolean') bad('memo', o.memo);
  if (o.memoKey !== undefined && o.memoKey !== 'class' && o.memoKey !== 'pair') bad('memoKey', o.memoKey);
  if (o.pairs !== undefined && o.pairs !== 'relation' && o.pairs !== 'split') bad('pairs', o.pairs);
  const nl = o.nodeLimit as unknown;
  if (nl !== undefined && !(Number.isInteger(nl) && (nl as number) >= 2 && (nl as number) <= 1 << 28)) bad('nodeLimit', nl);
  for (const k of ['memoBudgetBytes', 'nodeLimit', 'pairNodeBudget', 'gcFloorNodes', 'pairMinUses'] as const) {
    const v = o[k] as unknown;
    if (k === 'pairMinUses' && v === 'amortized') continue;
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) bad(k, v);
  }
  const e = o.encoding as unknown;
  if (e !== undefined) {
    if (e === null || typeof e !== 'object') bad('encoding', e);
    const enc = e as Record<string, unknown>;
    if (enc.interleave !== undefined && typeof enc.interleave !== 'boolean') bad('encoding.interleave', enc.interleave);
    if (enc.inputPosition !== undefined && enc.inputPosition !== 'top' && enc.inputPosition !== 'bottom') bad('encoding.inputPosition', enc.inputPosition);
    if (enc.stateBitOrder !== undefined && enc.stateBitOrder !== 'msb' && enc.stateBitOrder !== 'lsb') bad('encoding.stateBitOrder', enc.stateBitOrder);
    if (enc.numbering !== undefined && enc.numbering !== 'builder' && enc.numbering !== 'entry') bad('encoding.numbering', enc.numbering);
  }
}

/** Default `memoBudgetBytes`: 32 MiB. */
export const DEFAULT_MEMO_BUDGET = 32 << 20;
const GC_CHECK_MASK = 255;
const NODE_BYTES = 24;

class ObddScratch implements Scratch {
  readonly engine: EngineName;
  offset = 0;
  /** Start acceptance already checked for this input. */
  started = false;
  /** Memo state id of `box.node`, valid while `gen` equals the memo's generation. */
  stateId = -1;
  gen = -1;
  /** The frontier, boxed so the finalizer can unprotect it without holding the scratch. */
  readonly box: { node: NodeId };
  /** `live`: the frontier starts (and restarts) empty; the driver enters units (`LiveMatcher`). */
  constructor(
    readonly owner: ObddMatcher,
    node: NodeId,
    readonly reporter: MatchReporter,
    readonly live = false,
  ) {
    this.engine = owner.engine;
    this.box = { node };
  }
}

/** One NFA-OBDD matcher (see the module comment); built by `buildObddMatcher`. */
export class ObddMatcher extends GuardedMatcher<ObddScratch> implements Matcher {
  readonly engine: EngineName;
  readonly signatureCount: number;
  private readonly bdd: BddPort;
  private readonly nfa: Nfa;
  private readonly enc: Encoding;
  private readonly C: number;
  private readonly stride: 1 | 2;
  private readonly memo: StepMemo | null;
  private readonly byteClass: Uint8Array;
  private readonly tc: Int32Array;
  /**
   * Stride 2: TA_c(x, y) = T_c ∧ Acc(y), the steps of class c that enter an accepting state
   * (a small relation), and pre_c(x) = ∃y. TA_c, the states that accept after c. A pair
   * step tests F ∧ pre_c1 and, only when it is non-empty, takes the cheap step through
   * TA_c1 to learn which signatures end on the first byte (mid-pair acceptance).
   */
  private readonly ta: Int32Array;
  private readonly pre: Int32Array;
  private readonly t2: Int32Array;
  /** Stride 2: M_c(x, y) = ∃z. T_c(x, z) ∧ Follow(z, y), per first class (see pairRel). */
  private readonly m1: Int32Array;
  /** Stride 2, pairs 'split': Enter_c(x), the states a byte of class c may enter. */
  private readonly enterX: Int32Array;
  private readonly splitPairs: boolean;
  /** Stride 2: uses of each class pair so far (saturating), see usePair. */
  private readonly pairUses: Uint16Array;
  /** 0: pairMinUses 'amortized'. */
  private readonly pairMinUses: number;
  /** Stride 2, 'amortized': ms spent stepping each class pair as two single bytes, and summed per first class. */
  private readonly pairRent: Float64Array;
  private readonly firstRent: Float64Array;
  /**
   * Mean ms of the builds measured so far: of M_c (one per first class, the dear part) and
   * of the AND that makes a pair relation from it; and their counts.
   */
  private mBuildMs = 0;
  private mBuildsTimed = 0;
  private andBuildMs = 0;
  private pairBuildsTimed = 0;
  /**
   * Moving averages of one use of a pair: stepped as two single bytes (rent), and through
   * its relation (sampled one in PAIR_STEP_SAMPLE); -1 until the first sample.
   */
  private rentPerUse = -1;
  private pairStepMs = -1;
  private pairStepTick = 0;
  private t2Nodes = 0;
  private t2Built = 0;
  private t2Clears = 0;
  private readonly pairNodeBudget: number;
  private readonly startAcc: number[];
  private readonly plan: ReportPlan;
  private readonly anyHold: boolean;
  private gcThreshold: number;
  private readonly gcFloor: number;
  private readonly pairMemo: boolean;
  private readonly nodeLimit: number;
  private steps = 0;
  private emergencyGcs = 0;
  private readonly registry: FinalizationRegistry<{ node: NodeId }>;
  private readonly compileMs: number;
  private readonly compileStats: { liveNodes: number; bytes: number; capacity: number };
  /**
   * The units of a per-unit NFA when this matcher can run a subset of them (stride 1, the
   * builder's numbering, so unit state ranges are the encoded ones); else undefined.
   */
  private readonly liveUnits: NfaUnits | undefined;
  /** unit → protected BDD of its state range (built on first squash), 0 when not yet built. */
  private readonly unitRange: Int32Array;
  private squashes = 0;

  constructor(bdd: BddPort, given: Nfa, options: ObddOptions = {}) {
    super();
    const t0 = performance.now();
    checkOptions(options);
    // State numbering is an encoding choice (src/nfa/renumber.ts); the permuted NFA is
    // isomorphic, and acceptance is looked up in it, so reports are unchanged.
    const nfa = (options.encoding?.numbering ?? 'builder') === 'entry' ? permuteStates(given, entryOrder(given)) : given;
    this.stride = options.stride ?? 1;
    this.engine = this.stride === 2 ? 'obdd2' : 'obdd';
    this.signatureCount = nfa.signatureCount;
    this.bdd = bdd;
    this.nfa = nfa;
    this.C = nfa.classCount;
    this.byteClass = nfa.byteClass;
    this.enc = encodeNfa(bdd, nfa, { ...options.encoding, withZ: this.stride === 2 });
    this.tc = this.enc.tc;
    this.pairNodeBudget = options.pairNodeBudget ?? 1 << 22;
    this.pre = new Int32Array(this.stride === 2 ? this.C : 0);
    this.ta = new Int32Array(this.stride === 2 ? this.C : 0);
    this.t2 = new Int32Array(this.stride === 2 ? this.C * this.C : 0).fill(-1);
    this.m1 = new Int32Array(this.stride === 2 ? this.C : 0).fill(-1);
    this.enterX = new Int32Array(this.stride === 2 ? this.C : 0).fill(-1);
    this.splitPairs = (options.pairs ?? 'relation') === 'split';
    const minUses = options.pairMinUses ?? 'amortized';
    this.pairMinUses = minUses === 'amortized' ? 0 : Math.max(1, Math.min(minUses, 0xffff));
    const perPair = this.stride === 2 && !this.splitPairs ? this.C * this.C : 0;
    this.pairUses = new Uint16Array(this.pairMinUses > 1 ? perPair : 0);
    this.pairRent = new Float64Array(this.pairMinUses === 0 ? perPair : 0);
    this.firstRent = new Float64Array(this.pairMinUses === 0 && perPair ? this.C : 0);
    for (let c = 0; c < this.pre.length; c++) {
      this.ta[c] = bdd.protect(bdd.and(this.tc[c], this.enc.accY));
      this.pre[c] = bdd.protect(bdd.exists(this.ta[c], this.enc.ySet));
    }
    this.startAcc = this.acceptList(this.enc.start, false);
    this.plan = reportPlanFromNfa(nfa);
    this.anyHold = this.plan.hold !== undefined && this.plan.hold.some((h) => h !== 0);
    bdd.gc();
    const st = bdd.stats();
    this.compileStats = { liveNodes: st.liveNodes, bytes: st.bytes, capacity: st.capacity };
    this.nodeLimit = options.nodeLimit ?? 1 << 25;
    this.gcFloor = options.gcFloorNodes ?? Math.max(1 << 18, 4 * st.liveNodes);
    this.gcThreshold = this.gcFloor;
    const memoOn = options.memo ?? true;
    this.pairMemo = this.stride === 2 && (options.memoKey ?? 'class') === 'pair';
    this.memo = memoOn
      ? new StepMemo(bdd, this.C, options.memoBudgetBytes ?? DEFAULT_MEMO_BUDGET, this.pairMemo)
      : null;
    this.registry = new FinalizationRegistry((box) => bdd.unprotect(box.node));
    this.liveUnits = this.stride === 1 && nfa === given ? nfa.units : undefined;
    this.unitRange = new Int32Array(this.liveUnits ? this.liveUnits.count : 0);
    this.compileMs = performance.now() - t0;
  }

  // ---------------------------------------------------------------- acceptance lists

  /**
   * Packed accept entries (sig * 2 + delta) of the NFA states in `f`, deduplicated, delta-1
   * entries first (they end one byte earlier, so 'set' mode and the per-signature
   * ordering of ends stay right), then by signature.
   */
  private acceptList(f: NodeId, end: boolean): number[] {
    const g = this.bdd.and(f, end ? this.enc.accEnd : this.enc.acc);
    if (g === 0) return [];
    const starts = end ? this.nfa.endStart : this.nfa.acceptStart;
    const sigs = end ? this.nfa.endSig : this.nfa.acceptSig;
    const deltas = end ? this.nfa.endDelta : this.nfa.acceptDelta;
    const set = new Set<number>();
    forEachState(this.bdd, g, this.enc.layout.xVars, (q) => {
      for (let j = starts[q]; j < starts[q + 1]; j++) set.add(sigs[j] * 2 + deltas[j]);
    });
    return [...set].sort((a, b) => (b & 1) - (a & 1) || a - b);
  }

  /**
   * Passes a packed accept list on to the scratch's reporter (the rule shared by every
   * NFA-based engine, `matcher/report.ts`): the lists are already deduplicated per
   * (signature, delta) and ordered delta 1 first.
   */
  private emit(sc: ObddScratch, pool: ArrayLike<number>, off: number, len: number, after: number, onMatch: MatchCallback): void {
    const reporter = sc.reporter;
    for (let j = off; j < off + len; j++) {
      const e = pool[j];
      const end = after - (e & 1);
      if (end >= 0) reporter.emit(e >>> 1, end, onMatch);
    }
  }

  // ---------------------------------------------------------------- symbolic steps
  //
  // Every unit of symbolic work (one byte or pair without the memo, one memo miss) runs
  // through a guard: on LimitExceededError the caches are dropped, garbage collected with
  // the source frontier kept, and the unit is redone once from the start. A unit reports
  // matches only after it completes, so a retry never reports twice.

  private static readonly NONE: number[] = [];
  /** Results of the last unit: accept lists after the (second) byte and mid-pair. */
  private outAcc: number[] = ObddMatcher.NONE;
  private outMidAcc: number[] = ObddMatcher.NONE;
  private outT = 0;
  private outM = -1;

  /**
   * T2_{c1,c2}(x, y) = ∃z. T_c1(x, z) ∧ T_c2(z, y), built on first use. Since labels sit on
   * target states, T_c2(z, y) = Follow(z, y) ∧ Enter_c2(y), so
   *   T2_{c1,c2} = M_c1(x, y) ∧ Enter_c2(y),  M_c1 = ∃z. T_c1(x, z) ∧ Follow(z, y):
   * the same relation, with one relational product per first class (M_c1, cached too)
   * and a plain AND per pair, instead of a product per pair (C² of them).
   */
  private pairRel(c1: number, c2: number): NodeId {
    const pair = c1 * this.C + c2;
    const r = this.t2[pair];
    if (r >= 0) return r;
    if (this.t2Nodes > this.pairNodeBudget) this.trimPairs();
    const bdd = this.bdd, enc = this.enc;
    const m = this.mRel(c1);
    const t0 = performance.now();
    const rel = bdd.protect(bdd.and(m, enc.enterY[c2]));
    // The 'amortized' policy prices a relation with means (one dear build does not decide alone).
    this.andBuildMs = meanWith(this.andBuildMs, this.pairBuildsTimed, performance.now() - t0);
    this.pairBuildsTimed++;
    this.t2[pair] = rel;
    this.t2Nodes += bdd.nodeCount(rel);
    this.t2Built++;
    return rel;
  }

  /**
   * Whether a pair is stepped through its own relation. Building T2_{c1,c2} can cost far
   * more than a step (milliseconds against a tenth of one on the full ET Open set), and a
   * rare pair never pays it back. 'amortized' (the default) is the rent-or-buy rule:
   * a pair is stepped as two single bytes ("rent") until the time spent doing so reaches
   * what building its relation costs ("buy"), in two purchases: M_c1, shared by every pair
   * with first class c1, once the rent of all those pairs together reaches the mean time of
   * an M build; then T2_{c1,c2}, once that pair's own rent reaches the mean time of the AND.
   * Whatever the input, the time spent is then at most about twice that of the better of
   * "always two single steps" and "build at once" (the ski-rental bound, with means
   * standing in for this build's cost). The first builds are made at once, to time them.
   * A fixed k (`pairMinUses: k`) builds on the k-th use instead: k = 1 is the paper's lazy
   * build (the policies measured: docs/obdd.md). Timing only decides when a relation is
   * built, never what a step yields: reports are the same under every policy.
   */
  private usePair(c1: number, c2: number): boolean {
    const pair = c1 * this.C + c2;
    if (this.splitPairs || this.pairMinUses === 1 || this.t2[pair] >= 0) return true;
    if (this.pairMinUses === 0) {
      // A relation saves (rent - step) per use, not the whole rent: buying pays after
      // price / (rent - step) uses, i.e. once the rent paid reaches price × rent / (rent - step),
      // and never when a pair step costs as much as two single steps (as on the full ET
      // Open set, where relations are large).
      const r = this.rentPerUse, p = this.pairStepMs;
      const factor = r < 0 || p < 0 ? 1 : r > p ? r / (r - p) : Infinity;
      // Two purchases: M_c1 serves every pair with first class c1, so it is bought with
      // their summed rent; then each pair's own AND with its own rent.
      if (this.m1[c1]! < 0) return this.mBuildsTimed === 0 || this.firstRent[c1]! >= this.mBuildMs * factor;
      return this.pairBuildsTimed === 0 || this.pairRent[pair]! >= this.andBuildMs * factor;
    }
    const u = this.pairUses[pair]!;
    if (u + 1 >= this.pairMinUses) return true;
    this.pairUses[pair] = u + 1;
    return false;
  }

  private payRent(c1: number, c2: number, ms: number): void {
    this.pairRent[c1 * this.C + c2] += ms;
    this.firstRent[c1] += ms;
    this.rentPerUse = ema(this.rentPerUse, ms);
  }

  /** A pair step through its relation; one in PAIR_STEP_SAMPLE is timed for the 'amortized' policy. */
  private timedPairStep(f: NodeId, c1: number, c2: number): NodeId {
    if (this.pairRent.length === 0 || ++this.pairStepTick < PAIR_STEP_SAMPLE) return this.pairStep(f, c1, c2);
    this.pairStepTick = 0;
    const built = this.t2[c1 * this.C + c2]! >= 0;
    const t0 = performance.now();
    const g = this.pairStep(f, c1, c2);
    // A step that had to build its relation first would count the build as step time.
    if (built) this.pairStepMs = ema(this.pairStepMs, performance.now() - t0);
    return g;
  }

  /** M_c1(x, y) = ∃z. T_c1(x, z) ∧ Follow(z, y), built on first use (see pairRel). */
  private mRel(c1: number): NodeId {
    let m = this.m1[c1];
    if (m >= 0) return m;
    if (this.t2Nodes > this.pairNodeBudget) this.trimPairs();
    const bdd = this.bdd, enc = this.enc;
    const t0 = performance.now();
    const a = bdd.rename(this.tc[c1], enc.yToZ);
    const b = bdd.rename(enc.follow, enc.xToZ);
    m = bdd.protect(bdd.andExists(a, b, enc.zSet));
    this.mBuildMs = meanWith(this.mBuildMs, this.mBuildsTimed, performance.now() - t0);
    this.mBuildsTimed++;
    this.m1[c1] = m;
    this.t2Nodes += bdd.nodeCount(m);
    return m;
  }

  /**
   * The two-byte step F → F''. 'relation': one product with T2_{c1,c2} (the paper's
   * formulation; one cached relation per class pair). 'split': one product with M_c1,
   * then Enter_c2(x), a plain AND, since the second byte only filters target states
   * (labels sit on targets): the same F'' with C cached relations instead of C².
   */
  private pairStep(f: NodeId, c1: number, c2: number): NodeId {
    const bdd = this.bdd, enc = this.enc;
    if (!this.splitPairs) return bdd.relNext(f, this.pairRel(c1, c2), enc.xSet, enc.yToX);
    const g = bdd.relNext(f, this.mRel(c1), enc.xSet, enc.yToX);
    let e = this.enterX[c2];
    if (e < 0) e = this.enterX[c2] = bdd.protect(bdd.rename(enc.enterY[c2], enc.yToX));
    return bdd.and(g, e);
  }

  /**
   * The summed per-relation node counts passed the budget: measure the real (shared) size
   * once, O(shared nodes); drop the cache only if that is over half the budget. The sum
   * then restarts from the real size, so the exact count runs at most once per budget/2
   * of growth.
   */
  private trimPairs(): void {
    const list: number[] = [];
    for (let j = 0; j < this.t2.length; j++) if (this.t2[j] >= 0) list.push(this.t2[j]);
    for (let j = 0; j < this.m1.length; j++) if (this.m1[j] >= 0) list.push(this.m1[j]);
    const shared = this.bdd.nodeCount(list);
    if (shared > this.pairNodeBudget / 2) this.clearPairs();
    else this.t2Nodes = shared;
  }

  private clearPairs(): void {
    for (let j = 0; j < this.t2.length; j++) {
      if (this.t2[j] >= 0) this.bdd.unprotect(this.t2[j]);
    }
    for (let j = 0; j < this.m1.length; j++) {
      if (this.m1[j] >= 0) this.bdd.unprotect(this.m1[j]);
    }
    this.t2.fill(-1);
    this.m1.fill(-1);
    this.t2Nodes = 0;
    this.t2Clears++;
  }

  /**
   * Runs one unit of symbolic work that starts from frontier `f`; on LimitExceededError the
   * caches are dropped (keeping `f`) and the unit is redone once (the rule stated at
   * "symbolic steps"). For the cold units only: the per-byte and per-miss units (sym1,
   * sym2, missStep1, missStep2) spell the same try/catch out, so that no closure is made
   * per step (with one, 198 web_server pcres, memo off, 5 interleaved runs: median 0.87
   * against 0.96 MB/s; within this machine's noise, but on the hottest path).
   */
  private guarded<T>(f: NodeId, unit: () => T): T {
    try {
      return unit();
    } catch (e) {
      if (!(e instanceof LimitExceededError)) throw e;
      this.emergency(f);
      return unit();
    }
  }

  /** One byte, no memo: the new frontier; its accept list in outAcc. */
  private sym1(f: NodeId, c: number): NodeId {
    try {
      return this.sym1Body(f, c);
    } catch (e) {
      if (!(e instanceof LimitExceededError)) throw e;
      this.emergency(f);
      return this.sym1Body(f, c);
    }
  }

  private sym1Body(f: NodeId, c: number): NodeId {
    const bdd = this.bdd;
    const g = bdd.relNext(f, this.tc[c], this.enc.xSet, this.enc.yToX);
    this.outAcc = bdd.and(g, this.enc.acc) !== 0 ? this.acceptList(g, false) : ObddMatcher.NONE;
    return g;
  }

  /** One pair, no memo: the new frontier; accept lists in outMidAcc and outAcc. */
  private sym2(f: NodeId, c1: number, c2: number): NodeId {
    try {
      return this.sym2Body(f, c1, c2);
    } catch (e) {
      if (!(e instanceof LimitExceededError)) throw e;
      this.emergency(f);
      return this.sym2Body(f, c1, c2);
    }
  }

  private sym2Body(f: NodeId, c1: number, c2: number): NodeId {
    const bdd = this.bdd, enc = this.enc;
    if (!this.usePair(c1, c2)) {
      // A rare pair: two single steps; the mid frontier gives mid-pair acceptance directly.
      const t0 = this.pairRent.length ? performance.now() : 0;
      const g1 = bdd.relNext(f, this.tc[c1], enc.xSet, enc.yToX);
      this.outMidAcc = bdd.and(g1, enc.acc) !== 0 ? this.acceptList(g1, false) : ObddMatcher.NONE;
      const g2 = bdd.relNext(g1, this.tc[c2], enc.xSet, enc.yToX);
      if (this.pairRent.length) this.payRent(c1, c2, performance.now() - t0);
      this.outAcc = bdd.and(g2, enc.acc) !== 0 ? this.acceptList(g2, false) : ObddMatcher.NONE;
      return g2;
    }
    // Only when some state reaches acceptance on the first byte can a match end mid-pair;
    // then the step through TA_c1 yields just the accepting part of the mid frontier.
    this.outMidAcc = bdd.and(f, this.pre[c1]) !== 0
      ? this.acceptList(bdd.relNext(f, this.ta[c1], enc.xSet, enc.yToX), false)
      : ObddMatcher.NONE;
    const g = this.timedPairStep(f, c1, c2);
    this.outAcc = bdd.and(g, enc.acc) !== 0 ? this.acceptList(g, false) : ObddMatcher.NONE;
    return g;
  }

  /** Node budget hit inside a unit: drop every cache and collect, keeping `f`. */
  private emergency(f: NodeId): void {
    this.emergencyGcs++;
    this.bdd.protect(f);
    if (this.memo) this.memo.clear();
    if (this.t2.length) this.clearPairs();
    this.bdd.gc();
    this.bdd.unprotect(f);
  }

  /**
   * Safe point between steps: collect when live nodes pass the threshold. `f` is kept.
   * The threshold then follows the live size (twice it), so collection cost stays
   * amortised; the caches (memo frontiers, pair relations) are dropped only when what
   * survives a collection is near the node budget, since they have budgets of their own.
   */
  private maybeGc(f: NodeId): void {
    if (this.bdd.stats().liveNodes <= this.gcThreshold) return;
    this.bdd.protect(f);
    this.bdd.gc();
    let live = this.bdd.stats().liveNodes;
    if (live > this.nodeLimit / 2) {
      if (this.memo) this.memo.clear();
      if (this.t2.length) this.clearPairs();
      this.bdd.gc();
      live = this.bdd.stats().liveNodes;
    }
    this.bdd.unprotect(f);
    this.gcThreshold = Math.max(this.gcFloor, Math.min(2 * live, Math.floor(this.nodeLimit * 0.75)));
  }

  // ---------------------------------------------------------------- memo plumbing

  /** State id of frontier `f` in the current memo generation (interning it, clearing if full). */
  private stateOf(f: NodeId): number {
    const memo = this.memo!;
    let s = memo.lookup(f);
    if (s >= 0) return s;
    const acc = this.acceptList(f, false);
    s = memo.add(f, acc);
    if (s < 0) {
      this.bdd.protect(f);
      memo.clear();
      this.bdd.gc();
      this.bdd.unprotect(f);
      s = memo.add(f, acc);
    }
    return s;
  }

  /** stateOf under the guard (for entering the memo from a scratch's frontier). */
  private stateOfGuarded(f: NodeId): number {
    return this.guarded(f, () => this.stateOf(f));
  }

  private missStep1(s: number, c: number): number {
    const memo = this.memo!, bdd = this.bdd;
    memo.misses++;
    const genS = memo.gen;
    const f = bdd.protect(memo.stateNode[s]);
    let t: number;
    try {
      this.maybeGc(f);
      try {
        t = this.miss1Body(f, c);
      } catch (e) {
        if (!(e instanceof LimitExceededError)) throw e;
        this.emergency(f);
        t = this.miss1Body(f, c);
      }
    } finally {
      bdd.unprotect(f);
    }
    // Record only if no clear happened since `s` was read (ids of one generation). The
    // entry packs the accept flag of t in bit 0, so a hit costs a single array read.
    const packed = t * 2 + (memo.accLen[t] !== 0 ? 1 : 0);
    if (memo.gen === genS) {
      memo.next1[s * this.C + c] = packed;
      memo.entries++;
    }
    return packed;
  }

  private miss1Body(f: NodeId, c: number): number {
    const g = this.bdd.protect(this.bdd.relNext(f, this.tc[c], this.enc.xSet, this.enc.yToX));
    try {
      return this.stateOf(g);
    } finally {
      this.bdd.unprotect(g);
    }
  }

  /** A pair-memo miss; the result in outT (next state) and outM (mid state with acceptance, or -1). */
  private missStep2(s: number, c1: number, c2: number): void {
    const memo = this.memo!, bdd = this.bdd;
    memo.misses++;
    const genS = memo.gen;
    const f = bdd.protect(memo.stateNode[s]);
    try {
      this.maybeGc(f);
      try {
        this.miss2Body(f, c1, c2);
      } catch (e) {
        if (!(e instanceof LimitExceededError)) throw e;
        this.emergency(f);
        this.miss2Body(f, c1, c2);
      }
    } finally {
      bdd.unprotect(f);
    }
    if (memo.gen === genS && !memo.addPair(s, c1, c2, this.outT * 2 + (memo.accLen[this.outT] !== 0 ? 1 : 0), this.outM)) {
      // Pair table full and may not grow: clear (the next misses refill it).
      const keepT = bdd.protect(memo.stateNode[this.outT]);
      const keepM = this.outM >= 0 ? bdd.protect(memo.stateNode[this.outM]) : -1;
      memo.clear();
      bdd.gc();
      // After a clear the first few interns never fail (memo floor), so ids are consistent.
      this.outM = keepM >= 0 ? this.stateOf(keepM) : -1;
      this.outT = this.stateOf(keepT);
      bdd.unprotect(keepT);
      if (keepM >= 0) bdd.unprotect(keepM);
    }
  }

  private miss2Body(f: NodeId, c1: number, c2: number): void {
    const memo = this.memo!, bdd = this.bdd, enc = this.enc;
    // f1 is only the accepting part of the mid frontier (through TA_c1): it is interned for
    // its accept list and never stepped from.
    const f1 = bdd.and(f, this.pre[c1]) !== 0 ? bdd.protect(bdd.relNext(f, this.ta[c1], enc.xSet, enc.yToX)) : -1;
    let f2 = -1;
    try {
      if (this.usePair(c1, c2)) f2 = bdd.protect(this.timedPairStep(f, c1, c2));
      else {
        const t0 = this.pairRent.length ? performance.now() : 0;
        f2 = bdd.protect(bdd.relNext(bdd.relNext(f, this.tc[c1], enc.xSet, enc.yToX), this.tc[c2], enc.xSet, enc.yToX));
        if (this.pairRent.length) this.payRent(c1, c2, performance.now() - t0);
      }
      // Interning may clear the memo; retry until both ids belong to one generation
      // (the second round always fits: the memo's floor of states is never refused).
      let t = -1, mid = -1;
      for (let tries = 0; tries < 3; tries++) {
        const gen = memo.gen;
        mid = f1 >= 0 ? this.stateOf(f1) : -1;
        t = this.stateOf(f2);
        if (memo.gen === gen) break;
      }
      this.outT = t;
      this.outM = mid >= 0 && memo.accLen[mid] !== 0 ? mid : -1;
    } finally {
      if (f1 >= 0) bdd.unprotect(f1);
      if (f2 >= 0) bdd.unprotect(f2);
    }
  }

  private endListOf(s: number): void {
    const memo = this.memo!;
    const list = this.acceptList(memo.stateNode[s], true);
    let off = memo.putList(list);
    if (off < 0) off = -2; // pool full: recomputed on every finish until the next clear
    memo.endOff[s] = off;
    memo.endLen[s] = list.length;
  }

  // ---------------------------------------------------------------- Matcher API

  createScratch(options?: ScratchOptions): Scratch {
    return this.newScratch(options, false);
  }

  private newScratch(options: ScratchOptions | undefined, live: boolean): ObddScratch {
    const reporter = new MatchReporter(this.plan, normalizeMode(options?.mode), options?.everyEnd);
    // A per-unit NFA lets 'set' mode drop a unit's states once it has reported.
    if (this.liveUnits) reporter.trackDone();
    const sc = new ObddScratch(this, this.bdd.protect(live ? 0 : this.enc.start), reporter, live);
    this.registry.register(sc, sc.box, sc);
    return sc;
  }

  // ---------------------------------------------------------------- LiveMatcher

  /** The units this matcher can run a subset of (`LiveMatcher`); undefined when it cannot. */
  get units(): NfaUnits | undefined {
    return this.liveUnits;
  }

  /** A scratch with an empty frontier (`LiveMatcher`). */
  createLiveScratch(options?: ScratchOptions): Scratch {
    if (!this.liveUnits) throw new UsageError(`live scratches need a stride-1 ${this.engine} matcher on an NFA built with entries: 'per-unit'`);
    return this.newScratch(options, true);
  }

  /** Starts `unit` at the scratch's offset (`LiveMatcher.enter`): one OR with its entry state. */
  enter(scratch: Scratch, unit: number, prevByte: number): void {
    const sc = this.own(scratch);
    const q = unitStartState(this.nfa, unit, prevByte);
    if (q < 0) return; // anchored: it cannot start after offset 0
    const f = sc.box.node;
    this.setFrontier(sc, this.guarded(f, () => this.bdd.or(f, stateSet(this.bdd, this.enc.layout.xVars, [q]))));
    sc.gen = -1;
  }

  /** The scratch's reporter (`LiveMatcher.reporterOf`). */
  reporterOf(scratch: Scratch): MatchReporter {
    return this.own(scratch).reporter;
  }

  /** Adds `from`'s frontier to `scratch`'s (`LiveMatcher.absorb`). */
  absorb(scratch: Scratch, from: Scratch): void {
    const sc = this.own(scratch);
    const f = sc.box.node, g = this.own(from).box.node;
    this.bdd.protect(g);
    try {
      this.setFrontier(sc, this.guarded(f, () => this.bdd.or(f, g)));
    } finally {
      this.bdd.unprotect(g);
    }
    sc.gen = -1;
  }

  /** BDD nodes of the scratch's frontier; 0 when empty (`LiveMatcher.frontierSize`). */
  frontierSize(scratch: Scratch): number {
    const f = this.own(scratch).box.node;
    return f === 0 ? 0 : this.bdd.nodeCount(f);
  }

  /**
   * 'set' mode: `f` without the states of every unit whose signatures have all reported
   * (one AND per squashed unit, once per unit and input).
   */
  private squash(sc: ObddScratch, f: NodeId): NodeId {
    const units = this.liveUnits!;
    const rep = sc.reporter;
    for (const sig of rep.takeDone()) {
      const u = units.unitOf[sig];
      if (u < 0) continue;
      let all = true;
      for (let j = units.sigStart[u]; j < units.sigStart[u + 1] && all; j++) all = rep.isDone(units.sigs[j]);
      if (!all) continue;
      const g = f;
      f = this.guarded(g, () => this.bdd.and(g, this.bdd.not(this.rangeOf(u))));
      this.squashes++;
    }
    return f;
  }

  private rangeOf(u: number): NodeId {
    let r = this.unitRange[u];
    if (r === 0) {
      const units = this.liveUnits!;
      const lo = units.stateRange[2 * u], hi = units.stateRange[2 * u + 1];
      const states = new Uint32Array(hi - lo);
      for (let q = lo; q < hi; q++) states[q - lo] = q;
      r = this.unitRange[u] = this.bdd.protect(stateSet(this.bdd, this.enc.layout.xVars, states));
    }
    return r;
  }

  /** Start acceptance of a scratch: the fixed list, or a live frontier's own. */
  private startList(sc: ObddScratch): number[] {
    if (!sc.live) return this.startAcc;
    const f = sc.box.node;
    return f === 0 ? ObddMatcher.NONE : this.guarded(f, () => this.acceptList(f, false));
  }

  private setFrontier(sc: ObddScratch, f: NodeId): void {
    if (f === sc.box.node) return;
    this.bdd.protect(f);
    this.bdd.unprotect(sc.box.node);
    sc.box.node = f;
  }

  protected override scanChunk(sc: ObddScratch, bytes: Uint8Array, onMatch: MatchCallback): void {
    if (!sc.started) {
      sc.started = true;
      const list = sc.offset === 0 ? this.startList(sc) : ObddMatcher.NONE;
      if (list.length) this.emit(sc, list, 0, list.length, 0, onMatch);
      if (sc.reporter.pendingDone !== 0) {
        this.setFrontier(sc, this.squash(sc, sc.box.node));
        sc.gen = -1;
      }
    }
    // 'set' mode with every signature reported: nothing more can be reported until
    // finish/reset (which restart from the start frontier), so skip the work.
    if (bytes.length === 0) return;
    if (sc.reporter.allDone || (sc.live && sc.box.node === 0)) {
      sc.offset += bytes.length;
      return;
    }
    if (this.memo) {
      if (this.pairMemo) this.scanMemo2(sc, bytes, onMatch);
      else this.scanMemo1(sc, bytes, 0, bytes.length, onMatch);
    } else if (this.stride === 2) {
      this.scanSym2(sc, bytes, onMatch);
    } else {
      this.scanSym1(sc, bytes, 0, bytes.length, onMatch);
    }
    sc.offset += bytes.length;
    if (sc.reporter.held !== 0) sc.reporter.flush(sc.offset, onMatch);
  }

  private enterMemo(sc: ObddScratch): number {
    const memo = this.memo!;
    if (sc.gen === memo.gen) return sc.stateId;
    return this.stateOfGuarded(sc.box.node);
  }

  private leaveMemo(sc: ObddScratch, s: number): void {
    const memo = this.memo!;
    this.setFrontier(sc, memo.stateNode[s]);
    sc.stateId = s;
    sc.gen = memo.gen;
  }

  /** Stride 1 with the memo: bytes[from, to) (offsets relative to the scratch). */
  private scanMemo1(sc: ObddScratch, bytes: Uint8Array, from: number, to: number, onMatch: MatchCallback): void {
    const memo = this.memo!;
    const C = this.C, bc = this.byteClass;
    let s = this.enterMemo(sc);
    let next = memo.next1;
    const base = sc.offset + 1;
    const reporter = sc.reporter, hold = this.anyHold;
    for (let i = from; i < to; i++) {
      // Held ends (report.ts rule 3) are released once the input is known to go on.
      if (hold && reporter.held !== 0) reporter.flush(base + i, onMatch);
      const c = bc[bytes[i]];
      let v = next[s * C + c];
      if (v < 0) {
        v = this.missStep1(s, c);
        next = memo.next1;
      }
      s = v >>> 1;
      if ((v & 1) !== 0) {
        this.emit(sc, memo.pool, memo.accOff[s], memo.accLen[s], base + i, onMatch);
        if (reporter.pendingDone !== 0) {
          const f = this.squash(sc, memo.stateNode[s]);
          this.bdd.protect(f);
          try {
            s = this.stateOfGuarded(f);
          } finally {
            this.bdd.unprotect(f);
          }
          next = memo.next1;
        }
      }
    }
    memo.lookups += to - from;
    this.leaveMemo(sc, s);
  }

  private scanMemo2(sc: ObddScratch, bytes: Uint8Array, onMatch: MatchCallback): void {
    const memo = this.memo!;
    const C = this.C, bc = this.byteClass;
    let s = this.enterMemo(sc);
    let row2 = memo.row2, pairs = memo.pairs;
    const n = bytes.length;
    const base = sc.offset + 1;
    const reporter = sc.reporter, hold = this.anyHold;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      if (hold && reporter.held !== 0) reporter.flush(base + i, onMatch);
      const c1 = bc[bytes[i]], c2 = bc[bytes[i + 1]];
      const r = row2[s * C + c1];
      let v = -1, mid = -1;
      if (r >= 0) {
        v = pairs[r + 2 * c2];
        mid = pairs[r + 2 * c2 + 1];
      }
      if (v < 0) {
        this.missStep2(s, c1, c2);
        v = this.outT * 2 + (memo.accLen[this.outT] !== 0 ? 1 : 0);
        mid = this.outM;
        row2 = memo.row2;
        pairs = memo.pairs;
      }
      // A match ending on the first byte of the pair (mid-pair acceptance).
      if (mid >= 0) this.emit(sc, memo.pool, memo.accOff[mid], memo.accLen[mid], base + i, onMatch);
      if (hold && reporter.held !== 0) reporter.flush(base + i + 1, onMatch);
      s = v >>> 1;
      if ((v & 1) !== 0) this.emit(sc, memo.pool, memo.accOff[s], memo.accLen[s], base + i + 1, onMatch);
    }
    memo.lookups += i >>> 1;
    this.leaveMemo(sc, s);
    if (i < n) this.scanMemo1(sc, bytes, i, n, onMatch);
  }

  private scanSym1(sc: ObddScratch, bytes: Uint8Array, from: number, to: number, onMatch: MatchCallback): void {
    const bc = this.byteClass;
    let f = sc.box.node;
    const base = sc.offset + 1;
    const reporter = sc.reporter, hold = this.anyHold;
    for (let i = from; i < to; i++) {
      if (hold && reporter.held !== 0) reporter.flush(base + i, onMatch);
      f = this.sym1(f, bc[bytes[i]]);
      const list = this.outAcc;
      if (list.length !== 0) {
        this.emit(sc, list, 0, list.length, base + i, onMatch);
        if (reporter.pendingDone !== 0) f = this.squash(sc, f);
      }
      if ((++this.steps & GC_CHECK_MASK) === 0) this.maybeGc(f);
    }
    this.setFrontier(sc, f);
    sc.gen = -1;
  }

  private scanSym2(sc: ObddScratch, bytes: Uint8Array, onMatch: MatchCallback): void {
    const bc = this.byteClass;
    let f = sc.box.node;
    const n = bytes.length;
    const base = sc.offset + 1;
    const reporter = sc.reporter, hold = this.anyHold;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      if (hold && reporter.held !== 0) reporter.flush(base + i, onMatch);
      f = this.sym2(f, bc[bytes[i]], bc[bytes[i + 1]]);
      const mid = this.outMidAcc, list = this.outAcc;
      if (mid.length !== 0) this.emit(sc, mid, 0, mid.length, base + i, onMatch);
      if (hold && reporter.held !== 0) reporter.flush(base + i + 1, onMatch);
      if (list.length !== 0) this.emit(sc, list, 0, list.length, base + i + 1, onMatch);
      if ((++this.steps & GC_CHECK_MASK) === 0) this.maybeGc(f);
    }
    this.setFrontier(sc, f);
    sc.gen = -1;
    if (i < n) this.scanSym1(sc, bytes, i, n, onMatch);
  }

  private endList(f: NodeId): number[] {
    return this.guarded(f, () => this.acceptList(f, true));
  }

  protected override finishInput(sc: ObddScratch, onMatch: MatchCallback): void {
    if (!sc.started) {
      const list = this.startList(sc);
      if (list.length) this.emit(sc, list, 0, list.length, 0, onMatch);
    }
    const memo = this.memo;
    if (memo && sc.gen === memo.gen) {
      const s = sc.stateId;
      if (memo.endOff[s] === -1) {
        try {
          this.endListOf(s);
        } catch (e) {
          if (!(e instanceof LimitExceededError)) throw e;
          memo.endOff[s] = -2;
        }
      }
      if (memo.endOff[s] >= 0) {
        this.emit(sc, memo.pool, memo.endOff[s], memo.endLen[s], sc.offset, onMatch);
      } else {
        const list = this.endList(sc.box.node);
        this.emit(sc, list, 0, list.length, sc.offset, onMatch);
      }
    } else {
      const list = this.endList(sc.box.node);
      this.emit(sc, list, 0, list.length, sc.offset, onMatch);
    }
    sc.reporter.endOfInput(onMatch);
    this.restart(sc);
  }

  protected override restart(sc: ObddScratch): void {
    this.setFrontier(sc, sc.live ? 0 : this.enc.start);
    sc.gen = -1;
    sc.started = false;
    sc.reporter.reset();
    sc.offset = 0;
  }

  /**
   * Benchmarks only: drops the BDD manager's operation cache, so the next scan pays for its
   * symbolic steps instead of replaying cached relational products of a previous run over
   * the same bytes. Results are unchanged.
   */
  clearOpCache(): void {
    this.bdd.clearCache?.();
  }

  stats(): MatcherStats {
    const bdd = this.bdd, enc = this.enc;
    const st = bdd.stats();
    // Per node: level, low, high and refcount (4 × int32) plus two unique-table slots. The
    // manager's total (bddBytes) also counts its op cache and traversal scratch.
    const bytesPerNode = NODE_BYTES;
    const memo: MemoStats | null = this.memo ? this.memo.stats() : null;
    const t2List: number[] = [];
    for (let j = 0; j < this.t2.length; j++) if (this.t2[j] >= 0) t2List.push(this.t2[j]);
    for (let j = 0; j < this.m1.length; j++) if (this.m1[j] >= 0) t2List.push(this.m1[j]);
    // Nodes shared between pair relations counted once (a traversal: O(T2 nodes)).
    const t2Shared = t2List.length ? bdd.nodeCount(t2List) : 0;
    const out: MatcherStats = {
      engine: this.engine,
      signatures: this.signatureCount,
      nfaStates: this.nfa.stateCount,
      byteClasses: this.C,
      stateBits: enc.layout.stateBits,
      classBits: enc.layout.classBits,
      bddVars: st.vars,
      tNodes: enc.tNodes,
      tcNodes: enc.tcNodes,
      tcNodesSum: enc.tcNodesSum,
      tBytes: Math.round(enc.tNodes * bytesPerNode),
      tcBytes: Math.round(enc.tcNodes * bytesPerNode),
      t2Built: this.t2Built,
      t2Cached: t2List.length,
      t2Nodes: t2Shared,
      t2NodesSum: this.t2Nodes,
      t2Bytes: Math.round(t2Shared * bytesPerNode),
      t2Clears: this.t2Clears,
      pairPolicy: this.stride !== 2 ? 'none' : this.splitPairs ? 'split' : this.pairMinUses === 0 ? 'amortized' : `uses:${this.pairMinUses}`,
      mBuildMeanMs: Math.round(this.mBuildMs * 1000) / 1000,
      pairRentMs: Math.round(this.rentPerUse * 1e4) / 1e4,
      pairStepMs: Math.round(this.pairStepMs * 1e4) / 1e4,
      pairAndMeanMs: Math.round(this.andBuildMs * 1000) / 1000,
      encodeMs: Math.round(enc.encodeMs * 10) / 10,
      compileMs: Math.round(this.compileMs * 10) / 10,
      compiledLiveNodes: this.compileStats.liveNodes,
      bddLiveNodes: st.liveNodes,
      bddPeakNodes: st.peakNodes,
      bddBytes: st.bytes,
      bddGcRuns: st.gcRuns,
      emergencyGcs: this.emergencyGcs,
      memo: this.memo !== null,
      memoKey: this.memo === null ? 'none' : this.pairMemo ? 'pair' : 'class',
      memoBytes: memo ? memo.bytes : 0,
      squashes: this.squashes,
    };
    if (memo) out.memoStats = { ...memo };
    return out;
  }
}
