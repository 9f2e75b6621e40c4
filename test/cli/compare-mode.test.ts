/**
 * `compare --mode`: set mode on bundled captures (all engines agree, fewer events than all
 * mode, the report names the mode in text and JSON), the default 'all', and bad values.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/compare.js';
import { captureRun } from './capture.js';
import { UsageError } from '../../src/errors.js';

let dir = '';
const sigFile = (): string => join(dir, 'sigs.txt');
const traces = join(import.meta.dirname, '../../traces/pcap');
const pcaps = [join(traces, 'testmyids.pcap'), join(traces, 'get.pcap')];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'compare-mode-test-'));
  writeFileSync(sigFile(), ['/HTTP\\/1\\.[01] 200/', '/uid=\\d+\\(root\\)/', '/e[a-z]/', '/\\bGET\\b/', '/\\r\\n$/', '/^HTTP/'].join('\n') + '\n');
});

afterEach(() => {
  vi.restoreAllMocks();
});

const capture = (argv: string[]) => captureRun(run, argv);

interface Report {
  mode: string;
  disagreementCount: number;
  comparedInputs: number;
  engines: { engine: string; error: string | null; matches: number }[];
}

describe('compare --mode', () => {
  it('set: every engine agrees on the per-input match sets, fewer events than all; the report names the mode', async () => {
    const base = ['--signatures', sigFile(), '--pcap', ...pcaps, '--engines', 'nfa,obdd,obdd2,dfa,mdfa,regexp', '--runs', '1', '--format', 'json'];
    const set = JSON.parse((await capture([...base, '--mode', 'set'])).out) as Report;
    const all = JSON.parse((await capture(base)).out) as Report;
    expect(set.mode).toBe('set');
    expect(all.mode).toBe('all');
    expect(set.comparedInputs).toBeGreaterThan(0);
    expect(set.disagreementCount).toBe(0);
    for (const e of set.engines) expect(e.error, e.engine).toBeNull();
    const setMatches = set.engines[0]!.matches;
    expect(set.engines.every((e) => e.matches === setMatches)).toBe(true);
    expect(setMatches).toBeGreaterThan(0);
    expect(setMatches).toBeLessThan(all.engines[0]!.matches);
    const text = await capture(['--signatures', sigFile(), '--pcap', ...pcaps, '--engines', 'nfa,obdd', '--runs', '1', '--mode', 'set']);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^mode: set /m);
    expect(text.out).toMatch(/all engines agree/);
  });

  it('a bad --mode is a usage error', async () => {
    await expect(capture(['--signatures', sigFile(), '--pcap', pcaps[0]!, '--mode', 'first'])).rejects.toThrow(UsageError);
    await expect(capture(['--signatures', sigFile(), '--pcap', pcaps[0]!, '--mode', 'x'])).rejects.toThrow(/--mode must be all or set/);
  });
});

describe('compare and the prefilter', () => {
  it('runs an entry prefiltered only when asked (+pf, or --prefilter), and every entry agrees', async () => {
    interface WithStats {
      disagreementCount: number;
      engines: { engine: string; stats: Record<string, unknown> | null }[];
    }
    const base = ['--signatures', sigFile(), '--pcap', ...pcaps, '--runs', '1', '--format', 'json'];
    const r = JSON.parse((await capture([...base, '--engines', 'nfa+pf,nfa,obdd+pf,obdd'])).out) as WithStats;
    const pre = Object.fromEntries(r.engines.map((e) => [e.engine, e.stats !== null && 'prefilter' in e.stats]));
    expect(pre).toEqual({ 'nfa+pf': true, nfa: false, 'obdd+pf': true, obdd: false });
    expect(r.disagreementCount).toBe(0);
    const all = JSON.parse((await capture([...base, '--engines', 'nfa,dfa', '--prefilter'])).out) as WithStats;
    expect(all.engines.map((e) => e.stats !== null && 'prefilter' in e.stats)).toEqual([true, false]);
  });
});
