/**
 * Our reader against `pcap-parser` (a reader nobody here wrote) on the classic microsecond
 * pcap files where pcap-parser is defined: same records, timestamps, lengths and bytes.
 * pcap-parser stays the reference for classic pcap; our reader adds what it lacks
 * (nanosecond pcap, pcapng, gzip, typed errors for truncated/corrupt records).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseCaptureBuffer } from '../../src/pcap/reader.js';

const require = createRequire(import.meta.url);
process.noDeprecation = true; // pcap-parser calls the deprecated Buffer() constructor
const pcapParser = require('pcap-parser') as {
  parse(input: NodeJS.ReadableStream): NodeJS.EventEmitter;
};

interface RefPacket {
  sec: number;
  usec: number;
  caplen: number;
  origlen: number;
  data: Buffer;
}

function readWithPcapParser(bytes: Buffer): Promise<RefPacket[]> {
  return new Promise((resolve, reject) => {
    const out: RefPacket[] = [];
    const p = pcapParser.parse(Readable.from([bytes]));
    p.on('packet', (pkt: { header: Record<string, number>; data: Buffer }) => {
      out.push({
        sec: pkt.header.timestampSeconds!,
        usec: pkt.header.timestampMicroseconds!,
        caplen: pkt.header.capturedLength!,
        origlen: pkt.header.originalLength!,
        data: Buffer.from(pkt.data),
      });
    });
    p.on('end', () => resolve(out));
    p.on('error', reject);
  });
}

const dir = join(import.meta.dirname, '../../traces/pcap');
const files = readdirSync(dir).filter((f) => f.endsWith('.pcap'));

describe('reader agrees with pcap-parser on classic pcap', () => {
  it('has bundled traces to compare', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });
  for (const f of files) {
    it(f, async () => {
      const bytes = readFileSync(join(dir, f));
      const ref = await readWithPcapParser(bytes);
      const ours = parseCaptureBuffer(new Uint8Array(bytes), { file: f });
      expect(ours.error).toBeUndefined();
      expect(ours.list.length).toBe(ref.length);
      expect(ref.length).toBeGreaterThan(0);
      for (let i = 0; i < ref.length; i++) {
        const a = ours.list[i]!;
        const r = ref[i]!;
        expect(a.tsSec).toBe(r.sec);
        expect(a.tsNsec).toBe(r.usec * 1000);
        expect(a.capturedLength).toBe(r.caplen);
        expect(a.originalLength).toBe(r.origlen);
        expect(Buffer.from(a.data).equals(r.data)).toBe(true);
      }
    });
  }
});
