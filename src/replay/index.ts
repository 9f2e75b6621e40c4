/** Replay: Snort rules against captures, packet or stream mode, alerts in fast or JSON format. */
export { prepareRules } from './prepare.js';
export type { PreparedRules, PrepareProgress, RuleSetOptions } from './prepare.js';
export { Replayer } from './replay.js';
export type { Alert, AlertCallback, CaptureResult, ReplayControl, ReplayMode, ReplayOptions, ReplayProgress, ReplayStats } from './replay.js';
export { aggregateWarnings } from './warnings.js';
export type { EmptyRuleFileWarning, EmptyRuleSetWarning, LinkTypeWarning, ReplayWarning, RuleSetWarning } from './warnings.js';
export { formatFast, formatJson, alertRecord, CLASSIFICATIONS, alertPriority, protoName, fastTimestamp, isoTimestamp } from './format.js';
