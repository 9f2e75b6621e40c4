/**
 * The `obdd` and `obdd2` engines as compile() sees them: their options type, its key table,
 * and the one builder that picks one matcher for the whole set or, when `grouping` is
 * given, one matcher per signature group (grouped.ts). The stride follows from the engine
 * name, so it is not an option here.
 */
import type { Matcher } from '../../matcher/types.js';
import type { OptionKeysOf } from '../../matcher/options.js';
import type { NfaSignatureInput } from '../../nfa/build.js';
import type { Nfa } from '../../nfa/types.js';
import { buildGroupedObddMatcher, OBDD_GROUPING_OPTION_KEYS, type ObddGrouping } from './grouped.js';
import { buildObddMatcher } from './index.js';
import { OBDD_MATCHER_OPTION_KEYS, type ObddOptions } from './matcher.js';

/** Options of the `obdd` and `obdd2` engines (`compile(..., { engine: 'obdd', engineOptions })`). */
export interface ObddEngineOptions extends Omit<ObddOptions, 'stride'> {
  /**
   * Split the signature set into groups, one NFA-OBDD matcher each (grouped.ts): keeps the
   * step memo hitting when a few signatures make the whole set's frontier churn; the
   * matcher options above then apply per group. @default undefined (one matcher)
   */
  grouping?: ObddGrouping;
}

const { stride: _stride, ...matcherKeys } = OBDD_MATCHER_OPTION_KEYS;

/** The option keys of the `obdd` and `obdd2` engines (checked by compile() for untyped callers). */
export const OBDD_ENGINE_OPTION_KEYS: OptionKeysOf<ObddEngineOptions> = { ...matcherKeys, grouping: OBDD_GROUPING_OPTION_KEYS };

/**
 * The obdd engine at `stride` (1: 'obdd', 2: 'obdd2'): one matcher over `nfa`, or with
 * `options.grouping` one per group of `signatures` (ids as in `nfa`). Throws UsageError for
 * ill-typed option values and LimitExceededError('bdd nodes', ...) when the node budget
 * cannot hold the encoding.
 */
export function buildObddEngine(
  nfa: Nfa,
  signatures: ReadonlyArray<NfaSignatureInput | null>,
  options: ObddEngineOptions,
  stride: 1 | 2,
): Matcher {
  const { grouping, ...obdd } = options;
  if (grouping !== undefined) return buildGroupedObddMatcher(signatures, { ...obdd, ...grouping, stride });
  return buildObddMatcher(nfa, { ...obdd, stride });
}
