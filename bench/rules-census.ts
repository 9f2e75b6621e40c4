/**
 * Rules census: loads every rule of the three rulesets in ../shared/data/rules (active and
 * disabled), then prints as markdown tables:
 *   1. parse results per ruleset: rules seen, loaded (enabled/disabled), rejected by reason;
 *   2. patterns the engines cannot express: every `content`/`pcre` signature is compiled by
 *      the syntax front end (`parseSignature`); rules using a rejected one are rejected
 *      (kind unsupported-pattern), counted by the error's feature/resource;
 *   3. the approximations the rule semantics model makes, in rules affected.
 *
 * Run: `npx tsx bench/rules-census.ts` (about 10-20 s). `--no-patterns` skips step 2.
 * Patterns are parsed as compile() does by default, confirmable features accepted
 * (src/confirm); `--no-confirm` counts them as rejected, as compile({ confirm: false }).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LimitExceededError, UnsupportedFeatureError } from '../src/errors.js';
import { loadRuleFiles } from '../src/rules/load.js';
import { irLengthBounds, RuleProgram, type ApproximationCensus, type LengthBounds } from '../src/detect/index.js';
import { parseSignature } from '../src/syntax/index.js';
import { sharedPath } from './lib/shared-data.js';

const root = sharedPath('rules') + '/';
if (!existsSync(root)) {
  console.error(`no rules at ${root}`);
  process.exit(1);
}
const checkPatterns = !process.argv.includes('--no-patterns');
const confirm = !process.argv.includes('--no-confirm');

interface Row {
  set: string;
  files: number;
  loaded: number;
  enabled: number;
  disabled: number;
  rejected: Record<string, number>;
  parseMs: number;
  signatures: number;
  patternRejects: number;
  /** Signatures accepted with confirmation (exact form). */
  confirmed: number;
  patternReasons: Record<string, number>;
  rulesRejectedForPatterns: number;
  enabledRejectedForPatterns: number;
  rulesRejectedForOptions: number;
  enabledRejectedForOptions: number;
  rulesGated: number;
  enabledGated: number;
  compileMs: number;
  approx: ApproximationCensus;
  rulesInProgram: number;
}

function reasonOf(e: Error): string {
  if (e instanceof UnsupportedFeatureError) return `unsupported: ${e.feature}`;
  if (e instanceof LimitExceededError) return `limit: ${e.resource}`;
  const code = (e as { code?: string }).code;
  return code === 'REGEX_SYNTAX' ? 'regex syntax error' : (code ?? e.name);
}

const rows: Row[] = [];
for (const set of readdirSync(root).sort()) {
  const dir = join(root, set);
  const files = readdirSync(dir).filter((f) => f.endsWith('.rules')).sort().map((f) => join(dir, f));
  const t0 = performance.now();
  const load = loadRuleFiles(files, { includeDisabled: true });
  const parseMs = performance.now() - t0;

  const patternReasons: Record<string, number> = {};
  let patternRejects = 0;
  let confirmed = 0;
  const check = (source: string): LengthBounds | Error => {
    if (!checkPatterns) return { minLength: 0, maxLength: Infinity };
    try {
      const sig = parseSignature(source, { confirm });
      if (sig.exact) confirmed++;
      return irLengthBounds(sig.ir);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      patternRejects++;
      const why = reasonOf(err);
      patternReasons[why] = (patternReasons[why] ?? 0) + 1;
      return err;
    }
  };
  const t1 = performance.now();
  const program = new RuleProgram(load.rules, { checkPattern: check });
  const compileMs = performance.now() - t1;
  rows.push({
    set,
    files: files.length,
    loaded: load.summary.loaded,
    enabled: load.summary.enabled,
    disabled: load.summary.disabled,
    rejected: load.summary.rejectedByKind,
    parseMs,
    signatures: program.signatures.length,
    patternRejects,
    confirmed,
    patternReasons,
    rulesRejectedForPatterns: program.rejected.filter((x) => x.kind === 'unsupported-pattern').length,
    enabledRejectedForPatterns: program.rejected.filter((x) => x.kind === 'unsupported-pattern' && x.enabled).length,
    rulesRejectedForOptions: program.rejected.filter((x) => x.kind === 'unsupported-option').length,
    enabledRejectedForOptions: program.rejected.filter((x) => x.kind === 'unsupported-option' && x.enabled).length,
    rulesGated: program.rejected.filter((x) => x.kind === 'protocol-gated').length,
    enabledGated: program.rejected.filter((x) => x.kind === 'protocol-gated' && x.enabled).length,
    compileMs,
    approx: program.approximations(),
    rulesInProgram: load.rules.length,
  });
}

const fmt = (n: number) => n.toLocaleString('en-US');
const out: string[] = [];
out.push('### Parsing (all rules, active and disabled)', '');
out.push('| ruleset | files | rules loaded | enabled | disabled | rejected | rejects by reason | parse time |');
out.push('|---|---:|---:|---:|---:|---:|---|---:|');
for (const r of rows) {
  const rej = Object.values(r.rejected).reduce((a, b) => a + b, 0);
  const why = Object.entries(r.rejected).map(([k, n]) => `${k} ${n}`).join(', ') || '-';
  out.push(`| ${r.set} | ${r.files} | ${fmt(r.loaded)} | ${fmt(r.enabled)} | ${fmt(r.disabled)} | ${rej} | ${why} | ${Math.round(r.parseMs)} ms |`);
}
if (checkPatterns) {
  out.push('', '### Patterns the engines cannot express (syntax front end)', '');
  if (!confirm) out.push('With `--no-confirm`: confirmable features (backreferences, lookarounds…) rejected, as `compile({ confirm: false })`.', '');
  out.push('| ruleset | distinct signatures | confirmed signatures | rejected signatures | rules rejected (enabled) | enabled rules rejected | reasons (signatures) |');
  out.push('|---|---:|---:|---:|---:|---:|---|');
  for (const r of rows) {
    const why = Object.entries(r.patternReasons).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join('; ') || '-';
    const share = r.enabled === 0 ? '-' : `${((100 * r.enabledRejectedForPatterns) / r.enabled).toFixed(2)}%`;
    out.push(`| ${r.set} | ${fmt(r.signatures)} | ${fmt(r.confirmed)} | ${fmt(r.patternRejects)} | ${fmt(r.rulesRejectedForPatterns)} (${fmt(r.enabledRejectedForPatterns)}) | ${share} | ${why} |`);
  }
}
out.push('', '### Rules rejected by the rule model', '');
out.push('unsupported-option: no content/pcre and the remaining conditions are ignored options (the rule would fire on every packet); protocol-gated: needs a DCE/RPC, Modbus, DNP3, ... parser.', '');
out.push('| ruleset | unsupported-option (enabled) | protocol-gated (enabled) |');
out.push('|---|---:|---:|');
for (const r of rows) out.push(`| ${r.set} | ${fmt(r.rulesRejectedForOptions)} (${fmt(r.enabledRejectedForOptions)}) | ${fmt(r.rulesGated)} (${fmt(r.enabledGated)}) |`);
out.push('', '### Approximations of the rule semantics model (rules affected, of the loaded rules)', '');
const kinds = Object.keys(rows[0].approx.byKind) as (keyof ApproximationCensus['byKind'])[];
out.push(`| ruleset | exact | approximated | ${kinds.join(' | ')} |`);
out.push(`|---|---:|---:|${kinds.map(() => '---:').join('|')}|`);
for (const r of rows) {
  out.push(`| ${r.set} | ${fmt(r.approx.rulesExact)} | ${fmt(r.approx.rulesApproximated)} | ${kinds.map((k) => fmt(r.approx.byKind[k])).join(' | ')} |`);
}
out.push('', '### Ignored options (rules using each; top 12 per ruleset)', '');
for (const r of rows) {
  const top = Object.entries(r.approx.unsupportedOptions).sort((a, b) => b[1] - a[1]).slice(0, 12);
  out.push(`- ${r.set}: ${top.map(([k, n]) => `${k} ${n}`).join(', ')}`);
}
console.log(out.join('\n'));
