/**
 * Flow keys: the canonical identity of a bidirectional transport flow, the same string for
 * both directions of one conversation.
 *
 * A key holds both endpoints (address and port, the lower endpoint first), the IP protocol
 * and the outer VLAN id, as 16-bit code units of one string built by one
 * `String.fromCharCode` call (a Map key without per-packet objects). Two packets get the
 * same key exactly when they share protocol, outer VLAN and the unordered pair of
 * endpoints.
 */
import type { DecodedPacket } from '../pcap/decode.js';

/**
 * The canonical key of a decoded packet's flow (same both ways). `d` must carry a
 * transport with ports (TCP or UDP); addresses are read as IPv4 (first 4 bytes) or IPv6
 * (16 bytes) after `d.ipVersion`.
 */
export function flowKey(d: DecodedPacket): string {
  // Canonical (same both ways): lower endpoint first. Addresses as 16-bit units.
  const n = d.ipVersion === 4 ? 4 : 16;
  let cmp = 0;
  for (let i = 0; i < n && cmp === 0; i++) cmp = d.srcAddr[i] - d.dstAddr[i];
  if (cmp === 0) cmp = d.srcPort - d.dstPort;
  const lo = cmp <= 0 ? d.srcAddr : d.dstAddr;
  const hi = cmp <= 0 ? d.dstAddr : d.srcAddr;
  const lp = cmp <= 0 ? d.srcPort : d.dstPort;
  const hp = cmp <= 0 ? d.dstPort : d.srcPort;
  if (n === 4) {
    return String.fromCharCode((lo[0] << 8) | lo[1], (lo[2] << 8) | lo[3], lp, (hi[0] << 8) | hi[1], (hi[2] << 8) | hi[3], hp, d.protocol, d.vlanOuter + 1);
  }
  const u: number[] = [];
  for (let i = 0; i < 16; i += 2) u.push((lo[i] << 8) | lo[i + 1]);
  u.push(lp);
  for (let i = 0; i < 16; i += 2) u.push((hi[i] << 8) | hi[i + 1]);
  u.push(hp, d.protocol, d.vlanOuter + 1, 6);
  return String.fromCharCode(...u);
}
