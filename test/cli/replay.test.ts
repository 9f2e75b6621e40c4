/**
 * The replay: library level (`src/replay`) on hand-built TCP sessions, where the expected
 * alerts follow from the packets, and the CLI on the bundled traces.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/replay.js';
import { UsageError } from '../../src/errors.js';
import type { EngineName } from '../../src/matcher/types.js';
import { formatFast } from '../../src/replay/format.js';
import { prepareRules, Replayer, type Alert, type ReplayMode } from '../../src/replay/index.js';
import { bytes, pcapFile, tcpPacket } from '../pcap/build.js';
import { captureRun, type Captured } from './capture.js';

const C = [10, 0, 0, 1];
const S = [10, 0, 0, 2];
const SYN = 0x02;
const ACK = 0x10;
const PSH_ACK = 0x18;
const SYN_ACK = 0x12;

interface Seg {
  fromClient: boolean;
  flags: number;
  seq: number;
  ack?: number;
  data?: string;
}

/** A capture of one client (10.0.0.1:40000) ↔ server (10.0.0.2:80) conversation. */
function session(segs: readonly Seg[]): Uint8Array {
  return pcapFile(
    segs.map((s, i) => ({
      sec: 1_600_000_000 + i,
      sub: 250_000,
      data: tcpPacket({
        src: s.fromClient ? C : S,
        dst: s.fromClient ? S : C,
        sport: s.fromClient ? 40000 : 80,
        dport: s.fromClient ? 80 : 40000,
        seq: s.seq,
        ack: s.ack ?? 0,
        flags: s.flags,
        payload: bytes(s.data ?? ''),
      }),
    })),
  );
}

const handshake: Seg[] = [
  { fromClient: true, flags: SYN, seq: 100 },
  { fromClient: false, flags: SYN_ACK, seq: 500, ack: 101 },
  { fromClient: true, flags: ACK, seq: 101, ack: 501 },
];

async function replay(rules: string, capture: Uint8Array, mode: ReplayMode, engine: EngineName = 'nfa'): Promise<Alert[]> {
  const prepared = prepareRules({ ruleTexts: [{ file: 'test.rules', text: rules }], engine });
  expect(prepared.rejected).toEqual([]);
  const alerts: Alert[] = [];
  const res = await new Replayer(prepared.detector, { mode }).replay(capture, 'test.pcap', (a) => alerts.push(a));
  expect(res.error).toBeUndefined();
  return alerts;
}

const sids = (alerts: Alert[]): string[] => alerts.map((a) => `${a.rule.sid}@${a.packet}`);

describe('replay (library)', () => {
  const split = session([
    ...handshake,
    { fromClient: true, flags: PSH_ACK, seq: 101, ack: 501, data: 'GET /evil' },
    { fromClient: true, flags: PSH_ACK, seq: 110, ack: 501, data: 'payload HTTP/1.0\r\n\r\n' },
  ]);
  const rules = 'alert tcp any any -> any 80 (msg:"split"; flow:established,to_server; content:"evilpayload"; sid:1; rev:2;)\n';

  it('a pattern split across two segments: missed in packet mode, found in stream mode, same with every engine', async () => {
    for (const engine of ['nfa', 'obdd', 'regexp'] as EngineName[]) {
      expect(sids(await replay(rules, split, 'packet', engine))).toEqual([]);
      const alerts = await replay(rules, split, 'stream', engine);
      expect(sids(alerts)).toEqual(['1@5']);
      expect(alerts[0]).toMatchObject({ src: '10.0.0.1', sport: 40000, dst: '10.0.0.2', dport: 80, toServer: true, stream: true, offsets: [16] }); // "GET /evil" + "payload"
    }
  });

  it('stream mode reassembles out-of-order segments', async () => {
    const ooo = session([
      ...handshake,
      { fromClient: true, flags: PSH_ACK, seq: 110, ack: 501, data: 'payload HTTP/1.0\r\n\r\n' },
      { fromClient: true, flags: PSH_ACK, seq: 101, ack: 501, data: 'GET /evil' },
    ]);
    expect(sids(await replay(rules, ooo, 'stream'))).toEqual(['1@5']);
    expect(sids(await replay(rules, ooo, 'packet'))).toEqual([]);
  });

  it('flow:established needs the handshake; to_server / to_client follow the SYN sender', async () => {
    const data: Seg[] = [
      { fromClient: true, flags: PSH_ACK, seq: 101, ack: 501, data: 'hello evilpayload' },
      { fromClient: false, flags: PSH_ACK, seq: 501, ack: 118, data: 'reply evilpayload' },
    ];
    const r =
      'alert tcp any any -> any any (msg:"est"; flow:established; content:"evilpayload"; sid:1;)\n' +
      'alert tcp any any -> any any (msg:"ts"; flow:to_server; content:"evilpayload"; sid:2;)\n' +
      'alert tcp any any -> any any (msg:"tc"; flow:to_client; content:"evilpayload"; sid:3;)\n' +
      'alert tcp any any -> any any (msg:"any"; content:"evilpayload"; sid:4;)\n';
    expect(sids(await replay(r, session(data), 'packet')).sort()).toEqual(['2@1', '3@2', '4@1', '4@2']);
    expect(sids(await replay(r, session([...handshake, ...data]), 'packet')).sort()).toEqual(['1@4', '1@5', '2@4', '3@5', '4@4', '4@5']);
  });

  it('packet mode alerts once per packet, stream mode once per rule and direction', async () => {
    const twice = session([
      ...handshake,
      { fromClient: true, flags: PSH_ACK, seq: 101, ack: 501, data: 'uid=0(root)' },
      { fromClient: true, flags: PSH_ACK, seq: 112, ack: 501, data: 'uid=0(root)' },
      { fromClient: false, flags: PSH_ACK, seq: 501, ack: 123, data: 'uid=0(root)' },
    ]);
    const r = 'alert ip any any -> any any (msg:"id"; content:"uid=0|28|root|29|"; classtype:bad-unknown; sid:2100498; rev:8;)\n';
    expect(sids(await replay(r, twice, 'packet'))).toEqual(['2100498@4', '2100498@5', '2100498@6']);
    const streamed = await replay(r, twice, 'stream');
    expect(sids(streamed)).toEqual(['2100498@4', '2100498@6']);
    expect(streamed.map((a) => a.toServer)).toEqual([true, false]);
  });

  it('pass rules never alert and silence the other rules of their packet; log/sdrop rules do not alert', async () => {
    const cap = session([
      ...handshake,
      { fromClient: true, flags: PSH_ACK, seq: 101, ack: 501, data: 'Hi all' },
      { fromClient: true, flags: PSH_ACK, seq: 107, ack: 501, data: 'Hi all wo' },
    ]);
    const r =
      'alert tcp any any -> any any (msg:"a"; content:"Hi all"; sid:1;)\n' +
      'pass tcp any any -> any any (msg:"p"; content:"wo"; sid:2;)\n' +
      'drop tcp any any -> any any (msg:"d"; content:"Hi all"; sid:3;)\n' +
      'log tcp any any -> any any (msg:"l"; content:"Hi all"; sid:4;)\n' +
      'sdrop tcp any any -> any any (msg:"s"; content:"Hi all"; sid:5;)\n';
    expect(sids(await replay(r, cap, 'packet'))).toEqual(['1@4', '3@4']);
  });

  it('end-anchored pcre reports at the end of the stream direction (FIN)', async () => {
    const r = 'alert tcp any any -> any 80 (msg:"tail"; pcre:"/quit\\r\\n$/"; sid:7;)\n';
    const cap = session([
      ...handshake,
      { fromClient: true, flags: PSH_ACK, seq: 101, ack: 501, data: 'USER x\r\nqu' },
      { fromClient: true, flags: PSH_ACK | 0x01, seq: 111, ack: 501, data: 'it\r\n' },
    ]);
    expect(sids(await replay(r, cap, 'stream'))).toEqual(['7@5']);
    expect(sids(await replay(r, cap, 'packet'))).toEqual([]);
  });

  it('a damaged capture keeps the alerts before the damage and reports the error', async () => {
    const r = 'alert ip any any -> any any (msg:"id"; content:"uid=0|28|root|29|"; sid:5;)\n';
    const good = session([...handshake, { fromClient: false, flags: PSH_ACK, seq: 501, ack: 101, data: 'uid=0(root)' }]);
    const damaged = good.subarray(0, good.length - 5); // last record cut short
    const once = session([{ fromClient: false, flags: PSH_ACK, seq: 501, ack: 101, data: 'uid=0(root)' }, { fromClient: true, flags: ACK, seq: 1, data: 'x' }]);
    const cut = once.subarray(0, once.length - 3);
    const prepared = prepareRules({ ruleTexts: [{ file: 't', text: r }], engine: 'nfa' });
    const alerts: Alert[] = [];
    const rp = new Replayer(prepared.detector);
    const a = await rp.replay(damaged, 'damaged.pcap', (x) => alerts.push(x));
    expect(a.error?.code).toBe('PCAP_FORMAT');
    expect(alerts).toEqual([]); // the alert was in the damaged record
    const b = await rp.replay(cut, 'cut.pcap', (x) => alerts.push(x));
    expect(b.error?.code).toBe('PCAP_FORMAT');
    expect(sids(alerts)).toEqual(['5@1']);
  });

  it('an engine failure on one packet is counted and skipped; the replay goes on', async () => {
    const r = 'alert ip any any -> any any (msg:"id"; content:"uid=0|28|root|29|"; sid:5;)\n';
    const cap = session([
      ...handshake,
      { fromClient: true, flags: PSH_ACK, seq: 101, ack: 501, data: 'BOOM' },
      { fromClient: false, flags: PSH_ACK, seq: 501, ack: 105, data: 'uid=0(root)' },
    ]);
    for (const mode of ['packet', 'stream'] as ReplayMode[]) {
      const prepared = prepareRules({ ruleTexts: [{ file: 't', text: r }], engine: 'nfa' });
      const m = prepared.detector.matcher;
      const scan = m.scan.bind(m);
      // A matcher that throws on one payload (stands in for an engine bug).
      (m as { scan: typeof m.scan }).scan = (scratch, bytes, cb) => {
        if (bytes.length === 4 && bytes[0] === 0x42) throw new Error('engine exploded');
        scan(scratch, bytes, cb);
      };
      const alerts: Alert[] = [];
      const res = await new Replayer(prepared.detector, { mode }).replay(cap, 'x.pcap', (a) => alerts.push(a));
      expect(res.error).toBeUndefined();
      expect(res.engineErrors).toBe(1);
      expect(res.engineError).toBe('packet 4: engine exploded');
      expect(sids(alerts)).toEqual(['5@5']);
    }
  });

  it('fast-alert line as Snort writes it (UTC)', async () => {
    const r = 'alert ip any any -> any any (msg:"GPL ATTACK_RESPONSE id check returned root"; content:"uid=0|28|root|29|"; classtype:bad-unknown; sid:2100498; rev:8;)\n';
    const cap = session([...handshake, { fromClient: false, flags: PSH_ACK, seq: 501, ack: 101, data: 'uid=0(root) gid=0' }]);
    const [a] = await replay(r, cap, 'packet');
    expect(formatFast(a)).toBe(
      '09/13-12:26:43.250000  [**] [1:2100498:8] GPL ATTACK_RESPONSE id check returned root [**] ' +
        '[Classification: Potentially Bad Traffic] [Priority: 2] {TCP} 10.0.0.2:80 -> 10.0.0.1:40000',
    );
  });
});

// ---- CLI ----------------------------------------------------------------------------------

const cli = (argv: string[]): Promise<Captured> => captureRun(run, argv);

afterEach(() => vi.restoreAllMocks());

describe('replay (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nfa-obdd-replay-'));

  it('--default: sid 2100498 fires on testmyids.pcap; JSON lines carry the contract fields; summary on stderr', async () => {
    const { code, out, err } = await cli(['--default', '--engine', 'nfa', '--format', 'json', '--no-progress']);
    expect(code).toBe(0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const hit = lines.find((l) => l.sid === 2100498);
    expect(hit).toMatchObject({
      rev: 8, msg: 'GPL ATTACK_RESPONSE id check returned root', packet: 6, proto: 'TCP',
      src: '217.160.0.187', sport: 80, dst: '172.17.0.2', dport: 54162,
    });
    expect(String(hit!.file)).toMatch(/testmyids\.pcap$/);
    expect(hit!.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(err).toMatch(/captures: 9 file\(s\), 473 packets/);
    expect(err).toMatch(/\[1:2100498:8\] GPL ATTACK_RESPONSE id check returned root/);
  });

  it('--rules with several files, --select, exit 1 for an unreadable rule file and a damaged capture (the rest still runs)', async () => {
    const good = join(dir, 'good.pcap');
    const cap = session([...handshake, { fromClient: false, flags: PSH_ACK, seq: 501, ack: 101, data: 'uid=0(root)' }]);
    writeFileSync(good, cap);
    const bad = join(dir, 'bad.pcap');
    writeFileSync(bad, cap.subarray(0, cap.length - 4));
    const rules = join(dir, 'a.rules');
    writeFileSync(rules, 'alert ip any any -> any any (msg:"root"; content:"uid=0|28|root|29|"; sid:9; rev:1;)\nalert ip any any -> any any (msg:"other"; content:"uid=0"; sid:10; rev:1;)\n');
    const ok = await cli(['--rules', rules, '--pcap', good, '--engine', 'nfa', '--select', 'sid=9']);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/\[1:9:1\] root \[\*\*\] \[Priority: 3\] \{TCP\} 10\.0\.0\.2:80 -> 10\.0\.0\.1:40000\n$/);
    expect(ok.out).not.toMatch(/:10:1\]/);
    const r = await cli(['--rules', rules, join(dir, 'missing.rules'), '--pcap', bad, good, '--engine', 'nfa', '--quiet']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/missing\.rules:0: cannot read rules/);
    expect(r.err).toMatch(/bad\.pcap/);
    expect(r.err).toMatch(/alerts: 2 from 2 rule/);
  });

  it('bad usage throws UsageError (exit 2 in main)', async () => {
    await expect(cli(['--pcap', 'x.pcap'])).rejects.toBeInstanceOf(UsageError);
    await expect(cli(['--rules', 'x.rules'])).rejects.toBeInstanceOf(UsageError);
    await expect(cli(['--default', '--format', 'xml'])).rejects.toBeInstanceOf(UsageError);
    await expect(cli(['--default', '--engine', 'pcre'])).rejects.toBeInstanceOf(UsageError);
    await expect(cli(['--default', '--limit-packets', '0'])).rejects.toBeInstanceOf(UsageError);
    await expect(cli(['--rules', '-', '--pcap', '-'])).rejects.toBeInstanceOf(UsageError);
  });
});
