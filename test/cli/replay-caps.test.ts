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
});
