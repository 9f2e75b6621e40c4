/**
 * Entry points of the PCRE front end: a Snort `pcre` option value (`/pattern/flags`, with
 * an optional leading `!`) or a bare pattern → `ParsedSignature` with a byte-level IR.
 *
 * Guarantees: every input either yields an IR with PCRE semantics on raw bytes (no UTF,
 * no UCP) or throws one of RegexSyntaxError / UnsupportedFeatureError /
 * LimitExceededError naming the pattern and the offset; nothing else escapes (an
 * unexpected internal failure is reported as a RegexSyntaxError rather than crashing a
 * ruleset load).
 */
import { LimitExceededError, NfaObddError, RegexSyntaxError, UnsupportedFeatureError } from '../errors.js';
import type { ExactForm, Ir, ParsedSignature, Rx } from './ir.js';
import { astToIr, parseJs } from './convert.js';
import { approximate, astToRx } from './exact.js';
import { assertIr, concatIr, expandedSize, literalIr, startsWithTextStart, unexpandedSize } from './ir-build.js';
import { F_I, F_M, F_S, F_U, F_X, prepass, prepassExact } from './prepass.js';

/**
 * The features a pattern may use when `confirm` is on: the automata run a regular
 * over-approximation and an exact backtracking matcher confirms its candidates.
 */
export const CONFIRMABLE_FEATURES: readonly string[] = ['backreference', 'lookahead', 'lookbehind', 'atomic group', 'possessive quantifier'];

/** Default cap on byte positions after expanding counted repeats (see `expandedSize`). */
export const DEFAULT_MAX_REPEAT_EXPANSION = 50_000;

/**
 * Default cap on the characters of one pattern, checked before any parsing. PCRE 8.x
 * refuses patterns whose compiled form passes 64 KiB ("regular expression is too large");
 * the longest pcre of the ET Open, Snort 2 and Snort 3 community rulesets has 3,001.
 */
export const DEFAULT_MAX_PATTERN_LENGTH = 65_536;

/** Options of `parseSignature`, `parsePattern` and `parseContent`. */
export interface ParseOptions {
  /**
   * Maximum byte positions of one signature (each byte of a content, each byte-set leaf
   * of a pattern once every counted repeat is expanded). Beyond it parsing throws
   * LimitExceededError naming what is too big: 'content length' (a content's bytes),
   * 'positions' (a pattern too big even with each counted repeat taken once), or 'repeat
   * expansion' (the counted repeats push it over).
   * @default 50000
   */
  maxRepeatExpansion?: number;
  /**
   * Maximum characters of a pattern (between the delimiters), checked before it is read;
   * beyond it parsing throws LimitExceededError('pattern length', …).
   * @default 65536
   */
  maxPatternLength?: number;
  /**
   * Accept patterns with backreferences, lookarounds, atomic groups or possessive
   * quantifiers: the result's `ir` is then a regular over-approximation and `exact` holds
   * the exact form, to confirm candidates with (src/confirm). Off: such a pattern throws
   * UnsupportedFeatureError naming the feature.
   * @default false
   */
  confirm?: boolean;
}

/** At most `max` characters of `text` for an error message, the cut marked with `…`. */
export function abbreviate(text: string, max = 120): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/**
 * The IR of a Snort `content` (its exact bytes, ASCII letters folded when `nocase`),
 * without going through the regex parser.
 * @throws LimitExceededError('content length', …) when it has more bytes than
 *   `maxRepeatExpansion` (checked before anything is built).
 */
export function parseContent(bytes: Uint8Array, nocase: boolean, options: ParseOptions = {}): Ir {
  const limit = options.maxRepeatExpansion ?? DEFAULT_MAX_REPEAT_EXPANSION;
  if (bytes.length > limit) {
    throw new LimitExceededError('content length', limit, bytes.length, 'bytes of one content, each one NFA position (maxRepeatExpansion)');
  }
  return literalIr(bytes, nocase);
}

/** PCRE flags accepted after the closing `/`. */
export const PCRE_FLAGS = 'ismxAEG';
/**
 * Snort buffer and relative flags accepted after the closing `/` (recorded, no effect on the
 * IR).
 */
export const SNORT_FLAGS = 'RUIPHDMCKSYBO';

/**
 * Parses a bare PCRE pattern with PCRE flags (`ismxAEG`; Snort buffer flags are not
 * interpreted here and are rejected). Returns the IR with all flags applied, including
 * `A` as a leading `text-start` assertion, so that IR consumers never look at flags.
 */
export function parsePattern(pattern: string, flags = '', options: ParseOptions = {}): Ir {
  return parsePatternForms(pattern, flags, options).ir;
}

/** `parsePattern`, with the exact form when the pattern needs confirmation (`options.confirm`). */
export function parsePatternForms(pattern: string, flags = '', options: ParseOptions = {}): { ir: Ir; exact?: ExactForm } {
  const maxLength = options.maxPatternLength ?? DEFAULT_MAX_PATTERN_LENGTH;
  if (pattern.length > maxLength) {
    throw new LimitExceededError('pattern length', maxLength, pattern.length, `characters of /${abbreviate(pattern)}/ (maxPatternLength)`);
  }
  let bits = 0;
  let dollarEndOnly = false;
  let anchored = false;
  for (let k = 0; k < flags.length; k++) {
    const f = flags[k];
    if (f === 'i') bits |= F_I;
    else if (f === 's') bits |= F_S;
    else if (f === 'm') bits |= F_M;
    else if (f === 'x') bits |= F_X;
    else if (f === 'G') bits |= F_U;
    else if (f === 'E') dollarEndOnly = true;
    else if (f === 'A') anchored = true;
    else throw new RegexSyntaxError(`unknown pcre flag '${f}'`, pattern, pattern.length);
  }
  let ir: Ir;
  let exact: ExactForm | undefined;
  try {
    try {
      const pre = prepass(pattern, bits);
      const ast = parseJs(pattern, pre);
      ir = astToIr(pattern, pre, ast, { dollarEndOnly });
    } catch (e) {
      if (!(options.confirm && e instanceof UnsupportedFeatureError && CONFIRMABLE_FEATURES.includes(e.feature))) throw e;
      // Only patterns the automata cannot express take the exact path: the others keep
      // exactly the IR they always had.
      const pre = prepassExact(pattern, bits);
      exact = astToRx(pattern, pre, parseJs(pattern, pre), { dollarEndOnly });
      ir = approximate(exact);
    }
  } catch (e) {
    if (e instanceof NfaObddError) throw e;
    // A bug or an engine limit (e.g. stack depth) must not take a whole ruleset down.
    throw new RegexSyntaxError(`internal parser failure: ${e instanceof Error ? e.message : String(e)}`, pattern, 0);
  }
  if (anchored && !startsWithTextStart(ir)) ir = concatIr([assertIr('text-start'), ir]);
  if (anchored && exact !== undefined) {
    const rx: Rx = { kind: 'concat', items: [assertIr('text-start'), exact.rx] };
    exact = { ...exact, rx };
  }
  const limit = options.maxRepeatExpansion ?? DEFAULT_MAX_REPEAT_EXPANSION;
  const size = expandedSize(ir);
  if (size > limit) {
    // Name what is too big: the pattern itself, or what its counted repeats make of it.
    const plain = unexpandedSize(ir);
    if (plain > limit) throw new LimitExceededError('positions', limit, plain, `byte positions of /${abbreviate(pattern)}/ (maxRepeatExpansion)`);
    throw new LimitExceededError('repeat expansion', limit, size, `byte positions in /${abbreviate(pattern)}/`);
  }
  return exact === undefined ? { ir } : { ir, exact };
}

/**
 * Parses a Snort `pcre` option value: `/pattern/flags`, optionally preceded by `!`
 * (negated pcre, reported in `negated`), or a bare pattern (no delimiters, no flags)
 * when the text does not start with `/`.
 */
export function parseSignature(source: string, options: ParseOptions = {}): ParsedSignature {
  // A rule engine parses each pcre twice (its length bounds, then compile()): the last
  // answers are kept, errors included (IR trees are immutable, so sharing them is safe).
  const key = `${options.maxRepeatExpansion ?? DEFAULT_MAX_REPEAT_EXPANSION}\u0000${options.maxPatternLength ?? DEFAULT_MAX_PATTERN_LENGTH}\u0000${options.confirm === true ? 1 : 0}\u0000${source}`;
  const known = recentParses.get(key);
  if (known !== undefined) {
    if (known instanceof Error) throw known;
    return known;
  }
  let result: ParsedSignature | Error;
  try {
    result = parseSignatureUncached(source, options);
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    result = e;
  }
  if (recentParses.size >= RECENT_PARSES) recentParses.clear();
  recentParses.set(key, result);
  if (result instanceof Error) throw result;
  return result;
}

/** Bound on the parses kept (more than the distinct pcres of ET Open and the Snort sets together). */
const RECENT_PARSES = 32768;
const recentParses = new Map<string, ParsedSignature | Error>();

function parseSignatureUncached(source: string, options: ParseOptions): ParsedSignature {
  // Rule text may leave spaces around a delimited option value; a bare pattern keeps them.
  const trimmed = source.trim();
  let text = /^!?\s*\//.test(trimmed) ? trimmed : source;
  let negated = false;
  const neg = /^!\s*\//.exec(text);
  if (neg) {
    negated = true;
    text = text.slice(neg[0].length - 1);
  }
  let pattern: string;
  let pcreFlags = '';
  let snortFlags = '';
  if (text.startsWith('/')) {
    const close = text.lastIndexOf('/');
    if (close === 0) throw new RegexSyntaxError('missing closing / delimiter', text.slice(1), text.length - 1);
    pattern = text.slice(1, close);
    const allFlags = text.slice(close + 1);
    for (let k = 0; k < allFlags.length; k++) {
      const f = allFlags[k];
      if (PCRE_FLAGS.includes(f)) pcreFlags += f;
      else if (SNORT_FLAGS.includes(f)) snortFlags += f;
      else throw new RegexSyntaxError(`unknown pcre flag '${f}'`, pattern, pattern.length + 1 + k);
    }
  } else {
    pattern = text;
  }
  const { ir, exact } = parsePatternForms(pattern, pcreFlags, options);
  const parsed: ParsedSignature = {
    source,
    pattern,
    flags: pcreFlags,
    snortFlags,
    negated,
    anchored: startsWithTextStart(ir),
    ir,
  };
  return exact === undefined ? parsed : { ...parsed, exact };
}
