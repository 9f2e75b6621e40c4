/**
 * Does grouping the signatures (one obdd per group, src/engines/obdd/grouped.ts) rescue the
 * step memo on the full ET Open set? Measures, in the same run: the explicit nfa, obdd
 * ungrouped, and obdd grouped under each partition variant, and checks that every variant
 * reports exactly the same multiset of (input, signature, end) as nfa.
 *
 *   npx tsx bench/obdd-groups.ts [--bytes N] [--sigs N] [--variants LIST] [--stride 1|2] [--sample N]
 *                                [--no-nfa] [--no-ungrouped]
 *
 * Workload: every `pcre` option of the active (uncommented) rules of
 * ../shared/data/rules/et-open-snort-2.9.0/*.rules (optionally the first --sigs N) that the
 * front end and NFA builder accept; corpus: the non-empty TCP/UDP payloads of the Zeek HTTP
 * captures (../shared/data/traces/zeek/http/*.pcap, name order) up to --bytes (default
 * 300,000), each payload one input (scan + finish). Timing, the same two passes for every
 * engine: "cold" = a fresh matcher over the --sample bytes that follow the prefix (memo
 * empty at start), then "warm" = the measured prefix, bytes the memo has never seen (a
 * replay of the same bytes would hit on every frontier and flatter the memo). MB/s = bytes
 * of the pass / its time; reports of the warm pass are recorded and compared with nfa's.
 * Variants (--variants, comma separated): `order:N` (consecutive groups of N), `hard:N:H:T`
 * (easy groups of N, hard signatures — hardness ≥ T — in groups of H), `adaptive:N:R:M`
 * (order:N, then R rounds halving every group whose memo miss rate exceeds M on a training
 * sample: the --sample bytes (default 100,000) of payloads after the measured prefix).
 */
import { compileNfa } from '../src/compile.js';
import { buildNfaMatcher } from '../src/engines/explicit/matcher.js';
import type { Matcher } from '../src/matcher/types.js';
import { payloadsFromCaptures } from '../src/compare/index.js';
import { buildObddMatcher } from '../src/engines/obdd/index.js';
import { adaptivePartition, buildGroupedObddMatcher, GroupedObddMatcher, hardness, type GroupedObddOptions } from '../src/engines/obdd/grouped.js';

import { arg, argv, etHttpFiles, etPcreSet } from './lib/workload.js';

const maxBytes = Number(arg('--bytes', '300000'));
const maxSigs = Number(arg('--sigs', '0'));
const stride = Number(arg('--stride', '1')) === 2 ? 2 : 1;
const variants = arg('--variants', 'order:1000,order:250,hard:1000:1:32,hard:1000:4:32').split(',').filter(Boolean);
const skipNfa = argv.includes('--no-nfa');

const log = (s: string): void => void process.stderr.write(s + '\n');

// --- workload ---
const set = etPcreSet();
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

const caps = etHttpFiles().captures;
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
// Training sample for adaptive variants: the payloads right after the measured prefix.
const sampleBytes = Number(arg('--sample', '100000'));
const sample: Uint8Array[] = [];
{
  let sb = 0;
  for (let i = inputs.length; i < corpus.inputs.length && sb < sampleBytes; i++) {
    sample.push(corpus.inputs[i]!);
    sb += corpus.inputs[i]!.length;
  }
}

// --- runs ---
/** Packed (input, signature, end) of every report, for an exact multiset comparison. */
class Reports {
  keys = new Float64Array(1 << 16);
  n = 0;
  push(input: number, sig: number, end: number): void {
    if (this.n === this.keys.length) {
      const k = new Float64Array(this.n * 2);
      k.set(this.keys);
      this.keys = k;
    }
    // input < 2^16, sig < 2^16, end < 2^20: exact in a double.
    this.keys[this.n++] = (input * 65536 + sig) * 1048576 + end;
  }
  sorted(): Float64Array {
    return this.keys.subarray(0, this.n).sort();
  }
}

function pass(m: Matcher, items: readonly Uint8Array[], collect: Reports | null): { ms: number; matches: number } {
  const sc = m.createScratch({ mode: 'all' });
  let matches = 0;
  let cur = 0;
  const cb = collect
    ? (sig: number, end: number): void => {
        matches++;
        collect.push(cur, sig, end);
      }
    : (): void => {
        matches++;
      };
  const t = performance.now();
  for (let i = 0; i < items.length; i++) {
    cur = i;
    m.scan(sc, items[i]!, cb);
    m.finish(sc, cb);
  }
  return { ms: performance.now() - t, matches };
}

/** Cumulative memo lookups/misses of an obdd or grouped obdd matcher. */
function memoCounts(m: Matcher): { lookups: number; misses: number } | null {
  const st = m.stats();
  if (typeof st.memoLookups === 'number') return { lookups: st.memoLookups, misses: st.memoMisses as number };
  const ms = st.memoStats as Record<string, number> | undefined;
  return ms ? { lookups: ms.lookups!, misses: ms.misses! } : null;
}

interface Row {
  name: string;
  buildMs: number;
  groups: number | string;
  coldMBps: number;
  warmMBps: number;
  matches: number;
  same: boolean | null;
  hit: string;
}
const rows: Row[] = [];
let reference: Float64Array | null = null;
let sampleLen = 0;
for (const x of sample) sampleLen += x.length;

/**
 * cold: a fresh matcher over the --sample bytes (the memo starts empty); warm: then over
 * the measured prefix, bytes it has never seen (no replay), with every report recorded and
 * compared with nfa's. Both passes are the same work for every engine.
 */
function measure(name: string, build: () => Matcher): void {
  const tb = performance.now();
  const m = build();
  const buildMs = performance.now() - tb;
  const cold = pass(m, sample, null);
  const before = memoCounts(m);
  const got = new Reports();
  const warm = pass(m, inputs, got);
  const after = memoCounts(m);
  const keys = got.sorted();
  let same: boolean | null = null;
  if (reference) same = keys.length === reference.length && keys.every((x, i) => x === reference![i]);
  else if (name === 'nfa') reference = keys;
  let hit = '-';
  if (before && after) {
    const l = after.lookups - before.lookups, mi = after.misses - before.misses;
    hit = l ? ((1 - mi / l) * 100).toFixed(2) + '%' : '-';
  }
  const st = m.stats();
  // Where do the misses come from? Misses per scanned byte (both passes) and the share of
  // the 5 worst groups: tells whether grouping made misses rarer or only cheaper.
  let missNote = '';
  if (m instanceof GroupedObddMatcher || typeof st.memoStats === 'object') {
    const per = (m instanceof GroupedObddMatcher ? m.groups : [m]).map((g) => ((g.stats().memoStats as Record<string, number> | undefined)?.misses ?? 0));
    const total = per.reduce((x, y) => x + y, 0);
    const top5 = per.sort((x, y) => y - x).slice(0, 5).reduce((x, y) => x + y, 0);
    missNote = `, misses/byte ${(total / (sampleLen + bytes)).toFixed(3)}, top-5 groups ${total ? ((100 * top5) / total).toFixed(0) : 0}% of misses`;
  }
  const row: Row = {
    name, buildMs, groups: (st.groups as number | undefined) ?? 1,
    coldMBps: sampleLen / 1e6 / (cold.ms / 1000), warmMBps: bytes / 1e6 / (warm.ms / 1000),
    matches: warm.matches, same, hit,
  };
  rows.push(row);
  log(`${name}: build ${Math.round(buildMs)} ms, groups ${row.groups}, cold ${row.coldMBps.toFixed(3)} MB/s, warm ${row.warmMBps.toFixed(3)} MB/s, ` +
    `${warm.matches} matches, same as nfa: ${same ?? '-'}, memo hit (warm pass) ${hit}${missNote}`);
}

const engine = stride === 2 ? 'obdd2' : 'obdd';
if (!skipNfa) measure('nfa', () => buildNfaMatcher(built.nfa));
if (!argv.includes('--no-ungrouped')) measure(`${engine}`, () => buildObddMatcher(built.nfa, { stride }));
for (const v of variants) {
  const [kind, a, b, c] = v.split(':');
  if (kind === 'adaptive') {
    // adaptive:N:ROUNDS:MAXMISS — order:N refined by halving groups that miss on the sample.
    const ta = performance.now();
    const ad = adaptivePartition(built.signatures, sample, { groupSize: Number(a), stride, rounds: Number(b ?? 4), maxMissRate: Number(c ?? 0.01) });
    const trainMs = performance.now() - ta;
    log(`${v}: training ${Math.round(trainMs)} ms on ${sample.length} inputs, rounds ${JSON.stringify(ad.rounds)}`);
    measure(`${engine} ${v} (train ${Math.round(trainMs / 1000)} s)`, () => buildGroupedObddMatcher(built.signatures, { groupSize: Number(a), partition: ad.groups, stride }));
    continue;
  }
  const opts: GroupedObddOptions =
    kind === 'hard'
      ? { groupSize: Number(a), partition: 'hard', hardGroupSize: Number(b ?? 1), hardThreshold: Number(c ?? 32), stride }
      : { groupSize: Number(a), partition: 'order', stride };
  measure(`${engine} ${v}`, () => buildGroupedObddMatcher(built.signatures, opts));
}

console.log(`\n${sources.length - built.rejected.length} ET Open pcres, ${built.nfa.stateCount} NFA states; cold = first ${sampleLen} bytes after the prefix (${sample.length} inputs), then warm = ${bytes} bytes of Zeek HTTP payloads (${inputs.length} inputs), mode 'all'\n`);
console.log('| engine | groups | build ms | cold MB/s | warm MB/s | matches (warm) | same as nfa | memo hit (warm) |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.name} | ${r.groups} | ${Math.round(r.buildMs)} | ${r.coldMBps.toFixed(3)} | ${r.warmMBps.toFixed(3)} | ${r.matches} | ${r.same ?? '(reference)'} | ${r.hit} |`);
}
if (rows.some((r) => r.same === false)) {
  console.log('\nMISMATCH: some variant disagrees with nfa');
  process.exitCode = 1;
}
