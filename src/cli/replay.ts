/**
 * `replay`: Snort rules against capture files; alerts on stdout (Snort fast-alert lines or
 * JSON lines), a summary on stderr. The work is `src/replay` (library level); this module
 * parses options, resolves `--default` to the bundled `traces/`, prints, and decides the
 * exit code: 0 ran, 1 a capture or rule file was unreadable or damaged, or the engine
 * failed on some packets (the rest is still replayed and reported), 2 bad usage, 130/143
 * interrupted by SIGINT/SIGTERM (alerts so far written, summary marked interrupted).
 * While it works it shows progress on stderr (`progress.ts`), streams alerts through an
 * `OutputWriter` at the replayer's checkpoints, and prints the library's warnings
 * (`PreparedRules.warnings`, `CaptureResult.warnings`) aggregated.
 */
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { DEFAULT_ENGINE, ENGINE_NAMES, type EngineConfig } from '../compile.js';
import { confirmFromFlags, ENGINE_FLAG_SPEC, ENGINE_FLAG_USAGE, engineConfigFromFlags, parseBytes, prefilterFromFlags } from './engine-flags.js';
import {
  aggregateWarnings, formatFast, formatJson, MIDSTREAM_POLICIES, prepareRules, Replayer,
  type Alert, type MidstreamPolicy, type PreparedRules, type ReplayOptions, type PrepareProgress, type ReplayMode, type ReplayProgress, type ReplayStats,
  type LinkTypeWarning, type RuleSetOptions,
} from '../replay/index.js';
import {
  autoWorkers, replayParallel, summarizePrepared, type PreparedSummary, type RuleMeta, type WireCaptureResult, type WorkerLoss,
} from '../replay/parallel.js';
import { DEFAULT_OVERLAP_POLICY, isOverlapPolicy, OVERLAP_POLICIES, type OverlapPolicy } from '../flow/index.js';
import { isActionOrder, type ActionClass } from '../detect/index.js';
import { formatLoadSummary } from '../rules/load.js';
import { SELECT_PRESETS } from '../rules/select.js';
import { parseArgs } from './args.js';
import { OutputWriter } from './output.js';
import { humanBytes, humanSeconds, Progress, progressMode, type ProgressMode } from './progress.js';

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
  --max-flows N        sessions tracked at once; past it the least recently used one is
                       ended (and counted in the summary) (default 65536)
  --max-stream-bytes B stream bytes held for inspection over all sessions (default 256m;
                       suffixes k, m, g)
  --max-scratch-bytes B
                       engine scratch bytes held by the stream directions being inspected
                       (default 1g; one scratch is ~10 MB with all of ET Open): past it a
                       new direction is not stream-inspected (counted in the summary)
  --overlap-policy NAME
                       --stream: which copy of overlapping TCP bytes still held out of
                       order wins, named as Suricata's host-os-policy (default ${DEFAULT_OVERLAP_POLICY}; bytes
                       already inspected never change; docs/cli.md): first, last, bsd,
                       bsd-right, linux, old-linux, solaris, old-solaris, hpux10, hpux11,
                       irix, macos, vista, windows, windows2k3
  --async-oneside      Suricata's stream.async-oneside: a session seen from the client
                       side only (its SYN, then its ACK) is established and reassembled
  --midstream-policy NAME
                       Suricata's stream.midstream-policy for a TCP session picked up
                       without its handshake: ignore (default), or pass-flow, bypass,
                       drop-flow, drop-packet, pass-packet, reject, which leave its
                       packets uninspected (with --midstream only pass-flow and bypass
                       apply, as in Suricata)
  --exception-policy NAME
                       Suricata's exception-policy master switch: the midstream policy
                       when --midstream-policy is not given (auto = ignore: replay is
                       IDS, not inline)
  --action-order LIST  Suricata's action-order: pass,drop,reject,alert in the order they
                       act (default pass,drop,reject,alert: a pass rule silences the
                       others of its packet or stream window; drop,pass,reject,alert
                       still reports the drop rules)
  --limit-packets N    stop each capture after N packets
  --workers N|auto     replay with N worker threads (auto: one per core; default 1). Each
                       worker loads and compiles the rules itself (nothing is shared yet:
                       memory grows with N), reads every capture and decides the packets of
                       its flows (both directions of a TCP/UDP flow in one worker; other
                       packets in the first). Output and summary figures are those of
                       --workers 1, alerts in the same order (except where the session cap
                       or the stream budget is reached, both counted per worker). A worker
                       that dies is reported with what it lost, and the exit status is 1.

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
  --no-progress        no progress line on stderr
  --progress           progress even when stderr is not a terminal: then one
                       'progress: ...' line per phase and a status line every 10 s

progress: on a terminal, stderr shows one line from the start, redrawn at most 5 times a
second: loading rules (file n of N), compiling (rule count, engine), replaying (percent of
the capture files' bytes, bytes, rate, packets, alerts so far, current file).

Alerts are written as they are decided (batched for at most 0.1 s, waiting when stdout
is slow, with --workers too). SIGINT (Ctrl-C) or SIGTERM during the replay stops it: the alerts so far are
written, the summary is printed marked as interrupted, and the exit status is 130
(SIGINT) or 143 (SIGTERM); a second signal ends the process at once. While the rules
load and compile, a signal ends the process at once.

warnings (stderr, 'nfa-obdd replay: warning: ...'; the replay goes on): an empty rule set
(no rules read, all commented out, none selected, none can fire), a rule file without
rules, an unknown rule option (named, with file:line; its condition is ignored), a
capture link type that cannot be decoded (named, with the capture; its packets are
skipped). A warning repeated over many rules or captures is printed once with a count.

The summary (stderr) gives rules loaded/selected/rejected by reason, packets, bytes,
alerts by sid, time, throughput and memory.

exit status: 0 the replay ran (whatever it found); 1 a capture or rule file was unreadable
or damaged, or the engine failed on some packets (the rest is still replayed and
reported); 2 bad usage; 130 / 143 interrupted by SIGINT / SIGTERM.
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

/** `--overlap-policy NAME`: one of `OVERLAP_POLICIES`; UsageError naming them otherwise. */
function overlapPolicyOf(v: string | undefined): OverlapPolicy | undefined {
  if (v === undefined || isOverlapPolicy(v)) return v;
  throw new UsageError(`--overlap-policy must be one of ${OVERLAP_POLICIES.join(', ')}; not '${v}'`);
}

/** `--midstream-policy NAME`, else the `--exception-policy NAME` master switch ('auto' is 'ignore' in IDS mode). */
function midstreamPolicyOf(policy: string | undefined, master: string | undefined): MidstreamPolicy | undefined {
  const check = (v: string, flag: string, extra: string[]): void => {
    if (!(MIDSTREAM_POLICIES as readonly string[]).includes(v) && !extra.includes(v)) {
      throw new UsageError(`${flag} must be one of ${[...MIDSTREAM_POLICIES, ...extra].join(', ')}; not '${v}'`);
    }
  };
  if (master !== undefined) check(master, '--exception-policy', ['auto']);
  if (policy !== undefined) {
    check(policy, '--midstream-policy', []);
    return policy as MidstreamPolicy;
  }
  return master === undefined || master === 'auto' ? undefined : (master as MidstreamPolicy);
}

/** `--action-order pass,drop,reject,alert`: each class once; UsageError otherwise. */
function actionOrderOf(v: string | undefined): ActionClass[] | undefined {
  if (v === undefined) return undefined;
  const order = v.split(',').map((x) => x.trim());
  if (!isActionOrder(order)) throw new UsageError(`--action-order must list pass, drop, reject and alert once each, comma-separated; not '${v}'`);
  return order;
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
  progress: ProgressMode;
  streamDepth: number | undefined;
  maxFlows: number | undefined;
  maxStreamBytes: number | undefined;
  maxScratchBytes: number | undefined;
  limitPackets: number | undefined;
  /** `--overlap-policy NAME`, checked (undefined: the replay's default). */
  overlapPolicy: OverlapPolicy | undefined;
  /** `--action-order LIST`, checked (undefined: the default). */
  actionOrder: ActionClass[] | undefined;
  /** `--midstream-policy`, else `--exception-policy` (auto: ignore), checked. */
  midstreamPolicy: MidstreamPolicy | undefined;
  /** Worker threads (1: the replay runs in the main thread). */
  workers: number;
}

/** The first input that can be read once only: '-', or a pipe, FIFO, socket or character device. */
function readOnceInput(paths: readonly string[]): string | undefined {
  for (const p of paths) {
    if (p === '-') return "'-' (stdin)";
    try {
      const st = statSync(p);
      if (st.isFIFO() || st.isSocket() || st.isCharacterDevice()) return p;
    } catch {
      // missing or unreadable: reported per file by the replay, as with one thread
    }
  }
  return undefined;
}

/**
 * `--workers N|auto`. Every worker reads every input itself, so an input that can be read
 * once only ('-', a pipe, a FIFO, a device: `stream`) makes `auto` 1 and N > 1 an error.
 */
function workersOf(v: string | undefined, stream: string | undefined): number {
  if (v === undefined) return 1;
  if (v === 'auto') return stream !== undefined ? 1 : autoWorkers();
  const n = positiveInt(v, '--workers')!;
  if (n > 1 && stream !== undefined) throw new UsageError(`--workers N > 1 cannot read ${stream} (not a regular file, read once): give files`);
  if (n > 256) throw new UsageError(`--workers ${n} is too many (at most 256)`);
  return n;
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
    'async-oneside': 'flag',
    'stream-depth': 'value',
    'max-flows': 'value',
    'max-stream-bytes': 'value',
    'max-scratch-bytes': 'value',
    'overlap-policy': 'value',
    'action-order': 'value',
    'midstream-policy': 'value',
    'exception-policy': 'value',
    'limit-packets': 'value',
    workers: 'value',
    format: 'value',
    quiet: 'flag',
    verbose: 'flag',
    'no-progress': 'flag',
    progress: 'flag',
  });
  if (options.progress && options['no-progress']) throw new UsageError('give --progress or --no-progress, not both');
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
    progress: progressMode(options.progress === true, options['no-progress'] === true, process.stderr.isTTY === true),
    streamDepth: positiveInt(options['stream-depth'] as string | undefined, '--stream-depth'),
    maxFlows: positiveInt(options['max-flows'] as string | undefined, '--max-flows'),
    maxStreamBytes: options['max-stream-bytes'] === undefined ? undefined : parseBytes(options['max-stream-bytes'] as string, '--max-stream-bytes'),
    maxScratchBytes: options['max-scratch-bytes'] === undefined ? undefined : parseBytes(options['max-scratch-bytes'] as string, '--max-scratch-bytes'),
    limitPackets: positiveInt(options['limit-packets'] as string | undefined, '--limit-packets'),
    overlapPolicy: overlapPolicyOf(options['overlap-policy'] as string | undefined),
    actionOrder: actionOrderOf(options['action-order'] as string | undefined),
    midstreamPolicy: midstreamPolicyOf(options['midstream-policy'] as string | undefined, options['exception-policy'] as string | undefined),
    workers: workersOf(options.workers as string | undefined, readOnceInput([...ruleFiles, ...pcaps, ...(typeof options.vars === 'string' ? [options.vars] : [])])),
  };
}

/** Where the command stands: the progress line, and stderr text that must not garble it. */
interface Console {
  progress: Progress;
  /** One line (no newline) on stderr, prefixed with the command name. */
  say(text: string): void;
}

function consoleFor(mode: ProgressMode): Console {
  const progress = new Progress(mode);
  return { progress, say: (text) => progress.note(`nfa-obdd replay: ${text}\n`) };
}

/** The rule options of the command (for `prepareRules`, in this thread or in each worker). */
function ruleOptions(cmd: ReplayCommand): Omit<RuleSetOptions, 'onProgress'> {
  const { options } = cmd;
  return {
    ruleFiles: cmd.ruleFiles,
    includeDisabled: options['include-disabled'] === true,
    varsFile: options.vars as string | undefined,
    vars: options.var as string[] | undefined,
    select: options.select as string | undefined,
    engine: cmd.engine.engine,
    engineOptions: cmd.engine.engineOptions,
    prefilter: prefilterFromFlags(options),
    confirm: confirmFromFlags(options),
  };
}

/** The replay options of the command (for the `Replayer`, in this thread or in each worker). */
function replayOptions(cmd: ReplayCommand): Omit<ReplayOptions, 'shard'> {
  return {
    mode: cmd.mode,
    streamDepth: cmd.streamDepth,
    maxFlows: cmd.maxFlows,
    maxStreamBytes: cmd.maxStreamBytes,
    maxScratchBytes: cmd.maxScratchBytes,
    limitPackets: cmd.limitPackets,
    midstream: cmd.options.midstream === true,
    asyncOneside: cmd.options['async-oneside'] === true,
    overlapPolicy: cmd.overlapPolicy,
    actionOrder: cmd.actionOrder,
    midstreamPolicy: cmd.midstreamPolicy,
  };
}

/** The loading and compiling phases on the progress line. */
function onPrepareProgress(con: Console): (p: PrepareProgress) => void {
  return (p) => {
    if (p.phase === 'load') {
      const name = p.file === '-' ? 'stdin' : p.file.slice(p.file.lastIndexOf('/') + 1);
      if (con.progress.mode === 'tty') con.progress.phase('load', `loading rules: file ${p.index + 1} of ${p.files} (${name})`);
    } else {
      // compile() is one synchronous call: this line stays up until it returns.
      con.progress.phase('compile', `compiling ${p.rules} rule${p.rules === 1 ? '' : 's'} (engine ${p.engine})`);
    }
  };
}

/** The first progress line. */
function loadingPhase(cmd: ReplayCommand, con: Console): void {
  const files = cmd.ruleFiles.length;
  con.progress.phase('load', `loading rules: ${files} file${files === 1 ? '' : 's'}`);
}

/**
 * Loads and compiles the rules, with the loading and compiling phases on the progress line;
 * reports unreadable files, the rule warnings (and with --verbose, every reject) on stderr.
 */
function prepare(cmd: ReplayCommand, con: Console): { prepared: PreparedRules; summary: PreparedSummary } {
  loadingPhase(cmd, con);
  const prepared = prepareRules({ ...ruleOptions(cmd), onProgress: onPrepareProgress(con) });
  const summary = summarizePrepared(prepared);
  reportPrepared(cmd, con, summary);
  return { prepared, summary };
}

/** The compiled phase line, unreadable files, rule warnings (with --verbose, every reject). */
function reportPrepared(cmd: ReplayCommand, con: Console, prepared: PreparedSummary): void {
  const { options } = cmd;
  con.progress.phase(
    'compiled',
    `compiled in ${humanSeconds(prepared.compileMs)}: ${prepared.active} active rule${prepared.active === 1 ? '' : 's'}, ` +
      `${prepared.nfa.states} NFA states (load ${humanSeconds(prepared.loadMs)})`,
  );
  for (const e of prepared.unreadable) con.say(e.message);
  for (const line of aggregateWarnings(prepared.warnings)) {
    const many = line.startsWith('unknown rule option') && !options.verbose;
    con.say(`warning: ${line}${many ? '; --verbose lists them' : ''}`);
  }
  if (options.verbose) {
    const unknown = prepared.warnings.filter((w) => w.kind === 'unknown-option');
    if (unknown.length > 1) for (const w of unknown) con.say(`warning: ${w.message}`);
    for (const x of prepared.rejected) con.progress.note(`rejected [${x.kind}] ${x.message}\n`);
  }
}

/**
 * Alerts to stdout as they are decided, through an `OutputWriter` (backpressure), and
 * counted by rule for the summary. Lines are collected and written at the replayer's
 * checkpoints (at most `ReplayControl.checkpointMs` apart), or as soon as a chunk's worth
 * is held (`wantWrite` asks the replayer for a checkpoint). A closed stdout (e.g. `| head`)
 * ends output quietly (main.ts).
 */
class AlertOutput {
  /** Alert counts by `gid:sid:rev`. */
  readonly bySid = new Map<string, { rule: RuleMeta; count: number }>();
  private readonly writer = new OutputWriter(process.stdout, ALERT_CHUNK);
  /** The callback to give the replayer. */
  readonly onAlert: (a: Alert) => void;
  /** Called when a chunk's worth of lines is held. */
  wantWrite: () => void = () => {};

  constructor(format: 'fast' | 'json', quiet: boolean) {
    this.onAlert = (a: Alert): void => {
      this.count(a.rule);
      if (quiet) return;
      this.writer.add(`${format === 'json' ? formatJson(a) : formatFast(a)}\n`);
      if (this.writer.pending >= ALERT_CHUNK) this.wantWrite();
    };
  }

  /** Counts an alert of `rule`. */
  count(rule: RuleMeta): void {
    const key = `${rule.gid}:${rule.sid}:${rule.rev}`;
    const e = this.bySid.get(key);
    if (e) e.count++;
    else this.bySid.set(key, { rule, count: 1 });
  }

  /** An alert formatted elsewhere (a worker): its line ('' with --quiet) and rule. */
  addLine(line: string, rule: RuleMeta): void {
    this.count(rule);
    if (line !== '') this.writer.add(`${line}\n`);
    if (this.writer.pending >= ALERT_CHUNK) this.wantWrite();
  }

  /** Writes the lines held; resolves once stdout can take more. */
  flush(): Promise<void> {
    return this.writer.flush();
  }
}

/** Alert text held before a write is asked for. */
const ALERT_CHUNK = 1 << 16;

/** A capture's size in bytes (0 for stdin or an unreadable file): the progress line's total. */
function sizeOf(file: string): number {
  if (file === '-') return 0;
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * What stderr says of each capture as it is done (damage, engine failures, the first
 * capture of each undecodable link type) and, at the end, of link types seen in several.
 */
class CaptureNotes {
  private readonly seenLinks = new Set<number>();
  private readonly warnings: LinkTypeWarning[] = [];

  constructor(
    private readonly con: Console,
    private readonly engine: string,
  ) {}

  capture(res: Pick<WireCaptureResult, 'file' | 'error' | 'engineErrors' | 'engineError' | 'confirmExhausted' | 'confirmExhaustedFirst' | 'warnings'>): void {
    const { con } = this;
    if (res.error) con.say(res.error.message);
    if (res.engineErrors > 0) {
      con.say(`${res.file}: the ${this.engine} engine failed on ${res.engineErrors} packet(s), skipped; first: ${res.engineError}`);
    }
    if (res.confirmExhausted > 0) {
      con.say(`${res.file}: ${res.confirmExhausted} confirmation(s) ran out of budget, their matches not reported; first: ${res.confirmExhaustedFirst}`);
    }
    for (const w of res.warnings) {
      this.warnings.push(w);
      // the first capture with a link type says so at once; repeats are summed up at the end
      if (!this.seenLinks.has(w.linkType)) con.say(`warning: ${w.message}`);
      this.seenLinks.add(w.linkType);
    }
  }

  end(): void {
    const captures = new Map<number, number>();
    for (const w of this.warnings) captures.set(w.linkType, (captures.get(w.linkType) ?? 0) + 1);
    const repeated = this.warnings.filter((w) => captures.get(w.linkType)! > 1);
    for (const line of aggregateWarnings(repeated)) this.con.say(`warning: ${line}`);
  }
}

/** What the summary and exit code need of a capture's result (`CaptureResult` or a merged one). */
type Outcome = Pick<WireCaptureResult, 'file' | 'packets' | 'interrupted' | 'error' | 'engineErrors' | 'confirmExhausted'>;

/** How the replay went, for the summary and the exit code. */
interface ReplayRun {
  results: Outcome[];
  /** The signal that stopped it, if one did. */
  signal: NodeJS.Signals | undefined;
  /** Replay wall time, ms. */
  ms: number;
  /** Counters over all captures (and workers). */
  stats: ReplayStats;
  /** Worker threads, and the ones that died. */
  workers: number;
  lost: WorkerLoss[];
}

/**
 * SIGINT/SIGTERM during a replay: the first one aborts `abort` and is remembered
 * (`caught`); `arm` puts the handlers in place and `disarm` (also done by the first
 * signal, so that a second one ends the process at once) removes them.
 */
class SignalStop {
  readonly abort = new AbortController();
  caught: NodeJS.Signals | undefined = undefined;
  private readonly onSignal = (sig: NodeJS.Signals): void => {
    this.caught = sig;
    this.disarm();
    this.abort.abort();
  };

  arm(): void {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  disarm(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}

/**
 * Replays every capture in turn: the replaying phase on the progress line, alerts
 * streamed, per-capture errors and warnings on stderr, SIGINT/SIGTERM handled (see the
 * usage). The signal handlers are in place only during the replay; the first signal
 * removes them, so that a second one ends the process at once.
 */
async function replayAll(cmd: ReplayCommand, prepared: PreparedRules, replayer: Replayer, output: AlertOutput, con: Console): Promise<ReplayRun> {
  const results: Outcome[] = [];
  const sizes = cmd.pcaps.map(sizeOf);
  const total = sizes.reduce((a, b) => a + b, 0);
  const totalKnown = !cmd.pcaps.includes('-') && total > 0;
  const stop = new SignalStop();
  const abort = stop.abort;
  stop.arm();
  const notes = new CaptureNotes(con, prepared.engine);
  let doneBytes = 0;
  let last: { index: number; p: ReplayProgress | undefined } = { index: 0, p: undefined };
  const t0 = performance.now();
  const status = (fileIndex: number, p: ReplayProgress | undefined): string => {
    const bytes = doneBytes + (p === undefined ? 0 : Math.min(p.offset, sizes[fileIndex] || p.offset));
    const ms = performance.now() - t0;
    const rate = ms > 0 ? `${humanBytes((bytes / ms) * 1000)}/s` : '-';
    const st = replayer.stats;
    const pct = totalKnown ? `${Math.min(100, (bytes / total) * 100).toFixed(0)}% (${humanBytes(bytes)} of ${humanBytes(total)})` : humanBytes(bytes);
    const file = cmd.pcaps[fileIndex] ?? '';
    return `replaying ${pct}, ${rate}, ${st.packets} packets, ${st.alerts} alerts; capture ${fileIndex + 1} of ${cmd.pcaps.length} ` +
      `(${file === '-' ? 'stdin' : file.slice(file.lastIndexOf('/') + 1)}), ${humanSeconds(ms)}`;
  };
  con.progress.phase(
    'replay',
    `replaying ${cmd.pcaps.length} capture${cmd.pcaps.length === 1 ? '' : 's'}${totalKnown ? `, ${humanBytes(total)}` : ''} (${cmd.mode} mode)`,
  );
  try {
    for (const [i, file] of cmd.pcaps.entries()) {
      if (abort.signal.aborted) break;
      output.wantWrite = () => replayer.requestCheckpoint();
      const res = await replayer.replay(file === '-' ? process.stdin : file, file, output.onAlert, {
        signal: abort.signal,
        onProgress: async (p) => {
          last = { index: i, p };
          await output.flush();
          con.progress.update(() => status(i, p));
        },
      });
      doneBytes += sizes[i] ?? 0;
      last = { index: i, p: undefined };
      results.push(res);
      notes.capture(res);
    }
  } finally {
    stop.disarm();
  }
  const signal = stop.caught;
  const ms = performance.now() - t0;
  await output.flush();
  notes.end();
  if (signal !== undefined && cmd.pcaps.includes('-')) process.stdin.destroy(); // nothing more will be read
  const final = status(last.index, last.p);
  con.progress.end(signal === undefined ? final.replace(/^replaying/, 'replayed') : `interrupted by ${signal}: ${final.replace(/^replaying /, '')}`);
  return { results, signal, ms, stats: replayer.stats, workers: 1, lost: [] };
}

/** The rules line of the summary: selected, active, rejected by kind. */
function rulesLine(cmd: ReplayCommand, prepared: PreparedSummary): string {
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
function summaryLines(cmd: ReplayCommand, prepared: PreparedSummary, run: ReplayRun, bySid: AlertOutput['bySid']): string[] {
  const { results, ms } = run;
  const st = run.stats;
  const mem = process.memoryUsage();
  const lines: string[] = [];
  if (run.signal !== undefined) {
    const last = results[results.length - 1];
    lines.push(
      `INTERRUPTED by ${run.signal}: ${results.filter((r) => !r.interrupted).length} of ${cmd.pcaps.length} capture(s) replayed in full` +
        (last?.interrupted ? `, ${last.file} stopped after ${last.packets} packets` : '') +
        '; the figures below cover what was replayed',
    );
  }
  const damaged = results.filter((r) => r.error !== undefined).length;
  const engineErrors = results.reduce((n, r) => n + r.engineErrors, 0);
  lines.push(`replay: engine ${prepared.engine}, ${cmd.mode} mode`);
  lines.push(formatLoadSummary(prepared.load));
  lines.push(rulesLine(cmd, prepared));
  const nfa = prepared.nfa;
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
        : '') +
      (st.midstreamExcepted > 0 ? `; ${st.midstreamExcepted} session(s) picked up mid-stream left uninspected (midstream policy)` : '') +
      (st.flowsEvicted.capacity > 0 ? `; ${st.flowsEvicted.capacity} session(s) evicted to stay within the flow table's capacity` : '') +
      (st.scratchRefused > 0 ? `; ${st.scratchRefused} stream direction(s) not inspected: engine scratches at --max-scratch-bytes` : ''),
  );
  if (engineErrors > 0) lines.push(`engine failures: ${engineErrors} packet(s) skipped (see above)`);
  const c = st.confirm;
  if (c.signatures > 0) {
    const exhausted = results.reduce((n, r) => n + r.confirmExhausted, 0);
    lines.push(
      `confirmation: ${c.signatures} confirmed pattern(s) (backreference/lookaround/atomic); ${c.candidates} candidate end(s), ` +
        `${c.runs} run(s), ${c.confirmed} confirmed, ${c.ms.toFixed(0)} ms, worst input ${c.worstInputMs.toFixed(1)} ms` +
        (exhausted > 0 ? `; ${exhausted} ran out of budget (see above)` : ''),
    );
  }
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
  if (run.workers > 1) {
    lines.push(
      `workers: ${run.workers} threads, each with its own compiled rules` +
        (run.lost.length ? `; ${run.lost.length} died (their share of the packets from where they stopped is missing)` : ''),
    );
  }
  return lines;
}

/**
 * Runs `replay` with its arguments (without the command name): alerts on stdout, summary
 * on stderr. Resolves to the exit code (see the module comment); throws UsageError for
 * bad usage.
 */
export async function run(argv: string[]): Promise<number> {
  const cmd = parseCommand(argv);
  const con = consoleFor(cmd.progress);
  if (cmd.workers > 1) return runParallel(cmd, con);
  const { prepared, summary } = prepare(cmd, con);
  const replayer = new Replayer(prepared.detector, replayOptions(cmd));
  const output = new AlertOutput(cmd.format, cmd.quiet);
  const result = await replayAll(cmd, prepared, replayer, output, con);
  return finish(cmd, summary, result, output);
}

/** The summary on stderr, then the exit code. */
function finish(cmd: ReplayCommand, summary: PreparedSummary, result: ReplayRun, output: AlertOutput): number {
  process.stderr.write(`${summaryLines(cmd, summary, result, output.bySid).join('\n')}\n`);
  if (result.signal !== undefined) return result.signal === 'SIGTERM' ? 143 : 130;
  const { results } = result;
  const damaged = results.some((r) => r.error !== undefined);
  const engineErrors = results.some((r) => r.engineErrors > 0 || r.confirmExhausted > 0);
  return damaged || summary.unreadable.length > 0 || engineErrors || result.lost.length > 0 ? 1 : 0;
}

/**
 * `--workers N` (N > 1): the rules are prepared and the captures replayed in N worker
 * threads (src/replay/parallel.ts); this thread shows progress, writes the merged alerts
 * and the summary. Signals as in `replayAll`, from the moment every worker has compiled:
 * the workers stop at their next checkpoint and the alerts they decided are written.
 */
async function runParallel(cmd: ReplayCommand, con: Console): Promise<number> {
  const output = new AlertOutput(cmd.format, cmd.quiet);
  let writing = Promise.resolve();
  const write = (): void => {
    writing = writing.then(() => output.flush());
  };
  output.wantWrite = write;
  const sizes = cmd.pcaps.map(sizeOf);
  const before = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
  const total = sizes.reduce((a, b) => a + b, 0);
  const stop = new SignalStop();
  const abort = stop.abort;
  let summary: PreparedSummary | undefined;
  let notes: CaptureNotes | undefined;
  let t0 = performance.now();
  let status = '';
  const lost: WorkerLoss[] = [];
  loadingPhase(cmd, con);
  try {
    const res = await replayParallel({
      workers: cmd.workers,
      rules: ruleOptions(cmd),
      replay: replayOptions(cmd),
      files: cmd.pcaps,
      format: cmd.quiet ? undefined : cmd.format,
      signal: abort.signal,
      // Workers wait for these acknowledgements, so a slow stdout holds the replay back.
      drained: () => {
        write();
        return writing;
      },
      onPrepareProgress: onPrepareProgress(con),
      onPrepared: (s) => {
        summary = s;
        notes = new CaptureNotes(con, s.engine);
        reportPrepared(cmd, con, s);
        con.progress.phase('replay', `replaying ${cmd.pcaps.length} capture${cmd.pcaps.length === 1 ? '' : 's'}` +
          `${total > 0 ? `, ${humanBytes(total)}` : ''} (${cmd.mode} mode, ${cmd.workers} workers)`);
        stop.arm();
        t0 = performance.now();
      },
      onAlert: (line, rule) => output.addLine(line, rule),
      onProgress: (p) => {
        write();
        // the slowest worker's position: all of the captures before it are decided
        let bytes = total;
        for (const q of p.positions) bytes = Math.min(bytes, (before[q.file] ?? total) + Math.min(q.offset, sizes[q.file] ?? 0));
        const ms = performance.now() - t0;
        const pct = total > 0 ? `${Math.min(100, (bytes / total) * 100).toFixed(0)}% (${humanBytes(bytes)} of ${humanBytes(total)})` : humanBytes(bytes);
        status = `${pct}, ${ms > 0 ? `${humanBytes((bytes / ms) * 1000)}/s` : '-'}, ${p.packets} packets, ${p.alerts} alerts, ` +
          `${p.positions.length} workers, ${humanSeconds(ms)}`;
        con.progress.update(() => `replaying ${status}`);
      },
      onCapture: (_i, r) => notes?.capture(r),
      onLoss: (loss) => {
        lost.push(loss);
        con.say(loss.message);
      },
    });
    const ms = performance.now() - t0;
    write();
    await writing;
    notes?.end();
    const signal = stop.caught;
    con.progress.end(signal === undefined ? `replayed ${status}` : `interrupted by ${signal}: ${status}`);
    const run: ReplayRun = { results: res.results, signal, ms, stats: res.stats, workers: cmd.workers, lost };
    return finish(cmd, summary!, run, output);
  } finally {
    stop.disarm();
  }
}
