/**
 * Bidirectional flow table: decoded packets in, signature matches out, through any engine's
 * `Matcher` (src/matcher/types.ts) and nothing else. The flows are those of the one flow
 * tracker (`FlowTracker`, flow-tracker.ts, with its 'sequence' restart rule); this module
 * adds the scanning.
 *
 * Stream mode (default): TCP packets are grouped by 5-tuple (plus outer VLAN) into flows;
 * each direction is reassembled in sequence order (`TcpStream`) and owns one `Scratch`,
 * so the matcher's whole state between two packets is that scratch (for the NFA-OBDD
 * engine, one frontier id) and a signature spanning segments matches. A hole the
 * reassembler has to skip resets the scratch (no match across missing bytes); the end of a
 * direction (FIN reached, RST, eviction, end of capture) calls `finish` so end-anchored
 * signatures report. SYN starts a direction's sequence space (a client SYN that does not
 * fit the known sequence space starts a new connection); RST ends the flow; FIN in both
 * directions ends it. Non-TCP payloads (UDP, ICMP, other) are scanned one packet at a time.
 *
 * Packet mode: every payload is scanned on its own (scan + finish), no flows, no state.
 *
 * Bounded memory: at most `maxFlows` flows (least recently used evicted first), at most
 * `maxBufferedBytesPerStream` / `maxSegmentsPerStream` out-of-order data per direction and
 * `maxBufferedBytes` in all (the stream that crosses it skips its holes), idle flows
 * evicted after `idleTimeoutSec` of capture time.
 * Every eviction and anomaly is counted in `stats()`.
 *
 * Match offsets: stream mode reports the position just past the match in that direction's
 * byte stream (counted from its first byte, holes included); packet mode and non-TCP
 * report the offset in the packet's payload.
 */
import type { Matcher, MatchCallback, Scratch, ScratchOptions } from '../matcher/types.js';
import { DecodedPacket, Decoder, DecodeStatus, TcpFlag } from '../pcap/decode.js';
import type { Packet } from '../pcap/types.js';
import { FlowTracker, type Flow, type FlowEndReason } from './flow-tracker.js';
import type { ReassemblySink, TcpStream } from './tcp-stream.js';

/** `stream`: TCP reassembled per direction; `packet`: every payload scanned alone. */
export type FlowMode = 'stream' | 'packet';

/**
 * A match: signature id, the flow (undefined in packet mode and for non-TCP), direction
 * (0 = client to server, the side that sent the SYN or else the first packet), the end
 * offset (see module comment) and the index of the packet whose bytes completed it (for
 * end-anchored matches reported at flow end, the flow's last packet).
 */
export type FlowMatchCallback = (
  signature: number,
  flow: Flow | undefined,
  direction: 0 | 1,
  end: number,
  packetIndex: number,
) => void;

/** Options of a `FlowTable`. */
export interface FlowTableOptions {
  /** The engine that scans the payloads. */
  matcher: Matcher;
  /** Receives every match. */
  onMatch: FlowMatchCallback;
  /** @default 'stream' */
  mode?: FlowMode;
  /** Passed to `matcher.createScratch`. */
  scratch?: ScratchOptions;
  /** @default 65536 */
  maxFlows?: number;
  /** Out-of-order bytes held across all flows. @default 67108864 */
  maxBufferedBytes?: number;
  /** @default 1048576 */
  maxBufferedBytesPerStream?: number;
  /** @default 256 */
  maxSegmentsPerStream?: number;
  /** Capture-time seconds without a packet before a flow is evicted. @default 300 */
  idleTimeoutSec?: number;
  /**
   * Delivered bytes kept per direction to detect retransmissions that rewrite already
   * delivered data (an overlap anomaly). Costs this many bytes per active direction.
   * @default 0
   */
  retainBytes?: number;
}

/** Counters of a `FlowTable` (`stats()`), cumulative except the `Active` and buffered figures. */
export interface FlowStats {
  /** The table's mode. */
  mode: FlowMode;
  /** Packets processed; of those, TCP packets given to flows, and the others (scanned alone). */
  packets: number;
  tcpPackets: number;
  otherPackets: number;
  /** Packets not decodable to IP (counted by the decoder, skipped). */
  undecoded: number;
  /** TCP packets with no flow and nothing to start one (bare ACK/FIN/RST). */
  noFlow: number;
  /** Flows started, held now, and most held at once. */
  flowsCreated: number;
  flowsActive: number;
  flowsPeak: number;
  /** Flows ended by FIN both ways, by RST, by the idle timeout, by the flow cap. */
  flowsClosed: number;
  flowsReset: number;
  evictedIdle: number;
  evictedCapacity: number;
  /** Times the global buffer cap made a stream skip its holes early. */
  memoryPressure: number;
  /** Flows ended by `flush()` (end of capture). */
  flushed: number;
  /** A SYN with a new ISN on a known flow (port reuse): old flow ended, new one started. */
  restarted: number;
  /** Bytes given to the matcher, and matches reported. */
  bytesScanned: number;
  matches: number;
  /** `ReassemblyCounters` of all streams (see tcp-stream.ts). */
  reassembly: {
    bufferedBytes: number;
    bufferedPeak: number;
    outOfOrder: number;
    retransmissions: number;
    overlapBytes: number;
    overlapAnomalies: number;
    gaps: number;
    bytesSkipped: number;
    outOfWindow: number;
    afterFin: number;
  };
}

/** Where each flow end reason is counted in `FlowStats`. */
const END_STAT = {
  closed: 'flowsClosed',
  reset: 'flowsReset',
  idle: 'evictedIdle',
  capacity: 'evictedCapacity',
  flushed: 'flushed',
  restarted: 'restarted',
} as const satisfies Record<FlowEndReason, keyof FlowStats>;

/**
 * Decoded packets in, signature matches out (see the module comment). Flows are those of
 * a `FlowTracker` (restart rule 'sequence'); this class adds the scanning. Not reentrant.
 */
export class FlowTable implements ReassemblySink {
  private readonly matcher: Matcher;
  private readonly onMatch: FlowMatchCallback;
  /** Stream or packet mode, as configured. */
  readonly mode: FlowMode;
  private readonly scratchOptions: ScratchOptions | undefined;
  private readonly maxBufferedBytes: number;
  private readonly tracker: FlowTracker<undefined>;
  private readonly decoder = new Decoder();
  private readonly s = {
    packets: 0,
    tcpPackets: 0,
    otherPackets: 0,
    undecoded: 0,
    memoryPressure: 0,
    bytesScanned: 0,
    matches: 0,
  };

  // Context of the scan in progress, read by the one match callback (no closure per packet).
  private curFlow: Flow | undefined = undefined;
  private curDir: 0 | 1 = 0;
  private curBase = 0;
  private curPacket = -1;
  private readonly matchCb: MatchCallback;
  private packetScratch: Scratch | undefined;

  /** See `FlowTableOptions` for the defaults. */
  constructor(options: FlowTableOptions) {
    this.matcher = options.matcher;
    this.onMatch = options.onMatch;
    this.mode = options.mode ?? 'stream';
    this.scratchOptions = options.scratch;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 64 * 1024 * 1024;
    this.tracker = new FlowTracker<undefined>({
      createState: () => undefined,
      onEnd: (flow) => this.endFlow(flow),
      maxFlows: options.maxFlows,
      idleTimeoutSec: options.idleTimeoutSec,
      restart: 'sequence',
      reassembly: {
        maxBufferedBytes: options.maxBufferedBytesPerStream ?? 1024 * 1024,
        maxSegments: options.maxSegmentsPerStream ?? 256,
        retainBytes: options.retainBytes ?? 0,
      },
    });
    this.matchCb = (signature: number, end: number): void => {
      this.s.matches++;
      this.onMatch(signature, this.curFlow, this.curDir, this.curBase + end, this.curPacket);
    };
  }

  /** Decode and process one captured packet. */
  processPacket(packet: Packet): void {
    if (this.decoder.decode(packet) !== DecodeStatus.OK) {
      this.s.packets++;
      this.s.undecoded++;
      return;
    }
    this.process(packet, this.decoder.out);
  }

  /** Process a packet already decoded (status OK) into `d`. */
  process(packet: Packet, d: DecodedPacket): void {
    this.s.packets++;
    const now = packet.tsSec + packet.tsNsec / 1e9;
    this.expire(now);
    if (this.mode === 'packet' || d.protocol !== 6 || d.fragment) {
      // Fragments are not reassembled: scanned as they are, like any non-stream payload.
      this.s.otherPackets++;
      this.scanPacket(d, packet.index);
      return;
    }
    this.s.tcpPackets++;
    this.tcp(packet, d, now);
  }

  /** End of capture: flush and finish every flow (end-anchored matches report here). */
  flush(): void {
    this.tracker.endAll('flushed');
  }

  /** Evict flows idle for longer than the timeout at capture time `now` (seconds). */
  expire(now: number): void {
    this.tracker.expire(now);
  }

  /** Flows held now. */
  get activeFlows(): number {
    return this.tracker.size;
  }

  /** A snapshot of the counters (see `FlowStats`). */
  stats(): FlowStats {
    const c = this.tracker.counters;
    const t = this.tracker.stats;
    const ended = {} as Record<(typeof END_STAT)[FlowEndReason], number>;
    for (const [reason, name] of Object.entries(END_STAT)) ended[name] = t.ended[reason as FlowEndReason];
    return {
      mode: this.mode,
      ...this.s,
      noFlow: t.noFlow,
      flowsCreated: t.created,
      flowsPeak: t.peak,
      ...ended,
      flowsActive: this.tracker.size,
      reassembly: {
        bufferedBytes: c.bufferedBytes,
        bufferedPeak: c.bufferedPeak,
        outOfOrder: c.outOfOrder,
        retransmissions: c.retransmissions,
        overlapBytes: c.overlapBytes,
        overlapAnomalies: c.overlapAnomalies,
        gaps: c.gaps,
        bytesSkipped: c.bytesSkipped,
        outOfWindow: c.outOfWindow,
        afterFin: c.afterFin,
      },
    };
  }

  // ---- ReassemblySink --------------------------------------------------------------------

  /** Scans in-order bytes of a stream of the current flow (called by `TcpStream`). */
  deliver(stream: TcpStream, bytes: Uint8Array): void {
    const flow = this.curFlow!;
    const scratch = (stream.scratch ??= this.matcher.createScratch(this.scratchOptions));
    this.curDir = stream === flow.streams[0] ? 0 : 1;
    // Absolute stream position of the scratch's offset 0 (it restarts after a reset).
    this.curBase = stream.streamPos - scratch.offset;
    this.s.bytesScanned += bytes.length;
    this.matcher.scan(scratch, bytes, this.matchCb);
  }

  /** A hole: no match may span it (called by `TcpStream`). */
  gap(stream: TcpStream, _skipped: number): void {
    if (stream.scratch !== undefined) this.matcher.reset(stream.scratch);
  }

  // ---------------------------------------------------------------------------------------

  private scanPacket(d: DecodedPacket, packetIndex: number): void {
    if (d.payloadLength === 0) return;
    const scratch = (this.packetScratch ??= this.matcher.createScratch(this.scratchOptions));
    this.curFlow = undefined;
    this.curDir = 0;
    this.curBase = 0;
    this.curPacket = packetIndex;
    this.matcher.reset(scratch);
    this.s.bytesScanned += d.payloadLength;
    this.matcher.scan(scratch, d.payload, this.matchCb);
    this.matcher.finish(scratch, this.matchCb);
  }

  private tcp(packet: Packet, d: DecodedPacket, now: number): void {
    const flow = this.tracker.track(d, packet, now);
    if (flow === undefined) return;
    const flags = d.tcpFlags;
    const syn = (flags & TcpFlag.SYN) !== 0;
    const fin = (flags & TcpFlag.FIN) !== 0;
    const st = this.tracker.openStream(flow, flow.isFromClient(d) ? 0 : 1);
    this.curFlow = flow;
    this.curPacket = packet.index;
    if (syn) st.syn(d.seq);
    if (d.payloadLength > 0 || fin) {
      const seq = syn ? (d.seq + 1) >>> 0 : d.seq;
      st.segment(seq, d.payload, fin, this);
      if (st.finished) this.finishStream(flow, st);
      if (this.tracker.counters.bufferedBytes > this.maxBufferedBytes) this.relieveMemory(flow, st);
    }
    if ((flags & TcpFlag.RST) !== 0) this.tracker.end(flow, 'reset');
    else if (flow.streams[0]?.finished && flow.streams[1]?.finished) this.tracker.end(flow, 'closed');
  }

  /**
   * Over the global buffer cap: the stream that pushed the total over it skips its holes.
   * (Every other stream was within the cap before this segment, so this always suffices;
   * the flow that fragments its stream pays, not its neighbours.)
   */
  private relieveMemory(flow: Flow, st: TcpStream): void {
    this.s.memoryPressure++;
    while (this.tracker.counters.bufferedBytes > this.maxBufferedBytes && st.bufferedSegments > 0) st.skipHole(this);
    if (st.finished) this.finishStream(flow, st);
  }

  private finishStream(flow: Flow, st: TcpStream): void {
    if (st.scratch === undefined) return;
    this.curFlow = flow;
    this.curDir = st === flow.streams[0] ? 0 : 1;
    this.curBase = st.streamPos - st.scratch.offset;
    this.curPacket = flow.lastPacket;
    this.matcher.finish(st.scratch, this.matchCb);
    st.scratch = undefined; // the direction is over; free its state
  }

  /** The tracker's `onEnd`: flush both streams and report what their ends complete. */
  private endFlow(flow: Flow): void {
    const saved = [this.curFlow, this.curPacket] as const;
    this.curFlow = flow;
    this.curPacket = flow.lastPacket;
    for (const st of flow.streams) {
      if (st === undefined) continue;
      st.flush(this);
      this.finishStream(flow, st);
      st.discard();
    }
    [this.curFlow, this.curPacket] = saved;
  }
}
