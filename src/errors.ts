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
  | 'USAGE';

/**
 * Base class of every error the library throws on purpose; `code` tells the kind, `name` the
 * class.
 */
export class NfaObddError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
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
