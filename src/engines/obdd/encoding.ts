/**
 * Encodes a combined `Nfa` as BDDs: the variable layout (current-state bits x, next-state
 * bits y, optional intermediate bits z for the two-step relation, input bits i over the
 * byte-class index), the per-class transition cofactors T_c(x, y), the full relation
 * T(x, i, y) (built only to be measured), the start set S(x) and the accept sets Acc(x)
 * (after a byte) and AccEnd(x) (at end of input).
 *
 * Guarantees: every function returned in `Encoding` is protected in the manager (a GC root)
 * for the life of the matcher; temporaries made while building are unprotected and
 * collected (every 32 classes on large sets, and once at the end of `encodeNfa`), so a
 * compiled program holds no garbage.
 *
 * Variable order (measured with bench/symbolic-order.ts; figures in docs/obdd.md):
 * - x and y interleaved bit by bit, most significant bit first (the default). A step is then
 *   one fused relNext (∃x, y→x in a single pass, since y_k → x_k preserves the order), and
 *   T_c stays close to the size of the follow relation. Blocked (all x, then all y) is
 *   supported for measurement; it makes T_c far larger and relNext falls back to two passes.
 * - Input bits on top (default) or at the bottom. The step never sees them: it uses the
 *   per-class cofactors T_c, so their place only changes the size of T itself.
 * - z (stride 2 only) interleaved with x and y: x_k, y_k, z_k.
 * The BDDs are built bottom-up straight from tuples (one node per split, never an OR of
 * minterms): Follow in O(edges × variables), each Enter_c by binary search over the sorted
 * states (cost ~ result size), then one AND per class: T_c = Follow(x, y) ∧ Enter_c(y).
 */
import type { Nfa } from '../../nfa/types.js';
import type { BddPort, NodeId } from './bdd-port.js';

/** Variable-order choices of the encoding (defaults are the measured best, see the module comment). */
export interface EncodingOptions {
  /** Interleave x/y (and z) bit by bit. @default true */
  interleave?: boolean;
  /** Where the input (class) bits go in the order. @default 'top' */
  inputPosition?: 'top' | 'bottom';
  /** Most significant state bit highest in the order. @default 'msb' */
  stateBitOrder?: 'msb' | 'lsb';
  /**
   * Declare z variables and keep the factors Follow(x, y) and Enter_c(y) (needed for the
   * two-step relation T2 of stride 2). @default false
   */
  withZ?: boolean;
  /**
   * State numbering, applied by the matcher before encoding: 'builder' keeps the NFA
   * builder's order (signature by signature); 'entry' numbers the first positions together,
   * grouped by label (src/nfa/renumber.ts). @default 'builder'
   */
  numbering?: 'builder' | 'entry';
}

/** Which BDD variable holds which bit of x, y, z and the class index i. */
export interface Layout {
  stateBits: number;
  classBits: number;
  /** xVars[k] is the variable of bit k (value 2^k) of the current state number; same for y, z, i. */
  xVars: number[];
  yVars: number[];
  zVars: number[];
  iVars: number[];
  interleaved: boolean;
  inputPosition: 'top' | 'bottom';
}

/** The NFA as BDDs (every node protected for the matcher's life) and the encoding's sizes. */
export interface Encoding {
  layout: Layout;
  /** Per class c: T_c(x, y) = ∃i. T ∧ [i = c]. */
  tc: Int32Array;
  start: NodeId;
  acc: NodeId;
  accEnd: NodeId;
  /** Acc over y variables (for the mid-pair acceptance test of stride 2). */
  accY: NodeId;
  xSet: NodeId;
  ySet: NodeId;
  zSet: NodeId;
  /** y_k → x_k. */
  yToX: number;
  /** y_k → z_k and x_k → z_k (to compose two relations through z). */
  yToZ: number;
  xToZ: number;
  /** Measured at encode time; T itself is released (the step only needs the T_c). */
  /** With `withZ` only (else 0 / empty): Follow(x, y) and, per class, Enter_c(y). */
  follow: NodeId;
  enterY: Int32Array;
  tNodes: number;
  tcNodes: number;
  tcNodesSum: number;
  encodeMs: number;
}

function bitsFor(count: number): number {
  let b = 0;
  while ((1 << b) < count) b++;
  return b;
}

/** Declares the variables of the encoding in `bdd` and returns their layout. */
export function makeLayout(bdd: BddPort, stateCount: number, classCount: number, opts: EncodingOptions = {}): Layout {
  const interleaved = opts.interleave ?? true;
  const inputPosition = opts.inputPosition ?? 'top';
  const msb = (opts.stateBitOrder ?? 'msb') === 'msb';
  const withZ = opts.withZ ?? false;
  const stateBits = Math.max(1, bitsFor(stateCount));
  const classBits = bitsFor(classCount);
  const xVars = new Array<number>(stateBits);
  const yVars = new Array<number>(stateBits);
  const zVars = new Array<number>(withZ ? stateBits : 0);
  const iVars = new Array<number>(classBits);
  const declareInputs = (): void => {
    // Input bits MSB first: classes that share high bits share subtrees of T.
    for (let k = classBits - 1; k >= 0; k--) iVars[k] = bdd.newVars(1);
  };
  if (inputPosition === 'top') declareInputs();
  const order: number[] = [];
  for (let j = 0; j < stateBits; j++) order.push(msb ? stateBits - 1 - j : j);
  if (interleaved) {
    for (const k of order) {
      xVars[k] = bdd.newVars(1);
      yVars[k] = bdd.newVars(1);
      if (withZ) zVars[k] = bdd.newVars(1);
    }
  } else {
    for (const k of order) xVars[k] = bdd.newVars(1);
    for (const k of order) yVars[k] = bdd.newVars(1);
    if (withZ) for (const k of order) zVars[k] = bdd.newVars(1);
  }
  if (inputPosition === 'bottom') declareInputs();
  return { stateBits, classBits, xVars, yVars, zVars, iVars, interleaved, inputPosition };
}

/**
 * One level of a tuple encoding: variable `v` tests bit `bit` of column `col`.
 * Levels must be listed in the manager's variable order (top first).
 */
interface Level { v: number; col: number; bit: number }

/**
 * The BDD of a set of tuples (rows of `cols` unsigned values in `data`), built by recursive
 * partition on the levels in order. Each split is one `ite(var, hi, lo)` whose variable lies
 * above both branches, i.e. a plain node creation.
 */
export function fromTuples(bdd: BddPort, levels: readonly Level[], data: Uint32Array, cols: number): NodeId {
  const rows = data.length / cols;
  if (rows === 0) return 0;
  const idx = new Uint32Array(rows);
  for (let r = 0; r < rows; r++) idx[r] = r;
  const tmp = new Uint32Array(rows);
  const rec = (lo: number, hi: number, depth: number): NodeId => {
    if (lo >= hi) return 0;
    if (depth === levels.length) return 1;
    const { v, col, bit } = levels[depth];
    // Stable partition of idx[lo, hi) into bit = 0 then bit = 1.
    let n0 = 0;
    for (let r = lo; r < hi; r++) if (((data[idx[r] * cols + col] >>> bit) & 1) === 0) n0++;
    let a = lo, b = lo + n0;
    for (let r = lo; r < hi; r++) {
      const row = idx[r];
      if (((data[row * cols + col] >>> bit) & 1) === 0) tmp[a++] = row; else tmp[b++] = row;
    }
    for (let r = lo; r < hi; r++) idx[r] = tmp[r];
    const mid = lo + n0;
    const f0 = rec(lo, mid, depth + 1);
    const f1 = rec(mid, hi, depth + 1);
    if (f0 === f1) return f0;
    return bdd.ite(bdd.var(v), f1, f0);
  };
  return rec(0, rows, 0);
}

/** Levels for the given columns' variables, sorted into variable order. */
function levelsOf(cols: ReadonlyArray<readonly number[]>): Level[] {
  const out: Level[] = [];
  cols.forEach((vars, col) => vars.forEach((v, bit) => out.push({ v, col, bit })));
  out.sort((a, b) => a.v - b.v);
  return out;
}

/**
 * The set of `states` over `vars` (vars[k] = bit k). With the most significant bit highest in
 * the order and sorted distinct states (every caller's case with the default layout), the
 * set is built by binary search on the sorted list: a range that fills a whole aligned
 * block is TRUE at once, so the cost follows the size of the result rather than
 * states × bits (dense label sets of `.`-like classes made the generic build dominate the
 * encoding of large rule sets). Otherwise the generic tuple build is used.
 */
export function stateSet(bdd: BddPort, vars: readonly number[], states: ArrayLike<number>): NodeId {
  let msbFirst = true;
  for (let k = 0; k + 1 < vars.length; k++) if (vars[k + 1] > vars[k]) msbFirst = false;
  let sorted = true;
  for (let j = 0; j + 1 < states.length; j++) if (states[j] >= states[j + 1]) sorted = false;
  if (!msbFirst || !sorted) {
    const data = Uint32Array.from(states as ArrayLike<number>);
    return fromTuples(bdd, levelsOf([vars]), data, 1);
  }
  const rec = (lo: number, hi: number, k: number): NodeId => {
    if (lo >= hi) return 0;
    if (k < 0) return 1;
    // All values in [lo, hi) share the bits above k; a full block of 2^(k+1) is TRUE.
    if (hi - lo === 2 ** (k + 1)) return 1;
    const bit = 2 ** k;
    let a = lo, b = hi;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (Math.floor(states[m] / bit) % 2 === 1) b = m; else a = m + 1;
    }
    const f0 = rec(lo, a, k - 1);
    const f1 = rec(a, hi, k - 1);
    return f0 === f1 ? f0 : bdd.ite(bdd.var(vars[k]), f1, f0);
  };
  return rec(0, states.length, vars.length - 1);
}

function acceptingStates(starts: Uint32Array, n: number): number[] {
  const out: number[] = [];
  for (let q = 0; q < n; q++) if (starts[q + 1] > starts[q]) out.push(q);
  return out;
}

/** Follow(x, y) from the NFA's CSR edges, protected. */
function followRelation(bdd: BddPort, nfa: Nfa, L: Layout): NodeId {
  const n = nfa.stateCount;
  const edges = nfa.followStart[n];
  const fdata = new Uint32Array(edges * 2);
  for (let p = 0, e = 0; p < n; p++) {
    for (let j = nfa.followStart[p]; j < nfa.followStart[p + 1]; j++, e++) {
      fdata[2 * e] = p;
      fdata[2 * e + 1] = nfa.follow[j];
    }
  }
  return bdd.protect(fromTuples(bdd, levelsOf([L.xVars, L.yVars]), fdata, 2));
}

/** Writes into `buf` the states whose label holds class `c`; returns how many. */
function statesEntering(nfa: Nfa, c: number, buf: Uint32Array): number {
  const W = nfa.classWords;
  const w = c >>> 5, bit = 1 << (c & 31);
  let m = 0;
  for (let q = 0; q < nfa.stateCount; q++) if (nfa.labels[q * W + w] & bit) buf[m++] = q;
  return m;
}

/** The per-class relations (and with z, the Enter_c factors) filled in by the two builders below. */
interface Relations {
  tc: Int32Array;
  enterY: Int32Array;
  withZ: boolean;
}

/**
 * Input bits on top: T_c = Follow ∧ Enter_c(y) per class (Enter_c = states whose label
 * holds c), then T(x, i, y) as a decision tree over i on top of the shared T_c. Returns T.
 */
function relationsInputTop(bdd: BddPort, nfa: Nfa, L: Layout, follow: NodeId, r: Relations): NodeId {
  const C = nfa.classCount;
  const buf = new Uint32Array(nfa.stateCount);
  for (let c = 0; c < C; c++) {
    const enter = stateSet(bdd, L.yVars, buf.subarray(0, statesEntering(nfa, c, buf)));
    if (r.withZ) r.enterY[c] = bdd.protect(enter);
    r.tc[c] = bdd.protect(bdd.and(follow, enter));
    // Enter_c and the AND's intermediates are garbage now; on large sets collecting every
    // so often keeps the peak near the final size (Follow and the T_c are protected).
    if ((c & 31) === 31 && bdd.stats().liveNodes > 1 << 18) bdd.gc();
  }
  // T(x, i, y) = ⋁_c [i = c] ∧ T_c.
  const build = (bitIdx: number, prefix: number): NodeId => {
    if (bitIdx < 0) return prefix < C ? r.tc[prefix] : 0;
    const f0 = build(bitIdx - 1, prefix);
    const f1 = build(bitIdx - 1, prefix | (1 << bitIdx));
    return f0 === f1 ? f0 : bdd.ite(bdd.var(L.iVars[bitIdx]), f1, f0);
  };
  return build(L.classBits - 1, 0);
}

/** Input bits at the bottom: Label(y, i) from (q, c) tuples, T = Follow ∧ Label, T_c = T|_{i=c}. Returns T. */
function relationsInputBottom(bdd: BddPort, nfa: Nfa, L: Layout, follow: NodeId, r: Relations): NodeId {
  const n = nfa.stateCount;
  const C = nfa.classCount;
  const W = nfa.classWords;
  const rows: number[] = [];
  for (let q = 0; q < n; q++) {
    for (let c = 0; c < C; c++) if (nfa.labels[q * W + (c >>> 5)] & (1 << (c & 31))) rows.push(q, c);
  }
  const label = fromTuples(bdd, levelsOf([L.yVars, L.iVars]), Uint32Array.from(rows), 2);
  const t = bdd.and(follow, label);
  for (let c = 0; c < C; c++) r.tc[c] = bdd.protect(bdd.restrict(t, bdd.cube(L.iVars, c)));
  if (r.withZ) {
    const buf = new Uint32Array(n);
    for (let c = 0; c < C; c++) r.enterY[c] = bdd.protect(stateSet(bdd, L.yVars, buf.subarray(0, statesEntering(nfa, c, buf))));
  }
  return t;
}

/**
 * Encodes `nfa` in `bdd` with the variable layout `opts` asks for (see the module comment).
 * Every function in the result is protected for the life of the matcher; temporaries are
 * collected before returning. Throws LimitExceededError('bdd nodes', ...) when the
 * manager's node budget cannot hold the encoding.
 */
export function encodeNfa(bdd: BddPort, nfa: Nfa, opts: EncodingOptions = {}): Encoding {
  const t0 = performance.now();
  const n = nfa.stateCount;
  const C = nfa.classCount;
  const L = makeLayout(bdd, n, C, opts);
  const { xVars, yVars, zVars } = L;

  const follow = followRelation(bdd, nfa, L);
  const withZ = opts.withZ ?? false;
  const r: Relations = { tc: new Int32Array(C), enterY: new Int32Array(withZ ? C : 0), withZ };
  const t = L.inputPosition === 'top' ? relationsInputTop(bdd, nfa, L, follow, r) : relationsInputBottom(bdd, nfa, L, follow, r);
  const { tc, enterY } = r;
  const tNodes = bdd.nodeCount(t);
  if (!withZ) bdd.unprotect(follow);

  const start = bdd.protect(stateSet(bdd, xVars, nfa.start));
  const accStates = acceptingStates(nfa.acceptStart, n);
  const acc = bdd.protect(stateSet(bdd, xVars, accStates));
  const accEnd = bdd.protect(stateSet(bdd, xVars, acceptingStates(nfa.endStart, n)));
  const accY = bdd.protect(stateSet(bdd, yVars, accStates));
  const xSet = bdd.protect(bdd.varSet(xVars));
  const ySet = bdd.protect(bdd.varSet(yVars));
  const zSet = bdd.protect(zVars.length ? bdd.varSet(zVars) : 1);
  const yToX = bdd.renaming(yVars.map((v, k) => [v, xVars[k]] as const));
  const yToZ = zVars.length ? bdd.renaming(yVars.map((v, k) => [v, zVars[k]] as const)) : -1;
  const xToZ = zVars.length ? bdd.renaming(xVars.map((v, k) => [v, zVars[k]] as const)) : -1;
  const tcList = Array.from(tc);
  const tcNodes = bdd.nodeCount(tcList);
  let tcNodesSum = 0;
  for (const f of tcList) tcNodesSum += bdd.nodeCount(f);
  // Everything not protected above (Follow, Enter_c, Label, T, cubes) is garbage now.
  bdd.gc();
  return {
    layout: L, tc, start, follow: withZ ? follow : 0, enterY, acc, accEnd, accY, xSet, ySet, zSet, yToX, yToZ, xToZ,
    tNodes, tcNodes, tcNodesSum, encodeMs: performance.now() - t0,
  };
}

/**
 * Calls `cb(state)` for every NFA state in `f` (a BDD over x only). Cubes with don't-care
 * bits are expanded; callers only pass subsets of an accept set, so the expansion is bounded
 * by the number of accepting states.
 */
export function forEachState(bdd: BddPort, f: NodeId, xVars: readonly number[], cb: (state: number) => void): void {
  if (f === 0) return;
  bdd.forEachCube(f, (cube) => {
    let base = 0;
    const free: number[] = [];
    for (let k = 0; k < xVars.length; k++) {
      const b = cube[xVars[k]];
      if (b === 1) base |= 1 << k;
      else if (b !== 0) free.push(k);
    }
    const m = 1 << free.length;
    for (let j = 0; j < m; j++) {
      let s = base;
      for (let t = 0; t < free.length; t++) if ((j >>> t) & 1) s |= 1 << free[t];
      cb(s);
    }
  });
}
