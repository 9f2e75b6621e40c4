/**
 * Snort rule parser: Snort 2.9 and Snort 3 rule text (and the Suricata subset used by
 * suricata-verify) to `Rule` objects.
 *
 * Guarantees: parsing never throws on bad input and never stops at a bad rule. Each rule
 * that cannot be parsed becomes a `RuleReject` carrying a `RuleParseError` (file, 1-based
 * line of the rule's first line, sid when it could be read, reason) and a short `kind` for
 * summaries; the parser then goes on with the next rule. Work is linear in the text size.
 *
 * What is read:
 * - logical lines: a trailing `\` continues the rule on the next line;
 * - disabled rules: a comment line whose text after the `#`s looks like a rule header
 *   followed by `( ... )` is a disabled rule, loaded only with `includeDisabled` and then
 *   flagged `enabled: false`; other comments are ignored;
 * - `var` / `ipvar` / `portvar` lines inside a rules file define variables for the rules
 *   that follow (as Snort allows); other configuration lines are rejected as not-a-rule;
 * - header: `action proto src sport dir dst dport`, or Snort 3's `action proto` / `action`
 *   (service and "any" rules); address and port specs are compiled by `vars.ts`;
 * - options in both dialects. The only ambiguity between them is `http_uri;`-style
 *   keywords: a content modifier applying to the previous content in Snort 2, a sticky
 *   buffer applying to the following patterns in Snort 3. The dialect is decided per rule:
 *   Snort 3 when the rule uses `service:`, a comma-form content (`content:"x",depth 4`), or
 *   an HTTP buffer keyword before its first content; otherwise the file's dialect so far
 *   (a file becomes Snort 3 at its first Snort 3 rule) or the caller's `dialect`.
 * - `pcre:"..."`: the value ends at a `"` followed by optional blanks and `;` (or the end of
 *   the options), so patterns with an unescaped `"` inside (a few ET rules) are kept whole.
 *
 * This file drives the parse (lines, disabled rules, `var` lines, dialect, rejects); the
 * lexing, the header and each family of options are read in `options/` (the table of
 * option handlers is `options/table.ts`).
 */
import { RuleParseError } from '../errors.js';
import type { RejectKind, Rule } from './rule.js';
import { SpecCompiler, Variables } from './vars.js';
import { newDraft } from './options/draft.js';
import { parseHeader } from './options/header.js';
import { parseInteger } from './options/info.js';
import { logicalLines, splitOptions } from './options/lexer.js';
import { detectDialect } from './options/patterns.js';
import { fail, Reject } from './options/reject.js';
import { applyOption } from './options/table.js';

export { decodeContent } from './options/patterns.js';

/** Options of `parseRules`. */
export interface RuleParseOptions {
  /** File name for error messages and `Rule.file`. */
  file?: string;
  /** Load commented-out rules too (flagged `enabled: false`). @default false */
  includeDisabled?: boolean;
  /** Variables for header specs. @default Variables.defaults() */
  vars?: Variables;
  /** Dialect when a rule does not reveal it. @default 'auto' (Snort 2 until a Snort 3 rule is seen) */
  dialect?: 'auto' | 'snort2' | 'snort3';
  /** Id of the first rule (so several files can share one id space). @default 0 */
  firstId?: number;
}

/** A rule that could not be parsed, and why. */
export interface RuleReject {
  /** The error, with file, 1-based line, sid (when read) and reason. */
  readonly error: RuleParseError;
  /** The reason as a short stable code for summaries. */
  readonly kind: RejectKind;
  /** The rule text (possibly cut to 500 characters). */
  readonly text: string;
  /** False for a commented-out rule (loaded with `includeDisabled`). */
  readonly enabled: boolean;
}

/**
 * Something in a rule that does not stop it from loading but that a user should hear of.
 * `unknown-option`: an option no tool defines (`frobnicate:1;`: a typo, or a keyword of
 * another tool); the rule loads and the option's condition is ignored (it is also in
 * `Rule.unsupported`, so the rule counts as approximated).
 */
export interface RuleWarning {
  readonly kind: 'unknown-option';
  /** The option name as read (lowercased). */
  readonly option: string;
  /** File name (as given to the parser) and 1-based line of the rule's first line. */
  readonly file: string | undefined;
  readonly line: number;
  readonly sid: number | undefined;
  /** One line for people: `x.rules:12: sid 1: unknown rule option 'frobnicate' (ignored)`. */
  readonly message: string;
}

/** Counts of the rule-like lines of a text. */
export interface RuleParseStats {
  /** Uncommented logical lines seen that are neither blank nor `var` lines (parsed or not). */
  enabledSeen: number;
  /** Comment lines that hold a disabled rule (loaded or not). */
  disabledSeen: number;
  /** Disabled rules not loaded because `includeDisabled` was off. */
  disabledSkipped: number;
}

/** What `parseRules` read from one text. */
export interface RuleParseResult {
  /** The parsed rules in text order, with consecutive ids from `firstId`. */
  rules: Rule[];
  /** The rules that could not be parsed, in text order. */
  rejected: RuleReject[];
  /** Warnings about rules that did load (unknown options), in text order. */
  warnings: RuleWarning[];
  stats: RuleParseStats;
  /** The variables after `var` lines in the text (to carry over to the next file). */
  vars: Variables;
}

const RULE_START = /^(alert|log|pass|drop|reject|sdrop|activate|dynamic|block|rewrite)\b/;
/** A comment that holds a disabled rule: action, optional header, then `( ... )`. */
const DISABLED_RULE = /^(alert|log|pass|drop|reject|sdrop|activate|dynamic|block|rewrite)(\s+[^\s(]+){0,6}\s*\(.*\)\s*$/;

/**
 * Parses a rules text (a whole rules file). Never throws on bad input: each rule that cannot
 * be parsed becomes a `RuleReject` and parsing goes on with the next rule.
 */
export function parseRules(text: string, options: RuleParseOptions = {}): RuleParseResult {
  const file = options.file;
  let vars = options.vars ?? Variables.defaults();
  let specs = new SpecCompiler(vars);
  // `var` lines since the last rule, applied in one copy when the next rule needs them (one
  // copy of the variables per line made a file of many `var` lines quadratic).
  let pending: [string, string][] = [];
  let fileDialect: 'snort2' | 'snort3' = options.dialect === 'snort3' ? 'snort3' : 'snort2';
  const forced = options.dialect === 'snort2' || options.dialect === 'snort3' ? options.dialect : undefined;
  const rules: Rule[] = [];
  const rejected: RuleReject[] = [];
  const warnings: RuleWarning[] = [];
  const stats: RuleParseStats = { enabledSeen: 0, disabledSeen: 0, disabledSkipped: 0 };
  let nextId = options.firstId ?? 0;

  for (const { line, text: raw } of logicalLines(text)) {
    let t = raw.trim();
    if (t === '') continue;
    let enabled = true;
    if (t.startsWith('#')) {
      const body = t.replace(/^#+\s*/, '');
      if (!DISABLED_RULE.test(body)) continue;
      stats.disabledSeen++;
      if (!options.includeDisabled) {
        stats.disabledSkipped++;
        continue;
      }
      enabled = false;
      t = body;
    } else {
      const varLine = /^(var|ipvar|portvar)\s+([A-Za-z_][A-Za-z0-9_]*)\s+(.+)$/.exec(t);
      if (varLine) {
        pending.push([varLine[2], varLine[3]]);
        continue;
      }
      stats.enabledSeen++;
    }
    if (pending.length > 0) {
      vars = vars.with(pending);
      specs = new SpecCompiler(vars);
      pending = [];
    }
    let sid: number | undefined;
    try {
      if (!RULE_START.test(t)) {
        const word = /^\S{0,40}/.exec(t)?.[0] ?? '';
        fail('not-a-rule', `not a rule (starts with '${word}')`);
      }
      const r = parseOne(t, line, file, enabled, specs, forced ?? fileDialect, forced !== undefined, nextId, (s) => (sid = s));
      for (const option of r.unknownOptions) {
        const where = `${file ?? '<rules>'}:${line}: ${sid !== undefined ? `sid ${sid}: ` : ''}`;
        warnings.push({ kind: 'unknown-option', option, file, line, sid, message: `${where}unknown rule option '${option}' (ignored)` });
      }
      if (r.dialect === 'snort3' && forced === undefined) fileDialect = 'snort3';
      rules.push(r.rule);
      nextId++;
    } catch (e) {
      if (!(e instanceof Reject)) throw e;
      rejected.push({
        error: new RuleParseError(e.reason, line, file, sid),
        kind: e.kind,
        text: t.length > 500 ? `${t.slice(0, 500)}...` : t,
        enabled,
      });
    }
  }
  if (pending.length > 0) vars = vars.with(pending);
  return { rules, rejected, warnings, stats, vars };
}

/**
 * Parses one rule (a logical line starting with an action). `setSid` receives the sid as
 * soon as it is read, so that the caller's error for a later failure can name it. Also
 * returns the rule's unknown options and dialect. Fails with `Reject`.
 */
function parseOne(
  text: string,
  line: number,
  file: string | undefined,
  enabled: boolean,
  specs: SpecCompiler,
  defaultDialect: 'snort2' | 'snort3',
  forcedDialect: boolean,
  id: number,
  setSid: (sid: number) => void,
): { rule: Rule; dialect: 'snort2' | 'snort3'; unknownOptions: readonly string[] } {
  const open = text.indexOf('(');
  if (open < 0) fail('bad-header', 'no option list "(...)"');
  const close = text.lastIndexOf(')');
  if (close < open || text.slice(close + 1).trim() !== '') fail('unterminated', 'option list not closed with ")"');
  const opts = splitOptions(text.slice(open + 1, close));

  // Read the sid first so that every later error can name it.
  const sidOpt = opts.find((o) => o.name === 'sid');
  if (!sidOpt) fail('missing-sid', 'rule has no sid');
  const sid = parseInteger(sidOpt.value, 'sid');
  setSid(sid);

  const h = parseHeader(text.slice(0, open), specs);
  const dialect = forcedDialect ? defaultDialect : (detectDialect(opts) ?? defaultDialect);
  const d = newDraft(dialect, h.appProtocol ? h.protocol : undefined);
  for (const { name, value } of opts) applyOption(d, name, value);

  const rule: Rule = {
    id,
    file,
    line,
    enabled,
    dialect,
    text,
    action: h.action,
    protocol: h.protocol,
    transport: h.transport,
    appProtocol: h.appProtocol,
    header: h.header,
    src: h.src,
    srcPorts: h.srcPorts,
    dst: h.dst,
    dstPorts: h.dstPorts,
    gid: d.gid,
    sid,
    rev: d.rev,
    msg: d.msg,
    classtype: d.classtype,
    priority: d.priority,
    metadata: d.metadata,
    services: d.services,
    policies: d.policies,
    references: d.references,
    flow: d.flow,
    dsize: d.dsize,
    patterns: d.patterns,
    packetChecks: d.packetChecks,
    payloadChecks: d.payloadChecks,
    rateLimits: d.rateLimits,
    flowbits: d.flowbits,
    noalert: d.noalert,
    unsupported: d.unsupported,
  };
  return { rule, dialect, unknownOptions: d.unknown };
}
