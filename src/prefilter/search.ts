/**
 * The scanning half of the literal prefilter: find, in each input (a packet payload or a
 * stream fed in chunks), the first occurrence of each of many short literals at once.
 *
 * Two engines behind one API (`LiteralSearcherOptions.engine`):
 *
 * 'dfa' (default) — Aho–Corasick compiled to a DENSE DFA:
 * - A trie of the literals plus failure links, every row filled in, so the hot loop does
 *   one table load per input byte and never follows failure links; `n` literals cost one
 *   pass over the input regardless of `n`.
 * - Case folding is free: literals arrive folded (no bytes A-Z); the input byte goes
 *   through one 256-entry table `classOf` that composes the A-Z → a-z fold with the byte
 *   classes. Every byte that occurs in some literal gets its own class; all other bytes
 *   share class 0 (they always lead back to the root). A row has `stride` = class count
 *   entries: ~70 for text-like literal sets, but ~230 for ET Open contents (|hex| bytes).
 * - State ids are premultiplied (id = row index × stride), so the next state is
 *   `trans[s + classOf[byte]]` without a multiply. States are renumbered in BFS order
 *   (shallow, hot rows together) with every state that has an output after every state
 *   without one: "is there a match here?" is one compare against `matchBase`.
 * - Outputs are in CSR form (`outStart`, `outIds`) per match state, flattened along the
 *   dictionary suffix links, so a match state lists every literal that ends there.
 * - Cost: the table is states × classes × 4 bytes (20k ET Open windows: 91k states × 231
 *   classes = 80 MiB). The loop is a chain of dependent loads, so its speed is the cache
 *   latency of the rows visited; shallow rows stay hot, deep ones miss.
 *
 * 'hybrid' (default when the DFA table would exceed `maxDfaBytes`) — the same automaton,
 * but only the first states in BFS order (the shallow, hot ones; `denseBytes` of rows)
 * get dense rows; deeper states keep their trie edges in an open-addressing hash plus a
 * failure link, followed until a dense state answers. Table ~12× smaller on ET Open (4 MiB
 * of rows: 6.3 MiB in all) but each deep step is a hash probe plus a failure hop, so it
 * measured about half the DFA's speed on HTTP payloads.
 *
 * 'filter' — skip-ahead prefix filter, then verify:
 * - A 32 KiB bitmap over a hash of the first w = min(3, shortest literal) classes of every
 *   literal; each input position whose w-byte window hashes to an unset bit is skipped
 *   (no dependency between positions). A set bit goes to an exact map window → depth-w trie
 *   node, then a walk of the sparse trie (edges in an open-addressing hash) reporting the
 *   literals that end on the path. Subtrees whose literals were all seen are pruned.
 * - Streaming: the last maxLen − 1 bytes are carried in the state and the starts inside
 *   them are verified against the head of the next chunk.
 * - Tables ~30× smaller than the DFA, but on HTTP payloads ~22% of positions start with a
 *   3-byte prefix of some ET Open literal, so verification dominates and it measured
 *   2–3× slower than the DFA there; on random literal sets they are about even.
 *
 * Both: only the first occurrence of each literal in an input counts. Per search state, a
 * `seen` stamp per literal and a `done` stamp per match state (trie node) hold the
 * input's generation number: `reset` just bumps the generation (O(1), no clearing), and a
 * match state whose literals were all reported is skipped with one compare. The empty
 * literal is allowed: it is reported once per input, at end 0 of the first chunk scanned
 * after `reset`. The hot loops allocate nothing; hits are reported through a callback.
 */

/** Opaque streaming state of one scan: automaton position plus the per-input 'seen' stamps. */
export interface SearchState {
  /** Brand only: create states with `LiteralSearcher.createState`. */
  readonly __searchState: true;
}

/** The concrete state behind `SearchState`. */
class ScanState implements SearchState {
  readonly __searchState = true as const;
  /** Premultiplied automaton state. */
  s = 0;
  /** Generation of the current input (never 0, so zero-filled stamps mean "not seen"). */
  gen = 1;
  /** Whether the empty literals were reported for this input yet. */
  started = false;
  constructor(
    /** Per literal: the generation in which it was last reported. */
    readonly seen: Uint32Array,
    /** Per match state (DFA) or trie node (filter): the generation in which all its literals were reported. */
    readonly done: Uint32Array,
    /** Filter engine: the last bytes of the input so far (a literal may start there). */
    readonly carry: Uint8Array,
    /** Filter engine: carry + head of the next chunk, for the starts inside the carry. */
    readonly scratch: Uint8Array,
    /** Filter engine, per trie node stamped in `done`: literals of its subtree not yet seen. */
    readonly rem: Uint32Array,
  ) {}
  /** Bytes held in `carry`. */
  carryLen = 0;
  /** Per literal: 1 when its hits are never wanted by this state's owner (`createState`). */
  mute: Uint8Array | undefined = undefined;
  /** Per match state: 1 when it reports every occurrence of some literal (see `LiteralSearcher.open`). */
  open: Uint8Array = new Uint8Array(0);
}

/** Upper bound on premultiplied ids, keeping them small integers (and the table < 8 GiB). */
const MAX_ID = 0x7fffffff;

/** The 256-entry ASCII case fold (A-Z → a-z, every other byte unchanged). */
function foldTable(): Uint8Array {
  const t = new Uint8Array(256);
  for (let b = 0; b < 256; b++) t[b] = b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
  return t;
}

/** The trie, as built before the DFA: nodes numbered in insertion order, root = 0. */
interface Trie {
  /** Key `node * stride + class` → child node. */
  edges: Map<number, number>;
  /** Per node: the literal ids ending exactly there. */
  own: number[][];
  /** Class count (row width). */
  stride: number;
  /** Raw input byte → class (fold composed). */
  classOf: Uint8Array;
  /** Ids of empty literals. */
  empty: number[];
}

/** Byte classes and the trie of the literals. */
function buildTrie(literals: readonly Uint8Array[]): Trie {
  const fold = foldTable();
  const used = new Uint8Array(256);
  for (const lit of literals) for (let i = 0; i < lit.length; i++) used[lit[i]] = 1;
  const byteClass = new Uint8Array(256);
  let stride = 1;
  for (let b = 0; b < 256; b++) if (used[b]) byteClass[b] = stride++;
  const classOf = new Uint8Array(256);
  for (let b = 0; b < 256; b++) classOf[b] = byteClass[fold[b]];
  const edges = new Map<number, number>();
  const own: number[][] = [[]];
  const empty: number[] = [];
  literals.forEach((lit, id) => {
    if (lit.length === 0) {
      empty.push(id);
      return;
    }
    let node = 0;
    for (let i = 0; i < lit.length; i++) {
      const key = node * stride + byteClass[lit[i]];
      let next = edges.get(key);
      if (next === undefined) {
        next = own.length;
        own.push([]);
        edges.set(key, next);
      }
      node = next;
    }
    own[node].push(id);
  });
  return { edges, own, stride, classOf, empty };
}

/** The DFA in trie numbering: dense rows, BFS order, and flattened outputs per node. */
interface RawDfa {
  /** Node rows: `delta[node * stride + class]` = next node (trie numbering). */
  delta: Int32Array;
  /** Nodes in BFS order (root first). */
  order: Int32Array;
  /** Per node: every literal ending there, own and via suffix links. */
  outs: number[][];
}

/** Failure links by BFS, filling each row from the row of the failure state. */
function buildDfa(t: Trie): RawDfa {
  const n = t.own.length;
  const stride = t.stride;
  if (n * stride > MAX_ID) throw new RangeError(`LiteralSearcher: table too large (${n} states × ${stride} classes)`);
  const delta = new Int32Array(n * stride).fill(-1);
  for (const [key, child] of t.edges) delta[key] = child;
  const fail = new Int32Array(n);
  const outs: number[][] = new Array(n);
  const order = new Int32Array(n);
  outs[0] = [];
  let head = 0;
  let tail = 0;
  order[tail++] = 0;
  for (let c = 0; c < stride; c++) {
    const child = delta[c];
    if (child < 0) delta[c] = 0;
    else {
      fail[child] = 0;
      order[tail++] = child;
    }
  }
  head = 1;
  while (head < tail) {
    const u = order[head++];
    const f = fail[u];
    outs[u] = t.own[u].length === 0 ? outs[f] : t.own[u].concat(outs[f]);
    const row = u * stride;
    const frow = f * stride;
    for (let c = 0; c < stride; c++) {
      const child = delta[row + c];
      if (child < 0) delta[row + c] = delta[frow + c];
      else {
        fail[child] = delta[frow + c];
        order[tail++] = child;
      }
    }
  }
  return { delta, order, outs };
}

/** The dense DFA, renumbered: premultiplied ids, match states last, outputs in CSR. */
interface DfaTables {
  trans: Uint32Array;
  /** Premultiplied ids ≥ matchBase are the states with outputs. */
  matchBase: number;
  /** Per match state rank (id / stride − first match row): its literals in outIds. */
  outStart: Uint32Array;
  outIds: Uint32Array;
  matchCount: number;
}

/** Renumber the raw DFA (BFS order, states without outputs first) and flatten its outputs. */
function compileDfa(trie: Trie): DfaTables {
  const raw = buildDfa(trie);
  const n = trie.own.length;
  const stride = trie.stride;
  const newId = new Int32Array(n);
  let k = 0;
  for (const u of raw.order) if (raw.outs[u].length === 0) newId[u] = k++;
  const firstMatch = k;
  for (const u of raw.order) if (raw.outs[u].length !== 0) newId[u] = k++;
  const trans = new Uint32Array(n * stride);
  for (let u = 0; u < n; u++) {
    const dst = newId[u] * stride;
    const src = u * stride;
    for (let c = 0; c < stride; c++) trans[dst + c] = newId[raw.delta[src + c]] * stride;
  }
  const matchCount = n - firstMatch;
  const byRank: number[][] = new Array(matchCount);
  for (let u = 0; u < n; u++) if (raw.outs[u].length !== 0) byRank[newId[u] - firstMatch] = raw.outs[u];
  const { start, ids } = toCsr(byRank);
  return { trans, matchBase: firstMatch * stride, outStart: start, outIds: ids, matchCount };
}

/** Lists → CSR (start offsets with a final sentinel, flattened ids). */
function toCsr(lists: number[][]): { start: Uint32Array; ids: Uint32Array } {
  const start = new Uint32Array(lists.length + 1);
  let total = 0;
  for (let r = 0; r < lists.length; r++) {
    start[r] = total;
    total += lists[r].length;
  }
  start[lists.length] = total;
  const ids = new Uint32Array(total);
  for (let r = 0; r < lists.length; r++) ids.set(lists[r], start[r]);
  return { start, ids };
}

/** Multiplicative hash constant (golden ratio). */
const HASH_MUL = 0x9e3779b1;
/** log2 of the prefix filter's bit count: 2^18 bits = 32 KiB, L1/L2-resident. */
const FILTER_BITS = 18;

/** The skip-ahead engine: a bitmap over hashed w-byte prefixes, then a sparse trie walk. */
interface FilterTables {
  /** Prefix width w = min(3, shortest non-empty literal); 0 when there is none. */
  width: number;
  /** Bitmap over hash(classes of the first w bytes) of every literal. */
  bits: Int32Array;
  /** Trie edges by open addressing: key node × stride + class → child node. */
  /** Slot h holds key at 2h and child at 2h + 1 (one cache line per probe); empty key −1. */
  edgeSlots: Int32Array;
  /** 32 − log2(slot count). */
  hashShift: number;
  /** Per trie node: the literals ending exactly there (CSR). */
  outStart: Uint32Array;
  outIds: Uint32Array;
  /** Exact map, open addressing: key of the first w classes → trie node at depth w. */
  prefixKeys: Int32Array;
  prefixNodes: Int32Array;
  /** 32 − log2(prefixKeys.length). */
  prefixShift: number;
  /** Longest literal (the streaming carry keeps maxLen − 1 bytes). */
  maxLen: number;
  /** Per trie node: its parent (−1 for the root) and the literal count of its subtree. */
  parent: Int32Array;
  sub: Uint32Array;
}

/** Prefix bitmap and edge hash of the trie. */
function compileFilter(trie: Trie, literals: readonly Uint8Array[]): FilterTables {
  let minLen = Infinity;
  let maxLen = 0;
  for (const lit of literals) {
    if (lit.length > 0) minLen = Math.min(minLen, lit.length);
    maxLen = Math.max(maxLen, lit.length);
  }
  const width = minLen === Infinity ? 0 : Math.min(3, minLen);
  const bits = new Int32Array(1 << (FILTER_BITS - 5));
  for (const lit of literals) {
    if (lit.length === 0) continue;
    let key = 0;
    for (let i = 0; i < width; i++) key = (key << 8) | trie.classOf[lit[i]];
    const h = Math.imul(key, HASH_MUL) >>> (32 - FILTER_BITS);
    bits[h >>> 5] |= 1 << (h & 31);
  }
  let size = 2;
  while (size < 2 * trie.edges.size) size *= 2;
  const edgeSlots = new Int32Array(2 * size).fill(-1);
  const hashShift = 32 - Math.log2(size);
  for (const [key, child] of trie.edges) {
    let h = Math.imul(key, HASH_MUL) >>> hashShift;
    while (edgeSlots[2 * h] >= 0) h = (h + 1) & (size - 1);
    edgeSlots[2 * h] = key;
    edgeSlots[2 * h + 1] = child;
  }
  const { start, ids } = toCsr(trie.own);
  const prefix = prefixMap(trie, literals, width);
  const n = trie.own.length;
  const parent = new Int32Array(n).fill(-1);
  for (const [key, child] of trie.edges) parent[child] = Math.floor(key / trie.stride);
  const sub = new Uint32Array(n);
  for (let v = n - 1; v >= 0; v--) {
    sub[v] += trie.own[v].length;
    if (v > 0) sub[parent[v]] += sub[v]; // children are numbered after their parent
  }
  return { width, bits, edgeSlots, hashShift, outStart: start, outIds: ids, maxLen, ...prefix, parent, sub };
}

/** Open-addressing map from the key of each literal's first `width` classes to its trie node. */
function prefixMap(trie: Trie, literals: readonly Uint8Array[], width: number): Pick<FilterTables, 'prefixKeys' | 'prefixNodes' | 'prefixShift'> {
  const nodeOf = new Map<number, number>();
  for (const lit of literals) {
    if (lit.length === 0) continue;
    let key = 0;
    let node = 0;
    for (let i = 0; i < width; i++) {
      const c = trie.classOf[lit[i]];
      key = (key << 8) | c;
      node = trie.edges.get(node * trie.stride + c)!;
    }
    nodeOf.set(key, node);
  }
  let size = 2;
  while (size < 2 * nodeOf.size) size *= 2;
  const prefixKeys = new Int32Array(size).fill(-1);
  const prefixNodes = new Int32Array(size);
  const prefixShift = 32 - Math.log2(size);
  for (const [key, node] of nodeOf) {
    let h = Math.imul(key, HASH_MUL) >>> prefixShift;
    while (prefixKeys[h] >= 0) h = (h + 1) & (size - 1);
    prefixKeys[h] = key;
    prefixNodes[h] = node;
  }
  return { prefixKeys, prefixNodes, prefixShift };
}

/**
 * The hybrid DFA: the first `denseCount` states in BFS order (the shallow, hot ones) have
 * dense rows; deeper states keep only their trie edges (open-addressing hash) and a
 * failure link. A state value is `(premul << 1) | hasOutput`, premul = row × stride for a
 * dense state, `denseLimit` + k for the k-th sparse one.
 */
interface HybridTables {
  /** Dense rows of the shallow states (state values). */
  trans: Uint32Array;
  /** denseCount × stride: premuls below it are dense. */
  denseLimit: number;
  /** Sparse edges: slot h holds key (k × stride + class) at 2h and the state value at 2h + 1. */
  edgeSlots: Int32Array;
  /** 32 − log2(slot count). */
  hashShift: number;
  /** Per sparse state k: the state value of its failure state. */
  failOf: Uint32Array;
  /** Per state (BFS rank): every literal ending there (own and via suffix links), CSR. */
  outStart: Uint32Array;
  outIds: Uint32Array;
  stateCount: number;
}

/** Children of every trie node, as [class, child] pairs in class order. */
function childLists(t: Trie): number[][] {
  const kids: number[][] = t.own.map(() => []);
  for (const [key, child] of t.edges) kids[Math.floor(key / t.stride)].push(key % t.stride, child);
  for (const k of kids) {
    const pairs: [number, number][] = [];
    for (let i = 0; i < k.length; i += 2) pairs.push([k[i], k[i + 1]]);
    pairs.sort((a, b) => a[0] - b[0]);
    k.length = 0;
    for (const [c, v] of pairs) k.push(c, v);
  }
  return kids;
}

/** BFS order, failure links and flattened outputs of the trie (standard Aho–Corasick). */
function failureLinks(t: Trie): { order: Int32Array; fail: Int32Array; outs: number[][]; kids: number[][] } {
  const n = t.own.length;
  const kids = childLists(t);
  const order = new Int32Array(n);
  const fail = new Int32Array(n);
  const outs: number[][] = new Array(n);
  outs[0] = [];
  let tail = 1;
  for (let head = 0; head < tail; head++) {
    const u = order[head];
    if (u !== 0) outs[u] = t.own[u].length === 0 ? outs[fail[u]] : t.own[u].concat(outs[fail[u]]);
    const k = kids[u];
    for (let i = 0; i < k.length; i += 2) {
      const c = k[i];
      const v = k[i + 1];
      order[tail++] = v;
      if (u === 0) continue;
      let f = fail[u];
      for (;;) {
        const g = t.edges.get(f * t.stride + c);
        if (g !== undefined) {
          fail[v] = g;
          break;
        }
        if (f === 0) break; // fail[v] stays 0
        f = fail[f];
      }
    }
  }
  return { order, fail, outs, kids };
}

/** Build the hybrid tables with at most `denseBytes` of dense rows (always the root's). */
function compileHybrid(t: Trie, denseBytes: number): HybridTables {
  const n = t.own.length;
  const stride = t.stride;
  const { order, fail, outs, kids } = failureLinks(t);
  const denseCount = Math.max(1, Math.min(n, Math.floor(denseBytes / (4 * stride))));
  const denseLimit = denseCount * stride;
  if (denseLimit + n > MAX_ID / 2) throw new RangeError(`LiteralSearcher: table too large (${denseCount} rows × ${stride} classes)`);
  const rank = new Int32Array(n);
  order.forEach((u, r) => (rank[u] = r));
  const value = (u: number): number => {
    const r = rank[u];
    return (r < denseCount ? r * stride : denseLimit + (r - denseCount)) * 2 + (outs[u].length !== 0 ? 1 : 0);
  };
  const trans = new Uint32Array(denseLimit);
  for (let r = 0; r < denseCount; r++) {
    const u = order[r];
    const row = r * stride;
    // The failure state is shallower, so its row (earlier in BFS order) is complete.
    if (u !== 0) trans.copyWithin(row, rank[fail[u]] * stride, rank[fail[u]] * stride + stride);
    const k = kids[u];
    for (let i = 0; i < k.length; i += 2) trans[row + k[i]] = value(k[i + 1]);
  }
  let size = 2;
  while (size < 2 * (n - denseCount)) size *= 2;
  const edgeSlots = new Int32Array(2 * size).fill(-1);
  const hashShift = 32 - Math.log2(size);
  const failOf = new Uint32Array(n - denseCount);
  for (let r = denseCount; r < n; r++) {
    const u = order[r];
    failOf[r - denseCount] = value(fail[u]);
    const k = kids[u];
    for (let i = 0; i < k.length; i += 2) {
      const key = (r - denseCount) * stride + k[i];
      let h = Math.imul(key, HASH_MUL) >>> hashShift;
      while (edgeSlots[2 * h] >= 0) h = (h + 1) & (size - 1);
      edgeSlots[2 * h] = key;
      edgeSlots[2 * h + 1] = value(k[i + 1]);
    }
  }
  const { start, ids } = toCsr(Array.from(order, (u) => outs[u]));
  return { trans, denseLimit, edgeSlots, hashShift, failOf, outStart: start, outIds: ids, stateCount: n };
}

/** Which engine a searcher uses (see the module comment). */
export type SearchEngine = 'dfa' | 'hybrid' | 'filter';

/** Options of `LiteralSearcher`. */
export interface LiteralSearcherOptions {
  /**
   * 'dfa': dense Aho–Corasick DFA (fastest measured, largest table); 'hybrid': dense rows
   * for the shallow states only, sparse edges + failure links below; 'filter': prefix
   * bitmap + trie verify (smallest). Default: 'dfa' unless its table would exceed
   * `maxDfaBytes`, then 'hybrid'.
   */
  engine?: SearchEngine;
  /** DFA table budget of the default engine choice, in bytes (default 256 MiB). */
  maxDfaBytes?: number;
  /** 'hybrid': bytes of dense rows for the shallowest states (default 4 MiB). */
  denseBytes?: number;
  /**
   * Per literal id, 1 to report EVERY occurrence instead of the first one only (the
   * prefilter reports pure-literal signatures straight from the search). @default none
   */
  everyHit?: Uint8Array;
}

/**
 * Many-literal searcher over ASCII-folded input (see the module comment). Build once,
 * share; one `SearchState` per concurrent input (stream).
 */
export class LiteralSearcher {
  /** Number of literals; ids are 0..literalCount-1 (the index in the constructor's array). */
  readonly literalCount: number;
  /** The engine in use. */
  readonly engine: SearchEngine;
  private readonly classOf: Uint8Array;
  private readonly stride: number;
  private readonly nodeCount: number;
  private readonly dfa: DfaTables | null;
  private readonly filter: FilterTables | null;
  private readonly hybrid: HybridTables | null;
  private readonly empty: Uint32Array;
  private readonly buildMs: number;
  private readonly every: Uint8Array | undefined;
  /** Per match state (DFA rank, hybrid row): 1 when it outputs an every-hit literal (never marked done). */
  private readonly open: Uint8Array;

  /**
   * Build from literals already folded to lower case (bytes A-Z must not occur: they could
   * never match). Id = index; duplicates are allowed and each id is reported. An empty
   * literal is reported at end 0 of each input. Throws RangeError on an upper-case byte
   * or when the DFA table would not fit.
   */
  constructor(literals: readonly Uint8Array[], options: LiteralSearcherOptions = {}) {
    const t0 = performance.now();
    for (const lit of literals) {
      for (let i = 0; i < lit.length; i++) {
        if (lit[i] >= 0x41 && lit[i] <= 0x5a) throw new RangeError('LiteralSearcher: literals must be folded to lower case');
      }
    }
    this.literalCount = literals.length;
    const trie = buildTrie(literals);
    const dfaBytes = 4 * trie.own.length * trie.stride;
    this.engine = options.engine ?? (dfaBytes <= (options.maxDfaBytes ?? 256 * 2 ** 20) ? 'dfa' : 'hybrid');
    this.classOf = trie.classOf;
    this.stride = trie.stride;
    this.nodeCount = trie.own.length;
    this.dfa = this.engine === 'dfa' ? compileDfa(trie) : null;
    this.filter = this.engine === 'filter' ? compileFilter(trie, literals) : null;
    this.hybrid = this.engine === 'hybrid' ? compileHybrid(trie, options.denseBytes ?? 4 * 2 ** 20) : null;
    this.empty = Uint32Array.from(trie.empty);
    this.every = options.everyHit;
    const out = this.dfa ?? this.hybrid;
    this.open = new Uint8Array(out && this.every ? out.outStart.length - 1 : 0);
    if (out && this.every) {
      for (let r = 0; r < this.open.length; r++) {
        for (let k = out.outStart[r]; k < out.outStart[r + 1]; k++) if (this.every[out.outIds[k]] === 1) this.open[r] = 1;
      }
    }
    this.buildMs = performance.now() - t0;
  }

  /**
   * A state for one stream, positioned at the start of an input. `mute[literal] === 1`
   * marks literals whose hits the caller never wants on this state's inputs: they are not
   * reported (others are unaffected).
   */
  createState(mute?: Uint8Array): SearchState {
    const f = this.filter;
    const carry = f ? Math.max(0, f.maxLen - 1) : 0;
    const stamps = this.dfa ? this.dfa.matchCount : this.nodeCount;
    const rem = new Uint32Array(f ? this.nodeCount : 0);
    const st = new ScanState(new Uint32Array(this.literalCount), new Uint32Array(stamps), new Uint8Array(carry), new Uint8Array(2 * carry), rem);
    st.mute = mute;
    st.open = mute === undefined ? this.open : this.openUnder(mute);
    return st;
  }

  private readonly openByMute = new WeakMap<Uint8Array, Uint8Array>();

  /** `open` for a state with `mute` (kept per mute array). */
  private openUnder(mute: Uint8Array): Uint8Array {
    const known = this.openByMute.get(mute);
    if (known !== undefined) return known;
    const out = this.dfa ?? this.hybrid;
    let result = this.open;
    if (out && this.every) {
      // A match state whose every-hit literals are all muted is closed like any other
      // (reported once per input), so the hot loop stops calling into it.
      const open = this.open.slice();
      for (let r = 0; r < open.length; r++) {
        if (open[r] === 0) continue;
        let muted = true;
        for (let k: number = out.outStart[r]; k < out.outStart[r + 1] && muted; k++) {
          const id = out.outIds[k];
          if (this.every[id] === 1 && mute[id] === 0) muted = false;
        }
        if (muted) open[r] = 0;
      }
      result = open;
    }
    this.openByMute.set(mute, result);
    return result;
  }

  /** Start a new input: forget the automaton position and which literals were seen (O(1)). */
  reset(state: SearchState): void {
    const st = state as ScanState;
    st.s = 0;
    st.carryLen = 0;
    st.started = false;
    if (st.gen === 0xffffffff) {
      st.seen.fill(0);
      st.done.fill(0);
      st.rem.fill(0);
      st.gen = 1;
    } else st.gen++;
  }

  /**
   * Scan the next chunk of the current input (streaming: an occurrence may span chunks).
   * For each literal whose FIRST occurrence in this input ends inside this chunk, calls
   * `onHit(literalId, end)` once, `end` = index in `bytes` just past the occurrence
   * (1..bytes.length; 0 for an empty literal). Literals already seen in this input are
   * never reported again. Hits within one call are not ordered by `end`.
   */
  scan(state: SearchState, bytes: Uint8Array, onHit: (literal: number, end: number) => void): void {
    const st = state as ScanState;
    if (!st.started) {
      st.started = true;
      if (this.empty.length !== 0) this.emitEmpty(st, onHit);
    }
    if (this.hybrid) this.scanHybrid(st, this.hybrid, bytes, onHit);
    else if (this.filter) this.scanFilter(st, this.filter, bytes, onHit);
    else this.scanDfa(st, this.dfa!, bytes, onHit);
  }

  /** The hybrid hot loop: a dense row load for shallow states, a sparse step for deep ones. */
  private scanHybrid(st: ScanState, d: HybridTables, bytes: Uint8Array, onHit: (literal: number, end: number) => void): void {
    const trans = d.trans;
    const classOf = this.classOf;
    const denseLimit = d.denseLimit;
    const n = bytes.length;
    let v = st.s;
    for (let i = 0; i < n; i++) {
      const c = classOf[bytes[i]];
      const x = v >>> 1;
      v = x < denseLimit ? trans[x + c] : this.sparseStep(d, x, c);
      if ((v & 1) !== 0) this.emitHybrid(st, d, v >>> 1, i + 1, onHit);
    }
    st.s = v;
  }

  /** Transition of sparse state `x` (premul) on class `c`: trie edge, else via failure links. */
  private sparseStep(d: HybridTables, x: number, c: number): number {
    const stride = this.stride;
    const slots = d.edgeSlots;
    const mask = (slots.length >> 1) - 1;
    for (let y = x; ; ) {
      if (y < d.denseLimit) return d.trans[y + c];
      const key = (y - d.denseLimit) * stride + c;
      let h = Math.imul(key, HASH_MUL) >>> d.hashShift;
      for (let k = slots[2 * h]; k >= 0; k = slots[2 * h]) {
        if (k === key) return slots[2 * h + 1];
        h = (h + 1) & mask;
      }
      y = d.failOf[y - d.denseLimit] >>> 1;
    }
  }

  /** Report the literals of hybrid state `x` (premul) not yet seen in this input. */
  private emitHybrid(st: ScanState, d: HybridTables, x: number, end: number, onHit: (literal: number, end: number) => void): void {
    const r = x < d.denseLimit ? (x / this.stride) | 0 : d.denseLimit / this.stride + (x - d.denseLimit);
    if (st.done[r] === st.gen) return;
    if (st.open.length === 0 || st.open[r] === 0) st.done[r] = st.gen;
    this.emitList(st, d.outStart[r], d.outStart[r + 1], d.outIds, end, onHit);
  }

  /** The DFA hot loop: one dependent table load per byte. */
  private scanDfa(st: ScanState, d: DfaTables, bytes: Uint8Array, onHit: (literal: number, end: number) => void): void {
    const trans = d.trans;
    const classOf = this.classOf;
    const matchBase = d.matchBase;
    const n = bytes.length;
    let s = st.s;
    for (let i = 0; i < n; i++) {
      s = trans[s + classOf[bytes[i]]];
      if (s >= matchBase) this.emitDfa(st, d, s, i + 1, onHit);
    }
    st.s = s;
  }

  /** Report the literals of DFA match state `s` not yet seen in this input. */
  private emitDfa(st: ScanState, d: DfaTables, s: number, end: number, onHit: (literal: number, end: number) => void): void {
    const rank = ((s - d.matchBase) / this.stride) | 0;
    if (st.done[rank] === st.gen) return;
    if (st.open.length === 0 || st.open[rank] === 0) st.done[rank] = st.gen;
    this.emitList(st, d.outStart[rank], d.outStart[rank + 1], d.outIds, end, onHit);
  }

  /** Report ids[from..to) not yet seen in this input. */
  private emitList(st: ScanState, from: number, to: number, ids: Uint32Array, end: number, onHit: (literal: number, end: number) => void): void {
    const seen = st.seen;
    const gen = st.gen;
    const every = this.every;
    const mute = st.mute;
    for (let k = from; k < to; k++) {
      const id = ids[k];
      if (mute !== undefined && mute[id] === 1) continue;
      if (every !== undefined && every[id] === 1) onHit(id, end);
      else if (seen[id] !== gen) {
        seen[id] = gen;
        onHit(id, end);
      }
    }
  }

  /** The filter hot loop: hash the w-byte window at each start, verify where its bit is set. */
  private scanFilter(st: ScanState, f: FilterTables, bytes: Uint8Array, onHit: (literal: number, end: number) => void): void {
    const n = bytes.length;
    if (st.carryLen > 0 && n > 0) this.scanBoundary(st, f, bytes, onHit);
    const w = f.width;
    if (w > 0 && n >= w) {
      const classOf = this.classOf;
      const bits = f.bits;
      const mask = w === 3 ? 0xffffff : w === 2 ? 0xffff : 0xff;
      const shift = 32 - FILTER_BITS;
      let key = 0;
      for (let i = 0; i < w - 1; i++) key = (key << 8) | classOf[bytes[i]];
      for (let i = 0, last = n - w, next = w - 1; i <= last; i++, next++) {
        key = ((key << 8) | classOf[bytes[next]]) & mask;
        const h = Math.imul(key, HASH_MUL) >>> shift;
        if ((bits[h >>> 5] & (1 << (h & 31))) !== 0) this.verifyPrefix(st, f, bytes, key, i + w, n, onHit);
      }
    }
    if (f.maxLen > 1) this.keepCarry(st, f.maxLen - 1, bytes);
  }

  /** Starts in the carried tail of earlier chunks, with ends inside this chunk. */
  private scanBoundary(st: ScanState, f: FilterTables, bytes: Uint8Array, onHit: (literal: number, end: number) => void): void {
    const tail = st.carryLen;
    const m = Math.min(bytes.length, f.maxLen - 1);
    const buf = st.scratch;
    buf.set(st.carry.subarray(0, tail));
    buf.set(bytes.subarray(0, m), tail);
    for (let p = 0; p < tail; p++) this.verify(st, f, buf, 0, p, tail + m, tail, onHit);
  }

  /** Keep the last `cap` bytes of the input so far (a literal may start there). */
  private keepCarry(st: ScanState, cap: number, bytes: Uint8Array): void {
    const n = bytes.length;
    if (n >= cap) {
      st.carry.set(bytes.subarray(n - cap));
      st.carryLen = cap;
    } else {
      const keep = Math.min(st.carryLen, cap - n);
      st.carry.copyWithin(0, st.carryLen - keep, st.carryLen);
      st.carry.set(bytes, keep);
      st.carryLen = keep + n;
    }
  }

  /** A filter hit: find the depth-w node of `key` (if any) and walk on from `buf[j]`. */
  private verifyPrefix(st: ScanState, f: FilterTables, buf: Uint8Array, key: number, j: number, limit: number, onHit: (literal: number, end: number) => void): void {
    const keys = f.prefixKeys;
    const mask = keys.length - 1;
    let h = Math.imul(key, HASH_MUL) >>> f.prefixShift;
    for (let k = keys[h]; k !== key; k = keys[h]) {
      if (k < 0) return;
      h = (h + 1) & mask;
    }
    const node = f.prefixNodes[h];
    if (st.done[node] === st.gen && st.rem[node] === 0) return;
    if (f.outStart[node] !== f.outStart[node + 1]) this.emitNode(st, f, node, j, onHit);
    this.verify(st, f, buf, node, j, limit, 0, onHit);
  }

  /**
   * Walk the trie from `node` over `buf[i]` up to `limit`; report literals ending past `skip`, with
   * end − `skip` as the end (skip = the carry length when `buf` is the boundary scratch).
   */
  private verify(st: ScanState, f: FilterTables, buf: Uint8Array, from: number, i: number, limit: number, skip: number, onHit: (literal: number, end: number) => void): void {
    const classOf = this.classOf;
    const stride = this.stride;
    const slots = f.edgeSlots;
    const mask = (slots.length >> 1) - 1;
    const outStart = f.outStart;
    let node = from;
    for (let j = i; j < limit; j++) {
      const c = classOf[buf[j]];
      if (c === 0) return;
      const key = node * stride + c;
      let h = Math.imul(key, HASH_MUL) >>> f.hashShift;
      for (let k = slots[2 * h]; k !== key; k = slots[2 * h]) {
        if (k < 0) return;
        h = (h + 1) & mask;
      }
      node = slots[2 * h + 1];
      if (st.done[node] === st.gen && st.rem[node] === 0) return;
      if (outStart[node] !== outStart[node + 1] && j >= skip) this.emitNode(st, f, node, j + 1 - skip, onHit);
    }
  }

  /**
   * Report the literals ending at trie node `node` not yet seen in this input; count each
   * down in the subtree totals of the node and its ancestors, so finished subtrees are pruned.
   */
  private emitNode(st: ScanState, f: FilterTables, node: number, end: number, onHit: (literal: number, end: number) => void): void {
    const seen = st.seen;
    const gen = st.gen;
    for (let k = f.outStart[node], e = f.outStart[node + 1]; k < e; k++) {
      const id = f.outIds[k];
      if (this.every !== undefined && this.every[id] === 1) {
        onHit(id, end);
        continue;
      }
      if (seen[id] === gen) continue;
      seen[id] = gen;
      onHit(id, end);
      for (let u = node; u >= 0; u = f.parent[u]) {
        if (st.done[u] !== gen) {
          st.done[u] = gen;
          st.rem[u] = f.sub[u];
        }
        st.rem[u]--;
      }
    }
  }

  /** Report the empty literals (end 0) at the start of an input. */
  private emitEmpty(st: ScanState, onHit: (literal: number, end: number) => void): void {
    this.emitList(st, 0, this.empty.length, this.empty, 0, onHit);
  }

  /** Sizes (states, classes, table and total bytes), the engine's figures, build time. */
  stats(): Record<string, number> {
    const hy = this.hybrid;
    if (hy) {
      const tableBytes = hy.trans.byteLength + hy.edgeSlots.byteLength + hy.failOf.byteLength;
      const outputBytes = hy.outStart.byteLength + hy.outIds.byteLength;
      const common = { literals: this.literalCount, states: this.nodeCount, classes: this.stride, denseStates: hy.denseLimit / this.stride };
      return { ...common, tableBytes, outputBytes, totalBytes: tableBytes + outputBytes + 256, stateBytesPerScan: 4 * (this.literalCount + this.nodeCount), buildMs: this.buildMs };
    }
    const d = this.dfa;
    const f = this.filter;
    // The DFA's figures, else the filter's.
    const tableBytes = d ? d.trans.byteLength : f!.bits.byteLength + f!.edgeSlots.byteLength + f!.prefixKeys.byteLength + f!.prefixNodes.byteLength;
    const outBytes = d ? d.outStart.byteLength + d.outIds.byteLength : f!.outStart.byteLength + f!.outIds.byteLength;
    const stamps = d ? d.matchCount : this.nodeCount;
    return {
      literals: this.literalCount,
      states: this.nodeCount,
      classes: this.stride,
      matchStates: d ? d.matchCount : 0,
      prefixWidth: f ? f.width : 0,
      tableBytes,
      outputBytes: outBytes,
      totalBytes: tableBytes + outBytes + this.classOf.byteLength,
      stateBytesPerScan: 4 * (this.literalCount + stamps) + (f ? 4 * this.nodeCount + 3 * Math.max(0, f.maxLen - 1) : 0),
      buildMs: this.buildMs,
    };
  }
}
