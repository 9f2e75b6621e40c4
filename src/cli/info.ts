/**
 * `info FILE... [--format text|json]`: what is in each capture file: format, link types,
 * packet count, captured bytes, first/last timestamp, tolerated oddities and the error if
 * the file is damaged. Files are streamed (any size, gzip'd or not; `-` is stdin). A
 * damaged file still reports what was read before the damage; the exit code is 1 when any
 * file was damaged or unreadable, else 0.
 */
import { PcapFormatError, UsageError } from '../errors.js';
import { readCapture } from '../pcap/reader.js';
import { type CaptureWarnings, linkTypeName, nonZeroWarnings } from '../pcap/types.js';
import { DECODED_LINK_TYPES } from '../pcap/decode.js';
import { parseArgs } from './args.js';

/** The `info --help` text. */
export const usage = `usage: nfa-obdd info FILE... [--format text|json]

Describe capture files: classic pcap (micro- or nanosecond, either byte order), pcapng
(several interfaces and sections), and gzip'd captures of either. FILE '-' reads stdin.

options:
  --format text|json   text (default), or one JSON line per file:
                       {"file","format","linktypes","packets","bytes","first","last","warnings","error"}

A link type the decoder cannot read (replay and scan skip its packets) is marked
'(not decoded)' in the text output and named in a warning on stderr.

exit status: 0 every file read cleanly, 1 a file was damaged or unreadable, 2 bad usage.
`;

/** What `info` reports for one capture file (one JSON line with `--format json`). */
export interface FileInfo {
  file: string;
  /** pcap, pcap-ns, pcap-modified or pcapng, with '+gzip' when compressed; null if unknown. */
  format: string | null;
  linktypes: string[];
  packets: number;
  /** Sum of captured lengths. */
  bytes: number;
  /** ISO 8601 UTC with nanoseconds, null without packets. */
  first: string | null;
  last: string | null;
  warnings: Partial<CaptureWarnings>;
  /** The damage ("reason at byte N"), null for a clean file. */
  error: string | null;
}

/**
 * A capture timestamp (`sec` seconds since the epoch, `nsec` nanoseconds) as ISO 8601 UTC with
 * nanoseconds; `sec.nnnnnnnnn` when out of the Date range.
 */
export function formatTimestamp(sec: number, nsec: number): string {
  const d = new Date(sec * 1000);
  if (Number.isNaN(d.getTime())) return `${sec}.${String(nsec).padStart(9, '0')}`;
  return `${d.toISOString().slice(0, 19)}.${String(nsec).padStart(9, '0')}Z`;
}

/** Read one capture to its end (or its damage) and summarise it. Never throws. */
export async function describeCapture(file: string): Promise<FileInfo> {
  return (await describe(file)).info;
}

/** `describeCapture`, plus the link types of the capture that the decoder does not read. */
async function describe(file: string): Promise<{ info: FileInfo; undecoded: number[] }> {
  const reader = readCapture(file === '-' ? process.stdin : file, { file });
  let first: string | null = null;
  let lastSec = 0;
  let lastNsec = 0;
  let error: string | null = null;
  try {
    await reader.forEach((p) => {
      if (first === null) first = formatTimestamp(p.tsSec, p.tsNsec);
      lastSec = p.tsSec;
      lastNsec = p.tsNsec;
    });
  } catch (e) {
    error =
      e instanceof PcapFormatError
        ? `${e.reason} at byte ${e.byteOffset}${reader.gzip ? ' (decompressed)' : ''}`
        : `unexpected failure: ${e instanceof Error ? e.message : String(e)}`;
  }
  const s = reader.summary();
  const info: FileInfo = {
    file,
    format: s.format === undefined ? null : `${s.format}${s.gzip ? '+gzip' : ''}`,
    linktypes: s.linkTypes.map(linkTypeName),
    packets: s.packets,
    bytes: s.bytes,
    first,
    last: first === null ? null : formatTimestamp(lastSec, lastNsec),
    warnings: nonZeroWarnings(s.warnings),
    error,
  };
  return { info, undecoded: s.linkTypes.filter((t) => !DECODED_LINK_TYPES.has(t)) };
}

function textBlock(info: FileInfo, undecoded: readonly number[]): string {
  const skipped = new Set(undecoded.map(linkTypeName));
  const w = Object.entries(info.warnings)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const lines = [
    info.file,
    `  format:     ${info.format ?? 'unknown'}`,
    `  link types: ${info.linktypes.map((t) => (skipped.has(t) ? `${t} (not decoded)` : t)).join(', ') || '-'}`,
    `  packets:    ${info.packets}`,
    `  bytes:      ${info.bytes}`,
    `  first:      ${info.first ?? '-'}`,
    `  last:       ${info.last ?? '-'}`,
  ];
  if (w) lines.push(`  warnings:   ${w}`);
  if (info.error) lines.push(`  error:      ${info.error} (after ${info.packets} packets)`);
  return `${lines.join('\n')}\n`;
}

/**
 * Runs `info` with `argv` (the arguments after the command); resolves to the exit code (1 when
 * a file was damaged or unreadable). Throws UsageError for bad options.
 */
export async function run(argv: string[]): Promise<number> {
  const { options, positionals } = parseArgs(argv, { format: 'value' });
  const format = (options.format as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not '${format}'`);
  if (positionals.length === 0) throw new UsageError('no capture file given');
  let damaged = false;
  for (const file of positionals) {
    const { info, undecoded } = await describe(file);
    if (info.error !== null) damaged = true;
    for (const t of undecoded) {
      process.stderr.write(`nfa-obdd info: warning: ${file}: link type ${linkTypeName(t)} (${t}) is not decoded (replay and scan skip its packets)\n`);
    }
    if (format === 'json') process.stdout.write(`${JSON.stringify(info)}\n`);
    else process.stdout.write(textBlock(info, undecoded));
  }
  return damaged ? 1 : 0;
}
