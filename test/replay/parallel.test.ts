/**
 * `replay --workers N`: the output of N worker threads is the output of one, byte for
 * byte (JSON alerts, in order; summary figures), in packet and stream mode, on the bundled
 * traces, on a built capture whose sessions end by the idle timeout and at the end of the
 * capture with alerts decided then, and on suricata-verify cases; a worker that dies is
 * reported with what it lost, the others' alerts are still written, and the exit is 1.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/replay.js';
import { UsageError } from '../../src/errors.js';
import { bytes, ether, ipv4, pcapFile, tcpPacket, type RecordSpec } from '../pcap/build.js';
import { captureRun, type Captured } from '../cli/capture.js';
import { readManifest } from '../e2e/suricata-verify.js';
import { SHARED_DATA } from '../support/shared-data.js';

/** The summary without the lines that differ from run to run (times, memory, workers). */
function figures(err: string): string {
  return err
    .split('\n')
    .filter((l) => !/^(time|memory|workers):/.test(l))
    .map((l) => l.replace(/; load \d+ ms, compile \d+ ms$/, ''))
    .join('\n');
}

/** Runs `replay` with 1, 2 and 3 workers and checks that stdout and the figures agree. */
async function sameWithWorkers(argv: string[]): Promise<Captured> {
  const one = await captureRun(run, [...argv, '--format', 'json', '--no-progress']);
  expect(one.code).toBe(0);
  for (const n of ['2', '3']) {
    const many = await captureRun(run, [...argv, '--format', 'json', '--no-progress', '--workers', n]);
    expect(many.code).toBe(0);
    expect(many.out, `--workers ${n} ${argv.join(" ")}\n${many.err}`).toBe(one.out);
    expect(figures(many.err)).toBe(figures(one.err));
    expect(many.err).toContain(`workers: ${n} threads`);
  }
  return one;
}

const C = (k: number): number[] => [10, 0, 1, k];
const S = [10, 0, 0, 2];
const SYN = 0x02;
const ACK = 0x10;
const PSH_ACK = 0x18;
const SYN_ACK = 0x12;

function udpPacket(src: number[], dst: number[], sport: number, dport: number, payload: string): Uint8Array {
  const p = bytes(payload);
  const len = 8 + p.length;
  return ether(0x0800, ipv4(17, [sport >> 8, sport & 255, dport >> 8, dport & 255, len >> 8, len & 255, 0, 0, ...p], { src, dst }));
}

/**
 * Nine TCP sessions (client 10.0.1.k:4000k → 10.0.0.2:80) interleaved, each with a GET, a
 * 200 answer and a client segment after a hole (held by the reassembler until the session
 * ends), plus UDP datagrams; 400 s of silence, then session 9: the first eight end by the
 * idle timeout at its first packet, the ninth at the end of the capture.
 */
function builtCapture(): Uint8Array {
  const recs: RecordSpec[] = [];
  let t = 1_600_000_000;
  const add = (data: Uint8Array, dt = 1): void => {
    t += dt;
    recs.push({ sec: t, sub: 0, data });
  };
  const session = (k: number, step: number): void => {
    const c = { src: C(k), dst: S, sport: 40000 + k, dport: 80 };
    const s = { src: S, dst: C(k), sport: 80, dport: 40000 + k };
    const get = bytes(`GET /${k} HTTP/1.1\r\n\r\n`);
    switch (step) {
      case 0: return add(tcpPacket({ ...c, flags: SYN, seq: 100 }));
      case 1: return add(tcpPacket({ ...s, flags: SYN_ACK, seq: 500, ack: 101 }));
      case 2: return add(tcpPacket({ ...c, flags: ACK, seq: 101, ack: 501 }));
      case 3: return add(tcpPacket({ ...c, flags: PSH_ACK, seq: 101, ack: 501, payload: get }));
      case 4: return add(tcpPacket({ ...s, flags: PSH_ACK, seq: 501, ack: 101 + get.length, payload: bytes('HTTP/1.1 200 OK\r\n\r\n') }));
      case 5: return add(tcpPacket({ ...c, flags: PSH_ACK, seq: 101 + get.length + 10, ack: 520, payload: bytes(`secret ${k}`) }));
      default: return add(udpPacket(C(k), S, 5000 + k, 53, `ping ${k}`));
    }
  };
  for (let step = 0; step < 7; step++) for (let k = 0; k < 8; k++) session(k, (step + k) % 7 === 6 && step < 6 ? 6 : step);
  for (let step = 0; step < 7; step++) session(8, step);
  recs[recs.length - 7]!.sec = t + 400;
  for (let i = recs.length - 6; i < recs.length; i++) recs[i]!.sec = t + 400 + i;
  return pcapFile(recs);
}

const RULES = [
  'alert tcp any any -> any any (msg:"get"; flow:to_server; content:"GET"; sid:1;)',
  'alert tcp any any -> any any (msg:"secret"; content:"secret"; sid:2;)',
  'alert tcp any any -> any any (msg:"answer"; flow:to_client; content:"200"; sid:3;)',
  'alert udp any any -> any any (msg:"ping"; content:"ping"; sid:4;)',
  'alert tcp any any -> any any (msg:"syn"; flags:S; sid:5;)',
].join('\n');

const dir = mkdtempSync(join(tmpdir(), 'nfa-obdd-parallel-'));
const capture = join(dir, 'sessions.pcap');
const rules = join(dir, 'sessions.rules');
writeFileSync(capture, builtCapture());
writeFileSync(rules, `${RULES}\n`);

describe('replay --workers N gives the output of one worker', () => {
  it('on the bundled traces, packet mode', async () => {
    const one = await sameWithWorkers(['--default']);
    expect(one.out.split('\n').length).toBeGreaterThan(3);
  });

  it('on the bundled traces, stream mode', async () => {
    await sameWithWorkers(['--default', '--stream']);
  });

  it('on sessions ended by the idle timeout and at the end of captures (two captures), both modes', async () => {
    for (const mode of [[], ['--stream']]) {
      const one = await sameWithWorkers(['--rules', rules, '--pcap', capture, capture, ...mode]);
      const alerts = one.out.trim().split('\n').map((l) => JSON.parse(l) as { sid: number; packet: number; file: string });
      expect(new Set(alerts.map((a) => a.sid))).toEqual(new Set([1, 2, 3, 4, 5]));
      if (mode.length > 0) {
        // the held segments are decided when their session ends: alerts not in packet order
        const packets = alerts.map((a) => a.packet);
        expect(packets).not.toEqual([...packets].sort((a, b) => a - b));
      }
    }
  });
});

const svRoot = join(SHARED_DATA, 'suricata-verify');
const haveSv = existsSync(join(svRoot, 'MANIFEST.jsonl'));
/** Cases with several flows or alerts decided at the end of a stream. */
const SV_CASES = ['bug-5162', 'llmnr/llmnr-udp', 'tcp-fastopen-04', 'bug-130', 'eve-payload-06-tcp-data-leading-gap'];

describe.skipIf(!haveSv)('replay --workers N on suricata-verify cases', () => {
  it('gives the alerts of one worker (stream mode, and packet mode)', async () => {
    const entries = readManifest(svRoot).filter((e) => SV_CASES.includes(e.test));
    expect(entries.map((e) => e.test).sort()).toEqual([...SV_CASES].sort());
    for (const e of entries) {
      const argv = ['--rules', ...e.rule_files.map((f) => join(svRoot, f)), '--pcap', ...e.pcaps.map((p) => join(svRoot, p))];
      const midstream = (e.args ?? []).some((a) => /stream\.midstream=true/.test(a)) ? ['--midstream'] : [];
      await sameWithWorkers([...argv, '--stream', ...midstream]);
      if (e.test === 'bug-5162') await sameWithWorkers(argv);
    }
  });
});

describe('a worker that dies', () => {
  afterEach(() => {
    delete process.env.NFA_OBDD_TEST_WORKER_FAULT;
  });

  it('is reported with the capture and packet from which its share is lost; the others are written; exit 1', async () => {
    const argv = ['--rules', rules, '--pcap', capture, capture, '--format', 'json', '--no-progress', '--stream'];
    const one = await captureRun(run, argv);
    process.env.NFA_OBDD_TEST_WORKER_FAULT = '1:0:20';
    const broken = await captureRun(run, [...argv, '--workers', '2']);
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/worker 2 of 2 died \(Error: injected fault.*\): its share of the packets of \S+sessions\.pcap from packet 21 on, and of the 1 capture\(s\) after it, is lost/);
    const all = one.out.trim().split('\n');
    const kept = broken.out.trim().split('\n');
    // what was written is the single-thread output with the dead worker's later alerts missing
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(all.length);
    let i = 0;
    for (const line of kept) {
      while (i < all.length && all[i] !== line) i++;
      expect(i).toBeLessThan(all.length);
      i++;
    }
  });
});

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/nfa-obdd.js');

/** `n` UDP datagrams "ping" over 64 flows. */
function manyDatagrams(n: number): Uint8Array {
  const recs: RecordSpec[] = [];
  for (let i = 0; i < n; i++) recs.push({ sec: 1_600_000_000 + Math.floor(i / 1000), sub: i % 1000, data: udpPacket(C(i % 64), S, 6000 + (i % 64), 53, 'ping') });
  return pcapFile(recs);
}

describe('replay --workers N through the bin', () => {
  it('--progress covers all workers; bad --workers values are usage errors', async () => {
    const r = spawnSync(process.execPath, [bin, 'replay', '--default', '--progress', '--quiet', '--workers', '2'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('progress: '));
    expect(lines[0]).toBe('progress: loading rules: 3 files');
    expect(lines).toContain('progress: compiling 631 rules (engine nfa)');
    expect(lines.some((l) => /^progress: replaying 9 captures, .* \(packet mode, 2 workers\)$/.test(l))).toBe(true);
    expect(lines[lines.length - 1]).toMatch(/^progress: replayed 100% \(.*\), .*, 473 packets, 5 alerts, /);
    for (const bad of [['--workers', '0'], ['--workers', 'many'], ['--workers', '2', '--pcap', '-']]) {
      await expect(run(['--rules', rules, '--pcap', capture, ...bad])).rejects.toBeInstanceOf(UsageError);
    }
    // A FIFO (like `<(cat x.rules)`) can be read once: N > 1 workers would each get part of it.
    const fifo = join(dir, 'rules.fifo');
    if (spawnSync('mkfifo', [fifo]).status === 0) {
      await expect(run(['--rules', fifo, '--pcap', capture, '--workers', '2'])).rejects.toThrow(/cannot read .*rules\.fifo/);
    }
  });

  it('SIGINT: the workers stop, the alerts so far are written in order, the summary says interrupted, exit 130', async () => {
    const big = join(dir, 'big.pcap');
    writeFileSync(big, manyDatagrams(100_000));
    const args = [bin, 'replay', '--rules', rules, '--pcap', ...Array.from({ length: 40 }, () => big), '--format', 'json', '--workers', '2'];
    const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      let sent = false;
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (!sent && out.includes('\n')) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out, err }));
    });
    expect(r.code).toBe(130);
    expect(r.err).toMatch(/INTERRUPTED by SIGINT: \d+ of 40 capture\(s\) replayed in full/);
    const lines = r.out.trimEnd().split('\n').map((l) => JSON.parse(l) as { sid: number; file: string; packet: number });
    expect(Number(/^alerts: (\d+)/m.exec(r.err)?.[1])).toBe(lines.length);
    expect(lines.length).toBeLessThan(40 * 100_000);
    // in capture order: the packet number only goes back where the next capture starts
    let prev = -1;
    let starts = 0;
    for (const a of lines) {
      expect(a.sid).toBe(4);
      if (a.packet <= prev) starts++;
      prev = a.packet;
    }
    expect(starts).toBeLessThan(40);
  });
});
