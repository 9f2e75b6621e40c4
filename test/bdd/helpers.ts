/**
 * Reference semantics for the BDD property tests: random Boolean expressions over a few
 * variables, their truth tables (index a: bit v of a is variable v), and the BDD built from
 * them. Truth tables are the oracle every operation is compared with.
 */
import fc from 'fast-check';
import { BddManager, evaluate, type NodeId } from '../../src/bdd/index.js';

export type Expr =
  | { k: 'const'; v: boolean }
  | { k: 'var'; v: number }
  | { k: 'not'; a: Expr }
  | { k: 'and' | 'or' | 'xor'; a: Expr; b: Expr }
  | { k: 'ite'; a: Expr; b: Expr; c: Expr };

export function exprArb(nvars: number, depth = 5): fc.Arbitrary<Expr> {
  const { e } = fc.letrec<{ e: Expr }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', maxDepth: depth, withCrossShrink: true },
      fc.integer({ min: 0, max: nvars - 1 }).map((v): Expr => ({ k: 'var', v })),
      fc.integer({ min: 0, max: nvars - 1 }).map((v): Expr => ({ k: 'var', v })),
      fc.boolean().map((v): Expr => ({ k: 'const', v })),
      tie('e').map((a): Expr => ({ k: 'not', a })),
      fc
        .tuple(fc.constantFrom('and' as const, 'or' as const, 'xor' as const), tie('e'), tie('e'))
        .map(([k, a, b]): Expr => ({ k, a, b })),
      fc.tuple(tie('e'), tie('e'), tie('e')).map(([a, b, c]): Expr => ({ k: 'ite', a, b, c })),
    ),
  }));
  return e;
}

export function evalExpr(e: Expr, a: number): boolean {
  switch (e.k) {
    case 'const':
      return e.v;
    case 'var':
      return ((a >>> e.v) & 1) === 1;
    case 'not':
      return !evalExpr(e.a, a);
    case 'and':
      return evalExpr(e.a, a) && evalExpr(e.b, a);
    case 'or':
      return evalExpr(e.a, a) || evalExpr(e.b, a);
    case 'xor':
      return evalExpr(e.a, a) !== evalExpr(e.b, a);
    case 'ite':
      return evalExpr(e.a, a) ? evalExpr(e.b, a) : evalExpr(e.c, a);
  }
}

export function exprTT(e: Expr, n: number): Uint8Array {
  const t = new Uint8Array(1 << n);
  for (let a = 0; a < t.length; a++) t[a] = evalExpr(e, a) ? 1 : 0;
  return t;
}

export function build(m: BddManager, e: Expr): NodeId {
  switch (e.k) {
    case 'const':
      return e.v ? BddManager.TRUE : BddManager.FALSE;
    case 'var':
      return m.var(e.v);
    case 'not':
      return m.not(build(m, e.a));
    case 'and':
      return m.and(build(m, e.a), build(m, e.b));
    case 'or':
      return m.or(build(m, e.a), build(m, e.b));
    case 'xor':
      return m.xor(build(m, e.a), build(m, e.b));
    case 'ite':
      return m.ite(build(m, e.a), build(m, e.b), build(m, e.c));
  }
}

/** Truth table of BDD f over variables [0, n). */
export function bddTT(m: BddManager, f: NodeId, n: number): Uint8Array {
  const t = new Uint8Array(1 << n);
  const asg = new Uint8Array(m.varCount);
  for (let a = 0; a < t.length; a++) {
    for (let v = 0; v < n; v++) asg[v] = (a >>> v) & 1;
    t[a] = evaluate(m, f, asg) ? 1 : 0;
  }
  return t;
}

/** The BDD of a truth table built as a sum of minterms (a route independent of Expr). */
export function fromTT(m: BddManager, t: Uint8Array, n: number): NodeId {
  const vars = Array.from({ length: n }, (_, v) => v);
  let f = BddManager.FALSE;
  for (let a = 0; a < t.length; a++) if (t[a]) f = m.or(f, m.cube(vars, a));
  return f;
}

export function ttEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** ∃ vars in `mask`: OR over both values of every quantified variable. */
export function ttExists(t: Uint8Array, mask: number): Uint8Array {
  const out = new Uint8Array(t.length);
  for (let a = 0; a < t.length; a++) {
    if (!t[a]) continue;
    const base = a & ~mask;
    // every assignment agreeing with a outside mask gets 1
    for (let s = mask; ; s = (s - 1) & mask) {
      out[base | s] = 1;
      if (s === 0) break;
    }
  }
  return out;
}

export function maskVars(mask: number): number[] {
  const out: number[] = [];
  for (let v = 0; mask >>> v; v++) if ((mask >>> v) & 1) out.push(v);
  return out;
}
