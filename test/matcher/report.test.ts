/**
 * The shared report rule (src/matcher/report.ts) on its own: which signatures get an end
 * slot, deduplication of repeated ends, 'set' mode, reset.
 */
import { describe, expect, it } from 'vitest';
import { MatchReporter, reportPlanFromNfa } from '../../src/matcher/report.js';
import { buildNfa } from '../../src/nfa/build.js';
import type { Ir } from '../../src/syntax/ir.js';
import { byteSet } from '../support/random-ir.js';

const a: Ir = { kind: 'bytes', set: byteSet([0x61]) };
const cat = (...items: Ir[]): Ir => ({ kind: 'concat', items });

describe('report rule', () => {
  const nfa = buildNfa([
    { id: 0, ir: a, anchored: false },
    { id: 1, ir: cat(a, { kind: 'assert', assertion: 'word-boundary' }), anchored: false },
    { id: 2, ir: cat(a, { kind: 'assert', assertion: 'text-end' }), anchored: false },
  ]);
  const plan = reportPlanFromNfa(nfa);

  it('gives end slots only to signatures with delta-1 or end-of-input acceptance', () => {
    expect(plan.slot[0]).toBe(-1);
    expect(plan.slot[1]).toBeGreaterThanOrEqual(0);
    expect(plan.slot[2]).toBeGreaterThanOrEqual(0);
    expect(plan.slotCount).toBe(2);
  });

  it("'all' mode drops an end not above the last one of a slotted signature", () => {
    const r = new MatchReporter(plan, 'all');
    const got: Array<[number, number]> = [];
    const cb = (s: number, e: number): void => {
      got.push([s, e]);
    };
    r.emit(1, 3, cb);
    r.emit(1, 3, cb);
    r.emit(1, 2, cb);
    r.emit(1, 4, cb);
    r.emit(0, 4, cb);
    r.emit(0, 5, cb);
    expect(got).toEqual([
      [1, 3],
      [1, 4],
      [0, 4],
      [0, 5],
    ]);
    r.reset();
    r.emit(1, 1, cb);
    expect(got.at(-1)).toEqual([1, 1]);
  });

  it("'set' mode passes one report per signature until reset", () => {
    const r = new MatchReporter(plan, 'set');
    const got: number[] = [];
    const cb = (s: number): void => {
      got.push(s);
    };
    r.emit(0, 1, cb);
    r.emit(0, 2, cb);
    r.emit(2, 2, cb);
    expect(r.allDone).toBe(false);
    r.emit(1, 3, cb);
    expect(r.allDone).toBe(true);
    r.reset();
    r.emit(0, 9, cb);
    expect(got).toEqual([0, 2, 1, 0]);
  });
});

describe('report rule: held-back ends (rule 3)', () => {
  // Signature 0 has end-of-input delta-1 acceptance (`$` before a final newline).
  const nfa = buildNfa([
    { id: 0, ir: cat(a, { kind: 'assert', assertion: 'text-end-newline' }), anchored: false },
    { id: 1, ir: a, anchored: false },
  ]);
  const plan = reportPlanFromNfa(nfa);
  const collect = (): { got: Array<[number, number]>; cb: (s: number, e: number) => void } => {
    const got: Array<[number, number]> = [];
    return { got, cb: (s, e) => got.push([s, e]) };
  };

  it('marks only signatures with end-of-input delta-1 acceptance', () => {
    expect(Array.from(plan.hold ?? [])).toEqual([1, 0]);
  });

  it('holds the latest end, passes a late smaller end first, flushes below an offset', () => {
    const r = new MatchReporter(plan, 'all');
    const { got, cb } = collect();
    r.emit(0, 2, cb);
    r.emit(1, 2, cb);
    expect(got).toEqual([[1, 2]]);
    expect(r.held).toBe(1);
    r.emit(0, 1, cb); // confirmed late
    r.emit(0, 2, cb); // duplicate of the held end
    r.flush(2, cb); // 2 is not below 2: still held
    expect(got).toEqual([
      [1, 2],
      [0, 1],
    ]);
    r.flush(3, cb);
    r.emit(0, 2, cb);
    expect(got.at(-1)).toEqual([0, 2]);
    expect(r.held).toBe(0);
    r.emit(0, 5, cb);
    r.emit(0, 7, cb); // releases 5, holds 7
    r.endOfInput(cb);
    expect(got.slice(3)).toEqual([
      [0, 5],
      [0, 7],
    ]);
  });

  it("'set' mode: the late smaller end wins; reset drops what is held", () => {
    const r = new MatchReporter(plan, 'set');
    const { got, cb } = collect();
    r.emit(0, 2, cb);
    r.emit(0, 1, cb);
    r.endOfInput(cb);
    expect(got).toEqual([[0, 1]]);
    r.emit(0, 4, cb);
    r.reset();
    r.endOfInput(cb);
    expect(got).toEqual([[0, 1]]);
  });
});
