/**
 * The flow tracker: groups decoded TCP and UDP packets into bidirectional flows and keeps,
 * per flow, what every user of flows needs: which side is the client, the TCP handshake
 * (and so whether the session is established), FIN flags, the two directions' TCP
 * reassembly (`TcpStream`, opened on demand) and one slot of user state (`Flow.state`,
 * made by `createState` when the flow starts) where detection hangs its per-direction
 * scratch and flowbits.
 *
 * Rules it applies:
 * - Orientation: the client is the sender of the flow's first packet, except that a
 *   SYN/ACK first makes its sender the server.
 * - A TCP flow starts with a SYN or a packet carrying payload (a bare ACK, FIN or any RST
 *   starts nothing: `track` returns undefined). UDP flows start with any datagram.
 * - Established: TCP once both sides sent a SYN and an ACK followed (the three-way
 *   handshake, and also the split handshake where the server answers SYN with SYN); with
 *   `midstream`, a TCP flow whose first packet is not a SYN is established at once. UDP
 *   once the server side spoke.
 * - Restart: a client SYN (without ACK) on a known flow that is not the same connection
 *   (see `RestartRule`) ends the old flow (reason 'restarted') and starts a new one.
 *
 * Guarantees: memory is bounded by `maxFlows` flows (the least recently used flow is ended
 * to make room, reason 'capacity'); `expire(now)` ends flows silent for more than
 * `idleTimeoutSec` of capture time (reason 'idle'). Every flow that starts is ended exactly
 * once through `onEnd` (or stays in the table): the tracker removes it first, so `onEnd`
 * may flush its streams and report. No allocation per packet for a known flow.
 */
import { formatAddress, TcpFlag, type DecodedPacket } from '../pcap/decode.js';
import type { Packet } from '../pcap/types.js';
import { flowKey } from './flow-key.js';
import { ReassemblyCounters, TcpStream, type OverlapPolicy, type ReassemblyLimits } from './tcp-stream.js';

/** Why a flow ended (the argument of `FlowTrackerOptions.onEnd`). */
export type FlowEndReason = 'closed' | 'reset' | 'idle' | 'capacity' | 'flushed' | 'restarted';

/**
 * When is a client SYN on a known flow the same connection (otherwise it restarts the flow)?
 * - 'isn': once the client direction's stream is open, only a SYN repeating its ISN;
 *   before, only while the handshake is still in progress (the client sent a SYN and the
 *   flow is not established: a retransmitted SYN). What `replay` applies.
 * - 'sequence': a SYN that fits the client stream's sequence space: its ISN, or, for a
 *   stream picked up mid-stream, the sequence number just before its first byte; a flow
 *   whose client stream has not started keeps any SYN. What `FlowTable` applies.
 */
export type RestartRule = 'isn' | 'sequence';

/** Options of a `FlowTracker`; `S` is the user state type kept on every flow. */
export interface FlowTrackerOptions<S> {
  /** Makes the user state of a flow that starts (its addresses and ports are set). */
  createState: (flow: Flow<S>) => S;
  /** Called once for every flow that ends, after it left the table. */
  onEnd?: (flow: Flow<S>, reason: FlowEndReason) => void;
  /** Flows held at once. @default 65536 */
  maxFlows?: number;
  /** Capture-time seconds without a packet before `expire` ends a flow. @default 300 */
  idleTimeoutSec?: number;
  /** A TCP flow whose first packet is not a SYN counts as established. @default false */
  midstream?: boolean;
  /**
   * Suricata's `stream.async-oneside`: only one direction of a session may be captured, so
   * a client SYN followed by the client's ACK (no server SYN seen) establishes it.
   * @default false
   */
  asyncOneside?: boolean;
  /** @default 'isn' */
  restart?: RestartRule;
  /**
   * Caps of each direction's reassembly (see `TcpStream`).
   * @default { maxBufferedBytes: 1048576, maxSegments: 256, retainBytes: 0 }
   */
  reassembly?: ReassemblyLimits;
  /**
   * Which copy of overlapping buffered TCP bytes each stream keeps (see `OverlapPolicy` in
   * tcp-stream.ts; Suricata's default is `DEFAULT_OVERLAP_POLICY`, 'bsd').
   * @default 'first'
   */
  overlapPolicy?: OverlapPolicy;
}

/** Counters of a `FlowTracker` (flows, not packets), cumulative over its life. */
export interface FlowTrackerStats {
  /** Flows started. */
  created: number;
  /** Most flows held at once. */
  peak: number;
  /** TCP packets with no flow and nothing to start one (bare ACK/FIN, RST). */
  noFlow: number;
  /** Flows ended, by reason. */
  ended: Record<FlowEndReason, number>;
}

/**
 * One bidirectional flow. Direction 0 goes from the client to the server. `S` is the user
 * state (`state`), made by the tracker's `createState`.
 */
export class Flow<S = unknown> {
  /** Reassembly of each direction (0 = client to server), opened by `FlowTracker.openStream`. */
  readonly streams: [TcpStream | undefined, TcpStream | undefined] = [undefined, undefined];
  /** The client sent a SYN. */
  clientSyn = false;
  /** The server sent a SYN (or SYN/ACK). */
  serverSyn = false;
  /** TCP: the handshake completed (or picked up mid-stream); UDP: the server side spoke. */
  established = false;
  /** TCP: the flow's first packet was not a client's SYN (a session picked up mid-stream, or from the SYN/ACK). */
  midstreamPickup = false;
  /**
   * Per direction: the sequence number just before its stream starts, i.e. the SYN's moved
   * past data the SYN carried; -1 while that side sent no SYN.
   */
  readonly synSeq: [number, number] = [-1, -1];
  /** Per direction: a FIN was seen. */
  readonly finSeen: [boolean, boolean] = [false, false];
  /** Packets seen from the server side. */
  fromServer = 0;
  /** Packets seen in both directions. */
  packets = 0;
  /** 0-based index (in its capture) of the flow's last packet, and its timestamp. */
  lastPacket = -1;
  lastSec = 0;
  lastNsec = 0;
  /** Capture time of the last packet, in seconds. */
  lastSeen: number;
  /** The user state (see `FlowTrackerOptions.createState`). */
  state!: S;

  /**
   * Addresses are the first 4 (IPv4) or 16 (IPv6) bytes; `firstSeen` is the capture time
   * (seconds) of the first packet.
   */
  constructor(
    readonly id: number,
    readonly key: string,
    readonly ipVersion: 4 | 6,
    readonly protocol: number,
    readonly clientAddr: Uint8Array,
    readonly clientPort: number,
    readonly serverAddr: Uint8Array,
    readonly serverPort: number,
    readonly firstSeen: number,
  ) {
    this.lastSeen = firstSeen;
  }

  /** Was `d` (a packet of this flow) sent by the client? A self-connection counts as client. */
  isFromClient(d: DecodedPacket): boolean {
    if (d.srcPort !== this.clientPort) return false;
    const n = this.ipVersion === 4 ? 4 : 16;
    for (let i = 0; i < n; i++) if (d.srcAddr[i] !== this.clientAddr[i]) return false;
    return true;
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

/** The table of live flows, least recently used first. Not reentrant. */
export class FlowTracker<S> {
  /** Reassembly counters shared by every stream the tracker opens. */
  readonly counters = new ReassemblyCounters();
  /** See `FlowTrackerStats`. */
  readonly stats: FlowTrackerStats = {
    created: 0,
    peak: 0,
    noFlow: 0,
    ended: { closed: 0, reset: 0, idle: 0, capacity: 0, flushed: 0, restarted: 0 },
  };
  private readonly createState: (flow: Flow<S>) => S;
  private readonly onEnd: ((flow: Flow<S>, reason: FlowEndReason) => void) | undefined;
  private readonly maxFlows: number;
  private readonly idleTimeout: number;
  private readonly midstream: boolean;
  private readonly asyncOneside: boolean;
  private readonly restart: RestartRule;
  private readonly limits: ReassemblyLimits;
  private readonly overlapPolicy: OverlapPolicy;
  /** Insertion order = least recently used first (a packet moves its flow to the end). */
  private readonly table = new Map<string, Flow<S>>();
  /** The flow of the previous tracked packet: already at the LRU end of `table`. */
  private lastFlow: Flow<S> | undefined = undefined;
  private nextId = 0;

  /** See `FlowTrackerOptions` for the defaults. */
  constructor(options: FlowTrackerOptions<S>) {
    this.createState = options.createState;
    this.onEnd = options.onEnd;
    this.maxFlows = Math.max(1, options.maxFlows ?? 65536);
    this.idleTimeout = options.idleTimeoutSec ?? 300;
    this.midstream = options.midstream ?? false;
    this.asyncOneside = options.asyncOneside ?? false;
    this.restart = options.restart ?? 'isn';
    this.limits = options.reassembly ?? { maxBufferedBytes: 1 << 20, maxSegments: 256, retainBytes: 0 };
    this.overlapPolicy = options.overlapPolicy ?? 'first';
  }

  /** Flows held now. */
  get size(): number {
    return this.table.size;
  }

  /** The live flows, least recently used first. */
  flows(): IterableIterator<Flow<S>> {
    return this.table.values();
  }

  /**
   * Finds or starts the flow of a TCP or UDP packet `d` (decoded from `packet`, not a
   * fragment) and updates its handshake state; undefined when a TCP packet can start no
   * flow. `now` is the capture time in seconds. May end other flows first (restart,
   * capacity) through `onEnd`.
   */
  track(d: DecodedPacket, packet: Packet, now: number): Flow<S> | undefined {
    const key = flowKey(d);
    let flow = this.table.get(key);
    const tcp = d.protocol === 6;
    const flags = d.tcpFlags;
    const syn = tcp && (flags & TcpFlag.SYN) !== 0;
    const ack = tcp && (flags & TcpFlag.ACK) !== 0;
    if (flow !== undefined && syn && !ack && flow.isFromClient(d) && !this.sameConnection(flow, d)) {
      this.end(flow, 'restarted');
      flow = undefined;
    }
    if (flow === undefined) {
      if (tcp && ((flags & TcpFlag.RST) !== 0 || (!syn && d.payloadLength === 0))) {
        this.stats.noFlow++;
        return undefined;
      }
      flow = this.start(key, d, syn && ack, now);
      if (tcp && !syn && this.midstream) flow.established = true;
      // Suricata's midstream pickup: anything but a client's SYN opens the session.
      if (tcp && (!syn || ack)) flow.midstreamPickup = true;
    } else if (flow !== this.lastFlow) {
      this.table.delete(key); // move to the LRU end
      this.table.set(key, flow);
    }
    this.lastFlow = flow;
    flow.packets++;
    flow.lastPacket = packet.index;
    flow.lastSec = packet.tsSec;
    flow.lastNsec = packet.tsNsec;
    flow.lastSeen = now;
    const fromClient = flow.isFromClient(d);
    if (tcp) {
      const dir = fromClient ? 0 : 1;
      // Both sides sent a SYN, then an ACK: the three-way handshake, and also the split
      // (four-way) handshake where the server answers SYN with SYN.
      if (syn) flow.synSeq[dir] = (d.seq + d.payloadLength) >>> 0;
      if (syn && fromClient) flow.clientSyn = true;
      else if (syn && !fromClient) flow.serverSyn = true;
      else if (ack && flow.clientSyn && flow.serverSyn) flow.established = true;
      else if (ack && fromClient && flow.clientSyn && this.asyncOneside) flow.established = true;
      if ((flags & TcpFlag.FIN) !== 0) flow.finSeen[dir] = true;
    } else if (!fromClient) flow.established = true; // UDP: both sides spoke
    if (!fromClient) flow.fromServer++;
    return flow;
  }

  /** The reassembly of direction `dir` (0 = client to server) of a TCP flow, opened on first use. */
  openStream(flow: Flow<S>, dir: 0 | 1): TcpStream {
    return (flow.streams[dir] ??= new TcpStream(this.limits, this.counters, this.overlapPolicy));
  }

  /** Ends the flows silent for more than the idle timeout at capture time `now` (seconds). */
  expire(now: number): void {
    for (const flow of this.table.values()) {
      if (now - flow.lastSeen <= this.idleTimeout) break; // LRU order: the rest are fresher
      this.end(flow, 'idle');
    }
  }

  /** Ends every flow (least recently used first), with `reason` ('flushed': end of capture). */
  endAll(reason: FlowEndReason = 'flushed'): void {
    for (const flow of [...this.table.values()]) this.end(flow, reason);
    this.table.clear();
  }

  /** Removes `flow` from the table (if it is there), counts `reason` and calls `onEnd`. */
  end(flow: Flow<S>, reason: FlowEndReason): void {
    if (this.table.get(flow.key) === flow) this.table.delete(flow.key);
    if (this.lastFlow === flow) this.lastFlow = undefined;
    this.stats.ended[reason]++;
    this.onEnd?.(flow, reason);
  }

  private start(key: string, d: DecodedPacket, senderIsServer: boolean, now: number): Flow<S> {
    while (this.table.size >= this.maxFlows) this.end(this.table.values().next().value as Flow<S>, 'capacity');
    const n = d.ipVersion === 4 ? 4 : 16;
    const src = d.srcAddr.slice(0, n);
    const dst = d.dstAddr.slice(0, n);
    const v = d.ipVersion as 4 | 6;
    const id = this.nextId++;
    const flow = senderIsServer
      ? new Flow<S>(id, key, v, d.protocol, dst, d.dstPort, src, d.srcPort, now)
      : new Flow<S>(id, key, v, d.protocol, src, d.srcPort, dst, d.dstPort, now);
    flow.state = this.createState(flow);
    this.table.set(key, flow);
    this.stats.created++;
    if (this.table.size > this.stats.peak) this.stats.peak = this.table.size;
    return flow;
  }

  /** A client SYN without ACK on `flow`: the same connection (see `RestartRule`)? */
  private sameConnection(flow: Flow<S>, d: DecodedPacket): boolean {
    const st = flow.streams[0];
    if (this.restart === 'isn') return st !== undefined ? st.isn === d.seq : flow.clientSyn && !flow.established;
    if (st === undefined) return true;
    return st.isn >= 0 ? st.isn === d.seq : !st.started || ((d.seq + 1) >>> 0) === st.startSeq;
  }
}
