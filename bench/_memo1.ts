import { readFileSync } from 'node:fs';
import { buildNfa, type NfaSignatureInput } from '../src/nfa/build.js';
import { buildObddMatcher } from '../src/symbolic/index.js';
import { buildNfaMatcher } from '../src/engines/nfa.js';
import { parseSignature } from '../src/syntax/index.js';
const text = readFileSync(process.argv[2] ?? 'traces/rules/emerging-attack_response.rules', 'latin1');
const sigs: Array<NfaSignatureInput | null> = [];
for (const m of text.matchAll(/pcre:"((?:[^"\\]|\\.)*)"/g)) { if (sigs.length >= 200) break; try { const p = parseSignature(m[1]!); sigs.push({ id: sigs.length, ir: p.ir, anchored: p.anchored }); } catch {} }
const nfa = buildNfa(sigs);
const input = new Uint8Array(readFileSync('/work/shared/data/traces/zeek/http/206_example_b.pcap'));
const ms = [buildNfaMatcher(nfa), buildObddMatcher(nfa, { stride: 1 }), buildObddMatcher(nfa, { stride: 2 })];
const best = [Infinity, Infinity, Infinity];
for (let r = 0; r < 6; r++) for (let k = 0; k < 3; k++) {
  const m = ms[k]; const sc = m.createScratch(); let n = 0;
  const t0 = performance.now();
  for (let off = 0; off < input.length; off += 1460) m.scan(sc, input.subarray(off, off + 1460), () => n++);
  best[k] = Math.min(best[k], performance.now() - t0);
}
console.log(['nfa', 'obdd s1 memo', 'obdd2 memo'].map((n, k) => `${n}: ${(input.length / 1e3 / best[k]).toFixed(1)} MB/s`).join(', '));
