/**
 * The rule pipeline end to end at the payload level: rules → one combined automaton per
 * engine → (signature, end) events → rule semantics. Every available engine must fire the
 * same rules. The capture test reads http/testmyids.pcap (packet mode, no replay CLI yet).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { ENGINE_NAMES } from '../../src/compile.js';
import type { EngineName } from '../../src/matcher/types.js';
import { Decoder } from '../../src/pcap/decode.js';
import { parseCaptureBuffer } from '../../src/pcap/reader.js';
import { RuleDetector } from '../../src/detect/detect.js';
import { parseRules } from '../../src/rules/parse.js';
import { sharedPath } from '../support/shared-data.js';

const RULES = [
  'alert ip any any -> any any (msg:"GPL ATTACK_RESPONSE id check returned root"; content:"uid=0|28|root|29|"; fast_pattern:only; classtype:bad-unknown; sid:2100498; rev:8;)',
  'alert tcp any any -> any any (msg:"relative chain"; content:"HTTP/1."; depth:7; content:"200"; distance:2; within:3; sid:1;)',
  'alert tcp any any -> any any (msg:"relative pcre anchored"; content:"Content-Type|3a|"; pcre:"/^\\s*text\\/html/R"; sid:2;)',
  'alert tcp any any -> any any (msg:"negated"; content:"uid=0"; content:!"gid=0"; sid:3;)',
  'alert tcp any any -> any any (msg:"nocase pcre"; pcre:"/server:\\s+apache/i"; sid:4;)',
  'alert tcp any any -> any any (msg:"never"; content:"uid=0|28|root|29|"; offset:1000; sid:5;)',
  'alert tcp any any -> any 80 (msg:"to port 80 only"; content:"uid=0"; sid:6;)',
  'alert tcp any any -> any any (msg:"small packets (dsize is checked by the caller)"; content:"uid=0"; dsize:<10; sid:7;)',
  'alert tcp any any -> any any (msg:"PSH+ACK from port 80 with data"; flags:PA; isdataat:100; sid:8;)',
].join('\n');

const payload = new TextEncoder().encode(
  'HTTP/1.1 200 OK\r\nServer:   Apache\r\nContent-Type: text/html; charset=UTF-8\r\n\r\nuid=0(root) gid=0(root) groups=0(root)\n',
);

function detectors(): [EngineName, RuleDetector][] {
  const { rules, rejected } = parseRules(RULES);
  expect(rejected).toEqual([]);
  const out: [EngineName, RuleDetector][] = [];
  for (const engine of ENGINE_NAMES) {
    try {
      out.push([engine, RuleDetector.build(rules, { engine })]);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e; // engine not in this build yet
    }
  }
  return out;
}

describe('RuleDetector', () => {
  const all = detectors();

  it('has at least the nfa engine', () => {
    expect(all.map(([e]) => e)).toContain('nfa');
  });

  it('forks share the program and matcher but not the scan state', () => {
    const d = all[0][1];
    const f = d.fork();
    expect(f.program).toBe(d.program);
    expect(f.matcher).toBe(d.matcher);
    expect(f.collector).not.toBe(d.collector);
    expect(f.firedRules(payload).map((r) => r.sid)).toEqual(d.firedRules(payload).map((r) => r.sid));
  });

  it('fires the same rules on a payload with every engine', () => {
    for (const [engine, d] of all) {
      expect(d.rejected, engine).toEqual([]);
      // firedRules checks patterns only (no packet): header, dsize and flags are not asked.
      const sids = d.firedRules(payload).map((r) => r.sid);
      expect(sids, engine).toEqual([2100498, 1, 2, 4, 6, 7, 8]);
      const sids2 = d.firedRules(new TextEncoder().encode('nothing here uid=0')).map((r) => r.sid);
      expect(sids2, engine).toEqual([3, 6, 7, 8]);
    }
  });

  const pcap = sharedPath('traces/zeek/http/testmyids.pcap');
  it.skipIf(!existsSync(pcap))('fires GPL ATTACK_RESPONSE on testmyids.pcap with every engine (packet mode)', () => {
    const cap = parseCaptureBuffer(new Uint8Array(readFileSync(pcap)));
    expect(cap.list.length).toBeGreaterThan(0);
    const dec = new Decoder();
    const byEngine = new Map<EngineName, string[]>();
    for (const [engine, d] of all) {
      const alerts: string[] = [];
      cap.list.forEach((pkt, i) => {
        dec.decode(pkt);
        d.inspectPacket(dec.out, (r) => alerts.push(`${i + 1}:${d.rules[r].sid}`));
      });
      expect(alerts.filter((a) => a.endsWith(':2100498')), engine).toHaveLength(1);
      // The response packet carries PSH+ACK and > 100 bytes; the port-80 rule and the
      // dsize rule must not fire on it (server → client, large payload).
      expect(alerts.some((a) => a.endsWith(':8')), engine).toBe(true);
      expect(alerts.some((a) => a.endsWith(':6') || a.endsWith(':7')), engine).toBe(false);
      byEngine.set(engine, alerts);
    }
    const first = byEngine.get('nfa');
    for (const [engine, alerts] of byEngine) expect(alerts, engine).toEqual(first);
  });
});
