/**
 * A deliberately naive BDD manager (Map-based unique table, per-call memo tables, no GC)
 * that satisfies the engine's `BddPort`. It exists so the symbolic engine can be tested
 * independently of `src/bdd/`: if the engine agrees with the reference simulation on both
 * this manager and the real one, a bug is in the engine, not in the BDD package (and vice
 * versa). Slow; only for small test automata.
 */
import type { BddPort, NodeId } from '../../../src/engines/obdd/bdd-port.js';
import { LimitExceededError } from '../../../src/errors.js';

const TERM = 1 << 30;

export class MiniBdd implements BddPort {
  private vr: number[] = [TERM, TERM];
  private lo: number[] = [0, 1];
  private hi: number[] = [0, 1];
  private unique = new Map<string, number>();
  private maps: Array<Map<number, number>> = [];
  varCount = 0;
  gcRuns = 0;
  constructor(private readonly nodeLimit = 1 << 22) {}

  private mk(v: number, l: number, h: number): number {
    if (l === h) return l;
    const key = `${v},${l},${h}`;
    let id = this.unique.get(key);
    if (id === undefined) {
      id = this.vr.length;
      if (id >= this.nodeLimit) throw new LimitExceededError('bdd nodes', this.nodeLimit, id + 1);
      this.vr.push(v); this.lo.push(l); this.hi.push(h);
      this.unique.set(key, id);
    }
    return id;
  }
  private top(...fs: number[]): number { let t = TERM; for (const f of fs) t = Math.min(t, this.vr[f]); return t; }
  private co(f: number, v: number, b: 0 | 1): number { return this.vr[f] !== v ? f : b ? this.hi[f] : this.lo[f]; }

  newVars(count: number): number { const first = this.varCount; this.varCount += count; return first; }
  var(v: number): NodeId { return this.mk(v, 0, 1); }
  nvar(v: number): NodeId { return this.mk(v, 1, 0); }
  not(f: NodeId): NodeId { return this.ite(f, 0, 1); }
  and(f: NodeId, g: NodeId): NodeId { return this.ite(f, g, 0); }
  or(f: NodeId, g: NodeId): NodeId { return this.ite(f, 1, g); }
  ite(f: NodeId, g: NodeId, h: NodeId): NodeId {
    const memo = new Map<string, number>();
    const rec = (f: number, g: number, h: number): number => {
      if (f === 1) return g; if (f === 0) return h; if (g === h) return g;
      if (g === 1 && h === 0) return f;
      const key = `${f},${g},${h}`; const m = memo.get(key); if (m !== undefined) return m;
      const v = this.top(f, g, h);
      const r = this.mk(v, rec(this.co(f, v, 0), this.co(g, v, 0), this.co(h, v, 0)),
        rec(this.co(f, v, 1), this.co(g, v, 1), this.co(h, v, 1)));
      memo.set(key, r); return r;
    };
    return rec(f, g, h);
  }
  cube(vars: readonly number[], values: number | readonly boolean[]): NodeId {
    let r = 1;
    for (let k = 0; k < vars.length; k++) {
      const bit = typeof values === 'number' ? (values >>> k) & 1 : values[k] ? 1 : 0;
      r = this.and(r, bit ? this.var(vars[k]) : this.nvar(vars[k]));
    }
    return r;
  }
  varSet(vars: readonly number[]): NodeId { return this.cube(vars, vars.map(() => true)); }
  private setVars(set: number): Set<number> { const s = new Set<number>(); while (set > 1) { s.add(this.vr[set]); set = this.hi[set]; } return s; }
  exists(f: NodeId, set: NodeId): NodeId { return this.andExists(f, 1, set); }
  andExists(f: NodeId, g: NodeId, set: NodeId): NodeId {
    const vs = this.setVars(set); const memo = new Map<string, number>();
    const rec = (f: number, g: number): number => {
      if (f === 0 || g === 0) return 0; if (f === 1 && g === 1) return 1;
      const key = `${f},${g}`; const m = memo.get(key); if (m !== undefined) return m;
      const v = this.top(f, g);
      const a = rec(this.co(f, v, 0), this.co(g, v, 0)); const b = rec(this.co(f, v, 1), this.co(g, v, 1));
      const r = vs.has(v) ? this.or(a, b) : this.mk(v, a, b);
      memo.set(key, r); return r;
    };
    return rec(f, g);
  }
  renaming(pairs: ReadonlyArray<readonly [number, number]>): number { this.maps.push(new Map(pairs.map(([a, b]) => [a, b]))); return this.maps.length - 1; }
  rename(f: NodeId, r: number): NodeId {
    const map = this.maps[r]; const memo = new Map<number, number>();
    const rec = (f: number): number => {
      if (f < 2) return f; const m = memo.get(f); if (m !== undefined) return m;
      const v = this.vr[f]; const to = map.get(v) ?? v;
      const res = this.ite(this.var(to), rec(this.hi[f]), rec(this.lo[f]));
      memo.set(f, res); return res;
    };
    return rec(f);
  }
  relNext(f: NodeId, rel: NodeId, set: NodeId, r: number): NodeId { return this.rename(this.andExists(f, rel, set), r); }
  restrict(f: NodeId, cube: NodeId): NodeId {
    const lits = new Map<number, 0 | 1>(); let c = cube;
    while (c > 1) { if (this.lo[c] === 0) { lits.set(this.vr[c], 1); c = this.hi[c]; } else { lits.set(this.vr[c], 0); c = this.lo[c]; } }
    const memo = new Map<number, number>();
    const rec = (f: number): number => {
      if (f < 2) return f; const m = memo.get(f); if (m !== undefined) return m;
      const b = lits.get(this.vr[f]);
      const res = b === undefined ? this.mk(this.vr[f], rec(this.lo[f]), rec(this.hi[f])) : rec(b ? this.hi[f] : this.lo[f]);
      memo.set(f, res); return res;
    };
    return rec(f);
  }
  forEachCube(f: NodeId, cb: (cube: Int8Array) => void): void {
    const cur = new Int8Array(this.varCount).fill(-1);
    const rec = (f: number): void => {
      if (f === 0) return; if (f === 1) { cb(cur.slice()); return; }
      const v = this.vr[f]; cur[v] = 0; rec(this.lo[f]); cur[v] = 1; rec(this.hi[f]); cur[v] = -1;
    };
    rec(f);
  }
  nodeCount(f: NodeId | readonly NodeId[]): number {
    const seen = new Set<number>(); const st = typeof f === 'number' ? [f] : [...f];
    while (st.length) { const n = st.pop()!; if (n < 2 || seen.has(n)) continue; seen.add(n); st.push(this.lo[n], this.hi[n]); }
    return seen.size;
  }
  protect(f: NodeId): NodeId { return f; }
  unprotect(_f: NodeId): void {}
  gc(): void { this.gcRuns++; }
  stats() {
    const n = this.vr.length;
    return { vars: this.varCount, liveNodes: n, peakNodes: n, capacity: n, bytes: n * 16, gcRuns: this.gcRuns, cacheLookups: 0, cacheHits: 0 };
  }
}
