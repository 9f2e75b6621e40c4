/**
 * State numbering for the symbolic engine. The NFA-OBDD encodes state numbers in binary, so
 * which states get neighbouring numbers decides how large the frontier BDDs are: a set of
 * states with consecutive numbers is a handful of nodes, the same count scattered over the
 * range is about one path each.
 *
 * The builder numbers states signature by signature. On ET Open over HTTP payloads about
 * half of the frontier at any byte are first positions, entered straight from the
 * unanchored start loop (measured: 115 of 249 states per byte; 3,908 first positions among
 * 190k states). Which of them are entered depends only on the byte's class, so numbering
 * the first positions together, grouped by label, turns that half of every frontier into a
 * few ranges. `entryOrder` does that; `permuteStates` applies any order (an isomorphism:
 * same language, same acceptance per signature).
 */
import type { Nfa } from './types.js';

/** The NFA with state `order[k]` renamed k (order: a permutation of 0..stateCount-1). */
export function permuteStates(nfa: Nfa, order: ArrayLike<number>): Nfa {
  const n = nfa.stateCount;
  if (order.length !== n) throw new RangeError(`permutation of ${order.length} states for ${n}`);
  const newOf = new Uint32Array(n).fill(0xffffffff);
  for (let k = 0; k < n; k++) {
    const old = order[k]!;
    if (old >= n || newOf[old] !== 0xffffffff) throw new RangeError('not a permutation');
    newOf[old] = k;
  }
  const W = nfa.classWords;
  const labels = new Uint32Array(n * W);
  const followStart = new Uint32Array(n + 1);
  const follow = new Uint32Array(nfa.follow.length);
  const csr = (starts: Uint32Array, cols: Array<ArrayLike<number>>) => {
    const s2 = new Uint32Array(n + 1);
    const out = cols.map((c) => new (c.constructor as Uint32ArrayConstructor)(c.length));
    let w = 0;
    for (let k = 0; k < n; k++) {
      const old = order[k]!;
      for (let j = starts[old]!; j < starts[old + 1]!; j++, w++) cols.forEach((c, i) => (out[i]![w] = c[j]!));
      s2[k + 1] = w;
    }
    return { s2, out };
  };
  let e = 0;
  for (let k = 0; k < n; k++) {
    const old = order[k]!;
    labels.set(nfa.labels.subarray(old * W, old * W + W), k * W);
    const from = e;
    for (let j = nfa.followStart[old]!; j < nfa.followStart[old + 1]!; j++) follow[e++] = newOf[nfa.follow[j]!]!;
    follow.subarray(from, e).sort();
    followStart[k + 1] = e;
  }
  const acc = csr(nfa.acceptStart, [nfa.acceptSig, nfa.acceptDelta]);
  const end = csr(nfa.endStart, [nfa.endSig, nfa.endDelta]);
  return {
    stateCount: n,
    classCount: nfa.classCount,
    byteClass: nfa.byteClass,
    classRep: nfa.classRep,
    classWords: W,
    labels,
    followStart,
    follow,
    start: Uint32Array.from(nfa.start, (q) => newOf[q]!).sort(),
    acceptStart: acc.s2,
    acceptSig: acc.out[0] as Uint32Array,
    acceptDelta: acc.out[1] as unknown as Uint8Array,
    endStart: end.s2,
    endSig: end.out[0] as Uint32Array,
    endDelta: end.out[1] as unknown as Uint8Array,
    signatureCount: nfa.signatureCount,
  };
}

/**
 * Start states first (in their order), then the first positions (successors of a start
 * state) sorted by label (lowest class first, then the rest of the row) so that states a
 * class enters together are numbered together, then every other state in builder order.
 */
export function entryOrder(nfa: Nfa): Uint32Array {
  const n = nfa.stateCount;
  const W = nfa.classWords;
  const isStart = new Uint8Array(n);
  for (const q of nfa.start) isStart[q] = 1;
  // Start states: state 0 and the unanchored loop (states that follow themselves among
  // the successors of state 0).
  for (let j = nfa.followStart[0]!; j < nfa.followStart[1]!; j++) {
    const q = nfa.follow[j]!;
    for (let i = nfa.followStart[q]!; i < nfa.followStart[q + 1]!; i++) if (nfa.follow[i] === q) isStart[q] = 1;
  }
  const starts: number[] = [];
  for (let q = 0; q < n; q++) if (isStart[q]) starts.push(q);
  const isFirst = new Uint8Array(n);
  for (const p of starts) {
    for (let j = nfa.followStart[p]!; j < nfa.followStart[p + 1]!; j++) {
      const q = nfa.follow[j]!;
      if (!isStart[q]) isFirst[q] = 1;
    }
  }
  const firsts: number[] = [];
  const rest: number[] = [];
  for (let q = 0; q < n; q++) {
    if (isStart[q]) continue;
    (isFirst[q] ? firsts : rest).push(q);
  }
  const cmp = (a: number, b: number): number => {
    for (let w = 0; w < W; w++) {
      const x = nfa.labels[a * W + w]!, y = nfa.labels[b * W + w]!;
      if (x === y) continue;
      // Compare as bit strings from class 0 upwards: the lowest differing class decides.
      const d = (x ^ y) >>> 0;
      const low = d & -d;
      return (x & low) !== 0 ? -1 : 1;
    }
    return a - b;
  };
  firsts.sort(cmp);
  return Uint32Array.from([...starts, ...firsts, ...rest]);
}
