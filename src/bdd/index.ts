/**
 * The BDD package: one manager owning all nodes, canonical ids, fused relational product.
 * manager.ts states the guarantees and the variable-order conventions; debug.ts holds the
 * diagnostics (satCount, support, toDot, ...) as free functions over a manager. The other
 * modules (node table, op cache, gc, operations, renamings) are internal.
 */
export { BddManager, MAX_BDD_VARS } from './manager.js';
export type { BddOptions, BddStats, NodeId, RenamingId, VarSetId } from './manager.js';
export { anySat, evaluate, relNextIsFused, satCount, support, toDot } from './debug.js';
