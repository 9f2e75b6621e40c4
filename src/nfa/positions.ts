/**
 * Glushkov (position automaton) analysis of one signature's IR, extended with zero-width
 * assertions.
 *
 * Every `bytes` leaf, after counted repeats are expanded into copies, becomes a position.
 * Classic Glushkov computes First, Last, Follow and Nullable; here each entry also carries
 * the *conditions* met on the way: the set of assertions an epsilon path crosses between
 * two consecutive bytes (a 7-bit mask, a conjunction). So
 *   first    = {(q, m)}    the match may start by entering q, if m holds before q's byte;
 *   last     = {(p, m)}    the match may end after p, if m holds at that boundary;
 *   follow   = {(p, q, m)} q may follow p, if m holds at the boundary between them;
 *   nullable = {m}         the empty string matches, if m holds at that boundary.
 * A boundary's conditions depend only on the byte before it and the byte after it (or the
 * ends of the input), which is what the NFA builder (`build.ts`) resolves per state copy.
 *
 * Masks are kept minimal per position: (p, m) makes (p, m ∪ x) redundant (a weaker
 * condition on the same transition), and masks that can never hold (`\b` with `\B`) are
 * dropped. Pairs are encoded as one number, `pos * 128 + mask`, to keep compile time low.
 */
import { LimitExceededError, UnsupportedFeatureError } from '../errors.js';
import type { AssertionKind, ByteSet, Ir } from '../syntax/ir.js';

/** Assertion bit of `\A` (and `^` without m): no byte before the boundary. */
export const A_TEXT_START = 1;
/** Assertion bit of `^` with m: no byte or `\n` before the boundary. */
export const A_LINE_START = 2;
/** Assertion bit of `\z` (and `$` with Snort `E`): no byte after the boundary. */
export const A_TEXT_END = 4;
/** Assertion bit of `\Z` (and `$` without m): the end, or a final `\n` then the end. */
export const A_TEXT_END_NEWLINE = 8;
/** Assertion bit of `$` with m: no byte or `\n` after the boundary. */
export const A_LINE_END = 16;
/** Assertion bit of `\b`: exactly one side of the boundary is a word byte. */
export const A_WORD_BOUNDARY = 32;
/** Assertion bit of `\B`: both sides or neither are word bytes. */
export const A_NOT_WORD_BOUNDARY = 64;
/** Assertions that look at the byte after the boundary (or at the end of input). */
export const NEXT_DEPENDENT = A_TEXT_END | A_TEXT_END_NEWLINE | A_LINE_END | A_WORD_BOUNDARY | A_NOT_WORD_BOUNDARY;

const MASK_RADIX = 128;

/** The assertion bit (`A_*`) of an IR assertion kind. */
export function assertionBit(kind: AssertionKind): number {
  switch (kind) {
    case 'text-start':
      return A_TEXT_START;
    case 'line-start':
      return A_LINE_START;
    case 'text-end':
      return A_TEXT_END;
    case 'text-end-newline':
      return A_TEXT_END_NEWLINE;
    case 'line-end':
      return A_LINE_END;
    case 'word-boundary':
      return A_WORD_BOUNDARY;
    case 'not-word-boundary':
      return A_NOT_WORD_BOUNDARY;
  }
}

/**
 * The Glushkov analysis of one signature (see the module comment for the meaning of the pairs).
 */
export interface Positions {
  /** Byte set of each position. */
  readonly sets: ByteSet[];
  /** Encoded (pos, mask) pairs, normalized. */
  readonly first: number[];
  readonly last: number[];
  /** Masks under which the empty string matches (empty: it never does). */
  readonly nullable: number[];
  /** follow[p] = encoded (q, mask) pairs, normalized. */
  readonly follow: number[][];
  /** OR of every assertion bit that occurs anywhere in the IR. */
  readonly usedAssertions: number;
}

/** Budgets of `computePositions`. */
export interface PositionOptions {
  /** Largest number of positions (after expanding counted repeats). */
  maxPositions: number;
  /** Largest number of follow pairs (the Glushkov follow relation can be quadratic). */
  maxFollow: number;
}

interface Fragment {
  first: number[];
  last: number[];
  nullable: number[];
}

function unsat(mask: number): boolean {
  return (mask & A_WORD_BOUNDARY) !== 0 && (mask & A_NOT_WORD_BOUNDARY) !== 0;
}

/** Sorts, dedups and drops subsumed/unsatisfiable pairs (in place when possible). */
export function normalizePairs(pairs: number[]): number[] {
  if (pairs.length === 0) return pairs;
  if (pairs.length === 1) return unsat(pairs[0] % MASK_RADIX) ? [] : pairs;
  pairs.sort((a, b) => a - b);
  const out: number[] = [];
  let i = 0;
  while (i < pairs.length) {
    const pos = Math.floor(pairs[i] / MASK_RADIX);
    let j = i;
    while (j < pairs.length && Math.floor(pairs[j] / MASK_RADIX) === pos) j++;
    // Masks of this position, ascending: a subset always sorts before its supersets.
    const kept: number[] = [];
    for (let k = i; k < j; k++) {
      const m = pairs[k] % MASK_RADIX;
      if (unsat(m)) continue;
      let redundant = false;
      for (const km of kept) {
        if ((km & m) === km) {
          redundant = true;
          break;
        }
      }
      if (!redundant) {
        kept.push(m);
        out.push(pos * MASK_RADIX + m);
      }
    }
    i = j;
  }
  return out;
}

function normalizeMasks(masks: number[]): number[] {
  // A mask set is a pair set for one pseudo-position 0.
  return normalizePairs(masks);
}

/** The position of an encoded (position, mask) pair. */
export function pairPos(pair: number): number {
  return Math.floor(pair / MASK_RADIX);
}

/** The assertion mask (`A_*` bits, a conjunction) of an encoded (position, mask) pair. */
export function pairMask(pair: number): number {
  return pair % MASK_RADIX;
}

/**
 * Computes the positions of `ir`.
 * @throws LimitExceededError when the expansion exceeds `options.maxPositions` or
 *   `options.maxFollow` (checked while building, so a huge repeat fails fast).
 * @throws UnsupportedFeatureError for repeat bounds the front end never produces (a
 *   hand-built IR).
 */
export function computePositions(ir: Ir, options: PositionOptions): Positions {
  const b = new PositionBuilder(options);
  const top = b.build(ir);
  const follow = b.follow;
  for (let p = 0; p < follow.length; p++) follow[p] = normalizePairs(follow[p]);
  return {
    sets: b.sets,
    first: normalizePairs(top.first.slice()),
    last: normalizePairs(top.last.slice()),
    nullable: normalizeMasks(top.nullable.slice()),
    follow,
    usedAssertions: b.used,
  };
}

/**
 * The Glushkov construction, one IR node at a time. Fragments share their arrays (never
 * pushed into once built), so that long chains of non-nullable items cost O(1) each
 * instead of copying ever-growing sets.
 */
class PositionBuilder {
  readonly sets: ByteSet[] = [];
  readonly follow: number[][] = [];
  used = 0;
  private followCount = 0;

  constructor(private readonly options: PositionOptions) {}

  build(node: Ir): Fragment {
    switch (node.kind) {
      case 'empty':
        return { first: [], last: [], nullable: [0] };
      case 'never':
        return { first: [], last: [], nullable: [] };
      case 'bytes': {
        const p = this.newPosition(node.set);
        return { first: [p * MASK_RADIX], last: [p * MASK_RADIX], nullable: [] };
      }
      case 'assert': {
        const bit = assertionBit(node.assertion);
        this.used |= bit;
        return { first: [], last: [], nullable: [bit] };
      }
      case 'concat': {
        if (node.items.length === 0) return { first: [], last: [], nullable: [0] };
        let acc = this.build(node.items[0]);
        for (let i = 1; i < node.items.length; i++) acc = this.concat2(acc, this.build(node.items[i]));
        return acc;
      }
      case 'alt':
        return alt(node.items.map((item) => this.build(item)));
      case 'repeat':
        return this.repeat(node.item, node.min, node.max);
    }
  }

  private repeat(item: Ir, min: number, max: number): Fragment {
    if (!Number.isInteger(min) || min < 0 || !(max === Infinity || (Number.isInteger(max) && max >= min))) {
      // The front end guarantees valid bounds; a hand-built IR may not.
      throw new UnsupportedFeatureError(`repeat bounds {${min},${max}}`, '<ir>', 0);
    }
    if (max === 0) return { first: [], last: [], nullable: [0] };
    // Mandatory copies first; the last mandatory copy loops when the repeat is unbounded.
    let acc: Fragment | null = null;
    const mandatory = max === Infinity ? Math.max(min - 1, 0) : min;
    for (let i = 0; i < mandatory; i++) {
      const f = this.build(item);
      acc = acc ? this.concat2(acc, f) : f;
    }
    let tail: Fragment | null = null;
    if (max === Infinity) {
      const looped = this.plus(this.build(item));
      tail = min === 0 ? optional(looped) : looped;
    } else if (max > min) tail = this.optionalChain(item, max - min);
    if (acc && tail) return this.concat2(acc, tail);
    return acc ?? tail ?? { first: [], last: [], nullable: [0] };
  }

  /**
   * x{0,k} = T_1 with T_k = (c_k)?, T_i = (c_i T_i+1)?. Built directly, innermost first:
   * Last(T_1) is every copy's Last (each copy may be the final one), and Null(T_i+1) = {0},
   * so nothing but First needs recomputing (nested concat2 calls would copy the growing
   * Last sets: quadratic in k).
   */
  private optionalChain(item: Ir, k: number): Fragment {
    const copies: Fragment[] = [];
    for (let i = 0; i < k; i++) copies.push(this.build(item));
    let innerFirst = copies[k - 1].first;
    const allLast: number[] = copies[k - 1].last.slice();
    for (let i = k - 2; i >= 0; i--) {
      const c = copies[i];
      this.addFollow(c.last, innerFirst);
      for (const x of c.last) allLast.push(x);
      if (c.nullable.length) {
        const f = c.first.slice();
        for (const n of c.nullable) for (const fq of innerFirst) f.push(withMask(fq, n));
        innerFirst = normalizePairs(f);
      } else innerFirst = c.first;
    }
    return { first: innerFirst, last: normalizePairs(allLast), nullable: [0] };
  }

  private newPosition(set: ByteSet): number {
    if (this.sets.length >= this.options.maxPositions) {
      throw new LimitExceededError('positions', this.options.maxPositions, this.sets.length + 1);
    }
    this.sets.push(set);
    this.follow.push([]);
    return this.sets.length - 1;
  }

  private addFollow(lastSet: number[], firstSet: number[]): void {
    if (lastSet.length === 0 || firstSet.length === 0) return;
    for (const lp of lastSet) {
      const p = pairPos(lp);
      const lm = pairMask(lp);
      const row = this.follow[p];
      for (const fq of firstSet) {
        row.push(withMask(fq, lm));
      }
      this.followCount += firstSet.length;
    }
    if (this.followCount > this.options.maxFollow) {
      throw new LimitExceededError('follow pairs', this.options.maxFollow, this.followCount);
    }
  }

  private concat2(a: Fragment, b: Fragment): Fragment {
    this.addFollow(a.last, b.first);
    let first = a.first;
    if (a.nullable.length) {
      first = a.first.slice();
      for (const n of a.nullable) for (const fq of b.first) first.push(withMask(fq, n));
      first = normalizePairs(first);
    }
    let last = b.last;
    if (b.nullable.length) {
      last = b.last.slice();
      for (const n of b.nullable) for (const lp of a.last) last.push(withMask(lp, n));
      last = normalizePairs(last);
    }
    const nullable: number[] = [];
    for (const n1 of a.nullable) for (const n2 of b.nullable) nullable.push(n1 | n2);
    return { first, last, nullable: normalizeMasks(nullable) };
  }

  /** One or more iterations of a fresh copy: the copy's last positions loop to its first. */
  private plus(f: Fragment): Fragment {
    this.addFollow(f.last, f.first);
    return f;
  }
}

function alt(frags: Fragment[]): Fragment {
  const first: number[] = [];
  const last: number[] = [];
  const nullable: number[] = [];
  for (const f of frags) {
    for (const x of f.first) first.push(x);
    for (const x of f.last) last.push(x);
    for (const x of f.nullable) nullable.push(x);
  }
  return { first: normalizePairs(first), last: normalizePairs(last), nullable: normalizeMasks(nullable) };
}

function optional(f: Fragment): Fragment {
  return { first: f.first, last: f.last, nullable: [0] };
}

function withMask(pair: number, mask: number): number {
  const m = pairMask(pair);
  return pair - m + (m | mask);
}
