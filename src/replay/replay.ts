/**
 * Library-level replay: Snort rules against capture files, alerts out. This is what the
 * `replay` command runs; tests and other tools call it directly.
 *
 * `prepareRules` loads rule files (an unreadable file is recorded, the others still load),
 * applies variables and `--select`, and compiles ONE automaton for every pattern of the
 * chosen rules with the chosen engine (`RuleDetector`). A `Replayer` then reads captures
 * packet by packet and calls `onAlert` for every rule that fires.
 *
 * Two modes:
 * - `packet` (default): every packet payload is inspected on its own (Snort without stream
 *   reassembly). Sessions are still tracked (TCP handshake, UDP both-ways) so that
 *   `flow:established,to_server` and flowbits work; a rule may fire once per packet.
 * - `stream`: TCP payloads are reassembled per direction (`src/flow` TcpStream) and rules
 *   are evaluated on the reassembled bytes of the direction so far (Suricata's raw stream
 *   inspection): the engine scratch of the direction carries the automaton state across
 *   segments, its match events are kept, and after each segment that produced new events
 *   (and at the end of the direction) the rules are decided on the whole direction buffer.
 *   A rule fires at most once per direction of a TCP session. Rules that only make sense
 *   on single packets (`tcp-pkt`, `flow:no_stream`, `dsize`, packet options such as
 *   `flags`, rules without patterns) are evaluated per packet as in packet mode. Non-TCP
 *   traffic is inspected per packet. Each direction inspects at most `streamDepth` bytes
 *   (like Suricata's reassembly depth); a hole skipped by the reassembler starts a new
 *   buffer (no match across missing bytes). HTTP buffers are located only for the HTTP
 *   message at the start of a direction's buffer (later requests of a keep-alive
 *   connection are searched as raw payload): an approximation.
 *
 * Actions: `alert`, `drop`, `reject`, `activate`, ... rules are reported; `log`, `sdrop` and
 * `dynamic` rules are evaluated (flowbits) but not reported; a `pass` rule that fires
 * silences every other rule of the same packet (or stream window), as Snort's default
 * order (pass first) does. Suricata's per-flow pass and `action-order` are not modelled.
 *
 * Guarantees: memory is bounded (`maxFlows` sessions, `streamDepth` bytes per direction,
 * `maxStreamBytes` in all); no allocation per byte or per match event in the hot path (one
 * decoded packet object is reused, event arrays grow geometrically). A damaged capture
 * yields the alerts of the packets before the damage and a `PcapFormatError` in the result.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { PcapFormatError, RuleParseError } from '../errors.js';
import type { EngineName, MatchCallback, Scratch } from '../matcher/types.js';
import { ReassemblyCounters, TcpStream, type ReassemblyLimits, type ReassemblySink } from '../flow/tcp-stream.js';
import { Decoder, DecodeStatus, formatAddress, TcpFlag, type DecodedPacket } from '../pcap/decode.js';
import { readCapture, type CaptureSource } from '../pcap/reader.js';
import type { Packet } from '../pcap/types.js';
import { RuleDetector } from '../detect/detect.js';
import { locateHttpBuffers } from '../detect/http-buffers.js';
import { loadRuleTexts, type LoadSummary } from '../rules/load.js';
import type { RuleReject } from '../rules/parse.js';
import type { Rule } from '../rules/rule.js';
import { flowMatches, headerMatchesPacket, type PacketFields, type RuleFlowState } from '../detect/rule-match.js';
import { selectRules } from '../rules/select.js';
import { Variables } from '../rules/vars.js';

// ---- rules ---------------------------------------------------------------------------------

export interface RuleSetOptions {
  /** Rule files (`-` is stdin). */
  ruleFiles?: readonly string[];
  /** Rule texts given directly (after the files). */
  ruleTexts?: readonly { file: string; text: string }[];
  includeDisabled?: boolean;
  /** A snort.conf / variables file (`var`, `ipvar`, `portvar` lines). */
  varsFile?: string;
  /** `NAME=value` assignments applied last (`--var`). */
  vars?: readonly string[];
  /** A `src/rules/select.ts` selector (`--select`). */
  select?: string;
  /** @default 'nfa' */
  engine?: EngineName;
  engineOptions?: Record<string, unknown>;
}

export interface PreparedRules {
  detector: RuleDetector;
  engine: EngineName;
  load: LoadSummary;
  /** Rule files that could not be read (each a RuleParseError at line 0). */
  unreadable: RuleParseError[];
  /** Rules kept by the selector (before the engine rejected any). */
  selected: number;
  /** Every rejected rule: parse rejects of the loaded files, then the engine's. */
  rejected: RuleReject[];
  rejectedByKind: Record<string, number>;
  /** Rules that can fire. */
  active: number;
  loadMs: number;
  compileMs: number;
}

/**
 * Loads, selects and compiles. Throws only for bad usage (UsageError: selector, variable
 * assignment, engine) and an unreadable variables file (RuleParseError).
 */
export function prepareRules(options: RuleSetOptions): PreparedRules {
  const t0 = performance.now();
  let vars = Variables.defaults();
  if (options.varsFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.varsFile === '-' ? 0 : options.varsFile, 'utf8');
    } catch (e) {
      throw new RuleParseError(`cannot read variables: ${(e as Error).message}`, 0, options.varsFile);
    }
    vars = vars.withConfig(text, options.varsFile);
  }
  if (options.vars && options.vars.length > 0) vars = vars.withAssignments(options.vars);
  const texts: { file: string; text: string }[] = [];
  const unreadable: RuleParseError[] = [];
  for (const file of options.ruleFiles ?? []) {
    try {
      texts.push({ file, text: readFileSync(file === '-' ? 0 : file, 'utf8') });
    } catch (e) {
      unreadable.push(new RuleParseError(`cannot read rules: ${(e as Error).message}`, 0, file));
    }
  }
  texts.push(...(options.ruleTexts ?? []));
  const loaded = loadRuleTexts(texts, { includeDisabled: options.includeDisabled, vars });
  const chosen = options.select ? selectRules(loaded.rules, options.select, loaded.vars) : loaded.rules;
  const t1 = performance.now();
  const engine = options.engine ?? 'nfa';
  const detector = RuleDetector.build(chosen, { engine, engineOptions: options.engineOptions });
  const t2 = performance.now();
  const rejected = [...loaded.rejected, ...detector.rejected];
  const rejectedByKind: Record<string, number> = {};
  for (const x of rejected) rejectedByKind[x.kind] = (rejectedByKind[x.kind] ?? 0) + 1;
  let active = 0;
  for (let r = 0; r < detector.rules.length; r++) if (detector.program.alive[r]) active++;
  return {
    detector,
    engine,
    load: loaded.summary,
    unreadable,
    selected: chosen.length,
    rejected,
    rejectedByKind,
    active,
    loadMs: t1 - t0,
    compileMs: t2 - t1,
  };
}

// ---- alerts --------------------------------------------------------------------------------

export interface Alert {
  rule: Rule;
  /** The capture file name as given. */
  file: string;
  /** 1-based packet number in its file (in stream mode: the packet whose data completed the match). */
  packet: number;
  tsSec: number;
  tsNsec: number;
  ipVersion: number;
  /** IP protocol number. */
  proto: number;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  /** The payload went from the session's client to its server. */
  toServer: boolean;
  /** Decided on reassembled stream data (stream mode) rather than one packet. */
  stream: boolean;
  /**
   * For each positive pattern signature of the rule (in rule order, duplicates once), the
   * end offset of its first match in the inspected window: in the packet payload (packet
   * mode), or in the direction's stream counted from its start or last hole (stream mode);
   * null if it did not match there. These are the engine's reports, not necessarily the
   * positions the rule evaluator chose.
   */
  offsets: (number | null)[];
}

export type AlertCallback = (alert: Alert) => void;

// ---- replay --------------------------------------------------------------------------------

export type ReplayMode = 'packet' | 'stream';

export interface ReplayOptions {
  /** @default 'packet' */
  mode?: ReplayMode;
  /** Bytes inspected per stream direction. @default 1048576 */
  streamDepth?: number;
  /** Stream bytes held for inspection over all sessions. @default 268435456 */
  maxStreamBytes?: number;
  /** @default 65536 */
  maxFlows?: number;
  /** Capture-time seconds of silence before a session is ended. @default 300 */
  idleTimeoutSec?: number;
  /** Stop each capture after this many packets. */
  limitPackets?: number;
  /**
   * A TCP session picked up mid-stream (first packet not a SYN) counts as established
   * (Suricata's `stream.midstream=true`; Snort 2 stream5 without `require_3whs`).
   * @default false (established only after the three-way handshake)
   */
  midstream?: boolean;
}

export interface CaptureResult {
  file: string;
  packets: number;
  /** Captured bytes (record lengths). */
  bytes: number;
  alerts: number;
  /** The damage that stopped reading, if any. */
  error: PcapFormatError | undefined;
  /** Packets the engine or rule evaluator failed on (skipped; see `engineError`). */
  engineErrors: number;
  /** The first such failure's message. */
  engineError: string | undefined;
  ms: number;
}

export interface ReplayStats {
  packets: number;
  bytes: number;
  /** Payload bytes given to the engine (packet payloads and stream bytes). */
  scannedBytes: number;
  undecoded: number;
  alerts: number;
  sessions: number;
  sessionsPeak: number;
  /** Stream directions that reached `streamDepth` (or the global cap) and stopped being inspected. */
  depthReached: number;
  streamEvaluations: number;
  reassembly: { gaps: number; bytesSkipped: number; outOfOrder: number; retransmissions: number };
}

const EMPTY_OFFSETS: (number | null)[] = [];
/** Bytes at the start of a direction decided as one window (matches may span any packets there). */
const STREAM_HEAD = 64 * 1024;
const ACTION_REPORT = 0;
const ACTION_SILENT = 1;
const ACTION_PASS = 2;

/** One direction of a session: its header fields, and in stream mode its reassembly state. */
class Direction {
  readonly fields: PacketFields;
  stream: TcpStream | undefined = undefined;
  scratch: Scratch | undefined = undefined;
  evSig = new Int32Array(0);
  evEnd = new Float64Array(0);
  evCount = 0;
  /** evCount at the last evaluation. */
  evalAt = 0;
  /** Buffer offset where the bytes of the packet in progress start. */
  chunkStart = 0;
  /** Buffer offset where the previous packet's bytes started. */
  prevChunkStart = 0;
  buf: Uint8Array | undefined = undefined;
  len = 0;
  depthReached = false;
  finished = false;
  fired: Set<number> | undefined = undefined;
  fin = false;
  /**
   * Sequence number just before this side's stream starts: its SYN's, moved past data the
   * SYN carried (inspected as a packet, before the session was established); -1 unknown.
   */
  synSeq = -1;

  constructor(ipVersion: number, protocol: number, src: Uint8Array, sport: number, dst: Uint8Array, dport: number) {
    this.fields = { ipVersion, protocol, srcAddr: src, dstAddr: dst, srcPort: sport, dstPort: dport };
  }
}

class Session {
  readonly dirs: [Direction, Direction];
  clientSyn = false;
  /** A SYN (or SYN/ACK) was seen from the server side. */
  serverSyn = false;
  established = false;
  /** Packets seen from the server side (UDP: established once both sides spoke). */
  fromServer = 0;
  flowbits: Uint8Array | undefined = undefined;
  lastIndex = -1;
  lastSec = 0;
  lastNsec = 0;
  lastSeen = 0;
  constructor(
    readonly key: string,
    readonly ipVersion: number,
    readonly protocol: number,
    client: Uint8Array,
    clientPort: number,
    server: Uint8Array,
    serverPort: number,
  ) {
    this.dirs = [
      new Direction(ipVersion, protocol, client, clientPort, server, serverPort),
      new Direction(ipVersion, protocol, server, serverPort, client, clientPort),
    ];
  }
}

function sessionKey(d: DecodedPacket): string {
  // Canonical (same both ways): lower endpoint first. Addresses as 16-bit units.
  const n = d.ipVersion === 4 ? 4 : 16;
  let cmp = 0;
  for (let i = 0; i < n && cmp === 0; i++) cmp = d.srcAddr[i] - d.dstAddr[i];
  if (cmp === 0) cmp = d.srcPort - d.dstPort;
  const lo = cmp <= 0 ? d.srcAddr : d.dstAddr;
  const hi = cmp <= 0 ? d.dstAddr : d.srcAddr;
  const lp = cmp <= 0 ? d.srcPort : d.dstPort;
  const hp = cmp <= 0 ? d.dstPort : d.srcPort;
  if (n === 4) {
    return String.fromCharCode((lo[0] << 8) | lo[1], (lo[2] << 8) | lo[3], lp, (hi[0] << 8) | hi[1], (hi[2] << 8) | hi[3], hp, d.protocol, d.vlanOuter + 1);
  }
  const u: number[] = [];
  for (let i = 0; i < 16; i += 2) u.push((lo[i] << 8) | lo[i + 1]);
  u.push(lp);
  for (let i = 0; i < 16; i += 2) u.push((hi[i] << 8) | hi[i + 1]);
  u.push(hp, d.protocol, d.vlanOuter + 1, 6);
  return String.fromCharCode(...u);
}

/**
 * Replays captures through one detector. Not reentrant: replay one capture at a time
 * (sessions do not carry over from one capture to the next).
 */
export class Replayer implements ReassemblySink {
  readonly mode: ReplayMode;
  /** Replaced by a fork (fresh scratch) after an engine failure. */
  private det: RuleDetector;
  private readonly rules: readonly Rule[];
  private readonly streamDepth: number;
  private readonly maxStreamBytes: number;
  private readonly maxFlows: number;
  private readonly idleTimeout: number;
  private readonly limitPackets: number;
  private readonly midstream: boolean;
  private readonly limits: ReassemblyLimits = { maxBufferedBytes: 1 << 20, maxSegments: 256, retainBytes: 0 };
  private readonly counters = new ReassemblyCounters();
  private readonly decoder = new Decoder();
  /** Insertion order = least recently used first. */
  private readonly sessions = new Map<string, Session>();
  /** Rules decided per packet even in stream mode (see module comment). */
  private readonly packetOnly: Uint8Array;
  private readonly hasPacketOnly: boolean;
  private readonly hasFlowbits: boolean;
  private readonly tmpBits: Uint8Array;
  private streamBytesHeld = 0;
  readonly stats: ReplayStats = {
    packets: 0,
    bytes: 0,
    scannedBytes: 0,
    undecoded: 0,
    alerts: 0,
    sessions: 0,
    sessionsPeak: 0,
    depthReached: 0,
    streamEvaluations: 0,
    reassembly: { gaps: 0, bytesSkipped: 0, outOfOrder: 0, retransmissions: 0 },
  };

  // Context of the packet in progress, read by the prebuilt callbacks (no closure per packet).
  private file = '';
  private onAlert: AlertCallback = () => {};
  private curIndex = 0;
  private curSec = 0;
  private curNsec = 0;
  private curPacket: DecodedPacket | undefined = undefined;
  private curSession: Session | undefined = undefined;
  private curDir: Direction | undefined = undefined;
  private curToServer = true;
  /** The packet in progress goes to stream reassembly (its stream rules are decided there). */
  private curStreamed = false;
  /** Buffer offset of the window being decided (stream mode), added to reported offsets. */
  private curBase = 0;
  private readonly pktFlow: RuleFlowState = { toServer: true, established: false, stream: false };
  private readonly streamFlow: RuleFlowState = { toServer: true, established: false, stream: true };
  private readonly acceptPacket: (r: number) => boolean;
  private readonly acceptStream: (r: number) => boolean;
  private readonly firePacket: (r: number) => void;
  /** Per rule: ACTION_REPORT (alerts), ACTION_SILENT (log, sdrop, dynamic: no alert), ACTION_PASS. */
  private readonly action: Uint8Array;
  private held = new Int32Array(16);
  private heldCount = 0;
  private passed = false;
  private readonly fireStream: (r: number) => void;
  private readonly streamEvent: MatchCallback;

  constructor(detector: RuleDetector, options: ReplayOptions = {}) {
    this.det = detector;
    this.rules = detector.rules;
    this.mode = options.mode ?? 'packet';
    this.streamDepth = Math.max(1, options.streamDepth ?? 1 << 20);
    this.maxStreamBytes = options.maxStreamBytes ?? 256 * 1024 * 1024;
    this.maxFlows = Math.max(1, options.maxFlows ?? 65536);
    this.idleTimeout = options.idleTimeoutSec ?? 300;
    this.limitPackets = options.limitPackets ?? Infinity;
    this.midstream = options.midstream ?? false;
    const n = this.rules.length;
    this.packetOnly = new Uint8Array(n);
    let any = false;
    for (let r = 0; r < n; r++) {
      const rule = this.rules[r];
      const only = rule.protocol === 'tcp-pkt' || rule.flow?.stream === false || rule.dsize !== undefined ||
        rule.packetChecks.length > 0 || !rule.patterns.some((p) => !p.negated);
      if (only) {
        this.packetOnly[r] = 1;
        if (detector.program.alive[r]) any = true;
      }
    }
    this.hasPacketOnly = any;
    this.action = new Uint8Array(n);
    for (let r = 0; r < n; r++) {
      const a = this.rules[r].action;
      this.action[r] = a === 'pass' ? ACTION_PASS : a === 'log' || a === 'sdrop' || a === 'dynamic' ? ACTION_SILENT : ACTION_REPORT;
    }
    this.hasFlowbits = detector.program.flowbitNames.length > 0;
    this.tmpBits = detector.program.createFlowbits();

    const stream = this.mode === 'stream';
    this.acceptPacket = (r: number): boolean => {
      const rule = this.rules[r];
      if (this.curStreamed && this.packetOnly[r] === 0) return false;
      return flowMatches(rule, this.pktFlow);
    };
    this.acceptStream = (r: number): boolean => {
      if (this.packetOnly[r] === 1) return false;
      const dir = this.curDir!;
      if (dir.fired !== undefined && dir.fired.has(r)) return false;
      const rule = this.rules[r];
      return headerMatchesPacket(rule, dir.fields) && flowMatches(rule, this.streamFlow);
    };
    // Fired rules are held until the evaluation ends: a `pass` rule that fires silences the
    // others of the same packet or stream window (Snort's default order puts pass first).
    const hold = (r: number): void => {
      if (this.action[r] === ACTION_PASS) this.passed = true;
      if (this.heldCount === this.held.length) {
        const h = new Int32Array(this.held.length * 2);
        h.set(this.held);
        this.held = h;
      }
      this.held[this.heldCount++] = r;
    };
    this.firePacket = hold;
    this.fireStream = hold;
    this.streamEvent = (signature: number, end: number): void => {
      const dir = this.curDir!;
      if (dir.evCount === dir.evSig.length) {
        const cap = Math.max(64, dir.evSig.length * 2);
        const s = new Int32Array(cap);
        s.set(dir.evSig);
        dir.evSig = s;
        const e = new Float64Array(cap);
        e.set(dir.evEnd);
        dir.evEnd = e;
      }
      dir.evSig[dir.evCount] = signature;
      dir.evEnd[dir.evCount] = end;
      dir.evCount++;
    };
  }

  get detector(): RuleDetector {
    return this.det;
  }

  /**
   * Replays one capture (a path, bytes, or a stream; `file` names it in alerts and
   * errors). Resolves when the capture is done or damaged (never rejects for a damaged
   * capture: the error is in the result). `onProgress` is called between input chunks.
   */
  async replay(source: CaptureSource, file: string, onAlert: AlertCallback, onProgress?: (packets: number) => void): Promise<CaptureResult> {
    const t0 = performance.now();
    const reader = readCapture(source, { file });
    const before = { packets: this.stats.packets, bytes: this.stats.bytes, alerts: this.stats.alerts };
    this.file = file;
    this.onAlert = onAlert;
    let error: PcapFormatError | undefined;
    let count = 0;
    let engineErrors = 0;
    let engineError: string | undefined;
    try {
      outer: for await (const batch of reader.batches()) {
        for (const p of batch) {
          if (count >= this.limitPackets) break outer;
          count++;
          try {
            this.processPacket(p);
          } catch (e) {
            // An engine failure is not the capture's fault: skip the packet, start the
            // detector and the session's scratches afresh, and report it.
            engineErrors++;
            engineError ??= `packet ${p.index + 1}: ${e instanceof Error ? e.message : String(e)}`;
            this.recover();
          }
        }
        onProgress?.(this.stats.packets - before.packets);
      }
    } catch (e) {
      error = e instanceof PcapFormatError ? e : new PcapFormatError(`unexpected failure: ${(e as Error).message}`, 0, count, file);
    }
    this.endCapture();
    return {
      file,
      packets: this.stats.packets - before.packets,
      bytes: this.stats.bytes - before.bytes,
      alerts: this.stats.alerts - before.alerts,
      error,
      ms: performance.now() - t0,
      engineErrors,
      engineError,
    };
  }

  private recover(): void {
    this.det = this.det.fork();
    const s = this.curSession;
    if (s !== undefined) {
      for (const dir of s.dirs) {
        if (dir.scratch !== undefined) this.det.matcher.reset(dir.scratch);
      }
    }
    this.curPacket = undefined;
  }

  /** Ends every session (stream mode: remaining bytes are inspected, end-anchored patterns report). */
  endCapture(): void {
    for (const s of [...this.sessions.values()]) this.endSession(s);
    this.sessions.clear();
    const c = this.counters;
    this.stats.reassembly.gaps = c.gaps;
    this.stats.reassembly.bytesSkipped = c.bytesSkipped;
    this.stats.reassembly.outOfOrder = c.outOfOrder;
    this.stats.reassembly.retransmissions = c.retransmissions;
  }

  /** One captured packet (its `index` is its 0-based number in the capture). */
  processPacket(p: Packet): void {
    const st = this.stats;
    st.packets++;
    st.bytes += p.data.length;
    if (this.decoder.decode(p) !== DecodeStatus.OK) {
      st.undecoded++;
      return;
    }
    const d = this.decoder.out;
    this.curPacket = d;
    this.curIndex = p.index;
    this.curSec = p.tsSec;
    this.curNsec = p.tsNsec;
    const now = p.tsSec + p.tsNsec / 1e9;
    this.expire(now);
    const proto = d.protocol;
    let s: Session | undefined;
    let toServer = true;
    if ((proto === 6 || proto === 17) && !d.fragment) {
      s = this.track(d, now);
      if (s !== undefined) toServer = this.fromClient(s, d);
    }
    this.curSession = s;
    this.curToServer = toServer;
    this.pktFlow.toServer = toServer;
    this.pktFlow.established = s !== undefined && s.established;
    let bits: Uint8Array | undefined;
    if (this.hasFlowbits) {
      if (s !== undefined) bits = s.flowbits ??= this.det.program.createFlowbits();
      else {
        bits = this.tmpBits;
        bits.fill(0);
      }
    }
    // Suricata's stream engine reassembles once the session is established (or picked up
    // mid-stream); before that (SYN data, no handshake) payloads are inspected per packet.
    const streamTcp = this.mode === 'stream' && proto === 6 && s !== undefined && s.established;
    this.curStreamed = streamTcp;
    if (!streamTcp || this.hasPacketOnly) {
      st.scannedBytes += d.payloadLength;
      this.curBase = 0;
      this.heldCount = 0;
      this.passed = false;
      this.det.inspectPacket(d, this.firePacket, this.acceptPacket, bits);
      if (this.heldCount > 0) this.reportPacket();
    }
    if (streamTcp) this.streamSegment(s!, d, toServer);
    if (s !== undefined && proto === 6) {
      const rst = (d.tcpFlags & TcpFlag.RST) !== 0;
      if (this.mode === 'packet' && (d.tcpFlags & TcpFlag.FIN) !== 0) s.dirs[toServer ? 0 : 1].fin = true;
      const closed = this.mode === 'packet' ? s.dirs[0].fin && s.dirs[1].fin : s.dirs[0].finished && s.dirs[1].finished;
      if (rst || closed) this.endSession(s);
    }
    this.curPacket = undefined;
  }

  // ---- sessions ------------------------------------------------------------------------------

  private fromClient(s: Session, d: DecodedPacket): boolean {
    const c = s.dirs[0].fields;
    if (d.srcPort !== c.srcPort) return false;
    const n = s.ipVersion === 4 ? 4 : 16;
    for (let i = 0; i < n; i++) if (d.srcAddr[i] !== c.srcAddr[i]) return false;
    return true;
  }

  /** Finds or starts the session of a TCP/UDP packet and updates its handshake state. */
  private track(d: DecodedPacket, now: number): Session | undefined {
    const key = sessionKey(d);
    let s = this.sessions.get(key);
    const tcp = d.protocol === 6;
    const flags = d.tcpFlags;
    const syn = tcp && (flags & TcpFlag.SYN) !== 0;
    const ack = tcp && (flags & TcpFlag.ACK) !== 0;
    if (s !== undefined && syn && !ack && this.fromClient(s, d)) {
      // A client SYN with another ISN on a known session: a new connection on the same ports.
      const st = s.dirs[0].stream;
      const sameIsn = st !== undefined ? st.isn === (d.seq >>> 0) : s.clientSyn && !s.established;
      if (!sameIsn) {
        this.endSession(s);
        s = undefined;
      }
    }
    if (s === undefined) {
      if (tcp && ((flags & TcpFlag.RST) !== 0 || (!syn && d.payloadLength === 0))) return undefined;
      while (this.sessions.size >= this.maxFlows) this.endSession(this.sessions.values().next().value as Session);
      const src = d.srcAddr.slice(0, 16);
      const dst = d.dstAddr.slice(0, 16);
      // A SYN/ACK first: its sender is the server.
      s = syn && ack
        ? new Session(key, d.ipVersion, d.protocol, dst, d.dstPort, src, d.srcPort)
        : new Session(key, d.ipVersion, d.protocol, src, d.srcPort, dst, d.dstPort);
      this.sessions.set(key, s);
      this.stats.sessions++;
      if (tcp && !syn && this.midstream) s.established = true;
      if (this.sessions.size > this.stats.sessionsPeak) this.stats.sessionsPeak = this.sessions.size;
    } else {
      this.sessions.delete(key); // move to the LRU end
      this.sessions.set(key, s);
    }
    s.lastIndex = this.curIndex;
    s.lastSec = this.curSec;
    s.lastNsec = this.curNsec;
    s.lastSeen = now;
    const fromClient = this.fromClient(s, d);
    if (tcp) {
      // Both sides sent a SYN, then an ACK: the three-way handshake, and also the split
      // (four-way) handshake where the server answers SYN with SYN.
      if (syn) s.dirs[fromClient ? 0 : 1].synSeq = (d.seq + d.payloadLength) >>> 0;
      if (syn && fromClient) s.clientSyn = true;
      else if (syn && !fromClient) s.serverSyn = true;
      else if (ack && s.clientSyn && s.serverSyn) s.established = true;
    } else if (!fromClient) s.established = true; // UDP: both sides spoke
    if (!fromClient) s.fromServer++;
    return s;
  }

  private expire(now: number): void {
    for (const s of this.sessions.values()) {
      if (now - s.lastSeen <= this.idleTimeout) break; // LRU order: the rest are fresher
      this.endSession(s);
    }
  }

  private endSession(s: Session): void {
    if (this.sessions.get(s.key) === s) this.sessions.delete(s.key);
    if (this.mode !== 'stream') return;
    const saved = [this.curIndex, this.curSec, this.curNsec, this.curSession] as const;
    this.curIndex = s.lastIndex;
    this.curSec = s.lastSec;
    this.curNsec = s.lastNsec;
    this.curSession = s;
    for (const dir of s.dirs) {
      if (dir.stream === undefined) continue;
      this.curDir = dir;
      dir.chunkStart = dir.len;
      dir.stream.flush(this);
      this.finishDirection(s, dir);
      dir.stream.discard();
    }
    [this.curIndex, this.curSec, this.curNsec, this.curSession] = saved;
  }

  // ---- stream mode ---------------------------------------------------------------------------

  private streamSegment(s: Session, d: DecodedPacket, toServer: boolean): void {
    const dir = s.dirs[toServer ? 0 : 1];
    let st = dir.stream;
    if (st === undefined) {
      st = dir.stream = new TcpStream(this.limits, this.counters);
      // The handshake went through the packet path: start the sequence space at the SYN.
      if (dir.synSeq >= 0) st.syn(dir.synSeq);
    }
    const flags = d.tcpFlags;
    const syn = (flags & TcpFlag.SYN) !== 0;
    const fin = (flags & TcpFlag.FIN) !== 0;
    if (syn) st.syn(d.seq);
    if (d.payloadLength === 0 && !fin) return;
    this.curDir = dir;
    if (dir.len > dir.chunkStart) dir.prevChunkStart = dir.chunkStart;
    dir.chunkStart = dir.len;
    st.segment(syn ? (d.seq + 1) >>> 0 : d.seq, d.payload, fin, this);
    if (dir.evCount > dir.evalAt) this.inspectDirection(s, dir);
    if (st.finished) this.finishDirection(s, dir);
  }

  deliver(stream: TcpStream, bytes: Uint8Array): void {
    const dir = this.curDir!;
    if (dir.stream !== stream || dir.depthReached || dir.finished) return;
    let n = bytes.length;
    const room = this.streamDepth - dir.len;
    if (n > room) n = room;
    if (!this.reserve(dir, dir.len + n)) n = 0;
    if (n < bytes.length) {
      dir.depthReached = true;
      this.stats.depthReached++;
    }
    if (n === 0) return;
    dir.buf!.set(n === bytes.length ? bytes : bytes.subarray(0, n), dir.len);
    dir.len += n;
    const scratch = (dir.scratch ??= this.det.matcher.createScratch({ mode: 'all' }));
    this.stats.scannedBytes += n;
    this.det.matcher.scan(scratch, n === bytes.length ? bytes : bytes.subarray(0, n), this.streamEvent);
  }

  gap(stream: TcpStream, _skipped: number): void {
    const dir = this.curDir!;
    if (dir.stream !== stream || dir.finished) return;
    // Decide what was seen before the hole, then start a new buffer after it.
    if (dir.evCount > dir.evalAt) this.inspectDirection(this.curSession!, dir);
    if (dir.scratch !== undefined) this.det.matcher.reset(dir.scratch);
    dir.len = 0;
    dir.chunkStart = 0;
    dir.prevChunkStart = 0;
    dir.evCount = 0;
    dir.evalAt = 0;
    dir.depthReached = false; // the buffer after the hole gets its own depth budget
  }

  /** Grows the direction buffer to hold `need` bytes; false when the global cap forbids it. */
  private reserve(dir: Direction, need: number): boolean {
    const have = dir.buf?.length ?? 0;
    if (need <= have) return true;
    let cap = Math.max(4096, have * 2);
    while (cap < need) cap *= 2;
    cap = Math.min(cap, this.streamDepth);
    if (this.streamBytesHeld - have + cap > this.maxStreamBytes) return false;
    const buf = new Uint8Array(cap);
    if (dir.buf !== undefined) buf.set(dir.buf.subarray(0, dir.len));
    this.streamBytesHeld += cap - have;
    dir.buf = buf;
    return true;
  }

  private finishDirection(s: Session, dir: Direction): void {
    if (dir.finished) return;
    dir.finished = true;
    this.curDir = dir;
    if (dir.scratch !== undefined) {
      // A buffer cut by the depth has no real end: no end-anchored matches there.
      if (dir.depthReached) this.det.matcher.reset(dir.scratch);
      else this.det.matcher.finish(dir.scratch, this.streamEvent);
    }
    if (dir.evCount > dir.evalAt || (dir.len > 0 && dir.evalAt === 0)) this.inspectDirection(s, dir);
    this.streamBytesHeld -= dir.buf?.length ?? 0;
    dir.buf = undefined;
    dir.scratch = undefined;
    dir.evSig = new Int32Array(0);
    dir.evEnd = new Float64Array(0);
    dir.evCount = 0;
  }

  /**
   * Decides the rules on two windows of the direction: the bytes of the packet in
   * progress alone (so `offset`/`depth`/`startswith` and HTTP buffers count from the start
   * of that chunk, as for a Snort PDU or a Suricata stream chunk that starts a message),
   * then, for matches spanning packets, everything since the stream start (or the last
   * hole) while that is at most STREAM_HEAD bytes, else the previous packet's bytes and
   * this packet's. A rule alerts at most once per direction, whichever window fires first.
   */
  private inspectDirection(s: Session, dir: Direction): void {
    const from = dir.chunkStart;
    if (from > 0 && from < dir.len) this.evaluateWindow(s, dir, from);
    if (dir.len <= STREAM_HEAD) this.evaluateWindow(s, dir, 0);
    else {
      // Past the stream head, the spanning window is the previous packet plus this one
      // (bounded work per packet), and older events are dropped (bounded memory).
      if (dir.prevChunkStart < from) this.evaluateWindow(s, dir, dir.prevChunkStart);
      let w = 0;
      const evSig = dir.evSig;
      const evEnd = dir.evEnd;
      for (let i = 0; i < dir.evCount; i++) {
        if (evEnd[i] <= from) continue;
        evSig[w] = evSig[i];
        evEnd[w++] = evEnd[i];
      }
      dir.evCount = w;
    }
    dir.evalAt = dir.evCount;
  }

  /** Rules on buffer bytes [from, len) with the match events that end inside them. */
  private evaluateWindow(s: Session, dir: Direction, from: number): void {
    this.stats.streamEvaluations++;
    const det = this.det;
    const col = det.collector;
    col.reset(from);
    this.curBase = from;
    const evSig = dir.evSig;
    const evEnd = dir.evEnd;
    for (let i = 0; i < dir.evCount; i++) if (evEnd[i] > from) col.onMatch(evSig[i], evEnd[i]);
    const payload = dir.buf === undefined ? new Uint8Array(0) : dir.buf.subarray(from, dir.len);
    const useRegions = det.program.usesLocatableBuffers;
    if (useRegions) locateHttpBuffers(payload, det.regions);
    this.curSession = s;
    this.curDir = dir;
    this.streamFlow.toServer = s.dirs[0] === dir;
    this.streamFlow.established = s.established;
    let bits: Uint8Array | undefined;
    if (this.hasFlowbits) bits = s.flowbits ??= det.program.createFlowbits();
    this.heldCount = 0;
    this.passed = false;
    det.evaluator.evaluate(col, payload, this.fireStream, {
      accept: this.acceptStream,
      regions: useRegions ? det.regions : undefined,
      flowbits: bits,
    });
    if (this.heldCount > 0) this.reportStream(dir);
  }

  private reportPacket(): void {
    if (this.passed) return;
    const d = this.curPacket!;
    for (let i = 0; i < this.heldCount; i++) {
      const r = this.held[i];
      if (this.action[r] !== ACTION_REPORT) continue;
      this.emit(r, d.ipVersion, d.protocol, formatAddress(d.ipVersion, d.srcAddr), d.srcPort,
        formatAddress(d.ipVersion, d.dstAddr), d.dstPort, this.curToServer, false);
    }
  }

  private reportStream(dir: Direction): void {
    if (this.passed) return;
    const f = dir.fields;
    const toServer = this.curSession!.dirs[0] === dir;
    for (let i = 0; i < this.heldCount; i++) {
      const r = this.held[i];
      (dir.fired ??= new Set()).add(r);
      if (this.action[r] !== ACTION_REPORT) continue;
      this.emit(r, f.ipVersion, f.protocol, formatAddress(f.ipVersion, f.srcAddr), f.srcPort,
        formatAddress(f.ipVersion, f.dstAddr), f.dstPort, toServer, true);
    }
  }

  // ---- alerts --------------------------------------------------------------------------------

  private emit(r: number, ipVersion: number, proto: number, src: string, sport: number, dst: string, dport: number, toServer: boolean, stream: boolean): void {
    this.stats.alerts++;
    this.onAlert({
      rule: this.rules[r],
      file: this.file,
      packet: this.curIndex + 1,
      tsSec: this.curSec,
      tsNsec: this.curNsec,
      ipVersion,
      proto,
      src,
      sport,
      dst,
      dport,
      toServer,
      stream,
      offsets: this.offsetsOf(r),
    });
  }

  private offsetsOf(r: number): (number | null)[] {
    const p = this.det.program;
    const a = p.rPosStart[r];
    const b = p.rPosStart[r + 1];
    if (a === b) return EMPTY_OFFSETS;
    const col = this.det.collector;
    col.finalize();
    const ends = col.endsArray;
    const out: (number | null)[] = [];
    for (let k = a; k < b; k++) {
      const sig = p.rPosSigs[k];
      out.push(col.countOf(sig) > 0 ? ends[col.startOf(sig)] + this.curBase : null);
    }
    return out;
  }
}
