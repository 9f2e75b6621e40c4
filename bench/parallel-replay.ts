/**
 * Whole-run figures of `replay --workers N`: the CLI run as a user runs it (one process
 * each, `node bin/nfa-obdd.js replay ...`), every active rule of a ruleset against every
 * capture of a folder; per worker count: wall time of the whole run (load, compile in
 * every worker, replay), the replay time and MiB/s of captures from the summary, the peak
 * RSS of the process (all threads: VmHWM, polled from /proc), its CPU time (all threads,
 * GC helpers included), and whether stdout (JSON
 * alerts) is byte-identical to the first run's.
 *
 * Run: npx tsx bench/parallel-replay.ts [--workers 1,2] [--stream] [--rules DIR|FILE,...] [--pcaps DIR]
 * Defaults: ET Open (`rules/et-open-snort-2.9.0/*.rules` in the shared data) over all
 * Zeek HTTP traces (`traces/zeek/http`), packet mode, 1 then 2 workers.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHARED_DATA } from './lib/shared-data.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const inDir = (dir: string, re: RegExp): string[] => readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => join(dir, f));
const ruleArg = opt('rules') ?? join(SHARED_DATA, 'rules/et-open-snort-2.9.0');
const ruleFiles = statSync(ruleArg).isDirectory() ? inDir(ruleArg, /\.rules$/) : ruleArg.split(',');
const pcaps = inDir(opt('pcaps') ?? join(SHARED_DATA, 'traces/zeek/http'), /\.pcap(ng)?(\.gz)?$/);
const counts = (opt('workers') ?? '1,2').split(',');
const stream = args.includes('--stream');
const bin = fileURLToPath(new URL('../bin/nfa-obdd.js', import.meta.url));
const captureBytes = pcaps.reduce((n, p) => n + statSync(p).size, 0);

interface Run {
  workers: string;
  wallMs: number;
  replayMs: number;
  peakRssKiB: number;
  cpuSec: number;
  code: number | null;
  digest: string;
  alerts: number;
  summary: string;
}

/** The process's CPU time so far (user + system, seconds; sampled: up to 50 ms short), 0 if unreadable. */
function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/** The process's peak RSS so far (KiB), 0 if unreadable. */
function vmHwm(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function once(workers: string): Promise<Run> {
  const argv = [bin, 'replay', '--rules', ...ruleFiles, '--pcap', ...pcaps, '--format', 'json', '--no-progress', '--workers', workers];
  if (stream) argv.push('--stream');
  const t0 = performance.now();
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const hash = createHash('sha256');
  let alerts = 0;
  let err = '';
  let peak = 0;
  let cpu = 0;
  const poll = setInterval(() => {
    peak = Math.max(peak, vmHwm(child.pid!));
    cpu = Math.max(cpu, cpuSeconds(child.pid!));
  }, 50);
  child.stdout.on('data', (b: Buffer) => {
    hash.update(b);
    for (const c of b) if (c === 10) alerts++;
  });
  child.stderr.on('data', (b: Buffer) => {
    err += b.toString();
  });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearInterval(poll);
      const wallMs = performance.now() - t0;
      const replayMs = Number(/^time: (\d+) ms replay/m.exec(err)?.[1] ?? NaN);
      const summary = err.split('\n').filter((l) => /^(captures|alerts|time|memory|workers|compile):/.test(l)).join('\n    ');
      resolve({ workers, wallMs, replayMs, peakRssKiB: peak, cpuSec: cpu, code, digest: hash.digest('hex').slice(0, 16), alerts, summary });
    });
  });
}

console.log(
  `${ruleFiles.length} rule file(s), ${pcaps.length} capture(s) (${(captureBytes / 1048576).toFixed(1)} MiB), ` +
    `${stream ? 'stream' : 'packet'} mode; machine: ${(await import('node:os')).availableParallelism()} cores, shared ` +
    `(load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')} at start)`,
);
const runs: Run[] = [];
for (const w of counts) {
  const r = await once(w);
  runs.push(r);
  const mibs = captureBytes / 1048576 / (r.replayMs / 1000);
  console.log(
    `--workers ${w.padEnd(4)} exit ${r.code}  wall ${(r.wallMs / 1000).toFixed(1)} s  replay ${(r.replayMs / 1000).toFixed(1)} s ` +
      `(${mibs.toFixed(2)} MiB/s of captures)  peak RSS ${(r.peakRssKiB / 1024).toFixed(0)} MiB  CPU ${r.cpuSec.toFixed(1)} s  ${r.alerts} alerts, stdout sha256 ${r.digest}` +
      (runs.length > 1 ? (r.digest === runs[0]!.digest ? '  same as first' : '  DIFFERS from first') : ''),
  );
  console.log(`    ${r.summary}`);
}
const [a, ...rest] = runs;
for (const b of rest) {
  console.log(
    `ratio --workers ${b.workers} / --workers ${a!.workers}: replay speed ${(a!.replayMs / b.replayMs).toFixed(2)}x, ` +
      `whole run ${(a!.wallMs / b.wallMs).toFixed(2)}x, peak RSS ${(b.peakRssKiB / a!.peakRssKiB).toFixed(2)}x`,
  );
}
