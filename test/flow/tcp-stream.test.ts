/**
 * Property tests of one-direction reassembly against a simple reference: the byte at each
 * stream position is the first arriving copy of it; the reassembled output is those bytes
 * in order, with holes reported as gaps. Sequence numbers start anywhere in 2^32 (wrap).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReassemblyCounters, type ReassemblySink, TcpStream } from '../../src/flow/tcp-stream.js';

interface Arrival {
  start: number;
  data: Uint8Array;
}

class Recorder implements ReassemblySink {
  /** Stream position -> delivered byte, plus skipped positions. */
  readonly out: number[] = [];
  readonly skipped: number[] = [];
  deliver(stream: TcpStream, bytes: Uint8Array): void {
    expect(stream.streamPos).toBe(this.out.length);
    for (const b of bytes) this.out.push(b);
  }
  gap(stream: TcpStream, skipped: number): void {
    expect(stream.streamPos).toBe(this.out.length);
    for (let i = 0; i < skipped; i++) {
      this.skipped.push(this.out.length);
      this.out.push(-1);
    }
  }
}

const arrivals = fc
  .record({
    length: fc.integer({ min: 1, max: 300 }),
    isn: fc.nat({ max: 0xffffffff }),
    cuts: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 60 }), fc.boolean()), { minLength: 1, maxLength: 40 }),
  })
  .map(({ length, isn, cuts }) => {
    const original = Uint8Array.from({ length }, (_, i) => (i * 31 + 7) & 0xff);
    const list: Arrival[] = cuts.map(([s, n, alter]) => {
      const start = s % length;
      const data = original.slice(start, Math.min(length, start + n));
      if (alter) for (let i = 0; i < data.length; i += 3) data[i] ^= 0x55; // a conflicting copy
      return { start, data };
    });
    return { isn, list };
  });

/** Reference: first arrival wins per position; -1 where nothing arrived. */
function firstCopies(list: readonly Arrival[]): number[] {
  const ref: number[] = [];
  for (const a of list) {
    for (let i = 0; i < a.data.length; i++) {
      const p = a.start + i;
      while (ref.length <= p) ref.push(-1);
      if (ref[p] === -1) ref[p] = a.data[i]!;
    }
  }
  return ref;
}

describe('TcpStream', () => {
  it('with room to buffer: output = first copies in order, holes as gaps, any arrival order', () => {
    fc.assert(
      fc.property(arrivals, ({ isn, list }) => {
        const counters = new ReassemblyCounters();
        const st = new TcpStream({ maxBufferedBytes: 1 << 20, maxSegments: 1000, retainBytes: 0 }, counters);
        const sink = new Recorder();
        st.syn(isn - 1);
        for (const a of list) st.segment((isn + a.start) >>> 0, a.data, false, sink);
        st.flush(sink);
        const ref = firstCopies(list);
        // Positions before the first arrival that starts at 0 ... all positions are relative to isn.
        expect(sink.out).toEqual(ref);
        expect(counters.bufferedBytes).toBe(0);
        expect(st.buffered).toBe(0);
        expect(counters.gaps).toBe(countRuns(ref));
      }),
      { numRuns: 300 },
    );
  });

  it('with tiny buffers: never over the cap, and every delivered byte is its first copy', () => {
    fc.assert(
      fc.property(arrivals, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 64 }), ({ isn, list }, maxSeg, maxBytes) => {
        const counters = new ReassemblyCounters();
        const st = new TcpStream({ maxBufferedBytes: maxBytes, maxSegments: maxSeg, retainBytes: 0 }, counters);
        const sink = new Recorder();
        st.syn(isn - 1);
        const ref = firstCopies(list);
        for (const a of list) {
          st.segment((isn + a.start) >>> 0, a.data, false, sink);
          expect(st.bufferedSegments).toBeLessThanOrEqual(maxSeg);
          expect(st.buffered <= maxBytes || st.bufferedSegments === 0).toBe(true);
        }
        st.flush(sink);
        sink.out.forEach((b, p) => {
          if (b !== -1) expect(b).toBe(ref[p]);
        });
        expect(sink.out.length).toBe(ref.length);
        expect(st.streamPos).toBe(ref.length);
      }),
      { numRuns: 300 },
    );
  });

  it('retainBytes catches rewritten retransmissions of delivered bytes', () => {
    const counters = new ReassemblyCounters();
    const st = new TcpStream({ maxBufferedBytes: 100, maxSegments: 10, retainBytes: 4 }, counters);
    const sink = new Recorder();
    st.segment(1000, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), false, sink);
    st.segment(1000, Uint8Array.from([9, 9]), false, sink); // no longer retained: not judged
    expect(counters.overlapAnomalies).toBe(0);
    st.segment(1005, Uint8Array.from([6, 7, 8, 9]), false, sink); // same bytes, then one new
    expect(counters.overlapAnomalies).toBe(0);
    st.segment(1007, Uint8Array.from([0]), false, sink); // delivered 8, now 0
    expect(counters.overlapAnomalies).toBe(1);
    expect(sink.out).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(counters.retransmissions).toBe(2);
  });

  it('FIN completes the direction only when every byte before it arrived', () => {
    const counters = new ReassemblyCounters();
    const st = new TcpStream({ maxBufferedBytes: 100, maxSegments: 10, retainBytes: 0 }, counters);
    const sink = new Recorder();
    st.syn(0xfffffffe);
    st.segment(2, Uint8Array.from([3, 4]), true, sink); // FIN at 4, bytes 0xffffffff..1 missing
    expect(st.finished).toBe(false);
    st.segment(0xffffffff, Uint8Array.from([0, 1, 2]), false, sink);
    expect(st.finished).toBe(true);
    expect(sink.out).toEqual([0, 1, 2, 3, 4]);
  });
});

function countRuns(ref: readonly number[]): number {
  let runs = 0;
  for (let i = 0; i < ref.length; i++) if (ref[i] === -1 && (i === 0 || ref[i - 1] !== -1)) runs++;
  return runs;
}
