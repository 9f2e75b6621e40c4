/**
 * The BDD package: one manager owning all nodes, canonical ids, fused relational product.
 * See manager.ts for the guarantees and the variable-order conventions.
 */
export { BddManager, MAX_BDD_VARS } from './manager.js';
export type { BddOptions, BddStats, NodeId, RenamingId, VarSetId } from './manager.js';
