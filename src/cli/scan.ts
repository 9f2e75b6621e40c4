/**
 * `scan`: compile a signature file and scan one input file as a single buffer.
 *
 * The signature file holds one signature a line in Snort pcre syntax (`/pattern/flags`,
 * or a bare pattern); lines are trimmed, and blank lines and lines starting with `#` are
 * skipped. Matches are identified by the 1-based line of their signature. Output:
 * - text: `<line>\t<end>\t<signature>` per match;
 * - json: one `{"line": <line>, "end": <offset just past the match>}` object per line.
 * `--first` reports only the earliest-ending match of each signature. Rejected signatures
 * go to stderr as `<file>:<line>: <reason>`; the exit code is 0 whenever the scan ran,
 * whatever it found or rejected (1: a file could not be read; 2: bad usage).
 * `--engine` takes an engine label with options (`obdd:memoKey=pair`, engine-flags.ts).
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { compile, DEFAULT_ENGINE, ENGINE_NAMES } from '../compile.js';
import { parseArgs } from './args.js';
import { ENGINE_FLAG_SPEC, ENGINE_FLAG_USAGE, engineConfigFromFlags } from './engine-flags.js';

/** The help text of `nfa-obdd scan`. */
export const usage = `usage: nfa-obdd scan --signatures FILE --input FILE [--engine ENGINE] [--no-memo | --memo-budget BYTES]
                     [--first] [--format text|json]

Scans FILE (read as one buffer; '-' reads standard input) with every signature of the
signatures file (one Snort pcre signature a line, '/pattern/flags' or a bare pattern;
blank lines and lines starting with '#' are skipped).

options:
  --signatures FILE   signature file
  --input FILE        data to scan
  --engine ENGINE     ${ENGINE_NAMES.join('|')} (default ${DEFAULT_ENGINE}); options as
                      ENGINE:key=value..., e.g. obdd:memo=false
${ENGINE_FLAG_USAGE}  --first             only the earliest-ending match of each signature
  --format FORMAT     text (default): <line> TAB <end> TAB <signature>
                      json: one {"line": N, "end": E} object per line
                      (line: 1-based line of the signature; end: offset just past the match)

Rejected signatures are listed on stderr with their line and reason. Exit code 0 when
the scan ran, whatever it found; 1 when a file cannot be read; 2 on bad usage.
`;

function readInput(path: string, what: string): Buffer | null {
  try {
    return path === '-' ? readFileSync(0) : readFileSync(path);
  } catch (e) {
    process.stderr.write(`nfa-obdd scan: cannot read ${what} '${path}': ${e instanceof Error ? e.message : String(e)}\n`);
    return null;
  }
}

/**
 * Runs `nfa-obdd scan` with `argv` (the arguments after the command name); resolves to the
 * exit code (0: the scan ran, 1: a file cannot be read). Throws UsageError for bad usage,
 * an unknown engine or engine option included (exit 2 in main).
 */
export async function run(argv: string[]): Promise<number> {
  const { options, positionals } = parseArgs(argv, {
    signatures: 'value',
    input: 'value',
    engine: 'value',
    first: 'flag',
    format: 'value',
    ...ENGINE_FLAG_SPEC,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const sigPath = options.signatures as string | undefined;
  const inputPath = options.input as string | undefined;
  if (!sigPath) throw new UsageError('--signatures FILE is required');
  if (!inputPath) throw new UsageError('--input FILE is required');
  const format = (options.format as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not '${format}'`);
  const config = engineConfigFromFlags(options);
  if (sigPath === '-' && inputPath === '-') throw new UsageError('only one of --signatures and --input can be -');

  const sigBuf = readInput(sigPath, 'signatures');
  if (!sigBuf) return 1;
  const input = readInput(inputPath, 'input');
  if (!input) return 1;

  const sources: string[] = [];
  const lineOf: number[] = [];
  const lines = sigBuf.toString('utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].trim();
    if (text === '' || text.startsWith('#')) continue;
    sources.push(text);
    lineOf.push(i + 1);
  }

  const result = compile(sources, config);
  const errLines = result.rejected.map((r) => `${sigPath}:${lineOf[r.signature]}: ${r.error.message}\n`);
  if (errLines.length) process.stderr.write(errLines.join(''));

  // Output is buffered in large chunks: a permissive signature can match at every byte.
  let out = '';
  const flush = (): void => {
    if (out) process.stdout.write(out);
    out = '';
  };
  const onMatch =
    format === 'json'
      ? (sig: number, end: number): void => {
          out += `{"line":${lineOf[sig]},"end":${end}}\n`;
          if (out.length > 1 << 16) flush();
        }
      : (sig: number, end: number): void => {
          out += `${lineOf[sig]}\t${end}\t${sources[sig]}\n`;
          if (out.length > 1 << 16) flush();
        };
  const { matcher } = result;
  const scratch = matcher.createScratch({ mode: options.first ? 'set' : 'all' });
  matcher.scan(scratch, new Uint8Array(input.buffer, input.byteOffset, input.byteLength), onMatch);
  matcher.finish(scratch, onMatch);
  flush();
  return 0;
}
