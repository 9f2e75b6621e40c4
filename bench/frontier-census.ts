/**
 * Why the step memo stops hitting on the full ET Open set: which signatures keep states in
 * the frontier, and how many different sub-frontiers each one goes through.
 *
 *   npx tsx bench/frontier-census.ts [--bytes N] [--top K] [--window N] [--as-written]
 *
 * Workload: every pcre option of the active ET Open rules compiled as `compile` does
 * (search form, identical signatures once; --as-written: without the search form), over the
 * non-empty Zeek HTTP payloads (name order) up to --bytes (default 100,000), each payload
 * one input. A plain explicit simulation (no index) records, per byte, the frontier minus
 * the unanchored start loop, attributes each state to its signature (states are laid out
 * signature by signature; a state belongs to the next signature with an accept entry at or
 * after it) and counts per signature: states per byte (explicit work), the share of bytes
 * at which it has any state, and its distinct sub-frontiers (capped at 100,000).
 * The memo keys on the whole frontier, the union of these parts: with a hundred signatures
 * each cycling through its own states independently most of the time (run-length counters
 * such as `[0-9a-zA-Z]{200,}`, `\x3d[^\x26]{720}` among them, but not only), whole
 * frontiers repeat far less often than their parts.
 * It also counts, per --window bytes (default 50,000), the bytes whose (whole frontier,
 * class of the byte) pair already occurred earlier in the stream: the hit-rate ceiling of
 * a step memo of unlimited size keyed like ours, whatever the engine computing the misses.
 */
import { compileNfa } from '../src/compile.js';
import { UsageError } from '../src/errors.js';
import { startStates } from '../src/nfa/renumber.js';
import { payloadsFromCaptures } from '../src/compare/index.js';
import { arg, argv, etHttpFiles, etPcreSet } from './lib/workload.js';

const maxBytes = Number(arg('--bytes', '100000'));
const top = Number(arg('--top', '20'));

const set = etPcreSet();
// dedupe stays on: copies share states, so a state's owner is the first copy.
const { nfa } = compileNfa(set.sources, { searchForm: !argv.includes('--as-written') });
const N = nfa.stateCount;
const owner = new Int32Array(N).fill(-1);
for (let q = N - 1, cur = -1; q >= 0; q--) {
  if (nfa.acceptStart[q + 1]! > nfa.acceptStart[q]!) cur = nfa.acceptSig[nfa.acceptStart[q]!]!;
  else if (nfa.endStart[q + 1]! > nfa.endStart[q]!) cur = nfa.endSig[nfa.endStart[q]!]!;
  owner[q] = cur;
}
// The start state and the unanchored loop states belong to no one.
const loop = startStates(nfa);

const corpus = payloadsFromCaptures(etHttpFiles().captures);
const S = nfa.signatureCount;
const work = new Float64Array(S);
const activeBytes = new Float64Array(S);
const distinct: Array<Set<string> | undefined> = new Array(S);
const mark = new Uint32Array(N);
let gen = 0;
let bytes = 0;
let total = 0;
const cw = nfa.classWords;
// Whole-frontier recurrence: a (frontier, class of the next byte) pair seen before is the
// only way a memo keyed on whole frontiers can hit, so the share of repeats bounds the hit
// rate of such a memo of unlimited size. Keys are 53-bit hashes of the sorted frontier
// (start loop included) and the class; per window of the stream, to see whether it climbs.
const seenPairs = new Set<number>();
const window = Number(arg('--window', '50000'));
if (!Number.isInteger(window) || window < 1) throw new UsageError(`--window must be a positive integer, not '${arg('--window', '')}'`);
const repeatsPerWindow: number[] = [];
let repeats = 0;
let windowBytes = 0;
function pairKey(F: number[], c: number): number {
  const a = F.slice().sort((x, y) => x - y);
  let h1 = 0x811c9dc5 ^ c, h2 = 0x9e3779b9 ^ (c * 40503);
  for (let k = 0; k < a.length; k++) {
    h1 = Math.imul(h1 ^ a[k]!, 0x01000193);
    h2 = Math.imul(h2 ^ (a[k]! + 0x632be5ab), 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return (h1 >>> 0) * 2097152 + ((h2 >>> 0) & 0x1fffff);
}
const t0 = performance.now();
for (const whole of corpus.inputs) {
  if (bytes >= maxBytes) break;
  const p = whole.subarray(0, Math.min(whole.length, maxBytes - bytes));
  bytes += p.length;
  let F: number[] = Array.from(nfa.start);
  for (let i = 0; i < p.length; i++) {
    const c = nfa.byteClass[p[i]!]!;
    const key = pairKey(F, c);
    if (seenPairs.has(key)) repeats++;
    else seenPairs.add(key);
    if (++windowBytes === window) {
      repeatsPerWindow.push(repeats / window);
      repeats = 0;
      windowBytes = 0;
    }
    const next: number[] = [];
    gen++;
    for (const q of F) {
      for (let k = nfa.followStart[q]!; k < nfa.followStart[q + 1]!; k++) {
        const r = nfa.follow[k]!;
        if (mark[r] !== gen && (nfa.labels[r * cw + (c >>> 5)]! >>> (c & 31)) & 1) {
          mark[r] = gen;
          next.push(r);
        }
      }
    }
    F = next;
    const parts = new Map<number, number[]>();
    for (const q of F) {
      if (loop[q]) continue;
      const s = owner[q]!;
      work[s]++;
      total++;
      let a = parts.get(s);
      if (!a) parts.set(s, (a = []));
      a.push(q);
    }
    for (const [s, a] of parts) {
      activeBytes[s]++;
      const d = (distinct[s] ??= new Set());
      if (d.size < 100_000) d.add(a.sort((x, y) => x - y).join(','));
    }
  }
}
const ids = [...Array(S).keys()].filter((s) => activeBytes[s]! > 0);
const share = (s: number): number => activeBytes[s]! / bytes;
console.log(`ET Open active pcres: ${set.sources.length}; NFA ${N} states; ${bytes} bytes of HTTP payloads; ${((performance.now() - t0) / 1000).toFixed(0)} s`);
console.log(`frontier states per byte (start loop excluded): ${(total / bytes).toFixed(1)}`);
// A decomposed matcher (one automaton or memo per signature or group) does at least one
// step per part that is not idle: this mean is its floor of lookups per byte.
const activePerByte = ids.reduce((a, s) => a + activeBytes[s]!, 0) / bytes;
console.log(`signatures with a state in the frontier, mean per byte: ${activePerByte.toFixed(1)}`);
console.log(`signatures ever in the frontier: ${ids.length}; in it at more than 1% / 5% / 20% / 50% of bytes: ` +
  [0.01, 0.05, 0.2, 0.5].map((t) => ids.filter((s) => share(s) > t).length).join(' / '));
const busy = ids.filter((s) => share(s) > 0.2);
const log2Product = busy.reduce((a, s) => a + Math.log2(distinct[s]!.size + 1), 0);
console.log(`those in it at >20% of bytes go through ${busy.reduce((a, s) => a + distinct[s]!.size, 0)} sub-frontiers in all; ` +
  `their combinations: up to 2^${log2Product.toFixed(0)}`);
console.log(`(frontier, next class) pairs already seen earlier in the stream, per window of ${window} bytes ` +
  `(the hit-rate ceiling of a whole-frontier memo of unlimited size): ` +
  repeatsPerWindow.map((r) => `${(100 * r).toFixed(1)}%`).join(', ') +
  (windowBytes ? `; last ${windowBytes} bytes: ${(100 * repeats / windowBytes).toFixed(1)}%` : ''));
console.log(`\ntop ${top} by states per byte:`);
console.log('| signature | states/byte | in frontier | distinct sub-frontiers | pcre |');
console.log('|---:|---:|---:|---:|---|');
for (const s of ids.sort((a, b) => work[b]! - work[a]!).slice(0, top)) {
  const src = String(set.sources[s]).replace(/\|/g, '\\|');
  console.log(`| ${s} | ${(work[s]! / bytes).toFixed(2)} | ${(100 * share(s)).toFixed(1)}% | ${distinct[s]!.size} | \`${src.length > 70 ? src.slice(0, 70) + '…' : src}\` |`);
}
