/**
 * regexp-tree AST (of the pre-pass output) → byte-level IR, applying the flags that were
 * in effect at each node (`i` folds ASCII letters, `s` widens `.`, `m`/`E` choose the
 * kind of `^`/`$`, `U` swaps greediness). Offsets in errors are mapped back to the
 * original PCRE pattern through the pre-pass tables.
 */
import regexpTree from 'regexp-tree';
import type { Assertion, AstRegExp, CharacterClass, Char, Expression, Quantifier } from 'regexp-tree/ast';
import { RegexSyntaxError, UnsupportedFeatureError } from '../errors.js';
import type { ByteSet, Ir } from './ir.js';
import {
  ANY_BYTE,
  NOT_NEWLINE,
  addRange,
  byteSetOf,
  complement,
  foldAsciiCaseInto,
  newByteSet,
  unionInto,
} from './byte-set.js';
import { EMPTY, altIr, assertIr, bytesIr, concatIr, repeatIr } from './ir-build.js';
import {
  F_I,
  F_M,
  F_S,
  F_U,
  PH_SET_BASE,
  PH_TEXT_END,
  PH_TEXT_END_NEWLINE,
  PH_TEXT_START,
  type Prepassed,
} from './prepass.js';

/** Options of `astToIr` that the pre-pass does not carry per character. */
export interface ConvertOptions {
  /** Snort `E` (PCRE_DOLLAR_ENDONLY): `$` without `m` matches only at the very end. */
  dollarEndOnly: boolean;
}

/** Parses the pre-pass output with regexp-tree, mapping its errors to the PCRE pattern. */
export function parseJs(pattern: string, pre: Prepassed): AstRegExp {
  try {
    return regexpTree.parse(`/${pre.js}/`, { captureLocations: true });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const m = /at (\d+):(\d+)/.exec(msg);
    let offset = 0;
    if (m) {
      const col = Number(m[2]) - 1; // column counts the leading '/'
      offset = pre.srcOffset[Math.min(Math.max(col, 0), pre.srcOffset.length - 1)] ?? 0;
    }
    const reason = msg.split('\n').filter((l) => l.trim() !== '' && !/^\s*\^\s*$/.test(l) && !l.startsWith('/')).pop() ?? msg;
    throw new RegexSyntaxError(reason.trim(), pattern, offset);
  }
}

/**
 * Converts the regexp-tree AST of a pre-pass output to IR.
 * @throws RegexSyntaxError for a construct the pre-pass should have rewritten (an internal
 *   error, reported at its source offset).
 * @throws UnsupportedFeatureError for a lookaround or backreference left in the AST.
 */
export function astToIr(pattern: string, pre: Prepassed, ast: AstRegExp, opts: ConvertOptions): Ir {
  return new AstConverter(pattern, pre, opts).conv(ast.body);
}

type Located = { loc?: { start: { offset: number } } };

/** The branches of a|b|c in order; regexp-tree nests them to the left (walked without deep recursion). */
export function disjunctionBranches(node: Expression | null): (Expression | null)[] {
  const rights: (Expression | null)[] = [];
  let cur: Expression | null = node;
  while (cur !== null && cur.type === 'Disjunction') {
    rights.push(cur.right);
    cur = cur.left;
  }
  rights.push(cur);
  return rights.reverse();
}

/** A quantifier's [min, max] (max may be Infinity). */
export function quantifierBounds(q: Quantifier): [number, number] {
  if (q.kind === 'Range') return [q.from, q.to ?? Infinity];
  if (q.kind === '*') return [0, Infinity];
  if (q.kind === '+') return [1, Infinity];
  return [0, 1];
}

/** The converter; src/syntax/exact.ts reuses it for leaves (chars, classes, simple assertions). */
export class AstConverter {
  constructor(
    private readonly pattern: string,
    private readonly pre: Prepassed,
    private readonly opts: ConvertOptions,
  ) {}

  /** Index of the node's first character in the pre-pass tables. */
  private at(node: Located): number {
    const o = (node.loc?.start.offset ?? 1) - 1;
    return Math.min(Math.max(o, 0), this.pre.flagsAt.length - 1);
  }

  /** The F_* flags in effect at the node. */
  flagsOf(node: Located): number {
    return this.pre.flagsAt.length === 0 ? 0 : this.pre.flagsAt[this.at(node)];
  }

  /** The node's offset in the PCRE pattern (for error messages). */
  srcOf(node: Located): number {
    return this.pre.srcOffset.length === 0 ? 0 : this.pre.srcOffset[this.at(node)];
  }

  private charSet(ch: Char): ByteSet {
    const cp = ch.codePoint;
    const sets = this.pre.sets;
    if (cp >= PH_SET_BASE && cp < PH_SET_BASE + sets.length) return sets[cp - PH_SET_BASE];
    if (cp > 0xff) {
      throw new RegexSyntaxError(`internal: unexpected character U+${cp.toString(16)}`, this.pattern, this.srcOf(ch));
    }
    return byteSetOf(cp);
  }

  private classSet(cls: CharacterClass): ByteSet {
    const s = newByteSet();
    for (const item of cls.expressions) {
      if (item.type === 'ClassRange') addRange(s, item.from.codePoint, item.to.codePoint);
      else unionInto(s, this.charSet(item));
    }
    // PCRE applies caseless to the members, then negates.
    if (this.flagsOf(cls) & F_I) foldAsciiCaseInto(s);
    return cls.negative ? complement(s) : s;
  }

  conv(node: Expression | null): Ir {
    if (node === null) return EMPTY;
    switch (node.type) {
      case 'Char':
        return this.char(node);
      case 'CharacterClass':
        return bytesIr(this.classSet(node));
      case 'Alternative':
        return concatIr(node.expressions.map((e) => this.conv(e)));
      case 'Disjunction':
        return altIr(disjunctionBranches(node).map((b) => this.conv(b)));
      case 'Group':
        return this.conv(node.expression);
      case 'Repetition': {
        const q = node.quantifier;
        const [min, max] = quantifierBounds(q);
        const ungreedy = (this.flagsOf(q) & F_U) !== 0;
        return repeatIr(this.conv(node.expression), min, max, q.greedy !== ungreedy);
      }
      case 'Assertion':
        return this.assertion(node);
      case 'Backreference':
        throw new UnsupportedFeatureError('backreference', this.pattern, this.srcOf(node));
    }
  }

  private char(node: Char): Ir {
    if (node.kind === 'meta' && node.value === '.') {
      return bytesIr(this.flagsOf(node) & F_S ? ANY_BYTE : NOT_NEWLINE);
    }
    const cp = node.codePoint;
    if (cp === PH_TEXT_START) return assertIr('text-start');
    if (cp === PH_TEXT_END_NEWLINE) return assertIr('text-end-newline');
    if (cp === PH_TEXT_END) return assertIr('text-end');
    if (node.kind === 'meta') {
      // The pre-pass turns every class escape into a placeholder; a meta char here is a bug.
      throw new RegexSyntaxError(`internal: unexpected escape ${node.value}`, this.pattern, this.srcOf(node));
    }
    const set = this.charSet(node);
    if (this.flagsOf(node) & F_I) {
      const f = new Uint32Array(set);
      foldAsciiCaseInto(f);
      return bytesIr(f);
    }
    return bytesIr(set);
  }

  private assertion(node: Assertion): Ir {
    switch (node.kind) {
      case '^':
        // Known deviation: PCRE's multiline ^ does not hold after a \n that ends the
        // input; the IR's line-start does (it looks only at the previous byte). It only
        // shows when the rest of the pattern can match empty at the very end, which no
        // pcre option of the three rulesets does.
        return assertIr(this.flagsOf(node) & F_M ? 'line-start' : 'text-start');
      case '$':
        return assertIr(this.flagsOf(node) & F_M ? 'line-end' : this.opts.dollarEndOnly ? 'text-end' : 'text-end-newline');
      case '\\b':
        return assertIr('word-boundary');
      case '\\B':
        return assertIr('not-word-boundary');
      default:
        // The pre-pass already rejects lookarounds; kept as a guard.
        throw new UnsupportedFeatureError(node.kind === 'Lookahead' ? 'lookahead' : 'lookbehind', this.pattern, this.srcOf(node));
    }
  }
}
