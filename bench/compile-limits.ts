/**
 * Compile time of huge signatures (issue 18: "compile time linear in rule size; a 1 MB
 * content or a 100k-way literal alternation compiles or is rejected by a limit within
 * 2 s"), against a baseline measured in the same run: the bundled ET Open rules
 * (`traces/rules`, 631 rules) through the same path.
 *
 *   npx tsx bench/compile-limits.ts [--engines default,nfa,obdd,mdfa,dfa] [--rounds 3]
 *
 * Cases: a content of 50 kB (under the position limit: compiles) and of 1 MB (rejected:
 * 'content length'); a pcre of a 20k- and a 100k-way literal alternation (rejected:
 * 'pattern length'), of a 9k-way one (56 kB: compiles) and a 60,000-character literal
 * (rejected after parsing: 'positions'). Each case runs through two paths: the library
 * (`compile([signature])`) and the rule path `replay` takes (`prepareRules` on one rule:
 * rule parsing, the rule program, compile). Per row: median wall ms over the rounds, the
 * outcome (compiled, or the limit named), and the ratio to the baseline of that path and
 * engine. Whole runs, not a micro-benchmark: each measurement is one fresh compile.
 */
import { fileURLToPath } from 'node:url';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compile, type CompileOptions, type SignatureSpec } from '../src/compile.js';
import type { EngineName } from '../src/matcher/types.js';
import { prepareRules } from '../src/replay/index.js';
import { LimitExceededError } from '../src/errors.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const engines = (opt('engines') ?? 'default,nfa,obdd,mdfa,dfa').split(',');
const rounds = Number(opt('rounds') ?? 3);

const alternation = (n: number): string => Array.from({ length: n }, (_, i) => `w${i.toString(36)}x`).join('|');

interface Case {
  name: string;
  /** The signature for compile(). */
  signature: string | SignatureSpec;
  /** The same as one rule. */
  rule: string;
}

const content = (n: number): Case => {
  const text = 'A'.repeat(n);
  return { name: `content ${n / 1000} kB`, signature: { content: text }, rule: `alert tcp any any -> any any (content:"${text}"; sid:1;)` };
};
const pcre = (name: string, pattern: string): Case => ({
  name,
  signature: `/${pattern}/`,
  rule: `alert tcp any any -> any any (pcre:"/${pattern}/"; sid:1;)`,
});
const CASES: Case[] = [
  content(50_000),
  content(1_000_000),
  pcre('literal pcre 60k chars', 'A'.repeat(60_000)),
  pcre('alternation 9k-way', alternation(9_000)),
  pcre('alternation 20k-way', alternation(20_000)),
  pcre('alternation 100k-way', alternation(100_000)),
];

const bundled = fileURLToPath(new URL('../traces/rules/', import.meta.url));
const baselineFiles = readdirSync(bundled).filter((f) => f.endsWith('.rules')).sort().map((f) => join(bundled, f));

function engineOptions(engine: string): CompileOptions {
  return engine === 'default' ? {} : { engine: engine as EngineName };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** What happened to the one signature: compiled, or the limit (or error) that rejected it. */
function outcomeOf(errors: readonly Error[]): string {
  if (errors.length === 0) return 'compiled';
  const e = errors[0];
  if (e instanceof LimitExceededError) return `limit: ${e.resource}`;
  const m = /([a-z]+(?: [a-z]+)?) limit exceeded/.exec(e.message);
  return m ? `limit: ${m[1]}` : `error: ${e.message.slice(0, 60)}`;
}

function time(run: () => string): { ms: number; outcome: string } {
  const ms: number[] = [];
  let outcome = '';
  for (let r = 0; r < rounds; r++) {
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = performance.now();
    try {
      outcome = run();
    } catch (e) {
      outcome = e instanceof LimitExceededError ? `threw: ${e.resource}` : `threw: ${(e as Error).message.slice(0, 60)}`;
    }
    ms.push(performance.now() - t0);
  }
  return { ms: median(ms), outcome };
}

const library = (signatures: ReadonlyArray<string | SignatureSpec>, engine: string) => (): string =>
  outcomeOf(compile(signatures, engineOptions(engine)).rejected.map((x) => x.error));
const rulePath = (options: Parameters<typeof prepareRules>[0]) => (): string => {
  const p = prepareRules(options);
  return outcomeOf(p.rejected.map((x) => x.error));
};

const head = ['engine', 'case', 'path', 'ms', 'outcome', '× baseline'];
const widths = [7, 26, 7, 6, 28, 10];
const line = (r: string[]): string => `| ${r.map((x, i) => (i === 3 || i === 5 ? x.padStart(widths[i]) : x.padEnd(widths[i]))).join(' | ')} |`;
console.log(`compile-limits: median of ${rounds} rounds, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
console.log(line(head));
console.log(`|${widths.map((w, i) => (i === 3 || i === 5 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);

// The baseline's signatures (engine-independent): the rule program's specs.
const baseSigs = prepareRules({ ruleFiles: baselineFiles, engine: 'nfa' }).detector.program.specs;
for (const engine of engines) {
  const eng = engine === 'default' ? {} : { engine: engine as EngineName };
  // Baselines: the bundled ET Open rules, as signatures (library) and as rules (dfa may
  // stop at its state budget on them: the row says so, and ratios are to that time).
  const libBase = time(library(baseSigs, engine));
  const ruleBase = time(rulePath({ ruleFiles: baselineFiles, ...eng }));
  console.log(line([engine, 'baseline: bundled ET rules', 'library', libBase.ms.toFixed(0), libBase.outcome.startsWith('threw') ? libBase.outcome : `${baseSigs.length} signatures`, '1.00']));
  console.log(line([engine, 'baseline: bundled ET rules', 'rules', ruleBase.ms.toFixed(0), ruleBase.outcome.startsWith('threw') ? ruleBase.outcome : '631 rules', '1.00']));
  for (const c of CASES) {
    const lib = time(library([c.signature], engine));
    console.log(line([engine, c.name, 'library', lib.ms.toFixed(0), lib.outcome, (lib.ms / libBase.ms).toFixed(2)]));
    const rule = time(rulePath({ ruleTexts: [{ file: 'case.rules', text: c.rule }], ...eng }));
    console.log(line([engine, c.name, 'rules', rule.ms.toFixed(0), rule.outcome, (rule.ms / ruleBase.ms).toFixed(2)]));
  }
}
