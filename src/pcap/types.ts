/**
 * Shared shapes of the capture reader: what one packet record looks like, what a capture
 * file's interfaces are, and the warning counters. A `Packet` is a record as stored in the
 * file (link-layer bytes, not yet decoded); `decode.ts` turns it into 5-tuple + payload.
 *
 * Guarantee: `Packet.data` is a view into the reader's input buffer (no copy). The reader
 * never writes into a buffer it has handed out views of, so a view stays valid for as long
 * as the caller holds it (holding it also keeps its underlying chunk alive).
 */

/**
 * File format of a capture: classic pcap (micro- or nanosecond timestamps, or Kuznetzov's
 * modified pcap) or pcapng.
 */
export type CaptureFormat = 'pcap' | 'pcap-ns' | 'pcap-modified' | 'pcapng';

/** Link-layer header types (LINKTYPE_* values as stored in files) that the decoder knows. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

const LINKTYPE_NAMES: Record<number, string> = {
  0: 'NULL',
  1: 'EN10MB',
  9: 'PPP',
  12: 'RAW',
  14: 'RAW',
  101: 'RAW',
  105: 'IEEE802_11',
  108: 'LOOP',
  113: 'LINUX_SLL',
  127: 'IEEE802_11_RADIO',
  228: 'IPV4',
  229: 'IPV6',
  276: 'LINUX_SLL2',
};

/** libpcap's short name for a link type (as tcpdump prints it), or `LINKTYPE_<n>`. */
export function linkTypeName(linkType: number): string {
  return LINKTYPE_NAMES[linkType] ?? `LINKTYPE_${linkType}`;
}

/** One capture interface (a pcapng IDB, or the classic pcap header). */
export interface CaptureInterface {
  /** Interface id as referenced by pcapng packet blocks (0 for classic pcap). */
  readonly id: number;
  readonly linkType: number;
  /** 0 means "not set / unlimited". */
  readonly snapLength: number;
  /** Timestamp units per second (1e6 for microsecond pcap, 1e9 for nanosecond...). */
  readonly tsUnitsPerSecond: number;
  /** pcapng section this interface belongs to (0 for classic pcap). */
  readonly section: number;
}

/** One packet record as stored in the capture. */
export class Packet {
  constructor(
    /** 0-based record number in the capture (counts packet records only). */
    readonly index: number,
    /** Seconds since the epoch (integer). */
    readonly tsSec: number,
    /** Nanoseconds within the second, 0..999 999 999. */
    readonly tsNsec: number,
    readonly linkType: number,
    readonly interfaceId: number,
    /** Length on the wire (may exceed `data.length` when the capture was snapped). */
    readonly originalLength: number,
    /** Captured bytes: a view into the reader's buffer, no copy. */
    readonly data: Uint8Array,
    /** Byte offset of the record in the (decompressed) capture stream. */
    readonly fileOffset: number,
  ) {}

  get capturedLength(): number {
    return this.data.length;
  }
}

/**
 * Oddities that do not stop reading; each is counted. libpcap accepts all of these too
 * (so packet counts stay equal to what it reports).
 */
export interface CaptureWarnings {
  /** A record claims more captured bytes than the file's snapshot length. */
  caplenAboveSnaplen: number;
  /** A record claims more captured bytes than its original length. */
  caplenAboveOriglen: number;
  /** Sub-second timestamp field out of range (e.g. microseconds ≥ 1 000 000). */
  badTimestamp: number;
  /** pcapng block of a type we do not know (skipped). */
  unknownBlockType: number;
  /** pcapng block we know but that carries no packet (name resolution, statistics...). */
  skippedBlocks: number;
  /** pcapng option list that runs past its block (options ignored from there). */
  badOptions: number;
}

/** A `CaptureWarnings` with every count at 0. */
export function emptyWarnings(): CaptureWarnings {
  return {
    caplenAboveSnaplen: 0,
    caplenAboveOriglen: 0,
    badTimestamp: 0,
    unknownBlockType: 0,
    skippedBlocks: 0,
    badOptions: 0,
  };
}

/** Warnings with a non-zero count (for reports). */
export function nonZeroWarnings(w: CaptureWarnings): Partial<CaptureWarnings> {
  const out: Partial<CaptureWarnings> = {};
  for (const k of Object.keys(w) as (keyof CaptureWarnings)[]) if (w[k] !== 0) out[k] = w[k];
  return out;
}

/** Options of `CaptureParser` (and of the readers built on it). */
export interface ParserOptions {
  /**
   * Largest captured length accepted for one packet; a record claiming more is a
   * `PcapFormatError` (a corrupt length must not drive an allocation or a wait for
   * gigabytes). libpcap's own ceiling for most link types is 262 144.
   * @default 262144
   */
  maxPacketBytes?: number;
  /**
   * Largest pcapng block accepted (libpcap uses 16 MiB).
   * @default 16777216
   */
  maxBlockBytes?: number;
  /** File name used in error messages. */
  file?: string;
}
