/**
 * Debugging and diagnostic aids for BDDs, kept out of the manager's core: model counting,
 * one satisfying assignment, support, evaluation on an assignment, Graphviz output, and
 * whether relNext takes its fused path. Used by tests, benchmarks and diagnostics; the
 * engine does not need them.
 *
 * They are free functions taking the manager. They read its state and never create or
 * free nodes, so they leave every node id and the op cache as they were (they do use the
 * table's traversal scratch). Invalid arguments throw RangeError naming the function as a
 * manager method (`BddManager.satCount: ...`), as the manager's own methods do.
 */

import { markFrom } from './gc.js';
import type { BddManager, NodeId, RenamingId, VarSetId } from './manager.js';
import { checkNode, checkVarSet, nextEpoch, prepareScratch } from './node-table.js';
import type { BddState } from './state.js';

/**
 * Number of satisfying assignments of f over the variables [0, nvars), as a double
 * (Infinity past the double range, never NaN). Throws RangeError for a bad nvars or when f
 * depends on a variable >= nvars.
 */
export function satCount(m: BddManager, f: NodeId, nvars: number = m.varCount): number {
  const s = m.state;
  checkNode(s, f, 'satCount');
  if (!Number.isInteger(nvars) || nvars < 0) throw new RangeError(`BddManager.satCount: bad nvars ${nvars}`);
  const sup = support(m, f);
  if (sup.length > 0 && sup[sup.length - 1] >= nvars) {
    throw new RangeError(`BddManager.satCount: f depends on variable ${sup[sup.length - 1]} >= nvars ${nvars}`);
  }
  prepareScratch(s);
  const ep = nextEpoch(s);
  if (f === 0) return 0;
  return countRec(s, f, ep, nvars) * 2 ** (f === 1 ? nvars : s.lvl[f]);
}

/**
 * Assignments to the variables [level(f), nvars) satisfying f, memoised in s.dens under mark
 * ep. Scaled per edge by the skipped levels (not a density in [0, 1], which underflows past
 * ~1074 levels); zero counts are never multiplied, so a result of 2^k beyond the double
 * range is Infinity, never NaN.
 */
function countRec(s: BddState, f: number, ep: number, nvars: number): number {
  if (f < 2) return f;
  if (s.visit[f] === ep) return s.dens[f];
  const v = s.lvl[f];
  const l = s.lo[f];
  const h = s.hi[f];
  const cl = countRec(s, l, ep, nvars);
  const ch = countRec(s, h, ep, nvars);
  let c = 0;
  if (cl !== 0) c += cl * 2 ** ((l < 2 ? nvars : s.lvl[l]) - v - 1);
  if (ch !== 0) c += ch * 2 ** ((h < 2 ? nvars : s.lvl[h]) - v - 1);
  s.visit[f] = ep;
  s.dens[f] = c;
  return c;
}

/** One satisfying assignment of f (per variable 0/1, -1 = don't care), or null for FALSE. */
export function anySat(m: BddManager, f: NodeId): Int8Array | null {
  const s = m.state;
  checkNode(s, f, 'anySat');
  if (f === 0) return null;
  const out = new Int8Array(m.varCount).fill(-1);
  while (f > 1) {
    const l = s.lo[f];
    if (l !== 0) {
      out[s.lvl[f]] = 0;
      f = l;
    } else {
      out[s.lvl[f]] = 1;
      f = s.hi[f];
    }
  }
  return out;
}

/** Sorted indices of the variables f depends on. */
export function support(m: BddManager, f: NodeId): number[] {
  const s = m.state;
  checkNode(s, f, 'support');
  prepareScratch(s);
  const ep = nextEpoch(s);
  const tail = markFrom(s, f, ep, 0);
  const seen = new Uint8Array(m.varCount);
  for (let k = 0; k < tail; k++) seen[s.lvl[s.stack[k]]] = 1;
  const out: number[] = [];
  for (let v = 0; v < seen.length; v++) if (seen[v]) out.push(v);
  return out;
}

/** Evaluate f on a full assignment (assignment[v] truthy = variable v true). */
export function evaluate(m: BddManager, f: NodeId, assignment: ArrayLike<number | boolean>): boolean {
  const s = m.state;
  checkNode(s, f, 'evaluate');
  while (f > 1) f = assignment[s.lvl[f]] ? s.hi[f] : s.lo[f];
  return f === 1;
}

/**
 * Graphviz text of the BDD(s) rooted at f; dashed edges are low (0) branches, `varName`
 * labels the variables (default x0, x1, ...).
 */
export function toDot(m: BddManager, f: NodeId | readonly NodeId[], varName: (v: number) => string = (v) => `x${v}`): string {
  const s = m.state;
  const roots = typeof f === 'number' ? [f] : [...f];
  for (const r of roots) checkNode(s, r, 'toDot');
  const lines = ['digraph bdd {', '  n0 [shape=box,label="0"];', '  n1 [shape=box,label="1"];'];
  const seen = new Set<number>();
  const todo = roots.filter((r) => r > 1);
  roots.forEach((r, i) => lines.push(`  r${i} [shape=plaintext,label="f${i}"];`, `  r${i} -> n${r};`));
  while (todo.length > 0) {
    const n = todo.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    const l = s.lo[n];
    const h = s.hi[n];
    lines.push(
      `  n${n} [label=${JSON.stringify(varName(s.lvl[n]))}];`,
      `  n${n} -> n${l} [style=dashed];`,
      `  n${n} -> n${h};`,
    );
    if (l > 1) todo.push(l);
    if (h > 1) todo.push(h);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/**
 * True iff m.relNext(_, _, set, r) takes the fused one-pass path (r strictly increasing on
 * the variables outside set). Throws RangeError for a non-set or an unknown renaming.
 */
export function relNextIsFused(m: BddManager, set: VarSetId, r: RenamingId): boolean {
  const s = m.state;
  checkVarSet(s, set, 'relNextIsFused');
  const map = m.renamings.get(r, 'relNextIsFused');
  return m.renamings.isMonotoneOutside(s, set, r, map, m.varCount);
}
