/**
 * Detection glue for the replay: a ruleset compiled into ONE automaton with the chosen
 * engine, plus the rule semantics model, behind one call per payload.
 *
 * `RuleDetector.build(rules, { engine })` compiles every distinct `content`/`pcre` of the
 * ruleset as one signature set (`RuleProgram.specs`) with `compile()` from src/engines;
 * signatures the engine rejects reject the rules using them (kind 'unsupported-pattern').
 * `inspect(payload, ...)` scans a payload from the automaton's start state (packet mode),
 * declares its end, locates the HTTP buffers of a message at the payload start
 * (`http-buffers.ts`), and decides the rules. For stream mode the caller keeps one scratch per
 * flow direction, routes the (signature, end) events into a `MatchCollector` reset with the
 * stream offset of the buffer being inspected, and calls `evaluator.evaluate` itself: the
 * pieces are public for that.
 *
 * Guarantees: the compiled matcher and program are immutable and shared; all mutable state
 * (scratch, collector, evaluator memo) belongs to the detector instance, so use one
 * detector per worker. No allocation per byte or per match event.
 */
import { compile, type CompileOptions, type CompileResult } from '../compile.js';
import type { Matcher, Scratch } from '../matcher/types.js';
import type { RuleReject } from '../rules/parse.js';
import type { Rule } from '../rules/rule.js';
import { BufferRegions, locateHttpBuffers } from './http-buffers.js';
import type { PacketCheckFields } from '../rules/packet-options.js';
import {
  MatchCollector, RuleEvaluator, RuleProgram, irLengthBounds, packetMatches, type LengthBounds, type PacketFields,
} from './rule-match.js';
import { parseSignature } from '../syntax/index.js';

export interface DetectorOptions extends CompileOptions {}

export class RuleDetector {
  readonly collector: MatchCollector;
  readonly evaluator: RuleEvaluator;
  /** HTTP buffer regions of the last inspected payload (when the ruleset uses them). */
  readonly regions = new BufferRegions();
  private readonly useRegions: boolean;
  private readonly scratch: Scratch;

  private constructor(
    readonly program: RuleProgram,
    readonly matcher: Matcher,
    readonly compiled: CompileResult,
  ) {
    this.collector = new MatchCollector(program.signatureCount);
    this.evaluator = program.createEvaluator();
    this.scratch = matcher.createScratch({ mode: 'all' });
    this.useRegions = program.usesLocatableBuffers;
  }

  /**
   * Compiles the rules. Pattern length bounds (for relative pcre) come from the syntax
   * front end; patterns it cannot parse are left to the engine compile to reject.
   */
  static build(rules: readonly Rule[], options: DetectorOptions = {}): RuleDetector {
    const bounds = (source: string): LengthBounds => {
      try {
        return irLengthBounds(parseSignature(source).ir);
      } catch {
        return { minLength: 0, maxLength: Infinity };
      }
    };
    const program = new RuleProgram(rules, { checkPattern: bounds });
    const compiled = compile(program.specs, options);
    program.rejectSignatures(compiled.rejected);
    return new RuleDetector(program, compiled.matcher, compiled);
  }

  /** Another detector sharing this one's compiled program and matcher (for another worker or flow table). */
  fork(): RuleDetector {
    return new RuleDetector(this.program, this.matcher, this.compiled);
  }

  get rules(): readonly Rule[] {
    return this.program.rules;
  }

  /** Rules rejected because the engine could not compile one of their patterns. */
  get rejected(): readonly RuleReject[] {
    return this.program.rejected;
  }

  /**
   * Packet mode: scans `payload` alone and calls `onFire(r)` for each rule index that fires
   * (ascending). `accept(r)` vetoes rules first (header, flow, dsize checks); `flowbits` is
   * the flow's bit state (`program.createFlowbits()`), read and updated. Returns the
   * number of rules fired.
   */
  inspect(payload: Uint8Array, onFire: (r: number) => void, accept?: (r: number) => boolean, flowbits?: Uint8Array): number {
    const col = this.collector;
    col.reset(this.scratch.offset);
    this.matcher.scan(this.scratch, payload, col.onMatch);
    this.matcher.finish(this.scratch, col.onMatch);
    if (this.useRegions) locateHttpBuffers(payload, this.regions);
    return this.evaluator.evaluate(col, payload, onFire, { accept, regions: this.useRegions ? this.regions : undefined, flowbits });
  }

  /**
   * Packet mode on a decoded packet (`DecodedPacket` from src/pcap fits): header, dsize and
   * packet options are checked by `packetMatches`, then `accept` (e.g. flow state).
   */
  inspectPacket(
    p: PacketFields & PacketCheckFields & { readonly payload: Uint8Array },
    onFire: (r: number) => void,
    accept?: (r: number) => boolean,
    flowbits?: Uint8Array,
  ): number {
    const rules = this.program.rules;
    return this.inspect(p.payload, onFire, (r) => packetMatches(rules[r], p) && (!accept || accept(r)), flowbits);
  }

  /** `inspect` returning the fired rules (convenience for tests and small tools). */
  firedRules(payload: Uint8Array, accept?: (r: number) => boolean): Rule[] {
    const out: Rule[] = [];
    this.inspect(payload, (r) => out.push(this.program.rules[r]), accept);
    return out;
  }
}
