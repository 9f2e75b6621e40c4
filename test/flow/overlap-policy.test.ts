/**
 * TCP reassembly overlap policies (`OverlapPolicy`, src/flow/tcp-stream.ts): which copy of
 * overlapping bytes a stream keeps, as Suricata decides it per `host-os-policy`
 * (stream-tcp-list.c, `DoHandleDataOverlap`, IDS mode).
 *
 * The hand-built cases hold a segment L = [4, 8) ("LLLL") behind a hole at [0, 4), send a
 * new segment N ("N…") in one of the nine positions relative to L, then fill what is left
 * of the hole with "h": every byte is still buffered when N arrives, so the policy decides
 * the bytes N and L share. Expected winners, from the policy table (N's start vs L's start, N's end
 * e vs L's end b):
 *
 *   case  N        relation                  bsd…  linux  old-linux  solaris…  first/vista  last
 *   A     [2, 6)   starts before, ends before   N     N      N          L         L            N
 *   B     [2, 8)   starts before, same end      N     N      N          N         L            N
 *   C     [2, 10)  starts before, ends after    N     N      N          N         L            N
 *   D     [4, 6)   same start, ends before      L     L      L          L         L            N
 *   E     [4, 8)   same start, same end         L     L      N          N         L            N
 *   F     [4, 10)  same start, ends after       L     N      N          N         L            N
 *   G     [5, 7)   starts after, ends before    L     L      L          L         L            N
 *   H     [5, 8)   starts after, same end       L     L      L          L         L            N
 *   I     [6, 10)  starts after, ends after     L     L      L          N         L            N
 *
 * (bsd… = bsd, bsd-right, hpux10, irix, macos, windows, windows2k3; solaris… = solaris,
 * old-solaris, hpux11.) Bytes of N outside L are N's whatever the policy.
 *
 * Properties: under every policy each delivered byte is the byte of some arriving segment
 * at that sequence number, and holes are exactly the positions nothing covered; `first`
 * and `last` agree with a simple model (first / latest copy of a byte not yet delivered
 * wins); every policy agrees with a byte-by-byte model of the policy table.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OVERLAP_POLICY,
  FlowTracker,
  isOverlapPolicy,
  newSegmentWins,
  OVERLAP_POLICIES,
  ReassemblyCounters,
  TcpStream,
  type OverlapPolicy,
  type ReassemblySink,
} from '../../src/flow/index.js';
import { DecodedPacket } from '../../src/pcap/decode.js';

/** Collects delivered bytes; a skipped position is -1. */
class Recorder implements ReassemblySink {
  readonly out: number[] = [];
  deliver(stream: TcpStream, bytes: Uint8Array): void {
    expect(stream.streamPos).toBe(this.out.length);
    for (const b of bytes) this.out.push(b);
  }
  gap(stream: TcpStream, skipped: number): void {
    expect(stream.streamPos).toBe(this.out.length);
    for (let i = 0; i < skipped; i++) this.out.push(-1);
  }
}

const BIG = { maxBufferedBytes: 1 << 20, maxSegments: 1000, retainBytes: 0 };
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const text = (out: readonly number[]): string => out.map((b) => (b < 0 ? '_' : String.fromCharCode(b))).join('');

/** Segments at stream positions (`[position, text]`), ISN chosen so the sequence wraps. */
function reassemble(policy: OverlapPolicy, segs: readonly [number, string][], isn = 0xfffffffd): { out: string; counters: ReassemblyCounters } {
  const counters = new ReassemblyCounters();
  const st = new TcpStream(BIG, counters, policy);
  const sink = new Recorder();
  st.syn(isn);
  for (const [pos, data] of segs) st.segment((isn + 1 + pos) >>> 0, ascii(data), false, sink);
  st.flush(sink);
  expect(st.buffered).toBe(0);
  return { out: text(sink.out), counters };
}

const BSD_LIKE: OverlapPolicy[] = ['bsd', 'bsd-right', 'hpux10', 'irix', 'macos', 'windows', 'windows2k3'];
const SOLARIS_LIKE: OverlapPolicy[] = ['solaris', 'old-solaris', 'hpux11'];

/** The nine cases: N's position and length, and which policies give N the shared bytes. */
const CASES: { name: string; at: number; len: number; newWins: OverlapPolicy[] }[] = [
  { name: 'A starts before, ends before', at: 2, len: 4, newWins: [...BSD_LIKE, 'linux', 'old-linux', 'last'] },
  { name: 'B starts before, same end', at: 2, len: 6, newWins: [...BSD_LIKE, 'linux', 'old-linux', ...SOLARIS_LIKE, 'last'] },
  { name: 'C starts before, ends after', at: 2, len: 8, newWins: [...BSD_LIKE, 'linux', 'old-linux', ...SOLARIS_LIKE, 'last'] },
  { name: 'D same start, ends before', at: 4, len: 2, newWins: ['last'] },
  { name: 'E same start, same end', at: 4, len: 4, newWins: ['old-linux', ...SOLARIS_LIKE, 'last'] },
  { name: 'F same start, ends after', at: 4, len: 6, newWins: ['linux', 'old-linux', ...SOLARIS_LIKE, 'last'] },
  { name: 'G starts after, ends before', at: 5, len: 2, newWins: ['last'] },
  { name: 'H starts after, same end', at: 5, len: 3, newWins: ['last'] },
  { name: 'I starts after, ends after', at: 6, len: 4, newWins: [...SOLARIS_LIKE, 'last'] },
];

/** Expected stream of a case: "h" before N and L, L at 4..7, N where it lies; shared bytes by `newWins`. */
function expected(at: number, len: number, newWins: boolean): string {
  const out: string[] = [];
  for (let p = 0; p < Math.max(8, at + len); p++) {
    const inN = p >= at && p < at + len;
    const inL = p >= 4 && p < 8;
    out.push(inN && inL ? (newWins ? 'N' : 'L') : inN ? 'N' : inL ? 'L' : 'h');
  }
  return out.join('');
}

describe('overlap policies: the names', () => {
  it('has Suricata\'s host-os-policy names plus first and last; bsd is the default', () => {
    expect([...OVERLAP_POLICIES].sort()).toEqual(
      ['bsd', 'bsd-right', 'first', 'hpux10', 'hpux11', 'irix', 'last', 'linux', 'macos', 'old-linux', 'old-solaris', 'solaris', 'vista', 'windows', 'windows2k3'],
    );
    expect(DEFAULT_OVERLAP_POLICY).toBe('bsd');
    for (const p of OVERLAP_POLICIES) expect(isOverlapPolicy(p)).toBe(true);
    expect(isOverlapPolicy('bogus')).toBe(false);
    expect(isOverlapPolicy('win-2003')).toBe(false); // Snort's spelling; ours is Suricata's
  });

  it('a stream keeps `first` unless told; the tracker passes its option to every stream', () => {
    expect(new TcpStream(BIG, new ReassemblyCounters()).overlapPolicy).toBe('first');
    const tracker = new FlowTracker<undefined>({ createState: () => undefined, overlapPolicy: 'old-linux' });
    const d = new DecodedPacket();
    Object.assign(d, {
      ipVersion: 4, protocol: 6, srcAddr: Uint8Array.from([1, 1, 1, 1]), dstAddr: Uint8Array.from([2, 2, 2, 2]),
      srcPort: 1234, dstPort: 80, tcpFlags: 0x02, seq: 1, payloadLength: 0, fragment: false,
    });
    const flow = tracker.track(d, { index: 0, tsSec: 0, tsNsec: 0 } as never, 0)!;
    expect(tracker.openStream(flow, 0).overlapPolicy).toBe('old-linux');
    expect(tracker.openStream(flow, 1).overlapPolicy).toBe('old-linux');
    const plain = new FlowTracker<undefined>({ createState: () => undefined });
    expect(plain.openStream(plain.track(d, { index: 0, tsSec: 0, tsNsec: 0 } as never, 0)!, 0).overlapPolicy).toBe('first');
  });
});

describe('overlap policies: one new segment against one held segment', () => {
  for (const c of CASES) {
    it(`${c.name}`, () => {
      for (const policy of OVERLAP_POLICIES) {
        const wins = c.newWins.includes(policy);
        const n = 'N'.repeat(c.len);
        const { out, counters } = reassemble(policy, [[4, 'LLLL'], [c.at, n], [0, 'h'.repeat(Math.min(4, c.at))]]);
        expect(`${policy}: ${out}`).toBe(`${policy}: ${expected(c.at, c.len, wins)}`);
        expect(newSegmentWins(policy, c.at, c.at + c.len, 4, 8)).toBe(wins);
        expect(counters.overlapAnomalies).toBe(1); // different bytes, whichever won
        expect(counters.overlapBytes).toBe(Math.min(8, c.at + c.len) - Math.max(4, c.at));
      }
    });
  }

  it('an exact duplicate with the same bytes changes nothing and is a retransmission', () => {
    for (const policy of OVERLAP_POLICIES) {
      const { out, counters } = reassemble(policy, [[4, 'LLLL'], [4, 'LLLL'], [0, 'hhhh']]);
      expect(out).toBe('hhhhLLLL');
      expect(counters.overlapAnomalies).toBe(0);
      expect(counters.retransmissions).toBe(1);
    }
  });
});

describe('overlap policies: several held segments, in-order data, delivered data', () => {
  it('a byte shared with several held segments keeps its copy if any of them refuses the new one', () => {
    // bsd: L1 [4,8) "aaaa"; L2 [6,10) "bbbb" starts after L1, so L1 keeps 6..7. N [5,12)
    // starts after L1 (L1 keeps 5..7) and before L2 (N wins L2's bytes, but 6..7 are
    // also L1's, which refuses): only 8..9 turn to N.
    expect(reassemble('bsd', [[4, 'aaaa'], [6, 'bbbb'], [5, 'NNNNNNN'], [0, 'hhhh']]).out).toBe('hhhhaaaaNNNN');
    // last: every newer copy wins.
    expect(reassemble('last', [[4, 'aaaa'], [6, 'bbbb'], [5, 'NNNNNNN'], [0, 'hhhh']]).out).toBe('hhhhaNNNNNNN');
    // solaris: N ends after both (e = 12 > 8, 10) so wins against both.
    expect(reassemble('solaris', [[4, 'aaaa'], [6, 'bbbb'], [5, 'NNNNNNN'], [0, 'hhhh']]).out).toBe('hhhhaNNNNNNN');
    // L2 under solaris: starts after L1 and ends after it, so it took 6..7 from L1.
    expect(reassemble('solaris', [[4, 'aaaa'], [6, 'bbbb'], [0, 'hhhh']]).out).toBe('hhhhaabbbb');
    expect(reassemble('bsd', [[4, 'aaaa'], [6, 'bbbb'], [0, 'hhhh']]).out).toBe('hhhhaaaabb');
  });

  it('the in-order segment that fills the hole is judged against what it overlaps', () => {
    // N = [0,6) starts before L = [4,8) and ends before its end.
    expect(reassemble('bsd', [[4, 'LLLL'], [0, 'NNNNNN']]).out).toBe('NNNNNNLL');
    expect(reassemble('linux', [[4, 'LLLL'], [0, 'NNNNNN']]).out).toBe('NNNNNNLL');
    expect(reassemble('first', [[4, 'LLLL'], [0, 'NNNNNN']]).out).toBe('NNNNLLLL');
    expect(reassemble('solaris', [[4, 'LLLL'], [0, 'NNNNNN']]).out).toBe('NNNNLLLL');
    expect(reassemble('vista', [[4, 'LLLL'], [0, 'NNNNNN']]).out).toBe('NNNNLLLL');
  });

  it('a segment starting in delivered bytes is judged from its own start', () => {
    // "dd" delivered at 0..1; L = [4,8) held; N = [1,6): its start (1) is before L's.
    expect(reassemble('bsd', [[0, 'dd'], [4, 'LLLL'], [1, 'NNNNN'], [2, 'hh']]).out).toBe('ddNNNNLL');
    expect(reassemble('first', [[0, 'dd'], [4, 'LLLL'], [1, 'NNNNN'], [2, 'hh']]).out).toBe('ddNNLLLL');
  });

  it('delivered bytes never change, whatever the policy', () => {
    for (const policy of OVERLAP_POLICIES) {
      expect(reassemble(policy, [[0, 'GOOD'], [0, 'EVIL']]).out).toBe('GOOD');
      expect(reassemble(policy, [[0, 'GOOD'], [1, 'XXX']]).out).toBe('GOOD');
    }
  });

  it('held extents are forgotten once delivered (a later hole starts afresh)', () => {
    // After 0..7 are delivered, a new hole at 8..9: L' = [10,12) held, N = [10,12) exact
    // duplicate under old-linux wins; the extent of the first L no longer exists.
    expect(reassemble('old-linux', [[4, 'LLLL'], [0, 'hhhh'], [10, 'll'], [10, 'NN'], [8, 'gg']]).out).toBe('hhhhLLLLggNN');
  });
});

// ---- properties --------------------------------------------------------------------------

interface Arrival {
  start: number;
  data: Uint8Array;
}

/** Segments over a stream of `length` bytes, some of them conflicting copies (any order). */
const arrivals = fc
  .record({
    length: fc.integer({ min: 1, max: 120 }),
    isn: fc.nat({ max: 0xffffffff }),
    cuts: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 40 }), fc.nat({ max: 3 })), { minLength: 1, maxLength: 30 }),
  })
  .map(({ length, isn, cuts }) => {
    const list: Arrival[] = cuts.map(([s, n, variant], k) => {
      const start = s % length;
      const end = Math.min(length, start + n);
      // variant 0: the original bytes; 1..3: a conflicting copy (distinct per arrival).
      const data = Uint8Array.from({ length: end - start }, (_, i) => (variant === 0 ? ((start + i) * 31 + 7) & 0xff : (k * 17 + variant * 5 + i) & 0xff));
      return { start, data };
    });
    return { isn, list };
  });

function run(policy: OverlapPolicy, isn: number, list: readonly Arrival[], limits = BIG): number[] {
  const st = new TcpStream(limits, new ReassemblyCounters(), policy);
  const sink = new Recorder();
  st.syn(isn - 1);
  for (const a of list) st.segment((isn + a.start) >>> 0, a.data, false, sink);
  st.flush(sink);
  return sink.out;
}

/** Every byte a position could take: the bytes of the arrivals covering it. */
function candidates(list: readonly Arrival[]): Set<number>[] {
  const c: Set<number>[] = [];
  for (const a of list) {
    for (let i = 0; i < a.data.length; i++) (c[a.start + i] ??= new Set()).add(a.data[i]!);
  }
  return c;
}

/**
 * Reference of `first` and `last`: bytes are delivered as soon as contiguous; a byte not
 * yet delivered takes the first (or the latest) copy that arrived.
 */
function simpleModel(list: readonly Arrival[], last: boolean): number[] {
  const held = new Map<number, number>();
  const out: number[] = [];
  for (const a of list) {
    for (let i = 0; i < a.data.length; i++) {
      const p = a.start + i;
      if (p < out.length) continue; // delivered: never changes
      if (last || !held.has(p)) held.set(p, a.data[i]!);
    }
    while (held.has(out.length)) {
      out.push(held.get(out.length)!);
      held.delete(out.length - 1);
    }
  }
  return flushModel(held, out);
}

/**
 * Byte-by-byte reference of the policy table: the extents of held segments are kept; a
 * held byte takes the new copy unless some held extent covering it refuses (per
 * `newSegmentWins`, judged with the segments' own bounds); exact duplicates are held once;
 * extents are forgotten once wholly delivered.
 */
function policyModel(policy: OverlapPolicy, list: readonly Arrival[]): number[] {
  const held = new Map<number, number>();
  let extents: [number, number][] = [];
  const out: number[] = [];
  for (const a of list) {
    const s = a.start;
    const e = s + a.data.length;
    for (let p = Math.max(s, out.length); p < e; p++) {
      const v = a.data[p - s]!;
      if (!held.has(p)) held.set(p, v);
      else if (!extents.some(([lo, hi]) => lo <= p && p < hi && !newSegmentWins(policy, s, e, lo, hi))) held.set(p, v);
    }
    if (!extents.some(([lo, hi]) => lo === s && hi === e)) extents.push([s, e]);
    while (held.has(out.length)) {
      out.push(held.get(out.length)!);
      held.delete(out.length - 1);
    }
    extents = extents.filter(([, hi]) => hi > out.length);
  }
  return flushModel(held, out);
}

/** Flow end: holes skipped (-1), the rest delivered. */
function flushModel(held: Map<number, number>, out: number[]): number[] {
  const end = Math.max(out.length, ...[...held.keys()].map((p) => p + 1));
  for (let p = out.length; p < end; p++) out.push(held.get(p) ?? -1);
  return out;
}

describe('overlap policies: properties', () => {
  const policy = fc.constantFrom(...OVERLAP_POLICIES);

  it('every delivered byte comes from a segment at that sequence number; holes are what nothing covered', () => {
    fc.assert(
      fc.property(policy, arrivals, (p, { isn, list }) => {
        const out = run(p, isn, list);
        const cand = candidates(list);
        expect(out.length).toBe(cand.length);
        out.forEach((b, i) => {
          if (cand[i] === undefined) expect(b).toBe(-1);
          else expect(cand[i]!.has(b)).toBe(true);
        });
      }),
      { numRuns: 400 },
    );
  });

  it('with tiny buffers too (holes skipped early): every delivered byte still comes from a segment', () => {
    fc.assert(
      fc.property(policy, arrivals, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 48 }), (p, { isn, list }, maxSegments, maxBufferedBytes) => {
        const out = run(p, isn, list, { maxBufferedBytes, maxSegments, retainBytes: 0 });
        const cand = candidates(list);
        expect(out.length).toBe(cand.length);
        out.forEach((b, i) => {
          if (b !== -1) expect(cand[i]?.has(b)).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('first and last agree with the simple model', () => {
    fc.assert(
      fc.property(arrivals, ({ isn, list }) => {
        expect(run('first', isn, list)).toEqual(simpleModel(list, false));
        expect(run('last', isn, list)).toEqual(simpleModel(list, true));
      }),
      { numRuns: 300 },
    );
  });

  it('every policy agrees with the byte-by-byte model of the policy table', () => {
    fc.assert(
      fc.property(policy, arrivals, (p, { isn, list }) => {
        expect(run(p, isn, list)).toEqual(policyModel(p, list));
      }),
      { numRuns: 600 },
    );
  });
});
