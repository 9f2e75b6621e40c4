/**
 * PCRE pre-pass: a lexer for PCRE (8.x, the dialect Snort uses) that rewrites a pattern
 * into JavaScript regex syntax that `regexp-tree` parses without misreading anything.
 *
 * regexp-tree parses JavaScript syntax, which silently differs from PCRE in many places
 * (`\A`, `\Z`, `\z`, `\Q…\E`, POSIX classes, `\x{hh}`, octal `\101`, inline flags,
 * comments, x-mode whitespace, `\h`/`\v`/`\R`/`\N`/`\C`, `\s` including VT, `[\b]`, a
 * leading `]` in a class, …). So this pass reads the PCRE pattern itself and emits a
 * JavaScript pattern made only of constructs whose meaning is unambiguous in both:
 * - every literal byte is written as itself (alphanumerics) or as `\xHH`;
 * - every named byte set (`\d`, `\s`, `[:alpha:]`, `\h`, `\N`, `\C`, …) becomes one private-use
 *   placeholder character (U+E100 + index into `sets`), and `\A`/`\Z`/`\z` become
 *   U+E000..E002, which the AST converter recognises;
 * - classes are re-emitted item by item (bytes, ranges `\xHH-\xHH`, placeholders);
 * - groups, `|`, `.` and validated quantifiers pass through; `^`, `$`, `\b`, `\B` pass
 *   through wrapped in `(?:…)` so that they may be quantified, as PCRE allows;
 * - inline flags `(?i)`, `(?i:…)`, `(?-s)` … are resolved here: the flag word in effect at
 *   every emitted character is recorded in `flagsAt`, next to the source offset in
 *   `srcOffset`, so the converter applies `i`/`s`/`m`/`U` per node and reports errors at
 *   offsets of the original pattern.
 * Constructs no finite automaton can express are rejected here with an
 * `UnsupportedFeatureError` naming the feature and its offset.
 */
import { LimitExceededError, RegexSyntaxError, UnsupportedFeatureError } from '../errors.js';
import type { ByteSet } from './ir.js';
import {
  ANY_BYTE,
  DIGIT,
  HSPACE,
  NOT_NEWLINE,
  POSIX_CLASSES,
  SPACE,
  VSPACE,
  WORD,
  complement,
} from './byte-set.js';

/** Flag bit of `i` (caseless), one of the flag bits tracked per emitted character. */
export const F_I = 1;
/** Flag bit of `s` (`.` matches `\n`). */
export const F_S = 2;
/** Flag bit of `m` (`^`/`$` at line boundaries). */
export const F_M = 4;
/** Flag bit of `x` (blanks and `#` comments ignored). */
export const F_X = 8;
/** PCRE_UNGREEDY (`U` inline, Snort `G`): swaps greediness; never changes match/no-match. */
export const F_U = 16;

/** Placeholder character of `\A` in the emitted pattern. */
export const PH_TEXT_START = 0xe000;
/** Placeholder character of `\Z`. */
export const PH_TEXT_END_NEWLINE = 0xe001;
/** Placeholder character of `\z`. */
export const PH_TEXT_END = 0xe002;
/** Placeholder character of byte set `i` of `Prepassed.sets` is PH_SET_BASE + i. */
export const PH_SET_BASE = 0xe100;

/** PCRE 8.x limit on quantifier counts: ≤ 65535. */
export const MAX_QUANTIFIER = 65535;
/** PCRE 8.x limit on parentheses nesting: ≤ 250 (beyond it, LimitExceededError). */
export const MAX_NESTING = 250;

/** The pre-pass output: the JavaScript pattern and, per emitted character, where it came from. */
export interface Prepassed {
  /** The JavaScript pattern body (no delimiters, no flags). */
  readonly js: string;
  /** For each character of `js`, the offset in the PCRE pattern it came from. */
  readonly srcOffset: Int32Array;
  /** For each character of `js`, the F_* flags in effect there. */
  readonly flagsAt: Uint8Array;
  /** Byte sets referenced by placeholders U+E100 + index. */
  readonly sets: readonly ByteSet[];
  /** Exact mode: the confirmable features used (empty otherwise). */
  readonly features: readonly string[];
  /** Number of capturing groups. */
  readonly groups: number;
}

const NAMED_SETS: Readonly<Record<string, ByteSet>> = {
  d: DIGIT,
  D: complement(DIGIT),
  w: WORD,
  W: complement(WORD),
  s: SPACE,
  S: complement(SPACE),
  h: HSPACE,
  H: complement(HSPACE),
  v: VSPACE,
  V: complement(VSPACE),
  N: NOT_NEWLINE,
  C: ANY_BYTE,
};

/** What one backslash sequence means. */
type Escape =
  | { t: 'byte'; v: number; end: number }
  | { t: 'set'; key: string; set: ByteSet; end: number }
  | { t: 'assert'; js: string; end: number }
  | { t: 'newline-seq'; end: number }
  | { t: 'quote-start'; end: number }
  | { t: 'quote-end'; end: number }
  /** A backreference (exact mode): group number, or a name to resolve. */
  | { t: 'backref'; n: number; name?: string; end: number };

function byte(v: number, end: number): Escape {
  return { t: 'byte', v, end };
}

/** Reading position inside a class, and whether a `\Q…\E` quote is open. */
interface ClassCursor {
  j: number;
  inQuote: boolean;
}

/** One class item: a byte (`multi`: a char above U+00FF, several bytes), a set placeholder, or nothing. */
type ClassAtom = { t: 'byte'; v: number; multi: boolean } | { t: 'set'; ph: string } | { t: 'skip' };

type RepeatState = 'none' | 'atom' | 'quantifier';

const POSIX_RE = /\[:(\^?)([A-Za-z]+):\]/y;
const QUANT_RE = /\{(\d+)(,(\d*))?\}/y;
const GROUP_NAME_RE = /[A-Za-z_][A-Za-z0-9_]{0,31}/y;

/**
 * A branch (the items between two `|` of one group level) with more items than this is
 * emitted in chunks, each wrapped in `(?:…)`: regexp-tree builds the item list of a branch
 * by copying it once per item (`list.concat(item)`), quadratic in the branch length
 * (2 s for a 20,000-character literal). With chunks of ⌈√n⌉ items both levels stay
 * linear. The groups are non-capturing and the converter flattens them, so the IR is the
 * same as without chunks.
 */
const CHUNK_ABOVE = 256;

/** An open group while lexing: the flags to restore, its source offset, its first output char, the item starts of its current branch. */
interface OpenGroup {
  flags: number;
  at: number;
  outAt: number;
  items: number[];
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
function isOctal(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '7';
}
function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9A-Fa-f]$/.test(c);
}
/** PCRE's x-mode white space (VT included since 8.34). */
function isXSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}
function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}
function isAlnumCode(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

/**
 * The bytes a pattern character stands for. Patterns are read in the latin1 view (one
 * char = one byte for U+0000..U+00FF); a char above U+00FF (a pattern that did not come
 * from raw bytes) stands for its UTF-8 bytes, as PCRE without UTF would see them.
 */
function charBytes(code: number): number[] {
  if (code <= 0xff) return [code];
  const enc = new TextEncoder().encode(String.fromCodePoint(code));
  return Array.from(enc);
}

class Lexer {
  private i = 0;
  private readonly out: string[] = [];
  private readonly srcOff: number[] = [];
  private readonly flagsOut: number[] = [];
  private readonly sets: ByteSet[] = [];
  private readonly setIndex = new Map<string, number>();
  private readonly stack: OpenGroup[] = [];
  /** Output indices where an item of the current top-level branch starts (see CHUNK_ABOVE). */
  private topItems: number[] = [];
  /** Chunk parentheses to insert: output index and text, in the order they were decided. */
  private readonly insertAt: number[] = [];
  private readonly insertText: string[] = [];
  private captures = 0;
  private repeat: RepeatState = 'none';
  /** Exact mode: capture number of each group name. */
  private readonly names = new Map<string, number>();
  /** Exact mode: atomic groups emitted so far (their JS names are a1, a2, …). */
  private atomics = 0;
  /** Exact mode: the highest group number a backreference names (checked at the end). */
  private maxRef = 0;
  private maxRefAt = 0;
  /** Exact mode: a reference inside its own group was emitted (see `numberOpenRefs`). */
  private openRefs = false;
  /** Offset of the first branch reset group `(?|`, of the first backreference, -1 if none. */
  private branchResetAt = -1;
  private refAt = -1;
  /** Names borne by more than one group, and the offset of a reference by such a name (-1 if none). */
  private readonly dupNames = new Set<string>();
  private readonly refNames = new Map<string, number>();
  private dupNameRefAt = -1;
  /** Exact mode: the confirmable features met, in order of first use. */
  private readonly features: string[] = [];

  constructor(
    private readonly p: string,
    private flags: number,
    /**
     * Exact mode (`prepassExact`): backreferences, lookarounds, atomic groups and
     * possessive quantifiers are emitted instead of rejected (see `prepassExact`).
     */
    private readonly exact = false,
  ) {}

  /** A confirmable feature at `at`: rejected, or (exact mode) noted and accepted. */
  private confirmable(feature: string, at: number): void {
    if (!this.exact) this.unsupported(feature, at);
    if (!this.features.includes(feature)) this.features.push(feature);
  }

  private syntax(reason: string, at: number): never {
    throw new RegexSyntaxError(reason, this.p, at);
  }
  private unsupported(feature: string, at: number): never {
    throw new UnsupportedFeatureError(feature, this.p, at);
  }

  private emit(text: string, at: number): void {
    for (let k = 0; k < text.length; k++) {
      this.out.push(text[k]);
      this.srcOff.push(at);
      this.flagsOut.push(this.flags);
    }
  }

  private byteText(b: number): string {
    return isAlnumCode(b) ? String.fromCharCode(b) : `\\x${hex2(b)}`;
  }

  private emitLiteralChar(code: number, at: number): void {
    this.itemStart(this.out.length);
    for (const b of charBytes(code)) this.emit(this.byteText(b), at);
    this.repeat = 'atom';
  }

  private placeholder(key: string, set: ByteSet): string {
    let idx = this.setIndex.get(key);
    if (idx === undefined) {
      idx = this.sets.length;
      this.sets.push(set);
      this.setIndex.set(key, idx);
    }
    return String.fromCharCode(PH_SET_BASE + idx);
  }

  run(): Prepassed {
    const p = this.p;
    const n = p.length;
    while (this.i < n) {
      const c = p[this.i];
      if (this.flags & F_X) {
        if (isXSpace(c)) {
          this.i++;
          continue;
        }
        if (c === '#') {
          while (this.i < n && p[this.i] !== '\n') this.i++;
          continue;
        }
      }
      this.token(c, this.i);
    }
    if (this.stack.length > 0) this.syntax('missing closing parenthesis', this.stack[this.stack.length - 1].at);
    this.endBranch(this.topItems, this.out.length);
    if (this.maxRef > this.captures) this.syntax('reference to non-existent subpattern', this.maxRefAt);
    // Exact mode numbers groups left to right, one name one group: backreferences would
    // read the wrong group under a branch reset (its branches share numbers) or by a name
    // several groups bear ((?J)).
    if (this.refAt >= 0 && this.branchResetAt >= 0) this.unsupported('backreference in a pattern with a branch reset group', this.branchResetAt);
    if (this.dupNameRefAt >= 0) this.unsupported('backreference to a duplicate group name', this.dupNameRefAt);
    if (this.insertAt.length > 0) this.insertChunks();
    if (this.openRefs) this.numberOpenRefs();
    return {
      js: this.out.join(''),
      srcOffset: Int32Array.from(this.srcOff),
      flagsAt: Uint8Array.from(this.flagsOut),
      sets: this.sets,
      features: this.features,
      groups: this.captures,
    };
  }

  /** Records that an item of the current branch starts at output index `k`. */
  private itemStart(k: number): void {
    const items = this.stack.length > 0 ? this.stack[this.stack.length - 1].items : this.topItems;
    if (items.length === 0 || items[items.length - 1] < k) items.push(k);
  }

  /** A branch whose items start at `items` ends at output index `end`: chunk it if long. */
  private endBranch(items: readonly number[], end: number): void {
    const n = items.length;
    if (n <= CHUNK_ABOVE) return;
    const size = Math.ceil(Math.sqrt(n));
    for (let i = 0; i < n; i += size) {
      const j = i + size;
      this.insertAt.push(items[i]);
      this.insertText.push('(?:');
      this.insertAt.push(j < n ? items[j] : end);
      this.insertText.push(')');
    }
  }

  /** Inserts the chunk parentheses into the output and its offset and flag tables (one pass). */
  private insertChunks(): void {
    const order = Array.from(this.insertAt.keys()).sort((a, b) => this.insertAt[a] - this.insertAt[b] || a - b);
    const out: string[] = [];
    const srcOff: number[] = [];
    const flagsOut: number[] = [];
    const n = this.out.length;
    let k = 0;
    for (const x of order) {
      const at = this.insertAt[x];
      for (; k < at; k++) {
        out.push(this.out[k]);
        srcOff.push(this.srcOff[k]);
        flagsOut.push(this.flagsOut[k]);
      }
      const near = Math.min(at, n - 1);
      for (const ch of this.insertText[x]) {
        out.push(ch);
        srcOff.push(this.srcOff[near]);
        flagsOut.push(this.flagsOut[near]);
      }
    }
    for (; k < n; k++) {
      out.push(this.out[k]);
      srcOff.push(this.srcOff[k]);
      flagsOut.push(this.flagsOut[k]);
    }
    this.replaceOutput(out, srcOff, flagsOut);
  }

  /** The output and its offset and flag tables become the given ones (a pass that rewrote them). */
  private replaceOutput(out: string[], srcOff: number[], flagsOut: number[]): void {
    this.out.length = 0;
    this.srcOff.length = 0;
    this.flagsOut.length = 0;
    for (let i = 0; i < out.length; i++) {
      this.out.push(out[i]);
      this.srcOff.push(srcOff[i]);
      this.flagsOut.push(flagsOut[i]);
    }
  }

  /** Reads the token starting with `c` at offset `at` (outside a class). */
  private token(c: string, at: number): void {
    const start = this.out.length;
    const depth = this.stack.length;
    this.tokenBody(c, at);
    // An item of the current branch started here when the token emitted an atom at this
    // level (a comment emits nothing; a `(` or `)` is recorded by the group itself).
    if (this.repeat === 'atom' && this.stack.length === depth && this.out.length > start && c !== ')') this.itemStart(start);
  }

  private tokenBody(c: string, at: number): void {
    const p = this.p;
    switch (c) {
      case '\\':
        this.outsideEscape();
        break;
      case '[':
        this.characterClass();
        break;
      case '(':
        this.openGroup();
        break;
      case ')':
        this.closeGroup(at);
        break;
      case '|': {
        const top = this.stack[this.stack.length - 1];
        this.endBranch(top ? top.items : this.topItems, this.out.length);
        if (top) top.items = [];
        else this.topItems = [];
        this.emit('|', at);
        this.repeat = 'none';
        this.i++;
        break;
      }
      case '^':
      case '$':
        this.emitAssertion(c, at);
        this.i++;
        break;
      case '.':
        this.emit('.', at);
        this.repeat = 'atom';
        this.i++;
        break;
      case '*':
        this.quantifier(0, Infinity, at, 1);
        break;
      case '+':
        this.quantifier(1, Infinity, at, 1);
        break;
      case '?':
        this.quantifier(0, 1, at, 1);
        break;
      case '{':
        this.brace(at);
        break;
      default: {
        const code = p.codePointAt(at)!;
        this.emitLiteralChar(code, at);
        this.i += code > 0xffff ? 2 : 1;
        break;
      }
    }
  }

  private closeGroup(at: number): void {
    const g = this.stack.pop();
    if (!g) this.syntax('unmatched closing parenthesis', at);
    this.endBranch(g.items, this.out.length);
    this.itemStart(g.outAt);
    this.emit(')', at);
    this.flags = g.flags;
    this.repeat = 'atom';
    this.i++;
  }

  /** A `{`: a counted quantifier, or a literal `{`. */
  private brace(at: number): void {
    QUANT_RE.lastIndex = at;
    const m = QUANT_RE.exec(this.p);
    if (m) {
      const lo = Number(m[1]);
      const hi = m[2] === undefined ? lo : m[3] === '' ? Infinity : Number(m[3]);
      this.quantifier(lo, hi, at, m[0].length);
    } else {
      // PCRE 8.x: a `{` that does not start {n}, {n,} or {n,m} is a literal (so is `{,3}`).
      this.emitLiteralChar(0x7b, at);
      this.i++;
    }
  }

  /**
   * Assertions go out wrapped in a group: JavaScript refuses `^*` or `\b+`, while PCRE
   * and Perl accept a quantified assertion (it means the assertion, or nothing when the
   * minimum is 0; the IR builder collapses such repeats).
   */
  private emitAssertion(js: string, at: number): void {
    this.emit(`(?:${js})`, at);
    this.repeat = 'atom';
  }

  private quantifier(min: number, max: number, at: number, len: number): void {
    if (min > MAX_QUANTIFIER || (max !== Infinity && max > MAX_QUANTIFIER)) {
      this.syntax('number too big in {} quantifier', at);
    }
    if (max < min) this.syntax('numbers out of order in {} quantifier', at);
    if (this.repeat === 'none' || this.repeat === 'quantifier') this.syntax('quantifier does not follow a repeatable item', at);
    let j = at + len;
    let lazy = false;
    let possessive = false;
    if (this.p[j] === '+') {
      this.confirmable('possessive quantifier', at);
      possessive = true;
      j++;
    } else if (this.p[j] === '?') {
      lazy = true;
      j++;
    }
    let text: string;
    if (min === 0 && max === Infinity) text = '*';
    else if (min === 1 && max === Infinity) text = '+';
    else if (min === 0 && max === 1) text = '?';
    else if (max === Infinity) text = `{${min},}`;
    else if (min === max) text = `{${min}}`;
    else text = `{${min},${max}}`;
    if (possessive) this.wrapLastItemAtomic(at);
    this.emit(lazy ? `${text}?` : text, at);
    if (possessive) this.emit(')', at);
    this.repeat = 'quantifier';
    this.i = j;
  }

  /**
   * Possessive quantifier (exact mode): `X*+` is `(?>X*)`, so the atomic group's opening
   * goes in front of the item just read (the last item start of the current branch).
   */
  private wrapLastItemAtomic(at: number): void {
    const items = this.stack.length > 0 ? this.stack[this.stack.length - 1].items : this.topItems;
    const start = items.length > 0 ? items[items.length - 1] : this.out.length;
    const open = `(?<a${++this.atomics}>`;
    const f = this.flagsOut[start] ?? this.flags;
    this.out.splice(start, 0, ...open);
    this.srcOff.splice(start, 0, ...new Array<number>(open.length).fill(at));
    this.flagsOut.splice(start, 0, ...new Array<number>(open.length).fill(f));
    // Chunk parentheses decided inside the item move with it.
    for (let x = 0; x < this.insertAt.length; x++) if (this.insertAt[x] > start) this.insertAt[x] += open.length;
  }

  private openGroup(): void {
    const p = this.p;
    const at = this.i;
    if (this.stack.length >= MAX_NESTING) {
      throw new LimitExceededError('group nesting depth', MAX_NESTING, this.stack.length + 1, `at offset ${at} in /${p}/`);
    }
    if (p[at + 1] === '*') this.unsupported('backtracking control verb', at);
    if (p[at + 1] !== '?') {
      this.pushGroup(this.exact ? `(?<g${this.captures + 1}>` : '(', at, at + 1, true);
      return;
    }
    const c = p[at + 2];
    switch (c) {
      case ':':
      case '|': // branch reset only renumbers captures: a plain group for matching
        if (c === '|' && this.branchResetAt < 0) this.branchResetAt = at;
        this.pushGroup('(?:', at, at + 3, false);
        return;
      case '>':
        this.confirmable('atomic group', at);
        this.pushGroup(`(?<a${++this.atomics}>`, at, at + 3, false);
        return;
      case '=':
      case '!':
        this.confirmable('lookahead', at);
        this.pushGroup(`(?${c}`, at, at + 3, false);
        return;
      case '<':
        if (p[at + 3] === '=' || p[at + 3] === '!') {
          this.confirmable('lookbehind', at);
          this.pushGroup(`(?<${p[at + 3]}`, at, at + 4, false);
          return;
        }
        this.namedGroup(at, at + 3, '>');
        return;
      case "'":
        this.namedGroup(at, at + 3, "'");
        return;
      case 'P':
        if (p[at + 3] === '<') {
          this.namedGroup(at, at + 4, '>');
          return;
        }
        if (p[at + 3] === '=') {
          // (?P=name): a backreference by name.
          this.confirmable('backreference', at);
          GROUP_NAME_RE.lastIndex = at + 4;
          const m = GROUP_NAME_RE.exec(p);
          if (!m || p[at + 4 + m[0].length] !== ')') this.syntax('syntax error in subpattern name (missing terminator)', at + 4);
          this.emitBackref({ t: 'backref', n: 0, name: m[0], end: at + 5 + m[0].length }, at);
          return;
        }
        if (p[at + 3] === '>') this.unsupported('recursion', at);
        this.syntax('unrecognized character after (?P', at + 3);
      // falls through
      case '#': {
        const close = p.indexOf(')', at + 3);
        if (close < 0) this.syntax('missing ) after comment', at);
        this.i = close + 1; // a comment is invisible: the repeat state is unchanged
        return;
      }
      case '(':
        this.unsupported('conditional group', at);
      // falls through
      case 'R':
      case '&':
        this.unsupported('recursion', at);
      // falls through
      case 'C':
        this.unsupported('callout', at);
      // falls through
      case undefined:
        this.syntax('unterminated group', at);
      // falls through
      default:
        break;
    }
    if (isDigit(c) || ((c === '+' || c === '-') && isDigit(p[at + 3]))) this.unsupported('recursion', at);
    this.optionSetting(at);
  }

  private pushGroup(js: string, at: number, next: number, capturing: boolean): void {
    this.stack.push({ flags: this.flags, at, outAt: this.out.length, items: [] });
    if (capturing) this.captures++;
    this.emit(js, at);
    this.repeat = 'none';
    this.i = next;
  }

  /** Option setting at `at`: `(?imsxJUX-imsxJUX)` or `(?imsx-imsx: … )`. */
  private optionSetting(at: number): void {
    const p = this.p;
    let j = at + 2;
    let on = true;
    let newFlags = this.flags;
    for (;;) {
      const f = p[j];
      if (f === undefined) this.syntax('unterminated group', at);
      if (f === ')' || f === ':') break;
      const bit = f === 'i' ? F_I : f === 's' ? F_S : f === 'm' ? F_M : f === 'x' ? F_X : f === 'U' ? F_U : 0;
      if (f === '-') {
        if (!on) this.syntax('repeated - in option setting', j);
        on = false;
      } else if (bit !== 0) {
        newFlags = on ? newFlags | bit : newFlags & ~bit;
      } else if (f !== 'J' && f !== 'X') {
        // J (duplicate names) and X (extra) do not change what matches.
        this.syntax(`unrecognized character after (? or (?-: '${f}'`, j);
      }
      j++;
    }
    if (p[j] === ')') {
      // Applies to the rest of the enclosing group (and its later branches). As in PCRE
      // and Perl, a quantifier right after it has nothing to repeat.
      this.flags = newFlags;
      this.repeat = 'none';
      this.i = j + 1;
      return;
    }
    this.stack.push({ flags: this.flags, at, outAt: this.out.length, items: [] });
    this.flags = newFlags;
    this.emit('(?:', at);
    this.repeat = 'none';
    this.i = j + 1;
  }

  private namedGroup(at: number, nameStart: number, terminator: string): void {
    GROUP_NAME_RE.lastIndex = nameStart;
    const m = GROUP_NAME_RE.exec(this.p);
    if (!m || this.p[nameStart + m[0].length] !== terminator) this.syntax('invalid group name', nameStart);
    // Names only matter to backreferences: a plain capturing group (named by number in exact mode).
    this.stack.push({ flags: this.flags, at, outAt: this.out.length, items: [] });
    this.captures++;
    if (this.exact && !this.names.has(m[0])) this.names.set(m[0], this.captures);
    else if (this.exact) {
      this.dupNames.add(m[0]);
      const ref = this.refNames.get(m[0]);
      if (ref !== undefined && this.dupNameRefAt < 0) this.dupNameRefAt = ref;
    }
    this.emit(this.exact ? `(?<g${this.captures}>` : '(', at);
    this.repeat = 'none';
    this.i = nameStart + m[0].length + 1;
  }

  /**
   * Reads the escape at `pos` (`p[pos]` is the backslash). Byte-valued escapes are shared
   * by both contexts; `inClass` switches the few that differ (`\b` is backspace in a
   * class; `\B`, `\R`, `\X` and assertion letters are plain letters there, as in PCRE 8.x).
   */
  private readEscape(pos: number, inClass: boolean): Escape {
    const p = this.p;
    const c = p[pos + 1];
    if (c === undefined) this.syntax('\\ at end of pattern', pos);
    switch (c) {
      case 'a':
        return byte(0x07, pos + 2);
      case 'e':
        return byte(0x1b, pos + 2);
      case 'f':
        return byte(0x0c, pos + 2);
      case 'n':
        return byte(0x0a, pos + 2);
      case 'r':
        return byte(0x0d, pos + 2);
      case 't':
        return byte(0x09, pos + 2);
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S':
      case 'h':
      case 'H':
      case 'v':
      case 'V':
        return { t: 'set', key: c, set: NAMED_SETS[c], end: pos + 2 };
      case 'N':
        if (p[pos + 2] === '{') this.syntax('PCRE does not support \\N{name}', pos);
        if (inClass) this.syntax('\\N is not supported in a class', pos);
        return { t: 'set', key: 'N', set: NAMED_SETS.N, end: pos + 2 };
      case 'C':
        if (inClass) return byte(0x43, pos + 2);
        return { t: 'set', key: 'C', set: NAMED_SETS.C, end: pos + 2 };
      case 'b':
        return inClass ? byte(0x08, pos + 2) : { t: 'assert', js: '\\b', end: pos + 2 };
      case 'B':
        return inClass ? byte(0x42, pos + 2) : { t: 'assert', js: '\\B', end: pos + 2 };
      case 'A':
      case 'Z':
      case 'z': {
        if (inClass) return byte(c.charCodeAt(0), pos + 2);
        const ph = c === 'A' ? PH_TEXT_START : c === 'Z' ? PH_TEXT_END_NEWLINE : PH_TEXT_END;
        return { t: 'assert', js: String.fromCharCode(ph), end: pos + 2 };
      }
      case 'G':
      case 'K':
      case 'R':
      case 'X':
      case 'p':
      case 'P':
      case 'Q':
      case 'E':
      case 'g':
      case 'k':
      case 'L':
      case 'l':
      case 'U':
      case 'u':
        return this.letterEscape(pos, c, inClass);
      case 'x':
        return this.hexEscape(pos);
      case 'o':
        return this.octalBraceEscape(pos);
      case 'c':
        return this.controlEscape(pos);
      default:
        break;
    }
    if (isDigit(c)) return this.digitEscape(pos, c, inClass);
    // Any other escaped character stands for itself (PCRE 8.x also takes unknown letters
    // literally). Non-latin1 characters are handled by the caller through charBytes.
    const code = p.codePointAt(pos + 1)!;
    return byte(code, pos + (code > 0xffff ? 3 : 2));
  }

  /**
   * Escapes whose letter means something else in a class: `\G`, `\K`, `\R`, `\X`, `\g`,
   * `\k` (plain letters in a class), quoting `\Q…\E`, and the letters PCRE refuses.
   */
  private letterEscape(pos: number, c: string, inClass: boolean): Escape {
    const p = this.p;
    switch (c) {
      case 'G':
      case 'K':
        if (inClass) return byte(c.charCodeAt(0), pos + 2);
        this.unsupported(`\\${c}`, pos);
      // falls through
      case 'R':
        if (inClass) return byte(0x52, pos + 2);
        return { t: 'newline-seq', end: pos + 2 };
      case 'X':
        if (inClass) return byte(0x58, pos + 2);
        this.unsupported('\\X (extended grapheme cluster)', pos);
      // falls through
      case 'p':
      case 'P':
        this.unsupported(`Unicode property \\${c}`, pos);
      // falls through
      case 'Q':
        return { t: 'quote-start', end: pos + 2 };
      case 'E':
        return { t: 'quote-end', end: pos + 2 };
      case 'g':
        if (inClass) return byte(0x67, pos + 2);
        if (p[pos + 2] === '<' || p[pos + 2] === "'") this.unsupported('recursion', pos);
        this.confirmable('backreference', pos);
        return this.gEscape(pos);
      case 'k': {
        if (inClass) return byte(0x6b, pos + 2);
        this.confirmable('backreference', pos);
        const close = { '<': '>', "'": "'", '{': '}' }[p[pos + 2] ?? ''];
        GROUP_NAME_RE.lastIndex = pos + 3;
        const m = close === undefined ? null : GROUP_NAME_RE.exec(p);
        if (!m || p[pos + 3 + m[0].length] !== close) this.syntax('\\k is not followed by a braced, angle-bracketed, or quoted name', pos);
        return { t: 'backref', n: 0, name: m[0], end: pos + 4 + m[0].length };
      }
      default: // L, l, U, u
        return this.syntax('PCRE does not support \\L, \\l, \\N{name}, \\U, or \\u', pos);
    }
  }

  /** `\g` backreferences: `\gN`, `\g-N`, `\g{N}`, `\g{-N}`, `\g{name}` (exact mode). */
  private gEscape(pos: number): Escape {
    const p = this.p;
    const braced = p[pos + 2] === '{';
    let j = braced ? pos + 3 : pos + 2;
    const m = /^(-?)(\d+)|^([A-Za-z_][A-Za-z0-9_]{0,31})/.exec(p.slice(j, j + 40));
    if (!m || (m[3] !== undefined && !braced)) this.syntax('a numbered reference must not be zero', pos);
    j += m[0].length;
    if (braced) {
      if (p[j] !== '}') this.syntax('\\g is not followed by a braced, angle-bracketed, or quoted name/number', pos);
      j++;
    }
    if (m[3] !== undefined) return { t: 'backref', n: 0, name: m[3], end: j };
    const v = Number(m[2]);
    // Relative: \g{-1} is the most recently opened group.
    const n = m[1] === '-' ? this.captures + 1 - v : v;
    if (n <= 0) this.syntax('a numbered reference must not be zero', pos);
    return { t: 'backref', n, end: j };
  }

  /** Emits a backreference as a JavaScript named reference to group `g<N>`. */
  private emitBackref(e: Extract<Escape, { t: 'backref' }>, at: number): void {
    let n = e.n;
    if (this.refAt < 0) this.refAt = at;
    if (e.name !== undefined) {
      if (!this.refNames.has(e.name)) this.refNames.set(e.name, at);
      if (this.dupNames.has(e.name) && this.dupNameRefAt < 0) this.dupNameRefAt = at;
      const known = this.names.get(e.name);
      // PCRE resolves names over the whole pattern; forward references by name are rare.
      if (known === undefined) this.unsupported('forward reference to a named group', at);
      n = known;
    }
    // A reference to a group opened later: PCRE allows it (it fails until that group
    // matched, e.g. inside a repeat), regexp-tree would read it as literal text.
    if (n > this.captures) {
      this.unsupported('forward backreference', at);
    }
    if (n > this.maxRef) {
      this.maxRef = n;
      this.maxRefAt = at;
    }
    this.itemStart(this.out.length);
    // regexp-tree reads `\k<name>` as a reference only once the group has closed (before,
    // as the literal text `k<g1>`): a reference to a group still open (`(a|b\1)+`) gets
    // a placeholder name, numbered once the output is final (`numberOpenRefs`).
    const open = `(?<g${n}>`;
    const inside = this.stack.some((g) => this.out.slice(g.outAt, g.outAt + open.length).join('') === open);
    this.emit(inside ? `\\k<o${n}>` : `\\k<g${n}>`, at);
    if (inside) this.openRefs = true;
    this.repeat = 'atom';
    this.i = e.end;
  }

  /**
   * Rewrites each placeholder `\k<oN>` (a reference inside group N) as `(?:\M)`, M being
   * group N's number in the JavaScript pattern (every `(?<gK>` and `(?<aK>` counts), which
   * regexp-tree reads as a reference while the group is open; the converter maps M back to
   * N. Done last, when possessive quantifiers have inserted all their atomic groups.
   */
  private numberOpenRefs(): void {
    const js = this.out.join('');
    const out: string[] = [];
    const srcOff: number[] = [];
    const flagsOut: number[] = [];
    const re = /\\k<o(\d+)>/g;
    let k = 0;
    for (let m = re.exec(js); m !== null; m = re.exec(js)) {
      const open = `(?<g${m[1]}>`;
      const jsNumber = (js.slice(0, js.indexOf(open) + open.length).match(/\(\?<[ga]\d/g) ?? []).length;
      for (; k < m.index; k++) {
        out.push(js[k]);
        srcOff.push(this.srcOff[k]);
        flagsOut.push(this.flagsOut[k]);
      }
      for (const ch of `(?:\\${jsNumber})`) {
        out.push(ch);
        srcOff.push(this.srcOff[m.index]);
        flagsOut.push(this.flagsOut[m.index]);
      }
      k = m.index + m[0].length;
    }
    for (; k < js.length; k++) {
      out.push(js[k]);
      srcOff.push(this.srcOff[k]);
      flagsOut.push(this.flagsOut[k]);
    }
    this.replaceOutput(out, srcOff, flagsOut);
  }

  /** `\xhh` (up to two digits) or `\x{hh…}`. */
  private hexEscape(pos: number): Escape {
    const p = this.p;
    if (p[pos + 2] === '{') {
      let j = pos + 3;
      while (isHex(p[j])) j++;
      if (p[j] === '}' && j > pos + 3) {
        const v = parseInt(p.slice(pos + 3, j), 16);
        if (v > 0xff) this.syntax('character value in \\x{} or \\o{} is too large', pos);
        return byte(v, j + 1);
      }
      // Not a well-formed \x{…}: PCRE reads `\x` with no digits (NUL) and a literal `{`.
      return byte(0, pos + 2);
    }
    let j = pos + 2;
    while (j < pos + 4 && isHex(p[j])) j++;
    return byte(j === pos + 2 ? 0 : parseInt(p.slice(pos + 2, j), 16), j);
  }

  /** `\o{ooo}`. */
  private octalBraceEscape(pos: number): Escape {
    const p = this.p;
    if (p[pos + 2] !== '{') this.syntax('missing opening brace after \\o', pos);
    let j = pos + 3;
    while (isOctal(p[j])) j++;
    if (p[j] !== '}' || j === pos + 3) this.syntax('malformed \\o{...}', pos);
    const v = parseInt(p.slice(pos + 3, j), 8);
    if (v > 0xff) this.syntax('character value in \\x{} or \\o{} is too large', pos);
    return byte(v, j + 1);
  }

  /** `\cX`: the control character of an ASCII letter or symbol. */
  private controlEscape(pos: number): Escape {
    const x = this.p[pos + 2];
    if (x === undefined) this.syntax('\\c at end of pattern', pos);
    const code = x.charCodeAt(0);
    if (code > 0x7f) this.syntax('\\c must be followed by an ASCII character', pos);
    const upper = code >= 0x61 && code <= 0x7a ? code - 0x20 : code;
    return byte(upper ^ 0x40, pos + 3);
  }

  /** `\` and a digit `c`: an octal byte, or (outside a class) a backreference, rejected. */
  private digitEscape(pos: number, c: string, inClass: boolean): Escape {
    const p = this.p;
    if (c === '0') {
      // \0 followed by up to two further octal digits.
      let j = pos + 2;
      while (j < pos + 4 && isOctal(p[j])) j++;
      return byte(parseInt(p.slice(pos + 1, j), 8), j);
    }
    if (!inClass) {
      let j = pos + 1;
      while (isDigit(p[j])) j++;
      const num = Number(p.slice(pos + 1, j));
      // PCRE 8.x: below 10, or not more than the captures opened so far: a backreference.
      if (num < 10 || num <= this.captures || !isOctal(c)) {
        this.confirmable('backreference', pos);
        return { t: 'backref', n: num, end: j };
      }
    } else if (!isOctal(c)) {
      return byte(c.charCodeAt(0), pos + 2); // [\8] is a literal 8
    }
    let j = pos + 1;
    while (j < pos + 4 && isOctal(p[j])) j++;
    const v = parseInt(p.slice(pos + 1, j), 8);
    if (v > 0xff) this.syntax('octal value is greater than \\377 in 8-bit non-UTF mode', pos);
    return byte(v, j);
  }

  private outsideEscape(): void {
    const at = this.i;
    const e = this.readEscape(at, false);
    switch (e.t) {
      case 'byte':
        this.emitLiteralChar(e.v, at);
        break;
      case 'set':
        this.emit(this.placeholder(e.key, e.set), at);
        this.repeat = 'atom';
        break;
      case 'assert':
        this.emitAssertion(e.js, at);
        break;
      case 'backref':
        this.emitBackref(e, at);
        return;
      case 'newline-seq':
        // \R: CRLF, or one of LF VT FF CR NEL (8-bit, non-UTF). Known deviation: PCRE makes
        // \R atomic (CRLF is never split), which needs a lookahead the IR lacks, so `\R{2}`
        // also matches CR LF here. No pcre option of the three rulesets uses \R.
        this.emit('(?:\\x0d\\x0a|[\\x0a-\\x0d\\x85])', at);
        this.repeat = 'atom';
        break;
      case 'quote-start': {
        const p = this.p;
        let j = e.end;
        while (j < p.length && !(p[j] === '\\' && p[j + 1] === 'E')) {
          const code = p.codePointAt(j)!;
          this.emitLiteralChar(code, j);
          j += code > 0xffff ? 2 : 1;
        }
        this.i = j < p.length ? j + 2 : j;
        return;
      }
      case 'quote-end':
        break; // a lone \E is ignored
    }
    this.i = e.end;
  }

  /** A character class `[...]`, re-emitted item by item as bytes, ranges and placeholders. */
  private characterClass(): void {
    const p = this.p;
    const at = this.i;
    POSIX_RE.lastIndex = at;
    if (POSIX_RE.test(p)) this.syntax('POSIX named classes are supported only within a class', at);
    const cur: ClassCursor = { j: at + 1, inQuote: false };
    let negated = false;
    if (p[cur.j] === '^') {
      negated = true;
      cur.j++;
    }
    const parts: string[] = [];
    const partAt: number[] = [];
    let first = true;
    for (;;) {
      if (cur.j >= p.length) this.syntax('missing terminating ] for character class', at);
      if (!cur.inQuote && p[cur.j] === ']' && !first) {
        cur.j++;
        break;
      }
      const pos = cur.j;
      const a = this.classAtom(cur);
      if (a.t === 'skip') continue;
      first = false;
      if (a.t === 'set') {
        parts.push(a.ph);
        partAt.push(pos);
        continue;
      }
      // Range? `-` not quoted, not last before `]`, both ends single bytes.
      if (!cur.inQuote && !a.multi && p[cur.j] === '-' && cur.j + 1 < p.length && p[cur.j + 1] !== ']') {
        const save = cur.j;
        cur.j++;
        const b = this.classAtom(cur);
        if (b.t === 'byte' && !b.multi) {
          if (b.v < a.v) this.syntax('range out of order in character class', pos);
          parts.push(`\\x${hex2(a.v)}-\\x${hex2(b.v)}`);
          partAt.push(pos);
          continue;
        }
        // `[a-\d]`, `[a-[:digit:]]`, `[a-\Q…`: PCRE 8.x takes the `-` literally.
        cur.j = save;
        cur.inQuote = false; // the range test ran with inQuote false; undo a `\Q` it read
      }
      for (const b of charBytes(a.v)) {
        parts.push(`\\x${hex2(b)}`);
        partAt.push(pos);
      }
    }
    this.emit('[', at);
    if (negated) this.emit('^', at);
    for (let k = 0; k < parts.length; k++) this.emit(parts[k], partAt[k]);
    this.emit(']', at);
    this.repeat = 'atom';
    this.i = cur.j;
  }

  /** Reads one class atom at `cur.j`: a byte (with whether it is more than one byte) or a set. */
  private classAtom(cur: ClassCursor): ClassAtom {
    const p = this.p;
    const ch = p[cur.j];
    if (cur.inQuote) {
      if (ch === '\\' && p[cur.j + 1] === 'E') {
        cur.inQuote = false;
        cur.j += 2;
        return { t: 'skip' };
      }
      const code = p.codePointAt(cur.j)!;
      cur.j += code > 0xffff ? 2 : 1;
      return { t: 'byte', v: code, multi: code > 0xff };
    }
    if (ch === '[') {
      POSIX_RE.lastIndex = cur.j;
      const m = POSIX_RE.exec(p);
      if (m) {
        const base = POSIX_CLASSES[m[2]];
        if (!base) this.syntax(`unknown POSIX class name '${m[2]}'`, cur.j);
        cur.j += m[0].length;
        const neg = m[1] === '^';
        return { t: 'set', ph: this.placeholder(`posix:${m[1]}${m[2]}`, neg ? complement(base) : base) };
      }
      if ((p[cur.j + 1] === '.' || p[cur.j + 1] === '=') && p.indexOf(`${p[cur.j + 1]}]`, cur.j + 2) > 0) {
        this.syntax('POSIX collating elements are not supported', cur.j);
      }
    }
    if (ch === '\\') {
      const e = this.readEscape(cur.j, true);
      cur.j = e.end;
      switch (e.t) {
        case 'byte':
          return { t: 'byte', v: e.v, multi: e.v > 0xff };
        case 'set':
          return { t: 'set', ph: this.placeholder(e.key, e.set) };
        case 'quote-start':
          cur.inQuote = true;
          return { t: 'skip' };
        case 'quote-end':
          return { t: 'skip' };
        default:
          // readEscape never returns assertions or \R inside a class.
          return { t: 'skip' };
      }
    }
    const code = p.codePointAt(cur.j)!;
    cur.j += code > 0xffff ? 2 : 1;
    return { t: 'byte', v: code, multi: code > 0xff };
  }
}

/**
 * Runs the pre-pass over one PCRE pattern with the given initial F_* flags.
 * @throws RegexSyntaxError for invalid PCRE syntax (offset into `pattern`).
 * @throws UnsupportedFeatureError for a construct no finite automaton expresses
 *   (backreference, lookaround, recursion, ...).
 * @throws LimitExceededError when groups nest deeper than MAX_NESTING.
 */
export function prepass(pattern: string, flags: number): Prepassed {
  return new Lexer(pattern, flags).run();
}

/**
 * The pre-pass in exact mode, for patterns that `prepass` rejects only for a confirmable
 * feature: backreferences become `\k<gN>` (N = PCRE's group number, whatever syntax named
 * it), every capturing group is emitted as the named group `(?<gN>…)`, an atomic group
 * (and the group a possessive quantifier stands for) as `(?<aN>…)`, lookarounds as
 * themselves. `features` lists the confirmable features used.
 * @throws as `prepass`, and RegexSyntaxError for a reference to a group that does not exist.
 */
export function prepassExact(pattern: string, flags: number): Prepassed {
  return new Lexer(pattern, flags, true).run();
}
