import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/info.js';
import { UsageError } from '../../src/errors.js';
import { bytes, concat, epb, idb, pcapFile, shb, tcpPacket } from '../pcap/build.js';
import { sharedPath } from '../support/shared-data.js';

const dir = mkdtempSync(join(tmpdir(), 'nfa-obdd-info-'));
const pkt = tcpPacket({ payload: bytes('hello') });
const good = pcapFile(
  [
    { sec: 1_600_000_000, sub: 1, data: pkt },
    { sec: 1_600_000_005, sub: 999_999, data: pkt },
  ],
  { nano: false },
);
const files = {
  good: join(dir, 'good.pcap'),
  gz: join(dir, 'good.pcap.gz'),
  ng: join(dir, 'two.pcapng'),
  damaged: join(dir, 'damaged.pcap'),
  notCapture: join(dir, 'notes.txt'),
};
writeFileSync(files.good, good);
writeFileSync(files.gz, gzipSync(good));
writeFileSync(files.ng, concat([shb(), idb(1), idb(228, { tsresol: 9 }), epb(0, 5_000_000n, pkt), epb(1, 7_000_000_123n, pkt.subarray(14))]));
writeFileSync(files.damaged, good.subarray(0, good.length - 3));
writeFileSync(files.notCapture, 'hello\n');

async function capture(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    return { code: await run(argv), out };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('info', () => {
  it('one JSON line per file with format, link types, counts and time span; exit 0 when all are clean', async () => {
    const { code, out } = await capture(['--format', 'json', files.good, files.gz, files.ng]);
    expect(code).toBe(0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([
      {
        file: files.good,
        format: 'pcap',
        linktypes: ['EN10MB'],
        packets: 2,
        bytes: 2 * pkt.length,
        first: '2020-09-13T12:26:40.000001000Z',
        last: '2020-09-13T12:26:45.999999000Z',
        warnings: {},
        error: null,
      },
      expect.objectContaining({ file: files.gz, format: 'pcap+gzip', packets: 2, error: null }),
      expect.objectContaining({
        format: 'pcapng',
        linktypes: ['EN10MB', 'IPV4'],
        packets: 2,
        bytes: 2 * pkt.length - 14,
        first: '1970-01-01T00:00:05.000000000Z',
        last: '1970-01-01T00:00:07.000000123Z',
      }),
    ]);
  });

  it('a damaged file reports what it read before the damage, and the exit code says so', async () => {
    const { code, out } = await capture(['--format=json', files.good, files.damaged, files.notCapture]);
    expect(code).toBe(1);
    const [a, b, c] = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(a.error).toBeNull();
    expect(b).toMatchObject({ format: 'pcap', packets: 1, bytes: pkt.length });
    expect(b.error).toMatch(/^truncated record: header says \d+ captured bytes, only \d+ present at byte \d+$/);
    expect(c).toMatchObject({ format: null, packets: 0 });
    expect(c.error).toMatch(/unknown magic/);
  });

  it('text output', async () => {
    const { code, out } = await capture([files.damaged]);
    expect(code).toBe(1);
    expect(out).toContain('format:     pcap');
    expect(out).toContain('packets:    1');
    expect(out).toMatch(/error: +truncated record.*\(after 1 packets\)/);
  });

  it('bad usage is a UsageError', async () => {
    await expect(run([])).rejects.toBeInstanceOf(UsageError);
    await expect(run(['--format', 'xml', files.good])).rejects.toBeInstanceOf(UsageError);
    await expect(run(['--bogus', files.good])).rejects.toBeInstanceOf(UsageError);
  });

  const ZEEK = sharedPath('traces/zeek/http/get-to-ssh-server.pcap');
  it.skipIf(!existsSync(ZEEK))('reads a real nanosecond capture', async () => {
    const { code, out } = await capture(['--format', 'json', ZEEK]);
    expect(code).toBe(0);
    const want = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/pcap/zeek-expected-counts.json'), 'utf8'))
      .files['http/get-to-ssh-server.pcap'].packets as number;
    expect(JSON.parse(out)).toMatchObject({ format: 'pcap-ns', packets: want, error: null });
  });
});
