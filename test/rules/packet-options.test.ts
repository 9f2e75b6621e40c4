import { describe, expect, it } from 'vitest';
import { packetCheck, PacketOptionError, type PacketCheckFields } from '../../src/rules/packet-options.js';
import { parseRules } from '../../src/rules/parse.js';
import { packetMatches } from '../../src/detect/index.js';

const F = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 };
const tcp = (tcpFlags: number, extra: Partial<PacketCheckFields> = {}): PacketCheckFields => ({
  protocol: 6, tcpFlags, seq: 0, ack: 0, window: 0, icmpType: -1, icmpCode: -1, payloadLength: 0, ...extra,
});

describe('packet options', () => {
  it('rejects malformed values', () => {
    for (const [n, v] of [['flags', 'SX'], ['flags', '+S*'], ['itype', 'x'], ['seq', 'abc'], ['ip_proto', 'nope']]) {
      expect(() => packetCheck(n, v), `${n}:${v}`).toThrow(PacketOptionError);
    }
    const r = parseRules('alert tcp any any -> any any (flags:SX; sid:5;)');
    expect(r.rejected.map((x) => [x.kind, x.error.sid])).toEqual([['bad-option', 5]]);
  });

  it('parsed rules carry packet checks, and packetMatches applies them with header and dsize', () => {
    const { rules } = parseRules('alert tcp $EXTERNAL_NET any -> $HOME_NET 80 (flow:stateless; isdataat:!0; flags:12FS; dsize:0; sid:619;)');
    const [r] = rules;
    expect(r.unsupported).toEqual([]);
    expect(r.packetChecks.map((c) => c.kind)).toEqual(['isdataat', 'flags']);
    const addr = (a: number[]) => Uint8Array.from([...a, ...new Array(12).fill(0)]);
    const pkt = { ipVersion: 4, srcAddr: addr([1, 2, 3, 4]), dstAddr: addr([5, 6, 7, 8]), srcPort: 999, dstPort: 80 };
    expect(packetMatches(r, { ...pkt, ...tcp(F.SYN | F.FIN | F.ECE | F.CWR) })).toBe(true);
    expect(packetMatches(r, { ...pkt, ...tcp(F.SYN) })).toBe(false);
    expect(packetMatches(r, { ...pkt, dstPort: 81, ...tcp(F.SYN | F.FIN | F.ECE | F.CWR) })).toBe(false);
  });
});
