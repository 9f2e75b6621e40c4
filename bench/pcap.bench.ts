/**
 * Reader + decoder throughput on the largest Zeek traces, with `pcap-parser` (the chosen
 * dependency) alone beside it, then what each reader makes of formats and damage that
 * pcap-parser does not handle. Run: npx tsx bench/pcap.bench.ts [--quick]
 *
 * Rows (MB/s of capture bytes, packets/s; median of several rounds, each round reading the
 * files until about 40 MB have passed):
 *   ours: parse buffer          parseCaptureBuffer on a file already in memory
 *   ours: parse+decode buffer   the same, plus Decoder (5-tuple, payload view) per packet
 *   ours: stream file           readCapture(path), `for await` per packet (includes fs reads)
 *   ours: stream file, forEach  readCapture(path).forEach: one promise per chunk, not per packet
 *   ours: stream+decode+flows   forEach + decode + FlowTable reassembly (no-op matcher)
 *   pcap-parser: stream file    pcapParser.parse(path), 'packet' events (includes fs reads)
 *   pcap-parser: in-memory      pcapParser.parse(Readable over the buffer)
 * A spread above 15% between rounds is flagged, as Hyperscan's bench does.
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Matcher, MatcherStats, Scratch } from '../src/matcher/types.js';
import { FlowTable } from '../src/flow/index.js';
import { Decoder } from '../src/pcap/decode.js';
import { parseCaptureBuffer, readCapture } from '../src/pcap/reader.js';
import { sharedPath } from './lib/shared-data.js';

const require = createRequire(import.meta.url);
// pcap-parser is CommonJS without types; it calls the deprecated Buffer() constructor.
process.noDeprecation = true;
const pcapParser = require('pcap-parser') as {
  parse(input: string | NodeJS.ReadableStream): NodeJS.EventEmitter;
};

const quick = process.argv.includes('--quick');
const ROOT = sharedPath('traces/zeek');
const FILES = ['http/no_crlf.pcap', 'http/206_example_b.pcap', 'ftp/cwd-navigation.pcap', 'ftp/ftp-with-numbers-in-filename.pcap'];
const TARGET_BYTES = quick ? 8e6 : 40e6;
const ROUNDS = quick ? 3 : 7;

const paths = FILES.map((f) => join(ROOT, f));
const buffers = paths.map((p) => new Uint8Array(readFileSync(p)));
const fileBytes = buffers.reduce((s, b) => s + b.length, 0);
const repeats = Math.max(1, Math.round(TARGET_BYTES / fileBytes));

/** A matcher that scans nothing: isolates reassembly cost. */
class NullMatcher implements Matcher {
  readonly engine = 'nfa' as const;
  readonly signatureCount = 0;
  createScratch(): Scratch {
    return { engine: 'nfa', offset: 0 };
  }
  scan(s: Scratch, b: Uint8Array): void {
    (s as { offset: number }).offset += b.length;
  }
  finish(s: Scratch): void {
    (s as { offset: number }).offset = 0;
  }
  reset(s: Scratch): void {
    (s as { offset: number }).offset = 0;
  }
  stats(): MatcherStats {
    return { engine: 'nfa', signatures: 0 };
  }
}

function pcapParserCount(input: string | NodeJS.ReadableStream): Promise<number> {
  return new Promise((resolve, reject) => {
    let n = 0;
    const p = pcapParser.parse(input);
    p.on('packet', () => n++);
    p.on('end', () => resolve(n));
    p.on('error', reject);
  });
}

type Case = { name: string; run: () => Promise<number> | number };

const cases: Case[] = [
  {
    name: 'ours: parse buffer',
    run: () => buffers.reduce((n, b) => n + parseCaptureBuffer(b).packets, 0),
  },
  {
    name: 'ours: parse+decode buffer',
    run: () => {
      const dec = new Decoder();
      let n = 0;
      for (const b of buffers) for (const p of parseCaptureBuffer(b).list) {
        dec.decode(p);
        n++;
      }
      return n;
    },
  },
  {
    name: 'ours: stream file',
    run: async () => {
      let n = 0;
      for (const p of paths) for await (const _ of readCapture(p)) n++;
      return n;
    },
  },
  {
    name: 'ours: stream file, forEach',
    run: async () => {
      let n = 0;
      for (const p of paths) await readCapture(p).forEach(() => n++);
      return n;
    },
  },
  {
    name: 'ours: stream+decode+flows',
    run: async () => {
      let n = 0;
      for (const p of paths) {
        const t = new FlowTable({ matcher: new NullMatcher(), onMatch: () => {} });
        await readCapture(p).forEach((pkt) => {
          t.processPacket(pkt);
          n++;
        });
        t.flush();
      }
      return n;
    },
  },
  {
    name: 'pcap-parser: stream file',
    run: async () => {
      let n = 0;
      for (const p of paths) n += await pcapParserCount(p);
      return n;
    },
  },
  {
    name: 'pcap-parser: in-memory',
    run: async () => {
      let n = 0;
      for (const b of buffers) {
        const chunks: Buffer[] = [];
        for (let i = 0; i < b.length; i += 65536) chunks.push(Buffer.from(b.buffer, b.byteOffset + i, Math.min(65536, b.length - i)));
        n += await pcapParserCount(Readable.from(chunks));
      }
      return n;
    },
  },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

async function main(): Promise<void> {
  console.log(`pcap bench: node ${process.version}, ${availableParallelism()} cpus, load ${loadavg()[0]!.toFixed(2)}`);
  console.log(`files: ${FILES.join(', ')} (${(fileBytes / 1e6).toFixed(2)} MB), each round reads them ${repeats}x\n`);
  const expectedPackets = buffers.reduce((n, b) => n + parseCaptureBuffer(b).packets, 0);
  console.log(`${'reader'.padEnd(28)} ${'MB/s'.padStart(8)} ${'Mpkt/s'.padStart(8)} ${'spread'.padStart(7)}  packets`);
  for (const c of cases) {
    await c.run(); // warm-up
    const rates: number[] = [];
    let packets = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = performance.now();
      packets = 0;
      for (let i = 0; i < repeats; i++) packets += await c.run();
      rates.push((fileBytes * repeats) / ((performance.now() - t0) / 1000));
    }
    const mbs = median(rates) / 1e6;
    const pps = (mbs * 1e6 * (packets / repeats)) / fileBytes;
    const spread = (Math.max(...rates) - Math.min(...rates)) / median(rates);
    const flag = spread > 0.15 ? '  (!) rounds disagree' : '';
    const ok = packets / repeats === expectedPackets ? '' : `  (!) ${packets / repeats} packets, expected ${expectedPackets}`;
    console.log(
      `${c.name.padEnd(28)} ${mbs.toFixed(1).padStart(8)} ${(pps / 1e6).toFixed(3).padStart(8)} ${(spread * 100).toFixed(0).padStart(6)}%  ${packets / repeats}${ok}${flag}`,
    );
  }

  // What each reader makes of the cases pcap-parser does not handle.
  console.log('\nformat and damage handling (packets read / outcome):');
  const good = buffers[0]!;
  const damaged: [string, Uint8Array][] = [
    ['nanosecond pcap', new Uint8Array(readFileSync(join(ROOT, 'http/get-to-ssh-server.pcap')))],
    ['pcapng', new Uint8Array(readFileSync(join(ROOT, 'http/cooper-grill-dvwa.pcapng')))],
    ['gzip pcap', new Uint8Array(readFileSync(join(ROOT, 'http/iso-download.pcap.gz')))],
    ['truncated last record', good.subarray(0, good.length - 100)],
    ['corrupt record length', corruptLength(good)],
  ];
  for (const [name, b] of damaged) {
    const ours = parseCaptureBuffer(b);
    const oursText = `${ours.packets} ${ours.error ? `error: ${ours.error.reason}` : 'ok'}`;
    let theirs: string;
    try {
      theirs = `${await pcapParserCount(Readable.from([Buffer.from(b)]))} ok (silent)`;
    } catch (e) {
      theirs = `error: ${(e as Error).message}`;
    }
    console.log(`  ${name.padEnd(22)} ours: ${oursText.slice(0, 70).padEnd(72)} pcap-parser: ${theirs.slice(0, 60)}`);
  }
  console.log(`\n(file sizes: ${paths.map((p) => `${(statSync(p).size / 1e6).toFixed(2)} MB`).join(', ')})`);
}

/** The 100th record's captured length set to 0x7fffffff. */
function corruptLength(b: Uint8Array): Uint8Array {
  const out = b.slice();
  const dv = new DataView(out.buffer);
  let o = 24;
  for (let i = 0; i < 100; i++) o += 16 + dv.getUint32(o + 8, true);
  dv.setUint32(o + 8, 0x7fffffff, true);
  return out;
}

await main();
