/**
 * Does grouping the signatures (one obdd per group, src/symbolic/grouped.ts) rescue the
 * step memo on the full ET Open set? Measures, in the same run: the explicit nfa, obdd
 * ungrouped, and obdd grouped under each partition variant, and checks that every variant
 * reports exactly the same multiset of (input, signature, end) as nfa.
 *
 *   npx tsx bench/obdd-groups.ts [--bytes N] [--sigs N] [--variants LIST] [--stride 1|2]
 *
 * Workload: every `pcre` option of the active (uncommented) rules of
 * ../shared/data/rules/et-open-snort-2.9.0/*.rules (optionally the first --sigs N) that the
 * front end and NFA builder accept; corpus: the non-empty TCP/UDP payloads of the Zeek HTTP
 * captures (../shared/data/traces/zeek/http/*.pcap, name order) up to --bytes (default
 * 300,000), each payload one input (scan + finish). Timing: one pass per engine ("cold":
 * memo empty at start, op cache warm from compile only), then for memo engines a second
 * pass over the same bytes ("warm": steady state of the memo). MB/s = prefix bytes / time.
 * Variants (--variants, comma separated): `order:N` (consecutive groups of N), `hard:N:H:T`
 * (easy groups of N, hard signatures — hardness ≥ T — in groups of H).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compileNfa } from '../src/engines/compile.js';
import { buildNfaMatcher } from '../src/engines/nfa.js';
import type { Matcher } from '../src/engines/types.js';
import { payloadsFromCaptures, pcreSetFromRules } from '../src/compare/index.js';
import { buildObddMatcher } from '../src/symbolic/index.js';
import { buildGroupedObddMatcher, hardness, type GroupedObddOptions } from '../src/symbolic/grouped.js';

const argv = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const k = argv.indexOf(name);
  return k >= 0 && argv[k + 1] ? argv[k + 1]! : dflt;
};
const here = (p: string): string => new URL(p, import.meta.url).pathname;
const rulesDir = arg('--rules', here('../../shared/data/rules/et-open-snort-2.9.0'));
const traceDir = arg('--traces', here('../../shared/data/traces/zeek/http'));
const maxBytes = Number(arg('--bytes', '300000'));
const maxSigs = Number(arg('--sigs', '0'));
const stride = Number(arg('--stride', '1')) === 2 ? 2 : 1;
const variants = arg('--variants', 'order:1000,order:250,hard:1000:1:32,hard:1000:4:32').split(',').filter(Boolean);
const skipNfa = argv.includes('--no-nfa');

const log = (s: string): void => void process.stderr.write(s + '\n');

// --- workload ---
const ruleFiles = readdirSync(rulesDir).filter((f) => f.endsWith('.rules')).sort().map((f) => join(rulesDir, f));
const set = pcreSetFromRules(ruleFiles);
const sources = maxSigs > 0 ? set.sources.slice(0, maxSigs) : set.sources;
const t0 = performance.now();
const built = compileNfa(sources);
log(`${set.summary}; using ${sources.length}, ${sources.length - built.rejected.length} compiled, ` +
  `${built.nfa.stateCount} NFA states, ${built.nfa.classCount} classes, ${Math.round(performance.now() - t0)} ms`);
{
  const scores = built.signatures.filter((s) => s).map((s) => hardness(s!.ir));
  const hist = [0, 1, 8, 32, 128, 512].map((t) => `≥${t}: ${scores.filter((x) => x >= t).length}`);
  log(`hardness: ${hist.join(', ')}`);
}

const caps = readdirSync(traceDir).filter((f) => f.endsWith('.pcap') || f.endsWith('.pcapng')).sort().map((f) => join(traceDir, f));
const corpus = payloadsFromCaptures(caps);
const inputs: Uint8Array[] = [];
let bytes = 0;
for (const p of corpus.inputs) {
  if (bytes >= maxBytes) break;
  const take = p.subarray(0, Math.min(p.length, maxBytes - bytes));
  inputs.push(take);
  bytes += take.length;
}
log(`corpus: ${corpus.summary}; prefix ${bytes} bytes in ${inputs.length} inputs`);

// --- runs ---
function pass(m: Matcher, collect: string[] | null): { ms: number; matches: number } {
  const sc = m.createScratch({ mode: 'all' });
  let matches = 0;
  let cur = 0;
  const cb = collect
    ? (sig: number, end: number): void => {
        matches++;
        collect.push(`${cur}:${sig}:${end}`);
      }
    : (): void => {
        matches++;
      };
  const t = performance.now();
  for (let i = 0; i < inputs.length; i++) {
    cur = i;
    m.scan(sc, inputs[i]!, cb);
    m.finish(sc, cb);
  }
  return { ms: performance.now() - t, matches };
}

interface Row {
  name: string;
  buildMs: number;
  groups: number | string;
  coldMBps: number;
  warmMBps: number | null;
  matches: number;
  same: boolean | null;
  hit: string;
}
const rows: Row[] = [];
let reference: string[] | null = null;
const mbps = (ms: number): number => bytes / 1e6 / (ms / 1000);

function measure(name: string, build: () => Matcher, memo: boolean): void {
  const tb = performance.now();
  const m = build();
  const buildMs = performance.now() - tb;
  const got: string[] = [];
  const cold = pass(m, got);
  got.sort();
  let same: boolean | null = null;
  if (reference) same = got.length === reference.length && got.every((x, i) => x === reference![i]);
  else if (name === 'nfa') reference = got;
  const warm = memo ? pass(m, null) : null;
  const st = m.stats();
  const ms = st.memoStats as Record<string, number> | undefined;
  const hit = typeof st.memoHitRate === 'number' ? (st.memoHitRate * 100).toFixed(1) + '% (worst group ' + ((st.worstGroupHitRate as number) * 100).toFixed(1) + '%)'
    : ms ? (ms.hitRate! * 100).toFixed(1) + '%' : '-';
  const row: Row = {
    name, buildMs, groups: (st.groups as number | undefined) ?? 1,
    coldMBps: mbps(cold.ms), warmMBps: warm ? mbps(warm.ms) : null,
    matches: cold.matches, same, hit,
  };
  rows.push(row);
  log(`${name}: build ${Math.round(buildMs)} ms, cold ${row.coldMBps.toFixed(3)} MB/s, warm ${row.warmMBps?.toFixed(3) ?? '-'} MB/s, ` +
    `${cold.matches} matches, same as nfa: ${same ?? '-'}, memo hit ${hit}`);
}

const engine = stride === 2 ? 'obdd2' : 'obdd';
if (!skipNfa) measure('nfa', () => buildNfaMatcher(built.nfa), false);
measure(`${engine}`, () => buildObddMatcher(built.nfa, { stride }), true);
for (const v of variants) {
  const [kind, a, b, c] = v.split(':');
  const opts: GroupedObddOptions =
    kind === 'hard'
      ? { groupSize: Number(a), partition: 'hard', hardGroupSize: Number(b ?? 1), hardThreshold: Number(c ?? 32), stride }
      : { groupSize: Number(a), partition: 'order', stride };
  measure(`${engine} ${v}`, () => buildGroupedObddMatcher(built.signatures, opts), true);
}

console.log(`\n${sources.length - built.rejected.length} ET Open pcres, ${built.nfa.stateCount} NFA states; ${bytes} bytes of Zeek HTTP payloads (${inputs.length} inputs)\n`);
console.log('| engine | groups | build ms | cold MB/s | warm MB/s | matches | same as nfa | memo hit |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.name} | ${r.groups} | ${Math.round(r.buildMs)} | ${r.coldMBps.toFixed(3)} | ${r.warmMBps?.toFixed(3) ?? '-'} | ${r.matches} | ${r.same ?? '(reference)'} | ${r.hit} |`);
}
if (rows.some((r) => r.same === false)) {
  console.log('\nMISMATCH: some variant disagrees with nfa');
  process.exitCode = 1;
}
