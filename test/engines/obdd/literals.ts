/**
 * A literal-set NFA in the shape the NFA builder produces (unanchored start state 0 that
 * loops on every class, one chain of positions per literal, byte classes = the distinct
 * bytes used plus "everything else"). Used by tests and benches that need a larger NFA
 * than fast-check generates, without depending on the regex front end.
 */
import type { Nfa } from '../../../src/nfa/types.js';

export function literalNfa(literals: readonly Uint8Array[]): Nfa {
  const used = new Set<number>();
  for (const l of literals) for (const b of l) used.add(b);
  const byteClass = new Uint8Array(256);
  const sorted = [...used].sort((a, b) => a - b);
  sorted.forEach((b, k) => { byteClass[b] = k + 1; });
  const C = sorted.length + 1;
  const classRep = new Uint8Array(C);
  for (let b = 255; b >= 0; b--) classRep[byteClass[b]] = b;
  const W = Math.ceil(C / 32);
  let n = 1;
  for (const l of literals) n += l.length;
  const labels = new Uint32Array(n * W);
  for (let c = 0; c < C; c++) labels[c >>> 5] |= 1 << (c & 31);
  const succ: number[][] = Array.from({ length: n }, () => []);
  succ[0].push(0);
  const accept: Array<[number, number]>[] = Array.from({ length: n }, () => []);
  let q = 1;
  literals.forEach((l, sig) => {
    for (let j = 0; j < l.length; j++, q++) {
      const c = byteClass[l[j]];
      labels[q * W + (c >>> 5)] |= 1 << (c & 31);
      (j === 0 ? succ[0] : succ[q - 1]).push(q);
      if (j === l.length - 1) accept[q].push([sig, 0]);
    }
  });
  const followStart = new Uint32Array(n + 1);
  const follow: number[] = [];
  succ.forEach((s, p) => { follow.push(...s.sort((a, b) => a - b)); followStart[p + 1] = follow.length; });
  const acceptStart = new Uint32Array(n + 1);
  const acceptSig: number[] = [];
  accept.forEach((a, p) => { for (const [s] of a) acceptSig.push(s); acceptStart[p + 1] = acceptSig.length; });
  return {
    stateCount: n, classCount: C, byteClass, classRep, classWords: W, labels, followStart,
    follow: Uint32Array.from(follow), start: Uint32Array.of(0),
    acceptStart, acceptSig: Uint32Array.from(acceptSig), acceptDelta: new Uint8Array(acceptSig.length),
    endStart: new Uint32Array(n + 1), endSig: new Uint32Array(0), endDelta: new Uint8Array(0),
    signatureCount: literals.length,
  };
}

/** Deterministic pseudo-random bytes (xorshift32), biased towards `alphabet` when given. */
export function pseudoRandomBytes(len: number, seed: number, alphabet?: Uint8Array): Uint8Array {
  const out = new Uint8Array(len);
  let x = seed | 0 || 1;
  for (let i = 0; i < len; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = alphabet ? alphabet[(x >>> 0) % alphabet.length] : x & 255;
  }
  return out;
}

export function randomLiterals(count: number, minLen: number, maxLen: number, seed: number, alphabet: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let k = 0; k < count; k++) {
    const r = pseudoRandomBytes(2, seed + k * 7919);
    const len = minLen + (r[0] % (maxLen - minLen + 1));
    out.push(pseudoRandomBytes(len, seed * 31 + k + 1, alphabet));
  }
  return out;
}
