/**
 * Fuzzing the CLI surface: random argv of each command (`replay`, `scan`, `compare`,
 * `info`) built from its real option names, values from pools of good and bad values
 * (tiny files, damaged, empty, binary and missing files, a directory, bad numbers, engine
 * labels, selectors) and junk tokens, run in-process as `main` runs them. The exit code is
 * 0, 1 or 2, a usage error says why, and stderr never shows a stack trace. Then damaged
 * captures (bench/lib/fuzz-surfaces.ts mutations) through the commands that read them.
 *
 * Left out on purpose: `-` (stdin; in-process it would wait on the test runner's stdin),
 * `replay --default` (compiles the whole bundled rule set: seconds per case, not a new
 * input) and `replay --workers N > 1` (worker threads; test/replay/parallel.test.ts).
 * Every replay case gets `--limit-packets 3` (and `--no-progress` unless it has `--progress`) appended (a later bad
 * `--limit-packets` in the argv is overridden by it, an earlier one still fails).
 */
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledCaptures, CLI_COMMANDS, cliCaptureProperty, cliProperty, makeCliFiles, runCommand, STACK_LINE, toPcapng } from '../../bench/lib/fuzz-surfaces.js';

const files = makeCliFiles();
afterAll(() => rmSync(files.dir, { recursive: true, force: true }));

const RUNS: Record<string, number> = { replay: 60, scan: 80, compare: 25, info: 80 };

describe('CLI argument fuzzing', () => {
  it('the harness: a good run is 0, a usage error 2 with a message, a damaged capture 1', async () => {
    const replay = (await CLI_COMMANDS.replay!()).run;
    const ok = await runCommand(replay, 'replay', ['--rules', files.rules, '--pcap', files.pcap, '--no-progress']);
    expect(ok.code).toBe(0);
    expect(ok.out.length).toBeGreaterThan(0);
    const usage = await runCommand(replay, 'replay', ['--bogus']);
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/unknown option --bogus/);
    const info = (await CLI_COMMANDS.info!()).run;
    const damaged = await runCommand(info, 'info', [files.damagedPcap]);
    expect(damaged.code).toBe(1);
    expect(damaged.err).not.toMatch(STACK_LINE);
  });

  for (const command of Object.keys(CLI_COMMANDS)) {
    it(`${command}: exit 0/1/2, never a stack trace`, async () => {
      const { run } = await CLI_COMMANDS[command]!();
      await fc.assert(cliProperty(files, command, run, 'ci'), { numRuns: RUNS[command] });
    });
  }

  it('damaged captures through info, scan --pcap and replay --pcap: exit 1 naming the damage, 0 when clean', async () => {
    const small = bundledCaptures(2100);
    const runs = {
      info: (await CLI_COMMANDS.info!()).run,
      scan: (await CLI_COMMANDS.scan!()).run,
      replay: (await CLI_COMMANDS.replay!()).run,
    };
    await fc.assert(cliCaptureProperty(files, [...small, ...small.map(toPcapng)], runs, 'ci'), { numRuns: 120 });
  });
});
