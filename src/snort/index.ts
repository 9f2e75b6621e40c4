/**
 * Snort rules in: parsing (Snort 2.9, Snort 3, the Suricata payload subset), variables and
 * header sets, rule selection, and the rule semantics model that turns one combined
 * automaton's (signature, end) events into fired rules.
 */
export type * from './rule.js';
export { parseRules, decodeContent } from './parse.js';
export type { RuleParseOptions, RuleParseResult, RuleParseStats, RuleReject } from './parse.js';
export { loadRuleFiles, loadRuleTexts, summarizeLoad, formatLoadSummary } from './load.js';
export type { LoadOptions, LoadResult, LoadSummary } from './load.js';
export {
  Variables, DEFAULT_VARIABLES, DEFAULT_HTTP_PORTS, SpecCompiler, PortSet, AddressSet, parseIp, parseIpv4, parseIpv6,
} from './vars.js';
export type { IpAddress } from './vars.js';
export { parseSelector, selectRules, SELECT_PRESETS } from './select.js';
export type { Selector } from './select.js';
export {
  RuleProgram, RuleEvaluator, MatchCollector, headerMatches, headerMatchesPacket, packetMatches, flowMatches, dsizeMatches, irLengthBounds,
  contentSource, pcreSource, firedRules,
} from './rule-match.js';
export type {
  ApproximationKind, ApproximationCensus, LengthBounds, RuleProgramOptions, HeaderTuple, PacketFields, RuleFlowState, EvaluatorStats, EvaluateOptions,
} from './rule-match.js';
export { RuleDetector } from './detect.js';
export type { DetectorOptions } from './detect.js';
export { packetCheck, packetChecksMatch, PacketOptionError } from './packet-options.js';
export type { PacketCheck, PacketCheckFields, CompareOp } from './packet-options.js';
export { locateHttpBuffers, BufferRegions, BUFFER_IDS } from './http-buffers.js';
