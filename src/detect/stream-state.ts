/**
 * Per-flow detection state: what the detector keeps for one flow between packets (its
 * flowbits, and per direction the stream inspection state), so that the flow tracker only
 * has to hold one opaque object per flow (`Flow.state` in src/flow).
 *
 * A direction's stream state is the engine scratch that carries the automaton across
 * segments, the (signature, end) events reported since the start of its buffer, and the
 * buffer itself (the direction's reassembled bytes since its start or its last hole, at
 * most `StreamBudget.depth` bytes). All of it is mutated only by `RuleDetector`'s stream
 * methods. Memory is bounded by the shared `StreamBudget`: buffers of all directions
 * together hold at most `maxBytes`.
 */
import type { Scratch } from '../matcher/types.js';
import type { PacketFields } from './predicates.js';

/** Counters the stream inspection adds to (the replay's stats object has these fields). */
export interface StreamCounters {
  /** Payload bytes given to the engine. */
  scannedBytes: number;
  /** Directions whose buffer reached the depth (or the global cap) and stopped being inspected. */
  depthReached: number;
  /** Stream windows decided. */
  streamEvaluations: number;
  /** Directions not stream-inspected because the engine scratches held reached `maxScratchBytes`. */
  scratchRefused: number;
}

/** The memory caps of stream inspection, shared by every direction of one replay. */
export class StreamBudget {
  /** Buffer bytes held now over all directions. */
  held = 0;
  /** Engine scratch bytes held now by directions being inspected (the detector's estimate per scratch). */
  scratchHeld = 0;

  /**
   * `depth`: bytes inspected per direction (per buffer: a hole starts a new one);
   * `maxBytes`: buffer bytes held over all directions; `counters` receives the counts;
   * `maxScratchBytes`: engine scratches held over all directions (each direction being
   * inspected holds one, about `RuleDetector.scratchBytes`: with all of ET Open about
   * 10 MB, so a cap on sessions alone does not bound memory).
   */
  constructor(
    readonly depth: number,
    readonly maxBytes: number,
    readonly counters: StreamCounters,
    readonly maxScratchBytes = DEFAULT_MAX_SCRATCH_BYTES,
  ) {}
}

/** Default `StreamBudget.maxScratchBytes`: 1 GiB. */
export const DEFAULT_MAX_SCRATCH_BYTES = 1 << 30;

/** Stream inspection state of one direction of a TCP flow (see the module comment). */
export class DirectionState {
  /** Engine scratch of the direction, created on its first bytes. */
  scratch: Scratch | undefined = undefined;
  /** Match events since the buffer start: signature ids and end offsets in the buffer. */
  evSig = new Int32Array(0);
  evEnd = new Float64Array(0);
  evCount = 0;
  /** evCount at the last evaluation. */
  evalAt = 0;
  /** Buffer offset where the bytes of the packet in progress start. */
  chunkStart = 0;
  /** Buffer offset where the previous packet's bytes started. */
  prevChunkStart = 0;
  /** The direction's bytes since its start or last hole (`len` of them are valid). */
  buf: Uint8Array | undefined = undefined;
  len = 0;
  /** The buffer reached the depth (or the global cap): later bytes are not inspected. */
  depthReached = false;
  /** The direction ended (FIN reached or the flow ended); its state is released. */
  finished = false;
  /** Rules already fired on this direction (a rule fires at most once per direction). */
  fired: Set<number> | undefined = undefined;

  /**
   * `fields`: the header of the direction's packets (source = its sender);
   * `toServer`: it carries client-to-server bytes.
   */
  constructor(
    readonly fields: PacketFields,
    readonly toServer: boolean,
    readonly budget: StreamBudget,
  ) {}
}

/** The detector's state of one flow: its flowbits and its two directions. */
export class FlowDetection {
  /** The flow's flowbit state, created when a ruleset with flowbits first needs it. */
  flowbits: Uint8Array | undefined = undefined;
  /** Index 0: client to server; 1: server to client. */
  readonly dirs: [DirectionState, DirectionState];

  /** Addresses as in `PacketFields` (4 or 16 bytes); `budget` caps stream buffers. */
  constructor(
    ipVersion: number,
    protocol: number,
    client: Uint8Array,
    clientPort: number,
    server: Uint8Array,
    serverPort: number,
    budget: StreamBudget,
  ) {
    this.dirs = [
      new DirectionState(
        { ipVersion, protocol, srcAddr: client, dstAddr: server, srcPort: clientPort, dstPort: serverPort },
        true,
        budget,
      ),
      new DirectionState(
        { ipVersion, protocol, srcAddr: server, dstAddr: client, srcPort: serverPort, dstPort: clientPort },
        false,
        budget,
      ),
    ];
  }
}
