/**
 * Fuzz properties for every input surface (capture files, rule files, signature files, CLI
 * arguments), shared by the CI-sized tests (test/fuzz/) and the long bench (bench/fuzz.ts).
 * Each property throws a plain Error with the case on failure (no test framework needed),
 * so fast-check reports the seed and the shrunk counterexample in both places.
 *
 * The outcome required of every input: a result or a typed error (`NfaObddError`), never
 * another exception (a stack trace), never a hang (each case is time-bounded), and never
 * lost alerts for the packets before the damage of a capture.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { ENGINE_NAMES, compile } from '../../src/compile.js';
import { parseSignatureLines } from '../../src/compare/corpus.js';
import { LimitExceededError, NfaObddError, PcapFormatError, RuleParseError, UsageError } from '../../src/errors.js';
import type { EngineName } from '../../src/matcher/types.js';
import { parseCaptureBuffer } from '../../src/pcap/reader.js';
import { formatFast, formatJson, prepareRules, Replayer, type Alert, type AlertOrder, type PreparedRules, type ReplayMode } from '../../src/replay/index.js';
import { loadRuleTexts } from '../../src/rules/load.js';

const ROOT = join(import.meta.dirname, '../..');

/** Throws an Error with `message` (and the JSON of `detail`) unless `cond` holds. */
function check(cond: unknown, message: string, detail?: unknown): asserts cond {
  if (!cond) throw new Error(detail === undefined ? message : `${message}: ${safeJson(detail)}`);
}

function safeJson(x: unknown): string {
  try {
    return JSON.stringify(x, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v)).slice(0, 2000);
  } catch {
    return String(x);
  }
}

/** A stack-trace line as Node prints them (`    at fn (file:line:col)`). */
export const STACK_LINE = /^\s+at .+(\(|:\d+:\d+)/m;

/** Races `p` against `ms` milliseconds: a case that takes longer is reported as a hang. */
async function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what} took more than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

/** How big the generated cases are: `ci` for the test suite, `bench` for the long run. */
export type FuzzSize = 'ci' | 'bench';

// ---- captures ------------------------------------------------------------------------------

/** One base capture: its bytes and where each packet record (or pcapng block) starts and ends. */
export interface BaseCapture {
  name: string;
  bytes: Uint8Array;
  format: 'pcap' | 'pcapng';
  /** [start, end) of each packet record / packet block, in order. */
  records: readonly (readonly [number, number])[];
}

/** The bundled classic captures (traces/pcap), smallest first; `maxBytes` leaves out bigger ones. */
export function bundledCaptures(maxBytes = Infinity): BaseCapture[] {
  const dir = join(ROOT, 'traces/pcap');
  const out: BaseCapture[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.pcap')).sort()) {
    const b = new Uint8Array(readFileSync(join(dir, f)));
    if (b.length > maxBytes) continue;
    const parsed = parseCaptureBuffer(b);
    if (parsed.error !== undefined || parsed.format !== 'pcap') continue;
    out.push({ name: f, bytes: b, format: 'pcap', records: parsed.list.map((p) => [p.fileOffset, p.fileOffset + 16 + p.data.length] as const) });
  }
  return out.sort((a, b) => a.bytes.length - b.bytes.length);
}

/** The same packets as a pcapng file (little-endian; one interface; enhanced packet blocks). */
export function toPcapng(base: BaseCapture): BaseCapture {
  const parsed = parseCaptureBuffer(base.bytes);
  const parts: Uint8Array[] = [];
  const u32 = (dv: DataView, at: number, v: number): void => dv.setUint32(at, v >>> 0, true);
  const shb = new Uint8Array(28);
  let dv = new DataView(shb.buffer);
  u32(dv, 0, 0x0a0d0d0a);
  u32(dv, 4, 28);
  u32(dv, 8, 0x1a2b3c4d);
  dv.setUint16(12, 1, true);
  dv.setUint16(14, 0, true);
  u32(dv, 16, 0xffffffff);
  u32(dv, 20, 0xffffffff);
  u32(dv, 24, 28);
  parts.push(shb);
  // Interface description with if_tsresol (µs) and if_tsoffset (0) options, for damage to hit.
  const idb = new Uint8Array(44);
  dv = new DataView(idb.buffer);
  u32(dv, 0, 1);
  u32(dv, 4, 44);
  dv.setUint16(8, parsed.linkTypes[0] ?? 1, true);
  u32(dv, 12, 65535);
  dv.setUint16(16, 9, true);
  dv.setUint16(18, 1, true);
  idb[20] = 6;
  dv.setUint16(24, 14, true);
  dv.setUint16(26, 8, true);
  dv.setBigInt64(28, 0n, true);
  u32(dv, 36, 0); // opt_endofopt
  u32(dv, 40, 44);
  parts.push(idb);
  let at = 28 + 44;
  const records: [number, number][] = [];
  for (const p of parsed.list) {
    const padded = (p.data.length + 3) & ~3;
    const len = 32 + padded;
    const b = new Uint8Array(len);
    dv = new DataView(b.buffer);
    const ticks = BigInt(p.tsSec) * 1000000n + BigInt(Math.floor(p.tsNsec / 1000));
    u32(dv, 0, 6);
    u32(dv, 4, len);
    u32(dv, 8, 0);
    u32(dv, 12, Number(ticks >> 32n));
    u32(dv, 16, Number(ticks & 0xffffffffn));
    u32(dv, 20, p.data.length);
    u32(dv, 24, p.originalLength);
    b.set(p.data, 28);
    u32(dv, len - 4, len);
    parts.push(b);
    records.push([at, at + len]);
    at += len;
  }
  const bytes = new Uint8Array(at);
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
  }
  return { name: `${base.name.replace(/\.pcap$/, '')}.pcapng`, bytes, format: 'pcapng', records };
}

/**
 * A small rule set that fires on the bundled captures: hand rules over common bytes
 * (packet and flow conditions, content and pcre) plus the ET rules that alert on them.
 */
export const FUZZ_RULES = String.raw`
alert tcp any any -> any any (msg:"fuzz: e in a payload"; content:"e"; sid:9100001; rev:1;)
alert tcp any any -> any any (msg:"fuzz: HTTP"; content:"HTTP/1."; sid:9100002; rev:1;)
alert tcp any any -> any any (msg:"fuzz: pcre word"; pcre:"/[A-Z]{3,}\s/"; sid:9100003; rev:1;)
alert udp any any -> any any (msg:"fuzz: udp zero"; content:"|00|"; sid:9100004; rev:1;)
alert tcp any any -> any any (msg:"fuzz: to server"; flow:to_server,established; content:"T"; sid:9100005; rev:1;)
alert tcp any any -> any 21 (msg:"fuzz: ftp command"; flow:to_server; pcre:"/^(USER|PASS|PORT|RETR|STOR)/i"; sid:9100006; rev:1;)
alert tcp any any -> any any (msg:"fuzz: uri"; content:"GET"; http_method; content:"/"; http_uri; sid:9100007; rev:1;)
alert ip any any -> any any (msg:"GPL ATTACK_RESPONSE id check returned root"; content:"uid=0|28|root|29|"; fast_pattern:only; classtype:bad-unknown; sid:2100498; rev:8;)
alert tcp $EXTERNAL_NET any -> $HOME_NET 21 (msg:"GPL FTP PORT bounce attempt"; flow:to_server,established; content:"PORT"; nocase; ftpbounce; pcre:"/^PORT/smi"; classtype:misc-attack; sid:2103441; rev:2;)
alert tcp $HTTP_SERVERS any -> $EXTERNAL_NET any (msg:"ET ATTACK_RESPONSE Output of id command from HTTP server"; flow:established; content:"uid="; pcre:"/^\d+[^\r\n\s]+/R"; content:" gid="; within:5; pcre:"/^\d+[^\r\n\s]+/R"; content:" groups="; within:8; classtype:bad-unknown; sid:2019284; rev:1;)
`;

let fuzzRules: PreparedRules | undefined;

/** `FUZZ_RULES` prepared once (default engine). */
export function fuzzRuleSet(): PreparedRules {
  fuzzRules ??= prepareRules({ ruleTexts: [{ file: 'fuzz.rules', text: FUZZ_RULES }] });
  return fuzzRules;
}

/** One damage done to a capture. */
export type CaptureMutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'u32'; at: number; value: number; little: boolean }
  /** Overwrite a field of record `record` (`field`: byte offset in its record header / block). */
  | { kind: 'field'; record: number; field: number; value: number }
  /** Overwrite a field of the file header (classic: magic 0, version 4, snaplen 16, link type 20; pcapng SHB 0-27, IDB 28-71 with its options). */
  | { kind: 'header'; field: number; value: number }
  | { kind: 'insert'; at: number; data: Uint8Array };

const EXTREME = fc.constantFrom(0, 1, 3, 12, 15, 16, 31, 32, 0x7f, 0xff, 0xffff, 65535, 65536, 262144, 262145, 0x7fffffff, 0x80000000, 0xfffffff0, 0xfffffffc, 0xffffffff, 0xa1b2c3d4, 0xd4c3b2a1, 0x0a0d0d0a, 0x1a2b3c4d);
const U32 = fc.oneof(EXTREME, fc.nat({ max: 0xffffffff }));

/** Mutations of a capture (`at` taken modulo the length; `record` modulo the record count). */
export const captureMutation: fc.Arbitrary<CaptureMutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('u32' as const), at: fc.nat(), value: U32, little: fc.boolean() }),
  // classic record header: ts 0, sub 4, caplen 8, origlen 12; pcapng EPB: type 0, len 4, if 8, caplen 20, origlen 24, trailer -4 (field 255)
  fc.record({ kind: fc.constant('field' as const), record: fc.nat(), field: fc.constantFrom(0, 4, 8, 12, 20, 24, 255), value: U32 }),
  fc.record({ kind: fc.constant('header' as const), field: fc.constantFrom(0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64, 68), value: U32 }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), data: fc.uint8Array({ minLength: 1, maxLength: 24 }) }),
);

/** The damaged bytes and the offset of the first byte that differs from the base (or where it was cut). */
export function applyCaptureMutations(base: BaseCapture, ms: readonly CaptureMutation[]): { bytes: Uint8Array; firstDamage: number } {
  let b = base.bytes.slice();
  for (const m of ms) {
    if (b.length === 0) break;
    const dv = (): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
    switch (m.kind) {
      case 'truncate': {
        const at = m.at % (b.length + 1);
        b = b.slice(0, at);
        break;
      }
      case 'flip': {
        const at = m.at % b.length;
        b[at]! ^= m.xor;
        break;
      }
      case 'u32':
      case 'field':
      case 'header': {
        if (b.length < 4) break;
        let at: number;
        let little = true;
        if (m.kind === 'u32') {
          at = m.at % (b.length - 3);
          little = m.little;
        } else if (m.kind === 'header') at = m.field;
        else {
          const rec = base.records[m.record % Math.max(1, base.records.length)];
          if (rec === undefined) break;
          at = m.field === 255 ? rec[1] - 4 : rec[0] + m.field;
        }
        if (at + 4 > b.length) break;
        dv().setUint32(at, m.value >>> 0, little);
        break;
      }
      case 'insert': {
        const at = m.at % (b.length + 1);
        const nb = new Uint8Array(b.length + m.data.length);
        nb.set(b.subarray(0, at));
        nb.set(m.data, at);
        nb.set(b.subarray(at), at + m.data.length);
        b = nb;
        break;
      }
    }
  }
  // Exact first difference (a later mutation may undo an earlier one's bytes): the bytes
  // before it are the base's, so every record ending there is read exactly as in the base.
  const n = Math.min(b.length, base.bytes.length);
  let d = 0;
  while (d < n && b[d] === base.bytes[d]) d++;
  return { bytes: b, firstDamage: d < n || b.length !== base.bytes.length ? d : Infinity };
}

interface ReplayOutcome {
  alerts: string[];
  orders: number[];
  result: Awaited<ReturnType<Replayer['replay']>>;
  ms: number;
}

function alertKey(a: Alert, o: AlertOrder): string {
  // The CLI's output formats must take whatever the capture held (timestamps out of range...).
  formatFast(a);
  formatJson(a);
  return `${o.packet}|${o.flow}|${a.rule.sid}|${a.packet}|${a.src}:${a.sport}>${a.dst}:${a.dport}|${a.toServer}|${a.stream}|${a.offsets.join(',')}`;
}

async function replayBytes(bytes: Uint8Array, name: string, mode: ReplayMode, boundMs: number): Promise<ReplayOutcome> {
  const replayer = new Replayer(fuzzRuleSet().detector, { mode });
  const alerts: string[] = [];
  const orders: number[] = [];
  const t0 = performance.now();
  let result: ReplayOutcome['result'];
  try {
    result = await bounded(
      replayer.replay(bytes, name, (a, o) => {
        alerts.push(alertKey(a, o));
        orders.push(o.packet);
      }),
      boundMs,
      `replay of ${name} (${mode})`,
    );
  } catch (e) {
    throw new Error(`replay threw instead of returning a CaptureResult: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
  return { alerts, orders, result, ms: performance.now() - t0 };
}

const cleanRuns = new Map<string, ReplayOutcome>();

async function cleanRun(base: BaseCapture, mode: ReplayMode): Promise<ReplayOutcome> {
  const key = `${base.name}|${mode}`;
  let r = cleanRuns.get(key);
  if (r === undefined) {
    r = await replayBytes(base.bytes, base.name, mode, 30_000);
    check(r.result.error === undefined, `base capture ${base.name} is damaged`, r.result.error?.message);
    cleanRuns.set(key, r);
  }
  return r;
}

/** Packets wholly before the first damaged byte. */
function intactRecords(base: BaseCapture, firstDamage: number): number {
  let k = 0;
  while (k < base.records.length && base.records[k]![1] <= firstDamage) k++;
  return k;
}

/**
 * Damaged captures replayed in packet and stream mode: a CaptureResult (error undefined
 * or a PcapFormatError naming a byte offset inside the input), within `boundMs`, and the
 * alerts decided while the packets before the damage were processed are exactly those of
 * the undamaged capture (every mode: processing is causal).
 */
export function captureProperty(bases: readonly BaseCapture[], size: FuzzSize, boundMs = 5000): fc.IAsyncProperty<[BaseCapture, CaptureMutation[], ReplayMode, boolean]> {
  return fc.asyncProperty(
    fc.constantFrom(...bases),
    fc.array(captureMutation, { minLength: 1, maxLength: size === 'ci' ? 3 : 6 }),
    fc.constantFrom<ReplayMode>('packet', 'stream'),
    fc.boolean(),
    async (base, ms, mode, gzip) => {
      const { bytes: plain, firstDamage } = applyCaptureMutations(base, ms);
      // gzip'd: the damaged capture compressed (damage to the compressed bytes themselves is
      // test/pcap/fuzz.test.ts's); offsets then count decompressed bytes, as documented.
      const bytes = gzip ? new Uint8Array(gzipSync(plain)) : plain;
      const k = intactRecords(base, firstDamage);
      const got = await replayBytes(bytes, base.name, mode, boundMs);
      const err = got.result.error;
      if (err !== undefined) {
        check(err instanceof PcapFormatError, 'error is not a PcapFormatError', String(err));
        check(Number.isInteger(err.byteOffset) && err.byteOffset >= 0 && err.byteOffset <= plain.length, 'error offset outside the input', { offset: err.byteOffset, length: plain.length });
        check(/at byte \d+/.test(err.message), 'error message names no byte offset', err.message);
        // The replayer wraps any other exception as an 'unexpected failure': that is a bug hidden.
        check(!err.reason.startsWith('unexpected failure'), 'the replay failed on something else than the capture', err.message);
        check(err.packetsRead === got.result.packets, 'error packet count differs from the result', { err: err.packetsRead, packets: got.result.packets });
      }
      // A packet the engine or rule evaluator failed on is skipped: its alerts are lost.
      check(got.result.engineErrors === 0, 'engine failures on damaged packets', got.result.engineError);
      check(got.result.packets >= k, 'packets before the damage were lost', { k, packets: got.result.packets, firstDamage });
      const clean = await cleanRun(base, mode);
      const want = clean.alerts.filter((_, i) => clean.orders[i]! < k);
      const have = got.alerts.filter((_, i) => got.orders[i]! < k);
      check(
        want.length === have.length && want.every((x, i) => x === have[i]),
        `alerts for the ${k} packets before the damage differ (${mode} mode)`,
        { firstDamage, want: want.slice(0, 5), have: have.slice(0, 5), wantN: want.length, haveN: have.length },
      );
      if (mode === 'packet' && err === undefined && firstDamage === Infinity) {
        check(got.alerts.length === clean.alerts.length, 'an undamaged capture alerts differently');
      }
    },
  );
}

// ---- rule files ----------------------------------------------------------------------------

/** One rule file's lines (the bundled ET Open files). */
export interface RuleFileLines {
  file: string;
  lines: string[];
}

/**
 * Rules that fire on most packets of the bundled traces and use the options whose numbers
 * and offsets are evaluated per packet (byte_test/jump/extract, isdataat, relative
 * contents, dsize, flags, HTTP buffers, base64): damaged, they must still evaluate safely.
 */
export const PACKET_OPTION_RULES = String.raw`
alert tcp any any -> any any (msg:"t1"; content:"e"; byte_test:1,>,0,0,relative; sid:9200001; rev:1;)
alert tcp any any -> any any (msg:"t2"; content:"e"; byte_jump:1,0,relative; content:"e"; distance:0; sid:9200002; rev:1;)
alert tcp any any -> any any (msg:"t3"; content:"e"; isdataat:10,relative; sid:9200003; rev:1;)
alert tcp any any -> any any (msg:"t4"; content:"e"; offset:1; depth:100; content:"t"; distance:1; within:50; sid:9200004; rev:1;)
alert tcp any any -> any any (msg:"t5"; content:"e"; pcre:"/e.{0,10}t/R"; sid:9200005; rev:1;)
alert tcp any any -> any any (msg:"t6"; dsize:>10; content:"E"; nocase; sid:9200006; rev:1;)
alert tcp any any -> any any (msg:"t7"; content:"e"; byte_extract:1,0,x,relative; byte_test:1,<,x,0; sid:9200007; rev:1;)
alert tcp any any -> any any (msg:"t8"; flow:established; content:"H"; http_header; content:"e"; http_client_body; sid:9200008; rev:1;)
alert udp any any -> any any (msg:"t9"; content:"|00|"; byte_test:2,=,0,0; sid:9200009; rev:1;)
alert ip any any -> any any (msg:"t10"; content:"e"; ip_proto:6; ttl:<255; sid:9200010; rev:1;)
alert tcp any any -> any any (msg:"t11"; flags:A+; window:!0; content:"T"; sid:9200011; rev:1;)
alert tcp any any -> any any (msg:"t12"; content:"e"; pcre:"/^.+?e/Rsm"; content:"a"; within:20; sid:9200012; rev:1;)
alert tcp any any -> any any (msg:"t13"; content:"e"; base64_decode:bytes 10,offset 0,relative; base64_data; content:"a"; sid:9200013; rev:1;)
alert tcp any any -> any any (msg:"t14"; content:"GET"; depth:3; content:"/"; distance:1; within:1; content:!"zz"; sid:9200014; rev:1;)
alert tcp any any -> any any (msg:"t15"; content:"e"; byte_jump:2,1,relative,little,multiplier 2,post_offset -3; isdataat:!1,relative; sid:9200015; rev:1;)
alert tcp any any <> any any (msg:"t16"; flowbits:set,x; content:"e"; sid:9200016; rev:1;)
alert tcp any any -> any any (msg:"t17"; flowbits:isset,x; content:"t"; detection_filter:track by_src,count 2,seconds 60; sid:9200017; rev:1;)
alert tcp any any -> any any (msg:"t18"; content:"e"; fast_pattern; content:"HTTP"; http_raw_header; pcre:"/HTTP/H"; sid:9200018; rev:1;)
`;

/** The bundled rule files (traces/rules) and \`PACKET_OPTION_RULES\`, as lines. */
export function bundledRuleFiles(): RuleFileLines[] {
  const dir = join(ROOT, 'traces/rules');
  return [
    ...readdirSync(dir)
      .filter((f) => f.endsWith('.rules'))
      .sort()
      .map((f) => ({ file: f, lines: readFileSync(join(dir, f), 'utf8').split('\n') })),
    { file: 'packet-options.rules', lines: PACKET_OPTION_RULES.trim().split('\n') },
  ];
}

/** One damage done to one line of a rule file. */
export type LineMutation =
  | { kind: 'delete'; at: number; n: number }
  | { kind: 'duplicate'; at: number; n: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'replaceNumbers'; text: string };

/** Junk that breaks rules in the ways people and tools do (no newline: the damage stays on its line). */
const RULE_JUNK = fc.constantFrom(
  '"', '(', ')', ';', ':', '|', '\\"', '""', '((', '))', ';;', '|0|', '|zz|', '|00 0|', '$', '$UNDEFINED_VAR', '!', '[', ']', ',',
  ' frobnicate:1;', ' foo;', ' depth:99999999999999999999;', ' offset:-1;', ' within:0;', ' distance:-99999;', ' sid:-5;',
  ' sid:99999999999999999999;', ' rev:x;', ' pcre:"/(/";', ' pcre:"/a{99999}/";', ' pcre:"/(?<=a+)b/";', ' pcre:"/x/Q";',
  ' byte_test:4,>,99999999999999999,0;', ' byte_jump:9,0;', ' isdataat:!-1;', ' dsize:>70000;', ' flow:to_server,backwards;',
  ' content:"a"; nocase; nocase;', ' content:;', ' content:"";', ' http_uri;', ' fast_pattern:9,9;', ' threshold:type x;',
  ' msg:"unterminated', '\u0000', '\u0001\u0002', '\u00ff\u00fe', '\u{1F600}', '\t', '\u2028', ' ', 'any', '->', '<>', '<-',
  '99999999999999999999999', '-1', '0x', '1e309', 'NaN',
);

/** A line mutation. */
export const lineMutation: fc.Arbitrary<LineMutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(RULE_JUNK, fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 6 })).map((s) => s.replace(/[\r\n]/g, ' ')),
  }),
  fc.record({ kind: fc.constant('replaceNumbers' as const), text: fc.constantFrom('99999999999999999999999', '-1', '0', '4294967296', '1e400', '') }),
);

/** A line after `m` (never ends in a backslash: a continuation would damage the next line too). */
export function mutateLine(line: string, m: LineMutation): string {
  let out: string;
  const at = (n: number): number => n % (line.length + 1);
  switch (m.kind) {
    case 'delete':
      out = line.slice(0, at(m.at)) + line.slice(at(m.at) + m.n);
      break;
    case 'duplicate':
      out = line.slice(0, at(m.at) + m.n) + line.slice(at(m.at), at(m.at) + m.n) + line.slice(at(m.at) + m.n);
      break;
    case 'insert':
      out = line.slice(0, at(m.at)) + m.text + line.slice(at(m.at));
      break;
    case 'replaceNumbers':
      out = line.replace(/\d+/g, m.text);
      break;
  }
  while (out.endsWith('\\')) out = out.slice(0, -1);
  return out;
}

/** A window of a rule file with some lines damaged. */
export interface RuleCase {
  file: string;
  lines: string[];
  damaged: Map<number, LineMutation[]>;
  includeDisabled: boolean;
}

/** Windows of the bundled rule files with a few damaged lines. */
export function ruleCase(files: readonly RuleFileLines[], size: FuzzSize): fc.Arbitrary<RuleCase> {
  const window = size === 'ci' ? 30 : 200;
  return fc
    .record({
      f: fc.constantFrom(...files),
      start: fc.nat(),
      len: fc.integer({ min: 1, max: window }),
      damage: fc.array(fc.tuple(fc.nat(), fc.array(lineMutation, { minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: size === 'ci' ? 4 : 20 }),
      includeDisabled: fc.boolean(),
    })
    .map(({ f, start, len, damage, includeDisabled }) => {
      const s = start % f.lines.length;
      const lines = f.lines.slice(s, s + len);
      const damaged = new Map<number, LineMutation[]>();
      for (const [i, ms] of damage) damaged.set(i % lines.length, ms);
      return { file: f.file, lines, damaged, includeDisabled };
    });
}

let replayCaps: BaseCapture[] | undefined;

/** Captures the damaged rules are replayed over: two small HTTP traces (and an FTP one for the bench). */
function ruleReplayCaptures(size: FuzzSize): BaseCapture[] {
  replayCaps ??= bundledCaptures().filter((c) => c.name === 'testmyids.pcap' || c.name === 'ftp-ipv4.pcap' || c.name === 'post.pcap');
  return size === 'ci' ? replayCaps.filter((c) => c.name !== 'ftp-ipv4.pcap') : replayCaps;
}

function ruleLineSids(text: string, file: string, includeDisabled: boolean): { loaded: Map<number, number>; result: ReturnType<typeof loadRuleTexts> } {
  const result = loadRuleTexts([{ file, text }], { includeDisabled });
  const loaded = new Map<number, number>();
  for (const r of result.rules) loaded.set(r.line, r.sid);
  return { loaded, result };
}

/**
 * Damaged rule files: loading never throws; every reject carries a RuleParseError naming
 * the file and a line of the text; every rule on an undamaged line that loaded before still
 * loads (same line, same sid). With `compileEvery` > 0, every that-many-th case (and every
 * case of `PACKET_OPTION_RULES`) is also
 * prepared and compiled (`prepareRules`), which must not throw either.
 */
export function ruleFileProperty(files: readonly RuleFileLines[], size: FuzzSize, compileEvery = 0): fc.IAsyncProperty<[RuleCase]> {
  let n = 0;
  return fc.asyncProperty(ruleCase(files, size), async (c) => {
    const name = `fuzz-${c.file}`;
    const before = ruleLineSids(c.lines.join('\n'), name, c.includeDisabled);
    const mutated = c.lines.map((l, i) => (c.damaged.has(i) ? c.damaged.get(i)!.reduce(mutateLine, l) : l));
    const text = mutated.join('\n');
    let after: ReturnType<typeof ruleLineSids>;
    try {
      after = ruleLineSids(text, name, c.includeDisabled);
    } catch (e) {
      throw new Error(`loadRuleTexts threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
    for (const rej of after.result.rejected) {
      check(rej.error instanceof RuleParseError, 'a reject without a RuleParseError', rej);
      check(rej.error.file === name, 'a reject names another file', rej.error.message);
      check(rej.error.line >= 1 && rej.error.line <= c.lines.length, 'a reject names a line outside the text', rej.error.message);
      check(rej.error.message.startsWith(`${name}:${rej.error.line}`), 'a reject message does not start with file:line', rej.error.message);
    }
    for (const w of after.result.warnings) check(w.file === name && w.line >= 1 && w.line <= c.lines.length, 'a warning without file:line', w);
    for (const [line, sid] of before.loaded) {
      if (c.damaged.has(line - 1)) continue;
      check(after.loaded.get(line) === sid, `the undamaged rule on line ${line} (sid ${sid}) no longer loads`, {
        damaged: [...c.damaged.keys()].map((i) => i + 1),
        mutated: [...c.damaged.keys()].map((i) => mutated[i]),
        rejects: after.result.rejected.map((r) => r.error.message),
      });
    }
    const undamagedBefore = [...before.loaded.keys()].filter((l) => !c.damaged.has(l - 1)).length;
    check(after.result.rules.length >= undamagedBefore, 'fewer rules loaded than undamaged rules', { undamagedBefore, after: after.result.rules.length });
    if (compileEvery > 0 && (c.file === 'packet-options.rules' || n++ % compileEvery === 0)) {
      let prepared: PreparedRules;
      try {
        prepared = prepareRules({ ruleTexts: [{ file: name, text }], includeDisabled: c.includeDisabled });
      } catch (e) {
        throw new Error(`prepareRules threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      }
      for (const rej of prepared.rejected) check(rej.error instanceof RuleParseError && rej.error.line >= 1, 'a compile reject without file:line', rej.error.message);
      // The damaged rules that did load must evaluate on real packets without failing.
      for (const cap of ruleReplayCaptures(size)) {
        for (const mode of ['packet', 'stream'] as const) {
          const r = await bounded(new Replayer(prepared.detector, { mode }).replay(cap.bytes, cap.name, (a) => void formatFast(a)), 20_000, `replay of damaged rules on ${cap.name}`);
          check(r.engineErrors === 0, `damaged rules fail on ${cap.name} (${mode})`, { error: r.engineError, mutated: [...c.damaged.keys()].map((i) => mutated[i]) });
          check(r.error === undefined, 'an undamaged capture reported damage', r.error?.message);
        }
      }
    }
  });
}

/** Variable definitions (`var`/`ipvar`/`portvar` lines) and a rule using the last ones. */
export interface VarsCase {
  lines: string[];
  rule: string;
}

/**
 * Chains of variables that list earlier ones (often the previous one several times, as a
 * billion-laughs file would), negations, cycles, bad leaves; then a rule whose source
 * address and destination port are the last variables.
 */
export function varsCase(size: FuzzSize): fc.Arbitrary<VarsCase> {
  const maxVars = size === 'ci' ? 16 : 40;
  const good = { ip: fc.constantFrom('any', '10.0.0.0/8', '1.2.3.4', '[1.2.3.4,5.6.7.8]', '::1', '2001:db8::/32'), port: fc.constantFrom('any', '80', '1:1024', '[80,8080]', ':100') };
  const bad = { ip: fc.constantFrom('999.1.1.1', '1.2.3.4/33', '[', '!any', '$'), port: fc.constantFrom('65536', '5:1', 'x', '!any', '[') };
  const name = (kind: 'ip' | 'port', j: number): string => `$${kind.toUpperCase()}${j}`;
  // Mostly valid: most items name the previous variable (the chains that multiply).
  const item = (kind: 'ip' | 'port', i: number): fc.Arbitrary<string> =>
    fc.oneof(
      { weight: 16, arbitrary: i > 0 ? fc.constant(name(kind, i - 1)) : good[kind] },
      { weight: 4, arbitrary: good[kind] },
      { weight: 3, arbitrary: fc.nat({ max: Math.max(0, i - 1) }).map((j) => (i > 0 ? name(kind, j) : '1.2.3.4')) },
      { weight: 2, arbitrary: fc.nat({ max: Math.max(0, i - 1) }).map((j) => (i > 0 ? `!${name(kind, j)}` : '!1.2.3.4')) },
      // a later variable (undefined yet, or a cycle through a redefinition) and bad leaves
      { weight: 1, arbitrary: fc.nat({ max: maxVars }).map((j) => name(kind, j)) },
      { weight: 1, arbitrary: bad[kind] },
    );
  const def = (kind: 'ip' | 'port', i: number): fc.Arbitrary<string> =>
    fc.tuple(fc.array(item(kind, i), { minLength: 1, maxLength: 8 }), fc.constantFrom('var', kind === 'ip' ? 'ipvar' : 'portvar')).map(
      ([items, keyword]) => `${keyword} ${kind.toUpperCase()}${i} ${items.length === 1 ? items[0] : `[${items.join(',')}]`}`,
    );
  return fc.integer({ min: 1, max: maxVars }).chain((n) =>
    fc.tuple(
      fc.tuple(...Array.from({ length: n }, (_, i) => def('ip', i))),
      fc.tuple(...Array.from({ length: n }, (_, i) => def('port', i))),
    ).map(([ips, ports]) => ({
      lines: [...ips, ...ports],
      rule: `alert tcp $IP${n - 1} any -> any $PORT${n - 1} (msg:"vars"; content:"e"; sid:9300001; rev:1;)`,
    })),
  );
}

/**
 * Variable chains, in the rules file and as a `--vars` file (`prepareRules` `varsFile`):
 * the rule loads or is rejected with a RuleParseError on its line, never an exception, and
 * within `boundMs` (variable values are not re-expanded per reference).
 */
export function varsProperty(dir: string, size: FuzzSize, boundMs = 2000): fc.IProperty<[VarsCase]> {
  let n = 0;
  return fc.property(varsCase(size), (c) => {
    const t0 = performance.now();
    const text = [...c.lines, c.rule].join('\n');
    let r: ReturnType<typeof loadRuleTexts>;
    try {
      r = loadRuleTexts([{ file: 'vars.rules', text }]);
    } catch (e) {
      throw new Error(`loadRuleTexts threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
    check(r.rules.length + r.rejected.length >= 1, 'the rule was neither loaded nor rejected');
    for (const x of r.rejected) check(x.error instanceof RuleParseError && x.error.line >= 1, 'a reject without a RuleParseError on a line', x.error.message);
    const varsFile = join(dir, `vars-${n++ % 4}.conf`);
    writeFileSync(varsFile, c.lines.join('\n'));
    try {
      const p = prepareRules({ varsFile, ruleTexts: [{ file: 'r.rules', text: c.rule }] });
      for (const x of p.rejected) check(x.error instanceof RuleParseError, 'a reject without a RuleParseError', x.error.message);
    } catch (e) {
      // A bad variables file is a RuleParseError or a UsageError (documented for prepareRules).
      check(e instanceof RuleParseError || e instanceof UsageError, `prepareRules threw ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
    const ms = performance.now() - t0;
    check(ms < boundMs, `variables took ${ms.toFixed(0)} ms`, c.lines.slice(0, 6));
  });
}

// ---- signature files -----------------------------------------------------------------------

/** Real pcre options of the bundled rules (the `scan` signature format takes them as they are). */
export function bundledPcres(): string[] {
  const out: string[] = [];
  for (const f of bundledRuleFiles()) {
    for (const l of f.lines) {
      for (const m of l.matchAll(/pcre:"((?:[^"\\]|\\.)*)"/g)) out.push(m[1]!);
    }
  }
  return out;
}

const REGEX_PIECES = [
  'a', 'b', '.', '\\d', '\\w', '\\s', '\\x00', '\\xff', '\\x', '\\', '[a-z]', '[^\\n]', '[z-a]', '[', ']', '(', ')', '(?:', '(?=', '(?!', '(?<=', '(?<!',
  '(?>', '(?i)', '(?P<n>', '\\1', '\\k<n>', '|', '*', '+', '?', '*?', '++', '{2}', '{2,}', '{,3}', '{3,2}', '{65536}', '{99999999999}', '{1000}{1000}',
  '^', '$', '\\b', '\\B', '\\A', '\\Z', '\\z', '\\G', '\\Q', '\\E', '\\p{L}', '\\cA', '\\o{777}', '\\u{1F600}', '(*UTF)', '(?#c)', '(?R)', '(?1)', '\u0000', '\u00ff', '\u{1F600}', '"', ' ', '#', '/',
];

/** One line of a signature file: a real pcre, a random regex, junk, a comment or a blank. */
export function signatureLine(pcres: readonly string[]): fc.Arbitrary<string> {
  const regex = fc.array(fc.constantFrom(...REGEX_PIECES), { maxLength: 12 }).map((a) => a.join(''));
  const flags = fc.constantFrom('', 'i', 's', 'm', 'x', 'smi', 'R', 'U', 'P', 'H', 'AE', 'G', 'Q', 'zz');
  return fc
    .oneof(
      { weight: 3, arbitrary: fc.constantFrom(...pcres) },
      { weight: 4, arbitrary: fc.tuple(regex, flags).map(([r, f]) => `/${r}/${f}`) },
      { weight: 2, arbitrary: regex },
      { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) },
      { weight: 1, arbitrary: fc.constantFrom('', '   ', '# comment', '#/a/', '/', '//', '///', '/a', 'a/', '/a/ii', '\t/a/\t', '/a/\r') },
    )
    .map((s) => s.replace(/\n/g, ' '));
}

/** A signature file text and the engine to compile it with. */
export interface SignatureCase {
  text: string;
  engine: EngineName | undefined;
}

/** Signature files of random lines and an engine (undefined: the default configuration). */
export function signatureCase(pcres: readonly string[], size: FuzzSize): fc.Arbitrary<SignatureCase> {
  return fc.record({
    text: fc.array(signatureLine(pcres), { maxLength: size === 'ci' ? 12 : 60 }).map((ls) => ls.join('\n')),
    engine: fc.constantFrom<EngineName | undefined>(undefined, ...ENGINE_NAMES),
  });
}

const SCAN_INPUT = new TextEncoder().encode('GET /index.html?uid=0(root) HTTP/1.1\r\nHost: a\r\n\r\nPORT 1,2,3,4,5,6\r\n\u0000\u00ff');

/**
 * Signature files: `parseSignatureLines` then `compile` never throw (but the documented
 * LimitExceededError of a whole-set engine build: a DFA's states); each source is the
 * trimmed text of its line; every rejected signature carries an NfaObddError and its own
 * source; the matcher then scans an input without throwing; all within `boundMs`.
 */
export function signatureProperty(pcres: readonly string[], size: FuzzSize, boundMs = 10_000): fc.IProperty<[SignatureCase]> {
  return fc.property(signatureCase(pcres, size), ({ text, engine }) => {
    const { sources, lines } = parseSignatureLines(text);
    const all = text.split('\n');
    check(sources.length === lines.length, 'sources and lines differ in length');
    for (let i = 0; i < sources.length; i++) {
      check(all[lines[i]! - 1]!.trim() === sources[i], `signature ${i} is not the text of line ${lines[i]}`);
      check(sources[i] !== '' && !sources[i]!.startsWith('#'), 'a blank or comment line became a signature');
    }
    const t0 = performance.now();
    let result: ReturnType<typeof compile>;
    try {
      result = engine === undefined ? compile(sources) : compile(sources, { engine } as Parameters<typeof compile>[1]);
    } catch (e) {
      // Documented: the engine's own build past its budget (a DFA's states, the BDD nodes)
      // throws LimitExceededError for the whole set (`scan` reports it, exit 1).
      if (e instanceof LimitExceededError) {
        const ms = performance.now() - t0;
        check(ms < boundMs, `compile took ${ms.toFixed(0)} ms to exceed its budget (engine ${engine ?? 'default'})`, sources);
        return;
      }
      throw new Error(`compile threw (engine ${engine ?? 'default'}): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
    try {
      for (const r of result.rejected) {
        check(r.error instanceof NfaObddError, 'a rejected signature without a typed error', { source: r.source, error: String(r.error) });
        check(r.signature >= 0 && r.signature < sources.length && sources[r.signature] === r.source, 'a reject names the wrong signature', r);
      }
      const m = result.matcher;
      const scratch = m.createScratch();
      try {
        m.scan(scratch, SCAN_INPUT, () => {});
        m.finish(scratch, () => {});
      } catch (e) {
        throw new Error(`scan threw (engine ${engine ?? 'default'}): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      }
    } finally {
      (result.matcher as { close?: () => void }).close?.();
    }
    const ms = performance.now() - t0;
    check(ms < boundMs, `compile and scan took ${ms.toFixed(0)} ms (engine ${engine ?? 'default'})`, sources);
  });
}

// ---- CLI arguments -------------------------------------------------------------------------

/** The tiny files the CLI cases point at (made once in a temporary folder). */
export interface CliFiles {
  dir: string;
  pcap: string;
  pcapng: string;
  damagedPcap: string;
  rules: string;
  badRules: string;
  sigs: string;
  badSigs: string;
  input: string;
  empty: string;
  binary: string;
  vars: string;
  missing: string;
  list: string;
}

/** Writes the tiny inputs of the CLI cases. */
export function makeCliFiles(): CliFiles {
  const dir = mkdtempSync(join(tmpdir(), 'nfa-obdd-fuzz-'));
  const caps = bundledCaptures(2100);
  const small = caps[0]!;
  const f = (name: string, data: string | Uint8Array): string => {
    const p = join(dir, name);
    writeFileSync(p, data);
    return p;
  };
  mkdirSync(join(dir, 'subdir'));
  const files: CliFiles = {
    dir,
    pcap: f('small.pcap', small.bytes),
    pcapng: f('small.pcapng', toPcapng(small).bytes),
    damagedPcap: f('damaged.pcap', small.bytes.subarray(0, Math.floor(small.bytes.length * 0.6))),
    rules: f('small.rules', FUZZ_RULES),
    badRules: f('bad.rules', 'alert tcp any any -> any any (content:"x; sid:1;)\nalert bogus\nalert tcp any any -> any any (content:"ok"; sid:2;)\n'),
    sigs: f('sigs.txt', '/GET/\n# c\n/uid=0/i\nHTTP\n'),
    badSigs: f('bad-sigs.txt', '/(/\n/a{99999999}/\n/(?<=a+)b/\n/ok/\n'),
    input: f('input.bin', SCAN_INPUT),
    empty: f('empty', ''),
    binary: f('binary', new Uint8Array([0x1f, 0x8b, 0, 1, 2, 255, 0xd4, 0xc3, 0xb2, 0xa1])),
    vars: f('vars.conf', 'var HOME_NET any\nipvar EXTERNAL_NET !$HOME_NET\nportvar HTTP_PORTS [80,8080]\nvar BROKEN [\n'),
    missing: join(dir, 'does-not-exist'),
    list: '',
  };
  files.list = f('list.txt', `${files.pcap}\n${files.missing}\n`);
  return files;
}

/** Values of one option: `good` ones (that the command accepts) and `bad` ones. */
interface ValuePool {
  good: readonly string[];
  bad: readonly string[];
}

/** One option of a command: a flag, or a value option with its pool. */
type OptionPool = 'flag' | ValuePool;

/** The option names of each command (as their `parseArgs` specs list them) with value pools. */
function cliSpecs(fl: CliFiles): Record<string, Record<string, OptionPool>> {
  const caps = { good: [fl.pcap, fl.pcapng], bad: [fl.damagedPcap, fl.missing, fl.empty, fl.binary, fl.dir, fl.rules, fl.list] };
  const rules = { good: [fl.rules, fl.badRules], bad: [fl.missing, fl.empty, fl.binary, fl.dir, fl.pcap] };
  const sigs = { good: [fl.sigs, fl.badSigs], bad: [fl.missing, fl.empty, fl.binary, fl.dir, fl.pcap] };
  const inputs = { good: [fl.input, fl.empty, fl.binary], bad: [fl.missing, fl.dir] };
  const engine = {
    good: ['nfa', 'obdd', 'obdd2', 'dfa', 'mdfa', 'regexp', 'obdd:memo=false', 'obdd:memoKey=pair'],
    bad: ['bogus', '', 'nfa:x=1', 'obdd:memo', 'dfa:maxStates=1', 'nfa:maxStates=-1', 'obdd:=', ':', 'nfa,dfa', 'obdd:memo=maybe'],
  };
  const ints = { good: ['1', '2', '3', '100'], bad: ['0', '-1', '1.5', 'abc', '', '1e3', '99999999999999999999', 'NaN', 'Infinity', '0x10', ' 3'] };
  const bytes = { good: ['1', '64k', '32m', '1000000'], bad: ['0', '-1', 'k', '1g5', '99999999999999999999999', 'abc', ''] };
  const engineFlags: Record<string, OptionPool> = {
    'no-memo': 'flag',
    'memo-budget': bytes,
    prefilter: 'flag',
    'no-prefilter': 'flag',
    'no-confirm': 'flag',
    'confirm-budget': { good: ['1', '100', '0.5'], bad: ['0', '-5', 'abc', 'Infinity', ''] },
  };
  const format = (good: string[]): ValuePool => ({ good, bad: ['xml', '', 'TEXT', 'fast,json'] });
  return {
    replay: {
      rules,
      pcap: caps,
      'include-disabled': 'flag',
      vars: { good: [fl.vars], bad: [fl.missing, fl.binary, fl.dir, fl.rules] },
      var: { good: ['HOME_NET=any', 'HTTP_PORTS=[80,8080]', 'EXTERNAL_NET=!$HOME_NET'], bad: ['HOME_NET=[10.0.0.0/8', 'X', '=1', 'HTTP_PORTS=99999', 'EXTERNAL_NET=!any', ''] },
      select: { good: ['http', 'ftp', 'proto=tcp', 'dport=80', 'sid=9100001'], bad: ['bogus', 'proto=', '(((', 'dport=99999999', ''] },
      engine,
      ...engineFlags,
      stream: 'flag',
      midstream: 'flag',
      'stream-depth': ints,
      'limit-packets': ints,
      workers: { good: ['1'], bad: ['0', 'abc', '-2', '300', '1.5', ''] },
      format: format(['fast', 'json']),
      quiet: 'flag',
      verbose: 'flag',
      'no-progress': 'flag',
      progress: 'flag',
    },
    scan: {
      signatures: sigs,
      input: inputs,
      pcap: caps,
      engine,
      mode: { good: ['all', 'set'], bad: ['first', ''] },
      first: 'flag',
      format: format(['text', 'json']),
      ...engineFlags,
    },
    compare: {
      signatures: sigs,
      rules,
      'include-disabled': 'flag',
      select: { good: ['http', 'proto=tcp'], bad: ['bogus', ''] },
      pcap: caps,
      input: inputs,
      engines: { good: ['nfa', 'nfa,dfa', 'nfa+pf,obdd', 'obdd:memo=false,regexp', 'nfa,nfa'], bad: ['bogus', '', ',', 'nfa+pf+pf'] },
      mode: { good: ['all', 'set'], bad: ['x'] },
      runs: { good: ['1', '2'], bad: ['0', '-1', 'abc', '1.5', ''] },
      baseline: { good: ['nfa'], bad: ['dfa', 'bogus', ''] },
      'byte-budget': { good: ['1', '100', '1e6'], bad: ['-1', 'abc', '1e309'] },
      'time-budget': { good: ['0', '1', '100'], bad: ['-1', 'abc', 'Infinity'] },
      'max-disagreements': { good: ['0', '1', '5'], bad: ['-1', 'abc'] },
      format: format(['text', 'json']),
      ...engineFlags,
    },
    info: {
      format: format(['text', 'json']),
    },
  };
}

/**
 * The options a command needs to do anything (so that the cases get past the usage
 * checks): alternatives, each a list of (option, how many values).
 */
const CORE: Record<string, readonly (readonly [string, number])[][]> = {
  replay: [[['rules', 1], ['pcap', 2]]],
  scan: [[['signatures', 1], ['input', 1]], [['signatures', 1], ['pcap', 2]]],
  compare: [[['signatures', 1], ['input', 2]], [['signatures', 1], ['pcap', 2]], [['rules', 1], ['pcap', 2]], [['rules', 1], ['input', 1]]],
  info: [],
};

/** Junk tokens. */
const JUNK_ARGS = ['--', '--unknown', '--=', '---', '--pcap=', '--format=json', '--quiet=1', '-x', '', ' ', '--help', '-h', '\u0000', 'é', '--engine=obdd:memo=false'];

/** A value from a pool: good six times in eight, bad once, a random string once (never '-': stdin). */
function poolValue(pool: ValuePool): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...pool.good) },
    { weight: 1, arbitrary: fc.constantFrom(...pool.bad) },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map((s) => (s === '-' ? '-?' : s)) },
  );
}

/** `--name value` (or `--name=value`, or a flag) for one option. */
function optionTokens(name: string, pool: OptionPool): fc.Arbitrary<string[]> {
  if (pool === 'flag') return fc.constant([`--${name}`]);
  return fc.tuple(poolValue(pool), fc.boolean()).map(([v, eq]) => (eq ? [`--${name}=${v}`] : [`--${name}`, v]));
}

/**
 * An argv for `command`: mostly a usable core (the options it requires, good values three
 * times in four) plus random options of the command, now and then a junk token, a missing
 * value or a stray positional.
 */
export function cliArgv(fl: CliFiles, command: string, size: FuzzSize): fc.Arbitrary<string[]> {
  const spec = cliSpecs(fl)[command]!;
  const names = Object.keys(spec);
  const infoFiles = { good: [fl.pcap, fl.pcapng], bad: [fl.damagedPcap, fl.missing, fl.empty, fl.binary, fl.dir] };
  const core: fc.Arbitrary<string[]> =
    command === 'info'
      ? fc.array(poolValue(infoFiles), { minLength: 1, maxLength: 3 })
      : fc.constantFrom(...CORE[command]!).chain((alt) =>
          fc.tuple(...alt.map(([n, max]) => fc.array(optionTokens(n, spec[n]!), { minLength: 1, maxLength: max }).map((ts) => ts.flat()))).map((ps) => ps.flat()),
        );
  const extra: fc.Arbitrary<string[]> = fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...names).chain((n) => optionTokens(n, spec[n]!)) },
    { weight: 1, arbitrary: fc.constantFrom(...names).map((n) => [`--${n}`]) },
    // Never '-' (stdin): in-process, a command reading stdin would wait for the test runner's stdin.
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom(...JUNK_ARGS), fc.string({ maxLength: 6 })).map((s) => [s === '-' ? '-?' : s]) },
  );
  return fc
    .tuple(fc.oneof({ weight: 9, arbitrary: core }, { weight: 1, arbitrary: fc.constant<string[]>([]) }), fc.array(extra, { maxLength: size === 'ci' ? 4 : 10 }), fc.nat())
    .map(([c, extras, at]) => {
      const ex = extras.flat();
      // the core first or after some extras (a value-less option then eats a core token: fine)
      const cut = extras.length === 0 ? 0 : at % (extras.length + 1);
      const before = extras.slice(0, cut).flat();
      const argv = [...before, ...c, ...ex.slice(before.length)];
      // Keep every run small: at most 3 packets per capture in replay (and no progress
      // line unless the case asks for one).
      if (command === 'replay') argv.push('--limit-packets', '3', ...(argv.some((a) => a.startsWith('--progress')) ? [] : ['--no-progress']));
      return argv;
    });
}

/** What one in-process command run gave: exit code, stdout, stderr. */
export interface CliOutcome {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs a command module's `run(argv)` as `main` does (UsageError: message and exit 2; any
 * other NfaObddError: message and exit 1; anything else escapes, as it would reach the
 * user as an internal error with its stack), with stdout and stderr captured.
 */
export async function runCommand(run: (argv: string[]) => Promise<number>, name: string, argv: string[]): Promise<CliOutcome> {
  let out = '';
  let err = '';
  const ow = process.stdout.write;
  const ew = process.stderr.write;
  process.stdout.write = ((s: string | Uint8Array) => {
    out += String(s);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => {
    err += String(s);
    return true;
  }) as typeof process.stderr.write;
  try {
    try {
      return { code: await run(argv), out, err };
    } catch (e) {
      if (e instanceof UsageError) {
        err += `nfa-obdd ${name}: ${e.message}\n`;
        return { code: 2, out, err };
      }
      if (e instanceof NfaObddError) {
        err += `nfa-obdd ${name}: ${e.message}\n`;
        return { code: 1, out, err };
      }
      err += `nfa-obdd: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`;
      return { code: 70, out, err };
    }
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
}

/** The command modules, loaded lazily. */
export const CLI_COMMANDS: Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>> = {
  replay: () => import('../../src/cli/replay.js'),
  scan: () => import('../../src/cli/scan.js'),
  compare: () => import('../../src/cli/compare.js'),
  info: () => import('../../src/cli/info.js'),
};

/**
 * Random argv of `command`: the exit code is 0, 1 or 2, a usage error (2) says something
 * on stderr, and stderr never holds a stack trace; each run within `boundMs`.
 */
export function cliProperty(fl: CliFiles, command: string, run: (argv: string[]) => Promise<number>, size: FuzzSize, boundMs = 10_000): fc.IAsyncProperty<[string[]]> {
  return fc.asyncProperty(cliArgv(fl, command, size), async (argv) => {
    const r = await bounded(runCommand(run, command, argv), boundMs, `${command} ${argv.join(' ')}`);
    check([0, 1, 2].includes(r.code), `exit code ${r.code}`, { argv, err: r.err.slice(0, 1500) });
    check(!STACK_LINE.test(r.err), 'a stack trace on stderr', { argv, err: r.err.slice(0, 1500) });
    if (r.code === 2) check(r.err.trim().length > 0, 'a usage error without a message', argv);
  });
}

/** A damaged capture given to a command, and how the command is asked to read it. */
export interface CliCaptureCase {
  base: BaseCapture;
  mutations: CaptureMutation[];
  command: 'info' | 'scan' | 'replay';
  extra: string[];
}

/**
 * Damaged captures through the commands that read captures (`info`, `scan --pcap`,
 * `replay --pcap`, packet and stream mode, both output formats): exit 0 for a capture the
 * parser reads cleanly and 1 for a damaged one (each command documents 1 for damage), the
 * damage named on stderr, never a stack trace; each run within `boundMs`.
 */
export function cliCaptureProperty(fl: CliFiles, bases: readonly BaseCapture[], runs: Record<'info' | 'scan' | 'replay', (argv: string[]) => Promise<number>>, size: FuzzSize, boundMs = 10_000): fc.IAsyncProperty<[CliCaptureCase]> {
  const arb: fc.Arbitrary<CliCaptureCase> = fc.record({
    base: fc.constantFrom(...bases),
    mutations: fc.array(captureMutation, { minLength: 0, maxLength: size === 'ci' ? 3 : 6 }),
    command: fc.constantFrom<'info' | 'scan' | 'replay'>('info', 'scan', 'replay'),
    extra: fc.subarray(['--format=json', '--stream', '--first'], { minLength: 0 }),
  });
  let n = 0;
  return fc.asyncProperty(arb, async (c) => {
    const { bytes } = applyCaptureMutations(c.base, c.mutations);
    const damaged = parseCaptureBuffer(bytes).error !== undefined;
    const path = join(fl.dir, `case-${n++ % 8}.${c.base.format}`);
    writeFileSync(path, bytes);
    let argv: string[];
    if (c.command === 'info') argv = [...c.extra.filter((x) => x === '--format=json'), path];
    else if (c.command === 'scan') argv = ['--signatures', fl.sigs, '--pcap', path, ...c.extra.filter((x) => x !== '--stream')];
    else argv = ['--rules', fl.rules, '--pcap', path, '--no-progress', '--quiet', ...c.extra.filter((x) => x !== '--first').map((x) => (x === '--format=json' ? '--format=json' : x))];
    const r = await bounded(runCommand(runs[c.command], c.command, argv), boundMs, `${c.command} ${argv.join(' ')}`);
    check(!STACK_LINE.test(r.err), 'a stack trace on stderr', { argv, err: r.err.slice(0, 1500) });
    check(r.code === (damaged ? 1 : 0), `exit code ${r.code} for a ${damaged ? 'damaged' : 'clean'} capture`, { argv, err: r.err.slice(0, 1500) });
    if (damaged) check(/at byte \d+/.test(r.err) || /error/.test(r.out), 'the damage is not reported', { argv, err: r.err.slice(0, 800), out: r.out.slice(0, 400) });
  });
}
