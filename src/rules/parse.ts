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
 */
import { RuleParseError } from '../errors.js';
import type {
  BufferName,
  ContentPattern,
  DsizeSpec,
  FlowbitOption,
  FlowSpec,
  MetadataEntry,
  PcrePattern,
  Reference,
  RejectKind,
  Rule,
  RuleAction,
  RulePattern,
  Transport,
} from './rule.js';
import { packetCheck, PacketOptionError, type PacketCheck } from './packet-options.js';
import { parsePayloadCheck, PayloadCheckError, type PlacedCheck } from './payload-checks.js';
import { SpecCompiler, Variables } from './vars.js';

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

export interface RuleReject {
  readonly error: RuleParseError;
  readonly kind: RejectKind;
  /** The rule text (possibly cut to 500 characters). */
  readonly text: string;
  readonly enabled: boolean;
}

export interface RuleParseStats {
  /** Rule-like logical lines seen (enabled + disabled, parsed or not). */
  enabledSeen: number;
  disabledSeen: number;
  /** Disabled rules not loaded because `includeDisabled` was off. */
  disabledSkipped: number;
}

export interface RuleParseResult {
  rules: Rule[];
  rejected: RuleReject[];
  stats: RuleParseStats;
  /** The variables after `var` lines in the text (to carry over to the next file). */
  vars: Variables;
}

const ACTIONS = new Set<string>(['alert', 'log', 'pass', 'drop', 'reject', 'sdrop', 'activate', 'dynamic', 'block', 'rewrite']);

/** Header protocol → [transport, is an application protocol approximated by its transport]. */
const PROTOCOLS: Record<string, [Transport, boolean]> = {
  ip: ['ip', false],
  tcp: ['tcp', false],
  udp: ['udp', false],
  icmp: ['icmp', false],
  icmpv6: ['icmp', false],
  icmp6: ['icmp', false],
  'tcp-pkt': ['tcp', false],
  'tcp-stream': ['tcp', false],
  http: ['tcp', true],
  http2: ['tcp', true],
  ftp: ['tcp', true],
  'ftp-data': ['tcp', true],
  smtp: ['tcp', true],
  ssl: ['tcp', true],
  tls: ['tcp', true],
  ssh: ['tcp', true],
  smb: ['tcp', true],
  dcerpc: ['ip', true],
  netbios: ['ip', true],
  imap: ['tcp', true],
  pop3: ['tcp', true],
  telnet: ['tcp', true],
  irc: ['tcp', true],
  rdp: ['tcp', true],
  rfb: ['tcp', true],
  mqtt: ['tcp', true],
  modbus: ['tcp', true],
  dnp3: ['tcp', true],
  enip: ['ip', true],
  pgsql: ['tcp', true],
  ldap: ['ip', true],
  nfs: ['ip', true],
  krb5: ['ip', true],
  dns: ['ip', true],
  sip: ['ip', true],
  llmnr: ['udp', true],
  ntp: ['udp', true],
  snmp: ['udp', true],
  tftp: ['udp', true],
  dhcp: ['udp', true],
  ikev2: ['udp', true],
  file: ['ip', true],
};

/** HTTP buffer keywords: Snort 2 content modifiers, Snort 3 sticky buffers. */
const HTTP_BUFFERS = new Set([
  'http_uri', 'http_raw_uri', 'http_header', 'http_raw_header', 'http_client_body', 'http_method',
  'http_cookie', 'http_raw_cookie', 'http_stat_code', 'http_stat_msg',
]);

/** Buffers that are sticky in every dialect (Snort 2 too), or exist only in Snort 3 (sticky). */
const STICKY_BUFFERS = new Set([
  'file_data', 'pkt_data', 'raw_data', 'base64_data', 'dce_stub_data', 'sip_header', 'sip_body',
  'js_data', 'vba_data', 'http_raw_body', 'http_version', 'http_param', 'http_trailer',
  'http_raw_request', 'http_raw_status', 'http_true_ip', 'http_raw_trailer',
]);

/** Suricata dotted sticky buffers that have a Snort name. */
const SURICATA_BUFFERS: Record<string, string> = {
  'http.uri': 'http_uri',
  'http.uri.raw': 'http_raw_uri',
  'http.header': 'http_header',
  'http.header.raw': 'http_raw_header',
  'http.method': 'http_method',
  'http.cookie': 'http_cookie',
  'http.request_body': 'http_client_body',
  'http.response_body': 'file_data',
  'http.stat_code': 'http_stat_code',
  'http.stat_msg': 'http_stat_msg',
  'file.data': 'file_data',
};

/** pcre buffer flags (Snort 2). */
const PCRE_BUFFER_FLAGS: Record<string, string> = {
  U: 'http_uri', I: 'http_raw_uri', P: 'http_client_body', H: 'http_header', D: 'http_raw_header',
  M: 'http_method', C: 'http_cookie', K: 'http_raw_cookie', S: 'http_stat_code', Y: 'http_stat_msg',
  B: 'raw',
};
const PCRE_FLAGS = /^[ismxAEGRUIPHDMCKSYBO]*$/;

/** Options that do not change whether a rule matches. */
const INFO_OPTIONS = new Set(['msg', 'sid', 'rev', 'gid', 'classtype', 'priority', 'metadata', 'reference', 'service', 'target', 'rem', 'soid', 'tag']);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A parse failure inside one rule; turned into a RuleReject. */
class Reject {
  constructor(readonly kind: RejectKind, readonly reason: string) {}
}

function fail(kind: RejectKind, reason: string): never {
  throw new Reject(kind, reason);
}

interface RawOption {
  name: string;
  value?: string;
}

interface LogicalLine {
  line: number;
  text: string;
}

/** Joins `\`-continued lines; keeps the 1-based number of each logical line's first line. */
function logicalLines(text: string): LogicalLine[] {
  const phys = text.split(/\r\n|\n|\r/);
  const out: LogicalLine[] = [];
  let acc: string | undefined;
  let start = 0;
  for (let i = 0; i < phys.length; i++) {
    let l = phys[i];
    const cont = /\\\s*$/.test(l);
    if (cont) l = l.replace(/\\\s*$/, '');
    if (acc === undefined) {
      acc = l;
      start = i + 1;
    } else acc += l;
    if (!cont) {
      out.push({ line: start, text: acc });
      acc = undefined;
    }
  }
  if (acc !== undefined) out.push({ line: start, text: acc });
  return out;
}

const RULE_START = /^(alert|log|pass|drop|reject|sdrop|activate|dynamic|block|rewrite)\b/;
/** A comment that holds a disabled rule: action, optional header, then `( ... )`. */
const DISABLED_RULE = /^(alert|log|pass|drop|reject|sdrop|activate|dynamic|block|rewrite)(\s+[^\s(]+){0,6}\s*\(.*\)\s*$/;

export function parseRules(text: string, options: RuleParseOptions = {}): RuleParseResult {
  const file = options.file;
  let vars = options.vars ?? Variables.defaults();
  let specs = new SpecCompiler(vars);
  let fileDialect: 'snort2' | 'snort3' = options.dialect === 'snort3' ? 'snort3' : 'snort2';
  const forced = options.dialect === 'snort2' || options.dialect === 'snort3' ? options.dialect : undefined;
  const rules: Rule[] = [];
  const rejected: RuleReject[] = [];
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
        vars = vars.with([[varLine[2], varLine[3]]]);
        specs = new SpecCompiler(vars);
        continue;
      }
      stats.enabledSeen++;
    }
    let sid: number | undefined;
    try {
      if (!RULE_START.test(t)) {
        const word = /^\S{0,40}/.exec(t)?.[0] ?? '';
        fail('not-a-rule', `not a rule (starts with '${word}')`);
      }
      const r = parseOne(t, line, file, enabled, specs, forced ?? fileDialect, forced !== undefined, nextId, (s) => (sid = s));
      if (r.dialect === 'snort3' && forced === undefined) fileDialect = 'snort3';
      rules.push(r);
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
  return { rules, rejected, stats, vars };
}

/** Splits the header at blanks, keeping `[...]` lists (which may contain blanks) whole. */
function headerTokens(h: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const ch of h) {
    if (ch === '[') depth++;
    else if (ch === ']') depth--;
    if (depth <= 0 && /\s/.test(ch)) {
      if (cur !== '') out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (depth !== 0) fail('bad-header', 'unbalanced [ ] in rule header');
  if (cur !== '') out.push(cur);
  return out;
}

/** Splits the option body into `name[:value]` items. Throws Reject on an unterminated quote. */
function splitOptions(body: string): RawOption[] {
  const out: RawOption[] = [];
  const n = body.length;
  let i = 0;
  while (i < n) {
    while (i < n && /\s/.test(body[i])) i++;
    if (i >= n) break;
    if (body[i] === ';') {
      i++; // stray empty option (`;;`): tolerated, as by Snort
      continue;
    }
    const m = /^[A-Za-z0-9_.\-]+/.exec(body.slice(i, i + 80));
    if (!m) fail('bad-option', `expected an option name at '${body.slice(i, i + 20)}'`);
    const name = m[0].toLowerCase();
    i += m[0].length;
    while (i < n && (body[i] === ' ' || body[i] === '\t')) i++;
    if (i >= n || body[i] === ';') {
      out.push({ name });
      i++;
      continue;
    }
    if (body[i] !== ':') fail('bad-option', `expected ':' or ';' after option '${name}'`);
    i++;
    const start = i;
    if ((name === 'pcre' || name === 'regex') && /^!?\s*"/.test(body.slice(i).trimStart())) {
      // The value is `[!]"..."` ending at a quote followed by blanks and `;` (or the end).
      let j = i;
      while (j < n && body[j] !== '"') j++;
      j++;
      let end = -1;
      for (; j < n; j++) {
        const c = body[j];
        if (c === '\\') {
          j++;
          continue;
        }
        if (c === '"') {
          let k = j + 1;
          while (k < n && (body[k] === ' ' || body[k] === '\t')) k++;
          if (k >= n || body[k] === ';') {
            end = j;
            i = k + 1;
            break;
          }
        }
      }
      if (end < 0) fail('unterminated', 'unterminated pcre value (no closing \'";\')');
      out.push({ name, value: body.slice(start, end + 1).trim() });
      continue;
    }
    let inQuote = false;
    let j = i;
    for (; j < n; j++) {
      const c = body[j];
      if (c === '\\') {
        j++;
        continue;
      }
      if (c === '"') inQuote = !inQuote;
      else if (c === ';' && !inQuote) break;
    }
    if (inQuote) fail('unterminated', `unterminated quoted value in option '${name}'`);
    out.push({ name, value: body.slice(start, Math.min(j, n)).trim() });
    i = j + 1;
  }
  return out;
}

/** Reads a `"..."` string at the start of `s` (after blanks); returns its inside and the rest. */
function quoted(s: string, what: string, kind: RejectKind): { inner: string; rest: string } {
  const t = s.trimStart();
  if (!t.startsWith('"')) fail(kind, `${what}: expected a quoted string`);
  for (let j = 1; j < t.length; j++) {
    if (t[j] === '\\') {
      j++;
      continue;
    }
    if (t[j] === '"') return { inner: t.slice(1, j), rest: t.slice(j + 1) };
  }
  return fail('unterminated', `${what}: unterminated quoted string`);
}

const encoder = new TextEncoder();

/**
 * Decodes a content string: `|41 42|` hex runs and `\"` `\;` `\\` `\:` escapes. As in Snort 2,
 * blanks inside a hex run may fall between the two digits of a byte (`|3 a20|` is 3a 20).
 */
export function decodeContent(s: string): Uint8Array {
  const out: number[] = [];
  let inHex = false;
  let nibble = -1;
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (inHex) {
      if (c === '|') {
        if (nibble >= 0) fail('bad-content', `odd number of hex digits in content before offset ${i}`);
        inHex = false;
      } else if (c !== ' ' && c !== '\t') {
        if (!/[0-9A-Fa-f]/.test(c)) fail('bad-content', `bad hex digit '${c}' in content at offset ${i}`);
        if (nibble < 0) nibble = parseInt(c, 16);
        else {
          out.push((nibble << 4) | parseInt(c, 16));
          nibble = -1;
        }
      }
      i++;
    } else if (c === '|') {
      inHex = true;
      i++;
    } else if (c === '\\') {
      if (i + 1 >= s.length) fail('bad-content', 'content ends with a lone backslash');
      const cp = s.codePointAt(i + 1)!;
      for (const b of encoder.encode(String.fromCodePoint(cp))) out.push(b);
      i += cp > 0xffff ? 3 : 2;
    } else {
      const cp = s.codePointAt(i)!;
      if (cp < 0x80) out.push(cp);
      else for (const b of encoder.encode(String.fromCodePoint(cp))) out.push(b);
      i += cp > 0xffff ? 2 : 1;
    }
  }
  if (inHex) fail('bad-content', 'unterminated |hex| run in content');
  if (out.length === 0) fail('bad-content', 'empty content');
  return Uint8Array.from(out);
}

function unescapeText(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

function parseInteger(v: string | undefined, name: string, min = 0): number {
  const t = (v ?? '').trim();
  if (!/^-?\d+$/.test(t)) fail('bad-option', `${name}: expected an integer, got '${t}'`);
  const n = Number(t);
  if (n < min || !Number.isSafeInteger(n)) fail('bad-option', `${name}: ${n} out of range`);
  return n;
}

function parseDsize(v: string): DsizeSpec {
  const t = v.replace(/\s+/g, '');
  let m = /^(\d+)(<=>|<>)(\d+)$/.exec(t);
  if (m) return { op: m[2] as '<>' | '<=>', a: Number(m[1]), b: Number(m[3]) };
  m = /^(<=|>=|!=|<|>|=|!)?(\d+)$/.exec(t);
  if (m) {
    const op = m[1] === '!' ? '!=' : ((m[1] ?? '=') as DsizeSpec['op']);
    return { op, a: Number(m[2]) };
  }
  return fail('bad-option', `dsize: cannot read '${v}'`);
}

const FLOW_KEYWORDS = new Set([
  'to_server', 'from_client', 'to_client', 'from_server', 'established', 'not_established', 'stateless',
  'only_stream', 'no_stream', 'only_frag', 'no_frag',
]);

function parseFlow(v: string): FlowSpec {
  const keywords = v.split(',').map((k) => k.trim().toLowerCase()).filter((k) => k !== '');
  const f: Mutable<FlowSpec> = { stateless: false, keywords };
  for (const k of keywords) {
    if (!FLOW_KEYWORDS.has(k)) fail('bad-option', `flow: unknown keyword '${k}'`);
    if (k === 'to_server' || k === 'from_client') f.toServer = true;
    else if (k === 'to_client' || k === 'from_server') f.toServer = false;
    else if (k === 'established') f.established = true;
    else if (k === 'not_established') f.established = false;
    else if (k === 'stateless') f.stateless = true;
    else if (k === 'only_stream') f.stream = true;
    else if (k === 'no_stream') f.stream = false;
  }
  return f;
}

function parsePcre(value: string): Omit<PcrePattern, 'buffer'> {
  let v = value.trim();
  let negated = false;
  if (v.startsWith('!')) {
    negated = true;
    v = v.slice(1).trim();
  }
  // Suricata also takes an unquoted value (`pcre:/one/U;`).
  if (v.startsWith('"') && (!v.endsWith('"') || v.length < 2)) fail('bad-pcre', 'pcre value is not quoted properly');
  const source = v.startsWith('"') ? v.slice(1, -1) : v;
  if (!source.startsWith('/')) fail('bad-pcre', `pcre must be /pattern/flags, got '${source.slice(0, 30)}'`);
  const last = source.lastIndexOf('/');
  if (last <= 0) fail('bad-pcre', 'pcre has no closing /');
  const flags = source.slice(last + 1);
  if (!PCRE_FLAGS.test(flags)) fail('bad-pcre', `unknown pcre flag in '${flags}'`);
  return { kind: 'pcre', source, pattern: source.slice(1, last), flags, negated, relative: flags.includes('R') };
}

/** Numeric modifier, or a byte_extract variable name (kept aside). */
function modifierValue(v: string | undefined, name: string, c: Mutable<ContentPattern>): number | undefined {
  const t = (v ?? '').trim();
  if (/^-?\d+$/.test(t)) {
    const n = Number(t);
    if ((name === 'offset' || name === 'depth' || name === 'within') && n < 0) fail('bad-option', `${name}: negative value ${n}`);
    return n;
  }
  if (/^[A-Za-z_][A-Za-z0-9_.]*$/.test(t)) {
    (c.variableModifiers as string[]).push(`${name} ${t}`);
    return undefined;
  }
  return fail('bad-option', `${name}: expected a number or a variable, got '${t}'`);
}

function applyContentModifier(c: Mutable<ContentPattern>, name: string, value: string | undefined): boolean {
  switch (name) {
    case 'nocase':
      c.nocase = true;
      return true;
    case 'rawbytes':
      c.buffer = 'raw';
      return true;
    case 'fast_pattern':
      c.fastPattern = true;
      return true;
    case 'offset':
    case 'depth':
    case 'distance':
    case 'within': {
      const v = modifierValue(value, name, c);
      if (v !== undefined) c[name] = v;
      return true;
    }
    case 'startswith':
      c.startsWith = true;
      return true;
    case 'endswith':
      c.endsWith = true;
      return true;
    default:
      return false;
  }
}

function detectDialect(opts: RawOption[]): 'snort3' | undefined {
  let sawContent = false;
  for (const o of opts) {
    if (o.name === 'service') return 'snort3';
    if (o.name === 'content' && o.value !== undefined) {
      try {
        const v = o.value.trim().replace(/^!\s*/, '');
        if (quoted(v, 'content', 'bad-content').rest.trim().startsWith(',')) return 'snort3';
      } catch {
        // reported properly later
      }
    }
    if (o.name === 'content' || o.name === 'uricontent' || o.name === 'pcre') sawContent = true;
    else if (HTTP_BUFFERS.has(o.name) && !sawContent) return 'snort3';
  }
  return undefined;
}

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
): Rule {
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

  const tokens = headerTokens(text.slice(0, open));
  const action = tokens[0] as RuleAction;
  if (!ACTIONS.has(action)) fail('bad-header', `unknown action '${tokens[0]}'`);
  let protocol = 'ip';
  let src = 'any';
  let sport = 'any';
  let dir = '->';
  let dst = 'any';
  let dport = 'any';
  if (tokens.length === 7) [, protocol, src, sport, dir, dst, dport] = tokens;
  else if (tokens.length === 2) protocol = tokens[1];
  else if (tokens.length !== 1) fail('bad-header', `rule header has ${tokens.length} fields, expected 7 (or Snort 3's 'action proto')`);
  protocol = protocol.toLowerCase();
  const proto = PROTOCOLS[protocol];
  if (!proto) fail('bad-protocol', `unknown protocol '${protocol}'`);
  if (dir === '<-') [src, sport, dst, dport] = [dst, dport, src, sport];
  else if (dir !== '->' && dir !== '<>') fail('bad-header', `bad direction '${dir}'`);

  const spec = <T>(f: () => T, kind: RejectKind): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof RuleParseError) {
        fail(/undefined variable/.test(e.reason) ? 'undefined-variable' : kind, e.reason);
      }
      throw e;
    }
  };
  const srcSet = spec(() => specs.addressSet(src), 'bad-address');
  const dstSet = spec(() => specs.addressSet(dst), 'bad-address');
  const srcPorts = spec(() => specs.portSet(sport), 'bad-port');
  const dstPorts = spec(() => specs.portSet(dport), 'bad-port');

  const dialect = forcedDialect ? defaultDialect : (detectDialect(opts) ?? defaultDialect);

  let gid = 1;
  let rev = 0;
  let msg = '';
  let classtype: string | undefined;
  let priority: number | undefined;
  const metadata: MetadataEntry[] = [];
  const services: string[] = [];
  const policies: string[] = [];
  const references: Reference[] = [];
  let flow: FlowSpec | undefined;
  let dsize: DsizeSpec | undefined;
  const patterns: RulePattern[] = [];
  let noalert = false;
  const unsupported: string[] = [];
  const packetChecks: PacketCheck[] = [];
  const rateLimits: { name: string; value: string }[] = [];
  const payloadChecks: PlacedCheck[] = [];
  const flowbits: FlowbitOption[] = [];
  let sticky: BufferName = 'pkt';
  let last: Mutable<ContentPattern> | undefined;
  const addUnsupported = (n: string) => {
    if (!unsupported.includes(n)) unsupported.push(n);
  };
  if (proto[1]) services.push(protocol);

  for (const { name, value } of opts) {
    switch (name) {
      case 'sid':
        continue;
      case 'msg':
        msg = value === undefined ? '' : value.trim().startsWith('"') ? unescapeText(quoted(value, 'msg', 'bad-option').inner) : value.trim();
        continue;
      case 'rev':
        rev = parseInteger(value, 'rev');
        continue;
      case 'gid':
        gid = parseInteger(value, 'gid');
        continue;
      case 'priority':
        priority = parseInteger(value, 'priority');
        continue;
      case 'classtype':
        classtype = (value ?? '').trim();
        if (!/^[A-Za-z0-9_.\-]+$/.test(classtype)) fail('bad-option', `bad classtype '${classtype}'`);
        continue;
      case 'metadata':
        for (const item of (value ?? '').split(',')) {
          const m = /^\s*(\S+)\s*(.*?)\s*$/.exec(item);
          if (!m || m[1] === '') continue;
          metadata.push({ key: m[1], value: m[2] });
          if (m[1] === 'service' && m[2] !== '' && !services.includes(m[2])) services.push(m[2]);
          if (m[1] === 'policy' && m[2] !== '') policies.push(m[2].split(/\s+/)[0]);
        }
        continue;
      case 'service':
        for (const s of (value ?? '').split(',')) {
          const t = s.trim();
          if (t !== '' && !services.includes(t)) services.push(t);
        }
        continue;
      case 'reference': {
        const v = (value ?? '').trim();
        const c = v.indexOf(',');
        references.push(c < 0 ? { system: v, id: '' } : { system: v.slice(0, c).trim(), id: v.slice(c + 1).trim() });
        continue;
      }
      case 'flow':
        flow = parseFlow(value ?? '');
        continue;
      case 'dsize':
        dsize = parseDsize(value ?? '');
        continue;
      case 'flowbits': {
        const parts = (value ?? '').split(',').map((x) => x.trim());
        const op = parts[0] as FlowbitOption['op'];
        if (op === 'noalert') {
          noalert = true;
          flowbits.push({ op, names: [], all: true });
          continue;
        }
        if (!['set', 'unset', 'toggle', 'isset', 'isnotset', 'reset', 'setx'].includes(op)) fail('bad-option', `flowbits: unknown operation '${parts[0]}'`);
        if (op === 'reset') {
          flowbits.push({ op, names: [], all: true });
          continue;
        }
        const spec = parts[1] ?? '';
        const any = spec.includes('|');
        const names = spec.split(/[&|]/).map((x) => x.trim()).filter((x) => x !== '');
        if (names.length === 0) fail('bad-option', `flowbits:${op} needs a name`);
        if (any && spec.includes('&')) fail('bad-option', `flowbits: cannot mix & and | in '${spec}'`);
        // `setx` (set one bit of a group, clearing the others) is read as `set` (the group
        // clearing is not modelled).
        flowbits.push({ op: (op as string) === 'setx' ? 'set' : op, names, all: !any });
        continue;
      }
      case 'content':
      case 'uricontent': {
        let v = (value ?? '').trim();
        let negated = false;
        if (v.startsWith('!')) {
          negated = true;
          v = v.slice(1);
        }
        const q = quoted(v, name, 'bad-content');
        const c: Mutable<ContentPattern> = {
          kind: 'content',
          bytes: decodeContent(q.inner),
          text: q.inner,
          negated,
          nocase: false,
          buffer: name === 'uricontent' ? 'http_uri' : sticky,
          startsWith: false,
          endsWith: false,
          fastPattern: false,
          variableModifiers: [],
        };
        const rest = q.rest.trim();
        if (rest !== '') {
          if (!rest.startsWith(',')) fail('bad-content', `unexpected text after content string: '${rest.slice(0, 20)}'`);
          for (const part of rest.slice(1).split(',')) {
            const m = /^\s*([A-Za-z_]+)\s*(.*?)\s*$/.exec(part);
            if (!m) fail('bad-content', `bad content modifier '${part}'`);
            if (m[1] === 'fast_pattern_only' || m[1] === 'fast_pattern_offset' || m[1] === 'fast_pattern_length') continue;
            if (!applyContentModifier(c, m[1], m[2] === '' ? undefined : m[2])) {
              fail('bad-content', `unknown content modifier '${m[1]}'`);
            }
          }
        }
        patterns.push(c);
        last = c;
        continue;
      }
      case 'pcre':
      case 'regex': {
        // Snort 3 `regex` (Hyperscan) takes the same /pattern/flags text as pcre.
        const p = parsePcre(value ?? '');
        let buffer = sticky;
        let flagged = false;
        for (const f of p.flags) {
          if (PCRE_BUFFER_FLAGS[f]) {
            buffer = PCRE_BUFFER_FLAGS[f];
            flagged = true;
          }
        }
        // Snort 2: a relative pcre without a buffer flag continues in the buffer of the
        // previous match (ET writes `content:"x"; http_client_body; pcre:"/.../R";`).
        if (p.relative && !flagged && dialect === 'snort2' && patterns.length > 0) buffer = patterns[patterns.length - 1].buffer;
        patterns.push({ ...p, buffer });
        continue;
      }
      case 'nocase':
      case 'rawbytes':
      case 'fast_pattern':
      case 'offset':
      case 'depth':
      case 'distance':
      case 'within':
      case 'startswith':
      case 'endswith':
        if (!last) fail('modifier-without-pattern', `'${name}' before any content`);
        applyContentModifier(last, name, value);
        continue;
      case 'pkt_data':
        sticky = 'pkt';
        continue;
      case 'raw_data':
        sticky = 'raw';
        continue;
      default:
        break;
    }
    if (HTTP_BUFFERS.has(name)) {
      if (dialect === 'snort3') sticky = name;
      else {
        if (!last) fail('modifier-without-pattern', `'${name}' before any content`);
        last.buffer = name;
      }
      continue;
    }
    if (STICKY_BUFFERS.has(name)) {
      sticky = name;
      continue;
    }
    if (name.includes('.') && /^[a-z0-9_]+(\.[a-z0-9_]+)+$/.test(name)) {
      sticky = SURICATA_BUFFERS[name] ?? name;
      continue;
    }
    if (INFO_OPTIONS.has(name)) continue;
    if (name === 'threshold' || name === 'detection_filter') {
      rateLimits.push({ name, value: (value ?? '').trim() });
      continue;
    }
    if (name === 'byte_test' || name === 'byte_jump' || name === 'urilen' || name === 'bufferlen' || (name === 'isdataat' && (value ?? '').includes(','))) {
      let pc;
      try {
        pc = parsePayloadCheck(name, value);
      } catch (e) {
        if (e instanceof PayloadCheckError) fail('bad-option', e.message);
        throw e;
      }
      if (pc) {
        // Relative checks continue in the buffer of the previous match (Snort 2); others,
        // like every option in Snort 3, read the current sticky buffer.
        const prev = patterns.length > 0 ? patterns[patterns.length - 1].buffer : sticky;
        const rawArg = /(^|,)\s*rawbytes\s*(,|$)/.test(value ?? '');
        let buffer = rawArg ? 'raw' : pc.relative && dialect === 'snort2' ? prev : sticky;
        if (name === 'urilen') {
          buffer = /(^|,)\s*raw\s*(,|$)/.test(value ?? '') ? 'http_raw_uri' : 'http_uri';
          if (pc.kind === 'buflen' && pc.op === '<>' && dialect === 'snort2') {
            payloadChecks.push({ ...pc, op: '<=>', after: patterns.length, buffer });
            continue;
          }
        }
        payloadChecks.push({ ...pc, after: patterns.length, buffer });
      } else addUnsupported(name);
      continue;
    }
    let check: PacketCheck | undefined;
    try {
      check = packetCheck(name, value);
    } catch (e) {
      if (e instanceof PacketOptionError) fail('bad-option', e.message);
      throw e;
    }
    if (check) packetChecks.push(check);
    else addUnsupported(name);
  }

  return {
    id,
    file,
    line,
    enabled,
    dialect,
    text,
    action,
    protocol,
    transport: proto[0],
    appProtocol: proto[1],
    header: { src, srcPorts: sport, direction: dir === '<>' ? '<>' : '->', dst, dstPorts: dport },
    src: srcSet,
    srcPorts,
    dst: dstSet,
    dstPorts,
    gid,
    sid,
    rev,
    msg,
    classtype,
    priority,
    metadata,
    services,
    policies,
    references,
    flow,
    dsize,
    patterns,
    packetChecks,
    payloadChecks,
    rateLimits,
    flowbits,
    noalert,
    unsupported,
  };
}
