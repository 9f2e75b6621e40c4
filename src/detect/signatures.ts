/**
 * Signature sources: how the `content` and `pcre` patterns of a rule become the pattern
 * texts of the ONE combined automaton, and what is known of their match lengths.
 *
 * A content becomes an escaped literal (`contentSource`); a pcre loses the Snort flags the
 * evaluator applies itself (buffer and relative flags, and a leading anchor that means
 * "at the cursor" or "at the buffer start": `pcreSource`). Identical sources share one
 * signature id in `RuleProgram`. `irLengthBounds` bounds the length of a signature's
 * matches from its parsed IR, which the evaluator needs for the start of a pcre match.
 */
import { irLengthBounds } from '../syntax/ir-build.js';
import type { ContentPattern, PcrePattern } from '../rules/rule.js';

export type { LengthBounds } from '../syntax/ir-build.js';
export { irLengthBounds };

/** Inspection buffers that are the packet bytes themselves (no buffer to locate). */
export const BUFFER_EXACT: ReadonlySet<string> = new Set(['pkt', 'raw']);

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
