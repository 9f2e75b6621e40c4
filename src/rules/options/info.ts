/**
 * Options that describe a rule without changing what it matches: msg, rev, gid, priority,
 * classtype, metadata, service, reference. Malformed numbers and class types are rejected
 * (`bad-option`) so that a typo is not silently read as a default.
 */
import { quoted } from './lexer.js';
import type { RuleDraft } from './draft.js';
import { fail } from './reject.js';

/** Parses a decimal integer option value ≥ `min`. Rejects (`bad-option`) anything else. */
export function parseInteger(v: string | undefined, name: string, min = 0): number {
  const t = (v ?? '').trim();
  if (!/^-?\d+$/.test(t)) fail('bad-option', `${name}: expected an integer, got '${t}'`);
  const n = Number(t);
  if (n < min || !Number.isSafeInteger(n)) fail('bad-option', `${name}: ${n} out of range`);
  return n;
}

function unescapeText(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

/** `msg`: quoted (escapes removed) or bare text. */
export function msgOption(d: RuleDraft, value: string | undefined): void {
  d.msg = value === undefined ? '' : value.trim().startsWith('"') ? unescapeText(quoted(value, 'msg', 'bad-option').inner) : value.trim();
}

/** `classtype`: a single name of letters, digits, `_`, `.`, `-`. */
export function classtypeOption(d: RuleDraft, value: string | undefined): void {
  const classtype = (value ?? '').trim();
  if (!/^[A-Za-z0-9_.\-]+$/.test(classtype)) fail('bad-option', `bad classtype '${classtype}'`);
  d.classtype = classtype;
}

/** `metadata`: `key value` items; `service x` adds a service, `policy name action` a policy. */
export function metadataOption(d: RuleDraft, value: string | undefined): void {
  for (const item of (value ?? '').split(',')) {
    const m = /^\s*(\S+)\s*(.*?)\s*$/.exec(item);
    if (!m || m[1] === '') continue;
    d.metadata.push({ key: m[1], value: m[2] });
    if (m[1] === 'service' && m[2] !== '' && !d.services.includes(m[2])) d.services.push(m[2]);
    if (m[1] === 'policy' && m[2] !== '') d.policies.push(m[2].split(/\s+/)[0]);
  }
}

/** Snort 3 `service`: a comma list of service names. */
export function serviceOption(d: RuleDraft, value: string | undefined): void {
  for (const s of (value ?? '').split(',')) {
    const t = s.trim();
    if (t !== '' && !d.services.includes(t)) d.services.push(t);
  }
}

/** `reference`: `system,id` (or a bare system). */
export function referenceOption(d: RuleDraft, value: string | undefined): void {
  const v = (value ?? '').trim();
  const c = v.indexOf(',');
  d.references.push(c < 0 ? { system: v, id: '' } : { system: v.slice(0, c).trim(), id: v.slice(c + 1).trim() });
}
