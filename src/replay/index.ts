/** Replay: Snort rules against captures, packet or stream mode, alerts in fast or JSON format. */
export { prepareRules } from './prepare.js';
export type { PreparedRules, RuleSetOptions } from './prepare.js';
export { Replayer } from './replay.js';
export type { Alert, AlertCallback, CaptureResult, ReplayMode, ReplayOptions, ReplayStats } from './replay.js';
export { formatFast, formatJson, alertRecord, CLASSIFICATIONS, alertPriority, protoName, fastTimestamp, isoTimestamp } from './format.js';
