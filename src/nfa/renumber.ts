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

/**
 * CSR rows reordered: row k of the result is row order[k] of `starts`. Returns the new row
 * starts and, per new entry, the index of the entry it copies (to map each column).
 */
function permuteRows(starts: Uint32Array, order: ArrayLike<number>): { starts: Uint32Array; from: Uint32Array } {
  const n = order.length;
  const out = new Uint32Array(n + 1);
  const from = new Uint32Array(starts[n]!);
  let w = 0;
  for (let k = 0; k < n; k++) {
    const old = order[k]!;
    for (let j = starts[old]!; j < starts[old + 1]!; j++) from[w++] = j;
    out[k + 1] = w;
  }
  return { starts: out, from };
}

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
  for (let k = 0; k < n; k++) labels.set(nfa.labels.subarray(order[k]! * W, order[k]! * W + W), k * W);
  const fol = permuteRows(nfa.followStart, order);
  const follow = Uint32Array.from(fol.from, (j) => newOf[nfa.follow[j]!]!);
  for (let k = 0; k < n; k++) follow.subarray(fol.starts[k]!, fol.starts[k + 1]!).sort();
  const acc = permuteRows(nfa.acceptStart, order);
  const end = permuteRows(nfa.endStart, order);
  return {
    stateCount: n,
    classCount: nfa.classCount,
    byteClass: nfa.byteClass,
    classRep: nfa.classRep,
    classWords: W,
    labels,
    followStart: fol.starts,
    follow,
    start: Uint32Array.from(nfa.start, (q) => newOf[q]!).sort(),
    acceptStart: acc.starts,
    acceptSig: Uint32Array.from(acc.from, (j) => nfa.acceptSig[j]!),
    acceptDelta: Uint8Array.from(acc.from, (j) => nfa.acceptDelta[j]!),
    endStart: end.starts,
    endSig: Uint32Array.from(end.from, (j) => nfa.endSig[j]!),
    endDelta: Uint8Array.from(end.from, (j) => nfa.endDelta[j]!),
    signatureCount: nfa.signatureCount,
  };
}

/**
 * The start states as a mask: the initial frontier and the unanchored loop. The builder
 * puts the loop right after state 0: states 1..k that follow themselves and whose labels
 * partition the byte classes. So the loop is the run of self-following successors of a
 * start state, from the first state after them, that ends once every class is covered; an
 * anchored signature's self-looping first position (also a successor of state 0) comes
 * after it and is not counted.
 */
export function startStates(nfa: Nfa): Uint8Array {
  const n = nfa.stateCount;
  const W = nfa.classWords;
  const isStart = new Uint8Array(n);
  const covered = new Uint32Array(W);
  const follows = (p: number, q: number): boolean => {
    for (let j = nfa.followStart[p]!; j < nfa.followStart[p + 1]!; j++) if (nfa.follow[j] === q) return true;
    return false;
  };
  const cover = (q: number): void => {
    for (let w = 0; w < W; w++) covered[w] |= nfa.labels[q * W + w]!;
  };
  const allCovered = (): boolean => {
    for (let c = 0; c < nfa.classCount; c++) if (!((covered[c >>> 5]! >>> (c & 31)) & 1)) return false;
    return true;
  };
  let next = 0;
  for (const q of nfa.start) {
    isStart[q] = 1;
    if (follows(q, q)) cover(q); // a start state that is itself the loop
    next = Math.max(next, q + 1);
  }
  for (let q = next; q < n && !allCovered(); q++) {
    if (!follows(q, q) || !nfa.start.some((p) => follows(p, q))) break;
    isStart[q] = 1;
    cover(q);
  }
  return isStart;
}

/**
 * Start states first (in their order), then the first positions (successors of a start
 * state) sorted by label (lowest class first, then the rest of the row) so that states a
 * class enters together are numbered together, then every other state in builder order.
 */
export function entryOrder(nfa: Nfa): Uint32Array {
  const n = nfa.stateCount;
  const W = nfa.classWords;
  const isStart = startStates(nfa);
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
