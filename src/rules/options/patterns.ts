/**
 * Pattern options and the buffers they read: `content`/`uricontent` with their modifiers
 * (Snort 2 separate options, Snort 3 comma form), `pcre`/`regex` with its buffer flags,
 * and the buffer keywords (Snort 2 HTTP content modifiers, sticky buffers of both dialects,
 * Suricata dotted buffers). Also the per-rule dialect guess, since the only ambiguity
 * between the dialects is what an HTTP buffer keyword applies to.
 * Every failure is a `Reject` (`bad-content`, `bad-pcre`, `bad-option`,
 * `modifier-without-pattern`, `unterminated`).
 */
import type { BufferName, ContentPattern, PcrePattern } from '../rule.js';
import type { RuleDraft } from './draft.js';
import { quoted, type RawOption } from './lexer.js';
import { fail, type Mutable } from './reject.js';

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

const encoder = new TextEncoder();

/**
 * Decodes a content string to bytes: `|41 42|` hex runs and `\"` `\;` `\\` `\:` escapes; other
 * characters are UTF-8 encoded. As in Snort 2, blanks inside a hex run may fall between the
 * two digits of a byte (`|3 a20|` is 3a 20). Rejects (`bad-content`) a bad or odd hex run,
 * a trailing backslash and an empty result.
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

/** Applies one content modifier to `c`; false when `name` is not a content modifier. */
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

/** The content modifiers that exist as separate Snort 2 options. */
export const CONTENT_MODIFIERS = ['nocase', 'rawbytes', 'fast_pattern', 'offset', 'depth', 'distance', 'within', 'startswith', 'endswith'] as const;

/** A Snort 2 modifier option (`nocase;`, `depth:4;`, ...): applies to the last content. */
export function modifierOption(d: RuleDraft, value: string | undefined, name: string): void {
  if (!d.last) fail('modifier-without-pattern', `'${name}' before any content`);
  applyContentModifier(d.last, name, value);
}

/** `content` / `uricontent`: `[!]"..."`, optionally followed by Snort 3 `,modifier value` items. */
export function contentOption(d: RuleDraft, value: string | undefined, name: string): void {
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
    buffer: name === 'uricontent' ? 'http_uri' : d.sticky,
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
  d.patterns.push(c);
  d.last = c;
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

/** `pcre`, and Snort 3 `regex` (Hyperscan), which takes the same `/pattern/flags` text. */
export function pcreOption(d: RuleDraft, value: string | undefined): void {
  const p = parsePcre(value ?? '');
  let buffer = d.sticky;
  let flagged = false;
  for (const f of p.flags) {
    if (PCRE_BUFFER_FLAGS[f]) {
      buffer = PCRE_BUFFER_FLAGS[f];
      flagged = true;
    }
  }
  // Snort 2: a relative pcre without a buffer flag continues in the buffer of the
  // previous match (ET writes `content:"x"; http_client_body; pcre:"/.../R";`).
  if (p.relative && !flagged && d.dialect === 'snort2' && d.patterns.length > 0) buffer = d.patterns[d.patterns.length - 1].buffer;
  d.patterns.push({ ...p, buffer });
}

/** A fixed sticky buffer option (`pkt_data` → `pkt`, `raw_data` → `raw`). */
export function stickyOption(buffer: BufferName): (d: RuleDraft) => void {
  return (d) => {
    d.sticky = buffer;
  };
}

/**
 * A buffer keyword that is not in the option table: an HTTP buffer (a modifier of the last
 * content in Snort 2, sticky in Snort 3), a sticky buffer, or a Suricata dotted buffer.
 * Returns false when `name` is none of these.
 */
export function bufferKeyword(d: RuleDraft, name: string): boolean {
  if (HTTP_BUFFERS.has(name)) {
    if (d.dialect === 'snort3') d.sticky = name;
    else {
      if (!d.last) fail('modifier-without-pattern', `'${name}' before any content`);
      d.last.buffer = name;
    }
    return true;
  }
  if (STICKY_BUFFERS.has(name)) {
    d.sticky = name;
    return true;
  }
  if (name.includes('.') && /^[a-z0-9_]+(\.[a-z0-9_]+)+$/.test(name)) {
    d.sticky = SURICATA_BUFFERS[name] ?? name;
    return true;
  }
  return false;
}

/**
 * The dialect a rule reveals: Snort 3 when it uses `service:`, a comma-form content or an
 * HTTP buffer keyword before its first pattern; undefined when nothing tells.
 */
export function detectDialect(opts: RawOption[]): 'snort3' | undefined {
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
