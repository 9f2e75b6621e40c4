/**
 * Evaluation of the payload checks (`byte_test`, `byte_jump`, relative `isdataat`, `urilen`,
 * `bufferlen`) that the parser compiled into `PayloadCheck` data
 * (src/rules/payload-checks.ts). The evaluator runs them as steps of its position search:
 * a check reads the bytes (or the buffer length) at the detection cursor or at a fixed
 * offset of the buffer, and a `byte_jump` moves the cursor that later relative patterns
 * use, exactly as in Snort. No allocation, nothing thrown.
 */
import type { PayloadCheck } from '../rules/payload-checks.js';
import { compare } from './packet-checks.js';

/** The checks that read a number from the payload. */
type ByteRead = Extract<PayloadCheck, { kind: 'byte_test' | 'byte_jump' }>;

/** Reads the number at `at`; NaN when out of [base, limit) or not a number. */
function readValue(c: ByteRead, p: Uint8Array, at: number, limit: number): number {
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
