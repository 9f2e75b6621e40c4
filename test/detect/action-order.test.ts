/**
 * Suricata's `action-order` (`RuleDetector.setActionOrder`, `replay --action-order`): the
 * rules that fire in one decision act in that order, and a pass rule silences the ones
 * whose action comes after pass. Hand-built captures; the expected alerts follow from the
 * rules' actions alone.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/replay.js';
import { UsageError } from '../../src/errors.js';
import { prepareRules, Replayer, type ReplayMode } from '../../src/replay/index.js';
import { captureRun } from '../cli/capture.js';
import { bytes, pcapFile, tcpPacket } from '../pcap/build.js';

const C = [10, 0, 0, 1];
const S = [10, 0, 0, 2];
const capture = pcapFile([
  { sec: 1_600_000_000, sub: 0, data: tcpPacket({ src: C, dst: S, sport: 40000, dport: 80, seq: 1, ack: 0, flags: 0x02 }) },
  { sec: 1_600_000_001, sub: 0, data: tcpPacket({ src: S, dst: C, sport: 80, dport: 40000, seq: 100, ack: 2, flags: 0x12 }) },
  { sec: 1_600_000_002, sub: 0, data: tcpPacket({ src: C, dst: S, sport: 40000, dport: 80, seq: 2, ack: 101, flags: 0x10 }) },
  { sec: 1_600_000_003, sub: 0, data: tcpPacket({ src: C, dst: S, sport: 40000, dport: 80, seq: 2, ack: 101, flags: 0x18, payload: bytes('Hi all, evil here') }) },
]);
const rules =
  'alert tcp any any -> any any (msg:"alert"; content:"Hi all"; sid:1;)\n' +
  'pass tcp any any -> any any (msg:"pass"; content:"evil"; sid:2;)\n' +
  'drop tcp any any -> any any (msg:"drop"; content:"Hi all"; sid:3;)\n' +
  'reject tcp any any -> any any (msg:"reject"; content:"here"; sid:4;)\n';

async function sids(mode: ReplayMode, actionOrder?: string[], text = rules): Promise<number[]> {
  const prepared = prepareRules({ ruleTexts: [{ file: 't.rules', text }] });
  const out: number[] = [];
  const r = new Replayer(prepared.detector, { mode, actionOrder: actionOrder as never });
  await r.replay(capture, 't.pcap', (a) => out.push(a.rule.sid));
  return out.sort();
}

describe('action order', () => {
  for (const mode of ['packet', 'stream'] as ReplayMode[]) {
    it(`${mode}: the default (pass, drop, reject, alert) lets a pass rule silence every other rule`, async () => {
      expect(await sids(mode)).toEqual([]);
      // Without the pass rule, drop, reject and alert rules are all reported.
      expect(await sids(mode, undefined, rules.split('\n').filter((l) => !l.startsWith('pass')).join('\n'))).toEqual([1, 3, 4]);
    });

    it(`${mode}: drop, pass, reject, alert reports the drop rule only`, async () => {
      expect(await sids(mode, ['drop', 'pass', 'reject', 'alert'])).toEqual([3]);
    });

    it(`${mode}: alert, reject, pass, drop reports the alert and reject rules`, async () => {
      expect(await sids(mode, ['alert', 'reject', 'pass', 'drop'])).toEqual([1, 4]);
    });
  }

  it('an order that does not name each class once is a usage error', () => {
    const prepared = prepareRules({ ruleTexts: [{ file: 't.rules', text: rules }] });
    expect(() => prepared.detector.setActionOrder(['pass', 'drop', 'alert'])).toThrow(UsageError);
    expect(() => prepared.detector.setActionOrder(['pass', 'drop', 'drop', 'alert'])).toThrow(UsageError);
  });

  it('replay --action-order: checked, and given to the replay', async () => {
    await expect(run(['--action-order', 'pass,alert', '--rules', 'x.rules', '--pcap', 'x.pcap'])).rejects.toThrow(
      /--action-order must list pass, drop, reject and alert/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'action-order-'));
    writeFileSync(join(dir, 't.rules'), rules);
    writeFileSync(join(dir, 't.pcap'), capture);
    const argv = ['--rules', join(dir, 't.rules'), '--pcap', join(dir, 't.pcap'), '--no-progress', '--format', 'json'];
    const sidsOf = (out: string): number[] => out.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { sid: number }).sid).sort();
    expect(sidsOf((await captureRun(run, argv)).out)).toEqual([]);
    expect(sidsOf((await captureRun(run, [...argv, '--action-order', 'drop,pass,reject,alert'])).out)).toEqual([3]);
  });
});
