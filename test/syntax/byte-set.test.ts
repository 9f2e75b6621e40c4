import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addByte,
  addRange,
  byteSetEquals,
  byteSetSize,
  byteSetToArray,
  byteSetToString,
  complement,
  foldAsciiCase,
  forEachByte,
  hasByte,
  intersect,
  isEmptyByteSet,
  newByteSet,
  union,
} from '../../src/syntax/byte-set.js';

const bytesArb = fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 40 });
const fromArray = (a: number[]) => {
  const s = newByteSet();
  for (const b of a) addByte(s, b);
  return s;
};
const sorted = (a: Iterable<number>) => [...new Set(a)].sort((x, y) => x - y);

describe('ByteSet against a plain array model', () => {
  it('add / has / iterate / size', () => {
    fc.assert(
      fc.property(bytesArb, (a) => {
        const s = fromArray(a);
        for (let b = 0; b < 256; b++) expect(hasByte(s, b)).toBe(a.includes(b));
        expect(byteSetToArray(s)).toEqual(sorted(a));
        const seen: number[] = [];
        forEachByte(s, (b) => seen.push(b));
        expect(seen).toEqual(sorted(a));
        expect(byteSetSize(s)).toBe(a.length);
        expect(isEmptyByteSet(s)).toBe(a.length === 0);
      }),
      { numRuns: 40 },
    );
  });
  it('union / intersect / complement / equals', () => {
    fc.assert(
      fc.property(bytesArb, bytesArb, (a, b) => {
        const sa = fromArray(a);
        const sb = fromArray(b);
        expect(byteSetToArray(union(sa, sb))).toEqual(sorted([...a, ...b]));
        expect(byteSetToArray(intersect(sa, sb))).toEqual(sorted(a.filter((x) => b.includes(x))));
        const c = complement(sa);
        expect(byteSetSize(c)).toBe(256 - a.length);
        for (const x of a) expect(hasByte(c, x)).toBe(false);
        expect(byteSetEquals(complement(c), sa)).toBe(true);
        expect(byteSetEquals(sa, sb)).toBe(sorted(a).join() === sorted(b).join());
      }),
      { numRuns: 60 },
    );
  });
  it('addRange covers exactly lo..hi, word boundaries included', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (x, y) => {
        const [lo, hi] = x <= y ? [x, y] : [y, x];
        const s = newByteSet();
        addRange(s, lo, hi);
        expect(byteSetSize(s)).toBe(hi - lo + 1);
        expect(hasByte(s, lo) && hasByte(s, hi)).toBe(true);
        if (lo > 0) expect(hasByte(s, lo - 1)).toBe(false);
        if (hi < 255) expect(hasByte(s, hi + 1)).toBe(false);
      }),
    );
  });
  it('foldAsciiCase folds A-Z/a-z only', () => {
    expect(byteSetToArray(foldAsciiCase(fromArray([0x61, 0x5b, 0xe9, 0x40])))).toEqual([0x40, 0x41, 0x5b, 0x61, 0xe9]);
    expect(byteSetToString(foldAsciiCase(fromArray([0x5a])))).toBe('[Zz]');
  });
});
