/**
 * The bounded step memo: a lazily built DFA over canonical BDD frontiers.
 *
 * BDDs are canonical, so a frontier's node id names a set of NFA states, i.e. a DFA state.
 * The memo interns frontiers as small integer "state ids" and records, in typed arrays,
 *   (state, class)      → next state              dense rows of `classCount` int32 (`next1`)
 *   (state, c1, c2)     → (next state, mid state) stride 2 only: `row2[state, c1]` points to
 *                         a lazily allocated row of `classCount` (next, mid) pairs in `pairs`
 *   state               → accept list after a byte / at end of input (packed sig*2+delta)
 * so a memo hit costs one array read (two for a pair) instead of a relational product.
 * `next1` and pair entries hold `t * 2 + (t accepts ? 1 : 0)`: the hot loop learns the next
 * state and whether to report from a single read. -1 means unknown.
 *
 * Memory is bounded by `budgetBytes`: tables grow by doubling while they fit, and when the
 * next growth would not fit the whole memo is cleared (generation + 1) and stepping goes on
 * symbolically, refilling it. Every interned frontier is protected in the BDD manager while
 * it is interned and unprotected on clear, so the intern table is a GC root that is dropped
 * together with the memo. Holders of state ids (scratches, scan loops) must compare the
 * generation before reusing an id. The floor is 4 states whatever the budget (below it
 * nothing is refused), so a tiny budget means frequent clears, never a failure or a loop.
 *
 * The intern `Map` is only touched on a miss (after a symbolic step), never on a hit; its
 * bytes are estimated (48 bytes per entry) in `bytes()`.
 */
import type { BddPort, NodeId } from './bdd-port.js';

const MAP_ENTRY_BYTES = 48;
const MIN_STATES = 4;

/** Counters and size of the step memo (`stats().memoStats`); bytes are estimates. */
export interface MemoStats {
  lookups: number;
  misses: number;
  hitRate: number;
  states: number;
  entries: number;
  pairRows: number;
  clears: number;
  bytes: number;
  budgetBytes: number;
}

/** The bounded step memo: frontier ids × class → next frontier id, cleared when over budget. */
export class StepMemo {
  gen = 0;
  stateCount = 0;
  capacity = 0;
  stateNode!: Int32Array;
  next1!: Int32Array;
  /** Stride 2: per (state, c1), the offset of its pair row in `pairs`, or -1. */
  row2!: Int32Array;
  accOff!: Int32Array;
  accLen!: Int32Array;
  /** -1: end list not computed yet; -2: could not be stored. */
  endOff!: Int32Array;
  endLen!: Int32Array;
  pool: Int32Array = new Int32Array(256);
  poolLen = 0;
  /** Stride 2 pair rows: for c2, [2*c2] = packed next, [2*c2+1] = mid state or -1. */
  pairs: Int32Array = new Int32Array(0);
  pairsLen = 0;
  readonly intern = new Map<number, number>();

  lookups = 0;
  misses = 0;
  clears = 0;
  entries = 0;

  constructor(
    private readonly bdd: BddPort,
    readonly classCount: number,
    readonly budgetBytes: number,
    readonly stride2: boolean,
  ) {
    this.alloc(this.initialCapacity());
  }

  private rowBytes(): number {
    return this.classCount * 4 * (this.stride2 ? 2 : 1) + 5 * 4 + MAP_ENTRY_BYTES;
  }
  private initialCapacity(): number {
    return Math.max(MIN_STATES, Math.min(64, Math.floor(this.budgetBytes / 4 / this.rowBytes())));
  }

  private alloc(cap: number): void {
    const old = this.capacity;
    const grow = (a: Int32Array | undefined, per: number, fill: number): Int32Array => {
      const b = new Int32Array(cap * per);
      if (fill !== 0) b.fill(fill);
      if (a && old) b.set(a.subarray(0, old * per));
      return b;
    };
    this.stateNode = grow(this.stateNode, 1, 0);
    this.next1 = grow(this.next1, this.classCount, -1);
    this.row2 = grow(this.row2, this.stride2 ? this.classCount : 0, -1);
    this.accOff = grow(this.accOff, 1, 0);
    this.accLen = grow(this.accLen, 1, 0);
    this.endOff = grow(this.endOff, 1, -1);
    this.endLen = grow(this.endLen, 1, 0);
    this.capacity = cap;
  }

  bytes(): number {
    return this.capacity * (this.rowBytes() - MAP_ENTRY_BYTES) + this.stateCount * MAP_ENTRY_BYTES +
      this.pool.length * 4 + this.pairs.length * 4;
  }

  /**
   * Records the pair step (s, c1, c2) → (packed next, mid); false when the pair rows are
   * full and may not grow (the caller clears).
   */
  addPair(s: number, c1: number, c2: number, packed: number, mid: number): boolean {
    const C = this.classCount;
    let r = this.row2[s * C + c1];
    if (r < 0) {
      if (this.pairsLen + 2 * C > this.pairs.length) {
        let cap = Math.max(this.pairs.length * 2, 16 * C);
        while (cap < this.pairsLen + 2 * C) cap *= 2;
        if (this.stateCount >= MIN_STATES && this.bytes() + (cap - this.pairs.length) * 4 > this.budgetBytes) return false;
        const p = new Int32Array(cap).fill(-1);
        p.set(this.pairs.subarray(0, this.pairsLen));
        this.pairs = p;
      }
      r = this.pairsLen;
      this.pairsLen += 2 * C;
      this.row2[s * C + c1] = r;
    }
    this.pairs[r + 2 * c2] = packed;
    this.pairs[r + 2 * c2 + 1] = mid;
    this.entries++;
    return true;
  }

  /** State id of an interned frontier, or -1. */
  lookup(node: NodeId): number {
    const s = this.intern.get(node);
    return s === undefined ? -1 : s;
  }

  /**
   * Interns `node` with its accept list (packed entries); returns the new id, or -1 when
   * the budget is full (the caller clears and retries, which always succeeds).
   */
  add(node: NodeId, acc: readonly number[]): number {
    if (this.stateCount === this.capacity) {
      const extra = this.capacity * (this.rowBytes() - MAP_ENTRY_BYTES);
      if (this.bytes() + extra > this.budgetBytes) return -1;
      this.alloc(this.capacity * 2);
    }
    const off = this.putList(acc);
    if (off < 0) return -1;
    const s = this.stateCount++;
    this.stateNode[s] = this.bdd.protect(node);
    this.accOff[s] = off;
    this.accLen[s] = acc.length;
    this.endOff[s] = -1;
    this.intern.set(node, s);
    return s;
  }

  /** Stores a list in the pool; -1 when the budget is full. */
  putList(list: readonly number[]): number {
    if (list.length === 0) return 0;
    if (this.poolLen + list.length > this.pool.length) {
      let cap = this.pool.length * 2;
      while (cap < this.poolLen + list.length) cap *= 2;
      if (this.stateCount >= MIN_STATES && this.bytes() + (cap - this.pool.length) * 4 > this.budgetBytes) return -1;
      const p = new Int32Array(cap);
      p.set(this.pool.subarray(0, this.poolLen));
      this.pool = p;
    }
    const off = this.poolLen;
    for (let j = 0; j < list.length; j++) this.pool[off + j] = list[j];
    this.poolLen += list.length;
    return off;
  }

  /** Drops every entry and frontier (unprotected: the caller runs gc() at its safe point). */
  clear(): void {
    for (let s = 0; s < this.stateCount; s++) this.bdd.unprotect(this.stateNode[s]);
    this.intern.clear();
    this.stateCount = 0;
    this.capacity = 0;
    this.alloc(this.initialCapacity());
    this.pool = new Int32Array(256);
    this.poolLen = 0;
    this.pairs = new Int32Array(0);
    this.pairsLen = 0;
    this.entries = 0;
    this.gen++;
    this.clears++;
  }

  stats(): MemoStats {
    return {
      lookups: this.lookups,
      misses: this.misses,
      hitRate: this.lookups ? 1 - this.misses / this.lookups : 0,
      states: this.stateCount,
      entries: this.entries,
      pairRows: this.pairsLen / (2 * this.classCount),
      clears: this.clears,
      bytes: this.bytes(),
      budgetBytes: this.budgetBytes,
    };
  }
}
