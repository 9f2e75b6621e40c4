/**
 * Rules without a positive pattern (IP reputation lists: ET's botcc, compromised, ciarmy,
 * tor rules, thousands of them) cannot be found through their signatures, so before this
 * index every one of them was a candidate on every packet and paid a header check. Most
 * name a short list of IPv4 addresses on one side (`[1.2.3.4,5.6.7.0/24,...]`): such a rule
 * can fire only on a packet whose source or destination lies in that list, whatever the
 * direction operator (`->` or `<>`). The index maps an address to those rules, so a packet
 * looks up its two addresses instead of testing every rule; `headerMatchesPacket` stays
 * the judge of the rules it returns.
 *
 * Structure: the address space cut at every interval boundary into segments, each with the
 * (sorted) rules whose indexed side covers it; a lookup is one binary search. Rules whose
 * both sides are `any`, include IPv6 ranges or span very wide ranges stay in `rest` and
 * remain candidates on every packet.
 */
import type { AddressSet } from '../rules/vars.js';

/** Intervals wider than this (addresses) leave their rule in `rest` (keeps segment lists short). */
const MAX_WIDTH = 1 << 20;
/** Bound on the total size of the segment lists; rules past it stay in `rest`. */
const MAX_ENTRIES = 4_000_000;

/** The two address sides of a rule's header. */
export interface AddressSides {
  readonly src: AddressSet;
  readonly dst: AddressSet;
}

/** Address → rules whose indexed side covers it (see the module comment). */
export class AddressIndex {
  /** Rules not indexed: candidates on every packet. */
  readonly rest: Int32Array;
  /** Number of indexed rules. */
  readonly indexed: number;
  private readonly bounds: Float64Array;
  private readonly segStart: Int32Array;
  private readonly segRules: Int32Array;

  /** `rules` lists the candidate rule ids; `sides(r)` gives a rule's header sets. */
  constructor(rules: ArrayLike<number>, sides: (r: number) => AddressSides) {
    const rest: number[] = [];
    const ivs: { lo: number; hi: number; r: number }[] = [];
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i];
      const side = indexedSide(sides(r));
      if (side === undefined) {
        rest.push(r);
        continue;
      }
      for (let k = 0; k < side.v4.length; k += 2) ivs.push({ lo: side.v4[k], hi: side.v4[k + 1], r });
    }
    // Segment boundaries: every interval start and every end + 1.
    const points = new Float64Array(ivs.length * 2);
    ivs.forEach((iv, k) => {
      points[2 * k] = iv.lo;
      points[2 * k + 1] = iv.hi + 1;
    });
    points.sort();
    let m = 0;
    for (let k = 0; k < points.length; k++) if (m === 0 || points[k] !== points[m - 1]) points[m++] = points[k];
    const bounds = points.slice(0, m);
    const segOf = (a: number): number => {
      let lo = 0;
      let hi = m - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (bounds[mid] <= a) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    // Count, then fill (CSR); a rule whose intervals would overflow the budget goes to rest.
    const counts = new Int32Array(m + 1);
    const spans: [number, number][] = ivs.map((iv) => [segOf(iv.lo), segOf(iv.hi + 1)]);
    const dropped = new Set<number>();
    let total = 0;
    ivs.forEach((iv, k) => {
      const [a, b] = spans[k];
      if (total + (b - a) > MAX_ENTRIES) dropped.add(iv.r);
      else total += b - a;
    });
    ivs.forEach((iv, k) => {
      if (dropped.has(iv.r)) return;
      const [a, b] = spans[k];
      for (let j = a; j < b; j++) counts[j + 1]++;
    });
    for (let j = 0; j < m; j++) counts[j + 1] += counts[j];
    const segRules = new Int32Array(counts[m]);
    const fill = counts.slice(0, m);
    ivs.forEach((iv, k) => {
      if (dropped.has(iv.r)) return;
      const [a, b] = spans[k];
      for (let j = a; j < b; j++) segRules[fill[j]++] = iv.r;
    });
    for (const r of dropped) rest.push(r);
    const indexedRules = new Set(ivs.map((iv) => iv.r));
    this.indexed = indexedRules.size - dropped.size;
    this.rest = Int32Array.from(rest).sort();
    this.bounds = bounds;
    this.segStart = counts;
    this.segRules = segRules;
  }

  /**
   * Calls `add(r)` for each indexed rule whose indexed side covers the IPv4 address
   * `addr` (a rule may come more than once across calls: the caller dedups). IPv6 packets
   * need no lookup: indexed sides hold IPv4 ranges only, so no indexed rule can match them.
   */
  lookup(addr: number, add: (r: number) => void): void {
    const b = this.bounds;
    let lo = 0;
    let hi = b.length - 1;
    if (hi < 0 || addr < b[0]) return;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (b[mid] <= addr) lo = mid;
      else hi = mid - 1;
    }
    const s = this.segRules;
    for (let k = this.segStart[lo]; k < this.segStart[lo + 1]; k++) add(s[k]);
  }
}

/** The side to index a rule by: a non-`any`, IPv4-only, narrow set (the smaller one), if any. */
function indexedSide(h: AddressSides): AddressSet | undefined {
  let best: AddressSet | undefined;
  let bestSize = Infinity;
  for (const side of [h.src, h.dst]) {
    if (side.any || side.v6.length > 0) continue;
    let size = 0;
    let narrow = true;
    for (let k = 0; k < side.v4.length; k += 2) {
      const w = side.v4[k + 1] - side.v4[k] + 1;
      if (w > MAX_WIDTH) narrow = false;
      size += w;
    }
    if (narrow && size < bestSize) {
      best = side;
      bestSize = size;
    }
  }
  return best;
}

/** An IPv4 address from the first four bytes (as a decoder holds it). */
export function ipv4Of(bytes: Uint8Array): number {
  return ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
}
