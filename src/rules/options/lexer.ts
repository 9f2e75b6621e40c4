/**
 * Lexing of rule text: logical lines (with `\` continuations), header tokens and the
 * `name[:value]` items of the option list. Quoting follows Snort: `\` escapes the next
 * character, `;` ends an option outside quotes, and a `pcre`/`regex` value ends only at a
 * `"` followed by blanks and `;` so that an unescaped `"` inside a pattern is kept.
 * Every function fails with `Reject` (never another error) on malformed text.
 */
import type { RejectKind } from '../rule.js';
import { fail } from './reject.js';

/** One option of a rule: its lowercased name and its raw value text (trimmed), if any. */
export interface RawOption {
  name: string;
  value?: string;
}

/** A logical line: the joined text and the 1-based number of its first physical line. */
export interface LogicalLine {
  line: number;
  text: string;
}

/** Joins `\`-continued lines; keeps the 1-based number of each logical line's first line. */
export function logicalLines(text: string): LogicalLine[] {
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

/**
 * Splits the header at blanks, keeping `[...]` lists (which may contain blanks) whole.
 * Rejects (`bad-header`) unbalanced brackets.
 */
export function headerTokens(h: string): string[] {
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

/**
 * Splits the option body into `name[:value]` items. Rejects a missing name (`bad-option`)
 * and an unterminated quote (`unterminated`).
 */
export function splitOptions(body: string): RawOption[] {
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
    const value = (name === 'pcre' || name === 'regex') && /^!?\s*"/.test(body.slice(i).trimStart()) ? pcreValueEnd(body, i) : plainValueEnd(body, i, name);
    out.push({ name, value: body.slice(i, value.end).trim() });
    i = value.next;
  }
  return out;
}

/** Where an option value starting at `start` ends (exclusive) and where the next option starts. */
interface ValueEnd {
  end: number;
  next: number;
}

/** A `[!]"..."` pcre value: it ends at a quote followed by blanks and `;` (or the end). */
function pcreValueEnd(body: string, start: number): ValueEnd {
  const n = body.length;
  let j = start;
  while (j < n && body[j] !== '"') j++;
  j++;
  for (; j < n; j++) {
    const c = body[j];
    if (c === '\\') {
      j++;
      continue;
    }
    if (c === '"') {
      let k = j + 1;
      while (k < n && (body[k] === ' ' || body[k] === '\t')) k++;
      if (k >= n || body[k] === ';') return { end: j + 1, next: k + 1 };
    }
  }
  return fail('unterminated', 'unterminated pcre value (no closing \'";\')');
}

/** Any other value: it ends at the first `;` outside quotes (or the end of the body). */
function plainValueEnd(body: string, start: number, name: string): ValueEnd {
  const n = body.length;
  let inQuote = false;
  let j = start;
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
  return { end: Math.min(j, n), next: j + 1 };
}

/**
 * Reads a `"..."` string at the start of `s` (after blanks); returns its inside and the rest.
 * Rejects with `kind` when there is no opening quote, `unterminated` when no closing one.
 */
export function quoted(s: string, what: string, kind: RejectKind): { inner: string; rest: string } {
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
