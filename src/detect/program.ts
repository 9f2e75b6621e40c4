/**
 * The rule program: a ruleset compiled into the signature list of ONE combined automaton
 * plus the per-rule decision tables the evaluator reads.
 *
 * `new RuleProgram(rules)` turns every `content` and `pcre` of every rule into an engine
 * signature (deduplicated: identical patterns share one signature id, see `signatures.ts`)
 * and keeps, per rule, its patterns and payload checks with their position constraints,
 * grouped by inspection buffer, as flat typed arrays. `program.specs` is the list to
 * compile with any engine (in 'all' match mode: every end of every match). Rules whose
 * patterns no engine can express, that need a protocol parser we do not have, or that
 * would fire on every packet are rejected (`program.rejected`) and never fire.
 *
 * Approximations (each is counted per rule by `program.approximations()`; they make a rule
 * fire more often than in Snort, except that `buffer` (raw, not normalized, buffers) and
 * `buffer-anchors` can also miss):
 * - `buffer`: patterns of an inspection buffer other than the payload (http_uri,
 *   http_header, file_data, ...). When the caller passes buffer regions (see
 *   `http-buffers.ts`: the HTTP message at the start of the payload is located), such a
 *   pattern must lie inside its buffer, offset/depth/startswith/endswith count from the
 *   buffer, a buffer pcre's leading `^`/`A` means the buffer start, and buffers the
 *   message cannot have (a URI in a response) make positive patterns fail. The buffers
 *   are raw bytes, not Snort's normalized ones (no %-decoding, no de-chunking or
 *   decompression). When the buffer is not located (no regions, the payload does not
 *   start an HTTP message, or buffers we never locate such as dce_stub_data), the pattern
 *   is searched in the whole payload and its absolute constraints are dropped; relative
 *   constraints between patterns of the same buffer are always kept.
 * - `buffer-anchors`: a buffer pcre that still holds `$` (end of buffer) is matched at the
 *   end of the payload instead: this one can miss (under-approximation).
 * - `unsupported-option`: options whose conditions are ignored (byte_extract and the
 *   byte_test/byte_jump using its variables or `dce`, fragbits, ttl, ssl_state, ...).
 * - `variable-modifier`: offset/depth/distance/within given as a byte_extract variable are
 *   dropped.
 * - `pcre-relative-start`: a relative pcre whose match length is not fixed: its start is
 *   only bounded ([end - max, end - min]), so `start ≥ cursor` / `start = cursor` is
 *   checked on that interval.
 * - `pcre-multiline-relative`: a relative pcre starting with `^` under the `m` flag: the
 *   `^` is dropped (it may match at the cursor or after any newline).
 * - `pcre-end-choice`: a relative pattern follows a pcre: we try every end the automaton
 *   reports for the pcre, Snort continues from the end of PCRE's one leftmost-longest
 *   match per start.
 * - `app-protocol`: a header protocol such as `http` or `dns` is matched as its transport.
 * - `rate-limit`: `threshold` / `detection_filter` are kept on the rule (`rateLimits`) but
 *   not applied here: every match is reported (the alert layer may apply them).
 * - `flowbits`: isset/isnotset conditions are decided on the per-flow bit state the caller
 *   passes (`program.createFlowbits()` per flow); without it they hold. Rules are decided
 *   in rule order within one payload, so a bit set by a later rule is seen from the next
 *   payload on. `noalert` rules are evaluated (they set bits) but never reported.
 */
import { RuleParseError } from '../errors.js';
import type { ContentPattern, PcrePattern, RejectKind, Rule } from '../rules/rule.js';
import type { RuleReject } from '../rules/parse.js';
import type { PayloadCheck } from '../rules/payload-checks.js';
import { literalScore } from '../prefilter/literals.js';
import { AddressIndex } from './address-index.js';
import { lazyContent, type LazyContent } from './lazy-contents.js';
import { RuleEvaluator } from './evaluator.js';
import { BUFFER_IDS, LOCATABLE_BUFFERS } from './http-buffers.js';
import {
  F_BUFFER_ANCHOR, F_CURSOR_ANCHOR, F_ENDS_WITH, F_IN_BUFFER, F_NEGATED, F_RELATIVE, F_STARTS_WITH, type CompiledFlowbits,
} from './pattern-flags.js';
import { BUFFER_EXACT, contentSource, pcreSource, type LengthBounds } from './signatures.js';

/** A reason a rule may fire differently than in Snort (see the module comment). */
export type ApproximationKind =
  | 'buffer'
  | 'buffer-anchors'
  | 'unsupported-option'
  | 'variable-modifier'
  | 'pcre-relative-start'
  | 'pcre-multiline-relative'
  | 'pcre-end-choice'
  | 'app-protocol'
  | 'rate-limit'
  | 'flowbits';

/** Per-kind counts of approximated rules (`RuleProgram.approximations`). */
export interface ApproximationCensus {
  /** Rules affected, by kind (a rule counts once per kind). */
  byKind: Record<ApproximationKind, number>;
  /** Rules with at least one approximation. */
  rulesApproximated: number;
  /** Rules decided exactly (no approximation at all). */
  rulesExact: number;
  /** Rules per ignored option name. */
  unsupportedOptions: Record<string, number>;
}

/** Options of `new RuleProgram`. */
export interface RuleProgramOptions {
  /**
   * Validates one pcre signature source (as in `program.signatures`) and returns its
   * match-length bounds, or an Error when the engines cannot express it (the rules using it
   * are then rejected with kind 'unsupported-pattern'). Typically: parse with the syntax
   * front end and apply `irLengthBounds`. Without it, pcre lengths are unknown ([0,
   * Infinity]). Not called for contents: their length is exact, and they never go through
   * the regex parser (compile() builds their IR directly and checks their size limit, a
   * failure the caller passes back through `rejectSignatures`).
   */
  checkPattern?: (source: string) => LengthBounds | Error;
  /**
   * A rule without any positive content/pcre whose other conditions are ignored options
   * (flags, itype, byte_test, ...) would fire on every packet its header accepts: 'reject'
   * rejects such rules (kind 'unsupported-option'), 'ignore' keeps them (they then fire).
   * @default 'reject'
   */
  patternlessUnsupported?: 'reject' | 'ignore';
  /**
   * Rules gated on an application-protocol parser we do not have (DCE/RPC `dce_iface` /
   * `dce_opnum`, GTP, Modbus, DNP3, CIP/ENIP, S7): their patterns are written against the
   * parsed protocol (e.g. `.{12}` in the DCE stub) and fire on almost any payload once the
   * gate is ignored. 'reject' rejects them (kind 'protocol-gated').
   * @default 'reject'
   */
  protocolGated?: 'reject' | 'ignore';
}

/** Options that need an application-protocol parser (see `protocolGated`). */
const PROTOCOL_GATES = /^(dce_iface|dce_opnum|gtp_type|gtp_info|gtp_version|modbus_func|modbus_unit|modbus_data|dnp3_func|dnp3_ind|dnp3_obj|dnp3_data|cip_.*|enip_.*|s7commplus_.*)$/;

/** One step of a rule's pattern sequence while the program is built (a pattern or a payload check). */
interface PlacedStep {
  sig: number;
  flags: number;
  off: number;
  endMax: number;
  dist: number;
  within: number;
  buffer: string;
  check?: PayloadCheck;
}

/** A rule's steps as placed by `ProgramBuilder.placeRule`. */
interface PlacedRule {
  /** Indices into the builder's steps, in rule order. */
  steps: number[];
  /** Rule pattern k → index of its step. */
  patternStep: number[];
  /** The first pattern error met (a signature the `checkPattern` option refused). */
  error: Error | undefined;
}

/** Interns signature sources: one id per distinct source, with its length bounds. */
class SignatureTable {
  readonly sources: string[] = [];
  readonly specs: (string | { readonly content: Uint8Array; readonly nocase: boolean })[] = [];
  readonly bounds: LengthBounds[] = [];
  readonly errors: (Error | undefined)[] = [];
  private readonly index = new Map<string, number>();

  constructor(private readonly checkPattern: RuleProgramOptions['checkPattern']) {}

  /** The id of `source` (a content's is compiled as the literal `content`). */
  idOf(source: string, content?: ContentPattern): number {
    let id = this.index.get(source);
    if (id === undefined) {
      id = this.sources.length;
      this.sources.push(source);
      this.specs.push(content ? { content: content.bytes, nocase: content.nocase } : source);
      this.index.set(source, id);
      const checked = content ? undefined : this.checkPattern?.(source);
      if (checked instanceof Error) {
        this.errors.push(checked);
        this.bounds.push({ minLength: 0, maxLength: Infinity });
      } else {
        this.errors.push(undefined);
        this.bounds.push(checked ?? { minLength: 0, maxLength: Infinity });
      }
    }
    return id;
  }
}

/** A signature as `compile()` takes it: a content literal or a pcre, with its gate (see `gatedSpecs`). */
export type ProgramSpec =
  | { readonly content: Uint8Array; readonly nocase: boolean; readonly gate?: readonly (readonly Uint8Array[])[] }
  | { readonly pcre: string; readonly gate?: readonly (readonly Uint8Array[])[] };

/**
 * The specs with each pcre gated by its rules' contents (Snort's fast pattern, made
 * stronger): every pattern of a rule is matched against the same automaton input, so a
 * rule can fire only on an input containing all its positive contents. A pcre is
 * therefore needed only on inputs containing all the positive contents of one of the
 * live rules that use it; with the prefilter on, compile() runs it only there (measured
 * on ET Open over the Zeek HTTP traces: 30 pcre activations per packet with the longest
 * content alone as gate). A pcre used by a live rule without a positive content stays
 * ungated (it may decide a rule alone). Contents are gated the same way, by the other
 * positive contents of their rules (a content that decides some rule alone, or is used
 * by a rule without positive contents, stays ungated): ET Open has fifteen runs of zero
 * bytes beside rarer contents, each found at 400k offsets of the HTTP traces' binary
 * bodies, which then no longer cost anything.
 */
function gatedSpecs(
  specs: readonly (string | { readonly content: Uint8Array; readonly nocase: boolean })[],
  placed: readonly PlacedRule[],
  steps: readonly PlacedStep[],
  alive: Uint8Array,
): ProgramSpec[] {
  const gates: (Uint8Array[][] | null | undefined)[] = specs.map(() => undefined);
  placed.forEach((p, r) => {
    if (alive[r] === 0) return;
    const contents = new Set<Uint8Array>();
    for (const i of p.steps) {
      const spec = steps[i].sig >= 0 ? specs[steps[i].sig] : undefined;
      if (spec === undefined || typeof spec === 'string' || steps[i].flags & F_NEGATED) continue;
      contents.add(spec.content);
    }
    for (const i of p.steps) {
      const sig = steps[i].sig;
      if (sig < 0 || gates[sig] === null) continue;
      const spec = specs[sig];
      // A content's own occurrence is implied by its match: the others are its condition.
      const others = typeof spec === 'string' ? [...contents] : [...contents].filter((c) => c !== spec.content);
      if (others.length === 0) gates[sig] = null;
      else (gates[sig] ??= []).push(others);
    }
  });
  return specs.map((spec, sig) => {
    const gate = gates[sig];
    if (typeof spec !== 'string') return gate ? { ...spec, gate } : spec;
    return gate ? { pcre: spec, gate } : { pcre: spec };
  });
}

/** Assigns flowbit ids (in order of first use) and compiles each rule's flowbits. */
function compileFlowbits(rules: readonly Rule[], names: string[]): (CompiledFlowbits | undefined)[] {
  const bitIds = new Map<string, number>();
  const bit = (name: string): number => {
    let id = bitIds.get(name);
    if (id === undefined) {
      id = names.length;
      names.push(name);
      bitIds.set(name, id);
    }
    return id;
  };
  return rules.map((rule) => {
    if (rule.flowbits.length === 0) return undefined;
    const c: CompiledFlowbits = { conds: [], set: [], unset: [], toggle: [], reset: false, noalert: rule.noalert };
    for (const f of rule.flowbits) {
      const ids = f.names.map(bit);
      if (f.op === 'isset' || f.op === 'isnotset') c.conds.push({ ids, all: f.all, set: f.op === 'isset' });
      else if (f.op === 'set') c.set.push(...ids);
      else if (f.op === 'unset') c.unset.push(...ids);
      else if (f.op === 'toggle') c.toggle.push(...ids);
      else if (f.op === 'reset') c.reset = true;
    }
    return c;
  });
}

/** The approximations a rule has whatever its patterns (options, protocol, flowbits). */
function ruleApproximations(rule: Rule, ap: Set<ApproximationKind>): void {
  if (rule.unsupported.length > 0) ap.add('unsupported-option');
  if (rule.appProtocol) ap.add('app-protocol');
  if (rule.flowbits.some((f) => f.op === 'isset' || f.op === 'isnotset')) ap.add('flowbits');
  if (rule.rateLimits.length > 0) ap.add('rate-limit');
}

/** Builds the flat step list of every rule, interning signatures on the way. */
class ProgramBuilder {
  readonly steps: PlacedStep[] = [];
  readonly sigs: SignatureTable;

  constructor(options: RuleProgramOptions) {
    this.sigs = new SignatureTable(options.checkPattern);
  }

  /** Places the patterns and payload checks of `rule`, noting its approximations in `ap`. */
  placeRule(rule: Rule, ap: Set<ApproximationKind>): PlacedRule {
    const steps: number[] = [];
    const prevWasPcreInBuffer = new Map<string, boolean>();
    let error: Error | undefined;
    const patternStep: number[] = [];
    const placeChecks = (k: number): void => {
      for (const c of rule.payloadChecks) {
        if (c.after !== k) continue;
        if (c.kind !== 'isdataat' && c.relative && prevWasPcreInBuffer.get(c.buffer)) ap.add('pcre-end-choice');
        if (!BUFFER_EXACT.has(c.buffer)) ap.add('buffer');
        steps.push(this.steps.length);
        this.steps.push({ sig: -1, flags: 0, off: 0, endMax: Infinity, dist: 0, within: Infinity, buffer: c.buffer, check: c });
      }
    };
    for (const p of rule.patterns) {
      placeChecks(patternStep.length);
      patternStep.push(this.steps.length);
      const inBuffer = !BUFFER_EXACT.has(p.buffer);
      if (inBuffer) ap.add('buffer');
      const flags = (p.negated ? F_NEGATED : 0) | (inBuffer ? F_IN_BUFFER : 0);
      const relativeNow = p.kind === 'content'
        ? p.distance !== undefined || p.within !== undefined || p.variableModifiers.some((v) => /^(distance|within) /.test(v))
        : p.relative;
      if (relativeNow && prevWasPcreInBuffer.get(p.buffer)) ap.add('pcre-end-choice');
      const step = p.kind === 'content' ? this.contentStep(p, flags, relativeNow, ap) : this.pcreStep(p, flags, inBuffer, ap);
      if (this.sigs.errors[step.sig]) error ??= this.sigs.errors[step.sig];
      if (!p.negated) prevWasPcreInBuffer.set(p.buffer, p.kind === 'pcre');
      steps.push(this.steps.length);
      this.steps.push(step);
    }
    placeChecks(rule.patterns.length);
    return { steps, patternStep, error };
  }

  /** The step of a `content` (its length is exact, so its bounds are set here). */
  private contentStep(p: ContentPattern, baseFlags: number, relative: boolean, ap: Set<ApproximationKind>): PlacedStep {
    let flags = baseFlags;
    let off = 0;
    let endMax = Infinity;
    let dist = 0;
    let within = Infinity;
    const sig = this.sigs.idOf(contentSource(p), p);
    this.sigs.bounds[sig] = { minLength: p.bytes.length, maxLength: p.bytes.length };
    if (p.variableModifiers.length > 0) ap.add('variable-modifier');
    if (relative) {
      flags |= F_RELATIVE;
      dist = p.distance ?? 0;
      if (p.within !== undefined) within = p.within;
    }
    // In a buffer these count from the buffer start, and apply only when the buffer
    // was located in the payload (see http-buffers.ts).
    if (p.offset !== undefined) off = p.offset;
    if (p.depth !== undefined) endMax = off + p.depth;
    if (p.startsWith) flags |= F_STARTS_WITH;
    if (p.endsWith) flags |= F_ENDS_WITH;
    return { sig, flags, off, endMax, dist, within, buffer: p.buffer };
  }

  /** The step of a `pcre` (its anchors become flags, see `pcreSource`). */
  private pcreStep(p: PcrePattern, baseFlags: number, inBuffer: boolean, ap: Set<ApproximationKind>): PlacedStep {
    let flags = baseFlags;
    const ps = pcreSource(p);
    const sig = this.sigs.idOf(ps.source);
    if (p.relative) flags |= F_RELATIVE;
    if (ps.anchoredAtCursor) flags |= F_CURSOR_ANCHOR;
    if (ps.anchoredAtBufferStart) flags |= F_BUFFER_ANCHOR;
    if (ps.multilineRelative) ap.add('pcre-multiline-relative');
    if (inBuffer && /(?<!\\)\$\/?$|(?<!\\)\$\)/.test(p.pattern)) ap.add('buffer-anchors');
    return { sig, flags, off: 0, endMax: Infinity, dist: 0, within: Infinity, buffer: p.buffer };
  }
}

/** A rule's rejection record, its text cut to 500 characters. */
function rejectOf(rule: Rule, message: string, kind: RejectKind): RuleReject {
  return {
    error: new RuleParseError(message, rule.line, rule.file, rule.sid),
    kind,
    text: rule.text.length > 500 ? `${rule.text.slice(0, 500)}...` : rule.text,
    enabled: rule.enabled,
  };
}

/**
 * Why `rule` cannot be kept, if it cannot: a protocol gate, no pattern but ignored
 * options, or a pattern the engines cannot express (`error`).
 */
function rejectionOf(rule: Rule, error: Error | undefined, options: RuleProgramOptions): RuleReject | undefined {
  const positives = rule.patterns.filter((x) => !x.negated).length;
  const gates = rule.unsupported.filter((o) => PROTOCOL_GATES.test(o));
  if (!error && gates.length > 0 && (options.protocolGated ?? 'reject') === 'reject') {
    return rejectOf(rule, `needs an application-protocol parser we do not have (${gates.join(', ')})`, 'protocol-gated');
  }
  if (!error && positives === 0 && rule.unsupported.length > 0 && (options.patternlessUnsupported ?? 'reject') === 'reject') {
    return rejectOf(
      rule,
      `no content or pcre, and its other conditions are not supported (${rule.unsupported.join(', ')}): it would fire on every packet`,
      'unsupported-option',
    );
  }
  if (error) return rejectOf(rule, `pattern cannot be compiled: ${error.message}`, 'unsupported-pattern');
  return undefined;
}

/** `literalScore` a pcre counts as when a rule's key is chosen (six lower-case letters). */
const PCRE_KEY_SCORE = 3.6;

/** The group tables of a program (see the `RuleProgram` fields of the same names). */
interface GroupTables {
  rGroupStart: Int32Array;
  gPatStart: Int32Array;
  gPats: Int32Array;
  gBuffer: Int32Array;
  rPosStart: Int32Array;
  rPosSigs: Int32Array;
  sRuleStart: Int32Array;
  sRules: Int32Array;
  alwaysCandidates: Int32Array;
}

/**
 * Groups each rule's steps by buffer (in order of first appearance; steps keep rule order
 * inside), lists its positive signatures, and inverts those into signature → live rules.
 */
function buildGroups(
  rulePats: readonly number[][],
  steps: readonly PlacedStep[],
  signatureCount: number,
  alive: Uint8Array,
  keyWeight: (sig: number) => number,
  preferredKey: (r: number) => number,
): GroupTables {
  const rGroupStart: number[] = [0];
  const gPatStart: number[] = [0];
  const gPats: number[] = [];
  const gBuffer: number[] = [];
  const rPosStart: number[] = [0];
  const rPosSigs: number[] = [];
  const sigRules: number[][] = Array.from({ length: signatureCount }, () => []);
  const always: number[] = [];
  rulePats.forEach((mine, r) => {
    const groups = new Map<string, number[]>();
    for (const i of mine) {
      const g = groups.get(steps[i].buffer) ?? [];
      g.push(i);
      groups.set(steps[i].buffer, g);
    }
    for (const [name, g] of groups) {
      gPats.push(...g);
      gPatStart.push(gPats.length);
      gBuffer.push(BUFFER_IDS[name] ?? LOCATABLE_BUFFERS);
    }
    rGroupStart.push(gPatStart.length - 1);
    const pos = [...new Set(mine.filter((i) => steps[i].sig >= 0 && !(steps[i].flags & F_NEGATED)).map((i) => steps[i].sig))];
    rPosSigs.push(...pos);
    rPosStart.push(rPosSigs.length);
    if (alive[r]) {
      // A rule is decided only when ALL its positive signatures matched, so it is enough
      // to list it under one of them, the one least likely to match (its key): a rule
      // with `content:"GET"` and a rarer content is not even looked at on every request.
      if (pos.length === 0) always.push(r);
      else {
        const preferred = preferredKey(r);
        let key = pos[0];
        if (preferred >= 0 && pos.includes(preferred)) key = preferred;
        else for (const s of pos) if (keyWeight(s) > keyWeight(key)) key = s;
        sigRules[key].push(r);
      }
    }
  });
  const sRuleStart = [0];
  const sRules: number[] = [];
  for (const list of sigRules) {
    sRules.push(...list);
    sRuleStart.push(sRules.length);
  }
  return {
    rGroupStart: Int32Array.from(rGroupStart),
    gPatStart: Int32Array.from(gPatStart),
    gPats: Int32Array.from(gPats),
    gBuffer: Int32Array.from(gBuffer),
    rPosStart: Int32Array.from(rPosStart),
    rPosSigs: Int32Array.from(rPosSigs),
    sRuleStart: Int32Array.from(sRuleStart),
    sRules: Int32Array.from(sRules),
    alwaysCandidates: Int32Array.from(always),
  };
}

/**
 * Greedy positions: when every later step of the group only bounds its start from below
 * by the cursor (positive patterns without `within` or cursor anchor), the smallest
 * fitting end dominates every larger one, so the search tries only that one. This keeps
 * long `distance:0` chains linear on payloads with thousands of matches.
 */
function greedySteps(gPatStart: Int32Array, gPats: Int32Array, pSig: Int32Array, pFlags: Uint8Array, pWithin: Float64Array): Uint8Array {
  const greedy = new Uint8Array(pSig.length);
  for (let g = 0; g + 1 < gPatStart.length; g++) {
    let monotoneAfter = true;
    for (let i = gPatStart[g + 1] - 1; i >= gPatStart[g]; i--) {
      const q = gPats[i];
      const positive = pSig[q] >= 0 && !(pFlags[q] & F_NEGATED);
      if (positive && monotoneAfter) greedy[q] = 1;
      const monotone = positive && !(pFlags[q] & F_CURSOR_ANCHOR) && pWithin[q] === Infinity;
      monotoneAfter &&= monotone;
    }
  }
  return greedy;
}

/** A compiled ruleset for the combined automaton plus the per-rule decision tables. */
export class RuleProgram {
  /** Signature sources (pcre text; contents as escaped literals); index = signature id. */
  readonly signatures: string[];
  /**
   * The same signatures in the form `compile()` in src/engines takes: a content as
   * `{ content, nocase }` (compiled as a literal), a pcre as its source text.
   */
  readonly specs: ProgramSpec[];
  /** Rules rejected because one of their patterns cannot be expressed. */
  readonly rejected: RuleReject[] = [];
  /** 1 when the rule can fire (not rejected, not noalert). */
  readonly alive: Uint8Array;

  // Per pattern (flattened over all rules).
  /** @internal */ readonly pSig: Int32Array;
  /** @internal */ readonly pFlags: Uint8Array;
  /** @internal */ readonly pMinLen: Float64Array;
  /** @internal */ readonly pMaxLen: Float64Array;
  /** @internal */ readonly pOffset: Float64Array; // min start (absolute)
  /** @internal */ readonly pEndMax: Float64Array; // max end (absolute), Infinity if none
  /** @internal */ readonly pDistance: Float64Array;
  /** @internal */ readonly pWithin: Float64Array; // Infinity if none
  /** 1 when trying only the first fitting end of this step is enough (see `greedySteps`). */
  /** @internal */ readonly pGreedy: Uint8Array;
  /** Payload checks (byte_test...) at their place in the sequence; undefined for patterns (pSig < 0 ⇔ check). */
  /** @internal */ readonly pCheck: (PayloadCheck | undefined)[];
  /** Per rule: its groups, as CSR over pattern indices: groups of rule r are gStart[rStart[r]..rStart[r+1]). */
  /** @internal */ readonly rGroupStart: Int32Array;
  /** @internal */ readonly gPatStart: Int32Array;
  /** @internal */ readonly gPats: Int32Array;
  /** Buffer id of each group (BUFFER_IDS; LOCATABLE_BUFFERS for buffers never located). */
  /** @internal */ readonly gBuffer: Int32Array;
  /** The rules with `sig` among their positive patterns (for messages; a scan over all rules). */
  rulesWithSignature(sig: number): number[] {
    const out: number[] = [];
    for (let r = 0; r + 1 < this.rPosStart.length; r++) {
      for (let k = this.rPosStart[r]; k < this.rPosStart[r + 1]; k++) if (this.rPosSigs[k] === sig) out.push(r);
    }
    return out;
  }
  /** Per rule: its positive signatures (to check presence quickly). */
  /** @internal */ readonly rPosStart: Int32Array;
  /** @internal */ readonly rPosSigs: Int32Array;
  /** Signature → the live rules having it as their key (rarest-looking) positive pattern (CSR). */
  /** @internal */ readonly sRuleStart: Int32Array;
  /** @internal */ readonly sRules: Int32Array;
  /** Rules with no positive pattern: candidates on every payload. */
  /** @internal */ readonly alwaysCandidates: Int32Array;
  private addressIndexCache: AddressIndex | undefined;
  private lazyCache: (LazyContent | undefined)[] | undefined;
  /**
   * Per signature: the search plan of a content that is no live rule's key (it never
   * makes a rule a candidate), which packet decisions find on demand (`lazy-contents.ts`);
   * undefined for keys and pcres. Built on first use, shared by evaluators.
   */
  /** @internal */ get lazyContents(): (LazyContent | undefined)[] {
    return (this.lazyCache ??= this.specs.map((spec, sig) =>
      'content' in spec && this.sRuleStart[sig + 1] === this.sRuleStart[sig] ? lazyContent(spec.content, spec.nocase) : undefined,
    ));
  }
  /** `alwaysCandidates` indexed by header address (built on first use, shared by evaluators). */
  /** @internal */ get addressIndex(): AddressIndex {
    return (this.addressIndexCache ??= new AddressIndex(this.alwaysCandidates, (r) => this.rules[r]));
  }

  private readonly approx: Set<ApproximationKind>[];
  /** Flowbit names; a flow's state is a Uint8Array indexed by their ids. */
  readonly flowbitNames: string[] = [];
  /** @internal */ readonly rFlowbits: (CompiledFlowbits | undefined)[];

  /**
   * Builds the program of `rules` (indices into `rules` are the rule ids everywhere).
   * Never throws for a rule: a rule that cannot be kept goes to `rejected`.
   */
  constructor(readonly rules: readonly Rule[], options: RuleProgramOptions = {}) {
    this.approx = rules.map(() => new Set<ApproximationKind>());
    this.rFlowbits = compileFlowbits(rules, this.flowbitNames);
    this.alive = new Uint8Array(rules.length);
    const b = new ProgramBuilder(options);
    const placed = rules.map((rule, r) => {
      ruleApproximations(rule, this.approx[r]);
      const p = b.placeRule(rule, this.approx[r]);
      const reject = rejectionOf(rule, p.error, options);
      if (reject) this.rejected.push(reject);
      else this.alive[r] = 1;
      return p;
    });
    this.signatures = b.sigs.sources;
    this.specs = gatedSpecs(b.sigs.specs, placed, b.steps, this.alive);
    this.markRelativePcreStarts(placed, b);
    const steps = b.steps;
    const bounds = b.sigs.bounds;
    this.pSig = Int32Array.from(steps, (p) => p.sig);
    this.pFlags = Uint8Array.from(steps, (p) => p.flags);
    this.pMinLen = Float64Array.from(steps, (p) => (p.sig < 0 ? 0 : bounds[p.sig].minLength));
    this.pMaxLen = Float64Array.from(steps, (p) => (p.sig < 0 ? 0 : bounds[p.sig].maxLength));
    this.pOffset = Float64Array.from(steps, (p) => p.off);
    this.pEndMax = Float64Array.from(steps, (p) => p.endMax);
    this.pDistance = Float64Array.from(steps, (p) => p.dist);
    this.pWithin = Float64Array.from(steps, (p) => p.within);
    this.pCheck = steps.map((p) => p.check);
    const specs = this.specs;
    const weights = new Map<number, number>();
    const keyWeight = (sig: number): number => {
      let w = weights.get(sig);
      if (w === undefined) {
        const spec = specs[sig];
        // How rare a content looks (zero runs, `|0d 0a|` and HTTP header names little);
        // a pcre (gated by contents, or rare by itself) as a six-letter literal.
        w = 'content' in spec ? literalScore(spec.content) : PCRE_KEY_SCORE;
        weights.set(sig, w);
      }
      return w;
    };
    // The author's `fast_pattern` content, when positive, is the key (Snort's choice too).
    const preferredKey = (r: number): number => {
      const rule = rules[r];
      const k = rule.patterns.findIndex((pat) => pat.kind === 'content' && pat.fastPattern && !pat.negated);
      return k < 0 ? -1 : steps[placed[r].patternStep[k]].sig;
    };
    const g = buildGroups(placed.map((p) => p.steps), steps, this.signatures.length, this.alive, keyWeight, preferredKey);
    this.rGroupStart = g.rGroupStart;
    this.gPatStart = g.gPatStart;
    this.gPats = g.gPats;
    this.gBuffer = g.gBuffer;
    this.rPosStart = g.rPosStart;
    this.rPosSigs = g.rPosSigs;
    this.sRuleStart = g.sRuleStart;
    this.sRules = g.sRules;
    this.alwaysCandidates = g.alwaysCandidates;
    this.pGreedy = greedySteps(this.gPatStart, this.gPats, this.pSig, this.pFlags, this.pWithin);
  }

  /** Relative pcre length approximations need the signature bounds, known only once all rules are placed. */
  private markRelativePcreStarts(placed: readonly PlacedRule[], b: ProgramBuilder): void {
    this.rules.forEach((rule, r) => {
      rule.patterns.forEach((p, k) => {
        if (p.kind !== 'pcre' || !p.relative) return;
        const bd = b.sigs.bounds[b.steps[placed[r].patternStep[k]].sig];
        if (bd.minLength !== bd.maxLength) this.approx[r].add('pcre-relative-start');
      });
    });
  }


  /** True when some live rule has a pattern in a buffer `locateHttpBuffers` can locate. */
  get usesLocatableBuffers(): boolean {
    for (let g = 0; g < this.gBuffer.length; g++) if (this.gBuffer[g] !== 0 && this.gBuffer[g] < LOCATABLE_BUFFERS) return true;
    return false;
  }

  /** A fresh flowbit state for one flow (all bits clear). */
  createFlowbits(): Uint8Array {
    return new Uint8Array(Math.max(1, this.flowbitNames.length));
  }

  /** Number of signatures (ids are 0 .. signatureCount - 1). */
  get signatureCount(): number {
    return this.signatures.length;
  }

  /** Approximation kinds that apply to rule `r` (index into `rules`). */
  approximationsOf(r: number): ApproximationKind[] {
    return [...this.approx[r]];
  }

  /** Counts, per approximation kind, the rules it affects. */
  approximations(): ApproximationCensus {
    const byKind: Record<ApproximationKind, number> = {
      buffer: 0, 'buffer-anchors': 0, 'unsupported-option': 0, 'variable-modifier': 0,
      'pcre-relative-start': 0, 'pcre-multiline-relative': 0, 'pcre-end-choice': 0,
      'app-protocol': 0, 'rate-limit': 0, flowbits: 0,
    };
    const unsupportedOptions: Record<string, number> = {};
    let approximated = 0;
    this.approx.forEach((set, r) => {
      for (const k of set) byKind[k]++;
      if (set.size > 0) approximated++;
      for (const o of this.rules[r].unsupported) unsupportedOptions[o] = (unsupportedOptions[o] ?? 0) + 1;
    });
    return { byKind, rulesApproximated: approximated, rulesExact: this.rules.length - approximated, unsupportedOptions };
  }

  /**
   * Marks the rules using signatures an engine rejected at compile time as rejected
   * (kind 'unsupported-pattern') and returns the new rejects.
   */
  rejectSignatures(rejected: readonly { signature: number; error: Error }[]): RuleReject[] {
    const bad = new Map<number, Error>();
    for (const x of rejected) bad.set(x.signature, x.error);
    const out: RuleReject[] = [];
    for (let r = 0; r < this.rules.length; r++) {
      if (!this.alive[r]) continue;
      let err: Error | undefined;
      for (let k = this.rGroupStart[r]; k < this.rGroupStart[r + 1] && !err; k++) {
        for (let q = this.gPatStart[k]; q < this.gPatStart[k + 1]; q++) {
          err = bad.get(this.pSig[this.gPats[q]]);
          if (err) break;
        }
      }
      if (!err) continue;
      this.alive[r] = 0;
      out.push(rejectOf(this.rules[r], `pattern cannot be compiled: ${err.message}`, 'unsupported-pattern'));
    }
    this.rejected.push(...out);
    return out;
  }

  /** A fresh evaluator of this program (it owns mutable scratch: one per user). */
  createEvaluator(): RuleEvaluator {
    return new RuleEvaluator(this);
  }
}
