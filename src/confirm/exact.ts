/**
 * The exact matcher of confirmed signatures: a backtracking matcher with PCRE 8.x
 * semantics on raw bytes (no UTF), for the patterns the automata only over-approximate
 * (backreferences, lookaround, atomic groups, possessive quantifiers; `Rx` in
 * src/syntax/ir.ts). It runs only on candidates: inputs where a signature's
 * over-approximation matched, at the ends it reported.
 *
 * Why our own backtracker rather than V8's RegExp: it is synchronous with a real time
 * budget (V8 cannot be interrupted, so a guarded V8 needs a worker thread and a round
 * trip per call), it asks the question replay needs (which of these ends does an exact
 * match reach, from any start) directly, and it has PCRE's semantics where V8's differ:
 * a backreference to an unset group fails (V8 matches the empty string), captures are not
 * reset when a group is repeated, a repeat stops after an empty iteration, and multiline
 * `^` does not match after a newline that ends the input.
 *
 * Semantics, by node (`pos` a byte offset, `len` the bytes known, `final` whether the
 * input ends at `len`):
 * - bytes: input[pos] ∈ set; assertions as in ir.ts; an assertion or a lookahead that
 *   would read at or past `len` of an input that is not final fails (the caller only asks
 *   when the bytes needed are there: `lookaheadReach`).
 * - alternatives and repeats in PCRE's priority order (greedy: more first; lazy: fewer
 *   first); an unbounded repeat stops after an iteration (from its minimum count on)
 *   that matched the empty string; a bounded one does not (see `repeat`).
 * - group: sets its capture when it closes (kept across later iterations of an enclosing
 *   repeat; undone on backtracking). backref: the captured bytes again (ASCII letters
 *   folded when caseless); fails while the group is unset.
 * - lookahead and lookbehind are atomic (their first success is taken); a positive one
 *   keeps the captures it set. A lookbehind tries each branch from pos − its length.
 * - atomic: the body's first success only.
 *
 * Budget: a deadline (performance.now() ms) checked every 1,024 steps; past it, or when
 * recursion overflows the stack (a repeat over a very long input of an item that can match
 * in several ways; byte sets and fixed-width single-way items loop instead), the run
 * stops with `EXHAUSTED` and the caller reports the candidates as unconfirmed.
 */
import type { ByteSet, ExactForm, Rx } from '../syntax/ir.js';
import { hasByte, WORD } from '../syntax/byte-set.js';
import { fixedLength, lookbehindBranches, nullable } from '../syntax/exact.js';
import { irLengthBounds } from '../syntax/ir-build.js';

export { fixedLength, nullable };

/** What a run returns when it ran out of time or stack. */
export const EXHAUSTED: { readonly exhausted: true } = Object.freeze({ exhausted: true });

/** Thrown inside a run when the deadline passes; caught at the run's entry. */
const OUT_OF_TIME = Object.freeze({ outOfTime: true });

type Cont = (pos: number) => boolean;
type Node = (pos: number, k: Cont) => boolean;

/** Mutable state of one run, shared by the compiled nodes of one pattern. */
class RunState {
  input: Uint8Array = new Uint8Array(0);
  len = 0;
  final = true;
  /** Main-path bytes are not read at or past it (no wanted end lies beyond). */
  limit = 0;
  caps: Int32Array;
  steps = 0;
  deadline = Infinity;
  /**
   * Set when a read was refused only because of the limit or the input not being final:
   * the start being explored may reach further once more bytes are known.
   */
  cut = false;
  constructor(groups: number) {
    this.caps = new Int32Array(2 * (groups + 1)).fill(-1);
  }
  tick(): void {
    if ((++this.steps & 1023) === 0 && performance.now() > this.deadline) throw OUT_OF_TIME;
  }
  /** Where reads stop: the input's known end inside a lookaround, the limit on the main path. */
  edge(inLook: boolean): number {
    return inLook ? this.len : this.limit;
  }
  /** A read at `edge(inLook)` was refused: remember when more bytes could change that. */
  refuse(inLook: boolean): false {
    if (!this.final || (!inLook && this.limit < this.len)) this.cut = true;
    return false;
  }
  /** An assertion needed the byte at `len` of an input that is not final. */
  unknown(): false {
    this.cut = true;
    return false;
  }
}

function lower(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b + 32 : b;
}

/**
 * How far past a match's end the pattern may read: at least 1 (an assertion's next byte; 2 with a `$`
 * or `\Z`, which also needs to know whether the byte after that one exists),
 * more for a lookahead or an atomic group (the bytes its body may read, nested lookaheads
 * included), Infinity when that is unbounded. Bytes before end + reach decide whether an
 * end is confirmed.
 */
export function lookaheadReach(rx: Rx): number {
  // On the main path every position is at most the match end; a lookaround or an atomic
  // group there (whose outcome depends on what follows) reads up to its extent past it.
  let reach = hasAssertion(rx, 'text-end-newline') ? 2 : 1;
  const walk = (r: Rx): void => {
    switch (r.kind) {
      case 'look':
      case 'atomic':
        reach = Math.max(reach, extent(r));
        return;
      case 'concat':
      case 'alt':
        r.items.forEach(walk);
        return;
      case 'repeat':
      case 'group':
        walk(r.item);
        return;
      default:
        return;
    }
  };
  walk(rx);
  // Unknown is "wait for the end of the input", never "decide now".
  return Number.isNaN(reach) ? Infinity : reach;
}

/** Whether `r` uses the assertion anywhere. */
function hasAssertion(r: Rx, kind: string): boolean {
  switch (r.kind) {
    case 'assert':
      return r.assertion === kind;
    case 'concat':
    case 'alt':
      return r.items.some((it) => hasAssertion(it, kind));
    case 'repeat':
    case 'group':
    case 'atomic':
    case 'look':
      return hasAssertion(r.item, kind);
    default:
      return false;
  }
}

/**
 * How far past its start position a node may read (a byte, an assertion's next byte, a
 * nested lookahead's body counted from where that lookahead stands): the bytes before
 * start + extent decide its outcome.
 */
function extent(r: Rx): number {
  switch (r.kind) {
    case 'bytes':
      return 1;
    case 'assert':
      // `$` and `\Z` at p look at byte p and at whether p + 1 is the end: two bytes.
      return r.assertion === 'text-end-newline' ? 2 : 1;
    case 'concat': {
      let off = 0;
      let m = 0;
      for (const it of r.items) {
        m = Math.max(m, off + extent(it));
        off += maxLength(it);
      }
      return m;
    }
    case 'alt':
      return Math.max(0, ...r.items.map(extent));
    case 'repeat': {
      if (r.max === 0) return 0;
      const l = maxLength(r.item);
      // (max − 1) × l: Infinity × 0 would be NaN, and a NaN reach decides nothing.
      return l === 0 || r.max === 1 ? extent(r.item) : (r.max - 1) * l + extent(r.item);
    }
    case 'group':
    case 'atomic':
      return extent(r.item);
    case 'backref':
      return Infinity;
    case 'look': {
      if (!r.behind) return extent(r.item);
      // Each branch starts its length before the lookbehind's position.
      const { branches, lengths } = lookbehindBranches(r);
      return Math.max(0, ...branches.map((b, i) => extent(b) - lengths[i]!));
    }
    default:
      return 0;
  }
}

/** The longest match (Infinity when unbounded or when a backreference may repeat any text; 0 when none). */
function maxLength(r: Rx): number {
  return Math.max(0, irLengthBounds(r).maxLength);
}

/**
 * Whether `r` matches in at most one way from a given position, setting no capture: bytes,
 * assertions, lookarounds without groups (atomic), and concatenations and fixed counts of
 * those. Its one success is then all there is to know, whatever follows.
 */
function singleOutcome(r: Rx): boolean {
  switch (r.kind) {
    case 'empty':
    case 'bytes':
    case 'assert':
      return true;
    case 'look':
    case 'atomic':
      return !hasGroup(r.item);
    case 'concat':
      return r.items.every(singleOutcome);
    case 'repeat':
      return r.min === r.max && singleOutcome(r.item);
    default:
      return false; // alt, group, backref, never
  }
}

/** Whether `r` holds a capturing group. */
function hasGroup(r: Rx): boolean {
  switch (r.kind) {
    case 'group':
      return true;
    case 'concat':
    case 'alt':
      return r.items.some(hasGroup);
    case 'repeat':
    case 'atomic':
    case 'look':
      return hasGroup(r.item);
    default:
      return false;
  }
}

/** The bytes a match can start with, or null when any byte may (or the match may be empty). */
function firstBytes(rx: Rx): ByteSet | null {
  const acc = new Uint32Array(8);
  // Returns false when the start is unconstrained.
  const add = (r: Rx): boolean => {
    switch (r.kind) {
      case 'bytes':
        for (let w = 0; w < 8; w++) acc[w] |= r.set[w]!;
        return true;
      case 'never':
        return true;
      case 'concat':
        for (const it of r.items) {
          if (it.kind === 'assert' || it.kind === 'look' || it.kind === 'empty') continue;
          if (!add(it)) return false;
          if (!nullable(it)) return true;
        }
        return false;
      case 'alt':
        return r.items.every(add);
      case 'repeat':
        return r.min > 0 && add(r.item);
      case 'group':
      case 'atomic':
        return !nullable(r.item) && add(r.item);
      default:
        return false;
    }
  };
  return add(rx) && !nullable(rx) ? acc : null;
}

/**
 * The byte sets at offsets 0, 1, … of every match, as far as the pattern is one straight
 * line of single bytes (at most `max`): a start whose bytes miss them is skipped.
 */
function prefixSets(rx: Rx, max = 8): ByteSet[] {
  const out: ByteSet[] = [];
  const walk = (r: Rx): boolean => {
    switch (r.kind) {
      case 'bytes':
        out.push(r.set);
        return out.length < max;
      case 'assert':
      case 'look':
      case 'empty':
        return true;
      case 'concat':
        return r.items.every(walk);
      case 'repeat':
        if (r.item.kind !== 'bytes') return false;
        for (let i = 0; i < r.min && out.length < max; i++) out.push(r.item.set);
        return r.min === r.max && out.length < max;
      case 'group':
      case 'atomic':
        return walk(r.item);
      default:
        return false;
    }
  };
  walk(rx);
  return out;
}

/** Compiles an Rx tree into continuation-passing closures over one RunState. */
class Compiler {
  constructor(private readonly st: RunState) {}

  /**
   * `follow`: the bytes that can come right after this node's match (null: any), so that a
   * repeated byte set tries only the lengths after which the rest can go on. Never given
   * inside an atomic group or a lookaround, whose first success must not change.
   */
  node(rx: Rx, inLook: boolean, follow: ByteSet | null = null): Node {
    const st = this.st;
    switch (rx.kind) {
      case 'empty':
        return (p, k) => k(p);
      case 'never':
        return () => false;
      case 'bytes': {
        const set = rx.set;
        return (p, k) => (p < st.edge(inLook) ? hasByte(set, st.input[p]!) && k(p + 1) : st.refuse(inLook));
      }
      case 'assert':
        return this.assertion(rx.assertion);
      case 'concat': {
        const n = rx.items.length;
        const items = rx.items.map((it, i) => {
          const wants = it.kind === 'repeat' || it.kind === 'group' || it.kind === 'alt';
          const f = !wants ? null : i + 1 === n ? follow : firstBytes({ kind: 'concat', items: rx.items.slice(i + 1) });
          return this.node(it, inLook, f);
        });
        return items.reduceRight<Node>((rest, first) => (p, k) => first(p, (q) => rest(q, k)), (p, k) => k(p));
      }
      case 'alt': {
        const items = rx.items.map((it) => this.node(it, inLook, follow));
        return (p, k) => {
          for (let i = 0; i < items.length; i++) if (items[i]!(p, k)) return true;
          return false;
        };
      }
      case 'repeat':
        return this.repeat(rx, inLook, follow);
      case 'group': {
        const item = this.node(rx.item, inLook, follow);
        const i0 = 2 * rx.index;
        const caps = st.caps;
        return (p, k) =>
          item(p, (q) => {
            const s0 = caps[i0]!;
            const s1 = caps[i0 + 1]!;
            caps[i0] = p;
            caps[i0 + 1] = q;
            if (k(q)) return true;
            caps[i0] = s0;
            caps[i0 + 1] = s1;
            return false;
          });
      }
      case 'backref':
        return this.backref(rx, inLook);
      case 'look':
        return this.look(rx);
      case 'atomic': {
        // The body reads up to `len`, not `limit`: which success comes first depends on the
        // bytes past the wanted ends too (`a*+` on "a" must not stop at a wanted end 0).
        const item = this.node(rx.item, true);
        return (p, k) => {
          const saved = st.caps.slice();
          let end = -1;
          if (!item(p, (q) => ((end = q), true))) return false;
          if (k(end)) return true;
          st.caps.set(saved);
          return false;
        };
      }
    }
  }

  /** `\N`: the captured bytes again (ASCII case folded when caseless); an unset group fails. */
  private backref(rx: Extract<Rx, { kind: 'backref' }>, inLook: boolean): Node {
    const st = this.st;
    const i0 = 2 * rx.index;
    const caseless = rx.caseless;
    return (p, k) => {
      st.tick();
      const s = st.caps[i0]!;
      const e = st.caps[i0 + 1]!;
      if (s < 0) return false;
      const n = e - s;
      if (p + n > st.edge(inLook)) return st.refuse(inLook);
      const input = st.input;
      for (let j = 0; j < n; j++) {
        const a = input[s + j]!;
        const b = input[p + j]!;
        if (a !== b && (!caseless || lower(a) !== lower(b))) return false;
      }
      return k(p + n);
    };
  }

  private assertion(kind: string): Node {
    const st = this.st;
    switch (kind) {
      case 'text-start':
        return (p, k) => p === 0 && k(p);
      case 'line-start':
        // PCRE: multiline ^ does not match after a newline that ends the input.
        return (p, k) => (p === 0 || (st.input[p - 1] === 0x0a && (p < st.len || !st.final))) && k(p);
      case 'text-end':
        return (p, k) => (p === st.len && !st.final ? st.unknown() : p === st.len && k(p));
      case 'text-end-newline':
        return (p, k) => (p >= st.len - 1 && !st.final ? st.unknown() : (p === st.len || (p === st.len - 1 && st.input[p] === 0x0a)) && k(p));
      case 'line-end':
        return (p, k) => (p < st.len ? st.input[p] === 0x0a && k(p) : st.final ? k(p) : st.unknown());
      case 'word-boundary':
      case 'not-word-boundary': {
        const want = kind === 'word-boundary';
        return (p, k) => {
          if (p >= st.len && !st.final) return st.unknown();
          const before = p > 0 && hasByte(WORD, st.input[p - 1]!);
          const after = p < st.len && hasByte(WORD, st.input[p]!);
          return (before !== after) === want && k(p);
        };
      }
      default:
        throw new Error(`internal: unknown assertion ${kind}`);
    }
  }

  private look(rx: Extract<Rx, { kind: 'look' }>): Node {
    const st = this.st;
    let test: (p: number) => boolean;
    if (!rx.behind) {
      const item = this.node(rx.item, true);
      test = (p) => item(p, () => true);
    } else {
      const { branches, lengths } = lookbehindBranches(rx);
      const nodes = branches.map((b) => this.node(b, true));
      test = (p) => {
        for (let i = 0; i < nodes.length; i++) {
          const from = p - lengths[i]!;
          if (from >= 0 && nodes[i]!(from, (q) => q === p)) return true;
        }
        return false;
      };
    }
    if (rx.negate) {
      return (p, k) => {
        const saved = st.caps.slice();
        const hit = test(p);
        st.caps.set(saved);
        return !hit && k(p);
      };
    }
    return (p, k) => {
      const saved = st.caps.slice();
      if (!test(p)) {
        st.caps.set(saved);
        return false;
      }
      if (k(p)) return true;
      st.caps.set(saved);
      return false;
    };
  }

  /** A repeated byte set: one byte per iteration, counted in a loop (no recursion per byte). */
  private byteRepeat(rx: Extract<Rx, { kind: 'repeat' }>, set: ByteSet, inLook: boolean, blocked: (q: number) => boolean): Node {
    const st = this.st;
    const { min, max, greedy } = rx;
    if (greedy) {
      return (p, k) => {
        const edge = st.edge(inLook);
        const lim = Math.min(edge, max === Infinity ? Infinity : p + max);
        let n = 0;
        const input = st.input;
        while (p + n < lim && hasByte(set, input[p + n]!)) n++;
        if (p + n === edge && n < max) st.refuse(inLook);
        for (; n >= min; n--) {
          if (blocked(p + n)) continue;
          st.tick();
          if (k(p + n)) return true;
        }
        return false;
      };
    }
    return (p, k) => {
      const lim = st.edge(inLook);
      const input = st.input;
      let n = 0;
      for (; n < min; n++) {
        if (p + n >= lim) return st.refuse(inLook);
        if (!hasByte(set, input[p + n]!)) return false;
      }
      for (;;) {
        st.tick();
        if (!blocked(p + n) && k(p + n)) return true;
        if (n >= max) return false;
        if (p + n >= lim) return st.refuse(inLook);
        if (!hasByte(set, input[p + n]!)) return false;
        n++;
      }
    };
  }

  /** `follow`: the bytes that can come right after the repeat (null: any). */
  private repeat(rx: Extract<Rx, { kind: 'repeat' }>, inLook: boolean, follow: ByteSet | null = null): Node {
    const st = this.st;
    const { min, max, greedy } = rx;
    // Whether the byte after q rules the rest out (unknown bytes never do).
    const blocked = (q: number): boolean => follow !== null && q < st.len && !hasByte(follow, st.input[q]!);
    if (rx.item.kind === 'bytes') return this.byteRepeat(rx, rx.item.set, inLook, blocked);
    const item = this.node(rx.item, inLook);
    // An item with one way to match and a fixed width (`(?:(?!</object>).)`, the tempered
    // dot, also as a capturing group): its iterations are counted in a loop, as for a byte
    // set, instead of one recursion level each (which overflows the stack on a long input).
    const body = rx.item.kind === 'group' ? rx.item.item : rx.item;
    const width = singleOutcome(body) ? fixedLength(body) : -1;
    if (width > 0) {
      const bodyNode = body === rx.item ? item : this.node(body, inLook);
      const once = (q: number): boolean => bodyNode(q, () => true);
      // A capturing group holds its last iteration's span when the rest is tried.
      const i0 = rx.item.kind === 'group' ? 2 * rx.item.index : -1;
      const caps = st.caps;
      const rest = (p: number, n: number, k: Cont): boolean => {
        const q = p + n * width;
        if (blocked(q)) return false;
        st.tick();
        if (i0 < 0 || n === 0) return k(q);
        const s0 = caps[i0]!;
        const s1 = caps[i0 + 1]!;
        caps[i0] = q - width;
        caps[i0 + 1] = q;
        if (k(q)) return true;
        caps[i0] = s0;
        caps[i0 + 1] = s1;
        return false;
      };
      if (greedy) {
        return (p, k) => {
          let n = 0;
          while (n < max && once(p + n * width)) n++;
          for (; n >= min; n--) if (rest(p, n, k)) return true;
          return false;
        };
      }
      return (p, k) => {
        let n = 0;
        for (; n < min; n++) if (!once(p + n * width)) return false;
        for (;;) {
          if (rest(p, n, k)) return true;
          if (n >= max || !once(p + n * width)) return false;
          n++;
        }
      };
    }
    // PCRE 8.x compiles X{m,n} as m copies of X then n − m nested optional copies, and
    // X{m,} as m − 1 copies then a looping X+ (X* when m = 0). Only the looping bracket
    // checks for an empty iteration (it then stops looping and goes on): so in an
    // unbounded repeat an iteration from the m-th on that matched the empty string ends
    // the repeat, while a bounded repeat runs its iterations regardless (an empty one can
    // still change the captures a backreference reads: `((?:a\1a|c*+)){1,3}` on "aac" is
    // [0, 3), `((?:a\1a|c*+))+` is [0, 0)).
    const unbounded = max === Infinity;
    const rep = (p: number, k: Cont, count: number): boolean => {
      st.tick();
      if (count < min) {
        if (unbounded && count === min - 1) return item(p, (q) => (q === p ? k(q) : rep(q, k, count + 1)));
        return item(p, (q) => rep(q, k, count + 1));
      }
      if (count >= max) return k(p);
      const more = (q: number): boolean => (unbounded && q === p ? k(q) : rep(q, k, count + 1));
      return greedy ? item(p, more) || k(p) : k(p) || item(p, more);
    };
    return (p, k) => rep(p, k, 0);
  }
}

/** A match found by `exec`: [start, end). */
export interface ExactMatch {
  start: number;
  end: number;
}

/** A confirmed signature's exact pattern, compiled once; runs are not reentrant. */
export class ExactMatcher {
  private readonly st: RunState;
  private readonly main: Node;
  private readonly first: ByteSet | null;
  private readonly prefix: ByteSet[];
  /** The shortest match, in bytes (the given bound, or the pattern's own when larger). */
  private readonly shortest: number;
  /** Bytes past a match end that decide it (see `lookaheadReach`). */
  readonly reach: number;

  constructor(
    readonly form: ExactForm,
    /** The match can only start at offset 0. */
    readonly anchored: boolean,
    /** Length bounds of every match (from the over-approximation). */
    readonly minLength = 0,
    readonly maxLength = Infinity,
  ) {
    this.shortest = Math.max(minLength, irLengthBounds(form.rx).minLength);
    this.st = new RunState(form.groups);
    this.main = new Compiler(this.st).node(form.rx, false);
    this.first = firstBytes(form.rx);
    this.prefix = prefixSets(form.rx);
    this.reach = lookaheadReach(form.rx);
  }

  private begin(input: Uint8Array, len: number, final: boolean, deadline: number): void {
    const st = this.st;
    st.input = input;
    st.len = len;
    st.final = final;
    st.deadline = deadline;
    st.steps = 0;
  }

  /** Whether a match may start at s, by its first bytes (false only when bytes known rule it out). */
  private startOk(s: number): boolean {
    const { input, len } = this.st;
    const f = this.first;
    if (f !== null && (s >= len || !hasByte(f, input[s]!))) return false;
    const pre = this.prefix;
    for (let i = 0; i < pre.length && s + i < len; i++) if (!hasByte(pre[i]!, input[s + i]!)) return false;
    return true;
  }

  /**
   * After `confirmEnds`: every start below it is dead, i.e. no match from it ends past
   * the ends asked so far, however the input goes on (its exploration never needed a byte
   * beyond the limit or past the known input). A caller asking again about the same input
   * with later ends passes it as `startFrom`, so a stream is not searched from its first
   * byte at every chunk.
   */
  deadBefore = 0;

  /**
   * The ends among `wanted` (ascending, distinct) where a match of input[0..len) ends,
   * from any start ≥ `startFrom`: ascending. `final`: the input ends at `len`. EXHAUSTED
   * when the deadline passed or the stack overflowed first. Sets `deadBefore`.
   */
  confirmEnds(input: Uint8Array, len: number, final: boolean, wanted: readonly number[], deadline = Infinity, startFrom = 0): number[] | typeof EXHAUSTED {
    this.deadBefore = startFrom;
    if (wanted.length === 0) return [];
    const st = this.st;
    this.begin(input, len, final, deadline);
    const lo = wanted[0]!;
    const hi = wanted[wanted.length - 1]!;
    const found = new Set<number>();
    const want = new Set(wanted);
    let remaining = want.size;
    const sFrom = this.anchored ? 0 : Math.max(startFrom, this.maxLength === Infinity ? 0 : lo - this.maxLength);
    const sTo = this.anchored ? 0 : hi - this.shortest;
    // Starts below sFrom were dead already, or too far from every end asked so far (not dead).
    let dead = sFrom === startFrom;
    st.limit = Math.min(hi, len);
    const k: Cont = (q) => {
      // An atomic group reads to the input's end: a match may end past the limit, where a
      // later call may ask (so its start is not dead).
      if (q > st.limit) st.cut = true;
      if (want.has(q) && !found.has(q)) {
        found.add(q);
        return --remaining === 0;
      }
      return false;
    };
    try {
      for (let s = sFrom; s <= sTo; s++) {
        if (!this.startOk(s)) {
          if (dead && s < len) this.deadBefore = s + 1;
          else dead = false;
          continue;
        }
        st.caps.fill(-1);
        st.cut = false;
        if (this.main(s, k)) break;
        if (dead && !st.cut && s < st.limit) this.deadBefore = s + 1;
        else dead = false;
      }
    } catch (e) {
      if (e === OUT_OF_TIME || e instanceof RangeError) return EXHAUSTED;
      throw e;
    }
    return wanted.filter((e) => found.has(e));
  }

  /**
   * PCRE's match from `from` on a complete input: the leftmost start, and at it the first
   * match in priority order (what pcre_exec returns); null when none.
   */
  exec(input: Uint8Array, from = 0, deadline = Infinity): ExactMatch | null | typeof EXHAUSTED {
    const st = this.st;
    this.begin(input, input.length, true, deadline);
    st.limit = input.length;
    let end = -1;
    const k: Cont = (q) => ((end = q), true);
    try {
      // As PCRE does: no start too close to the end for the shortest match (a counted
      // repeat that cannot fit fails at once instead of backtracking through it).
      const last = this.anchored ? Math.min(0, input.length - this.shortest) : input.length - this.shortest;
      for (let s = from; s <= last; s++) {
        if (!this.startOk(s)) continue;
        st.caps.fill(-1);
        if (this.main(s, k)) return { start: s, end };
      }
    } catch (e) {
      if (e === OUT_OF_TIME || e instanceof RangeError) return EXHAUSTED;
      throw e;
    }
    return null;
  }
}
