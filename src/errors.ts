/**
 * Typed errors for every stage. Each carries a stable `code` and the fields a user needs
 * to act on it (what failed and where). Batch operations (compiling a signature set,
 * loading a ruleset, reading a capture) catch these per item, record them and keep going.
 */

/** The stable `code` of each error class. */
export type ErrorCode =
  | 'REGEX_SYNTAX'
  | 'UNSUPPORTED_FEATURE'
  | 'LIMIT_EXCEEDED'
  | 'PCAP_FORMAT'
  | 'RULE_PARSE'
  | 'USAGE'
  | 'CALLBACK'
  /** ScanArgumentError's code (a TypeError, not an NfaObddError). */
  | 'SCAN_ARGUMENT';

/**
 * Base class of every error the library throws on purpose; `code` tells the kind, `name` the
 * class.
 */
export class NfaObddError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A pattern that is not a valid regular expression. */
export class RegexSyntaxError extends NfaObddError {
  constructor(
    readonly reason: string,
    readonly pattern: string,
    readonly offset: number,
  ) {
    super('REGEX_SYNTAX', `${reason} at offset ${offset} in /${pattern}/`);
  }
}

/** A valid PCRE construct that no finite automaton can express (or that we do not support). */
export class UnsupportedFeatureError extends NfaObddError {
  constructor(
    readonly feature: string,
    readonly pattern: string,
    readonly offset: number,
  ) {
    super('UNSUPPORTED_FEATURE', `unsupported feature '${feature}' at offset ${offset} in /${pattern}/`);
  }
}

/** A configured resource budget (states, BDD nodes, repetition expansion, memo bytes...) was exceeded. */
export class LimitExceededError extends NfaObddError {
  constructor(
    readonly resource: string,
    readonly limit: number,
    readonly given: number,
    detail = '',
  ) {
    super('LIMIT_EXCEEDED', `${resource} limit exceeded: ${given} > ${limit}${detail ? ` (${detail})` : ''}`);
  }
}

/** A capture file that is malformed, truncated or not a capture at all. */
export class PcapFormatError extends NfaObddError {
  constructor(
    readonly reason: string,
    readonly byteOffset: number,
    readonly packetsRead = 0,
    readonly file?: string,
  ) {
    super(
      'PCAP_FORMAT',
      `${file ? `${file}: ` : ''}${reason} at byte ${byteOffset} (after ${packetsRead} packets)`,
    );
  }
}

/** A Snort rule that cannot be parsed or whose patterns cannot be compiled. */
export class RuleParseError extends NfaObddError {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly file?: string,
    readonly sid?: number,
  ) {
    super(
      'RULE_PARSE',
      `${file ?? '<rules>'}:${line}${sid !== undefined ? ` (sid ${sid})` : ''}: ${reason}`,
    );
  }
}

/** Bad command-line usage. */
export class UsageError extends NfaObddError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/**
 * A match callback threw (`cause` is what it threw). The scan stopped there: reports the
 * input would have made after that point are lost, and the scratch was reset to its start
 * state, ready for a new input (as after `reset`).
 */
export class CallbackError extends NfaObddError {
  constructor(cause: unknown) {
    super(
      'CALLBACK',
      `the match callback threw ${cause instanceof Error ? `${cause.name}: ${cause.message}` : JSON.stringify(String(cause))}; the scan stopped and the stream was reset to its start state`,
      { cause },
    );
  }
}

/** What a scan entry point was given in place of the right argument. */
export type ScanArgument = 'bytes' | 'onMatch' | 'scratch' | 'matcher';

/**
 * A scan entry point (`scan`, `finish`, `reset`, `scanBlock`) got an argument of the wrong
 * kind: bytes that are not a Uint8Array (a string, an ArrayBuffer, an array of numbers...),
 * a callback that is not a function, a scratch that this matcher did not create, or (to
 * `scanBlock`) no matcher. A
 * TypeError, as Node reports a wrong argument type, with a stable `code`; it is thrown
 * before anything is scanned, so the scratch is unchanged.
 */
export class ScanArgumentError extends TypeError {
  readonly code = 'SCAN_ARGUMENT' satisfies ErrorCode;
  constructor(
    readonly argument: ScanArgument,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
