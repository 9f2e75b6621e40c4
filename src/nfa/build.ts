/**
 * IR → one epsilon-free NFA for a whole signature set (the contract in `types.ts`).
 *
 * Each signature's positions (`positions.ts`) become states; the union shares two kinds of
 * start state:
 * - state 0, "before input": the whole initial frontier. Nothing re-enters it, so anything
 *   hanging off it can only match from offset 0 (anchored signatures, `\A`, `^` without m).
 * - the unanchored loop: states 1..k whose labels partition all bytes and which follow
 *   each other (an implicit `.*` before every unanchored signature). Without assertions
 *   k = 1: one state labelled with every class that follows itself.
 *
 * Zero-width assertions are resolved statically by splitting states by the category of
 * the byte that enters them (word `[A-Za-z0-9_]`, `\n`, other), only as finely as the
 * signature's assertions need (most need no split). A state's previous byte category is
 * then known, and a condition on the next byte restricts which copies an edge may enter.
 * Conditions on the end of input become end-acceptance; a match that ends with a
 * next-byte condition (`foo\b`, multiline `foo$`) accepts with delta 1 on a lookahead
 * state whose label is the allowed next bytes and which has no followers. `$` without m
 * (text-end-newline) accepts at the end (delta 0) and through a `\n`-labelled lookahead
 * state that accepts only at the end (delta 1). Inside a pattern (`a$\n`) it enters a
 * "final" copy of the next state that can only end-accept. Only reachable copies are built.
 *
 * Guarantees: states of one signature are numbered contiguously (after the start states);
 * follow rows and acceptance rows are sorted and free of duplicates; delta-1 acceptance
 * occurs only on lookahead states (never on a start state); byte classes are the coarsest
 * partition refining every label.
 */
import { LimitExceededError, UnsupportedFeatureError } from '../errors.js';
import type { ByteSet, Ir } from '../syntax/ir.js';
import { irKey } from '../syntax/ir-build.js';
import type { Nfa, NfaUnits } from './types.js';
import { computeByteClasses } from './byte-classes.js';
import {
  A_LINE_END,
  A_LINE_START,
  A_NOT_WORD_BOUNDARY,
  A_TEXT_END,
  A_TEXT_END_NEWLINE,
  A_TEXT_START,
  A_WORD_BOUNDARY,
  NEXT_DEPENDENT,
  computePositions,
  pairMask,
  pairPos,
  type Positions,
} from './positions.js';

/** One signature to compile: its id, IR and anchoring. */
export interface NfaSignatureInput {
  /** Signature id (the caller's index). */
  readonly id: number;
  readonly ir: Ir;
  /** Match only at offset 0 (Snort `A`); a leading `\A`/`^` in the IR needs no flag. */
  readonly anchored: boolean;
}

/** Budgets and behaviour of `buildNfa`. */
export interface BuildNfaOptions {
  /** Total NFA states, start states included. @default 2_000_000 */
  maxStates?: number;
  /** Positions one signature may expand to (counted repeats copy their item). @default 100_000 */
  maxRepeatExpansion?: number;
  /** Follow pairs one signature's Glushkov relation may have. @default 4_000_000 */
  maxFollowPerSignature?: number;
  /**
   * When given, a signature that fails (a budget, an invalid IR) is reported here and left
   * out (it never matches) instead of failing the whole build.
   */
  onReject?: (id: number, error: Error) => void;
  /**
   * Compile signatures with the same IR and anchoring once: the copies only add acceptance
   * entries for their own ids (ET Open repeats the same pcre across many rules: 8,043
   * compiled options, 3,202 distinct). Matches are unchanged. @default true
   */
  dedupe?: boolean;
  /**
   * 'shared' (the default): one "before input" state and one unanchored loop for the whole
   * set. 'per-unit': every compiled signature (a unit: one signature and its identical
   * copies) gets its own "before input" state and its own loop, placed just before its
   * states, so a frontier can hold the start of some signatures and not others. That is
   * what lets an engine step only the signatures a prefilter activated, and squash one
   * (drop its state range) once it has reported. `start` is every unit's entry, so any
   * engine run on such an NFA gives the same matches as on a shared one. See `NfaUnits`.
   * @default 'shared'
   */
  entries?: 'shared' | 'per-unit';
}

/**
 * Identity of a signature for `dedupe` and `clusterIdentical`: anchoring plus `irKey`.
 * IR trees are immutable, so the key is computed once per tree (mdfa and grouped obdd
 * build many NFAs over the same signatures).
 */
const keyOfIr = new WeakMap<Ir, string>();
function signatureKey(s: NfaSignatureInput): string {
  let k = keyOfIr.get(s.ir);
  if (k === undefined) keyOfIr.set(s.ir, (k = irKey(s.ir)));
  return (s.anchored ? 'A' : 'U') + k;
}

/**
 * Signatures grouped by identity (same IR and anchoring), each cluster in the order of its
 * first member. What partitioning engines (mdfa, grouped obdd) split: `buildNfa` compiles
 * the copies in a cluster once, so keeping them together makes copies free.
 */
export function clusterIdentical(signatures: ReadonlyArray<NfaSignatureInput | null>): NfaSignatureInput[][] {
  const clusters: NfaSignatureInput[][] = [];
  const byKey = new Map<string, NfaSignatureInput[]>();
  for (const s of signatures) {
    if (!s) continue;
    const key = signatureKey(s);
    let c = byKey.get(key);
    if (!c) {
      c = [];
      byKey.set(key, c);
      clusters.push(c);
    }
    c.push(s);
  }
  return clusters;
}

/** Default `BuildNfaOptions.maxStates`: total NFA states, start states included. */
export const DEFAULT_MAX_STATES = 2_000_000;
/**
 * Default `BuildNfaOptions.maxRepeatExpansion`: positions per signature after expanding counted
 * repeats.
 */
export const DEFAULT_MAX_REPEAT_EXPANSION = 100_000;
const DEFAULT_MAX_FOLLOW = 4_000_000;

// Byte categories (bit per category); a state's group is a non-empty union of them.
const CAT_WORD = 1;
const CAT_NL = 2;
const CAT_OTHER = 4;
const CAT_ALL = 7;
/** Group 0 stands for "no byte": before the input (prev) or the end of input (next). */
const NO_BYTE = 0;
const FINEST_GROUPS = [CAT_WORD, CAT_NL, CAT_OTHER];

const GROUP_BYTES: ByteSet[] = (() => {
  const word = new Uint32Array(8);
  const add = (s: ByteSet, lo: number, hi: number): void => {
    for (let b = lo; b <= hi; b++) s[b >>> 5] |= 1 << (b & 31);
  };
  add(word, 0x30, 0x39);
  add(word, 0x41, 0x5a);
  add(word, 0x61, 0x7a);
  add(word, 0x5f, 0x5f);
  const nl = new Uint32Array(8);
  add(nl, 0x0a, 0x0a);
  const other = new Uint32Array(8);
  for (let w = 0; w < 8; w++) other[w] = ~(word[w] | nl[w]) >>> 0;
  const out: ByteSet[] = [];
  for (let g = 0; g < 8; g++) {
    const s = new Uint32Array(8);
    for (let w = 0; w < 8; w++) {
      s[w] = ((g & CAT_WORD ? word[w] : 0) | (g & CAT_NL ? nl[w] : 0) | (g & CAT_OTHER ? other[w] : 0)) >>> 0;
    }
    out.push(s);
  }
  return out;
})();

function groupsFor(needWord: boolean, needNl: boolean): number[] {
  if (needWord && needNl) return [CAT_WORD, CAT_NL, CAT_OTHER];
  if (needWord) return [CAT_WORD, CAT_NL | CAT_OTHER];
  if (needNl) return [CAT_NL, CAT_WORD | CAT_OTHER];
  return [CAT_ALL];
}

function needsWord(used: number): boolean {
  return (used & (A_WORD_BOUNDARY | A_NOT_WORD_BOUNDARY)) !== 0;
}

function needsNl(used: number): boolean {
  return (used & (A_LINE_START | A_LINE_END | A_TEXT_END_NEWLINE)) !== 0;
}

/**
 * Does the assertion conjunction `m` hold at a boundary between `prev` and `next`
 * (groups, or NO_BYTE)? The groups are always split finely enough for the assertions of
 * the signature being built, so `(g & CAT_WORD) !== 0` means "is a word byte".
 * `finalNl`: the next byte is the last byte of the input (only `$` without m cares).
 */
function sat(m: number, prev: number, next: number, finalNl: boolean): boolean {
  if (m === 0) return true;
  if (m & A_TEXT_START && prev !== NO_BYTE) return false;
  if (m & A_LINE_START && prev !== NO_BYTE && (prev & CAT_NL) === 0) return false;
  if (m & A_TEXT_END && next !== NO_BYTE) return false;
  if (m & A_TEXT_END_NEWLINE && next !== NO_BYTE && !((next & CAT_NL) !== 0 && finalNl)) return false;
  if (m & A_LINE_END && next !== NO_BYTE && (next & CAT_NL) === 0) return false;
  if (m & (A_WORD_BOUNDARY | A_NOT_WORD_BOUNDARY)) {
    const pw = prev !== NO_BYTE && (prev & CAT_WORD) !== 0;
    const nw = next !== NO_BYTE && (next & CAT_WORD) !== 0;
    if (m & A_WORD_BOUNDARY && pw === nw) return false;
    if (m & A_NOT_WORD_BOUNDARY && pw !== nw) return false;
  }
  return true;
}

function intersects(a: ByteSet, b: ByteSet): boolean {
  for (let w = 0; w < 8; w++) if ((a[w] & b[w]) !== 0) return true;
  return false;
}

function intersect(a: ByteSet, b: ByteSet): ByteSet {
  const s = new Uint32Array(8);
  for (let w = 0; w < 8; w++) s[w] = a[w] & b[w];
  return s;
}

/** Growable list of u32 (compile-time only). */
class U32List {
  data = new Uint32Array(64);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const d = new Uint32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }
  truncate(n: number): void {
    this.length = n;
  }
}

/** Accumulates states, edges and acceptance for the whole set. */
class Builder {
  labels: ByteSet[] = [];
  edgeFrom = new U32List();
  edgeTo = new U32List();
  accState = new U32List();
  accSig = new U32List();
  accDelta = new U32List();
  endState = new U32List();
  endSig = new U32List();
  endDelta = new U32List();

  mark(): number[] {
    return [this.labels.length, this.edgeFrom.length, this.accState.length, this.endState.length];
  }

  rollback(m: number[]): void {
    this.labels.length = m[0];
    this.edgeFrom.truncate(m[1]);
    this.edgeTo.truncate(m[1]);
    this.accState.truncate(m[2]);
    this.accSig.truncate(m[2]);
    this.accDelta.truncate(m[2]);
    this.endState.truncate(m[3]);
    this.endSig.truncate(m[3]);
    this.endDelta.truncate(m[3]);
  }

  edge(from: number, to: number): void {
    this.edgeFrom.push(from);
    this.edgeTo.push(to);
  }

  accept(state: number, sig: number, delta: number): void {
    this.accState.push(state);
    this.accSig.push(sig);
    this.accDelta.push(delta);
  }

  acceptEnd(state: number, sig: number, delta: number): void {
    this.endState.push(state);
    this.endSig.push(sig);
    this.endDelta.push(delta);
  }
}

/** The start states a signature hangs off: "before input", and the unanchored loop (ids, prev-byte groups). */
interface StartStates {
  entry: number;
  loopIds: number[];
  loopGroups: number[];
}

/** Adds one signature's states, edges and acceptance to `b`. Throws LimitExceededError. */
function addSignature(
  b: Builder,
  sig: number,
  pos: Positions,
  anchored: boolean,
  starts: StartStates,
  maxStates: number,
): void {
  new SignatureCompiler(b, sig, pos, maxStates).run(anchored, starts);
}

/**
 * Builds the reachable state copies of one signature: a copy is (position, group of the
 * byte that enters it, final), found breadth-first from the start states.
 */
class SignatureCompiler {
  private readonly groups: number[];
  /** (pos, group, final) → global state id. */
  private readonly ids = new Map<number, number>();
  private readonly queuePos: number[] = [];
  private readonly queueGroup: number[] = [];
  private readonly queueFinal: number[] = [];
  private readonly lookahead = new Map<number, number>();

  constructor(
    private readonly b: Builder,
    private readonly sig: number,
    private readonly pos: Positions,
    private readonly maxStates: number,
  ) {
    this.groups = groupsFor(needsWord(pos.usedAssertions), needsNl(pos.usedAssertions));
  }

  run(anchored: boolean, starts: StartStates): void {
    const pos = this.pos;
    // Entry: from "before input" always; from the unanchored loop unless anchored.
    this.link(starts.entry, NO_BYTE, pos.first);
    this.acceptAt(starts.entry, NO_BYTE, 0, pos.nullable);
    if (!anchored && (pos.first.length > 0 || pos.nullable.length > 0)) {
      for (let k = 0; k < starts.loopIds.length; k++) {
        this.link(starts.loopIds[k], starts.loopGroups[k], pos.first);
        this.acceptAt(starts.loopIds[k], starts.loopGroups[k], 0, pos.nullable);
      }
    }

    // Last-pairs grouped by position, for acceptance of each copy.
    const lastMasks: number[][] = new Array(pos.sets.length);
    for (const pair of pos.last) {
      const p = pairPos(pair);
      (lastMasks[p] ??= []).push(pairMask(pair));
    }

    for (let i = 0; i < this.queuePos.length; i++) {
      const p = this.queuePos[i];
      const g = this.queueGroup[i];
      const fin = this.queueFinal[i];
      const id = this.ids.get((p * 8 + g) * 2 + fin)!;
      if (!fin) this.link(id, g, pos.follow[p]);
      const lm = lastMasks[p];
      if (lm) this.acceptAt(id, g, fin, lm);
    }
  }

  private newState(label: ByteSet): number {
    const id = this.b.labels.length;
    if (id >= this.maxStates) throw new LimitExceededError('NFA states', this.maxStates, id + 1);
    this.b.labels.push(label);
    return id;
  }

  /** The copy of position `q` entered by a byte of group `g` (`fin`: the final-`\n` copy). */
  private target(q: number, g: number, fin: number): number {
    const key = (q * 8 + g) * 2 + fin;
    let id = this.ids.get(key);
    if (id === undefined) {
      // Unsplit copies share the IR's set object (repeat copies share one), which lets
      // finishNfa compute each distinct label row once.
      id = this.newState(g === CAT_ALL ? this.pos.sets[q] : intersect(this.pos.sets[q], GROUP_BYTES[g]));
      this.ids.set(key, id);
      this.queuePos.push(q);
      this.queueGroup.push(g);
      this.queueFinal.push(fin);
    }
    return id;
  }

  /** Edges from a state whose entering byte is in group `prev` to the pairs (q, mask). */
  private link(from: number, prev: number, pairs: readonly number[]): void {
    for (const pair of pairs) {
      const q = pairPos(pair);
      const m = pairMask(pair);
      for (const h of this.groups) {
        if (!intersects(this.pos.sets[q], GROUP_BYTES[h])) continue;
        if (m & A_TEXT_END_NEWLINE) {
          // The next byte must be the input's final `\n`: a copy that can only end-accept.
          if ((h & CAT_NL) !== 0 && sat(m, prev, h, true)) this.b.edge(from, this.target(q, h, 1));
        } else if (sat(m, prev, h, false)) {
          this.b.edge(from, this.target(q, h, 0));
        }
      }
    }
  }

  private lookaheadState(kind: 0 | 1, allowed: number): number {
    const key = kind * 8 + allowed;
    let id = this.lookahead.get(key);
    if (id === undefined) {
      id = this.newState(GROUP_BYTES[kind === 1 ? CAT_NL : allowed]);
      this.lookahead.set(key, id);
      if (kind === 1) this.b.acceptEnd(id, this.sig, 1);
      else this.b.accept(id, this.sig, 1);
    }
    return id;
  }

  /** Acceptance of a match ending at a state whose entering byte is in `prev`. */
  private acceptAt(state: number, prev: number, fin: number, masks: readonly number[]): void {
    const b = this.b;
    const sig = this.sig;
    for (const m of masks) {
      if (fin) {
        if (sat(m, prev, NO_BYTE, false)) b.acceptEnd(state, sig, 0);
        continue;
      }
      if ((m & NEXT_DEPENDENT) === 0) {
        if (sat(m, prev, CAT_ALL, false)) b.accept(state, sig, 0);
        continue;
      }
      if (sat(m, prev, NO_BYTE, false)) b.acceptEnd(state, sig, 0);
      if (m & A_TEXT_END_NEWLINE) {
        if (sat(m, prev, CAT_NL, true)) b.edge(state, this.lookaheadState(1, CAT_NL));
      } else {
        let allowed = 0;
        for (const h of FINEST_GROUPS) if (sat(m, prev, h, false)) allowed |= h;
        if (allowed !== 0) b.edge(state, this.lookaheadState(0, allowed));
      }
    }
  }
}

/**
 * Builds the NFA of a signature set. `null` entries (and ids that are skipped) are
 * signatures that never match.
 * @throws LimitExceededError when a budget is exceeded, unless `onReject` is given (then
 *   only that signature is dropped).
 * @throws UnsupportedFeatureError for a signature id that is not a non-negative integer.
 */
export function buildNfa(
  signatures: ReadonlyArray<NfaSignatureInput | null>,
  options: BuildNfaOptions = {},
): Nfa {
  const maxStates = options.maxStates ?? DEFAULT_MAX_STATES;
  const a = analyseSignatures(signatures, options);
  const b = new Builder();
  const perUnit = options.entries === 'per-unit';
  const shared = perUnit ? undefined : addStartStates(b, a.analysed, maxStates);
  const units = perUnit ? new UnitLists(a.signatureCount) : undefined;

  /** Acceptance entries [acc from, acc to, end from, end to, unit] of each compiled key. */
  const entries = new Map<string, number[]>();
  for (const x of a.analysed) {
    if (!x) continue;
    const m = b.mark();
    try {
      const starts = shared ?? addUnitStartStates(b, x, maxStates);
      addSignature(b, x.sig.id, x.pos, x.sig.anchored, starts, maxStates);
      const unit = units ? units.add(x.sig, starts, m[0], b.labels.length) : -1;
      if (a.dedupe) entries.set(x.key, [m[2], b.accState.length, m[3], b.endState.length, unit]);
    } catch (e) {
      b.rollback(m);
      if (!options.onReject || !(e instanceof Error)) throw e;
      options.onReject(x.sig.id, e);
      a.failed.set(x.key, e);
    }
  }
  for (const { sig, key } of a.copies) {
    const r = entries.get(key);
    if (!r) {
      // The first copy was rejected by a budget: so is this one, for the same reason.
      options.onReject?.(sig.id, a.failed.get(key) ?? new Error('rejected with an identical signature'));
      continue;
    }
    for (let j = r[0]; j < r[1]; j++) b.accept(b.accState.data[j], sig.id, b.accDelta.data[j]);
    for (let j = r[2]; j < r[3]; j++) b.acceptEnd(b.endState.data[j], sig.id, b.endDelta.data[j]);
    units?.addCopy(r[4], sig.id);
  }

  const nfa = finishNfa(b, a.signatureCount);
  return units ? { ...nfa, start: units.entries(), units: units.finish(a.signatureCount) } : nfa;
}

/** Collects the `NfaUnits` of a 'per-unit' build. */
class UnitLists {
  private readonly stateRange: number[] = [];
  private readonly loops: number[][] = [];
  private readonly anchored: number[] = [];
  private readonly sigs: number[][] = [];

  constructor(private readonly signatureCount: number) {}

  /** Records a compiled unit (its states are [from, to)); returns its unit id. */
  add(sig: NfaSignatureInput, starts: StartStates, from: number, to: number): number {
    this.stateRange.push(from, to);
    this.loops.push(starts.loopIds);
    this.anchored.push(sig.anchored ? 1 : 0);
    this.sigs.push([sig.id]);
    return this.sigs.length - 1;
  }

  addCopy(unit: number, sig: number): void {
    this.sigs[unit].push(sig);
  }

  /** The start frontier: every unit's entry (its first state), ascending. */
  entries(): Uint32Array {
    return Uint32Array.from(this.stateRange.filter((_, i) => i % 2 === 0));
  }

  finish(signatureCount: number): NfaUnits {
    const count = this.sigs.length;
    const unitOf = new Int32Array(Math.max(signatureCount, this.signatureCount)).fill(-1);
    const sigStart = new Uint32Array(count + 1);
    const loopStart = new Uint32Array(count + 1);
    for (let u = 0; u < count; u++) {
      for (const s of this.sigs[u]) unitOf[s] = u;
      sigStart[u + 1] = sigStart[u] + this.sigs[u].length;
      loopStart[u + 1] = loopStart[u] + this.loops[u].length;
    }
    return {
      count,
      unitOf,
      stateRange: Uint32Array.from(this.stateRange),
      loopStart,
      loops: Uint32Array.from(this.loops.flat()),
      anchored: Uint8Array.from(this.anchored),
      sigStart,
      sigs: Uint32Array.from(this.sigs.flat()),
    };
  }
}

/** A signature with its positions, and its dedupe key ('' without dedupe). */
interface AnalysedSignature {
  sig: NfaSignatureInput;
  pos: Positions;
  key: string;
}

interface Analysis {
  signatureCount: number;
  dedupe: boolean;
  /** One entry per input signature; null for a null input, a copy or a rejected one. */
  analysed: Array<AnalysedSignature | null>;
  /** Copies of an earlier signature (same key): compiled through it. */
  copies: Array<{ sig: NfaSignatureInput; key: string }>;
  /** Why each rejected key was rejected. */
  failed: Map<string, Error>;
}

/** Computes the positions of every distinct signature (rejecting through `onReject`). */
function analyseSignatures(signatures: ReadonlyArray<NfaSignatureInput | null>, options: BuildNfaOptions): Analysis {
  const maxPositions = options.maxRepeatExpansion ?? DEFAULT_MAX_REPEAT_EXPANSION;
  const maxFollow = options.maxFollowPerSignature ?? DEFAULT_MAX_FOLLOW;
  let signatureCount = signatures.length;
  const dedupe = options.dedupe ?? true;
  const analysed: Array<AnalysedSignature | null> = [];
  const copies: Array<{ sig: NfaSignatureInput; key: string }> = [];
  const keys = new Set<string>();
  const failed = new Map<string, Error>();
  for (const s of signatures) {
    if (!s) {
      analysed.push(null);
      continue;
    }
    if (!Number.isInteger(s.id) || s.id < 0) {
      throw new UnsupportedFeatureError(`signature id ${String(s.id)}`, '', 0);
    }
    signatureCount = Math.max(signatureCount, s.id + 1);
    const key = dedupe ? signatureKey(s) : '';
    if (dedupe && keys.has(key)) {
      copies.push({ sig: s, key });
      analysed.push(null);
      continue;
    }
    if (dedupe) keys.add(key);
    try {
      analysed.push({ sig: s, pos: computePositions(s.ir, { maxPositions, maxFollow }), key });
    } catch (e) {
      if (!options.onReject || !(e instanceof Error)) throw e;
      options.onReject(s.id, e);
      failed.set(key, e);
      analysed.push(null);
    }
  }
  return { signatureCount, dedupe, analysed, copies, failed };
}

/**
 * Adds state 0 and the unanchored loop, split only as finely as the unanchored signatures
 * need. Throws LimitExceededError when `maxStates` cannot hold them.
 */
function addStartStates(b: Builder, analysed: ReadonlyArray<AnalysedSignature | null>, maxStates: number): StartStates {
  let loopWord = false;
  let loopNl = false;
  for (const a of analysed) {
    if (!a || a.sig.anchored) continue;
    loopWord ||= needsWord(a.pos.usedAssertions);
    loopNl ||= needsNl(a.pos.usedAssertions);
  }
  const loopGroups = groupsFor(loopWord, loopNl);
  if (maxStates < 1 + loopGroups.length) {
    throw new LimitExceededError('NFA states', maxStates, 1 + loopGroups.length);
  }
  b.labels.push(new Uint32Array(8)); // state 0: before input; nothing enters it
  const loopIds: number[] = [];
  for (const g of loopGroups) {
    loopIds.push(b.labels.length);
    b.labels.push(GROUP_BYTES[g]);
  }
  for (const from of [0, ...loopIds]) for (const to of loopIds) b.edge(from, to);
  return { entry: 0, loopIds, loopGroups };
}

/**
 * 'per-unit' entries: one signature's own "before input" state and unanchored loop (split
 * only as finely as its own assertions need; none when it is anchored).
 */
function addUnitStartStates(b: Builder, a: AnalysedSignature, maxStates: number): StartStates {
  const loopGroups = a.sig.anchored ? [] : groupsFor(needsWord(a.pos.usedAssertions), needsNl(a.pos.usedAssertions));
  const entry = b.labels.length;
  if (maxStates < entry + 1 + loopGroups.length) {
    throw new LimitExceededError('NFA states', maxStates, entry + 1 + loopGroups.length);
  }
  b.labels.push(new Uint32Array(8)); // nothing enters the entry
  const loopIds: number[] = [];
  for (const g of loopGroups) {
    loopIds.push(b.labels.length);
    b.labels.push(GROUP_BYTES[g]);
  }
  for (const from of [entry, ...loopIds]) for (const to of loopIds) b.edge(from, to);
  return { entry, loopIds, loopGroups };
}

function finishNfa(b: Builder, signatureCount: number): Nfa {
  const stateCount = b.labels.length;
  const { classCount, byteClass, classRep } = computeByteClasses(b.labels);
  const classWords = Math.ceil(classCount / 32);
  const labels = new Uint32Array(stateCount * classWords);
  // Rows are computed once per distinct set object (many states share one).
  const rowOf = new Map<ByteSet, number>();
  for (let q = 0; q < stateCount; q++) {
    const s = b.labels[q];
    const base = q * classWords;
    const done = rowOf.get(s);
    if (done !== undefined) {
      labels.copyWithin(base, done, done + classWords);
      continue;
    }
    for (let c = 0; c < classCount; c++) {
      const r = classRep[c];
      if ((s[r >>> 5] >>> (r & 31)) & 1) labels[base + (c >>> 5)] |= 1 << (c & 31);
    }
    rowOf.set(s, base);
  }
  const { start: followStart, values: follow } = csrSingle(stateCount, b.edgeFrom, b.edgeTo);
  const acc = csr(stateCount, b.accState, [b.accDelta, b.accSig]);
  const end = csr(stateCount, b.endState, [b.endDelta, b.endSig]);
  return {
    stateCount,
    classCount,
    byteClass,
    classRep,
    classWords,
    labels,
    followStart,
    follow,
    start: Uint32Array.of(0),
    acceptStart: acc.start,
    acceptSig: acc.values2 ?? new Uint32Array(0),
    acceptDelta: Uint8Array.from(acc.values),
    endStart: end.start,
    endSig: end.values2 ?? new Uint32Array(0),
    endDelta: Uint8Array.from(end.values),
    signatureCount,
  };
}

/** CSR of one column: rows sorted ascending and deduplicated (typed-array sorts, no boxing). */
function csrSingle(rows: number, keys: U32List, vals: U32List): { start: Uint32Array; values: Uint32Array } {
  const n = keys.length;
  const count = new Uint32Array(rows + 1);
  for (let i = 0; i < n; i++) count[keys.data[i] + 1]++;
  for (let r = 0; r < rows; r++) count[r + 1] += count[r];
  const out = new Uint32Array(n);
  const fill = count.slice(0, rows);
  for (let i = 0; i < n; i++) out[fill[keys.data[i]]++] = vals.data[i];
  const start = new Uint32Array(rows + 1);
  let w = 0;
  for (let r = 0; r < rows; r++) {
    const lo = count[r];
    const hi = count[r + 1];
    if (hi - lo > 1) out.subarray(lo, hi).sort();
    // Compaction never overtakes reading: w ≤ lo.
    for (let i = lo; i < hi; i++) if (i === lo || out[i] !== out[i - 1]) out[w++] = out[i];
    start[r + 1] = w;
  }
  return { start, values: out.slice(0, w) };
}

/**
 * Groups rows by `keys` into CSR form; entries are (values[0][i], values[1][i]) tuples,
 * sorted (first column descending for two columns so delta-1 acceptance comes first,
 * ascending for one column) and deduplicated within each row.
 */
function csr(
  rows: number,
  keys: U32List,
  columns: U32List[],
): { start: Uint32Array; values: Uint32Array; values2?: Uint32Array } {
  const n = keys.length;
  const count = new Uint32Array(rows + 1);
  for (let i = 0; i < n; i++) count[keys.data[i] + 1]++;
  for (let r = 0; r < rows; r++) count[r + 1] += count[r];
  const order = new Uint32Array(n);
  const fill = count.slice(0, rows);
  for (let i = 0; i < n; i++) order[fill[keys.data[i]]++] = i;
  const two = columns.length === 2;
  const c0 = columns[0].data;
  const c1 = two ? columns[1].data : c0;
  const start = new Uint32Array(rows + 1);
  const out0: number[] = [];
  const out1: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from(order.subarray(count[r], count[r + 1]));
    if (two) row.sort((x, y) => c0[y] - c0[x] || c1[x] - c1[y]);
    else row.sort((x, y) => c0[x] - c0[y]);
    let prev = -1;
    for (const i of row) {
      if (prev >= 0 && c0[i] === c0[prev] && c1[i] === c1[prev]) continue;
      out0.push(c0[i]);
      if (two) out1.push(c1[i]);
      prev = i;
    }
    start[r + 1] = out0.length;
  }
  return two
    ? { start, values: Uint32Array.from(out0), values2: Uint32Array.from(out1) }
    : { start, values: Uint32Array.from(out0) };
}
