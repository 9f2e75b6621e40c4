/**
 * References, reachability and garbage collection over a manager's state (state.ts).
 *
 * Roots are reference counted (`protectNode` / `unprotectNode` count per node in `refs`).
 * `collectGarbage` marks every node reachable from a node with a positive count, puts
 * every other slot on the free list (lowest ids first, for locality) and rebuilds the
 * unique table. It never runs implicitly: an unprotected result held by a caller stays valid
 * until that caller's next collection. The caller (the manager) also drops its op cache and
 * memos, whose entries may name freed nodes.
 *
 * `markFrom` is the one reachability traversal, also used by node counting and support:
 * iterative (no recursion depth limit), it appends each newly reached internal node to the
 * table's `stack` worklist and leaves it there, so after a traversal `stack[0, tail)` lists
 * exactly the nodes reached.
 */

import { insertUnique, nextEpoch, prepareScratch } from './node-table.js';
import { FREE_LEVEL, type BddState } from './state.js';

/** Add one protection to f (terminals are always kept); returns f. f must be a valid node. */
export function protectNode(s: BddState, f: number): number {
  if (f > 1) s.refs[f]++;
  return f;
}

/** Remove one protection from f. Throws RangeError if f (internal) is not protected. */
export function unprotectNode(s: BddState, f: number): void {
  if (f < 2) return;
  if (s.refs[f] <= 0) throw new RangeError(`BddManager.unprotect: node ${f} is not protected`);
  s.refs[f]--;
}

/**
 * Mark the internal nodes reachable from `root` that do not carry mark `ep` yet, appending
 * them to `s.stack` from index `tail`; returns the new tail. Requires prepareScratch(s)
 * and an epoch from nextEpoch(s) shared by the traversals whose results are combined.
 */
export function markFrom(s: BddState, root: number, ep: number, tail: number): number {
  const visit = s.visit;
  if (root < 2 || visit[root] === ep) return tail;
  const stack = s.stack;
  const lo = s.lo;
  const hi = s.hi;
  let head = tail;
  stack[tail++] = root;
  visit[root] = ep;
  while (head < tail) {
    const n = stack[head++];
    const l = lo[n];
    const h = hi[n];
    if (l > 1 && visit[l] !== ep) {
      visit[l] = ep;
      stack[tail++] = l;
    }
    if (h > 1 && visit[h] !== ep) {
      visit[h] = ep;
      stack[tail++] = h;
    }
  }
  return tail;
}

/**
 * Keep the nodes reachable from protected roots, free the rest and rebuild the unique table.
 * Node ids of kept nodes do not change.
 */
export function collectGarbage(s: BddState): void {
  prepareScratch(s);
  const ep = nextEpoch(s);
  const refs = s.refs;
  const lvl = s.lvl;
  const top = s.top;
  let tail = 0;
  for (let r = 2; r < top; r++) {
    if (refs[r] !== 0 && lvl[r] !== FREE_LEVEL) tail = markFrom(s, r, ep, tail);
  }
  sweep(s, ep);
}

/** Free every slot in [2, top) not marked `ep` and re-insert the marked ones in the unique table. */
function sweep(s: BddState, ep: number): void {
  const visit = s.visit;
  const lvl = s.lvl;
  const lo = s.lo;
  const hi = s.hi;
  const ut = s.utable;
  ut.fill(0);
  const mask = s.umask;
  let free = 0;
  let live = 2;
  // Downwards, so the free list hands out low ids first.
  for (let n = s.top - 1; n >= 2; n--) {
    if (lvl[n] === FREE_LEVEL) {
      lo[n] = free;
      free = n;
    } else if (visit[n] !== ep) {
      lvl[n] = FREE_LEVEL;
      hi[n] = 0;
      lo[n] = free;
      free = n;
    } else {
      live++;
      insertUnique(ut, mask, lvl, lo, hi, n);
    }
  }
  s.freeHead = free;
  s.live = live;
}
