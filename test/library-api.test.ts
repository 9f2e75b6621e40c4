/**
 * The README's library example, imported by package name as a user would: compile once,
 * one scratch per stream, matches through a callback, a signature spanning two chunks.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  aggregateWarnings, CallbackError, compile, Decoder, loadRuleFiles, parseCaptureBuffer, prepareRules, Replayer, RuleDetector, scanBlock,
  ScanArgumentError, selectRules, UnsupportedFeatureError, type EngineName,
} from 'nfa-obdd';

describe('library API: the replay layer is exported', () => {
  it('prepareRules + Replayer replay a bundled capture and report warnings as data', async () => {
    const prepared = prepareRules({ ruleTexts: [{ file: 'x.rules', text: 'alert tcp any any -> any any (msg:"t"; content:"HTTP"; frobnicate:1; sid:1;)' }] });
    expect(aggregateWarnings(prepared.warnings).join('\n')).toMatch(/frobnicate/);
    const alerts: number[] = [];
    const rp = new Replayer(prepared.detector);
    const file = new URL('../traces/pcap/', import.meta.url);
    const { readdirSync } = await import('node:fs');
    const pcap = readdirSync(file).find((f) => f.endsWith('.pcap'))!;
    await rp.replay(new URL(pcap, file).pathname, pcap, (a) => void alerts.push(a.rule.sid ?? 0));
    expect(rp.stats.packets).toBeGreaterThan(0);
  });
});

describe('library API (README example)', () => {
  for (const engine of ['obdd', 'obdd2', 'nfa', 'dfa'] as EngineName[]) {
    it(`${engine}: compile once, stream two chunks, report (signature, end)`, () => {
      const { matcher, rejected } = compile(
        ['/uid=\\d+\\(root\\)/', '/^GET \\/[a-z]+\\.php/i', { content: 'passwd', nocase: true }, '/a(?R)?b/'],
        { engine },
      );
      expect(rejected.map((r) => r.signature)).toEqual([3]);
      expect(rejected[0]!.error).toBeInstanceOf(UnsupportedFeatureError);

      const scratch = matcher.createScratch(); // one per flow/stream direction
      const hits: Array<[number, number]> = [];
      const onMatch = (sig: number, end: number): void => void hits.push([sig, end]);
      const enc = new TextEncoder();
      matcher.scan(scratch, enc.encode('GET /Index.PHP?f=/etc/PASS'), onMatch);
      matcher.scan(scratch, enc.encode('WD HTTP/1.0\r\n\r\nuid=0(root)'), onMatch);
      matcher.finish(scratch, onMatch);
      expect(hits).toEqual([
        [1, 14],
        [2, 28],
        [0, 52],
      ]);
      expect(scratch.offset).toBe(0); // finish resets the stream
    });
  }
});

describe('library API (README: scanBlock, misuse, the rules API)', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const library = readme.slice(readme.indexOf('## Library'), readme.indexOf('## Engines'));

  it('scanBlock returns the matches of one buffer; misuse gives typed errors', () => {
    expect(library).toContain('scanBlock(matcher, payload)');
    const { matcher } = compile(
      ['/uid=\\d+\\(root\\)/', '/^GET \\/[a-z]+\\.php/i', { content: 'passwd', nocase: true }, '/a(?R)?b/'],
      { engine: 'obdd' },
    );
    const payload = new TextEncoder().encode('GET /x.php?f=/etc/passwd');
    expect(scanBlock(matcher, payload)).toEqual([
      { signature: 1, end: 10 },
      { signature: 2, end: 24 },
    ]);
    expect(scanBlock(matcher, payload, { mode: 'set', limit: 1 })).toEqual([{ signature: 1, end: 10 }]);
    const scratch = matcher.createScratch();
    expect(() => matcher.scan(scratch, 'GET /x.php' as unknown as Uint8Array, () => {})).toThrow(ScanArgumentError);
    expect(() => matcher.scan(scratch, payload, () => {
      throw new Error('boom');
    })).toThrow(CallbackError);
    expect(matcher.scan(scratch, payload, () => true)).toBe(true);
    expect(matcher.finish(scratch, () => {})).toBe(true);
  });

  it('the rules example: load, build, decide on a payload and on the packets of a capture', () => {
    expect(library).toContain('RuleDetector.build(rules');
    expect(library).toContain('detector.inspectPacket(decoder.out');
    const root = new URL('../', import.meta.url).pathname;
    const { rules, rejected } = loadRuleFiles([`${root}traces/rules/emerging-attack_response.rules`]);
    expect(rules.length).toBeGreaterThan(0);
    expect(rejected.every((r) => r.error.message.includes('emerging-attack_response.rules:'))).toBe(true);
    expect(selectRules(rules, 'http').length).toBeLessThan(rules.length);
    const detector = RuleDetector.build(rules, { engine: 'nfa' });
    const sids = detector.firedRules(new TextEncoder().encode('HTTP/1.1 200 OK\r\n\r\nuid=0(root) gid=0(root)')).map((r) => r.sid);
    expect(sids).toEqual([2100498]);
    const capture = parseCaptureBuffer(readFileSync(`${root}traces/pcap/testmyids.pcap`));
    const decoder = new Decoder();
    const alerts: string[] = [];
    for (const packet of capture.list) {
      decoder.decode(packet);
      detector.inspectPacket(decoder.out, (r) => void alerts.push(`${detector.rules[r].sid} ${detector.rules[r].msg}`));
    }
    expect(alerts).toEqual(['2019284 ET ATTACK_RESPONSE Output of id command from HTTP server', '2100498 GPL ATTACK_RESPONSE id check returned root']);
    expect(library).toContain(alerts[0]);
    expect(library).toContain(alerts[1]);
  });
});
