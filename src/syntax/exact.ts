/**
 * Confirmable patterns: the exact form (`Rx`) of a pattern with backreferences,
 * lookarounds, atomic groups or possessive quantifiers, and its regular
 * over-approximation (an `Ir` the automata run to find candidates).
 *
 * The over-approximation, by node, and why each step only adds matches:
 * - a lookaround becomes the empty string: dropping a condition never removes a span;
 * - an atomic group becomes its body: the atomic group's matches are some of the body's;
 * - a backreference becomes the language of its group (letters folded when it is
 *   caseless): whatever the group captured is a string of that language, so the text
 *   the reference matches is one too. A reference to a group not complete before it (its
 *   own group, or one only reached through a negative lookaround) becomes `[\x00-\xff]*`;
 * - a capturing group becomes its body.
 * So every (start, end) span of the exact pattern is a span of the approximation; the
 * property tests in test/confirm check it against the exact matcher on random inputs.
 */
import type { AstRegExp, Expression } from 'regexp-tree/ast';
import { RegexSyntaxError } from '../errors.js';
import type { ExactForm, Ir, Rx } from './ir.js';
import { ANY_BYTE, foldAsciiCase } from './byte-set.js';
import { AstConverter, disjunctionBranches, quantifierBounds, type ConvertOptions } from './convert.js';
import { EMPTY, NEVER, altIr, bytesIr, concatIr, repeatIr } from './ir-build.js';
import { F_I, F_U, type Prepassed } from './prepass.js';

type Located = { loc?: { start: { offset: number } } };

/** AST (of an exact-mode pre-pass) → Rx, leaves converted as the IR converter does. */
class RxConverter {
  private readonly leaves: AstConverter;

  /** JavaScript group number → PCRE group number (built on first use). */
  private jsGroups: Map<number, number> | undefined;

  constructor(
    private readonly pattern: string,
    private readonly pre: Prepassed,
    opts: ConvertOptions,
    /** The AST's body, to map JavaScript group numbers back (`groupOfJsNumber`). */
    private readonly root: Expression | null = null,
  ) {
    this.leaves = new AstConverter(pattern, pre, opts);
  }

  private flagsOf(node: Located): number {
    return this.leaves.flagsOf(node);
  }

  private srcOf(node: Located): number {
    return this.leaves.srcOf(node);
  }

  conv(node: Expression | null): Rx {
    if (node === null) return EMPTY;
    switch (node.type) {
      case 'Char':
      case 'CharacterClass':
        return this.leaves.conv(node);
      case 'Alternative':
        return concatRx(node.expressions.map((e) => this.conv(e)));
      case 'Disjunction':
        return altRx(disjunctionBranches(node).map((b) => this.conv(b)));
      case 'Group': {
        const body = this.conv(node.expression);
        if (!node.capturing) return body;
        const name = node.name ?? '';
        const n = Number(name.slice(1));
        if (name.startsWith('a')) return { kind: 'atomic', item: body };
        if (!name.startsWith('g') || !(n > 0)) {
          throw new RegexSyntaxError(`internal: unexpected group ${name}`, this.pattern, this.srcOf(node));
        }
        return { kind: 'group', index: n, item: body };
      }
      case 'Repetition': {
        const q = node.quantifier;
        const [min, max] = quantifierBounds(q);
        const ungreedy = (this.flagsOf(q) & F_U) !== 0;
        const item = this.conv(node.expression);
        if (min === 1 && max === 1) return item;
        return { kind: 'repeat', item, min, max, greedy: q.greedy !== ungreedy };
      }
      case 'Backreference': {
        // By name `gN`; by number (a reference inside its own group, see the pre-pass's
        // numberOpenRefs), the JavaScript group number, mapped back to N.
        const ref = node.kind === 'name' ? Number(String(node.reference).slice(1)) : this.groupOfJsNumber(node.number);
        return { kind: 'backref', index: ref, caseless: (this.flagsOf(node) & F_I) !== 0 };
      }
      case 'Assertion': {
        if (node.kind !== 'Lookahead' && node.kind !== 'Lookbehind') return this.leaves.conv(node);
        const negate = node.negative === true;
        if (node.kind === 'Lookahead') return { kind: 'look', behind: false, negate, item: this.conv(node.assertion) };
        // PCRE 8.x: each top-level branch of a lookbehind has one fixed length.
        const branches = disjunctionBranches(node.assertion);
        const rxs = branches.map((b) => this.conv(b));
        const lengths = rxs.map(fixedLength);
        if (lengths.some((l) => l < 0)) {
          throw new RegexSyntaxError('lookbehind assertion is not fixed length', this.pattern, this.srcOf(node));
        }
        const item: Rx = rxs.length === 1 ? rxs[0]! : { kind: 'alt', items: rxs };
        return { kind: 'look', behind: true, negate, item, lengths };
      }
    }
  }

  /** PCRE's number N of the group `(?<gN>…)` that regexp-tree numbered `js`. */
  private groupOfJsNumber(js: number): number {
    if (this.jsGroups === undefined) {
      const map = new Map<number, number>();
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v !== null && typeof v === 'object') {
          const g = v as { type?: string; capturing?: boolean; name?: string; number?: number };
          if (g.type === 'Group' && g.capturing && g.name?.startsWith('g') && g.number !== undefined) map.set(g.number, Number(g.name.slice(1)));
          for (const [key, x] of Object.entries(v)) if (key !== 'loc') walk(x);
        }
      };
      walk(this.root);
      this.jsGroups = map;
    }
    const n = this.jsGroups.get(js);
    if (n === undefined) throw new RegexSyntaxError(`internal: reference to JavaScript group ${js}`, this.pattern, 0);
    return n;
  }

}

function concatRx(items: readonly Rx[]): Rx {
  const out: Rx[] = [];
  for (const it of items) {
    if (it.kind === 'empty') continue;
    if (it.kind === 'concat') out.push(...it.items);
    else out.push(it);
  }
  if (out.length === 0) return EMPTY;
  if (out.length === 1) return out[0]!;
  return { kind: 'concat', items: out };
}

function altRx(items: readonly Rx[]): Rx {
  // No merging or reordering: branch order is match priority, which captures observe.
  return items.length === 1 ? items[0]! : { kind: 'alt', items };
}

/** The exact form of an exact-mode pre-pass output (flags applied as in the IR). */
export function astToRx(pattern: string, pre: Prepassed, ast: AstRegExp, opts: ConvertOptions): ExactForm {
  const rx = new RxConverter(pattern, pre, opts, ast.body).conv(ast.body);
  return { rx, groups: pre.groups, features: pre.features };
}

/**
 * What a backreference to a group with IR `ir` can match: the group's strings without its
 * assertions (`(^a)\1` matches "aa": the `^` held where the group matched, not at the
 * reference), ASCII letters folded when the reference is caseless.
 */
function referencedText(ir: Ir, caseless: boolean): Ir {
  switch (ir.kind) {
    case 'assert':
      return EMPTY;
    case 'bytes':
      return caseless ? bytesIr(foldAsciiCase(ir.set)) : ir;
    case 'concat':
      return concatIr(ir.items.map((it) => referencedText(it, caseless)));
    case 'alt':
      return altIr(ir.items.map((it) => referencedText(it, caseless)));
    case 'repeat':
      return repeatIr(referencedText(ir.item, caseless), ir.min, ir.max, ir.greedy);
    default:
      return ir;
  }
}

const ANY_STRING: Ir = repeatIr(bytesIr(ANY_BYTE), 0, Infinity);

/** The regular over-approximation of an exact form (see the module comment). */
export function approximate(form: ExactForm): Ir {
  const groupIr = new Map<number, Ir>();
  const approx = (rx: Rx, negated: boolean): Ir => {
    switch (rx.kind) {
      case 'empty':
      case 'never':
      case 'bytes':
      case 'assert':
        return rx;
      case 'concat':
        return concatIr(rx.items.map((it) => approx(it, negated)));
      case 'alt':
        return altIr(rx.items.map((it) => approx(it, negated)));
      case 'repeat':
        return repeatIr(approx(rx.item, negated), rx.min, rx.max, rx.greedy);
      case 'atomic':
        return approx(rx.item, negated);
      case 'group': {
        const body = approx(rx.item, negated);
        // A group inside a negative lookaround never keeps a capture (references to it fail).
        if (!negated) groupIr.set(rx.index, body);
        return body;
      }
      case 'backref': {
        const g = groupIr.get(rx.index);
        if (g === undefined) return ANY_STRING;
        return referencedText(g, rx.caseless);
      }
      case 'look':
        // Walked for the groups it captures (`(?=(\w+))\1`), then dropped.
        approx(rx.item, negated || rx.negate);
        return EMPTY;
    }
  };
  const ir = approx(form.rx, false);
  return ir.kind === 'never' ? NEVER : ir;
}

/** Whether the pattern can match the empty string (backreferences may). */
export function nullable(rx: Rx): boolean {
  switch (rx.kind) {
    case 'bytes':
    case 'never':
      return false;
    case 'concat':
      return rx.items.every(nullable);
    case 'alt':
      return rx.items.some(nullable);
    case 'repeat':
      return rx.min === 0 || nullable(rx.item);
    case 'group':
    case 'atomic':
      return nullable(rx.item);
    default:
      return true; // empty, assert, look, backref
  }
}

/** Fixed byte length of every match, or -1 when matches differ in length (or it is unknown). */
export function fixedLength(rx: Rx): number {
  switch (rx.kind) {
    case 'empty':
    case 'assert':
    case 'look':
      return 0;
    case 'bytes':
      return 1;
    case 'never':
      return 0;
    case 'concat': {
      let n = 0;
      for (const it of rx.items) {
        const l = fixedLength(it);
        if (l < 0) return -1;
        n += l;
      }
      return n;
    }
    case 'alt': {
      const l = fixedLength(rx.items[0]!);
      for (const it of rx.items) if (fixedLength(it) !== l) return -1;
      return l;
    }
    case 'repeat': {
      if (rx.min !== rx.max) return -1;
      const l = fixedLength(rx.item);
      return l < 0 ? -1 : l * rx.min;
    }
    case 'group':
    case 'atomic':
      return fixedLength(rx.item);
    case 'backref':
      return -1;
  }
}

/**
 * A coarser over-approximation for the automaton: a counted repeat whose bounds pass
 * `limit` becomes `{min(m, limit),}`, which matches everything `{m,n}` does. The exact
 * matcher confirms every end anyway, so the automaton need not count to 1,075 (a
 * `[^']{1075,}` costs 1,075 NFA states, and every scratch grows with the states).
 */
export function coarsenRepeats(ir: Ir, limit: number): Ir {
  switch (ir.kind) {
    case 'concat':
      return concatIr(ir.items.map((it) => coarsenRepeats(it, limit)));
    case 'alt':
      return altIr(ir.items.map((it) => coarsenRepeats(it, limit)));
    case 'repeat': {
      const item = coarsenRepeats(ir.item, limit);
      if (ir.min <= limit && ir.max <= limit) return item === ir.item ? ir : repeatIr(item, ir.min, ir.max, ir.greedy);
      if (ir.max === Infinity || ir.max > limit) return repeatIr(item, Math.min(ir.min, limit), Infinity, ir.greedy);
      return repeatIr(item, ir.min, ir.max, ir.greedy);
    }
    default:
      return ir;
  }
}

/**
 * A lookbehind's top-level branches and the fixed length of each, in order (the converter
 * keeps them in `lengths`; a look built without them is one branch).
 */
export function lookbehindBranches(r: Extract<Rx, { kind: 'look' }>): { branches: readonly Rx[]; lengths: readonly number[] } {
  if (r.lengths === undefined) return { branches: [r.item], lengths: [fixedLength(r.item)] };
  return { branches: r.lengths.length > 1 && r.item.kind === 'alt' ? r.item.items : [r.item], lengths: r.lengths };
}
