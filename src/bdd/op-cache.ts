/**
 * The operation cache: a lossy, direct-mapped memo (op, a, b, c) -> result shared by every
 * recursive BDD operation of one manager. Its data are the `cache*` fields of BddState.
 *
 * What it guarantees:
 * - An entry is 5 consecutive int32 words (op | generation, a, b, c, result), so a lookup
 *   touches one cache line. A colliding store overwrites: the cache only changes speed,
 *   never results, as long as every stored result is still a live node (gc invalidates).
 * - `invalidateCache` drops every entry in O(1) by bumping a generation stamped into each
 *   entry's first word (a gc then costs O(table), not O(cache)); the array is zeroed only
 *   when the generation counter wraps. A zeroed entry never matches: generations start at 1.
 * - The cache grows with the node table (`growCache`), one doubling at a time up to
 *   2^MAX_CACHE_LOG2 entries; growing drops its entries.
 *
 * Op codes: the fixed operations below, and OP_RELNEXT_BASE + renaming id for the fused
 * relational product (one code per renaming, hence MAX_RENAMINGS).
 */

import type { BddState } from './state.js';

/** Op code of `not`. */
export const OP_NOT = 1;
/** Op code of `and` (operands ordered). */
export const OP_AND = 2;
/** Op code of `or` (operands ordered). */
export const OP_OR = 3;
/** Op code of `xor` (operands ordered). */
export const OP_XOR = 4;
/** Op code of `ite`. */
export const OP_ITE = 5;
/** Op code of `exists`. */
export const OP_EXISTS = 6;
/** Op code of `andExists` (operands ordered). */
export const OP_AND_EXISTS = 7;
/** Op code of `restrict`. */
export const OP_RESTRICT = 8;
/** Op code of `rename`; the renaming id is the key's second operand. */
export const OP_RENAME = 9;
/** Op code of `relNext` with renaming r is OP_RELNEXT_BASE + r. */
export const OP_RELNEXT_BASE = 16;
/** Maximum number of renamings per manager: each takes one relNext op code. */
export const MAX_RENAMINGS = 1 << 16;
/** Largest log2 of the entry count (keeps the array well inside what V8 allocates). */
export const MAX_CACHE_LOG2 = 22;

/** Op codes stay below 2^GEN_SHIFT: 16 + 2^16 < 2^18. */
const GEN_SHIFT = 18;
/** (GEN_LIMIT << GEN_SHIFT) stays a positive int32. */
const GEN_LIMIT = 1 << 12;
/** The generation of a new cache, pre-shifted: 1, so that a zeroed entry never matches. */
export const FIRST_GEN = 1 << GEN_SHIFT;

/** The mixing hash of three int32 values, shared with the unique table. */
export function hash3(a: number, b: number, c: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) ^ Math.imul(c, 0xc2b2ae3d);
  h = Math.imul(h ^ (h >>> 13), 0x297a2d39);
  return h ^ (h >>> 16);
}

function hash4(op: number, a: number, b: number, c: number): number {
  return hash3(a ^ Math.imul(op, 0x27d4eb2f), b, c);
}

/** The cached result of (op, a, b, c), or -1 on a miss. */
export function cacheGet(s: BddState, op: number, a: number, b: number, c: number): number {
  s.lookups++;
  const i = 5 * (hash4(op, a, b, c) & s.cMask);
  const t = s.cache;
  if (t[i] === (op | s.cGen) && t[i + 1] === a && t[i + 2] === b && t[i + 3] === c) {
    s.hits++;
    return t[i + 4];
  }
  return -1;
}

/**
 * Store r as the result of (op, a, b, c). The slot is computed here, not reused from the
 * lookup, because a nested operation may have grown (reallocated) the cache meanwhile.
 */
export function cachePut(s: BddState, op: number, a: number, b: number, c: number, r: number): void {
  const i = 5 * (hash4(op, a, b, c) & s.cMask);
  const t = s.cache;
  t[i] = op | s.cGen;
  t[i + 1] = a;
  t[i + 2] = b;
  t[i + 3] = c;
  t[i + 4] = r;
}

/** Drop every entry (O(1) except once per 4095 calls, when the array is zeroed). */
export function invalidateCache(s: BddState): void {
  const gen = (s.cGen >>> GEN_SHIFT) + 1;
  if (gen < GEN_LIMIT) {
    s.cGen = gen << GEN_SHIFT;
  } else {
    s.cache.fill(0);
    s.cGen = FIRST_GEN;
  }
}

/**
 * Keep the cache roughly as large as the node table (s.capacity slots): doubles it, dropping
 * its entries (fine for a lossy cache), when it is smaller and below 2^MAX_CACHE_LOG2.
 */
export function growCache(s: BddState): void {
  if (s.cLog2 < MAX_CACHE_LOG2 && 1 << s.cLog2 < s.capacity) {
    s.cLog2++;
    const size = 1 << s.cLog2;
    s.cache = new Int32Array(5 * size);
    s.cMask = size - 1;
  }
}
