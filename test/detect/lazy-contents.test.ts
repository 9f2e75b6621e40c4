/**
 * Contents that are no rule's key are left out of packet decisions' automaton scans and
 * found on demand by the evaluator (`lazy-contents.ts`), and each kind of packet decision
 * skips the signatures no rule could use there. Checked against a direct search and
 * against the detector's own full decision (`inspect`: every signature scanned, nothing
 * lazy) on random payloads, with negated, nocase, relative and flow-directed contents.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findContent, lazyContent } from '../../src/detect/lazy-contents.js';
import { RuleDetector, type InspectedPacket } from '../../src/detect/detect.js';
import { StreamBudget } from '../../src/detect/stream-state.js';
import { flowMatches, packetMatches } from '../../src/detect/predicates.js';
import { loadRuleTexts } from '../../src/rules/index.js';

const alphabet = [0x61, 0x62, 0x41, 0x42, 0x20, 0x00, 0x3a];
const bytesArb = (min: number, max: number): fc.Arbitrary<Uint8Array> =>
  fc.array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max }).map((a) => Uint8Array.from(a));

function naive(content: Uint8Array, nocase: boolean, payload: Uint8Array): number[] {
  const fold = (b: number): number => (nocase && b >= 0x41 && b <= 0x5a ? b + 0x20 : b);
  const out: number[] = [];
  for (let p = 0; p + content.length <= payload.length; p++) {
    let k = 0;
    while (k < content.length && fold(payload[p + k]) === fold(content[k])) k++;
    if (k === content.length) out.push(p + content.length);
  }
  return out;
}

describe('lazy contents', () => {
  it('findContent gives every occurrence, with and without nocase (property)', () => {
    fc.assert(
      fc.property(bytesArb(1, 4), fc.boolean(), bytesArb(0, 40), (content, nocase, payload) => {
        const out: number[] = [];
        findContent(lazyContent(content, nocase), payload, out);
        expect(out).toEqual(naive(content, nocase, payload));
      }),
      { numRuns: 500 },
    );
  });

  it('packet decisions (skip hints, lazy contents) fire the same rules as the explicit NFA without prefilter (property)', () => {
    let firedInAll = 0;
    const hex = (b: Uint8Array): string => `|${Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ')}|`;
    const ruleArb = fc.record({
      key: bytesArb(3, 4),
      other: bytesArb(1, 2),
      nocase: fc.boolean(),
      negated: fc.boolean(),
      relative: fc.boolean(),
      flow: fc.constantFrom('', 'flow:to_server;', 'flow:to_client;'),
    });
    fc.assert(
      fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 6 }), fc.array(fc.array(fc.tuple(fc.nat(), bytesArb(0, 6)), { maxLength: 6 }), { minLength: 1, maxLength: 6 }), (specs, pieces) => {
        // Payloads made of the rules' own contents and random bytes, so that rules fire.
        const payloads = pieces.map((list) => {
          const parts = list.flatMap(([k, junk]) => {
            const r = specs[k % specs.length];
            return [k % 3 === 0 ? r.key : r.other, junk];
          });
          return Uint8Array.from(parts.flatMap((b) => Array.from(b)));
        });
        const text = specs
          .map((r, i) => {
            const other = `content:${r.negated ? '!' : ''}"${hex(r.other)}";${r.nocase ? ' nocase;' : ''}${r.relative ? ' distance:0;' : ''}`;
            return `alert tcp any any -> any any (msg:"r${i}"; ${r.flow} content:"${hex(r.key)}"; ${other} sid:${i + 1};)`;
          })
          .join('\n');
        const { rules } = loadRuleTexts([{ file: 'lazy.rules', text }]);
        const d = RuleDetector.build(rules);
        // The reference: every signature scanned by the plain explicit NFA, nothing skipped or lazy.
        const ref = RuleDetector.build(rules, { engine: 'nfa' });
        for (const payload of payloads) {
          for (const toServer of [true, false]) {
            const packet = {
              ipVersion: 4, protocol: 6, srcAddr: Uint8Array.of(10, 0, 0, 1), dstAddr: Uint8Array.of(10, 0, 0, 2), srcPort: 1234, dstPort: 80,
              tcpFlags: 0x18, seq: 0, ack: 0, window: 0, icmpType: 0, icmpCode: 0, payloadLength: payload.length, payload,
            } satisfies InspectedPacket;
            const flow = { toServer, established: true, stream: false };
            const reported: number[] = [];
            d.decidePacket(packet, undefined, toServer, true, false, (r) => void reported.push(d.program.rules[r].sid ?? 0));
            const expected = ref
              .firedRules(payload, (r) => packetMatches(ref.program.rules[r], packet) && flowMatches(ref.program.rules[r], flow))
              .map((r) => r.sid ?? 0);
            expect(reported.sort()).toEqual(expected.sort());
            firedInAll += expected.length;
          }
        }
      }),
      { numRuns: 200 },
    );
    expect(firedInAll).toBeGreaterThan(0);
  });

  it('stream decisions across packet boundaries fire as the explicit NFA without prefilter does', () => {
    // A gated content split over two packets, its gate in the second (found by review).
    const { rules } = loadRuleTexts([
      { file: 's.rules', text: 'alert tcp any any -> any any (msg:"r1"; content:"|01 02 03 04 05 06 07 08 09 0a|"; depth:14; content:"gate"; sid:1;)' },
    ]);
    const enc = (t: string): Uint8Array => Uint8Array.from(t, (c) => c.charCodeAt(0));
    const str = '\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a';
    const packets = [enc(`....${str.slice(0, 8)}`), enc(`${str.slice(8)}...${str}...gate..`)];
    const fire = (d: RuleDetector): number[] => {
      const counters = { scannedBytes: 0, depthReached: 0, streamEvaluations: 0, scratchRefused: 0 };
      const flow = d.createFlowState(4, 6, Uint8Array.of(10, 0, 0, 1), 1234, Uint8Array.of(10, 0, 0, 2), 80, new StreamBudget(1 << 20, 1 << 24, counters));
      const dir = flow.dirs[0];
      const fired: number[] = [];
      const report = (r: number): void => void fired.push(d.program.rules[r].sid ?? 0);
      for (const p of packets) {
        d.streamChunk(dir);
        d.streamBytes(dir, p);
        d.streamInspect(flow, dir, true, report);
      }
      d.streamFinish(flow, dir, true, report);
      return fired;
    };
    const want = fire(RuleDetector.build(rules, { engine: 'nfa' }));
    expect(want).toEqual([1]);
    expect(fire(RuleDetector.build(rules))).toEqual(want);
  });
});
