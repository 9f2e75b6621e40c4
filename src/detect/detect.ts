/**
 * The detector: a ruleset compiled into ONE automaton with the chosen engine, plus the
 * rule semantics model, behind one call per packet and one per stream segment. It owns
 * every decision about which rules fire and which of them are reported; its callers
 * (src/replay) bring the packets, the flows and the TCP reassembly.
 *
 * `RuleDetector.build(rules, { engine })` compiles every distinct `content`/`pcre` of the
 * ruleset as one signature set (`RuleProgram.specs`) with `compile()`; signatures the
 * engine rejects reject the rules using them (kind 'unsupported-pattern').
 *
 * Packet decisions (`decidePacket`, and the lower-level `inspectPacket` / `inspect`): a
 * payload is scanned from the automaton's start state, its end declared, the HTTP buffers
 * of a message at its start located (`http-buffers.ts`), and the rules decided with the
 * header, dsize, packet-option and flow predicates as veto.
 *
 * Stream decisions (`streamChunk`, `streamBytes`, `streamGap`, `streamInspect`,
 * `streamFinish` on a `DirectionState`): the direction's scratch carries the automaton
 * across segments, its match events are kept, and after each segment that produced new
 * events (and at the end of the direction) the rules are decided on two windows of the
 * direction buffer (see `streamInspect`). A rule fires at most once per direction. Rules
 * that only make sense on single packets (`tcp-pkt`, `flow:no_stream`, `dsize`, packet
 * options such as `flags`, rules without positive patterns) are left to the packet
 * decisions, which a caller still makes for every packet when `hasPacketOnly`.
 *
 * Actions: `alert`, `drop`, `reject`, `activate`, ... rules are reported; `log`, `sdrop` and
 * `dynamic` rules are evaluated (flowbits) but not reported. The rules that fire in one
 * packet (or stream window) are taken in action order, Suricata's `action-order`
 * (`setActionOrder`; default pass, drop, reject, alert, which is also Snort's): a `pass`
 * rule silences every rule whose action comes after pass, so with the default a pass
 * silences them all, and with `drop, pass, reject, alert` a drop is still reported.
 *
 * Guarantees: the compiled matcher and program are immutable and shared; all mutable state
 * (scratch, collector, evaluator memo, decision scratch) belongs to the detector instance,
 * so use one detector per worker; per-flow state lives in `FlowDetection` objects the
 * caller keeps. No allocation per byte or per match event (event arrays grow
 * geometrically).
 */
import { compile, type CompileOptions, type CompileResult } from '../compile.js';
import { UsageError } from '../errors.js';
import type { Matcher, MatchCallback, Scratch } from '../matcher/types.js';
import type { RuleReject } from '../rules/parse.js';
import type { Rule } from '../rules/rule.js';
import type { PacketCheckFields } from '../rules/packet-options.js';
import { parseSignature } from '../syntax/index.js';
import type { RuleEvaluator } from './evaluator.js';
import { BufferRegions, locateHttpBuffers } from './http-buffers.js';
import { MatchCollector } from './match-collector.js';
import { flowMatches, headerMatchesPacket, packetMatches, type PacketFields, type RuleFlowState } from './predicates.js';
import { RuleProgram } from './program.js';
import { irLengthBounds, type LengthBounds } from './signatures.js';
import { DirectionState, FlowDetection, StreamBudget } from './stream-state.js';

/** compile()'s options: the engine and its options, the NFA budgets. */
export type DetectorOptions = CompileOptions;

/**
 * Receives each reported rule: its index into `detector.rules`, and the stream direction
 * it was decided on (undefined for a packet decision). `detector.offsetsOf(r)` is valid
 * during the call.
 */
export type ReportCallback = (r: number, dir: DirectionState | undefined) => void;

/** A decoded packet as the packet decisions read it (`DecodedPacket` from src/pcap fits). */
export type InspectedPacket = PacketFields & PacketCheckFields & { readonly payload: Uint8Array };

/** Bytes at the start of a direction decided as one window (matches may span any packets there). */
const STREAM_HEAD = 64 * 1024;
const ACTION_REPORT = 0;
const ACTION_SILENT = 1;
const ACTION_PASS = 2;
/** The action classes of `action-order`, in Suricata's default order (their indices are the classes). */
export const ACTION_ORDER_DEFAULT = ['pass', 'drop', 'reject', 'alert'] as const;
/** One class of `action-order`. */
export type ActionClass = (typeof ACTION_ORDER_DEFAULT)[number];
/** Whether `order` names each class of `action-order` once (what `setActionOrder` takes). */
export function isActionOrder(order: readonly string[]): order is ActionClass[] {
  return order.length === ACTION_ORDER_DEFAULT.length && ACTION_ORDER_DEFAULT.every((c) => order.includes(c));
}
/** The class of a rule action: drop/sdrop, reject/rejectsrc/rejectdst/rejectboth, pass, else alert. */
function actionClassOf(action: string): number {
  if (action === 'pass') return 0;
  if (action === 'drop' || action === 'sdrop') return 1;
  if (action.startsWith('reject')) return 2;
  return 3;
}
const EMPTY_OFFSETS: (number | null)[] = [];
/** Spare stream scratches kept per direction (each may hold a stream's history). */
const MAX_SPARE_SCRATCHES = 16;

/** Per-rule decision tables of a program, shared by a detector and its forks. */
interface DecisionTables {
  /** 1: decided per packet even in stream mode (see the module comment). */
  packetOnly: Uint8Array;
  /** Some live rule is packet-only. */
  hasPacketOnly: boolean;
  /** ACTION_REPORT, ACTION_SILENT (log, sdrop, dynamic) or ACTION_PASS. */
  action: Uint8Array;
  /** Index in ACTION_ORDER_DEFAULT of the rule's action class. */
  actionClass: Uint8Array;
  /**
   * Signatures no live rule can use in a kind of decision (`ScratchOptions.skip`):
   * packet decisions by [streamed][toServer] (index 2 * streamed + toServer), stream
   * decisions by [toServer]. A rule is usable where `flowMatches` can accept it (its
   * direction and stream options) and, on a streamed packet, only if packet-only; its
   * patterns, positive or negated, are then needed.
   */
  packetSkip: Uint8Array[];
  streamSkip: Uint8Array[];
  /** Estimated bytes of one stream scratch (`RuleDetector.scratchBytes`), taken once. */
  scratchBytes?: number;
}

/**
 * Bytes one scratch of `matcher` holds, from its stats: the automaton's per-state arrays
 * (`scratchBytes`) and the literal search's state (`prefilter.stateBytesPerScan`); 64 KiB
 * when an engine reports neither.
 */
function scratchCost(matcher: Matcher): number {
  const st = matcher.stats() as { scratchBytes?: unknown; prefilter?: { stateBytesPerScan?: unknown } };
  const own = typeof st.scratchBytes === 'number' ? st.scratchBytes : 0;
  const search = typeof st.prefilter?.stateBytesPerScan === 'number' ? st.prefilter.stateBytesPerScan : 0;
  return own + search > 0 ? own + search : 64 * 1024;
}

/** Could `flowMatches` accept the rule in this direction and mode (whatever the TCP state)? */
function flowCanMatch(rule: Rule, toServer: boolean, stream: boolean): boolean {
  return flowMatches(rule, { toServer, established: true, stream }) || flowMatches(rule, { toServer, established: false, stream });
}

/** The skip set of the signatures not used by any live rule `usable` accepts. */
function skipSet(program: RuleProgram, usable: (r: number) => boolean): Uint8Array {
  const skip = new Uint8Array(program.signatureCount).fill(1);
  for (let r = 0; r < program.rules.length; r++) {
    if (!program.alive[r] || !usable(r)) continue;
    for (let g = program.rGroupStart[r]; g < program.rGroupStart[r + 1]; g++) {
      for (let i = program.gPatStart[g]; i < program.gPatStart[g + 1]; i++) {
        const sig = program.pSig[program.gPats[i]];
        if (sig >= 0) skip[sig] = 0;
      }
    }
  }
  return skip;
}

function decisionTables(program: RuleProgram): DecisionTables {
  const rules = program.rules;
  const n = rules.length;
  const packetOnly = new Uint8Array(n);
  const action = new Uint8Array(n);
  const actionClass = new Uint8Array(n);
  let hasPacketOnly = false;
  for (let r = 0; r < n; r++) {
    const rule = rules[r];
    const only = rule.protocol === 'tcp-pkt' || rule.flow?.stream === false || rule.dsize !== undefined ||
      rule.packetChecks.length > 0 || !rule.patterns.some((p) => !p.negated);
    if (only) {
      packetOnly[r] = 1;
      if (program.alive[r]) hasPacketOnly = true;
    }
    const a = rule.action;
    action[r] = a === 'pass' ? ACTION_PASS : a === 'log' || a === 'sdrop' || a === 'dynamic' ? ACTION_SILENT : ACTION_REPORT;
    actionClass[r] = actionClassOf(a);
  }
  const packetSkip: Uint8Array[] = [];
  const lazy = program.lazyContents;
  for (const streamed of [false, true]) {
    for (const toServer of [false, true]) {
      const skip = skipSet(program, (r) => (!streamed || packetOnly[r] === 1) && flowCanMatch(rules[r], toServer, false));
      // Packet decisions find the contents that are no rule's key themselves (evaluator, `lazy`).
      for (let s = 0; s < skip.length; s++) if (lazy[s] !== undefined) skip[s] = 1;
      packetSkip.push(skip);
    }
  }
  const streamSkip = [false, true].map((toServer) => skipSet(program, (r) => packetOnly[r] === 0 && flowCanMatch(rules[r], toServer, true)));
  return { packetOnly, hasPacketOnly, action, actionClass, packetSkip, streamSkip };
}

/** A compiled ruleset and the decisions on packets and stream windows (see the module comment). */
export class RuleDetector {
  /** The collector of the last decided payload or window (read by `offsetsOf`). */
  readonly collector: MatchCollector;
  /** The evaluator the decisions use. */
  readonly evaluator: RuleEvaluator;
  /** HTTP buffer regions of the last inspected payload (when the ruleset uses them). */
  readonly regions = new BufferRegions();
  private readonly useRegions: boolean;
  private readonly scratch: Scratch;
  private readonly packetScratches: Scratch[];
  /** Stream scratches given back by finished directions, by direction (to client, to server). */
  private readonly spareStreamScratches: Scratch[][] = [[], []];
  /** Estimated bytes of one stream scratch, charged to `StreamBudget.maxScratchBytes` while a direction holds it. */
  readonly scratchBytes: number;
  /** The scratch of the packet decision in progress (`decidePacket`), else `scratch`. */
  private pktScratch: Scratch | undefined = undefined;
  private readonly hasFlowbits: boolean;
  /** Flowbits of a packet without a flow: cleared before each use. */
  private readonly tmpBits: Uint8Array;

  // Decision in progress, read by the prebuilt callbacks (no closure per packet).
  private readonly pktFlow: RuleFlowState = { toServer: true, established: false, stream: false };
  private readonly streamFlow: RuleFlowState = { toServer: true, established: false, stream: true };
  /** The packet in progress also goes to stream reassembly (its stream rules are decided there). */
  private curStreamed = false;
  /** The direction being scanned or decided (stream decisions). */
  private curDir: DirectionState | undefined = undefined;
  /** Offset of the decided window in its direction buffer, added to reported offsets. */
  private curBase = 0;
  private held = new Int32Array(16);
  private heldCount = 0;
  /** Rank (position in the action order) of each action class; default: the classes' own order. */
  private readonly rank = Uint8Array.of(0, 1, 2, 3);
  /** A pass rule fired in the decision in progress. */
  private passed = false;
  private readonly acceptPacket: (r: number) => boolean;
  private readonly acceptStream: (r: number) => boolean;
  private readonly hold: (r: number) => void;
  private readonly streamEvent: MatchCallback;

  private constructor(
    /** The rule program (rules, signatures, decision tables). */
    readonly program: RuleProgram,
    /** The compiled automaton of `program.specs`. */
    readonly matcher: Matcher,
    /** The compile result (NFA summary, engine rejects). */
    readonly compiled: CompileResult,
    private readonly tables: DecisionTables,
  ) {
    this.scratchBytes = tables.scratchBytes ??= scratchCost(matcher);
    this.collector = new MatchCollector(program.signatureCount);
    this.evaluator = program.createEvaluator();
    this.scratch = matcher.createScratch({ mode: 'all' });
    // One scratch per kind of packet decision, each told which signatures it may skip.
    this.packetScratches = tables.packetSkip.map((skip) => matcher.createScratch({ mode: 'all', skip }));
    this.useRegions = program.usesLocatableBuffers;
    this.hasFlowbits = program.flowbitNames.length > 0;
    this.tmpBits = program.createFlowbits();
    const rules = program.rules;
    this.acceptPacket = (r: number): boolean => {
      if (this.curStreamed && this.tables.packetOnly[r] === 0) return false;
      return flowMatches(rules[r], this.pktFlow);
    };
    this.acceptStream = (r: number): boolean => {
      if (this.tables.packetOnly[r] === 1) return false;
      const dir = this.curDir!;
      if (dir.fired !== undefined && dir.fired.has(r)) return false;
      const rule = rules[r];
      return headerMatchesPacket(rule, dir.fields) && flowMatches(rule, this.streamFlow);
    };
    // Fired rules are held until the decision ends: a `pass` rule that fires silences the
    // rules of the same packet or stream window that come after pass in the action order.
    this.hold = (r: number): void => {
      if (this.tables.action[r] === ACTION_PASS) this.passed = true;
      if (this.heldCount === this.held.length) {
        const h = new Int32Array(this.held.length * 2);
        h.set(this.held);
        this.held = h;
      }
      this.held[this.heldCount++] = r;
    };
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

  /**
   * Compiles the rules. Pattern length bounds (for relative pcre) come from the syntax
   * front end; patterns it cannot parse are left to the engine compile to reject. Throws
   * what `compile()` throws for bad options (UsageError).
   */
  static build(rules: readonly Rule[], options: DetectorOptions = {}): RuleDetector {
    const bounds = (source: string): LengthBounds => {
      try {
        return irLengthBounds(parseSignature(source, { confirm: options.confirm !== false }).ir);
      } catch {
        return { minLength: 0, maxLength: Infinity };
      }
    };
    const program = new RuleProgram(rules, { checkPattern: bounds });
    const compiled = compile(program.specs, options);
    program.rejectSignatures(compiled.rejected);
    return new RuleDetector(program, compiled.matcher, compiled, decisionTables(program));
  }

  /** Another detector sharing this one's compiled program and matcher (for another worker or flow table). */
  fork(): RuleDetector {
    const d = new RuleDetector(this.program, this.matcher, this.compiled, this.tables);
    d.rank.set(this.rank);
    return d;
  }

  /** The rules, indexed as everywhere in the detector. */
  get rules(): readonly Rule[] {
    return this.program.rules;
  }

  /** Rules rejected because the engine could not compile one of their patterns. */
  get rejected(): readonly RuleReject[] {
    return this.program.rejected;
  }

  /** Some live rule is decided per packet even in stream mode: packets still need `decidePacket`. */
  get hasPacketOnly(): boolean {
    return this.tables.hasPacketOnly;
  }

  /**
   * The detector's state of a new flow (client = the side that opened it). Addresses as in
   * `PacketFields`; `budget` caps the stream buffers of its directions.
   */
  createFlowState(
    ipVersion: number,
    protocol: number,
    client: Uint8Array,
    clientPort: number,
    server: Uint8Array,
    serverPort: number,
    budget: StreamBudget,
  ): FlowDetection {
    return new FlowDetection(ipVersion, protocol, client, clientPort, server, serverPort, budget);
  }

  // ---- packets -------------------------------------------------------------------------------

  /**
   * Packet mode: scans `payload` alone and calls `onFire(r)` for each rule index that fires
   * (ascending). `accept(r)` vetoes rules first (header, flow, dsize checks); `flowbits` is
   * the flow's bit state (`program.createFlowbits()`), read and updated. Returns the
   * number of rules fired.
   */
  inspect(
    payload: Uint8Array,
    onFire: (r: number) => void,
    accept?: (r: number) => boolean,
    flowbits?: Uint8Array,
    addresses?: PacketFields,
  ): number {
    const col = this.collector;
    const scratch = this.pktScratch ?? this.scratch;
    col.reset(scratch.offset);
    this.matcher.scan(scratch, payload, col.onMatch);
    this.matcher.finish(scratch, col.onMatch);
    if (this.useRegions) locateHttpBuffers(payload, this.regions);
    return this.evaluator.evaluate(col, payload, onFire, {
      accept,
      regions: this.useRegions ? this.regions : undefined,
      flowbits,
      addresses,
      // A packet decision's scratch skipped the lazy contents: the evaluator finds them.
      lazy: this.pktScratch !== undefined,
    });
  }

  /**
   * Packet mode on a decoded packet (`DecodedPacket` from src/pcap fits): header, dsize and
   * packet options are checked by `packetMatches`, then `accept` (e.g. flow state).
   */
  inspectPacket(p: InspectedPacket, onFire: (r: number) => void, accept?: (r: number) => boolean, flowbits?: Uint8Array): number {
    const rules = this.program.rules;
    // `p` also gives the addresses: rules without patterns are then looked up by address,
    // and `packetMatches` (the judge) refuses any whose header does not match.
    return this.inspect(p.payload, onFire, (r) => packetMatches(rules[r], p) && (!accept || accept(r)), flowbits, p);
  }

  /**
   * Decides the rules on one packet and reports (`report(r, undefined)`) those to alert,
   * after the action rules (pass, silent actions). `flow` is the packet's flow state, or
   * undefined for a packet without a flow; `toServer`/`established` its flow facts;
   * `streamed`: the packet's payload also goes to stream decisions, so only packet-only
   * rules are decided here.
   */
  decidePacket(
    p: InspectedPacket,
    flow: FlowDetection | undefined,
    toServer: boolean,
    established: boolean,
    streamed: boolean,
    report: ReportCallback,
  ): void {
    this.pktFlow.toServer = toServer;
    this.pktFlow.established = established;
    this.curStreamed = streamed;
    let bits: Uint8Array | undefined;
    if (this.hasFlowbits) {
      if (flow !== undefined) bits = flow.flowbits ??= this.program.createFlowbits();
      else {
        bits = this.tmpBits;
        bits.fill(0);
      }
    }
    this.curBase = 0;
    this.heldCount = 0;
    this.passed = false;
    this.pktScratch = this.packetScratches[2 * (streamed ? 1 : 0) + (toServer ? 1 : 0)];
    try {
      this.inspectPacket(p, this.hold, this.acceptPacket, bits);
    } finally {
      this.pktScratch = undefined;
    }
    for (let i = 0; i < this.heldCount; i++) {
      const r = this.held[i];
      if (this.tables.action[r] === ACTION_REPORT && this.beforePass(r)) report(r, undefined);
    }
  }

  /**
   * For each positive pattern signature of rule `r` (in rule order, duplicates once), the
   * end offset of its first match in the window last decided (packet payload, or stream
   * buffer counted from its start), null if it did not match there. Valid in a
   * `ReportCallback`.
   */
  offsetsOf(r: number): (number | null)[] {
    const p = this.program;
    const a = p.rPosStart[r];
    const b = p.rPosStart[r + 1];
    if (a === b) return EMPTY_OFFSETS;
    const col = this.collector;
    col.finalize();
    const ends = col.endsArray;
    const out: (number | null)[] = [];
    for (let k = a; k < b; k++) {
      const sig = p.rPosSigs[k];
      out.push(col.countOf(sig) > 0 ? ends[col.startOf(sig)] + this.curBase : null);
    }
    return out;
  }

  // ---- stream windows ------------------------------------------------------------------------

  /** The bytes of a new packet of the direction start here (before its segment is reassembled). */
  streamChunk(dir: DirectionState): void {
    if (dir.len > dir.chunkStart) dir.prevChunkStart = dir.chunkStart;
    dir.chunkStart = dir.len;
  }

  /** The direction is ending: bytes flushed from now on form one last chunk. */
  streamLastChunk(dir: DirectionState): void {
    dir.chunkStart = dir.len;
  }

  /**
   * Reassembled in-order bytes of the direction: appended to its buffer (up to the depth
   * and the budget) and scanned with its scratch. Ignored once the direction reached its
   * depth or finished.
   */
  streamBytes(dir: DirectionState, bytes: Uint8Array): void {
    if (dir.depthReached || dir.finished) return;
    const budget = dir.budget;
    if (dir.scratch === undefined) {
      // A direction holds an engine scratch while it is inspected: within the budget, or not at all.
      if (budget.scratchHeld + this.scratchBytes > budget.maxScratchBytes) {
        dir.depthReached = true;
        budget.counters.scratchRefused++;
        return;
      }
      budget.scratchHeld += this.scratchBytes;
      dir.scratch = this.streamScratch(dir.toServer);
    }
    let n = bytes.length;
    const room = budget.depth - dir.len;
    if (n > room) n = room;
    if (!this.reserve(dir, dir.len + n)) n = 0;
    if (n < bytes.length) {
      dir.depthReached = true;
      budget.counters.depthReached++;
    }
    if (n === 0) return;
    dir.buf!.set(n === bytes.length ? bytes : bytes.subarray(0, n), dir.len);
    dir.len += n;
    const scratch = dir.scratch;
    budget.counters.scannedBytes += n;
    this.curDir = dir;
    this.matcher.scan(scratch, n === bytes.length ? bytes : bytes.subarray(0, n), this.streamEvent);
  }

  /**
   * Bytes are missing before the next delivery: decides what was seen before the hole,
   * then starts a new buffer after it (no match across the hole, a fresh depth budget).
   * `flow` and `established` as for `streamInspect`.
   */
  streamGap(flow: FlowDetection, dir: DirectionState, established: boolean, report: ReportCallback): void {
    if (dir.finished) return;
    if (dir.evCount > dir.evalAt) this.inspectDirection(flow, dir, established, report);
    if (dir.scratch !== undefined) this.matcher.reset(dir.scratch);
    dir.len = 0;
    dir.chunkStart = 0;
    dir.prevChunkStart = 0;
    dir.evCount = 0;
    dir.evalAt = 0;
    dir.depthReached = false; // the buffer after the hole gets its own depth budget
  }

  /**
   * After a segment: when its bytes produced new match events, decides the rules on the
   * direction (see `inspectDirection`) and reports (`report(r, dir)`) those to alert.
   * `established` is the flow's TCP state (read by `flow:established`).
   */
  streamInspect(flow: FlowDetection, dir: DirectionState, established: boolean, report: ReportCallback): void {
    if (dir.evCount > dir.evalAt) this.inspectDirection(flow, dir, established, report);
  }

  /**
   * The direction ended: declares the end of its bytes to the engine (end-anchored
   * patterns report; not when the depth cut it), decides what is left, and releases its
   * buffer and scratch. Idempotent.
   */
  streamFinish(flow: FlowDetection, dir: DirectionState, established: boolean, report: ReportCallback): void {
    if (dir.finished) return;
    dir.finished = true;
    this.curDir = dir;
    if (dir.scratch !== undefined) {
      // A buffer cut by the depth has no real end: no end-anchored matches there.
      if (dir.depthReached) this.matcher.reset(dir.scratch);
      else this.matcher.finish(dir.scratch, this.streamEvent);
    }
    if (dir.evCount > dir.evalAt || (dir.len > 0 && dir.evalAt === 0)) this.inspectDirection(flow, dir, established, report);
    this.release(dir);
  }

  /**
   * The direction is dropped undecided (an interrupted replay): its buffer and scratch go
   * back to the budget, nothing is reported. Idempotent.
   */
  streamDiscard(dir: DirectionState): void {
    if (dir.finished) return;
    dir.finished = true;
    if (dir.scratch !== undefined) this.matcher.reset(dir.scratch);
    this.release(dir);
  }

  /** A finished direction gives its buffer and scratch back (its scratch is at the start state). */
  private release(dir: DirectionState): void {
    dir.budget.held -= dir.buf?.length ?? 0;
    dir.buf = undefined;
    if (dir.scratch !== undefined) {
      dir.budget.scratchHeld -= this.scratchBytes;
      // Another direction may use it.
      const spare = this.spareStreamScratches[dir.toServer ? 1 : 0];
      if (spare.length < MAX_SPARE_SCRATCHES) spare.push(dir.scratch);
    }
    dir.scratch = undefined;
    dir.evSig = new Int32Array(0);
    dir.evEnd = new Float64Array(0);
    dir.evCount = 0;
  }

  /**
   * A scratch for a new stream direction: one a finished direction gave back, or a new
   * one (a prefiltered scratch holds arrays as long as the literal and unit lists: making
   * one per direction cost more than scanning many short streams).
   */
  private streamScratch(toServer: boolean): Scratch {
    const d = toServer ? 1 : 0;
    return this.spareStreamScratches[d].pop() ?? this.matcher.createScratch({ mode: 'all', skip: this.tables.streamSkip[d] });
  }

  /** After an engine failure: the scratches of `flow`'s directions start afresh. */
  resetFlow(flow: FlowDetection): void {
    for (const dir of flow.dirs) {
      if (dir.scratch !== undefined) this.matcher.reset(dir.scratch);
    }
  }

  /** Grows the direction buffer to hold `need` bytes; false when the global cap forbids it. */
  private reserve(dir: DirectionState, need: number): boolean {
    const have = dir.buf?.length ?? 0;
    if (need <= have) return true;
    const budget = dir.budget;
    let cap = Math.max(4096, have * 2);
    while (cap < need) cap *= 2;
    cap = Math.min(cap, budget.depth);
    if (budget.held - have + cap > budget.maxBytes) return false;
    const buf = new Uint8Array(cap);
    if (dir.buf !== undefined) buf.set(dir.buf.subarray(0, dir.len));
    budget.held += cap - have;
    dir.buf = buf;
    return true;
  }

  /**
   * Decides the rules on two windows of the direction: the bytes of the packet in
   * progress alone (so `offset`/`depth`/`startswith` and HTTP buffers count from the start
   * of that chunk, as for a Snort PDU or a Suricata stream chunk that starts a message),
   * then, for matches spanning packets, everything since the stream start (or the last
   * hole) while that is at most STREAM_HEAD bytes, else the previous packet's bytes and
   * this packet's. A rule alerts at most once per direction, whichever window fires first.
   */
  private inspectDirection(flow: FlowDetection, dir: DirectionState, established: boolean, report: ReportCallback): void {
    const from = dir.chunkStart;
    if (from > 0 && from < dir.len) this.evaluateWindow(flow, dir, from, established, report);
    if (dir.len <= STREAM_HEAD) this.evaluateWindow(flow, dir, 0, established, report);
    else {
      // Past the stream head, the spanning window is the previous packet plus this one
      // (bounded work per packet), and older events are dropped (bounded memory).
      if (dir.prevChunkStart < from) this.evaluateWindow(flow, dir, dir.prevChunkStart, established, report);
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
  private evaluateWindow(flow: FlowDetection, dir: DirectionState, from: number, established: boolean, report: ReportCallback): void {
    dir.budget.counters.streamEvaluations++;
    const col = this.collector;
    col.reset(from);
    this.curBase = from;
    const evSig = dir.evSig;
    const evEnd = dir.evEnd;
    for (let i = 0; i < dir.evCount; i++) if (evEnd[i] > from) col.onMatch(evSig[i], evEnd[i]);
    const payload = dir.buf === undefined ? new Uint8Array(0) : dir.buf.subarray(from, dir.len);
    if (this.useRegions) locateHttpBuffers(payload, this.regions);
    this.curDir = dir;
    this.streamFlow.toServer = dir.toServer;
    this.streamFlow.established = established;
    let bits: Uint8Array | undefined;
    if (this.hasFlowbits) bits = flow.flowbits ??= this.program.createFlowbits();
    this.heldCount = 0;
    this.passed = false;
    this.evaluator.evaluate(col, payload, this.hold, {
      accept: this.acceptStream,
      regions: this.useRegions ? this.regions : undefined,
      flowbits: bits,
      addresses: dir.fields,
    });
    for (let i = 0; i < this.heldCount; i++) {
      const r = this.held[i];
      if (!this.beforePass(r)) continue;
      (dir.fired ??= new Set()).add(r);
      if (this.tables.action[r] === ACTION_REPORT) report(r, dir);
    }
  }

  /** Whether held rule `r` acts in this decision: no pass rule fired, or `r`'s action comes before pass. */
  private beforePass(r: number): boolean {
    return !this.passed || this.rank[this.tables.actionClass[r]] < this.rank[0];
  }

  /**
   * Suricata's `action-order`: the four classes pass, drop, reject, alert in the order
   * in which they act (default: that one). A pass rule silences the rules of the same
   * decision whose class comes after pass. Throws UsageError unless `order` names each
   * class once.
   */
  setActionOrder(order: readonly string[]): void {
    if (!isActionOrder(order)) throw new UsageError(`action order must name pass, drop, reject and alert once each (got ${order.join(', ') || 'nothing'})`);
    ACTION_ORDER_DEFAULT.forEach((c, i) => (this.rank[i] = order.indexOf(c)));
  }

  /** `inspect` returning the fired rules (convenience for tests and small tools). */
  firedRules(payload: Uint8Array, accept?: (r: number) => boolean): Rule[] {
    const out: Rule[] = [];
    this.inspect(payload, (r) => out.push(this.program.rules[r]), accept);
    return out;
  }
}
