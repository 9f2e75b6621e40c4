/**
 * A hand-written reduced ordered BDD package (no complement edges), tuned for the symbolic
 * NFA engine's one hot operation: the relational product "relNext" on every scanned byte.
 *
 * What it guarantees:
 * - One manager owns every node. Nodes live in struct-of-arrays typed arrays (level, low,
 *   high) indexed by integer ids; 0 is FALSE and 1 is TRUE. A unique table (open addressing,
 *   linear probing, integer hashing) makes the representation canonical: two equal Boolean
 *   functions built in the same manager are the same id, so equality is `===`.
 * - Variable order: variable index == level. `newVars(n)` appends variables at the bottom
 *   of the order, so the caller chooses the order by the order of declaration. For a
 *   transition relation T(x, i, y) the fused `relNext` wants current (x) and next (y) state
 *   bits interleaved (x0 y0 x1 y1 ...) with the renaming y_k -> x_k; any order works, a
 *   non-monotone renaming just takes the slower two-step path.
 * - Operation results go through a lossy direct-mapped cache (op, a, b, c -> result) held in
 *   typed arrays; commutative operands are ordered before lookup.
 * - Memory: the table grows by doubling up to `nodeLimit`; past it an operation throws
 *   LimitExceededError('bdd nodes', ...) and leaves the manager consistent (the partial
 *   result is simply garbage). Garbage collection never runs implicitly: `gc()` keeps the
 *   nodes reachable from protected roots (`protect`/`unprotect`, reference counted), puts
 *   the rest on a free list, rebuilds the unique table and clears the op cache. Hence an
 *   unprotected result held in a local variable stays valid until the caller's next gc().
 * - Recursion: every recursive step descends at least one level, so stack depth is bounded
 *   by (a small multiple of) the variable count, itself capped at MAX_BDD_VARS (2048) so that
 *   it fits Node's default stack (newVars beyond it throws LimitExceededError). Hot
 *   recursions take integer arguments only and allocate nothing; node arrays may be
 *   reallocated by growth inside any `mk`, so code never keeps a typed-array reference
 *   across a call that can create nodes.
 *
 * Invalid arguments (unknown node ids, variables out of range, malformed cubes) are
 * programming errors and throw RangeError naming the method and the value.
 */

import { LimitExceededError } from '../errors.js';

export type NodeId = number;
export type VarSetId = NodeId;
export type RenamingId = number;

export interface BddOptions {
  /**
   * Maximum number of node slots (live + dead not yet collected, terminals included).
   * @default 1 << 25
   */
  nodeLimit?: number;
  /** Initial node slots; the table grows by doubling. @default 1 << 16 */
  initialCapacity?: number;
  /** log2 of the op-cache entries; the cache grows with the node table (up to 2^22). @default 18 */
  cacheSizeLog2?: number;
}

export interface BddStats {
  vars: number;
  /** Allocated node slots, terminals included (reachable or not: dead ones go at gc()). */
  liveNodes: number;
  peakNodes: number;
  capacity: number;
  /** Bytes held by the manager's typed arrays. */
  bytes: number;
  gcRuns: number;
  cacheLookups: number;
  cacheHits: number;
}

/** Level of the terminals: below every variable, so `min(level)` picks real variables first. */
const TERMINAL_LEVEL = 0x7fffffff;
/** Level stored in a freed slot. */
const FREE_LEVEL = -1;
/** Hard caps keeping typed arrays well inside what V8 can allocate. */
const MAX_CACHE_LOG2 = 22;
/**
 * Recursion depth grows with the variable count (about 2x in relNext: the recursion plus a
 * nested or); Node's default stack overflows somewhere past 3000 levels, so we cap the
 * variable count well below that. An NFA with 2^30 states needs ~70 variables.
 */
export const MAX_BDD_VARS = 2048;

// Op codes for the cache. 0 marks an empty entry. Renaming-specific ops add the renaming id.
const OP_NOT = 1;
const OP_AND = 2;
const OP_OR = 3;
const OP_XOR = 4;
const OP_ITE = 5;
const OP_EXISTS = 6;
const OP_AND_EXISTS = 7;
const OP_RESTRICT = 8;
const OP_RENAME = 9;
const OP_RELNEXT_BASE = 16;
const MAX_RENAMINGS = 1 << 16;
/**
 * A cache entry's first word is op | generation << GEN_SHIFT. gc() bumps the generation
 * instead of zeroing the whole cache (megabytes), so a gc costs O(table), not O(cache);
 * the cache is zeroed only when the generation counter wraps.
 */
const GEN_SHIFT = 18; // ops < 16 + 2^16 < 2^18
const GEN_LIMIT = 1 << 12; // (GEN_LIMIT << GEN_SHIFT) stays a positive int32

function hash3(a: number, b: number, c: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) ^ Math.imul(c, 0xc2b2ae3d);
  h = Math.imul(h ^ (h >>> 13), 0x297a2d39);
  return h ^ (h >>> 16);
}

function hash4(op: number, a: number, b: number, c: number): number {
  return hash3(a ^ Math.imul(op, 0x27d4eb2f), b, c);
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

function checkIntOption(name: string, v: number | undefined, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`BddManager: option ${name} must be an integer in [${min}, ${max}], got ${v}`);
  }
  return v;
}

export class BddManager {
  static readonly FALSE = 0;
  static readonly TRUE = 1;

  private readonly nodeLimit: number;
  private nvars = 0;

  // Node table (struct of arrays). Slots [0, top) are allocated or on the free list.
  private lvl: Int32Array;
  private lo: Int32Array;
  private hi: Int32Array;
  /** protect() counts per node. */
  private refs: Int32Array;
  private capacity: number;
  private top = 2;
  private freeHead = 0; // 0 = empty (node 0 is never freed); links through `lo`
  private live = 2;
  private peak = 2;

  // Unique table: node ids, 0 = empty slot; size a power of two >= 2 * capacity.
  private utable: Int32Array;
  private umask: number;

  // Op cache: direct mapped, one entry = 5 consecutive ints (op, a, b, c, result) so a
  // lookup touches one cache line instead of five; a zeroed entry never matches (see cGen).
  private cache: Int32Array;
  private cMask: number;
  /** Current generation, pre-shifted; starts at 1 so that a zeroed entry never matches. */
  private cGen = 1 << GEN_SHIFT;
  private cLog2: number;
  private lookups = 0;
  private hits = 0;

  private gcRuns = 0;

  // Renamings: per id, a map over the variables declared when it was made (later ones map
  // to themselves).
  private readonly renamings: Int32Array[] = [];
  /** (set, renaming) -> is the renaming strictly increasing on the variables outside set? Cleared at gc. */
  private readonly monotoneMemo = new Map<number, boolean>();

  // Scratch for traversals (lazily sized to capacity): epoch marks, doubles for satCount.
  private visit: Int32Array = new Int32Array(0);
  private epoch = 0;
  private dens: Float64Array = new Float64Array(0);
  private stack: Int32Array = new Int32Array(0);

  constructor(options: BddOptions = {}) {
    this.nodeLimit = checkIntOption('nodeLimit', options.nodeLimit, 2, 1 << 28, 1 << 25);
    const init = Math.min(
      this.nodeLimit,
      checkIntOption('initialCapacity', options.initialCapacity, 2, 1 << 28, 1 << 16),
    );
    this.cLog2 = checkIntOption('cacheSizeLog2', options.cacheSizeLog2, 4, MAX_CACHE_LOG2, 18);
    this.capacity = init;
    this.lvl = new Int32Array(init);
    this.lo = new Int32Array(init);
    this.hi = new Int32Array(init);
    this.refs = new Int32Array(init);
    this.lvl[0] = TERMINAL_LEVEL;
    this.lvl[1] = TERMINAL_LEVEL;
    this.lo[1] = 1;
    this.hi[1] = 1;
    const usize = nextPow2(2 * init);
    this.utable = new Int32Array(usize);
    this.umask = usize - 1;
    const csize = 1 << this.cLog2;
    this.cache = new Int32Array(5 * csize);
    this.cMask = csize - 1;
  }

  // ---------------------------------------------------------------------------------------
  // Variables

  get varCount(): number {
    return this.nvars;
  }

  /** Append `count` variables at the bottom of the order; returns the first new index. */
  newVars(count: number): number {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`BddManager.newVars: bad count ${count}`);
    if (this.nvars + count > MAX_BDD_VARS) {
      throw new LimitExceededError('bdd variables', MAX_BDD_VARS, this.nvars + count);
    }
    const first = this.nvars;
    this.nvars += count;
    return first;
  }

  var(v: number): NodeId {
    this.checkVar(v, 'var');
    return this.mk(v, 0, 1);
  }

  nvar(v: number): NodeId {
    this.checkVar(v, 'nvar');
    return this.mk(v, 1, 0);
  }

  /** Level (== variable index) of a node's top variable; terminals report varCount. */
  topVar(f: NodeId): number {
    this.checkNode(f, 'topVar');
    return f < 2 ? this.nvars : this.lvl[f];
  }

  // ---------------------------------------------------------------------------------------
  // Boolean operations

  not(f: NodeId): NodeId {
    this.checkNode(f, 'not');
    return this.notRec(f);
  }

  and(f: NodeId, g: NodeId): NodeId {
    this.checkNode(f, 'and');
    this.checkNode(g, 'and');
    return this.andRec(f, g);
  }

  or(f: NodeId, g: NodeId): NodeId {
    this.checkNode(f, 'or');
    this.checkNode(g, 'or');
    return this.orRec(f, g);
  }

  xor(f: NodeId, g: NodeId): NodeId {
    this.checkNode(f, 'xor');
    this.checkNode(g, 'xor');
    return this.xorRec(f, g);
  }

  ite(f: NodeId, g: NodeId, h: NodeId): NodeId {
    this.checkNode(f, 'ite');
    this.checkNode(g, 'ite');
    this.checkNode(h, 'ite');
    return this.iteRec(f, g, h);
  }

  /** Conjunction of literals: vars[k] is true iff bit k of `value` (or values[k]) is set. */
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
      this.checkVar(vars[k], 'cube');
      order.push(k);
    }
    order.sort((a, b) => vars[b] - vars[a]); // bottom-up
    let r = 1;
    let prev = -1;
    for (const k of order) {
      const v = vars[k];
      const bit = typeof values === 'number' ? ((values >>> k) & 1) === 1 : values[k];
      if (v === prev) {
        // A repeated variable must agree with itself; otherwise the cube is empty.
        const prevBit = this.lo[r] === 0;
        if (prevBit !== bit) return 0;
        continue;
      }
      r = bit ? this.mk(v, 0, r) : this.mk(v, r, 0);
      prev = v;
    }
    return r;
  }

  /** Positive cube of `vars` (duplicates ignored), used as a quantification set. */
  varSet(vars: readonly number[]): VarSetId {
    const sorted = [...vars];
    for (const v of sorted) this.checkVar(v, 'varSet');
    sorted.sort((a, b) => b - a);
    let r = 1;
    for (let k = 0; k < sorted.length; k++) {
      if (k > 0 && sorted[k] === sorted[k - 1]) continue;
      r = this.mk(sorted[k], 0, r);
    }
    return r;
  }

  exists(f: NodeId, set: VarSetId): NodeId {
    this.checkNode(f, 'exists');
    this.checkVarSet(set, 'exists');
    return this.existsRec(f, set);
  }

  /** ∃set. f ∧ g without building f ∧ g (CUDD's cuddBddAndAbstractRecur). */
  andExists(f: NodeId, g: NodeId, set: VarSetId): NodeId {
    this.checkNode(f, 'andExists');
    this.checkNode(g, 'andExists');
    this.checkVarSet(set, 'andExists');
    return this.andExistsRec(f, g, set);
  }

  /**
   * Declare a variable renaming. Variables not named map to themselves. The named pairs must
   * be injective (distinct sources, distinct targets). `rename` computes the substitution
   * f(x) -> f(x[v := x_σ(v)]) which is well defined for any map; callers that rename onto a
   * variable still in the support of f get the substitution, not a "swap".
   */
  renaming(pairs: ReadonlyArray<readonly [from: number, to: number]>): RenamingId {
    if (this.renamings.length >= MAX_RENAMINGS) {
      throw new LimitExceededError('bdd renamings', MAX_RENAMINGS, this.renamings.length + 1);
    }
    const map = new Int32Array(this.nvars);
    for (let v = 0; v < map.length; v++) map[v] = v;
    const seenFrom = new Set<number>();
    const seenTo = new Set<number>();
    for (const [from, to] of pairs) {
      this.checkVar(from, 'renaming');
      this.checkVar(to, 'renaming');
      if (seenFrom.has(from)) throw new RangeError(`BddManager.renaming: variable ${from} renamed twice`);
      if (seenTo.has(to)) throw new RangeError(`BddManager.renaming: not injective, two variables map to ${to}`);
      seenFrom.add(from);
      seenTo.add(to);
      map[from] = to;
    }
    this.renamings.push(map);
    return this.renamings.length - 1;
  }

  rename(f: NodeId, r: RenamingId): NodeId {
    this.checkNode(f, 'rename');
    const map = this.checkRenaming(r, 'rename');
    return this.renameRec(f, r, map);
  }

  /**
   * rename(andExists(f, rel, set), r) in one pass when r is strictly increasing on every
   * variable outside `set` (checked once per (set, r) and memoised until the next gc), else
   * in two steps. Same result either way.
   */
  relNext(f: NodeId, rel: NodeId, set: VarSetId, r: RenamingId): NodeId {
    this.checkNode(f, 'relNext');
    this.checkNode(rel, 'relNext');
    this.checkVarSet(set, 'relNext');
    const map = this.checkRenaming(r, 'relNext');
    if (this.isMonotoneOutside(set, r, map)) {
      return this.relNextRec(f, rel, set, r, map);
    }
    return this.renameRec(this.andExistsRec(f, rel, set), r, map);
  }

  /** True iff relNext(_, _, set, r) takes the fused one-pass path. */
  relNextIsFused(set: VarSetId, r: RenamingId): boolean {
    this.checkVarSet(set, 'relNextIsFused');
    return this.isMonotoneOutside(set, r, this.checkRenaming(r, 'relNextIsFused'));
  }

  /** Cofactor of f by a (partial) assignment given as a cube of literals. */
  restrict(f: NodeId, cube: NodeId): NodeId {
    this.checkNode(f, 'restrict');
    this.checkNode(cube, 'restrict');
    for (let c = cube; c !== 1; ) {
      const l = this.lo[c];
      const h = this.hi[c];
      if (c === 0 || (l !== 0) === (h !== 0)) {
        throw new RangeError(`BddManager.restrict: node ${cube} is not a cube of literals`);
      }
      c = l === 0 ? h : l;
    }
    return this.restrictRec(f, cube);
  }

  // ---------------------------------------------------------------------------------------
  // Queries

  /** Number of satisfying assignments over variables [0, nvars), as a double. */
  satCount(f: NodeId, nvars: number = this.nvars): number {
    this.checkNode(f, 'satCount');
    if (!Number.isInteger(nvars) || nvars < 0) throw new RangeError(`BddManager.satCount: bad nvars ${nvars}`);
    const sup = this.support(f);
    if (sup.length > 0 && sup[sup.length - 1] >= nvars) {
      throw new RangeError(`BddManager.satCount: f depends on variable ${sup[sup.length - 1]} >= nvars ${nvars}`);
    }
    this.prepareScratch();
    const ep = this.nextEpoch();
    if (f === 0) return 0;
    return this.countRec(f, ep, nvars) * 2 ** (f === 1 ? nvars : this.lvl[f]);
  }

  /** One satisfying assignment (per variable 0/1, -1 = don't care), or null for FALSE. */
  anySat(f: NodeId): Int8Array | null {
    this.checkNode(f, 'anySat');
    if (f === 0) return null;
    const out = new Int8Array(this.nvars).fill(-1);
    while (f > 1) {
      const l = this.lo[f];
      if (l !== 0) {
        out[this.lvl[f]] = 0;
        f = l;
      } else {
        out[this.lvl[f]] = 1;
        f = this.hi[f];
      }
    }
    return out;
  }

  /**
   * Calls cb once per path to TRUE with that path's cube (0/1 per tested variable, -1 for
   * untested); the cubes are disjoint and cover f. Each call gets a fresh array. The callback
   * must not call gc() unless f is protected.
   */
  forEachCube(f: NodeId, cb: (cube: Int8Array) => void): void {
    this.checkNode(f, 'forEachCube');
    const cur = new Int8Array(this.nvars).fill(-1);
    this.cubeRec(f, cur, cb);
  }

  /** Sorted indices of the variables f depends on. */
  support(f: NodeId): number[] {
    this.checkNode(f, 'support');
    this.prepareScratch();
    const ep = this.nextEpoch();
    const seen = new Uint8Array(this.nvars);
    const stack = this.stack;
    let sp = 0;
    if (f > 1) stack[sp++] = f;
    this.visit[f] = ep;
    while (sp > 0) {
      const n = stack[--sp];
      seen[this.lvl[n]] = 1;
      const l = this.lo[n];
      const h = this.hi[n];
      if (l > 1 && this.visit[l] !== ep) {
        this.visit[l] = ep;
        stack[sp++] = l;
      }
      if (h > 1 && this.visit[h] !== ep) {
        this.visit[h] = ep;
        stack[sp++] = h;
      }
    }
    const out: number[] = [];
    for (let v = 0; v < seen.length; v++) if (seen[v]) out.push(v);
    return out;
  }

  /** Distinct internal (non-terminal) nodes reachable from f (or from all of them). */
  nodeCount(f: NodeId | readonly NodeId[]): number {
    const roots = typeof f === 'number' ? [f] : f;
    for (const r of roots) this.checkNode(r, 'nodeCount');
    this.prepareScratch();
    const ep = this.nextEpoch();
    const stack = this.stack;
    let count = 0;
    for (const r of roots) {
      if (r < 2 || this.visit[r] === ep) continue;
      let sp = 0;
      stack[sp++] = r;
      this.visit[r] = ep;
      while (sp > 0) {
        const n = stack[--sp];
        count++;
        const l = this.lo[n];
        const h = this.hi[n];
        if (l > 1 && this.visit[l] !== ep) {
          this.visit[l] = ep;
          stack[sp++] = l;
        }
        if (h > 1 && this.visit[h] !== ep) {
          this.visit[h] = ep;
          stack[sp++] = h;
        }
      }
    }
    return count;
  }

  /** Graphviz text of the BDD(s); dashed edges are low (0) branches. For debugging. */
  toDot(f: NodeId | readonly NodeId[], varName: (v: number) => string = (v) => `x${v}`): string {
    const roots = typeof f === 'number' ? [f] : [...f];
    for (const r of roots) this.checkNode(r, 'toDot');
    const lines = ['digraph bdd {', '  n0 [shape=box,label="0"];', '  n1 [shape=box,label="1"];'];
    const seen = new Set<number>();
    const todo = roots.filter((r) => r > 1);
    roots.forEach((r, i) => lines.push(`  r${i} [shape=plaintext,label="f${i}"];`, `  r${i} -> n${r};`));
    while (todo.length > 0) {
      const n = todo.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      const l = this.lo[n];
      const h = this.hi[n];
      lines.push(
        `  n${n} [label=${JSON.stringify(varName(this.lvl[n]))}];`,
        `  n${n} -> n${l} [style=dashed];`,
        `  n${n} -> n${h};`,
      );
      if (l > 1) todo.push(l);
      if (h > 1) todo.push(h);
    }
    lines.push('}');
    return lines.join('\n') + '\n';
  }

  /** Evaluate f on a full assignment (assignment[v] truthy = variable v true). */
  evaluate(f: NodeId, assignment: ArrayLike<number | boolean>): boolean {
    this.checkNode(f, 'evaluate');
    while (f > 1) f = assignment[this.lvl[f]] ? this.hi[f] : this.lo[f];
    return f === 1;
  }

  // ---------------------------------------------------------------------------------------
  // Memory

  /** Protect f (and its sub-nodes) from gc(). Counted: protect twice, unprotect twice. */
  protect(f: NodeId): NodeId {
    this.checkNode(f, 'protect');
    if (f > 1) this.refs[f]++;
    return f;
  }

  unprotect(f: NodeId): void {
    this.checkNode(f, 'unprotect');
    if (f < 2) return;
    if (this.refs[f] <= 0) throw new RangeError(`BddManager.unprotect: node ${f} is not protected`);
    this.refs[f]--;
  }

  /**
   * Mark from protected roots, put every other node on the free list, rebuild the unique
   * table, clear the op cache. Never called implicitly.
   */
  gc(): void {
    this.prepareScratch();
    const ep = this.nextEpoch();
    const visit = this.visit;
    const stack = this.stack;
    const lvl = this.lvl;
    const lo = this.lo;
    const hi = this.hi;
    const refs = this.refs;
    const top = this.top;
    for (let r = 2; r < top; r++) {
      if (refs[r] === 0 || visit[r] === ep || lvl[r] === FREE_LEVEL) continue;
      let sp = 0;
      stack[sp++] = r;
      visit[r] = ep;
      while (sp > 0) {
        const n = stack[--sp];
        const l = lo[n];
        const h = hi[n];
        if (l > 1 && visit[l] !== ep) {
          visit[l] = ep;
          stack[sp++] = l;
        }
        if (h > 1 && visit[h] !== ep) {
          visit[h] = ep;
          stack[sp++] = h;
        }
      }
    }
    // Sweep downwards so the free list hands out low ids first (better locality).
    const ut = this.utable;
    ut.fill(0);
    const mask = this.umask;
    let free = 0;
    let live = 2;
    for (let n = top - 1; n >= 2; n--) {
      if (lvl[n] === FREE_LEVEL) {
        lo[n] = free;
        free = n;
      } else if (visit[n] !== ep) {
        lvl[n] = FREE_LEVEL;
        hi[n] = 0;
        lo[n] = free;
        free = n;
      } else {
        live++;
        let i = hash3(lvl[n], lo[n], hi[n]) & mask;
        while (ut[i] !== 0) i = (i + 1) & mask;
        ut[i] = n;
      }
    }
    this.freeHead = free;
    this.live = live;
    this.invalidateCache();
    this.monotoneMemo.clear();
    this.gcRuns++;
  }

  /** Drop every op-cache entry (results stay correct; only speed changes). For benchmarks. */
  clearCache(): void {
    this.invalidateCache();
  }

  private invalidateCache(): void {
    const gen = (this.cGen >>> GEN_SHIFT) + 1;
    if (gen < GEN_LIMIT) {
      this.cGen = gen << GEN_SHIFT;
    } else {
      this.cache.fill(0);
      this.cGen = 1 << GEN_SHIFT;
    }
  }

  stats(): BddStats {
    const bytes =
      this.lvl.byteLength +
      this.lo.byteLength +
      this.hi.byteLength +
      this.refs.byteLength +
      this.utable.byteLength +
      this.cache.byteLength +
      this.visit.byteLength +
      this.dens.byteLength +
      this.stack.byteLength;
    return {
      vars: this.nvars,
      liveNodes: this.live,
      peakNodes: this.peak,
      capacity: this.capacity,
      bytes,
      gcRuns: this.gcRuns,
      cacheLookups: this.lookups,
      cacheHits: this.hits,
    };
  }

  // ---------------------------------------------------------------------------------------
  // Node table internals

  /** The unique node (v, l, h), reduced: l === h gives l. Requires v above l's and h's levels. */
  private mk(v: number, l: number, h: number): number {
    if (l === h) return l;
    const ut = this.utable;
    const mask = this.umask;
    let i = hash3(v, l, h) & mask;
    for (;;) {
      const id = ut[i];
      if (id === 0) break;
      if (this.lo[id] === l && this.hi[id] === h && this.lvl[id] === v) return id;
      i = (i + 1) & mask;
    }
    let id = this.freeHead;
    if (id !== 0) {
      this.freeHead = this.lo[id];
    } else {
      if (this.top === this.capacity) {
        this.grow();
        return this.mk(v, l, h); // the unique table was rebuilt: probe again
      }
      id = this.top++;
    }
    this.lvl[id] = v;
    this.lo[id] = l;
    this.hi[id] = h;
    ut[i] = id;
    if (++this.live > this.peak) this.peak = this.live;
    return id;
  }

  private grow(): void {
    if (this.capacity >= this.nodeLimit) {
      throw new LimitExceededError(
        'bdd nodes',
        this.nodeLimit,
        this.nodeLimit + 1,
        `${this.live} allocated; call gc() at a safe point or raise nodeLimit`,
      );
    }
    const cap = Math.min(this.nodeLimit, this.capacity * 2);
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
      throw new LimitExceededError('bdd nodes', this.capacity, cap, `heap allocation failed: ${(e as Error).message}`);
    }
    lvl.set(this.lvl);
    lo.set(this.lo);
    hi.set(this.hi);
    refs.set(this.refs);
    const mask = usize - 1;
    for (let n = 2; n < this.top; n++) {
      if (lvl[n] === FREE_LEVEL) continue;
      let i = hash3(lvl[n], lo[n], hi[n]) & mask;
      while (ut[i] !== 0) i = (i + 1) & mask;
      ut[i] = n;
    }
    this.lvl = lvl;
    this.lo = lo;
    this.hi = hi;
    this.refs = refs;
    this.utable = ut;
    this.umask = mask;
    this.capacity = cap;
    // Keep the cache roughly as large as the table; entries are lossy so dropping them is fine.
    if (this.cLog2 < MAX_CACHE_LOG2 && 1 << this.cLog2 < cap) {
      this.cLog2++;
      const csize = 1 << this.cLog2;
      this.cache = new Int32Array(5 * csize);
      this.cMask = csize - 1;
    }
  }

  // Cache access. The slot is recomputed at store time because the cache may have been
  // reallocated (grown) by a nested operation.
  private cacheGet(op: number, a: number, b: number, c: number): number {
    this.lookups++;
    const i = 5 * (hash4(op, a, b, c) & this.cMask);
    const t = this.cache;
    if (t[i] === (op | this.cGen) && t[i + 1] === a && t[i + 2] === b && t[i + 3] === c) {
      this.hits++;
      return t[i + 4];
    }
    return -1;
  }

  private cachePut(op: number, a: number, b: number, c: number, r: number): void {
    const i = 5 * (hash4(op, a, b, c) & this.cMask);
    const t = this.cache;
    t[i] = op | this.cGen;
    t[i + 1] = a;
    t[i + 2] = b;
    t[i + 3] = c;
    t[i + 4] = r;
  }

  // ---------------------------------------------------------------------------------------
  // Recursive operations: terminal cases, cache, split on the top variable, build, store.

  private notRec(f: number): number {
    if (f < 2) return f ^ 1;
    const c = this.cacheGet(OP_NOT, f, 0, 0);
    if (c >= 0) return c;
    const v = this.lvl[f];
    const h = this.notRec(this.hi[f]);
    const l = this.notRec(this.lo[f]);
    const r = this.mk(v, l, h);
    this.cachePut(OP_NOT, f, 0, 0, r);
    return r;
  }

  // and/or/xor have their own recursions on purpose: no operator dispatch per node on the
  // hottest paths, and each stays a small monomorphic function for the JIT.
  private andRec(f: number, g: number): number {
    if (f === 0 || g === 0) return 0;
    if (f === 1) return g;
    if (g === 1 || f === g) return f;
    if (f > g) {
      const t = f;
      f = g;
      g = t;
    }
    const c = this.cacheGet(OP_AND, f, g, 0);
    if (c >= 0) return c;
    const lf = this.lvl[f];
    const lg = this.lvl[g];
    let v: number, f0: number, f1: number, g0: number, g1: number;
    if (lf <= lg) {
      v = lf;
      f0 = this.lo[f];
      f1 = this.hi[f];
    } else {
      v = lg;
      f0 = f1 = f;
    }
    if (lg <= lf) {
      g0 = this.lo[g];
      g1 = this.hi[g];
    } else {
      g0 = g1 = g;
    }
    const l = this.andRec(f0, g0);
    const h = this.andRec(f1, g1);
    const r = this.mk(v, l, h);
    this.cachePut(OP_AND, f, g, 0, r);
    return r;
  }

  private orRec(f: number, g: number): number {
    if (f === 1 || g === 1) return 1;
    if (f === 0) return g;
    if (g === 0 || f === g) return f;
    if (f > g) {
      const t = f;
      f = g;
      g = t;
    }
    const c = this.cacheGet(OP_OR, f, g, 0);
    if (c >= 0) return c;
    const lf = this.lvl[f];
    const lg = this.lvl[g];
    let v: number, f0: number, f1: number, g0: number, g1: number;
    if (lf <= lg) {
      v = lf;
      f0 = this.lo[f];
      f1 = this.hi[f];
    } else {
      v = lg;
      f0 = f1 = f;
    }
    if (lg <= lf) {
      g0 = this.lo[g];
      g1 = this.hi[g];
    } else {
      g0 = g1 = g;
    }
    const l = this.orRec(f0, g0);
    const h = this.orRec(f1, g1);
    const r = this.mk(v, l, h);
    this.cachePut(OP_OR, f, g, 0, r);
    return r;
  }

  private xorRec(f: number, g: number): number {
    if (f === g) return 0;
    if (f === 0) return g;
    if (g === 0) return f;
    if (f === 1) return this.notRec(g);
    if (g === 1) return this.notRec(f);
    if (f > g) {
      const t = f;
      f = g;
      g = t;
    }
    const c = this.cacheGet(OP_XOR, f, g, 0);
    if (c >= 0) return c;
    const lf = this.lvl[f];
    const lg = this.lvl[g];
    let v: number, f0: number, f1: number, g0: number, g1: number;
    if (lf <= lg) {
      v = lf;
      f0 = this.lo[f];
      f1 = this.hi[f];
    } else {
      v = lg;
      f0 = f1 = f;
    }
    if (lg <= lf) {
      g0 = this.lo[g];
      g1 = this.hi[g];
    } else {
      g0 = g1 = g;
    }
    const l = this.xorRec(f0, g0);
    const h = this.xorRec(f1, g1);
    const r = this.mk(v, l, h);
    this.cachePut(OP_XOR, f, g, 0, r);
    return r;
  }

  private iteRec(f: number, g: number, h: number): number {
    if (f === 1) return g;
    if (f === 0) return h;
    if (g === h) return g;
    if (g === 1 && h === 0) return f;
    if (g === 0 && h === 1) return this.notRec(f);
    if (g === 1 || f === g) return this.orRec(f, h);
    if (h === 0 || f === h) return this.andRec(f, g);
    const c = this.cacheGet(OP_ITE, f, g, h);
    if (c >= 0) return c;
    const lf = this.lvl[f];
    const lg = this.lvl[g];
    const lh = this.lvl[h];
    let v = lf < lg ? lf : lg;
    if (lh < v) v = lh;
    let f0 = f,
      f1 = f,
      g0 = g,
      g1 = g,
      h0 = h,
      h1 = h;
    if (lf === v) {
      f0 = this.lo[f];
      f1 = this.hi[f];
    }
    if (lg === v) {
      g0 = this.lo[g];
      g1 = this.hi[g];
    }
    if (lh === v) {
      h0 = this.lo[h];
      h1 = this.hi[h];
    }
    const l = this.iteRec(f0, g0, h0);
    const hh = this.iteRec(f1, g1, h1);
    const r = this.mk(v, l, hh);
    this.cachePut(OP_ITE, f, g, h, r);
    return r;
  }

  private existsRec(f: number, set: number): number {
    if (f < 2) return f;
    const lf = this.lvl[f];
    while (this.lvl[set] < lf) set = this.hi[set];
    if (set === 1) return f;
    const c = this.cacheGet(OP_EXISTS, f, set, 0);
    if (c >= 0) return c;
    let r: number;
    if (this.lvl[set] === lf) {
      const next = this.hi[set];
      const t = this.existsRec(this.hi[f], next);
      r = t === 1 ? 1 : this.orRec(t, this.existsRec(this.lo[f], next));
    } else {
      const l = this.existsRec(this.lo[f], set);
      const h = this.existsRec(this.hi[f], set);
      r = this.mk(lf, l, h);
    }
    this.cachePut(OP_EXISTS, f, set, 0, r);
    return r;
  }

  private andExistsRec(f: number, g: number, set: number): number {
    if (f === 0 || g === 0) return 0;
    if (f === g) g = 1;
    if (f > g) {
      const t = f;
      f = g;
      g = t;
    }
    // Now f <= g; if either is TRUE it is f.
    if (f === 1) return g === 1 ? 1 : this.existsRec(g, set);
    const lf = this.lvl[f];
    const lg = this.lvl[g];
    const v = lf < lg ? lf : lg;
    while (this.lvl[set] < v) set = this.hi[set];
    if (set === 1) return this.andRec(f, g);
    const c = this.cacheGet(OP_AND_EXISTS, f, g, set);
    if (c >= 0) return c;
    let f0 = f,
      f1 = f,
      g0 = g,
      g1 = g;
    if (lf === v) {
      f0 = this.lo[f];
      f1 = this.hi[f];
    }
    if (lg === v) {
      g0 = this.lo[g];
      g1 = this.hi[g];
    }
    let r: number;
    if (this.lvl[set] === v) {
      const next = this.hi[set];
      const t = this.andExistsRec(f1, g1, next);
      r = t === 1 ? 1 : this.orRec(t, this.andExistsRec(f0, g0, next));
    } else {
      const l = this.andExistsRec(f0, g0, set);
      const h = this.andExistsRec(f1, g1, set);
      r = this.mk(v, l, h);
    }
    this.cachePut(OP_AND_EXISTS, f, g, set, r);
    return r;
  }

  private renameRec(f: number, rid: number, map: Int32Array): number {
    if (f < 2) return f;
    const c = this.cacheGet(OP_RENAME, f, rid, 0);
    if (c >= 0) return c;
    const v = this.lvl[f];
    const t = v < map.length ? map[v] : v;
    const l = this.renameRec(this.lo[f], rid, map);
    const h = this.renameRec(this.hi[f], rid, map);
    // Order-preserving locally: the target sits above both renamed children, build directly.
    const r =
      t < this.lvl[l] && t < this.lvl[h] ? this.mk(t, l, h) : this.iteRec(this.mk(t, 0, 1), h, l);
    this.cachePut(OP_RENAME, f, rid, 0, r);
    return r;
  }

  /**
   * Fused ∃set.(f ∧ g) then rename by `map`; valid only when `map` is strictly increasing
   * on the variables outside `set` (so mk at the renamed level stays ordered), which the
   * caller has checked. Sylvan's relnext does the same for interleaved x/y orders.
   */
  private relNextRec(f: number, g: number, set: number, rid: number, map: Int32Array): number {
    if (f === 0 || g === 0) return 0;
    if (f === g) g = 1;
    if (f > g) {
      const t = f;
      f = g;
      g = t;
    }
    if (f === 1 && g === 1) return 1;
    const lf = this.lvl[f];
    const lg = this.lvl[g];
    const v = lf < lg ? lf : lg;
    while (this.lvl[set] < v) set = this.hi[set];
    const op = OP_RELNEXT_BASE + rid;
    const c = this.cacheGet(op, f, g, set);
    if (c >= 0) return c;
    let f0 = f,
      f1 = f,
      g0 = g,
      g1 = g;
    if (lf === v) {
      f0 = this.lo[f];
      f1 = this.hi[f];
    }
    if (lg === v) {
      g0 = this.lo[g];
      g1 = this.hi[g];
    }
    let r: number;
    if (this.lvl[set] === v) {
      const next = this.hi[set];
      const t = this.relNextRec(f1, g1, next, rid, map);
      r = t === 1 ? 1 : this.orRec(t, this.relNextRec(f0, g0, next, rid, map));
    } else {
      const l = this.relNextRec(f0, g0, set, rid, map);
      const h = this.relNextRec(f1, g1, set, rid, map);
      r = this.mk(v < map.length ? map[v] : v, l, h);
    }
    this.cachePut(op, f, g, set, r);
    return r;
  }

  private restrictRec(f: number, cube: number): number {
    if (f < 2) return f;
    const lf = this.lvl[f];
    // Skip literals above f's top variable: f does not depend on them.
    while (this.lvl[cube] < lf) cube = this.lo[cube] === 0 ? this.hi[cube] : this.lo[cube];
    if (cube === 1) return f;
    const c = this.cacheGet(OP_RESTRICT, f, cube, 0);
    if (c >= 0) return c;
    let r: number;
    if (this.lvl[cube] === lf) {
      const positive = this.lo[cube] === 0;
      r = this.restrictRec(positive ? this.hi[f] : this.lo[f], positive ? this.hi[cube] : this.lo[cube]);
    } else {
      const l = this.restrictRec(this.lo[f], cube);
      const h = this.restrictRec(this.hi[f], cube);
      r = this.mk(lf, l, h);
    }
    this.cachePut(OP_RESTRICT, f, cube, 0, r);
    return r;
  }

  /**
   * Assignments to the variables [level(f), nvars) satisfying f. Scaled per edge by the
   * skipped levels (not a density in [0, 1], which underflows past ~1074 levels); zero
   * counts are never multiplied, so a result of 2^k beyond the double range is Infinity,
   * never NaN.
   */
  private countRec(f: number, ep: number, nvars: number): number {
    if (f < 2) return f;
    if (this.visit[f] === ep) return this.dens[f];
    const v = this.lvl[f];
    const l = this.lo[f];
    const h = this.hi[f];
    const cl = this.countRec(l, ep, nvars);
    const ch = this.countRec(h, ep, nvars);
    let c = 0;
    if (cl !== 0) c += cl * 2 ** ((l < 2 ? nvars : this.lvl[l]) - v - 1);
    if (ch !== 0) c += ch * 2 ** ((h < 2 ? nvars : this.lvl[h]) - v - 1);
    this.visit[f] = ep;
    this.dens[f] = c;
    return c;
  }

  private cubeRec(f: number, cur: Int8Array, cb: (cube: Int8Array) => void): void {
    if (f === 0) return;
    if (f === 1) {
      cb(cur.slice());
      return;
    }
    const v = this.lvl[f];
    // Read children before the callback can create nodes (which may reallocate arrays).
    const l = this.lo[f];
    const h = this.hi[f];
    cur[v] = 0;
    this.cubeRec(l, cur, cb);
    cur[v] = 1;
    this.cubeRec(h, cur, cb);
    cur[v] = -1;
  }

  // ---------------------------------------------------------------------------------------
  // Checks and scratch

  private isMonotoneOutside(set: number, rid: number, map: Int32Array): boolean {
    const key = set * MAX_RENAMINGS + rid;
    const memo = this.monotoneMemo.get(key);
    if (memo !== undefined) return memo;
    let prev = -1;
    let s = set;
    let ok = true;
    for (let v = 0; v < this.nvars; v++) {
      if (this.lvl[s] === v) {
        s = this.hi[s];
        continue; // quantified: disappears, its image does not matter
      }
      const t = v < map.length ? map[v] : v;
      if (t <= prev) {
        ok = false;
        break;
      }
      prev = t;
    }
    this.monotoneMemo.set(key, ok);
    return ok;
  }

  private prepareScratch(): void {
    if (this.visit.length !== this.capacity) {
      this.visit = new Int32Array(this.capacity);
      this.dens = new Float64Array(this.capacity);
      this.stack = new Int32Array(this.capacity);
      this.epoch = 0;
    }
  }

  private nextEpoch(): number {
    if (++this.epoch === 0x7fffffff) {
      this.visit.fill(0);
      this.epoch = 1;
    }
    return this.epoch;
  }

  private checkNode(f: number, method: string): void {
    if (!Number.isInteger(f) || f < 0 || f >= this.top || this.lvl[f] === FREE_LEVEL) {
      throw new RangeError(`BddManager.${method}: invalid or freed node id ${f}`);
    }
  }

  private checkVar(v: number, method: string): void {
    if (!Number.isInteger(v) || v < 0 || v >= this.nvars) {
      throw new RangeError(`BddManager.${method}: variable ${v} out of range [0, ${this.nvars})`);
    }
  }

  private checkVarSet(set: number, method: string): void {
    this.checkNode(set, method);
    for (let s = set; s !== 1; s = this.hi[s]) {
      if (s === 0 || this.lo[s] !== 0) {
        throw new RangeError(`BddManager.${method}: node ${set} is not a positive variable set`);
      }
    }
  }

  private checkRenaming(r: number, method: string): Int32Array {
    if (!Number.isInteger(r) || r < 0 || r >= this.renamings.length) {
      throw new RangeError(`BddManager.${method}: unknown renaming ${r}`);
    }
    return this.renamings[r];
  }
}
