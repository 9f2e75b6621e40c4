/**
 * The one interface every engine implements (nfa, obdd, obdd2, dfa, mdfa, regexp).
 *
 * Compile once into an immutable, shareable `Matcher`; scan many times with a
 * caller-owned `Scratch` that holds all mutable state of one stream (current frontier or
 * DFA state, absolute offset, which signatures already reported). Streaming is the
 * default: each `scan` continues where the previous chunk of the same scratch ended, so a
 * signature spanning two packets of a TCP stream matches. `finish` declares the end of the
 * input (end of packet, or of stream) and reports end-anchored matches (`$`, `\z`, a final
 * `\b`); after it the scratch is back at the start state, ready for the next input.
 *
 * Matches arrive through a callback (signature id = index in the compile input list, end =
 * absolute offset just past the match, counted from the stream start) so that the hot path
 * never allocates per match.
 *
 * Stopping, errors and misuse (every engine, through `guard.ts`):
 * - A callback that returns `true` stops the scan, as a non-zero return does in Hyperscan:
 *   `scan` (or `finish`) returns `true` at once, with no further report. The stream is then
 *   terminated: the scratch is back at the start state (`offset` 0), and every further
 *   `scan` reports nothing and returns `true` at once, until `finish` (which then reports
 *   nothing and returns `true`) or `reset`; after either, the scratch starts a new input as
 *   a fresh one would. A stop inside `finish` also leaves the scratch at the start state.
 *   Returning anything else (`undefined`, `false`) goes on. Nothing is tested per byte: the
 *   stop unwinds from the report itself.
 * - A callback that throws: the scan stops there, the scratch is reset to the start state
 *   (usable for a new input at once) and a CallbackError is thrown, the original as its
 *   `cause`. Any other error escaping a scan also leaves the scratch at the start state.
 * - Bytes that are not a Uint8Array (a string: encode it first), a callback that is not a
 *   function, or a scratch created by another matcher: ScanArgumentError (a TypeError),
 *   thrown before anything is scanned; the scratch is unchanged.
 * - `scanBlock` (src/matcher/block.ts) scans one whole buffer as one input and returns its
 *   matches: no scratch, no callback, no `finish` to forget.
 */

export type EngineName = 'nfa' | 'obdd' | 'obdd2' | 'dfa' | 'mdfa' | 'regexp';

/**
 * Receives one report: signature id and absolute end offset (just past the match). Return
 * `true` (exactly) to stop the scan (see the module comment); any other value goes on
 * (`undefined`, `false`, or whatever an expression body yields, such as `push`'s length).
 */
export type MatchCallback = (signature: number, end: number) => unknown;

/** Which reports a scratch delivers. */
export type MatchMode =
  /** Every end offset of every match (one report per (signature, end)). */
  | 'all'
  /**
   * The match set: each signature at most once per input (until `finish`/`reset`), with
   * its earliest end, and a signature that has reported costs no more work ("squashing",
   * where the engine supports it; see `docs/engines.md`).
   */
  | 'set'
  /** @deprecated the former name of 'set'; same behaviour. */
  | 'first';

/** The mode a scratch runs: 'first' is the former name of 'set'. */
export function normalizeMode(mode: MatchMode | undefined): 'all' | 'set' {
  if (mode === undefined || mode === 'all') return 'all';
  if (mode === 'set' || mode === 'first') return 'set';
  throw new TypeError(`unknown match mode ${JSON.stringify(mode)} (modes: 'all', 'set')`);
}

/** Options of one scratch (one stream). */
export interface ScratchOptions {
  /** @default 'all' */
  mode?: MatchMode;
  /**
   * A hint: `skip[signature] === 1` marks signatures whose matches the caller does not
   * need on this scratch's inputs (a rule engine knows that a `flow:to_server` rule never
   * decides a server's bytes). An engine may leave their work out and not report them;
   * the reports of the other signatures are unchanged. The prefiltered matcher never
   * activates a skipped signature's unit; the other engines ignore the hint.
   */
  skip?: Uint8Array;
  /**
   * 'set' mode: signatures reported at every end all the same (`everyEnd[signature] ===
   * 1`), as in 'all' mode. For a wrapper that may discard ends (src/confirm): it needs the
   * candidates after the earliest. Engines pass it to their `MatchReporter`.
   */
  everyEnd?: Uint8Array;
}

/** Opaque per-stream state. Engines narrow it to their own class. */
export interface Scratch {
  readonly engine: EngineName;
  /** Absolute offset of the next byte to scan (bytes scanned since start or last finish). */
  readonly offset: number;
}

/** What `Matcher.stats()` returns: the engine, its signature count and engine-specific figures. */
export interface MatcherStats {
  engine: EngineName;
  signatures: number;
  /** Engine-specific size figures (states, classes, nodes, table bytes, memo stats...). */
  [key: string]: number | string | boolean | undefined | Record<string, number>;
}

/** A compiled, immutable signature set: scans streams held in caller-owned scratches. */
export interface Matcher {
  readonly engine: EngineName;
  /** Signature ids run 0..signatureCount-1 (rejected ones simply never match). */
  readonly signatureCount: number;
  createScratch(options?: ScratchOptions): Scratch;
  /**
   * Scan the next chunk of the stream held by `scratch`. Returns `true` when the callback
   * stopped the stream (in this call or an earlier one of the same input), else `false`
   * (the engines of this package; `void` is allowed for other implementations).
   */
  scan(scratch: Scratch, bytes: Uint8Array, onMatch: MatchCallback): boolean | void;
  /**
   * End of input: report end-anchored matches, then reset `scratch` to the start. Returns
   * `true` when the callback stopped this input (now or in an earlier `scan`).
   */
  finish(scratch: Scratch, onMatch: MatchCallback): boolean | void;
  /** Back to the start state without reporting anything (also ends a stopped stream). */
  reset(scratch: Scratch): void;
  /** Sizes and counters; cheap to call. */
  stats(): MatcherStats;
}

/** A signature that could not be compiled, with the reason (a typed error). */
export interface RejectedSignature {
  signature: number;
  source: string;
  error: Error;
}
