/**
 * Command-line entry point: `nfa-obdd <command> [options]`. Each command lives in its own
 * module exporting `run(argv): Promise<number>` (the exit code) and `usage`.
 *
 * Exit codes: 0 ran (whatever it found), 1 a runtime failure (unreadable or damaged input
 * where the command says so), 2 bad usage. A reader that goes away early (`| head -1`)
 * ends the command with 0, as `grep` does: nobody is left to read the rest.
 */
import { readFileSync } from 'node:fs';
import { NfaObddError, UsageError } from '../errors.js';

interface Command {
  run(argv: string[]): Promise<number>;
  usage: string;
}

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  scan: { summary: 'scan a file with a signature set', load: () => import('./scan.js') },
  compare: { summary: 'compare engines on one signature set and corpus: agreement, compile and scan figures', load: () => import('./compare.js') },
  info: { summary: 'describe capture files (format, link types, packets, bytes, time span)', load: () => import('./info.js') },
  replay: { summary: 'replay captures against Snort rules, print alerts', load: () => import('./replay.js') },
};

/** The package version, read from package.json (two folders up from src/cli and dist/cli). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

/**
 * A closed stdout or stderr (EPIPE) ends the process quietly with exit 0 instead of an
 * unhandled 'error' event: the consumer has stopped reading, so the work left is for nobody.
 */
function exitQuietlyWhenReaderLeaves(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  }
}

function mainUsage(): string {
  const lines = Object.entries(commands).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`);
  return `usage: nfa-obdd <command> [options]\n\ncommands:\n${lines.join('\n')}\n\n` +
    `Run 'nfa-obdd <command> --help' for a command's options; 'nfa-obdd --version' prints the version.\n`;
}

/**
 * Runs the command named by `argv[0]`; resolves to the exit code (2 bad usage, 1 an
 * NfaObddError). Errors that are not NfaObddError propagate.
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainUsage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`nfa-obdd ${version()}\n`);
    return 0;
  }
  const entry = commands[name];
  if (!entry) {
    process.stderr.write(`nfa-obdd: unknown command '${name}'\n\n${mainUsage()}`);
    return 2;
  }
  const cmd = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.usage);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`nfa-obdd ${name}: ${e.message}\n\n${cmd.usage}`);
      return 2;
    }
    if (e instanceof NfaObddError) {
      process.stderr.write(`nfa-obdd ${name}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

exitQuietlyWhenReaderLeaves();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`nfa-obdd: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 70;
  },
);
