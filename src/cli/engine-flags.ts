/**
 * How the CLI names an engine and its options, shared by `scan`, `replay` and `compare`:
 * engine labels `name[:key=value...]` (`obdd:memo=false`, `dfa:maxStates=5000`,
 * `obdd:grouping.groupSize=250`) parse into the typed `EngineConfig` of compile.ts through
 * one parser, and the engine-tuning flags `--no-memo` (the paper's symbolic-only NFA-OBDD)
 * and `--memo-budget BYTES` (bound of the step memo) add obdd options. An unknown engine or
 * option key is a UsageError naming it, and the memo flags given with an engine other than
 * obdd/obdd2 are one too, so that a typo never silently measures something else; an
 * ill-typed value is the engine builder's UsageError, also naming the option.
 */
import { checkEngineConfig, DEFAULT_ENGINE, DEFAULT_PREFILTER, ENGINE_NAMES, type ConfirmOptions, type EngineConfig, type ObddEngineOptions } from '../compile.js';
import { UsageError } from '../errors.js';
import type { OptionSpec } from './args.js';

/** The argument spec of the engine-tuning flags, to spread into a command's own spec. */
export const ENGINE_FLAG_SPEC: OptionSpec = {
  'no-memo': 'flag',
  'memo-budget': 'value',
  prefilter: 'flag',
  'no-prefilter': 'flag',
  'no-confirm': 'flag',
  'confirm-budget': 'value',
};

/** Help lines of the engine-tuning flags, for a command's usage text. */
export const ENGINE_FLAG_USAGE = `  --no-memo           obdd/obdd2: step symbolically on every byte (no step memo)
  --memo-budget BYTES obdd/obdd2: memory bound of the step memo (default 32 MiB;
                      suffixes k, m, g accepted)
  --prefilter         nfa/obdd: run each input only through the signatures its
                      literals select (same results; docs/prefilter.md); the
                      default when no --engine is named
  --no-prefilter      every signature at every byte (the default with --engine)
  --no-confirm        reject pcres with backreferences, lookarounds, atomic groups
                      or possessive quantifiers (by default they run as a regular
                      over-approximation whose matches an exact matcher confirms)
  --confirm-budget MS time for all confirmations of one input (default 100); when
                      it runs out the candidates left are reported as failures
`;

/**
 * compile()'s `prefilter` from `--prefilter` / `--no-prefilter`; when neither is given, on
 * for the default engine (no `--engine`, as compile() does: `DEFAULT_PREFILTER`) and off
 * for a named one, unless `byDefault` is false (`compare`, whose engine list names every
 * engine: there only `--prefilter` turns it on). Throws UsageError when both are given.
 */
export function prefilterFromFlags(options: Record<string, unknown>, byDefault = true): boolean {
  if (options.prefilter === true && options['no-prefilter'] === true) throw new UsageError('--prefilter and --no-prefilter exclude each other');
  if (options.prefilter === true) return true;
  if (options['no-prefilter'] === true) return false;
  return byDefault && options.engine === undefined && DEFAULT_PREFILTER;
}

/**
 * compile()'s `confirm` from `--no-confirm` / `--confirm-budget MS`. Throws UsageError when
 * both are given or the budget is not a positive number.
 */
export function confirmFromFlags(options: Record<string, unknown>): boolean | ConfirmOptions {
  const off = options['no-confirm'] === true;
  const budget = options['confirm-budget'] as string | undefined;
  if (off && budget !== undefined) throw new UsageError('--no-confirm and --confirm-budget exclude each other');
  if (off) return false;
  if (budget === undefined) return true;
  const ms = Number(budget);
  if (!(ms > 0) || !Number.isFinite(ms)) throw new UsageError(`--confirm-budget takes milliseconds > 0, not '${budget}'`);
  return { budgetMs: ms };
}

/**
 * Parses a byte count such as 1048576, 64k, 32m, 1g into bytes. Throws UsageError naming
 * `flag` when the text is not one, or when the count is not a safe integer.
 */
export function parseBytes(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i.exec(text.trim());
  if (!m) throw new UsageError(`${flag} takes a byte count (e.g. 33554432, 64k, 32m), not '${text}'`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  const v = Math.floor(Number(m[1]) * mult);
  if (!Number.isSafeInteger(v)) throw new UsageError(`${flag}: ${text} is too large`);
  return v;
}

/** A label's value: JSON (numbers, true/false, quoted strings), else the text itself (`memoKey=pair`). */
function labelValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Parses an engine label `name[:key=value...]` into an engine configuration. A dotted key
 * sets an option of a nested options object (`grouping.groupSize=8`,
 * `encoding.interleave=false`). Throws UsageError (prefixed with `flag`) for an unknown
 * engine, an option not written key=value, or an option key the engine does not have.
 */
export function parseEngineLabel(label: string, flag = '--engine'): Required<EngineConfig> {
  const [name, ...opts] = label.trim().split(':');
  if (!(ENGINE_NAMES as readonly string[]).includes(name!)) {
    const where = flag === '--engine' ? '' : ` in ${flag}`;
    throw new UsageError(`unknown engine '${name}'${where} (engines: ${ENGINE_NAMES.join(', ')})`);
  }
  const engineOptions: Record<string, unknown> = {};
  for (const o of opts) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag}: option '${o}' of ${name} must be key=value`);
    const path = o.slice(0, eq).split('.');
    // Option names are identifiers; anything else (`__proto__` included) names no option.
    if (!path.every((key) => /^[A-Za-z][A-Za-z0-9]*$/.test(key))) {
      throw new UsageError(`${flag}: unknown ${name} option '${o.slice(0, eq)}'`);
    }
    let target = engineOptions;
    for (const key of path.slice(0, -1)) {
      const inner = target[key];
      if (inner !== undefined && (inner === null || typeof inner !== 'object')) {
        throw new UsageError(`${flag}: option '${o}' of ${name}: ${key} is not an options object`);
      }
      target = (target[key] ??= {}) as Record<string, unknown>;
    }
    target[path[path.length - 1]!] = labelValue(o.slice(eq + 1));
  }
  try {
    return checkEngineConfig(name, engineOptions) as Required<EngineConfig>;
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`${flag}: ${e.message}`);
    throw e;
  }
}

/** The obdd options the memo flags set. */
export type MemoFlagOptions = Pick<ObddEngineOptions, 'memo' | 'memoBudgetBytes'>;

/**
 * The obdd options that `--no-memo` / `--memo-budget` ask for (an empty object when
 * neither was given). Throws UsageError when both are given or the budget is not a byte
 * count.
 */
export function memoOptionsFromFlags(options: Record<string, unknown>): MemoFlagOptions {
  const noMemo = options['no-memo'] === true;
  const budget = options['memo-budget'] as string | undefined;
  if (noMemo && budget !== undefined) throw new UsageError('--no-memo and --memo-budget exclude each other');
  if (noMemo) return { memo: false };
  if (budget !== undefined) return { memoBudgetBytes: parseBytes(budget, '--memo-budget') };
  return {};
}

/**
 * Engine options from the parsed flags (an empty object when none was given). Throws
 * UsageError when the memo flags are given with an engine other than obdd or obdd2.
 */
function engineOptionsFromFlags(options: Record<string, unknown>, engine: string): MemoFlagOptions {
  const given = options['no-memo'] === true || options['memo-budget'] !== undefined;
  if (given && engine !== 'obdd' && engine !== 'obdd2') {
    throw new UsageError(`--no-memo and --memo-budget apply to --engine obdd or obdd2, not ${engine}`);
  }
  return memoOptionsFromFlags(options);
}

/**
 * Adds the memo flags' options to an obdd/obdd2 configuration that does not set its own
 * memo options (`memo`, `memoBudgetBytes`); other configurations are returned as they are.
 */
export function withMemoFlags(config: EngineConfig, memo: MemoFlagOptions): EngineConfig {
  if (config.engine !== 'obdd' && config.engine !== 'obdd2') return config;
  const own = config.engineOptions ?? {};
  if ('memo' in own || 'memoBudgetBytes' in own) return config;
  return { engine: config.engine, engineOptions: { ...own, ...memo } };
}

/**
 * The engine configuration of a command's `--engine LABEL` (default `DEFAULT_ENGINE`) and
 * memo flags. Throws UsageError as `parseEngineLabel` and `engineOptionsFromFlags` do.
 */
export function engineConfigFromFlags(options: Record<string, unknown>): EngineConfig {
  const config = parseEngineLabel((options.engine as string | undefined) ?? DEFAULT_ENGINE);
  const memo = engineOptionsFromFlags(options, config.engine);
  return withMemoFlags(config, memo);
}
