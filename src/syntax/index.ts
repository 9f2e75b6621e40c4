/**
 * PCRE front end: Snort `pcre` options, bare patterns and `content` strings → byte-level IR.
 * See `ir.ts` for the IR contract and `prepass.ts` for how PCRE syntax is read.
 */
export type { AssertionKind, ByteSet, Ir, ParsedSignature } from './ir.js';
export {
  parseSignature,
  parsePattern,
  parseContent,
  DEFAULT_MAX_REPEAT_EXPANSION,
  DEFAULT_MAX_PATTERN_LENGTH,
  PCRE_FLAGS,
  SNORT_FLAGS,
} from './parse.js';
export type { ParseOptions } from './parse.js';
export {
  EMPTY,
  NEVER,
  altIr,
  assertIr,
  bytesIr,
  concatIr,
  expandedSize,
  unexpandedSize,
  irEquals,
  literalIr,
  repeatIr,
  startsWithTextStart,
} from './ir-build.js';
export * from './byte-set.js';
