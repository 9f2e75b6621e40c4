import { describe, expect, it } from 'vitest';
import { packetCheck, type PacketCheckFields } from '../../src/rules/packet-options.js';
import { packetChecksMatch } from '../../src/detect/packet-checks.js';

const F = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 };
const tcp = (tcpFlags: number, extra: Partial<PacketCheckFields> = {}): PacketCheckFields => ({
  protocol: 6, tcpFlags, seq: 0, ack: 0, window: 0, icmpType: -1, icmpCode: -1, payloadLength: 0, ...extra,
});
const icmp = (icmpType: number, icmpCode: number): PacketCheckFields => ({
  protocol: 1, tcpFlags: 0, seq: 0, ack: 0, window: 0, icmpType, icmpCode, payloadLength: 8,
});
const ok = (name: string, value: string, p: PacketCheckFields) => packetChecksMatch([packetCheck(name, value)!], p);

describe('packet checks on a packet', () => {
  it('flags: exact, +, *, !, ignored bits, 0', () => {
    expect(ok('flags', 'S', tcp(F.SYN))).toBe(true);
    expect(ok('flags', 'S', tcp(F.SYN | F.ACK))).toBe(false);
    expect(ok('flags', 'SA', tcp(F.SYN | F.ACK))).toBe(true);
    expect(ok('flags', 'A+', tcp(F.PSH | F.ACK))).toBe(true);
    expect(ok('flags', '+A', tcp(F.PSH))).toBe(false);
    expect(ok('flags', '*SF', tcp(F.FIN | F.ACK))).toBe(true);
    expect(ok('flags', '*SF', tcp(F.ACK))).toBe(false);
    expect(ok('flags', '!R', tcp(F.ACK))).toBe(true);
    expect(ok('flags', '!R', tcp(F.RST | F.ACK))).toBe(false);
    expect(ok('flags', 'SF,12', tcp(F.SYN | F.FIN | F.ECE | F.CWR))).toBe(true);
    expect(ok('flags', 'SF', tcp(F.SYN | F.FIN | F.ECE))).toBe(false);
    expect(ok('flags', '12FS', tcp(F.SYN | F.FIN | F.ECE | F.CWR))).toBe(true);
    expect(ok('flags', '0', tcp(0))).toBe(true);
    expect(ok('flags', 'S', icmp(8, 0))).toBe(false);
  });

  it('itype, icode, ip_proto comparisons', () => {
    expect(ok('itype', '8', icmp(8, 0))).toBe(true);
    expect(ok('itype', '>30', icmp(8, 0))).toBe(false);
    expect(ok('icode', '0<>3', icmp(8, 2))).toBe(true);
    expect(ok('icode', '0<>3', icmp(8, 3))).toBe(false);
    expect(ok('itype', '8', tcp(0))).toBe(false);
    expect(ok('ip_proto', 'igmp', { ...tcp(0), protocol: 2 })).toBe(true);
    expect(ok('ip_proto', '!6', tcp(0))).toBe(false);
  });

  it('seq, ack, window and absolute isdataat', () => {
    expect(ok('seq', '1958810375', tcp(F.SYN, { seq: 1958810375 }))).toBe(true);
    expect(ok('ack', '0', tcp(F.SYN, { ack: 5 }))).toBe(false);
    expect(ok('window', '!55808', tcp(F.SYN, { window: 1024 }))).toBe(true);
    expect(ok('isdataat', '!0', tcp(F.SYN))).toBe(true);
    expect(ok('isdataat', '!0', tcp(F.ACK, { payloadLength: 1 }))).toBe(false);
    expect(ok('isdataat', '10', tcp(F.ACK, { payloadLength: 11 }))).toBe(true);
    expect(ok('isdataat', '10', tcp(F.ACK, { payloadLength: 10 }))).toBe(false);
    expect(packetCheck('isdataat', '5,relative')).toBeUndefined();
    expect(packetCheck('byte_test', '1,>,0,0')).toBeUndefined();
  });
});
