/**
 * What `replay` tells its user while it works (issue 18): progress phases on stderr
 * (`--progress` on a non-terminal: newline-terminated lines), alerts streamed so that
 * SIGINT/SIGTERM keep them and print the summary (exit 130/143), and warnings for an empty
 * rule set, unknown rule options and undecodable link types, the same information
 * structured for library callers. The CLI is spawned as a user runs it (stderr is a pipe,
 * not a terminal).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run as info } from '../../src/cli/info.js';
import { run } from '../../src/cli/replay.js';
import { Progress } from '../../src/cli/progress.js';
import { aggregateWarnings, prepareRules, Replayer } from '../../src/replay/index.js';
import { DECODED_LINK_TYPES, decodePacket, DecodedPacket, DecodeStatus } from '../../src/pcap/index.js';
import { parseRules } from '../../src/rules/index.js';
import { bytes, pcapFile, tcpPacket } from '../pcap/build.js';
import { captureRun } from './capture.js';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/nfa-obdd.js');
const dir = mkdtempSync(join(tmpdir(), 'nfa-obdd-feedback-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

const RULE = 'alert tcp any any -> any any (msg:"root"; content:"uid=0(root)"; sid:1; rev:1;)\n';

/** A classic pcap of `n` TCP packets; every `every`-th one carries "uid=0(root)". */
function bigCapture(n: number, every: number): Uint8Array {
  const one = (payload: string): Uint8Array => pcapFile([{ data: tcpPacket({ payload: bytes(payload) }) }]).subarray(24);
  const hit = one('xx uid=0(root) gid=0(root)');
  const miss = one('xx nothing to see here, move on');
  const header = pcapFile([]);
  const out = new Uint8Array(header.length + n * Math.max(hit.length, miss.length));
  out.set(header, 0);
  let o = header.length;
  for (let i = 0; i < n; i++) {
    const r = i % every === 0 ? hit : miss;
    out.set(r, o);
    o += r.length;
  }
  return out.subarray(0, o);
}

interface Spawned {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/** Runs the CLI to its end (stdin closed unless `input` is given). */
function cli(args: string[], input = ''): Spawned {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', input });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

/**
 * Runs the CLI, waits until it has written an alert line (it is replaying), then sends
 * `sig`; resolves when it has ended. No timing: the signal goes after what it waits for.
 */
function interrupt(args: string[], sig: NodeJS.Signals): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let sent = false;
    const maybeSend = (): void => {
      if (!sent && out.includes('\n')) {
        sent = true;
        child.kill(sig);
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      maybeSend();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      maybeSend();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
}

describe('replay --progress on a non-terminal', () => {
  it('prints one newline-terminated line per phase: loading rules, compiling, replaying, and no \\r', () => {
    const r = cli(['replay', '--default', '--progress', '--quiet']);
    expect(r.code).toBe(0);
    const lines = r.err.split('\n').filter((l) => l.startsWith('progress: '));
    expect(lines[0]).toMatch(/^progress: loading rules: 3 files$/);
    expect(lines[1]).toMatch(/^progress: compiling 631 rules \(engine nfa\)$/);
    expect(lines[2]).toMatch(/^progress: compiled in .*: 631 active rules/);
    expect(lines[3]).toMatch(/^progress: replaying 9 captures, [\d.]+ KiB \(packet mode\)$/);
    expect(lines[lines.length - 1]).toMatch(/^progress: replayed 100% \(.* of .*\), .*\/s, 473 packets, 5 alerts/);
    expect(r.err).not.toContain('\r');
    // the phases come before the summary
    expect(r.err.indexOf('progress: replayed')).toBeLessThan(r.err.indexOf('replay: engine'));
  });

  it('without --progress a non-terminal gets no progress; --no-progress with --progress is bad usage', () => {
    const r = cli(['replay', '--default', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.err).not.toContain('progress:');
    expect(cli(['replay', '--default', '--progress', '--no-progress']).code).toBe(2);
  });

  it('tty mode redraws one line, and a note clears it and redraws it below (unit)', () => {
    let text = '';
    const stream = { write: (s: string) => ((text += s), true), columns: 80 } as unknown as NodeJS.WritableStream;
    const p = new Progress('tty', stream);
    p.phase('load', 'loading rules');
    p.note('nfa-obdd replay: warning: x\n');
    p.end();
    expect(text).toBe('\r\x1b[Kloading rules\r\x1b[Knfa-obdd replay: warning: x\nloading rules\r\x1b[K');
    text = '';
    const q = new Progress('lines', stream);
    q.phase('a', 'one');
    q.phase('a', 'one again');
    q.update(() => 'status'); // within 10 s of the phase line: not shown
    q.phase('b', 'two');
    expect(text).toBe('progress: one\nprogress: two\n');
  });
});

describe('replay interrupted', () => {
  const rules = file('root.rules', RULE);
  const big = file('big.pcap', bigCapture(100_000, 50));
  const args = ['replay', '--rules', rules, '--pcap', ...Array.from({ length: 40 }, () => big), '--format', 'json'];

  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${sig}: the alerts so far are written in full, the summary says interrupted, exit ${code}`, async () => {
      const r = await interrupt(args, sig);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(code);
      expect(r.err).toMatch(new RegExp(`INTERRUPTED by ${sig}: \\d+ of 40 capture\\(s\\) replayed in full`));
      expect(r.out.endsWith('\n')).toBe(true);
      const lines = r.out.trimEnd().split('\n');
      for (const l of lines) expect((JSON.parse(l) as { sid: number }).sid).toBe(1);
      // every alert counted in the summary reached stdout
      const summary = /^alerts: (\d+)/m.exec(r.err);
      expect(Number(summary?.[1])).toBe(lines.length);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.length).toBeLessThan(40 * 2000);
    });
  }
});

describe('replay warnings', () => {
  it('an unknown rule option is named with file:line; repeated, it is one line with a count', async () => {
    const one = file('one.rules', `# a comment\n${RULE.replace('sid:1;', 'frobnicate:1; sid:7;')}`);
    const r = await captureRun(run, ['--rules', one, '--pcap', join(root, 'traces/pcap/testmyids.pcap'), '--quiet']);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`nfa-obdd replay: warning: ${one}:2: sid 7: unknown rule option 'frobnicate' (ignored)`);

    const three = file('three.rules', [1, 2, 3].map((i) => RULE.replace('sid:1;', `frobnicate:${i}; sid:${i};`)).join(''));
    const r3 = await captureRun(run, ['--rules', three, '--pcap', join(root, 'traces/pcap/testmyids.pcap'), '--quiet']);
    expect(r3.err).toContain(`warning: unknown rule option 'frobnicate' in 3 rules (ignored), first at ${three}:1; --verbose lists them\n`);
    expect(r3.err.match(/frobnicate/g)).toHaveLength(1);
  });

  it('library: parseRules and prepareRules give the warnings as data; known options give none', () => {
    const text = RULE.replace('sid:1;', 'frobnicate:1; sid:9;') + RULE.replace('sid:1;', 'ttl:64; byte_extract:1,0,x; sid:10;');
    const parsed = parseRules(text, { file: 'x.rules' });
    expect(parsed.rules).toHaveLength(2);
    expect(parsed.warnings).toEqual([
      { kind: 'unknown-option', option: 'frobnicate', file: 'x.rules', line: 1, sid: 9, message: "x.rules:1: sid 9: unknown rule option 'frobnicate' (ignored)" },
    ]);
    const prepared = prepareRules({ ruleTexts: [{ file: 'x.rules', text }], engine: 'nfa' });
    expect(prepared.warnings.map((w) => w.kind)).toEqual(['unknown-option']);
    expect(aggregateWarnings(prepared.warnings)).toEqual(["x.rules:1: sid 9: unknown rule option 'frobnicate' (ignored)"]);
    expect(prepareRules({ ruleFiles: [join(root, 'traces/rules/emerging-ftp.rules')], includeDisabled: true }).warnings).toEqual([]);
  });

  it('an empty rule set warns: --rules - on a closed stdin, all rules commented out, nothing selected', () => {
    const capture = join(root, 'traces/pcap/testmyids.pcap');
    const stdin = cli(['replay', '--rules', '-', '--pcap', capture, '--quiet']);
    expect(stdin.code).toBe(0);
    expect(stdin.err).toContain("nfa-obdd replay: warning: empty rule set: no rules in stdin ('-')");

    const disabled = file('disabled.rules', `# ${RULE}`);
    const d = cli(['replay', '--rules', disabled, '--pcap', capture, '--quiet']);
    expect(d.err).toContain('warning: empty rule set: all 1 rules in');
    expect(d.err).toContain('are commented out (--include-disabled loads them)');

    const rules = file('one-rule.rules', RULE);
    const s = cli(['replay', '--rules', rules, '--pcap', capture, '--quiet', '--select', 'sid=5']);
    expect(s.err).toContain("warning: empty rule set: the selector 'sid=5' kept none of the 1 loaded rules");

    const ok = cli(['replay', '--rules', rules, '--pcap', capture, '--quiet']);
    expect(ok.err).not.toContain('warning');

    const lib = prepareRules({ ruleTexts: [{ file: 'empty.rules', text: '# nothing\n' }] });
    expect(lib.warnings).toEqual([{ kind: 'empty-rule-set', reason: 'no-rules', message: "empty rule set: no rules in rule file 'empty.rules'" }]);
    const two = prepareRules({ ruleTexts: [{ file: 'a.rules', text: RULE }, { file: 'b.rules', text: '' }] });
    expect(two.warnings).toEqual([{ kind: 'empty-rule-file', file: 'b.rules', message: "rule file 'b.rules' holds no rules" }]);
    const three = prepareRules({ ruleTexts: [{ file: 'a.rules', text: RULE }, { file: 'b.rules', text: '' }, { file: 'c.rules', text: '#' }] });
    expect(aggregateWarnings(three.warnings)).toEqual(["2 rule files hold no rules, first 'b.rules'"]);
  });

  it('a link type the decoder cannot read is named with the capture; repeated over captures, one line with counts', async () => {
    const packet = { data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) };
    const odd = file('odd-link.pcap', pcapFile([packet, packet, packet], { linkType: 147 }));
    const rules = file('link.rules', RULE);
    const r = await captureRun(run, ['--rules', rules, '--pcap', odd, '--quiet']);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`nfa-obdd replay: warning: ${odd}: link type LINKTYPE_147 (147) is not decoded: 3 packets skipped`);
    expect(r.err).toContain('3 not decodable to IP');

    const r2 = await captureRun(run, ['--rules', rules, '--pcap', odd, odd, '--quiet']);
    expect(r2.err).toContain('warning: link type LINKTYPE_147 (147) is not decoded: 6 packets skipped in 2 captures, first');

    const prepared = prepareRules({ ruleTexts: [{ file: 'r', text: RULE }], engine: 'nfa' });
    const res = await new Replayer(prepared.detector).replay(odd, 'odd.pcap', () => {});
    expect(res.warnings).toEqual([
      { kind: 'unsupported-link-type', file: 'odd.pcap', linkType: 147, linkName: 'LINKTYPE_147', packets: 3, message: 'odd.pcap: link type LINKTYPE_147 (147) is not decoded: 3 packets skipped' },
    ]);
    const eth = await new Replayer(prepared.detector).replay(join(root, 'traces/pcap/testmyids.pcap'), 't', () => {});
    expect(eth.warnings).toEqual([]);
  });

  it('info marks the link type and warns; DECODED_LINK_TYPES is what the decoder reads', async () => {
    const odd = file('odd-info.pcap', pcapFile([{ data: Uint8Array.from([1, 2, 3]) }], { linkType: 147 }));
    const r = await captureRun(info, [odd]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('link types: LINKTYPE_147 (not decoded)');
    expect(r.err).toContain(`nfa-obdd info: warning: ${odd}: link type LINKTYPE_147 (147) is not decoded`);
    const out = new DecodedPacket();
    for (let t = 0; t < 300; t++) {
      expect(decodePacket(t, new Uint8Array(64), out) !== DecodeStatus.UNSUPPORTED_LINK, `link type ${t}`).toBe(DECODED_LINK_TYPES.has(t));
    }
  });
});
