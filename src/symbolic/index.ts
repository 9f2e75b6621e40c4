/**
 * Public entry of the NFA-OBDD engine: `buildObddMatcher(nfa, options)` encodes the NFA as
 * BDDs in a fresh manager owned by the returned matcher ('obdd' at stride 1, 'obdd2' at
 * stride 2). Throws LimitExceededError('bdd nodes', ...) when the node budget is too small
 * for the encoding itself; during scans the budget is enforced by clearing caches and
 * collecting, and a LimitExceededError escapes only if one single step cannot fit.
 */
import { BddManager } from '../bdd/index.js';
import type { Matcher } from '../engines/types.js';
import type { Nfa } from '../nfa/types.js';
import { checkOptions, ObddMatcher, type ObddOptions } from './matcher.js';

export { ObddMatcher, DEFAULT_MEMO_BUDGET, type ObddOptions } from './matcher.js';
export type { EncodingOptions } from './encoding.js';
export type { MemoStats } from './memo.js';

export function buildObddMatcher(nfa: Nfa, options: ObddOptions = {}): Matcher {
  checkOptions(options);
  const bdd = new BddManager(options.nodeLimit !== undefined ? { nodeLimit: options.nodeLimit } : {});
  return new ObddMatcher(bdd, nfa, options);
}
