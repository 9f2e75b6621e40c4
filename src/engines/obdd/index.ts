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
 * rule), `bdd-port.ts` (the slice of the BDD API used here).
 *
 * Variable order and state numbering, measured (bench/symbolic-order.ts; table in the
 * README): x/y interleaved, MSB first, input bits on top is the default. LSB first doubles
 * the T_c; input bits at the bottom shrink T but not the T_c the step uses; blocked x|y
 * makes the T_c 4× larger (3× and 61 s of encoding on full ET Open) yet stepped faster on
 * 198 and 24 pcres with a cold op cache, as did 'entry' numbering; neither helped on the
 * full ET Open set, so both stay options.
 *
 * Throughput: README, "The NFA-OBDD engine" (bench/symbolic.bench.ts, measured on bytes no
 * cache has seen) and the whole run (bench/whole-run.ts). In short: the memo wins where the
 * explicit NFA's frontier is large and the input repetitive (199× on 1,000 ET pcres over a
 * raw capture) and loses on the full ET Open set over HTTP payloads, where the combination
 * of partial matches in progress across thousands of signatures (run-length counters among
 * them, bench/frontier-census.ts) is new at 10–90% of bytes even for a memo of unlimited
 * size, and a symbolic step there costs 10–18× an explicit one (README: "Why the targets
 * are out of reach").
 */
import { BddManager } from '../../bdd/index.js';
import type { Matcher } from '../../matcher/types.js';
import type { Nfa } from '../../nfa/types.js';
import { checkOptions, ObddMatcher, type ObddOptions } from './matcher.js';

export { ObddMatcher, DEFAULT_MEMO_BUDGET, type ObddOptions } from './matcher.js';
export type { EncodingOptions } from './encoding.js';
export type { MemoStats } from './memo.js';

export function buildObddMatcher(nfa: Nfa, options: ObddOptions = {}): Matcher {
  checkOptions(options);
  const bdd = new BddManager(options.nodeLimit !== undefined ? { nodeLimit: options.nodeLimit } : {});
  return new ObddMatcher(bdd, nfa, options);
}
