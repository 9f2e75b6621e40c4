/**
 * Census of the `pcre` options in the three rulesets under ../shared/data/rules: parses
 * every option (active and commented-out rules) with the PCRE front end and prints, per
 * ruleset, how many are accepted and how many are rejected by reason, as a markdown table.
 *
 *   npx tsx bench/pcre-census.ts [--rules DIR] [--show REASON] [--limit N] [--no-confirm]
 *
 * `--show` prints the options rejected for reasons containing the given text (to inspect).
 * Options are parsed as compile() does by default: confirmable features (backreferences,
 * lookarounds, atomic groups, possessive quantifiers; src/confirm) are accepted and counted
 * in "of which confirmed"; `--no-confirm` rejects them as compile({ confirm: false }).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LimitExceededError, RegexSyntaxError, UnsupportedFeatureError } from '../src/errors.js';
import { expandedSize, parseSignature } from '../src/syntax/index.js';
import { sharedPath } from './lib/shared-data.js';

export interface PcreOption {
  file: string;
  line: number;
  sid: number | undefined;
  /** The option value between the quotes, e.g. `/foo/i` (with a leading `!` if negated). */
  value: string;
}

/**
 * Extracts every `pcre:"…"` option of a rules text. Rule lines may be commented out
 * (`# alert …`). The value ends at a `"` followed by optional spaces and `;`, which also
 * copes with the few ET options that hold an unescaped `"` (e.g. sid 2019728).
 */
export function extractPcreOptions(text: string, file: string): PcreOption[] {
  const out: PcreOption[] = [];
  const lines = text.split('\n');
  const optRe = /pcre\s*:\s*(!?)\s*"/g;
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln];
    if (!line.includes('pcre')) continue;
    const body = line.replace(/^\s*#+\s*/, '');
    if (!/^(alert|drop|pass|reject|log|sdrop|block|rewrite)\b/.test(body)) continue;
    const sidM = /[;(\s]sid\s*:\s*(\d+)/.exec(body);
    const sid = sidM ? Number(sidM[1]) : undefined;
    optRe.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = optRe.exec(body)) !== null) {
      const start = m.index + m[0].length;
      const endRe = /"\s*;/g;
      endRe.lastIndex = start;
      const e = endRe.exec(body);
      const end = e ? e.index : body.lastIndexOf('"');
      if (end <= start) continue;
      out.push({ file, line: ln + 1, sid, value: (m[1] ? '!' : '') + body.slice(start, end) });
      optRe.lastIndex = end + 1;
    }
  }
  return out;
}

function rulesFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...rulesFiles(p));
    else if (name.endsWith('.rules')) out.push(p);
  }
  return out;
}

/** A short reason label for the census table. */
export function reasonOf(e: unknown): string {
  if (e instanceof UnsupportedFeatureError) return `unsupported: ${e.feature}`;
  if (e instanceof LimitExceededError) return `limit: ${e.resource}`;
  if (e instanceof RegexSyntaxError) return `syntax: ${e.reason.replace(/'.*'/, "'…'")}`;
  return `crash: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
}

function main(): void {
  const args = process.argv.slice(2);
  const here = fileURLToPath(new URL('.', import.meta.url));
  const rulesRoot = args.includes('--rules') ? args[args.indexOf('--rules') + 1] : sharedPath('rules');
  const show = args.includes('--show') ? args[args.indexOf('--show') + 1] : undefined;
  const confirm = !args.includes('--no-confirm');
  const showLimit = args.includes('--limit') ? Number(args[args.indexOf('--limit') + 1]) : 20;
  const sets = readdirSync(rulesRoot).filter((d) => statSync(join(rulesRoot, d)).isDirectory()).sort();
  const reasons = new Set<string>();
  const table = new Map<string, { total: number; accepted: number; confirmed: number; negated: number; byReason: Map<string, number>; ms: number; maxSize: number }>();
  let shown = 0;
  for (const set of sets) {
    const row = { total: 0, accepted: 0, confirmed: 0, negated: 0, byReason: new Map<string, number>(), ms: 0, maxSize: 0 };
    table.set(set, row);
    for (const f of rulesFiles(join(rulesRoot, set))) {
      const text = readFileSync(f, 'latin1');
      for (const opt of extractPcreOptions(text, relative(rulesRoot, f))) {
        row.total++;
        const t0 = performance.now();
        try {
          const sig = parseSignature(opt.value, { confirm });
          row.accepted++;
          if (sig.exact) row.confirmed++;
          if (sig.negated) row.negated++;
          row.maxSize = Math.max(row.maxSize, expandedSize(sig.ir));
        } catch (e) {
          const r = reasonOf(e);
          reasons.add(r);
          row.byReason.set(r, (row.byReason.get(r) ?? 0) + 1);
          if (show && r.includes(show) && shown++ < showLimit) {
            console.log(`${opt.file}:${opt.line} sid ${opt.sid}: ${opt.value}\n    -> ${(e as Error).message}`);
          }
        }
        row.ms += performance.now() - t0;
      }
    }
  }
  const cols = [...table.keys()];
  const pct = (a: number, b: number): string => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}%`);
  const lines: string[] = [];
  lines.push(`| | ${cols.join(' | ')} |`);
  lines.push(`|---|${cols.map(() => '---:').join('|')}|`);
  lines.push(`| pcre options | ${cols.map((c) => table.get(c)!.total).join(' | ')} |`);
  lines.push(`| **accepted** | ${cols.map((c) => `${table.get(c)!.accepted} (${pct(table.get(c)!.accepted, table.get(c)!.total)})`).join(' | ')} |`);
  lines.push(`| of which confirmed (backreference, lookaround…) | ${cols.map((c) => table.get(c)!.confirmed).join(' | ')} |`);
  const sorted = [...reasons].sort((a, b) => {
    const sum = (r: string): number => cols.reduce((s, c) => s + (table.get(c)!.byReason.get(r) ?? 0), 0);
    return sum(b) - sum(a);
  });
  for (const r of sorted) {
    lines.push(`| rejected, ${r.replace(/\|/g, '\\|')} | ${cols.map((c) => table.get(c)!.byReason.get(r) ?? 0).join(' | ')} |`);
  }
  lines.push(`| (accepted negated \`!\`) | ${cols.map((c) => table.get(c)!.negated).join(' | ')} |`);
  lines.push(`| largest expanded size (positions) | ${cols.map((c) => table.get(c)!.maxSize).join(' | ')} |`);
  lines.push(`| parse time, ms | ${cols.map((c) => table.get(c)!.ms.toFixed(0)).join(' | ')} |`);
  console.log(lines.join('\n'));
  const crashes = sorted.filter((r) => r.startsWith('crash'));
  if (crashes.length > 0) {
    console.error(`CRASHES: ${crashes.join(', ')}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
