/**
 * Public entry of the NFA-OBDD engine: `buildObddMatcher(nfa, options)` encodes the NFA as
 * BDDs in a fresh manager owned by the returned matcher ('obdd' at stride 1, 'obdd2' at
 * stride 2). Throws UsageError for bad options and LimitExceededError('bdd nodes', ...)
 * when the node budget is too small for the encoding itself; during scans the budget is
 * enforced by dropping caches and collecting, and LimitExceededError escapes only if one
 * single step cannot fit.
 *
 * Module map: `encoding.ts` (variable layout, T_c, S, Acc), `memo.ts` (bounded step memo
 * = lazy DFA over canonical frontiers), `matcher.ts` (stepping, stride 2, reporting, GC
 * rule), `grouped.ts` (one matcher per signature group), `engine.ts` (the obdd/obdd2
 * engines as compile() configures them), `bdd-port.ts` (the slice of the BDD API used).
 *
 * The default variable order (x/y interleaved, MSB first, input bits on top) is the
 * measured best on the full ET Open set; the other orders and 'entry' numbering stay
 * options for measurements (bench/symbolic-order.ts). Figures — variable orders,
 * throughput with and without the memo, where the memo stops paying — are in
 * docs/obdd.md.
 */
import { BddManager } from '../../bdd/index.js';
import type { Matcher } from '../../matcher/types.js';
import type { Nfa } from '../../nfa/types.js';
import { checkOptions, ObddMatcher, type ObddOptions } from './matcher.js';

export { ObddMatcher, DEFAULT_MEMO_BUDGET, type ObddOptions } from './matcher.js';
export type { EncodingOptions } from './encoding.js';
export type { MemoStats } from './memo.js';

/**
 * One NFA-OBDD matcher over `nfa` at `options.stride` (default 1). Throws UsageError for an
 * ill-typed option value, LimitExceededError('bdd nodes', ...) when `nodeLimit` cannot
 * hold the encoding.
 */
export function buildObddMatcher(nfa: Nfa, options: ObddOptions = {}): Matcher {
  checkOptions(options);
  const bdd = new BddManager(options.nodeLimit !== undefined ? { nodeLimit: options.nodeLimit } : {});
  return new ObddMatcher(bdd, nfa, options);
}
