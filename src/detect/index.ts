/**
 * Rule semantics: the program of a ruleset (one automaton for every pattern of every rule)
 * and the per-packet / per-stream-window decisions that turn its (signature, end) events
 * into fired rules.
 */
export {
  RuleProgram, RuleEvaluator, MatchCollector, headerMatches, headerMatchesPacket, packetMatches, flowMatches, dsizeMatches, irLengthBounds,
  contentSource, pcreSource, firedRules,
} from './rule-match.js';
export type {
  ApproximationKind, ApproximationCensus, LengthBounds, RuleProgramOptions, HeaderTuple, PacketFields, RuleFlowState, EvaluatorStats, EvaluateOptions,
} from './rule-match.js';
export { RuleDetector } from './detect.js';
export type { DetectorOptions } from './detect.js';
export { locateHttpBuffers, BufferRegions, BUFFER_IDS } from './http-buffers.js';
