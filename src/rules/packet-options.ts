/**
 * Packet-level rule options that a decoded packet answers directly, without the payload
 * automaton: `ip_proto`, `flags`, `itype`, `icode`, `seq`, `ack`, `window`, and absolute
 * `isdataat`. The parser compiles them into plain data (`PacketCheck`); `packetChecksMatch`
 * in src/detect/packet-checks.ts evaluates them on a packet.
 *
 * Options not handled here (ttl, id, fragbits, icmp_id, byte_test, relative isdataat...)
 * stay in `Rule.unsupported`: their conditions are ignored (a counted approximation).
 */

/** A numeric comparison: `<>` is exclusive of both bounds `a` and `b`, `<=>` inclusive. */
export type CompareOp = '=' | '!=' | '<' | '>' | '<=' | '>=' | '<>' | '<=>';

/** One packet-level condition of a rule, as plain data. */
export type PacketCheck =
  | { readonly kind: 'ip_proto'; readonly op: CompareOp; readonly a: number; readonly b?: number }
  | { readonly kind: 'itype' | 'icode'; readonly op: CompareOp; readonly a: number; readonly b?: number }
  | { readonly kind: 'seq' | 'ack' | 'window'; readonly op: '=' | '!='; readonly a: number }
  /**
   * TCP flags: `mode` exact (these flags and no others, outside `ignore`), all (`+`: at
   * least these), any (`*`: at least one), none (`!`: none of these).
   */
  | { readonly kind: 'flags'; readonly mode: 'exact' | 'all' | 'any' | 'none'; readonly mask: number; readonly ignore: number }
  /** Absolute isdataat: payload length > offset (negated: ≤). */
  | { readonly kind: 'isdataat'; readonly offset: number; readonly negated: boolean };

/** The decoded-packet fields the checks read (`DecodedPacket` from src/pcap fits). */
export interface PacketCheckFields {
  protocol: number;
  tcpFlags: number;
  seq: number;
  ack: number;
  window: number;
  icmpType: number;
  icmpCode: number;
  payloadLength: number;
}

const PROTO_NAMES: Record<string, number> = {
  icmp: 1, igmp: 2, ipip: 4, tcp: 6, udp: 17, ipv6: 41, gre: 47, esp: 50, ah: 51, icmpv6: 58, 'ipv6-icmp': 58, sctp: 132, pim: 103,
};

const FLAG_BITS: Record<string, number> = {
  F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20, E: 0x40, C: 0x80, '2': 0x40, '1': 0x80, '0': 0,
};

/** Thrown by `packetCheck` on a malformed value; the parser turns it into a reject. */
export class PacketOptionError extends Error {}

/** Reads `N`, `<N`, `>=N`, `!N`, `A<>B` (exclusive), `A<=>B` (inclusive). Throws PacketOptionError. */
export function comparison(v: string, name: string, names?: Record<string, number>): { op: CompareOp; a: number; b?: number } {
  const t = v.replace(/\s+/g, '').toLowerCase();
  const num = (s: string): number => {
    if (/^\d+$/.test(s)) return Number(s);
    const n = names?.[s];
    if (n === undefined) throw new PacketOptionError(`${name}: cannot read '${v}'`);
    return n;
  };
  let m = /^([a-z0-9-]+)(<=>|<>)([a-z0-9-]+)$/.exec(t);
  if (m) return { op: m[2] as CompareOp, a: num(m[1]), b: num(m[3]) };
  m = /^(<=|>=|!=|<|>|=|!)?([a-z0-9-]+)$/.exec(t);
  if (m) return { op: m[1] === '!' ? '!=' : ((m[1] ?? '=') as CompareOp), a: num(m[2]) };
  throw new PacketOptionError(`${name}: cannot read '${v}'`);
}

function parseFlagSet(s: string, name: string): number {
  let mask = 0;
  for (const ch of s.toUpperCase()) {
    const bit = FLAG_BITS[ch];
    if (bit === undefined) throw new PacketOptionError(`${name}: unknown flag '${ch}'`);
    mask |= bit;
  }
  return mask;
}

/**
 * Compiles one rule option into a packet check; undefined when the option is not a packet
 * option handled here (it is then unsupported). Throws PacketOptionError on a bad value.
 */
export function packetCheck(name: string, value: string | undefined): PacketCheck | undefined {
  const v = (value ?? '').trim();
  switch (name) {
    case 'ip_proto':
      return { kind: 'ip_proto', ...comparison(v, name, PROTO_NAMES) };
    case 'itype':
    case 'icode':
      return { kind: name, ...comparison(v, name) };
    case 'seq':
    case 'ack':
    case 'window': {
      const m = /^(!)?\s*(\d+)$/.exec(v);
      if (!m) throw new PacketOptionError(`${name}: cannot read '${v}'`);
      return { kind: name, op: m[1] ? '!=' : '=', a: Number(m[2]) };
    }
    case 'flags': {
      const [main, ign] = v.split(',').map((x) => x.trim());
      const m = /^([!*+]?)([A-Za-z0-9]+)([!*+]?)$/.exec(main ?? '');
      if (!m || (m[1] && m[3])) throw new PacketOptionError(`flags: cannot read '${v}'`);
      const mod = m[1] || m[3];
      const mode = mod === '+' ? 'all' : mod === '*' ? 'any' : mod === '!' ? 'none' : 'exact';
      return { kind: 'flags', mode, mask: parseFlagSet(m[2], name), ignore: ign ? parseFlagSet(ign, name) : 0 };
    }
    case 'isdataat': {
      const parts = v.split(',').map((x) => x.trim());
      if (parts.length > 1) return undefined; // relative / rawbytes forms: not handled here
      const m = /^(!)?\s*(\d+)$/.exec(parts[0]);
      if (!m) return undefined; // a byte_extract variable
      return { kind: 'isdataat', offset: Number(m[2]), negated: m[1] === '!' };
    }
    default:
      return undefined;
  }
}
