import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Flow, FlowTable, type FlowTableOptions } from '../../src/flow/index.js';
import { parseCaptureBuffer } from '../../src/pcap/reader.js';
import { Packet } from '../../src/pcap/types.js';
import { bytes, ether, ipv4, ipv6, tcpHeader, tcpPacket } from '../pcap/build.js';
import { FakeMatcher, type FakeSignature } from './fake-matcher.js';
import { sharedPath } from '../support/shared-data.js';

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x18;
const FIN = 0x11;
const RST = 0x04;

const C = [10, 0, 0, 1];
const S = [10, 0, 0, 2];

interface Seg {
  fromServer?: boolean;
  seq: number;
  flags?: number;
  payload?: string;
  t?: number;
  sport?: number;
}

function packets(segs: readonly Seg[]): Packet[] {
  return segs.map((s, i) => {
    const fromServer = s.fromServer ?? false;
    const data = tcpPacket({
      src: fromServer ? S : C,
      dst: fromServer ? C : S,
      sport: fromServer ? 80 : (s.sport ?? 40000),
      dport: fromServer ? (s.sport ?? 40000) : 80,
      seq: s.seq,
      flags: s.flags ?? PSH,
      payload: bytes(s.payload ?? ''),
    });
    return new Packet(i, s.t ?? 1000 + i, 0, 1, 0, data.length, data, 0);
  });
}

interface Hit {
  sig: number;
  flow: number;
  dir: number;
  end: number;
  pkt: number;
}

function run(
  segs: readonly Seg[],
  sigs: readonly FakeSignature[],
  opts: Partial<FlowTableOptions> = {},
): { hits: Hit[]; table: FlowTable; flows: Flow[] } {
  const hits: Hit[] = [];
  const flows: Flow[] = [];
  const table = new FlowTable({
    matcher: new FakeMatcher(sigs),
    onMatch: (sig, flow, dir, end, pkt) => {
      hits.push({ sig, flow: flow?.id ?? -1, dir, end, pkt });
      if (flow && !flows.includes(flow)) flows.push(flow);
    },
    ...opts,
  });
  for (const p of packets(segs)) table.processPacket(p);
  table.flush();
  return { hits, table, flows };
}

const EVIL: FakeSignature[] = [{ text: 'EVIL' }];
const handshake = (isn = 100, sisn = 5000): Seg[] => [
  { seq: isn, flags: SYN },
  { fromServer: true, seq: sisn, flags: SYN | ACK },
  { seq: isn + 1, flags: ACK },
];

describe('FlowTable: signatures spanning segments', () => {
  const split: Seg[] = [...handshake(), { seq: 101, payload: 'xxEV' }, { seq: 105, payload: 'ILyy' }];

  it('a signature split across two in-order segments matches in stream mode only', () => {
    const stream = run(split, EVIL);
    expect(stream.hits).toEqual([{ sig: 0, flow: 0, dir: 0, end: 6, pkt: 4 }]);
    expect(stream.flows[0]!.toString()).toBe('10.0.0.1:40000 -> 10.0.0.2:80');
    const packet = run(split, EVIL, { mode: 'packet' });
    expect(packet.hits).toEqual([]);
    // Control: the packet mode does see a signature inside one packet.
    expect(run([{ seq: 1, payload: 'aEVILa' }], EVIL, { mode: 'packet' }).hits).toEqual([{ sig: 0, flow: -1, dir: 0, end: 5, pkt: 0 }]);
  });

  it('a signature split across out-of-order segments matches once they are reordered', () => {
    const ooo: Seg[] = [...handshake(), { seq: 105, payload: 'ILyy' }, { seq: 101, payload: 'xxEV' }];
    const stream = run(ooo, EVIL);
    expect(stream.hits).toEqual([{ sig: 0, flow: 0, dir: 0, end: 6, pkt: 4 }]);
    expect(stream.table.stats().reassembly).toMatchObject({ outOfOrder: 1, gaps: 0, bufferedBytes: 0, bufferedPeak: 4 });
    expect(run(ooo, EVIL, { mode: 'packet' }).hits).toEqual([]);
  });

  it('works without a handshake (capture started mid-stream) and across the 2^32 sequence wrap', () => {
    const isn = 0xfffffffd;
    const segs: Seg[] = [...handshake(isn), { seq: 0xfffffffe, payload: 'aE' }, { seq: 1, payload: 'IL' }, { seq: 0, payload: 'V' }];
    expect(run(segs, EVIL).hits.map((h) => h.end)).toEqual([5]);
    expect(run([{ seq: 7, payload: 'xE' }, { seq: 9, payload: 'VIL' }], EVIL).hits.map((h) => h.end)).toEqual([5]);
  });

  it('keeps the two directions apart', () => {
    const segs: Seg[] = [...handshake(), { seq: 101, payload: 'EV' }, { fromServer: true, seq: 5001, payload: 'IL' }, { seq: 103, payload: 'IL' }];
    expect(run(segs, EVIL).hits).toEqual([{ sig: 0, flow: 0, dir: 0, end: 4, pkt: 5 }]);
    const back: Seg[] = [...handshake(), { fromServer: true, seq: 5001, payload: '_EVIL' }];
    expect(run(back, EVIL).hits).toEqual([{ sig: 0, flow: 0, dir: 1, end: 5, pkt: 3 }]);
  });
});

describe('FlowTable: retransmissions and overlaps', () => {
  it('a retransmitted segment is delivered once', () => {
    const segs: Seg[] = [...handshake(), { seq: 101, payload: 'EVIL' }, { seq: 101, payload: 'EVIL' }];
    const r = run(segs, EVIL);
    expect(r.hits.length).toBe(1);
    expect(r.table.stats().reassembly).toMatchObject({ retransmissions: 1, overlapBytes: 4, overlapAnomalies: 0 });
  });

  it('first copy wins over a conflicting overlap of buffered bytes, and the conflict is counted', () => {
    // Hole at 101..104; two different copies of 105..108 arrive; the first ("IL..") wins.
    const segs: Seg[] = [...handshake(), { seq: 105, payload: 'ILyy' }, { seq: 103, payload: 'EVXXyy' }, { seq: 101, payload: 'xx' }];
    const r = run(segs, EVIL);
    expect(r.hits).toEqual([{ sig: 0, flow: 0, dir: 0, end: 6, pkt: 5 }]);
    expect(r.table.stats().reassembly).toMatchObject({ overlapAnomalies: 1, overlapBytes: 4, retransmissions: 0 });
    // The opposite arrival order gives the opposite content, deterministically.
    const swapped: Seg[] = [...handshake(), { seq: 103, payload: 'EVXXyy' }, { seq: 105, payload: 'ILyy' }, { seq: 101, payload: 'xx' }];
    expect(run(swapped, EVIL).hits).toEqual([]);
  });

  it('with retainBytes, a retransmission that rewrites delivered bytes is an anomaly', () => {
    const segs: Seg[] = [...handshake(), { seq: 101, payload: 'hello world' }, { seq: 107, payload: 'w0rld!' }];
    const off = run(segs, EVIL).table.stats().reassembly;
    expect(off).toMatchObject({ overlapAnomalies: 0, overlapBytes: 5 });
    const on = run(segs, EVIL, { retainBytes: 64 }).table.stats().reassembly;
    expect(on).toMatchObject({ overlapAnomalies: 1, overlapBytes: 5 });
    const same: Seg[] = [...handshake(), { seq: 101, payload: 'hello world' }, { seq: 107, payload: 'world!' }];
    expect(run(same, EVIL, { retainBytes: 64 }).table.stats().reassembly.overlapAnomalies).toBe(0);
  });
});

describe('FlowTable: holes, limits, endings', () => {
  it('a hole that never fills is skipped at flow end, and no match spans it', () => {
    const segs: Seg[] = [...handshake(), { seq: 101, payload: 'xxEV' }, { seq: 111, payload: 'ILzz' }, { seq: 115, payload: 'EVIL' }];
    const r = run(segs, EVIL);
    // Stream offsets count the 6-byte hole: 'EVIL' ends at 4 + 6 + 8 = 18.
    expect(r.hits).toEqual([{ sig: 0, flow: 0, dir: 0, end: 18, pkt: 5 }]);
    expect(r.table.stats().reassembly).toMatchObject({ gaps: 1, bytesSkipped: 6, bufferedBytes: 0 });
    expect(r.table.stats().flushed).toBe(1);
  });

  it('the per-stream buffer cap skips holes early instead of growing', () => {
    const segs: Seg[] = [...handshake(), { seq: 101, payload: 'ab' }];
    for (let i = 0; i < 10; i++) segs.push({ seq: 110 + 10 * i, payload: 'EVIL' });
    const r = run(segs, EVIL, { maxSegmentsPerStream: 3 });
    const st = r.table.stats().reassembly;
    expect(st.bufferedPeak).toBeLessThanOrEqual(4 * 4);
    expect(st.gaps).toBe(10);
    expect(r.hits.length).toBe(10);
  });

  it('the global buffer cap makes the stream that crosses it skip its holes', () => {
    const segs: Seg[] = [];
    for (let f = 0; f < 5; f++) segs.push({ seq: 1, payload: 'a', sport: 1000 + f }, { seq: 10, payload: 'EVIL', sport: 1000 + f });
    const r = run(segs, EVIL, { maxBufferedBytes: 10 });
    const s = r.table.stats();
    expect(s.memoryPressure).toBe(3); // flows 3, 4, 5 each cross 10 bytes
    expect(s.reassembly.bufferedPeak).toBeLessThanOrEqual(10 + 4);
    expect(s.reassembly.gaps).toBe(5);
    expect(r.hits.length).toBe(5); // nothing dropped, just delivered early
  });

  it('FIN in both directions closes the flow and reports end-anchored signatures; RST resets', () => {
    const sigs: FakeSignature[] = [{ text: 'bye', atEnd: true }];
    const fin: Seg[] = [
      ...handshake(),
      { seq: 101, payload: 'good bye', flags: FIN | ACK },
      { fromServer: true, seq: 5001, payload: 'bye?' },
      { fromServer: true, seq: 5005, flags: FIN | ACK },
    ];
    const r = run(fin, sigs);
    expect(r.hits).toEqual([{ sig: 0, flow: 0, dir: 0, end: 8, pkt: 3 }]);
    expect(r.table.stats()).toMatchObject({ flowsClosed: 1, flowsActive: 0, flushed: 0 });
    const rst = run([...handshake(), { seq: 101, payload: 'bye' }, { fromServer: true, seq: 5001, flags: RST }], sigs);
    expect(rst.hits.length).toBe(1);
    expect(rst.table.stats()).toMatchObject({ flowsReset: 1, flowsActive: 0 });
    // Data after the FIN is not part of the stream.
    const after = run([...handshake(), { seq: 101, payload: 'x', flags: FIN | ACK }, { seq: 102, payload: 'EVIL' }], EVIL);
    expect(after.hits).toEqual([]);
    expect(after.table.stats().reassembly.afterFin).toBe(1);
  });

  it('a SYN with a new ISN on a known 5-tuple starts a new connection', () => {
    const segs: Seg[] = [...handshake(100), { seq: 101, payload: 'EV' }, ...handshake(9000), { seq: 9001, payload: 'IL' }];
    const r = run(segs, EVIL);
    expect(r.hits).toEqual([]);
    expect(r.table.stats()).toMatchObject({ restarted: 1, flowsCreated: 2 });
    // Picked up mid-stream (no ISN known): a SYN right before the first byte belongs to it...
    const late = run([{ seq: 501, payload: 'EV' }, { seq: 500, flags: SYN }, { seq: 503, payload: 'IL' }], EVIL);
    expect(late.hits.length).toBe(1);
    expect(late.table.stats().restarted).toBe(0);
    // ...a SYN anywhere else starts a new connection.
    const reuse = run([{ seq: 501, payload: 'EV' }, { seq: 7000, flags: SYN }, { seq: 7001, payload: 'IL' }], EVIL);
    expect(reuse.hits.length).toBe(0);
    expect(reuse.table.stats()).toMatchObject({ restarted: 1, flowsCreated: 2 });
  });

  it('idle flows are evicted by capture time; the flow cap evicts the least recently used', () => {
    const idle = run([{ seq: 1, payload: 'EV', t: 0 }, { seq: 3, payload: 'IL', t: 1000 }], EVIL, { idleTimeoutSec: 60 });
    expect(idle.hits).toEqual([]);
    expect(idle.table.stats()).toMatchObject({ evictedIdle: 1, flowsCreated: 2 });
    const cap = run(
      [
        { seq: 1, payload: 'EV', sport: 1 },
        { seq: 1, payload: 'x', sport: 2 },
        { seq: 3, payload: 'IL', sport: 1 }, // flow 1 is now the most recent...
        { seq: 1, payload: 'y', sport: 3 }, // ...so flow 2 goes
        { seq: 2, payload: 'EVIL', sport: 2 },
      ],
      EVIL,
      { maxFlows: 2 },
    );
    expect(cap.hits.map((h) => h.flow)).toEqual([0, 3]);
    expect(cap.table.stats()).toMatchObject({ evictedCapacity: 2, flowsPeak: 2 });
  });

  it('IPv6 flows, and VLANs keep otherwise equal 5-tuples apart', () => {
    const v6 = (seq: number, payload: string, fromServer = false, vlans: number[] = []): Uint8Array => {
      const a = [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
      const b = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
      const tcp = [...tcpHeader({ sport: fromServer ? 443 : 5555, dport: fromServer ? 5555 : 443, seq }), ...bytes(payload)];
      return ether(0x86dd, ipv6(6, tcp, fromServer ? b : a, fromServer ? a : b), vlans);
    };
    const hits: string[] = [];
    let name = '';
    const t = new FlowTable({
      matcher: new FakeMatcher(EVIL),
      onMatch: (_s, f, dir, end) => {
        hits.push(`${f!.id}/${dir}@${end}`);
        name = f!.toString();
      },
    });
    const pk = [v6(10, 'xEV'), v6(13, 'IL'), v6(90, 'E', true), v6(91, 'VIL', true), v6(10, 'EV', false, [7]), v6(12, 'IL', false, [8])];
    pk.forEach((d, i) => t.processPacket(new Packet(i, 1, 0, 1, 0, d.length, d, 0)));
    t.flush();
    expect(hits.sort()).toEqual(['0/0@5', '0/1@4']);
    expect(name).toBe('[2001:db8::1]:5555 -> [fe80::2]:443');
    expect(t.stats().flowsCreated).toBe(3);
  });

  it('UDP payloads are scanned per datagram; malformed packets are counted and skipped', () => {
    const udp = (p: string): number[] => [0, 53, 0, 53, 0, 8 + p.length, 0, 0, ...bytes(p)];
    const pk = [ether(0x0800, ipv4(17, udp('EV'))), ether(0x0800, ipv4(17, udp('IL'))), ether(0x0800, ipv4(17, udp('EVIL'))), bytes('short')];
    const hits: number[] = [];
    const t = new FlowTable({ matcher: new FakeMatcher(EVIL), onMatch: (_s, _f, _d, end) => hits.push(end) });
    pk.forEach((d, i) => t.processPacket(new Packet(i, 1, 0, 1, 0, d.length, d, 0)));
    expect(hits).toEqual([4]);
    expect(t.stats()).toMatchObject({ otherPackets: 3, undecoded: 1, flowsCreated: 0 });
  });
});

describe('FlowTable fuzzing', () => {
  it('random TCP traffic: never throws, buffers stay within caps, flush leaves nothing behind', () => {
    const seg = fc.record({
      fromServer: fc.boolean(),
      seq: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.nat({ max: 0xffffffff })),
      flags: fc.constantFrom(SYN, SYN | ACK, ACK, PSH, FIN | ACK, RST, 0xff, 0),
      payload: fc.string({ maxLength: 12 }),
      t: fc.integer({ min: 0, max: 2000 }),
      sport: fc.constantFrom(1, 2, 3),
    });
    fc.assert(
      fc.property(fc.array(seg, { maxLength: 60 }), fc.integer({ min: 1, max: 3 }), (segs, maxFlows) => {
        const hits: Hit[] = [];
        const table = new FlowTable({
          matcher: new FakeMatcher([{ text: 'ab' }, { text: 'z', atEnd: true }]),
          onMatch: (sig, flow, dir, end, pkt) => hits.push({ sig, flow: flow?.id ?? -1, dir, end, pkt }),
          maxFlows,
          maxBufferedBytes: 40,
          maxBufferedBytesPerStream: 20,
          maxSegmentsPerStream: 3,
          idleTimeoutSec: 500,
          retainBytes: 8,
        });
        for (const p of packets(segs.sort((a, b) => a.t - b.t))) {
          table.processPacket(p);
          const st = table.stats();
          expect(st.reassembly.bufferedBytes).toBeGreaterThanOrEqual(0);
          expect(st.reassembly.bufferedBytes).toBeLessThanOrEqual(40);
          expect(st.flowsActive).toBeLessThanOrEqual(maxFlows);
        }
        table.flush();
        const st = table.stats();
        expect(st.flowsActive).toBe(0);
        expect(st.reassembly.bufferedBytes).toBe(0);
        for (const h of hits) expect(h.end).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });
});

const TRACE = sharedPath('traces/zeek/http/testmyids.pcap');
describe.skipIf(!existsSync(TRACE))('FlowTable on a real capture', () => {
  it('finds the testmyids.com response in stream mode', () => {
    const cap = parseCaptureBuffer(readFileSync(TRACE));
    const hits: [number, number, number][] = [];
    const t = new FlowTable({
      matcher: new FakeMatcher([{ text: 'uid=0(root)' }, { text: 'HTTP/1.1 200' }]),
      onMatch: (sig, _f, dir) => hits.push([sig, dir, 0]),
    });
    for (const p of cap.list) t.processPacket(p);
    t.flush();
    expect(hits.map((h) => h.slice(0, 2))).toEqual(expect.arrayContaining([[0, 1], [1, 1]]));
    const s = t.stats();
    expect(s.flowsCreated).toBe(1);
    expect(s.reassembly.gaps).toBe(0);
  });
});
