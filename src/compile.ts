/**
 * The public front door: signatures (Snort pcre text, bare patterns, or content strings)
 * → one NFA for the whole set → the matcher of the chosen engine.
 *
 * Guarantees: a bad signature never stops compilation. Each one that cannot be parsed,
 * is unsupported, or exceeds a budget is listed in `rejected` with a typed error, keeps
 * its id (ids are indices into the input list) and simply never matches. Only bad usage
 * (an unknown or unavailable engine, bad options) throws a UsageError.
 */
import { performance } from 'node:perf_hooks';
import { UnsupportedFeatureError, UsageError } from './errors.js';
import { buildNfa, DEFAULT_MAX_STATES, type NfaSignatureInput } from './nfa/build.js';
import type { Nfa } from './nfa/types.js';
import { DEFAULT_MAX_REPEAT_EXPANSION, literalIr, parseSignature } from './syntax/index.js';
import type { Ir } from './syntax/ir.js';
import { searchForm } from './syntax/search-form.js';
import { buildNfaMatcher, type NfaMatcherOptions } from './engines/explicit/matcher.js';
import { buildDfaMatcher } from './engines/dfa/matcher.js';
import { buildMdfaMatcher } from './engines/dfa/mdfa.js';
import { buildRegexpMatcher } from './engines/regexp/matcher.js';
import { buildObddMatcher } from './engines/obdd/index.js';
import { buildGroupedObddMatcher, wantsGrouping, type GroupedObddOptions } from './engines/obdd/grouped.js';
import type { EngineName, Matcher, RejectedSignature } from './matcher/types.js';

/** A signature given as an object: a pcre option value, or a literal content string. */
export type SignatureSpec =
  | { readonly pcre: string }
  /** Literal bytes; a string is encoded as UTF-8. `nocase` folds ASCII letters only. */
  | { readonly content: Uint8Array | string; readonly nocase?: boolean };

export interface CompileOptions {
  /** @default 'obdd' (the NFA-OBDD engine, stride 1, memo on) */
  engine?: EngineName;
  /** Passed through to the engine's builder (e.g. BDD or DFA budgets). */
  engineOptions?: Record<string, unknown>;
  /** Total NFA states for the whole set; signatures past it are rejected. @default 2_000_000 */
  maxStates?: number;
  /** Byte positions one signature may expand to through counted repeats. @default 50_000 */
  maxRepeatExpansion?: number;
  /**
   * Compile each pcre in its search form (src/syntax/search-form.ts): leading loops that
   * only re-describe the free match start are trimmed. Reported matches are identical;
   * false keeps the automaton exactly as written (to measure the effect). @default true
   */
  searchForm?: boolean;
}

export interface NfaSummary {
  states: number;
  classes: number;
  followEdges: number;
  signatures: number;
  /** Signatures compiled into the NFA (signatures − rejected). */
  compiled: number;
  buildMs: number;
}

export interface CompileResult {
  matcher: Matcher;
  rejected: RejectedSignature[];
  nfa: NfaSummary;
  /** Total compile time: parsing, NFA construction and the engine's own build. */
  compileMs: number;
}

export const ENGINE_NAMES: readonly EngineName[] = ['nfa', 'obdd', 'obdd2', 'dfa', 'mdfa', 'regexp'];

/** What an engine builder gets: the shared NFA plus the per-signature IR (for `regexp`). */
export interface EngineInput {
  readonly nfa: Nfa;
  /** IR per signature id, null for rejected ones. */
  readonly signatures: ReadonlyArray<NfaSignatureInput | null>;
  readonly options: Record<string, unknown>;
}

/**
 * One case per engine. Engines not present yet throw a UsageError; adding one is one
 * `case` line calling its builder.
 */
function buildEngine(engine: EngineName, input: EngineInput): Matcher {
  switch (engine) {
    case 'nfa':
      return buildNfaMatcher(input.nfa, input.options as NfaMatcherOptions);
    case 'dfa':
      return buildDfaMatcher(input.nfa, input.options);
    case 'mdfa':
      return buildMdfaMatcher(input.signatures, input.options);
    case 'regexp':
      return buildRegexpMatcher(input.signatures, input.options);
    case 'obdd':
    case 'obdd2':
      // engineOptions.groupSize / partition: one obdd per signature group (symbolic/grouped.ts).
      if (wantsGrouping(input.options)) {
        return buildGroupedObddMatcher(input.signatures, { ...(input.options as unknown as GroupedObddOptions), stride: engine === 'obdd2' ? 2 : 1 });
      }
      return buildObddMatcher(input.nfa, { ...input.options, stride: engine === 'obdd2' ? 2 : 1 });
    default:
      throw new UsageError(`engine '${engine}' is not available in this build yet`);
  }
}

export interface CompiledNfa {
  nfa: Nfa;
  signatures: Array<NfaSignatureInput | null>;
  rejected: RejectedSignature[];
  buildMs: number;
}

function describe(spec: unknown): string {
  if (typeof spec === 'string') return spec;
  if (spec && typeof spec === 'object') {
    const o = spec as Record<string, unknown>;
    if (typeof o.pcre === 'string') return o.pcre;
    if (typeof o.content === 'string') return `content:"${o.content}"${o.nocase ? '; nocase' : ''}`;
    if (o.content instanceof Uint8Array) {
      return `content:"|${Array.from(o.content, (b) => b.toString(16).padStart(2, '0')).join(' ')}|"${o.nocase ? '; nocase' : ''}`;
    }
  }
  return String(spec);
}

function toIr(spec: unknown, maxRepeatExpansion: number, trim: boolean): { ir: Ir; anchored: boolean } {
  let pcre: string | undefined;
  if (typeof spec === 'string') pcre = spec;
  else if (spec && typeof spec === 'object' && typeof (spec as { pcre?: unknown }).pcre === 'string') {
    pcre = (spec as { pcre: string }).pcre;
  }
  if (pcre !== undefined) {
    const parsed = parseSignature(pcre, { maxRepeatExpansion });
    // `!/re/` means "alert when absent": rule logic, not a pattern that reports a match end.
    if (parsed.negated) throw new UnsupportedFeatureError('negated pcre', parsed.pattern, 0);
    return trim ? searchForm(parsed.ir) : { ir: parsed.ir, anchored: parsed.anchored };
  }
  if (spec && typeof spec === 'object' && 'content' in spec) {
    const c = (spec as { content: unknown; nocase?: unknown }).content;
    const bytes = typeof c === 'string' ? new TextEncoder().encode(c) : c instanceof Uint8Array ? c : null;
    if (!bytes) throw new UsageError('content must be a string or a Uint8Array');
    if (bytes.length === 0) throw new UnsupportedFeatureError('empty content', '', 0);
    return { ir: literalIr(bytes, (spec as { nocase?: unknown }).nocase === true), anchored: false };
  }
  throw new UsageError('a signature must be a string, { pcre } or { content, nocase? }');
}

/** Parses every signature and builds the shared NFA; rejected ones are listed, not thrown. */
export function compileNfa(
  signatures: ReadonlyArray<string | SignatureSpec>,
  options: Pick<CompileOptions, 'maxStates' | 'maxRepeatExpansion' | 'searchForm'> = {},
): CompiledNfa {
  const t0 = performance.now();
  const maxRepeatExpansion = options.maxRepeatExpansion ?? DEFAULT_MAX_REPEAT_EXPANSION;
  const trim = options.searchForm ?? true;
  if (typeof trim !== 'boolean') throw new UsageError(`searchForm must be true or false, not ${JSON.stringify(trim)}`);
  const rejected: RejectedSignature[] = [];
  const inputs: Array<NfaSignatureInput | null> = signatures.map((spec, id) => {
    try {
      const { ir, anchored } = toIr(spec, maxRepeatExpansion, trim);
      return { id, ir, anchored };
    } catch (e) {
      rejected.push({ signature: id, source: describe(spec), error: e instanceof Error ? e : new Error(String(e)) });
      return null;
    }
  });
  const nfa = buildNfa(inputs, {
    maxStates: options.maxStates ?? DEFAULT_MAX_STATES,
    maxRepeatExpansion,
    onReject: (id, error) => {
      inputs[id] = null;
      rejected.push({ signature: id, source: describe(signatures[id]), error });
    },
  });
  rejected.sort((a, b) => a.signature - b.signature);
  return { nfa, signatures: inputs, rejected, buildMs: performance.now() - t0 };
}

export function compile(
  signatures: ReadonlyArray<string | SignatureSpec>,
  options: CompileOptions = {},
): CompileResult {
  const t0 = performance.now();
  const engine = options.engine ?? 'obdd';
  if (!ENGINE_NAMES.includes(engine)) {
    throw new UsageError(`unknown engine '${String(engine)}' (engines: ${ENGINE_NAMES.join(', ')})`);
  }
  if (!Array.isArray(signatures)) throw new UsageError('signatures must be an array');
  const built = compileNfa(signatures, options);
  const matcher = buildEngine(engine, {
    nfa: built.nfa,
    signatures: built.signatures,
    options: options.engineOptions ?? {},
  });
  return {
    matcher,
    rejected: built.rejected,
    nfa: {
      states: built.nfa.stateCount,
      classes: built.nfa.classCount,
      followEdges: built.nfa.follow.length,
      signatures: signatures.length,
      compiled: signatures.length - built.rejected.length,
      buildMs: built.buildMs,
    },
    compileMs: performance.now() - t0,
  };
}
