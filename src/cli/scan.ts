/**
 * `scan`: compile a signature file and scan either one input file as a single buffer
 * (`--input`) or every TCP/UDP payload of capture files, each payload one input (`--pcap`).
 *
 * The signature file holds one signature a line in Snort pcre syntax (`/pattern/flags`,
 * or a bare pattern); lines are trimmed, and blank lines and lines starting with `#` are
 * skipped (`parseSignatureLines`). Matches are identified by the 1-based line of their
 * signature. Output:
 * - `--input`, text: `<line>\t<end>\t<signature>` per match; json: one
 *   `{"line": <line>, "end": <offset just past the match>}` object per line;
 * - `--pcap`, json (its default): one `{"file","packet","line","end"}` object per match
 *   (`packet`: 1-based number of the packet in its file, counting every packet; `end`:
 *   offset within the payload); text: `<file>\t<packet>\t<line>\t<end>\t<signature>`;
 *   then a summary line on stderr (files, packets, payloads, bytes, matches, scan seconds
 *   and MB/s, compile seconds apart).
 * `--mode set` reports the per-input match set (each signature at most once per input,
 * its earliest end); `--mode all` (default) every end; `--first` is the deprecated alias of
 * `--mode set`. Output goes through `OutputWriter`, which waits for 'drain' when stdout's
 * buffer is full. Rejected signatures go to stderr as `<file>:<line>: <reason>`.
 * Exit code: 0 whenever the scan ran, whatever it found or rejected; 1 a file could not be
 * read, or a capture was damaged (`PcapFormatError` on stderr naming the file and packet;
 * the other captures are still scanned, and the packets before the damage), or the engine
 * failed on some packets (skipped and counted); 2 bad usage.
 * `--engine` takes an engine label with options (`obdd:memoKey=pair`, engine-flags.ts).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { PcapFormatError, UsageError } from '../errors.js';
import { compile, DEFAULT_ENGINE, ENGINE_NAMES, type CompileResult } from '../compile.js';
import { parseSignatureLines, transportPayload } from '../compare/corpus.js';
import { Decoder, readCapture } from '../pcap/index.js';
import { OutputWriter } from './output.js';
import { parseArgs } from './args.js';
import { expandFileLists, matchModeFromFlags } from './compare.js';
import { confirmFromFlags, ENGINE_FLAG_SPEC, ENGINE_FLAG_USAGE, engineConfigFromFlags, prefilterFromFlags } from './engine-flags.js';

/** The help text of `nfa-obdd scan`. */
export const usage = `usage: nfa-obdd scan --signatures FILE (--input FILE | --pcap FILE...) [--engine ENGINE]
                     [--no-memo | --memo-budget BYTES] [--prefilter] [--mode all|set] [--format text|json]

Scans FILE (read as one buffer; '-' reads standard input), or each TCP/UDP payload of the
captures (one payload = one input), with every signature of the signatures file (one
Snort pcre signature a line, '/pattern/flags' or a bare pattern; blank lines and lines
starting with '#' are skipped).

options:
  --signatures FILE   signature file
  --input FILE        data to scan, as one input
  --pcap FILE...      captures (pcap, pcapng, gzip'd; repeatable; '-' is stdin): each
                      non-empty TCP/UDP payload is scanned as one input
  --engine ENGINE     ${ENGINE_NAMES.join('|')} (default ${DEFAULT_ENGINE}); options as
                      ENGINE:key=value..., e.g. obdd:memo=false
${ENGINE_FLAG_USAGE}  --mode MODE         all (default): every end of every match
                      set: the match set, each signature once per input, its earliest end
  --first             deprecated alias of --mode set
  --format FORMAT     --input: text (default) <line> TAB <end> TAB <signature>
                               json: one {"line": N, "end": E} object per line
                      --pcap:  json (default) one {"file": F, "packet": P, "line": N,
                               "end": E} object per line (packet: 1-based in its file,
                               counting every packet; end: offset in the payload)
                               text: <file> TAB <packet> TAB <line> TAB <end> TAB <signature>
                      (line: 1-based line of the signature; end: offset just past the match)

With --pcap a summary goes to stderr: files, packets, payloads scanned, payload bytes,
matches, scan seconds and MB/s (payload bytes / scan time; compile time apart).
Rejected signatures are listed on stderr with their line and reason. Exit code 0 when
the scan ran, whatever it found; 1 when a file cannot be read or a capture is damaged
(named on stderr; the other captures are still scanned); 2 on bad usage.
`;

export { OutputWriter } from './output.js';

/** The parsed command line of `scan`, checked. */
interface ScanArgs {
  sigPath: string;
  inputPath: string | undefined;
  pcaps: string[];
  format: 'text' | 'json';
  mode: 'all' | 'set';
  options: Record<string, string | boolean | string[] | undefined>;
}

/** Parses and checks the arguments; throws UsageError for bad usage. */
function parseScanArgs(argv: string[]): ScanArgs {
  const { options, positionals } = parseArgs(expandFileLists(argv, ['--pcap']), {
    signatures: 'value',
    input: 'value',
    pcap: 'list',
    engine: 'value',
    mode: 'value',
    first: 'flag',
    format: 'value',
    ...ENGINE_FLAG_SPEC,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const sigPath = options.signatures as string | undefined;
  const inputPath = options.input as string | undefined;
  const pcaps = (options.pcap as string[] | undefined) ?? [];
  if (!sigPath) throw new UsageError('--signatures FILE is required');
  if (inputPath === undefined && pcaps.length === 0) throw new UsageError('--input FILE or --pcap FILE... is required');
  if (inputPath !== undefined && pcaps.length > 0) throw new UsageError('give --input FILE or --pcap FILE..., not both');
  const format = (options.format as string | undefined) ?? (pcaps.length > 0 ? 'json' : 'text');
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not '${format}'`);
  const stdinUses = [sigPath, inputPath, ...pcaps].filter((p) => p === '-').length;
  if (stdinUses > 1) throw new UsageError("'-' (stdin) can be used once only");
  return { sigPath, inputPath, pcaps, format, mode: matchModeFromFlags(options), options };
}

function readInput(path: string, what: string): Buffer | null {
  try {
    return path === '-' ? readFileSync(0) : readFileSync(path);
  } catch (e) {
    process.stderr.write(`nfa-obdd scan: cannot read ${what} '${path}': ${e instanceof Error ? e.message : String(e)}\n`);
    return null;
  }
}

/** The compiled signature file: the compile result, sources, each one's line, compile time. */
interface CompiledSignatures {
  result: CompileResult;
  sources: string[];
  lineOf: number[];
  compileMs: number;
}

/** Reads and compiles the signature file, rejected lines to stderr; null (after a message) when unreadable. */
function compileSignatures(args: ScanArgs): CompiledSignatures | null {
  const sigBuf = readInput(args.sigPath, 'signatures');
  if (!sigBuf) return null;
  const { sources, lines: lineOf } = parseSignatureLines(sigBuf.toString('utf8'));
  const t0 = performance.now();
  const result = compile(sources, { ...engineConfigFromFlags(args.options), prefilter: prefilterFromFlags(args.options), confirm: confirmFromFlags(args.options) });
  const compileMs = performance.now() - t0;
  const errLines = result.rejected.map((r) => `${args.sigPath}:${lineOf[r.signature]}: ${r.error.message}\n`);
  if (errLines.length) process.stderr.write(errLines.join(''));
  return { result, sources, lineOf, compileMs };
}

/**
 * `--input`: the file scanned as one buffer in one `scan` call (the regexp engine's
 * bounded streaming window makes chunked scans differ on long matches), output written
 * afterwards with backpressure.
 */
async function scanFile(args: ScanArgs, sigs: CompiledSignatures, path: string): Promise<number> {
  const input = readInput(path, 'input');
  if (!input) return 1;
  const { lineOf, sources } = sigs;
  const out = new OutputWriter();
  // Chunks of text, not one string: a permissive signature can match at every byte.
  const chunks: string[] = [];
  let text = '';
  const add = (line: string): void => {
    text += line;
    if (text.length > 1 << 16) {
      chunks.push(text);
      text = '';
    }
  };
  const onMatch =
    args.format === 'json'
      ? (sig: number, end: number): void => add(`{"line":${lineOf[sig]},"end":${end}}\n`)
      : (sig: number, end: number): void => add(`${lineOf[sig]}\t${end}\t${sources[sig]}\n`);
  const { matcher } = sigs.result;
  const scratch = matcher.createScratch({ mode: args.mode });
  matcher.scan(scratch, new Uint8Array(input.buffer, input.byteOffset, input.byteLength), onMatch);
  matcher.finish(scratch, onMatch);
  chunks.push(text);
  for (const c of chunks) {
    out.add(c);
    await out.flush();
  }
  return 0;
}

/** Counters of a `--pcap` scan, for the summary line. */
interface PcapTotals {
  files: number;
  damaged: number;
  packets: number;
  payloads: number;
  bytes: number;
  matches: number;
  scanMs: number;
  engineErrors: number;
}

/**
 * Scans the payloads of one capture, one input each (`scan` then `finish` on the shared
 * scratch), writing matches as they come. A damaged or unreadable capture is reported on
 * stderr (the packets before the damage stay scanned) and counted in `totals.damaged`.
 */
async function scanCapture(
  file: string,
  sigs: CompiledSignatures,
  args: ScanArgs,
  out: OutputWriter,
  totals: PcapTotals,
  state: { scratch: ReturnType<CompileResult['matcher']['createScratch']>; decoder: Decoder },
): Promise<void> {
  const { matcher } = sigs.result;
  const { lineOf, sources } = sigs;
  const fileJson = JSON.stringify(file);
  let packet = 0;
  const onMatch =
    args.format === 'json'
      ? (sig: number, end: number): void => {
          totals.matches++;
          out.add(`{"file":${fileJson},"packet":${packet},"line":${lineOf[sig]},"end":${end}}\n`);
        }
      : (sig: number, end: number): void => {
          totals.matches++;
          out.add(`${file}\t${packet}\t${lineOf[sig]}\t${end}\t${sources[sig]}\n`);
        };
  totals.files++;
  try {
    for await (const batch of readCapture(file === '-' ? process.stdin : file, { file }).batches()) {
      for (const p of batch) {
        totals.packets++;
        packet = p.index + 1;
        const payload = transportPayload(state.decoder, p);
        if (payload === null) continue;
        totals.payloads++;
        totals.bytes += payload.length;
        const t0 = performance.now();
        try {
          matcher.scan(state.scratch, payload, onMatch);
          matcher.finish(state.scratch, onMatch);
        } catch (e) {
          // An engine failure is not the capture's fault: skip the packet on a fresh scratch.
          if (totals.engineErrors++ === 0) {
            process.stderr.write(`nfa-obdd scan: ${file}: packet ${packet}: engine failure, packet skipped: ${(e as Error).message}\n`);
          }
          state.scratch = matcher.createScratch({ mode: args.mode });
        }
        totals.scanMs += performance.now() - t0;
        await out.flushIfFull();
      }
    }
  } catch (e) {
    totals.damaged++;
    await out.flush();
    const err = e instanceof PcapFormatError ? e : new PcapFormatError(`unexpected failure: ${(e as Error).message}`, 0, packet, file);
    process.stderr.write(`nfa-obdd scan: ${err.message}; packet ${err.packetsRead + 1} and the rest of the file skipped\n`);
  }
}

/** The summary line of a `--pcap` scan. */
function pcapSummary(t: PcapTotals, compileMs: number, engine: string, mode: string): string {
  const sec = t.scanMs / 1000;
  const mbps = sec > 0 ? (t.bytes / 1e6 / sec).toFixed(2) : '-';
  return (
    `scan: ${t.files} file(s)${t.damaged ? ` (${t.damaged} damaged or unreadable, rest skipped)` : ''}, ${t.packets} packets, ` +
    `${t.payloads} payloads scanned, ${t.bytes} payload bytes, ${t.matches} matches` +
    `${t.engineErrors ? `, ${t.engineErrors} packet(s) skipped on engine failure` : ''}; ` +
    `scan ${sec.toFixed(3)} s, ${mbps} MB/s; compile ${(compileMs / 1000).toFixed(3)} s (engine ${engine}, mode ${mode})\n`
  );
}

/** `--pcap`: every capture in turn, then the summary; 1 when a capture was damaged or the engine failed. */
async function scanCaptures(args: ScanArgs, sigs: CompiledSignatures): Promise<number> {
  const out = new OutputWriter();
  const totals: PcapTotals = { files: 0, damaged: 0, packets: 0, payloads: 0, bytes: 0, matches: 0, scanMs: 0, engineErrors: 0 };
  const state = { scratch: sigs.result.matcher.createScratch({ mode: args.mode }), decoder: new Decoder() };
  for (const file of args.pcaps) await scanCapture(file, sigs, args, out, totals, state);
  await out.flush();
  const m = sigs.result.matcher;
  process.stderr.write(pcapSummary(totals, sigs.compileMs, m.stats().prefilter ? `${m.engine}+prefilter` : m.engine, args.mode));
  return totals.damaged > 0 || totals.engineErrors > 0 ? 1 : 0;
}

/**
 * Runs `nfa-obdd scan` with `argv` (the arguments after the command name); resolves to the
 * exit code (see the module comment). Throws UsageError for bad usage, an unknown engine
 * or engine option included (exit 2 in main).
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseScanArgs(argv);
  engineConfigFromFlags(args.options); // usage errors before any file is read
  const sigs = compileSignatures(args);
  if (!sigs) return 1;
  try {
    return args.inputPath !== undefined ? await scanFile(args, sigs, args.inputPath) : await scanCaptures(args, sigs);
  } finally {
    (sigs.result.matcher as { close?: () => void }).close?.();
  }
}
