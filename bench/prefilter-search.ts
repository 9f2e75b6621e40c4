/**
 * LiteralSearcher (src/prefilter/search.ts) throughput. Run: npx tsx bench/prefilter-search.ts [--quick]
 *
 * Literals: the `content:"…"` strings of the ET Open rules (|hex| decoded, folded, 3..8-byte
 * windows: the whole content when short, else its first and last 8 bytes), deduplicated;
 * falls back to 20,000 synthetic HTTP-ish literals when the rules are absent. A second
 * build uses 20,000 random literals over printable ASCII (prefix-sharing) for comparison.
 * Input: the transport payloads of the Zeek HTTP captures, one input per packet (reset +
 * scan), or synthetic HTTP-like text when the captures are absent.
 * Rows per engine (dfa; hybrid with 1/4/16 MiB of dense rows; filter): build ms, states, classes, table MiB, MB/s (median of
 * rounds), hits per KB (first occurrences per input); and the
 * floor: a loop that only folds each byte and sums it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decoder } from '../src/pcap/decode.js';
import { parseCaptureBuffer } from '../src/pcap/reader.js';
import { LiteralSearcher, type LiteralSearcherOptions } from '../src/prefilter/search.js';
import { haveShared, sharedPath } from './lib/shared-data.js';
import { rng } from './lib/rng.js';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 5;
const TARGET_BYTES = quick ? 10e6 : 20e6;

const MiB = 2 ** 20;
/** The engines compared: label and options. */
const ENGINES: [string, LiteralSearcherOptions][] = [
  ['dfa', { engine: 'dfa' }],
  ['hybrid 1M', { engine: 'hybrid', denseBytes: 1 * MiB }],
  ['hybrid 4M', { engine: 'hybrid', denseBytes: 4 * MiB }],
  ['hybrid 16M', { engine: 'hybrid', denseBytes: 16 * MiB }],
  ['filter', { engine: 'filter' }],
];

const fold = (b: number): number => (b >= 0x41 && b <= 0x5a ? b + 0x20 : b);

/** Bytes of a rule content string: |hex| parts decoded, backslash escapes removed, folded. */
function decodeContent(text: string): Uint8Array {
  const out: number[] = [];
  const parts = text.split('|');
  parts.forEach((part, k) => {
    if (k % 2 === 1) {
      for (const h of part.trim().split(/\s+/)) if (h) out.push(parseInt(h, 16) & 0xff);
    } else {
      const plain = part.replace(/\\(.)/g, '$1');
      for (const b of Buffer.from(plain, 'latin1')) out.push(b);
    }
  });
  return Uint8Array.from(out.map(fold));
}

/** 3..8-byte windows of the ET Open contents, deduplicated. */
function etLiterals(): Uint8Array[] {
  const dir = sharedPath('rules/et-open-snort-2.9.0');
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  const add = (w: Uint8Array): void => {
    const key = Buffer.from(w).toString('latin1');
    if (!seen.has(key)) {
      seen.add(key);
      out.push(w);
    }
  };
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.rules')).sort()) {
    for (const m of readFileSync(join(dir, f), 'latin1').matchAll(/content:\s*!?"((?:[^"\\]|\\.)*)"/g)) {
      const b = decodeContent(m[1]);
      if (b.length < 3) continue;
      if (b.length <= 8) add(b);
      else {
        add(b.subarray(0, 8));
        add(b.subarray(b.length - 8));
      }
    }
  }
  return out;
}


/** `n` random literals of 3..8 printable folded bytes; half extend an earlier literal's prefix. */
function randomLiterals(n: number, seed: number): Uint8Array[] {
  const r = rng(seed);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const len = 3 + Math.floor(r() * 6);
    const lit = new Uint8Array(len);
    let from = 0;
    if (out.length > 0 && r() < 0.5) {
      const base = out[Math.floor(r() * out.length)];
      from = Math.min(base.length, 1 + Math.floor(r() * (len - 1)));
      lit.set(base.subarray(0, from));
    }
    for (let k = from; k < len; k++) lit[k] = fold(0x20 + Math.floor(r() * 95));
    out.push(lit);
  }
  return out;
}

/** Transport payloads of the Zeek HTTP captures (or synthetic HTTP-like ones). */
function payloads(): { list: Uint8Array[]; source: string } {
  if (!haveShared('traces/zeek/http')) return { list: syntheticHttp(4e6), source: 'synthetic HTTP text' };
  const dir = sharedPath('traces/zeek/http');
  const list: Uint8Array[] = [];
  const dec = new Decoder();
  for (const f of readdirSync(dir).filter((x) => /\.pcap(ng)?(\.gz)?$/.test(x)).sort()) {
    const cap = parseCaptureBuffer(new Uint8Array(readFileSync(join(dir, f))));
    for (const p of cap.list) {
      dec.decode(p);
      if (dec.out.payloadLength > 0) list.push(dec.out.payload.slice());
    }
  }
  return { list, source: `Zeek HTTP captures (${list.length} payloads)` };
}

/** HTTP-ish requests and responses, about `bytes` in total, 200..4000 bytes each. */
function syntheticHttp(bytes: number): Uint8Array[] {
  const r = rng(7);
  const words = ['GET', 'POST', 'Host:', 'User-Agent:', 'Mozilla/5.0', 'Accept:', 'text/html', 'Content-Length:', 'Cookie:', 'HTTP/1.1', '200 OK', '/index.php?id=', 'session', 'gzip', '<html>', '<script>', 'function', 'var', 'return'];
  const list: Uint8Array[] = [];
  for (let total = 0; total < bytes; ) {
    const len = 200 + Math.floor(r() * 3800);
    let s = '';
    while (s.length < len) s += r() < 0.7 ? words[Math.floor(r() * words.length)] + (r() < 0.2 ? '\r\n' : ' ') : String.fromCharCode(0x21 + Math.floor(r() * 94));
    const b = new TextEncoder().encode(s.slice(0, len));
    list.push(b);
    total += b.length;
  }
  return list;
}

/** Median MB/s of `ROUNDS` rounds, each passing over `list` until TARGET_BYTES. */
function throughput(list: Uint8Array[], pass: () => void): number {
  const bytes = list.reduce((s, b) => s + b.length, 0);
  const reps = Math.max(1, Math.round(TARGET_BYTES / bytes));
  pass();
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let k = 0; k < reps; k++) pass();
    rates.push((bytes * reps) / 1e6 / ((performance.now() - t0) / 1e3));
  }
  rates.sort((a, b) => a - b);
  return rates[rates.length >> 1];
}

/** The floor: fold every byte through a 256-entry table and sum. */
function foldOnlyPass(list: Uint8Array[]): () => number {
  const table = new Uint8Array(256).map((_, b) => fold(b));
  return () => {
    let sum = 0;
    for (const p of list) for (let i = 0; i < p.length; i++) sum += table[p[i]];
    return sum;
  };
}

function benchOne(label: string, literals: Uint8Array[], list: Uint8Array[], [engine, options]: [string, LiteralSearcherOptions]): void {
  const t0 = performance.now();
  const searcher = new LiteralSearcher(literals, options);
  const buildMs = performance.now() - t0;
  const st = searcher.stats();
  const state = searcher.createState();
  let hits = 0;
  const onHit = (): void => {
    hits++;
  };
  const pass = (): void => {
    for (const p of list) {
      searcher.reset(state);
      searcher.scan(state, p, onHit);
    }
  };
  hits = 0;
  pass();
  const bytes = list.reduce((s, b) => s + b.length, 0);
  const hitsPerKb = (hits / bytes) * 1024;
  const mbs = throughput(list, pass);
  console.log(
    `${`${engine}: ${label}`.padEnd(34)} literals ${String(literals.length).padStart(6)}  build ${buildMs.toFixed(0).padStart(5)} ms  states ${String(st.states).padStart(7)}  classes ${String(st.classes).padStart(3)}  table ${(st.tableBytes / 2 ** 20).toFixed(2).padStart(6)} MiB  total ${(st.totalBytes / 2 ** 20).toFixed(2).padStart(6)} MiB  ${mbs.toFixed(0).padStart(5)} MB/s  hits/KB ${hitsPerKb.toFixed(2)}`,
  );
}

function main(): void {
  const { list, source } = payloads();
  const bytes = list.reduce((s, b) => s + b.length, 0);
  console.log(`input: ${source}, ${(bytes / 1e6).toFixed(2)} MB, mean ${(bytes / list.length).toFixed(0)} B/payload; ${ROUNDS} rounds of ~${TARGET_BYTES / 1e6} MB`);
  const floor = foldOnlyPass(list);
  console.log(`${'fold-only floor'.padEnd(34)} ${throughput(list, () => void floor()).toFixed(0)} MB/s`);
  if (haveShared('rules/et-open-snort-2.9.0')) {
    const et = etLiterals();
    for (const engine of ENGINES) benchOne('ET Open contents (20k)', et.slice(0, 20000), list, engine);
    benchOne(`ET Open contents (all)`, et, list, ENGINES[2]);
  }
  for (const [n, seed] of [[20000, 1], [2000, 2]]) {
    const lits = randomLiterals(n, seed);
    for (const engine of ENGINES) benchOne(`random ${n / 1000}k`, lits, list, engine);
  }
}

main();
