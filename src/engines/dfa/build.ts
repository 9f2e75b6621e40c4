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
import type { OptionKeysOf } from '../../matcher/options.js';

/** Options of the `dfa` engine (and, with a smaller state default, of each `mdfa` group). */
export interface DfaBuildOptions {
  /** Maximum number of DFA states (after which construction stops with LimitExceededError). @default 100_000 */
  maxStates?: number;
  /** Maximum estimated memory for the table plus the state-set pool, in bytes. @default 512 MiB */
  maxBytes?: number;
  /** Merge equivalent states (Moore refinement respecting accept and end lists). @default true */
  minimize?: boolean;
}

/** Default `maxStates` of the dfa engine, in DFA states. */
export const DEFAULT_MAX_DFA_STATES = 100_000;
/** Default `maxBytes` of the dfa engine: table plus state-set pool, in bytes. */
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

/** The option keys of the `dfa` engine (checked by compile() for untyped callers). */
export const DFA_OPTION_KEYS: OptionKeysOf<DfaBuildOptions> = { maxStates: true, maxBytes: true, minimize: true };

/**
 * Options may arrive untyped (compile(), CLI labels): throws UsageError naming the option
 * and `engine` when a value has the wrong type, rather than crashing later.
 */
export function checkDfaOptions(options: DfaBuildOptions, engine: 'dfa' | 'mdfa' = 'dfa'): void {
  for (const key of ['maxStates', 'maxBytes'] as const) {
    const v = options[key];
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) {
      throw new UsageError(`${engine} option ${key} must be a positive integer (got ${String(v)})`);
    }
  }
  if (options.minimize !== undefined && typeof options.minimize !== 'boolean') {
    throw new UsageError(`${engine} option minimize must be a boolean (got ${String(options.minimize)})`);
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

/**
 * Interned NFA-state sets, one per DFA state: pool[setStart[d] .. setStart[d+1]) holds DFA
 * state d's NFA states (sorted). Adding a set past the budgets throws LimitExceededError.
 */
class StateSets {
  readonly pool = new U32Vec(4096);
  readonly setStart = new U32Vec(1024);
  private slots = new Int32Array(1024).fill(-1);
  private slotMask = this.slots.length - 1;
  count = 0;

  constructor(
    private readonly nfaStates: number,
    private readonly classCount: number,
    private readonly maxStates: number,
    private readonly maxBytes: number,
  ) {
    this.setStart.push(0);
  }

  /** Find or add the set held in `run[from..to)`; returns its state index. */
  intern(run: Uint32Array, from: number, to: number): number {
    const { pool, setStart } = this;
    const h = hashRun(run, from, to);
    const len = to - from;
    for (let i = h & this.slotMask; ; i = (i + 1) & this.slotMask) {
      const d = this.slots[i]!;
      if (d < 0) return this.add(run, from, to, i);
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
  }

  private add(run: Uint32Array, from: number, to: number, slot: number): number {
    const { pool, count, classCount: C } = this;
    const len = to - from;
    if (count >= this.maxStates) {
      throw new LimitExceededError('dfa states', this.maxStates, count + 1, this.budgetDetail());
    }
    if ((count + 1) * C > 0x7fffffff) {
      // Premultiplied ids are int32 table entries.
      throw new LimitExceededError('dfa table entries', 0x7fffffff, (count + 1) * C, this.budgetDetail());
    }
    const bytes = (count + 1) * C * 4 + (pool.length + len) * 4 + this.slots.length * 4;
    if (bytes > this.maxBytes) {
      throw new LimitExceededError('dfa bytes', this.maxBytes, bytes, this.budgetDetail());
    }
    if (pool.length + len > pool.data.length) pool.grow(pool.length + len);
    pool.data.set(run.subarray(from, to), pool.length);
    pool.length += len;
    this.setStart.push(pool.length);
    this.slots[slot] = count;
    if (++this.count * 2 > this.slots.length) this.rehash();
    return count;
  }

  private rehash(): void {
    const { pool, setStart } = this;
    this.slots = new Int32Array(this.slots.length * 2).fill(-1);
    this.slotMask = this.slots.length - 1;
    for (let d = 0; d < this.count; d++) {
      const s = setStart.data[d]!;
      const e = setStart.data[d + 1]!;
      let i = hashRun(pool.data, s, e) & this.slotMask;
      while (this.slots[i]! >= 0) i = (i + 1) & this.slotMask;
      this.slots[i] = d;
    }
  }

  private budgetDetail(): string {
    return `subset construction of ${this.nfaStates} NFA states over ${this.classCount} byte classes stopped after ${this.count} DFA states`;
  }
}

/**
 * The successors of one DFA state per byte class, as CSR buckets over `bucket`: after
 * `expand`, bucket c spans [c === 0 ? 0 : bucketCount[c - 1], bucketCount[c]), sorted.
 */
class Successors {
  /** stamp[q] === d ⇔ q is already in the successor union of DFA state d. */
  private readonly stamp: Int32Array;
  private succ: Uint32Array;
  readonly bucketCount: Uint32Array;
  bucket = new Uint32Array(64);

  constructor(private readonly nfa: Nfa) {
    this.stamp = new Int32Array(nfa.stateCount).fill(-1);
    this.succ = new Uint32Array(Math.max(16, nfa.stateCount));
    this.bucketCount = new Uint32Array(nfa.classCount + 1);
  }

  /** Fills the buckets of DFA state `d`, whose NFA states are `pool[s0..s1)`. */
  expand(d: number, pool: Uint32Array, s0: number, s1: number): void {
    const { followStart, follow, labels, classWords: W, classCount: C } = this.nfa;
    const { stamp, succ, bucketCount } = this;
    let n = 0;
    for (let i = s0; i < s1; i++) {
      const p = pool[i]!;
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
    if (this.bucket.length < total) this.bucket = new Uint32Array(Math.max(total, this.bucket.length * 2));
    const bucket = this.bucket;
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
    // bucketCount[c] now holds the end of bucket c (= start of c + 1).
  }
}

/**
 * Interns the target set of every class of the expanded state into `row` (C entries).
 * Consecutive classes often enter the same set: the last id is reused without hashing.
 */
function internTargets(sets: StateSets, succ: Successors, C: number, row: Int32Array, at: number): void {
  const { bucket, bucketCount } = succ;
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
      id = sets.intern(bucket, from, to);
    }
    prevFrom = from;
    prevTo = to;
    prevId = id;
    row[at + c] = id;
  }
}

/**
 * Build the (optionally minimised) DFA of `nfa` by subset construction. Throws UsageError
 * for ill-typed options and LimitExceededError past `maxStates` or `maxBytes`.
 */
export function buildDfa(nfa: Nfa, options: DfaBuildOptions = {}): Dfa {
  const t0 = performance.now();
  checkDfaOptions(options);
  const C = nfa.classCount;
  const N = nfa.stateCount;
  const sets = new StateSets(N, C, options.maxStates ?? DEFAULT_MAX_DFA_STATES, options.maxBytes ?? DEFAULT_MAX_DFA_BYTES);
  const succ = new Successors(nfa);
  let tableVec = new Int32Array(64 * C);

  const startSet = Uint32Array.from(nfa.start).sort();
  sets.intern(startSet, 0, startSet.length);
  for (let d = 0; d < sets.count; d++) {
    // The pool may grow (and move) while this state's targets are interned: expand first.
    succ.expand(d, sets.pool.data, sets.setStart.data[d]!, sets.setStart.data[d + 1]!);
    if (tableVec.length < sets.count * C + C) {
      const next = new Int32Array(Math.max(tableVec.length * 2, (sets.count + 1) * C));
      next.set(tableVec);
      tableVec = next;
    }
    internTargets(sets, succ, C, tableVec, d * C);
  }

  const count = sets.count;
  const pool = sets.pool.data;
  const setStart = sets.setStart.data;
  // Accept and end lists per state: union of the NFA states' entries, deduplicated.
  const acc = collectLists(nfa, pool, setStart, count, nfa.acceptStart, nfa.acceptSig, nfa.acceptDelta);
  const end = collectLists(nfa, pool, setStart, count, nfa.endStart, nfa.endSig, nfa.endDelta);
  const dfa = encodeDfa({ ...nfa, nfaStates: N }, count, tableVec.subarray(0, count * C), 0, acc, end, count, t0);
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
  const part = initialPartition(count, acc, end);
  refine(part, C, inverseTransitions(count, C, trans));
  if (part.blocks === count) return { count, trans, start, acc, end };
  return quotient(part, count, C, trans, start, acc, end);
}

/** Inverse transitions: the sources of (t, c) are pred[predStart[t*C+c] .. predStart[t*C+c+1]). */
interface Inverse {
  predStart: Int32Array;
  pred: Int32Array;
}

function inverseTransitions(n: number, C: number, trans: Int32Array): Inverse {
  const predStart = new Int32Array(n * C + 1);
  for (let i = 0; i < n * C; i++) predStart[trans[i]! * C + (i % C) + 1]++;
  for (let k = 0; k < n * C; k++) predStart[k + 1] += predStart[k]!;
  const pred = new Int32Array(n * C);
  const fill = predStart.slice(0, n * C);
  for (let d = 0; d < n; d++) {
    for (let c = 0; c < C; c++) pred[fill[trans[d * C + c]! * C + c]!++] = d;
  }
  return { predStart, pred };
}

/**
 * A partition of the states: elems is a permutation of states grouped by block; block b
 * owns elems[first[b] .. endB[b]) and its marked members sit in [first[b] .. mid[b]);
 * loc[d] is d's index in elems, blk[d] its block.
 */
interface Partition {
  elems: Int32Array;
  loc: Int32Array;
  blk: Int32Array;
  first: Int32Array;
  endB: Int32Array;
  mid: Int32Array;
  blocks: number;
}

/** One block per distinct (accept list, end list) pair, blocks in order of first state. */
function initialPartition(n: number, acc: AcceptLists, end: AcceptLists): Partition {
  const part: Partition = {
    elems: new Int32Array(n), loc: new Int32Array(n), blk: new Int32Array(n),
    first: new Int32Array(n + 1), endB: new Int32Array(n + 1), mid: new Int32Array(n + 1), blocks: 0,
  };
  const { elems, loc, blk, first, endB, mid } = part;
  const keys = new Map<string, number>();
  const key = new Int32Array(n);
  const sizes: number[] = [];
  for (let d = 0; d < n; d++) {
    const k = `${listKey(acc, d)}|${listKey(end, d)}`;
    let b = keys.get(k);
    if (b === undefined) {
      b = part.blocks++;
      keys.set(k, b);
      sizes.push(0);
    }
    key[d] = b;
    sizes[b]!++;
  }
  let o = 0;
  for (let b = 0; b < part.blocks; b++) {
    first[b] = mid[b] = o;
    o += sizes[b]!;
    endB[b] = o;
  }
  const fill = first.slice(0, part.blocks);
  for (let d = 0; d < n; d++) {
    const b = key[d]!;
    blk[d] = b;
    loc[d] = fill[b]!;
    elems[fill[b]!++] = d;
  }
  return part;
}

/** Refines `part` until every block is stable under every class (Hopcroft). */
function refine(part: Partition, C: number, inv: Inverse): void {
  const { elems, loc, blk, first, endB, mid } = part;
  const { predStart, pred } = inv;
  const n = elems.length;
  const work = new Int32Array(n + 1);
  const inWork = new Uint8Array(n + 1);
  let workLen = 0;
  // Every initial block but the largest (its role is played by the complement).
  let largest = 0;
  for (let b = 1; b < part.blocks; b++) if (endB[b]! - first[b]! > endB[largest]! - first[largest]!) largest = b;
  for (let b = 0; b < part.blocks; b++) {
    if (b !== largest) {
      work[workLen++] = b;
      inWork[b] = 1;
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
        const Y = part.blocks++;
        first[Y] = mid[Y] = first[b]!;
        endB[Y] = m;
        first[b] = mid[b] = m;
        for (let k = first[Y]!; k < m; k++) blk[elems[k]!] = Y;
        const add = inWork[b] ? Y : endB[Y]! - first[Y]! <= endB[b]! - first[b]! ? Y : b;
        work[workLen++] = add;
        inWork[add] = 1;
      }
    }
  }
}

/** The DFA over the blocks of `part`, numbered in order of their first state. */
function quotient(
  part: Partition,
  n: number,
  C: number,
  trans: Int32Array,
  start: number,
  acc: AcceptLists,
  end: AcceptLists,
): { count: number; trans: Int32Array; start: number; acc: AcceptLists; end: AcceptLists } {
  const { blk, blocks } = part;
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
