/**
 * The live explicit engine's shared start loop, rebuilt per input.
 *
 * In a per-unit NFA every unit has its own unanchored loop state. With hundreds of units
 * active (a rule set's contents: "user-agent", "content-type" ... occur in every HTTP
 * packet), keeping each loop in the frontier costs a visit and a scan of its successors
 * per unit per byte, whether or not the byte can start that unit. The shared NFA avoids
 * this with one loop whose successors are indexed by byte class; this is the same index
 * over the units active in the current input: entering a unit appends its first positions
 * to the lists of the classes that can enter them, and each byte adds only the list of its
 * own class. Only units whose loop is a single state without acceptance qualify (no
 * previous-byte split for assertions, not nullable), and whose "before input" entry leads
 * to the same first positions (no `^` branch that only offset 0 can take), so entering the
 * index at offset 0 is the same as entering the entry state; others keep their states in
 * the frontier.
 * In 'set' mode a unit that has reported leaves the index (`remove`) as its states leave
 * the frontier.
 */
import type { Nfa } from '../../nfa/types.js';

/** Per matcher: which units qualify, and their (class, first position) pairs. */
export class UnitLoopTable {
  /** unit → 1 when its loop can live in the index. */
  readonly indexable: Uint8Array;
  /** CSR over units: pairs pairStart[u] .. pairStart[u+1] of (pairClass, pairState). */
  readonly pairStart: Uint32Array;
  readonly pairClass: Uint16Array;
  readonly pairState: Uint32Array;

  constructor(nfa: Nfa) {
    const units = nfa.units!;
    this.indexable = new Uint8Array(units.count);
    const start = [0];
    const cls: number[] = [];
    const st: number[] = [];
    for (let u = 0; u < units.count; u++) {
      const lo = units.loopStart[u];
      const single = units.loopStart[u + 1] - lo === 1;
      const loop = single ? units.loops[lo] : -1;
      const entry = units.stateRange[2 * u];
      if (single && !hasAccept(nfa, loop) && !hasAccept(nfa, entry) && sameFirsts(nfa, entry, loop)) {
        this.indexable[u] = 1;
        for (let j = nfa.followStart[loop]; j < nfa.followStart[loop + 1]; j++) {
          const q = nfa.follow[j];
          if (q === loop) continue;
          for (let c = 0; c < nfa.classCount; c++) {
            if ((nfa.labels[q * nfa.classWords + (c >>> 5)] >>> (c & 31)) & 1) {
              cls.push(c);
              st.push(q);
            }
          }
        }
      }
      start.push(cls.length);
    }
    this.pairStart = Uint32Array.from(start);
    this.pairClass = Uint16Array.from(cls);
    this.pairState = Uint32Array.from(st);
  }
}

/** Per scratch: the index of the units entered in the current input. */
export class LoopIndex {
  /** Per class: first positions a byte of that class enters (lists[c][0 .. lens[c])). */
  readonly lists: Uint32Array[];
  readonly lens: Int32Array;
  /** Units in the index (to clear it, and to merge one index into another). */
  readonly units: number[] = [];
  private readonly member: Uint8Array;

  constructor(
    private readonly table: UnitLoopTable,
    classCount: number,
  ) {
    this.lists = Array.from({ length: classCount }, () => new Uint32Array(4));
    this.lens = new Int32Array(classCount);
    this.member = new Uint8Array(table.indexable.length);
  }

  /** Adds unit `u` (which must be indexable); a unit already present is ignored. */
  add(u: number): void {
    if (this.member[u] === 1) return;
    this.member[u] = 1;
    this.units.push(u);
    const t = this.table;
    for (let j = t.pairStart[u]; j < t.pairStart[u + 1]; j++) {
      const c = t.pairClass[j];
      let list = this.lists[c];
      if (this.lens[c] === list.length) {
        const grown = new Uint32Array(list.length * 2);
        grown.set(list);
        this.lists[c] = list = grown;
      }
      list[this.lens[c]++] = t.pairState[j];
    }
  }

  /**
   * Takes unit `u` out ('set' mode, once it has reported): its first positions, the
   * states in [lo, hi), leave the lists of their classes. Once per unit and input.
   */
  remove(u: number, lo: number, hi: number): void {
    if (this.member[u] === 0) return;
    this.member[u] = 0;
    this.units.splice(this.units.indexOf(u), 1);
    const t = this.table;
    for (let j = t.pairStart[u]; j < t.pairStart[u + 1]; j++) {
      const c = t.pairClass[j];
      const list = this.lists[c];
      let w = 0;
      for (let k = 0; k < this.lens[c]; k++) if (list[k] < lo || list[k] >= hi) list[w++] = list[k];
      this.lens[c] = w;
    }
  }

  /** Empties the index (a new input). */
  clear(): void {
    for (const u of this.units) this.member[u] = 0;
    this.units.length = 0;
    this.lens.fill(0);
  }
}

function hasAccept(nfa: Nfa, q: number): boolean {
  return nfa.acceptStart[q + 1] !== nfa.acceptStart[q] || nfa.endStart[q + 1] !== nfa.endStart[q];
}

/** True when `entry` and `loop` follow the same states besides `loop` (rows are sorted). */
function sameFirsts(nfa: Nfa, entry: number, loop: number): boolean {
  const a: number[] = [];
  const b: number[] = [];
  for (let j = nfa.followStart[entry]; j < nfa.followStart[entry + 1]; j++) if (nfa.follow[j] !== loop) a.push(nfa.follow[j]);
  for (let j = nfa.followStart[loop]; j < nfa.followStart[loop + 1]; j++) if (nfa.follow[j] !== loop) b.push(nfa.follow[j]);
  return a.length === b.length && a.every((q, i) => q === b[i]);
}
