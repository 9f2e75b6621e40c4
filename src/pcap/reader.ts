/**
 * Capture reading front door: a file path, a byte buffer or a readable stream (stdin) in,
 * packets out. Gzip'd captures (magic 1f 8b) are decompressed on the fly. Builds on
 * `CaptureParser` and keeps its guarantees: packets before a fault are delivered, the fault
 * is a `PcapFormatError` carrying the packets read so far, no allocation is sized by a
 * length read from the input.
 *
 * Two shapes:
 * - `readCapture(source)` returns a `CaptureReader`, an async iterable of packets; a fault
 *   is thrown from the iteration after the last good packet (and kept in `reader.error`).
 *   `forEach(fn)` / `batches()` do the same with one promise per chunk instead of one per
 *   packet (much cheaper when per-packet work is small).
 * - `parseCaptureBuffer(bytes)` parses a whole in-memory capture synchronously and returns
 *   the packets plus the fault, if any (it does not throw on bad data).
 *
 * Why not `pcap-parser` (the chosen dependency) underneath: it knows neither the
 * nanosecond magic nor pcapng, drops a truncated last record silently, and on a corrupt
 * record length waits forever for bytes that never come (buffering everything after
 * it), then ends without an error. `bench/pcap.bench.ts` measures both side by side.
 * Byte offsets in errors for gzip'd input count decompressed bytes. Gzip'd buffers and
 * files up to `wholeFileBytes` are inflated leniently (everything before a gzip fault is
 * kept); truly streamed gzip input (stdin, bigger files) may lose the last 4 KiB of
 * decompressed bytes before a gzip fault (see `feedGunzip`).
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import * as zlib from 'node:zlib';
import { NfaObddError, PcapFormatError } from '../errors.js';
import { CaptureParser } from './parser.js';
import type { CaptureFormat, CaptureInterface, CaptureWarnings, Packet, ParserOptions } from './types.js';

/** Where a capture comes from: a file path, its bytes, or a byte stream. */
export type CaptureSource = string | Uint8Array | NodeJS.ReadableStream | AsyncIterable<Uint8Array>;

/** Options of `readCapture` and `parseCaptureBuffer`. */
export interface ReadOptions extends ParserOptions {
  /**
   * Read-chunk size for file paths.
   * @default 1048576
   */
  chunkBytes?: number;
  /**
   * Files up to this size are read in one go rather than streamed.
   * @default 67108864
   */
  wholeFileBytes?: number;
  /**
   * Ceiling on decompressed size for gzip'd input inflated whole (`parseCaptureBuffer`,
   * and `readCapture` on a buffer or a file up to `wholeFileBytes`); beyond it reading
   * stops with a `PcapFormatError`. Truly streamed input is never held whole: no ceiling.
   * @default 1073741824
   */
  maxDecompressedBytes?: number;
}

/** What a reader knows about a capture once (part of) it has been read. */
export interface CaptureSummary {
  format: CaptureFormat | undefined;
  gzip: boolean;
  interfaces: readonly CaptureInterface[];
  linkTypes: readonly number[];
  packets: number;
  /** Sum of captured lengths. */
  bytes: number;
  warnings: CaptureWarnings;
  error: PcapFormatError | undefined;
}

function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

function asPcapError(e: unknown, reason: string, offset: number, packets: number, file?: string): PcapFormatError {
  if (e instanceof PcapFormatError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new PcapFormatError(`${reason}: ${msg}`, offset, packets, file);
}

/**
 * A capture read as an async iterable of packets (gzip detected and undone). Iteration throws
 * PcapFormatError at damage, after yielding every packet before it; `error` keeps it.
 */
export class CaptureReader implements AsyncIterable<Packet> {
  private readonly parser: CaptureParser;
  private started = false;
  gzip = false;

  constructor(
    private readonly source: CaptureSource,
    private readonly options: ReadOptions = {},
  ) {
    const file = options.file ?? (typeof source === 'string' ? source : undefined);
    this.parser = new CaptureParser({ ...options, file });
  }

  get format(): CaptureFormat | undefined {
    return this.parser.format;
  }
  get error(): PcapFormatError | undefined {
    return this.parser.error;
  }
  get packetsRead(): number {
    return this.parser.packetsRead;
  }
  /** Largest buffer the parser allocated: bounded by received bytes, never by a read length. */
  get bufferHighWater(): number {
    return this.parser.bufferHighWater;
  }

  summary(): CaptureSummary {
    const p = this.parser;
    return {
      format: p.format,
      gzip: this.gzip,
      interfaces: p.allInterfaces,
      linkTypes: p.linkTypes,
      packets: p.packetsRead,
      bytes: p.bytesRead,
      warnings: p.warnings,
      error: p.error,
    };
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Packet> {
    for await (const batch of this.batches()) for (const p of batch) yield p;
  }

  /**
   * Packets grouped by input chunk: one promise per chunk instead of one per packet (the
   * per-packet async iteration costs more than parsing; see bench/pcap.bench.ts). A fault
   * is thrown after the batch holding the packets before it.
   */
  async *batches(): AsyncGenerator<Packet[]> {
    if (this.started) throw new Error('CaptureReader can be iterated once');
    this.started = true;
    const parser = this.parser;
    const file = this.options.file ?? (typeof this.source === 'string' ? this.source : undefined);
    let chunks: AsyncIterable<Uint8Array>;
    try {
      chunks = await this.openChunks();
    } catch (e) {
      parser.error = asPcapError(e, 'cannot read input', 0, 0, file);
      throw parser.error;
    }
    let batch: Packet[] = [];
    let fault: PcapFormatError | undefined;
    try {
      for await (const chunk of chunks) {
        parser.push(chunk);
        for (let p = parser.next(); p !== undefined; p = parser.next()) batch.push(p);
        if (batch.length > 0) {
          yield batch;
          batch = [];
        }
      }
      parser.end();
    } catch (e) {
      // I/O or zlib failure mid-stream: everything decodable before it is delivered first.
      fault =
        e instanceof PcapFormatError
          ? e
          : asPcapError(e, this.gzip ? 'gzip' : 'read error', parser.offset, parser.packetsRead, file);
      parser.error = fault;
    }
    if (batch.length > 0) yield batch;
    if (fault !== undefined) throw fault;
  }

  /** Calls `fn` for every packet, then resolves; rejects with the fault after the good packets. */
  async forEach(fn: (packet: Packet) => void): Promise<void> {
    for await (const batch of this.batches()) for (const p of batch) fn(p);
  }

  /** The decompressed byte chunks of the source. */
  private async openChunks(): Promise<AsyncIterable<Uint8Array>> {
    const src = this.source;
    let raw: AsyncIterable<Uint8Array>;
    let whole: Uint8Array | undefined;
    if (src instanceof Uint8Array) whole = src;
    else if (typeof src === 'string' && (await stat(src)).size <= (this.options.wholeFileBytes ?? 1 << 26)) {
      // Small files in one read: opening a stream costs more than reading them.
      whole = await readFile(src);
    }
    if (whole !== undefined) {
      const bytes = whole;
      if (!isGzip(bytes)) {
        return (async function* () {
          yield bytes;
        })();
      }
      // Whole gzip'd input: the lenient inflater recovers everything before a fault.
      this.gzip = true;
      const r = gunzipLenient(bytes, this.options.maxDecompressedBytes ?? 1 << 30);
      return (async function* () {
        yield r.data;
        if (r.error !== undefined) throw new Error(r.error);
      })();
    }
    if (typeof src === 'string') {
      const stream = createReadStream(src, { highWaterMark: this.options.chunkBytes ?? 1 << 20 });
      // Surface ENOENT/EISDIR before any packet is promised.
      await new Promise<void>((resolve, reject) => {
        stream.once('readable', resolve);
        stream.once('error', reject);
      });
      raw = stream;
    } else {
      raw = src as AsyncIterable<Uint8Array>;
    }
    // Peek the first bytes for the gzip magic without losing them.
    const it = raw[Symbol.asyncIterator]();
    const head: Uint8Array[] = [];
    let headLen = 0;
    let done = false;
    while (headLen < 2) {
      const r = await it.next();
      if (r.done) {
        done = true;
        break;
      }
      const c = typeof r.value === 'string' ? Buffer.from(r.value, 'latin1') : r.value;
      head.push(c);
      headLen += c.length;
    }
    const first = head.length === 1 ? head[0]! : Buffer.concat(head);
    async function* replay(): AsyncGenerator<Uint8Array> {
      for (const c of head) yield c;
      if (done) return;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    }
    if (!isGzip(first)) return replay();
    this.gzip = true;
    // Default finish flush: a truncated stream ends in an error (after its data), not silently.
    const gunzip = zlib.createGunzip({ chunkSize: 4096 });
    const out = drain(gunzip);
    void feedGunzip(gunzip, replay());
    return out;
  }
}

/**
 * Feed compressed chunks to the inflater, honouring backpressure. The inflater runs with
 * 4 KiB output buffers: zlib drops the buffer in flight when it meets corrupt data, so a
 * fault in streamed gzip input costs at most the last 4 KiB of decompressed bytes (whole
 * buffers and files up to `wholeFileBytes` go through `gunzipLenient` and lose nothing).
 */
/** Resolves on the stream's next 'drain', 'close' or 'error' (backpressure: wait before writing more). */
export function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
    stream.once('error', done);
  });
}

async function feedGunzip(gunzip: zlib.Gunzip, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  const writable = (): Promise<void> => drained(gunzip);
  try {
    for await (const c of chunks) {
      if (gunzip.destroyed) return;
      if (!gunzip.write(c)) await writable();
    }
    if (!gunzip.destroyed) gunzip.end();
  } catch (e) {
    gunzip.destroy(e instanceof Error ? e : new Error(String(e)));
  }
}

/**
 * Chunks of a stream, where an error comes only after every chunk emitted before it.
 * (`for await` over a stream destroyed by an error drops chunks still buffered, which would
 * lose the packets decompressed just before a gzip fault.)
 */
function drain(stream: NodeJS.ReadableStream): AsyncGenerator<Uint8Array> {
  // Listeners go on now, not at the first next(): output emitted before then must not be lost.
  const queue: Uint8Array[] = [];
  let failure: unknown;
  let ended = false;
  let wake: (() => void) | undefined;
  const poke = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  stream.on('data', (c: Uint8Array) => {
    queue.push(c);
    if (queue.length >= 8) stream.pause();
    poke();
  });
  stream.on('error', (e: unknown) => {
    failure ??= e;
    poke();
  });
  stream.on('end', () => {
    ended = true;
    poke();
  });
  stream.on('close', () => {
    ended = true;
    poke();
  });
  return (async function* () {
    for (;;) {
      while (queue.length > 0) {
        yield queue.shift()!;
        if (queue.length === 0 && stream.isPaused()) stream.resume();
      }
      if (failure !== undefined) throw failure;
      if (ended) return;
      await new Promise<void>((r) => (wake = r));
    }
  })();
}

/** Read a capture (path, bytes or stream) as an async iterable of packets. */
export function readCapture(source: CaptureSource, options: ReadOptions = {}): CaptureReader {
  return new CaptureReader(source, options);
}

/** A whole capture parsed in memory: the summary and every packet. */
export interface ParsedCapture extends CaptureSummary {
  packets: number;
  list: Packet[];
}

/**
 * Parse a whole capture held in memory. Never throws on bad data: the result carries the
 * packets read before the fault and the fault itself (`error`).
 */
export function parseCaptureBuffer(bytes: Uint8Array, options: ReadOptions = {}): ParsedCapture {
  const parser = new CaptureParser(options);
  const list: Packet[] = [];
  let gzip = false;
  let data = bytes;
  let gzipError: PcapFormatError | undefined;
  if (isGzip(bytes)) {
    gzip = true;
    const r = gunzipLenient(bytes, options.maxDecompressedBytes ?? 1 << 30);
    data = r.data;
    if (r.error) gzipError = new PcapFormatError(`gzip: ${r.error}`, r.data.length, 0, options.file);
  }
  try {
    parser.push(data);
    for (let p = parser.next(); p !== undefined; p = parser.next()) list.push(p);
    if (gzipError) {
      // Report the gzip fault, with the packet count, instead of the truncation it caused.
      parser.error = new PcapFormatError(gzipError.reason, gzipError.byteOffset, parser.packetsRead, options.file);
    } else parser.end();
  } catch (e) {
    if (!(e instanceof NfaObddError)) throw e;
  }
  return {
    format: parser.format,
    gzip,
    interfaces: parser.allInterfaces,
    linkTypes: parser.linkTypes,
    packets: parser.packetsRead,
    bytes: parser.bytesRead,
    warnings: parser.warnings,
    error: parser.error,
    list,
  };
}

/**
 * Gunzip as much as possible. A truncated stream yields what it holds (sync flush); a
 * corrupt one yields the output of its longest prefix that still inflates, found by
 * bisection (inflating a prefix fails iff it reaches the corrupt byte, so success is
 * monotone in the prefix length).
 */
function gunzipLenient(bytes: Uint8Array, maxOut: number): { data: Uint8Array; error?: string } {
  const attempt = (n: number, lenient: boolean): Uint8Array | string => {
    try {
      return zlib.gunzipSync(
        bytes.subarray(0, n),
        lenient ? { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: maxOut } : { maxOutputLength: maxOut },
      );
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') return `decompressed size exceeds maxDecompressedBytes (${maxOut})`;
      return e instanceof Error ? e.message : String(e);
    }
  };
  // Strict first: a stream cut at a record boundary must still be reported as truncated.
  const strict = attempt(bytes.length, false);
  if (typeof strict !== 'string') return { data: strict };
  const whole = attempt(bytes.length, true);
  if (typeof whole !== 'string') return { data: whole, error: strict };
  let lo = 0; // largest prefix known to inflate
  let hi = bytes.length; // smallest prefix known to fail
  let best: Uint8Array = new Uint8Array(0);
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    const r = attempt(mid, true);
    if (typeof r === 'string') hi = mid;
    else {
      lo = mid;
      best = r;
    }
  }
  return { data: best, error: strict };
}
