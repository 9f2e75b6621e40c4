/**
 * Byte equivalence classes: the coarsest partition of 0..255 such that every given byte
 * set is a union of classes. Two bytes in one class are interchangeable everywhere in the
 * automaton, so engines index tables (and BDD input variables) by class, not by byte.
 *
 * Class ids are numbered by their smallest byte (class 0 contains byte 0), which makes
 * the result independent of the order in which sets are given.
 */
import type { ByteSet } from '../syntax/ir.js';

/** A partition of the 256 byte values into classes (class ids 0..classCount-1). */
export interface ByteClasses {
  readonly classCount: number;
  /** byte → class id */
  readonly byteClass: Uint8Array;
  /** class id → smallest byte of the class */
  readonly classRep: Uint8Array;
}

/**
 * The coarsest partition of 0..255 in which every set of `sets` is a union of classes; linear
 * in the number of distinct sets.
 */
export function computeByteClasses(sets: Iterable<ByteSet>): ByteClasses {
  let cls = new Int32Array(256);
  let count = 1;
  let next = new Int32Array(256);
  const seen = new Set<string>();
  const seenObject = new Set<ByteSet>();
  for (const s of sets) {
    // Duplicates are common (one set per state, often the same object): skip them cheaply.
    if (seenObject.has(s)) continue;
    seenObject.add(s);
    const key = s.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    const remap = new Int32Array(count * 2).fill(-1);
    let newCount = 0;
    for (let b = 0; b < 256; b++) {
      const k = cls[b] * 2 + ((s[b >>> 5] >>> (b & 31)) & 1);
      if (remap[k] < 0) remap[k] = newCount++;
      next[b] = remap[k];
    }
    if (newCount !== count) {
      const t = cls;
      cls = next;
      next = t;
      count = newCount;
    }
  }
  const byteClass = new Uint8Array(256);
  const classRep = new Uint8Array(count);
  const seenClass = new Uint8Array(count);
  for (let b = 0; b < 256; b++) {
    const c = cls[b];
    byteClass[b] = c;
    if (!seenClass[c]) {
      seenClass[c] = 1;
      classRep[c] = b;
    }
  }
  return { classCount: count, byteClass, classRep };
}
