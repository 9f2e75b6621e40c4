/**
 * Packet decoder: link layer → IP → transport, down to the 5-tuple and the payload view,
 * through tunnels to the innermost packet.
 *
 * Link types: Ethernet, Linux cooked SLL and SLL2, raw IP (101 and its BSD aliases 12/14,
 * 228 IPv4, 229 IPv6), BSD loopback (0 in either byte order, 108 in network order). After
 * any link header the ethertype may lead through 802.1Q / 802.1ad / QinQ tags, a PPPoE
 * session, an MPLS label stack (IP told apart by its version nibble, nibble 0 = Ethernet
 * pseudowire behind a 4-byte control word) or an NSH header.
 * Network: IPv4 with options (fragments flagged, never reassembled: a non-first fragment has
 * no transport header, its payload is the IP payload), IPv6 with its extension headers.
 * Transport: TCP, UDP, ICMP, ICMPv6; other protocols keep the IP payload and no ports.
 *
 * Tunnels (following Suricata's decoders, VXLAN-GPE added; `TunnelType`):
 *   IP-in-IP      IPv4 protocol / IPv6 next header 4 (IPv4 inside) or 41 (IPv6 inside).
 *   GRE           IP protocol 47. Version 0 with the optional checksum, key and sequence
 *                 fields, carrying IPv4, IPv6, transparent Ethernet bridging (0x6558),
 *                 MPLS, VLAN, NSH, PPP, or ERSPAN type II / III (Ethernet after the ERSPAN
 *                 header). Version 1 (PPTP enhanced GRE: key present, protocol 0x880B)
 *                 carrying PPP (address/control and protocol compression accepted) with IP.
 *                 The routing bit, recursion, reserved flags or another version make the
 *                 packet MALFORMED_TUNNEL.
 *   VXLAN         UDP destination port 4789, header with the I flag and a zero last byte,
 *                 then an Ethernet frame. VXLAN-GPE: port 4790 with the P flag and a next
 *                 protocol (1 IPv4, 2 IPv6, 3 Ethernet, 4 NSH, 5 MPLS).
 *   Geneve        UDP destination port 6081, version 0, options walked to the stated
 *                 length, then the protocol type (0x6558 Ethernet, or IP...).
 *   NSH           ethertype 0x894F (or GRE / VXLAN-GPE payload): version 0, MD type 1
 *                 (length 24) or 2, next protocol 1 IPv4, 2 IPv6, 3 Ethernet, 5 MPLS.
 * The decoded packet is the innermost one: addresses, ports, protocol and payload are those
 * of the encapsulated packet, which is what rules inspect. `tunnelDepth` counts the
 * encapsulations passed, `tunnel` names the outermost one and `outerIpOffset` points at the
 * outermost IP header (Suricata's eve `tunnel` object). Suricata also runs rules on the
 * outer packet; here only the innermost one comes out, so a rule about the carrier (such
 * as `ip_proto:47`) does not see a tunnel that was decoded. An inner IP datagram is
 * bounded by its carrier (outer padding never reaches it; claiming more than the carrier
 * holds is MALFORMED_IP unless the capture ended it, then `truncated`). A UDP packet on a tunnel port whose
 * header does not validate, a GRE or Geneve protocol type not decoded, a PPP protocol
 * that is not IP (PPTP control, compressed or encrypted data) or an empty GRE payload
 * (PPTP acknowledgement) leave the outer packet as the decoded one. Fragments are never
 * decoded into (their inner packet is incomplete without reassembly). Nesting deeper than
 * `MAX_TUNNEL_DEPTH` encapsulations is MALFORMED_TUNNEL, so crafted nesting cannot loop or
 * hide a payload beneath the decoder's reach.
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
  /**
   * Tunnel header (GRE, NSH) invalid, cut short or of a kind not decoded (GRE routing or
   * unknown version), or tunnels nested deeper than `MAX_TUNNEL_DEPTH`.
   */
  MALFORMED_TUNNEL: 6,
} as const;
/** One `DecodeStatus` value. */
export type DecodeStatus = (typeof DecodeStatus)[keyof typeof DecodeStatus];
/** Name of each `DecodeStatus` value, indexed by it (the keys of `DecodeCounts`). */
export const DECODE_STATUS_NAMES = ['ok', 'unsupportedLink', 'nonIp', 'malformedLink', 'malformedIp', 'malformedL4', 'malformedTunnel'] as const;

/** Encapsulation kinds of `DecodedPacket.tunnel` (the outermost one passed). */
export const TunnelType = {
  NONE: 0,
  /** IPv4 or IPv6 inside IPv4 or IPv6 (IP protocol 4 or 41). */
  IP_IN_IP: 1,
  GRE: 2,
  VXLAN: 3,
  VXLAN_GPE: 4,
  GENEVE: 5,
  NSH: 6,
  /** Ethernet over an MPLS pseudowire. */
  MPLS_PW: 7,
} as const;
/** One `TunnelType` value. */
export type TunnelType = (typeof TunnelType)[keyof typeof TunnelType];

/** Most encapsulations decoded into for one packet; deeper nesting is MALFORMED_TUNNEL. */
export const MAX_TUNNEL_DEPTH = 8;

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
  /**
   * VLAN ids, outermost first (at most two recorded; `vlanCount` counts all tags). Tags of an
   * Ethernet frame inside a tunnel follow those of the outer frame.
   */
  vlanCount = 0;
  vlanOuter = -1;
  vlanInner = -1;
  /**
   * Encapsulations passed to reach this (innermost) packet: IP-in-IP, GRE, VXLAN, VXLAN-GPE,
   * Geneve, NSH, MPLS pseudowire (VLAN tags, PPPoE and MPLS labels do not count); 0 when not
   * tunnelled.
   */
  tunnelDepth = 0;
  /** `TunnelType` of the outermost encapsulation (NONE when not tunnelled). */
  tunnel: TunnelType = TunnelType.NONE;
  /**
   * Offset of the outermost IP header when the packet was reached through a tunnel over
   * IP, else -1 (`tunnelSrc` / `tunnelDst` read its addresses).
   */
  outerIpOffset = -1;
  /** Offsets into `data` (of the innermost IP header and its transport header). */
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

  /** Source / destination address of the outermost IP header of a tunnel, else ''. */
  get tunnelSrc(): string {
    return this.outerAddress(0);
  }
  get tunnelDst(): string {
    return this.outerAddress(1);
  }

  private outerAddress(which: 0 | 1): string {
    const o = this.outerIpOffset;
    if (o < 0) return '';
    const v = this.data[o]! >> 4;
    if (v === 4) return formatAddress(4, this.data.subarray(o + 12 + 4 * which, o + 16 + 4 * which));
    return formatAddress(6, this.data.subarray(o + 8 + 16 * which, o + 24 + 16 * which));
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
    this.tunnelDepth = 0;
    this.tunnel = TunnelType.NONE;
    this.outerIpOffset = -1;
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
const ETH_NSH = 0x894f;

/**
 * The link types `decodePacket` reads (LINKTYPE_* numbers); packets of any other link type
 * are `UNSUPPORTED_LINK` (replay skips them, counts them as not decodable to IP and warns).
 */
export const DECODED_LINK_TYPES: ReadonlySet<number> = new Set([0, 1, 12, 14, 101, 108, 113, 228, 229, 276]);

/**
 * Decodes one packet's bytes (link type `linkType`, a pcap LINKTYPE_* number) into `out`;
 * returns `out.status`. Never throws: malformed or unsupported input is a status.
 *
 * Layout of the hot path: each header is one function taking (bytes, offset, end of the
 * carrier, out) and tail-calling the next, so there is no result object per packet and a
 * tunnel is the same call chain one level deeper. Ethernet → IPv4 → TCP is three calls
 * with the IPv4 ethertype tested first; the tunnel tests sit on the UDP branch (destination
 * port) and on the branch of protocols without a transport header, never on TCP's
 * (`bench/pcap.bench.ts --quick`, parse+decode buffer: 0.6-2.6 Mpkt/s over two runs on a
 * loaded 2-core machine; decoding alone of the same Zeek packets, before / after the tunnel
 * decoders in one process: 1.7-2.2 / 2.0-2.4 Mpkt/s median, within the machine's noise).
 */
export function decodePacket(linkType: number, data: Uint8Array, out: DecodedPacket): DecodeStatus {
  DecodedPacket.reset(out, data);
  const n = data.length;
  switch (linkType) {
    case 1:
      return decodeEthernet(data, 0, n, out);
    case 113:
      if (n < 16) return (out.status = DecodeStatus.MALFORMED_LINK);
      return decodeEtherType(data, 16, n, be16(data, 14), out);
    case 276:
      if (n < 20) return (out.status = DecodeStatus.MALFORMED_LINK);
      return decodeEtherType(data, 20, n, be16(data, 0), out);
    case 101:
    case 12:
    case 14: {
      const v = n > 0 ? data[0]! >> 4 : 0;
      if (v === 4) return decodeIpv4(data, 0, n, out);
      if (v === 6) return decodeIpv6(data, 0, n, out);
      return (out.status = DecodeStatus.MALFORMED_IP);
    }
    case 228:
      return decodeIpv4(data, 0, n, out);
    case 229:
      return decodeIpv6(data, 0, n, out);
    case 0:
    case 108: {
      if (n < 4) return (out.status = DecodeStatus.MALFORMED_LINK);
      // DLT_NULL stores the family in the capturing host's byte order; DLT_LOOP in network
      // order. A family never exceeds 0xffff, so a large value means the other order.
      let family = be32(data, 0);
      if (linkType === 0 && family > 0xffff) {
        family = (data[0]! | (data[1]! << 8) | (data[2]! << 16) | (data[3]! << 24)) >>> 0;
      }
      // AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS).
      if (family === 2) return decodeIpv4(data, 4, n, out);
      if (family === 24 || family === 28 || family === 30) return decodeIpv6(data, 4, n, out);
      return (out.status = DecodeStatus.NON_IP);
    }
    default:
      return (out.status = DecodeStatus.UNSUPPORTED_LINK);
  }
}

/** An Ethernet frame at `o` (link layer, or inside GRE / VXLAN / Geneve / NSH / MPLS). */
function decodeEthernet(d: Uint8Array, o: number, end: number, out: DecodedPacket): DecodeStatus {
  if (o + 14 > end) return (out.status = DecodeStatus.MALFORMED_LINK);
  const type = be16(d, o + 12);
  if (type === ETH_IPV4) return decodeIpv4(d, o + 14, end, out);
  return decodeEtherType(d, o + 14, end, type, out);
}

/** The ethertypes `decodeEtherType` reads (a tunnel carrying another one keeps its outer packet). */
function knownEtherType(t: number): boolean {
  return (
    t === ETH_IPV4 || t === ETH_IPV6 || t === 0x8100 || t === 0x88a8 || t === 0x9100 || t === 0x8864 || t === 0x8847 || t === 0x8848 || t === ETH_NSH
  );
}

/** What follows a header naming its payload by ethertype `type`, at `o`. */
function decodeEtherType(d: Uint8Array, o: number, end: number, type: number, out: DecodedPacket): DecodeStatus {
  // 802.1Q, 802.1ad and the old QinQ type; each tag is TCI(2) + inner type(2).
  while (type === 0x8100 || type === 0x88a8 || type === 0x9100) {
    if (o + 4 > end) return (out.status = DecodeStatus.MALFORMED_LINK);
    const vid = be16(d, o) & 0x0fff;
    if (out.vlanCount === 0) out.vlanOuter = vid;
    else if (out.vlanCount === 1) out.vlanInner = vid;
    out.vlanCount++;
    type = be16(d, o + 2);
    o += 4;
  }
  switch (type) {
    case ETH_IPV4:
      return decodeIpv4(d, o, end, out);
    case ETH_IPV6:
      return decodeIpv6(d, o, end, out);
    case 0x8864: {
      // PPPoE session: ver/type, code, session id, length, then a 2-byte PPP protocol.
      if (o + 8 > end) return (out.status = DecodeStatus.MALFORMED_LINK);
      const ppp = be16(d, o + 6);
      if (ppp === 0x0021) return decodeIpv4(d, o + 8, end, out);
      if (ppp === 0x0057) return decodeIpv6(d, o + 8, end, out);
      return (out.status = DecodeStatus.NON_IP);
    }
    case 0x8847:
    case 0x8848:
      return decodeMpls(d, o, end, out);
    case ETH_NSH:
      return decodeNsh(d, o, end, out);
    default:
      return (out.status = DecodeStatus.NON_IP);
  }
}

/** MPLS: labels until the bottom-of-stack bit, then IP told apart by its version nibble. */
function decodeMpls(d: Uint8Array, o: number, end: number, out: DecodedPacket): DecodeStatus {
  for (;;) {
    if (o + 4 > end) return (out.status = DecodeStatus.MALFORMED_LINK);
    const bottom = d[o + 2]! & 1;
    o += 4;
    if (bottom) break;
  }
  if (o >= end) return (out.status = DecodeStatus.NON_IP);
  const v = d[o]! >> 4;
  if (v === 4) return decodeIpv4(d, o, end, out);
  if (v === 6) return decodeIpv6(d, o, end, out);
  if (v !== 0) return (out.status = DecodeStatus.NON_IP);
  // Nibble 0: an Ethernet pseudowire behind its 4-byte control word (as Suricata guesses).
  if (!enterTunnel(out, TunnelType.MPLS_PW)) return (out.status = DecodeStatus.MALFORMED_TUNNEL);
  return decodeEthernet(d, o + 4, end, out);
}

/**
 * Counts one more encapsulation before decoding the packet inside it: false when that
 * would exceed `MAX_TUNNEL_DEPTH`. The outer packet's network and transport fields are
 * cleared (the inner packet's replace them; a non-IP inner packet leaves them empty).
 */
function enterTunnel(out: DecodedPacket, kind: TunnelType): boolean {
  const depth = out.tunnelDepth;
  if (depth >= MAX_TUNNEL_DEPTH) return false;
  if (depth === 0) out.tunnel = kind;
  if (out.outerIpOffset < 0) out.outerIpOffset = out.ipOffset;
  out.tunnelDepth = depth + 1;
  out.ipVersion = 0;
  out.protocol = -1;
  out.ipOffset = out.l4Offset = -1;
  out.srcPort = out.dstPort = 0;
  out.payloadOffset = out.payloadLength = 0;
  return true;
}

/**
 * Network Service Header (RFC 8300) at `o`: base header (version 0, length in 4-byte words,
 * MD type 1 with length 6 words or MD type 2), service path header, context headers.
 */
function decodeNsh(d: Uint8Array, o: number, end: number, out: DecodedPacket): DecodeStatus {
  if (o + 8 > end) return (out.status = DecodeStatus.MALFORMED_TUNNEL);
  const w = be16(d, o);
  const len = (w & 0x3f) * 4;
  const md = d[o + 2]! & 0x0f;
  if (w >> 14 !== 0 || len < 8 || o + len > end || (md !== 1 && md !== 2) || (md === 1 && len !== 24)) {
    return (out.status = DecodeStatus.MALFORMED_TUNNEL);
  }
  const next = d[o + 3]!;
  // NSH inside NSH is not decoded (as in Suricata).
  if (next === 0 || next === 4 || next > 5) return (out.status = DecodeStatus.NON_IP);
  if (!enterTunnel(out, TunnelType.NSH)) return (out.status = DecodeStatus.MALFORMED_TUNNEL);
  return decodeNextProtocol(d, o + len, end, next, out);
}

/** The payload of an NSH or VXLAN-GPE header by its next protocol (1..5). */
function decodeNextProtocol(d: Uint8Array, o: number, end: number, next: number, out: DecodedPacket): DecodeStatus {
  switch (next) {
    case 1:
      return decodeIpv4(d, o, end, out);
    case 2:
      return decodeIpv6(d, o, end, out);
    case 3:
      return decodeEthernet(d, o, end, out);
    case 4:
      return decodeNsh(d, o, end, out);
    default:
      return decodeMpls(d, o, end, out);
  }
}

/** IP protocol 4 / 41 (IP-in-IP) or 47 (GRE) at `o`, the outer packet already decoded. */
function decodeIpTunnel(d: Uint8Array, o: number, end: number, proto: number, out: DecodedPacket): DecodeStatus {
  if (proto === 47) return decodeGre(d, o, end, out);
  if (!enterTunnel(out, TunnelType.IP_IN_IP)) return (out.status = DecodeStatus.MALFORMED_TUNNEL);
  return proto === 4 ? decodeIpv4(d, o, end, out) : decodeIpv6(d, o, end, out);
}

/**
 * GRE (RFC 2784 / 2890, and RFC 2637's enhanced GRE for PPTP) at `o`. A protocol type not
 * decoded leaves the outer packet (status OK); a header cut short, with routing, recursion or
 * reserved flags, or of another version is MALFORMED_TUNNEL.
 */
function decodeGre(d: Uint8Array, o: number, end: number, out: DecodedPacket): DecodeStatus {
  if (o + 4 > end) return (out.status = DecodeStatus.MALFORMED_TUNNEL);
  const f0 = d[o]!;
  const f1 = d[o + 1]!;
  const type = be16(d, o + 2);
  let p = o + 4;
  const version = f1 & 7;
  if (version === 0) {
    // C R K S s Recur(3) | A Flags(4) Ver(3): routing, recursion and flags are not decoded.
    if ((f0 & 0x47) !== 0 || (f1 & 0x78) !== 0) return (out.status = DecodeStatus.MALFORMED_TUNNEL);
    if (f0 & 0x80) p += 4; // checksum + reserved
    if (f0 & 0x20) p += 4; // key
    if (f0 & 0x10) p += 4; // sequence number
  } else if (version === 1) {
    // PPTP: protocol PPP, key (payload length + call id) present; no checksum, routing,
    // strict source route, recursion or flags; optional sequence and acknowledgement.
    if (type !== 0x880b || (f0 & 0xef) !== 0x20 || (f1 & 0x78) !== 0) return (out.status = DecodeStatus.MALFORMED_TUNNEL);
    p += 4;
    if (f0 & 0x10) p += 4;
    if (f1 & 0x80) p += 4;
  } else return (out.status = DecodeStatus.MALFORMED_TUNNEL);
  if (p > end) return (out.status = DecodeStatus.MALFORMED_TUNNEL);
  switch (type) {
    case 0x6558: // transparent Ethernet bridging
      if (!enterTunnel(out, TunnelType.GRE)) return (out.status = DecodeStatus.MALFORMED_TUNNEL);
      return decodeEthernet(d, p, end, out);
    case 0x880b:
      return decodeGrePpp(d, p, end, out);
    case 0x88be: // ERSPAN type II: 8-byte header (version 1), then the mirrored frame
      if (!(f0 & 0x10) || p + 8 > end || d[p]! >> 4 !== 1) return (out.status = DecodeStatus.OK);
      if (!enterTunnel(out, TunnelType.GRE)) return (out.status = DecodeStatus.MALFORMED_TUNNEL);
      return decodeEthernet(d, p + 8, end, out);
    case 0x22eb: {
      // ERSPAN type III: 12-byte header (version 2), plus 8 bytes when its O bit is set.
      if (p + 12 > end || d[p]! >> 4 !== 2) return (out.status = DecodeStatus.OK);
      const h = d[p + 11]! & 1 ? 20 : 12;
      if (!enterTunnel(out, TunnelType.GRE)) return (out.status = DecodeStatus.MALFORMED_TUNNEL);
      return decodeEthernet(d, p + h, end, out);
    }
    default:
      if (!knownEtherType(type)) return (out.status = DecodeStatus.OK);
      if (!enterTunnel(out, TunnelType.GRE)) return (out.status = DecodeStatus.MALFORMED_TUNNEL);
      return decodeEtherType(d, p, end, type, out);
  }
}

/**
 * PPP inside GRE: optional address/control bytes (FF 03), a 1-byte (compressed) or 2-byte
 * protocol; IPv4 and IPv6 are decoded, anything else (LCP, CCP, compressed or encrypted
 * data, an empty PPTP acknowledgement) leaves the outer packet.
 */
function decodeGrePpp(d: Uint8Array, p: number, end: number, out: DecodedPacket): DecodeStatus {
  if (p + 2 <= end && d[p] === 0xff && d[p + 1] === 0x03) p += 2;
  if (p >= end) return (out.status = DecodeStatus.OK);
  let proto = d[p]!;
  if (proto & 1) p += 1;
  else {
    if (p + 2 > end) return (out.status = DecodeStatus.OK);
    proto = be16(d, p);
    p += 2;
  }
  if (proto !== 0x21 && proto !== 0x57) return (out.status = DecodeStatus.OK);
  if (!enterTunnel(out, TunnelType.GRE)) return (out.status = DecodeStatus.MALFORMED_TUNNEL);
  return proto === 0x21 ? decodeIpv4(d, p, end, out) : decodeIpv6(d, p, end, out);
}

/**
 * UDP payload at `o` sent to a tunnel port (4789 VXLAN, 4790 VXLAN-GPE, 6081 Geneve), the
 * outer UDP packet already decoded. A header that does not validate (or a payload type not
 * decoded) leaves the outer packet, as Suricata does.
 */
function decodeUdpTunnel(d: Uint8Array, o: number, end: number, port: number, out: DecodedPacket): DecodeStatus {
  const len = end - o;
  if (port === 4789) {
    // flags (I = 0x08), 3 reserved / group policy bytes, VNI(3), reserved(1); Ethernet.
    if (len < 8 + 14 || (d[o]! & 0x08) === 0 || d[o + 7] !== 0) return (out.status = DecodeStatus.OK);
    if (!enterTunnel(out, TunnelType.VXLAN)) return (out.status = DecodeStatus.MALFORMED_TUNNEL);
    return decodeEthernet(d, o + 8, end, out);
  }
  if (port === 4790) {
    // VXLAN-GPE: flags (version 0, P = 0x04 set), reserved(2), next protocol, VNI(3), reserved(1).
    if (len < 8 || (d[o]! & 0x34) !== 0x04) return (out.status = DecodeStatus.OK);
    const next = d[o + 3]!;
    if (next === 0 || next > 5) return (out.status = DecodeStatus.OK);
    if (!enterTunnel(out, TunnelType.VXLAN_GPE)) return (out.status = DecodeStatus.MALFORMED_TUNNEL);
    return decodeNextProtocol(d, o + 8, end, next, out);
  }
  // Geneve: version(2) + options length(6, in words), flags, protocol type, VNI(3),
  // reserved(1), then options of class(2) type(1) length(low 5 bits, in words) + data.
  if (len < 8 || d[o]! >> 6 !== 0) return (out.status = DecodeStatus.OK);
  const hdrEnd = o + 8 + (d[o]! & 0x3f) * 4;
  if (hdrEnd > end) return (out.status = DecodeStatus.OK);
  let p = o + 8;
  while (p < hdrEnd) {
    if (p + 4 > hdrEnd) return (out.status = DecodeStatus.OK);
    p += 4 + (d[p + 3]! & 0x1f) * 4;
  }
  if (p !== hdrEnd) return (out.status = DecodeStatus.OK);
  const type = be16(d, o + 2);
  if (type !== 0x6558 && !knownEtherType(type)) return (out.status = DecodeStatus.OK);
  if (!enterTunnel(out, TunnelType.GENEVE)) return (out.status = DecodeStatus.MALFORMED_TUNNEL);
  if (type === 0x6558) return decodeEthernet(d, hdrEnd, end, out);
  return decodeEtherType(d, hdrEnd, end, type, out);
}

/**
 * IPv4 at `o`, its carrier ending at `n`. A datagram longer than its carrier is snapped
 * (`truncated`) when the capture ends there, MALFORMED_IP when an outer header ended it.
 */
function decodeIpv4(d: Uint8Array, o: number, n: number, out: DecodedPacket): DecodeStatus {
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
      if (n !== d.length) return (out.status = DecodeStatus.MALFORMED_IP);
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

/** IPv6 at `o`, its carrier ending at `n` (a longer datagram as for IPv4). */
function decodeIpv6(d: Uint8Array, o: number, n: number, out: DecodedPacket): DecodeStatus {
  if (o + 40 > n || d[o]! >> 4 !== 6) return (out.status = DecodeStatus.MALFORMED_IP);
  const plen = be16(d, o + 4);
  let end = plen === 0 ? n : o + 40 + plen; // 0: jumbogram (or offload); take what was captured
  if (end > n) {
    if (n !== d.length) return (out.status = DecodeStatus.MALFORMED_IP);
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
      const dp = out.dstPort;
      if ((dp === 4789 || dp === 6081 || dp === 4790) && !out.fragment) return decodeUdpTunnel(d, l4 + 8, uend, dp, out);
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
    default: {
      out.payloadOffset = l4;
      out.payloadLength = end - l4;
      const p = out.protocol;
      // A first fragment is not decoded into: its inner packet is incomplete.
      if ((p === 4 || p === 41 || p === 47) && !out.fragment) return decodeIpTunnel(d, l4, end, p, out);
      return (out.status = DecodeStatus.OK);
    }
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
  malformedTunnel: number;
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
    malformedTunnel: 0,
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
