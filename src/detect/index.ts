/**
 * Rule semantics: the program of a ruleset (one automaton for every pattern of every rule)
 * and the per-packet / per-stream-window decisions that turn its (signature, end) events
 * into fired and reported rules. `RuleDetector` is the one API callers decide through; the
 * lower-level pieces are exported for tools and tests.
 */
export { RuleProgram } from './program.js';
export type { ApproximationKind, ApproximationCensus, RuleProgramOptions } from './program.js';
export { irLengthBounds, contentSource, pcreSource } from './signatures.js';
export type { LengthBounds } from './signatures.js';
export { MatchCollector } from './match-collector.js';
export { headerMatches, headerMatchesPacket, packetMatches, flowMatches, dsizeMatches } from './predicates.js';
export type { HeaderTuple, PacketFields, RuleFlowState } from './predicates.js';
export { packetChecksMatch } from './packet-checks.js';
export { applyPayloadCheck } from './payload-check-eval.js';
export { RuleEvaluator, firedRules } from './evaluator.js';
export type { EvaluatorStats, EvaluateOptions } from './evaluator.js';
export { ACTION_ORDER_DEFAULT, isActionOrder, RuleDetector } from './detect.js';
export type { ActionClass, DetectorOptions, InspectedPacket, ReportCallback } from './detect.js';
export { DEFAULT_MAX_SCRATCH_BYTES, DirectionState, FlowDetection, StreamBudget } from './stream-state.js';
export type { StreamCounters } from './stream-state.js';
export { locateHttpBuffers, BufferRegions, BUFFER_IDS } from './http-buffers.js';
