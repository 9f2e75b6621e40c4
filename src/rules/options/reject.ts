/**
 * The one failure signal of the rule parser: a `Reject` thrown inside the parsing of one
 * rule, caught by `parseRules` and turned into a `RuleReject` for that rule. Nothing here
 * escapes the parser.
 */
import type { RejectKind } from '../rule.js';

/** A writable view of a readonly model type, for building it option by option. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A parse failure inside one rule: the summary kind and the message for `RuleParseError`. */
export class Reject {
  constructor(
    readonly kind: RejectKind,
    readonly reason: string,
  ) {}
}

/** Abandons the current rule. Always throws a `Reject`. */
export function fail(kind: RejectKind, reason: string): never {
  throw new Reject(kind, reason);
}
