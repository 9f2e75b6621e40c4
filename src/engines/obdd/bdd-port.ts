/**
 * The part of the BDD manager (`src/bdd/`) that the symbolic engine uses, as a structural
 * type. The engine's internals are written against this port rather than the concrete
 * class so that they type-check and can be unit-tested on their own; `src/engines/obdd/index.ts`
 * plugs in the real `BddManager`, which satisfies it by construction (same signatures as
 * the fixed BDD contract). Node ids never leave `src/engines/obdd/`.
 */

/** A BDD node handle (an index into the manager's node table). */
export type NodeId = number;

/** The BDD operations the engine calls: a structural subset of `BddManager`'s API. */
export interface BddPort {
  newVars(count: number): number;
  readonly varCount: number;
  var(v: number): NodeId;
  not(f: NodeId): NodeId;
  and(f: NodeId, g: NodeId): NodeId;
  or(f: NodeId, g: NodeId): NodeId;
  ite(f: NodeId, g: NodeId, h: NodeId): NodeId;
  cube(vars: readonly number[], values: number | readonly boolean[]): NodeId;
  varSet(vars: readonly number[]): NodeId;
  exists(f: NodeId, set: NodeId): NodeId;
  andExists(f: NodeId, g: NodeId, set: NodeId): NodeId;
  renaming(pairs: ReadonlyArray<readonly [from: number, to: number]>): number;
  rename(f: NodeId, r: number): NodeId;
  relNext(f: NodeId, rel: NodeId, set: NodeId, r: number): NodeId;
  restrict(f: NodeId, cube: NodeId): NodeId;
  forEachCube(f: NodeId, cb: (cube: Int8Array) => void): void;
  nodeCount(f: NodeId | readonly NodeId[]): number;
  protect(f: NodeId): NodeId;
  unprotect(f: NodeId): void;
  gc(): void;
  /** Drop the op cache (results unchanged; benchmarks only). Optional in the port. */
  clearCache?(): void;
  stats(): { liveNodes: number; peakNodes: number; capacity: number; bytes: number; gcRuns: number; cacheLookups: number; cacheHits: number; vars: number };
}
