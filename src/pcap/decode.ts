/**
 * Packet decoder: link layer → IP → transport, down to the 5-tuple and the payload view.
 *
 * Link types: Ethernet (802.1Q / 802.1ad / QinQ tags, plus PPPoE sessions and MPLS label
 * stacks found inside it), Linux cooked SLL and SLL2, raw IP (101 and its BSD aliases 12/14,
 * 228 IPv4, 229 IPv6), BSD loopback (0 in either byte order, 108 in network order).
 * Network: IPv4 with options (fragments flagged, never reassembled: a non-first fragment has
 * no transport header, its payload is the IP payload), IPv6 with its extension headers.
 * Transport: TCP, UDP, ICMP, ICMPv6; other protocols keep the IP payload and no ports.
 *
 * Guarantees: malformed or truncated headers never throw; they set a status (counted by
 * `Decoder`) and the packet is skipped by callers. Ethernet padding is trimmed using the
 * IP length, so it never reaches the payload. `decodePacket` fills a caller-owned
 * `DecodedPacket` and allocates nothing except the payload view (taken on demand).
 */
import type { Packet } from './types.js';

/** Outcome of decoding one packet (`DecodedPacket.status`). */
export const DecodeStatus = {
  OK: 0,
  /** Link type this decoder does not know. */
  UNSUPPORTED_LINK: 1,
  /** Not IP (ARP, LLDP, 802.3 LLC...). Not an error. */
  NON_IP: 2,
  /** Link-layer header cut short. */
  MALFORMED_LINK: 3,
  /** IP header invalid (version, header length, total length) or cut short. */
  MALFORMED_IP: 4,
  /** TCP/UDP/ICMP header invalid or cut short. */
  MALFORMED_L4: 5,
} as const;
/** One `DecodeStatus` value. */
export type DecodeStatus = (typeof DecodeStatus)[keyof typeof DecodeStatus];
/** Name of each `DecodeStatus` value, indexed by it (the keys of `DecodeCounts`). */
export const DECODE_STATUS_NAMES = ['ok', 'unsupportedLink', 'nonIp', 'malformedLink', 'malformedIp', 'malformedL4'] as const;

/** IP protocol numbers the decoder reads a transport header for. */
export const IpProto = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58 } as const;

/** TCP flag bits of `DecodedPacket.tcpFlags`. */
export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;

/** Decoder output, meant to be reused across packets (one object per consumer). */
export class DecodedPacket {
  status: DecodeStatus = DecodeStatus.OK;
  /** 4, 6, or 0 when not IP. */
  ipVersion: 0 | 4 | 6 = 0;
  /** Transport protocol number (after IPv6 extension headers); -1 when not IP. */
  protocol = -1;
  /** Source / destination address: IPv4 uses the first 4 bytes. */
  readonly srcAddr = new Uint8Array(16);
  readonly dstAddr = new Uint8Array(16);
  srcPort = 0;
  dstPort = 0;
  /** TCP flag byte (FIN..CWR), NS in bit 8. */
  tcpFlags = 0;
  /** TCP sequence / acknowledgement numbers as unsigned 32-bit values. */
  seq = 0;
  ack = 0;
  window = 0;
  icmpType = -1;
  icmpCode = -1;
  /** Part of a fragmented datagram (IPv4 MF/offset, IPv6 fragment header). */
  fragment = false;
  /** Fragment offset in bytes; non-zero means no transport header in this packet. */
  fragmentOffset = 0;
  /** Captured bytes end before the IP length says the datagram ends (snap length). */
  truncated = false;
  /** VLAN ids, outermost first (at most two recorded; `vlanCount` counts all tags). */
  vlanCount = 0;
  vlanOuter = -1;
  vlanInner = -1;
  /** Offsets into `data`. */
  ipOffset = -1;
  l4Offset = -1;
  payloadOffset = 0;
  payloadLength = 0;
  data: Uint8Array = new Uint8Array(0);

  /** The transport payload: a view into the packet bytes (no copy). */
  get payload(): Uint8Array {
    return this.data.subarray(this.payloadOffset, this.payloadOffset + this.payloadLength);
  }

  /** `a.b.c.d` or RFC 5952 IPv6 text. */
  get src(): string {
    return formatAddress(this.ipVersion, this.srcAddr);
  }
  get dst(): string {
    return formatAddress(this.ipVersion, this.dstAddr);
  }

  private clear(data: Uint8Array): void {
    this.status = DecodeStatus.OK;
    this.ipVersion = 0;
    this.protocol = -1;
    this.srcPort = this.dstPort = 0;
    this.tcpFlags = this.seq = this.ack = this.window = 0;
    this.icmpType = this.icmpCode = -1;
    this.fragment = false;
    this.fragmentOffset = 0;
    this.truncated = false;
    this.vlanCount = 0;
    this.vlanOuter = this.vlanInner = -1;
    this.ipOffset = this.l4Offset = -1;
    this.payloadOffset = this.payloadLength = 0;
    this.data = data;
  }

  /** @internal used by decodePacket */
  static reset(out: DecodedPacket, data: Uint8Array): void {
    out.clear(data);
  }
}

/**
 * Text form of an address of `DecodedPacket`: dotted quad for IPv4, RFC 5952 for IPv6, ''
 * otherwise.
 */
export function formatAddress(ipVersion: number, a: Uint8Array): string {
  if (ipVersion === 4) return `${a[0]}.${a[1]}.${a[2]}.${a[3]}`;
  if (ipVersion !== 6) return '';
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((a[i]! << 8) | a[i + 1]!);
  // Longest run (≥ 2) of zero words becomes '::' (RFC 5952).
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestAt < 0) return hex.join(':');
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLen).join(':')}`;
}

function be16(d: Uint8Array, o: number): number {
  return (d[o]! << 8) | d[o + 1]!;
}

function be32(d: Uint8Array, o: number): number {
  return ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0;
}

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;

/**
 * The link types `decodePacket` reads (LINKTYPE_* numbers); packets of any other link type
 * are `UNSUPPORTED_LINK` (replay skips them, counts them as not decodable to IP and warns).
 */
export const DECODED_LINK_TYPES: ReadonlySet<number> = new Set([0, 1, 12, 14, 101, 108, 113, 228, 229, 276]);

/**
 * Decodes one packet's bytes (link type `linkType`, a pcap LINKTYPE_* number) into `out`;
 * returns `out.status`. Never throws: malformed or unsupported input is a status.
 */
// long-function: per-packet hot path; one switch over the link types yields the network-layer offset and ethertype as two locals, with no result object per packet (`bench/pcap.bench.ts --quick`, parse+decode buffer: 0.6-2.6 Mpkt/s over two runs on a loaded 2-core machine).
export function decodePacket(linkType: number, data: Uint8Array, out: DecodedPacket): DecodeStatus {
  DecodedPacket.reset(out, data);
  const n = data.length;
  let off: number;
  let etherType: number;
  switch (linkType) {
    case 1: {
      if (n < 14) return (out.status = DecodeStatus.MALFORMED_LINK);
      etherType = be16(data, 12);
      off = 14;
      // 802.1Q, 802.1ad and the old QinQ type; each tag is TCI(2) + inner type(2).
      while (etherType === 0x8100 || etherType === 0x88a8 || etherType === 0x9100) {
        if (off + 4 > n) return (out.status = DecodeStatus.MALFORMED_LINK);
        const vid = be16(data, off) & 0x0fff;
        if (out.vlanCount === 0) out.vlanOuter = vid;
        else if (out.vlanCount === 1) out.vlanInner = vid;
        out.vlanCount++;
        etherType = be16(data, off + 2);
        off += 4;
      }
      if (etherType === 0x8864) {
        // PPPoE session: ver/type, code, session id, length, then a 2-byte PPP protocol.
        if (off + 8 > n) return (out.status = DecodeStatus.MALFORMED_LINK);
        const ppp = be16(data, off + 6);
        off += 8;
        etherType = ppp === 0x0021 ? ETH_IPV4 : ppp === 0x0057 ? ETH_IPV6 : -1;
      } else if (etherType === 0x8847 || etherType === 0x8848) {
        // MPLS: labels until the bottom-of-stack bit, then IP told apart by its version.
        for (;;) {
          if (off + 4 > n) return (out.status = DecodeStatus.MALFORMED_LINK);
          const bottom = data[off + 2]! & 1;
          off += 4;
          if (bottom) break;
        }
        etherType = ipByVersion(data, off);
      }
      break;
    }
    case 113:
      if (n < 16) return (out.status = DecodeStatus.MALFORMED_LINK);
      etherType = be16(data, 14);
      off = 16;
      break;
    case 276:
      if (n < 20) return (out.status = DecodeStatus.MALFORMED_LINK);
      etherType = be16(data, 0);
      off = 20;
      break;
    case 101:
    case 12:
    case 14:
      off = 0;
      etherType = ipByVersion(data, 0);
      if (etherType < 0) return (out.status = DecodeStatus.MALFORMED_IP);
      break;
    case 228:
      off = 0;
      etherType = ETH_IPV4;
      break;
    case 229:
      off = 0;
      etherType = ETH_IPV6;
      break;
    case 0:
    case 108: {
      if (n < 4) return (out.status = DecodeStatus.MALFORMED_LINK);
      // DLT_NULL stores the family in the capturing host's byte order; DLT_LOOP in network
      // order. A family never exceeds 0xffff, so a large value means the other order.
      let family = be32(data, 0);
      if (linkType === 0 && family > 0xffff) {
        family = (data[0]! | (data[1]! << 8) | (data[2]! << 16) | (data[3]! << 24)) >>> 0;
      }
      off = 4;
      // AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS).
      etherType = family === 2 ? ETH_IPV4 : family === 24 || family === 28 || family === 30 ? ETH_IPV6 : -1;
      break;
    }
    default:
      return (out.status = DecodeStatus.UNSUPPORTED_LINK);
  }
  if (etherType === ETH_IPV4) return decodeIpv4(data, off, out);
  if (etherType === ETH_IPV6) return decodeIpv6(data, off, out);
  return (out.status = DecodeStatus.NON_IP);
}

function ipByVersion(d: Uint8Array, off: number): number {
  if (off >= d.length) return -1;
  const v = d[off]! >> 4;
  return v === 4 ? ETH_IPV4 : v === 6 ? ETH_IPV6 : -1;
}

function decodeIpv4(d: Uint8Array, o: number, out: DecodedPacket): DecodeStatus {
  const n = d.length;
  if (o + 20 > n) return (out.status = DecodeStatus.MALFORMED_IP);
  const vihl = d[o]!;
  if (vihl >> 4 !== 4) return (out.status = DecodeStatus.MALFORMED_IP);
  const ihl = (vihl & 15) * 4;
  if (ihl < 20 || o + ihl > n) return (out.status = DecodeStatus.MALFORMED_IP);
  const total = be16(d, o + 2);
  let end: number;
  if (total === 0) end = n; // segmentation offload captures leave the length 0
  else {
    if (total < ihl) return (out.status = DecodeStatus.MALFORMED_IP);
    end = o + total;
    if (end > n) {
      out.truncated = true;
      end = n;
    }
  }
  out.ipVersion = 4;
  out.ipOffset = o;
  for (let i = 0; i < 4; i++) {
    out.srcAddr[i] = d[o + 12 + i]!;
    out.dstAddr[i] = d[o + 16 + i]!;
  }
  out.srcAddr.fill(0, 4);
  out.dstAddr.fill(0, 4);
  const frag = be16(d, o + 6);
  out.fragmentOffset = (frag & 0x1fff) * 8;
  out.fragment = (frag & 0x2000) !== 0 || out.fragmentOffset !== 0;
  out.protocol = d[o + 9]!;
  return decodeL4(d, o + ihl, end, out);
}

function decodeIpv6(d: Uint8Array, o: number, out: DecodedPacket): DecodeStatus {
  const n = d.length;
  if (o + 40 > n || d[o]! >> 4 !== 6) return (out.status = DecodeStatus.MALFORMED_IP);
  const plen = be16(d, o + 4);
  let end = plen === 0 ? n : o + 40 + plen; // 0: jumbogram (or offload); take what was captured
  if (end > n) {
    out.truncated = true;
    end = n;
  }
  out.ipVersion = 6;
  out.ipOffset = o;
  out.srcAddr.set(d.subarray(o + 8, o + 24));
  out.dstAddr.set(d.subarray(o + 24, o + 40));
  let nh = d[o + 6]!;
  let off = o + 40;
  // Extension headers; each one advances `off`, so the walk ends.
  for (;;) {
    if (nh === 0 || nh === 43 || nh === 60 || nh === 135 || nh === 139 || nh === 140) {
      if (off + 8 > end) return (out.status = DecodeStatus.MALFORMED_IP);
      const next = d[off]!;
      off += (d[off + 1]! + 1) * 8;
      nh = next;
    } else if (nh === 51) {
      if (off + 8 > end) return (out.status = DecodeStatus.MALFORMED_IP);
      const next = d[off]!;
      off += (d[off + 1]! + 2) * 4;
      nh = next;
    } else if (nh === 44) {
      if (off + 8 > end) return (out.status = DecodeStatus.MALFORMED_IP);
      const next = d[off]!;
      const fo = be16(d, off + 2);
      out.fragment = true;
      out.fragmentOffset = fo & 0xfff8;
      off += 8;
      nh = next;
    } else break;
    if (off > end) return (out.status = DecodeStatus.MALFORMED_IP);
  }
  out.protocol = nh;
  return decodeL4(d, off, end, out);
}

function decodeL4(d: Uint8Array, l4: number, end: number, out: DecodedPacket): DecodeStatus {
  out.l4Offset = l4;
  if (out.fragmentOffset !== 0) {
    // A later fragment: its bytes continue the transport payload, no header here.
    out.payloadOffset = l4;
    out.payloadLength = end - l4;
    return (out.status = DecodeStatus.OK);
  }
  switch (out.protocol) {
    case 6: {
      if (l4 + 20 > end) return (out.status = DecodeStatus.MALFORMED_L4);
      const doff = (d[l4 + 12]! >> 4) * 4;
      if (doff < 20 || l4 + doff > end) return (out.status = DecodeStatus.MALFORMED_L4);
      out.srcPort = be16(d, l4);
      out.dstPort = be16(d, l4 + 2);
      out.seq = be32(d, l4 + 4);
      out.ack = be32(d, l4 + 8);
      out.tcpFlags = d[l4 + 13]! | ((d[l4 + 12]! & 1) << 8);
      out.window = be16(d, l4 + 14);
      out.payloadOffset = l4 + doff;
      out.payloadLength = end - l4 - doff;
      return (out.status = DecodeStatus.OK);
    }
    case 17: {
      if (l4 + 8 > end) return (out.status = DecodeStatus.MALFORMED_L4);
      out.srcPort = be16(d, l4);
      out.dstPort = be16(d, l4 + 2);
      const ulen = be16(d, l4 + 4);
      let uend = end;
      if (ulen !== 0) {
        // A first fragment carries only part of the datagram the UDP length describes.
        if (ulen < 8 || (l4 + ulen > end && !out.truncated && !out.fragment)) {
          return (out.status = DecodeStatus.MALFORMED_L4);
        }
        if (l4 + ulen < end) uend = l4 + ulen;
      }
      out.payloadOffset = l4 + 8;
      out.payloadLength = uend - l4 - 8;
      return (out.status = DecodeStatus.OK);
    }
    case 1:
    case 58: {
      if (l4 + 8 > end) return (out.status = DecodeStatus.MALFORMED_L4);
      out.icmpType = d[l4]!;
      out.icmpCode = d[l4 + 1]!;
      out.payloadOffset = l4 + 8;
      out.payloadLength = end - l4 - 8;
      return (out.status = DecodeStatus.OK);
    }
    default:
      out.payloadOffset = l4;
      out.payloadLength = end - l4;
      return (out.status = DecodeStatus.OK);
  }
}

/** Decode counters, one per status plus fragments and snapped datagrams. */
export interface DecodeCounts {
  ok: number;
  unsupportedLink: number;
  nonIp: number;
  malformedLink: number;
  malformedIp: number;
  malformedL4: number;
  fragments: number;
  truncated: number;
}

/** A decoder with counters: decode each packet into one reused `DecodedPacket`. */
export class Decoder {
  readonly out = new DecodedPacket();
  readonly counts: DecodeCounts = {
    ok: 0,
    unsupportedLink: 0,
    nonIp: 0,
    malformedLink: 0,
    malformedIp: 0,
    malformedL4: 0,
    fragments: 0,
    truncated: 0,
  };

  /** Decodes into `this.out` (overwritten by the next call); returns the status. */
  decode(packet: Packet): DecodeStatus {
    return this.decodeBytes(packet.linkType, packet.data);
  }

  decodeBytes(linkType: number, data: Uint8Array): DecodeStatus {
    const s = decodePacket(linkType, data, this.out);
    this.counts[DECODE_STATUS_NAMES[s]]++;
    if (this.out.fragment) this.counts.fragments++;
    if (this.out.truncated) this.counts.truncated++;
    return s;
  }
}
