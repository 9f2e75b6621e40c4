/**
 * Rule semantics: decides which rules fire on a payload, given the (signature, end) events
 * that ONE combined automaton over the whole ruleset reported for it.
 *
 * Pipeline (what the replay does):
 *   1. `new RuleProgram(rules)` turns every `content` and `pcre` of every rule into an
 *      engine signature (deduplicated: identical patterns share one signature id) and keeps,
 *      per rule, its patterns with their position constraints. `program.specs` is the list
 *      to compile with any engine (in 'all' match mode: every end of every match).
 *   2. Per payload (packet, or reassembled stream chunk): a `MatchCollector` receives the
 *      engine's callbacks (no allocation per event) and groups the ends by signature.
 *   3. `RuleEvaluator.evaluate` finds the candidate rules (those whose signatures matched,
 *      plus rules without positive patterns), lets the caller veto each one (header, flow,
 *      dsize: see `headerMatches`), and decides each remaining rule exactly as below.
 *
 * The semantics decided (Snort 2/3 and Suricata agree on these):
 * - A rule fires when all its patterns are satisfied. Patterns are grouped by inspection
 *   buffer; relative modifiers refer to the previous pattern of the same buffer; groups are
 *   independent.
 * - Within a group, in rule order, there must EXIST match positions such that: a content
 *   found at [start, end) obeys `offset` (start ≥ offset) and `depth` (end ≤ offset + depth);
 *   a relative one obeys `distance` (start ≥ cursor + distance) and `within`
 *   (end ≤ cursor + distance + within), where the cursor is the end of the previous
 *   positive pattern match of the group (0 before the first); `startswith` = start 0,
 *   `endswith` = end at the end of the buffer. A negated pattern holds when NO match obeys
 *   its constraints at the current cursor, and does not move the cursor. A `pcre` with `R`
 *   starts at or after the cursor (with a leading `^` or the `A` flag: exactly at it).
 *   `byte_jump` moves the cursor, `byte_test` and relative `isdataat` test the bytes at it,
 *   `urilen`/`bufferlen` test a located buffer's length (payload-checks.ts). The search over positions is exhaustive (a memoised depth-first search), as Snort's and
 *   Suricata's retry of earlier contents makes it.
 * - A content's start is exact: start = end - length (contents have one length). A pcre's
 *   start is only known to lie in [end - maxLength, end - minLength]; see approximations.
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
import type { MatchCallback } from '../matcher/types.js';
import { RuleParseError } from '../errors.js';
import type { Ir } from '../syntax/ir.js';
import type { ContentPattern, PcrePattern, RejectKind, Rule } from '../rules/rule.js';
import type { RuleReject } from '../rules/parse.js';
import { BUFFER_IDS, LOCATABLE_BUFFERS, REGION_ABSENT, REGION_KNOWN, type BufferRegions } from './http-buffers.js';
import { packetChecksMatch, type PacketCheckFields } from '../rules/packet-options.js';
import { applyPayloadCheck, type PayloadCheck } from '../rules/payload-checks.js';
import type { IpAddress } from '../rules/vars.js';

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

/** Match-length bounds of a signature (max may be Infinity). */
export interface LengthBounds {
  minLength: number;
  maxLength: number;
}

export interface RuleProgramOptions {
  /**
   * Validates one signature source (as in `program.signatures`) and returns its match-length
   * bounds, or an Error when the engines cannot express it (the rules using it are then
   * rejected with kind 'unsupported-pattern'). Typically: parse with the syntax front end
   * and apply `irLengthBounds`. Without it, pcre lengths are unknown ([0, Infinity]).
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

const BUFFER_EXACT = new Set(['pkt', 'raw']);
const EMPTY = new Uint8Array(0);

/** Bounds on the length of the strings an IR matches (assertions have length 0). */
export function irLengthBounds(ir: Ir): LengthBounds {
  switch (ir.kind) {
    case 'empty':
    case 'assert':
      return { minLength: 0, maxLength: 0 };
    case 'never':
      return { minLength: Infinity, maxLength: -Infinity };
    case 'bytes':
      return { minLength: 1, maxLength: 1 };
    case 'concat': {
      let min = 0;
      let max = 0;
      for (const it of ir.items) {
        const b = irLengthBounds(it);
        min += b.minLength;
        max += b.maxLength;
      }
      return { minLength: min, maxLength: max };
    }
    case 'alt': {
      let min = Infinity;
      let max = -Infinity;
      for (const it of ir.items) {
        const b = irLengthBounds(it);
        min = Math.min(min, b.minLength);
        max = Math.max(max, b.maxLength);
      }
      return { minLength: min, maxLength: max };
    }
    case 'repeat': {
      const b = irLengthBounds(ir.item);
      if (b.minLength === Infinity) return ir.min === 0 ? { minLength: 0, maxLength: 0 } : b;
      const max = ir.max === 0 || b.maxLength === 0 ? 0 : b.maxLength * ir.max;
      return { minLength: b.minLength * ir.min, maxLength: max };
    }
  }
}

/** A content as a pcre source for the combined automaton: bytes escaped, `i` for nocase. */
export function contentSource(c: ContentPattern): string {
  let s = '/';
  for (const b of c.bytes) {
    s += (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)
      ? String.fromCharCode(b)
      : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `${s}/${c.nocase ? 'i' : ''}`;
}

/**
 * The signature source for a pcre, adjusted to be searched in the whole payload: Snort
 * buffer and relative flags are removed (the evaluator applies them), and a leading `^`
 * (or `A`) that means "at the cursor" (relative) or "at the buffer start" (HTTP buffers)
 * is removed as well, reported through `anchorDropped`.
 */
export function pcreSource(p: PcrePattern): {
  source: string;
  anchoredAtCursor: boolean;
  /** A non-relative buffer pcre whose `^`/`A` was dropped: it must start at the buffer start. */
  anchoredAtBufferStart: boolean;
  anchorDropped: boolean;
  multilineRelative: boolean;
} {
  let flags = p.flags.replace(/[RUIPHDMCKSYBO]/g, '');
  let pattern = p.pattern;
  const inBuffer = !BUFFER_EXACT.has(p.buffer);
  let anchoredAtCursor = false;
  let anchoredAtBufferStart = false;
  let anchorDropped = false;
  let multilineRelative = false;
  if (p.relative || inBuffer) {
    const multiline = flags.includes('m');
    if (flags.includes('A')) {
      flags = flags.replace('A', '');
      anchorDropped = true;
      anchoredAtCursor = p.relative;
      anchoredAtBufferStart = !p.relative;
    }
    // Only a top-level leading `^` (not `^` inside a group or after an alternation).
    if (pattern.startsWith('^') && !/^\^[*+?{]/.test(pattern) && !hasTopLevelAlternation(pattern)) {
      pattern = pattern.slice(1);
      anchorDropped = true;
      if (p.relative && multiline) multilineRelative = true;
      else if (p.relative) anchoredAtCursor = true;
      // With `m`, `^` also matches after any newline of the buffer: no anchor (over-approximation).
      else if (!multiline) anchoredAtBufferStart = true;
    }
  }
  return { source: `/${pattern}/${flags}`, anchoredAtCursor, anchoredAtBufferStart, anchorDropped, multilineRelative };
}

/** True when `|` appears outside every group and class (then `^` binds only the first branch). */
function hasTopLevelAlternation(pattern: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}

interface CompiledFlowbits {
  conds: { ids: number[]; all: boolean; set: boolean }[];
  set: number[];
  unset: number[];
  toggle: number[];
  reset: boolean;
  noalert: boolean;
}

// Flattened per-pattern constraint table (struct of arrays) used by the evaluator.
const F_NEGATED = 1;
const F_RELATIVE = 2;
const F_CURSOR_ANCHOR = 4; // pcre R with ^ / A: start = cursor
const F_STARTS_WITH = 8;
const F_ENDS_WITH = 16;
const F_IN_BUFFER = 32; // an inspection buffer other than the payload itself
const F_BUFFER_ANCHOR = 64; // must start at the buffer start (dropped ^ / A of a buffer pcre)

/** A compiled ruleset for the combined automaton plus the per-rule decision tables. */
export class RuleProgram {
  /** Signature sources (pcre text; contents as escaped literals); index = signature id. */
  readonly signatures: string[] = [];
  /**
   * The same signatures in the form `compile()` in src/engines takes: a content as
   * `{ content, nocase }` (compiled as a literal), a pcre as its source text.
   */
  readonly specs: (string | { readonly content: Uint8Array; readonly nocase: boolean })[] = [];
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
  /** 1 when trying only the first fitting end of this step is enough (see constructor). */
  /** @internal */ readonly pGreedy: Uint8Array;
  /** Payload checks (byte_test...) at their place in the sequence; undefined for patterns (pSig < 0 ⇔ check). */
  /** @internal */ readonly pCheck: (PayloadCheck | undefined)[];
  /** Per rule: its groups, as CSR over pattern indices: groups of rule r are gStart[rStart[r]..rStart[r+1]). */
  /** @internal */ readonly rGroupStart: Int32Array;
  /** @internal */ readonly gPatStart: Int32Array;
  /** @internal */ readonly gPats: Int32Array;
  /** Buffer id of each group (BUFFER_IDS; LOCATABLE_BUFFERS for buffers never located). */
  /** @internal */ readonly gBuffer: Int32Array;
  /** Per rule: its positive signatures (to check presence quickly). */
  /** @internal */ readonly rPosStart: Int32Array;
  /** @internal */ readonly rPosSigs: Int32Array;
  /** Signature → rules having it as a positive pattern (CSR). */
  /** @internal */ readonly sRuleStart: Int32Array;
  /** @internal */ readonly sRules: Int32Array;
  /** Rules with no positive pattern: candidates on every payload. */
  /** @internal */ readonly alwaysCandidates: Int32Array;

  private readonly approx: Set<ApproximationKind>[];
  /** Flowbit names; a flow's state is a Uint8Array indexed by their ids. */
  readonly flowbitNames: string[] = [];
  /** @internal */ readonly rFlowbits: (CompiledFlowbits | undefined)[];

  constructor(readonly rules: readonly Rule[], options: RuleProgramOptions = {}) {
    const sigIndex = new Map<string, number>();
    const sigBounds: LengthBounds[] = [];
    const sigError: (Error | undefined)[] = [];
    const pats: {
      sig: number; flags: number; off: number; endMax: number; dist: number; within: number; buffer: string;
      check?: PayloadCheck;
    }[] = [];
    const rulePats: number[][] = [];
    const patIndexOf: number[][] = [];
    this.approx = rules.map(() => new Set<ApproximationKind>());
    const bitIds = new Map<string, number>();
    const bit = (name: string): number => {
      let id = bitIds.get(name);
      if (id === undefined) {
        id = this.flowbitNames.length;
        this.flowbitNames.push(name);
        bitIds.set(name, id);
      }
      return id;
    };
    this.rFlowbits = rules.map((rule) => {
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
    this.alive = new Uint8Array(rules.length);

    const sigOf = (source: string, content?: ContentPattern): number => {
      let id = sigIndex.get(source);
      if (id === undefined) {
        id = this.signatures.length;
        this.signatures.push(source);
        this.specs.push(content ? { content: content.bytes, nocase: content.nocase } : source);
        sigIndex.set(source, id);
        const checked = options.checkPattern?.(source);
        if (checked instanceof Error) {
          sigError.push(checked);
          sigBounds.push({ minLength: 0, maxLength: Infinity });
        } else {
          sigError.push(undefined);
          sigBounds.push(checked ?? { minLength: 0, maxLength: Infinity });
        }
      }
      return id;
    };

    rules.forEach((rule, r) => {
      const ap = this.approx[r];
      if (rule.unsupported.length > 0) ap.add('unsupported-option');
      if (rule.appProtocol) ap.add('app-protocol');
      if (rule.flowbits.some((f) => f.op === 'isset' || f.op === 'isnotset')) ap.add('flowbits');
      if (rule.rateLimits.length > 0) ap.add('rate-limit');
      const mine: number[] = [];
      const prevWasPcreInBuffer = new Map<string, boolean>();
      let error: Error | undefined;
      const patIndex: number[] = []; // rule pattern k → index in pats
      const placeChecks = (k: number) => {
        for (const c of rule.payloadChecks) {
          if (c.after !== k) continue;
          if (c.kind !== 'isdataat' && c.relative && prevWasPcreInBuffer.get(c.buffer)) ap.add('pcre-end-choice');
          if (!BUFFER_EXACT.has(c.buffer)) ap.add('buffer');
          mine.push(pats.length);
          pats.push({ sig: -1, flags: 0, off: 0, endMax: Infinity, dist: 0, within: Infinity, buffer: c.buffer, check: c });
        }
      };
      for (const p of rule.patterns) {
        placeChecks(patIndex.length);
        patIndex.push(pats.length);
        const inBuffer = !BUFFER_EXACT.has(p.buffer);
        if (inBuffer) ap.add('buffer');
        let flags = (p.negated ? F_NEGATED : 0) | (inBuffer ? F_IN_BUFFER : 0);
        let off = 0;
        let endMax = Infinity;
        let dist = 0;
        let within = Infinity;
        let sig: number;
        const relativeNow = p.kind === 'content'
          ? p.distance !== undefined || p.within !== undefined || p.variableModifiers.some((v) => /^(distance|within) /.test(v))
          : p.relative;
        if (relativeNow && prevWasPcreInBuffer.get(p.buffer)) ap.add('pcre-end-choice');
        if (p.kind === 'content') {
          sig = sigOf(contentSource(p), p);
          sigBounds[sig] = { minLength: p.bytes.length, maxLength: p.bytes.length };
          if (p.variableModifiers.length > 0) ap.add('variable-modifier');
          if (relativeNow) {
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
        } else {
          const ps = pcreSource(p);
          sig = sigOf(ps.source);
          if (p.relative) flags |= F_RELATIVE;
          if (ps.anchoredAtCursor) flags |= F_CURSOR_ANCHOR;
          if (ps.anchoredAtBufferStart) flags |= F_BUFFER_ANCHOR;
          if (ps.multilineRelative) ap.add('pcre-multiline-relative');
          if (inBuffer && /(?<!\\)\$\/?$|(?<!\\)\$\)/.test(p.pattern)) ap.add('buffer-anchors');
        }
        if (sigError[sig]) error ??= sigError[sig];
        if (!p.negated) prevWasPcreInBuffer.set(p.buffer, p.kind === 'pcre');
        mine.push(pats.length);
        pats.push({ sig, flags, off, endMax, dist, within, buffer: p.buffer });
      }
      placeChecks(rule.patterns.length);
      rulePats.push(mine);
      patIndexOf.push(patIndex);
      const positives = rule.patterns.filter((x) => !x.negated).length;
      const gates = rule.unsupported.filter((o) => PROTOCOL_GATES.test(o));
      if (!error && gates.length > 0 && (options.protocolGated ?? 'reject') === 'reject') {
        this.rejected.push({
          error: new RuleParseError(`needs an application-protocol parser we do not have (${gates.join(', ')})`, rule.line, rule.file, rule.sid),
          kind: 'protocol-gated',
          text: rule.text.length > 500 ? `${rule.text.slice(0, 500)}...` : rule.text,
          enabled: rule.enabled,
        });
      } else if (!error && positives === 0 && rule.unsupported.length > 0 && (options.patternlessUnsupported ?? 'reject') === 'reject') {
        this.rejected.push({
          error: new RuleParseError(
            `no content or pcre, and its other conditions are not supported (${rule.unsupported.join(', ')}): it would fire on every packet`,
            rule.line, rule.file, rule.sid,
          ),
          kind: 'unsupported-option',
          text: rule.text.length > 500 ? `${rule.text.slice(0, 500)}...` : rule.text,
          enabled: rule.enabled,
        });
      } else if (error) {
        const kind: RejectKind = 'unsupported-pattern';
        this.rejected.push({
          error: new RuleParseError(`pattern cannot be compiled: ${error.message}`, rule.line, rule.file, rule.sid),
          kind,
          text: rule.text.length > 500 ? `${rule.text.slice(0, 500)}...` : rule.text,
          enabled: rule.enabled,
        });
      } else this.alive[r] = 1;
    });

    // Relative pcre length approximations need the bounds, known only now.
    rules.forEach((rule, r) => {
      rule.patterns.forEach((p, k) => {
        if (p.kind !== 'pcre' || !p.relative) return;
        const b = sigBounds[pats[patIndexOf[r][k]].sig];
        if (b.minLength !== b.maxLength) this.approx[r].add('pcre-relative-start');
      });
    });

    const n = pats.length;
    this.pSig = new Int32Array(n);
    this.pFlags = new Uint8Array(n);
    this.pMinLen = new Float64Array(n);
    this.pMaxLen = new Float64Array(n);
    this.pOffset = new Float64Array(n);
    this.pEndMax = new Float64Array(n);
    this.pDistance = new Float64Array(n);
    this.pWithin = new Float64Array(n);
    this.pCheck = pats.map((p) => p.check);
    pats.forEach((p, i) => {
      this.pSig[i] = p.sig;
      this.pFlags[i] = p.flags;
      this.pMinLen[i] = p.sig < 0 ? 0 : sigBounds[p.sig].minLength;
      this.pMaxLen[i] = p.sig < 0 ? 0 : sigBounds[p.sig].maxLength;
      this.pOffset[i] = p.off;
      this.pEndMax[i] = p.endMax;
      this.pDistance[i] = p.dist;
      this.pWithin[i] = p.within;
    });

    // Groups by buffer, in order of first appearance; patterns keep rule order inside.
    const rGroupStart: number[] = [0];
    const gPatStart: number[] = [0];
    const gPats: number[] = [];
    const gBuffer: number[] = [];
    const rPosStart: number[] = [0];
    const rPosSigs: number[] = [];
    const sigRules: number[][] = this.signatures.map(() => []);
    const always: number[] = [];
    rulePats.forEach((mine, r) => {
      const groups = new Map<string, number[]>();
      for (const i of mine) {
        const g = groups.get(pats[i].buffer) ?? [];
        g.push(i);
        groups.set(pats[i].buffer, g);
      }
      for (const [name, g] of groups) {
        gPats.push(...g);
        gPatStart.push(gPats.length);
        gBuffer.push(BUFFER_IDS[name] ?? LOCATABLE_BUFFERS);
      }
      rGroupStart.push(gPatStart.length - 1);
      const pos = [...new Set(mine.filter((i) => pats[i].sig >= 0 && !(pats[i].flags & F_NEGATED)).map((i) => pats[i].sig))];
      rPosSigs.push(...pos);
      rPosStart.push(rPosSigs.length);
      if (this.alive[r]) {
        if (pos.length === 0) always.push(r);
        for (const s of pos) sigRules[s].push(r);
      }
    });
    this.rGroupStart = Int32Array.from(rGroupStart);
    this.gPatStart = Int32Array.from(gPatStart);
    this.gPats = Int32Array.from(gPats);
    this.gBuffer = Int32Array.from(gBuffer);
    // Greedy positions: when every later step of the group only bounds its start from below
    // by the cursor (positive patterns without `within` or cursor anchor), the smallest
    // fitting end dominates every larger one, so the search tries only that one. This keeps
    // long `distance:0` chains linear on payloads with thousands of matches.
    this.pGreedy = new Uint8Array(n);
    for (let g = 0; g + 1 < this.gPatStart.length; g++) {
      let monotoneAfter = true;
      for (let i = this.gPatStart[g + 1] - 1; i >= this.gPatStart[g]; i--) {
        const q = this.gPats[i];
        const positive = this.pSig[q] >= 0 && !(this.pFlags[q] & F_NEGATED);
        if (positive && monotoneAfter) this.pGreedy[q] = 1;
        const monotone = positive && !(this.pFlags[q] & F_CURSOR_ANCHOR) && this.pWithin[q] === Infinity;
        monotoneAfter &&= monotone;
      }
    }
    this.rPosStart = Int32Array.from(rPosStart);
    this.rPosSigs = Int32Array.from(rPosSigs);
    const sRuleStart = [0];
    const sRules: number[] = [];
    for (const list of sigRules) {
      sRules.push(...list);
      sRuleStart.push(sRules.length);
    }
    this.sRuleStart = Int32Array.from(sRuleStart);
    this.sRules = Int32Array.from(sRules);
    this.alwaysCandidates = Int32Array.from(always);
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
      const rule = this.rules[r];
      out.push({
        error: new RuleParseError(`pattern cannot be compiled: ${err.message}`, rule.line, rule.file, rule.sid),
        kind: 'unsupported-pattern',
        text: rule.text.length > 500 ? `${rule.text.slice(0, 500)}...` : rule.text,
        enabled: rule.enabled,
      });
    }
    this.rejected.push(...out);
    return out;
  }

  createEvaluator(): RuleEvaluator {
    return new RuleEvaluator(this);
  }
}

/**
 * Collects an engine's (signature, end) reports for one payload, then groups the ends by
 * signature (ascending, deduplicated). Allocation-free per event once warmed up.
 * `onMatch` is a stable bound callback to hand to `Matcher.scan`/`finish`.
 */
export class MatchCollector {
  private evSig = new Int32Array(256);
  private evEnd = new Float64Array(256);
  private evCount = 0;
  private base = 0;
  /** Signatures that matched (in first-match order), valid after `finalize`. */
  touched: Int32Array;
  touchedCount = 0;
  private readonly count: Int32Array;
  private readonly start: Int32Array;
  private ends = new Float64Array(256);
  private finalized = false;

  constructor(readonly signatureCount: number) {
    this.count = new Int32Array(signatureCount);
    this.start = new Int32Array(signatureCount + 1);
    this.touched = new Int32Array(Math.min(signatureCount, 1024));
  }

  /** Clears the events; `base` is subtracted from every reported end (stream offset of the payload). */
  reset(base = 0): void {
    for (let i = 0; i < this.touchedCount; i++) this.count[this.touched[i]] = 0;
    // Events added after a previous finalize also left counts at zero: nothing else to clear.
    this.evCount = 0;
    this.touchedCount = 0;
    this.base = base;
    this.finalized = false;
  }

  readonly onMatch: MatchCallback = (signature: number, end: number): void => {
    if (signature < 0 || signature >= this.signatureCount) return;
    if (this.evCount === this.evSig.length) {
      const s = new Int32Array(this.evSig.length * 2);
      s.set(this.evSig);
      this.evSig = s;
      const e = new Float64Array(this.evEnd.length * 2);
      e.set(this.evEnd);
      this.evEnd = e;
    }
    this.evSig[this.evCount] = signature;
    this.evEnd[this.evCount] = end - this.base;
    this.evCount++;
    this.finalized = false;
  };

  /** Groups events by signature (counting sort over the touched signatures). Idempotent. */
  finalize(): void {
    if (this.finalized) return;
    // Locals: the loops below are the per-event cost of rule evaluation.
    const count = this.count;
    const start = this.start;
    const evSig = this.evSig;
    const evEnd = this.evEnd;
    const evCount = this.evCount;
    let touched = this.touched;
    let touchedCount = this.touchedCount;
    for (let i = 0; i < touchedCount; i++) count[touched[i]] = 0;
    touchedCount = 0;
    for (let i = 0; i < evCount; i++) {
      const s = evSig[i];
      if (count[s]++ === 0) {
        if (touchedCount === touched.length) {
          const t = new Int32Array(Math.max(16, touched.length * 2));
          t.set(touched);
          touched = t;
        }
        touched[touchedCount++] = s;
      }
    }
    this.touched = touched;
    this.touchedCount = touchedCount;
    let pos = 0;
    for (let i = 0; i < touchedCount; i++) {
      const s = touched[i];
      start[s] = pos;
      pos += count[s];
    }
    if (this.ends.length < pos) this.ends = new Float64Array(Math.max(pos, this.ends.length * 2));
    const ends = this.ends;
    // Reuse `count` as a fill cursor, then restore it as the (deduplicated) length.
    for (let i = 0; i < touchedCount; i++) count[touched[i]] = 0;
    for (let i = 0; i < evCount; i++) {
      const s = evSig[i];
      ends[start[s] + count[s]++] = evEnd[i];
    }
    for (let i = 0; i < touchedCount; i++) {
      const s = touched[i];
      const a = start[s];
      const stop = a + count[s];
      // Engines report ends in increasing order except for one-byte lookahead and end-of-input
      // reports: an insertion sort is linear on such nearly sorted runs. Then deduplicate.
      let w = a + 1;
      for (let k = a + 1; k < stop; k++) {
        const v = ends[k];
        if (v > ends[w - 1]) {
          ends[w++] = v;
          continue;
        }
        if (v === ends[w - 1]) continue;
        let j = w - 1;
        while (j >= a && ends[j] > v) j--;
        if (j >= a && ends[j] === v) continue;
        for (let m = w; m > j + 1; m--) ends[m] = ends[m - 1];
        ends[j + 1] = v;
        w++;
      }
      count[s] = stop > a ? w - a : 0;
    }
    this.finalized = true;
  }

  /** Number of distinct ends of signature `s` (after finalize). */
  countOf(s: number): number {
    return this.count[s];
  }

  /** @internal start of signature s in the ends array. */
  startOf(s: number): number {
    return this.start[s];
  }

  /** @internal */
  get endsArray(): Float64Array {
    return this.ends;
  }

  /** The ends of signature `s`, ascending (a copy; for tests and debugging). */
  endsOf(s: number): number[] {
    this.finalize();
    return Array.from(this.ends.subarray(this.start[s], this.start[s] + this.count[s]));
  }
}

/** A packet's header fields as the header matcher reads them. */
export interface HeaderTuple {
  /** IP protocol number (6 tcp, 17 udp, 1 icmp, 58 icmpv6, ...). */
  ipProto: number;
  src: IpAddress;
  dst: IpAddress;
  sport: number;
  dport: number;
}

/** Flow state of a packet, when the replay tracks flows. */
export interface RuleFlowState {
  /** The packet goes from the client (connection initiator) to the server. */
  toServer: boolean;
  /** The TCP session is established (for UDP: the flow has seen both directions). */
  established: boolean;
  /** The payload being evaluated is a reassembled stream, not a single packet. */
  stream: boolean;
}

/** Does the rule's header (protocol, addresses, ports, direction) accept this packet? */
export function headerMatches(rule: Rule, h: HeaderTuple): boolean {
  switch (rule.transport) {
    case 'tcp':
      if (h.ipProto !== 6) return false;
      break;
    case 'udp':
      if (h.ipProto !== 17) return false;
      break;
    case 'icmp':
      if (h.ipProto !== 1 && h.ipProto !== 58) return false;
      break;
    default:
      break;
  }
  // ICMP and other port-less protocols: Snort ignores the port fields.
  const ports = h.ipProto === 6 || h.ipProto === 17;
  const fwd = rule.src.has(h.src) && rule.dst.has(h.dst) &&
    (!ports || (rule.srcPorts.has(h.sport) && rule.dstPorts.has(h.dport)));
  if (fwd || rule.header.direction !== '<>') return fwd;
  return rule.src.has(h.dst) && rule.dst.has(h.src) &&
    (!ports || (rule.srcPorts.has(h.dport) && rule.dstPorts.has(h.sport)));
}

/**
 * The fields of a decoded packet the header check reads; `DecodedPacket` from `src/pcap`
 * fits structurally (IPv4 addresses in the first 4 bytes of 16-byte arrays).
 */
export interface PacketFields {
  ipVersion: number;
  /** IP protocol number. */
  protocol: number;
  srcAddr: Uint8Array;
  dstAddr: Uint8Array;
  srcPort: number;
  dstPort: number;
}

/** `headerMatches` on a decoded packet, without building a tuple (no allocation for IPv4). */
export function headerMatchesPacket(rule: Rule, p: PacketFields): boolean {
  const proto = p.protocol;
  switch (rule.transport) {
    case 'tcp':
      if (proto !== 6) return false;
      break;
    case 'udp':
      if (proto !== 17) return false;
      break;
    case 'icmp':
      if (proto !== 1 && proto !== 58) return false;
      break;
    default:
      break;
  }
  const ports = proto === 6 || proto === 17;
  const v = p.ipVersion;
  const fwd = rule.src.hasBytes(p.srcAddr, v) && rule.dst.hasBytes(p.dstAddr, v) &&
    (!ports || (rule.srcPorts.has(p.srcPort) && rule.dstPorts.has(p.dstPort)));
  if (fwd || rule.header.direction !== '<>') return fwd;
  return rule.src.hasBytes(p.dstAddr, v) && rule.dst.hasBytes(p.srcAddr, v) &&
    (!ports || (rule.srcPorts.has(p.dstPort) && rule.dstPorts.has(p.srcPort)));
}

/**
 * Everything about one packet except payload patterns and flow state: header, dsize and
 * the packet-level options. This is the `accept` veto the replay gives `evaluate` in
 * packet mode (in stream mode: header and flow only; dsize and packet options refer to
 * single packets).
 */
export function packetMatches(rule: Rule, p: PacketFields & PacketCheckFields): boolean {
  return headerMatchesPacket(rule, p) && dsizeMatches(rule, p.payloadLength) &&
    (rule.packetChecks.length === 0 || packetChecksMatch(rule.packetChecks, p));
}

/** Does the rule's `flow` option (and `tcp-pkt`/`tcp-stream` protocol) accept this flow state? */
export function flowMatches(rule: Rule, f: RuleFlowState): boolean {
  if (rule.protocol === 'tcp-stream' && !f.stream) return false;
  if (rule.protocol === 'tcp-pkt' && f.stream) return false;
  const spec = rule.flow;
  if (!spec) return true;
  if (spec.toServer !== undefined && spec.toServer !== f.toServer) return false;
  if (spec.established !== undefined && spec.established !== f.established) return false;
  if (spec.stream !== undefined && spec.stream !== f.stream) return false;
  return true;
}

/** Does the rule's `dsize` accept a payload of `size` bytes? */
export function dsizeMatches(rule: Rule, size: number): boolean {
  const d = rule.dsize;
  if (!d) return true;
  switch (d.op) {
    case '=':
      return size === d.a;
    case '!=':
      return size !== d.a;
    case '<':
      return size < d.a;
    case '>':
      return size > d.a;
    case '<=':
      return size <= d.a;
    case '>=':
      return size >= d.a;
    case '<>':
      return size > d.a && size < (d.b ?? 0);
    case '<=>':
      return size >= d.a && size <= (d.b ?? 0);
  }
}

export interface EvaluateOptions {
  /** Veto asked before a rule's patterns are checked (header, flow, dsize...). */
  accept?: (r: number) => boolean;
  /** Inspection buffer regions of the payload (`locateHttpBuffers`). */
  regions?: BufferRegions;
  /**
   * The flowbit state of the payload's flow (`program.createFlowbits()`), read by
   * isset/isnotset and updated by the set/unset/toggle of the rules that match.
   */
  flowbits?: Uint8Array;
}

function flowbitsHold(fb: CompiledFlowbits, state: Uint8Array): boolean {
  for (const c of fb.conds) {
    let hits = 0;
    for (const id of c.ids) if ((state[id] === 1) === c.set) hits++;
    if (c.all ? hits !== c.ids.length : hits === 0) return false;
  }
  return true;
}

function applyFlowbits(fb: CompiledFlowbits, state: Uint8Array): void {
  if (fb.reset) state.fill(0);
  for (const id of fb.set) state[id] = 1;
  for (const id of fb.unset) state[id] = 0;
  for (const id of fb.toggle) state[id] ^= 1;
}

export interface EvaluatorStats {
  /** Rules whose patterns were checked. */
  evaluated: number;
  fired: number;
  /** Position searches cut at the step budget (the rule was then assumed to fire). */
  budgetExceeded: number;
}

/**
 * Decides rules on one payload. Owns reusable scratch memory; one evaluator per thread of
 * replay. Not reentrant.
 */
export class RuleEvaluator {
  /** Steps per rule before giving up the exhaustive position search (then: fires). */
  stepBudget = 100_000;
  readonly stats: EvaluatorStats = { evaluated: 0, fired: 0, budgetExceeded: 0 };
  private readonly stamp: Uint32Array;
  private epoch = 0;
  private candidates: Int32Array;
  private candidateCount = 0;
  private readonly memo = new Set<number>();
  private steps = 0;
  private col!: MatchCollector;
  private length = 0;
  private payload: Uint8Array | undefined;
  private regions: BufferRegions | undefined;
  // The buffer of the group being searched: [base, limit) in payload offsets; absOk when
  // absolute constraints apply (payload, or a located buffer).
  private base = 0;
  private limit = 0;
  private absOk = true;

  constructor(readonly program: RuleProgram) {
    this.stamp = new Uint32Array(program.rules.length);
    this.candidates = new Int32Array(Math.max(16, program.alwaysCandidates.length * 2));
  }

  /**
   * Calls `onFire(r)` for every rule index `r` (into `program.rules`, ascending) that fires
   * on the payload whose matches `collector` holds. `payload` is the payload itself, or
   * only its length: then byte_test/byte_jump/isdataat checks are not run (they pass;
   * urilen/bufferlen need only the regions). See `EvaluateOptions` for the rest. `accept(r)`, when given, is asked first (header, flow, dsize): a rule it
   * refuses is not evaluated. `regions` (from `locateHttpBuffers`) holds buffer patterns
   * to their buffers; without it they are searched in the whole payload. Returns the
   * number of rules fired.
   */
  evaluate(collector: MatchCollector, payload: Uint8Array | number, onFire: (r: number) => void, options: EvaluateOptions = {}): number {
    const { accept, regions, flowbits } = options;
    const p = this.program;
    collector.finalize();
    this.col = collector;
    this.payload = typeof payload === 'number' ? undefined : payload;
    this.length = typeof payload === 'number' ? payload : payload.length;
    this.regions = regions;
    this.epoch++;
    if (this.epoch === 0xffffffff) {
      this.stamp.fill(0);
      this.epoch = 1;
    }
    this.candidateCount = 0;
    for (let i = 0; i < p.alwaysCandidates.length; i++) this.addCandidate(p.alwaysCandidates[i]);
    for (let t = 0; t < collector.touchedCount; t++) {
      const s = collector.touched[t];
      for (let k = p.sRuleStart[s]; k < p.sRuleStart[s + 1]; k++) this.addCandidate(p.sRules[k]);
    }
    const cands = this.candidates.subarray(0, this.candidateCount);
    cands.sort();
    let fired = 0;
    for (let c = 0; c < cands.length; c++) {
      const r = cands[c];
      if (!p.alive[r]) continue; // rejected after construction (rejectSignatures)
      let present = true;
      for (let k = p.rPosStart[r]; k < p.rPosStart[r + 1]; k++) {
        if (collector.countOf(p.rPosSigs[k]) === 0) {
          present = false;
          break;
        }
      }
      if (!present) continue;
      if (accept && !accept(r)) continue;
      const fb = p.rFlowbits[r];
      if (fb !== undefined && flowbits !== undefined && !flowbitsHold(fb, flowbits)) continue;
      this.stats.evaluated++;
      if (this.ruleFires(r)) {
        if (fb !== undefined && flowbits !== undefined) applyFlowbits(fb, flowbits);
        if (fb?.noalert) continue;
        fired++;
        this.stats.fired++;
        onFire(r);
      }
    }
    return fired;
  }

  private addCandidate(r: number): void {
    if (this.stamp[r] === this.epoch) return;
    this.stamp[r] = this.epoch;
    if (this.candidateCount === this.candidates.length) {
      const c = new Int32Array(this.candidates.length * 2);
      c.set(this.candidates);
      this.candidates = c;
    }
    this.candidates[this.candidateCount++] = r;
  }

  /** Exact decision for rule r (given that all its positive signatures matched somewhere). */
  ruleFires(r: number): boolean {
    const p = this.program;
    this.steps = 0;
    for (let g = p.rGroupStart[r]; g < p.rGroupStart[r + 1]; g++) {
      const b = p.gBuffer[g];
      const regions = this.regions;
      this.base = 0;
      this.limit = this.length;
      this.absOk = b === 0;
      if (b !== 0 && regions !== undefined && b < LOCATABLE_BUFFERS) {
        const state = regions.state[b];
        if (state === REGION_ABSENT) {
          // The message has no such buffer: its positive patterns cannot match.
          for (let i = p.gPatStart[g]; i < p.gPatStart[g + 1]; i++) {
            const q = p.gPats[i];
            if (p.pSig[q] >= 0 ? !(p.pFlags[q] & F_NEGATED) : p.pCheck[q]!.kind !== 'isdataat') return false;
          }
          continue;
        }
        if (state === REGION_KNOWN) {
          this.base = regions.start[b];
          this.limit = regions.end[b];
          this.absOk = true;
        }
      }
      this.memo.clear();
      const ok = this.search(p.gPatStart[g], p.gPatStart[g + 1], this.base);
      if (this.steps > this.stepBudget) {
        this.stats.budgetExceeded++;
        return true;
      }
      if (!ok) return false;
    }
    return true;
  }

  /** Does a match of pattern q ending at `end` obey its constraints with the given cursor? */
  private fits(q: number, end: number, cursor: number): boolean {
    const p = this.program;
    const f = p.pFlags[q];
    const startMin = end - p.pMaxLen[q];
    const startMax = end - p.pMinLen[q];
    const base = this.base;
    if (end > this.limit || startMax < base) return false;
    if (this.absOk) {
      if (startMax < base + p.pOffset[q] || end > base + p.pEndMax[q]) return false;
      if (f & (F_STARTS_WITH | F_BUFFER_ANCHOR) && startMin > base) return false;
      if (f & F_ENDS_WITH && end !== this.limit) return false;
    }
    if (f & F_RELATIVE) {
      const lo = cursor + p.pDistance[q];
      if (f & F_CURSOR_ANCHOR) {
        if (startMin > lo || startMax < lo) return false;
      } else if (startMax < lo) return false;
      if (end > lo + p.pWithin[q]) return false;
    }
    return true;
  }

  /** Patterns gPats[i..stop) with the cursor at `cursor`: is there a consistent placement? */
  private search(i: number, stop: number, cursor: number): boolean {
    if (i === stop) return true;
    if (++this.steps > this.stepBudget) return true;
    const key = i * 4294967296 + cursor + 1;
    if (this.memo.has(key)) return false;
    const p = this.program;
    const q = p.gPats[i];
    const s = p.pSig[q];
    if (s < 0) {
      // A byte_test / byte_jump / isdataat step: no choice to make, maybe a new cursor.
      const c = p.pCheck[q]!;
      let next = cursor;
      // A non-relative check (or a length) in a buffer we could not locate would read the
      // wrong bytes: skipped (passes).
      if (c.kind === 'buflen') {
        if (this.absOk) next = applyPayloadCheck(c, EMPTY, cursor, this.base, this.limit);
      } else if (this.payload !== undefined && (this.absOk || c.kind === 'isdataat' || c.relative)) {
        next = applyPayloadCheck(c, this.payload, cursor, this.base, this.limit);
      }
      const ok = next >= 0 && this.search(i + 1, stop, next);
      if (!ok) this.memo.add(key);
      return ok;
    }
    const col = this.col;
    const ends = col.endsArray;
    const a = col.startOf(s);
    const stopK = a + col.countOf(s);
    // Bounds on the end of a fitting match (conservative: `fits` stays the judge), so that
    // only the window of candidate ends is visited; each visit counts against the budget.
    const f = p.pFlags[q];
    const minLen = p.pMinLen[q];
    let minEnd = this.base + minLen;
    let maxEnd = this.limit;
    if (f & F_RELATIVE) {
      const lo = cursor + p.pDistance[q];
      if (lo + minLen > minEnd) minEnd = lo + minLen;
      if (lo + p.pWithin[q] < maxEnd) maxEnd = lo + p.pWithin[q];
    }
    if (this.absOk) {
      if (this.base + p.pOffset[q] + minLen > minEnd) minEnd = this.base + p.pOffset[q] + minLen;
      if (this.base + p.pEndMax[q] < maxEnd) maxEnd = this.base + p.pEndMax[q];
    }
    let lo = a;
    let hi = stopK;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid] < minEnd) lo = mid + 1;
      else hi = mid;
    }
    let ok = false;
    if (f & F_NEGATED) {
      let hit = false;
      for (let k = lo; k < stopK && ends[k] <= maxEnd; k++) {
        if (++this.steps > this.stepBudget) return true;
        if (this.fits(q, ends[k], cursor)) {
          hit = true;
          break;
        }
      }
      ok = !hit && this.search(i + 1, stop, cursor);
    } else {
      const greedy = p.pGreedy[q] === 1;
      for (let k = lo; k < stopK && ends[k] <= maxEnd && !ok; k++) {
        if (++this.steps > this.stepBudget) return true;
        const e = ends[k];
        if (this.fits(q, e, cursor)) {
          ok = this.search(i + 1, stop, e);
          if (greedy) break;
        }
      }
    }
    if (!ok) this.memo.add(key);
    return ok;
  }
}

/**
 * Convenience for tests and small tools: decides every rule of `program` on a payload from
 * an explicit list of events (signature, end), without header checks.
 */
export function firedRules(
  program: RuleProgram,
  events: readonly (readonly [number, number])[],
  length: Uint8Array | number,
  regions?: BufferRegions,
): number[] {
  const col = new MatchCollector(program.signatureCount);
  col.reset();
  for (const [s, e] of events) col.onMatch(s, e);
  const out: number[] = [];
  program.createEvaluator().evaluate(col, length, (r) => out.push(r), { regions });
  return out;
}
