/**
 * The long fuzz run: the properties of test/fuzz/ (bench/lib/fuzz-surfaces.ts) with many
 * more runs and bigger inputs (every bundled capture, as pcap and pcapng; 200-line rule
 * windows with up to 20 damaged lines; 60-line signature files; longer argv).
 * Prints, per surface, the cases run, the time, and any failure with the seed and path
 * that replay it (`--seed S`; fast-check's shrunk counterexample is printed too).
 *
 * Run: npx tsx bench/fuzz.ts [--runs N] [--seed S] [--only captures,rules,signatures,cli] [--no-shrink] [--time-limit SEC]
 * `--runs N` is the run count of the capture surface; the others scale from it (rules 2N,
 * variable chains N, signatures N/2, each CLI command N/4, damaged captures through the CLI N/4). Default
 * N = 2000. A surface stops after `--time-limit` seconds (default 600, shrinking
 * included; the runs done are printed). Exit code 1 when a property failed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import {
  bundledCaptures, bundledPcres, bundledRuleFiles, captureProperty, CLI_COMMANDS, cliCaptureProperty, cliProperty, makeCliFiles, ruleFileProperty,
  signatureProperty, toPcapng, varsProperty,
} from './lib/fuzz-surfaces.js';

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : undefined);
const runs = Number(opt('runs') ?? 2000);
const seed = opt('seed') !== undefined ? Number(opt('seed')) : Date.now() ^ (Math.random() * 0x7fffffff);
const noShrink = argv.includes('--no-shrink');
const limitMs = Number(opt('time-limit') ?? 600) * 1000;
const only = new Set((opt('only') ?? 'captures,rules,signatures,cli').split(','));

interface Row {
  surface: string;
  runs: number;
  ms: number;
  failure?: string;
  /** Stopped by the time limit before all its runs. */
  interrupted: boolean;
}

const rows: Row[] = [];

async function surface(name: string, n: number, prop: fc.IProperty<never> | fc.IAsyncProperty<never> | fc.IRawProperty<unknown, boolean>): Promise<void> {
  const t0 = performance.now();
  // Shrinking a failure re-runs compiles and replays: bounded, the unshrunk case still prints.
  const r = await fc.check(prop as fc.IRawProperty<unknown, boolean>, { numRuns: n, seed, endOnFailure: noShrink, interruptAfterTimeLimit: limitMs, markInterruptAsFailure: false });
  const row: Row = { surface: name, runs: r.numRuns, ms: performance.now() - t0, interrupted: r.interrupted };
  if (r.failed) {
    const err = r.errorInstance instanceof Error ? r.errorInstance.message : String(r.errorInstance);
    row.failure = `seed ${r.seed} path ${r.counterexamplePath}: ${err.slice(0, 1500)}\n  counterexample: ${fc.stringify(r.counterexample).slice(0, 1500)}`;
  }
  rows.push(row);
  process.stdout.write(`${name.padEnd(16)} ${String(row.runs).padStart(6)} runs ${(row.ms / 1000).toFixed(1).padStart(7)} s  ${row.failure ? `FAILED\n  ${row.failure}` : 'ok'}${row.interrupted ? ' (time limit)' : ''}\n`);
}

process.stdout.write(`fuzz: seed ${seed}, runs ${runs}\n`);
if (only.has('captures')) {
  const classic = bundledCaptures();
  await surface('captures', runs, captureProperty([...classic, ...classic.map(toPcapng)], 'bench', 20_000));
}
if (only.has('rules')) {
  await surface('rule files', runs * 2, ruleFileProperty(bundledRuleFiles(), 'bench', 25));
  const dir = mkdtempSync(join(tmpdir(), 'nfa-obdd-fuzz-vars-'));
  try {
    await surface('variables', runs, varsProperty(dir, 'bench', 5000));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (only.has('signatures')) await surface('signature files', Math.ceil(runs / 2), signatureProperty(bundledPcres(), 'bench', 30_000));
if (only.has('cli')) {
  const files = makeCliFiles();
  try {
    for (const command of Object.keys(CLI_COMMANDS)) {
      const { run } = await CLI_COMMANDS[command]!();
      await surface(`cli ${command}`, Math.ceil(runs / 4), cliProperty(files, command, run, 'bench', 30_000));
    }
    const cmds = { info: (await CLI_COMMANDS.info!()).run, scan: (await CLI_COMMANDS.scan!()).run, replay: (await CLI_COMMANDS.replay!()).run };
    const caps = bundledCaptures(13_000);
    await surface('cli captures', Math.ceil(runs / 4), cliCaptureProperty(files, [...caps, ...caps.map(toPcapng)], cmds, 'bench', 30_000));
  } finally {
    rmSync(files.dir, { recursive: true, force: true });
  }
}
const failed = rows.filter((r) => r.failure !== undefined);
process.stdout.write(`fuzz: ${rows.reduce((n, r) => n + r.runs, 0)} cases over ${rows.length} surfaces, ${failed.length} failed (seed ${seed})\n`);
process.exitCode = failed.length > 0 ? 1 : 0;
