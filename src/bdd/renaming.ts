/**
 * Variable renamings of one manager, and the test that decides whether `relNext` may fuse
 * quantification and renaming into one pass.
 *
 * A renaming is an integer id (its index here; at most MAX_RENAMINGS per manager) naming a
 * variable map over the variables declared when it was made; later variables map to
 * themselves (the recursions test `v < map.length`). The named pairs are injective.
 *
 * The fused relational product builds result nodes at renamed levels directly, which keeps
 * the BDD ordered only when the map is strictly increasing on the variables that survive
 * quantification. That property is computed once per (set, renaming) and memoised until the
 * next gc (which may free and reuse the set's node id).
 */

import { LimitExceededError } from '../errors.js';
import { checkVar } from './node-table.js';
import { MAX_RENAMINGS } from './op-cache.js';
import type { BddState } from './state.js';

/** The renamings declared in one manager, with the fused-path memo. */
export class RenamingTable {
  /** Variable map per renaming id. */
  private readonly maps: Int32Array[] = [];
  /** (set, renaming) -> is the renaming strictly increasing outside set? */
  private readonly monotoneMemo = new Map<number, boolean>();

  /**
   * Declare the renaming `pairs` over variables [0, nvars) and return its id. Throws
   * RangeError for an undeclared variable, a variable renamed twice or two variables mapped
   * to one, and LimitExceededError('bdd renamings') past MAX_RENAMINGS.
   */
  add(pairs: ReadonlyArray<readonly [from: number, to: number]>, nvars: number): number {
    if (this.maps.length >= MAX_RENAMINGS) {
      throw new LimitExceededError('bdd renamings', MAX_RENAMINGS, this.maps.length + 1);
    }
    const map = new Int32Array(nvars);
    for (let v = 0; v < map.length; v++) map[v] = v;
    const seenFrom = new Set<number>();
    const seenTo = new Set<number>();
    for (const [from, to] of pairs) {
      checkVar(from, nvars, 'renaming');
      checkVar(to, nvars, 'renaming');
      if (seenFrom.has(from)) throw new RangeError(`BddManager.renaming: variable ${from} renamed twice`);
      if (seenTo.has(to)) throw new RangeError(`BddManager.renaming: not injective, two variables map to ${to}`);
      seenFrom.add(from);
      seenTo.add(to);
      map[from] = to;
    }
    this.maps.push(map);
    return this.maps.length - 1;
  }

  /** The variable map of renaming r. Throws RangeError (naming `method`) for an unknown id. */
  get(r: number, method: string): Int32Array {
    if (!Number.isInteger(r) || r < 0 || r >= this.maps.length) {
      throw new RangeError(`BddManager.${method}: unknown renaming ${r}`);
    }
    return this.maps[r];
  }

  /**
   * True iff renaming `rid` (map `map`) is strictly increasing on the variables in
   * [0, nvars) outside the variable set `set` (a positive cube in s), i.e. relNext may take
   * the fused path. Memoised until clearMemo().
   */
  isMonotoneOutside(s: BddState, set: number, rid: number, map: Int32Array, nvars: number): boolean {
    const key = set * MAX_RENAMINGS + rid;
    const memo = this.monotoneMemo.get(key);
    if (memo !== undefined) return memo;
    let prev = -1;
    let n = set;
    let ok = true;
    for (let v = 0; v < nvars; v++) {
      if (s.lvl[n] === v) {
        n = s.hi[n];
        continue; // quantified: disappears, its image does not matter
      }
      const target = v < map.length ? map[v] : v;
      if (target <= prev) {
        ok = false;
        break;
      }
      prev = target;
    }
    this.monotoneMemo.set(key, ok);
    return ok;
  }

  /** Forget the memo (node ids of sets may be reused after a gc). */
  clearMemo(): void {
    this.monotoneMemo.clear();
  }
}
