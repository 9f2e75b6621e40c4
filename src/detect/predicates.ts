/**
 * Header, flow and dsize predicates: the parts of a rule decided on a packet's header
 * fields and its flow state, not on payload patterns. The replay hands them to the
 * evaluator as its `accept` veto; they allocate nothing (IPv4) and throw nothing.
 */
import type { Rule } from '../rules/rule.js';
import type { PacketCheckFields } from '../rules/packet-options.js';
import { packetChecksMatch } from './packet-checks.js';
import type { IpAddress } from '../rules/vars.js';

/** A packet's header fields as the header matcher reads them. */
export interface HeaderTuple {
  /** IP protocol number (6 tcp, 17 udp, 1 icmp, 58 icmpv6, ...). */
  ipProto: number;
  /** Source and destination addresses and ports. */
  src: IpAddress;
  dst: IpAddress;
  sport: number;
  dport: number;
}

/** Flow state of a packet, when the replay tracks flows. */
export interface RuleFlowState {
  /** The packet goes from the client (connection initiator) to the server. */
  toServer: boolean;
  /** The TCP session is established (for UDP: the flow has seen both directions). */
  established: boolean;
  /** The payload being evaluated is a reassembled stream, not a single packet. */
  stream: boolean;
}

/** Does the rule's header (protocol, addresses, ports, direction) accept this packet? */
export function headerMatches(rule: Rule, h: HeaderTuple): boolean {
  switch (rule.transport) {
    case 'tcp':
      if (h.ipProto !== 6) return false;
      break;
    case 'udp':
      if (h.ipProto !== 17) return false;
      break;
    case 'icmp':
      if (h.ipProto !== 1 && h.ipProto !== 58) return false;
      break;
    default:
      break;
  }
  // ICMP and other port-less protocols: Snort ignores the port fields.
  const ports = h.ipProto === 6 || h.ipProto === 17;
  const fwd = rule.src.has(h.src) && rule.dst.has(h.dst) &&
    (!ports || (rule.srcPorts.has(h.sport) && rule.dstPorts.has(h.dport)));
  if (fwd || rule.header.direction !== '<>') return fwd;
  return rule.src.has(h.dst) && rule.dst.has(h.src) &&
    (!ports || (rule.srcPorts.has(h.dport) && rule.dstPorts.has(h.sport)));
}

/**
 * The fields of a decoded packet the header check reads; `DecodedPacket` from `src/pcap`
 * fits structurally (IPv4 addresses in the first 4 bytes of 16-byte arrays).
 */
export interface PacketFields {
  /** 4 or 6. */
  ipVersion: number;
  /** IP protocol number. */
  protocol: number;
  /** Source and destination addresses (IPv4: the first 4 bytes) and ports. */
  srcAddr: Uint8Array;
  dstAddr: Uint8Array;
  srcPort: number;
  dstPort: number;
}

/** `headerMatches` on a decoded packet, without building a tuple (no allocation for IPv4). */
export function headerMatchesPacket(rule: Rule, p: PacketFields): boolean {
  const proto = p.protocol;
  switch (rule.transport) {
    case 'tcp':
      if (proto !== 6) return false;
      break;
    case 'udp':
      if (proto !== 17) return false;
      break;
    case 'icmp':
      if (proto !== 1 && proto !== 58) return false;
      break;
    default:
      break;
  }
  const ports = proto === 6 || proto === 17;
  const v = p.ipVersion;
  const fwd = rule.src.hasBytes(p.srcAddr, v) && rule.dst.hasBytes(p.dstAddr, v) &&
    (!ports || (rule.srcPorts.has(p.srcPort) && rule.dstPorts.has(p.dstPort)));
  if (fwd || rule.header.direction !== '<>') return fwd;
  return rule.src.hasBytes(p.dstAddr, v) && rule.dst.hasBytes(p.srcAddr, v) &&
    (!ports || (rule.srcPorts.has(p.dstPort) && rule.dstPorts.has(p.srcPort)));
}

/**
 * Everything about one packet except payload patterns and flow state: header, dsize and
 * the packet-level options. This is the `accept` veto the replay gives `evaluate` in
 * packet mode (in stream mode: header and flow only; dsize and packet options refer to
 * single packets).
 */
export function packetMatches(rule: Rule, p: PacketFields & PacketCheckFields): boolean {
  return headerMatchesPacket(rule, p) && dsizeMatches(rule, p.payloadLength) &&
    (rule.packetChecks.length === 0 || packetChecksMatch(rule.packetChecks, p));
}

/** Does the rule's `flow` option (and `tcp-pkt`/`tcp-stream` protocol) accept this flow state? */
export function flowMatches(rule: Rule, f: RuleFlowState): boolean {
  if (rule.protocol === 'tcp-stream' && !f.stream) return false;
  if (rule.protocol === 'tcp-pkt' && f.stream) return false;
  const spec = rule.flow;
  if (!spec) return true;
  if (spec.toServer !== undefined && spec.toServer !== f.toServer) return false;
  if (spec.established !== undefined && spec.established !== f.established) return false;
  if (spec.stream !== undefined && spec.stream !== f.stream) return false;
  return true;
}

/** Does the rule's `dsize` accept a payload of `size` bytes? */
export function dsizeMatches(rule: Rule, size: number): boolean {
  const d = rule.dsize;
  if (!d) return true;
  switch (d.op) {
    case '=':
      return size === d.a;
    case '!=':
      return size !== d.a;
    case '<':
      return size < d.a;
    case '>':
      return size > d.a;
    case '<=':
      return size <= d.a;
    case '>=':
      return size >= d.a;
    case '<>':
      return size > d.a && size < (d.b ?? 0);
    case '<=>':
      return size >= d.a && size <= (d.b ?? 0);
  }
}
