/**
 * Smart constructors and small analyses over the IR. The constructors keep the IR
 * invariants of `ir.ts` (flattened concat/alt with ≥ 2 items, no `repeat {1,1}`, `never`
 * absorbed where it is exact to do so) so that consumers see a canonical, smallish tree.
 * Every simplification here preserves the set of (start, end) match spans exactly;
 * none of them depends on flags, which are already applied by the front end.
 */
import type { AssertionKind, ByteSet, Ir, Rx } from './ir.js';
import { byteSetOf, foldAsciiCaseInto, isEmptyByteSet, union } from './byte-set.js';

/** The IR that matches the empty string (shared, frozen). */
export const EMPTY: Ir = Object.freeze({ kind: 'empty' });
/** The IR that matches nothing (shared, frozen). */
export const NEVER: Ir = Object.freeze({ kind: 'never' });

/** One byte of `set` (`NEVER` when the set is empty). */
export function bytesIr(set: ByteSet): Ir {
  return isEmptyByteSet(set) ? NEVER : { kind: 'bytes', set };
}

/** A zero-width assertion. */
export function assertIr(assertion: AssertionKind): Ir {
  return { kind: 'assert', assertion };
}

/** The concatenation of `items`, flattened; `NEVER` if any item is, `EMPTY` items dropped. */
export function concatIr(items: readonly Ir[]): Ir {
  const out: Ir[] = [];
  for (const it of items) {
    if (it.kind === 'never') return NEVER;
    if (it.kind === 'empty') continue;
    if (it.kind === 'concat') out.push(...it.items);
    else out.push(it);
  }
  if (out.length === 0) return EMPTY;
  if (out.length === 1) return out[0];
  return { kind: 'concat', items: out };
}

/**
 * Alternation. Single-byte alternatives are merged into one byte set (order among
 * alternatives does not change which spans match). Duplicate `empty` branches collapse.
 */
export function altIr(items: readonly Ir[]): Ir {
  const flat: Ir[] = [];
  for (const it of items) {
    if (it.kind === 'never') continue;
    if (it.kind === 'alt') flat.push(...it.items);
    else flat.push(it);
  }
  let merged: ByteSet | null = null;
  let hasEmpty = false;
  const rest: Ir[] = [];
  for (const it of flat) {
    if (it.kind === 'bytes') merged = merged ? union(merged, it.set) : it.set;
    else if (it.kind === 'empty') hasEmpty = true;
    else rest.push(it);
  }
  const out: Ir[] = [];
  if (merged) out.push({ kind: 'bytes', set: merged });
  out.push(...rest);
  if (hasEmpty) out.push(EMPTY);
  if (out.length === 0) return NEVER;
  if (out.length === 1) return out[0];
  return { kind: 'alt', items: out };
}

/**
 * `item` repeated min..max times (`max` may be Infinity); `greedy` only records the quantifier
 * kind, the match spans do not depend on it.
 */
export function repeatIr(item: Ir, min: number, max: number, greedy = true): Ir {
  if (max === 0) return EMPTY;
  if (item.kind === 'empty') return EMPTY;
  if (item.kind === 'never') return min === 0 ? EMPTY : NEVER;
  if (min === 1 && max === 1) return item;
  // An item that consumes no byte (assertions only, e.g. `(?:^|\b)*`) matches the same
  // spans however often it is repeated once it is there at all: x{n,m} is x when n ≥ 1 and
  // x|ε when n = 0. This spares the NFA builder repeats of zero-width items.
  if (isZeroWidth(item)) return min === 0 ? altIr([item, EMPTY]) : item;
  return { kind: 'repeat', item, min, max, greedy };
}

/** True when the item can only match the empty string (it has no byte positions). */
function isZeroWidth(ir: Ir): boolean {
  switch (ir.kind) {
    case 'empty':
    case 'assert':
      return true;
    case 'concat':
    case 'alt':
      return ir.items.every(isZeroWidth);
    case 'repeat':
      return isZeroWidth(ir.item);
    default:
      return false;
  }
}

/** A Snort `content` string: the exact bytes, ASCII letters folded when `nocase`. */
export function literalIr(bytes: Uint8Array, nocase: boolean): Ir {
  const items: Ir[] = [];
  for (const b of bytes) {
    const s = byteSetOf(b);
    if (nocase) foldAsciiCaseInto(s);
    items.push({ kind: 'bytes', set: s });
  }
  return concatIr(items);
}

/**
 * Number of byte positions the NFA builder creates when it expands every counted repeat:
 * `x{n,m}` costs m copies of x, `x{n,}` costs n copies plus one starred copy. This is the
 * figure that `maxRepeatExpansion` limits (it grows multiplicatively with nesting).
 */
export function expandedSize(ir: Ir): number {
  return positions(ir, true);
}

/** Byte positions of the IR with every repeat taken once (what it costs before `expandedSize` multiplies). */
export function unexpandedSize(ir: Ir): number {
  return positions(ir, false);
}

function positions(ir: Ir, expand: boolean): number {
  switch (ir.kind) {
    case 'empty':
    case 'never':
    case 'assert':
      return 0;
    case 'bytes':
      return 1;
    case 'concat':
    case 'alt': {
      let n = 0;
      for (const it of ir.items) n += positions(it, expand);
      return n;
    }
    case 'repeat': {
      if (!expand) return positions(ir.item, false);
      const copies = ir.max === Infinity ? Math.max(ir.min, 1) + (ir.min > 0 ? 1 : 0) : ir.max;
      return positions(ir.item, true) * copies;
    }
  }
}

/**
 * True when every match must start at offset 0 of the input: each branch begins, before
 * consuming any byte, with a `text-start` assertion.
 */
export function startsWithTextStart(ir: Ir): boolean {
  switch (ir.kind) {
    case 'assert':
      return ir.assertion === 'text-start';
    case 'concat':
      for (const it of ir.items) {
        if (startsWithTextStart(it)) return true;
        // Zero-width items before the anchor do not move the start; anything else might.
        if (it.kind !== 'assert' && it.kind !== 'empty') return false;
      }
      return false;
    case 'alt':
      return ir.items.every(startsWithTextStart);
    case 'repeat':
      return ir.min >= 1 && startsWithTextStart(ir.item);
    default:
      return false;
  }
}

/** Structural equality (byte sets by content), handy in tests and for deduplication. */
export function irEquals(a: Ir, b: Ir): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'empty':
    case 'never':
      return true;
    case 'bytes': {
      const s = (b as typeof a).set;
      for (let w = 0; w < 8; w++) if (a.set[w] !== s[w]) return false;
      return true;
    }
    case 'assert':
      return a.assertion === (b as typeof a).assertion;
    case 'concat':
    case 'alt': {
      const bi = (b as typeof a).items;
      return a.items.length === bi.length && a.items.every((x, i) => irEquals(x, bi[i]));
    }
    case 'repeat': {
      const r = b as typeof a;
      return a.min === r.min && a.max === r.max && a.greedy === r.greedy && irEquals(a.item, r.item);
    }
  }
}

/**
 * A string that is equal for two IRs exactly when `irEquals` holds, except that greediness
 * is ignored (it changes no match end): the key under which the NFA builder compiles
 * identical signatures once.
 */
export function irKey(ir: Ir): string {
  switch (ir.kind) {
    case 'empty':
      return 'e';
    case 'never':
      return 'n';
    case 'bytes':
      return 'b' + Array.from(ir.set, (w) => (w >>> 0).toString(36)).join('.');
    case 'assert':
      return 'a' + ir.assertion;
    case 'concat':
      return 'c(' + ir.items.map(irKey).join(',') + ')';
    case 'alt':
      return 'o(' + ir.items.map(irKey).join('|') + ')';
    case 'repeat':
      return `r${ir.min},${ir.max}(${irKey(ir.item)})`;
  }
}

/** Match-length bounds of a signature (max may be Infinity). */
export interface LengthBounds {
  /** Shortest and longest match, in bytes. */
  minLength: number;
  maxLength: number;
}

/**
 * Bounds on the length of the strings an IR matches (assertions have length 0), or an exact
 * form's (`Rx`: a lookaround has length 0, a backreference anything from 0 to Infinity).
 * What matches nothing has { Infinity, -Infinity }.
 */
export function irLengthBounds(ir: Ir | Rx): LengthBounds {
  switch (ir.kind) {
    case 'empty':
    case 'assert':
    case 'look':
      return { minLength: 0, maxLength: 0 };
    case 'never':
      return { minLength: Infinity, maxLength: -Infinity };
    case 'backref':
      return { minLength: 0, maxLength: Infinity };
    case 'group':
    case 'atomic':
      return irLengthBounds(ir.item);
    case 'bytes':
      return { minLength: 1, maxLength: 1 };
    case 'concat': {
      let min = 0;
      let max = 0;
      for (const it of ir.items) {
        const b = irLengthBounds(it);
        // An item that matches nothing makes the whole match nothing (and -∞ + ∞ no NaN).
        if (b.minLength === Infinity) return b;
        min += b.minLength;
        max += b.maxLength;
      }
      return { minLength: min, maxLength: max };
    }
    case 'alt': {
      let min = Infinity;
      let max = -Infinity;
      for (const it of ir.items) {
        const b = irLengthBounds(it);
        min = Math.min(min, b.minLength);
        max = Math.max(max, b.maxLength);
      }
      return { minLength: min, maxLength: max };
    }
    case 'repeat': {
      const b = irLengthBounds(ir.item);
      if (b.minLength === Infinity) return ir.min === 0 ? { minLength: 0, maxLength: 0 } : b;
      const max = ir.max === 0 || b.maxLength === 0 ? 0 : b.maxLength * ir.max;
      return { minLength: b.minLength * ir.min, maxLength: max };
    }
  }
}
