import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDfa } from '../../../src/engines/dfa/build.js';
import { buildMdfaFromNfas, buildMdfaMatcher, groupGreedy } from '../../../src/engines/dfa/mdfa.js';
import { parseSignature } from '../../../src/syntax/index.js';
import { LimitExceededError } from '../../../src/errors.js';
import type { Nfa } from '../../../src/nfa/types.js';
import { arbSigNfa, expectReports, makeNfa, referenceEvents, runMatcher, sorted, unionNfas } from './helpers.js';

/** Some letter of class `letter` is followed by k letters (classes a=0, b=1, other=2). */
function kthLast(k: number, sig: number, signatureCount: number, letter = 0): Nfa {
  const labels: number[][] = [[0, 1, 2], [letter]];
  const follow: number[][] = [[0, 1], [2]];
  for (let i = 0; i < k; i++) {
    labels.push([0, 1, 2]);
    follow.push(i + 1 < k ? [i + 3] : []);
  }
  return makeNfa({
    classCount: 3,
    byteClass: (b) => (b === 97 ? 0 : b === 98 ? 1 : 2),
    labels,
    follow,
    start: [0],
    accept: [[k + 1, sig, 0]],
    signatureCount,
  });
}

const arbSigs = fc
  .integer({ min: 1, max: 7 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbSigNfa(i))));
const arbIn = fc.uint8Array({ maxLength: 20 }).map((a) => a.map((b) => b % 3));

describe('mdfa engine', () => {
  it('matches the reference on the union NFA, whatever the grouping', () => {
    fc.assert(
      fc.property(arbSigs, arbIn, fc.integer({ min: 2, max: 40 }), fc.array(fc.nat(20), { maxLength: 3 }), (parts, input, budget, cuts) => {
        const all = unionNfas(parts, parts.length);
        const { matcher, grouping } = buildMdfaFromNfas(parts, (ps) => unionNfas(ps, parts.length), parts.length, {
          maxStates: budget,
        });
        // Signatures rejected alone are absent from the expected reports too.
        const kept = parts.filter((p) => !grouping.rejected.some((r) => r.item === p));
        const ref = kept.length ? referenceEvents(unionNfas(kept, parts.length), input) : [];
        expectReports(runMatcher(matcher, input, 'all', cuts), ref, 'all');
        expectReports(runMatcher(matcher, input, 'set', cuts), ref, 'set');
        if (grouping.rejected.length === 0) {
          expectReports(runMatcher(matcher, input, 'all'), referenceEvents(all, input), 'all');
        }
      }),
      { numRuns: 100 },
    );
  });

  it('the searched grouping equals one-at-a-time greedy and respects the budget', () => {
    fc.assert(
      fc.property(arbSigs, fc.integer({ min: 2, max: 40 }), (parts, budget) => {
        const build = (ps: readonly Nfa[]) => unionNfas(ps, parts.length);
        const g = groupGreedy(parts, build, { maxStates: budget });
        // Naive greedy: extend the current group while its DFA fits.
        const naive: number[][] = [];
        let cur: number[] = [];
        for (let i = 0; i < parts.length; i++) {
          const fits = (ids: number[]) => {
            try {
              buildDfa(build(ids.map((j) => parts[j]!)), { maxStates: budget, minimize: false });
              return true;
            } catch (e) {
              if (e instanceof LimitExceededError) return false;
              throw e;
            }
          };
          if (!fits([i])) {
            if (cur.length) naive.push(cur);
            cur = [];
            continue;
          }
          if (fits([...cur, i])) cur.push(i);
          else {
            naive.push(cur);
            cur = [i];
          }
        }
        if (cur.length) naive.push(cur);
        expect(g.groups.map((gr) => gr.items.map((p) => parts.indexOf(p)))).toEqual(naive);
        for (const gr of g.groups) expect(gr.dfa.statesBeforeMinimize).toBeLessThanOrEqual(budget);
      }),
      { numRuns: 100 },
    );
  });

  it('splits blow-up signatures into groups and rejects one too big alone', () => {
    const sigs = [kthLast(3, 0, 4), kthLast(3, 1, 4), kthLast(3, 2, 4), kthLast(9, 3, 4)];
    const { matcher, grouping } = buildMdfaFromNfas(sigs, (ps) => unionNfas(ps, 4), 4, { maxStates: 200 });
    // The three kthLast(3) share one 16-state DFA (same language, three signatures);
    // kthLast(9) alone needs 2^10 states.
    expect(grouping.rejected.map((r) => r.item)).toEqual([sigs[3]]);
    expect(grouping.rejected[0]!.error).toBeInstanceOf(LimitExceededError);
    const st = matcher.stats();
    expect(st).toMatchObject({ engine: 'mdfa', rejected: 1 });
    const bytes = Uint8Array.from('baaab', (c) => c.charCodeAt(0));
    expect(sorted(runMatcher(matcher, bytes, 'all'))).toEqual(['0@5', '1@5', '2@5']);
    expect(grouping.groups.length).toBe(1);
  });

  it('forces several groups under a tight budget', () => {
    // "an a 3 letters before the end" and "a b 3 letters before the end" need 16 states
    // each; "an other 1 before the end" 4; together the DFA tracks 3 letter kinds: > 40.
    const sigs = [kthLast(3, 0, 3, 0), kthLast(1, 1, 3, 2), kthLast(3, 2, 3, 1)];
    for (const s of sigs) expect(buildDfa(s).stateCount).toBeLessThanOrEqual(16);
    const g = groupGreedy(sigs, (ps) => unionNfas(ps, 3), { maxStates: 40 });
    expect(g.rejected).toEqual([]);
    expect(g.groups.map((x) => x.items.map((p) => sigs.indexOf(p)))).toEqual([[0, 1], [2]]);
  });
});

describe('buildMdfaMatcher: identical signatures travel together', () => {
  it('copies of a signature cost no extra group and report under every id', () => {
    const sig = (id: number, src: string) => ({ id, ir: parseSignature(src).ir, anchored: false });
    // "an a 6 bytes before a b": 2^7-ish DFA states alone; two different ones do not fit
    // together under the budget, but any number of copies of the first do.
    const a = '/a.{6}b/s';
    const c = '/c.{6}d/s';
    const one = buildMdfaMatcher([sig(0, a), sig(1, c)], { maxStates: 200 });
    const many = buildMdfaMatcher([sig(0, a), sig(1, c), sig(2, a), sig(3, a), sig(4, c)], { maxStates: 200 });
    expect(one.stats().groups).toBe(2);
    expect(many.stats().groups).toBe(2);
    const out: string[] = [];
    const sc = many.createScratch();
    many.scan(sc, new TextEncoder().encode('xa123456bc654321d'), (s, e) => out.push(`${s}@${e}`));
    many.finish(sc, () => {});
    expect(out.sort()).toEqual(['0@9', '1@17', '2@9', '3@9', '4@17']);
  });
});
