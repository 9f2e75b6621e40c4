/**
 * The contract every engine implements (`types.ts`: compile once into an immutable
 * `Matcher`, scan with a caller-owned `Scratch`) and the one reporting rule they share
 * (`report.ts`: which (signature, end) pairs are reported, in which order, in 'all' and
 * 'set' mode); the guard of every engine's entry points (`guard.ts`: argument checks, a
 * callback that stops or throws) and the one-shot `scanBlock` (`block.ts`).
 */
export type * from './types.js';
export { normalizeMode } from './types.js';
export { MatchReporter, reportPlanFromAccepts, reportPlanFromNfa, type ReportPlan, type AcceptLists } from './report.js';
export { GuardedMatcher, partScratch, checkBytes, checkCallback } from './guard.js';
export { scanBlock, type BlockMatch, type ScanBlockOptions } from './block.js';
