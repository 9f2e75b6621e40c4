import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anySat, BddManager, evaluate, MAX_BDD_VARS, relNextIsFused, satCount, support, toDot } from '../../src/bdd/index.js';
import { LimitExceededError } from '../../src/errors.js';
import {
  bddTT,
  build,
  exprArb,
  exprTT,
  fromTT,
  maskVars,
  ttEqual,
  ttExists,
  type Expr,
} from './helpers.js';

// Small initial tables and caches on purpose: the properties then also exercise table
// growth (rehash), free-list reuse and lossy-cache collisions.
const small = () => new BddManager({ initialCapacity: 8, cacheSizeLog2: 4 });
const N = 7;
const RUNS = 150;

function managerWith(n: number): BddManager {
  const m = small();
  m.newVars(n);
  return m;
}

function ttAnd(a: Uint8Array, b: Uint8Array): Uint8Array {
  return a.map((x, i) => x & b[i]);
}

/** g(a) = f(a with every variable v replaced by σ(v)). */
function ttRename(t: Uint8Array, map: number[]): Uint8Array {
  const out = new Uint8Array(t.length);
  for (let a = 0; a < t.length; a++) {
    let b = 0;
    for (let v = 0; v < map.length; v++) if ((a >>> map[v]) & 1) b |= 1 << v;
    out[a] = t[b];
  }
  return out;
}

/** A random injective partial renaming over n variables, as pairs and as a full map. */
function renamingArb(n: number): fc.Arbitrary<{ pairs: [number, number][]; map: number[] }> {
  const ids = Array.from({ length: n }, (_, v) => v);
  return fc
    .tuple(fc.shuffledSubarray(ids, { minLength: n, maxLength: n }), fc.integer({ min: 0, max: (1 << n) - 1 }))
    .map(([perm, which]) => {
      const pairs: [number, number][] = [];
      const map = ids.slice();
      for (let v = 0; v < n; v++) {
        if ((which >>> v) & 1) {
          pairs.push([v, perm[v]]);
          map[v] = perm[v];
        }
      }
      return { pairs, map };
    });
}

describe('BddManager: operations agree with truth tables', () => {
  it('not/and/or/xor/ite build the truth table of any expression', () => {
    fc.assert(
      fc.property(exprArb(N), (e) => {
        const m = managerWith(N);
        expect(bddTT(m, build(m, e), N)).toEqual(exprTT(e, N));
      }),
      { numRuns: RUNS },
    );
  });

  it('canonicity: equal truth tables <=> equal ids (also across construction routes)', () => {
    fc.assert(
      fc.property(fc.array(exprArb(5, 4), { minLength: 2, maxLength: 8 }), (es) => {
        const m = managerWith(5);
        const ids = es.map((e) => build(m, e));
        const tts = es.map((e) => exprTT(e, 5));
        for (let i = 0; i < es.length; i++) {
          // same function via minterms: must be the very same node
          expect(fromTT(m, tts[i], 5)).toBe(ids[i]);
          for (let j = 0; j < i; j++) expect(ids[i] === ids[j]).toBe(ttEqual(tts[i], tts[j]));
        }
      }),
      { numRuns: 80 },
    );
  });

  it('exists quantifies exactly the variables of the set', () => {
    fc.assert(
      fc.property(exprArb(N), fc.integer({ min: 0, max: (1 << N) - 1 }), (e, mask) => {
        const m = managerWith(N);
        const f = build(m, e);
        const r = m.exists(f, m.varSet(maskVars(mask)));
        expect(bddTT(m, r, N)).toEqual(ttExists(exprTT(e, N), mask));
      }),
      { numRuns: RUNS },
    );
  });

  it('andExists(f, g, V) == exists(and(f, g), V)', () => {
    fc.assert(
      fc.property(exprArb(N), exprArb(N), fc.integer({ min: 0, max: (1 << N) - 1 }), (e1, e2, mask) => {
        const m = managerWith(N);
        const f = build(m, e1);
        const g = build(m, e2);
        const set = m.varSet(maskVars(mask));
        const r = m.andExists(f, g, set);
        expect(r).toBe(m.exists(m.and(f, g), set));
        expect(bddTT(m, r, N)).toEqual(ttExists(ttAnd(exprTT(e1, N), exprTT(e2, N)), mask));
      }),
      { numRuns: RUNS },
    );
  });

  it('rename is the substitution f(x[v := x_σ(v)]) for any injective renaming', () => {
    fc.assert(
      fc.property(exprArb(N), renamingArb(N), (e, { pairs, map }) => {
        const m = managerWith(N);
        const r = m.renaming(pairs);
        const g = m.rename(build(m, e), r);
        expect(bddTT(m, g, N)).toEqual(ttRename(exprTT(e, N), map));
      }),
      { numRuns: RUNS },
    );
  });

  it('relNext == rename(exists(and)) for random sets and renamings (fused or not)', () => {
    let fused = 0;
    fc.assert(
      fc.property(
        exprArb(N),
        exprArb(N),
        fc.integer({ min: 0, max: (1 << N) - 1 }),
        renamingArb(N),
        (e1, e2, mask, { pairs, map }) => {
          const m = managerWith(N);
          const f = build(m, e1);
          const g = build(m, e2);
          const set = m.varSet(maskVars(mask));
          const r = m.renaming(pairs);
          if (relNextIsFused(m, set, r)) fused++;
          const got = m.relNext(f, g, set, r);
          expect(got).toBe(m.rename(m.andExists(f, g, set), r));
          const want = ttRename(ttExists(ttAnd(exprTT(e1, N), exprTT(e2, N)), mask), map);
          expect(bddTT(m, got, N)).toEqual(want);
        },
      ),
      { numRuns: RUNS },
    );
    expect(fused).toBeGreaterThan(0);
  });

  it('relNext fuses on interleaved x/y (x quantified, y -> x) with inputs, and is right', () => {
    // Layout: inputs i0 i1 at the top, then x0 y0 x1 y1 x2 y2 (k = 3 state bits).
    const k = 3;
    const n = 2 + 2 * k;
    const X = (j: number) => 2 + 2 * j;
    const Y = (j: number) => 3 + 2 * j;
    fc.assert(
      fc.property(exprArb(n, 6), exprArb(n), fc.integer({ min: 0, max: 3 }), (eRel, eF, inMask) => {
        const m = managerWith(n);
        const rel = build(m, eRel);
        // frontier over x only: restrict the random expression to depend on x variables
        const fx = m.exists(build(m, eF), m.varSet([0, 1, Y(0), Y(1), Y(2)]));
        const qvars = [...maskVars(inMask), X(0), X(1), X(2)];
        const set = m.varSet(qvars);
        const r = m.renaming([0, 1, 2].map((j) => [Y(j), X(j)] as [number, number]));
        expect(relNextIsFused(m, set, r)).toBe(true);
        const got = m.relNext(fx, rel, set, r);
        expect(got).toBe(m.rename(m.andExists(fx, rel, set), r));
        const map = Array.from({ length: n }, (_, v) => v);
        for (let j = 0; j < k; j++) map[Y(j)] = X(j);
        let qmask = 0;
        for (const v of qvars) qmask |= 1 << v;
        const want = ttRename(ttExists(ttAnd(bddTT(m, fx, n), exprTT(eRel, n)), qmask), map);
        expect(bddTT(m, got, n)).toEqual(want);
      }),
      { numRuns: 100 },
    );
  });

  it('relNext falls back when the renaming reverses surviving variables', () => {
    const m = managerWith(4); // x0 y0 x1 y1
    const set = m.varSet([0, 2]);
    const crossed = m.renaming([
      [1, 2],
      [3, 0],
    ]);
    expect(relNextIsFused(m, set, crossed)).toBe(false);
    // identity on a survivor colliding with a target: x1 not quantified, y1 -> x1
    const collide = m.renaming([[3, 2]]);
    expect(relNextIsFused(m, m.varSet([0]), collide)).toBe(false);
    const rel = m.and(m.var(1), m.xor(m.var(0), m.var(3)));
    const got = m.relNext(m.var(0), rel, set, crossed);
    // ∃x0,x2. x0 ∧ y0 ∧ ¬y1 = y0 ∧ ¬y1, then y0 -> x1, y1 -> x0
    expect(got).toBe(m.and(m.var(2), m.nvar(0)));
  });

  it('restrict is the cofactor by a partial assignment', () => {
    fc.assert(
      fc.property(
        exprArb(N),
        fc.integer({ min: 0, max: (1 << N) - 1 }),
        fc.integer({ min: 0, max: (1 << N) - 1 }),
        (e, care, vals) => {
          const m = managerWith(N);
          const vars = maskVars(care);
          const values = vars.map((v) => ((vals >>> v) & 1) === 1);
          const g = m.restrict(build(m, e), m.cube(vars, values));
          const t = exprTT(e, N);
          const want = new Uint8Array(t.length);
          for (let a = 0; a < t.length; a++) want[a] = t[(a & ~care) | (vals & care)];
          expect(bddTT(m, g, N)).toEqual(want);
          expect(support(m, g).every((v) => !((care >>> v) & 1))).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('satCount, anySat, forEachCube and support agree with the truth table', () => {
    fc.assert(
      fc.property(exprArb(N), (e) => {
        const m = managerWith(N);
        const f = build(m, e);
        const t = exprTT(e, N);
        const ones = t.reduce((s, x) => s + x, 0);
        expect(satCount(m, f)).toBe(ones);
        expect(satCount(m, f, N + 3)).toBe(ones * 8);
        const sat = anySat(m, f);
        if (ones === 0) expect(sat).toBeNull();
        else {
          // every completion of the don't cares satisfies f: check with dc = 0 and dc = 1
          for (const fill of [0, 1]) {
            let a = 0;
            for (let v = 0; v < N; v++) if ((sat![v] === -1 ? fill : sat![v]) === 1) a |= 1 << v;
            expect(t[a]).toBe(1);
          }
        }
        const covered = new Uint8Array(t.length);
        m.forEachCube(f, (cube) => {
          for (let a = 0; a < t.length; a++) {
            let inCube = true;
            for (let v = 0; v < N; v++) if (cube[v] !== -1 && cube[v] !== ((a >>> v) & 1)) inCube = false;
            if (inCube) covered[a]++;
          }
        });
        expect(covered).toEqual(t); // disjoint (no 2s) and exact cover
        const dep: number[] = [];
        for (let v = 0; v < N; v++) {
          let d = false;
          for (let a = 0; a < t.length; a++) if (t[a] !== t[a ^ (1 << v)]) d = true;
          if (d) dep.push(v);
        }
        expect(support(m, f)).toEqual(dep);
      }),
      { numRuns: RUNS },
    );
  });

  it('works on 10 variables too', () => {
    fc.assert(
      fc.property(exprArb(10, 6), exprArb(10, 6), fc.integer({ min: 0, max: 1023 }), (e1, e2, mask) => {
        const m = managerWith(10);
        const f = build(m, e1);
        const g = build(m, e2);
        const t1 = exprTT(e1, 10);
        expect(bddTT(m, f, 10)).toEqual(t1);
        expect(bddTT(m, m.andExists(f, g, m.varSet(maskVars(mask))), 10)).toEqual(
          ttExists(ttAnd(t1, exprTT(e2, 10)), mask),
        );
      }),
      { numRuns: 30 },
    );
  });
});

describe('BddManager: structure and debugging', () => {
  it('nodeCount counts shared nodes once; parity of n variables has 2n-1 nodes', () => {
    const m = new BddManager();
    m.newVars(6);
    let p = m.var(0);
    for (let v = 1; v < 6; v++) p = m.xor(p, m.var(v));
    expect(m.nodeCount(p)).toBe(11);
    // below its root, parity already holds both parity and co-parity of the lower variables,
    // so not(p) adds exactly one node
    expect(m.nodeCount([p, m.not(p)])).toBe(12);
    expect(m.nodeCount([p, p, BddManager.TRUE])).toBe(11);
  });

  it('cube and varSet build conjunctions; bad cubes and sets are rejected', () => {
    const m = new BddManager();
    m.newVars(4);
    const c = m.cube([3, 0], 0b01); // x3 ∧ ¬x0
    expect(c).toBe(m.and(m.var(3), m.nvar(0)));
    expect(m.cube([1, 1], [true, false])).toBe(BddManager.FALSE);
    expect(m.varSet([2, 0, 2])).toBe(m.and(m.var(0), m.var(2)));
    expect(() => m.exists(m.var(0), c)).toThrow(RangeError);
    expect(() => m.restrict(m.var(0), m.or(m.var(0), m.var(1)))).toThrow(/not a cube/);
    expect(() => m.var(4)).toThrow(/out of range/);
    expect(() => m.and(12345, 1)).toThrow(/invalid or freed node id 12345/);
    expect(() => m.renaming([[0, 1], [2, 1]])).toThrow(/not injective/);
    expect(() => m.rename(1, 7)).toThrow(/unknown renaming/);
  });

  it('toDot names every node and edge', () => {
    const m = new BddManager();
    m.newVars(2);
    const f = m.and(m.var(0), m.nvar(1));
    const dot = toDot(m, f, (v) => `b${v}`);
    expect(dot).toMatch(/^digraph bdd \{/);
    expect(dot).toContain('"b0"');
    expect(dot).toContain('"b1"');
    expect(dot.match(/style=dashed/g)!.length).toBe(2);
  });
});

describe('BddManager: memory', () => {
  it('gc keeps protected functions intact with valid ids and frees the rest', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(exprArb(N), fc.boolean()), { minLength: 1, maxLength: 10 }),
        (items: [Expr, boolean][]) => {
          const m = managerWith(N);
          const ids = items.map(([e]) => build(m, e));
          const kept = ids.filter((_, i) => items[i][1]);
          for (const f of kept) m.protect(f);
          const keptNodes = m.nodeCount(kept);
          // ids not reachable from a protected root must be freed by gc
          const doomed = ids.filter((f) => f > 1 && m.nodeCount([...kept, f]) > keptNodes);
          m.gc();
          expect(m.stats().liveNodes).toBe(keptNodes + 2);
          for (const f of doomed) expect(() => m.not(f)).toThrow(RangeError);
          for (let i = 0; i < items.length; i++) {
            if (!items[i][1]) continue;
            expect(bddTT(m, ids[i], N)).toEqual(exprTT(items[i][0], N));
            // the unique table was rebuilt: rebuilding finds the same node
            expect(build(m, items[i][0])).toBe(ids[i]);
          }
          // freed slots are reused without disturbing the survivors
          const more = items.map(([e]) => m.not(build(m, e)));
          for (let i = 0; i < items.length; i++) {
            expect(bddTT(m, more[i], N)).toEqual(exprTT(items[i][0], N).map((x) => 1 - x));
            if (items[i][1]) expect(bddTT(m, ids[i], N)).toEqual(exprTT(items[i][0], N));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it(`recursion depth: every op works at MAX_BDD_VARS (${MAX_BDD_VARS}) variables`, () => {
    const n = MAX_BDD_VARS;
    const m = new BddManager();
    m.newVars(n);
    expect(() => m.newVars(1)).toThrow(LimitExceededError);
    const all = Array.from({ length: n }, (_, v) => v);
    const even = m.varSet(all.filter((v) => v % 2 === 0));
    let p = BddManager.FALSE; // parity: one path through every level
    for (let v = n - 1; v >= 0; v--) p = m.xor(p, m.var(v));
    const chain = m.varSet(all);
    expect(m.and(p, chain)).toBe(n % 2 === 0 ? BddManager.FALSE : chain);
    expect(satCount(m, m.ite(p, chain, BddManager.FALSE), n)).toBe(n % 2 === 0 ? 0 : 1);
    expect(satCount(m, m.ite(m.not(p), chain, BddManager.FALSE), n)).toBe(n % 2 === 0 ? 1 : 0);
    // 2^(n-1) overflows a double: Infinity, never NaN; small counts stay exact
    expect(satCount(m, p)).toBe(Infinity);
    expect(satCount(m, m.and(m.var(n - 1), chain))).toBe(1);
    expect(satCount(m, m.var(n - 1), 1000 + n)).toBe(Infinity);
    expect(satCount(m, m.and(m.var(1000), m.var(1001)), 1002)).toBe(2 ** 1000);
    const y2x = m.renaming(all.filter((v) => v % 2 === 1).map((v) => [v, v - 1] as [number, number]));
    const odd = m.varSet(all.filter((v) => v % 2 === 1));
    // ∃even. parity ∧ (all odd true) = all odd true; renamed: all even true
    expect(m.relNext(p, odd, even, y2x)).toBe(even);
    expect(m.rename(m.andExists(p, odd, even), y2x)).toBe(even);
    expect(m.nodeCount(m.not(p))).toBe(2 * n - 1);
  });

  it('random build/protect/unprotect/gc sequences under a tight node budget stay consistent', () => {
    let limitHits = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(exprArb(N, 5), fc.nat(3)), { minLength: 5, maxLength: 20 }),
        fc.integer({ min: 20, max: 400 }),
        (steps, limit) => {
          const m = new BddManager({ nodeLimit: limit, initialCapacity: 4, cacheSizeLog2: 4 });
          m.newVars(N);
          const kept: [number, Uint8Array][] = [];
          for (const [e, action] of steps) {
            let f: number;
            try {
              f = build(m, e);
            } catch (err) {
              expect(err).toBeInstanceOf(LimitExceededError);
              limitHits++;
              m.gc(); // a failed op leaves only garbage behind
              continue;
            }
            const tt = exprTT(e, N);
            expect(bddTT(m, f, N)).toEqual(tt);
            if (action === 0) kept.push([m.protect(f), tt]);
            if (action === 1 && kept.length > 0) m.unprotect(kept.shift()![0]);
            if (action === 2) m.gc();
            for (const [g, t] of kept) expect(bddTT(m, g, N)).toEqual(t);
          }
          m.gc();
          expect(m.stats().liveNodes).toBe(m.nodeCount(kept.map((k) => k[0])) + 2);
        },
      ),
      { numRuns: 60 },
    );
    expect(limitHits).toBeGreaterThan(0);
  });

  it('no stale cache hit after gc reuses ids, across cache-generation wrap-around', () => {
    // gc() invalidates the op cache by bumping a generation (zeroing only on wrap, every
    // 4095 gcs). Each round frees everything, then builds a different function with the
    // same operands' ids: any stale entry would return a wrong (or freed) node.
    const m = new BddManager({ initialCapacity: 8, cacheSizeLog2: 4 });
    m.newVars(3);
    for (let round = 0; round < 4200; round++) {
      const a = m.var(round % 3);
      const b = m.nvar((round + 1) % 3);
      const f = round % 2 === 0 ? m.and(a, b) : m.or(a, b);
      const want = (x: number[]) => {
        const va = x[round % 3] === 1;
        const vb = x[(round + 1) % 3] === 0;
        return round % 2 === 0 ? va && vb : va || vb;
      };
      for (let asg = 0; asg < 8; asg++) {
        const x = [asg & 1, (asg >> 1) & 1, (asg >> 2) & 1];
        if (evaluate(m, f, x) !== want(x)) throw new Error(`round ${round}: wrong value at ${x}`);
      }
      m.gc();
    }
    expect(m.stats().gcRuns).toBe(4200);
    expect(m.stats().liveNodes).toBe(2);
  });

  it('protect is counted', () => {
    const m = new BddManager();
    m.newVars(3);
    const f = m.protect(m.protect(m.and(m.var(0), m.var(2))));
    m.unprotect(f);
    m.gc();
    expect(evaluate(m, f, [1, 0, 1])).toBe(true);
    m.unprotect(f);
    m.gc();
    expect(m.stats().liveNodes).toBe(2);
    expect(() => m.unprotect(BddManager.TRUE)).not.toThrow();
    expect(() => m.not(f)).toThrow(RangeError);
  });

  it('node budget: LimitExceededError instead of exhausting the heap, usable after gc', () => {
    const m = new BddManager({ nodeLimit: 200, initialCapacity: 16 });
    m.newVars(24);
    const keep = m.protect(m.var(0));
    // x0x12 + x1x13 + ... has 2^12-ish nodes under this order
    let f = BddManager.FALSE;
    let err: unknown;
    try {
      for (let i = 0; i < 12; i++) f = m.or(f, m.and(m.var(i), m.var(i + 12)));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LimitExceededError);
    expect((err as LimitExceededError).resource).toBe('bdd nodes');
    expect((err as LimitExceededError).limit).toBe(200);
    expect(m.stats().capacity).toBe(200);
    m.gc();
    expect(m.stats().liveNodes).toBe(3);
    expect(evaluate(m, keep, [1])).toBe(true);
    const g = m.and(m.var(5), m.var(6));
    expect(satCount(m, g, 24)).toBe(2 ** 22);
  });

  it('stats report peak nodes, capacity growth, bytes and cache use', () => {
    const m = new BddManager({ initialCapacity: 4 });
    m.newVars(16);
    let f = BddManager.TRUE;
    for (let v = 0; v < 16; v += 2) f = m.and(f, m.xor(m.var(v), m.var(v + 1)));
    const s = m.stats();
    expect(s.capacity).toBeGreaterThanOrEqual(s.peakNodes);
    expect(s.capacity).toBeGreaterThan(4);
    expect(s.peakNodes).toBeGreaterThanOrEqual(m.nodeCount(f) + 2);
    expect(s.bytes).toBeGreaterThan(s.capacity * 12);
    expect(s.cacheLookups).toBeGreaterThan(0);
    m.gc();
    expect(m.stats().peakNodes).toBe(s.peakNodes);
    expect(m.stats().gcRuns).toBe(1);
  });
});

describe('BddManager: op cache generations', () => {
  it('an entry from a generation long gone never answers after the generation counter wraps', () => {
    // White-box: the cache tags entries with a 12-bit generation (4,096 values) and must zero
    // itself when the counter wraps, or an entry written in generation 1 would answer again.
    // A fresh manager writes (and, x0, x1) in its first generation; gc frees that result and
    // its node id is reused by x2 ∨ x3; then K invalidations, for K around one full wrap,
    // and a single lookup of the same key, which must still mean x0 ∧ x1.
    for (let K = 4085; K <= 4100; K++) {
      const m = new BddManager();
      const v = m.newVars(4);
      const [x0, x1, x2, x3] = [0, 1, 2, 3].map((k) => m.protect(m.var(v + k)));
      m.and(x0!, x1!);
      m.gc();
      const other = m.protect(m.or(x2!, x3!));
      expect(evaluate(m, other, [false, false, true, false])).toBe(true);
      for (let k = 0; k < K; k++) m.clearCache();
      const f = m.and(x0!, x1!);
      expect(evaluate(m, f, [true, true, false, false]), `after ${K} invalidations`).toBe(true);
      expect(evaluate(m, f, [false, false, true, true]), `after ${K} invalidations`).toBe(false);
    }
  });
});
