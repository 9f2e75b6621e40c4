/**
 * A deliberately naive reference matcher over the IR, for differential tests and benches
 * (not used by any engine, not exported by the package): for a start offset
 * it computes the set of all end offsets reachable by the IR (no greediness, no
 * backtracking order), straight from the assertion definitions in `src/syntax/ir.ts`.
 * Exponential-free (sets of positions), but allocation-heavy: short inputs only.
 */
import type { AssertionKind, Ir } from './ir.js';

const isWord = (b: number | undefined): boolean =>
  b !== undefined &&
  ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f);

/**
 * Whether assertion `a` holds at offset `pos` (0..length) of `input`, by its definition in
 * `ir.ts`.
 */
export function assertionHolds(a: AssertionKind, input: Uint8Array, pos: number): boolean {
  const n = input.length;
  switch (a) {
    case 'text-start':
      return pos === 0;
    case 'line-start':
      return pos === 0 || input[pos - 1] === 0x0a;
    case 'text-end':
      return pos === n;
    case 'text-end-newline':
      return pos === n || (pos === n - 1 && input[pos] === 0x0a);
    case 'line-end':
      return pos === n || input[pos] === 0x0a;
    case 'word-boundary':
      return isWord(pos > 0 ? input[pos - 1] : undefined) !== isWord(pos < n ? input[pos] : undefined);
    case 'not-word-boundary':
      return isWord(pos > 0 ? input[pos - 1] : undefined) === isWord(pos < n ? input[pos] : undefined);
  }
}

/** All end offsets of matches of `ir` starting at any offset in `from`. */
export function ends(ir: Ir, input: Uint8Array, from: ReadonlySet<number>): Set<number> {
  const out = new Set<number>();
  switch (ir.kind) {
    case 'empty':
      for (const p of from) out.add(p);
      return out;
    case 'never':
      return out;
    case 'bytes':
      for (const p of from) {
        if (p < input.length && (ir.set[input[p] >>> 5] & (1 << (input[p] & 31))) !== 0) out.add(p + 1);
      }
      return out;
    case 'assert':
      for (const p of from) if (assertionHolds(ir.assertion, input, p)) out.add(p);
      return out;
    case 'concat': {
      let cur: ReadonlySet<number> = from;
      for (const it of ir.items) cur = ends(it, input, cur);
      return new Set(cur);
    }
    case 'alt':
      for (const it of ir.items) for (const p of ends(it, input, from)) out.add(p);
      return out;
    case 'repeat': {
      let cur: ReadonlySet<number> = from;
      for (let k = 0; k < ir.min; k++) cur = ends(ir.item, input, cur);
      for (const p of cur) out.add(p);
      // Optional iterations: positions are bounded, so a fixpoint is reached quickly.
      const extra = ir.max === Infinity ? input.length + 1 : ir.max - ir.min;
      for (let k = 0; k < extra; k++) {
        const next = ends(ir.item, input, cur);
        if (next.size === 0) break;
        let grew = false;
        for (const p of next) {
          if (!out.has(p)) {
            out.add(p);
            grew = true;
          }
        }
        if (!grew && ir.max === Infinity) break;
        cur = next;
      }
      return out;
    }
  }
}

/** Smallest start offset with a match, or -1. */
export function leftmostStart(ir: Ir, input: Uint8Array): number {
  for (let s = 0; s <= input.length; s++) if (ends(ir, input, new Set([s])).size > 0) return s;
  return -1;
}

/** Whether the IR matches anywhere in `input`. */
export function matches(ir: Ir, input: Uint8Array): boolean {
  return leftmostStart(ir, input) >= 0;
}

/** The latin1 bytes of a string (one byte per char; chars above U+00FF are truncated). */
export function latin1(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}
