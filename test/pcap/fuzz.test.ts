/**
 * Fuzzing the reader with mutated and truncated captures: it only ever reports a
 * `PcapFormatError` (never throws anything else, never hangs), the packets it returns lie
 * inside the input, the error carries the packet count, the streaming reader agrees with the
 * buffer parser for any chunking, and no buffer grows beyond the bytes actually received.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PcapFormatError } from '../../src/errors.js';
import { parseCaptureBuffer, readCapture } from '../../src/pcap/reader.js';
import { bytes, concat, epb, idb, opb, pcapFile, shb, spb, tcpPacket, anyBlock } from './build.js';
import { sharedPath } from '../support/shared-data.js';

const pkts = [0, 1, 2, 3, 4].map((i) => tcpPacket({ seq: i * 100, payload: bytes(`payload number ${i}`) }));
const classicLE = pcapFile(pkts.map((data, i) => ({ data, sec: 100 + i, sub: i })));
const classicBEns = pcapFile(pkts.map((data) => ({ data })), { little: false, nano: true });
const ng = concat([
  shb(),
  idb(1, { snapLen: 1000 }),
  idb(101, { tsresol: 9 }),
  epb(0, 5n, pkts[0]!),
  epb(1, 6n, pkts[1]!.subarray(14)),
  anyBlock(5, new Uint8Array(16)),
  spb(pkts[2]!),
  opb(0, 7n, pkts[3]!),
  shb(false),
  idb(228, {}, false),
  epb(0, 8n, pkts[4]!.subarray(14), undefined, false),
]);
const REAL = sharedPath('traces/zeek/http/get.pcap');
const bases = [classicLE, classicBEns, ng, ...(existsSync(REAL) ? [new Uint8Array(readFileSync(REAL)).subarray(0, 3000)] : [])];

type Mutation =
  | { kind: 'byte'; at: number; value: number }
  | { kind: 'u32'; at: number; value: number; little: boolean }
  | { kind: 'truncate'; at: number }
  | { kind: 'append'; data: Uint8Array }
  | { kind: 'insert'; at: number; data: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('u32' as const),
    at: fc.nat(),
    value: fc.oneof(fc.nat({ max: 0xffffffff }), fc.constantFrom(0, 1, 12, 0x7fffffff, 0xffffffff, 0xfffffff0, 65536, 262145)),
    little: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), data: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), data: fc.uint8Array({ minLength: 1, maxLength: 20 }) }),
);

function mutate(base: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b: Uint8Array = base.slice();
  for (const m of ms) {
    if (b.length === 0 && m.kind !== 'append') continue;
    switch (m.kind) {
      case 'byte':
        b[m.at % b.length] = m.value;
        break;
      case 'u32': {
        if (b.length < 4) break;
        new DataView(b.buffer, b.byteOffset).setUint32(m.at % (b.length - 3), m.value, m.little);
        break;
      }
      case 'truncate':
        b = b.slice(0, m.at % (b.length + 1));
        break;
      case 'append':
        b = concat([b, m.data]);
        break;
      case 'insert': {
        const at = m.at % (b.length + 1);
        b = concat([b.subarray(0, at), m.data, b.subarray(at)]);
        break;
      }
    }
  }
  return b;
}

function chunks(b: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  return (async function* () {
    for (let i = 0; i < b.length; i += size) yield b.slice(i, i + size);
  })();
}

describe('reader fuzzing', () => {
  it('mutated captures: only PcapFormatError, packets inside the input, stream = buffer', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...bases),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 700 }),
        fc.boolean(),
        fc.option(mutation, { nil: undefined }),
        async (base, ms, chunkSize, gzip, gzMutation) => {
          const plain = mutate(base, ms);
          // Sometimes damage the compressed bytes themselves.
          const input = gzip ? (gzMutation ? mutate(gzipSync(plain), [gzMutation]) : gzipSync(plain)) : plain;
          // With damaged compressed bytes the decompressed content is unknown: no size bound.
          const limit = gzip && gzMutation ? Infinity : plain.length;
          const r = parseCaptureBuffer(input); // must not throw
          if (r.error !== undefined) {
            expect(r.error).toBeInstanceOf(PcapFormatError);
            expect(r.error.packetsRead).toBe(r.packets);
            expect(r.error.byteOffset).toBeGreaterThanOrEqual(0);
            expect(r.error.byteOffset).toBeLessThanOrEqual(limit);
          }
          expect(r.list.length).toBe(r.packets);
          let sum = 0;
          for (const p of r.list) {
            sum += p.data.length;
            expect(p.fileOffset + p.data.length).toBeLessThanOrEqual(limit);
            if (!gzip) expect(p.data.buffer).toBe(input.buffer); // views, never copies
          }
          expect(sum).toBeLessThanOrEqual(limit);

          const reader = readCapture(chunks(input, chunkSize));
          const seen: number[] = [];
          let error: unknown;
          try {
            for await (const p of reader) seen.push(p.data.length);
          } catch (e) {
            error = e;
          }
          if (error !== undefined) expect(error).toBeInstanceOf(PcapFormatError);
          // Same packets and same verdict whichever way the bytes arrive (gzip'd input fed
          // whole to the sync parser may recover a few more bytes than a stream, so only
          // plain input is compared exactly).
          if (!gzip) {
            expect(seen).toEqual(r.list.map((p) => p.data.length));
            expect((error as PcapFormatError | undefined)?.reason).toBe(r.error?.reason);
            // The only buffer the parser allocates holds bytes it has received.
            expect(reader.bufferHighWater).toBeLessThanOrEqual(input.length);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a truncated capture keeps exactly the whole records, and says so unless cut on a boundary', () => {
    const boundaries = new Set<number>([24]);
    let at = 24;
    for (const p of pkts) boundaries.add((at += 16 + p.length));
    for (let n = 0; n <= classicLE.length; n++) {
      const r = parseCaptureBuffer(classicLE.subarray(0, n));
      const whole = [...boundaries].filter((b) => b > 24 && b <= n).length;
      expect(r.packets, `cut at ${n}`).toBe(whole);
      expect(r.error === undefined, `cut at ${n}`).toBe(boundaries.has(n));
    }
  });

  it('a truncated pcapng file keeps the whole blocks before the cut', () => {
    let complete = 0;
    for (let n = 0; n <= ng.length; n++) {
      const r = parseCaptureBuffer(ng.subarray(0, n));
      expect(r.packets).toBeGreaterThanOrEqual(complete);
      complete = r.packets;
      if (r.error) expect(r.error).toBeInstanceOf(PcapFormatError);
    }
    expect(complete).toBe(5);
  });
});
