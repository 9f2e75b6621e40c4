/** Replay: Snort rules against captures, packet or stream mode, alerts in fast or JSON format. */
export { prepareRules } from './prepare.js';
export type { PreparedRules, PrepareProgress, RuleSetOptions } from './prepare.js';
export { MIDSTREAM_POLICIES, Replayer, shardOf } from './replay.js';
export type {
  Alert, AlertCallback, AlertOrder, CaptureResult, MidstreamPolicy, ReplayControl, ReplayMode, ReplayOptions, ReplayProgress, ReplayShard, ReplayStats,
} from './replay.js';
// The worker-thread replay (parallel.ts, worker.ts) is not exported here: it starts its
// workers from its own file (import.meta), which the CommonJS build of the library cannot
// hold; the CLI imports it directly.
export { aggregateWarnings } from './warnings.js';
export type { EmptyRuleFileWarning, EmptyRuleSetWarning, LinkTypeWarning, ReplayWarning, RuleSetWarning } from './warnings.js';
export { formatFast, formatJson, alertRecord, CLASSIFICATIONS, alertPriority, protoName, fastTimestamp, isoTimestamp } from './format.js';
