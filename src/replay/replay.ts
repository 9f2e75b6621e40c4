/**
 * Library-level replay: Snort rules against capture files, alerts out. This is what the
 * `replay` command runs; tests and other tools call it directly.
 *
 * `prepareRules` (prepare.ts) loads, selects and compiles the rules into a `RuleDetector`.
 * A `Replayer` then reads captures packet by packet, tracks flows (`FlowTracker` from
 * src/flow), reassembles TCP in stream mode (`TcpStream`), hands packets and reassembled
 * bytes to the detector, and calls `onAlert` for every rule the detector reports.
 *
 * Two modes:
 * - `packet` (default): every packet payload is inspected on its own (Snort without stream
 *   reassembly). Sessions are still tracked (TCP handshake, UDP both-ways) so that
 *   `flow:established,to_server` and flowbits work; a rule may fire once per packet.
 * - `stream`: once a TCP session is established (or picked up mid-stream with
 *   `midstream`), its payloads are reassembled per direction and the detector decides the
 *   rules on the reassembled bytes of the direction so far (Suricata's raw stream
 *   inspection; see src/detect/detect.ts for the windows). A rule fires at most once per
 *   direction of a TCP session. Rules that only make sense on single packets are still
 *   decided per packet, as is non-TCP traffic and TCP before the session is established.
 *   Each direction inspects at most `streamDepth` bytes (like Suricata's reassembly
 *   depth); a hole skipped by the reassembler starts a new buffer (no match across missing
 *   bytes). HTTP buffers are located only for the HTTP message at the start of a
 *   direction's buffer (later requests of a keep-alive connection are searched as raw
 *   payload): an approximation.
 *
 * Actions (decided by the detector): `log`, `sdrop` and `dynamic` rules are evaluated but
 * not reported; a `pass` rule that fires silences the other rules of its packet or stream
 * window. Suricata's per-flow pass and `action-order` are not modelled.
 *
 * Guarantees: memory is bounded (`maxFlows` sessions, `streamDepth` bytes per direction,
 * `maxStreamBytes` in all); no allocation per byte or per match event in the hot path (one
 * decoded packet object is reused, event arrays grow geometrically). A damaged capture
 * yields the alerts of the packets before the damage and a `PcapFormatError` in the result.
 *
 * Feedback and control (`ReplayControl`, per `replay` call): progress at checkpoints about
 * every 100 ms of work (one clock read per packet, nothing else), backpressure (the
 * progress callback's promise is awaited), interruption (an `AbortSignal`, checked at
 * checkpoints); packets of a link type the decoder cannot read are counted per link type
 * and come back as warnings in the `CaptureResult`.
 *
 * Sharding (`ReplayOptions.shard`, used by parallel.ts for worker threads): a replayer
 * decides only its share of the flows, still decoding every packet and ending idle sessions
 * at every packet's timestamp, and each alert comes with its `AlertOrder`, so the alerts of
 * all shares merge into the order of one replayer.
 */
import { performance } from 'node:perf_hooks';
import { PcapFormatError, UsageError } from '../errors.js';
import { DEFAULT_OVERLAP_POLICY, flowKey, FlowTracker, type Flow, type OverlapPolicy, type ReassemblySink, type TcpStream } from '../flow/index.js';
import { Decoder, DecodeStatus, formatAddress, linkTypeName, readCapture, TcpFlag, type CaptureSource, type DecodedPacket, type Packet } from '../pcap/index.js';
import { DEFAULT_MAX_SCRATCH_BYTES, StreamBudget, type ActionClass, type DirectionState, type FlowDetection, type ReportCallback, type RuleDetector } from '../detect/index.js';
import type { Rule } from '../rules/index.js';
import { ConfirmingMatcher } from '../confirm/matcher.js';
import type { Matcher } from '../matcher/types.js';
import type { LinkTypeWarning } from './warnings.js';

// ---- alerts --------------------------------------------------------------------------------

/** One reported rule on one packet or stream window. */
export interface Alert {
  /** The rule that fired. */
  rule: Rule;
  /** The capture file name as given. */
  file: string;
  /** 1-based packet number in its file (in stream mode: the packet whose data completed the match). */
  packet: number;
  /** Capture timestamp of that packet: seconds and nanoseconds since the epoch. */
  tsSec: number;
  tsNsec: number;
  /** 4 or 6. */
  ipVersion: number;
  /** IP protocol number. */
  proto: number;
  /** Source and destination of the payload (addresses formatted, ports). */
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

/**
 * Where an alert was decided, for merging the alerts of several sharded replayers into the
 * order one replayer gives (see `ReplayOptions.shard`); compare `packet`, then `flow`, then
 * the replayer's own emission order. One object, overwritten for each alert: copy what you keep.
 */
export interface AlertOrder {
  /**
   * 0-based index, in its capture, of the packet being processed when the alert was
   * decided (an alert decided while the capture's sessions are ended at its end:
   * `Number.MAX_SAFE_INTEGER`).
   */
  packet: number;
  /**
   * For an alert decided while a session is ended by the idle timeout or at the end of the
   * capture: the 0-based index of the session's last packet (the session table ends
   * sessions in that order); otherwise `packet`.
   */
  flow: number;
}

/** Receives every alert, in capture order (`order`: see `AlertOrder`). */
export type AlertCallback = (alert: Alert, order: AlertOrder) => void;

/**
 * One share of a replay run by several replayers at once (`ReplayOptions.shard`): every
 * replayer reads and decodes every packet, and decides only the packets of its share.
 */
export interface ReplayShard {
  /** This replayer's share, 0 to `count - 1`. */
  index: number;
  /** Shares in all. */
  count: number;
}

/**
 * The share (0 to `count - 1`) a decoded packet belongs to: TCP and UDP packets (not
 * fragments) by a hash of their flow key, the same both ways of a flow; every other packet
 * (and an undecodable one: `decoded` false) to share 0.
 */
export function shardOf(d: DecodedPacket, decoded: boolean, count: number): number {
  if (count <= 1 || !decoded || (d.protocol !== 6 && d.protocol !== 17) || d.fragment) return 0;
  const key = flowKey(d);
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  // FNV-1a's low bits are poor (its last bit is the parity of the units' last bits): mix
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) % count;
}

// ---- replay --------------------------------------------------------------------------------

/** `packet`: each payload alone; `stream`: TCP reassembled (see the module comment). */
export type ReplayMode = 'packet' | 'stream';

/** Options of a `Replayer`. */
export interface ReplayOptions {
  /** @default 'packet' */
  mode?: ReplayMode;
  /** Bytes inspected per stream direction. @default 1048576 */
  streamDepth?: number;
  /** Stream bytes held for inspection over all sessions. @default 268435456 */
  maxStreamBytes?: number;
  /** Sessions tracked at once (the least recently used is ended first). @default 65536 */
  maxFlows?: number;
  /**
   * Engine scratch bytes held over all stream directions being inspected (each holds one
   * scratch, `RuleDetector.scratchBytes`: about 10 MB with all of ET Open, 0.4 MB with the
   * bundled rules); a direction that would pass it is not stream-inspected, counted in
   * `scratchRefused`. With `maxStreamBytes` and `maxFlows` it bounds stream-mode memory.
   * @default 1 GiB
   */
  maxScratchBytes?: number;
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
  /**
   * Suricata's `stream.async-oneside`: a session of which only the client's side was
   * captured (its SYN, then its ACK, no server SYN) is established and reassembled.
   * @default false
   */
  asyncOneside?: boolean;
  /**
   * Suricata's exception policy for a TCP session picked up mid-stream
   * (`stream.midstream-policy`): 'ignore' treats it as `midstream` says; 'pass-flow',
   * 'bypass', 'drop-flow', 'drop-packet', 'pass-packet' and 'reject' leave its packets
   * uninspected (no alerts from it: passed, bypassed or dropped before detection), counted
   * in `ReplayStats.midstreamExcepted`. With `midstream` on, Suricata applies only
   * 'pass-flow' and 'bypass' (the session is otherwise picked up), and so does the replay.
   * @default 'ignore'
   */
  midstreamPolicy?: MidstreamPolicy;
  /**
   * Stream mode: which copy of overlapping TCP bytes still buffered out of order is kept
   * (Suricata's `host-os-policy` names, plus 'first' and 'last'; see `OverlapPolicy` in
   * src/flow/tcp-stream.ts). Bytes already inspected never change.
   * @default 'bsd' (Suricata's default)
   */
  overlapPolicy?: OverlapPolicy;
  /**
   * Suricata's `action-order`: pass, drop, reject and alert in the order they act; a
   * `pass` rule silences the rules of the same decision whose action comes after pass.
   * Set on the detector (`RuleDetector.setActionOrder`).
   * @default ['pass', 'drop', 'reject', 'alert'] (Suricata's default, Snort's order)
   */
  actionOrder?: readonly ActionClass[];
  /**
   * Decide only this share of the packets (both directions of a TCP or UDP flow are in the
   * same share; other packets in share 0). Every packet is still read and decoded, and its
   * timestamp still ends idle sessions, so the sessions of the share live and end as they
   * would in one replayer of all packets (except for the `maxFlows` and `maxStreamBytes`
   * caps, which count this replayer's sessions only). Counters cover the share's packets.
   */
  shard?: ReplayShard;
}

/** Suricata's exception policy names (`stream.midstream-policy`, the `exception-policy` master switch in IDS mode). */
export const MIDSTREAM_POLICIES = ['ignore', 'pass-flow', 'bypass', 'drop-flow', 'drop-packet', 'pass-packet', 'reject'] as const;
/** One of `MIDSTREAM_POLICIES`. */
export type MidstreamPolicy = (typeof MIDSTREAM_POLICIES)[number];

/** The outcome of replaying one capture. */
export interface CaptureResult {
  /** The capture's name as given. */
  file: string;
  /** Packets read from it. */
  packets: number;
  /** Captured bytes (record lengths). */
  bytes: number;
  /** Alerts reported for it. */
  alerts: number;
  /** The damage that stopped reading, if any. */
  error: PcapFormatError | undefined;
  /** Packets the engine or rule evaluator failed on (skipped; see `engineError`). */
  engineErrors: number;
  /** The first such failure's message. */
  engineError: string | undefined;
  /**
   * Confirmed signatures (backreferences, lookarounds…; src/confirm) whose candidates on a
   * packet or stream the confirmation budget left undecided: those matches were not
   * reported. One count per (signature, input).
   */
  confirmExhausted: number;
  /** The first one, naming the packet and the rules. */
  confirmExhaustedFirst: string | undefined;
  /** Wall-clock milliseconds. */
  ms: number;
  /** Stopped early because `ReplayControl.signal` was aborted (sessions dropped, not inspected to their end). */
  interrupted: boolean;
  /** Link types of the capture the decoder cannot read (their packets were skipped), in order of first packet. */
  warnings: LinkTypeWarning[];
}

/** Where a capture's replay stands (`ReplayControl.onProgress`). */
export interface ReplayProgress {
  /** The capture's name as given. */
  file: string;
  /** Packets read from it so far. */
  packets: number;
  /**
   * Bytes of the capture consumed so far: the end of the last packet read (in the
   * decompressed stream for gzip'd input).
   */
  offset: number;
  /** The capture is done (the last call for it). */
  done: boolean;
}

/**
 * How one `replay` call reports and can be stopped. With a control, the replay reaches a
 * checkpoint about every `checkpointMs` of work (and at the packet after
 * `requestCheckpoint()`): it calls `onProgress`, awaits the promise it returns (an output
 * that must drain: backpressure), lets the event loop run (timers, I/O, signal handlers),
 * then stops if `signal` was aborted.
 */
export interface ReplayControl {
  onProgress?: (p: ReplayProgress) => void | Promise<void>;
  /** @default 100 */
  checkpointMs?: number;
  signal?: AbortSignal;
}

/** Counters of a `Replayer`, cumulative over its captures. */
export interface ReplayStats {
  /** Packets read, and their captured bytes. */
  packets: number;
  bytes: number;
  /** Payload bytes given to the engine (packet payloads and stream bytes). */
  scannedBytes: number;
  /** Packets not decodable to IP. */
  undecoded: number;
  /** Alerts reported. */
  alerts: number;
  /** Sessions started, and most held at once. */
  sessions: number;
  sessionsPeak: number;
  /** Sessions ended to make room (`maxFlows`: the least recently used) or by the idle timeout. */
  flowsEvicted: { capacity: number; idle: number };
  /** Stream directions that reached `streamDepth` (or the global cap) and stopped being inspected. */
  depthReached: number;
  /** Stream windows decided. */
  streamEvaluations: number;
  /**
   * Stream directions not inspected because the engine scratches of the directions being
   * inspected held `maxScratchBytes` already (their packet-only rules are still decided).
   */
  scratchRefused: number;
  /** TCP sessions picked up mid-stream and left uninspected by `midstreamPolicy`. */
  midstreamExcepted: number;
  /** TCP reassembly counters (stream mode). */
  reassembly: { gaps: number; bytesSkipped: number; outOfOrder: number; retransmissions: number };
  /**
   * Confirmed signatures (src/confirm): how many the rules have, candidate ends the
   * automaton reported for them, confirmation runs, ends confirmed, time spent (ms), and
   * the most time one input took (ms).
   */
  confirm: ConfirmCounts;
}

/** See `ReplayStats.confirm`. */
export interface ConfirmCounts {
  signatures: number;
  candidates: number;
  runs: number;
  confirmed: number;
  ms: number;
  worstInputMs: number;
}

/**
 * The confirmation counters of a matcher (zero when it confirms nothing). Read from the
 * confirming wrapper directly: `stats()` also sizes every table, a cost per capture.
 */
function confirmCounts(matcher: Matcher): ConfirmCounts {
  if (!(matcher instanceof ConfirmingMatcher)) return { signatures: 0, candidates: 0, runs: 0, confirmed: 0, ms: 0, worstInputMs: 0 };
  const c = matcher.counters;
  return { signatures: matcher.sigs.length, candidates: c.candidates, runs: c.runs, confirmed: c.confirmed, ms: c.ms, worstInputMs: c.worstInputMs };
}


/**
 * The confirmations of one capture that ran out of budget (`CaptureResult.confirmExhausted`):
 * the matcher lists them (`failures()`); `note` is called after each packet and names the
 * first new one with the packet and its rules.
 */
class ConfirmWatch {
  private readonly matcher: ConfirmingMatcher | undefined;
  private readonly from: number;
  private seen: number;
  first: string | undefined;

  constructor(
    private readonly det: RuleDetector,
    private readonly rules: readonly Rule[],
  ) {
    this.matcher = det.matcher instanceof ConfirmingMatcher ? det.matcher : undefined;
    this.from = this.seen = this.matcher?.failureCount ?? 0;
  }

  get count(): number {
    return (this.matcher?.failureCount ?? 0) - this.from;
  }

  /** "packet 12: rule sid 2001 (pcre /…/): confirmation ran out of time (50.2 ms on this input) with 3 candidate end(s) undecided". */
  note(where: string): void {
    const m = this.matcher;
    if (m === undefined || m.failureCount === this.seen) return;
    const x = m.lastFailure;
    if (this.first === undefined && x !== undefined) {
      const program = this.det.program;
      const sids = program.rulesWithSignature(x.signature).map((r) => this.rules[r]!.sid);
      const rules = sids.length === 0 ? 'no live rule' : `rule${sids.length > 1 ? 's' : ''} sid ${sids.slice(0, 5).join(', ')}${sids.length > 5 ? ', …' : ''}`;
      this.first = `${where}: ${rules} (pcre ${program.signatures[x.signature]}): confirmation ran out of time ` +
        `(${x.ms.toFixed(1)} ms on this input) with ${x.ends.length} candidate end(s) undecided`;
    }
    this.seen = m.failureCount;
  }
}

/**
 * Replays captures through one detector. Not reentrant: replay one capture at a time
 * (sessions do not carry over from one capture to the next).
 */
export class Replayer implements ReassemblySink {
  /** The mode, as configured. */
  readonly mode: ReplayMode;
  /** Sessions picked up mid-stream are left uninspected (`ReplayOptions.midstreamPolicy`). */
  private readonly exceptMidstream: boolean;
  /** Replaced by a fork (fresh scratch) after an engine failure. */
  private det: RuleDetector;
  private readonly rules: readonly Rule[];
  private readonly limitPackets: number;
  private readonly budget: StreamBudget;
  private readonly decoder = new Decoder();
  private readonly tracker: FlowTracker<FlowDetection>;
  /** See `ReplayStats`. */
  readonly stats: ReplayStats = {
    packets: 0,
    bytes: 0,
    scannedBytes: 0,
    undecoded: 0,
    alerts: 0,
    sessions: 0,
    sessionsPeak: 0,
    flowsEvicted: { capacity: 0, idle: 0 },
    depthReached: 0,
    streamEvaluations: 0,
    scratchRefused: 0,
    midstreamExcepted: 0,
    reassembly: { gaps: 0, bytesSkipped: 0, outOfOrder: 0, retransmissions: 0 },
    confirm: { signatures: 0, candidates: 0, runs: 0, confirmed: 0, ms: 0, worstInputMs: 0 },
  };
  /** The matcher's confirmation counters when this replayer started (the matcher may be shared). */
  private readonly confirmBase: ConfirmCounts;

  // Context of the packet in progress, read by the prebuilt callbacks (no closure per packet).
  private file = '';
  private onAlert: AlertCallback = () => {};
  private curIndex = 0;
  private curSec = 0;
  private curNsec = 0;
  private curPacket: DecodedPacket | undefined = undefined;
  private curFlow: Flow<FlowDetection> | undefined = undefined;
  /** The direction being reassembled (stream mode), and its index in the flow. */
  private curDir: DirectionState | undefined = undefined;
  private curDirIndex: 0 | 1 = 0;
  private curToServer = true;
  private readonly report: ReportCallback;
  /** Set by `requestCheckpoint`: the next packet boundary is a checkpoint. */
  private checkpointWanted = false;
  /** Packets of undecodable link types in the capture in progress, by link type. */
  private badLinks: Map<number, number> | undefined = undefined;
  /** An interrupted capture ends its sessions without inspecting what they hold. */
  private discarding = false;
  /** This replayer's share (see `ReplayOptions.shard`). */
  private readonly shardIndex: number;
  private readonly shardCount: number;
  /** The order of the alert being emitted (see `AlertOrder`); `flowOrder`: sessions are being ended by the idle timeout or the end of the capture. */
  private readonly order: AlertOrder = { packet: 0, flow: 0 };
  private flowOrder = false;

  /** `detector` decides; see `ReplayOptions` for the defaults. */
  constructor(detector: RuleDetector, options: ReplayOptions = {}) {
    this.det = detector;
    if (options.actionOrder !== undefined) detector.setActionOrder(options.actionOrder);
    this.rules = detector.rules;
    this.confirmBase = confirmCounts(detector.matcher);
    this.mode = options.mode ?? 'packet';
    const policy = options.midstreamPolicy ?? 'ignore';
    if (!(MIDSTREAM_POLICIES as readonly string[]).includes(policy)) {
      throw new UsageError(`midstream policy must be one of ${MIDSTREAM_POLICIES.join(', ')} (got ${String(policy)})`);
    }
    this.exceptMidstream = options.midstream === true ? policy === 'pass-flow' || policy === 'bypass' : policy !== 'ignore';
    this.limitPackets = options.limitPackets ?? Infinity;
    this.shardCount = Math.max(1, options.shard?.count ?? 1);
    this.shardIndex = options.shard?.index ?? 0;
    this.budget = new StreamBudget(
      Math.max(1, options.streamDepth ?? 1 << 20),
      options.maxStreamBytes ?? 256 * 1024 * 1024,
      this.stats,
      options.maxScratchBytes ?? DEFAULT_MAX_SCRATCH_BYTES,
    );
    this.tracker = new FlowTracker<FlowDetection>({
      createState: (f) => this.det.createFlowState(f.ipVersion, f.protocol, f.clientAddr, f.clientPort, f.serverAddr, f.serverPort, this.budget),
      onEnd: (f) => this.endSession(f),
      maxFlows: options.maxFlows,
      idleTimeoutSec: options.idleTimeoutSec,
      midstream: options.midstream,
      asyncOneside: options.asyncOneside,
      restart: 'isn',
      overlapPolicy: options.overlapPolicy ?? DEFAULT_OVERLAP_POLICY,
    });
    this.report = (r: number, dir: DirectionState | undefined): void => {
      if (dir === undefined) {
        const d = this.curPacket!;
        this.emit(r, d.ipVersion, d.protocol, formatAddress(d.ipVersion, d.srcAddr), d.srcPort,
          formatAddress(d.ipVersion, d.dstAddr), d.dstPort, this.curToServer, false);
      } else {
        const f = dir.fields;
        this.emit(r, f.ipVersion, f.protocol, formatAddress(f.ipVersion, f.srcAddr), f.srcPort,
          formatAddress(f.ipVersion, f.dstAddr), f.dstPort, dir.toServer, true);
      }
    };
  }

  /** The detector in use (a fork of the given one after an engine failure). */
  get detector(): RuleDetector {
    return this.det;
  }

  /**
   * Replays one capture (a path, bytes, or a stream; `file` names it in alerts and
   * errors). Resolves when the capture is done, damaged or interrupted (never rejects for a
   * damaged capture: the error is in the result). `control` is either a function called
   * with the packet count between input chunks, or a `ReplayControl` (progress at
   * checkpoints, backpressure, interruption).
   */
  async replay(
    source: CaptureSource,
    file: string,
    onAlert: AlertCallback,
    control?: ((packets: number) => void) | ReplayControl,
  ): Promise<CaptureResult> {
    const t0 = performance.now();
    const reader = readCapture(source, { file });
    const before = { packets: this.stats.packets, bytes: this.stats.bytes, alerts: this.stats.alerts };
    this.file = file;
    this.onAlert = onAlert;
    this.badLinks = undefined;
    const perChunk = typeof control === 'function' ? control : undefined;
    const ctl = typeof control === 'object' ? control : undefined;
    const every = ctl?.checkpointMs ?? 100;
    let due = performance.now() + every;
    let offset = 0;
    let error: PcapFormatError | undefined;
    let interrupted = false;
    let count = 0;
    const failed = { count: 0, first: undefined as string | undefined };
    const confirm = new ConfirmWatch(this.det, this.rules);
    try {
      outer: for await (const batch of reader.batches()) {
        for (const p of batch) {
          if (count >= this.limitPackets) break outer;
          count++;
          this.processSafely(p, failed);
          confirm.note(`packet ${p.index + 1}`);
          // One clock read per packet, only with a control: the checkpoint itself runs at
          // most every `checkpointMs`.
          if (ctl !== undefined && (this.checkpointWanted || performance.now() >= due)) {
            this.checkpointWanted = false;
            offset = p.fileOffset + 16 + p.data.length;
            await this.checkpoint(ctl, { file, packets: count, offset, done: false });
            if (ctl.signal?.aborted) {
              interrupted = true;
              break outer;
            }
            due = performance.now() + every;
          }
        }
        if (batch.length > 0) {
          const last = batch[batch.length - 1]!;
          offset = last.fileOffset + 16 + last.data.length;
        }
        perChunk?.(this.stats.packets - before.packets);
      }
    } catch (e) {
      error = e instanceof PcapFormatError ? e : new PcapFormatError(`unexpected failure: ${(e as Error).message}`, 0, count, file);
    }
    this.discarding = interrupted;
    try {
      this.endCapture();
    } finally {
      this.discarding = false;
    }
    confirm.note('the end of the capture');
    if (ctl?.onProgress !== undefined) await ctl.onProgress({ file, packets: count, offset, done: true });
    return {
      file,
      packets: this.stats.packets - before.packets,
      bytes: this.stats.bytes - before.bytes,
      alerts: this.stats.alerts - before.alerts,
      error,
      ms: performance.now() - t0,
      engineErrors: failed.count,
      engineError: failed.first,
      confirmExhausted: confirm.count,
      confirmExhaustedFirst: confirm.first,
      interrupted,
      warnings: this.linkWarnings(file),
    };
  }

  /**
   * `processPacket`; an engine failure is not the capture's fault: the packet is skipped,
   * the detector and the session's scratches start afresh, and `failed` counts it.
   */
  private processSafely(p: Packet, failed: { count: number; first: string | undefined }): void {
    try {
      this.processPacket(p);
    } catch (e) {
      failed.count++;
      failed.first ??= `packet ${p.index + 1}: ${e instanceof Error ? e.message : String(e)}`;
      this.recover();
    }
  }

  /** The link types of the capture just replayed that the decoder could not read. */
  private linkWarnings(file: string): LinkTypeWarning[] {
    const warnings: LinkTypeWarning[] = [];
    for (const [linkType, packets] of this.badLinks ?? []) {
      const linkName = linkTypeName(linkType);
      warnings.push({
        kind: 'unsupported-link-type',
        file,
        linkType,
        linkName,
        packets,
        message: `${file}: link type ${linkName} (${linkType}) is not decoded: ${packets} packet${packets === 1 ? '' : 's'} skipped`,
      });
    }
    return warnings;
  }

  /**
   * Makes the next packet boundary of the replay in progress a checkpoint (see
   * `ReplayControl`): for an output that has buffered enough and wants to be written.
   */
  requestCheckpoint(): void {
    this.checkpointWanted = true;
  }

  /** Progress, backpressure, then a turn of the event loop (signals, I/O, timers). */
  private async checkpoint(ctl: ReplayControl, p: ReplayProgress): Promise<void> {
    const r = ctl.onProgress?.(p);
    if (r !== undefined) await r;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  private recover(): void {
    this.det = this.det.fork();
    const f = this.curFlow;
    if (f !== undefined) this.det.resetFlow(f.state);
    this.curPacket = undefined;
  }

  /** Ends every session (stream mode: remaining bytes are inspected, end-anchored patterns report). */
  endCapture(): void {
    this.order.packet = Number.MAX_SAFE_INTEGER;
    this.flowOrder = true;
    try {
      this.tracker.endAll('flushed');
    } finally {
      this.flowOrder = false;
    }
    this.stats.flowsEvicted.capacity = this.tracker.stats.ended.capacity;
    this.stats.flowsEvicted.idle = this.tracker.stats.ended.idle;
    const c = this.tracker.counters;
    this.stats.reassembly.gaps = c.gaps;
    this.stats.reassembly.bytesSkipped = c.bytesSkipped;
    this.stats.reassembly.outOfOrder = c.outOfOrder;
    this.stats.reassembly.retransmissions = c.retransmissions;
    const now = confirmCounts(this.det.matcher);
    const base = this.confirmBase;
    this.stats.confirm = {
      signatures: now.signatures,
      candidates: now.candidates - base.candidates,
      runs: now.runs - base.runs,
      confirmed: now.confirmed - base.confirmed,
      ms: now.ms - base.ms,
      worstInputMs: now.worstInputMs,
    };
  }

  /** One captured packet (its `index` is its 0-based number in the capture). */
  processPacket(p: Packet): void {
    const st = this.stats;
    const status = this.decoder.decode(p);
    this.order.packet = p.index;
    if (this.shardCount > 1 && shardOf(this.decoder.out, status === DecodeStatus.OK, this.shardCount) !== this.shardIndex) {
      // Another share's packet: its capture time still ends idle sessions, as it would here.
      if (status === DecodeStatus.OK) this.expire(p.tsSec + p.tsNsec / 1e9);
      return;
    }
    st.packets++;
    st.bytes += p.data.length;
    if (status !== DecodeStatus.OK) {
      st.undecoded++;
      if (status === DecodeStatus.UNSUPPORTED_LINK) {
        const links = (this.badLinks ??= new Map());
        links.set(p.linkType, (links.get(p.linkType) ?? 0) + 1);
      }
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
    let flow: Flow<FlowDetection> | undefined;
    let toServer = true;
    if ((proto === 6 || proto === 17) && !d.fragment) {
      flow = this.tracker.track(d, p, now);
      st.sessions = this.tracker.stats.created;
      st.sessionsPeak = this.tracker.stats.peak;
      st.flowsEvicted.capacity = this.tracker.stats.ended.capacity;
      st.flowsEvicted.idle = this.tracker.stats.ended.idle;
      if (flow !== undefined) toServer = flow.isFromClient(d);
    }
    if (flow !== undefined && flow.midstreamPickup && this.exceptMidstream) {
      // The exception policy passed, bypassed or dropped it before detection.
      if (flow.packets === 1) st.midstreamExcepted++;
      return;
    }
    this.curFlow = flow;
    this.curToServer = toServer;
    // Suricata's stream engine reassembles once the session is established (or picked up
    // mid-stream); before that (SYN data, no handshake) payloads are inspected per packet.
    const streamTcp = this.mode === 'stream' && proto === 6 && flow !== undefined && flow.established;
    if (!streamTcp || this.det.hasPacketOnly) {
      st.scannedBytes += d.payloadLength;
      this.det.decidePacket(d, flow?.state, toServer, flow !== undefined && flow.established, streamTcp, this.report);
    }
    if (streamTcp) this.streamSegment(flow!, d, toServer ? 0 : 1);
    if (flow !== undefined && proto === 6) this.closeIfDone(flow, d);
    this.curPacket = undefined;
  }

  // ---- sessions ------------------------------------------------------------------------------

  /** Ends the sessions idle at capture time `now` (their alerts are ordered by session: `AlertOrder`). */
  private expire(now: number): void {
    this.flowOrder = true;
    try {
      this.tracker.expire(now);
    } finally {
      this.flowOrder = false;
    }
  }

  /** Ends a TCP session on RST, or once both sides are done (FIN seen; stream mode: reassembled up to it). */
  private closeIfDone(flow: Flow<FlowDetection>, d: DecodedPacket): void {
    const rst = (d.tcpFlags & TcpFlag.RST) !== 0;
    const dirs = flow.state.dirs;
    const closed = this.mode === 'packet' ? flow.finSeen[0] && flow.finSeen[1] : dirs[0].finished && dirs[1].finished;
    if (rst) this.tracker.end(flow, 'reset');
    else if (closed) this.tracker.end(flow, 'closed');
  }

  /**
   * The tracker's `onEnd`: in stream mode, the session's remaining bytes are flushed and
   * decided (dropped undecided when an interrupted capture ends).
   */
  private endSession(flow: Flow<FlowDetection>): void {
    if (this.mode !== 'stream') return;
    if (this.discarding) {
      for (const stream of flow.streams) stream?.discard();
      for (const dir of flow.state.dirs) this.det.streamDiscard(dir);
      return;
    }
    const saved = [this.curIndex, this.curSec, this.curNsec, this.curFlow] as const;
    this.curIndex = flow.lastPacket;
    this.curSec = flow.lastSec;
    this.curNsec = flow.lastNsec;
    this.curFlow = flow;
    for (const di of [0, 1] as const) {
      const stream = flow.streams[di];
      if (stream === undefined) continue;
      const dir = flow.state.dirs[di];
      this.curDir = dir;
      this.curDirIndex = di;
      this.det.streamLastChunk(dir);
      stream.flush(this);
      this.det.streamFinish(flow.state, dir, flow.established, this.report);
      stream.discard();
    }
    [this.curIndex, this.curSec, this.curNsec, this.curFlow] = saved;
  }

  // ---- stream mode ---------------------------------------------------------------------------

  /** A packet of an established TCP session: reassembled in direction `di`, then decided. */
  private streamSegment(flow: Flow<FlowDetection>, d: DecodedPacket, di: 0 | 1): void {
    const dir = flow.state.dirs[di];
    let st = flow.streams[di];
    if (st === undefined) {
      st = this.tracker.openStream(flow, di);
      // The handshake went through the packet path: start the sequence space at the SYN.
      if (flow.synSeq[di] >= 0) st.syn(flow.synSeq[di]);
    }
    const flags = d.tcpFlags;
    const syn = (flags & TcpFlag.SYN) !== 0;
    const fin = (flags & TcpFlag.FIN) !== 0;
    if (syn) st.syn(d.seq);
    if (d.payloadLength === 0 && !fin) return;
    this.curDir = dir;
    this.curDirIndex = di;
    this.det.streamChunk(dir);
    st.segment(syn ? (d.seq + 1) >>> 0 : d.seq, d.payload, fin, this);
    this.det.streamInspect(flow.state, dir, flow.established, this.report);
    if (st.finished) this.det.streamFinish(flow.state, dir, flow.established, this.report);
  }

  /** In-order bytes of the direction being reassembled (called by `TcpStream`). */
  deliver(stream: TcpStream, bytes: Uint8Array): void {
    if (this.curFlow!.streams[this.curDirIndex] !== stream) return;
    this.det.streamBytes(this.curDir!, bytes);
  }

  /** A hole in the direction being reassembled (called by `TcpStream`). */
  gap(stream: TcpStream, _skipped: number): void {
    const flow = this.curFlow!;
    if (flow.streams[this.curDirIndex] !== stream) return;
    this.det.streamGap(flow.state, this.curDir!, flow.established, this.report);
  }

  // ---- alerts --------------------------------------------------------------------------------

  private emit(r: number, ipVersion: number, proto: number, src: string, sport: number, dst: string, dport: number, toServer: boolean, stream: boolean): void {
    this.stats.alerts++;
    this.order.flow = this.flowOrder ? this.curIndex : this.order.packet;
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
      offsets: this.det.offsetsOf(r),
    }, this.order);
  }
}
