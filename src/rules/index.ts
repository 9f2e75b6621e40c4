/**
 * Snort rules in: parsing (Snort 2.9, Snort 3, the Suricata payload subset), variables and
 * header sets and rule selection: rule text in, the rule model (`rule.ts`) out. What the
 * rules mean on traffic is `src/detect/`.
 */
export type * from './rule.js';
export { parseRules, decodeContent } from './parse.js';
export type { RuleParseOptions, RuleParseResult, RuleParseStats, RuleReject, RuleWarning } from './parse.js';
export { loadRuleFiles, loadRuleTexts, summarizeLoad, formatLoadSummary } from './load.js';
export type { LoadOptions, LoadResult, LoadSummary } from './load.js';
export {
  Variables, DEFAULT_VARIABLES, DEFAULT_HTTP_PORTS, SpecCompiler, PortSet, AddressSet, parseIp, parseIpv4, parseIpv6,
} from './vars.js';
export type { IpAddress } from './vars.js';
export { parseSelector, selectRules, SELECT_PRESETS } from './select.js';
export type { Selector } from './select.js';
export { packetCheck, PacketOptionError } from './packet-options.js';
export type { PacketCheck, PacketCheckFields, CompareOp } from './packet-options.js';
