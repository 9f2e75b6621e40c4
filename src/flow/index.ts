/**
 * Flows and streams: the one flow tracker (`FlowTracker`: bidirectional flows, TCP
 * handshake, per-direction reassembly with `TcpStream`, a user state slot per flow), and
 * `FlowTable`, which feeds any engine's Matcher from it.
 */
export { flowKey } from './flow-key.js';
export {
  Flow,
  FlowTracker,
  type FlowEndReason,
  type FlowTrackerOptions,
  type FlowTrackerStats,
  type RestartRule,
} from './flow-tracker.js';
export {
  FlowTable,
  type FlowMatchCallback,
  type FlowMode,
  type FlowStats,
  type FlowTableOptions,
} from './flow-table.js';
export {
  TcpStream,
  ReassemblyCounters,
  DEFAULT_OVERLAP_POLICY,
  OVERLAP_POLICIES,
  isOverlapPolicy,
  newSegmentWins,
  type OverlapPolicy,
  type ReassemblyLimits,
  type ReassemblySink,
} from './tcp-stream.js';
