/**
 * The flow layer with the project's real engines (whichever are available in this build):
 * a pcre signature split across two TCP segments, in order and out of order, is found in
 * stream mode and not in packet mode; an end-anchored one is reported when the stream ends.
 */
import { describe, expect, it } from 'vitest';
import { compile, ENGINE_NAMES } from '../../src/compile.js';
import { UsageError } from '../../src/errors.js';
import { FlowTable, type FlowMode } from '../../src/flow/flow-table.js';
import { Packet } from '../../src/pcap/types.js';
import { bytes, tcpPacket } from '../pcap/build.js';

function pkt(i: number, seq: number, payload: string, flags = 0x18): Packet {
  const data = tcpPacket({ sport: 40000, dport: 80, seq, flags, payload: bytes(payload) });
  return new Packet(i, 1000 + i, 0, 1, 0, data.length, data, 0);
}

const inOrder = [pkt(0, 100, '', 0x02), pkt(1, 101, 'GET /a?x=EV'), pkt(2, 112, 'IL HTTP/1.0 end'), pkt(3, 127, '', 0x11)];
const outOfOrder = [inOrder[0]!, inOrder[2]!, inOrder[1]!, inOrder[3]!];

describe('FlowTable with the real engines', () => {
  for (const engine of ENGINE_NAMES) {
    it(`${engine}: split signatures match in stream mode only`, (ctx) => {
      let matcher;
      try {
        matcher = compile(['/E[A-Z]IL/', '/end$/', '/GET \\/a/'], { engine }).matcher;
      } catch (e) {
        if (e instanceof UsageError) ctx.skip(); // engine not in this build yet
        throw e;
      }
      const runMode = (mode: FlowMode, pkts: Packet[]): string[] => {
        const hits: string[] = [];
        const t = new FlowTable({ matcher, mode, onMatch: (sig, _f, dir, end) => hits.push(`${sig}@${dir}:${end}`) });
        for (const p of pkts) t.processPacket(p);
        t.flush();
        return hits.sort();
      };
      expect(runMode('stream', inOrder)).toEqual(['0@0:13', '1@0:26', '2@0:6']);
      expect(runMode('stream', outOfOrder)).toEqual(['0@0:13', '1@0:26', '2@0:6']);
      expect(runMode('packet', inOrder)).toEqual(['1@0:15', '2@0:6']);
    });
  }
});
