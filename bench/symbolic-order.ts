/**
 * Variable-order study for the NFA-OBDD encoding: BDD sizes and symbolic step speed (memo
 * off, stride 1) for each layout the encoder supports, on the same NFA and input.
 *
 *   npx tsx bench/symbolic-order.ts [--rules FILE] [--sigs N] [--bytes N]
 *
 * Layouts: x/y interleaved or blocked (all x then all y), most or least significant
 * state bit first, input (class) bits on top of the order or at the bottom. The step
 * itself never sees the input bits (it uses the cofactors T_c), so their position only
 * changes T's size and the encoding time.
 * State numbering ('entry': first positions numbered together by label, src/nfa/renumber.ts)
 * is measured the same way. Signatures are compiled in their search form, as `compile` does.
 * Timing: best of 3 rounds (layouts take turns), each a warm-up pass then a timed pass with
 * the BDD op cache dropped (else the pass replays cached products of the warm-up).
 */
import { existsSync, readFileSync } from 'node:fs';
import { buildNfa, type NfaSignatureInput } from '../src/nfa/build.js';
import { buildObddMatcher, ObddMatcher, type EncodingOptions } from '../src/engines/obdd/index.js';
import { parseSignature } from '../src/syntax/index.js';
import { searchForm } from '../src/syntax/search-form.js';
import { arg } from './lib/workload.js';
import { sharedPath } from './lib/shared-data.js';

const here = (p: string): string => new URL(p, import.meta.url).pathname;
const rulesFile = arg('--rules', here('../traces/rules/emerging-web_server.rules'));
const maxSigs = Number(arg('--sigs', '200'));
const zeek = sharedPath('traces/zeek/http/206_example_b.pcap');
const input = new Uint8Array(readFileSync(existsSync(zeek) ? zeek : here('../traces/pcap/get.pcap'))).subarray(0, Number(arg('--bytes', '20000')));

const sigs: Array<NfaSignatureInput | null> = [];
for (const m of readFileSync(rulesFile, 'latin1').matchAll(/pcre:"((?:[^"\\]|\\.)*)"/g)) {
  if (sigs.length >= maxSigs) break;
  try {
    const p = searchForm(parseSignature(m[1]!).ir);
    sigs.push({ id: sigs.length, ir: p.ir, anchored: p.anchored });
  } catch {
    /* skip */
  }
}
const nfa = buildNfa(sigs);
console.log(`${sigs.length} signatures from ${rulesFile.split('/').pop()}: ${nfa.stateCount} states, ${nfa.classCount} classes; ${input.length} input bytes\n`);
console.log('| layout | T nodes | T_c nodes (shared) | T_c nodes (summed) | encode ms | step MB/s (memo off) | matches |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
const layouts: Array<[string, EncodingOptions]> = [
  ['interleaved, msb first, input on top (default)', {}],
  ['interleaved, lsb first, input on top', { stateBitOrder: 'lsb' }],
  ['interleaved, msb first, input at bottom', { inputPosition: 'bottom' }],
  ['blocked x|y, msb first, input on top', { interleave: false }],
  ['default layout, entry numbering', { numbering: 'entry' }],
];
const built = layouts.map(([name, encoding]) => ({ name, m: buildObddMatcher(nfa, { memo: false, encoding }), best: Infinity, n: 0 }));
// Layouts take turns over 3 rounds and each keeps its best time: JIT warm-up and the load
// of a shared machine then hit every layout alike. Each round: a warm-up pass (JIT and
// the lossy, bounded BDD op cache), then one timed pass with a fresh scratch.
for (let round = 0; round < 3; round++) {
  for (const b of built) {
    const pass = (): number => {
      const sc = b.m.createScratch();
      b.n = 0;
      const t0 = performance.now();
      for (let off = 0; off < input.length; off += 1460) b.m.scan(sc, input.subarray(off, off + 1460), () => b.n++);
      return performance.now() - t0;
    };
    pass();
    (b.m as ObddMatcher).clearOpCache();
    b.best = Math.min(b.best, pass());
  }
}
for (const b of built) {
  const s = b.m.stats();
  console.log(`| ${b.name} | ${s.tNodes} | ${s.tcNodes} | ${s.tcNodesSum} | ${s.encodeMs} | ${(input.length / 1e3 / b.best).toFixed(2)} | ${b.n} |`);
}
