/** Flows and streams: per-direction TCP reassembly feeding any engine's Matcher. */
export {
  Flow,
  FlowTable,
  type FlowMatchCallback,
  type FlowMode,
  type FlowStats,
  type FlowTableOptions,
} from './flow-table.js';
export { TcpStream, ReassemblyCounters, type ReassemblyLimits, type ReassemblySink } from './tcp-stream.js';
