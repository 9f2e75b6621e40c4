import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodedPacket, Decoder, DecodeStatus, decodePacket, formatAddress, TcpFlag } from '../../src/pcap/decode.js';
import { bytes, ether, ipv4, ipv6, tcpHeader, tcpPacket } from './build.js';

const text = (a: Uint8Array): string => String.fromCharCode(...a);

function decode(linkType: number, data: Uint8Array | number[]): DecodedPacket {
  const out = new DecodedPacket();
  decodePacket(linkType, Uint8Array.from(data), out);
  return out;
}

const udp = (sport: number, dport: number, payload: string): number[] => {
  const b = [...bytes(payload)];
  const len = 8 + b.length;
  return [sport >> 8, sport & 255, dport >> 8, dport & 255, len >> 8, len & 255, 0, 0, ...b];
};

describe('decodePacket', () => {
  it('Ethernet / IPv4 with options / TCP: 5-tuple, flags, sequence numbers, payload; padding trimmed', () => {
    const pkt = ether(
      0x0800,
      ipv4(6, [...tcpHeader({ sport: 40000, dport: 80, seq: 0xfffffff0, ack: 7, flags: 0x18 }), ...bytes('GET /')], {
        src: [192, 168, 1, 2],
        dst: [10, 9, 8, 7],
        ipOptions: [1, 1, 1, 0], // NOP NOP NOP EOL
      }),
    );
    const padded = Uint8Array.from([...pkt, 0, 0, 0, 0, 0, 0]);
    const d = new DecodedPacket();
    decodePacket(1, padded, d);
    expect(d.status).toBe(DecodeStatus.OK);
    expect([d.ipVersion, d.protocol, d.src, d.srcPort, d.dst, d.dstPort]).toEqual([4, 6, '192.168.1.2', 40000, '10.9.8.7', 80]);
    expect([d.seq, d.ack, d.tcpFlags & 0xff]).toEqual([0xfffffff0, 7, TcpFlag.PSH | TcpFlag.ACK]);
    expect(text(d.payload)).toBe('GET /');
    expect(d.payload.buffer).toBe(padded.buffer); // a view
    expect(d.fragment).toBe(false);
  });

  it('802.1Q and QinQ tags', () => {
    const ip = ipv4(17, udp(53, 5353, 'q'));
    const one = decode(1, ether(0x0800, ip, [100]));
    expect([one.status, one.vlanCount, one.vlanOuter, one.srcPort, text(one.payload)]).toEqual([0, 1, 100, 53, 'q']);
    const two = decode(1, ether(0x0800, ip, [200, 300]));
    expect([two.status, two.vlanCount, two.vlanOuter, two.vlanInner, two.dstPort]).toEqual([0, 2, 200, 300, 5353]);
  });

  it('Linux cooked SLL and SLL2', () => {
    const ip6 = ipv6(17, udp(1, 2, 'six'));
    const sll = [0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x86, 0xdd, ...ip6];
    const a = decode(113, sll);
    expect([a.status, a.ipVersion, a.src, a.dst, text(a.payload)]).toEqual([0, 6, '2001:db8::1', '2001:db8::2', 'six']);
    const sll2 = [0x86, 0xdd, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, ...ip6];
    expect(text(decode(276, sll2).payload)).toBe('six');
  });

  it('raw IP link types 101, 228, 229 and BSD loopback 0 (either byte order) and 108', () => {
    const v4 = ipv4(17, udp(7, 8, 'four'));
    const v6 = ipv6(17, udp(7, 8, 'six'));
    expect(text(decode(101, v4).payload)).toBe('four');
    expect(text(decode(101, v6).payload)).toBe('six');
    expect(text(decode(228, v4).payload)).toBe('four');
    expect(text(decode(229, v6).payload)).toBe('six');
    expect(text(decode(0, [2, 0, 0, 0, ...v4]).payload)).toBe('four'); // little-endian host
    expect(text(decode(0, [0, 0, 0, 2, ...v4]).payload)).toBe('four'); // big-endian host
    expect(text(decode(0, [30, 0, 0, 0, ...v6]).payload)).toBe('six'); // macOS AF_INET6
    expect(text(decode(108, [0, 0, 0, 24, ...v6]).payload)).toBe('six');
    expect(decode(0, [7, 0, 0, 0, ...v4]).status).toBe(DecodeStatus.NON_IP);
  });

  it('IPv6 extension headers, and IPv6 fragments', () => {
    const tcp = [...tcpHeader({ sport: 1, dport: 2, seq: 9 }), ...bytes('ext')];
    // hop-by-hop (8 bytes) -> destination options (16 bytes) -> TCP
    const hbh = [60, 0, 1, 4, 0, 0, 0, 0];
    const dst = [6, 1, 1, 12, ...new Array(12).fill(0)];
    const d = decode(229, ipv6(0, [...hbh, ...dst, ...tcp]));
    expect([d.status, d.protocol, d.srcPort, d.seq, text(d.payload)]).toEqual([0, 6, 1, 9, 'ext']);
    const later = decode(229, ipv6(44, [17, 0, 0x05, 0x48, 0, 0, 0, 1, ...bytes('tail')]));
    expect([d.fragment, later.fragment, later.fragmentOffset, later.protocol, later.srcPort, text(later.payload)]).toEqual([
      false,
      true,
      0x548,
      17,
      0,
      'tail',
    ]);
  });

  it('IPv4 fragments are flagged, not reassembled', () => {
    const first = decode(1, ether(0x0800, ipv4(17, udp(1, 2, 'abcdefgh'), { frag: 0x2000 })));
    expect([first.fragment, first.fragmentOffset, first.srcPort]).toEqual([true, 0, 1]);
    const later = decode(1, ether(0x0800, ipv4(17, bytes('more'), { frag: 2 })));
    expect([later.fragment, later.fragmentOffset, later.srcPort, text(later.payload)]).toEqual([true, 16, 0, 'more']);
  });

  it('ICMP', () => {
    const d = decode(1, ether(0x0800, ipv4(1, [8, 0, 0, 0, 0, 1, 0, 1, ...bytes('ping')])));
    expect([d.icmpType, d.icmpCode, text(d.payload)]).toEqual([8, 0, 'ping']);
  });

  it('a snapped datagram is flagged and its payload is what was captured', () => {
    const pkt = tcpPacket({ payload: bytes('0123456789') });
    const d = decode(1, pkt.subarray(0, pkt.length - 4));
    expect([d.status, d.truncated, text(d.payload)]).toEqual([0, true, '012345']);
  });

  it('malformed headers give a status, counted by Decoder', () => {
    const dec = new Decoder();
    const good = tcpPacket({ payload: bytes('x') });
    const badIhl = good.slice();
    badIhl[14] = 0x43;
    const badDoff = good.slice();
    badDoff[14 + 20 + 12] = 0x30;
    const cases: [number, Uint8Array, DecodeStatus][] = [
      [1, good.subarray(0, 10), DecodeStatus.MALFORMED_LINK],
      [1, badIhl, DecodeStatus.MALFORMED_IP],
      [1, good.subarray(0, 14 + 12), DecodeStatus.MALFORMED_IP],
      [1, badDoff, DecodeStatus.MALFORMED_L4],
      [1, good.subarray(0, 14 + 20 + 10), DecodeStatus.MALFORMED_L4],
      [1, ether(0x0806, new Uint8Array(28)), DecodeStatus.NON_IP],
      [147, good, DecodeStatus.UNSUPPORTED_LINK],
      [101, bytes('\x50nonsense'), DecodeStatus.MALFORMED_IP],
      [1, good, DecodeStatus.OK],
    ];
    for (const [lt, data, want] of cases) expect(dec.decodeBytes(lt, data)).toBe(want);
    expect(dec.counts).toMatchObject({ ok: 1, malformedLink: 1, malformedIp: 3, malformedL4: 2, nonIp: 1, unsupportedLink: 1 });
  });

  it('never throws, and the payload always lies inside the packet (fuzz)', () => {
    const seeds = [tcpPacket({ payload: bytes('seed') }), ether(0x86dd, ipv6(0, [17, 0, 1, 4, 0, 0, 0, 0, ...udp(1, 2, 'u')]))];
    const out = new DecodedPacket();
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1, 12, 101, 108, 113, 228, 229, 276),
        fc.oneof(
          fc.uint8Array({ maxLength: 120 }),
          fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat()).map(
            ([s, edits, cut]) => {
              const b = s.slice(0, s.length - (cut % 8));
              for (const [at, v] of edits) b[at % b.length] = v;
              return b;
            },
          ),
        ),
        (lt, data) => {
          const st = decodePacket(lt, data, out);
          expect(st).toBe(out.status);
          expect(out.payloadOffset).toBeGreaterThanOrEqual(0);
          expect(out.payloadLength).toBeGreaterThanOrEqual(0);
          expect(out.payloadOffset + out.payloadLength).toBeLessThanOrEqual(data.length);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('formatAddress', () => {
  it('compresses the longest zero run (RFC 5952)', () => {
    const a = new Uint8Array(16);
    expect(formatAddress(6, a)).toBe('::');
    a[15] = 1;
    expect(formatAddress(6, a)).toBe('::1');
    const b = Uint8Array.from([0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
    expect(formatAddress(6, b)).toBe('2001:db8::1:0:0:1');
    expect(formatAddress(4, Uint8Array.from([127, 0, 0, 1]))).toBe('127.0.0.1');
  });
});
