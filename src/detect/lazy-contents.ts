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
 * make the direction be decided again. The search itself is the prefilter's
 * (`stringSearch`, `occurrenceEnds`).
 */
import { FOLD, isAsciiLetter, occurrenceEnds, stringSearch, type StringSearch } from '../prefilter/literals.js';

/** A content to find (its string search). */
export type LazyContent = StringSearch;

/** The search plan of a content (`nocase`: ASCII letters match either case). */
export function lazyContent(content: Uint8Array, nocase: boolean): LazyContent {
  if (!nocase) return stringSearch({ bytes: content, caseless: new Uint8Array(content.length) });
  const bytes = Uint8Array.from(content, (b) => FOLD[b]);
  return stringSearch({ bytes, caseless: Uint8Array.from(bytes, (b) => (isAsciiLetter(b) ? 1 : 0)) });
}

/** Appends to `out` the end offsets (ascending) of every occurrence of `c` in `payload`. */
export function findContent(c: LazyContent, payload: Uint8Array, out: number[]): void {
  occurrenceEnds(c, payload, payload.length, out);
}
