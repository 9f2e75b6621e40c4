/** Replay: Snort rules against captures, packet or stream mode, alerts in fast or JSON format. */
export { prepareRules, Replayer } from './replay.js';
export type {
  Alert, AlertCallback, CaptureResult, PreparedRules, ReplayMode, ReplayOptions, ReplayStats, RuleSetOptions,
} from './replay.js';
export { formatFast, formatJson, alertRecord, CLASSIFICATIONS, alertPriority, protoName, fastTimestamp, isoTimestamp } from './format.js';
