import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PcapFormatError } from '../../src/errors.js';
import { parseCaptureBuffer, readCapture } from '../../src/pcap/reader.js';
import type { Packet } from '../../src/pcap/types.js';
import { anyBlock, bytes, concat, epb, idb, opb, pcapFile, shb, spb, tcpPacket } from './build.js';

const p1 = tcpPacket({ payload: bytes('hello') });
const p2 = tcpPacket({ payload: bytes('world!'), seq: 5 });
const p3 = bytes('not really a packet, but bytes are bytes');
/** Plain Uint8Array copy (gzip output arrives as Buffer views, which compare unequal). */
const u8 = (a: Uint8Array): Uint8Array => new Uint8Array(a);

async function collect(src: Parameters<typeof readCapture>[0]): Promise<{ packets: Packet[]; error?: unknown }> {
  const packets: Packet[] = [];
  try {
    for await (const p of readCapture(src)) packets.push(p);
  } catch (error) {
    return { packets, error };
  }
  return { packets };
}

function chunked(b: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  return (async function* () {
    for (let i = 0; i < b.length; i += size) yield b.slice(i, i + size);
  })();
}

describe('classic pcap', () => {
  for (const little of [true, false]) {
    for (const nano of [false, true]) {
      it(`reads ${little ? 'little' : 'big'}-endian ${nano ? 'nanosecond' : 'microsecond'} files`, () => {
        const file = pcapFile(
          [
            { sec: 1700000000, sub: nano ? 123456789 : 123456, data: p1 },
            { sec: 1700000001, sub: 7, data: p2, origLen: 1500 },
          ],
          { little, nano, linkType: 1 },
        );
        const r = parseCaptureBuffer(file);
        expect(r.error).toBeUndefined();
        expect(r.format).toBe(nano ? 'pcap-ns' : 'pcap');
        expect(r.linkTypes).toEqual([1]);
        expect(r.list.map((p) => [p.index, p.tsSec, p.tsNsec, p.linkType, p.capturedLength, p.originalLength])).toEqual([
          [0, 1700000000, nano ? 123456789 : 123456000, 1, p1.length, p1.length],
          [1, 1700000001, nano ? 7 : 7000, 1, p2.length, 1500],
        ]);
        expect(r.list[1]!.data).toEqual(p2);
        // A view into the input, not a copy.
        expect(r.list[0]!.data.buffer).toBe(file.buffer);
        expect(r.bytes).toBe(p1.length + p2.length);
      });
    }
  }

  it('masks the FCS bits out of the link type field', () => {
    const r = parseCaptureBuffer(pcapFile([{ data: p1 }], { linkType: 0x14000001 }));
    expect(r.linkTypes).toEqual([1]);
  });

  it('counts tolerated oddities as warnings', () => {
    const r = parseCaptureBuffer(
      pcapFile(
        [
          { data: p1, origLen: 10 }, // caplen > origlen
          { data: p2, sub: 2_500_000 }, // microseconds out of range
        ],
        { snapLen: 40 }, // both records exceed the snap length
      ),
    );
    expect(r.error).toBeUndefined();
    expect(r.packets).toBe(2);
    expect(r.warnings).toMatchObject({ caplenAboveSnaplen: 2, caplenAboveOriglen: 1, badTimestamp: 1 });
    expect([r.list[1]!.tsSec, r.list[1]!.tsNsec]).toEqual([1002, 500_000_000]);
  });
});

describe('pcapng', () => {
  it('reads several interfaces with their own link types and timestamp resolutions, and several sections', () => {
    const file = concat([
      shb(true),
      idb(1, { snapLen: 65535 }), // µs by default
      idb(101, { tsresol: 9 }), // ns
      idb(228, { tsresol: 0x80 | 10, tsoffset: 100 }), // 2^-10 s, +100 s
      anyBlock(4, new Uint8Array(8)), // name resolution: skipped
      epb(0, 1_700_000_000_123_456n, p1),
      epb(1, 1_700_000_000_987_654_321n, p3, 1000),
      epb(2, 1024n * 5n + 512n, p3),
      spb(p2),
      opb(1, 1_000_000_000n, p3),
      anyBlock(0x12345, new Uint8Array(4)), // unknown: counted, skipped
      shb(false), // second section, big-endian: interfaces start over
      idb(113, { tsresol: 3 }, false),
      epb(0, 42_001n, p3, p3.length, false),
    ]);
    const r = parseCaptureBuffer(file);
    expect(r.error).toBeUndefined();
    expect(r.format).toBe('pcapng');
    expect(r.linkTypes).toEqual([1, 101, 228, 113]);
    expect(r.list.map((p) => [p.linkType, p.interfaceId, p.tsSec, p.tsNsec, p.capturedLength, p.originalLength])).toEqual([
      [1, 0, 1700000000, 123456000, p1.length, p1.length],
      [101, 1, 1700000000, 987654321, p3.length, 1000],
      [228, 2, 105, 500000000, p3.length, p3.length],
      [1, 0, 0, 0, p2.length, p2.length],
      [101, 1, 1, 0, p3.length, p3.length],
      [113, 0, 42, 1000000, p3.length, p3.length],
    ]);
    expect(r.list[0]!.data).toEqual(p1);
    expect(r.list[3]!.data).toEqual(p2);
    expect(r.warnings).toMatchObject({ unknownBlockType: 1, skippedBlocks: 1 });
    expect(r.interfaces.map((f) => [f.section, f.id, f.tsUnitsPerSecond])).toEqual([
      [0, 0, 1e6],
      [0, 1, 1e9],
      [0, 2, 1024],
      [1, 0, 1000],
    ]);
  });

  it('limits a simple packet block to the interface snap length', () => {
    const r = parseCaptureBuffer(concat([shb(), idb(1, { snapLen: 20 }), spb(p1)]));
    expect(r.list[0]!.capturedLength).toBe(20);
    expect(r.list[0]!.originalLength).toBe(p1.length);
  });
});

describe('gzip', () => {
  const plain = pcapFile([{ data: p1 }, { data: p2 }, { data: p3 }]);
  const gz = gzipSync(plain);

  it('decompresses buffers and streams', async () => {
    const r = parseCaptureBuffer(gz);
    expect(r.gzip).toBe(true);
    expect(r.list.map((p) => u8(p.data))).toEqual([p1, p2, p3]);
    const s = await collect(chunked(gz, 7));
    expect(s.error).toBeUndefined();
    expect(s.packets.map((p) => u8(p.data))).toEqual([p1, p2, p3]);
  });

  it('keeps the packets before a truncation or corruption', async () => {
    const cut = gz.subarray(0, gz.length - 12); // loses the trailer and some data
    const r = parseCaptureBuffer(cut);
    expect(r.error).toBeInstanceOf(PcapFormatError);
    expect(r.packets).toBeGreaterThanOrEqual(1);
    expect(r.error!.packetsRead).toBe(r.packets);
    const s = await collect(cut);
    expect(s.error).toBeInstanceOf(PcapFormatError);
    expect(s.packets.length).toBe(r.packets);

    // Only the trailer is missing: every packet is there, the damage is still reported.
    const r2 = parseCaptureBuffer(gz.subarray(0, gz.length - 4));
    expect(r2.packets).toBe(3);
    expect(r2.error).toBeInstanceOf(PcapFormatError);
  });

  it('reports a corrupt deflate stream after the good prefix', async () => {
    const big = pcapFile(Array.from({ length: 200 }, (_, i) => ({ data: tcpPacket({ seq: i, payload: bytes(`pkt ${i} `.repeat(20)) }) })));
    const z = gzipSync(big, { level: 1 });
    const bad = z.slice();
    for (let i = Math.floor(z.length * 0.6); i < Math.floor(z.length * 0.6) + 40; i++) bad[i] = 0xff;
    const r = parseCaptureBuffer(bad);
    expect(r.error).toBeInstanceOf(PcapFormatError);
    expect(r.packets).toBeGreaterThan(10);
    expect(r.packets).toBeLessThan(200);
    // A whole buffer goes through the lenient inflater: the same packets as the sync parser.
    const s = await collect(bad);
    expect(s.error).toBeInstanceOf(PcapFormatError);
    expect(s.packets.length).toBe(r.packets);
    // A real stream loses at most the inflater's last 4 KiB output buffer.
    const t = await collect(chunked(bad, 1000));
    expect(t.error).toBeInstanceOf(PcapFormatError);
    const lost = r.list.slice(t.packets.length).reduce((n, p) => n + 16 + p.data.length, 0);
    expect(t.packets.length).toBeLessThanOrEqual(r.packets);
    expect(lost).toBeLessThanOrEqual(4096 + 400); // 4 KiB plus the record straddling it
  });
});

describe('bad input', () => {
  const good = pcapFile([{ data: p1 }, { data: p2 }]);
  const recordAt = [24, 24 + 16 + p1.length, good.length];

  function expectError(buf: Uint8Array, packets: number, offset: number, reason: RegExp): void {
    const r = parseCaptureBuffer(buf, { file: 'x.pcap' });
    expect(r.packets).toBe(packets);
    expect(r.error).toBeInstanceOf(PcapFormatError);
    expect(r.error!.packetsRead).toBe(packets);
    expect(r.error!.byteOffset).toBe(offset);
    expect(r.error!.reason).toMatch(reason);
    expect(r.error!.file).toBe('x.pcap');
  }

  it('wrong magic, empty file, truncated file header, unsupported version', () => {
    expectError(bytes('GET / HTTP/1.1\r\n\r\n'), 0, 0, /unknown magic 0x47455420/);
    expectError(new Uint8Array(0), 0, 0, /empty/);
    expectError(good.subarray(0, 3), 0, 0, /truncated file header/);
    expectError(good.subarray(0, 20), 0, 0, /truncated pcap file header/);
    expectError(pcapFile([{ data: p1 }], { version: [3, 0] }), 0, 4, /unsupported pcap version 3.0/);
  });

  it('truncated record header and record body keep the packets before', () => {
    expectError(good.subarray(0, recordAt[1]! + 9), 1, recordAt[1]!, /truncated record header: 9 of 16/);
    expectError(good.subarray(0, good.length - 1), 1, recordAt[1]!, /truncated record: header says \d+ captured bytes, only \d+ present/);
    // Garbage after valid data reads as a damaged record.
    expectError(concat([good, bytes('junk')]), 2, recordAt[2]!, /truncated record header/);
  });

  it('an absurd record length is an error at once, with no allocation or wait', async () => {
    const bad = pcapFile([{ data: p1 }, { data: p2, capLen: 0xfffffff0 }]);
    expectError(bad, 1, recordAt[1]!, /captured length 4294967280 exceeds the maximum 262144/);
    // Streaming: the error comes as soon as the record header arrives, before the data.
    const s = await collect(chunked(bad.subarray(0, recordAt[1]! + 16), 5));
    expect(s.packets.length).toBe(1);
    expect((s.error as PcapFormatError).byteOffset).toBe(recordAt[1]);
  });

  it('pcapng: bad block lengths, undefined interface, unsupported version', () => {
    const head = concat([shb(), idb(1)]);
    const ok = epb(0, 1n, p1);
    const notMult4 = ok.slice();
    new DataView(notMult4.buffer).setUint32(4, ok.length + 2, true);
    expectError(concat([head, ok, notMult4]), 1, head.length + ok.length, /block length \d+ is invalid/);
    const trailer = ok.slice();
    new DataView(trailer.buffer).setUint32(ok.length - 4, 8, true);
    expectError(concat([head, ok, trailer]), 1, head.length + ok.length, /trailing length 8 differs/);
    const huge = ok.slice();
    new DataView(huge.buffer).setUint32(4, 0x7ffffff0, true);
    expectError(concat([head, huge]), 0, head.length, /exceeds the maximum/);
    expectError(concat([head, epb(3, 1n, p1)]), 0, head.length, /references interface 3, but 1 are defined/);
    expectError(concat([shb(true, [2, 0]), idb(1)]), 0, 12, /unsupported pcapng version 2.0/);
    expectError(concat([head, ok, ok.subarray(0, 20)]), 1, head.length + ok.length, /truncated block/);
    const capPast = epb(0, 1n, p1, p1.length, true, p1.length + 100);
    expectError(concat([head, capPast]), 0, head.length, /runs past its block/);
  });

  it('the async reader throws the typed error after the good packets', async () => {
    const s = await collect(Readable.from([good.subarray(0, good.length - 1)]));
    expect(s.packets.map((p) => p.data)).toEqual([p1]);
    expect(s.error).toBeInstanceOf(PcapFormatError);
    expect((s.error as PcapFormatError).packetsRead).toBe(1);
  });

  it('an unreadable path is a typed error', async () => {
    const s = await collect('/nonexistent/x.pcap');
    expect(s.error).toBeInstanceOf(PcapFormatError);
    expect((s.error as PcapFormatError).reason).toMatch(/ENOENT/);
  });
});

describe('streaming', () => {
  it('any chunking yields the same packets as the whole buffer', async () => {
    const file = concat([shb(), idb(1), epb(0, 1n, p1), spb(p2), epb(0, 2n, p3)]);
    const whole = parseCaptureBuffer(file).list.map((p) => [p.tsSec, p.tsNsec, Array.from(p.data)]);
    for (const size of [1, 2, 3, 13, 64, 1 << 16]) {
      const s = await collect(chunked(file, size));
      expect(s.error).toBeUndefined();
      expect(s.packets.map((p) => [p.tsSec, p.tsNsec, Array.from(p.data)])).toEqual(whole);
    }
  });

  it('packet views stay valid after later chunks arrive', async () => {
    const file = pcapFile([{ data: p1 }, { data: p2 }, { data: p3 }]);
    const s = await collect(chunked(file, 10));
    expect(s.packets.map((p) => p.data)).toEqual([p1, p2, p3]);
  });
});
