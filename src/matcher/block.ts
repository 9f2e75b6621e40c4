/**
 * One-shot scanning: `scanBlock(matcher, bytes)` scans one whole buffer as one input and
 * returns its matches, for callers that have whole payloads and no stream to keep: no
 * scratch to create, no callback, no `finish` to forget (forgetting it joins separate
 * buffers into one stream).
 */
import { ScanArgumentError, UsageError } from '../errors.js';
import { checkBytes } from './guard.js';
import { normalizeMode, type Matcher, type MatchMode, type Scratch } from './types.js';

/** One match: the signature id and the offset just past the match's end in the buffer. */
export interface BlockMatch {
  signature: number;
  end: number;
}

/** Options of `scanBlock`. */
export interface ScanBlockOptions {
  /**
   * 'all': every (signature, end); 'set': each signature once, with its earliest end
   * (`ScratchOptions.mode`). @default 'all'
   */
  mode?: MatchMode;
  /**
   * Stop scanning once this many matches were found (1: "does anything match?", with the
   * first match reported). @default Infinity
   */
  limit?: number;
}

/** One scratch per matcher and mode, reused by every `scanBlock` call (each leaves it at the start state). */
const scratches = new WeakMap<Matcher, { all?: Scratch; set?: Scratch }>();

/**
 * Scans `bytes` as one complete input (scan, then finish) with a scratch cached per matcher
 * and mode, and returns the matches in the order the matcher reports them (by end, except
 * for the end-of-input cases `src/matcher/report.ts` describes). Every call is a separate
 * input: ends count from the buffer's start and nothing carries over between calls.
 * Throws ScanArgumentError when `bytes` is not a Uint8Array or `matcher` is not a Matcher,
 * UsageError for a bad `limit`, TypeError for an unknown mode.
 */
export function scanBlock(matcher: Matcher, bytes: Uint8Array, options: ScanBlockOptions = {}): BlockMatch[] {
  if (matcher === null || typeof matcher !== 'object' || typeof matcher.createScratch !== 'function' || typeof matcher.scan !== 'function') {
    throw new ScanArgumentError('matcher', `scanBlock() expects a Matcher (compile(...).matcher), got ${matcher === null ? 'null' : typeof matcher}`);
  }
  checkBytes(bytes, 'scanBlock()');
  const mode = normalizeMode(options.mode);
  const limit = options.limit ?? Infinity;
  if (typeof limit !== 'number' || !(limit >= 1)) {
    throw new UsageError(`scanBlock() option limit must be a number ≥ 1 (got ${JSON.stringify(limit)})`);
  }
  let cached = scratches.get(matcher);
  if (cached === undefined) scratches.set(matcher, (cached = {}));
  const scratch = (cached[mode] ??= matcher.createScratch({ mode }));
  const out: BlockMatch[] = [];
  const onMatch = (signature: number, end: number): boolean => {
    if (out.length < limit) out.push({ signature, end });
    return out.length >= limit;
  };
  try {
    if (matcher.scan(scratch, bytes, onMatch) !== true) matcher.finish(scratch, onMatch);
    else matcher.reset(scratch);
  } catch (e) {
    // Engines of this package reset the scratch themselves; other Matcher implementations may not.
    matcher.reset(scratch);
    throw e;
  }
  return out;
}
