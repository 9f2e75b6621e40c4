/**
 * Subset construction: the combined position NFA (src/nfa/types.ts) becomes one DFA over
 * the NFA's byte classes, with a dense premultiplied transition table.
 *
 * Guarantees:
 * - The DFA accepts exactly like the NFA frontier simulation: DFA state D is the frontier
 *   (a set of NFA states) reached after the same bytes, its accept list is the union of
 *   its NFA states' (signature, delta) entries, its end list likewise. Lists are sorted
 *   delta 1 first (the earlier end), then by signature, and hold no duplicates, so the
 *   reporter sees ends of one step in increasing order.
 * - Construction stops with a `LimitExceededError` as soon as the state budget or the
 *   memory estimate is exceeded; the error says how many states had been built. That
 *   blow-up is a measured result for the comparison, not a crash.
 *
 * Table layout: `table[s + c]` for a premultiplied state id `s` (= state index ×
 * classCount) and a class `c` holds the premultiplied target, bit-complemented (`~t`,
 * negative) when the target has a non-empty accept list, so the scan loop tests for
 * acceptance with one sign check and never divides on the common path.
 *
 * State sets are kept as sorted Uint32 runs in one growing pool and interned with an
 * open-addressing hash table keyed by their content; no strings, no Maps.
 */
import { LimitExceededError, UsageError } from '../../errors.js';
import type { Nfa } from '../../nfa/types.js';

export interface DfaBuildOptions {
  /** Maximum number of DFA states (after which construction stops with LimitExceededError). @default 100_000 */
  maxStates?: number;
  /** Maximum estimated memory for the table plus the state-set pool, in bytes. @default 512 MiB */
  maxBytes?: number;
  /** Merge equivalent states (Moore refinement respecting accept and end lists). @default true */
  minimize?: boolean;
}

export const DEFAULT_MAX_DFA_STATES = 100_000;
export const DEFAULT_MAX_DFA_BYTES = 512 * 1024 * 1024;

/** An immutable DFA; see the module comment for the table encoding. */
export interface Dfa {
  readonly stateCount: number;
  readonly classCount: number;
  readonly byteClass: Uint8Array;
  /** stateCount × classCount premultiplied targets, `~t` when the target accepts. */
  readonly table: Int32Array;
  /** Premultiplied start state (the NFA's start frontier). */
  readonly start: number;
  /** CSR per state index: acceptance entries after a byte (delta 1 first). */
  readonly acceptStart: Uint32Array;
  readonly acceptSig: Uint32Array;
  readonly acceptDelta: Uint8Array;
  /** CSR per state index: acceptance at end of input (delta 1 first). */
  readonly endStart: Uint32Array;
  readonly endSig: Uint32Array;
  readonly endDelta: Uint8Array;
  readonly signatureCount: number;
  /** Figures for stats: NFA size, states before minimisation, build time. */
  readonly nfaStates: number;
  readonly statesBeforeMinimize: number;
  readonly buildMs: number;
}

/** Options arrive untyped through compile(): bad values are usage errors, not crashes. */
export function checkDfaOptions(options: DfaBuildOptions): void {
  for (const key of ['maxStates', 'maxBytes'] as const) {
    const v = options[key];
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) {
      throw new UsageError(`dfa option ${key} must be a positive integer (got ${String(v)})`);
    }
  }
  if (options.minimize !== undefined && typeof options.minimize !== 'boolean') {
    throw new UsageError(`dfa option minimize must be a boolean (got ${String(options.minimize)})`);
  }
}

/** Growable Uint32 vector; the pool of state sets and CSR builders use it. */
class U32Vec {
  data: Uint32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Uint32Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = v;
  }
  grow(min: number): void {
    let cap = this.data.length * 2;
    while (cap < min) cap *= 2;
    const next = new Uint32Array(cap);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  toArray(): Uint32Array {
    return this.data.slice(0, this.length);
  }
}

function hashRun(a: Uint32Array, from: number, to: number): number {
  let h = 0x811c9dc5 ^ (to - from);
  for (let i = from; i < to; i++) {
    h = Math.imul(h ^ a[i]!, 0x01000193);
    h ^= h >>> 15;
  }
  return Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
}

/** Build the (optionally minimised) DFA of `nfa`. Throws LimitExceededError on blow-up. */
export function buildDfa(nfa: Nfa, options: DfaBuildOptions = {}): Dfa {
  const t0 = performance.now();
  checkDfaOptions(options);
  const maxStates = options.maxStates ?? DEFAULT_MAX_DFA_STATES;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_DFA_BYTES;
  const C = nfa.classCount;
  const W = nfa.classWords;
  const N = nfa.stateCount;
  const labels = nfa.labels;
  const followStart = nfa.followStart;
  const follow = nfa.follow;

  // Interned state sets: pool[setStart[d] .. setStart[d+1]) is DFA state d's NFA states.
  const pool = new U32Vec(4096);
  const setStart = new U32Vec(1024);
  setStart.push(0);
  let slots = new Int32Array(1024).fill(-1);
  let slotMask = slots.length - 1;
  let count = 0;
  let tableVec = new Int32Array(64 * C);

  const budgetDetail = (): string =>
    `subset construction of ${N} NFA states over ${C} byte classes stopped after ${count} DFA states`;

  /** Find or add the set held in `run[from..to)`; returns its state index. */
  const intern = (run: Uint32Array, from: number, to: number): number => {
    const h = hashRun(run, from, to);
    const len = to - from;
    for (let i = h & slotMask; ; i = (i + 1) & slotMask) {
      const d = slots[i]!;
      if (d < 0) {
        if (count >= maxStates) {
          throw new LimitExceededError('dfa states', maxStates, count + 1, budgetDetail());
        }
        if ((count + 1) * C > 0x7fffffff) {
          // Premultiplied ids are int32 table entries.
          throw new LimitExceededError('dfa table entries', 0x7fffffff, (count + 1) * C, budgetDetail());
        }
        const bytes = (count + 1) * C * 4 + (pool.length + len) * 4 + slots.length * 4;
        if (bytes > maxBytes) {
          throw new LimitExceededError('dfa bytes', maxBytes, bytes, budgetDetail());
        }
        if (pool.length + len > pool.data.length) pool.grow(pool.length + len);
        pool.data.set(run.subarray(from, to), pool.length);
        pool.length += len;
        setStart.push(pool.length);
        slots[i] = count;
        if (++count * 2 > slots.length) rehash();
        return count - 1;
      }
      const s = setStart.data[d]!;
      if (setStart.data[d + 1]! - s !== len) continue;
      let eq = true;
      for (let k = 0; k < len; k++) {
        if (pool.data[s + k] !== run[from + k]) {
          eq = false;
          break;
        }
      }
      if (eq) return d;
    }
  };
  const rehash = (): void => {
    slots = new Int32Array(slots.length * 2).fill(-1);
    slotMask = slots.length - 1;
    for (let d = 0; d < count; d++) {
      const s = setStart.data[d]!;
      const e = setStart.data[d + 1]!;
      let i = hashRun(pool.data, s, e) & slotMask;
      while (slots[i]! >= 0) i = (i + 1) & slotMask;
      slots[i] = d;
    }
  };

  // Scratch for one expansion: successor union (stamped), per-class buckets (CSR).
  const stamp = new Int32Array(N).fill(-1);
  let succ = new Uint32Array(Math.max(16, N));
  const bucketCount = new Uint32Array(C + 1);
  let bucket = new Uint32Array(64);

  const startSet = Uint32Array.from(nfa.start).sort();
  intern(startSet, 0, startSet.length);

  for (let d = 0; d < count; d++) {
    // The pool may grow (and move) while this state's targets are interned: copy bounds.
    const s0 = setStart.data[d]!;
    const s1 = setStart.data[d + 1]!;
    let n = 0;
    for (let i = s0; i < s1; i++) {
      const p = pool.data[i]!;
      for (let f = followStart[p]!, fe = followStart[p + 1]!; f < fe; f++) {
        const q = follow[f]!;
        if (stamp[q] !== d) {
          stamp[q] = d;
          succ[n++] = q;
        }
      }
    }
    const sorted = succ.subarray(0, n).sort();
    // Count, then fill, the states each class may enter; sorted input keeps buckets sorted.
    bucketCount.fill(0);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const row = sorted[i]! * W;
      for (let w = 0; w < W; w++) {
        let bits = labels[row + w]!;
        while (bits !== 0) {
          const low = bits & -bits;
          bucketCount[(w << 5) + 31 - Math.clz32(low) + 1]++;
          total++;
          bits ^= low;
        }
      }
    }
    for (let c = 0; c < C; c++) bucketCount[c + 1] += bucketCount[c]!;
    if (bucket.length < total) bucket = new Uint32Array(Math.max(total, bucket.length * 2));
    for (let i = 0; i < n; i++) {
      const q = sorted[i]!;
      const row = q * W;
      for (let w = 0; w < W; w++) {
        let bits = labels[row + w]!;
        while (bits !== 0) {
          const low = bits & -bits;
          bucket[bucketCount[(w << 5) + 31 - Math.clz32(low)]!++] = q;
          bits ^= low;
        }
      }
    }
    // bucketCount[c] now holds the end of bucket c (= start of c + 1); bucket c starts at
    // the previous end. Consecutive classes often enter the same set: reuse the last id.
    if (tableVec.length < count * C + C) {
      const next = new Int32Array(Math.max(tableVec.length * 2, (count + 1) * C));
      next.set(tableVec);
      tableVec = next;
    }
    let prevFrom = -1;
    let prevTo = -1;
    let prevId = -1;
    for (let c = 0; c < C; c++) {
      const from = c === 0 ? 0 : bucketCount[c - 1]!;
      const to = bucketCount[c]!;
      let id: number;
      if (prevId >= 0 && to - from === prevTo - prevFrom && sameRun(bucket, from, prevFrom, to - from)) {
        id = prevId;
      } else {
        id = intern(bucket, from, to);
      }
      prevFrom = from;
      prevTo = to;
      prevId = id;
      tableVec[d * C + c] = id;
    }
    if (succ.length < N) succ = new Uint32Array(N);
  }

  const built = count;
  // Accept and end lists per state: union of the NFA states' entries, deduplicated.
  const acc = collectLists(nfa, pool.data, setStart.data, count, nfa.acceptStart, nfa.acceptSig, nfa.acceptDelta);
  const end = collectLists(nfa, pool.data, setStart.data, count, nfa.endStart, nfa.endSig, nfa.endDelta);
  const dfa = encodeDfa({ ...nfa, nfaStates: N }, count, tableVec.subarray(0, count * C), 0, acc, end, built, t0);
  return (options.minimize ?? true) ? minimize(dfa) : dfa;
}

/** Table encoding (premultiplied, `~t` for accepting targets) of plain transitions. */
function encodeDfa(
  base: Pick<Dfa, 'classCount' | 'byteClass' | 'signatureCount' | 'nfaStates'>,
  count: number,
  trans: Int32Array,
  startIndex: number,
  acc: AcceptLists,
  end: AcceptLists,
  statesBeforeMinimize: number,
  t0: number,
): Dfa {
  const C = base.classCount;
  const table = new Int32Array(count * C);
  for (let d = 0; d < count; d++) {
    for (let c = 0; c < C; c++) {
      const t = trans[d * C + c]!;
      const pre = t * C;
      table[d * C + c] = acc.start[t + 1]! > acc.start[t]! ? ~pre : pre;
    }
  }
  return {
    stateCount: count,
    classCount: C,
    byteClass: base.byteClass,
    table,
    start: startIndex * C,
    acceptStart: acc.start,
    acceptSig: acc.sig,
    acceptDelta: acc.delta,
    endStart: end.start,
    endSig: end.sig,
    endDelta: end.delta,
    signatureCount: base.signatureCount,
    nfaStates: base.nfaStates,
    statesBeforeMinimize,
    buildMs: performance.now() - t0,
  };
}

/** The minimal DFA equivalent to `dfa` (same reports on every input); see minimizeDfa. */
export function minimize(dfa: Dfa): Dfa {
  const t0 = performance.now() - dfa.buildMs;
  const C = dfa.classCount;
  const trans = new Int32Array(dfa.table.length);
  for (let i = 0; i < trans.length; i++) {
    const t = dfa.table[i]!;
    trans[i] = (t < 0 ? ~t : t) / C;
  }
  const acc = { start: dfa.acceptStart, sig: dfa.acceptSig, delta: dfa.acceptDelta };
  const end = { start: dfa.endStart, sig: dfa.endSig, delta: dfa.endDelta };
  const m = minimizeDfa(dfa.stateCount, C, trans, dfa.start / C, acc, end);
  if (m.count === dfa.stateCount) return dfa;
  return encodeDfa(dfa, m.count, m.trans, m.start, m.acc, m.end, dfa.statesBeforeMinimize, t0);
}

function sameRun(a: Uint32Array, x: number, y: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (a[x + k] !== a[y + k]) return false;
  return true;
}

/** Per-state acceptance lists in CSR form. */
export interface AcceptLists {
  start: Uint32Array;
  sig: Uint32Array;
  delta: Uint8Array;
}

/**
 * Union of (sig, delta) entries over each state's NFA states, without duplicates, ordered
 * delta 1 first then by signature: a canonical form, so equal lists compare equal.
 */
function collectLists(
  nfa: Nfa,
  pool: Uint32Array,
  setStart: Uint32Array,
  count: number,
  aStart: Uint32Array,
  aSig: Uint32Array,
  aDelta: Uint8Array,
): AcceptLists {
  const start = new Uint32Array(count + 1);
  const sig = new U32Vec(256);
  const delta: number[] = [];
  const seen = [new Int32Array(nfa.signatureCount).fill(-1), new Int32Array(nfa.signatureCount).fill(-1)];
  const ones: number[] = [];
  const zeros: number[] = [];
  for (let d = 0; d < count; d++) {
    ones.length = 0;
    zeros.length = 0;
    for (let i = setStart[d]!, e = setStart[d + 1]!; i < e; i++) {
      const q = pool[i]!;
      for (let k = aStart[q]!, ke = aStart[q + 1]!; k < ke; k++) {
        const s = aSig[k]!;
        const dl = aDelta[k]! === 0 ? 0 : 1;
        const mark = seen[dl]!;
        if (mark[s] === d) continue;
        mark[s] = d;
        (dl === 1 ? ones : zeros).push(s);
      }
    }
    ones.sort((a, b) => a - b);
    zeros.sort((a, b) => a - b);
    for (const s of ones) {
      sig.push(s);
      delta.push(1);
    }
    for (const s of zeros) {
      sig.push(s);
      delta.push(0);
    }
    start[d + 1] = sig.length;
  }
  return { start, sig: sig.toArray(), delta: Uint8Array.from(delta) };
}

/**
 * Hopcroft partition refinement (block splitters, all classes per splitter; the smaller
 * half rule gives O(n·C·log n)). Two states end up merged only when their accept lists
 * and end lists are identical (canonical form above) and every class leads to merged
 * states, so the reported (signature, end) pairs are unchanged on every input. Inverse
 * transitions are a CSR indexed by (target × C + class): about twice the table's memory,
 * transiently.
 */
export function minimizeDfa(
  count: number,
  C: number,
  trans: Int32Array,
  start: number,
  acc: AcceptLists,
  end: AcceptLists,
): { count: number; trans: Int32Array; start: number; acc: AcceptLists; end: AcceptLists } {
  const n = count;
  // Inverse transitions: sources of (t, c) are pred[predStart[t*C+c] .. predStart[t*C+c+1]).
  const predStart = new Int32Array(n * C + 1);
  for (let i = 0; i < n * C; i++) predStart[trans[i]! * C + (i % C) + 1]++;
  for (let k = 0; k < n * C; k++) predStart[k + 1] += predStart[k]!;
  const pred = new Int32Array(n * C);
  {
    const fill = predStart.slice(0, n * C);
    for (let d = 0; d < n; d++) {
      for (let c = 0; c < C; c++) pred[fill[trans[d * C + c]! * C + c]!++] = d;
    }
  }
  // Partition: elems is a permutation of states grouped by block; block b owns
  // elems[first[b] .. end[b]) and its marked members sit in [first[b] .. mid[b]).
  const elems = new Int32Array(n);
  const loc = new Int32Array(n);
  const blk = new Int32Array(n);
  const first = new Int32Array(n + 1);
  const endB = new Int32Array(n + 1);
  const mid = new Int32Array(n + 1);
  let blocks = 0;
  {
    const keys = new Map<string, number>();
    const key = new Int32Array(n);
    const sizes: number[] = [];
    for (let d = 0; d < n; d++) {
      const k = `${listKey(acc, d)}|${listKey(end, d)}`;
      let b = keys.get(k);
      if (b === undefined) {
        b = blocks++;
        keys.set(k, b);
        sizes.push(0);
      }
      key[d] = b;
      sizes[b]!++;
    }
    let o = 0;
    for (let b = 0; b < blocks; b++) {
      first[b] = mid[b] = o;
      o += sizes[b]!;
      endB[b] = o;
    }
    const fill = first.slice(0, blocks);
    for (let d = 0; d < n; d++) {
      const b = key[d]!;
      blk[d] = b;
      loc[d] = fill[b]!;
      elems[fill[b]!++] = d;
    }
  }
  const work = new Int32Array(n + 1);
  const inWork = new Uint8Array(n + 1);
  let workLen = 0;
  {
    // Every initial block but the largest (its role is played by the complement).
    let largest = 0;
    for (let b = 1; b < blocks; b++) if (endB[b]! - first[b]! > endB[largest]! - first[largest]!) largest = b;
    for (let b = 0; b < blocks; b++) {
      if (b !== largest) {
        work[workLen++] = b;
        inWork[b] = 1;
      }
    }
  }
  const splitter = new Int32Array(n);
  const touched = new Int32Array(n);
  while (workLen > 0) {
    const B = work[--workLen]!;
    inWork[B] = 0;
    // Snapshot: B may split while it is used; splitting by the old B stays sound.
    const sLen = endB[B]! - first[B]!;
    splitter.set(elems.subarray(first[B]!, endB[B]!));
    for (let c = 0; c < C; c++) {
      let nTouched = 0;
      for (let i = 0; i < sLen; i++) {
        const t = splitter[i]!;
        for (let k = predStart[t * C + c]!, ke = predStart[t * C + c + 1]!; k < ke; k++) {
          const p = pred[k]!;
          const b = blk[p]!;
          const l = loc[p]!;
          const m = mid[b]!;
          if (l < m) continue; // already marked
          if (m === first[b]) touched[nTouched++] = b;
          // Swap p into the marked prefix.
          const q = elems[m]!;
          elems[m] = p;
          loc[p] = m;
          elems[l] = q;
          loc[q] = l;
          mid[b] = m + 1;
        }
      }
      for (let i = 0; i < nTouched; i++) {
        const b = touched[i]!;
        const m = mid[b]!;
        mid[b] = first[b]!;
        if (m === endB[b]) continue; // every member marked: no split
        // Split: the marked part [first, m) becomes a new block Y.
        const Y = blocks++;
        first[Y] = mid[Y] = first[b]!;
        endB[Y] = m;
        first[b] = mid[b] = m;
        for (let k = first[Y]!; k < m; k++) blk[elems[k]!] = Y;
        if (inWork[b]) {
          work[workLen++] = Y;
          inWork[Y] = 1;
        } else {
          const small = endB[Y]! - first[Y]! <= endB[b]! - first[b]! ? Y : b;
          work[workLen++] = small;
          inWork[small] = 1;
        }
      }
    }
  }
  if (blocks === count) return { count, trans, start, acc, end };
  // Number blocks in order of their first state so the start state's block order is stable.
  const id = new Int32Array(blocks).fill(-1);
  const rep: number[] = [];
  for (let d = 0; d < n; d++) {
    if (id[blk[d]!]! < 0) {
      id[blk[d]!] = rep.length;
      rep.push(d);
    }
  }
  const outTrans = new Int32Array(blocks * C);
  for (let b = 0; b < blocks; b++) {
    const d = rep[b]!;
    for (let c = 0; c < C; c++) outTrans[b * C + c] = id[blk[trans[d * C + c]!]!]!;
  }
  const reps = Int32Array.from(rep);
  return {
    count: blocks,
    trans: outTrans,
    start: id[blk[start]!]!,
    acc: remapLists(acc, reps),
    end: remapLists(end, reps),
  };
}

function listKey(l: AcceptLists, d: number): string {
  let k = '';
  for (let i = l.start[d]!, e = l.start[d + 1]!; i < e; i++) k += `${l.delta[i]}:${l.sig[i]},`;
  return k;
}

function remapLists(l: AcceptLists, rep: Int32Array): AcceptLists {
  const start = new Uint32Array(rep.length + 1);
  let n = 0;
  for (let b = 0; b < rep.length; b++) n += l.start[rep[b]! + 1]! - l.start[rep[b]!]!;
  const sig = new Uint32Array(n);
  const delta = new Uint8Array(n);
  let o = 0;
  for (let b = 0; b < rep.length; b++) {
    const d = rep[b]!;
    for (let i = l.start[d]!, e = l.start[d + 1]!; i < e; i++) {
      sig[o] = l.sig[i]!;
      delta[o++] = l.delta[i]!;
    }
    start[b + 1] = o;
  }
  return { start, sig, delta };
}
