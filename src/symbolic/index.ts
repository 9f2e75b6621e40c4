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
 * Variable order, measured (bench/symbolic-order.ts, 198 ET web_server pcres: 19,554
 * states, 100 classes; nodes of T / of all T_c shared / encode ms):
 *   x/y interleaved, MSB first, input bits on top (default) 32,995 / 32,893 / ~200
 *   x/y interleaved, LSB first                               67,686 / 67,584 / ~300
 *   x/y interleaved, MSB first, input bits at the bottom     10,712 / 32,893 / ~200
 *   x then y (blocked), MSB first                           142,558 / 142,456 / ~830
 * The step uses only the per-class cofactors T_c, so the input bits' place changes T's
 * size (T is built for the figure, then released) but not the T_c or the step; blocked
 * order makes the T_c 4× larger and the fused relNext unusable. Symbolic step speed with
 * a warm op cache was within noise across layouts on this workload.
 *
 * Throughput: README, "The NFA-OBDD engine" (bench/symbolic.bench.ts, measured on bytes no
 * cache has seen) and the whole run (bench/whole-run.ts). In short: the memo wins where the
 * explicit NFA's frontier is large and the input repetitive (199× on 1,000 ET pcres over a
 * raw capture) and loses on the full ET Open set over HTTP payloads, where the combination
 * of partial matches in progress across thousands of signatures (run-length counters among
 * them, bench/frontier-census.ts) is new at most bytes; a symbolic step there costs ~10× an
 * explicit one.
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
