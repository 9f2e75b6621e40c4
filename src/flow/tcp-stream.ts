/**
 * One direction of a TCP connection, reassembled in sequence order.
 *
 * In-order bytes are handed to a sink as soon as they are contiguous (the common case, an
 * in-order segment with nothing buffered, goes straight through as a view, no copy).
 * Out-of-order bytes are copied into a small sorted buffer of non-overlapping pieces.
 * A later segment that overlaps buffered bytes (or, with `retainBytes`, recently delivered
 * ones) with different content is counted as an overlap anomaly (the classic IDS-evasion
 * trick); a segment holding nothing new is counted as a retransmission.
 *
 * Overlaps: which copy of a byte is kept is the stream's `OverlapPolicy`, named and decided
 * as Suricata's TCP reassembly does for its `host-os-policy` (stream-tcp-list.c,
 * `DoHandleDataOverlap`, IDS mode). A new segment N = [s, e) is judged against every held
 * segment L = [a, b) it overlaps (held: the original extents of the segments whose bytes
 * are still buffered); for the bytes N and L share, N's copy wins when:
 *
 *   policy                                  N starts before L   same start    N starts after L
 *   first, vista                            never               never         never
 *   last                                    always              always        always
 *   bsd (default), bsd-right, hpux10, irix,  always              never         never
 *     macos, windows, windows2k3
 *   linux                                   always              e > b         never
 *   old-linux                               always              e >= b        never
 *   solaris, old-solaris, hpux11            e >= b              e >= b        e > b
 *
 * A byte shared with several held segments keeps its held copy if any of them says so (as
 * in Suricata, where each refusal copies the held bytes back over the new ones). An exact
 * duplicate (same start and end as a held segment) is judged against that segment and is
 * not held twice. `bsd-right` and `old-solaris` are Suricata's aliases of `bsd` and
 * `solaris` for TCP (they differ only in IP defragmentation). Suricata's default
 * (`host-os-policy` without a match) is `bsd`; this class defaults to `first`.
 *
 * Where we differ from Suricata: bytes are delivered to the sink (inspected) as soon as
 * they are contiguous, while Suricata's IDS mode inspects the raw stream only once the
 * receiver ACKed it (or at flow end). Delivered bytes cannot change, so for them every
 * policy is `first`: a retransmission that overlaps delivered bytes never replaces them
 * (Suricata would apply the policy to in-order bytes still unacknowledged). The policy
 * decides only bytes still buffered out of order (a new segment filling a hole, or
 * arriving ahead of one, against segments already held ahead of the hole). A segment
 * that starts in delivered bytes is judged with its original start; since held segments
 * always start after the next expected byte, that keeps Suricata's case ("starts before").
 * The held extents count towards `maxSegments` (with policies other than first, last and
 * vista, which need no extents).
 *
 * Memory is bounded: when the buffer exceeds its byte or piece cap, the stream skips the
 * hole before its first buffered piece (the sink is told: `gap`, so a matcher never matches
 * across missing bytes) and delivers what became contiguous. Sequence numbers wrap modulo
 * 2^32; stream positions (`streamPos`) are plain numbers counted from the first byte.
 */
import type { Scratch } from '../matcher/types.js';

/**
 * Which copy of overlapping TCP bytes reassembly keeps: Suricata's `host-os-policy` names
 * (plus `first` and `last`); see the module comment for what each decides.
 */
export type OverlapPolicy =
  | 'first' | 'last' | 'bsd' | 'bsd-right' | 'linux' | 'old-linux' | 'solaris' | 'old-solaris'
  | 'hpux10' | 'hpux11' | 'irix' | 'macos' | 'vista' | 'windows' | 'windows2k3';

/** Every `OverlapPolicy`, in documentation order. */
export const OVERLAP_POLICIES: readonly OverlapPolicy[] = [
  'first', 'last', 'bsd', 'bsd-right', 'linux', 'old-linux', 'solaris', 'old-solaris',
  'hpux10', 'hpux11', 'irix', 'macos', 'vista', 'windows', 'windows2k3',
];

/** Suricata's default overlap policy (`host-os-policy` without a match for the host). */
export const DEFAULT_OVERLAP_POLICY: OverlapPolicy = 'bsd';

/** Is `name` an `OverlapPolicy`? */
export function isOverlapPolicy(name: string): name is OverlapPolicy {
  return (OVERLAP_POLICIES as readonly string[]).includes(name);
}

/**
 * Does a new segment [s, e) win the bytes it shares with a held segment [a, b) under
 * `policy`? (Bounds in sequence order, any common origin; the segments overlap.)
 */
export function newSegmentWins(policy: OverlapPolicy, s: number, e: number, a: number, b: number): boolean {
  switch (policy) {
    case 'first':
    case 'vista':
      return false;
    case 'last':
      return true;
    case 'bsd':
    case 'bsd-right':
    case 'hpux10':
    case 'irix':
    case 'macos':
    case 'windows':
    case 'windows2k3':
      return s < a;
    case 'linux':
      return s < a || (s === a && e > b);
    case 'old-linux':
      return s < a || (s === a && e >= b);
    case 'solaris':
    case 'old-solaris':
    case 'hpux11':
      return s <= a ? e >= b : e > b;
  }
}

/** Receives a stream's reassembled bytes and holes, in stream order. */
export interface ReassemblySink {
  /** Contiguous bytes of `stream`, starting at `stream.streamPos`. */
  deliver(stream: TcpStream, bytes: Uint8Array): void;
  /** `skipped` bytes are missing before the next delivery (at `stream.streamPos`). */
  gap(stream: TcpStream, skipped: number): void;
}

/** Memory caps of one direction's reassembly. */
export interface ReassemblyLimits {
  /** Out-of-order bytes one direction may hold. */
  maxBufferedBytes: number;
  /** Out-of-order pieces one direction may hold (or held segment extents, if more: see `OverlapPolicy`). */
  maxSegments: number;
  /** Delivered bytes kept per direction to compare retransmissions against (0 = off). */
  retainBytes: number;
}

/** Counters shared by all streams of one flow table. */
export class ReassemblyCounters {
  /** Bytes currently held out of order, all streams. */
  bufferedBytes = 0;
  bufferedPeak = 0;
  /** Segments that arrived ahead of a hole. */
  outOfOrder = 0;
  /** Segments holding no byte that was not already delivered or buffered. */
  retransmissions = 0;
  /** Bytes received again (overlapping delivered or buffered bytes). */
  overlapBytes = 0;
  /** Overlaps whose bytes differ from the copy held or delivered (the overlap policy picks one). */
  overlapAnomalies = 0;
  /** Holes skipped (buffer caps, or flushing at flow end) and their bytes. */
  gaps = 0;
  bytesSkipped = 0;
  /** Bytes delivered in order to the sink. */
  delivered = 0;
  /** Segments more than 1 GiB ahead of the expected sequence number (dropped). */
  outOfWindow = 0;
  /** Payload after this direction's FIN was reached (dropped). */
  afterFin = 0;
}

/** Segments further ahead than this are not plausible (the largest TCP window is 2^30). */
const MAX_AHEAD = 1 << 30;

/** One direction's reassembly state (see the module comment). Not reentrant. */
export class TcpStream {
  /** Sequence space known (SYN seen, or first data accepted mid-stream). */
  started = false;
  /** Initial sequence number when a SYN was seen, else -1. */
  isn = -1;
  /** Sequence number of stream position 0 (after the SYN, or the first byte seen). */
  startSeq = 0;
  /** Next expected sequence number (unsigned 32-bit). */
  nextSeq = 0;
  /** Sequence number of the FIN (unsigned), -1 while none was seen. */
  finSeq = -1;
  /** Every byte up to the FIN was delivered. */
  finished = false;
  /** Stream position of `nextSeq`: bytes delivered plus bytes skipped. */
  streamPos = 0;
  /** Bytes held out of order. */
  buffered = 0;
  /** Matcher state of this direction (owned by the flow table; created on first bytes). */
  scratch: Scratch | undefined = undefined;

  // Out-of-order pieces, sorted by sequence, non-overlapping; allocated on first use.
  private seqs: number[] | null = null;
  private datas: Uint8Array[] | null = null;
  // Ring of the last delivered bytes (retainBytes > 0), allocated on first delivery.
  private ring: Uint8Array | null = null;
  // Original extents [lo, hi) of the segments whose bytes are buffered (unsorted, may
  // overlap; only for policies that judge by extents); allocated on first use.
  private segLo: number[] | null = null;
  private segHi: number[] | null = null;
  private readonly byExtent: boolean;

  /** `overlapPolicy`: which copy of overlapping buffered bytes wins (see the module comment). */
  constructor(
    private readonly limits: ReassemblyLimits,
    private readonly counters: ReassemblyCounters,
    readonly overlapPolicy: OverlapPolicy = 'first',
  ) {
    this.byExtent = overlapPolicy !== 'first' && overlapPolicy !== 'last' && overlapPolicy !== 'vista';
  }

  /** A SYN: the sequence space starts after it. */
  syn(seq: number): void {
    if (this.started) return;
    this.started = true;
    this.isn = seq >>> 0;
    this.nextSeq = this.startSeq = (seq + 1) >>> 0;
  }

  /** Out-of-order pieces held now. */
  get bufferedSegments(): number {
    return this.seqs === null ? 0 : this.seqs.length;
  }

  /** What `maxSegments` caps: buffered pieces, or held segment extents if more. */
  private get held(): number {
    const n = this.bufferedSegments;
    return this.segLo !== null && this.segLo.length > n ? this.segLo.length : n;
  }

  /** A segment's payload (`seq` = sequence number of its first byte) and FIN flag. */
  segment(seq: number, data: Uint8Array, fin: boolean, sink: ReassemblySink): void {
    const c = this.counters;
    if (this.finished) {
      if (data.length > 0) c.afterFin++;
      return;
    }
    seq >>>= 0;
    if (!this.started) {
      this.started = true;
      this.nextSeq = this.startSeq = seq;
    }
    let len = data.length;
    if (fin && this.finSeq < 0) this.finSeq = (seq + len) >>> 0;
    if (len > 0) {
      let rel = (seq - this.nextSeq) | 0;
      // The segment's own start, for the overlap policy (kept when its delivered head is cut).
      const from = rel;
      if (rel < 0) {
        const old = Math.min(-rel, len);
        c.overlapBytes += old;
        if (this.ring !== null && this.differsFromDelivered(rel, data, old)) c.overlapAnomalies++;
        if (len <= -rel) {
          c.retransmissions++;
          len = 0;
        } else {
          data = data.subarray(-rel);
          len = data.length;
          seq = this.nextSeq;
          rel = 0;
        }
      }
      if (len > 0) {
        if (rel > MAX_AHEAD) c.outOfWindow++;
        else if (rel === 0 && this.bufferedSegments === 0) this.deliver(data, sink);
        else if (rel === 0) {
          // Fills (part of) the hole at the front: deliver that part as a view, buffer the rest.
          const room = (this.seqs![0]! - this.nextSeq) | 0;
          if (len <= room) this.deliver(data, sink);
          else {
            this.deliver(data.subarray(0, room), sink);
            this.insert(0, data.subarray(room), from - room);
          }
          this.drain(sink);
        } else {
          if (rel > 0) c.outOfOrder++;
          this.insert(rel, data, from);
          this.drain(sink);
          while (this.bufferedSegments > 0 && (this.buffered > this.limits.maxBufferedBytes || this.held > this.limits.maxSegments)) {
            this.skipHole(sink);
          }
        }
      }
    }
    if (this.finSeq >= 0 && this.nextSeq === this.finSeq && this.bufferedSegments === 0) this.finished = true;
  }

  /** Skip every hole and deliver everything buffered (flow end, or memory pressure). */
  flush(sink: ReassemblySink): void {
    while (this.bufferedSegments > 0) this.skipHole(sink);
  }

  /** Skip the hole before the first buffered piece and deliver what becomes contiguous. */
  skipHole(sink: ReassemblySink): void {
    const seqs = this.seqs;
    if (seqs === null || seqs.length === 0) return;
    const hole = (seqs[0]! - this.nextSeq) | 0;
    if (hole < 0) {
      // Cannot happen while pieces stay at or after nextSeq; if it ever did, trimming the
      // stale bytes keeps every loop that calls this one making progress.
      const d = this.datas!;
      const cut = Math.min(-hole, d[0]!.length);
      d[0] = d[0]!.subarray(cut);
      seqs[0] = (seqs[0]! + cut) >>> 0;
      this.buffered -= cut;
      this.counters.bufferedBytes -= cut;
      if (d[0].length === 0) {
        seqs.shift();
        d.shift();
      }
    } else if (hole > 0) {
      this.counters.gaps++;
      this.counters.bytesSkipped += hole;
      sink.gap(this, hole);
      this.streamPos += hole;
      this.nextSeq = seqs[0]!;
    }
    this.drain(sink);
  }

  private deliver(data: Uint8Array, sink: ReassemblySink): void {
    sink.deliver(this, data);
    const n = data.length;
    this.nextSeq = (this.nextSeq + n) >>> 0;
    this.counters.delivered += n;
    const r = this.limits.retainBytes;
    if (r > 0) {
      this.ring ??= new Uint8Array(r);
      // Byte at stream position p lives at ring[p % r].
      const from = n > r ? n - r : 0;
      for (let i = from, p = (this.streamPos + from) % r; i < n; i++) {
        this.ring[p] = data[i]!;
        if (++p === r) p = 0;
      }
    }
    this.streamPos += n;
  }

  /** Do the first `old` bytes of `data` (starting `-rel` bytes before nextSeq) differ from what was delivered? */
  private differsFromDelivered(rel: number, data: Uint8Array, old: number): boolean {
    const ring = this.ring!;
    const r = ring.length;
    const start = this.streamPos + rel; // stream position of data[0]
    const oldest = this.streamPos - Math.min(r, this.streamPos);
    for (let i = 0; i < old; i++) {
      const p = start + i;
      if (p < oldest) continue; // no longer retained
      if (ring[p % r] !== data[i]) return true;
    }
    return false;
  }

  /**
   * Buffers `data` (at `rel` bytes past nextSeq, rel >= 0): bytes not yet buffered are
   * added; buffered bytes it overlaps are compared (anomaly) and replaced where the overlap
   * policy gives the new copy. `from` (<= rel) is where the segment itself starts, for the
   * policy's judgement (its head may have been delivered already).
   */
  private insert(rel: number, data: Uint8Array, from: number): void {
    const c = this.counters;
    this.seqs ??= [];
    this.datas ??= [];
    const seqs = this.seqs;
    const datas = this.datas;
    const base = this.nextSeq;
    const end = rel + data.length;
    const policy = this.overlapPolicy;
    // Which overlapped bytes keep their held copy: all ('first', 'vista'), none ('last'),
    // or those of `keep` (1 = keep, indexed like `data`) as the held extents decide.
    const keepAll = policy === 'first' || policy === 'vista';
    let keep: Uint8Array | null = null;
    let duplicate = false;
    if (this.byExtent && this.segLo !== null) {
      const lo = this.segLo;
      const hi = this.segHi!;
      for (let j = 0; j < lo.length; j++) {
        const a = (lo[j]! - base) | 0;
        const b = (hi[j]! - base) | 0;
        if (a >= end || b <= rel) continue;
        if (a === from && b === end) duplicate = true;
        if (newSegmentWins(policy, from, end, a, b)) continue;
        keep ??= new Uint8Array(data.length);
        keep.fill(1, Math.max(a, rel) - rel, Math.min(b, end) - rel);
      }
    }
    let anomaly = false;
    let added = 0;
    let cursor = rel;
    let i = 0;
    for (; i < seqs.length && cursor < end; i++) {
      const a = (seqs[i]! - base) | 0;
      const d = datas[i]!;
      const b = a + d.length;
      if (b <= cursor) continue;
      if (a >= end) break;
      if (a > cursor) {
        // New bytes in the space before piece i.
        const piece = copyOf(data, cursor - rel, a - rel);
        seqs.splice(i, 0, (base + cursor) >>> 0);
        datas.splice(i, 0, piece);
        added += piece.length;
        i++;
      }
      // Overlap with piece i (our own copy): compare, and take the new bytes the policy gives.
      const o0 = Math.max(a, cursor);
      const o1 = Math.min(b, end);
      c.overlapBytes += o1 - o0;
      for (let k = o0; k < o1; k++) {
        const v = data[k - rel]!;
        if (d[k - a] === v) continue;
        anomaly = true;
        if (keepAll) break;
        if (keep === null || keep[k - rel] === 0) d[k - a] = v;
      }
      cursor = b;
    }
    if (cursor < end) {
      const piece = copyOf(data, cursor - rel, data.length);
      seqs.splice(i, 0, (base + cursor) >>> 0);
      datas.splice(i, 0, piece);
      added += piece.length;
    }
    if (this.byExtent && !duplicate) {
      (this.segLo ??= []).push((base + from) >>> 0);
      (this.segHi ??= []).push((base + end) >>> 0);
    }
    if (anomaly) c.overlapAnomalies++;
    if (added === 0) c.retransmissions++;
    this.buffered += added;
    c.bufferedBytes += added;
    if (c.bufferedBytes > c.bufferedPeak) c.bufferedPeak = c.bufferedBytes;
  }

  private drain(sink: ReassemblySink): void {
    const seqs = this.seqs;
    const datas = this.datas;
    if (seqs === null || datas === null) return;
    let delivered = false;
    while (seqs.length > 0 && seqs[0] === this.nextSeq) {
      seqs.shift();
      const d = datas.shift()!;
      this.buffered -= d.length;
      this.counters.bufferedBytes -= d.length;
      this.deliver(d, sink);
      delivered = true;
    }
    if (delivered) this.pruneExtents();
  }

  /**
   * Forgets the extents of segments wholly delivered. (No extent straddles nextSeq once
   * drained: its bytes are all buffered or delivered, and nextSeq is a hole or the end.)
   */
  private pruneExtents(): void {
    const lo = this.segLo;
    const hi = this.segHi;
    if (lo === null || hi === null || lo.length === 0) return;
    if (this.bufferedSegments === 0) {
      lo.length = 0;
      hi.length = 0;
      return;
    }
    let n = 0;
    for (let j = 0; j < lo.length; j++) {
      if (((hi[j]! - this.nextSeq) | 0) <= 0) continue;
      lo[n] = lo[j]!;
      hi[n++] = hi[j]!;
    }
    lo.length = n;
    hi.length = n;
  }

  /** Drop buffered bytes without delivering them (flow discarded). */
  discard(): void {
    if (this.seqs === null) return;
    this.counters.bufferedBytes -= this.buffered;
    this.buffered = 0;
    this.seqs.length = 0;
    this.datas!.length = 0;
    if (this.segLo !== null) {
      this.segLo.length = 0;
      this.segHi!.length = 0;
    }
  }
}

/** A real copy (`Buffer#slice` would return a view and pin the whole capture chunk). */
function copyOf(data: Uint8Array, from: number, to: number): Uint8Array {
  const out = new Uint8Array(to - from);
  out.set(data.subarray(from, to));
  return out;
}
