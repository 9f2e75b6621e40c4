/**
 * Bidirectional flow table: decoded packets in, signature matches out, through any engine's
 * `Matcher` (src/matcher/types.ts) and nothing else.
 *
 * Stream mode (default): TCP packets are grouped by 5-tuple (plus outer VLAN) into flows;
 * each direction is reassembled in sequence order (`TcpStream`) and owns one `Scratch`,
 * so the matcher's whole state between two packets is that scratch (for the NFA-OBDD
 * engine, one frontier id) and a signature spanning segments matches. A hole the
 * reassembler has to skip resets the scratch (no match across missing bytes); the end of a
 * direction (FIN reached, RST, eviction, end of capture) calls `finish` so end-anchored
 * signatures report. SYN starts a direction's sequence space (a SYN with a new ISN on a
 * known flow starts a new connection); RST ends the flow; FIN in both directions ends it.
 * Non-TCP payloads (UDP, ICMP, other) are scanned one packet at a time.
 *
 * Packet mode: every payload is scanned on its own (scan + finish), no flows, no state.
 *
 * Bounded memory: at most `maxFlows` flows (least recently used evicted first), at most
 * `maxBufferedBytesPerStream` / `maxSegmentsPerStream` out-of-order data per direction and
 * `maxBufferedBytes` in all (the stream that crosses it skips its holes), idle flows evicted after `idleTimeoutSec` of capture time.
 * Every eviction and anomaly is counted in `stats()`.
 *
 * Match offsets: stream mode reports the position just past the match in that direction's
 * byte stream (counted from its first byte, holes included); packet mode and non-TCP
 * report the offset in the packet's payload.
 */
import type { Matcher, MatchCallback, ScratchOptions } from '../matcher/types.js';
import { DecodedPacket, Decoder, DecodeStatus, formatAddress, TcpFlag } from '../pcap/decode.js';
import type { Packet } from '../pcap/types.js';
import { ReassemblyCounters, type ReassemblyLimits, type ReassemblySink, TcpStream } from './tcp-stream.js';

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

export interface FlowTableOptions {
  matcher: Matcher;
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

export interface FlowStats {
  mode: FlowMode;
  packets: number;
  tcpPackets: number;
  otherPackets: number;
  /** Packets not decodable to IP (counted by the decoder, skipped). */
  undecoded: number;
  /** TCP packets with no flow and nothing to start one (bare ACK/FIN/RST). */
  noFlow: number;
  flowsCreated: number;
  flowsActive: number;
  flowsPeak: number;
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
  bytesScanned: number;
  matches: number;
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

/** One TCP connection. `streams[0]` carries client-to-server bytes. */
export class Flow {
  readonly streams: [TcpStream, TcpStream];
  packets = 0;
  lastPacket = -1;
  lastSeen: number;
  constructor(
    readonly id: number,
    readonly key: string,
    readonly ipVersion: 4 | 6,
    readonly clientAddr: Uint8Array,
    readonly clientPort: number,
    readonly serverAddr: Uint8Array,
    readonly serverPort: number,
    readonly firstSeen: number,
    limits: ReassemblyLimits,
    counters: ReassemblyCounters,
  ) {
    this.lastSeen = firstSeen;
    this.streams = [new TcpStream(limits, counters), new TcpStream(limits, counters)];
  }

  /** `client:port -> server:port` (IPv6 addresses in brackets). */
  toString(): string {
    const a = formatAddress(this.ipVersion, this.clientAddr);
    const b = formatAddress(this.ipVersion, this.serverAddr);
    return this.ipVersion === 6
      ? `[${a}]:${this.clientPort} -> [${b}]:${this.serverPort}`
      : `${a}:${this.clientPort} -> ${b}:${this.serverPort}`;
  }
}

function compareEndpoints(d: DecodedPacket): number {
  const n = d.ipVersion === 4 ? 4 : 16;
  for (let i = 0; i < n; i++) {
    const x = d.srcAddr[i]! - d.dstAddr[i]!;
    if (x !== 0) return x;
  }
  return d.srcPort - d.dstPort;
}

/**
 * Canonical key (same both ways) of a decoded TCP packet; `forward` says src is the lower
 * endpoint. One `String.fromCharCode` call: addresses as 16-bit units, then ports, VLAN.
 */
function flowKey(d: DecodedPacket, forward: boolean): string {
  const lo = forward ? d.srcAddr : d.dstAddr;
  const hi = forward ? d.dstAddr : d.srcAddr;
  const lp = forward ? d.srcPort : d.dstPort;
  const hp = forward ? d.dstPort : d.srcPort;
  const vlan = d.vlanOuter + 1; // -1 (none) .. 4095
  if (d.ipVersion === 4) {
    return String.fromCharCode((lo[0]! << 8) | lo[1]!, (lo[2]! << 8) | lo[3]!, lp, (hi[0]! << 8) | hi[1]!, (hi[2]! << 8) | hi[3]!, hp, vlan);
  }
  const u: number[] = [];
  for (let i = 0; i < 16; i += 2) u.push((lo[i]! << 8) | lo[i + 1]!);
  u.push(lp);
  for (let i = 0; i < 16; i += 2) u.push((hi[i]! << 8) | hi[i + 1]!);
  u.push(hp, vlan, 6);
  return String.fromCharCode(...u);
}

export class FlowTable implements ReassemblySink {
  private readonly matcher: Matcher;
  private readonly onMatch: FlowMatchCallback;
  readonly mode: FlowMode;
  private readonly scratchOptions: ScratchOptions | undefined;
  private readonly maxFlows: number;
  private readonly maxBufferedBytes: number;
  private readonly idleTimeout: number;
  private readonly limits: ReassemblyLimits;
  private readonly counters = new ReassemblyCounters();
  /** Insertion order = least recently used first (a packet moves its flow to the end). */
  private readonly flows = new Map<string, Flow>();
  private readonly decoder = new Decoder();
  private nextFlowId = 0;
  /** The flow of the previous TCP packet: it is already at the LRU end of `flows`. */
  private lastFlow: Flow | undefined = undefined;
  private readonly s: Omit<FlowStats, 'reassembly' | 'flowsActive' | 'mode'> = {
    packets: 0,
    tcpPackets: 0,
    otherPackets: 0,
    undecoded: 0,
    noFlow: 0,
    flowsCreated: 0,
    flowsPeak: 0,
    flowsClosed: 0,
    flowsReset: 0,
    evictedIdle: 0,
    evictedCapacity: 0,
    memoryPressure: 0,
    flushed: 0,
    restarted: 0,
    bytesScanned: 0,
    matches: 0,
  };

  // Context of the scan in progress, read by the one match callback (no closure per packet).
  private curFlow: Flow | undefined = undefined;
  private curDir: 0 | 1 = 0;
  private curBase = 0;
  private curPacket = -1;
  private readonly matchCb: MatchCallback;
  private packetScratch: ReturnType<Matcher['createScratch']> | undefined;

  constructor(options: FlowTableOptions) {
    this.matcher = options.matcher;
    this.onMatch = options.onMatch;
    this.mode = options.mode ?? 'stream';
    this.scratchOptions = options.scratch;
    this.maxFlows = Math.max(1, options.maxFlows ?? 65536);
    this.maxBufferedBytes = options.maxBufferedBytes ?? 64 * 1024 * 1024;
    this.idleTimeout = options.idleTimeoutSec ?? 300;
    this.limits = {
      maxBufferedBytes: options.maxBufferedBytesPerStream ?? 1024 * 1024,
      maxSegments: options.maxSegmentsPerStream ?? 256,
      retainBytes: options.retainBytes ?? 0,
    };
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
    for (const flow of [...this.flows.values()]) this.endFlow(flow, 'flushed');
  }

  /** Evict flows idle for longer than the timeout at capture time `now` (seconds). */
  expire(now: number): void {
    for (const flow of this.flows.values()) {
      if (now - flow.lastSeen <= this.idleTimeout) break; // LRU order: the rest are fresher
      this.endFlow(flow, 'evictedIdle');
    }
  }

  get activeFlows(): number {
    return this.flows.size;
  }

  stats(): FlowStats {
    const c = this.counters;
    return {
      mode: this.mode,
      ...this.s,
      flowsActive: this.flows.size,
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

  deliver(stream: TcpStream, bytes: Uint8Array): void {
    const flow = this.curFlow!;
    const scratch = (stream.scratch ??= this.matcher.createScratch(this.scratchOptions));
    this.curDir = stream === flow.streams[0] ? 0 : 1;
    // Absolute stream position of the scratch's offset 0 (it restarts after a reset).
    this.curBase = stream.streamPos - scratch.offset;
    this.s.bytesScanned += bytes.length;
    this.matcher.scan(scratch, bytes, this.matchCb);
  }

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
    const flags = d.tcpFlags;
    const syn = (flags & TcpFlag.SYN) !== 0;
    const ack = (flags & TcpFlag.ACK) !== 0;
    const fin = (flags & TcpFlag.FIN) !== 0;
    const rst = (flags & TcpFlag.RST) !== 0;
    const forward = compareEndpoints(d) <= 0;
    const key = flowKey(d, forward);
    let flow = this.flows.get(key);
    if (flow !== undefined) {
      const fromClient = this.fromClient(flow, d);
      const st = flow.streams[fromClient ? 0 : 1];
      // A client SYN that does not fit the known sequence space (another ISN, or, for a flow
      // picked up mid-stream, not just before its first byte) starts a new connection.
      const fits = st.isn >= 0 ? st.isn === d.seq : !st.started || ((d.seq + 1) >>> 0) === st.startSeq;
      if (syn && !ack && fromClient && !fits) {
        // A new connection on the same 5-tuple: the old one is over.
        this.s.restarted++;
        this.endFlow(flow, 'restarted');
        flow = undefined;
      } else if (flow !== this.lastFlow) {
        this.flows.delete(key); // move to the LRU end (already there if it had the last packet)
        this.flows.set(key, flow);
      }
    }
    if (flow === undefined) {
      if (rst || (!syn && d.payloadLength === 0)) {
        this.s.noFlow++;
        return;
      }
      flow = this.newFlow(key, d, syn && ack, now);
    }
    this.lastFlow = flow;
    flow.packets++;
    flow.lastPacket = packet.index;
    flow.lastSeen = now;
    const dir = this.fromClient(flow, d) ? 0 : 1;
    const st = flow.streams[dir];
    this.curFlow = flow;
    this.curPacket = packet.index;
    if (syn) st.syn(d.seq);
    if (d.payloadLength > 0 || fin) {
      const seq = syn ? (d.seq + 1) >>> 0 : d.seq;
      st.segment(seq, d.payload, fin, this);
      if (st.finished) this.finishStream(flow, st);
      if (this.counters.bufferedBytes > this.maxBufferedBytes) this.relieveMemory(flow, st);
    }
    if (rst) this.endFlow(flow, 'flowsReset');
    else if (flow.streams[0].finished && flow.streams[1].finished) this.endFlow(flow, 'flowsClosed');
  }

  private fromClient(flow: Flow, d: DecodedPacket): boolean {
    if (d.srcPort !== flow.clientPort) return false;
    const n = flow.ipVersion === 4 ? 4 : 16;
    for (let i = 0; i < n; i++) if (d.srcAddr[i] !== flow.clientAddr[i]) return false;
    // Same address and port on both sides (a self-connection): the first stream is the client.
    return true;
  }

  private newFlow(key: string, d: DecodedPacket, senderIsServer: boolean, now: number): Flow {
    while (this.flows.size >= this.maxFlows) {
      const oldest = this.flows.values().next().value as Flow;
      this.endFlow(oldest, 'evictedCapacity');
    }
    const n = d.ipVersion === 4 ? 4 : 16;
    const src = d.srcAddr.slice(0, n);
    const dst = d.dstAddr.slice(0, n);
    const flow = senderIsServer
      ? new Flow(this.nextFlowId++, key, d.ipVersion as 4 | 6, dst, d.dstPort, src, d.srcPort, now, this.limits, this.counters)
      : new Flow(this.nextFlowId++, key, d.ipVersion as 4 | 6, src, d.srcPort, dst, d.dstPort, now, this.limits, this.counters);
    this.flows.set(key, flow);
    this.s.flowsCreated++;
    if (this.flows.size > this.s.flowsPeak) this.s.flowsPeak = this.flows.size;
    return flow;
  }

  /**
   * Over the global buffer cap: the stream that pushed the total over it skips its holes.
   * (Every other stream was within the cap before this segment, so this always suffices;
   * the flow that fragments its stream pays, not its neighbours.)
   */
  private relieveMemory(flow: Flow, st: TcpStream): void {
    this.s.memoryPressure++;
    while (this.counters.bufferedBytes > this.maxBufferedBytes && st.bufferedSegments > 0) st.skipHole(this);
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

  private endFlow(
    flow: Flow,
    why: 'flowsClosed' | 'flowsReset' | 'evictedIdle' | 'evictedCapacity' | 'flushed' | 'restarted',
  ): void {
    const saved = [this.curFlow, this.curPacket] as const;
    this.curFlow = flow;
    this.curPacket = flow.lastPacket;
    for (const st of flow.streams) {
      st.flush(this);
      this.finishStream(flow, st);
      st.discard();
    }
    this.flows.delete(flow.key);
    if (this.lastFlow === flow) this.lastFlow = undefined;
    if (why !== 'restarted') this.s[why]++;
    [this.curFlow, this.curPacket] = saved;
  }
}
