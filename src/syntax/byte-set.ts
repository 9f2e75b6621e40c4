/**
 * 256-bit byte sets (`ByteSet` = 8 × u32, bit b ⇔ byte b), the alphabet unit of the IR.
 *
 * Mutating helpers (`addByte`, `addRange`, `unionInto`, `foldAsciiCaseInto`) change their
 * first argument and are meant for building a set; once a set is placed in an Ir node it
 * is never mutated again (the IR is immutable), so the pure helpers (`union`,
 * `complement`, `foldAsciiCase`) return fresh sets. Named sets below follow PCRE without
 * UTF/UCP on raw bytes (ASCII-only classes), which is what Snort uses.
 */
import type { ByteSet } from './ir.js';

/** A new empty byte set. */
export function newByteSet(): ByteSet {
  return new Uint32Array(8);
}

/** A new set of the given bytes (0..255). */
export function byteSetOf(...bytes: number[]): ByteSet {
  const s = newByteSet();
  for (const b of bytes) addByte(s, b);
  return s;
}

/** A new set of the bytes lo..hi inclusive. */
export function byteSetRange(lo: number, hi: number): ByteSet {
  const s = newByteSet();
  addRange(s, lo, hi);
  return s;
}

/** A new set of all 256 bytes. */
export function fullByteSet(): ByteSet {
  return new Uint32Array(8).fill(0xffffffff);
}

/** A copy of `s`. */
export function copyByteSet(s: ByteSet): ByteSet {
  return new Uint32Array(s);
}

/** Adds byte `b` (0..255) to `s`. */
export function addByte(s: ByteSet, b: number): void {
  s[b >>> 5] |= 1 << (b & 31);
}

/** Adds lo..hi inclusive (no-op when lo > hi). */
export function addRange(s: ByteSet, lo: number, hi: number): void {
  for (let b = lo; b <= hi; b++) s[b >>> 5] |= 1 << (b & 31);
}

/** Whether byte `b` is in `s`. */
export function hasByte(s: ByteSet, b: number): boolean {
  return (s[b >>> 5] & (1 << (b & 31))) !== 0;
}

/** Adds every byte of `other` to `target`. */
export function unionInto(target: ByteSet, other: ByteSet): void {
  for (let w = 0; w < 8; w++) target[w] |= other[w];
}

/** A new set: `a` ∪ `b`. */
export function union(a: ByteSet, b: ByteSet): ByteSet {
  const s = newByteSet();
  for (let w = 0; w < 8; w++) s[w] = a[w] | b[w];
  return s;
}

/** A new set: `a` ∩ `b`. */
export function intersect(a: ByteSet, b: ByteSet): ByteSet {
  const s = newByteSet();
  for (let w = 0; w < 8; w++) s[w] = a[w] & b[w];
  return s;
}

/** A new set: the bytes not in `a`. */
export function complement(a: ByteSet): ByteSet {
  const s = newByteSet();
  for (let w = 0; w < 8; w++) s[w] = ~a[w] >>> 0;
  return s;
}

/** Whether `a` and `b` hold the same bytes. */
export function byteSetEquals(a: ByteSet, b: ByteSet): boolean {
  for (let w = 0; w < 8; w++) if (a[w] !== b[w]) return false;
  return true;
}

/** Whether `a` holds no byte. */
export function isEmptyByteSet(a: ByteSet): boolean {
  for (let w = 0; w < 8; w++) if (a[w] !== 0) return false;
  return true;
}

/** The number of bytes in `a` (0..256). */
export function byteSetSize(a: ByteSet): number {
  let n = 0;
  for (let w = 0; w < 8; w++) {
    let x = a[w];
    while (x !== 0) {
      x &= x - 1;
      n++;
    }
  }
  return n;
}

/** Calls `f` for every byte of the set in increasing order. */
export function forEachByte(a: ByteSet, f: (b: number) => void): void {
  for (let b = 0; b < 256; b++) if ((a[b >>> 5] & (1 << (b & 31))) !== 0) f(b);
}

/** The bytes of the set in increasing order. */
export function byteSetToArray(a: ByteSet): number[] {
  const out: number[] = [];
  forEachByte(a, (b) => out.push(b));
  return out;
}

/** PCRE caseless without UCP: only ASCII letters fold (0xe9 and 0xc9 stay apart). */
export function foldAsciiCaseInto(s: ByteSet): void {
  for (let b = 0x41; b <= 0x5a; b++) {
    if (hasByte(s, b) || hasByte(s, b + 0x20)) {
      addByte(s, b);
      addByte(s, b + 0x20);
    }
  }
}

/** A new set: `s` closed under ASCII case (see `foldAsciiCaseInto`). */
export function foldAsciiCase(s: ByteSet): ByteSet {
  const c = copyByteSet(s);
  foldAsciiCaseInto(c);
  return c;
}

/** Compact human-readable form, e.g. `[0-9A-Z_a-z]`, for messages and debugging. */
export function byteSetToString(a: ByteSet): string {
  const parts: string[] = [];
  const show = (b: number): string =>
    b >= 0x21 && b <= 0x7e && !'\\]-^['.includes(String.fromCharCode(b))
      ? String.fromCharCode(b)
      : `\\x${b.toString(16).padStart(2, '0')}`;
  let b = 0;
  while (b < 256) {
    if (!hasByte(a, b)) {
      b++;
      continue;
    }
    let e = b;
    while (e + 1 < 256 && hasByte(a, e + 1)) e++;
    parts.push(e === b ? show(b) : e === b + 1 ? show(b) + show(e) : `${show(b)}-${show(e)}`);
    b = e + 1;
  }
  return `[${parts.join('')}]`;
}

// Named sets (PCRE, no UTF/UCP). Built once; callers must copy before mutating.
/** `\d`: the ASCII digits. */
export const DIGIT: ByteSet = byteSetRange(0x30, 0x39);
/** `\w`: ASCII letters, digits and `_`. */
export const WORD: ByteSet = (() => {
  const s = byteSetRange(0x30, 0x39);
  addRange(s, 0x41, 0x5a);
  addRange(s, 0x61, 0x7a);
  addByte(s, 0x5f);
  return s;
})();
/** PCRE ≥ 8.34 `\s`: HT LF VT FF CR space (VT included, unlike RE2; 0xa0 excluded, unlike V8). */
export const SPACE: ByteSet = (() => {
  const s = byteSetRange(0x09, 0x0d);
  addByte(s, 0x20);
  return s;
})();
/** `\h` in 8-bit non-UTF mode: HT, space, NBSP (0xa0). */
export const HSPACE: ByteSet = byteSetOf(0x09, 0x20, 0xa0);
/** `\v` in 8-bit non-UTF mode: LF VT FF CR, NEL (0x85). */
export const VSPACE: ByteSet = (() => {
  const s = byteSetRange(0x0a, 0x0d);
  addByte(s, 0x85);
  return s;
})();
/** `.` without `s` (and `\N`): every byte but `\n`. */
export const NOT_NEWLINE: ByteSet = complement(byteSetOf(0x0a));
/** `.` with `s` (and `\C`): every byte. */
export const ANY_BYTE: ByteSet = fullByteSet();

/** POSIX bracket classes `[:name:]` in the C locale (ASCII only). */
export const POSIX_CLASSES: Readonly<Record<string, ByteSet>> = (() => {
  const r = (ranges: Array<[number, number]>): ByteSet => {
    const s = newByteSet();
    for (const [lo, hi] of ranges) addRange(s, lo, hi);
    return s;
  };
  return {
    alnum: r([[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]]),
    alpha: r([[0x41, 0x5a], [0x61, 0x7a]]),
    ascii: r([[0x00, 0x7f]]),
    blank: r([[0x09, 0x09], [0x20, 0x20]]),
    cntrl: r([[0x00, 0x1f], [0x7f, 0x7f]]),
    digit: r([[0x30, 0x39]]),
    graph: r([[0x21, 0x7e]]),
    lower: r([[0x61, 0x7a]]),
    print: r([[0x20, 0x7e]]),
    punct: r([[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]]),
    space: r([[0x09, 0x0d], [0x20, 0x20]]),
    upper: r([[0x41, 0x5a]]),
    word: r([[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a], [0x5f, 0x5f]]),
    xdigit: r([[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]]),
  };
})();
