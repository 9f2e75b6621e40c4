/**
 * Public API of the nfa-obdd package. See README "Library API".
 */
export * from './errors.js';
export type * from './engines/types.js';
export type { Nfa } from './nfa/types.js';
