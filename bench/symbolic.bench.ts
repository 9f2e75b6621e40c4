/**
 * Scan throughput of the NFA-OBDD engine against the explicit NFA engine measured in the
 * same run: explicit nfa, obdd stride 1 and 2 with the memo off (the paper's symbolic-only
 * configuration), and with the memo on. Then the memory figures of each compiled program.
 *
 *   npx tsx bench/symbolic.bench.ts [--quick] [--rules FILE|DIR] [--sigs N] [--trace FILE] [--bytes N]
 *
 * Workload (default): the first N (default 200) pcre options of ET Open's
 * emerging-web_server.rules (or of FILE, or of every *.rules file in a directory) that the
 * front end accepts, as one signature set, over the raw
 * bytes of a Zeek HTTP capture (../shared/data/traces/zeek/http/206_example_b.pcap when
 * present, else the bundled traces/pcap/get.pcap), scanned in 1460-byte chunks with one
 * scratch and no finish (one long stream). Signatures are compiled the way `compile` does
 * (search form, identical signatures once). The input is cut in two halves: the first
 * warms caches up, the second is measured, so no timed run rescans bytes that filled a
 * cache. MB/s = measured bytes / time, where time is the best over 3 rounds (2 with
 * --quick) of tinybench's mean; rows take turns round by round, so the load of a shared
 * machine hits them alike. Slow engines scan a prefix of the measured half only (the
 * length is printed). Memo-on rows: before each timed run (untimed) a fresh matcher scans
 * the warm-up half, so every run shows the memo's steady state on bytes it has not seen;
 * rescanning the measured bytes instead would replay memo entries and show ~100% hits.
 * Memo-off rows clear the BDD op cache before each run for the same reason (pair
 * relations built during warm-up stay: they are part of the compiled program).
 * Also checks that every engine reported the same number of matches on its prefix as the
 * explicit engine did on the same prefix (a bench that disagrees is a bug, not a figure).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { Bench } from 'tinybench';
import { buildNfaMatcher } from '../src/engines/explicit/matcher.js';
import type { Matcher } from '../src/matcher/types.js';
import { buildNfa, type NfaSignatureInput } from '../src/nfa/build.js';
import { buildObddMatcher, ObddMatcher, type ObddOptions } from '../src/engines/obdd/index.js';
import { parseSignature } from '../src/syntax/index.js';
import { searchForm } from '../src/syntax/search-form.js';
import { arg, argv } from './lib/workload.js';
import { sharedPath } from './lib/shared-data.js';

const quick = argv.includes('--quick');
const here = (p: string): string => new URL(p, import.meta.url).pathname;
const rulesFile = arg('--rules', here('../traces/rules/emerging-web_server.rules'));
const maxSigs = Number(arg('--sigs', '200'));
const zeek = sharedPath('traces/zeek/http/206_example_b.pcap');
const traceFile = arg('--trace', existsSync(zeek) ? zeek : here('../traces/pcap/get.pcap'));
const CHUNK = 1460;

function loadSigs(): Array<NfaSignatureInput | null> {
  // --rules may name a directory: every *.rules file in it, in name order.
  const text = statSync(rulesFile).isDirectory()
    ? readdirSync(rulesFile).filter((f) => f.endsWith('.rules')).sort().map((f) => readFileSync(`${rulesFile}/${f}`, 'latin1')).join('\n')
    : readFileSync(rulesFile, 'latin1');
  const sigs: Array<NfaSignatureInput | null> = [];
  for (const m of text.matchAll(/pcre:"((?:[^"\\]|\\.)*)"/g)) {
    if (sigs.length >= maxSigs) break;
    try {
      const p = searchForm(parseSignature(m[1]!).ir);
      sigs.push({ id: sigs.length, ir: p.ir, anchored: p.anchored });
    } catch {
      /* rejected by the front end: not part of the workload */
    }
  }
  return sigs;
}

function scanAll(m: Matcher, input: Uint8Array): number {
  let n = 0;
  const cb = (): void => {
    n++;
  };
  const sc = m.createScratch();
  for (let off = 0; off < input.length; off += CHUNK) m.scan(sc, input.subarray(off, off + CHUNK), cb);
  return n;
}

const t0 = performance.now();
const sigs = loadSigs();
const nfa = buildNfa(sigs);
const whole = new Uint8Array(readFileSync(traceFile)).subarray(0, Number(arg('--bytes', String(1 << 30))));
const half = Math.floor(whole.length / 2);
const warm = whole.subarray(0, half);
const input = whole.subarray(half);
console.log(`# NFA-OBDD scan benchmark (${new Date().toISOString()})`);
console.log(`node ${process.version}, ${availableParallelism()} cpus, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`signatures: ${sigs.length} pcre from ${rulesFile.split('/').slice(-1)[0]}; NFA ${nfa.stateCount} states, ${nfa.classCount} classes, ${nfa.follow.length} follow edges (built in ${(performance.now() - t0).toFixed(0)} ms)`);
console.log(`input: ${traceFile.split('/').slice(-2).join('/')}, ${whole.length} bytes: ${warm.length} to warm up, ${input.length} measured; ${CHUNK}-byte chunks, one stream\n`);

interface Row { name: string; build: () => Matcher; fraction: number; coldOps?: boolean; freshMemo?: boolean }
const rows: Row[] = [
  { name: 'nfa (explicit)', build: () => buildNfaMatcher(nfa), fraction: 1 },
  { name: 'obdd  s1 memo off', build: () => buildObddMatcher(nfa, { stride: 1, memo: false }), fraction: quick ? 0.005 : 0.02, coldOps: true },
  { name: 'obdd2 s2 memo off', build: () => buildObddMatcher(nfa, { stride: 2, memo: false }), fraction: quick ? 0.005 : 0.02, coldOps: true },
  { name: 'obdd  s1 memo on', build: () => buildObddMatcher(nfa, { stride: 1, memo: true } satisfies ObddOptions), fraction: 1, freshMemo: true },
  { name: 'obdd2 s2 memo on (class keys)', build: () => buildObddMatcher(nfa, { stride: 2, memo: true }), fraction: 1, freshMemo: true },
  { name: 'obdd2 s2 memo on (pair keys)', build: () => buildObddMatcher(nfa, { stride: 2, memo: true, memoKey: 'pair' }), fraction: 1, freshMemo: true },
  { name: 'obdd2 s2 memo off (pairs on first use)', build: () => buildObddMatcher(nfa, { stride: 2, memo: false, pairMinUses: 1 }), fraction: quick ? 0.005 : 0.02, coldOps: true },
  { name: 'obdd2 s2 memo off (split pairs)', build: () => buildObddMatcher(nfa, { stride: 2, memo: false, pairs: 'split' }), fraction: quick ? 0.005 : 0.02, coldOps: true },
];

const nfaRef = buildNfaMatcher(nfa);
const prepared = rows.map((row) => {
  const c0 = performance.now();
  const m = row.build();
  const compileMs = performance.now() - c0;
  const slice = input.subarray(0, Math.max(CHUNK, Math.floor(input.length * row.fraction)));
  scanAll(m, warm); // warm-up: fills the memo and the pair cache
  const matches = scanAll(m, slice); // the check (not timed)
  const want = scanAll(nfaRef, slice);
  if (matches !== want) console.log(`!! ${row.name}: ${matches} matches, explicit nfa ${want} on the same bytes`);
  return { row, m, compileMs, slice, matches, bestMs: Infinity, memoStats: undefined as unknown };
});
for (let round = 0; round < (quick ? 2 : 3); round++) {
  for (const p of prepared) {
    const bench = new Bench({ time: quick ? 200 : 600, iterations: 2, warmup: false });
    // Memo-off rows drop the BDD op cache before each run: otherwise rescanning the same
    // bytes replays cached relational products and the row measures the cache, not the
    // symbolic steps (T2 relations stay built: they are part of the compiled program).
    const cold = p.row.coldOps
      ? (): void => (p.m as ObddMatcher).clearOpCache()
      : p.row.freshMemo
        ? (): void => {
            p.m = p.row.build();
            scanAll(p.m, warm);
          }
        : undefined;
    bench.add(p.row.name, () => {
      scanAll(p.m, p.slice);
    }, cold ? { beforeEach: cold } : {});
    await bench.run();
    const r = bench.tasks[0].result as unknown as { latency?: { mean: number }; mean?: number };
    p.bestMs = Math.min(p.bestMs, r.latency?.mean ?? r.mean ?? NaN);
  }
}
const results = prepared.map((p) => ({
  name: p.row.name, mbps: p.slice.length / 1e6 / (p.bestMs / 1000), bytes: p.slice.length, matches: p.matches,
  compileMs: p.compileMs, stats: p.m.stats() as Record<string, unknown>,
}));

const base = results[0].mbps;
const s1off = results[1].mbps;
console.log('| engine | MB/s | × nfa | bytes scanned | matches | compile ms |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(`| ${r.name} | ${r.mbps.toFixed(r.mbps < 1 ? 4 : 2)} | ${(r.mbps / base).toFixed(r.mbps / base < 1 ? 4 : 1)} | ${r.bytes} | ${r.matches} | ${r.compileMs.toFixed(0)} |`);
}
const mbpsOf = (name: string): number => results.find((r) => r.name === name)!.mbps;
const vsS1 = (name: string): string => `${(mbpsOf(name) / s1off).toFixed(2)}×`;
console.log(`\nstride 2 / stride 1 (memo off): ${vsS1('obdd2 s2 memo off')} (pairs on first use: ${vsS1('obdd2 s2 memo off (pairs on first use)')}, ` +
  `split pairs: ${vsS1('obdd2 s2 memo off (split pairs)')})   memo on s1 / nfa: ${(mbpsOf('obdd  s1 memo on') / base).toFixed(1)}×   ` +
  `memo on s2 pair keys / nfa: ${(mbpsOf('obdd2 s2 memo on (pair keys)') / base).toFixed(1)}×`);

console.log('\n## Memory of the compiled programs (after the runs above; memo-on rows: warm-up half + the last timed run)');
for (const r of results.slice(1)) {
  const s = r.stats;
  const memo = s.memoStats as Record<string, number> | undefined;
  console.log(`${r.name}: NFA states ${s.nfaStates}, classes ${s.byteClasses}, BDD vars ${s.bddVars}; T ${s.tNodes} nodes (${s.tBytes} B), T_c ${s.tcNodes} shared nodes (${s.tcBytes} B; ${s.tcNodesSum} summed), T2 ${s.t2Built} pairs ${s.t2Nodes} nodes (${s.t2Bytes} B)${s.pairPolicy === "amortized" ? `, pair policy amortized (build M ${s.mBuildMeanMs} ms, AND ${s.pairAndMeanMs} ms; a use: two single steps ${s.pairRentMs} ms, pair step ${s.pairStepMs} ms)` : ""}; BDD table ${s.bddLiveNodes} live / ${s.bddPeakNodes} peak nodes, ${s.bddBytes} B incl. op cache, ${s.bddGcRuns} GCs` +
    (memo ? `; memo ${memo.states} states, ${memo.entries} entries, hit rate ${(memo.hitRate * 100).toFixed(2)}%, ${memo.clears} clears, ${memo.bytes} B` : ''));
}
