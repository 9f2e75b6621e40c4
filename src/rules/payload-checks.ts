/**
 * `byte_test`, `byte_jump`, relative `isdataat`, `urilen` and `bufferlen`: rule options that
 * read payload bytes or buffer lengths
 * at the detection cursor (the end of the previous match in the buffer) or at a fixed
 * offset. The parser compiles them into plain data placed between the rule's patterns
 * (`after` = number of patterns before the option); the rule evaluator runs them as steps
 * of its position search, so a `byte_jump` moves the cursor that later relative patterns
 * use, exactly as in Snort.
 *
 * Supported: numeric arguments; binary (big/little endian, 1-10 bytes) and string
 * (hex/dec/oct, up to 10 bytes) reads; `!` and the
 * operators < > = <= >= & ^; `bitmask`; byte_jump's multiplier, align, from_beginning,
 * from_end, post_offset. Not supported (the option stays in `Rule.unsupported`): values
 * or offsets taken from `byte_extract` variables, `dce` endianness.
 */

import { compare, comparison, PacketOptionError, type CompareOp } from './packet-options.js';

export type ByteTestOp = '<' | '>' | '=' | '<=' | '>=' | '&' | '^';

interface ReadSpec {
  /** Bytes read. */
  readonly bytes: number;
  readonly offset: number;
  readonly relative: boolean;
  readonly little: boolean;
  /** 0 for a binary read, else the base of a string read (8, 10, 16). */
  readonly base: 0 | 8 | 10 | 16;
  readonly bitmask?: number;
}

export type PayloadCheck =
  | (ReadSpec & { readonly kind: 'byte_test'; readonly op: ByteTestOp; readonly negated: boolean; readonly value: number })
  | (ReadSpec & {
      readonly kind: 'byte_jump';
      readonly multiplier: number;
      readonly align: boolean;
      readonly fromBeginning: boolean;
      readonly fromEnd: boolean;
      readonly postOffset: number;
    })
  | { readonly kind: 'isdataat'; readonly offset: number; readonly relative: true; readonly negated: boolean }
  /**
   * `urilen` (on http_uri / http_raw_uri) and Snort 3 `bufferlen` (on the sticky buffer):
   * the buffer's length (from the cursor when relative) compared. Needs the buffer located.
   */
  | { readonly kind: 'buflen'; readonly op: CompareOp; readonly a: number; readonly b?: number; readonly relative: boolean };

/** A check as placed in a rule: after `after` patterns, in inspection buffer `buffer`. */
export type PlacedCheck = PayloadCheck & { readonly after: number; readonly buffer: string };

/** Thrown for a malformed value (the parser rejects the rule). */
export class PayloadCheckError extends Error {}

const INT = /^[+-]?\d+$/;

function int(s: string, what: string): number {
  const t = s.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t, 16);
  if (!INT.test(t)) throw new PayloadCheckError(`${what}: expected a number, got '${s}'`);
  return Number(t);
}

/**
 * Returns undefined when the option uses something we do not support (variables, dce).
 * `urilen` ranges `A<>B` are read as Snort 3 does (exclusive); Snort 2 documents them as
 * "between", which the parser maps to inclusive for Snort 2 rules.
 */
export function parsePayloadCheck(name: string, text: string | undefined): PayloadCheck | undefined {
  const parts = (text ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
  const numeric = (s: string | undefined) => s !== undefined && (INT.test(s) || /^0x[0-9a-f]+$/i.test(s));
  if (name === 'isdataat') {
    if (parts.length < 2 || !parts.slice(1).every((p) => p === 'relative' || p === 'rawbytes')) return undefined;
    if (!parts.slice(1).includes('relative')) return undefined;
    const m = /^(!)?\s*(\d+)$/.exec(parts[0]);
    if (!m) return undefined; // a variable
    return { kind: 'isdataat', offset: Number(m[2]), relative: true, negated: m[1] === '!' };
  }
  if (name === 'urilen' || name === 'bufferlen') {
    const [spec, ...flags] = parts;
    if (spec === undefined) throw new PayloadCheckError(`${name}: missing value`);
    if (!flags.every((f) => f === 'raw' || f === 'norm' || f === 'relative')) return undefined;
    try {
      return { kind: 'buflen', ...comparison(spec, name), relative: flags.includes('relative') };
    } catch (e) {
      if (e instanceof PacketOptionError) throw new PayloadCheckError(e.message);
      throw e;
    }
  }
  if (name !== 'byte_test' && name !== 'byte_jump') return undefined;
  const isTest = name === 'byte_test';
  const fixed = isTest ? 4 : 2;
  if (parts.length < fixed) throw new PayloadCheckError(`${name}: expected at least ${fixed} arguments`);
  const bytes = int(parts[0], `${name} bytes`);
  let op: ByteTestOp = '=';
  let negated = false;
  let value = 0;
  let offsetText: string;
  if (isTest) {
    const m = /^(!)?\s*(<=|>=|<|>|=|&|\^)$/.exec(parts[1]);
    if (!m) {
      if (parts[1] === '!') {
        negated = true; // `!` alone means "not equal"
      } else throw new PayloadCheckError(`byte_test: bad operator '${parts[1]}'`);
    } else {
      negated = m[1] === '!';
      op = m[2] as ByteTestOp;
    }
    if (!numeric(parts[2])) return undefined; // byte_extract variable
    value = int(parts[2], 'byte_test value');
    offsetText = parts[3];
  } else offsetText = parts[1];
  if (!numeric(offsetText)) return undefined;
  const offset = int(offsetText, `${name} offset`);
  let relative = false;
  let little = false;
  let base: 0 | 8 | 10 | 16 = 0;
  let bitmask: number | undefined;
  let multiplier = 1;
  let align = false;
  let fromBeginning = false;
  let fromEnd = false;
  let postOffset = 0;
  for (let i = fixed; i < parts.length; i++) {
    const [word, arg] = parts[i].split(/\s+/, 2);
    switch (word) {
      case 'relative':
        relative = true;
        break;
      case 'big':
        little = false;
        break;
      case 'little':
        little = true;
        break;
      case 'string':
        base = 10;
        break;
      case 'hex':
        base = 16;
        break;
      case 'dec':
        base = 10;
        break;
      case 'oct':
        base = 8;
        break;
      case 'rawbytes':
        break;
      case 'dce':
        return undefined;
      case 'bitmask':
        if (arg === undefined) throw new PayloadCheckError(`${name}: bitmask needs a value`);
        bitmask = int(arg, `${name} bitmask`);
        break;
      case 'multiplier':
        if (isTest || arg === undefined || !numeric(arg)) return undefined;
        multiplier = int(arg, 'byte_jump multiplier');
        break;
      case 'align':
        if (isTest) throw new PayloadCheckError(`byte_test: unknown argument 'align'`);
        align = true;
        break;
      case 'from_beginning':
        fromBeginning = true;
        break;
      case 'from_end':
        fromEnd = true;
        break;
      case 'post_offset':
        if (isTest || arg === undefined || !numeric(arg)) return undefined;
        postOffset = int(arg, 'byte_jump post_offset');
        break;
      default:
        return undefined; // an argument we do not model
    }
  }
  // Snort documents 1-4 bytes for binary reads, but rules use up to 8 (a 64-bit read: exact
  // below 2^53, which covers every comparison value seen in the rulesets).
  if (bytes < 1 || bytes > 10) throw new PayloadCheckError(`${name}: cannot read ${bytes} bytes (1-10)`);
  const read = { bytes, offset, relative, little, base, bitmask };
  return isTest
    ? { kind: 'byte_test', ...read, op, negated, value }
    : { kind: 'byte_jump', ...read, multiplier, align, fromBeginning, fromEnd, postOffset };
}

/** Reads the number at `at`; NaN when out of [base, limit) or not a number. */
function readValue(c: ReadSpec, p: Uint8Array, at: number, limit: number): number {
  if (at < 0 || at + c.bytes > limit) return NaN;
  let v = 0;
  if (c.base === 0) {
    for (let i = 0; i < c.bytes; i++) {
      const b = p[c.little ? at + c.bytes - 1 - i : at + i];
      v = v * 256 + b;
    }
  } else {
    // Snort's strtoul on the bytes read: leading digits of the base, at least one.
    let digits = 0;
    for (let i = 0; i < c.bytes; i++) {
      const ch = p[at + i];
      let d = -1;
      if (ch >= 0x30 && ch <= 0x39) d = ch - 0x30;
      else if (c.base === 16 && ch >= 0x61 && ch <= 0x66) d = ch - 0x57;
      else if (c.base === 16 && ch >= 0x41 && ch <= 0x46) d = ch - 0x37;
      if (d < 0 || d >= c.base) {
        if (digits === 0 && (ch === 0x20 || ch === 0x09)) continue;
        break;
      }
      v = v * c.base + d;
      digits++;
    }
    if (digits === 0) return NaN;
  }
  if (c.bitmask !== undefined) {
    v = (v & c.bitmask) >>> 0;
    let m = c.bitmask >>> 0;
    while (m !== 0 && (m & 1) === 0) {
      v = Math.floor(v / 2);
      m >>>= 1;
    }
  }
  return v;
}

/**
 * Runs one check with the detection cursor at `cursor` in buffer [base, limit) of payload
 * `p`. Returns the new cursor (unchanged for tests), or -1 when the check fails.
 */
export function applyPayloadCheck(c: PayloadCheck, p: Uint8Array, cursor: number, base: number, limit: number): number {
  if (c.kind === 'buflen') return compare(limit - (c.relative ? cursor : base), c.op, c.a, c.b) ? cursor : -1;
  if (c.kind === 'isdataat') {
    const has = cursor + c.offset < limit;
    return has !== c.negated ? cursor : -1;
  }
  const at = (c.relative ? cursor : base) + c.offset;
  if (at < base) return -1;
  const v = readValue(c, p, at, limit);
  if (Number.isNaN(v)) return -1;
  if (c.kind === 'byte_test') {
    let ok: boolean;
    switch (c.op) {
      case '<':
        ok = v < c.value;
        break;
      case '>':
        ok = v > c.value;
        break;
      case '=':
        ok = v === c.value;
        break;
      case '<=':
        ok = v <= c.value;
        break;
      case '>=':
        ok = v >= c.value;
        break;
      case '&':
        ok = (v & c.value) !== 0;
        break;
      case '^':
        ok = (v ^ c.value) !== 0;
        break;
    }
    return ok !== c.negated ? cursor : -1;
  }
  let jump = v * c.multiplier;
  if (c.align && jump % 4 !== 0) jump += 4 - (jump % 4);
  const from = c.fromBeginning ? base : c.fromEnd ? limit : at + c.bytes;
  const next = from + jump + c.postOffset;
  return next < base || next > limit ? -1 : next;
}
