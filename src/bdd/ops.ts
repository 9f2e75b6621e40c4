/**
 * The recursive BDD operations: and, or, xor, not, ite, exists, andExists, rename, the fused
 * relational product relNext, and restrict. They are the hot path of the NFA-OBDD engine
 * (relNext / andExists once per scanned byte).
 *
 * Each is a plain function over the manager's state `s` (state.ts): terminal cases, cache
 * lookup, split on the top variable, recurse, build with `mk`, store. They take integer ids
 * only, allocate nothing but nodes, and check nothing: the manager validates arguments once
 * per call (see manager.ts), so ids here are valid nodes, sets are positive cubes and maps
 * come from the renaming table. Plain functions over one state object keep each node visit
 * to direct, inlinable calls and monomorphic field loads.
 *
 * What they guarantee:
 * - Results are canonical nodes of the manager (equal functions, equal ids).
 * - Every recursive step descends at least one level, so the stack depth is bounded by a
 *   small multiple of the variable count (relNext: the recursion plus a nested or), which
 *   the manager caps at MAX_BDD_VARS.
 * - Node arrays may be reallocated by growth inside any `mk`, so the functions re-read
 *   `s.lvl` etc. after every call that can create nodes.
 * - They throw only what `mk` throws (LimitExceededError('bdd nodes')); the table is then
 *   consistent and the partial result is garbage.
 */

import { mk } from './node-table.js';
import {
  cacheGet,
  cachePut,
  OP_AND,
  OP_AND_EXISTS,
  OP_EXISTS,
  OP_ITE,
  OP_NOT,
  OP_OR,
  OP_RELNEXT_BASE,
  OP_RENAME,
  OP_RESTRICT,
  OP_XOR,
} from './op-cache.js';
import type { BddState } from './state.js';

/** ¬f. */
export function notRec(s: BddState, f: number): number {
  if (f < 2) return f ^ 1;
  const c = cacheGet(s, OP_NOT, f, 0, 0);
  if (c >= 0) return c;
  const v = s.lvl[f];
  const h = notRec(s, s.hi[f]);
  const l = notRec(s, s.lo[f]);
  const r = mk(s, v, l, h);
  cachePut(s, OP_NOT, f, 0, 0, r);
  return r;
}

// and/or/xor have their own recursions on purpose: no operator dispatch per node on the
// hottest paths, and each stays a small monomorphic function for the JIT.
/** f ∧ g. */
export function andRec(s: BddState, f: number, g: number): number {
  if (f === 0 || g === 0) return 0;
  if (f === 1) return g;
  if (g === 1 || f === g) return f;
  if (f > g) {
    const t = f;
    f = g;
    g = t;
  }
  const c = cacheGet(s, OP_AND, f, g, 0);
  if (c >= 0) return c;
  const lf = s.lvl[f];
  const lg = s.lvl[g];
  let v: number, f0: number, f1: number, g0: number, g1: number;
  if (lf <= lg) {
    v = lf;
    f0 = s.lo[f];
    f1 = s.hi[f];
  } else {
    v = lg;
    f0 = f1 = f;
  }
  if (lg <= lf) {
    g0 = s.lo[g];
    g1 = s.hi[g];
  } else {
    g0 = g1 = g;
  }
  const l = andRec(s, f0, g0);
  const h = andRec(s, f1, g1);
  const r = mk(s, v, l, h);
  cachePut(s, OP_AND, f, g, 0, r);
  return r;
}

/** f ∨ g. */
export function orRec(s: BddState, f: number, g: number): number {
  if (f === 1 || g === 1) return 1;
  if (f === 0) return g;
  if (g === 0 || f === g) return f;
  if (f > g) {
    const t = f;
    f = g;
    g = t;
  }
  const c = cacheGet(s, OP_OR, f, g, 0);
  if (c >= 0) return c;
  const lf = s.lvl[f];
  const lg = s.lvl[g];
  let v: number, f0: number, f1: number, g0: number, g1: number;
  if (lf <= lg) {
    v = lf;
    f0 = s.lo[f];
    f1 = s.hi[f];
  } else {
    v = lg;
    f0 = f1 = f;
  }
  if (lg <= lf) {
    g0 = s.lo[g];
    g1 = s.hi[g];
  } else {
    g0 = g1 = g;
  }
  const l = orRec(s, f0, g0);
  const h = orRec(s, f1, g1);
  const r = mk(s, v, l, h);
  cachePut(s, OP_OR, f, g, 0, r);
  return r;
}

/** f ⊕ g. */
export function xorRec(s: BddState, f: number, g: number): number {
  if (f === g) return 0;
  if (f === 0) return g;
  if (g === 0) return f;
  if (f === 1) return notRec(s, g);
  if (g === 1) return notRec(s, f);
  if (f > g) {
    const t = f;
    f = g;
    g = t;
  }
  const c = cacheGet(s, OP_XOR, f, g, 0);
  if (c >= 0) return c;
  const lf = s.lvl[f];
  const lg = s.lvl[g];
  let v: number, f0: number, f1: number, g0: number, g1: number;
  if (lf <= lg) {
    v = lf;
    f0 = s.lo[f];
    f1 = s.hi[f];
  } else {
    v = lg;
    f0 = f1 = f;
  }
  if (lg <= lf) {
    g0 = s.lo[g];
    g1 = s.hi[g];
  } else {
    g0 = g1 = g;
  }
  const l = xorRec(s, f0, g0);
  const h = xorRec(s, f1, g1);
  const r = mk(s, v, l, h);
  cachePut(s, OP_XOR, f, g, 0, r);
  return r;
}

/** if f then g else h. */
export function iteRec(s: BddState, f: number, g: number, h: number): number {
  if (f === 1) return g;
  if (f === 0) return h;
  if (g === h) return g;
  if (g === 1 && h === 0) return f;
  if (g === 0 && h === 1) return notRec(s, f);
  if (g === 1 || f === g) return orRec(s, f, h);
  if (h === 0 || f === h) return andRec(s, f, g);
  const c = cacheGet(s, OP_ITE, f, g, h);
  if (c >= 0) return c;
  const lf = s.lvl[f];
  const lg = s.lvl[g];
  const lh = s.lvl[h];
  let v = lf < lg ? lf : lg;
  if (lh < v) v = lh;
  let f0 = f,
    f1 = f,
    g0 = g,
    g1 = g,
    h0 = h,
    h1 = h;
  if (lf === v) {
    f0 = s.lo[f];
    f1 = s.hi[f];
  }
  if (lg === v) {
    g0 = s.lo[g];
    g1 = s.hi[g];
  }
  if (lh === v) {
    h0 = s.lo[h];
    h1 = s.hi[h];
  }
  const l = iteRec(s, f0, g0, h0);
  const hh = iteRec(s, f1, g1, h1);
  const r = mk(s, v, l, hh);
  cachePut(s, OP_ITE, f, g, h, r);
  return r;
}

/** ∃set. f, for a variable set `set` (a positive cube). */
export function existsRec(s: BddState, f: number, set: number): number {
  if (f < 2) return f;
  const lf = s.lvl[f];
  while (s.lvl[set] < lf) set = s.hi[set];
  if (set === 1) return f;
  const c = cacheGet(s, OP_EXISTS, f, set, 0);
  if (c >= 0) return c;
  let r: number;
  if (s.lvl[set] === lf) {
    const next = s.hi[set];
    const t = existsRec(s, s.hi[f], next);
    r = t === 1 ? 1 : orRec(s, t, existsRec(s, s.lo[f], next));
  } else {
    const l = existsRec(s, s.lo[f], set);
    const h = existsRec(s, s.hi[f], set);
    r = mk(s, lf, l, h);
  }
  cachePut(s, OP_EXISTS, f, set, 0, r);
  return r;
}

/** ∃set. f ∧ g without building f ∧ g (CUDD's cuddBddAndAbstractRecur). */
export function andExistsRec(s: BddState, f: number, g: number, set: number): number {
  if (f === 0 || g === 0) return 0;
  if (f === g) g = 1;
  if (f > g) {
    const t = f;
    f = g;
    g = t;
  }
  // Now f <= g; if either is TRUE it is f.
  if (f === 1) return g === 1 ? 1 : existsRec(s, g, set);
  const lf = s.lvl[f];
  const lg = s.lvl[g];
  const v = lf < lg ? lf : lg;
  while (s.lvl[set] < v) set = s.hi[set];
  if (set === 1) return andRec(s, f, g);
  const c = cacheGet(s, OP_AND_EXISTS, f, g, set);
  if (c >= 0) return c;
  let f0 = f,
    f1 = f,
    g0 = g,
    g1 = g;
  if (lf === v) {
    f0 = s.lo[f];
    f1 = s.hi[f];
  }
  if (lg === v) {
    g0 = s.lo[g];
    g1 = s.hi[g];
  }
  let r: number;
  if (s.lvl[set] === v) {
    const next = s.hi[set];
    const t = andExistsRec(s, f1, g1, next);
    r = t === 1 ? 1 : orRec(s, t, andExistsRec(s, f0, g0, next));
  } else {
    const l = andExistsRec(s, f0, g0, set);
    const h = andExistsRec(s, f1, g1, set);
    r = mk(s, v, l, h);
  }
  cachePut(s, OP_AND_EXISTS, f, g, set, r);
  return r;
}

/**
 * f with every variable v replaced by map[v] (variables at or past map.length unchanged);
 * `rid` is the renaming id keying the cache. Non-monotone maps go through ite.
 */
export function renameRec(s: BddState, f: number, rid: number, map: Int32Array): number {
  if (f < 2) return f;
  const c = cacheGet(s, OP_RENAME, f, rid, 0);
  if (c >= 0) return c;
  const v = s.lvl[f];
  const t = v < map.length ? map[v] : v;
  const l = renameRec(s, s.lo[f], rid, map);
  const h = renameRec(s, s.hi[f], rid, map);
  // Order-preserving locally: the target sits above both renamed children, build directly.
  const r =
    t < s.lvl[l] && t < s.lvl[h] ? mk(s, t, l, h) : iteRec(s, mk(s, t, 0, 1), h, l);
  cachePut(s, OP_RENAME, f, rid, 0, r);
  return r;
}

/**
 * Fused ∃set.(f ∧ g) then rename by `map`; valid only when `map` is strictly increasing
 * on the variables outside `set` (so mk at the renamed level stays ordered), which the
 * caller has checked. Sylvan's relnext does the same for interleaved x/y orders.
 */
export function relNextRec(s: BddState, f: number, g: number, set: number, rid: number, map: Int32Array): number {
  if (f === 0 || g === 0) return 0;
  if (f === g) g = 1;
  if (f > g) {
    const t = f;
    f = g;
    g = t;
  }
  if (f === 1 && g === 1) return 1;
  const lf = s.lvl[f];
  const lg = s.lvl[g];
  const v = lf < lg ? lf : lg;
  while (s.lvl[set] < v) set = s.hi[set];
  const op = OP_RELNEXT_BASE + rid;
  const c = cacheGet(s, op, f, g, set);
  if (c >= 0) return c;
  let f0 = f,
    f1 = f,
    g0 = g,
    g1 = g;
  if (lf === v) {
    f0 = s.lo[f];
    f1 = s.hi[f];
  }
  if (lg === v) {
    g0 = s.lo[g];
    g1 = s.hi[g];
  }
  let r: number;
  if (s.lvl[set] === v) {
    const next = s.hi[set];
    const t = relNextRec(s, f1, g1, next, rid, map);
    r = t === 1 ? 1 : orRec(s, t, relNextRec(s, f0, g0, next, rid, map));
  } else {
    const l = relNextRec(s, f0, g0, set, rid, map);
    const h = relNextRec(s, f1, g1, set, rid, map);
    r = mk(s, v < map.length ? map[v] : v, l, h);
  }
  cachePut(s, op, f, g, set, r);
  return r;
}

/** The cofactor of f by the assignment `cube` (a cube of literals). */
export function restrictRec(s: BddState, f: number, cube: number): number {
  if (f < 2) return f;
  const lf = s.lvl[f];
  // Skip literals above f's top variable: f does not depend on them.
  while (s.lvl[cube] < lf) cube = s.lo[cube] === 0 ? s.hi[cube] : s.lo[cube];
  if (cube === 1) return f;
  const c = cacheGet(s, OP_RESTRICT, f, cube, 0);
  if (c >= 0) return c;
  let r: number;
  if (s.lvl[cube] === lf) {
    const positive = s.lo[cube] === 0;
    r = restrictRec(s, positive ? s.hi[f] : s.lo[f], positive ? s.hi[cube] : s.lo[cube]);
  } else {
    const l = restrictRec(s, s.lo[f], cube);
    const h = restrictRec(s, s.hi[f], cube);
    r = mk(s, lf, l, h);
  }
  cachePut(s, OP_RESTRICT, f, cube, 0, r);
  return r;
}
