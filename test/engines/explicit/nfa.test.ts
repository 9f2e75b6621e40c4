/**
 * The explicit NFA engine on hand-built signatures whose answers are known: the report
 * dedup rule (report.ts), streaming, modes, scratch ownership.
 */
import { describe, expect, it } from 'vitest';
import { ScanArgumentError } from '../../../src/errors.js';
import { buildNfa } from '../../../src/nfa/build.js';
import { buildNfaMatcher } from '../../../src/engines/explicit/matcher.js';
import type { Matcher, MatchMode } from '../../../src/matcher/types.js';
import type { AssertionKind, Ir } from '../../../src/syntax/ir.js';
import { byteSet } from '../../support/random-ir.js';

const enc = (s: string): Uint8Array => Uint8Array.from([...s].map((c) => c.charCodeAt(0)));
const lit = (s: string): Ir => ({
  kind: 'concat',
  items: [...s].map((ch): Ir => ({ kind: 'bytes', set: byteSet([ch.charCodeAt(0)]) })),
});
const as = (assertion: AssertionKind): Ir => ({ kind: 'assert', assertion });
const cat = (...items: Ir[]): Ir => ({ kind: 'concat', items });
const alt = (...items: Ir[]): Ir => ({ kind: 'alt', items });

function matcher(...irs: Ir[]): Matcher {
  return buildNfaMatcher(buildNfa(irs.map((ir, id) => ({ id, ir, anchored: false }))));
}

function run(m: Matcher, chunks: string[], mode: MatchMode = 'all'): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const s = m.createScratch({ mode });
  const cb = (sig: number, end: number): void => {
    out.push([sig, end]);
  };
  for (const c of chunks) m.scan(s, enc(c), cb);
  m.finish(s, cb);
  return out;
}

describe('nfa engine', () => {
  it('reports every end of every match, across signatures, in end order', () => {
    const m = matcher(lit('ab'), lit('b'), { kind: 'repeat', item: lit('a'), min: 1, max: Infinity, greedy: true });
    const byEnd = run(m, ['xabaab']).sort((x, y) => x[1] - y[1] || x[0] - y[0]);
    expect(byEnd).toEqual([
      [2, 2],
      [0, 3],
      [1, 3],
      [2, 4],
      [2, 5],
      [0, 6],
      [1, 6],
    ]);
  });

  it('reports (sig, end) once when a lookahead and a plain branch agree: /a\\b|a/', () => {
    const m = matcher(alt(cat(lit('a'), as('word-boundary')), lit('a')));
    expect(run(m, ['a a'])).toEqual([
      [0, 1],
      [0, 3],
    ]);
    // Same with the lookahead byte in the next chunk, and with the end of input.
    expect(run(m, ['a', ' '])).toEqual([[0, 1]]);
    expect(run(m, ['a'])).toEqual([[0, 1]]);
  });

  it('end-of-input assertions report at finish: /a$/ (PCRE: before a final newline too)', () => {
    const m = matcher(cat(lit('a'), as('text-end-newline')), cat(lit('a'), as('text-end')));
    expect(run(m, ['ba']).sort((x, y) => x[0] - y[0])).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(run(m, ['ba\n'])).toEqual([[0, 2]]);
    expect(run(m, ['ba\n\n'])).toEqual([]);
    expect(run(m, ['a\nb'])).toEqual([]);
  });

  it('multiline line-start/line-end and word boundaries', () => {
    const m = matcher(cat(as('line-start'), lit('a'), as('line-end')), cat(as('not-word-boundary'), lit('b')));
    expect(run(m, ['a\nxa\na'])).toEqual([
      [0, 1],
      [0, 6],
    ]);
    expect(run(m, ['b ab'])).toEqual([[1, 4]]);
  });

  it('empty matches: at offset 0 on empty input, and after every byte', () => {
    const m = matcher({ kind: 'empty' }, as('text-start'));
    expect(run(m, [])).toEqual([
      [0, 0],
      [1, 0],
    ]);
    expect(run(m, ['xy'])).toEqual([
      [0, 0],
      [1, 0],
      [0, 1],
      [0, 2],
    ]);
  });

  it('streams: a match spanning chunks is found, offsets are absolute', () => {
    const m = matcher(lit('abcd'));
    expect(run(m, ['xxab', '', 'c', 'dzzabcd'])).toEqual([
      [0, 6],
      [0, 12],
    ]);
    const s = m.createScratch();
    m.scan(s, enc('abc'), () => {});
    m.scan(s, enc('de'), () => {});
    expect(s.offset).toBe(5);
    m.finish(s, () => {});
    expect(s.offset).toBe(0);
  });

  it("'set' mode reports the earliest end of each signature once per input", () => {
    const m = matcher(lit('ab'), cat(lit('b'), as('word-boundary')));
    expect(run(m, ['abab ab'], 'set')).toEqual([
      [0, 2],
      [1, 4],
    ]);
    const s = m.createScratch({ mode: 'set' });
    const ends: number[] = [];
    m.scan(s, enc('ab'), (_sig, e) => ends.push(e));
    m.scan(s, enc('ab'), (_sig, e) => ends.push(e));
    m.finish(s, (_sig, e) => ends.push(e));
    m.scan(s, enc('zab'), (_sig, e) => ends.push(e));
    expect(ends).toEqual([2, 4, 3]);
  });

  it('anchored signatures match only at offset 0 of each input', () => {
    const m = buildNfaMatcher(buildNfa([{ id: 0, ir: lit('ab'), anchored: true }]));
    expect(run(m, ['abab'])).toEqual([[0, 2]]);
    expect(run(m, ['xab'])).toEqual([]);
  });

  it('refuses a scratch from another matcher', () => {
    const a = matcher(lit('a'));
    const b = matcher(lit('a'));
    expect(() => a.scan(b.createScratch(), enc('a'), () => {})).toThrow(ScanArgumentError);
  });

  it('stats report sizes', () => {
    const st = matcher(lit('abc')).stats();
    expect(st).toMatchObject({ engine: 'nfa', signatures: 1, states: 5, classes: 4 });
  });
});

describe('nfa engine: a `$` match before a final newline is only known at the end', () => {
  // /a$|a\n/: on "a\n", end 2 is found after the newline, end 1 only at finish.
  const m = matcher(alt(cat(lit('a'), as('text-end-newline')), lit('a\n')));

  it('reports ends in increasing order per signature, first mode the earliest', () => {
    expect(run(m, ['a\n'])).toEqual([
      [0, 1],
      [0, 2],
    ]);
    expect(run(m, ['a\n'], 'set')).toEqual([[0, 1]]);
    expect(run(m, ['a', '\n', ''])).toEqual([
      [0, 1],
      [0, 2],
    ]);
  });

  it('releases a held end as soon as the input goes on', () => {
    const s = m.createScratch();
    const got: number[] = [];
    m.scan(s, enc('a\n'), (_sig, e) => got.push(e));
    expect(got).toEqual([]); // end 2 held: end 1 may still be confirmed
    m.scan(s, enc('x'), (_sig, e) => got.push(e));
    expect(got).toEqual([2]);
    m.finish(s, (_sig, e) => got.push(e));
    expect(got).toEqual([2]);
  });

  it('reset drops what is held', () => {
    const s = m.createScratch();
    const got: number[] = [];
    m.scan(s, enc('a\n'), (_sig, e) => got.push(e));
    m.reset(s);
    m.finish(s, (_sig, e) => got.push(e));
    expect(got).toEqual([]);
  });
});
