/**
 * `compare`: compile one signature set with several engines, scan the same corpus with
 * each, check that they all report the same matches, and print compile and scan figures
 * (see src/compare/). Exit code 0 when the comparison ran — whatever it found, engines
 * that failed to build and disagreements included (they are results); 1 when an input
 * cannot be read; 2 on bad usage.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { DEFAULT_ENGINE, ENGINE_NAMES } from '../compile.js';
import { compareEngines, type EngineSpec } from '../compare/compare.js';
import { corpusFromBuffers, payloadsFromCaptures, pcreSetFromRules, readSignatureFile, type Corpus, type SignatureSet } from '../compare/corpus.js';
import { formatText, toJson } from '../compare/format.js';
import { ENGINE_FLAG_SPEC, memoOptionsFromFlags, parseEngineLabel, prefilterFromFlags, withMemoFlags } from './engine-flags.js';
import { parseArgs } from './args.js';

/** The help text of `nfa-obdd compare`. */
export const usage = `usage: nfa-obdd compare (--signatures FILE | --rules FILE...) (--pcap FILE... | --input FILE...)
                        [--engines LIST] [--mode all|set] [--runs N] [--baseline NAME] [--format text|json]

Compiles the signature set with each engine, scans every input with each (one input = one
TCP/UDP payload of a capture, or one whole file; scanned, then finished, in the --mode),
checks that all engines report the same (signature, end) pairs, and prints compile time,
compiled size, heap growth, scan MB/s (median of the runs), matches and ratios to the
baseline, then every disagreement (signature, input, end, which engines).

options:
  --signatures FILE     one signature a line ('/pattern/flags' or a bare pattern; '#' comments)
  --rules FILE          Snort rules file (repeatable): its pcre options are the signatures
  --include-disabled    with --rules: also commented-out rules
  --select SELECTOR     with --rules: only matching rules (e.g. http, ftp, proto=tcp,dport=80)
  --pcap FILE           capture file (repeatable): scan each non-empty TCP/UDP payload
  --input FILE          raw file (repeatable): scanned whole as one input
  --engines LIST        comma-separated, default nfa+pf,nfa,obdd,obdd2,dfa,mdfa,regexp
                        (nfa+pf: the default configuration of scan/replay); an engine
                        may carry options and a label: obdd:memo=false, obdd2:memo=true
                        (values are JSON: numbers, true/false, else strings); a
                        '+pf' suffix (nfa+pf, obdd+pf) adds the literal prefilter
  --no-memo             obdd/obdd2 entries without their own memo option: no step memo
  --memo-budget BYTES   obdd/obdd2 entries without their own memo option: memo bound
                        (k, m, g suffixes accepted)
  --prefilter           add the literal prefilter to every nfa/obdd entry
  --mode MODE           the match mode scanned and compared: all (default), every
                        (signature, end) pair; set, the per-input match sets (each
                        signature once per input, its earliest end)
  --runs N              timed scan passes, median reported (default 3)
  --baseline NAME       engine label for ratios (default nfa when given, else the first)
  --byte-budget N       each engine scans inputs only until N bytes (a prefix of the list)
  --time-budget MS      ... or until MS milliseconds of scanning (checked between inputs)
  --max-disagreements N disagreements listed (default 100; the count is always given)
  --format FORMAT       text (default) or json (one object: engines, disagreements, ...)

Engines: ${ENGINE_NAMES.join(', ')}. An engine that cannot be built (e.g. the DFA's state
budget) is listed with its error and the others still run. Matches are compared on the
signatures every built engine accepted, per input among the engines that scanned it.
`;

/**
 * Parses a comma-separated list of engine labels (`nfa,obdd:memo=false`) into engine specs,
 * each labelled with its whole label. Throws UsageError for an empty list and as
 * `parseEngineLabel` does (unknown engine or option key, option not key=value).
 */
export function parseEngineList(text: string): EngineSpec[] {
  const out: EngineSpec[] = [];
  for (const raw of text.split(',')) {
    const token = raw.trim();
    if (token === '') continue;
    const pf = token.endsWith('+pf');
    const spec = parseEngineLabel(pf ? token.slice(0, -3) : token, '--engines');
    out.push(pf ? { name: token, ...spec, prefilter: true } : { name: token, ...spec });
  }
  if (out.length === 0) throw new UsageError('--engines lists no engine');
  return out;
}

function positiveNumber(v: unknown, name: string, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x) || x < (integer ? 1 : 0) || (integer && !Number.isInteger(x))) {
    throw new UsageError(`--${name} must be a ${integer ? 'positive integer' : 'non-negative number'}, not '${String(v)}'`);
  }
  return x;
}

/**
 * `--pcap a b c` (as a shell glob expands) means `--pcap a --pcap b --pcap c`: bare words
 * after a file-list option's value belong to it. `listOptions` are the file-list options
 * (default compare's: --rules, --pcap, --input).
 */
export function expandFileLists(argv: readonly string[], listOptions: readonly string[] = ['--rules', '--pcap', '--input']): string[] {
  const lists = new Set(listOptions);
  const out: string[] = [];
  let current: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      current = lists.has(a) ? a : null;
      out.push(a);
      if (current !== null && i + 1 < argv.length) out.push(argv[++i]!);
    } else if (current !== null) out.push(current, a);
    else out.push(a);
  }
  return out;
}

/**
 * The match mode of `--mode all|set` (compare, scan) and scan's deprecated `--first`
 * (= `--mode set`); 'all' when neither is given. Throws UsageError for another value, or `--first` with
 * `--mode all`.
 */
export function matchModeFromFlags(options: Record<string, unknown>): 'all' | 'set' {
  const mode = options.mode as string | undefined;
  if (mode !== undefined && mode !== 'all' && mode !== 'set') throw new UsageError(`--mode must be all or set, not '${mode}'`);
  if (options.first === true) {
    if (mode === 'all') throw new UsageError('--first (an alias of --mode set) contradicts --mode all');
    return 'set';
  }
  return mode ?? 'all';
}

/** The parsed command line of `compare`, checked. */
interface CompareArgs {
  sigPath: string | undefined;
  rules: string[];
  pcaps: string[];
  raws: string[];
  format: 'text' | 'json';
  mode: 'all' | 'set';
  engines: EngineSpec[];
  options: Record<string, string | boolean | string[] | undefined>;
}

/** Parses and checks the arguments; throws UsageError for bad usage. */
function parseCompareArgs(argv: string[]): CompareArgs {
  const { options, positionals } = parseArgs(expandFileLists(argv), {
    signatures: 'value',
    rules: 'list',
    'include-disabled': 'flag',
    select: 'value',
    pcap: 'list',
    input: 'list',
    engines: 'value',
    mode: 'value',
    ...ENGINE_FLAG_SPEC,
    runs: 'value',
    baseline: 'value',
    'byte-budget': 'value',
    'time-budget': 'value',
    'max-disagreements': 'value',
    format: 'value',
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const sigPath = options.signatures as string | undefined;
  const rules = (options.rules as string[] | undefined) ?? [];
  const pcaps = (options.pcap as string[] | undefined) ?? [];
  const raws = (options.input as string[] | undefined) ?? [];
  if ((sigPath === undefined) === (rules.length === 0)) throw new UsageError('give exactly one of --signatures FILE or --rules FILE...');
  if ((pcaps.length === 0) === (raws.length === 0)) throw new UsageError('give exactly one of --pcap FILE... or --input FILE...');
  if (sigPath !== undefined && (options['include-disabled'] || options.select !== undefined)) {
    throw new UsageError('--include-disabled and --select apply to --rules only');
  }
  const format = (options.format as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not '${format}'`);
  // The default configuration (nfa behind the prefilter) first, then every engine alone.
  let engines = parseEngineList((options.engines as string | undefined) ?? `${DEFAULT_ENGINE}+pf,${ENGINE_NAMES.join(',')}`);
  if (options['no-memo'] === true || options['memo-budget'] !== undefined) {
    // The flags tune every obdd entry that does not set its own memo options.
    if (!engines.some((e) => e.engine === 'obdd' || e.engine === 'obdd2')) {
      throw new UsageError('--no-memo and --memo-budget need an obdd or obdd2 entry in --engines');
    }
    const memo = memoOptionsFromFlags(options);
    // same engine, options widened by the flags: still the entry's own variant of the union
    engines = engines.map((e) => ({ ...e, ...withMemoFlags(e, memo) }) as EngineSpec);
  }
  if (prefilterFromFlags(options, false)) {
    if (!engines.some((e) => e.engine === 'nfa' || e.engine === 'obdd')) throw new UsageError('--prefilter needs an nfa or obdd entry in --engines');
    engines = engines.map((e) => (e.engine === 'nfa' || e.engine === 'obdd' ? { ...e, prefilter: true } : e));
  }
  return { sigPath, rules, pcaps, raws, format, mode: matchModeFromFlags(options), engines, options };
}

/** The corpus of `--pcap` or `--input` files; null (after a message on stderr) when an input cannot be read. */
function loadCorpus(pcaps: string[], raws: string[]): Corpus | null {
  if (pcaps.length > 0) return payloadsFromCaptures(pcaps);
  const items: { name: string; bytes: Uint8Array }[] = [];
  for (const path of raws) {
    try {
      const b = path === '-' ? readFileSync(0) : readFileSync(path);
      items.push({ name: path, bytes: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) });
    } catch (e) {
      process.stderr.write(`nfa-obdd compare: cannot read input '${path}': ${(e as Error).message}\n`);
      return null;
    }
  }
  return corpusFromBuffers(items);
}

/**
 * Runs `nfa-obdd compare` with `argv` (the arguments after the command name); resolves to
 * the exit code (0: the comparison ran, 1: an input cannot be read). Throws UsageError for
 * bad usage (exit 2 in main).
 */
export async function run(argv: string[]): Promise<number> {
  const { sigPath, rules, pcaps, raws, format, mode, engines, options } = parseCompareArgs(argv);
  const runs = positiveNumber(options.runs, 'runs', true);
  const byteBudget = positiveNumber(options['byte-budget'], 'byte-budget', false);
  const timeBudgetMs = positiveNumber(options['time-budget'], 'time-budget', false);
  const maxDisagreements = positiveNumber(options['max-disagreements'], 'max-disagreements', false);
  const baseline = options.baseline as string | undefined;
  if (baseline !== undefined && !engines.some((e) => e.name === baseline)) {
    throw new UsageError(`--baseline '${baseline}' is not one of --engines (${engines.map((e) => e.name).join(', ')})`);
  }

  const set: SignatureSet = sigPath !== undefined
    ? readSignatureFile(sigPath)
    : pcreSetFromRules(rules, { includeDisabled: options['include-disabled'] === true, select: options.select as string | undefined });
  const corpus = loadCorpus(pcaps, raws);
  if (corpus === null) return 1;
  for (const w of corpus.warnings) process.stderr.write(`nfa-obdd compare: warning: ${w}\n`);

  const result = compareEngines(set.sources, corpus.inputs, {
    engines,
    mode,
    runs,
    baseline,
    byteBudget,
    timeBudgetMs,
    maxDisagreements,
    inputNames: corpus.names,
    signatureNames: set.names,
  });
  if (format === 'json') {
    process.stdout.write(JSON.stringify(toJson(result, { set: set.summary, corpus: corpus.summary })) + '\n');
  } else {
    process.stdout.write(formatText(result, `set: ${set.summary}\ncorpus: ${corpus.summary}`));
  }
  return 0;
}
