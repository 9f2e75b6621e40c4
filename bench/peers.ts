/**
 * Peers in the same run: Hyperscan (Debian's libhyperscan-dev, through the small C harness
 * bench/peers/hs-bench.c) next to our nfa and nfa+pf engines, on the same signature set and
 * the same payloads, so the ratios to the field come from one run on one machine.
 *
 *   npx tsx bench/peers.ts [--set http|ftp|community|et] [--modes set,all] [--runs 3]
 *       [--limit-bytes N]
 *
 * Skipped (prints "hyperscan: skipped ...", exit 0) unless `pkg-config --exists libhs` and
 * gcc can build the harness (`apt-get install libhyperscan-dev`).
 *
 * Signatures and payloads are built exactly as bench/whole-run.ts builds them: the `pcre`
 * options of the Snort 2 community rules (disabled included; `http` = port-80 selector,
 * `ftp` = port-21) or of the active ET Open 2.9.0 rules, as written; payloads = the
 * non-empty TCP/UDP payloads of traces/zeek/http (http), traces/zeek/ftp (ftp), or both,
 * HTTP first (community, et). --limit-bytes keeps the prefix of payloads (capture order)
 * up to that many bytes (default all). Every payload is scanned as one input (one
 * hs_scan block; our `scan` then `finish` on a fresh input).
 *
 * Measured, per mode (set: each signature at most once per payload — HS_FLAG_SINGLEMATCH /
 * our 'set' scratch; all: every (signature, end)): MB/s of the median of --runs passes over
 * the payloads (1 MB = 1e6 bytes, callbacks only count), after one untimed pass that
 * records the matches (on `et` use --runs 1 to stay near three minutes on a loaded
 * two-core machine: each pattern is compiled alone once, about a minute). Hyperscan runs on the patterns it accepts (each compiled alone
 * first; the harness header says how Snort flags map), our engines on the ones our front
 * end accepts; the table gives both counts, so the ratios are across slightly different
 * sets (see the accepted columns).
 *
 * Agreement, on the signatures both Hyperscan and nfa accept: per payload, set mode
 * compares the sets of signatures reported (Hyperscan's single match is not necessarily
 * the earliest end, so ends are not compared), all mode the sets of (signature, end) —
 * kept per (payload, signature) as a count and an order-independent hash of the ends, so
 * tens of millions of matches fit in memory. nfa+pf is also checked against nfa (it must
 * be identical). Disagreements are listed by signature, with a few examples.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from '../src/compile.js';
import { payloadsFromCaptures } from '../src/compare/corpus.js';
import type { Matcher } from '../src/matcher/types.js';
import { benchSet, corpusFiles, payloadPrefix } from './lib/sets.js';

type Mode = 'set' | 'all';
const here = fileURLToPath(new URL('.', import.meta.url));
const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1]! : dflt);
const setName = opt('set', 'http');
const modes = opt('modes', 'set,all').split(',').filter((m) => m !== '') as Mode[];
const runs = Math.max(1, Number(opt('runs', '3')));
const limitBytes = Number(opt('limit-bytes', 'Infinity'));
for (const m of modes) if (m !== 'set' && m !== 'all') throw new Error(`--modes: unknown mode '${m}' (set, all)`);

function log(line: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

// ---- the signature set and payloads, as bench/whole-run.ts builds them (bench/lib/sets.ts) ----
const def = benchSet(setName);

// ---- Hyperscan present? ----
function haveLibhs(): boolean {
  return spawnSync('pkg-config', ['--exists', 'libhs']).status === 0;
}
if (!haveLibhs()) {
  console.log('hyperscan: skipped (libhyperscan-dev not installed)');
  process.exit(0);
}

const sigs = def.signatures();
const corpus = payloadsFromCaptures(corpusFiles(def.corpus));
const { inputs: payloads, bytes } = payloadPrefix(corpus.inputs, limitBytes);
log(`${setName}: ${sigs.summary}; ${payloads.length}/${corpus.inputs.length} payloads, ${bytes} bytes`);

// ---- files for the harness ----
const tmp = mkdtempSync(join(tmpdir(), 'peers-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
for (const s of sigs.sources) if (s.includes('\n')) throw new Error(`signature with a newline: ${JSON.stringify(s)}`);
writeFileSync(join(tmp, 'sigs.txt'), sigs.sources.join('\n') + '\n');
{
  const buf = Buffer.alloc(bytes + 4 * payloads.length);
  let o = 0;
  for (const p of payloads) {
    buf.writeUInt32LE(p.length, o);
    buf.set(p, o + 4);
    o += 4 + p.length;
  }
  writeFileSync(join(tmp, 'payloads.bin'), buf);
}
const hsBin = join(tmp, 'hs-bench');
try {
  const flags = execFileSync('pkg-config', ['--cflags', '--libs', 'libhs'], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean);
  execFileSync('gcc', ['-O2', '-o', hsBin, join(here, 'peers/hs-bench.c'), ...flags], { stdio: ['ignore', 'inherit', 'inherit'] });
} catch (e) {
  console.log(`hyperscan: skipped (harness build failed: ${(e as Error).message.split('\n')[0]})`);
  process.exit(0);
}

// ---- per (payload, signature) digests: count and order-independent hash of the ends ----
/** key = payload * 2^20 + signature → [count, hash of ends]. */
type Digest = Map<number, [number, number]>;
const SIG_BITS = 2 ** 20;
if (sigs.sources.length >= SIG_BITS) throw new Error('too many signatures for the digest key');
function mixEnd(end: number): number {
  let h = Math.imul(end ^ (end >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 16)) >>> 0;
}
function addTo(d: Digest, payload: number, sig: number, end: number, withEnds: boolean): void {
  const k = payload * SIG_BITS + sig;
  const e = d.get(k);
  const h = withEnds ? mixEnd(end) : 0;
  if (e) {
    e[0]++;
    e[1] = (e[1] + h) >>> 0;
  } else d.set(k, [1, h]);
}

/** Reads `payload pattern end` lines without making one string of the file. */
function readDump(path: string, withEnds: boolean): Digest {
  const d: Digest = new Map();
  const fd = openSync(path, 'r');
  const chunk = Buffer.alloc(1 << 24);
  const nums = [0, 0, 0];
  let field = 0;
  let cur = 0;
  for (;;) {
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    for (let i = 0; i < n; i++) {
      const c = chunk[i]!;
      if (c >= 48 && c <= 57) cur = cur * 10 + (c - 48);
      else if (c === 32) {
        nums[field++] = cur;
        cur = 0;
      } else if (c === 10) {
        nums[field] = cur;
        addTo(d, nums[0]!, nums[1]!, nums[2]!, withEnds);
        field = 0;
        cur = 0;
      }
    }
  }
  closeSync(fd);
  return d;
}

interface HsResult {
  mode: Mode; patterns: number; accepted: number; rejected: number; skipped: number;
  payloads: number; bytes: number; matches: number; check_ms: number; compile_ms: number; seconds_median: number; mbps: number;
}

/** The first mode's --rejects file: later modes reuse it (--known-rejects) instead of compiling each pattern again. */
let knownRejects: string | null = null;

function runHyperscan(mode: Mode): { res: HsResult; digest: Digest; excluded: Map<number, string> } {
  const dump = join(tmp, `hs-${mode}.dump`);
  const rej = join(tmp, `hs-${mode}.rejects`);
  const known = knownRejects ? ['--known-rejects', knownRejects] : [];
  const out = execFileSync(hsBin, [join(tmp, 'sigs.txt'), join(tmp, 'payloads.bin'), mode, String(runs), '--dump', dump, '--rejects', rej, ...known], {
    encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const res = JSON.parse(out.trim().split('\n').pop()!) as HsResult;
  const excluded = new Map<number, string>();
  for (const line of readFileSync(rej, 'utf8').split('\n')) {
    if (!line) continue;
    const tab = line.indexOf('\t');
    excluded.set(Number(line.slice(0, tab)), line.slice(tab + 1));
  }
  knownRejects ??= rej;
  const digest = readDump(dump, mode === 'all');
  rmSync(dump, { force: true });
  return { res, digest, excluded };
}

// ---- our engines ----
interface Ours { name: string; matcher: Matcher; rejected: Set<number>; compileMs: number }
function build(name: string, prefilter: boolean): Ours {
  const r = compile(sigs.sources, { engine: 'nfa', prefilter });
  return { name, matcher: r.matcher, rejected: new Set(r.rejected.map((x) => x.signature)), compileMs: r.compileMs };
}

function runOurs(o: Ours, mode: Mode): { mbps: number; ms: number; matches: number; digest: Digest } {
  const m = o.matcher;
  const sc = m.createScratch({ mode });
  const digest: Digest = new Map();
  let p = 0;
  const record = (sig: number, end: number): void => addTo(digest, p, sig, end, mode === 'all');
  for (p = 0; p < payloads.length; p++) {
    m.scan(sc, payloads[p]!, record);
    m.finish(sc, record);
  }
  let count = 0;
  const cb = (): void => void count++;
  const times: number[] = [];
  let matches = 0;
  for (let r = 0; r < runs; r++) {
    count = 0;
    const t0 = performance.now();
    for (const x of payloads) {
      m.scan(sc, x, cb);
      m.finish(sc, cb);
    }
    times.push(performance.now() - t0);
    if (r === 0) matches = count;
  }
  times.sort((a, b) => a - b);
  const ms = runs % 2 ? times[runs >> 1]! : (times[runs / 2 - 1]! + times[runs / 2]!) / 2;
  return { mbps: bytes / 1e3 / ms, ms, matches, digest };
}

/** Payloads where a and b differ on the signatures in `common`; per-signature counts and examples. */
function agreement(a: Digest, b: Digest, common: (sig: number) => boolean): {
  payloads: number; pairs: number; onlyA: number; onlyB: number; endsDiffer: number; bySig: Map<number, number>; examples: string[];
} {
  const bad = new Set<number>();
  const bySig = new Map<number, number>();
  const examples: string[] = [];
  let onlyA = 0, onlyB = 0, endsDiffer = 0;
  const note = (k: number, what: string): void => {
    const payload = Math.floor(k / SIG_BITS), sig = k % SIG_BITS;
    bad.add(payload);
    bySig.set(sig, (bySig.get(sig) ?? 0) + 1);
    if (examples.length < 8) examples.push(`payload ${payload} (${corpus.names[payload]}), sig ${sig} ${sigs.sources[sig]}: ${what}`);
  };
  for (const [k, [n, h]] of a) {
    if (!common(k % SIG_BITS)) continue;
    const e = b.get(k);
    if (!e) {
      onlyA++;
      note(k, `only Hyperscan (${n} match(es))`);
    } else if (e[0] !== n || e[1] !== h) {
      endsDiffer++;
      note(k, `ends differ (Hyperscan ${n}, nfa ${e[0]})`);
    }
  }
  for (const [k, [n]] of b) {
    if (!common(k % SIG_BITS) || a.has(k)) continue;
    onlyB++;
    note(k, `only nfa (${n} match(es))`);
  }
  return { payloads: bad.size, pairs: onlyA + onlyB + endsDiffer, onlyA, onlyB, endsDiffer, bySig, examples };
}

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(2);
}

// ---- the run ----
log('compiling nfa, nfa+pf');
const ours = [build('nfa', false), build('nfa+pf', true)];
const out: string[] = [
  `## Peers: ${setName} — ${def.describe}`,
  '',
  `${sigs.summary}; ${payloads.length} payloads, ${bytes} bytes${Number.isFinite(limitBytes) ? ` (prefix, --limit-bytes ${limitBytes})` : ''}; ` +
    `median of ${runs} passes; ${process.versions.node ? `Node ${process.versions.node}` : ''}, libhs ${execFileSync('pkg-config', ['--modversion', 'libhs'], { encoding: 'utf8' }).trim()}.`,
  '',
  '| engine | mode | signatures accepted | MB/s | ratio to Hyperscan | matches | compile ms |',
  '|---|---|---:|---:|---:|---:|---:|',
];
const notes: string[] = [];
let hsExcluded = new Map<number, string>();
for (const mode of modes) {
  log(`hyperscan, ${mode} mode`);
  const hs = runHyperscan(mode);
  if (!hsExcluded.size) hsExcluded = hs.excluded;
  log(`hyperscan ${mode}: per-pattern check ${hs.res.check_ms} ms, compile_multi ${hs.res.compile_ms.toFixed(0)} ms`);
  out.push(`| hyperscan | ${mode} | ${hs.res.accepted}/${hs.res.patterns} | ${fmt(hs.res.mbps)} | 1 | ${hs.res.matches} | ${hs.res.compile_ms.toFixed(0)} |`);
  let nfaDigest: Digest | null = null;
  for (const o of ours) {
    log(`${o.name}, ${mode} mode`);
    const r = runOurs(o, mode);
    out.push(`| ${o.name} | ${mode} | ${sigs.sources.length - o.rejected.size}/${sigs.sources.length} | ${fmt(r.mbps)} | ${fmt(r.mbps / hs.res.mbps)} | ${r.matches} | ${o.compileMs.toFixed(0)} |`);
    const common = (s: number): boolean => !hsExcluded.has(s) && !ours[0]!.rejected.has(s) && !o.rejected.has(s);
    const nCommon = sigs.sources.filter((_, s) => common(s)).length;
    if (o.name === 'nfa') {
      nfaDigest = r.digest;
      const ag = agreement(hs.digest, r.digest, common);
      notes.push(
        `- ${mode} mode, Hyperscan vs nfa on the ${nCommon} signatures both accept (${mode === 'set' ? 'sets of (payload, signature)' : 'sets of (payload, signature, end)'}): ` +
          `${ag.payloads} of ${payloads.length} payloads differ` +
          (ag.pairs ? ` — ${ag.onlyA} (payload, signature) only Hyperscan, ${ag.onlyB} only nfa, ${ag.endsDiffer} with different ends; by signature: ` +
            [...ag.bySig].sort((x, y) => y[1] - x[1]).slice(0, 10).map(([s, n]) => `${s} \`${sigs.sources[s]}\` (${n})`).join(', ') : '.'),
      );
      for (const e of ag.examples) notes.push(`  - ${e}`);
    } else if (nfaDigest) {
      const ag = agreement(nfaDigest, r.digest, (s) => !ours[0]!.rejected.has(s) && !o.rejected.has(s));
      notes.push(`- ${mode} mode, ${o.name} vs nfa: ${ag.payloads} payloads differ.`);
    }
  }
}
out.push('', '**Agreement**', '', ...notes, '');
const reasons = new Map<string, number[]>();
for (const [s, why] of hsExcluded) reasons.set(why, [...(reasons.get(why) ?? []), s]);
out.push(`**Hyperscan rejects/skips** (${hsExcluded.size}; nfa rejects ${ours[0]!.rejected.size}, of which ${[...ours[0]!.rejected].filter((s) => hsExcluded.has(s)).length} also rejected by Hyperscan):`, '');
for (const [why, list] of [...reasons].sort((a, b) => b[1].length - a[1].length)) {
  out.push(`- ${list.length} × ${why} — e.g. \`${sigs.sources[list[0]!]}\``);
}
console.log(out.join('\n'));
