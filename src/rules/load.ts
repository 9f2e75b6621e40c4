/**
 * Loads rule files from disk into one id space and summarizes what was loaded and rejected
 * (the summary the `replay` command prints, and what the rules census reports).
 *
 * Guarantees: a bad rule never stops a load (see `parseRules`); an unreadable file is a
 * `RuleParseError` at line 0 naming the file (the CLI reports it with exit code 1).
 * Variables defined by `var` lines in one file carry over to the files after it, as when
 * Snort includes rule files in order.
 */
import { readFileSync } from 'node:fs';
import { RuleParseError } from '../errors.js';
import { parseRules, type RuleParseOptions, type RuleReject, type RuleWarning } from './parse.js';
import type { Rule } from './rule.js';
import { Variables } from './vars.js';

/**
 * Options of `loadRuleFiles` / `loadRuleTexts` (as `RuleParseOptions`, for a set of files).
 */
export interface LoadOptions {
  includeDisabled?: boolean;
  /** @default Variables.defaults() */
  vars?: Variables;
  /** A snort.conf / variables file read on top of `vars`. */
  varsFile?: string;
  dialect?: RuleParseOptions['dialect'];
}

/** Counts over a loaded rule set. */
export interface LoadSummary {
  files: number;
  /** Rules loaded (parsed). */
  loaded: number;
  enabled: number;
  disabled: number;
  /** Commented-out rules left out because `includeDisabled` was off. */
  disabledSkipped: number;
  rejected: number;
  rejectedByKind: Record<string, number>;
  /** Loaded rules whose gid:sid was already loaded (Snort keeps one; we keep both). */
  duplicateSids: number;
}

/**
 * A loaded rule set: the rules (one id space over all files), the rejects, the counts and the
 * variables after the last file.
 */
export interface LoadResult {
  rules: Rule[];
  rejected: RuleReject[];
  /** Warnings about loaded rules (unknown options), file by file in text order. */
  warnings: RuleWarning[];
  /** Rule-like lines per file (`texts` order): rules loaded, rejected or skipped as disabled; 0 for a file with no rule. */
  ruleLinesByFile: number[];
  summary: LoadSummary;
  vars: Variables;
}

function readText(path: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (e) {
    throw new RuleParseError(`cannot read rules: ${(e as Error).message}`, 0, path);
  }
}

/** Loads several rule texts (name, text) in order into one id space. */
export function loadRuleTexts(texts: readonly { file: string; text: string }[], options: LoadOptions = {}): LoadResult {
  let vars = options.vars ?? Variables.defaults();
  if (options.varsFile !== undefined) vars = vars.withConfig(readText(options.varsFile), options.varsFile);
  const rules: Rule[] = [];
  const rejected: RuleReject[] = [];
  const warnings: RuleWarning[] = [];
  const ruleLinesByFile: number[] = [];
  let disabledSkipped = 0;
  for (const { file, text } of texts) {
    const r = parseRules(text, {
      file,
      includeDisabled: options.includeDisabled,
      vars,
      dialect: options.dialect,
      firstId: rules.length,
    });
    rules.push(...r.rules);
    rejected.push(...r.rejected);
    warnings.push(...r.warnings);
    ruleLinesByFile.push(r.stats.enabledSeen + r.stats.disabledSeen);
    disabledSkipped += r.stats.disabledSkipped;
    vars = r.vars;
  }
  return { rules, rejected, warnings, ruleLinesByFile, summary: summarizeLoad(texts.length, rules, rejected, disabledSkipped), vars };
}

/** Reads and loads rule files (`-` is stdin). */
export function loadRuleFiles(paths: readonly string[], options: LoadOptions = {}): LoadResult {
  return loadRuleTexts(paths.map((file) => ({ file, text: readText(file) })), options);
}

/** Counts for a loaded rule set (`disabledSkipped`: commented-out rules not loaded). */
export function summarizeLoad(files: number, rules: readonly Rule[], rejected: readonly RuleReject[], disabledSkipped = 0): LoadSummary {
  const rejectedByKind: Record<string, number> = {};
  for (const x of rejected) rejectedByKind[x.kind] = (rejectedByKind[x.kind] ?? 0) + 1;
  let enabled = 0;
  let duplicateSids = 0;
  const seen = new Set<string>();
  for (const r of rules) {
    if (r.enabled) enabled++;
    const key = `${r.gid}:${r.sid}`;
    if (seen.has(key)) duplicateSids++;
    else seen.add(key);
  }
  return {
    files,
    loaded: rules.length,
    enabled,
    disabled: rules.length - enabled,
    disabledSkipped,
    rejected: rejected.length,
    rejectedByKind,
    duplicateSids,
  };
}

/** One-paragraph human summary (for stderr). */
export function formatLoadSummary(s: LoadSummary): string {
  const kinds = Object.entries(s.rejectedByKind)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return `rules: ${s.loaded} loaded (${s.enabled} enabled, ${s.disabled} disabled) from ${s.files} file(s); ` +
    `${s.rejected} rejected${kinds ? ` (${kinds})` : ''}` +
    (s.disabledSkipped ? `; ${s.disabledSkipped} disabled rules not loaded (use --include-disabled)` : '') +
    (s.duplicateSids ? `; ${s.duplicateSids} duplicate sids` : '');
}
