/**
 * The `mdfa` engine: the "multiple DFAs" baseline. Signatures are split greedily, in their
 * given order, into groups whose DFA stays under the state budget; scanning runs every
 * group's DFA over each chunk. A signature whose DFA exceeds the budget on its own cannot
 * join any group: it is rejected (listed with its LimitExceededError), not a crash.
 *
 * Greedy without quadratic rebuilding: a group starting at signature i takes the longest
 * prefix i..i+k that fits, found by exponential then binary search over k. That equals the
 * one-at-a-time greedy because DFA size is monotone in the signature set: the subset DFA
 * of a smaller set is a projection of the larger set's (each state of the union DFA maps
 * to its intersection with the smaller NFA), and likewise for minimal DFAs (Myhill-Nerode
 * classes only merge when signatures are removed). Trials build unminimised DFAs and stop
 * at the budget, so a failed trial costs at most one budget's worth of work; about
 * 2·log2(group size) trials per group. The last fitting trial is kept and minimised.
 *
 * Reports: within a chunk, group by group (each group's ends in increasing order); the set
 * of (signature, end) pairs is the same as the single DFA's and the NFA's.
 */
import { NfaObddError } from '../../errors.js';
import type { MatchCallback, Matcher, MatcherStats, MatchMode, Scratch, ScratchOptions } from '../../matcher/types.js';
import { normalizeMode } from '../../matcher/types.js';
import { buildNfa, clusterIdentical, type BuildNfaOptions, type NfaSignatureInput } from '../../nfa/build.js';
import type { Nfa } from '../../nfa/types.js';
import type { OptionKeysOf } from '../../matcher/options.js';
import { buildDfa, checkDfaOptions, DFA_OPTION_KEYS, minimize, type Dfa, type DfaBuildOptions } from './build.js';
import { MatchReporter, type ReportPlan } from '../../matcher/report.js';
import { GuardedMatcher } from '../../matcher/guard.js';
import { reportEnd, reportPlanFromDfas, reportStart, runDfa } from './matcher.js';

/** Options of the `mdfa` engine: the `dfa` options, applied to each group's DFA. */
export interface MdfaOptions extends DfaBuildOptions {
  /** State budget per group DFA. @default 10_000 */
  maxStates?: number;
}

/** The option keys of the `mdfa` engine (checked by compile() for untyped callers). */
export const MDFA_OPTION_KEYS: OptionKeysOf<MdfaOptions> = DFA_OPTION_KEYS;

/** Default `maxStates` of each mdfa group's DFA, in DFA states. */
export const DEFAULT_MDFA_GROUP_STATES = 10_000;

/** One group of items and its DFA. */
export interface MdfaGroup<T> {
  readonly items: readonly T[];
  readonly dfa: Dfa;
}

/** The result of `groupGreedy`: the groups, the items no group could take, and the cost. */
export interface MdfaGrouping<T> {
  groups: MdfaGroup<T>[];
  /** Items that could not be built even alone (too many states, or the NFA builder refused). */
  rejected: { item: T; error: Error }[];
  /** Number of DFA constructions tried (the cost of grouping). */
  trials: number;
  groupMs: number;
}

/**
 * Greedy grouping of `items` (in order) under the per-group budget. `buildNfa` makes the
 * combined NFA of a list of items; it may throw typed errors (NfaObddError), which reject
 * an item when it is alone.
 */
export function groupGreedy<T>(
  items: readonly T[],
  buildNfa: (items: readonly T[]) => Nfa,
  options: MdfaOptions = {},
): MdfaGrouping<T> {
  const t0 = performance.now();
  checkDfaOptions(options, 'mdfa');
  const trialOptions: DfaBuildOptions = {
    maxStates: options.maxStates ?? DEFAULT_MDFA_GROUP_STATES,
    maxBytes: options.maxBytes,
    minimize: false,
  };
  let trials = 0;
  /** The unminimised DFA of items[i, i + k), or the error that stopped it. */
  const attempt = (i: number, k: number): Dfa | Error => {
    trials++;
    try {
      return buildDfa(buildNfa(items.slice(i, i + k)), trialOptions);
    } catch (e) {
      if (e instanceof NfaObddError) return e;
      throw e;
    }
  };
  const groups: MdfaGroup<T>[] = [];
  const rejected: { item: T; error: Error }[] = [];
  let i = 0;
  while (i < items.length) {
    const alone = attempt(i, 1);
    if (alone instanceof Error) {
      rejected.push({ item: items[i]!, error: alone });
      i++;
      continue;
    }
    // Invariant: prefix of length `lo` fits (its DFA is `fit`), prefix of length `hi`
    // does not (or runs past the end).
    let lo = 1;
    let fit: Dfa = alone;
    let hi = -1;
    const rest = items.length - i;
    for (let k = 2; lo < rest; k *= 2) {
      const kk = Math.min(k, rest);
      const r = attempt(i, kk);
      // A builder refusal inside a batch (not a size issue) also ends the batch; that
      // signature is rejected when it is tried alone as the next group's first.
      if (r instanceof Error) {
        hi = kk;
        break;
      }
      lo = kk;
      fit = r;
    }
    if (hi < 0) hi = rest + 1;
    while (hi - lo > 1) {
      const m = (lo + hi) >>> 1;
      const r = attempt(i, m);
      if (r instanceof Error) hi = m;
      else {
        lo = m;
        fit = r;
      }
    }
    const dfa = (options.minimize ?? true) ? minimize(fit) : fit;
    groups.push({ items: items.slice(i, i + lo), dfa });
    i += lo;
  }
  return { groups, rejected, trials, groupMs: performance.now() - t0 };
}

/** The state of one stream scanned by an `MdfaMatcher`: one DFA state per group. */
export class MdfaScratch implements Scratch {
  readonly engine = 'mdfa' as const;
  offset = 0;
  started = false;
  /** Premultiplied state of each group's DFA. */
  readonly states: Int32Array;
  readonly reporter: MatchReporter;
  constructor(
    readonly owner: MdfaMatcher,
    mode: 'all' | 'set',
    everyEnd?: Uint8Array,
  ) {
    this.states = Int32Array.from(owner.dfas, (d) => d.start);
    this.reporter = new MatchReporter(owner.plan, mode, everyEnd);
  }
}

/** The `mdfa` engine: one DFA per signature group, every group scanned over each chunk. */
export class MdfaMatcher extends GuardedMatcher<MdfaScratch> implements Matcher {
  readonly engine = 'mdfa' as const;
  readonly plan: ReportPlan;
  constructor(
    readonly dfas: readonly Dfa[],
    readonly signatureCount: number,
    private readonly figures: { rejected: number; trials: number; groupMs: number },
  ) {
    super();
    this.plan = reportPlanFromDfas(dfas, signatureCount);
  }

  createScratch(options: ScratchOptions = {}): MdfaScratch {
    return new MdfaScratch(this, normalizeMode(options.mode), options.everyEnd);
  }

  protected override scanChunk(sc: MdfaScratch, bytes: Uint8Array, onMatch: MatchCallback): void {
    const dfas = this.dfas;
    if (!sc.started) {
      sc.started = true;
      for (const d of dfas) reportStart(d, sc.reporter, onMatch);
    }
    for (let g = 0; g < dfas.length; g++) {
      sc.states[g] = runDfa(dfas[g]!, sc.states[g]!, bytes, sc.offset, sc.reporter, onMatch);
    }
    sc.offset += bytes.length;
  }

  protected override finishInput(sc: MdfaScratch, onMatch: MatchCallback): void {
    if (!sc.started) for (const d of this.dfas) reportStart(d, sc.reporter, onMatch);
    for (let g = 0; g < this.dfas.length; g++) reportEnd(this.dfas[g]!, sc.states[g]!, sc.offset, sc.reporter, onMatch);
    sc.reporter.endOfInput(onMatch);
    this.restart(sc);
  }

  protected override restart(sc: MdfaScratch): void {
    sc.reporter.reset();
    for (let g = 0; g < this.dfas.length; g++) sc.states[g] = this.dfas[g]!.start;
    sc.offset = 0;
    sc.started = false;
  }

  stats(): MatcherStats {
    let states = 0;
    let tableBytes = 0;
    let largest = 0;
    for (const d of this.dfas) {
      states += d.stateCount;
      largest = Math.max(largest, d.stateCount);
      tableBytes += d.table.byteLength + 4 * (d.acceptStart.length + d.endStart.length) + 5 * (d.acceptSig.length + d.endSig.length);
    }
    return {
      engine: 'mdfa',
      signatures: this.signatureCount,
      groups: this.dfas.length,
      states,
      largestGroupStates: largest,
      tableBytes,
      rejected: this.figures.rejected,
      groupingTrials: this.figures.trials,
      buildMs: Math.round(this.figures.groupMs * 10) / 10,
    };
  }
}

/** Build an mdfa matcher from items with a caller-supplied NFA builder (see groupGreedy). */
export function buildMdfaFromNfas<T>(
  items: readonly T[],
  buildNfa: (items: readonly T[]) => Nfa,
  signatureCount: number,
  options: MdfaOptions = {},
): { matcher: MdfaMatcher; grouping: MdfaGrouping<T> } {
  const grouping = groupGreedy(items, buildNfa, options);
  const matcher = new MdfaMatcher(
    grouping.groups.map((g) => g.dfa),
    signatureCount,
    { rejected: grouping.rejected.length, trials: grouping.trials, groupMs: grouping.groupMs },
  );
  return { matcher, grouping };
}

/** Options of `buildMdfaMatcher`: the mdfa options plus the per-group NFA builds'. */
export interface MdfaBuildOptions extends MdfaOptions {
  /** Options for the per-group NFA builds (its budgets). */
  nfa?: BuildNfaOptions;
}

/**
 * The `mdfa` engine from parsed signatures (what `compile` hands over). It needs the IRs,
 * not the combined NFA, because every candidate group is a different NFA. `null` entries
 * are signatures rejected earlier: they keep their id and never match. Signatures that
 * cannot be built even alone are in `rejected` (and in `stats().rejected`).
 */
export function buildMdfaMatcher(
  signatures: ReadonlyArray<NfaSignatureInput | null>,
  options: MdfaBuildOptions = {},
): MdfaMatcher & { readonly rejected: ReadonlyArray<{ signature: number; error: Error }> } {
  let signatureCount = signatures.length;
  // Signatures with the same IR travel together: the NFA builder compiles copies once, so a
  // cluster costs a group no more states than one signature (ET Open: 8,043 compiled pcres,
  // 3,202 distinct).
  for (const s of signatures) if (s) signatureCount = Math.max(signatureCount, s.id + 1);
  const clusters = clusterIdentical(signatures);
  const { matcher, grouping } = buildMdfaFromNfas(clusters, (group) => buildNfa(group.flat(), options.nfa), signatureCount, options);
  return Object.assign(matcher, {
    rejected: grouping.rejected
      .flatMap((r) => r.item.map((s) => ({ signature: s.id, error: r.error })))
      .sort((a, b) => a.signature - b.signature),
  });
}
