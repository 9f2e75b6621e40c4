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
 * Throughput (bench/symbolic.bench.ts --quick, 2 shared cores, Zeek 206_example_b.pcap,
 * MB/s; memo-on rows are steady state after one warm-up pass; memo-off rows scan a 1.5–7 KB
 * prefix with the BDD op cache dropped before each run, so they pay for their steps):
 *   workload                       nfa    obdd off  obdd2 off  obdd memo  obdd2 memo(pair)
 *   ET 1000 pcres, 51k st, 109 cl  0.027  0.075     0.052      50         0.75
 *   ET web_server 198, 19.5k st    8.9    0.52      0.57       71         39
 *   ET attack_response 24, 643 st  15.3   8.6       12.8       185        207
 * The memo is worth most where the explicit NFA suffers (large frontiers): ~1900× on ET
 * 1000 (hit rate 99.8%); on small sets 8–13× (the explicit engine is cheap there, and on
 * web_server 1.2 matches per byte make reporting dominate). Stride 2 / stride 1 with the
 * memo off: 1.50× (attack_response), 1.10× (web_server), 0.69× (ET 1000): pure stepping
 * through T2 measured 1.7–1.8× faster than two single steps on ET 1000 and 200 (cold op
 * cache), but the mid-pair acceptance work and per-step accept lists eat the gain on the
 * match-heavy sets. Pair-keyed memo (obdd2 memoKey 'pair') wins only on small sets. The
 * full ET Open set (10,393 pcres, 436k states, 183 classes) compiles in ~3–4 s; there
 * frontiers rarely repeat (hit rate ~3%) and obdd runs at the explicit engine's speed.
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
