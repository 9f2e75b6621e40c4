import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodedPacket, Decoder, DecodeStatus, decodePacket, MAX_TUNNEL_DEPTH, TunnelType } from '../../src/pcap/decode.js';
import { bytes, ether, geneve, gre, ipv4, ipv6, mpls, nsh, tcpHeader, udp, vxlan, vxlanGpe } from './build.js';

const text = (a: Uint8Array): string => String.fromCharCode(...a);

function decode(linkType: number, data: Uint8Array | readonly number[]): DecodedPacket {
  const out = new DecodedPacket();
  decodePacket(linkType, Uint8Array.from(data), out);
  return out;
}

/** The fields a rule sees, plus the tunnel record. */
function view(d: DecodedPacket): unknown[] {
  return [d.status, d.ipVersion, d.protocol, d.src, d.srcPort, d.dst, d.dstPort, text(d.payload), d.tunnelDepth, d.tunnel];
}

const IN4 = { src: [192, 168, 7, 1], dst: [192, 168, 7, 2] };
const OUT4 = { src: [1, 1, 1, 1], dst: [2, 2, 2, 2] };
const A6 = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xa];
const B6 = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xb];

/** Inner IPv4 / TCP 1111 → 80 carrying `payload`. */
const innerTcp4 = (payload = 'inner'): number[] => ipv4(6, [...tcpHeader({ sport: 1111, dport: 80 }), ...bytes(payload)], IN4);
/** Inner IPv6 / UDP 53 → 5353 carrying `payload`. */
const innerUdp6 = (payload = 'six'): number[] => ipv6(17, udp(53, 5353, bytes(payload)), A6, B6);
/** Inner Ethernet (one VLAN tag) / IPv4 / TCP. */
const innerEth = (payload = 'frame'): Uint8Array => ether(0x0800, innerTcp4(payload), [300]);

const TCP4 = [4, 6, '192.168.7.1', 1111, '192.168.7.2', 80];
const UDP6 = [6, 17, 'fd00::a', 53, 'fd00::b', 5353];

describe('IP-in-IP', () => {
  it('IPv4 in IPv4, IPv6 in IPv4, IPv4 in IPv6, IPv6 in IPv6: the inner packet, the outer addresses kept', () => {
    const a = decode(1, ether(0x0800, ipv4(4, innerTcp4('a'), OUT4)));
    expect(view(a)).toEqual([0, ...TCP4, 'a', 1, TunnelType.IP_IN_IP]);
    expect([a.tunnelSrc, a.tunnelDst, a.outerIpOffset, a.ipOffset]).toEqual(['1.1.1.1', '2.2.2.2', 14, 34]);
    const b = decode(1, ether(0x0800, ipv4(41, innerUdp6('b'), OUT4)));
    expect(view(b)).toEqual([0, ...UDP6, 'b', 1, TunnelType.IP_IN_IP]);
    const c = decode(229, ipv6(4, innerTcp4('c')));
    expect(view(c)).toEqual([0, ...TCP4, 'c', 1, TunnelType.IP_IN_IP]);
    expect([c.tunnelSrc, c.tunnelDst]).toEqual(['2001:db8::1', '2001:db8::2']);
    const d = decode(229, ipv6(41, innerUdp6('d')));
    expect(view(d)).toEqual([0, ...UDP6, 'd', 1, TunnelType.IP_IN_IP]);
  });

  it('IPv6 extension headers before the inner packet', () => {
    const dstOpts = [41, 0, 1, 4, 0, 0, 0, 0];
    expect(view(decode(229, ipv6(60, [...dstOpts, ...innerUdp6('x')])))).toEqual([0, ...UDP6, 'x', 1, TunnelType.IP_IN_IP]);
  });

  it('the inner datagram is bounded by its carrier: outer padding trimmed, a longer inner length is malformed', () => {
    const pkt = ether(0x0800, ipv4(4, innerTcp4('pad'), OUT4));
    const padded = Uint8Array.from([...pkt, 0xee, 0xee, 0xee, 0xee]);
    // inner IPv4 total length 0 (offload) → up to the carrier's end, not the capture's
    padded[14 + 20 + 2] = 0;
    padded[14 + 20 + 3] = 0;
    const d = decode(1, padded);
    expect([d.status, text(d.payload), d.truncated]).toEqual([0, 'pad', false]);
    // outer says 20 + 40 bytes, inner claims 45: the outer header ended it, not the capture
    const short = Uint8Array.from(ether(0x0800, ipv4(4, innerTcp4('12345'), OUT4)));
    short[14 + 3] -= 5;
    expect(decode(1, [...short, 0, 0, 0, 0, 0, 0]).status).toBe(DecodeStatus.MALFORMED_IP);
  });

  it('a snapped tunnel packet gives a snapped inner packet', () => {
    const pkt = ether(0x0800, ipv4(4, innerTcp4('0123456789'), OUT4));
    const d = decode(1, pkt.subarray(0, pkt.length - 4));
    expect([d.status, d.truncated, d.tunnelDepth, text(d.payload)]).toEqual([0, true, 1, '012345']);
  });

  it('an outer fragment is not decoded into (its inner packet is incomplete)', () => {
    const first = decode(1, ether(0x0800, ipv4(4, innerTcp4('frag'), { ...OUT4, frag: 0x2000 })));
    expect([first.status, first.fragment, first.protocol, first.tunnelDepth, first.src]).toEqual([0, true, 4, 0, '1.1.1.1']);
  });

  it('malformed inner headers give the usual statuses', () => {
    expect(decode(1, ether(0x0800, ipv4(4, [0x45, 0, 0], OUT4))).status).toBe(DecodeStatus.MALFORMED_IP);
    expect(decode(1, ether(0x0800, ipv4(41, innerTcp4(), OUT4))).status).toBe(DecodeStatus.MALFORMED_IP); // version 4 where 6 is said
    const badTcp = innerTcp4();
    badTcp[20 + 12] = 0x20; // data offset 8
    expect(decode(1, ether(0x0800, ipv4(4, badTcp, OUT4))).status).toBe(DecodeStatus.MALFORMED_L4);
  });
});

describe('GRE', () => {
  it('version 0 carrying IPv4 and IPv6, with and without checksum, key and sequence fields', () => {
    const plain = decode(1, ether(0x0800, ipv4(47, gre(0x0800, innerTcp4('g0')), OUT4)));
    expect(view(plain)).toEqual([0, ...TCP4, 'g0', 1, TunnelType.GRE]);
    expect([plain.tunnelSrc, plain.tunnelDst]).toEqual(['1.1.1.1', '2.2.2.2']);
    const all = decode(1, ether(0x0800, ipv4(47, gre(0x86dd, innerUdp6('g1'), { checksum: true, key: 5, seq: 9 }), OUT4)));
    expect(view(all)).toEqual([0, ...UDP6, 'g1', 1, TunnelType.GRE]);
    const keyOnly = decode(229, ipv6(47, gre(0x0800, innerTcp4('g2'), { key: 0xffffffff })));
    expect(view(keyOnly)).toEqual([0, ...TCP4, 'g2', 1, TunnelType.GRE]);
  });

  it('transparent Ethernet bridging (0x6558), MPLS, VLAN and NSH payloads', () => {
    const teb = decode(1, ether(0x0800, ipv4(47, gre(0x6558, innerEth('teb')), OUT4), [10]));
    expect(view(teb)).toEqual([0, ...TCP4, 'teb', 1, TunnelType.GRE]);
    expect([teb.vlanCount, teb.vlanOuter, teb.vlanInner]).toEqual([2, 10, 300]);
    const m = decode(1, ether(0x0800, ipv4(47, gre(0x8847, mpls([16, 17], innerTcp4('mpls'))), OUT4)));
    expect(view(m)).toEqual([0, ...TCP4, 'mpls', 1, TunnelType.GRE]);
    const vlan = decode(1, ether(0x0800, ipv4(47, gre(0x8100, [0, 5, 0x86, 0xdd, ...innerUdp6('v')]), OUT4)));
    expect([...view(vlan), vlan.vlanOuter]).toEqual([0, ...UDP6, 'v', 1, TunnelType.GRE, 5]);
    const n = decode(1, ether(0x0800, ipv4(47, gre(0x894f, nsh(1, innerTcp4('nsh'))), OUT4)));
    expect(view(n)).toEqual([0, ...TCP4, 'nsh', 2, TunnelType.GRE]);
  });

  it('ERSPAN type II and III carry the mirrored Ethernet frame', () => {
    const ii = decode(1, ether(0x0800, ipv4(47, gre(0x88be, [0x10, 1, 0, 2, 0, 0, 0, 0, ...innerEth('e2')], { seq: 1 }), OUT4)));
    expect(view(ii)).toEqual([0, ...TCP4, 'e2', 1, TunnelType.GRE]);
    const iii = [0x20, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, ...new Array<number>(8).fill(0), ...innerEth('e3')];
    expect(view(decode(1, ether(0x0800, ipv4(47, gre(0x22eb, iii, { seq: 1 }), OUT4))))).toEqual([0, ...TCP4, 'e3', 1, TunnelType.GRE]);
  });

  it('version 1 (PPTP) carrying PPP: address/control and protocol compression, sequence and acknowledgement', () => {
    const pptp = (ppp: number[], s: { seq?: number; ack?: number } = {}): Uint8Array =>
      ether(0x0800, ipv4(47, gre(0x880b, ppp, { version: 1, key: 0x00100001, ...s }), OUT4));
    expect(view(decode(1, pptp([0xff, 0x03, 0x00, 0x21, ...innerTcp4('p1')], { seq: 1 })))).toEqual([0, ...TCP4, 'p1', 1, TunnelType.GRE]);
    expect(view(decode(1, pptp([0x21, ...innerTcp4('p2')], { seq: 2, ack: 1 })))).toEqual([0, ...TCP4, 'p2', 1, TunnelType.GRE]);
    expect(view(decode(1, pptp([0x00, 0x57, ...innerUdp6('p3')], { seq: 3 })))).toEqual([0, ...UDP6, 'p3', 1, TunnelType.GRE]);
    // an acknowledgement alone, LCP, or encrypted data: the outer GRE packet stays
    for (const [ppp, s] of [
      [[], { ack: 7 }],
      [[0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4], { seq: 4 }],
      [[0x00, 0xfd, 0x90, 0x01, 0xaa], { seq: 5 }],
    ] as const) {
      const d = decode(1, pptp([...ppp], s));
      expect([d.status, d.protocol, d.src, d.tunnelDepth]).toEqual([0, 47, '1.1.1.1', 0]);
    }
  });

  it('a protocol type not decoded leaves the outer packet', () => {
    const d = decode(1, ether(0x0800, ipv4(47, gre(0x0806, new Array<number>(28).fill(1)), OUT4)));
    expect([d.status, d.ipVersion, d.protocol, d.src, d.payloadLength, d.tunnelDepth, d.tunnel]).toEqual([0, 4, 47, '1.1.1.1', 32, 0, 0]);
  });

  it('routing, recursion, reserved flags, unknown versions, bad version-1 headers and short headers are MALFORMED_TUNNEL', () => {
    const wrap = (g: number[]): Uint8Array => ether(0x0800, ipv4(47, g, OUT4));
    const bad: number[][] = [
      gre(0x0800, innerTcp4(), { flags0: 0x40 }), // routing present
      gre(0x0800, innerTcp4(), { flags0: 0x01 }), // recursion control
      gre(0x0800, innerTcp4(), { flags1: 0x08 }), // reserved flags
      gre(0x0800, innerTcp4(), { version: 2 }),
      gre(0x0800, innerTcp4(), { version: 7 }),
      gre(0x880b, [0x21, ...innerTcp4()], { version: 1 }), // no key
      gre(0x0800, innerTcp4(), { version: 1, key: 1 }), // version 1 not PPP
      gre(0x880b, [0x21, ...innerTcp4()], { version: 1, key: 1, checksum: true }),
      [0, 0, 8], // 3 bytes
      gre(0x0800, [], { checksum: true, key: 1, seq: 1 }).slice(0, 10), // fields cut short
    ];
    for (const g of bad) expect(decode(1, wrap(g)).status).toBe(DecodeStatus.MALFORMED_TUNNEL);
    const dec = new Decoder();
    dec.decodeBytes(1, wrap(bad[0]!));
    expect(dec.counts.malformedTunnel).toBe(1);
  });

  it('a short inner Ethernet frame is MALFORMED_LINK, an inner ARP frame NON_IP', () => {
    expect(decode(1, ether(0x0800, ipv4(47, gre(0x6558, [1, 2, 3, 4, 5, 6, 7, 8]), OUT4))).status).toBe(DecodeStatus.MALFORMED_LINK);
    const arp = decode(1, ether(0x0800, ipv4(47, gre(0x6558, ether(0x0806, new Array<number>(28).fill(0))), OUT4)));
    expect([arp.status, arp.ipVersion, arp.protocol, arp.src, arp.tunnelDepth]).toEqual([DecodeStatus.NON_IP, 0, -1, '', 1]);
  });
});

describe('VXLAN, VXLAN-GPE, Geneve (by UDP destination port)', () => {
  it('VXLAN on port 4789: the inner Ethernet frame, over IPv4 and IPv6', () => {
    const v4 = decode(1, ether(0x0800, ipv4(17, udp(50000, 4789, vxlan(innerEth('vx4'))), OUT4)));
    expect(view(v4)).toEqual([0, ...TCP4, 'vx4', 1, TunnelType.VXLAN]);
    expect([v4.vlanCount, v4.vlanOuter, v4.tunnelSrc]).toEqual([1, 300, '1.1.1.1']);
    const v6 = decode(229, ipv6(17, udp(50000, 4789, vxlan(ether(0x86dd, innerUdp6('vx6'))))));
    expect(view(v6)).toEqual([0, ...UDP6, 'vx6', 1, TunnelType.VXLAN]);
  });

  it('an inner packet without ports has none (the outer ports do not leak)', () => {
    const icmp = ipv4(1, [8, 0, 0, 0, 0, 1, 0, 1, ...bytes('ping')], IN4);
    const d = decode(1, ether(0x0800, ipv4(17, udp(50000, 4789, vxlan(ether(0x0800, icmp))), OUT4)));
    expect([d.status, d.protocol, d.srcPort, d.dstPort, d.icmpType, text(d.payload)]).toEqual([0, 1, 0, 0, 8, 'ping']);
  });

  it('a header that does not validate, or the port only as source, leaves the plain UDP packet', () => {
    const cases = [
      udp(50000, 4789, vxlan(innerEth(), 42, 0x00)), // no I flag
      udp(50000, 4789, [...vxlan(innerEth()).slice(0, 7), 1, ...innerEth()]), // reserved byte set
      udp(50000, 4789, vxlan([1, 2, 3])), // shorter than an Ethernet header
      udp(4789, 50000, vxlan(innerEth())), // source port
      udp(50000, 6081, [0x40, ...geneve(0x6558, innerEth()).slice(1)]), // Geneve version 1
      udp(50000, 6081, geneve(0x6558, innerEth(), [[1, 2, 3, 4]]).map((b, i) => (i === 8 + 3 ? 0x82 : b))), // option overruns
      udp(50000, 6081, geneve(0x0806, new Array<number>(28).fill(0))), // ARP: not decoded
      udp(50000, 4790, [0x08, 0, 0, 1, 0, 0, 1, 0, ...innerTcp4()]), // GPE without the P flag
    ];
    for (const u of cases) {
      const d = decode(1, ether(0x0800, ipv4(17, u, OUT4)));
      expect([d.status, d.protocol, d.src, d.payloadLength, d.tunnelDepth]).toEqual([0, 17, '1.1.1.1', u.length - 8, 0]);
    }
  });

  it('VXLAN inner malformations give the usual statuses', () => {
    const cut = [...innerEth()].slice(0, 14 + 10);
    expect(decode(1, ether(0x0800, ipv4(17, udp(1, 4789, vxlan(cut)), OUT4))).status).toBe(DecodeStatus.MALFORMED_IP);
    const arp = decode(1, ether(0x0800, ipv4(17, udp(1, 4789, vxlan(ether(0x0806, new Array<number>(28).fill(0)))), OUT4)));
    expect(arp.status).toBe(DecodeStatus.NON_IP);
  });

  it('VXLAN-GPE on port 4790: IPv4, Ethernet and NSH next protocols', () => {
    const ip = decode(1, ether(0x0800, ipv4(17, udp(1, 4790, vxlanGpe(1, innerTcp4('gpe'))), OUT4)));
    expect(view(ip)).toEqual([0, ...TCP4, 'gpe', 1, TunnelType.VXLAN_GPE]);
    expect(view(decode(1, ether(0x0800, ipv4(17, udp(1, 4790, vxlanGpe(3, innerEth('gpe-eth'))), OUT4))))).toEqual([
      0,
      ...TCP4,
      'gpe-eth',
      1,
      TunnelType.VXLAN_GPE,
    ]);
    const n = decode(1, ether(0x0800, ipv4(17, udp(1, 4790, vxlanGpe(4, nsh(2, innerUdp6('gpe-nsh')))), OUT4)));
    expect(view(n)).toEqual([0, ...UDP6, 'gpe-nsh', 2, TunnelType.VXLAN_GPE]);
  });

  it('Geneve on port 6081: options skipped, Ethernet or IP inside', () => {
    const eth = decode(1, ether(0x0800, ipv4(17, udp(1, 6081, geneve(0x6558, innerEth('gen'), [[1, 2, 3, 4], []])), OUT4)));
    expect(view(eth)).toEqual([0, ...TCP4, 'gen', 1, TunnelType.GENEVE]);
    const ip = decode(229, ipv6(17, udp(1, 6081, geneve(0x86dd, innerUdp6('gen6')))));
    expect(view(ip)).toEqual([0, ...UDP6, 'gen6', 1, TunnelType.GENEVE]);
  });
});

describe('NSH and MPLS pseudowires', () => {
  it('NSH ethertype 0x894F: MD type 1 and 2, next protocol IPv4, IPv6, Ethernet, MPLS', () => {
    expect(view(decode(1, ether(0x894f, nsh(1, innerTcp4('n1')))))).toEqual([0, ...TCP4, 'n1', 1, TunnelType.NSH]);
    const md2 = decode(1, ether(0x894f, nsh(2, innerUdp6('n2'), 2, [0, 1, 0x81, 1, 9, 9, 9, 9])));
    expect(view(md2)).toEqual([0, ...UDP6, 'n2', 1, TunnelType.NSH]);
    const eth = decode(1, ether(0x894f, nsh(3, innerEth('n3'), 2)));
    expect([...view(eth), eth.outerIpOffset, eth.tunnelSrc]).toEqual([0, ...TCP4, 'n3', 1, TunnelType.NSH, -1, '']);
    expect(view(decode(1, ether(0x894f, nsh(5, mpls([3], innerTcp4('n5'))))))).toEqual([0, ...TCP4, 'n5', 1, TunnelType.NSH]);
  });

  it('bad NSH headers are MALFORMED_TUNNEL; an unknown next protocol is NON_IP', () => {
    const good = nsh(1, innerTcp4());
    const edit = (at: number, v: number): number[] => good.map((b, i) => (i === at ? v : b));
    for (const bad of [edit(0, 0x4f), edit(1, 0xc5), edit(1, 0xc2), edit(2, 0), edit(2, 0x0f), edit(1, 0xff), good.slice(0, 7)]) {
      expect(decode(1, ether(0x894f, bad)).status).toBe(DecodeStatus.MALFORMED_TUNNEL);
    }
    expect(decode(1, ether(0x894f, edit(3, 4))).status).toBe(DecodeStatus.NON_IP); // NSH in NSH
    expect(decode(1, ether(0x894f, edit(3, 0x41))).status).toBe(DecodeStatus.NON_IP);
  });

  it('MPLS with a first nibble 0: Ethernet pseudowire behind the control word', () => {
    const d = decode(1, ether(0x8847, mpls([100, 200], [0, 0, 0, 0, ...innerEth('pw')])));
    expect(view(d)).toEqual([0, ...TCP4, 'pw', 1, TunnelType.MPLS_PW]);
    expect(decode(1, ether(0x8847, mpls([100], [0, 0, 0, 0, 1, 2]))).status).toBe(DecodeStatus.MALFORMED_LINK);
  });
});

describe('nesting', () => {
  const ipip = (inner: number[], times: number): number[] => {
    let p = inner;
    for (let i = 0; i < times; i++) p = ipv4(4, p, OUT4);
    return p;
  };

  it(`decodes up to ${MAX_TUNNEL_DEPTH} encapsulations, deeper is MALFORMED_TUNNEL`, () => {
    const deepest = decode(228, ipip(innerTcp4('deep'), MAX_TUNNEL_DEPTH));
    expect(view(deepest)).toEqual([0, ...TCP4, 'deep', MAX_TUNNEL_DEPTH, TunnelType.IP_IN_IP]);
    expect(deepest.outerIpOffset).toBe(0);
    expect(decode(228, ipip(innerTcp4('deep'), MAX_TUNNEL_DEPTH + 1)).status).toBe(DecodeStatus.MALFORMED_TUNNEL);
  });

  it('mixed nesting counts every layer and names the outermost', () => {
    // VXLAN → Ethernet → IPv4 → GRE → Ethernet → NSH → IPv6 → IPv4-in-IPv6 → TCP
    const inner6 = ipv6(4, innerTcp4('mix'), A6, B6);
    const g = ether(0x0800, ipv4(47, gre(0x6558, ether(0x894f, nsh(2, inner6))), OUT4));
    const d = decode(1, ether(0x0800, ipv4(17, udp(9, 4789, vxlan(g)), { src: [9, 9, 9, 9], dst: [8, 8, 8, 8] })));
    expect(view(d)).toEqual([0, ...TCP4, 'mix', 4, TunnelType.VXLAN]);
    expect([d.tunnelSrc, d.tunnelDst]).toEqual(['9.9.9.9', '8.8.8.8']);
  });

  it('a reused DecodedPacket forgets the tunnel of the previous packet', () => {
    const out = new DecodedPacket();
    decodePacket(228, Uint8Array.from(ipip(innerTcp4(), 3)), out);
    expect(out.tunnelDepth).toBe(3);
    decodePacket(228, Uint8Array.from(innerTcp4('plain')), out);
    expect([...view(out), out.outerIpOffset]).toEqual([0, ...TCP4, 'plain', 0, TunnelType.NONE, -1]);
  });
});

describe('robustness', () => {
  /** Tunnel headers (with their outer packet) that random bytes are appended to. */
  const prefixes: [string, number, number[]][] = [
    ['ipip4', 228, ipv4(4, [], OUT4).slice(0, 20)],
    ['ipip6', 228, ipv4(41, [], OUT4).slice(0, 20)],
    ['6in6', 229, ipv6(41, []).slice(0, 40)],
    ['gre', 228, ipv4(47, gre(0x0800, [], { key: 1 }), OUT4).slice(0, 28)],
    ['gre-teb', 228, ipv4(47, gre(0x6558, []), OUT4).slice(0, 24)],
    ['gre-mpls', 228, ipv4(47, gre(0x8847, []), OUT4).slice(0, 24)],
    ['gre-nsh', 228, ipv4(47, gre(0x894f, []), OUT4).slice(0, 24)],
    ['pptp', 228, ipv4(47, gre(0x880b, [0xff, 0x03, 0, 0x21], { version: 1, key: 1, seq: 1 }), OUT4).slice(0, 40)],
    ['erspan', 228, ipv4(47, gre(0x88be, [0x10, 0, 0, 0, 0, 0, 0, 0], { seq: 1 }), OUT4).slice(0, 36)],
    ['vxlan', 228, ipv4(17, udp(1, 4789, vxlan([])), OUT4).slice(0, 36)],
    ['gpe', 228, ipv4(17, udp(1, 4790, vxlanGpe(4, [])), OUT4).slice(0, 36)],
    ['geneve', 228, ipv4(17, udp(1, 6081, geneve(0x6558, [], [[0, 0, 0, 0]])), OUT4).slice(0, 44)],
    ['nsh', 1, [...ether(0x894f, nsh(3, []))]],
    ['mpls-pw', 1, [...ether(0x8847, mpls([1], [0, 0, 0, 0]))]],
  ];

  it('random bytes after any tunnel header never throw; the payload lies inside the packet', () => {
    const out = new DecodedPacket();
    let inside = 0;
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 160 }), fc.boolean(), ([, lt, head], tail, fixLength) => {
        const data = Uint8Array.from([...head, ...tail]);
        // Either keep the outer lengths as built (inner bytes beyond them are padding), or make
        // them cover the random bytes so the tunnel decoders see them.
        if (fixLength && lt === 228) {
          data[2] = data.length >> 8;
          data[3] = data.length & 0xff;
          if (data[9] === 17) {
            data[24] = (data.length - 20) >> 8;
            data[25] = (data.length - 20) & 0xff;
          }
        } else if (fixLength && lt === 229) {
          data[4] = (data.length - 40) >> 8;
          data[5] = (data.length - 40) & 0xff;
        }
        const st = decodePacket(lt, data, out);
        if (out.tunnelDepth > 0) inside++;
        expect(st).toBe(out.status);
        expect(out.tunnelDepth).toBeLessThanOrEqual(MAX_TUNNEL_DEPTH);
        expect(out.payloadOffset).toBeGreaterThanOrEqual(0);
        expect(out.payloadLength).toBeGreaterThanOrEqual(0);
        expect(out.payloadOffset + out.payloadLength).toBeLessThanOrEqual(data.length);
      }),
      { numRuns: 4000 },
    );
    expect(inside).toBeGreaterThan(1000); // the random bytes did reach the tunnel decoders
  });

  it('mutated tunnel packets never throw (random edits and cuts of well-formed seeds)', () => {
    const seeds: [number, Uint8Array][] = [
      [1, ether(0x0800, ipv4(47, gre(0x6558, innerEth(), { checksum: true, key: 1, seq: 2 }), OUT4))],
      [1, ether(0x0800, ipv4(17, udp(1, 4789, vxlan(innerEth())), OUT4))],
      [1, ether(0x0800, ipv4(17, udp(1, 6081, geneve(0x6558, innerEth(), [[1, 2, 3, 4]])), OUT4))],
      [1, ether(0x894f, nsh(2, innerUdp6(), 2, [0, 1, 0x81, 1, 9, 9, 9, 9]))],
      [229, Uint8Array.from(ipv6(41, ipv6(4, innerTcp4())))],
      [1, ether(0x0800, ipv4(47, gre(0x880b, [0xff, 0x03, 0, 0x21, ...innerTcp4()], { version: 1, key: 1, seq: 1, ack: 1 }), OUT4))],
    ];
    const out = new DecodedPacket();
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(),
        ([lt, s], edits, cut) => {
          const b = s.slice(0, s.length - (cut % 24));
          for (const [at, v] of edits) b[at % b.length] = v;
          decodePacket(lt, b, out);
          expect(out.tunnelDepth).toBeLessThanOrEqual(MAX_TUNNEL_DEPTH);
          expect(out.payloadOffset + out.payloadLength).toBeLessThanOrEqual(b.length);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('deep crafted nesting of every kind stops at the limit', () => {
    // Alternate GRE-in-IPv4 and VXLAN layers far past the limit: a status, no stack growth.
    let p: number[] = innerTcp4('x');
    for (let i = 0; i < 40; i++) {
      p = i % 2 === 0 ? ipv4(47, gre(0x0800, p), OUT4) : ipv4(17, udp(1, 4789, vxlan(ether(0x0800, p))), OUT4);
    }
    expect(decode(228, p).status).toBe(DecodeStatus.MALFORMED_TUNNEL);
    let pw: number[] = [...innerEth('pw')];
    for (let i = 0; i < 100; i++) pw = [...ether(0x8847, mpls([i], [0, 0, 0, 0, ...pw]))];
    expect(decode(1, pw).status).toBe(DecodeStatus.MALFORMED_TUNNEL);
  });
});
