/**
 * The data of one BDD manager, as one object: the node table, the unique table, the
 * operation cache and the traversal scratch. The modules of this package are plain
 * functions over it: node-table.ts (mk, growth, checks), op-cache.ts (lookup, store,
 * invalidation), gc.ts (references, reachability, collection), ops.ts (the recursive
 * operations) and debug.ts (diagnostics).
 *
 * Why one object: the recursive operations visit millions of nodes per second and touch the
 * node arrays, the unique table and the cache on every visit. With all of them on one
 * object of one hidden class, each visit passes one state argument and does monomorphic
 * field loads. Measured on the bench/bdd.bench.ts workloads (CPU time, paired runs against
 * a single-class manager): separate node-table and op-cache objects cost 5-20% on relNext /
 * andExists, this layout 0-5%.
 *
 * What it guarantees: every field is assigned by the constructor, in declaration order, so
 * every state has the same hidden class. Each field is written only by the modules named
 * next to it. Typed arrays
 * are replaced (never resized in place) when the table or the cache grows, so code never
 * keeps an array reference across a call that can create nodes.
 */

import { FIRST_GEN } from './op-cache.js';

/** Level of the terminals: below every variable, so `min(level)` picks real variables first. */
export const TERMINAL_LEVEL = 0x7fffffff;

/** Level stored in a freed slot; no live node has it. */
export const FREE_LEVEL = -1;

/** The smallest power of two >= n (1 for n <= 1). */
export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** All mutable data of one manager (see the module comment). */
export class BddState {
  // --- Node table (node-table.ts; gc.ts frees). Slots [0, top) are allocated or free.

  /** Maximum number of node slots, terminals included. */
  readonly nodeLimit: number;
  /** Level (== variable index) per node; TERMINAL_LEVEL for 0 and 1, FREE_LEVEL when freed. */
  lvl: Int32Array;
  /** Low (variable false) child per node; the next free slot for a freed one. */
  lo: Int32Array;
  /** High (variable true) child per node. */
  hi: Int32Array;
  /** protect() counts per node (gc.ts). */
  refs: Int32Array;
  /** Allocated length of the node arrays, in slots. */
  capacity: number;
  /** First never-used slot. */
  top = 2;
  /** Head of the free list, linked through `lo`; 0 = empty (node 0 is never freed). */
  freeHead = 0;
  /** Allocated slots, terminals included (reachable or not). */
  live = 2;
  /** Highest `live` seen. */
  peak = 2;
  /** Unique table: node ids, 0 = empty slot; size a power of two >= 2 * capacity. */
  utable: Int32Array;
  /** utable.length - 1. */
  umask: number;

  // --- Operation cache (op-cache.ts)

  /** Entries of 5 words (op | generation, a, b, c, result). */
  cache: Int32Array;
  /** Entry count - 1. */
  cMask: number;
  /** Current generation, pre-shifted (see op-cache.ts); never 0, so zeroed entries never match. */
  cGen: number;
  /** log2 of the entry count. */
  cLog2: number;
  /** Cache lookups so far. */
  lookups = 0;
  /** Cache lookups that hit. */
  hits = 0;

  // --- Traversal scratch (sized by node-table.ts on demand; marked by gc.ts, debug.ts)

  /** visit[n] === epoch when n was reached by the current traversal. */
  visit: Int32Array = new Int32Array(0);
  /** Current traversal mark. */
  epoch = 0;
  /** A double per node for traversals that compute a value per node (satCount). */
  dens: Float64Array = new Float64Array(0);
  /** Traversal worklist, one slot per node. */
  stack: Int32Array = new Int32Array(0);

  /**
   * The state of an empty manager: `initialCapacity` node slots (at most nodeLimit) holding
   * the two terminals, and an empty cache of 2^cacheLog2 entries. The caller validates the
   * sizes (integers >= 2; cacheLog2 in [4, MAX_CACHE_LOG2]).
   */
  constructor(initialCapacity: number, nodeLimit: number, cacheLog2: number) {
    this.nodeLimit = nodeLimit;
    const init = Math.min(nodeLimit, initialCapacity);
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
    const csize = 1 << cacheLog2;
    this.cache = new Int32Array(5 * csize);
    this.cMask = csize - 1;
    this.cGen = FIRST_GEN;
    this.cLog2 = cacheLog2;
  }
}
