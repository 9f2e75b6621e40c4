/**
 * Search form of a signature: the smallest IR with the same set of match *ends* under an
 * unanchored search, which is all that a signature matcher reports.
 *
 * Why: in an unanchored search the start of a match is free, so a leading loop such as the
 * `.+` of `/.+INSERT.+INTO/`, the `[^&]*` of `/[^&]*(?:SELECT|UNION)/` or the `{1,3}` of
 * `/[^0-9a-f]{1,3}68/` only re-describes starts that the implicit `.*` of the search
 * already covers; the automaton carries states for it that change nothing reported (and
 * a backtracking engine may explore them). Trimming them changes no reported match. The
 * measured effect is modest: on the active ET Open set over HTTP payloads, an explicit
 * simulation like bench/frontier-census.ts without merging duplicate signatures has 634
 * active states per byte with the rewrite and 660 without; most of those signatures keep a
 * one-byte wildcard position that is active at every byte.

 * The rewrite `lead(a)` of a leading item `a` keeps two properties (so the ends of
 * `lead(a)·rest` and `a·rest` coincide for every `rest`):
 *   sound:    L(lead(a)) ⊆ L(a)                  — no new match;
 *   complete: every u ∈ L(a) has a suffix in L(lead(a)) — the same end from a later start.
 * Rules: an item that can match the empty string without any assertion becomes ε;
 * `x{m,n}` (m ≥ 1) becomes `lead(x)·x{m-1}`; an alternation is rewritten branch by branch;
 * a concatenation rewrites its first item, and the next ones while the earlier became ε.
 * Assertions stop the rewrite (they pin the start), with two exact exceptions:
 *   `\A` / `^` (anchored) followed by `[\x00-\xff]{m,}`: same ends as unanchored `[\x00-\xff]{m}`;
 *   multiline `^` followed by `S{m,}` with S ⊇ [^\n]: same ends as unanchored `S{m}` (the
 *   line holding the match start begins with bytes of S only).
 * Assertions inside kept items are evaluated at the same text positions as before, so
 * they hold or fail exactly as in the original match.
 */
import type { ByteSet, Ir } from './ir.js';
import { byteSetSize, hasByte } from './byte-set.js';
import { EMPTY, concatIr, altIr, repeatIr, startsWithTextStart } from './ir-build.js';

/** True for a byte set containing every byte. */
function isAll(set: ByteSet): boolean {
  return byteSetSize(set) === 256;
}

/** True for a byte set containing every byte except possibly `\n`. */
function coversNonNewline(set: ByteSet): boolean {
  return byteSetSize(set) - (hasByte(set, 10) ? 1 : 0) === 255;
}

/** Can match the empty string through a path without any assertion. */
function pureNullable(ir: Ir): boolean {
  switch (ir.kind) {
    case 'empty':
      return true;
    case 'repeat':
      return ir.min === 0 || pureNullable(ir.item);
    case 'concat':
      return ir.items.every(pureNullable);
    case 'alt':
      return ir.items.some(pureNullable);
    default:
      return false;
  }
}

/** A loop over one byte set with no upper bound: `S{m,}`. */
function openLoop(ir: Ir | undefined): { set: ByteSet; min: number } | null {
  if (!ir || ir.kind !== 'repeat' || ir.max !== Infinity || ir.item.kind !== 'bytes') return null;
  return { set: ir.item.set, min: ir.min };
}

/** `lead(ir)` of the module comment (unanchored context). */
function lead(ir: Ir): Ir {
  if (pureNullable(ir)) return EMPTY;
  switch (ir.kind) {
    case 'alt':
      return altIr(ir.items.map(lead));
    case 'repeat': {
      // min ≥ 1 here (min 0 is pure-nullable).
      const first = lead(ir.item);
      if (first === ir.item) return repeatIr(ir.item, ir.min, ir.min, ir.greedy);
      return concatIr([first, repeatIr(ir.item, ir.min - 1, ir.min - 1, ir.greedy)]);
    }
    case 'concat':
      return leadItems(ir.items);
    default:
      return ir;
  }
}

function leadItems(items: readonly Ir[]): Ir {
  const first = items[0];
  if (!first) return EMPTY;
  if (first.kind === 'assert') {
    const loop = openLoop(items[1]);
    if (first.assertion === 'line-start' && loop && coversNonNewline(loop.set)) {
      return leadItems([repeatIr({ kind: 'bytes', set: loop.set }, loop.min, loop.min), ...items.slice(2)]);
    }
    return concatIr(items);
  }
  const a = lead(first);
  if (a.kind === 'empty') return leadItems(items.slice(1));
  return concatIr([a, ...items.slice(1)]);
}

/**
 * Anchored signatures: `\A[\x00-\xff]{m,}R` (possibly with the loop inside the first copy
 * of a counted group, as in `^(?:.*?X){5}` with `s`) becomes unanchored `[\x00-\xff]{m}R`.
 * Returns null when the signature does not have that shape.
 */
function unanchor(ir: Ir): Ir | null {
  if (ir.kind !== 'concat' || ir.items[0]?.kind !== 'assert' || ir.items[0].assertion !== 'text-start') return null;
  let items = ir.items.slice(1);
  // Expose a loop hidden in the first copy of a leading counted group (bounded unrolling).
  for (let guard = 0; guard < 4; guard++) {
    const loop = openLoop(items[0]);
    if (loop) {
      if (!isAll(loop.set)) return null;
      return concatIr([repeatIr({ kind: 'bytes', set: loop.set }, loop.min, loop.min), ...items.slice(1)]);
    }
    const g = items[0];
    if (!g || g.kind !== 'repeat' || g.min < 1 || g.item.kind !== 'concat') return null;
    items = [...g.item.items, repeatIr(g.item, g.min - 1, g.max - 1, g.greedy), ...items.slice(1)];
  }
  return null;
}

/** The search form of a signature's IR and whether it is still anchored at offset 0. */
export function searchForm(ir: Ir): { ir: Ir; anchored: boolean } {
  if (startsWithTextStart(ir)) {
    const un = unanchor(ir);
    if (!un) return { ir, anchored: true };
    ir = un;
  }
  const out = lead(ir);
  return { ir: out, anchored: startsWithTextStart(out) };
}
