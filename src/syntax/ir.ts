/**
 * Byte-level regex IR: what the PCRE front end produces and the NFA builder (and the
 * regexp baseline, which turns it back into a JavaScript pattern) consume. Everything a
 * signature means is explicit here: flags such as `i`, `s`, `m`, `x`, `E` are already
 * applied (case folding expanded into byte sets, `.` into its byte set, `^`/`$` into the
 * precise assertion kind), so consumers never look at flags.
 *
 * Invariants: byte sets are 256-bit (`ByteSet`, 8 × u32, bit b set ⇔ byte b); `repeat`
 * has 0 ≤ min ≤ max (max may be Infinity); `concat`/`alt` have ≥ 2 items after
 * simplification (builders may still accept 0/1); Ir trees are immutable once built.
 */

/** 256-bit set of bytes: word b >>> 5, bit b & 31. */
export type ByteSet = Uint32Array;

/** The zero-width assertions of the IR, each defined on the bytes around a boundary. */
export type AssertionKind =
  /** `\A`, or `^` without `m`: offset 0 of the input. */
  | 'text-start'
  /** `^` with `m`: offset 0, or the previous byte is `\n`. */
  | 'line-start'
  /** `\z`, or `$` with Snort `E` (PCRE DOLLAR_ENDONLY) without `m`: end of input. */
  | 'text-end'
  /** `\Z`, or `$` without `m`/`E`: end of input, or before a `\n` that is the last byte. */
  | 'text-end-newline'
  /** `$` with `m`: end of input, or the next byte is `\n`. */
  | 'line-end'
  /** `\b`: word-ness (ASCII [A-Za-z0-9_]) of previous and next byte differ (outside = non-word). */
  | 'word-boundary'
  /** `\B`: they are equal. */
  | 'not-word-boundary';

/**
 * The byte-level IR of one pattern (flags already applied; see the module comment for the
 * invariants).
 */
export type Ir =
  /** Matches the empty string. */
  | { readonly kind: 'empty' }
  /** Matches nothing (e.g. an empty class `[^\x00-\xff]`). */
  | { readonly kind: 'never' }
  /** One byte from the set. */
  | { readonly kind: 'bytes'; readonly set: ByteSet }
  | { readonly kind: 'concat'; readonly items: readonly Ir[] }
  | { readonly kind: 'alt'; readonly items: readonly Ir[] }
  /** Greediness does not change match/no-match or match ends; kept for regexp round-trips. */
  | { readonly kind: 'repeat'; readonly item: Ir; readonly min: number; readonly max: number; readonly greedy: boolean }
  | { readonly kind: 'assert'; readonly assertion: AssertionKind };

/** What the front end knows about a signature beyond its IR. */
export interface ParsedSignature {
  /** The original text as given (e.g. `/foo\d+/smi` or a bare pattern). */
  readonly source: string;
  /** The pattern between the delimiters. */
  readonly pattern: string;
  /** PCRE flags as written (subset of `ismxAEG`). */
  readonly flags: string;
  /** Snort buffer/relative flags as written (subset of `RUIPHDMCKSYBO`), for rule logic. */
  readonly snortFlags: string;
  /** True for a negated Snort option (`pcre:!"/…/"`): the rule fires when the pattern does not match. */
  readonly negated: boolean;
  /** True when the signature can only match at offset 0 (`A` flag, or every branch starts with `\A`/`^` without `m`). */
  readonly anchored: boolean;
  readonly ir: Ir;
}
