/**
 * The `regexp` engine's build part: a signature's IR printed back as V8 sources with
 * exactly its meaning on latin1 strings (one char per byte), in the variants the scan
 * needs (see matcher.ts for when each is used).
 *
 * Translation. Each signature's IR (flags already applied) is printed back as a V8 pattern
 * with PCRE's raw-byte meaning and no flags that V8 interprets differently: byte sets
 * become explicit `[\xNN-\xNN]` classes (no `i`, no `.`, no `\s`), text-start `^` and
 * text-end `$` (no `m`), line-start `(?<![^\n])`, text-end-newline `(?=\n?$)`, line-end
 * `(?=\n|$)`, `\b`/`\B` as is (ASCII word bytes in V8 without `u`, as in PCRE here); the
 * streaming variants below adjust the assertions at the string's ends. Every
 * IR is expressible; a pattern V8 refuses to compile (e.g. "Regular expression too large")
 * is rejected with an UnsupportedFeatureError naming V8's message. Backreferences and the
 * like never reach this engine: the PCRE front end already rejected them.
 */
import { buildNfa, type NfaSignatureInput } from '../../nfa/build.js';
import type { AssertionKind, ByteSet, Ir } from '../../syntax/ir.js';
import { reportPlanFromNfa } from '../../matcher/report.js';

/** Translation context: whether end-of-input is known, whether the window was trimmed. */
export interface RegexpVariant {
  /** End-of-input assertions may hold at the end of the string (finish). */
  final: boolean;
  /** Bytes before the string's first char were dropped (not the stream start). */
  trimmed: boolean;
}

const hex = (b: number): string => `\\x${b.toString(16).padStart(2, '0')}`;

/** A byte set as a V8 class over latin1 chars: ranges, complemented when shorter. */
export function byteSetToJs(set: ByteSet): string {
  const has = (b: number): boolean => ((set[b >>> 5]! >>> (b & 31)) & 1) === 1;
  const ranges = (want: boolean): string => {
    let out = '';
    for (let b = 0; b < 256; b++) {
      if (has(b) !== want) continue;
      let e = b;
      while (e < 255 && has(e + 1) === want) e++;
      out += e === b ? hex(b) : e === b + 1 ? hex(b) + hex(e) : `${hex(b)}-${hex(e)}`;
      b = e;
    }
    return out;
  };
  let count = 0;
  for (let b = 0; b < 256; b++) if (has(b)) count++;
  if (count === 0) return '[^\\x00-\\xff]';
  if (count === 256) return '[\\x00-\\xff]';
  const pos = `[${ranges(true)}]`;
  // Inputs are latin1 strings (chars ≤ 0xff), so a negated class is exact.
  const neg = `[^${ranges(false)}]`;
  return neg.length < pos.length ? neg : pos;
}

function assertionToJs(kind: AssertionKind, v: RegexpVariant): string {
  switch (kind) {
    case 'text-start':
      return v.trimmed ? '(?!)' : '^';
    case 'line-start':
      return v.trimmed ? '(?<=\\n)' : '(?<![^\\n])';
    case 'text-end':
      return v.final ? '$' : '(?!)';
    case 'text-end-newline':
      return v.final ? '(?=\\n?$)' : '(?!)';
    // The next three depend on the next byte. While scanning (not final), the string's
    // end is the end of the bytes seen so far, not of the input: there they must fail, so
    // that an end at the chunk's last byte is reported now only if no match ending there
    // needs its next byte (the automata's delta-0 acceptance); `scan` re-tests that end
    // with its next byte (delta 1) on the next call.
    case 'line-end':
      return v.final ? '(?=\\n|$)' : '(?=\\n)';
    case 'word-boundary':
      // In a trimmed window, the first char's predecessor is unknown: fail there.
      if (v.trimmed) return v.final ? '(?:(?<=\\w)(?!\\w)|(?<=\\W)(?=\\w))' : '(?:(?<=\\w)(?=\\W)|(?<=\\W)(?=\\w))';
      return v.final ? '\\b' : '(?:\\b(?=[\\x00-\\xff]))';
    case 'not-word-boundary':
      if (v.trimmed) return v.final ? '(?:(?<=\\w)(?=\\w)|(?<=\\W)(?!\\w))' : '(?:(?<=\\w)(?=\\w)|(?<=\\W)(?=\\W))';
      return v.final ? '\\B' : '(?:\\B(?=[\\x00-\\xff]))';
  }
}

/** V8 source with exactly the IR's meaning on latin1 strings (see the module comment). */
export function irToJs(ir: Ir, v: RegexpVariant = { final: true, trimmed: false }): string {
  switch (ir.kind) {
    case 'empty':
      return '(?:)';
    case 'never':
      return '(?!)';
    case 'bytes':
      return byteSetToJs(ir.set);
    case 'assert':
      return assertionToJs(ir.assertion, v);
    case 'concat':
      return ir.items.map((i) => group(i, v, false)).join('');
    case 'alt':
      return `(?:${ir.items.map((i) => irToJs(i, v)).join('|')})`;
    case 'repeat': {
      const { min, max } = ir;
      const q =
        min === 0 && max === Infinity ? '*' : min === 1 && max === Infinity ? '+' : min === 0 && max === 1 ? '?'
        : max === Infinity ? `{${min},}` : min === max ? `{${min}}` : `{${min},${max}}`;
      return `${group(ir.item, v, true)}${q}${ir.greedy ? '' : '?'}`;
    }
  }
}

/** A concat item as is (V8 concatenation needs no grouping), a repeat item as an atom. */
function group(ir: Ir, v: RegexpVariant, atom: boolean): string {
  const s = irToJs(ir, v);
  if (!atom || ir.kind === 'bytes' || ir.kind === 'alt') return s;
  return `(?:${s})`;
}

/**
 * A signature's sources: index (final ? 1 : 0) + (trimmed ? 2 : 0) holds the lookbehind
 * form `(?<=R)` of that variant; index 4 holds plain R (whole input, end known) for the
 * is-match test.
 */
export function signatureSources(sig: NfaSignatureInput): string[] {
  const out: string[] = [];
  for (const trimmed of [false, true]) {
    for (const final of [false, true]) {
      const v = { final, trimmed };
      const body = irToJs(sig.ir, v);
      const anchor = sig.anchored ? assertionToJs('text-start', v) : '';
      out.push(`(?<=${anchor}(?:${body}))`);
    }
  }
  out.push(`${sig.anchored ? '^' : ''}(?:${irToJs(sig.ir)})`);
  return out;
}

/** Number of sources per signature (`signatureSources`). */
export const VARIANTS = 5;
/** Index of the plain source (whole input, for `isMatch`) among a signature's sources. */
export const PLAIN = 4;

/** Whether the IR contains `$` without m (text end, or before a final newline). */
function hasTextEndNewline(ir: Ir): boolean {
  switch (ir.kind) {
    case 'assert':
      return ir.assertion === 'text-end-newline';
    case 'concat':
    case 'alt':
      return ir.items.some(hasTextEndNewline);
    case 'repeat':
      return hasTextEndNewline(ir.item);
    default:
      return false;
  }
}

/**
 * Whether the automata hold back this signature's latest end (report.ts rule 3: it has
 * end-of-input acceptance with delta 1, i.e. `$` without m can end a match before a final
 * `\n`). Taken from the signature's own NFA so that both agree exactly (the builder
 * keeps only reachable acceptance: `a$\n` has none); only signatures with such a `$` are
 * built (few, and small). If that NFA exceeds a budget, the signature is held
 * conservatively: the only effect is that an end at a chunk's last byte is passed on
 * when the next byte arrives (or at `finish`) instead of at once.
 */
export function holdsLastEnd(sig: NfaSignatureInput): boolean {
  if (!hasTextEndNewline(sig.ir)) return false;
  try {
    const plan = reportPlanFromNfa(buildNfa([{ id: 0, ir: sig.ir, anchored: sig.anchored }]));
    return plan.hold![0] === 1;
  } catch {
    return true;
  }
}
