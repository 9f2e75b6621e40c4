/**
 * What an engine offers so that the literal prefilter (`src/prefilter/`) can run only the
 * signatures an input may match: the NFA-based engines built on a 'per-unit' NFA
 * (`nfa/types.ts` NfaUnits), where every unit (a signature and its identical copies) has
 * its own start states. A live scratch starts with an EMPTY frontier: nothing runs until
 * the driver enters a unit. Entering, stepping and merging are all the driver needs to
 * start a unit late and still be exact (it replays the unit over retained history in a
 * second live scratch, then merges). In 'set' mode the engine itself squashes a unit
 * (removes its states) once all of its signatures have reported, so a signature that has
 * matched stops costing anything.
 */
import type { Nfa, NfaUnits } from '../nfa/types.js';
import type { MatchReporter } from './report.js';
import type { Matcher, Scratch, ScratchOptions } from './types.js';

/** A matcher whose frontier can hold any subset of its units. */
export interface LiveMatcher extends Matcher {
  readonly units: NfaUnits;
  /** A scratch with an empty frontier; `finish` and `reset` return it to empty. */
  createLiveScratch(options?: ScratchOptions): Scratch;
  /**
   * Starts unit `unit` at the scratch's current offset. `prevByte` is the byte before that
   * offset, -1 at offset 0 (then the unit's "before input" state is entered, which is the
   * only way an anchored unit can start).
   */
  enter(scratch: Scratch, unit: number, prevByte: number): void;
  /** Adds the frontier of `from` (a live scratch of this matcher) to that of `scratch`. */
  absorb(scratch: Scratch, from: Scratch): void;
  /**
   * The scratch's reporter (`report.ts`): a report the driver finds itself (a literal
   * occurrence, a replayed match) goes through it, so mode, deduplication and held ends
   * apply as for the engine's own.
   */
  reporterOf(scratch: Scratch): MatchReporter;
  /** Number of states (or an engine's measure of work) in the scratch's frontier; 0 when idle. */
  frontierSize(scratch: Scratch): number;
}

/** True when `m` implements `LiveMatcher` (built on a 'per-unit' NFA). */
export function isLiveMatcher(m: Matcher): m is LiveMatcher {
  return typeof (m as Partial<LiveMatcher>).createLiveScratch === 'function' && (m as Partial<LiveMatcher>).units !== undefined;
}

/**
 * The state that starts `unit` of a per-unit NFA at an offset whose previous byte is
 * `prevByte` (-1 at offset 0): its "before input" entry at offset 0, else the loop state
 * whose label holds the previous byte; -1 when it cannot start there (anchored).
 */
export function unitStartState(nfa: Nfa, unit: number, prevByte: number): number {
  const units = nfa.units!;
  if (prevByte < 0) return units.stateRange[2 * unit];
  const c = nfa.byteClass[prevByte];
  for (let j = units.loopStart[unit]; j < units.loopStart[unit + 1]; j++) {
    const l = units.loops[j];
    if ((nfa.labels[l * nfa.classWords + (c >>> 5)] >>> (c & 31)) & 1) return l;
  }
  return -1;
}
