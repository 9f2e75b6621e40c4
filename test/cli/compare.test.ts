/**
 * The `compare` command: JSON shape, text report, rules + bundled captures, engine lists
 * with options and labels, file lists after one option, usage errors (exit 2 via
 * UsageError) and unreadable inputs (exit 1).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { expandFileLists, parseEngineList, run } from '../../src/cli/compare.js';
import { captureRun } from './capture.js';
import { PcapFormatError, UsageError } from '../../src/errors.js';

let dir = '';
const sigFile = (): string => join(dir, 'sigs.txt');
const inA = (): string => join(dir, 'a.bin');
const inB = (): string => join(dir, 'b.bin');
const traces = join(import.meta.dirname, '../../traces');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'compare-test-'));
  writeFileSync(sigFile(), ['# comment', '/foo\\d+/i', '', 'bar$', '/a(/', '/(a|b)(?1)/'].join('\n') + '\n');
  writeFileSync(inA(), Buffer.from('xFOO12 bar', 'latin1'));
  writeFileSync(inB(), Buffer.from('nothing here', 'latin1'));
});

const capture = (argv: string[]) => captureRun(run, argv);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('compare command', () => {
  it('json: one object with engines and disagreements; raw inputs', async () => {
    const r = await capture([
      '--signatures', sigFile(), '--input', inA(), inB(), '--engines', 'nfa,obdd:memo=false,dfa:maxStates=2', '--runs', '1', '--format', 'json',
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.engines.map((e: { engine: string }) => e.engine)).toEqual(['nfa', 'obdd:memo=false', 'dfa:maxStates=2']);
    const [nfa, obdd, dfa] = j.engines;
    // foo\d+ ends 5 and 6 in input a; bar$ ends 10; nothing in b. Lines 5, 6 rejected.
    expect(nfa).toMatchObject({ accepted: 2, rejected: 2, matches: 3, bytesScanned: 22, error: null });
    expect(obdd).toMatchObject({ accepted: 2, rejected: 2, matches: 3, bytesScanned: 22, error: null, engineOptions: { memo: false } });
    expect(dfa.error).toMatch(/dfa states limit exceeded/);
    expect(j.disagreements).toEqual([]);
    expect(j.disagreementCount).toBe(0);
    expect(j.corpus).toMatch(/2 file\(s\), 22 bytes/);
    for (const key of ['compileMs', 'programBytes', 'heapBytes', 'scanMBps']) expect(nfa).toHaveProperty(key);
  });

  it('text: rules and bundled captures, compile and scan tables', async () => {
    const r = await capture([
      '--rules', join(traces, 'rules/emerging-ftp.rules'), '--pcap', join(traces, 'pcap/ftp-ipv4.pcap'), join(traces, 'pcap/ftp-retr.pcap'),
      '--engines', 'nfa,obdd,obdd2', '--runs', '1',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^set: \d+ pcre options from \d+ rules/);
    expect(r.out).toMatch(/corpus: \d+ payloads, \d+ bytes, from \d+ packets in 2 capture\(s\)/);
    expect(r.out).toMatch(/\nCompile\n/);
    expect(r.out).toMatch(/\nScan\n/);
    expect(r.out).toMatch(/all engines agree/);
    expect(r.out).toMatch(/obdd2 .* nodes/);
  });

  it('usage errors and unreadable inputs', async () => {
    await expect(capture(['--input', inA()])).rejects.toThrow(UsageError);
    await expect(capture(['--signatures', sigFile()])).rejects.toThrow(/--pcap/);
    await expect(capture(['--signatures', sigFile(), '--rules', 'x', '--input', inA()])).rejects.toThrow(/exactly one/);
    await expect(capture(['--signatures', sigFile(), '--input', inA(), '--engines', 'nfa,zzz'])).rejects.toThrow(/unknown engine 'zzz'/);
    await expect(capture(['--signatures', sigFile(), '--input', inA(), '--runs', '0'])).rejects.toThrow(/--runs/);
    await expect(capture(['--signatures', sigFile(), '--input', inA(), '--engines', 'nfa', '--baseline', 'dfa'])).rejects.toThrow(/--baseline/);
    await expect(capture(['--signatures', sigFile(), '--input', inA(), '--select', 'http'])).rejects.toThrow(/--rules only/);
    await expect(capture(['--signatures', sigFile(), '--input', inA(), '--engines', 'obdd:memo=7'])).resolves.toMatchObject({ code: 0 });
    await expect(capture(['--signatures', sigFile(), '--pcap', join(dir, 'missing.pcap')])).rejects.toThrow(PcapFormatError);
    await expect(capture(['--signatures', join(dir, 'missing.txt'), '--input', inA()])).rejects.toThrow(/cannot read signatures/);
    const notPcap = await capture(['--signatures', sigFile(), '--pcap', sigFile(), '--engines', 'nfa,obdd', '--runs', '1']);
    expect(notPcap.code).toBe(0);
    expect(notPcap.err).toMatch(/warning: .*sigs\.txt: not a capture file/);
    expect(notPcap.out).toMatch(/nothing compared/);
    const missing = await capture(['--signatures', sigFile(), '--input', join(dir, 'missing.bin'), '--engines', 'nfa']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/cannot read input/);
  });

  it('an invalid engine option is that engine build error, not a crash', async () => {
    const r = await capture(['--signatures', sigFile(), '--input', inA(), '--engines', 'nfa,obdd:memo=7', '--format', 'json', '--runs', '1']);
    const j = JSON.parse(r.out);
    expect(j.engines[1].error).toMatch(/memo/);
    expect(j.engines[0].matches).toBe(3);
  });
});

describe('argument helpers', () => {
  it('parseEngineList reads labels and JSON option values', () => {
    expect(parseEngineList('nfa, obdd2:memo=true:nodeLimit=1000,obdd:memoKey=pair')).toEqual([
      { name: 'nfa', engine: 'nfa', engineOptions: {} },
      { name: 'obdd2:memo=true:nodeLimit=1000', engine: 'obdd2', engineOptions: { memo: true, nodeLimit: 1000 } },
      { name: 'obdd:memoKey=pair', engine: 'obdd', engineOptions: { memoKey: 'pair' } },
    ]);
    // An option the engine does not have is a usage error naming it, not silently ignored.
    expect(() => parseEngineList('dfa:x=lsb')).toThrow(/unknown dfa option 'x'/);
    expect(() => parseEngineList('obdd:memo')).toThrow(/key=value/);
    expect(() => parseEngineList(',')).toThrow(/no engine/);
  });

  it('expandFileLists gives bare words after --pcap/--rules/--input to that option', () => {
    expect(expandFileLists(['--pcap', 'a', 'b', '--runs', '2', '--rules', 'r1', 'r2', '--input', 'x'])).toEqual([
      '--pcap', 'a', '--pcap', 'b', '--runs', '2', '--rules', 'r1', '--rules', 'r2', '--input', 'x',
    ]);
    expect(expandFileLists(['stray', '--format', 'json'])).toEqual(['stray', '--format', 'json']);
  });
});

describe('compare: obdd memo flags', () => {
  it('--no-memo / --memo-budget tune the obdd entries and keep agreement', async () => {
    for (const flags of [['--no-memo'], ['--memo-budget', '64k']]) {
      const r = await capture([
        '--signatures', sigFile(), '--input', inA(), inB(), '--engines', 'nfa,obdd,obdd2', '--runs', '1', '--format', 'json', ...flags,
      ]);
      expect(r.code).toBe(0);
      const j = JSON.parse(r.out) as { engines: Array<{ engine: string; error?: string | null }>; disagreements: unknown[] };
      expect(j.engines.map((e) => e.error ?? null)).toEqual([null, null, null]);
      expect(j.disagreements).toEqual([]);
    }
    await expect(capture(['--signatures', sigFile(), '--input', inA(), '--engines', 'nfa,dfa', '--no-memo'])).rejects.toThrow(/obdd/);
  });
});
