/**
 * Every capture in ../shared/data/traces/zeek/ (classic µs/ns pcap, pcapng, gzip, raw IPv4,
 * BSD loopback): packet counts, and TCP packet counts and payload bytes, must equal what
 * libpcap/tcpdump reported (recorded once in the fixture with the command that produced it).
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCaptureBuffer, readCapture } from '../../src/pcap/reader.js';
import { Decoder, DecodeStatus } from '../../src/pcap/decode.js';
import { linkTypeName } from '../../src/pcap/types.js';
import { sharedPath } from '../support/shared-data.js';

const ROOT = sharedPath('traces/zeek');
const expected = JSON.parse(
  readFileSync(join(import.meta.dirname, '../fixtures/pcap/zeek-expected-counts.json'), 'utf8'),
) as { files: Record<string, { packets: number; linktype: string; tcpPackets: number; tcpPayloadBytes: number }> };

describe.skipIf(!existsSync(ROOT))('zeek traces', () => {
  const files = Object.entries(expected.files);

  it('covers every format in the folder', () => {
    const formats = new Set<string>();
    for (const [f] of files) {
      const r = parseCaptureBuffer(readFileSync(join(ROOT, f)));
      formats.add(`${r.format}${r.gzip ? '+gz' : ''}`);
    }
    expect([...formats].sort()).toEqual(['pcap', 'pcap+gz', 'pcap-ns', 'pcapng']);
  });

  it('packet counts, link types, TCP packets and payload bytes equal tcpdump', () => {
    const dec = new Decoder();
    const mismatches: string[] = [];
    for (const [f, exp] of files) {
      const r = parseCaptureBuffer(readFileSync(join(ROOT, f)), { file: f });
      let tcp = 0;
      let tcpBytes = 0;
      for (const p of r.list) {
        if (dec.decode(p) === DecodeStatus.OK && dec.out.protocol === 6 && dec.out.fragmentOffset === 0) {
          tcp++;
          tcpBytes += dec.out.payloadLength;
        }
      }
      const got = { packets: r.packets, linktype: linkTypeName(r.linkTypes[0]!), tcpPackets: tcp, tcpPayloadBytes: tcpBytes };
      if (r.error || JSON.stringify(got) !== JSON.stringify(exp)) {
        mismatches.push(`${f}: got ${JSON.stringify(got)} ${r.error?.message ?? ''} want ${JSON.stringify(exp)}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(files.length).toBeGreaterThan(90);
  });

  it('the streaming reader (file path) agrees with the buffer parser', async () => {
    for (const f of ['http/cooper-grill-dvwa.pcapng', 'http/iso-download.pcap.gz', 'http/get-to-ssh-server.pcap', 'ftp/cwd-navigation.pcap']) {
      const reader = readCapture(join(ROOT, f), { chunkBytes: 4093, wholeFileBytes: 0 });
      let n = 0;
      let bytes = 0;
      for await (const p of reader) {
        n++;
        bytes += p.data.length;
      }
      expect(n, f).toBe(expected.files[f]!.packets);
      const whole = parseCaptureBuffer(readFileSync(join(ROOT, f)));
      expect(bytes, f).toBe(whole.bytes);
      expect(reader.error).toBeUndefined();
      // The parser only ever joins a record's tail with one chunk.
      expect(reader.bufferHighWater).toBeLessThanOrEqual(4093 + 262144 + 24);
    }
  });
});
