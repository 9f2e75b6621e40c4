/**
 * Contents found on demand. A content that is no rule's key signature never makes a rule
 * a candidate (`program.ts`, `buildGroups`), so the automaton need not report it: when a
 * packet decision reaches a rule that uses it, the evaluator looks for it in that payload
 * (a memmem per content and payload, at most once). ET Open has thousands of such
 * contents, many of one to three bytes (`"e"`, `"|00 00|"`...) that the automaton found
 * at most offsets of a payload, each a report to the rule evaluator.
 *
 * Only packet decisions use this: their payload is whole at decision time. Stream
 * decisions keep every content in the automaton, since a segment's new matches are what
 * make the direction be decided again.
 */
import { FOLD } from '../prefilter/literals.js';

/** A content to find: its bytes (lower case where `nocase`) and the anchor its search uses. */
export interface LazyContent {
  readonly bytes: Uint8Array;
  readonly nocase: boolean;
  /** The longest stretch without an ASCII letter (with `nocase`; else all of it), and where it starts. */
  readonly anchor: Buffer;
  readonly anchorAt: number;
}

function isLetter(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

/** The search plan of a content. */
export function lazyContent(content: Uint8Array, nocase: boolean): LazyContent {
  const bytes = nocase ? Uint8Array.from(content, (b) => FOLD[b]) : content;
  let best = 0;
  let bestLen = 0;
  for (let k = 0; k < bytes.length; ) {
    if (nocase && isLetter(bytes[k])) {
      k++;
      continue;
    }
    let e = k;
    while (e < bytes.length && !(nocase && isLetter(bytes[e]))) e++;
    if (e - k > bestLen) {
      best = k;
      bestLen = e - k;
    }
    k = e;
  }
  return { bytes, nocase, anchor: Buffer.from(bytes.subarray(best, best + bestLen)), anchorAt: best };
}

/** Does `c` occur in `payload` at offset p (which leaves room for it)? */
function occursAt(c: LazyContent, payload: Uint8Array, p: number): boolean {
  const lb = c.bytes;
  if (c.nocase) {
    for (let k = 0; k < lb.length; k++) if (FOLD[payload[p + k]] !== lb[k]) return false;
  } else {
    for (let k = 0; k < lb.length; k++) if (payload[p + k] !== lb[k]) return false;
  }
  return true;
}

/** Appends to `out` the end offsets (ascending) of every occurrence of `c` in `payload`. */
export function findContent(c: LazyContent, payload: Uint8Array, out: number[]): void {
  const len = c.bytes.length;
  const n = payload.length;
  if (c.anchor.length === 0) {
    for (let p = 0; p + len <= n; p++) if (occursAt(c, payload, p)) out.push(p + len);
    return;
  }
  const view = Buffer.from(payload.buffer, payload.byteOffset, n);
  for (let i = view.indexOf(c.anchor, c.anchorAt); i >= 0; i = view.indexOf(c.anchor, i + 1)) {
    const p = i - c.anchorAt;
    if (p + len > n) break;
    if (occursAt(c, payload, p)) out.push(p + len);
  }
}
