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

import { comparison, PacketOptionError, type CompareOp } from './packet-options.js';

/** A byte_test operator: a comparison, `&` (any mask bit set) or `^` (value differs). */
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

/**
 * One payload check as plain data (a read at a fixed or cursor-relative `offset`, in bytes).
 */
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

const numeric = (s: string | undefined): boolean => s !== undefined && (INT.test(s) || /^0x[0-9a-f]+$/i.test(s));

/**
 * Reads a payload-check option (`byte_test`, `byte_jump`, `isdataat`, `urilen`, `bufferlen`;
 * `text` is the raw value after the `:`). Returns undefined when the option uses something
 * we do not support (variables, dce) or is not a payload check (a non-relative `isdataat`).
 * `urilen` ranges `A<>B` are read as Snort 3 does (exclusive); Snort 2 documents them as
 * "between", which the parser maps to inclusive for Snort 2 rules.
 * @throws PayloadCheckError for a malformed value (missing arguments, bad operator or number,
 *   a read of more than 10 bytes).
 */
export function parsePayloadCheck(name: string, text: string | undefined): PayloadCheck | undefined {
  const parts = (text ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (name === 'isdataat') return parseIsdataat(parts);
  if (name === 'urilen' || name === 'bufferlen') return parseBuflen(name, parts);
  if (name !== 'byte_test' && name !== 'byte_jump') return undefined;
  const isTest = name === 'byte_test';
  const fixed = isTest ? 4 : 2;
  if (parts.length < fixed) throw new PayloadCheckError(`${name}: expected at least ${fixed} arguments`);
  const bytes = int(parts[0], `${name} bytes`);
  let test: ByteTestCompare = { op: '=', negated: false, value: 0 };
  if (isTest) {
    const t = parseByteTestCompare(parts[1], parts[2]);
    if (!t) return undefined;
    test = t;
  }
  const offsetText = isTest ? parts[3] : parts[1];
  if (!numeric(offsetText)) return undefined;
  const offset = int(offsetText, `${name} offset`);
  const args = parseReadArgs(name, isTest, parts.slice(fixed));
  if (!args) return undefined;
  // Snort documents 1-4 bytes for binary reads, but rules use up to 8 (a 64-bit read: exact
  // below 2^53, which covers every comparison value seen in the rulesets).
  if (bytes < 1 || bytes > 10) throw new PayloadCheckError(`${name}: cannot read ${bytes} bytes (1-10)`);
  const { relative, little, base, bitmask, multiplier, align, fromBeginning, fromEnd, postOffset } = args;
  const read = { bytes, offset, relative, little, base, bitmask };
  return isTest
    ? { kind: 'byte_test', ...read, op: test.op, negated: test.negated, value: test.value }
    : { kind: 'byte_jump', ...read, multiplier, align, fromBeginning, fromEnd, postOffset };
}

/** `isdataat:[!]N,relative[,rawbytes]`; undefined unless relative with a literal offset. */
function parseIsdataat(parts: string[]): PayloadCheck | undefined {
  if (parts.length < 2 || !parts.slice(1).every((p) => p === 'relative' || p === 'rawbytes')) return undefined;
  if (!parts.slice(1).includes('relative')) return undefined;
  const m = /^(!)?\s*(\d+)$/.exec(parts[0]);
  if (!m) return undefined; // a variable
  return { kind: 'isdataat', offset: Number(m[2]), relative: true, negated: m[1] === '!' };
}

/** `urilen` / `bufferlen`: a comparison, then `raw`, `norm`, `relative` flags. */
function parseBuflen(name: string, parts: string[]): PayloadCheck | undefined {
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

interface ByteTestCompare {
  op: ByteTestOp;
  negated: boolean;
  value: number;
}

/** byte_test's `[!]op` and value; undefined when the value is a byte_extract variable. */
function parseByteTestCompare(opText: string, valueText: string): ByteTestCompare | undefined {
  let op: ByteTestOp = '=';
  let negated = false;
  const m = /^(!)?\s*(<=|>=|<|>|=|&|\^)$/.exec(opText);
  if (!m) {
    if (opText === '!') {
      negated = true; // `!` alone means "not equal"
    } else throw new PayloadCheckError(`byte_test: bad operator '${opText}'`);
  } else {
    negated = m[1] === '!';
    op = m[2] as ByteTestOp;
  }
  if (!numeric(valueText)) return undefined; // byte_extract variable
  return { op, negated, value: int(valueText, 'byte_test value') };
}

/** The optional arguments of byte_test / byte_jump. */
interface ReadArgs {
  relative: boolean;
  little: boolean;
  base: 0 | 8 | 10 | 16;
  bitmask?: number;
  multiplier: number;
  align: boolean;
  fromBeginning: boolean;
  fromEnd: boolean;
  postOffset: number;
}

/** Reads the optional arguments in order; undefined at the first one we do not model. */
function parseReadArgs(name: string, isTest: boolean, args: string[]): ReadArgs | undefined {
  const r: ReadArgs = { relative: false, little: false, base: 0, multiplier: 1, align: false, fromBeginning: false, fromEnd: false, postOffset: 0 };
  for (const a of args) {
    const [word, arg] = a.split(/\s+/, 2);
    switch (word) {
      case 'relative':
        r.relative = true;
        break;
      case 'big':
        r.little = false;
        break;
      case 'little':
        r.little = true;
        break;
      case 'string':
        r.base = 10;
        break;
      case 'hex':
        r.base = 16;
        break;
      case 'dec':
        r.base = 10;
        break;
      case 'oct':
        r.base = 8;
        break;
      case 'rawbytes':
        break;
      case 'dce':
        return undefined;
      case 'bitmask':
        if (arg === undefined) throw new PayloadCheckError(`${name}: bitmask needs a value`);
        r.bitmask = int(arg, `${name} bitmask`);
        break;
      case 'multiplier':
        if (isTest || arg === undefined || !numeric(arg)) return undefined;
        r.multiplier = int(arg, 'byte_jump multiplier');
        break;
      case 'align':
        if (isTest) throw new PayloadCheckError(`byte_test: unknown argument 'align'`);
        r.align = true;
        break;
      case 'from_beginning':
        r.fromBeginning = true;
        break;
      case 'from_end':
        r.fromEnd = true;
        break;
      case 'post_offset':
        if (isTest || arg === undefined || !numeric(arg)) return undefined;
        r.postOffset = int(arg, 'byte_jump post_offset');
        break;
      default:
        return undefined; // an argument we do not model
    }
  }
  return r;
}
