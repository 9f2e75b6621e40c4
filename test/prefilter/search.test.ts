import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LiteralSearcher, type LiteralSearcherOptions } from '../../src/prefilter/search.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const lits = (...xs: string[]): Uint8Array[] => xs.map(enc);

/** Scan `chunks` as one input; returns [id, absolute end] pairs in report order. */
function run(searcher: LiteralSearcher, chunks: Uint8Array[], state = searcher.createState()): [number, number][] {
  const hits: [number, number][] = [];
  let base = 0;
  for (const c of chunks) {
    searcher.scan(state, c, (id, end) => hits.push([id, base + end]));
    base += c.length;
  }
  return hits;
}

const sortHits = (h: [number, number][]): [number, number][] => [...h].sort((a, b) => a[0] - b[0] || a[1] - b[1]);

/** The reference: first end of each literal in the folded whole input, by indexOf. */
function naive(literals: Uint8Array[], input: Uint8Array): [number, number][] {
  const folded = Buffer.from(input.map((b) => (b >= 0x41 && b <= 0x5a ? b + 0x20 : b)));
  const out: [number, number][] = [];
  literals.forEach((lit, id) => {
    const at = folded.indexOf(Buffer.from(lit));
    if (at >= 0) out.push([id, at + lit.length]);
  });
  return out;
}

// Every engine; the hybrid with only the root dense, with a few dense rows, and all dense.
const configs: [string, LiteralSearcherOptions][] = [
  ['dfa', { engine: 'dfa' }],
  ['hybrid, root row dense', { engine: 'hybrid', denseBytes: 0 }],
  ['hybrid, 2 KiB dense', { engine: 'hybrid', denseBytes: 2048 }],
  ['hybrid, default', { engine: 'hybrid' }],
  ['filter', { engine: 'filter' }],
];

describe('LiteralSearcher engine choice', () => {
  it("defaults to the dense DFA, and to the hybrid over the DFA budget", () => {
    expect(new LiteralSearcher(lits('abc', 'abd')).engine).toBe('dfa');
    const small = new LiteralSearcher(lits('abc', 'abd'), { maxDfaBytes: 16 });
    expect(small.engine).toBe('hybrid');
    expect(run(small, [enc('xABD')])).toEqual([[1, 4]]);
    expect(small.stats().tableBytes).toBeGreaterThan(0);
  });
});

describe.each(configs)('LiteralSearcher (%s)', (_, options) => {
  const mk = (literals: Uint8Array[]): LiteralSearcher => new LiteralSearcher(literals, options);

  it("reports overlapping literals 'he','she','his','hers' in 'ushers'", () => {
    const s = mk(lits('he', 'she', 'his', 'hers'));
    expect(sortHits(run(s, [enc('ushers')]))).toEqual([
      [0, 4],
      [1, 4],
      [3, 6],
    ]);
  });

  it('finds a literal spanning two chunks, with end relative to the chunk', () => {
    const s = mk(lits('attack'));
    const st = s.createState();
    const ends: number[] = [];
    s.scan(st, enc('xxatt'), (_, end) => ends.push(-end));
    s.scan(st, enc('ackyy'), (_, end) => ends.push(end));
    expect(ends).toEqual([3]);
  });

  it('finds literals fed one byte per chunk', () => {
    const s = mk(lits('abcdefgh', 'cde', 'hab'));
    const input = enc('xxABCDEFGHabcx');
    const chunks = [...input].map((b) => Uint8Array.of(b));
    expect(sortHits(run(s, chunks))).toEqual(naive(lits('abcdefgh', 'cde', 'hab'), input));
    expect(run(s, chunks).length).toBe(3);
  });

  it('matches upper-case input against a lower-case literal', () => {
    const s = mk(lits('get /admin'));
    expect(run(s, [enc('xx GeT /ADMIN HTTP/1.1')])).toEqual([[0, 13]]);
  });

  it('rejects literals holding upper-case bytes', () => {
    expect(() => mk(lits('Abc'))).toThrow(RangeError);
  });

  it('reports a literal once per input, and again after reset', () => {
    const s = mk(lits('ab', 'b'));
    const st = s.createState();
    expect(run(s, [enc('abab'), enc('ab')], st)).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(run(s, [enc('xxab')], st)).toEqual([]);
    s.reset(st);
    expect(sortHits(run(s, [enc('xxab')], st))).toEqual([
      [0, 4],
      [1, 4],
    ]);
  });

  it('reports every id of duplicate literals', () => {
    const s = mk(lits('abc', 'x', 'abc'));
    expect(sortHits(run(s, [enc('zabcz')]))).toEqual([
      [0, 4],
      [2, 4],
    ]);
  });

  it('reports an empty literal at end 0 of each input, even an empty one', () => {
    const s = mk(lits('', 'q'));
    const st = s.createState();
    expect(run(s, [new Uint8Array(0), enc('aq')], st)).toEqual([
      [0, 0],
      [1, 2],
    ]);
    s.reset(st);
    expect(run(s, [enc('zz')], st)).toEqual([[0, 0]]);
  });

  it('handles literals with bytes outside ASCII and no literals at all', () => {
    const s = mk([Uint8Array.of(0xff, 0x00, 0x41 + 0x20)]);
    expect(run(s, [Uint8Array.of(1, 0xff, 0x00, 0x41, 7)])).toEqual([[0, 4]]);
    const none = mk([]);
    expect(run(none, [enc('abc')])).toEqual([]);
    expect(none.stats().states).toBe(1);
  });

  it('keeps states apart and survives many resets', () => {
    const s = mk(lits('abc'));
    const a = s.createState();
    const b = s.createState();
    s.scan(a, enc('ab'), () => {});
    s.scan(b, enc('zz'), () => {});
    expect(run(s, [enc('c')], a)).toEqual([[0, 1]]);
    expect(run(s, [enc('c')], b)).toEqual([]);
    for (let i = 0; i < 1000; i++) s.reset(a);
    expect(run(s, [enc('abc')], a)).toEqual([[0, 3]]);
  });

  // Literals of 0..5 bytes (prefix width 1 or 2 in the filter), then 3..6 (width 3).
  it.each([
    [0, 5],
    [3, 6],
  ])('agrees with indexOf on the folded input, under any chunking, literals of %i..%i bytes (property)', (minLen, maxLen) => {
    const lower = fc.constantFrom(...'abc'.split('').map((c) => c.charCodeAt(0)));
    const inputByte = fc.constantFrom(...'abcABCd'.split('').map((c) => c.charCodeAt(0)));
    const literal = fc.uint8Array({ minLength: minLen, maxLength: maxLen }).chain((shape) =>
      fc.array(lower, { minLength: shape.length, maxLength: shape.length }).map((xs) => Uint8Array.from(xs)),
    );
    fc.assert(
      fc.property(
        fc.array(literal, { minLength: 0, maxLength: 30 }),
        fc.array(inputByte, { minLength: 0, maxLength: 80 }),
        fc.array(fc.nat(80), { maxLength: 6 }),
        fc.integer({ min: 1, max: 3 }),
        (literals, bytes, cuts, inputs) => {
          const searcher = mk(literals);
          const state = searcher.createState();
          const input = Uint8Array.from(bytes);
          for (let round = 0; round < inputs; round++) {
            if (round > 0) searcher.reset(state);
            const points = [...new Set(cuts.map((c) => Math.min(c, input.length)))].sort((a, b) => a - b);
            const chunks: Uint8Array[] = [];
            let at = 0;
            for (const p of [...points, input.length]) {
              chunks.push(input.subarray(at, p));
              at = p;
            }
            const got = run(searcher, chunks, state);
            expect(sortHits(got)).toEqual(naive(literals, input));
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('everyHit literals: every occurrence, the others once', () => {
  for (const [name, options] of configs) {
    it(`${name}: equals indexOf over every start, any chunking`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.uint8Array({ minLength: 1, maxLength: 3 }).map((b) => b.map((x) => [0x61, 0x62, 0x63][x % 3])), { minLength: 1, maxLength: 6 }),
          fc.uint8Array({ maxLength: 6 }),
          fc.uint8Array({ maxLength: 30 }).map((b) => b.map((x) => [0x61, 0x62, 0x41, 0x63][x & 3])),
          fc.array(fc.nat(), { maxLength: 3 }),
          (literals, flags, input, cuts) => {
            const every = Uint8Array.from(literals, (_, i) => (flags[i] ?? 0) & 1);
            const s = new LiteralSearcher(literals, { ...options, everyHit: every });
            const pts = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
            const chunks: Uint8Array[] = [];
            let prev = 0;
            for (const p of [...pts, input.length]) {
              chunks.push(input.subarray(prev, p));
              prev = p;
            }
            const folded = Buffer.from(input.map((b) => (b >= 0x41 && b <= 0x5a ? b + 0x20 : b)));
            const want: [number, number][] = [];
            literals.forEach((lit, id) => {
              for (let at = folded.indexOf(Buffer.from(lit)); at >= 0; at = folded.indexOf(Buffer.from(lit), at + 1)) {
                want.push([id, at + lit.length]);
                if (every[id] !== 1) break;
              }
            });
            expect(sortHits(run(s, chunks))).toEqual(sortHits(want));
          },
        ),
        { numRuns: 150 },
      );
    });
  }
});
