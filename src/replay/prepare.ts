/**
 * Rule preparation for a replay: loads rule files (an unreadable file is recorded, the
 * others still load), applies variables and `--select`, and compiles ONE automaton for
 * every pattern of the chosen rules with the chosen engine (`RuleDetector`).
 *
 * Throws only for bad usage (UsageError: selector, variable assignment, engine or engine
 * options) and for an unreadable variables file (RuleParseError); every rule problem is a
 * recorded reject, not an exception.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { DEFAULT_ENGINE, DEFAULT_PREFILTER } from '../compile.js';
import type { EngineName } from '../matcher/types.js';
import { RuleParseError } from '../errors.js';
import { RuleDetector, type DetectorOptions } from '../detect/index.js';
import { loadRuleTexts, selectRules, Variables, type LoadSummary, type RuleReject } from '../rules/index.js';
import type { RuleSetWarning } from './warnings.js';

/** Where `prepareRules` stands (`RuleSetOptions.onProgress`). */
export type PrepareProgress =
  /** About to read rule file `index` (0-based) of `files`. */
  | { readonly phase: 'load'; readonly file: string; readonly index: number; readonly files: number }
  /** Rules loaded and selected; about to compile `rules` of them into one automaton (one synchronous call). */
  | { readonly phase: 'compile'; readonly rules: number; readonly engine: EngineName };

/** What to load, select and compile (the `replay` command's rule options). */
export interface RuleSetOptions {
  /** Rule files (`-` is stdin). */
  ruleFiles?: readonly string[];
  /** Rule texts given directly (after the files). */
  ruleTexts?: readonly { file: string; text: string }[];
  /** Also load commented-out rules. */
  includeDisabled?: boolean;
  /** A snort.conf / variables file (`var`, `ipvar`, `portvar` lines). */
  varsFile?: string;
  /** `NAME=value` assignments applied last (`--var`). */
  vars?: readonly string[];
  /** A `src/rules/select.ts` selector (`--select`). */
  select?: string;
  /** @default DEFAULT_ENGINE ('nfa', with the prefilter: src/compile.ts) */
  engine?: EngineName;
  /** The engine's options, passed to `compile()` as they are (it checks them). */
  engineOptions?: DetectorOptions['engineOptions'];
  /**
   * compile()'s literal prefilter (rule pcres gated by their fast-pattern contents).
   * @default true when `engine` is not given (`DEFAULT_PREFILTER`), else false
   */
  prefilter?: DetectorOptions['prefilter'];
  /**
   * compile()'s `confirm`: rules whose pcres use backreferences, lookarounds, atomic groups
   * or possessive quantifiers run with confirmation (src/confirm). @default true
   */
  confirm?: DetectorOptions['confirm'];
  /** Told before each rule file is read and before the compile (for a progress display). */
  onProgress?: (p: PrepareProgress) => void;
}

/**
 * Stream history the prefilter keeps for replay: the replayer's default stream depth, so
 * that a rule pcre whose content first shows up deep in a stream is replayed over the
 * stream kept so far instead of every pcre being run from the point where a shorter
 * history would have been cut (measured: 155 s instead of seconds on no_crlf.pcap).
 * Memory: up to twice this per stream direction that long, next to the reassembly buffer.
 */
const REPLAY_HISTORY_BYTES = 1 << 20;

/** compile()'s prefilter for replay: as asked (default on for the default engine), with stream-length history. */
function replayPrefilter(options: RuleSetOptions): DetectorOptions['prefilter'] {
  const p = options.prefilter ?? (options.engine === undefined && DEFAULT_PREFILTER);
  if (p === true) return { historyBytes: REPLAY_HISTORY_BYTES };
  if (p && typeof p === 'object' && p.historyBytes === undefined) return { ...p, historyBytes: REPLAY_HISTORY_BYTES };
  return p;
}

/** The compiled rules and what happened to them on the way. */
export interface PreparedRules {
  /** The detector of the chosen rules. */
  detector: RuleDetector;
  /** The engine it was compiled with. */
  engine: EngineName;
  /** Counts of the rule loading. */
  load: LoadSummary;
  /** Rule files that could not be read (each a RuleParseError at line 0). */
  unreadable: RuleParseError[];
  /** Rules kept by the selector (before the engine rejected any). */
  selected: number;
  /** Every rejected rule: parse rejects of the loaded files, then the engine's. */
  rejected: RuleReject[];
  /** `rejected` counted by kind. */
  rejectedByKind: Record<string, number>;
  /** Rules that can fire. */
  active: number;
  /**
   * What the user should hear of, in order: unknown rule options (file, line, option),
   * rule files without any rule, and an empty rule set (nothing can fire). Never printed
   * here; `aggregateWarnings` makes lines of them.
   */
  warnings: RuleSetWarning[];
  /** Milliseconds spent loading and selecting, then compiling. */
  loadMs: number;
  compileMs: number;
}

/** Reads the variables file and applies the assignments (defaults first). */
function variablesOf(options: RuleSetOptions): Variables {
  let vars = Variables.defaults();
  if (options.varsFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.varsFile === '-' ? 0 : options.varsFile, 'utf8');
    } catch (e) {
      throw new RuleParseError(`cannot read variables: ${(e as Error).message}`, 0, options.varsFile);
    }
    vars = vars.withConfig(text, options.varsFile);
  }
  if (options.vars && options.vars.length > 0) vars = vars.withAssignments(options.vars);
  return vars;
}

/** The rule texts to load: the files that could be read, then the given texts. */
function ruleTextsOf(options: RuleSetOptions, unreadable: RuleParseError[]): { file: string; text: string }[] {
  const texts: { file: string; text: string }[] = [];
  const files = options.ruleFiles ?? [];
  for (const [index, file] of files.entries()) {
    options.onProgress?.({ phase: 'load', file, index, files: files.length });
    try {
      texts.push({ file, text: readFileSync(file === '-' ? 0 : file, 'utf8') });
    } catch (e) {
      unreadable.push(new RuleParseError(`cannot read rules: ${(e as Error).message}`, 0, file));
    }
  }
  texts.push(...(options.ruleTexts ?? []));
  return texts;
}

/**
 * Loads, selects and compiles. Throws only for bad usage (UsageError: selector, variable
 * assignment, engine) and an unreadable variables file (RuleParseError).
 */
export function prepareRules(options: RuleSetOptions): PreparedRules {
  const t0 = performance.now();
  const vars = variablesOf(options);
  const unreadable: RuleParseError[] = [];
  const texts = ruleTextsOf(options, unreadable);
  const loaded = loadRuleTexts(texts, { includeDisabled: options.includeDisabled, vars });
  const chosen = options.select ? selectRules(loaded.rules, options.select, loaded.vars) : loaded.rules;
  const t1 = performance.now();
  const engine = options.engine ?? DEFAULT_ENGINE;
  options.onProgress?.({ phase: 'compile', rules: chosen.length, engine });
  const detector = RuleDetector.build(chosen, { engine, engineOptions: options.engineOptions, prefilter: replayPrefilter(options), confirm: options.confirm } as DetectorOptions);
  const t2 = performance.now();
  const rejected = [...loaded.rejected, ...detector.rejected];
  const rejectedByKind: Record<string, number> = {};
  for (const x of rejected) rejectedByKind[x.kind] = (rejectedByKind[x.kind] ?? 0) + 1;
  let active = 0;
  for (let r = 0; r < detector.rules.length; r++) if (detector.program.alive[r]) active++;
  const warnings: RuleSetWarning[] = [...loaded.warnings];
  const empty = emptyRuleSet(options, texts, loaded, chosen.length, active);
  if (empty === undefined) {
    for (const [i, t] of texts.entries()) {
      if (loaded.ruleLinesByFile[i] === 0) {
        warnings.push({ kind: 'empty-rule-file', file: t.file, message: `${nameOf(t.file)} holds no rules` });
      }
    }
  } else warnings.push(empty);
  return {
    detector,
    engine,
    load: loaded.summary,
    unreadable,
    selected: chosen.length,
    rejected,
    rejectedByKind,
    active,
    warnings,
    loadMs: t1 - t0,
    compileMs: t2 - t1,
  };
}

/** A rule file's name for messages: `'-'` is stdin. */
function nameOf(file: string): string {
  return file === '-' ? "stdin ('-')" : `rule file '${file}'`;
}

/** The warning for a rule set that can raise no alert, or undefined. */
function emptyRuleSet(
  options: RuleSetOptions,
  texts: readonly { file: string; text: string }[],
  loaded: ReturnType<typeof loadRuleTexts>,
  selected: number,
  active: number,
): RuleSetWarning | undefined {
  if (active > 0) return undefined;
  const s = loaded.summary;
  const where = texts.length === 1 ? nameOf(texts[0]!.file) : `${texts.length} rule files`;
  if (s.loaded === 0) {
    if (s.disabledSkipped > 0 && s.rejected === 0) {
      return {
        kind: 'empty-rule-set',
        reason: 'all-disabled',
        message: `empty rule set: all ${s.disabledSkipped} rules in ${where} are commented out (--include-disabled loads them)`,
      };
    }
    const why = texts.length === 0 ? 'no rule file could be read' : s.rejected > 0 ? `all ${s.rejected} rules in ${where} were rejected` : `no rules in ${where}`;
    return { kind: 'empty-rule-set', reason: 'no-rules', message: `empty rule set: ${why}` };
  }
  if (selected === 0) {
    return {
      kind: 'empty-rule-set',
      reason: 'none-selected',
      message: `empty rule set: the selector '${options.select ?? ''}' kept none of the ${s.loaded} loaded rules`,
    };
  }
  return {
    kind: 'empty-rule-set',
    reason: 'none-active',
    message: `empty rule set: none of the ${selected} selected rules can fire (all rejected)`,
  };
}
