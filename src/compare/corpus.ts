/**
 * What `compare` scans and with what: signature sets (a signature file, or the `pcre`
 * options of Snort rule files) and corpora (the transport payloads of capture files, or
 * raw files scanned whole), each item with a name for reports.
 *
 * Guarantees: a damaged capture yields the packets before the fault plus a warning naming
 * the file and byte offset (never a crash); an unreadable file is a typed error naming it
 * (`PcapFormatError` for captures, `RuleParseError` for rule and signature files). Payloads are copied out of
 * the capture buffer so that the buffer can be dropped.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { PcapFormatError, RuleParseError } from '../errors.js';
import { Decoder, DecodeStatus, parseCaptureBuffer, type Packet } from '../pcap/index.js';
import { loadRuleFiles, selectRules, type LoadResult } from '../rules/index.js';

/** A signature list with a name per signature, for reports. */
export interface SignatureSet {
  sources: string[];
  /** Where each signature came from: `file:line` or `file:line sid N`. */
  names: string[];
  /** Load figures for reports (rules: rules loaded, pcre options found...). */
  summary: string;
}

/** The inputs of a comparison (one payload or one file each), with names and total bytes. */
export interface Corpus {
  inputs: Uint8Array[];
  /** `file#packetIndex` for payloads, the path for raw files. */
  names: string[];
  bytes: number;
  summary: string;
  warnings: string[];
}

/**
 * One signature a line (`/pattern/flags` or a bare pattern); blank lines and lines starting
 * with `#` are skipped (the format of the `scan` command).
 */
export function readSignatureFile(path: string): SignatureSet {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (e) {
    throw new RuleParseError(`cannot read signatures: ${(e as Error).message}`, 0, path);
  }
  const { sources, lines } = parseSignatureLines(text);
  const names = lines.map((line) => `${path}:${line}`);
  return { sources, names, summary: `${sources.length} signatures from ${path}` };
}

/**
 * The signatures of a signature file's text (one a line, trimmed; blank lines and lines
 * starting with `#` skipped) and the 1-based line each one is on: signature id `i` (its
 * index in `sources`, the id matchers report) is on line `lines[i]`.
 */
export function parseSignatureLines(text: string): { sources: string[]; lines: number[] } {
  const sources: string[] = [];
  const lines: number[] = [];
  const all = text.split('\n');
  for (let i = 0; i < all.length; i++) {
    const t = all[i]!.trim();
    if (t === '' || t.startsWith('#')) continue;
    sources.push(t);
    lines.push(i + 1);
  }
  return { sources, lines };
}

/** Which rules' pcre options `pcreSetFromRules` takes. */
export interface RulePcreOptions {
  /** Load commented-out rules too. @default false */
  includeDisabled?: boolean;
  /** A rule selector (`http`, `ftp`, `proto=tcp,dport=80`...), see rules/select.ts. */
  select?: string;
}

/**
 * The `pcre` options of the rules in `paths` (in rule order, each option as written,
 * Snort flags included: the front end ignores buffer flags). Negated options are kept as
 * plain patterns: here we measure pattern matching, not rule logic.
 */
export function pcreSetFromRules(paths: readonly string[], options: RulePcreOptions = {}): SignatureSet {
  const loaded: LoadResult = loadRuleFiles(paths, { includeDisabled: options.includeDisabled ?? false });
  const rules = options.select ? selectRules(loaded.rules, options.select) : loaded.rules;
  const sources: string[] = [];
  const names: string[] = [];
  for (const r of rules) {
    for (const p of r.patterns) {
      if (p.kind !== 'pcre') continue;
      sources.push(p.source);
      names.push(`${r.file ? basename(r.file) : '<rules>'}:${r.line} sid ${r.sid}`);
    }
  }
  const summary =
    `${sources.length} pcre options from ${rules.length} rules` +
    (options.select ? ` selected by '${options.select}'` : '') +
    ` (${loaded.summary.loaded} loaded${options.includeDisabled ? ', disabled included' : ', enabled only'}, ${paths.length} file(s))`;
  return { sources, names, summary };
}

function readBytes(path: string): Uint8Array {
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * The TCP/UDP payload of a captured packet, or null when it has none to scan (not
 * decodable to IP, another protocol, or an empty payload: handshakes, ACKs). The bytes are
 * a view into `decoder`'s output, valid until its next decode: copy them to keep them.
 * One definition of "a packet's payload" for `compare --pcap` and `scan --pcap`.
 */
export function transportPayload(decoder: Decoder, packet: Packet): Uint8Array | null {
  if (decoder.decode(packet) !== DecodeStatus.OK) return null;
  const proto = decoder.out.protocol;
  if (proto !== 6 && proto !== 17) return null;
  const pl = decoder.out.payload;
  return pl.length === 0 ? null : pl;
}

/**
 * The non-empty TCP/UDP payloads of every packet of the captures, in file then packet
 * order. Empty payloads (handshakes, ACKs) are left out: they hold nothing to match.
 */
export function payloadsFromCaptures(paths: readonly string[]): Corpus {
  const inputs: Uint8Array[] = [];
  const names: string[] = [];
  const warnings: string[] = [];
  let bytes = 0;
  let packets = 0;
  const decoder = new Decoder();
  for (const path of paths) {
    let data: Uint8Array;
    try {
      data = readBytes(path);
    } catch (e) {
      throw new PcapFormatError(`cannot read capture: ${(e as Error).message}`, 0, 0, path);
    }
    const cap = parseCaptureBuffer(data, { file: path });
    if (cap.error) warnings.push(cap.error.message);
    const short = basename(path);
    for (const p of cap.list) {
      packets++;
      const pl = transportPayload(decoder, p);
      if (pl === null) continue;
      inputs.push(pl.slice());
      names.push(`${short}#${p.index}`);
      bytes += pl.length;
    }
  }
  return {
    inputs, names, bytes, warnings,
    summary: `${inputs.length} payloads, ${bytes} bytes, from ${packets} packets in ${paths.length} capture(s)`,
  };
}

/** Inputs already in memory (e.g. raw files read by the CLI), each scanned as one input. */
export function corpusFromBuffers(items: readonly { name: string; bytes: Uint8Array }[]): Corpus {
  let bytes = 0;
  for (const x of items) bytes += x.bytes.length;
  return {
    inputs: items.map((x) => x.bytes),
    names: items.map((x) => x.name),
    bytes,
    warnings: [],
    summary: `${items.length} file(s), ${bytes} bytes`,
  };
}
