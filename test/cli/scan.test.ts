/**
 * The `scan` command: signature file handling (comments, blank lines, line numbers,
 * rejected lines on stderr), both output formats, `--first`, exit codes; one run goes
 * through the real `bin` to check the wiring end to end.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { run } from '../../src/cli/scan.js';
import { captureRun } from './capture.js';

let dir = '';
const sigFile = (): string => join(dir, 'sigs.txt');
const inFile = (): string => join(dir, 'input.bin');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'scan-test-'));
  writeFileSync(
    sigFile(),
    ['# a comment', '/foo\\d+/i', '', '   ', 'bar$', '/a(/', '/\\bx\\b/m', '  # indented comment', '/(a|b)(?1)/', 'zzz'].join(
      '\n',
    ) + '\n',
  );
  writeFileSync(inFile(), Buffer.from('xFOO12 bar baz x\nbar', 'latin1'));
});

const capture = (argv: string[]) => captureRun(run, argv);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('scan command', () => {
  it('json: one object per match with the signature line and the end offset', async () => {
    const r = await capture(['--signatures', sigFile(), '--input', inFile(), '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { line: 2, end: 5 },
      { line: 2, end: 6 },
      { line: 7, end: 16 },
      { line: 5, end: 20 },
    ]);
    // Rejected lines name the file and line: 6 (syntax) and 9 (recursion).
    const errs = r.err.trim().split('\n');
    expect(errs).toHaveLength(2);
    expect(errs[0]).toMatch(/sigs\.txt:6: .*missing closing parenthesis/);
    expect(errs[1]).toMatch(/sigs\.txt:9: .*recursion/);
  });

  it('--first keeps the earliest end per signature; text format', async () => {
    const r = await capture(['--signatures', sigFile(), '--input', inFile(), '--first']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('2\t5\t/foo\\d+/i\n7\t16\t/\\bx\\b/m\n5\t20\tbar$\n');
  });

  it('bad usage throws UsageError (exit 2 in main); an unreadable file exits 1', async () => {
    await expect(capture(['--input', inFile()])).rejects.toThrow(UsageError);
    await expect(capture(['--signatures', sigFile(), '--input', inFile(), '--format', 'xml'])).rejects.toThrow(
      UsageError,
    );
    await expect(capture(['--signatures', sigFile(), '--input', inFile(), '--engine', 'nope'])).rejects.toThrow(
      UsageError,
    );
    const r = await capture(['--signatures', sigFile(), '--input', join(dir, 'missing')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot read input/);
  });

  it('runs through the bin with exit code 0', () => {
    const bin = join(import.meta.dirname, '../../bin/nfa-obdd.js');
    const out = execFileSync(process.execPath, [bin, 'scan', '--signatures', sigFile(), '--input', inFile(), '--format', 'json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out.trim().split('\n')).toHaveLength(4);
    const bad = spawnSync(process.execPath, [bin, 'scan', '--input', inFile()], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
  });
});

describe('scan: engines and obdd flags give the same output', () => {
  it('every engine, and obdd with --no-memo / --memo-budget, prints the same matches', async () => {
    const base = await capture(['--signatures', sigFile(), '--input', inFile(), '--format', 'json', '--engine', 'nfa']);
    expect(base.code).toBe(0);
    expect(base.out.split('\n').filter(Boolean).length).toBeGreaterThan(2);
    for (const extra of [
      ['--engine', 'obdd'],
      [], // default engine (obdd)
      ['--engine', 'obdd', '--no-memo'],
      ['--engine', 'obdd2', '--no-memo'],
      ['--engine', 'obdd2', '--memo-budget', '64k'],
      ['--engine', 'dfa'],
      ['--engine', 'obdd:memo=false'],
      ['--engine', 'obdd2:memoKey=pair:grouping.groupSize=2'],
    ]) {
      const r = await capture(['--signatures', sigFile(), '--input', inFile(), '--format', 'json', ...extra]);
      expect(r.code, extra.join(' ')).toBe(0);
      expect(r.out, extra.join(' ')).toBe(base.out);
    }
  });

  it('rejects obdd flags with another engine, and bad byte counts', async () => {
    await expect(run(['--signatures', sigFile(), '--input', inFile(), '--engine', 'nfa', '--no-memo'])).rejects.toThrow(UsageError);
    await expect(run(['--signatures', sigFile(), '--input', inFile(), '--engine', 'obdd', '--memo-budget', 'lots'])).rejects.toThrow(/byte count/);
    await expect(run(['--signatures', sigFile(), '--input', inFile(), '--no-memo', '--memo-budget', '1m'])).rejects.toThrow(UsageError);
  });

  it('an engine label with an unknown or ill-typed option is a UsageError naming the option', async () => {
    await expect(run(['--signatures', sigFile(), '--input', inFile(), '--engine', 'nfa:bogus=1'])).rejects.toThrow(UsageError);
    await expect(run(['--signatures', sigFile(), '--input', inFile(), '--engine', 'nfa:bogus=1'])).rejects.toThrow(/unknown nfa option 'bogus'/);
    await expect(run(['--signatures', sigFile(), '--input', inFile(), '--engine', 'obdd:memo=7'])).rejects.toThrow(/obdd option memo/);
    await expect(run(['--signatures', sigFile(), '--input', inFile(), '--engine', 'zzz'])).rejects.toThrow(/unknown engine 'zzz'/);
  });
});
