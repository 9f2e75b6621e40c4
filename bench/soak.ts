/**
 * Soak bench (issue 17): a synthetic capture of millions of packets over a million flows,
 * generated on the fly as a pcap byte stream (never stored, never whole in memory), through
 * `prepareRules` + `Replayer` in stream mode (what `replay --stream` runs). Checks that:
 * - RSS stays under a stated bound: the flow table (`maxFlows`), the stream buffers
 *   (`streamDepth` per direction, `maxStreamBytes` in all) and the scratches are capped, so
 *   RSS must flatten once the table is full, however many packets follow;
 * - throughput does not decay (MB/s of the last quarter against the first);
 * - the summary counts what the caps evicted (`ReplayStats.flowsEvicted`: sessions ended
 *   for room, 'capacity', or by the idle timeout, 'idle').
 *
 * Run: npx tsx --expose-gc bench/soak.ts [--packets 5000000] [--flows 1000000]
 *        [--rules FILE...] [--seed 1] [--sample-every 250000] [--mode stream|packet]
 *        [--max-flows 65536] [--concurrent N] [--idle-timeout 300] [--lull-every 1000000]
 *        [--pps 20000] [--gen-only] [--json FILE]
 * (`--expose-gc` is optional: with it, each sample is taken after a full GC, so heap used
 * is live memory, and the GC time is left out of the interval's MB/s.)
 *
 * The traffic (seeded, reproducible): a pool of `--concurrent` flows (default `maxFlows`)
 * in progress at once, the next packet from a random one of them, so sessions interleave
 * and the table holds ≥ maxFlows at peak; sessions left open and SYN-only probes pile up on
 * top, so capacity eviction runs all along. Kinds of flow: full HTTP-like TCP sessions
 * (handshake, request, a response of 1 to tens of segments, FIN both ways), sessions reset
 * after the response, sessions left open (never closed: ended by capacity or idle), SYN-only
 * probes, UDP query/answer pairs. Some responses carry "uid=0(root)" and some requests
 * "/etc/passwd" (bundled-rule hits: alerts happen); some responses have two segments
 * swapped (out of order) or a segment sent twice (retransmission). Timestamps are monotone
 * (`--pps` packets per capture second) with a lull longer than the idle timeout every
 * `--lull-every` packets, so idle eviction runs too. The mix is the same all along (its
 * mean response length set from `--packets` / `--flows`); flows keep starting until both
 * `--flows` flows and `--packets` packets are reached.
 *
 * The bound: RSS ≤ base + maxFlows × (per-session state) + maxStreamBytes-capped stream
 * buffers + scratches. Per session: the Flow, its key, the detection state (two
 * directions) and, while a direction is open, its reassembly (`TcpStream`), its buffer
 * (≥ 4 KiB once it has bytes, ≤ streamDepth; all buffers ≤ maxStreamBytes) and its engine
 * scratch (with the prefilter: literal/unit arrays plus a stream history ≤ 2 × 1 MiB).
 * Everything scales with maxFlows, nothing with the packet or flow count: the bench prints
 * the bound it derives from the options and the measured per-session cost, and the growth
 * of RSS after the table first filled (target: none beyond noise).
 *
 * Measured with the bundled rules (631 active, default engine with the prefilter): one
 * stream scratch holds 300–430 KiB (the NFA's four state-indexed Uint32Arrays, 23k states,
 * and the prefilter's arrays). The first version of this bench found that nothing capped
 * them: at the default maxFlows (65536) RSS passed 10 GB within 200k packets. Scratches
 * are now charged to `maxScratchBytes` (default 1 GiB; a direction past it is not
 * stream-inspected, `scratchRefused`), so the scratch term of the bound is
 * min(maxFlows × 2 × scratch, maxScratchBytes) plus the 32 spares the detector keeps.
 */
import { writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { prepareRules, Replayer, type ReplayMode } from '../src/index.js';
import { DEFAULT_MAX_SCRATCH_BYTES } from '../src/detect/index.js';
import { rng } from './lib/rng.js';

// ---- options -------------------------------------------------------------------------------

const args = process.argv.slice(2);
function opt(name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}
function optList(name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== `--${name}`) continue;
    for (let j = i + 1; j < args.length && !args[j]!.startsWith('--'); j++) out.push(args[j]!);
  }
  return out;
}
const num = (name: string, dflt: number): number => {
  const v = opt(name);
  if (v === undefined) return dflt;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: not a number: ${v}`);
  return n;
};
const PACKETS = num('packets', 5_000_000);
const FLOWS = num('flows', 1_000_000);
const SEED = num('seed', 1);
const SAMPLE_EVERY = num('sample-every', 250_000);
const MODE = (opt('mode') ?? 'stream') as ReplayMode;
const MAX_FLOWS = num('max-flows', 65536);
const CONCURRENT = num('concurrent', MAX_FLOWS);
const IDLE_TIMEOUT = num('idle-timeout', 300);
const LULL_EVERY = num('lull-every', 1_000_000);
const PPS = num('pps', 20_000);
const STREAM_DEPTH = 1 << 20;
const MAX_STREAM_BYTES = 256 * 1024 * 1024;
const GEN_ONLY = args.includes('--gen-only');
const JSON_OUT = opt('json');
const here = dirname(fileURLToPath(import.meta.url));
const bundled = join(here, '../traces/rules');
const RULES = optList('rules').length > 0
  ? optList('rules')
  : readdirSync(bundled).filter((f) => f.endsWith('.rules')).sort().map((f) => join(bundled, f));
if (MODE !== 'stream' && MODE !== 'packet') throw new Error(`--mode: stream or packet (got ${MODE})`);

// ---- the generator -------------------------------------------------------------------------

const MSS = 1460;
const CHUNK = 1 << 20;
const rnd = rng(SEED);
const randInt = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));

const enc = (s: string): Buffer => Buffer.from(s, 'latin1');
const PATHS = ['/', '/index.html', '/images/logo.png', '/api/v1/items?id=42', '/search?q=network+monitoring', '/static/app.js',
  '/login', '/cart/checkout', '/news/2026/12/03/story.html', '/favicon.ico'];
const AGENTS = ['Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/120.0', 'curl/8.5.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36', 'Wget/1.21.4'];
/** Request templates; the last ones hit bundled rules. */
const REQUESTS: Buffer[] = [];
for (let i = 0; i < 64; i++) {
  const path = PATHS[i % PATHS.length]!;
  const pad = 'x'.repeat((i * 37) % 300);
  REQUESTS.push(enc(`GET ${path} HTTP/1.1\r\nHost: www${i % 7}.example.com\r\nUser-Agent: ${AGENTS[i % AGENTS.length]}\r\n` +
    `Accept: */*\r\nCookie: session=${pad}\r\nConnection: keep-alive\r\n\r\n`));
}
const HIT_REQUESTS = [
  enc('GET /cgi-bin/view.cgi?file=../../../../etc/passwd HTTP/1.1\r\nHost: victim.example.com\r\nUser-Agent: curl/8.5.0\r\n\r\n'),
  enc('GET /index.php?page=/etc/passwd HTTP/1.1\r\nHost: victim.example.com\r\nUser-Agent: Wget/1.21.4\r\n\r\n'),
];
/** Response body source: printable text; bodies are slices of it. */
const BODY = Buffer.alloc(256 * 1024);
{
  const words = ['the ', 'network ', 'packet ', '<div class="item">', '</div>\n', 'data ', '{"id": 17, "ok": true}', 'lorem ', 'ipsum ', '\r\n'];
  let o = 0;
  while (o < BODY.length) o += BODY.write(words[Math.floor(rnd() * words.length)]!, o, 'latin1');
}
const HIT_BODY = enc('<pre>uid=0(root) gid=0(root) groups=0(root)</pre>\n');
const respHeader = (len: number): Buffer => enc(`HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: ${len}\r\n\r\n`);
const DNS_Q = Buffer.alloc(40, 0x61);
const DNS_A = Buffer.alloc(88, 0x62);

// TCP flags
const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

/** One packet of a flow's script. */
interface Step {
  /** 0: client to server, 1: back. */
  dir: 0 | 1;
  flags: number;
  /** Sequence offset from the sender's ISN (+1 after the SYN). */
  seq: number;
  /** Ack offset from the peer's ISN. */
  ack: number;
  /** Payload: bytes of `src` from `off`, `len` of them (src undefined: none). */
  src: Buffer | undefined;
  off: number;
  len: number;
}

/** A flow in progress in the generator. */
interface GenFlow {
  id: number;
  udp: boolean;
  cIsn: number;
  sIsn: number;
  steps: Step[];
  next: number;
}

const step = (dir: 0 | 1, flags: number, seq: number, ack: number, src?: Buffer, off = 0, len = 0): Step => ({ dir, flags, seq, ack, src, off, len });

/**
 * The script of flow `id`. `target`: mean packets per flow wanted (--packets / --flows), which
 * sets the mean response length once for the whole run (a stationary mix: throughput late
 * in the run compares with throughput early).
 */
function scriptFor(id: number, target: number): GenFlow {
  const f: GenFlow = { id, udp: false, cIsn: (rnd() * 0x100000000) >>> 0, sIsn: (rnd() * 0x100000000) >>> 0, steps: [], next: 0 };
  const s = f.steps;
  const r = rnd();
  // Base mix (mean ≈ 5 packets with 2.5 response segments): 30% full, 10% reset, 15% left
  // open, 10% UDP, 35% SYN probes; the mean response length follows the target.
  const meanSegs = Math.max(1, Math.min(60, 2.5 + (target - 5) / 0.55));
  if (r < 0.1) {
    f.udp = true;
    s.push(step(0, 0, 0, 0, DNS_Q, 0, DNS_Q.length));
    if (rnd() < 0.9) s.push(step(1, 0, 0, 0, DNS_A, 0, DNS_A.length));
    return f;
  }
  if (r < 0.45) {
    // SYN probe: unanswered, or refused
    s.push(step(0, SYN, 0, 0));
    if (rnd() < 0.5) s.push(step(1, RST | ACK, 0, 1));
    return f;
  }
  const kind = r < 0.75 ? 'full' : r < 0.85 ? 'reset' : 'open';
  s.push(step(0, SYN, 0, 0), step(1, SYN | ACK, 0, 1), step(0, ACK, 1, 1));
  const hitReq = rnd() < 0.02;
  const req = hitReq ? HIT_REQUESTS[id % HIT_REQUESTS.length]! : REQUESTS[id % REQUESTS.length]!;
  s.push(step(0, PSH | ACK, 1, 1, req, 0, req.length));
  const cEnd = 1 + req.length;
  // response: header + body over `segs` segments
  let segs = 1;
  const m = kind === 'full' ? meanSegs : Math.min(meanSegs, 3);
  while (segs < 200 && rnd() < 1 - 1 / m) segs++;
  const bodyLen = Math.max(0, (segs - 1) * MSS + randInt(1, MSS) - 120);
  const hdr = respHeader(bodyLen);
  const resp = Buffer.allocUnsafe(hdr.length + bodyLen);
  hdr.copy(resp, 0);
  const from = randInt(0, BODY.length - bodyLen - 1);
  BODY.copy(resp, hdr.length, from, from + bodyLen);
  if (rnd() < 0.03 && bodyLen > HIT_BODY.length) HIT_BODY.copy(resp, hdr.length + randInt(0, bodyLen - HIT_BODY.length));
  const respSteps: Step[] = [];
  for (let o = 0; o < resp.length; o += MSS) {
    const len = Math.min(MSS, resp.length - o);
    respSteps.push(step(1, o + len >= resp.length ? PSH | ACK : ACK, 1 + o, cEnd, resp, o, len));
  }
  if (respSteps.length >= 3 && rnd() < 0.05) {
    // out of order: two segments swapped
    const i = randInt(0, respSteps.length - 2);
    [respSteps[i], respSteps[i + 1]] = [respSteps[i + 1]!, respSteps[i]!];
  }
  if (respSteps.length >= 2 && rnd() < 0.03) {
    // retransmission
    const i = randInt(0, respSteps.length - 2);
    respSteps.splice(i + 2, 0, { ...respSteps[i]! });
  }
  s.push(...respSteps);
  const sEnd = 1 + resp.length;
  if (kind === 'full') {
    s.push(step(0, FIN | ACK, cEnd, sEnd), step(1, FIN | ACK, sEnd, cEnd + 1), step(0, ACK, cEnd + 1, sEnd + 1));
  } else if (kind === 'reset') {
    s.push(step(0, RST | ACK, cEnd, sEnd));
  } // 'open': never closed
  return f;
}

/** Generator counters (read by the sampler). */
const gen = { packets: 0, flows: 0, bytes: 0 };

/**
 * The capture: pcap (microseconds, Ethernet) in chunks of about 1 MiB, made as they are
 * pulled. Memory: the pool of flows in progress and one chunk.
 */
async function* capture(): AsyncGenerator<Uint8Array> {
  let buf = Buffer.allocUnsafe(CHUNK + 2048);
  let o = 0;
  // global header
  buf.writeUInt32LE(0xa1b2c3d4, 0);
  buf.writeUInt16LE(2, 4);
  buf.writeUInt16LE(4, 6);
  buf.writeInt32LE(0, 8);
  buf.writeUInt32LE(0, 12);
  buf.writeUInt32LE(65535, 16);
  buf.writeUInt32LE(1, 20);
  o = 24;
  let tUs = 1_764_000_000 * 1e6; // capture time in µs
  const stepUs = 1e6 / PPS;
  const pool: GenFlow[] = [];
  let nextId = 0;
  let plannedPackets = 0; // packets of the scripts started so far
  const startFlow = (): GenFlow => {
    const f = scriptFor(nextId++, PACKETS / Math.max(1, FLOWS));
    plannedPackets += f.steps.length;
    gen.flows++;
    return f;
  };
  const wantMore = (): boolean => nextId < FLOWS || plannedPackets < PACKETS;
  while (pool.length < CONCURRENT && wantMore()) pool.push(startFlow());
  while (pool.length > 0) {
    const i = Math.floor(rnd() * pool.length);
    const f = pool[i]!;
    const st = f.steps[f.next++]!;
    if (f.next === f.steps.length) {
      if (wantMore()) pool[i] = startFlow();
      else {
        pool[i] = pool[pool.length - 1]!;
        pool.pop();
      }
    }
    // timestamps: monotone, with a lull past the idle timeout now and then
    tUs += stepUs;
    if (LULL_EVERY > 0 && gen.packets > 0 && gen.packets % LULL_EVERY === 0) tUs += (IDLE_TIMEOUT + 1) * 1e6;
    const payload = st.len;
    const l4 = f.udp ? 8 : 20;
    const frame = 14 + 20 + l4 + payload;
    const sec = Math.floor(tUs / 1e6);
    buf.writeUInt32LE(sec, o);
    buf.writeUInt32LE(Math.floor(tUs - sec * 1e6), o + 4);
    buf.writeUInt32LE(frame, o + 8);
    buf.writeUInt32LE(frame, o + 12);
    let p = o + 16;
    // Ethernet
    buf.writeUInt32LE(0x00000002, p); buf.writeUInt16LE(st.dir === 0 ? 0x0200 : 0x0100, p + 4);
    buf.writeUInt32LE(0x00000002, p + 6); buf.writeUInt16LE(st.dir === 0 ? 0x0100 : 0x0200, p + 10);
    buf.writeUInt16BE(0x0800, p + 12);
    p += 14;
    // IPv4: client 10.a.b.c (unique per flow id), server 192.168.x.y
    const id = f.id;
    const cA = 0x0a000000 + (id & 0xffffff);
    const sA = 0xc0a80001 + (id % 200); // 192.168.0.1-200
    const src = st.dir === 0 ? cA : sA;
    const dst = st.dir === 0 ? sA : cA;
    buf[p] = 0x45; buf[p + 1] = 0;
    buf.writeUInt16BE(20 + l4 + payload, p + 2);
    buf.writeUInt16BE(gen.packets & 0xffff, p + 4);
    buf.writeUInt16BE(0x4000, p + 6);
    buf[p + 8] = 64; buf[p + 9] = f.udp ? 17 : 6;
    buf.writeUInt16BE(0, p + 10);
    buf.writeUInt32BE(src >>> 0, p + 12);
    buf.writeUInt32BE(dst >>> 0, p + 16);
    p += 20;
    const cPort = 1024 + (id % 60000);
    const sPort = f.udp ? 53 : 80;
    const sp = st.dir === 0 ? cPort : sPort;
    const dp = st.dir === 0 ? sPort : cPort;
    buf.writeUInt16BE(sp, p); buf.writeUInt16BE(dp, p + 2);
    if (f.udp) {
      buf.writeUInt16BE(8 + payload, p + 4); buf.writeUInt16BE(0, p + 6);
    } else {
      const isn = st.dir === 0 ? f.cIsn : f.sIsn;
      const peer = st.dir === 0 ? f.sIsn : f.cIsn;
      buf.writeUInt32BE((isn + st.seq) >>> 0, p + 4);
      buf.writeUInt32BE((st.flags & ACK) !== 0 ? (peer + st.ack) >>> 0 : 0, p + 8);
      buf[p + 12] = 0x50; buf[p + 13] = st.flags;
      buf.writeUInt16BE(65535, p + 14); buf.writeUInt32BE(0, p + 16);
    }
    p += l4;
    if (payload > 0) st.src!.copy(buf, p, st.off, st.off + payload);
    o = p + payload;
    gen.packets++;
    gen.bytes += frame;
    if (o >= CHUNK) {
      yield buf.subarray(0, o);
      buf = Buffer.allocUnsafe(CHUNK + 2048);
      o = 0;
    }
  }
  if (o > 0) yield buf.subarray(0, o);
}

// ---- the run -------------------------------------------------------------------------------

const MB = 1e6;
const MiB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

interface Sample {
  packets: number;
  mb: number;
  sec: number;
  intervalMBps: number;
  overallMBps: number;
  rssMiB: number;
  heapMiB: number;
  held: number;
  sessions: number;
  peak: number;
  capacity: number;
  idle: number;
  alerts: number;
}

const fmt = (n: number, d = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

async function main(): Promise<void> {
  mkdirSync('/tmp/soak', { recursive: true });
  console.log(`soak: ${fmt(PACKETS)} packets over ${fmt(FLOWS)} flows, seed ${SEED}, mode ${MODE}, maxFlows ${fmt(MAX_FLOWS)}, ` +
    `${fmt(CONCURRENT)} concurrent, idle timeout ${IDLE_TIMEOUT} s, ${PPS} pps, lull every ${fmt(LULL_EVERY)} packets; gc ${gc ? 'on' : 'off'}`);
  if (GEN_ONLY) {
    const t0 = performance.now();
    let bytes = 0;
    for await (const c of capture()) bytes += c.length;
    const s = (performance.now() - t0) / 1000;
    console.log(`generator alone: ${fmt(gen.packets)} packets, ${fmt(gen.flows)} flows, ${fmt(bytes / MB, 1)} MB in ${s.toFixed(1)} s = ${fmt(bytes / MB / s, 1)} MB/s, rss ${fmt(process.memoryUsage().rss / MiB)} MiB`);
    return;
  }
  const tp = performance.now();
  const prepared = prepareRules({ ruleFiles: RULES });
  const rssRules = process.memoryUsage().rss;
  console.log(`rules: ${prepared.active} active of ${RULES.length} file(s), prepared in ${((performance.now() - tp) / 1000).toFixed(1)} s; rss ${fmt(rssRules / MiB)} MiB`);
  const replayer = new Replayer(prepared.detector, { mode: MODE, maxFlows: MAX_FLOWS, idleTimeoutSec: IDLE_TIMEOUT, streamDepth: STREAM_DEPTH, maxStreamBytes: MAX_STREAM_BYTES });
  // The table size now (the Replayer keeps its tracker private; read for the bench only).
  const tracker = (replayer as unknown as { tracker: { size: number } }).tracker;
  const budget = (replayer as unknown as { budget: { held: number } }).budget;
  // One stream direction's engine scratch (what `streamBytes` takes for a direction on its first bytes).
  gc?.();
  const m0 = process.memoryUsage();
  const probe: unknown[] = [];
  for (let i = 0; i < 16; i++) probe.push(prepared.detector.matcher.createScratch({ mode: 'all' }));
  gc?.();
  const m1 = process.memoryUsage();
  const scratchBytes = (m1.arrayBuffers - m0.arrayBuffers + m1.heapUsed - m0.heapUsed) / probe.length;
  probe.length = 0;
  console.log(`one stream scratch: ${fmt(scratchBytes / 1024)} KiB (typed arrays + heap); 2 per open TCP session`);
  gc?.();
  const base = process.memoryUsage();
  const samples: Sample[] = [];
  let gcMs = 0;
  const t0 = performance.now();
  let last = { t: t0, bytes: 0 };
  let nextAt = SAMPLE_EVERY;
  let peakRss = base.rss;
  let peakBudget = 0;
  const header = '| packets | MB | s | MB/s (interval) | MB/s (overall) | RSS MiB | heap MiB | flows held | sessions | peak | evicted capacity | evicted idle | stream buf MiB | alerts |';
  console.log(header);
  console.log('|' + '---|'.repeat(14));
  const sample = (): void => {
    const now = performance.now();
    const st = replayer.stats;
    let g = 0;
    if (gc) {
      const a = performance.now();
      gc();
      g = performance.now() - a;
      gcMs += g;
    }
    const mem = process.memoryUsage();
    peakRss = Math.max(peakRss, mem.rss);
    peakBudget = Math.max(peakBudget, budget.held);
    const sec = (now - t0 - (gcMs - g)) / 1000;
    const s: Sample = {
      packets: st.packets,
      mb: st.bytes / MB,
      sec,
      intervalMBps: (st.bytes - last.bytes) / MB / ((now - last.t) / 1000),
      overallMBps: st.bytes / MB / sec,
      rssMiB: mem.rss / MiB,
      heapMiB: mem.heapUsed / MiB,
      held: tracker.size,
      sessions: st.sessions,
      peak: st.sessionsPeak,
      capacity: st.flowsEvicted.capacity,
      idle: st.flowsEvicted.idle,
      alerts: st.alerts,
    };
    samples.push(s);
    console.log(`| ${fmt(s.packets)} | ${fmt(s.mb)} | ${s.sec.toFixed(1)} | ${s.intervalMBps.toFixed(1)} | ${s.overallMBps.toFixed(1)} | ${fmt(s.rssMiB)} | ${fmt(s.heapMiB)} | ` +
      `${fmt(s.held)} | ${fmt(s.sessions)} | ${fmt(s.peak)} | ${fmt(s.capacity)} | ${fmt(s.idle)} | ${(budget.held / MiB).toFixed(1)} | ${fmt(s.alerts)} |`);
    last = { t: performance.now(), bytes: st.bytes };
  };
  const alertsBySid = new Map<number, number>();
  const result = await replayer.replay(capture(), 'soak', (a) => {
    alertsBySid.set(a.rule.sid, (alertsBySid.get(a.rule.sid) ?? 0) + 1);
  }, () => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    if (replayer.stats.packets >= nextAt) {
      sample();
      while (nextAt <= replayer.stats.packets) nextAt += SAMPLE_EVERY;
    }
  });
  const wall = (performance.now() - t0) / 1000;
  const endMem = process.memoryUsage();
  const st = replayer.stats;
  if (samples.length === 0 || samples[samples.length - 1]!.packets !== st.packets) sample();

  // ---- summary ----------------------------------------------------------------------------
  const at = (frac: number): Sample => samples[Math.min(samples.length - 1, Math.max(0, Math.ceil(samples.length * frac) - 1))]!;
  const s20 = at(0.2);
  const lastS = samples[samples.length - 1]!;
  const quarter = (from: number, to: number): number => {
    const xs = samples.filter((_, i) => i >= Math.floor(samples.length * from) && i < Math.ceil(samples.length * to));
    const first = samples[samples.indexOf(xs[0]!) - 1];
    const mb = xs[xs.length - 1]!.mb - (first?.mb ?? 0);
    const sec = xs[xs.length - 1]!.sec - (first?.sec ?? 0);
    return mb / sec;
  };
  const q1 = quarter(0, 0.25);
  const q4 = quarter(0.75, 1);
  const pps = (from: number, to: number): number => {
    const xs = samples.filter((_, i) => i >= Math.floor(samples.length * from) && i < Math.ceil(samples.length * to));
    const first = samples[samples.indexOf(xs[0]!) - 1];
    return (xs[xs.length - 1]!.packets - (first?.packets ?? 0)) / (xs[xs.length - 1]!.sec - (first?.sec ?? 0));
  };
  const p1 = pps(0, 0.25);
  const p4 = pps(0.75, 1);
  const fullAt = samples.find((s) => s.held >= MAX_FLOWS);
  const afterFull = samples.filter((s) => fullAt !== undefined && s.packets >= fullAt.packets);
  const maxAfterFull = afterFull.reduce((m, s) => Math.max(m, s.rssMiB), 0);
  // Per-session cost, measured: live heap (after GC) over the base, per session held, at the samples where the table is full.
  const perFlow = afterFull.length > 0 ? (Math.max(...afterFull.map((s) => s.heapMiB)) * MiB - base.heapUsed) / MAX_FLOWS : NaN;
  // The bound: base RSS + maxFlows × (per-session heap state, measured at the full table, and two engine
  // scratches) + stream buffers (at most maxStreamBytes, at most 2 × streamDepth per session) + 64 MiB of
  // chunks, spare scratches and slack. (Not counted: the prefilter's stream history, ≤ 2 × 1 MiB per
  // direction of a long stream; the generated streams here stay far below that.)
  const bufCap = Math.min(MAX_STREAM_BYTES, MAX_FLOWS * 2 * STREAM_DEPTH);
  const perSession = Number.isFinite(perFlow) ? perFlow : 4096;
  const scratchCap = Math.min(MAX_FLOWS * 2 * scratchBytes, DEFAULT_MAX_SCRATCH_BYTES) + 32 * scratchBytes;
  const boundMiB = (base.rss + perSession * MAX_FLOWS + scratchCap + bufCap) / MiB + 64;
  const ended = (replayer as unknown as { tracker: { stats: { ended: Record<string, number>; noFlow: number } } }).tracker.stats;
  const summary = {
    packets: st.packets,
    generated: { packets: gen.packets, flows: gen.flows, MB: gen.bytes / MB },
    MB: st.bytes / MB,
    wallSec: wall,
    gcSec: gcMs / 1000,
    MBps: st.bytes / MB / wall,
    rssBaseMiB: base.rss / MiB,
    rssAfterRulesMiB: rssRules / MiB,
    peakRssMiB: peakRss / MiB,
    rssAt20pctMiB: s20.rssMiB,
    rssEndMiB: lastS.rssMiB,
    rssEndAfterFlushMiB: endMem.rss / MiB,
    growthMiB: lastS.rssMiB - s20.rssMiB,
    tableFullAtPacket: fullAt?.packets,
    rssMaxAfterFullMiB: maxAfterFull,
    perSessionHeapBytes: perFlow,
    scratchBytes,
    perSessionBytes: perSession,
    boundMiB,
    peakStreamBufferMiB: peakBudget / MiB,
    MBpsFirstQuarter: q1,
    MBpsLastQuarter: q4,
    decayRatio: q4 / q1,
    ppsFirstQuarter: p1,
    ppsLastQuarter: p4,
    ppsDecayRatio: p4 / p1,
    alerts: st.alerts,
    alertsBySid: Object.fromEntries(alertsBySid),
    sessions: st.sessions,
    sessionsPeak: st.sessionsPeak,
    flowsEvicted: st.flowsEvicted,
    flowsEnded: ended.ended,
    noFlowPackets: ended.noFlow,
    reassembly: st.reassembly,
    depthReached: st.depthReached,
    engineErrors: result.engineErrors,
    engineError: result.engineError,
    captureError: result.error?.message,
    samples,
  };
  console.log('');
  console.log(`done: ${fmt(st.packets)} packets, ${fmt(st.bytes / MB)} MB in ${wall.toFixed(1)} s (${summary.MBps.toFixed(1)} MB/s; GC at samples ${summary.gcSec.toFixed(1)} s), ` +
    `${fmt(gen.flows)} flows generated, ${fmt(st.sessions)} sessions, peak ${fmt(st.sessionsPeak)} held`);
  console.log(`RSS: base ${fmt(base.rss / MiB)} MiB, peak ${fmt(peakRss / MiB)} MiB, after 20% ${fmt(s20.rssMiB)} MiB, end ${fmt(lastS.rssMiB)} MiB ` +
    `(growth ${summary.growthMiB >= 0 ? '+' : ''}${fmt(summary.growthMiB)} MiB); table full from packet ${fullAt ? fmt(fullAt.packets) : '—'}, max RSS after ${fmt(maxAfterFull)} MiB`);
  console.log(`bound: ${fmt(boundMiB)} MiB = base ${fmt(base.rss / MiB)} + maxFlows ${fmt(MAX_FLOWS)} × ${fmt(perFlow)} B heap/session (measured) + ` +
    `scratches ${fmt(scratchCap / MiB)} MiB (min(maxFlows × 2 × ${fmt(scratchBytes / 1024)} KiB, maxScratchBytes) + 32 spares; ${fmt(st.scratchRefused)} direction(s) refused) + ` +
    `stream buffers ≤ ${fmt(bufCap / MiB)} MiB (peak held ${summary.peakStreamBufferMiB.toFixed(1)}) + 64 MiB; peak RSS ${peakRss <= boundMiB * MiB ? 'within' : 'OVER'} it`);
  console.log(`throughput: first quarter ${q1.toFixed(1)} MB/s, last quarter ${q4.toFixed(1)} MB/s (ratio ${summary.decayRatio.toFixed(2)}); packets/s ${fmt(p1)} → ${fmt(p4)} (ratio ${(p4 / p1).toFixed(2)})`);
  console.log(`alerts ${fmt(st.alerts)} (${Object.entries(summary.alertsBySid).map(([k, v]) => `sid ${k}: ${v}`).join(', ')}); evicted: capacity ${fmt(st.flowsEvicted.capacity)}, idle ${fmt(st.flowsEvicted.idle)}; ` +
    `ended: ${Object.entries(ended.ended).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}; ${fmt(ended.noFlow)} TCP packets without a session`);
  console.log(`reassembly: ${JSON.stringify(st.reassembly)}; depth reached ${st.depthReached}; engine errors ${result.engineErrors}${result.engineError ? ` (${result.engineError})` : ''}; capture error ${result.error?.message ?? 'none'}`);
  const out = JSON_OUT ?? `/tmp/soak/soak-${MODE}-${PACKETS}-${FLOWS}.json`;
  writeFileSync(out, JSON.stringify(summary, null, 1));
  console.log(`samples and summary: ${out}`);
}

await main();
