/**
 * Necessary-literal extraction (in the style of RE2's prefilter and Rust regex-syntax's
 * literal extractor) for byte-level signature IR.
 *
 * Why: most signatures cannot match most inputs, and the cheapest way to know that is a
 * multi-literal substring search. For each signature we compute a necessary condition on
 * the input — a tree of `and`/`or` over literals that every input with a match contains —
 * and from it a small "factor": a set of short literals at least one of which occurs in
 * every input with a match. A signature whose factor does not occur in an input need not
 * run on that input.
 *
 * Soundness is the whole point: a condition may be weaker than necessary (less selective)
 * but never stronger. Everything is computed over literals folded to ASCII lower case
 * (`FOLD`), and the searcher folds the input the same way; folding only merges bytes, so a
 * literal found in the folded text is a sound (weaker) test. The rules used here:
 *
 * - every node gets an info: its exact language when small (≤ maxVariants strings of ≤
 *   `LEN_CAP` bytes), a prefix set (every match starts with one of them), a suffix set
 *   (every match ends with one of them) and a necessary condition; the sets use `''` for
 *   "nothing known", which makes them trivially true;
 * - concat: cross product of exact sets while small; otherwise AND of the parts'
 *   conditions plus the literal across each boundary (suffix × prefix) when small;
 * - alt: OR of the branches; repeat with min 0: nothing; min ≥ 1: the condition of min
 *   (at most `MAX_REPEAT_COPIES`) copies; assertions: the empty string.
 */
import type { ByteSet, Ir } from '../syntax/ir.js';

/** A necessary condition on the input, over literals folded to ASCII lower case. */
export type LiteralCondition =
  /** No condition: every input may match. */
  | { readonly kind: 'any' }
  /** The signature never matches. */
  | { readonly kind: 'none' }
  /** The folded input contains these (folded) bytes. */
  | { readonly kind: 'lit'; readonly bytes: Uint8Array }
  /** Every item holds. */
  | { readonly kind: 'and'; readonly items: readonly LiteralCondition[] }
  /** At least one item holds. */
  | { readonly kind: 'or'; readonly items: readonly LiteralCondition[] };

/** Folds one byte to ASCII lower case (A-Z → a-z, others unchanged); the table the searcher uses too. */
export const FOLD: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let b = 0; b < 256; b++) t[b] = b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
  return t;
})();

/** Default cap on the number of strings of an exact / prefix / suffix set. */
const DEFAULT_MAX_VARIANTS = 16;
/** Longest string kept in an exact / prefix / suffix set (longer ones are cut). */
const LEN_CAP = 64;
/** A repeat with min ≥ 1 contributes the condition of at most this many copies. */
const MAX_REPEAT_COPIES = 8;
/** Exact expansion of a bounded repeat is tried only up to this max. */
const MAX_EXACT_REPEAT = 32;

// ---------------------------------------------------------------------------------------
// Internal condition: literals as latin1 strings (one char per byte), cheap to compare.

type Cond =
  | { readonly kind: 'any' }
  | { readonly kind: 'none' }
  | { readonly kind: 'lit'; readonly s: string }
  | { readonly kind: 'and'; readonly items: readonly Cond[] }
  | { readonly kind: 'or'; readonly items: readonly Cond[] };

const ANY: Cond = { kind: 'any' };
const NONE: Cond = { kind: 'none' };

/** Per-node facts; `exact` null means "not known / too large". */
interface Info {
  readonly exact: ReadonlySet<string> | null;
  readonly prefix: ReadonlySet<string>;
  readonly suffix: ReadonlySet<string>;
  readonly cond: Cond;
}

const UNKNOWN: ReadonlySet<string> = new Set(['']);

function exactInfo(exact: ReadonlySet<string>, extra: Cond = ANY): Info {
  return { exact, prefix: exact, suffix: exact, cond: andOf([orOfStrings(exact), extra]) };
}

const ANY_INFO: Info = { exact: null, prefix: UNKNOWN, suffix: UNKNOWN, cond: ANY };
const EMPTY_INFO: Info = exactInfo(new Set(['']));

function orOfStrings(set: Iterable<string>): Cond {
  const items: Cond[] = [];
  for (const s of set) items.push({ kind: 'lit', s });
  return orOf(items);
}

/** Cross product of two string sets, or null when it would exceed `max` strings. */
function cross(a: ReadonlySet<string>, b: ReadonlySet<string>, max: number): Set<string> | null {
  if (a.size * b.size > max) return null;
  const out = new Set<string>();
  for (const x of a) for (const y of b) out.add(x + y);
  return out;
}

function truncSet(set: ReadonlySet<string>, fromEnd: boolean): ReadonlySet<string> {
  let long = false;
  for (const s of set) if (s.length > LEN_CAP) long = true;
  if (!long) return set;
  const out = new Set<string>();
  for (const s of set) out.add(s.length <= LEN_CAP ? s : fromEnd ? s.slice(s.length - LEN_CAP) : s.slice(0, LEN_CAP));
  return out;
}

function maxLen(set: ReadonlySet<string>): number {
  let m = 0;
  for (const s of set) m = Math.max(m, s.length);
  return m;
}

// ---------------------------------------------------------------------------------------
// Simplification (every rewrite is an equivalence, so soundness is untouched).

/** AND with flattening, `any` dropped, `none` absorbing, implied literals removed. */
function andOf(raw: readonly Cond[]): Cond {
  const flat: Cond[] = [];
  const stack = [...raw];
  while (stack.length > 0) {
    const c = stack.pop()!;
    if (c.kind === 'none') return NONE;
    if (c.kind === 'any') continue;
    if (c.kind === 'lit' && c.s.length === 0) continue;
    if (c.kind === 'and') for (const it of c.items) stack.push(it);
    else flat.push(c);
  }
  const lits = dedupeLits(flat, 'and');
  const others = flat.filter((c) => c.kind === 'or' && !orImpliedBy(c, lits));
  const items: Cond[] = [...lits.map((s): Cond => ({ kind: 'lit', s })), ...dedupeConds(others)];
  if (items.length === 0) return ANY;
  return items.length === 1 ? items[0] : { kind: 'and', items };
}

/** OR with flattening, `none` dropped, `any` absorbing, redundant literals removed. */
function orOf(raw: readonly Cond[]): Cond {
  const flat: Cond[] = [];
  const stack = [...raw];
  while (stack.length > 0) {
    const c = stack.pop()!;
    if (c.kind === 'any') return ANY;
    if (c.kind === 'none') continue;
    if (c.kind === 'lit' && c.s.length === 0) return ANY;
    if (c.kind === 'or') for (const it of c.items) stack.push(it);
    else flat.push(c);
  }
  const lits = dedupeLits(flat, 'or');
  const others = flat.filter((c) => c.kind === 'and');
  const items: Cond[] = [...lits.map((s): Cond => ({ kind: 'lit', s })), ...dedupeConds(others)];
  if (items.length === 0) return NONE;
  return items.length === 1 ? items[0] : { kind: 'or', items };
}

/**
 * The distinct literals of `items`, minus redundant ones: in an AND a literal contained in
 * another is implied by it; in an OR a literal containing another implies it.
 */
function dedupeLits(items: readonly Cond[], mode: 'and' | 'or'): string[] {
  const set = new Set<string>();
  for (const c of items) if (c.kind === 'lit') set.add(c.s);
  const lits = [...set].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  if (lits.length > 400) return lits; // keep it linear-ish on pathological inputs
  return lits.filter((x, i) => {
    if (mode === 'and') {
      for (let j = i + 1; j < lits.length; j++) if (lits[j].length > x.length && lits[j].includes(x)) return false;
    } else {
      for (let j = 0; j < i; j++) if (lits[j].length < x.length && x.includes(lits[j])) return false;
    }
    return true;
  });
}

/** An OR holds whenever one of its literal items is a substring of a literal of the AND. */
function orImpliedBy(c: Cond, andLits: readonly string[]): boolean {
  if (c.kind !== 'or') return false;
  for (const it of c.items) {
    if (it.kind !== 'lit') continue;
    for (const l of andLits) if (l.includes(it.s)) return true;
  }
  return false;
}

function dedupeConds(items: readonly Cond[]): Cond[] {
  const seen = new Set<string>();
  const out: Cond[] = [];
  for (const c of items) {
    const k = condKey(c);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(c);
    }
  }
  return out;
}

const KEYS = new WeakMap<Cond, string>();

/** A canonical text of a condition, to dedupe equal subtrees (memoized per node). */
function condKey(c: Cond): string {
  let k = KEYS.get(c);
  if (k === undefined) {
    k = condKeyOf(c);
    KEYS.set(c, k);
  }
  return k;
}

function condKeyOf(c: Cond): string {
  switch (c.kind) {
    case 'any':
    case 'none':
      return c.kind;
    case 'lit':
      return JSON.stringify(c.s);
    case 'and':
    case 'or':
      return `${c.kind}(${c.items.map(condKey).sort().join(',')})`;
  }
}

// ---------------------------------------------------------------------------------------
// Extraction.

function popcount(set: ByteSet): number {
  let n = 0;
  for (let w = 0; w < 8; w++) {
    let x = set[w];
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    n += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return n;
}

function bytesInfo(set: ByteSet, maxVariants: number): Info {
  // Folding merges at most two bytes: a large set cannot fold to few variants.
  if (popcount(set) > 2 * maxVariants) return ANY_INFO;
  const folded = new Set<string>();
  for (let b = 0; b < 256; b++) {
    if ((set[b >>> 5] >>> (b & 31)) & 1) folded.add(String.fromCharCode(FOLD[b]));
    if (folded.size > maxVariants) return ANY_INFO;
  }
  return exactInfo(folded);
}

/** Running state of a left-to-right concatenation. */
interface ConcatState {
  exact: ReadonlySet<string> | null;
  prefix: ReadonlySet<string>;
  suffix: ReadonlySet<string>;
  conds: Cond[];
}

function concatStep(st: ConcatState, b: Info, max: number): void {
  if (st.exact && b.exact) {
    const p = cross(st.exact, b.exact, max);
    if (p && maxLen(p) <= LEN_CAP) {
      // The product multiplies variants: keep the (more factorable) left part as well.
      if (b.exact.size > 1 && st.exact.size > 0) st.conds.push(orOfStrings(st.exact));
      st.conds.push(b.cond);
      st.exact = p;
      st.prefix = p;
      st.suffix = p;
      return;
    }
  }
  if (st.exact) {
    st.conds.push(orOfStrings(st.exact));
    st.prefix = truncSet(cross(st.exact, b.prefix, max) ?? st.exact, false);
  }
  st.conds.push(b.cond);
  if (b.exact) extendSuffix(st, b.exact, max);
  else {
    // The suffix run ends here: it is necessary, and so is the literal across the boundary.
    st.conds.push(orOfStrings(st.suffix));
    const boundary = cross(st.suffix, b.prefix, max);
    if (boundary) st.conds.push(orOfStrings(boundary));
    st.suffix = b.suffix;
  }
  st.exact = null;
}

/**
 * Appends an exact part to the running suffix set. The suffix's OR is only pushed as a
 * condition when the run ends (too many variants or too long), since every later suffix
 * implies the earlier ones; `concatInfo` pushes the last one.
 */
function extendSuffix(st: ConcatState, exact: ReadonlySet<string>, max: number): void {
  const next = cross(st.suffix, exact, max);
  // Variants multiply: keep the (more factorable) run so far as well.
  if (next && exact.size > 1) st.conds.push(orOfStrings(st.suffix));
  if (!next) {
    st.conds.push(orOfStrings(st.suffix));
    st.suffix = exact;
  } else if (maxLen(next) > LEN_CAP) {
    st.conds.push(orOfStrings(next));
    st.suffix = exact;
  } else {
    st.suffix = next;
  }
}

function concatInfo(items: readonly Info[], max: number): Info {
  const st: ConcatState = { exact: new Set(['']), prefix: UNKNOWN, suffix: UNKNOWN, conds: [] };
  for (const it of items) concatStep(st, it, max);
  const cond = andOf([...st.conds, orOfStrings(st.exact ?? st.suffix)]);
  if (st.exact) return { exact: st.exact, prefix: st.exact, suffix: st.exact, cond };
  return { exact: null, prefix: st.prefix, suffix: st.suffix, cond };
}

function unionSets(sets: readonly ReadonlySet<string>[], max: number): Set<string> | null {
  const out = new Set<string>();
  for (const s of sets) {
    for (const x of s) out.add(x);
    if (out.size > max) return null;
  }
  return out;
}

/**
 * The union of prefix (or suffix) sets; when it has too many strings, they are cut to
 * shorter prefixes (suffixes) until it fits — a prefix of a prefix is still a prefix.
 */
function shrinkUnion(sets: readonly ReadonlySet<string>[], max: number, fromEnd: boolean): ReadonlySet<string> {
  const all = new Set<string>();
  for (const s of sets) for (const x of s) all.add(x);
  if (all.size <= max) return all;
  for (let k = maxLen(all) - 1; k >= 1; k--) {
    const cut = new Set<string>();
    for (const x of all) cut.add(x.length <= k ? x : fromEnd ? x.slice(x.length - k) : x.slice(0, k));
    if (cut.size <= max) return cut;
  }
  return UNKNOWN;
}

function altInfo(items: readonly Info[], max: number): Info {
  const cond = orOf(items.map((i) => i.cond));
  const exacts = items.every((i) => i.exact !== null) ? unionSets(items.map((i) => i.exact!), max) : null;
  if (exacts && maxLen(exacts) <= LEN_CAP) return { exact: exacts, prefix: exacts, suffix: exacts, cond };
  return {
    exact: null,
    prefix: shrinkUnion(items.map((i) => i.prefix), max, false),
    suffix: shrinkUnion(items.map((i) => i.suffix), max, true),
    cond,
  };
}

/** The exact language of `item{min,max}` when item is exact and the result stays small. */
function exactRepeat(item: ReadonlySet<string>, min: number, max: number, maxVariants: number): Set<string> | null {
  if (max > MAX_EXACT_REPEAT) return null;
  const out = new Set<string>();
  let pow: ReadonlySet<string> = new Set(['']);
  for (let k = 0; k <= max; k++) {
    if (k > 0) {
      const next = cross(pow, item, maxVariants);
      if (!next || maxLen(next) > LEN_CAP) return null;
      pow = next;
    }
    if (k >= min) for (const s of pow) out.add(s);
    if (out.size > maxVariants) return null;
  }
  return out;
}

function repeatInfo(item: Info, min: number, max: number, maxVariants: number): Info {
  if (max === 0) return EMPTY_INFO;
  if (item.exact && max !== Infinity) {
    const ex = exactRepeat(item.exact, min, max, maxVariants);
    if (ex) return exactInfo(ex, min >= 1 ? item.cond : ANY);
  }
  if (min === 0) return ANY_INFO;
  const copies = Math.min(min, MAX_REPEAT_COPIES);
  const base = concatInfo(Array.from({ length: copies }, () => item), maxVariants);
  // Every match is ≥ min matches of item in a row: it starts and ends with `copies` of them.
  return { exact: null, prefix: base.prefix, suffix: base.suffix, cond: base.cond };
}

function infoOf(ir: Ir, max: number): Info {
  switch (ir.kind) {
    case 'empty':
    case 'assert':
      return EMPTY_INFO;
    case 'never':
      return { exact: new Set(), prefix: new Set(), suffix: new Set(), cond: NONE };
    case 'bytes':
      return bytesInfo(ir.set, max);
    case 'concat':
      return concatInfo(ir.items.map((i) => infoOf(i, max)), max);
    case 'alt':
      return altInfo(ir.items.map((i) => infoOf(i, max)), max);
    case 'repeat':
      return repeatInfo(infoOf(ir.item, max), ir.min, ir.max, max);
  }
}

function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let k = 0; k < s.length; k++) out[k] = s.charCodeAt(k);
  return out;
}

function toPublic(c: Cond): LiteralCondition {
  switch (c.kind) {
    case 'any':
    case 'none':
      return c;
    case 'lit':
      return { kind: 'lit', bytes: latin1Bytes(c.s) };
    case 'and':
    case 'or':
      return { kind: c.kind, items: c.items.map(toPublic) };
  }
}

function fromPublic(c: LiteralCondition): Cond {
  switch (c.kind) {
    case 'any':
      return ANY;
    case 'none':
      return NONE;
    case 'lit': {
      let s = '';
      for (let k = 0; k < c.bytes.length; k++) s += String.fromCharCode(FOLD[c.bytes[k]]);
      return { kind: 'lit', s };
    }
    case 'and':
      return andOf(c.items.map(fromPublic));
    case 'or':
      return orOf(c.items.map(fromPublic));
  }
}

/**
 * The necessary condition of a signature: every input (folded with `FOLD`) on which the IR
 * has a match satisfies it. `maxVariants` (default 16) caps the strings of any exact,
 * prefix or suffix set (cross products beyond it are abandoned).
 */
export function literalCondition(ir: Ir, options: { maxVariants?: number } = {}): LiteralCondition {
  const max = Math.max(1, options.maxVariants ?? DEFAULT_MAX_VARIANTS);
  const info = infoOf(ir, max);
  // Every match starts with a prefix and ends with a suffix: both are contained in it.
  const cond = andOf([info.cond, orOfStrings(info.prefix), orOfStrings(info.suffix)]);
  return toPublic(cond);
}

// ---------------------------------------------------------------------------------------
// Factor choice.

const COMMON_BYTES = ' 0123456789/.=&etao\x00\r\n';

/** How much a byte tells, for HTTP-like traffic: common bytes little, rare bytes much. */
const BYTE_WEIGHT: Float64Array = (() => {
  const w = new Float64Array(256);
  for (let b = 0; b < 256; b++) {
    if (b >= 0x61 && b <= 0x7a) w[b] = 0.6;
    else if (b >= 0x21 && b <= 0x7e) w[b] = 0.8;
    else w[b] = 1;
  }
  for (const ch of COMMON_BYTES) w[ch.charCodeAt(0)] = 0.2;
  return w;
})();

/**
 * Strings (folded) that most HTTP messages carry: a window inside one of them tells almost
 * nothing, however rare its bytes look. Measured on ET Open over the Zeek HTTP traces:
 * `content:"User-Agent|3a| BWL"` was searched as "r-agent:", which every request holds,
 * and its pcre ran on every request.
 */
const COMMON_TOKENS = [
  'user-agent: ', 'host: ', 'http/1.1', 'http/1.0', 'content-type: ', 'content-length: ',
  'content-disposition: ', 'accept: ', 'accept-encoding: ', 'accept-language: ', 'accept-charset: ',
  'connection: ', 'keep-alive', 'cache-control: ', 'cookie: ', 'set-cookie: ', 'referer: ',
  'location: ', 'server: ', 'date: ', 'last-modified: ', 'transfer-encoding: ', 'chunked',
  'x-powered-by: ', 'pragma: ', 'no-cache', 'expires: ', 'if-modified-since: ', 'authorization: ',
  'get /', 'post /', 'mozilla/', 'windows nt', 'compatible; ', 'msie ', 'application/', 'text/html',
  'charset=', 'gzip, deflate', 'http://', 'https://', 'www.', '.com', '.php', '.html',
];

/**
 * Per byte of `s`: its weight (`BYTE_WEIGHT`), cut to almost nothing inside a common
 * token (`COMMON_TOKENS`).
 */
function byteWeights(s: string): Float64Array {
  const w = new Float64Array(s.length);
  for (let k = 0; k < s.length; k++) w[k] = BYTE_WEIGHT[s.charCodeAt(k)];
  for (const t of COMMON_TOKENS) {
    for (let at = s.indexOf(t); at >= 0; at = s.indexOf(t, at + 1)) {
      for (let k = at; k < at + t.length; k++) w[k] = 0.05;
    }
  }
  return w;
}

function windowScore(s: string, from: number, len: number): number {
  const w = byteWeights(s);
  let sc = 0;
  for (let k = from; k < from + len; k++) sc += w[k];
  return sc;
}

/** The best window of at most `maxLength` bytes of a literal (any substring is still necessary). */
function bestWindow(s: string, maxLength: number): string {
  const from = bestWindowStart(s, maxLength);
  return s.slice(from, from + maxLength);
}

/**
 * How rare a literal looks in HTTP-like traffic: the weight (`BYTE_WEIGHT`, common tokens
 * near nothing) of its best window of at most `maxLength` bytes, folded. A rule engine
 * picks by it which of a rule's contents to index the rule under.
 */
export function literalScore(bytes: Uint8Array, maxLength = 8): number {
  let text = '';
  for (let k = 0; k < bytes.length; k++) text += String.fromCharCode(FOLD[bytes[k]]);
  const from = bestWindowStart(text, maxLength);
  const w = byteWeights(text);
  let sc = 0;
  for (let k = from; k < Math.min(text.length, from + maxLength); k++) sc += w[k];
  return sc;
}

/**
 * Where the best (rarest-looking) window of `maxLength` bytes of a literal starts (0 when
 * the literal is no longer); `s` holds one byte per character, folded.
 */
export function bestWindowStart(s: string, maxLength: number): number {
  if (s.length <= maxLength) return 0;
  const w = byteWeights(s);
  let best = 0;
  let bestScore = -1;
  for (let from = 0; from + maxLength <= s.length; from++) {
    let sc = 0;
    for (let k = from; k < from + maxLength; k++) sc += w[k];
    if (sc > bestScore) {
      bestScore = sc;
      best = from;
    }
  }
  return best;
}

interface FactorOptions {
  readonly minLength: number;
  readonly maxLength: number;
  readonly maxLiterals: number;
  /** In an AND, prefer the factor with the fewest literals (when a union got too large). */
  readonly fewest: boolean;
}

/** Higher is better: the weakest literal's score, less a little per extra literal. */
function setScore(set: readonly string[]): number {
  if (set.length === 0) return Infinity;
  let min = Infinity;
  for (const s of set) min = Math.min(min, windowScore(s, 0, s.length) + 0.05 * s.length);
  return min - Math.log2(set.length);
}

function normalizeSet(lits: Iterable<string>): string[] {
  // In a set (an OR), a literal containing another is redundant.
  return dedupeLits([...lits].map((s): Cond => ({ kind: 'lit', s })), 'or');
}

/** The set as the searcher gets it: each literal cut to its best window, redundancy removed. */
function finalize(set: readonly string[], o: FactorOptions): string[] {
  return normalizeSet(set.map((s) => bestWindow(s, o.maxLength)));
}

/** The best window (longest first, then rarest) contained in every literal of the set. */
function commonWindow(set: readonly string[], o: FactorOptions): string | null {
  let shortest = set[0];
  for (const s of set) if (s.length < shortest.length) shortest = s;
  for (let len = Math.min(o.maxLength, shortest.length); len >= o.minLength; len--) {
    let best: string | null = null;
    let bestScore = -1;
    const weights = byteWeights(shortest);
    for (let from = 0; from + len <= shortest.length; from++) {
      const w = shortest.slice(from, from + len);
      if (!set.every((s) => s.includes(w))) continue;
      let sc = 0;
      for (let k = from; k < from + len; k++) sc += weights[k];
      if (sc > bestScore) {
        best = w;
        bestScore = sc;
      }
    }
    if (best !== null) return best;
  }
  return null;
}

/** A factor for the OR: the union of its branches' factors, or a window they all contain. */
function orFactor(items: readonly Cond[], o: FactorOptions): string[] | null {
  const all: string[] = [];
  for (const it of items) {
    const f = factorOf(it, o);
    if (!f) return null;
    all.push(...f);
  }
  if (all.length === 0) return all;
  const set = finalize(all, o);
  const common = commonWindow(all, o);
  if (common !== null && (set.length > o.maxLiterals || setScore([common]) >= setScore(set))) return [common];
  if (set.length <= o.maxLiterals) return set;
  // Too many literals: choose again, preferring in each AND the factor with fewest literals.
  return o.fewest ? null : orFactor(items, { ...o, fewest: true });
}

/** Literals (not yet cut to windows) at least one of which every input with a match contains. */
function factorOf(c: Cond, o: FactorOptions): string[] | null {
  switch (c.kind) {
    case 'any':
      return null;
    case 'none':
      return [];
    case 'lit':
      return c.s.length >= o.minLength ? [c.s] : null;
    case 'or':
      return orFactor(c.items, o);
    case 'and': {
      let best: string[] | null = null;
      let bestScore = -Infinity;
      for (const it of c.items) {
        const f = factorOf(it, o);
        if (!f) continue;
        const fin = finalize(f, o);
        const sc = o.fewest ? -fin.length * 1000 + setScore(fin) : setScore(fin);
        if (best === null || sc > bestScore) {
          best = f;
          bestScore = sc;
        }
      }
      return best;
    }
  }
}

/**
 * The fast factor: a set of literals (folded), at least one of which occurs in every
 * input with a match; null when there is no usable one (then the signature must always
 * run), `[]` when the signature never matches. Literals shorter than `minLength` (default
 * 3) are unusable, longer than `maxLength` (default 8) are cut to their rarest window, and
 * a set has at most `maxLiterals` (default 32) literals.
 */
export function chooseFactor(
  cond: LiteralCondition,
  options: { minLength?: number; maxLength?: number; maxLiterals?: number } = {},
): Uint8Array[] | null {
  const o: FactorOptions = {
    minLength: Math.max(1, options.minLength ?? 3),
    maxLength: Math.max(1, options.maxLength ?? 8, options.minLength ?? 3),
    maxLiterals: options.maxLiterals ?? 32,
    fewest: false,
  };
  const f = factorOf(fromPublic(cond), o);
  return f === null ? null : finalize(f, o).map(latin1Bytes);
}

function maxLen0(ir: Ir): number {
  switch (ir.kind) {
    case 'empty':
    case 'assert':
      return 0;
    case 'never':
      return -Infinity;
    case 'bytes':
      return ir.set.some((w) => w !== 0) ? 1 : -Infinity;
    case 'concat': {
      const lens = ir.items.map(maxLen0);
      // A never part makes the whole never (and -Infinity + Infinity would be NaN).
      return lens.includes(-Infinity) ? -Infinity : lens.reduce((acc, l) => acc + l, 0);
    }
    case 'alt':
      return ir.items.reduce((acc, i) => Math.max(acc, maxLen0(i)), -Infinity);
    case 'repeat': {
      const m = maxLen0(ir.item);
      if (ir.max === 0) return 0;
      if (m === -Infinity) return ir.min === 0 ? 0 : -Infinity;
      if (m === 0) return 0;
      return m * ir.max;
    }
  }
}

/**
 * Max length in bytes of any match of the IR (Infinity when unbounded; 0 when it never
 * matches); assertions are 0.
 */
export function maxMatchLength(ir: Ir): number {
  return Math.max(0, maxLen0(ir));
}

/** A pattern that is one fixed string: its bytes, and which positions match either ASCII case. */
export interface PureLiteral {
  /** The bytes as written at case-sensitive positions, lower case at caseless ones. */
  readonly bytes: Uint8Array;
  /** 1 at positions that match both cases of an ASCII letter. */
  readonly caseless: Uint8Array;
}

/**
 * The IR as a fixed string when it is one: a concatenation of single bytes or ASCII case
 * pairs ([aA]), nothing else (no assertion, repeat, alternation or wider class); null
 * otherwise. Such a signature's matches are exactly the string's occurrences, so the
 * prefilter reports it straight from the literal search, without an automaton.
 */
export function pureLiteral(ir: Ir): PureLiteral | null {
  const items = ir.kind === 'concat' ? ir.items : [ir];
  const bytes = new Uint8Array(items.length);
  const caseless = new Uint8Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (it.kind !== 'bytes') return null;
    const members: number[] = [];
    for (let b = 0; b < 256 && members.length <= 2; b++) if ((it.set[b >>> 5] >>> (b & 31)) & 1) members.push(b);
    if (members.length === 1) bytes[i] = members[0];
    else if (members.length === 2 && members[1] - members[0] === 0x20 && members[0] >= 0x41 && members[0] <= 0x5a) {
      bytes[i] = members[1];
      caseless[i] = 1;
    } else return null;
  }
  return items.length === 0 ? null : { bytes, caseless };
}

/**
 * How a fixed string is found in a buffer by the native search (memmem): its longest
 * stretch that case folding leaves alone (`anchor`, starting `anchorAt` bytes in; empty
 * when every byte is a caseless letter), each hit then compared in full.
 */
export interface StringSearch {
  readonly lit: PureLiteral;
  readonly anchor: Buffer;
  readonly anchorAt: number;
}

/** The search plan of `lit`. */
export function stringSearch(lit: PureLiteral): StringSearch {
  const caseFree = (k: number): boolean => !(lit.caseless[k] === 1 && isAsciiLetter(lit.bytes[k]));
  let best = 0;
  let bestLen = 0;
  for (let k = 0; k < lit.bytes.length; ) {
    if (!caseFree(k)) {
      k++;
      continue;
    }
    let e = k;
    while (e < lit.bytes.length && caseFree(e)) e++;
    if (e - k > bestLen) {
      best = k;
      bestLen = e - k;
    }
    k = e;
  }
  return { lit, anchor: Buffer.from(lit.bytes.subarray(best, best + bestLen)), anchorAt: best };
}

/** Does the string occur in `data` at offset p (which leaves room for it)? */
function occursAt(lit: PureLiteral, data: Uint8Array, p: number): boolean {
  const lb = lit.bytes;
  const caseless = lit.caseless;
  for (let k = 0; k < lb.length; k++) if ((caseless[k] === 1 ? FOLD[data[p + k]] : data[p + k]) !== lb[k]) return false;
  return true;
}

/** Appends to `out` the end offsets (ascending) of every occurrence of the string in data[0, n). */
export function occurrenceEnds(search: StringSearch, data: Uint8Array, n: number, out: number[]): void {
  const { lit, anchor, anchorAt } = search;
  const len = lit.bytes.length;
  if (anchor.length === 0) {
    for (let p = 0; p + len <= n; p++) if (occursAt(lit, data, p)) out.push(p + len);
    return;
  }
  const view = Buffer.from(data.buffer, data.byteOffset, n);
  for (let i = view.indexOf(anchor, anchorAt); i >= 0; i = view.indexOf(anchor, i + 1)) {
    const p = i - anchorAt;
    if (p + len > n) break;
    if (occursAt(lit, data, p)) out.push(p + len);
  }
}

/** An ASCII letter (the only bytes case folding changes, in either direction). */
export function isAsciiLetter(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}
