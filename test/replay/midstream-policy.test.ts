/**
 * Suricata's exception policy for sessions picked up mid-stream (`midstreamPolicy`,
 * `replay --midstream-policy` / `--exception-policy`): which sessions are left
 * uninspected, with midstream pickup off and on, and the usage checks.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/replay.js';
import { UsageError } from '../../src/errors.js';
import { prepareRules, Replayer, type MidstreamPolicy } from '../../src/replay/index.js';
import { captureRun } from '../cli/capture.js';
import { bytes, pcapFile, tcpPacket } from '../pcap/build.js';

const C = [10, 0, 0, 1];
const S = [10, 0, 0, 2];
const at = (i: number, data: Uint8Array): { sec: number; sub: number; data: Uint8Array } => ({ sec: 1_600_000_000 + i, sub: 0, data });
// Flow A (port 40000) has its handshake; flow B (port 40001) is picked up mid-stream.
const capture = pcapFile([
  at(0, tcpPacket({ src: C, dst: S, sport: 40000, dport: 80, seq: 1, ack: 0, flags: 0x02 })),
  at(1, tcpPacket({ src: S, dst: C, sport: 80, dport: 40000, seq: 100, ack: 2, flags: 0x12 })),
  at(2, tcpPacket({ src: C, dst: S, sport: 40000, dport: 80, seq: 2, ack: 101, flags: 0x10 })),
  at(3, tcpPacket({ src: C, dst: S, sport: 40000, dport: 80, seq: 2, ack: 101, flags: 0x18, payload: bytes('evil A') })),
  at(4, tcpPacket({ src: C, dst: S, sport: 40001, dport: 80, seq: 500, ack: 900, flags: 0x18, payload: bytes('evil B') })),
  at(5, tcpPacket({ src: C, dst: S, sport: 40001, dport: 80, seq: 506, ack: 900, flags: 0x18, payload: bytes('evil C') })),
]);
const rules = 'alert tcp any any -> any 80 (msg:"evil"; content:"evil"; sid:1;)\n';

async function alertedPackets(midstreamPolicy: MidstreamPolicy | undefined, midstream = false): Promise<{ packets: number[]; excepted: number }> {
  const prepared = prepareRules({ ruleTexts: [{ file: 't.rules', text: rules }] });
  const r = new Replayer(prepared.detector, { mode: 'packet', midstream, midstreamPolicy });
  const packets: number[] = [];
  await r.replay(capture, 't.pcap', (a) => packets.push(a.packet));
  return { packets, excepted: r.stats.midstreamExcepted };
}

describe('midstream exception policy', () => {
  it('ignore (the default) inspects the session picked up mid-stream', async () => {
    expect(await alertedPackets(undefined)).toEqual({ packets: [4, 5, 6], excepted: 0 });
    expect(await alertedPackets('ignore')).toEqual({ packets: [4, 5, 6], excepted: 0 });
  });

  it('with midstream pickup off, every other policy leaves that session uninspected, and counts it', async () => {
    for (const p of ['pass-flow', 'bypass', 'drop-flow', 'drop-packet', 'pass-packet', 'reject'] as MidstreamPolicy[]) {
      expect(await alertedPackets(p)).toEqual({ packets: [4], excepted: 1 });
    }
  });

  it('with midstream pickup on, only pass-flow and bypass apply (as in Suricata)', async () => {
    expect(await alertedPackets('pass-flow', true)).toEqual({ packets: [4], excepted: 1 });
    expect(await alertedPackets('bypass', true)).toEqual({ packets: [4], excepted: 1 });
    expect(await alertedPackets('drop-flow', true)).toEqual({ packets: [4, 5, 6], excepted: 0 });
  });

  it('an unknown policy is a usage error, in the library and on the command line', async () => {
    const prepared = prepareRules({ ruleTexts: [{ file: 't.rules', text: rules }] });
    expect(() => new Replayer(prepared.detector, { midstreamPolicy: 'nope' as MidstreamPolicy })).toThrow(UsageError);
    await expect(run(['--midstream-policy', 'nope', '--rules', 'x', '--pcap', 'y'])).rejects.toThrow(/--midstream-policy must be one of/);
    await expect(run(['--exception-policy', 'nope', '--rules', 'x', '--pcap', 'y'])).rejects.toThrow(/--exception-policy must be one of/);
  });

  it('replay --midstream-policy and the --exception-policy master switch (auto: ignore)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'midstream-'));
    writeFileSync(join(dir, 't.rules'), rules);
    writeFileSync(join(dir, 't.pcap'), capture);
    const argv = ['--rules', join(dir, 't.rules'), '--pcap', join(dir, 't.pcap'), '--no-progress', '--format', 'json'];
    const packetsOf = async (extra: string[]): Promise<number[]> =>
      (await captureRun(run, [...argv, ...extra])).out.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { packet: number }).packet);
    expect(await packetsOf([])).toEqual([4, 5, 6]);
    expect(await packetsOf(['--midstream-policy', 'bypass'])).toEqual([4]);
    expect(await packetsOf(['--exception-policy', 'drop-flow'])).toEqual([4]);
    expect(await packetsOf(['--exception-policy', 'auto'])).toEqual([4, 5, 6]);
    expect(await packetsOf(['--exception-policy', 'drop-flow', '--midstream-policy', 'ignore'])).toEqual([4, 5, 6]);
    const summary = (await captureRun(run, [...argv, '--midstream-policy', 'bypass'])).err;
    expect(summary).toMatch(/1 session\(s\) picked up mid-stream left uninspected/);
  });
});
