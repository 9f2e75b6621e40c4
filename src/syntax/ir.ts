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
  /**
   * The byte-level IR. For a signature with `exact` it is a regular over-approximation:
   * every (start, end) span the exact pattern matches, it matches too.
   */
  readonly ir: Ir;
  /**
   * Present only when the pattern uses a feature no automaton expresses (backreference,
   * lookaround, atomic group, possessive quantifier) and parsing was asked to accept
   * such patterns (`ParseOptions.confirm`): the exact form, which confirms the candidates
   * `ir` finds.
   */
  readonly exact?: ExactForm;
}

/**
 * The exact form of a pattern the IR cannot express (backreference, lookaround, atomic
 * group, possessive quantifier): the IR's node kinds, with the same meaning, plus four
 * kinds that only a backtracking matcher runs (src/confirm/exact.ts). Flags are applied as
 * in the IR. A possessive quantifier `X*+` arrives as `atomic(repeat(X))`.
 */
export type Rx =
  | { readonly kind: 'empty' }
  | { readonly kind: 'never' }
  | { readonly kind: 'bytes'; readonly set: ByteSet }
  | { readonly kind: 'assert'; readonly assertion: AssertionKind }
  | { readonly kind: 'concat'; readonly items: readonly Rx[] }
  | { readonly kind: 'alt'; readonly items: readonly Rx[] }
  | { readonly kind: 'repeat'; readonly item: Rx; readonly min: number; readonly max: number; readonly greedy: boolean }
  /** Capturing group number `index` (1-based, PCRE's numbering). */
  | { readonly kind: 'group'; readonly index: number; readonly item: Rx }
  /** `\N`: the text group `index` captured (ASCII case-insensitively with `caseless`); fails while the group is unset. */
  | { readonly kind: 'backref'; readonly index: number; readonly caseless: boolean }
  /**
   * Lookaround. A lookbehind's top-level branches each have one fixed length (PCRE 8.x
   * refuses others at compile time), kept in `lengths` in branch order; `item` is then an
   * `alt` of those branches (or the single branch).
   */
  | { readonly kind: 'look'; readonly behind: boolean; readonly negate: boolean; readonly item: Rx; readonly lengths?: readonly number[] }
  /** `(?>X)`: X's first match only, never backtracked into. */
  | { readonly kind: 'atomic'; readonly item: Rx };

/** What the front end adds to a signature that needs confirmation (see ParsedSignature.exact). */
export interface ExactForm {
  /** The pattern with PCRE's exact meaning; the signature's `ir` over-approximates it. */
  readonly rx: Rx;
  /** Number of capturing groups. */
  readonly groups: number;
  /** The features that made it need confirmation, e.g. ['backreference', 'lookahead']. */
  readonly features: readonly string[];
}
