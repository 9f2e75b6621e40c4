/**
 * Public API of the nfa-obdd package. See README "Library" and docs/architecture.md.
 */
export * from './errors.js';
export type * from './matcher/types.js';
export { scanBlock, type BlockMatch, type ScanBlockOptions } from './matcher/block.js';
export type { Nfa } from './nfa/types.js';
export { parseSignature, parsePattern, literalIr, type ParseOptions } from './syntax/index.js';
export type { Ir, ParsedSignature, ByteSet, AssertionKind } from './syntax/ir.js';
export * from './compile.js';
export { buildNfaMatcher } from './engines/explicit/matcher.js';
export { buildObddMatcher, type ObddOptions, type EncodingOptions, type MemoStats } from './engines/obdd/index.js';
export { buildNfa, type BuildNfaOptions, type NfaSignatureInput } from './nfa/build.js';
export * from './rules/index.js';
export * from './detect/index.js';
export * from './pcap/index.js';
export * from './flow/index.js';
export * from './compare/index.js';
export * from './replay/index.js';
