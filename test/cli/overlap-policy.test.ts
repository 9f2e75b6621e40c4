/**
 * `replay --overlap-policy NAME`: an unknown name is bad usage (exit 2, the message names
 * the valid ones); a known one reaches the replay (the same capture, two policies, two
 * outcomes); the usage text lists every policy.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, usage } from '../../src/cli/replay.js';
import { UsageError } from '../../src/errors.js';
import { OVERLAP_POLICIES } from '../../src/flow/index.js';
import { bytes, pcapFile, tcpPacket } from '../pcap/build.js';
import { captureRun } from './capture.js';

const bin = join(import.meta.dirname, '../../bin/nfa-obdd.js');

/**
 * Client 10.0.0.1:40000 → 10.0.0.2:80 after a handshake: a hole at 101..102, then
 * "ILxx" at 105 (held), then "EVXX" at 103 (starts before the held segment: under bsd and
 * last its "XX" replaces the held "IL"; under first and vista it does not), then "ab"
 * filling the hole. The stream is "abEVILxx" (first) or "abEVXXxx" (bsd).
 */
function capture(): Uint8Array {
  const segs = [
    { c: true, flags: 0x02, seq: 100, data: '' },
    { c: false, flags: 0x12, seq: 500, data: '' },
    { c: true, flags: 0x10, seq: 101, data: '' },
    { c: true, flags: 0x18, seq: 105, data: 'ILxx' },
    { c: true, flags: 0x18, seq: 103, data: 'EVXX' },
    { c: true, flags: 0x18, seq: 101, data: 'ab' },
  ];
  return pcapFile(
    segs.map((s, i) => ({
      sec: 1_600_000_000 + i,
      sub: 0,
      data: tcpPacket({
        src: s.c ? [10, 0, 0, 1] : [10, 0, 0, 2],
        dst: s.c ? [10, 0, 0, 2] : [10, 0, 0, 1],
        sport: s.c ? 40000 : 80,
        dport: s.c ? 80 : 40000,
        seq: s.seq,
        ack: s.c ? 501 : 101,
        flags: s.flags,
        payload: bytes(s.data),
      }),
    })),
  );
}

describe('replay --overlap-policy', () => {
  it('an unknown name is bad usage naming the valid ones', async () => {
    const err = await run(['--default', '--overlap-policy', 'bogus']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    for (const p of OVERLAP_POLICIES) expect((err as Error).message).toContain(p);
    expect((err as Error).message).toContain("'bogus'");
  });

  it('exits 2 from the command line', () => {
    const r = spawnSync(process.execPath, [bin, 'replay', '--default', '--overlap-policy', 'bogus'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--overlap-policy must be one of first, last, bsd, .*windows2k3; not 'bogus'/);
  });

  it('the usage lists every policy', () => {
    const text = usage.replace(/\s+/g, ' ');
    for (const p of OVERLAP_POLICIES) expect(text).toMatch(new RegExp(`[ :,]${p}[,) ]`));
  });

  it('the policy reaches the stream: first keeps the held copy, bsd and last take the new one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfa-obdd-overlap-'));
    writeFileSync(join(dir, 'c.pcap'), capture());
    writeFileSync(join(dir, 't.rules'), 'alert tcp any any -> any 80 (msg:"evil"; flow:established,to_server; content:"EVIL"; sid:1;)\n' +
      'alert tcp any any -> any 80 (msg:"evxx"; flow:established,to_server; content:"EVXX"; sid:2;)\n');
    const sidsWith = async (policy: string | undefined): Promise<string> => {
      const r = await captureRun(run, ['--rules', join(dir, 't.rules'), '--pcap', join(dir, 'c.pcap'), '--stream', '--no-progress', '--format', 'json',
        ...(policy === undefined ? [] : ['--overlap-policy', policy])]);
      expect(r.code).toBe(0);
      return r.out.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { sid: number }).sid).join(',');
    };
    expect(await sidsWith('first')).toBe('1'); // "abEVILxx": the held "IL" stays
    expect(await sidsWith('bsd')).toBe('2'); // "abEVXXxx": the new segment starts before the held one
    expect(await sidsWith('last')).toBe('2');
    expect(await sidsWith('vista')).toBe('1');
    expect(await sidsWith(undefined)).toBe('2'); // default bsd
  });
});
