/**
 * Test helpers for the symbolic engine: a random `Nfa` generator that respects the
 * contract in src/nfa/types.ts, and a direct explicit-set simulation of that contract used
 * as the reference until (and alongside) the project's explicit NFA engine.
 */
import fc from 'fast-check';
import type { Nfa } from '../../../src/nfa/types.js';
import type { Matcher, MatchMode } from '../../../src/matcher/types.js';
import { MatchReporter, reportPlanFromNfa } from '../../../src/matcher/report.js';
import { normalizeMode } from '../../../src/matcher/types.js';

export interface NfaSpec {
  classCount: number;
  labels: number[][]; // per state: classes
  follow: number[][];
  start: number[];
  accept: Array<Array<[number, number]>>; // per state: [sig, delta]
  end: Array<Array<[number, number]>>;
  signatureCount: number;
}

function csr(rows: ReadonlyArray<ReadonlyArray<[number, number]>>): [Uint32Array, Uint32Array, Uint8Array] {
  const start = new Uint32Array(rows.length + 1);
  const sig: number[] = [], delta: number[] = [];
  rows.forEach((r, q) => {
    for (const [s, d] of r) { sig.push(s); delta.push(d); }
    start[q + 1] = sig.length;
  });
  return [start, Uint32Array.from(sig), Uint8Array.from(delta)];
}

export function makeNfa(spec: NfaSpec): Nfa {
  const n = spec.labels.length, C = spec.classCount, W = Math.ceil(C / 32);
  const byteClass = new Uint8Array(256);
  for (let b = 0; b < 256; b++) byteClass[b] = b % C;
  const classRep = new Uint8Array(C);
  for (let c = 0; c < C; c++) classRep[c] = c;
  const labels = new Uint32Array(n * W);
  spec.labels.forEach((cs, q) => cs.forEach((c) => { labels[q * W + (c >>> 5)] |= 1 << (c & 31); }));
  const followStart = new Uint32Array(n + 1);
  const follow: number[] = [];
  spec.follow.forEach((succ, p) => { follow.push(...[...new Set(succ)].sort((a, b) => a - b)); followStart[p + 1] = follow.length; });
  const [acceptStart, acceptSig, acceptDelta] = csr(spec.accept);
  const [endStart, endSig, endDelta] = csr(spec.end);
  return {
    stateCount: n, classCount: C, byteClass, classRep, classWords: W, labels, followStart,
    follow: Uint32Array.from(follow), start: Uint32Array.from([...new Set(spec.start)].sort((a, b) => a - b)),
    acceptStart, acceptSig, acceptDelta, endStart, endSig, endDelta, signatureCount: spec.signatureCount,
  };
}

/** Random contract-conforming NFAs; state 0 is an unanchored self-looping start when `unanchored`. */
export function arbNfaSpec(maxStates = 12, maxClasses = 5): fc.Arbitrary<NfaSpec> {
  return fc
    .record({ n: fc.integer({ min: 1, max: maxStates }), C: fc.integer({ min: 1, max: maxClasses }), S: fc.integer({ min: 1, max: 4 }), unanchored: fc.boolean() })
    .chain(({ n, C, S, unanchored }) => {
      const st = fc.integer({ min: 0, max: n - 1 });
      const entry = fc.tuple(fc.integer({ min: 0, max: S - 1 }), fc.constantFrom(0, 0, 1));
      return fc.record({
        classCount: fc.constant(C),
        labels: fc.array(fc.uniqueArray(fc.integer({ min: 0, max: C - 1 }), { maxLength: C }), { minLength: n, maxLength: n }),
        follow: fc.array(fc.array(st, { maxLength: 4 }), { minLength: n, maxLength: n }),
        start: fc.array(st, { maxLength: 2 }),
        accept: fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant([] as Array<[number, number]>) }, { weight: 2, arbitrary: fc.array(entry, { minLength: 1, maxLength: 2 }) }), { minLength: n, maxLength: n }),
        end: fc.array(fc.oneof({ weight: 4, arbitrary: fc.constant([] as Array<[number, number]>) }, { weight: 1, arbitrary: fc.array(entry, { minLength: 1, maxLength: 2 }) }), { minLength: n, maxLength: n }),
        signatureCount: fc.constant(S),
      }).map((spec) => {
        if (unanchored) {
          spec.labels[0] = Array.from({ length: C }, (_, c) => c);
          spec.follow[0] = [0, ...spec.follow[0]];
        }
        spec.start = [0, ...spec.start];
        return spec;
      });
    });
}

export type Event = [sig: number, end: number];

/**
 * Explicit simulation of the Nfa contract (sets of states, no cleverness), reporting
 * through the shared rule of src/matcher/report.ts with its protocol: within a step delta-1
 * entries first, each (sig, delta) once; flush before each byte and at the end of each
 * chunk; endOfInput at finish.
 */
export function referenceRun(nfa: Nfa, chunks: readonly Uint8Array[], mode: MatchMode, finish = true): Event[] {
  const out: Event[] = [];
  const cb = (sig: number, end: number): void => { out.push([sig, end]); };
  const rep = new MatchReporter(reportPlanFromNfa(nfa), normalizeMode(mode));
  const report = (states: Iterable<number>, after: number, end: boolean): void => {
    const starts = end ? nfa.endStart : nfa.acceptStart, sigs = end ? nfa.endSig : nfa.acceptSig, deltas = end ? nfa.endDelta : nfa.acceptDelta;
    const entries = new Set<string>();
    for (const q of states) for (let j = starts[q]; j < starts[q + 1]; j++) entries.add(`${deltas[j]},${sigs[j]}`);
    const sorted = [...entries].map((k) => k.split(',').map(Number)).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (const [d, sig] of sorted) if (after - d >= 0) rep.emit(sig, after - d, cb);
  };
  let frontier = new Set<number>(nfa.start);
  report(frontier, 0, false);
  let offset = 0;
  const W = nfa.classWords;
  for (const chunk of chunks) {
    for (const b of chunk) {
      rep.flush(offset + 1, cb);
      const c = nfa.byteClass[b];
      const next = new Set<number>();
      for (const p of frontier) {
        for (let j = nfa.followStart[p]; j < nfa.followStart[p + 1]; j++) {
          const q = nfa.follow[j];
          if (nfa.labels[q * W + (c >>> 5)] & (1 << (c & 31))) next.add(q);
        }
      }
      frontier = next;
      offset++;
      report(frontier, offset, false);
    }
    rep.flush(offset, cb);
  }
  if (finish) {
    report(frontier, offset, true);
    rep.endOfInput(cb);
  }
  return out;
}

/** Runs a matcher over the chunks with one scratch; events in arrival order. */
export function engineRun(m: Matcher, chunks: readonly Uint8Array[], mode: MatchMode, finish = true): Event[] {
  const out: Event[] = [];
  const sc = m.createScratch({ mode });
  const cb = (sig: number, end: number): void => { out.push([sig, end]); };
  for (const ch of chunks) m.scan(sc, ch, cb);
  if (finish) m.finish(sc, cb);
  return out;
}

export const sortEvents = (ev: Event[]): Event[] => [...ev].sort((a, b) => a[0] - b[0] || a[1] - b[1]);

/** Splits `bytes` at the given cut points (any numbers; reduced modulo length + 1). */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const pts = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of pts) { out.push(bytes.subarray(prev, p)); prev = p; }
  out.push(bytes.subarray(prev));
  return out;
}
