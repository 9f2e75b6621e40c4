/**
 * Engine comparison: differential check and benchmark of engines on one signature set and
 * corpus (`compareEngines`), the corpora and sets it runs on, and its text/JSON renderings.
 */
export {
  compareEngines, programBytesOf,
  type CompareOptions, type CompareResult, type Disagreement, type EngineReport, type EngineRatios, type EngineSpec,
} from './compare.js';
export {
  corpusFromBuffers, parseSignatureLines, payloadsFromCaptures, pcreSetFromRules, readSignatureFile, transportPayload,
  type Corpus, type RulePcreOptions, type SignatureSet,
} from './corpus.js';
export { formatBytes, formatMBps, formatText, toJson } from './format.js';
