/** `replay --max-flows` / `--max-stream-bytes`: checked, given to the replay, evictions in the summary. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/replay.js';
import { captureRun } from './capture.js';
import { bytes, pcapFile, tcpPacket } from '../pcap/build.js';

const C = [10, 0, 0, 1];
const S = [10, 0, 0, 2];
// Two sessions in turn, then the first one again: with one flow slot, each evicts the other.
const capture = pcapFile(
  [40000, 40001, 40000].map((sport, i) => ({
    sec: 1_600_000_000 + i,
    sub: 0,
    data: tcpPacket({ src: C, dst: S, sport, dport: 80, seq: 1000 + i * 10, ack: 1, flags: 0x18, payload: bytes('evil') }),
  })),
);

describe('replay flow and stream caps', () => {
  it('--max-flows evicts the least recently used session and the summary counts it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'caps-'));
    writeFileSync(join(dir, 't.rules'), 'alert tcp any any -> any 80 (msg:"evil"; content:"evil"; sid:1;)\n');
    writeFileSync(join(dir, 't.pcap'), capture);
    const argv = ['--rules', join(dir, 't.rules'), '--pcap', join(dir, 't.pcap'), '--no-progress', '--quiet'];
    const one = await captureRun(run, [...argv, '--max-flows', '1', '--max-stream-bytes', '64k']);
    expect(one.code).toBe(0);
    expect(one.err).toMatch(/; 2 session\(s\) evicted to stay within the flow table's capacity/);
    expect(one.err).toMatch(/^alerts: 3/m);
    const many = await captureRun(run, argv);
    expect(many.err).not.toMatch(/evicted/);
    await expect(run([...argv, '--max-flows', '0'])).rejects.toThrow(/--max-flows/);
    await expect(run([...argv, '--max-stream-bytes', 'lots'])).rejects.toThrow(/--max-stream-bytes/);
  });

  it('--max-scratch-bytes: a direction past the scratch budget is not stream-inspected, and the summary says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'caps-'));
    const seg = (i: number, src: number[], dst: number[], sport: number, dport: number, seq: number, ack: number, flags: number, data = '') => ({
      sec: 1_600_000_000 + i,
      sub: 0,
      data: tcpPacket({ src, dst, sport, dport, seq, ack, flags, payload: bytes(data) }),
    });
    const split = pcapFile([
      seg(0, C, S, 40000, 80, 100, 0, 0x02),
      seg(1, S, C, 80, 40000, 500, 101, 0x12),
      seg(2, C, S, 40000, 80, 101, 501, 0x10),
      seg(3, C, S, 40000, 80, 101, 501, 0x18, 'GET /evil'),
      seg(4, C, S, 40000, 80, 110, 501, 0x18, 'payload HTTP/1.0\r\n\r\n'),
    ]);
    writeFileSync(join(dir, 't.rules'), 'alert tcp any any -> any 80 (msg:"split"; flow:established,to_server; content:"evilpayload"; sid:1;)\n');
    writeFileSync(join(dir, 't.pcap'), split);
    const argv = ['--stream', '--rules', join(dir, 't.rules'), '--pcap', join(dir, 't.pcap'), '--no-progress', '--quiet'];
    const full = await captureRun(run, argv);
    expect(full.err).toMatch(/^alerts: 1/m);
    expect(full.err).not.toMatch(/not inspected/);
    const capped = await captureRun(run, [...argv, '--max-scratch-bytes', '1']);
    expect(capped.code).toBe(0);
    expect(capped.err).toMatch(/^alerts: 0/m);
    expect(capped.err).toMatch(/; 1 stream direction\(s\) not inspected: engine scratches at --max-scratch-bytes/);
  });
});
