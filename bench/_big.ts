import { readdirSync, readFileSync } from 'node:fs';
import { compileNfa } from '../src/engines/compile.js';
import { buildObddMatcher } from '../src/symbolic/index.js';
const dir = '/work/shared/data/rules/et-open-snort-2.9.0/';
const pcres: string[] = [];
for (const f of readdirSync(dir)) if (f.endsWith('.rules')) for (const m of readFileSync(dir + f, 'latin1').matchAll(/pcre:"((?:[^"\\]|\\.)*)"/g)) pcres.push(m[1]!);
const N = Number(process.argv[2] ?? pcres.length);
const t0 = performance.now();
const c = compileNfa(pcres.slice(0, N));
console.log(`pcres ${N}, rejected ${c.rejected.length}, nfa ${c.nfa.stateCount} states ${c.nfa.classCount} classes, ${(performance.now() - t0).toFixed(0)} ms; heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);
const t1 = performance.now();
const m = buildObddMatcher(c.nfa, { stride: Number(process.argv[3] ?? 1) as 1 | 2, memo: process.argv[4] !== 'off' });
console.log(`obdd compile ${(performance.now() - t1).toFixed(0)} ms`, m.stats(), `rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
const input = new Uint8Array(readFileSync('/work/shared/data/traces/zeek/http/206_example_b.pcap')).subarray(0, Number(process.argv[5] ?? 300000));
const sc = m.createScratch(); let n = 0;
const t2 = performance.now();
for (let off = 0; off < input.length; off += 1460) m.scan(sc, input.subarray(off, off + 1460), () => n++);
console.log(`scan ${input.length} B in ${(performance.now() - t2).toFixed(0)} ms, ${n} matches`, m.stats().memoStats, m.stats().bddLiveNodes);
import { buildNfaMatcher } from '../src/engines/nfa.js';
{
  const m2 = buildNfaMatcher(c.nfa); const sc2 = m2.createScratch(); let n2 = 0; const t3 = performance.now();
  for (let off = 0; off < input.length; off += 1460) m2.scan(sc2, input.subarray(off, off + 1460), () => n2++);
  console.log(`nfa scan ${input.length} B in ${(performance.now() - t3).toFixed(0)} ms, ${n2} matches`);
}
