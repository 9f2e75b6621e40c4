/**
 * A hand-written reduced ordered BDD package (no complement edges), tuned for the symbolic
 * NFA engine's one hot operation: the relational product "relNext" on every scanned byte.
 * `BddManager` is its public face: it validates arguments once per call and runs the
 * unchecked recursions of ops.ts over its state (state.ts: node table and op cache, managed
 * by node-table.ts and op-cache.ts); gc.ts collects, renaming.ts holds the renamings, and
 * debug.ts has the diagnostics (satCount, support, toDot, ...) as free functions taking a
 * manager.
 *
 * What it guarantees:
 * - One manager owns every node. Nodes are integer ids; 0 is FALSE and 1 is TRUE. The unique
 *   table makes the representation canonical: two equal Boolean functions built in the same
 *   manager are the same id, so equality is `===`.
 * - Variable order: variable index == level. `newVars(n)` appends variables at the bottom
 *   of the order, so the caller chooses the order by the order of declaration. For a
 *   transition relation T(x, i, y) the fused `relNext` wants current (x) and next (y) state
 *   bits interleaved (x0 y0 x1 y1 ...) with the renaming y_k -> x_k; any order works, a
 *   non-monotone renaming just takes the slower two-step path.
 * - Operation results go through a lossy direct-mapped cache; commutative operands are
 *   ordered before lookup.
 * - Memory: the table grows by doubling up to `nodeLimit`; past it an operation throws
 *   LimitExceededError('bdd nodes', ...) and leaves the manager consistent (the partial
 *   result is simply garbage). Garbage collection never runs implicitly: `gc()` keeps the
 *   nodes reachable from protected roots (`protect`/`unprotect`, reference counted), frees
 *   the rest and clears the op cache. Hence an unprotected result held in a local variable
 *   stays valid until the caller's next gc().
 * - Recursion depth is bounded by a small multiple of the variable count, itself capped at
 *   MAX_BDD_VARS so that it fits Node's default stack (newVars beyond it throws
 *   LimitExceededError).
 *
 * Invalid arguments (unknown node ids, variables out of range, malformed cubes) are
 * programming errors and throw RangeError naming the method and the value.
 */

import { LimitExceededError } from '../errors.js';
import { collectGarbage, markFrom, protectNode, unprotectNode } from './gc.js';
import { checkNode, checkVar, checkVarSet, mk, nextEpoch, prepareScratch, stateBytes } from './node-table.js';
import { invalidateCache, MAX_CACHE_LOG2 } from './op-cache.js';
import {
  andExistsRec,
  andRec,
  existsRec,
  iteRec,
  notRec,
  orRec,
  relNextRec,
  renameRec,
  restrictRec,
  xorRec,
} from './ops.js';
import { RenamingTable } from './renaming.js';
import { BddState } from './state.js';

/** A BDD node of one manager: an integer id, 0 = FALSE, 1 = TRUE. */
export type NodeId = number;
/** A set of variables for quantification: the positive cube of its variables (`varSet`). */
export type VarSetId = NodeId;
/** A renaming declared with `renaming()`: its integer id in that manager. */
export type RenamingId = number;

/** Sizes of a new manager; each must be an integer in the documented range (else RangeError). */
export interface BddOptions {
  /**
   * Maximum number of node slots (live + dead not yet collected, terminals included),
   * in [2, 2^28].
   * @default 1 << 25
   */
  nodeLimit?: number;
  /** Initial node slots, in [2, 2^28]; the table grows by doubling. @default 1 << 16 */
  initialCapacity?: number;
  /** log2 of the op-cache entries, in [4, 22]; the cache grows with the node table (up to 2^22). @default 18 */
  cacheSizeLog2?: number;
}

/** A snapshot of a manager's size and counters (`stats()`). */
export interface BddStats {
  /** Declared variables. */
  vars: number;
  /** Allocated node slots, terminals included (reachable or not: dead ones go at gc()). */
  liveNodes: number;
  /** Highest liveNodes so far. */
  peakNodes: number;
  /** Node slots currently allocated in the node arrays. */
  capacity: number;
  /** Bytes held by the manager's typed arrays. */
  bytes: number;
  /** gc() calls so far. */
  gcRuns: number;
  /** Op-cache lookups so far. */
  cacheLookups: number;
  /** Op-cache lookups that hit. */
  cacheHits: number;
}

/**
 * Maximum number of variables per manager. Recursion depth grows with the variable count
 * (about 2x in relNext: the recursion plus a nested or); Node's default stack overflows
 * somewhere past 3000 levels, so the count is capped well below that. An NFA with 2^30
 * states needs ~70 variables.
 */
export const MAX_BDD_VARS = 2048;

function checkIntOption(name: string, v: number | undefined, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`BddManager: option ${name} must be an integer in [${min}, ${max}], got ${v}`);
  }
  return v;
}

/**
 * A BDD manager: owns the nodes, the op cache and the renamings, and offers the Boolean
 * operations on node ids (see the module comment for the guarantees). Methods throw
 * RangeError on invalid arguments and LimitExceededError('bdd nodes') when an operation
 * needs more than `nodeLimit` node slots.
 */
export class BddManager {
  /** The constant-false node. */
  static readonly FALSE = 0;
  /** The constant-true node. */
  static readonly TRUE = 1;

  /** Nodes, unique table and op cache. Internal to src/bdd (debug.ts reads it); not part of the API. */
  readonly state: BddState;
  /** The declared renamings. Internal to src/bdd (debug.ts reads it); not part of the API. */
  readonly renamings = new RenamingTable();

  private nvars = 0;
  private gcRuns = 0;

  /** A manager with no variables. Throws RangeError for an option outside its range. */
  constructor(options: BddOptions = {}) {
    const nodeLimit = checkIntOption('nodeLimit', options.nodeLimit, 2, 1 << 28, 1 << 25);
    const init = checkIntOption('initialCapacity', options.initialCapacity, 2, 1 << 28, 1 << 16);
    const cLog2 = checkIntOption('cacheSizeLog2', options.cacheSizeLog2, 4, MAX_CACHE_LOG2, 18);
    this.state = new BddState(init, nodeLimit, cLog2);
  }

  // ---------------------------------------------------------------------------------------
  // Variables

  /** Number of declared variables. */
  get varCount(): number {
    return this.nvars;
  }

  /**
   * Append `count` variables at the bottom of the order; returns the first new index.
   * Throws RangeError for a negative or fractional count and LimitExceededError('bdd
   * variables') past MAX_BDD_VARS.
   */
  newVars(count: number): number {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`BddManager.newVars: bad count ${count}`);
    if (this.nvars + count > MAX_BDD_VARS) {
      throw new LimitExceededError('bdd variables', MAX_BDD_VARS, this.nvars + count);
    }
    const first = this.nvars;
    this.nvars += count;
    return first;
  }

  /** The function "variable v is true". */
  var(v: number): NodeId {
    checkVar(v, this.nvars, 'var');
    return mk(this.state, v, 0, 1);
  }

  /** The function "variable v is false". */
  nvar(v: number): NodeId {
    checkVar(v, this.nvars, 'nvar');
    return mk(this.state, v, 1, 0);
  }

  /** Level (== variable index) of a node's top variable; terminals report varCount. */
  topVar(f: NodeId): number {
    checkNode(this.state, f, 'topVar');
    return f < 2 ? this.nvars : this.state.lvl[f];
  }

  // ---------------------------------------------------------------------------------------
  // Boolean operations

  /** ¬f. */
  not(f: NodeId): NodeId {
    checkNode(this.state, f, 'not');
    return notRec(this.state, f);
  }

  /** f ∧ g. */
  and(f: NodeId, g: NodeId): NodeId {
    const t = this.state;
    checkNode(t, f, 'and');
    checkNode(t, g, 'and');
    return andRec(t, f, g);
  }

  /** f ∨ g. */
  or(f: NodeId, g: NodeId): NodeId {
    const t = this.state;
    checkNode(t, f, 'or');
    checkNode(t, g, 'or');
    return orRec(t, f, g);
  }

  /** f ⊕ g. */
  xor(f: NodeId, g: NodeId): NodeId {
    const t = this.state;
    checkNode(t, f, 'xor');
    checkNode(t, g, 'xor');
    return xorRec(t, f, g);
  }

  /** if f then g else h. */
  ite(f: NodeId, g: NodeId, h: NodeId): NodeId {
    const t = this.state;
    checkNode(t, f, 'ite');
    checkNode(t, g, 'ite');
    checkNode(t, h, 'ite');
    return iteRec(t, f, g, h);
  }

  /**
   * Conjunction of literals: vars[k] is true iff bit k of `value` (or values[k]) is set.
   * A variable repeated with conflicting values gives FALSE. Throws RangeError for an
   * undeclared variable, a numeric value outside [0, 2^31) or with more than 31 vars, or a
   * values array of the wrong length.
   */
  cube(vars: readonly number[], values: number | readonly boolean[]): NodeId {
    const n = vars.length;
    if (typeof values === 'number') {
      if (!Number.isInteger(values) || values < 0 || values >= 2 ** 31 || n > 31) {
        throw new RangeError(`BddManager.cube: numeric value ${values} needs 0 <= value < 2^31 and <= 31 vars (got ${n})`);
      }
    } else if (values.length !== n) {
      throw new RangeError(`BddManager.cube: ${n} vars but ${values.length} values`);
    }
    const order: number[] = [];
    for (let k = 0; k < n; k++) {
      checkVar(vars[k], this.nvars, 'cube');
      order.push(k);
    }
    order.sort((a, b) => vars[b] - vars[a]); // bottom-up
    const t = this.state;
    let r = 1;
    let prev = -1;
    for (const k of order) {
      const v = vars[k];
      const bit = typeof values === 'number' ? ((values >>> k) & 1) === 1 : values[k];
      if (v === prev) {
        // A repeated variable must agree with itself; otherwise the cube is empty.
        const prevBit = t.lo[r] === 0;
        if (prevBit !== bit) return 0;
        continue;
      }
      r = bit ? mk(t, v, 0, r) : mk(t, v, r, 0);
      prev = v;
    }
    return r;
  }

  /**
   * Positive cube of `vars` (duplicates ignored), used as a quantification set. Throws
   * RangeError for an undeclared variable.
   */
  varSet(vars: readonly number[]): VarSetId {
    const sorted = [...vars];
    for (const v of sorted) checkVar(v, this.nvars, 'varSet');
    sorted.sort((a, b) => b - a);
    let r = 1;
    for (let k = 0; k < sorted.length; k++) {
      if (k > 0 && sorted[k] === sorted[k - 1]) continue;
      r = mk(this.state, sorted[k], 0, r);
    }
    return r;
  }

  /** ∃set. f. Throws RangeError when `set` is not a variable set. */
  exists(f: NodeId, set: VarSetId): NodeId {
    const t = this.state;
    checkNode(t, f, 'exists');
    checkVarSet(t, set, 'exists');
    return existsRec(t, f, set);
  }

  /** ∃set. f ∧ g without building f ∧ g (CUDD's cuddBddAndAbstractRecur). */
  andExists(f: NodeId, g: NodeId, set: VarSetId): NodeId {
    const t = this.state;
    checkNode(t, f, 'andExists');
    checkNode(t, g, 'andExists');
    checkVarSet(t, set, 'andExists');
    return andExistsRec(t, f, g, set);
  }

  /**
   * Declare a variable renaming. Variables not named map to themselves. The named pairs must
   * be injective (distinct sources, distinct targets). `rename` computes the substitution
   * f(x) -> f(x[v := x_σ(v)]) which is well defined for any map; callers that rename onto a
   * variable still in the support of f get the substitution, not a "swap". Throws
   * RangeError for an undeclared or repeated variable, LimitExceededError('bdd renamings')
   * past 2^16 renamings.
   */
  renaming(pairs: ReadonlyArray<readonly [from: number, to: number]>): RenamingId {
    return this.renamings.add(pairs, this.nvars);
  }

  /** f with its variables renamed by r (see `renaming`). */
  rename(f: NodeId, r: RenamingId): NodeId {
    checkNode(this.state, f, 'rename');
    const map = this.renamings.get(r, 'rename');
    return renameRec(this.state, f, r, map);
  }

  /**
   * rename(andExists(f, rel, set), r) in one pass when r is strictly increasing on every
   * variable outside `set` (checked once per (set, r) and memoised until the next gc), else
   * in two steps. Same result either way.
   */
  relNext(f: NodeId, rel: NodeId, set: VarSetId, r: RenamingId): NodeId {
    const t = this.state;
    checkNode(t, f, 'relNext');
    checkNode(t, rel, 'relNext');
    checkVarSet(t, set, 'relNext');
    const map = this.renamings.get(r, 'relNext');
    if (this.renamings.isMonotoneOutside(t, set, r, map, this.nvars)) {
      return relNextRec(t, f, rel, set, r, map);
    }
    return renameRec(t, andExistsRec(t, f, rel, set), r, map);
  }

  /**
   * Cofactor of f by a (partial) assignment given as a cube of literals. Throws RangeError
   * when `cube` is not a cube of literals.
   */
  restrict(f: NodeId, cube: NodeId): NodeId {
    const t = this.state;
    checkNode(t, f, 'restrict');
    checkNode(t, cube, 'restrict');
    for (let c = cube; c !== 1; ) {
      const l = t.lo[c];
      const h = t.hi[c];
      if (c === 0 || (l !== 0) === (h !== 0)) {
        throw new RangeError(`BddManager.restrict: node ${cube} is not a cube of literals`);
      }
      c = l === 0 ? h : l;
    }
    return restrictRec(t, f, cube);
  }

  // ---------------------------------------------------------------------------------------
  // Queries used by the engine

  /**
   * Calls cb once per path to TRUE with that path's cube (0/1 per tested variable, -1 for
   * untested); the cubes are disjoint and cover f. Each call gets a fresh array. The callback
   * must not call gc() unless f is protected.
   */
  forEachCube(f: NodeId, cb: (cube: Int8Array) => void): void {
    checkNode(this.state, f, 'forEachCube');
    const cur = new Int8Array(this.nvars).fill(-1);
    this.cubeRec(f, cur, cb);
  }

  private cubeRec(f: number, cur: Int8Array, cb: (cube: Int8Array) => void): void {
    if (f === 0) return;
    if (f === 1) {
      cb(cur.slice());
      return;
    }
    const t = this.state;
    const v = t.lvl[f];
    // Read children before the callback can create nodes (which may reallocate arrays).
    const l = t.lo[f];
    const h = t.hi[f];
    cur[v] = 0;
    this.cubeRec(l, cur, cb);
    cur[v] = 1;
    this.cubeRec(h, cur, cb);
    cur[v] = -1;
  }

  /** Distinct internal (non-terminal) nodes reachable from f (or from all of them). */
  nodeCount(f: NodeId | readonly NodeId[]): number {
    const t = this.state;
    const roots = typeof f === 'number' ? [f] : f;
    for (const r of roots) checkNode(t, r, 'nodeCount');
    prepareScratch(t);
    const ep = nextEpoch(t);
    let tail = 0;
    for (const r of roots) tail = markFrom(t, r, ep, tail);
    return tail;
  }

  // ---------------------------------------------------------------------------------------
  // Memory

  /** Protect f (and its sub-nodes) from gc(); returns f. Counted: protect twice, unprotect twice. */
  protect(f: NodeId): NodeId {
    checkNode(this.state, f, 'protect');
    return protectNode(this.state, f);
  }

  /** Undo one protect(f). Throws RangeError if f is not protected (terminals always are). */
  unprotect(f: NodeId): void {
    checkNode(this.state, f, 'unprotect');
    unprotectNode(this.state, f);
  }

  /**
   * Keep the nodes reachable from protected roots, free every other node, clear the op cache.
   * Never called implicitly; ids of unprotected, unreachable nodes become invalid.
   */
  gc(): void {
    collectGarbage(this.state);
    invalidateCache(this.state);
    this.renamings.clearMemo();
    this.gcRuns++;
  }

  /** Drop every op-cache entry (results stay correct; only speed changes). For benchmarks. */
  clearCache(): void {
    invalidateCache(this.state);
  }

  /** Sizes and counters of this manager. */
  stats(): BddStats {
    const s = this.state;
    return {
      vars: this.nvars,
      liveNodes: s.live,
      peakNodes: s.peak,
      capacity: s.capacity,
      bytes: stateBytes(s),
      gcRuns: this.gcRuns,
      cacheLookups: s.lookups,
      cacheHits: s.hits,
    };
  }
}
