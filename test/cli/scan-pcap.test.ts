/**
 * `scan --pcap` and `scan --mode`: the JSON lines of a scan over bundled captures equal an
 * independent computation (a minimal pcap/Ethernet/IPv4/TCP/UDP reader written here and
 * V8 RegExp lookbehind for every match end), set mode keeps one line per (file, packet,
 * line) with the earliest end, a truncated capture is named on stderr while the other
 * files are still scanned (exit 1), the summary line's figures, the flag checks, and the
 * output helper's backpressure.
 */
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { OutputWriter, run } from '../../src/cli/scan.js';
import { captureRun } from './capture.js';

const traces = join(import.meta.dirname, '../../traces/pcap');
const PCAPS = [join(traces, 'testmyids.pcap'), join(traces, 'get.pcap')];
/** Signatures as written in the file (line 1 a comment, line 4 blank), V8 source and flags of each. */
const SIGS: { line: number; text: string; re: string; flags: string }[] = [
  { line: 2, text: '/HTTP\\/1\\.[01] 200/', re: 'HTTP\\/1\\.[01] 200', flags: '' },
  { line: 3, text: '/uid=\\d+\\(root\\)/', re: 'uid=\\d+\\(root\\)', flags: '' },
  { line: 5, text: '/content-type: \\w+/i', re: 'content-type: \\w+', flags: 'i' },
  { line: 6, text: '/e[a-z]/', re: 'e[a-z]', flags: '' },
  { line: 7, text: '/\\r\\n\\r\\n/', re: '\\r\\n\\r\\n', flags: '' },
];

let dir = '';
const sigFile = (): string => join(dir, 'sigs.txt');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'scan-pcap-test-'));
  const lines = ['# signatures', '', '', '', '', '', ''];
  for (const s of SIGS) lines[s.line - 1] = s.text;
  writeFileSync(sigFile(), lines.join('\n') + '\n');
});

afterEach(() => {
  vi.restoreAllMocks();
});

const capture = (argv: string[]) => captureRun(run, argv);

/**
 * The non-empty TCP/UDP payloads of a classic little-endian pcap of Ethernet frames with
 * IPv4, by 1-based packet number (counting every packet): written independently of
 * src/pcap, just enough for the bundled traces.
 */
function payloadsOf(path: string): { packet: number; bytes: Buffer }[] {
  const b = readFileSync(path);
  expect(b.readUInt32LE(0)).toBe(0xa1b2c3d4);
  expect(b.readUInt32LE(20)).toBe(1); // Ethernet
  const out: { packet: number; bytes: Buffer }[] = [];
  let off = 24;
  for (let packet = 1; off + 16 <= b.length; packet++) {
    const caplen = b.readUInt32LE(off + 8);
    const frame = b.subarray(off + 16, off + 16 + caplen);
    off += 16 + caplen;
    if (frame.readUInt16BE(12) !== 0x0800) continue;
    const ip = frame.subarray(14);
    const ihl = (ip[0]! & 0x0f) * 4;
    const total = ip.readUInt16BE(2);
    const proto = ip[9]!;
    const l4 = ip.subarray(ihl, total);
    let data: Buffer;
    if (proto === 6) data = l4.subarray((l4[12]! >> 4) * 4);
    else if (proto === 17) data = l4.subarray(8);
    else continue;
    if (data.length > 0) out.push({ packet, bytes: data });
  }
  return out;
}

interface Hit {
  file: string;
  packet: number;
  line: number;
  end: number;
}

/** Every match end of every signature in every payload, by V8: `(?<=R)` matches where some match of R ends. */
function expectedAll(files: readonly string[]): Hit[] {
  const hits: Hit[] = [];
  for (const file of files) {
    for (const { packet, bytes } of payloadsOf(file)) {
      const text = bytes.toString('latin1');
      for (const s of SIGS) {
        const re = new RegExp(`(?<=${s.re})`, `g${s.flags}`);
        for (let m = re.exec(text); m !== null; m = re.exec(text)) {
          hits.push({ file, packet, line: s.line, end: m.index });
          re.lastIndex = m.index + 1;
        }
      }
    }
  }
  return hits;
}

/** The earliest end per (file, packet, line). */
function firstEnds(hits: readonly Hit[]): Hit[] {
  const best = new Map<string, Hit>();
  for (const h of hits) {
    const k = `${h.file}|${h.packet}|${h.line}`;
    const b = best.get(k);
    if (!b || h.end < b.end) best.set(k, h);
  }
  return [...best.values()];
}

const key = (h: Hit): string => `${h.file}|${h.packet}|${h.line}|${h.end}`;
const sorted = (hs: readonly Hit[]): string[] => hs.map(key).sort();
const parse = (out: string): Hit[] => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Hit);

describe('scan --pcap', () => {
  it('all mode: the JSON lines are exactly the (file, packet, line, end) that V8 finds', async () => {
    const expected = expectedAll(PCAPS);
    // The computation found something of every kind, so the comparison is not vacuous.
    expect(new Set(expected.map((h) => h.line))).toEqual(new Set(SIGS.map((s) => s.line)));
    const r = await capture(['--signatures', sigFile(), '--pcap', ...PCAPS]);
    expect(r.code).toBe(0);
    const got = parse(r.out);
    for (const h of got) expect(Object.keys(h)).toEqual(['file', 'packet', 'line', 'end']);
    expect(sorted(got)).toEqual(sorted(expected));
    expect(new Set(got.map((h) => h.file))).toEqual(new Set(PCAPS)); // the paths as given
  });

  it('set mode (and --first): one line per (file, packet, line), its earliest end', async () => {
    const expected = firstEnds(expectedAll(PCAPS));
    const all = expectedAll(PCAPS);
    expect(expected.length).toBeLessThan(all.length);
    for (const flags of [['--mode', 'set'], ['--first'], ['--first', '--mode', 'set']]) {
      for (const engine of ['obdd', 'nfa', 'dfa', 'regexp']) {
        const r = await capture(['--signatures', sigFile(), '--pcap', ...PCAPS, '--engine', engine, ...flags]);
        expect(r.code).toBe(0);
        const got = parse(r.out);
        const keys = got.map((h) => `${h.file}|${h.packet}|${h.line}`);
        expect(new Set(keys).size, `${engine} ${flags.join(' ')}`).toBe(keys.length);
        expect(sorted(got), `${engine} ${flags.join(' ')}`).toEqual(sorted(expected));
      }
    }
  });

  it('summary on stderr: files, packets, payloads, payload bytes, matches, MB/s, compile apart', async () => {
    const payloads = PCAPS.flatMap(payloadsOf);
    const bytes = payloads.reduce((n, p) => n + p.bytes.length, 0);
    const r = await capture(['--signatures', sigFile(), '--pcap', ...PCAPS, '--mode', 'set']);
    const lines = parse(r.out).length;
    expect(r.err).toMatch(
      new RegExp(
        `^scan: 2 file\\(s\\), 24 packets, ${payloads.length} payloads scanned, ${bytes} payload bytes, ${lines} matches; ` +
          `scan \\d+\\.\\d{3} s, (\\d+\\.\\d\\d|-) MB/s; compile \\d+\\.\\d{3} s \\(engine nfa\\+prefilter, mode set\\)\\n$`,
      ),
    );
  });

  it('a truncated capture is named with its packet on stderr; the packets before it and the other file are scanned; exit 1', async () => {
    const whole = readFileSync(PCAPS[1]!);
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, whole.subarray(0, 3000)); // inside packet 7's record
    const missing = join(dir, 'missing.pcap');
    const r = await capture(['--signatures', sigFile(), '--pcap', cut, missing, PCAPS[0]!]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${cut}: truncated record`);
    expect(r.err).toMatch(/packet 7 and the rest of the file skipped/);
    expect(r.err).toContain(`${missing}: cannot read input`);
    expect(r.err).toMatch(/scan: 3 file\(s\) \(2 damaged or unreadable, rest skipped\), 16 packets/);
    const got = parse(r.out);
    const expected = expectedAll([PCAPS[1]!])
      .filter((h) => h.packet < 7)
      .map((h) => ({ ...h, file: cut }))
      .concat(expectedAll([PCAPS[0]!]));
    expect(sorted(got)).toEqual(sorted(expected));
    expect(got.some((h) => h.file === PCAPS[0])).toBe(true);
  });

  it('text format: file, packet, line, end, signature', async () => {
    const r = await capture(['--signatures', sigFile(), '--pcap', PCAPS[0]!, '--mode', 'set', '--format', 'text']);
    expect(r.out).toContain(`${PCAPS[0]}\t6\t3\t329\t/uid=\\d+\\(root\\)/\n`);
  });

  it('usage errors: --input with --pcap, neither, a bad --mode, --first with --mode all, stdin twice', async () => {
    const inp = join(dir, 'in.bin');
    writeFileSync(inp, 'abc');
    await expect(capture(['--signatures', sigFile(), '--input', inp, '--pcap', PCAPS[0]!])).rejects.toThrow(/not both/);
    await expect(capture(['--signatures', sigFile()])).rejects.toThrow(/--pcap/);
    await expect(capture(['--signatures', sigFile(), '--input', inp, '--mode', 'first'])).rejects.toThrow(/--mode must be all or set/);
    await expect(capture(['--signatures', sigFile(), '--input', inp, '--first', '--mode', 'all'])).rejects.toThrow(UsageError);
    await expect(capture(['--signatures', '-', '--pcap', '-'])).rejects.toThrow(/stdin/);
  });

  it('--input: --mode set is --first; --mode all is the default', async () => {
    const inp = join(dir, 'in2.bin');
    writeFileSync(inp, 'HTTP/1.1 200 HTTP/1.0 200 xeyez');
    const base = ['--signatures', sigFile(), '--input', inp, '--format', 'json'];
    const set = await capture([...base, '--mode', 'set']);
    expect(set.out).toBe((await capture([...base, '--first'])).out);
    expect(parse(set.out)).toEqual([{ line: 2, end: 12 }, { line: 6, end: 29 }]);
    const all = await capture(base);
    expect(all.out).toBe((await capture([...base, '--mode', 'all'])).out);
    expect(parse(all.out)).toEqual([{ line: 2, end: 12 }, { line: 2, end: 25 }, { line: 6, end: 29 }, { line: 6, end: 31 }]);
  });

  it('through the bin: a damaged capture gives exit status 1 after the other file', () => {
    const bin = join(import.meta.dirname, '../../bin/nfa-obdd.js');
    const cut = join(dir, 'cut2.pcap');
    writeFileSync(cut, readFileSync(PCAPS[1]!).subarray(0, 3000));
    const r = spawnSync(process.execPath, [bin, 'scan', '--signatures', sigFile(), '--pcap', cut, PCAPS[0]!, '--mode', 'set'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(cut);
    expect(r.stdout).toContain(`{"file":${JSON.stringify(PCAPS[0])},"packet":6,"line":3,"end":329}`);
  });
});

describe('OutputWriter', () => {
  it('waits for drain when the stream refuses a write, and writes everything in order', async () => {
    const written: string[] = [];
    const stream = Object.assign(new EventEmitter(), {
      write: (s: string): boolean => {
        written.push(s);
        return false; // buffer full after every write
      },
    }) as unknown as NodeJS.WritableStream;
    const w = new OutputWriter(stream, 4);
    w.add('ab');
    await w.flushIfFull(); // below the chunk: nothing written
    expect(written).toEqual([]);
    w.add('cd');
    let done = false;
    const p = w.flushIfFull().then(() => (done = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(written).toEqual(['abcd']);
    expect(done).toBe(false); // still waiting for 'drain'
    (stream as unknown as EventEmitter).emit('drain');
    await p;
    expect(done).toBe(true);
    w.add('e');
    const q = w.flush();
    (stream as unknown as EventEmitter).emit('drain');
    await q;
    expect(written).toEqual(['abcd', 'e']);
    expect(w.pending).toBe(0);
  });
});
