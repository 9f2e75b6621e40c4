/**
 * Incremental, synchronous capture-file parser: classic libpcap (both byte orders,
 * microsecond `a1b2c3d4`, nanosecond `a1b23c4d`, Kuznetzov-modified `a1b2cd34`) and pcapng
 * (section headers in either byte order, interface descriptions with their own link type,
 * snap length, `if_tsresol` and `if_tsoffset`, enhanced / simple / obsolete packet blocks,
 * several sections and interfaces). Gzip is handled one layer up (`reader.ts`).
 *
 * Push bytes with `push`, pull packets with `next` until it returns `undefined` (needs
 * more bytes), and call `end` when the input is over. Guarantees:
 * - A fault throws a `PcapFormatError` (reason, byte offset, packets read so far) and the
 *   parser stays failed; every packet before the fault has already been returned.
 * - No allocation is ever sized by a length read from the file: lengths are checked against
 *   `maxPacketBytes` / `maxBlockBytes` before the parser waits for the bytes, and the only
 *   buffer it allocates joins an unfinished record's tail with the next pushed chunk
 *   (`bufferHighWater` records the largest).
 * - Packet data are views into pushed chunks. The parser never writes into a chunk, so
 *   views stay valid.
 * - Oddities libpcap tolerates (caplen above snaplen, bad sub-second field, unknown pcapng
 *   block types) are counted in `warnings`, not thrown, so packet counts match libpcap.
 */
import { PcapFormatError } from '../errors.js';
import {
  type CaptureFormat,
  type CaptureInterface,
  type CaptureWarnings,
  type ParserOptions,
  Packet,
  emptyWarnings,
} from './types.js';

const enum Mode {
  Start,
  ClassicHeader,
  Classic,
  Pcapng,
  Failed,
}

const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;
const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/** pcapng block types that carry no packet but are legitimate: skipped silently (counted). */
function isKnownNonPacketBlock(type: number): boolean {
  return (
    type === 4 || // name resolution
    type === 5 || // interface statistics
    type === 7 || // IRIG timestamp
    type === 8 || // ARINC 429
    type === 9 || // systemd journal export
    type === 0x0a || // decryption secrets
    type === 0x00000bad || // custom, copyable
    type === 0x40000bad // custom, not copyable
  );
}

/**
 * Push parser of pcap and pcapng bytes: `push` chunks as they arrive, take packets with `next`,
 * call `end` at the end of input. A fault throws PcapFormatError (see the module comment); the
 * parser then stays failed.
 */
export class CaptureParser {
  format: CaptureFormat | undefined;
  /** Every interface seen, across all pcapng sections (classic pcap: exactly one). */
  readonly allInterfaces: CaptureInterface[] = [];
  /** Distinct link types in the order first seen. */
  readonly linkTypes: number[] = [];
  readonly warnings: CaptureWarnings = emptyWarnings();
  packetsRead = 0;
  /** Sum of captured lengths of the packets returned. */
  bytesRead = 0;
  /** pcapng sections seen. */
  sections = 0;
  error: PcapFormatError | undefined;
  /** Largest buffer this parser allocated (joining a record's tail with the next chunk). */
  bufferHighWater = 0;

  private readonly maxPacketBytes: number;
  private readonly maxBlockBytes: number;
  private readonly file: string | undefined;

  private buf: Uint8Array = new Uint8Array(0);
  private dv: DataView = new DataView(this.buf.buffer);
  private pos = 0;
  /** Absolute stream offset of buf[0]. */
  private base = 0;
  private mode: Mode = Mode.Start;
  private little = true;

  // classic pcap
  private recordHeaderBytes = 16;
  private subSecondUnits = 1e6;
  private snapLength = 0;
  private linkType = 0;

  // pcapng: interfaces of the current section
  private sectionInterfaces: CaptureInterface[] = [];
  private readonly ifOffsetSec: number[] = [];

  // scratch results of timestamp conversion (avoids returning a tuple per packet)
  private tsSec = 0;
  private tsNsec = 0;

  constructor(options: ParserOptions = {}) {
    this.maxPacketBytes = options.maxPacketBytes ?? 262144;
    this.maxBlockBytes = options.maxBlockBytes ?? 16 * 1024 * 1024;
    this.file = options.file;
  }

  /** Absolute offset of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0 || this.mode === Mode.Failed) return;
    const rest = this.buf.length - this.pos;
    if (rest === 0) {
      this.base += this.buf.length;
      this.buf = chunk;
    } else {
      // Only an unfinished record's tail is carried over; it is bounded by the checked
      // record/block length, and the new buffer by bytes actually received.
      const joined = new Uint8Array(rest + chunk.length);
      joined.set(this.buf.subarray(this.pos));
      joined.set(chunk, rest);
      this.base += this.pos;
      this.buf = joined;
      if (joined.length > this.bufferHighWater) this.bufferHighWater = joined.length;
    }
    this.pos = 0;
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** The next packet, or `undefined` when more bytes are needed (or after a fault). */
  next(): Packet | undefined {
    for (;;) {
      const avail = this.buf.length - this.pos;
      switch (this.mode) {
        case Mode.Failed:
          return undefined;
        case Mode.Start:
          if (avail < 4) return undefined;
          this.detectFormat();
          continue;
        case Mode.ClassicHeader:
          if (avail < 24) return undefined;
          this.parseClassicHeader();
          continue;
        case Mode.Classic:
          return this.nextClassic(avail);
        case Mode.Pcapng: {
          const p = this.nextPcapngBlock(avail);
          if (p === null) return undefined; // need more bytes
          if (p !== undefined) return p;
          continue; // a non-packet block was consumed
        }
      }
    }
  }

  /** Declare the end of input: leftover bytes mean a truncated header, record or block. */
  end(): void {
    if (this.mode === Mode.Failed) return;
    const rest = this.buf.length - this.pos;
    const at = this.offset;
    switch (this.mode) {
      case Mode.Start:
        if (at === 0 && rest === 0) this.fail('empty file', 0);
        this.fail(`truncated file header: only ${rest} bytes`, 0);
        break;
      case Mode.ClassicHeader:
        this.fail(`truncated pcap file header: ${rest} of 24 bytes`, 0);
        break;
      case Mode.Classic:
        if (rest === 0) return;
        if (rest < this.recordHeaderBytes) {
          this.fail(`truncated record header: ${rest} of ${this.recordHeaderBytes} bytes`, at);
        }
        this.fail(
          `truncated record: header says ${this.u32(this.pos + 8)} captured bytes, only ` +
            `${rest - this.recordHeaderBytes} present`,
          at,
        );
        break;
      case Mode.Pcapng:
        if (rest === 0) return;
        if (rest < 12) this.fail(`truncated block header: ${rest} of 12 bytes`, at);
        this.fail(`truncated block: length says ${this.u32(this.pos + 4)} bytes, only ${rest} present`, at);
        break;
    }
  }

  // ---------------------------------------------------------------------------------------

  private fail(reason: string, byteOffset: number): never {
    this.mode = Mode.Failed;
    this.error = new PcapFormatError(reason, byteOffset, this.packetsRead, this.file);
    throw this.error;
  }

  private u32(at: number): number {
    return this.dv.getUint32(at, this.little);
  }

  private u16(at: number): number {
    return this.dv.getUint16(at, this.little);
  }

  private noteLinkType(lt: number): void {
    if (!this.linkTypes.includes(lt)) this.linkTypes.push(lt);
  }

  private detectFormat(): void {
    const b = this.buf;
    const p = this.pos;
    const be = this.dv.getUint32(p, false);
    if (be === PCAPNG_SHB) {
      this.format = 'pcapng';
      this.mode = Mode.Pcapng;
      return;
    }
    if (b[p] === 0x1f && b[p + 1] === 0x8b) {
      this.fail('gzip data: decompress before parsing (readCapture does this)', 0);
    }
    const le = this.dv.getUint32(p, true);
    let format: CaptureFormat | undefined;
    for (const little of [false, true]) {
      const m = little ? le : be;
      if (m === 0xa1b2c3d4) format = 'pcap';
      else if (m === 0xa1b23c4d) format = 'pcap-ns';
      else if (m === 0xa1b2cd34) format = 'pcap-modified';
      else continue;
      this.little = little;
      break;
    }
    if (format === undefined) {
      this.fail(`not a capture file: unknown magic 0x${be.toString(16).padStart(8, '0')}`, 0);
    }
    this.format = format;
    this.subSecondUnits = format === 'pcap-ns' ? 1e9 : 1e6;
    this.recordHeaderBytes = format === 'pcap-modified' ? 24 : 16;
    this.mode = Mode.ClassicHeader;
  }

  private parseClassicHeader(): void {
    const p = this.pos;
    const major = this.u16(p + 4);
    const minor = this.u16(p + 6);
    if (major !== 2 || minor > 4) this.fail(`unsupported pcap version ${major}.${minor}`, 4);
    this.snapLength = this.u32(p + 16);
    // The top bits hold FCS length information, not the link type (LT_LINKTYPE in libpcap).
    this.linkType = this.u32(p + 20) & 0x03ffffff;
    this.noteLinkType(this.linkType);
    this.allInterfaces.push({
      id: 0,
      linkType: this.linkType,
      snapLength: this.snapLength,
      tsUnitsPerSecond: this.subSecondUnits,
      section: 0,
    });
    this.pos += 24;
    this.mode = Mode.Classic;
  }

  private nextClassic(avail: number): Packet | undefined {
    const hb = this.recordHeaderBytes;
    if (avail < hb) return undefined;
    const p = this.pos;
    const caplen = this.u32(p + 8);
    if (caplen > this.maxPacketBytes) {
      this.fail(`record captured length ${caplen} exceeds the maximum ${this.maxPacketBytes}`, this.offset);
    }
    if (avail < hb + caplen) return undefined;
    const origlen = this.u32(p + 12);
    if (this.snapLength > 0 && caplen > this.snapLength) this.warnings.caplenAboveSnaplen++;
    if (caplen > origlen) this.warnings.caplenAboveOriglen++;
    let sec = this.u32(p);
    let sub = this.u32(p + 4);
    const units = this.subSecondUnits;
    if (sub >= units) {
      this.warnings.badTimestamp++;
      sec += Math.floor(sub / units);
      sub %= units;
    }
    const start = p + hb;
    const pkt = new Packet(
      this.packetsRead,
      sec,
      units === 1e9 ? sub : sub * 1000,
      this.linkType,
      0,
      origlen,
      this.buf.subarray(start, start + caplen),
      this.offset,
    );
    this.pos = start + caplen;
    this.packetsRead++;
    this.bytesRead += caplen;
    return pkt;
  }

  /**
   * One pcapng block: a packet, `undefined` after consuming a non-packet block, or `null`
   * when more bytes are needed.
   */
  private nextPcapngBlock(avail: number): Packet | undefined | null {
    if (avail < 12) return null;
    const p = this.pos;
    const at = this.offset;
    const type = this.dv.getUint32(p, this.little);
    if (this.dv.getUint32(p, false) === PCAPNG_SHB) {
      const bom = this.dv.getUint32(p + 8, false);
      if (bom === PCAPNG_BOM) this.little = false;
      else if (bom === 0x4d3c2b1a) this.little = true;
      else this.fail(`pcapng section header: bad byte-order magic 0x${bom.toString(16)}`, at + 8);
    }
    const len = this.u32(p + 4);
    if (len < 12 || len % 4 !== 0) this.fail(`pcapng block length ${len} is invalid (type 0x${type.toString(16)})`, at);
    if (len > this.maxBlockBytes) {
      this.fail(`pcapng block length ${len} exceeds the maximum ${this.maxBlockBytes}`, at);
    }
    if (avail < len) return null;
    const trailer = this.u32(p + len - 4);
    if (trailer !== len) this.fail(`pcapng block trailing length ${trailer} differs from its length ${len}`, at);

    let pkt: Packet | undefined;
    if (type === PCAPNG_SHB) this.sectionHeader(p, len, at);
    else if (this.sections === 0) this.fail('pcapng block before any section header', at);
    else if (type === 1) this.interfaceDescription(p, len, at);
    else if (type === 6) pkt = this.packetBlock(p, len, at, 6);
    else if (type === 2) pkt = this.packetBlock(p, len, at, 2);
    else if (type === 3) pkt = this.simplePacket(p, len, at);
    else if (isKnownNonPacketBlock(type)) this.warnings.skippedBlocks++;
    else this.warnings.unknownBlockType++;
    this.pos = p + len;
    return pkt;
  }

  private sectionHeader(p: number, len: number, at: number): void {
    if (len < 28) this.fail(`pcapng section header too short (${len} bytes)`, at);
    const major = this.u16(p + 12);
    const minor = this.u16(p + 14);
    if (major !== 1) this.fail(`unsupported pcapng version ${major}.${minor}`, at + 12);
    this.sections++;
    this.sectionInterfaces = [];
    this.ifOffsetSec.length = 0;
  }

  private interfaceDescription(p: number, len: number, at: number): void {
    if (len < 20) this.fail(`pcapng interface description too short (${len} bytes)`, at);
    const linkType = this.u16(p + 8);
    const snapLength = this.u32(p + 12);
    let units = 1e6;
    let offsetSec = 0;
    // Options: code(2) length(2) value padded to 4, ended by code 0 or the block's end.
    const end = p + len - 4;
    let o = p + 16;
    while (o + 4 <= end) {
      const code = this.u16(o);
      const olen = this.u16(o + 2);
      if (code === 0) break;
      if (o + 4 + olen > end) {
        this.warnings.badOptions++;
        break;
      }
      if (code === 9 && olen >= 1) {
        const v = this.buf[o + 4];
        const exp = v & 0x7f;
        if (v & 0x80) {
          if (exp <= 63) units = 2 ** exp;
          else this.warnings.badOptions++;
        } else if (exp <= 18) units = 10 ** exp;
        else this.warnings.badOptions++;
      } else if (code === 14 && olen >= 8) {
        offsetSec = Number(this.dv.getBigInt64(o + 4, this.little));
      }
      o += 4 + ((olen + 3) & ~3);
    }
    const iface: CaptureInterface = {
      id: this.sectionInterfaces.length,
      linkType,
      snapLength,
      tsUnitsPerSecond: units,
      section: this.sections - 1,
    };
    this.sectionInterfaces.push(iface);
    this.ifOffsetSec.push(offsetSec);
    this.allInterfaces.push(iface);
    this.noteLinkType(linkType);
  }

  private iface(id: number, at: number): CaptureInterface {
    const f = this.sectionInterfaces[id];
    if (f === undefined) {
      this.fail(`packet block references interface ${id}, but ${this.sectionInterfaces.length} are defined`, at);
    }
    return f;
  }

  /** Enhanced (type 6) and obsolete (type 2) packet blocks share one layout. */
  private packetBlock(p: number, len: number, at: number, type: 2 | 6): Packet {
    if (len < 32) this.fail(`pcapng packet block too short (${len} bytes)`, at);
    const ifId = type === 6 ? this.u32(p + 8) : this.u16(p + 8);
    const f = this.iface(ifId, at);
    const caplen = this.u32(p + 20);
    const origlen = this.u32(p + 24);
    if (caplen > len - 32) this.fail(`packet block captured length ${caplen} runs past its block (${len} bytes)`, at);
    if (caplen > this.maxPacketBytes) {
      this.fail(`packet captured length ${caplen} exceeds the maximum ${this.maxPacketBytes}`, at);
    }
    if (f.snapLength > 0 && caplen > f.snapLength) this.warnings.caplenAboveSnaplen++;
    if (caplen > origlen) this.warnings.caplenAboveOriglen++;
    this.timestamp(this.u32(p + 12), this.u32(p + 16), f.tsUnitsPerSecond, this.ifOffsetSec[ifId]!);
    return this.emit(f, origlen, p + 28, caplen, at);
  }

  private simplePacket(p: number, len: number, at: number): Packet {
    if (len < 16) this.fail(`pcapng simple packet block too short (${len} bytes)`, at);
    const f = this.iface(0, at);
    const origlen = this.u32(p + 8);
    let caplen = Math.min(origlen, len - 16);
    if (f.snapLength > 0 && caplen > f.snapLength) caplen = f.snapLength;
    if (caplen > this.maxPacketBytes) {
      this.fail(`packet captured length ${caplen} exceeds the maximum ${this.maxPacketBytes}`, at);
    }
    // A simple packet block has no timestamp.
    this.tsSec = 0;
    this.tsNsec = 0;
    return this.emit(f, origlen, p + 12, caplen, at);
  }

  private emit(f: CaptureInterface, origlen: number, start: number, caplen: number, at: number): Packet {
    const pkt = new Packet(
      this.packetsRead,
      this.tsSec,
      this.tsNsec,
      f.linkType,
      f.id,
      origlen,
      this.buf.subarray(start, start + caplen),
      at,
    );
    this.packetsRead++;
    this.bytesRead += caplen;
    return pkt;
  }

  /** 64-bit count of `units`-per-second ticks (+ offset seconds) to (tsSec, tsNsec), exactly. */
  private timestamp(hi: number, lo: number, units: number, offsetSec: number): void {
    if (hi < 0x200000 && units <= TWO_POW_32) {
      // Below 2^53 ticks doubles are exact; the remainder fix-up absorbs rounding in `/`.
      const ticks = hi * TWO_POW_32 + lo;
      let sec = Math.floor(ticks / units);
      let rem = ticks - sec * units;
      if (rem < 0) {
        sec--;
        rem += units;
      } else if (rem >= units) {
        sec++;
        rem -= units;
      }
      const nsecExact = rem * 1e9;
      this.tsSec = sec + offsetSec;
      this.tsNsec = nsecExact < TWO_POW_53 ? Math.floor(nsecExact / units) : this.slowNsec(rem, units);
      return;
    }
    const ticks = (BigInt(hi) << 32n) | BigInt(lo);
    const u = BigInt(units);
    this.tsSec = Number(ticks / u) + offsetSec;
    this.tsNsec = Number(((ticks % u) * 1_000_000_000n) / u);
  }

  private slowNsec(rem: number, units: number): number {
    return Number((BigInt(rem) * 1_000_000_000n) / BigInt(units));
  }
}
