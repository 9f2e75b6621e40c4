/**
 * The `dfa` engine: one subset-construction DFA for the whole signature set, scanned with
 * one table lookup per byte. The scratch of a stream is one premultiplied DFA state id,
 * the absolute offset and the report filter, so streaming across packets is free.
 *
 * Match semantics equal the explicit NFA engine's by construction (each DFA state is an
 * NFA frontier, see build.ts): acceptance after each byte with its delta, acceptance of
 * the start frontier at offset 0, end-of-input acceptance at `finish`, 'all' and 'set'
 * modes. `buildDfaMatcher` throws `LimitExceededError` when the DFA outgrows its budget.
 */
import type { MatchCallback, Matcher, MatcherStats, MatchMode, Scratch, ScratchOptions } from '../../matcher/types.js';
import { normalizeMode } from '../../matcher/types.js';
import type { Nfa } from '../../nfa/types.js';
import { buildDfa, type Dfa, type DfaBuildOptions } from './build.js';
import { MatchReporter, reportPlanFromAccepts, type ReportPlan } from '../../matcher/report.js';
import { GuardedMatcher } from '../../matcher/guard.js';

/** Options of the `dfa` engine (`compile(..., { engine: 'dfa', engineOptions })`). */
export type DfaMatcherOptions = DfaBuildOptions;

/** The state of one stream scanned by a `DfaMatcher`. */
export class DfaScratch implements Scratch {
  readonly engine = 'dfa' as const;
  offset = 0;
  /** Premultiplied DFA state. */
  state: number;
  /** Whether the start frontier's acceptance (offset 0) was already checked for this input. */
  started = false;
  readonly reporter: MatchReporter;
  constructor(
    readonly owner: DfaMatcher,
    mode: 'all' | 'set',
    everyEnd?: Uint8Array,
  ) {
    this.state = owner.dfa.start;
    this.reporter = new MatchReporter(owner.plan, mode, everyEnd);
  }
}

/**
 * Run `dfa` from premultiplied state `state` over `bytes`, whose first byte sits at
 * absolute offset `base`; report accepted ends; return the state reached. The common path
 * is one load and one sign test per byte.
 */
export function runDfa(
  dfa: Dfa,
  state: number,
  bytes: Uint8Array,
  base: number,
  reporter: MatchReporter,
  onMatch: MatchCallback,
): number {
  const table = dfa.table;
  const cls = dfa.byteClass;
  const C = dfa.classCount;
  const aStart = dfa.acceptStart;
  const aSig = dfa.acceptSig;
  const aDelta = dfa.acceptDelta;
  let s = state;
  for (let i = 0, n = bytes.length; i < n; i++) {
    const t = table[s + cls[bytes[i]!]!]!;
    if (t >= 0) {
      s = t;
      continue;
    }
    s = ~t;
    const d = s / C;
    const end = base + i + 1;
    for (let k = aStart[d]!, ke = aStart[d + 1]!; k < ke; k++) reporter.emit(aSig[k]!, end - aDelta[k]!, onMatch);
  }
  return s;
}

/** Acceptance of the start frontier before the first byte (signatures matching ""). */
export function reportStart(dfa: Dfa, reporter: MatchReporter, onMatch: MatchCallback): void {
  const d = dfa.start / dfa.classCount;
  for (let k = dfa.acceptStart[d]!, ke = dfa.acceptStart[d + 1]!; k < ke; k++) {
    // A delta-1 entry cannot occur on a start frontier (no byte was read to look at).
    if (dfa.acceptDelta[k] === 0) reporter.emit(dfa.acceptSig[k]!, 0, onMatch);
  }
}

/** End-of-input acceptance of premultiplied `state` after `offset` bytes. */
export function reportEnd(dfa: Dfa, state: number, offset: number, reporter: MatchReporter, onMatch: MatchCallback): void {
  const d = state / dfa.classCount;
  for (let k = dfa.endStart[d]!, ke = dfa.endStart[d + 1]!; k < ke; k++) {
    const end = offset - dfa.endDelta[k]!;
    if (end >= 0) reporter.emit(dfa.endSig[k]!, end, onMatch);
  }
}

/** The shared report plan (src/matcher/report.ts) over the acceptance lists of the DFAs. */
export function reportPlanFromDfas(dfas: readonly Dfa[], signatureCount: number): ReportPlan {
  return reportPlanFromAccepts(dfas, signatureCount);
}

/** The `dfa` engine: one table lookup per byte. */
export class DfaMatcher extends GuardedMatcher<DfaScratch> implements Matcher {
  readonly engine = 'dfa' as const;
  readonly signatureCount: number;
  readonly plan: ReportPlan;
  constructor(readonly dfa: Dfa) {
    super();
    this.signatureCount = dfa.signatureCount;
    this.plan = reportPlanFromDfas([dfa], dfa.signatureCount);
  }

  createScratch(options: ScratchOptions = {}): DfaScratch {
    return new DfaScratch(this, normalizeMode(options.mode), options.everyEnd);
  }

  protected override scanChunk(sc: DfaScratch, bytes: Uint8Array, onMatch: MatchCallback): void {
    if (!sc.started) {
      sc.started = true;
      reportStart(this.dfa, sc.reporter, onMatch);
    }
    sc.state = runDfa(this.dfa, sc.state, bytes, sc.offset, sc.reporter, onMatch);
    sc.offset += bytes.length;
  }

  protected override finishInput(sc: DfaScratch, onMatch: MatchCallback): void {
    if (!sc.started) reportStart(this.dfa, sc.reporter, onMatch);
    reportEnd(this.dfa, sc.state, sc.offset, sc.reporter, onMatch);
    sc.reporter.endOfInput(onMatch);
    this.restart(sc);
  }

  protected override restart(sc: DfaScratch): void {
    sc.reporter.reset();
    sc.state = this.dfa.start;
    sc.offset = 0;
    sc.started = false;
  }

  stats(): MatcherStats {
    const d = this.dfa;
    return {
      engine: 'dfa',
      signatures: d.signatureCount,
      states: d.stateCount,
      statesBeforeMinimize: d.statesBeforeMinimize,
      nfaStates: d.nfaStates,
      classes: d.classCount,
      tableBytes: d.table.byteLength + 4 * (d.acceptStart.length + d.endStart.length) + 5 * (d.acceptSig.length + d.endSig.length),
      buildMs: Math.round(d.buildMs * 10) / 10,
    };
  }
}

/** Compile `nfa` into a DFA matcher; throws LimitExceededError past the state/memory budget. */
export function buildDfaMatcher(nfa: Nfa, options: DfaMatcherOptions = {}): DfaMatcher {
  return new DfaMatcher(buildDfa(nfa, options));
}
