/**
 * Benchmarks for the BDD package: node-table growth on structured functions (n-queens,
 * adder, multiplier), then tinybench ops/s for and/or on random functions and for the
 * engine's hot operation, relNext, on an NFA-shaped transition relation (vs the two-step
 * andExists + rename it fuses). Run: npx tsx bench/bdd.bench.ts [--quick]
 *
 * All random inputs come from a fixed-seed generator, so figures are comparable run to run.
 * Op-cache entries are cleared before each timed op-level iteration (outside the timing)
 * so that a repeated call measures the recursion, not a single cache hit; the unique table
 * keeps its nodes, as it would in the engine between packets.
 */
import { availableParallelism, loadavg } from 'node:os';
import { Bench } from 'tinybench';
import { BddManager, satCount, type NodeId } from '../src/bdd/index.js';
import { rng } from './lib/rng.js';

const quick = process.argv.includes('--quick');


function timeIt<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const r = fn();
  return [r, performance.now() - t0];
}

// ---------------------------------------------------------------------------------------
// Structured functions

function queens(m: BddManager, n: number): NodeId {
  const first = m.newVars(n * n);
  const q = (r: number, c: number) => m.var(first + r * n + c);
  let f = BddManager.TRUE;
  for (let r = 0; r < n; r++) {
    let row = BddManager.FALSE;
    for (let c = 0; c < n; c++) row = m.or(row, q(r, c));
    f = m.and(f, row);
  }
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      // a queen at (r, c) excludes every other square it attacks
      let ok = BddManager.TRUE;
      for (let r2 = 0; r2 < n; r2++) {
        for (let c2 = 0; c2 < n; c2++) {
          if (r2 === r && c2 === c) continue;
          if (r2 === r || c2 === c || Math.abs(r2 - r) === Math.abs(c2 - c)) {
            ok = m.and(ok, m.not(q(r2, c2)));
          }
        }
      }
      f = m.and(f, m.or(m.not(q(r, c)), ok));
    }
  }
  return f;
}

/** The relation s = a + b (mod 2^n) with a_i, b_i, s_i interleaved: linear size. */
function adder(m: BddManager, n: number): NodeId {
  const first = m.newVars(3 * n);
  const a = (i: number) => m.var(first + 3 * i);
  const b = (i: number) => m.var(first + 3 * i + 1);
  const s = (i: number) => m.var(first + 3 * i + 2);
  let carry = BddManager.FALSE;
  let f = BddManager.TRUE;
  for (let i = 0; i < n; i++) {
    const sum = m.xor(m.xor(a(i), b(i)), carry);
    f = m.and(f, m.not(m.xor(s(i), sum)));
    carry = m.or(m.and(a(i), b(i)), m.and(carry, m.xor(a(i), b(i))));
  }
  return f;
}

/** All 2n output bits of an n x n multiplier (a, b interleaved); middle bits are exponential. */
function multiplier(m: BddManager, n: number): NodeId[] {
  const first = m.newVars(2 * n);
  const a = (i: number) => m.var(first + 2 * i);
  const b = (i: number) => m.var(first + 2 * i + 1);
  let acc: NodeId[] = new Array(2 * n).fill(BddManager.FALSE);
  for (let j = 0; j < n; j++) {
    let carry = BddManager.FALSE;
    const next = acc.slice();
    for (let i = 0; i < 2 * n; i++) {
      const pp = i - j >= 0 && i - j < n ? m.and(a(i - j), b(j)) : BddManager.FALSE;
      const x = m.xor(acc[i], pp);
      next[i] = m.xor(x, carry);
      carry = m.or(m.and(acc[i], pp), m.and(carry, x));
    }
    acc = next;
  }
  return acc;
}

function growth(): void {
  console.log('## Node-table growth (one build each, fresh manager starting at 1024 slots)');
  const rows: Record<string, string | number>[] = [];
  const cases: [string, (m: BddManager) => NodeId | NodeId[]][] = [
    ['8-queens', (m) => queens(m, 8)],
    ['64-bit adder relation', (m) => adder(m, 64)],
    [`${quick ? 8 : 10}x${quick ? 8 : 10} multiplier (all bits)`, (m) => multiplier(m, quick ? 8 : 10)],
  ];
  for (const [name, build] of cases) {
    const m = new BddManager({ initialCapacity: 1024 });
    const [f, ms] = timeIt(() => build(m));
    const s = m.stats();
    rows.push({
      function: name,
      'result nodes': m.nodeCount(f),
      'peak nodes': s.peakNodes,
      capacity: s.capacity,
      'MB': +(s.bytes / 2 ** 20).toFixed(1),
      'build ms': +ms.toFixed(1),
      'nodes/s': Math.round(s.peakNodes / (ms / 1000)),
      'cache hit %': +((100 * s.cacheHits) / Math.max(1, s.cacheLookups)).toFixed(1),
    });
    if (name === '8-queens' && satCount(m, f as NodeId) !== 92) throw new Error('8-queens: wrong count');
  }
  console.table(rows);
}

// ---------------------------------------------------------------------------------------
// Op-level benchmarks

/** Random DNF over `nvars`: `terms` cubes of `width` literals. */
function randomDnf(m: BddManager, rand: () => number, nvars: number, terms: number, width: number): NodeId {
  let f = BddManager.FALSE;
  for (let t = 0; t < terms; t++) {
    const vars = new Set<number>();
    while (vars.size < width) vars.add(Math.floor(rand() * nvars));
    f = m.or(f, m.cube([...vars], Math.floor(rand() * 2 ** width)));
  }
  return f;
}

interface NfaShape {
  m: BddManager;
  /** T restricted to one input byte, per byte in `bytes`. */
  tb: NodeId[];
  frontiers: NodeId[];
  xset: NodeId;
  xiset: NodeId;
  t: NodeId;
  r: number;
  k: number;
}

/**
 * An NFA-like relation T(i, x, y): inputs i0..i7 on top, then x0 y0 x1 y1 ... (k state bits),
 * `edges` random transitions s --[byte range]--> t. Frontiers are random sets of states.
 */
function nfaShape(k: number, edges: number, rand: () => number): NfaShape {
  const m = new BddManager();
  const i0 = m.newVars(8);
  const x0 = m.newVars(2 * k);
  const ivars = Array.from({ length: 8 }, (_, b) => i0 + b);
  const xvars = Array.from({ length: k }, (_, j) => x0 + 2 * j);
  const yvars = Array.from({ length: k }, (_, j) => x0 + 2 * j + 1);
  const byteCube = (b: number) => m.cube(ivars, b);
  const range = (lo: number, hi: number) => {
    let f = BddManager.FALSE;
    for (let b = lo; b <= hi; b++) f = m.or(f, byteCube(b));
    return f;
  };
  const nstates = 2 ** k;
  let t = BddManager.FALSE;
  for (let e = 0; e < edges; e++) {
    const s = Math.floor(rand() * nstates);
    // mostly "next state" edges as a Glushkov automaton has, some random jumps
    const d = rand() < 0.8 ? (s + 1) % nstates : Math.floor(rand() * nstates);
    const lo = Math.floor(rand() * 256);
    const hi = rand() < 0.7 ? lo : Math.min(255, lo + Math.floor(rand() * 64));
    const edge = m.and(m.and(m.cube(xvars, s), m.cube(yvars, d)), range(lo, hi));
    t = m.or(t, edge);
  }
  m.protect(t);
  const tb: NodeId[] = [];
  for (const b of [0x41, 0x2f, 0x20, 0x00, 0xff, 0x65, 0x3d, 0x0a]) tb.push(m.protect(m.restrict(t, byteCube(b))));
  const frontiers: NodeId[] = [];
  for (let n = 0; n < 64; n++) {
    let f = BddManager.FALSE;
    const size = 1 + Math.floor(rand() * 16);
    for (let q = 0; q < size; q++) f = m.or(f, m.cube(xvars, Math.floor(rand() * nstates)));
    frontiers.push(m.protect(f));
  }
  const xset = m.protect(m.varSet(xvars));
  const xiset = m.protect(m.varSet([...ivars, ...xvars]));
  const r = m.renaming(yvars.map((y, j) => [y, xvars[j]] as [number, number]));
  m.gc();
  return { m, tb, frontiers, xset, xiset, t, r, k };
}

async function ops(): Promise<void> {
  const rand = rng(42);
  const time = quick ? 200 : 1000;
  const bench = new Bench({ name: 'BDD ops (op cache cleared before every iteration)', time });

  const m = new BddManager();
  m.newVars(24);
  const pool: NodeId[] = [];
  for (let k = 0; k < 32; k++) pool.push(m.protect(randomDnf(m, rand, 24, 12, 6)));
  let pi = 0;
  const pick = () => {
    pi = (pi + 1) & 31;
    return pool[pi];
  };
  const clear = { beforeEach: () => m.clearCache() };
  bench.add('and (random 24-var DNFs)', () => void m.and(pick(), pool[(pi * 7 + 3) & 31]), clear);
  bench.add('or (random 24-var DNFs)', () => void m.or(pick(), pool[(pi * 7 + 3) & 31]), clear);
  bench.add('xor (random 24-var DNFs)', () => void m.xor(pick(), pool[(pi * 7 + 3) & 31]), clear);
  const eset = m.protect(m.varSet([0, 3, 5, 8, 11, 13, 17, 20]));
  bench.add('andExists (random, 8 of 24 vars)', () => void m.andExists(pick(), pool[(pi * 5 + 1) & 31], eset), clear);
  bench.add('8-queens build (fresh manager)', () => void queens(new BddManager(), 8));

  const nfa = nfaShape(quick ? 10 : 12, quick ? 800 : 3000, rand);
  const nm = nfa.m;
  let fi = 0;
  const clearN = { beforeEach: () => nm.clearCache() };
  const nextF = () => {
    fi = (fi + 1) & 63;
    return nfa.frontiers[fi];
  };
  bench.add(`relNext fused (T_byte, k=${nfa.k} state bits)`, () => {
    const f = nextF();
    void nm.relNext(f, nfa.tb[fi & 7], nfa.xset, nfa.r);
  }, clearN);
  bench.add(`andExists + rename (T_byte, k=${nfa.k})`, () => {
    const f = nextF();
    void nm.rename(nm.andExists(f, nfa.tb[fi & 7], nfa.xset), nfa.r);
  }, clearN);
  bench.add(`relNext fused (full T(i,x,y), ∃i,x)`, () => {
    const f = nextF();
    void nm.relNext(f, nfa.t, nfa.xiset, nfa.r);
  }, clearN);
  bench.add(`relNext warm cache (T_byte, k=${nfa.k})`, () => {
    const f = nextF();
    void nm.relNext(f, nfa.tb[fi & 7], nfa.xset, nfa.r);
  }, { beforeEach: () => (nm.stats().liveNodes > 1 << 20 ? nm.gc() : undefined) });

  await bench.run();
  console.log(`## ${bench.name}`);
  console.table(
    bench.tasks.map((t) => {
      const r = t.result;
      if (!('period' in r)) return { task: t.name, 'ops/s': r.state, 'mean µs': '' };
      // ops/s from the mean period (total time / runs), not the mean of per-sample rates
      return { task: t.name, 'ops/s': Math.round(1000 / r.period), 'mean µs': +(r.period * 1000).toFixed(2) };
    }),
  );
  const s = nm.stats();
  console.log(
    `NFA relation: ${nm.nodeCount(nfa.t)} nodes in T, ${nm.nodeCount(nfa.tb)} in the 8 T_byte; ` +
      `manager ${s.liveNodes} live, ${(s.bytes / 2 ** 20).toFixed(1)} MB`,
  );
}

// Wall-clock figures scale with machine load: say so next to them, as Hyperscan's bench
// warns when runs disagree.
const load = loadavg()[0];
const cores = availableParallelism();
console.log(`node ${process.version}, ${cores} cores, load average ${load.toFixed(2)}${quick ? ', --quick' : ''}`);
if (load > cores * 0.75) console.log(`WARNING: load ${load.toFixed(1)} on ${cores} cores: figures below are pessimistic`);
growth();
await ops();
