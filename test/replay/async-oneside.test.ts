/**
 * Suricata's `stream.async-oneside` (`asyncOneside`, `replay --async-oneside`): a session
 * captured from the client side only (its SYN, then its ACK and data; no server SYN)
 * is established and reassembled, so a pattern split across its segments matches.
 */
import { describe, expect, it } from 'vitest';
import { prepareRules, Replayer } from '../../src/replay/index.js';
import { bytes, pcapFile, tcpPacket } from '../pcap/build.js';

const C = [10, 0, 0, 1];
const S = [10, 0, 0, 2];
const seg = (i: number, seq: number, flags: number, data = ''): { sec: number; sub: number; data: Uint8Array } => ({
  sec: 1_600_000_000 + i,
  sub: 0,
  data: tcpPacket({ src: C, dst: S, sport: 40000, dport: 80, seq, ack: flags === 0x02 ? 0 : 501, flags, payload: bytes(data) }),
});
// Client side only: SYN, ACK, then "GET /evil" + "payload ..." in two segments.
const oneSided = pcapFile([seg(0, 100, 0x02), seg(1, 101, 0x10), seg(2, 101, 0x18, 'GET /evil'), seg(3, 110, 0x18, 'payload HTTP/1.0\r\n\r\n')]);
const rules = 'alert tcp any any -> any 80 (msg:"split"; flow:established,to_server; content:"evilpayload"; sid:1;)\n';

async function sids(asyncOneside: boolean): Promise<string[]> {
  const prepared = prepareRules({ ruleTexts: [{ file: 't.rules', text: rules }] });
  const out: string[] = [];
  await new Replayer(prepared.detector, { mode: 'stream', asyncOneside }).replay(oneSided, 't.pcap', (a) => out.push(`${a.rule.sid}@${a.packet}`));
  return out;
}

describe('async-oneside', () => {
  it('without it the one-sided session is never established: nothing matches', async () => {
    expect(await sids(false)).toEqual([]);
  });

  it('with it the session is established by the client ACK and reassembled: the split pattern matches', async () => {
    expect(await sids(true)).toEqual(['1@4']);
  });
});
