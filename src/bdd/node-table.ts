/**
 * The node table: every BDD node of one manager, and the unique table that makes them
 * canonical. Its data are the node fields of BddState (state.ts); this module is the only
 * one that allocates nodes.
 *
 * Nodes are integer ids into struct-of-arrays typed arrays (`lvl`, `lo`, `hi`, `refs`);
 * 0 is FALSE and 1 is TRUE, both at TERMINAL_LEVEL. The unique table (open addressing,
 * linear probing, integer hashing) holds the id of every allocated internal node, so `mk`
 * returns the same id for the same (level, low, high) triple: two equal Boolean functions
 * built in the same manager are the same id. `mk` also reduces (low === high gives low).
 *
 * What it guarantees:
 * - Slots [0, top) are allocated or on the free list (level FREE_LEVEL, linked through
 *   `lo`); the free list is refilled only by gc.ts. Freed ids are reused before new ones.
 * - The table grows by doubling up to `nodeLimit`; past it `mk` throws
 *   LimitExceededError('bdd nodes', ...) and leaves the table consistent. Growth replaces
 *   the node arrays (callers re-read `s.lvl` etc. after any call that can create nodes) and
 *   lets the op cache grow with it.
 *
 * The module also sizes the per-node traversal scratch and holds the argument checks shared
 * by the manager and the debugging aids: they throw RangeError naming the manager method
 * and the bad value.
 */

import { LimitExceededError } from '../errors.js';
import { growCache, hash3 } from './op-cache.js';
import { FREE_LEVEL, nextPow2, type BddState } from './state.js';

/**
 * Insert node n into the unique table `ut` (size mask + 1) by its (lvl, lo, hi) triple; n
 * must not be there yet. Used when the table is rebuilt (growth, gc).
 */
export function insertUnique(ut: Int32Array, mask: number, lvl: Int32Array, lo: Int32Array, hi: Int32Array, n: number): void {
  let i = hash3(lvl[n], lo[n], hi[n]) & mask;
  while (ut[i] !== 0) i = (i + 1) & mask;
  ut[i] = n;
}

/**
 * The unique node (v, l, h), reduced: l === h gives l. Requires v above l's and h's levels
 * (the caller's invariant, not checked). Throws LimitExceededError('bdd nodes') when the
 * table is full at nodeLimit or the grown arrays cannot be allocated.
 */
export function mk(s: BddState, v: number, l: number, h: number): number {
  if (l === h) return l;
  const ut = s.utable;
  const mask = s.umask;
  let i = hash3(v, l, h) & mask;
  for (;;) {
    const id = ut[i];
    if (id === 0) break;
    if (s.lo[id] === l && s.hi[id] === h && s.lvl[id] === v) return id;
    i = (i + 1) & mask;
  }
  let id = s.freeHead;
  if (id !== 0) {
    s.freeHead = s.lo[id];
  } else {
    if (s.top === s.capacity) {
      grow(s);
      return mk(s, v, l, h); // the unique table was rebuilt: probe again
    }
    id = s.top++;
  }
  s.lvl[id] = v;
  s.lo[id] = l;
  s.hi[id] = h;
  ut[i] = id;
  if (++s.live > s.peak) s.peak = s.live;
  return id;
}

function grow(s: BddState): void {
  if (s.capacity >= s.nodeLimit) {
    throw new LimitExceededError(
      'bdd nodes',
      s.nodeLimit,
      s.nodeLimit + 1,
      `${s.live} allocated; call gc() at a safe point or raise nodeLimit`,
    );
  }
  const cap = Math.min(s.nodeLimit, s.capacity * 2);
  const usize = nextPow2(2 * cap);
  let lvl: Int32Array, lo: Int32Array, hi: Int32Array, refs: Int32Array, ut: Int32Array;
  try {
    lvl = new Int32Array(cap);
    lo = new Int32Array(cap);
    hi = new Int32Array(cap);
    refs = new Int32Array(cap);
    ut = new Int32Array(usize);
  } catch (e) {
    // Typed-array allocation failure is a RangeError from V8: report it as a budget.
    throw new LimitExceededError('bdd nodes', s.capacity, cap, `heap allocation failed: ${(e as Error).message}`);
  }
  lvl.set(s.lvl);
  lo.set(s.lo);
  hi.set(s.hi);
  refs.set(s.refs);
  const mask = usize - 1;
  for (let n = 2; n < s.top; n++) {
    if (lvl[n] !== FREE_LEVEL) insertUnique(ut, mask, lvl, lo, hi, n);
  }
  s.lvl = lvl;
  s.lo = lo;
  s.hi = hi;
  s.refs = refs;
  s.utable = ut;
  s.umask = mask;
  s.capacity = cap;
  growCache(s);
}

/** Size the traversal scratch arrays to the capacity (reallocating resets the epoch). */
export function prepareScratch(s: BddState): void {
  if (s.visit.length !== s.capacity) {
    s.visit = new Int32Array(s.capacity);
    s.dens = new Float64Array(s.capacity);
    s.stack = new Int32Array(s.capacity);
    s.epoch = 0;
  }
}

/** A fresh traversal mark: no node has it in `visit` yet. Call prepareScratch() first. */
export function nextEpoch(s: BddState): number {
  if (++s.epoch === 0x7fffffff) {
    s.visit.fill(0);
    s.epoch = 1;
  }
  return s.epoch;
}

/** Bytes held by the state's typed arrays (nodes, unique table, op cache, scratch). */
export function stateBytes(s: BddState): number {
  return (
    s.lvl.byteLength +
    s.lo.byteLength +
    s.hi.byteLength +
    s.refs.byteLength +
    s.utable.byteLength +
    s.cache.byteLength +
    s.visit.byteLength +
    s.dens.byteLength +
    s.stack.byteLength
  );
}

// ---------------------------------------------------------------------------------------
// Argument checks (messages name the public method: `BddManager.<method>: ...`)

/** Throws RangeError unless f is an allocated node id of s. */
export function checkNode(s: BddState, f: number, method: string): void {
  if (!Number.isInteger(f) || f < 0 || f >= s.top || s.lvl[f] === FREE_LEVEL) {
    throw new RangeError(`BddManager.${method}: invalid or freed node id ${f}`);
  }
}

/** Throws RangeError unless v is a declared variable, an integer in [0, nvars). */
export function checkVar(v: number, nvars: number, method: string): void {
  if (!Number.isInteger(v) || v < 0 || v >= nvars) {
    throw new RangeError(`BddManager.${method}: variable ${v} out of range [0, ${nvars})`);
  }
}

/** Throws RangeError unless `set` is a node of s that is a positive cube (a variable set). */
export function checkVarSet(s: BddState, set: number, method: string): void {
  checkNode(s, set, method);
  for (let n = set; n !== 1; n = s.hi[n]) {
    if (n === 0 || s.lo[n] !== 0) {
      throw new RangeError(`BddManager.${method}: node ${set} is not a positive variable set`);
    }
  }
}
