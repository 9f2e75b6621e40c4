/**
 * Fuzzing the capture surface end to end (issue: reliability): the bundled traces, as
 * classic pcap and converted to pcapng, damaged (cut anywhere, bytes flipped, header and
 * record fields overwritten with extreme values, junk inserted) and replayed with a small
 * rule set in packet and stream mode. Each case gives a CaptureResult (no exception, within
 * its time bound) whose error, if any, is a PcapFormatError naming a byte offset in the input,
 * and the alerts decided on the packets before the damage are exactly the undamaged
 * capture's. (test/pcap/fuzz.test.ts fuzzes the reader alone.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyCaptureMutations, bundledCaptures, captureProperty, fuzzRuleSet, toPcapng, type BaseCapture } from '../../bench/lib/fuzz-surfaces.js';
import { parseCaptureBuffer } from '../../src/pcap/reader.js';
import { Replayer } from '../../src/replay/index.js';

const classic = bundledCaptures(13_000);
const bases: BaseCapture[] = [...classic, ...classic.slice(0, 3).map(toPcapng)];

describe('capture fuzzing (replay)', () => {
  it('the fixtures: the rule set alerts on the bundled traces, pcapng conversion is faithful', async () => {
    expect(classic.length).toBeGreaterThanOrEqual(4);
    let alerts = 0;
    for (const b of bases) {
      const parsed = parseCaptureBuffer(b.bytes);
      expect(parsed.error, b.name).toBeUndefined();
      expect(parsed.format).toBe(b.format === 'pcapng' ? 'pcapng' : 'pcap');
      expect(parsed.packets).toBe(b.records.length);
      expect(parsed.list.map((p) => p.fileOffset)).toEqual(b.records.map((r) => r[0]));
      const r = await new Replayer(fuzzRuleSet().detector, { mode: 'packet' }).replay(b.bytes, b.name, () => {});
      alerts += r.alerts;
    }
    expect(fuzzRuleSet().rejected).toEqual([]);
    expect(alerts).toBeGreaterThan(50); // enough alerts that losing some would show
  });

  it('the damage offset is exact (a cut on a record boundary damages nothing before it)', () => {
    const b = classic[0]!;
    const end = b.records[2]![1];
    expect(applyCaptureMutations(b, [{ kind: 'truncate', at: end }]).firstDamage).toBe(end);
    expect(applyCaptureMutations(b, [{ kind: 'flip', at: 5, xor: 1 }, { kind: 'flip', at: 5, xor: 1 }]).firstDamage).toBe(Infinity);
  });

  it('damaged captures: a CaptureResult, a PcapFormatError with its offset, no lost alerts before the damage', async () => {
    await fc.assert(captureProperty(bases, 'ci'), { numRuns: 400 });
  });

  it('damage confined to record k: every alert of packets 1..k-1 kept (packet mode, per record)', async () => {
    // Deterministic sweep: for each record of one capture, overwrite its caplen with an
    // extreme value or cut inside it; the property checks the alerts before it.
    const b = classic.find((c) => c.records.length >= 10)!;
    const prop = captureProperty([b], 'ci');
    for (let k = 0; k < b.records.length; k++) {
      for (const m of [
        { kind: 'field' as const, record: k, field: 8, value: 0xffffffff },
        { kind: 'field' as const, record: k, field: 8, value: 0 },
        { kind: 'truncate' as const, at: b.records[k]![0] + 7 },
        { kind: 'truncate' as const, at: b.records[k]![0] },
      ]) {
        const out = await prop.run([b, [m], 'packet', false]);
        expect(out, `record ${k}: ${JSON.stringify(m)}`).toBeNull();
      }
    }
  });
});
