/**
 * Options that are match conditions besides the patterns: `flow`, `flowbits`, `dsize`,
 * payload checks placed between the patterns (`byte_test`, `byte_jump`, `urilen`,
 * `bufferlen`, relative `isdataat`), packet-header checks (`packetCheck`), and the rate
 * limits `threshold`/`detection_filter` kept as written. An option that none of these
 * models is recorded in `unsupported`. Malformed values are a `Reject` (`bad-option`).
 */
import type { DsizeSpec, FlowbitOption, FlowSpec } from '../rule.js';
import { packetCheck, PacketOptionError, type PacketCheck } from '../packet-options.js';
import { parsePayloadCheck, PayloadCheckError } from '../payload-checks.js';
import { addUnsupported, type RuleDraft } from './draft.js';
import { KNOWN_UNMODELLED_OPTIONS } from './known.js';
import { fail, type Mutable } from './reject.js';

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

/** `flow`: direction, state and stream keywords. */
export function flowOption(d: RuleDraft, value: string | undefined): void {
  d.flow = parseFlow(value ?? '');
}

/** `dsize`: `N`, `<N`, `>N`, `N<>M`, `N<=>M`, ... */
export function dsizeOption(d: RuleDraft, value: string | undefined): void {
  d.dsize = parseDsize(value ?? '');
}

/** `flowbits`: `op[,name1&name2 | name1|name2]`; `noalert` also sets `Rule.noalert`. */
export function flowbitsOption(d: RuleDraft, value: string | undefined): void {
  const parts = (value ?? '').split(',').map((x) => x.trim());
  const op = parts[0] as FlowbitOption['op'];
  if (op === 'noalert') {
    d.noalert = true;
    d.flowbits.push({ op, names: [], all: true });
    return;
  }
  if (!['set', 'unset', 'toggle', 'isset', 'isnotset', 'reset', 'setx'].includes(op)) fail('bad-option', `flowbits: unknown operation '${parts[0]}'`);
  if (op === 'reset') {
    d.flowbits.push({ op, names: [], all: true });
    return;
  }
  const spec = parts[1] ?? '';
  const any = spec.includes('|');
  const names = spec.split(/[&|]/).map((x) => x.trim()).filter((x) => x !== '');
  if (names.length === 0) fail('bad-option', `flowbits:${op} needs a name`);
  if (any && spec.includes('&')) fail('bad-option', `flowbits: cannot mix & and | in '${spec}'`);
  // `setx` (set one bit of a group, clearing the others) is read as `set` (the group
  // clearing is not modelled).
  d.flowbits.push({ op: (op as string) === 'setx' ? 'set' : op, names, all: !any });
}

/** `threshold` / `detection_filter`: kept as written for the alert layer. */
export function rateLimitOption(d: RuleDraft, value: string | undefined, name: string): void {
  d.rateLimits.push({ name, value: (value ?? '').trim() });
}

/**
 * A payload check (`byte_test`, `byte_jump`, `urilen`, `bufferlen`, relative `isdataat`),
 * placed after the patterns read so far, in the buffer it reads.
 */
export function payloadCheckOption(d: RuleDraft, value: string | undefined, name: string): void {
  let pc;
  try {
    pc = parsePayloadCheck(name, value);
  } catch (e) {
    if (e instanceof PayloadCheckError) fail('bad-option', e.message);
    throw e;
  }
  if (!pc) {
    addUnsupported(d, name);
    return;
  }
  // Relative checks continue in the buffer of the previous match (Snort 2); others,
  // like every option in Snort 3, read the current sticky buffer.
  const prev = d.patterns.length > 0 ? d.patterns[d.patterns.length - 1].buffer : d.sticky;
  const rawArg = /(^|,)\s*rawbytes\s*(,|$)/.test(value ?? '');
  let buffer = rawArg ? 'raw' : pc.relative && d.dialect === 'snort2' ? prev : d.sticky;
  if (name === 'urilen') {
    buffer = /(^|,)\s*raw\s*(,|$)/.test(value ?? '') ? 'http_raw_uri' : 'http_uri';
    if (pc.kind === 'buflen' && pc.op === '<>' && d.dialect === 'snort2') {
      d.payloadChecks.push({ ...pc, op: '<=>', after: d.patterns.length, buffer });
      return;
    }
  }
  d.payloadChecks.push({ ...pc, after: d.patterns.length, buffer });
}

/**
 * A packet-header check, or (for an option nothing models) an `unsupported` entry; an
 * option that no tool defines (`known.ts`) is also listed in `unknown`.
 */
export function packetCheckOption(d: RuleDraft, value: string | undefined, name: string): void {
  let check: PacketCheck | undefined;
  try {
    check = packetCheck(name, value);
  } catch (e) {
    if (e instanceof PacketOptionError) fail('bad-option', e.message);
    throw e;
  }
  if (check) d.packetChecks.push(check);
  else {
    addUnsupported(d, name);
    if (!KNOWN_UNMODELLED_OPTIONS.has(name) && !d.unknown.includes(name)) d.unknown.push(name);
  }
}

/** `isdataat`: with a `,relative` (any comma) a payload check, otherwise a packet check. */
export function isdataatOption(d: RuleDraft, value: string | undefined, name: string): void {
  if ((value ?? '').includes(',')) payloadCheckOption(d, value, name);
  else packetCheckOption(d, value, name);
}
