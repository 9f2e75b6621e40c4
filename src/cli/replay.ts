/**
 * `replay`: Snort rules against capture files; alerts on stdout (Snort fast-alert lines or
 * JSON lines), a summary on stderr. The work is `src/replay` (library level); this module
 * parses options, resolves `--default` to the bundled `traces/`, prints, and decides the
 * exit code: 0 ran, 1 a capture or rule file was unreadable or damaged, or the engine
 * failed on some packets (the rest is still replayed and reported), 2 bad usage.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { DEFAULT_ENGINE, ENGINE_NAMES, type EngineConfig } from '../compile.js';
import { ENGINE_FLAG_SPEC, ENGINE_FLAG_USAGE, engineConfigFromFlags, prefilterFromFlags } from './engine-flags.js';
import {
  formatFast, formatJson, prepareRules, Replayer, type Alert, type CaptureResult, type PreparedRules, type ReplayMode,
} from '../replay/index.js';
import { formatLoadSummary } from '../rules/load.js';
import { SELECT_PRESETS } from '../rules/select.js';
import { parseArgs } from './args.js';

/** The command's help text. */
export const usage = `usage: nfa-obdd replay --rules FILE... --pcap FILE... [options]
       nfa-obdd replay --default [options]

Replays captures against Snort rules: every pattern of the rules is compiled into ONE
automaton (the chosen engine), every packet (or reassembled TCP stream, --stream) is
scanned once, and the rules whose conditions hold raise alerts.

input:
  --rules FILE...      Snort 2.9 / Snort 3 / Suricata rule file(s); repeatable; '-' is stdin
  --pcap FILE...       capture file(s): pcap, pcapng, gzip'd; repeatable; '-' is stdin
  --default            the bundled traces/pcap/*.pcap against traces/rules/*.rules
                       (what 'npm start' runs)
  --include-disabled   also load commented-out rules ('# alert ...')
  --vars FILE          snort.conf-style variables file (var/ipvar/portvar lines)
  --var NAME=VALUE     set a variable (repeatable), e.g. --var HOME_NET=10.0.0.0/8
  --select SELECTOR    keep only matching rules, e.g. proto=tcp,dport=80,msg=SQL,sid=1-3000
                       presets: ${Object.keys(SELECT_PRESETS).join(', ')} (see src/rules/select.ts)

matching:
  --engine ENGINE      ${ENGINE_NAMES.join('|')} (default ${DEFAULT_ENGINE}); options as
                       ENGINE:key=value..., e.g. obdd:memo=false
${ENGINE_FLAG_USAGE}  --stream             reassemble TCP and decide rules on the stream, at most one alert per
                       rule and stream direction (default: packet mode, each packet alone)
  --midstream          a TCP session picked up without its handshake counts as established
                       (default: flow:established needs the three-way handshake)
  --stream-depth N     bytes inspected per stream direction (default 1048576)
  --limit-packets N    stop each capture after N packets

output:
  --format fast|json   fast (default): Snort fast-alert lines (UTC timestamps)
                         MM/DD-HH:MM:SS.uuuuuu  [**] [gid:sid:rev] msg [**]
                         [Classification: ...] [Priority: N] {PROTO} src:sport -> dst:dport
                       json: one object per line: ts, gid, sid, rev, msg, classtype,
                         priority, file, packet (1-based in its file), proto, src, sport,
                         dst, dport, direction, stream, offsets (end offset of each
                         positive pattern's first match in the inspected buffer)
  --quiet              no alerts on stdout, summary only
  --verbose            list every rejected rule (file:line, sid, reason) on stderr
  --no-progress        no progress line on stderr (shown only when stderr is a terminal)

The summary (stderr) gives rules loaded/selected/rejected by reason, packets, bytes,
alerts by sid, time, throughput and memory.

exit status: 0 the replay ran (whatever it found); 1 a capture or rule file was unreadable
or damaged, or the engine failed on some packets (the rest is still replayed and
reported); 2 bad usage.
`;

const LIST_OPTIONS = new Set(['--rules', '--pcap']);

/**
 * `--rules a b c` as well as `--rules a --rules b`: bare words after a list option belong
 * to it (until the next option).
 */
function expandLists(argv: readonly string[]): string[] {
  const out: string[] = [];
  let list: string | undefined;
  for (const arg of argv) {
    if (arg.startsWith('--') && arg !== '--') {
      const name = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
      list = LIST_OPTIONS.has(name) && !arg.includes('=') ? name : undefined;
      out.push(arg);
      continue;
    }
    if (list !== undefined && out[out.length - 1] !== list) out.push(list);
    out.push(arg);
  }
  return out;
}

/** The bundled `traces/<dir>/*<ext>` files, sorted. */
function bundled(dir: string, ext: string): string[] {
  const base = fileURLToPath(new URL(`../../traces/${dir}/`, import.meta.url));
  return readdirSync(base)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => `${base}${f}`);
}

/** A positive integer option's value; UsageError naming `name` otherwise. */
function positiveInt(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`${name} expects a positive integer, got '${v}'`);
  return Number(v);
}

/** Bytes as MiB with one decimal. */
function mb(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The parsed command line of `replay`. */
interface ReplayCommand {
  options: Record<string, string | boolean | string[] | undefined>;
  format: 'fast' | 'json';
  /** `--engine LABEL` plus the memo flags, checked. */
  engine: EngineConfig;
  ruleFiles: string[];
  pcaps: string[];
  mode: ReplayMode;
  quiet: boolean;
  progress: boolean;
  streamDepth: number | undefined;
  limitPackets: number | undefined;
}

/** Parses and checks the arguments; throws UsageError for bad usage. */
function parseCommand(argv: string[]): ReplayCommand {
  const { options, positionals } = parseArgs(expandLists(argv), {
    rules: 'list',
    pcap: 'list',
    default: 'flag',
    'include-disabled': 'flag',
    vars: 'value',
    var: 'list',
    select: 'value',
    engine: 'value',
    ...ENGINE_FLAG_SPEC,
    stream: 'flag',
    midstream: 'flag',
    'stream-depth': 'value',
    'limit-packets': 'value',
    format: 'value',
    quiet: 'flag',
    verbose: 'flag',
    'no-progress': 'flag',
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (use --rules or --pcap)`);
  const format = (options.format as string | undefined) ?? 'fast';
  if (format !== 'fast' && format !== 'json') throw new UsageError(`--format must be fast or json, not '${format}'`);
  const engine = engineConfigFromFlags(options);
  const ruleFiles = [...((options.rules as string[] | undefined) ?? [])];
  const pcaps = [...((options.pcap as string[] | undefined) ?? [])];
  if (options.default) {
    ruleFiles.push(...bundled('rules', '.rules'));
    pcaps.push(...bundled('pcap', '.pcap'));
  }
  if (ruleFiles.length === 0) throw new UsageError('no rules given (--rules FILE, or --default)');
  if (pcaps.length === 0) throw new UsageError('no capture given (--pcap FILE, or --default)');
  const stdinUses = ruleFiles.filter((f) => f === '-').length + pcaps.filter((f) => f === '-').length +
    (options.vars === '-' ? 1 : 0);
  if (stdinUses > 1) throw new UsageError("'-' (stdin) can be used once only");
  return {
    options,
    format,
    engine,
    ruleFiles,
    pcaps,
    mode: options.stream ? 'stream' : 'packet',
    quiet: options.quiet === true,
    progress: process.stderr.isTTY === true && !options['no-progress'],
    streamDepth: positiveInt(options['stream-depth'] as string | undefined, '--stream-depth'),
    limitPackets: positiveInt(options['limit-packets'] as string | undefined, '--limit-packets'),
  };
}

/** Loads and compiles the rules; reports unreadable files (and with --verbose, every reject) on stderr. */
function prepare(cmd: ReplayCommand): PreparedRules {
  const { options } = cmd;
  const prepared = prepareRules({
    ruleFiles: cmd.ruleFiles,
    includeDisabled: options['include-disabled'] === true,
    varsFile: options.vars as string | undefined,
    vars: options.var as string[] | undefined,
    select: options.select as string | undefined,
    engine: cmd.engine.engine,
    engineOptions: cmd.engine.engineOptions,
    prefilter: prefilterFromFlags(options),
  });
  const err = process.stderr;
  for (const e of prepared.unreadable) err.write(`nfa-obdd replay: ${e.message}\n`);
  if (options.verbose) {
    for (const x of prepared.rejected) err.write(`rejected [${x.kind}] ${x.error.message}\n`);
  }
  return prepared;
}

/**
 * Alerts to stdout, batched into large writes, and counted by rule for the summary. A
 * closed stdout (e.g. `| head`) ends output quietly.
 */
class AlertOutput {
  /** Alert counts by `gid:sid:rev`. */
  readonly bySid = new Map<string, { rule: Alert['rule']; count: number }>();
  private out: string[] = [];
  private outBytes = 0;
  /** The callback to give the replayer. */
  readonly onAlert: (a: Alert) => void;

  constructor(format: 'fast' | 'json', quiet: boolean) {
    this.onAlert = (a: Alert): void => {
      const key = `${a.rule.gid}:${a.rule.sid}:${a.rule.rev}`;
      const e = this.bySid.get(key);
      if (e) e.count++;
      else this.bySid.set(key, { rule: a.rule, count: 1 });
      if (quiet) return;
      const line = `${format === 'json' ? formatJson(a) : formatFast(a)}\n`;
      this.out.push(line);
      this.outBytes += line.length;
      if (this.outBytes > 1 << 16) this.flush();
    };
  }

  /** Writes the batched lines. */
  flush(): void {
    // a closed stdout (EPIPE) ends the process in main.ts
    if (this.out.length > 0) process.stdout.write(this.out.join(''));
    this.out = [];
    this.outBytes = 0;
  }
}

/** Replays every capture in turn, with the progress line and per-capture errors on stderr. */
async function replayAll(cmd: ReplayCommand, prepared: PreparedRules, replayer: Replayer, output: AlertOutput): Promise<CaptureResult[]> {
  const err = process.stderr;
  const results: CaptureResult[] = [];
  let lastProgress = 0;
  for (const file of cmd.pcaps) {
    const res = await replayer.replay(file === '-' ? process.stdin : file, file, output.onAlert, (n) => {
      if (!cmd.progress) return;
      const now = performance.now();
      if (now - lastProgress < 250) return;
      lastProgress = now;
      err.write(`\r${file}: ${n} packets, ${replayer.stats.alerts} alerts`);
    });
    if (cmd.progress) err.write('\r\x1b[K');
    output.flush();
    results.push(res);
    if (res.error) err.write(`nfa-obdd replay: ${res.error.message}\n`);
    if (res.engineErrors > 0) {
      err.write(`nfa-obdd replay: ${file}: the ${prepared.engine} engine failed on ${res.engineErrors} packet(s), skipped; first: ${res.engineError}\n`);
    }
  }
  return results;
}

/** The rules line of the summary: selected, active, rejected by kind. */
function rulesLine(cmd: ReplayCommand, prepared: PreparedRules): string {
  const { options } = cmd;
  const kinds = Object.entries(prepared.rejectedByKind)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return `rules: ${prepared.selected} selected${options.select ? ` by '${String(options.select)}'` : ''}, ${prepared.active} active; ` +
    `${prepared.rejected.length} rejected in all${kinds ? ` (${kinds})` : ''}` +
    `${prepared.unreadable.length ? `; ${prepared.unreadable.length} rule file(s) unreadable` : ''}` +
    `${options.verbose || prepared.rejected.length === 0 ? '' : ' (--verbose lists them)'}`;
}

/** The summary lines written to stderr after the replay (`ms`: replay wall time). */
function summaryLines(cmd: ReplayCommand, prepared: PreparedRules, replayer: Replayer, results: CaptureResult[], bySid: AlertOutput['bySid'], ms: number): string[] {
  const st = replayer.stats;
  const mem = process.memoryUsage();
  const lines: string[] = [];
  const damaged = results.filter((r) => r.error !== undefined).length;
  const engineErrors = results.reduce((n, r) => n + r.engineErrors, 0);
  lines.push(`replay: engine ${prepared.engine}, ${cmd.mode} mode`);
  lines.push(formatLoadSummary(prepared.load));
  lines.push(rulesLine(cmd, prepared));
  const nfa = prepared.detector.compiled.nfa;
  lines.push(
    `compile: ${nfa.compiled} patterns (${nfa.signatures - nfa.compiled} rejected), ${nfa.states} NFA states, ` +
      `${nfa.classes} byte classes; load ${prepared.loadMs.toFixed(0)} ms, compile ${prepared.compileMs.toFixed(0)} ms`,
  );
  lines.push(
    `captures: ${results.length} file(s)${damaged ? ` (${damaged} damaged or unreadable)` : ''}, ${st.packets} packets, ` +
      `${st.bytes} bytes, ${st.undecoded} not decodable to IP; ${st.scannedBytes} payload bytes scanned` +
      (cmd.mode === 'stream'
        ? `; ${st.sessions} sessions, ${st.streamEvaluations} stream evaluations, ${st.depthReached} directions cut at depth, ` +
          `${st.reassembly.gaps} gaps`
        : ''),
  );
  if (engineErrors > 0) lines.push(`engine failures: ${engineErrors} packet(s) skipped (see above)`);
  lines.push(`alerts: ${st.alerts}${bySid.size ? ` from ${bySid.size} rule(s)` : ''}`);
  const sorted = [...bySid.values()].sort((a, b) => b.count - a.count || a.rule.sid - b.rule.sid);
  for (const { rule, count } of sorted) lines.push(`  ${String(count).padStart(7)}  [${rule.gid}:${rule.sid}:${rule.rev}] ${rule.msg}`);
  const sec = ms / 1000;
  lines.push(
    `time: ${ms.toFixed(0)} ms replay; ${sec > 0 ? Math.round(st.packets / sec) : 0} packets/s, ` +
      `${sec > 0 ? (st.bytes / (1024 * 1024) / sec).toFixed(2) : '0'} MiB/s captured, ` +
      `${sec > 0 ? (st.scannedBytes / (1024 * 1024) / sec).toFixed(2) : '0'} MiB/s scanned`,
  );
  lines.push(`memory: rss ${mb(mem.rss)}, heap used ${mb(mem.heapUsed)}`);
  return lines;
}

/**
 * Runs `replay` with its arguments (without the command name): alerts on stdout, summary
 * on stderr. Resolves to the exit code (see the module comment); throws UsageError for
 * bad usage.
 */
export async function run(argv: string[]): Promise<number> {
  const cmd = parseCommand(argv);
  const prepared = prepare(cmd);
  const replayer = new Replayer(prepared.detector, {
    mode: cmd.mode,
    streamDepth: cmd.streamDepth,
    limitPackets: cmd.limitPackets,
    midstream: cmd.options.midstream === true,
  });
  const output = new AlertOutput(cmd.format, cmd.quiet);
  const t0 = performance.now();
  const results = await replayAll(cmd, prepared, replayer, output);
  const ms = performance.now() - t0;
  output.flush();
  process.stderr.write(`${summaryLines(cmd, prepared, replayer, results, output.bySid, ms).join('\n')}\n`);
  const damaged = results.some((r) => r.error !== undefined);
  const engineErrors = results.some((r) => r.engineErrors > 0);
  return damaged || prepared.unreadable.length > 0 || engineErrors ? 1 : 0;
}
