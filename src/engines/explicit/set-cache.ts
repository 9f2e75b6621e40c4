/**
 * The explicit engine's step cache: a lazily built DFA over the NFA's frontiers (what RE2
 * calls its DFA, and what the NFA-OBDD memo does with BDD nodes as keys). A frontier
 * (a set of NFA states) is interned once as a cache state; the successor of (state, byte
 * class) is computed by one explicit NFA step the first time and read from a table after
 * that. Frontiers that recur, which is most of them on real traffic once the prefilter has
 * taken the rare signatures out, then cost one array read per byte; a miss costs one
 * explicit step plus interning (no BDD operations), so the cache never makes the engine
 * much slower than the plain simulation.
 *
 * Sets are compared as sets: the hash is a commutative sum of mixed state ids and equality
 * is checked against the caller's membership stamps (the explicit step already stamps
 * every state of the frontier it builds), so frontiers are never sorted.
 *
 * Memory is bounded: past `budgetBytes` the whole cache is dropped (its generation
 * advances) and refilled from the current frontier, as RE2 does. Results never depend on
 * the cache.
 */

/** Mixes a state id into the commutative set hash. */
export function mixState(q: number): number {
  let h = Math.imul(q ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  return Math.imul(h, 0xc2b2ae35);
}

/** Cache state ids and tables; one per matcher, shared by its scratches. */
export class SetCache {
  /** Bumped whenever the cache is dropped: a state id is valid only with the generation it came from. */
  gen = 0;
  count = 0;
  /** Frontier of state s: pool[setOff[s] .. setOff[s] + setLen[s]). */
  setOff = new Int32Array(256);
  setLen = new Int32Array(256);
  setHash = new Int32Array(256);
  pool = new Uint32Array(4096);
  poolLen = 0;
  /** next[s * C + c] = successor * 2 + (1 when it has acceptance), or -1 when not computed yet. */
  next = new Int32Array(256 * 1).fill(-1);
  /** Acceptance after a byte (packed sig * 2 + delta, delta 1 first): accPool[accOff[s] .. + accLen[s]). */
  accOff = new Int32Array(256);
  accLen = new Int32Array(256);
  accPool = new Int32Array(1024);
  accPoolLen = 0;
  /** Open-addressing table of state ids by hash (-1 empty). */
  private table = new Int32Array(1024).fill(-1);
  lookups = 0;
  misses = 0;
  clears = 0;

  constructor(
    readonly classCount: number,
    readonly budgetBytes: number,
  ) {
    this.next = new Int32Array(256 * classCount).fill(-1);
  }

  /** Bytes the interned states use (what the budget bounds; capacity can be up to twice it). */
  get usedBytes(): number {
    return this.count * (20 + 4 * this.classCount) + 4 * (this.poolLen + this.accPoolLen) + 8 * this.count;
  }

  /** Bytes held by the tables (capacity). */
  get bytes(): number {
    return this.setOff.byteLength * 3 + this.pool.byteLength + this.next.byteLength + this.accOff.byteLength * 2 + this.accPool.byteLength + this.table.byteLength;
  }

  /**
   * The id of the frontier states[0 .. n), whose members are exactly the q with
   * mark[q] === gen; -1 when it is not interned.
   */
  find(states: Uint32Array, n: number, hash: number, mark: Uint32Array, gen: number): number {
    const mask = this.table.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const s = this.table[i];
      if (s < 0) return -1;
      if (this.setHash[s] !== hash || this.setLen[s] !== n) continue;
      const off = this.setOff[s];
      let same = true;
      for (let k = 0; k < n && same; k++) same = mark[this.pool[off + k]] === gen;
      if (same) return s;
    }
  }

  /**
   * Interns a frontier not yet present, with its packed acceptance list; returns its id,
   * or -1 when the budget is exhausted (the caller then `clear`s and retries with `force`:
   * an empty cache always takes one state, whatever the budget).
   */
  add(states: Uint32Array, n: number, hash: number, acc: readonly number[], force = false): number {
    if (!force && this.usedBytes > this.budgetBytes) return -1;
    const s = this.count;
    if (s === this.setOff.length) this.growStates();
    if (this.poolLen + n > this.pool.length) this.pool = grow(this.pool, this.poolLen + n);
    if (this.accPoolLen + acc.length > this.accPool.length) this.accPool = grow(this.accPool, this.accPoolLen + acc.length);
    this.pool.set(states.subarray(0, n), this.poolLen);
    this.setOff[s] = this.poolLen;
    this.setLen[s] = n;
    this.setHash[s] = hash;
    this.poolLen += n;
    this.accOff[s] = this.accPoolLen;
    this.accLen[s] = acc.length;
    for (let k = 0; k < acc.length; k++) this.accPool[this.accPoolLen++] = acc[k];
    this.count++;
    if (this.count * 2 > this.table.length) this.rehash(this.table.length * 2);
    else this.insert(s);
    return s;
  }

  /** Drops every state (a new generation). */
  clear(): void {
    this.gen++;
    this.clears++;
    this.count = 0;
    this.poolLen = 0;
    this.accPoolLen = 0;
    this.next.fill(-1);
    this.table.fill(-1);
  }

  private insert(s: number): void {
    const mask = this.table.length - 1;
    let i = this.setHash[s] & mask;
    while (this.table[i] >= 0) i = (i + 1) & mask;
    this.table[i] = s;
  }

  private rehash(size: number): void {
    this.table = new Int32Array(size).fill(-1);
    for (let s = 0; s < this.count; s++) this.insert(s);
  }

  private growStates(): void {
    const cap = this.setOff.length * 2;
    this.setOff = grow(this.setOff, cap);
    this.setLen = grow(this.setLen, cap);
    this.setHash = grow(this.setHash, cap);
    this.accOff = grow(this.accOff, cap);
    this.accLen = grow(this.accLen, cap);
    const next = new Int32Array(cap * this.classCount).fill(-1);
    next.set(this.next);
    this.next = next;
  }
}

function grow<T extends Int32Array | Uint32Array>(a: T, atLeast: number): T {
  const b = new (a.constructor as new (n: number) => T)(Math.max(atLeast, a.length * 2));
  b.set(a);
  return b;
}
