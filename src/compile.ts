/**
 * The public front door: signatures (Snort pcre text, bare patterns, or content strings)
 * → one NFA for the whole set → the matcher of the chosen engine.
 *
 * Guarantees: a bad signature never stops compilation. Each one that cannot be parsed,
 * is unsupported, or exceeds a budget is listed in `rejected` with a typed error, keeps
 * its id (ids are indices into the input list) and simply never matches. Only bad usage
 * (an unknown engine, an unknown option key or an ill-typed option value, named in the
 * message with its engine) throws a UsageError.
 *
 * Engine configuration is typed: `EngineConfig` pairs each engine name with its own
 * options type, and the same key tables check options that arrive untyped (JavaScript
 * callers, CLI labels parsed by src/cli/engine-flags.ts).
 */
import { performance } from 'node:perf_hooks';
import { UnsupportedFeatureError, UsageError } from './errors.js';
import { buildNfa, DEFAULT_MAX_STATES, type NfaSignatureInput } from './nfa/build.js';
import type { Nfa } from './nfa/types.js';
import { DEFAULT_MAX_REPEAT_EXPANSION, parseContent, parseSignature, type ParseOptions } from './syntax/index.js';
import type { Ir } from './syntax/ir.js';
import { searchForm } from './syntax/search-form.js';
import { buildNfaMatcher, NFA_OPTION_KEYS, type NfaMatcherOptions } from './engines/explicit/matcher.js';
import { DFA_OPTION_KEYS } from './engines/dfa/build.js';
import { buildDfaMatcher, type DfaMatcherOptions } from './engines/dfa/matcher.js';
import { buildMdfaMatcher, MDFA_OPTION_KEYS, type MdfaOptions } from './engines/dfa/mdfa.js';
import { buildRegexpMatcher, REGEXP_OPTION_KEYS, type RegexpOptions } from './engines/regexp/matcher.js';
import { buildObddEngine, OBDD_ENGINE_OPTION_KEYS, type ObddEngineOptions } from './engines/obdd/engine.js';
import { checkOptionKeys, type OptionKeys } from './matcher/options.js';
import type { EngineName, Matcher, RejectedSignature } from './matcher/types.js';
import { isLiveMatcher } from './matcher/live.js';
import { pureLiteral } from './prefilter/literals.js';
import { buildPrefilteredMatcher, factorOf, gateConjunctions, PREFILTER_OPTION_KEYS, type SignatureGate, type PrefilterOptions } from './prefilter/matcher.js';
import { ConfirmingMatcher, type ConfirmedSignature, type ConfirmOptions } from './confirm/matcher.js';
import type { ExactForm } from './syntax/ir.js';
import { irLengthBounds } from './syntax/ir-build.js';
import { coarsenRepeats } from './syntax/exact.js';

export type { NfaMatcherOptions } from './engines/explicit/matcher.js';
export type { DfaMatcherOptions } from './engines/dfa/matcher.js';
export type { MdfaOptions } from './engines/dfa/mdfa.js';
export type { RegexpOptions, RegexpFailure } from './engines/regexp/matcher.js';
export type { ObddEngineOptions } from './engines/obdd/engine.js';
export type { ObddGrouping, ObddPartition } from './engines/obdd/grouped.js';
export type { ObddEncodingOptions } from './engines/obdd/matcher.js';
export type { PrefilterOptions } from './prefilter/matcher.js';
export type { ConfirmOptions, ConfirmFailure } from './confirm/matcher.js';

/** A signature given as an object: a pcre option value, or a literal content string. */
export type SignatureSpec =
  /**
   * `gate`: literals outside the pattern that the caller needs present for its matches to
   * matter (a rule's fast-pattern content). Only the prefilter uses it: the signature then
   * reports exactly its matches on inputs containing a gate literal, and on the others
   * nothing or, in some cases, exactly its matches too (`SignatureGate`).
   */
  | { readonly pcre: string; readonly gate?: SignatureGate }
  /**
   * Literal bytes; a string is encoded as UTF-8. `nocase` folds ASCII letters only.
   * `gate` as for a pcre.
   */
  | { readonly content: Uint8Array | string; readonly nocase?: boolean; readonly gate?: SignatureGate };

/**
 * The engine compile() builds when none is named, with the literal prefilter on
 * (`DEFAULT_PREFILTER`): the fastest configuration measured on the full ET Open set
 * (docs/prefilter.md: the explicit NFA steps the few live signatures of a packet 3× faster
 * than the NFA-OBDD, whose memo rarely hits when the live set changes per packet). Naming
 * an engine gives that engine alone unless `prefilter` is set too.
 */
export const DEFAULT_ENGINE = 'nfa' satisfies EngineName;

/** Whether the default configuration (no engine named, no `prefilter` given) uses the prefilter. */
export const DEFAULT_PREFILTER = true;

/** Every engine name compile() accepts, in the order the CLI lists them. */
export const ENGINE_NAMES: readonly EngineName[] = ['nfa', 'obdd', 'obdd2', 'dfa', 'mdfa', 'regexp'];

/** The options type of each engine, by engine name. */
export interface EngineOptionsByName {
  nfa: NfaMatcherOptions;
  obdd: ObddEngineOptions;
  obdd2: ObddEngineOptions;
  dfa: DfaMatcherOptions;
  mdfa: MdfaOptions;
  regexp: RegexpOptions;
}

/** The options of engine `E` (of any engine when `E` is the whole union). */
export type EngineOptions<E extends EngineName = EngineName> = EngineOptionsByName[E];

/**
 * An engine and its options, discriminated by `engine`: `{ engine: 'obdd', engineOptions:
 * { memo: false } }` type-checks, `{ engine: 'nfa', engineOptions: { memo: false } }` does
 * not. What compile(), compare's engine list and the CLI's engine labels carry.
 */
export type EngineConfig = { [E in EngineName]: { engine: E; engineOptions?: EngineOptionsByName[E] } }[EngineName];

/** No engine named: the default engine (`DEFAULT_ENGINE`) with its options. */
export interface DefaultEngineConfig {
  engine?: undefined;
  engineOptions?: EngineOptionsByName[typeof DEFAULT_ENGINE];
}

/** Option keys of each engine, for run-time checks of untyped options (compile(), CLI labels). */
export const ENGINE_OPTION_KEYS: { readonly [E in EngineName]: OptionKeys } = {
  nfa: NFA_OPTION_KEYS,
  obdd: OBDD_ENGINE_OPTION_KEYS,
  obdd2: OBDD_ENGINE_OPTION_KEYS,
  dfa: DFA_OPTION_KEYS,
  mdfa: MDFA_OPTION_KEYS,
  regexp: REGEXP_OPTION_KEYS,
};

/** The options compile() gives the NFA construction (every engine shares one NFA front end). */
export interface NfaCompileOptions {
  /** Total NFA states for the whole set; signatures past it are rejected. @default 2_000_000 */
  maxStates?: number;
  /**
   * Byte positions of one signature: a content's bytes, a pattern's byte-set leaves with
   * counted repeats expanded. Checked before the NFA is built (a content: before anything
   * is built); past it the signature is rejected with LimitExceededError 'content length',
   * 'positions' or 'repeat expansion'. @default 50_000
   */
  maxRepeatExpansion?: number;
  /**
   * Characters of one pattern, checked before it is parsed; past it the signature is
   * rejected with LimitExceededError 'pattern length'. @default 65_536
   */
  maxPatternLength?: number;
  /**
   * Compile each pcre in its search form (src/syntax/search-form.ts): leading loops that
   * only re-describe the free match start are trimmed. Reported matches are identical;
   * false keeps the automaton exactly as written (to measure the effect). @default true
   */
  searchForm?: boolean;
  /**
   * Run each input only through the signatures its literals activate (`src/prefilter/`):
   * the NFA gets per-signature start states and the engine steps only the activated ones
   * (and, in 'set' mode, drops each once it has reported). Results are identical. Needs an
   * engine that can run a subset of its signatures: 'nfa' or 'obdd' (stride 1, ungrouped).
   * Signatures without a usable literal go to a residual matcher that runs on every input
   * (`residual`). `true` takes the defaults. @default true when no engine is named
   * (`DEFAULT_PREFILTER`), else false
   */
  prefilter?: boolean | CompilePrefilterOptions;
  /**
   * Accept pcres with backreferences, lookarounds, atomic groups or possessive
   * quantifiers (src/confirm): the engine runs a regular over-approximation of each, and
   * an exact backtracking matcher with PCRE's semantics confirms the ends it reports,
   * within `budgetMs` per input. `false` rejects them (UnsupportedFeatureError naming the
   * feature). `true` takes the defaults. @default true
   */
  confirm?: boolean | ConfirmOptions;
}

/** compile()'s prefilter options: the prefilter's own, and the engine of the residual signatures. */
export interface CompilePrefilterOptions extends PrefilterOptions {
  /**
   * The engine (any engine) for the signatures without a usable literal, which run on every
   * input. @default the main engine
   */
  residual?: EngineConfig;
}

/**
 * Options of compile(): the NFA front end's, plus the engine (@default `DEFAULT_ENGINE`)
 * and that engine's own options (its budgets, memo, grouping...).
 */
export type CompileOptions = NfaCompileOptions & (EngineConfig | DefaultEngineConfig);

/** Sizes of the shared NFA behind a compiled matcher. */
export interface NfaSummary {
  states: number;
  classes: number;
  followEdges: number;
  signatures: number;
  /** Signatures compiled into the NFA (signatures − rejected). */
  compiled: number;
  /** Parse and NFA construction time, in milliseconds. */
  buildMs: number;
}

/** What compile() returns: the matcher, the signatures it could not compile, and figures. */
export interface CompileResult {
  matcher: Matcher;
  rejected: RejectedSignature[];
  nfa: NfaSummary;
  /** Total compile time in milliseconds: parsing, NFA construction and the engine's own build. */
  compileMs: number;
}

/** What an engine builder gets: the shared NFA plus the per-signature IR (for `regexp`, `mdfa`, grouped obdd). */
export interface EngineInput {
  readonly nfa: Nfa;
  /** IR per signature id, null for rejected ones. */
  readonly signatures: ReadonlyArray<NfaSignatureInput | null>;
}

/**
 * Checks an engine name and its options as they may arrive from JavaScript or a CLI label:
 * returns the typed configuration, or throws UsageError for an unknown engine, options that
 * are not an object, or an option key the engine does not have (naming the key and the
 * engine). Value types are checked by the engine's builder (also UsageError).
 */
export function checkEngineConfig(engine: unknown, engineOptions: unknown): EngineConfig {
  if (typeof engine !== 'string' || !(ENGINE_NAMES as readonly string[]).includes(engine)) {
    throw new UsageError(`unknown engine '${String(engine)}' (engines: ${ENGINE_NAMES.join(', ')})`);
  }
  const name = engine as EngineName;
  checkOptionKeys(name, engineOptions, ENGINE_OPTION_KEYS[name]);
  return { engine: name, engineOptions } as EngineConfig;
}

/** One case per engine: its builder, given the engine's own options. */
function buildEngine(config: EngineConfig, input: EngineInput): Matcher {
  switch (config.engine) {
    case 'nfa':
      return buildNfaMatcher(input.nfa, config.engineOptions ?? {});
    case 'dfa':
      return buildDfaMatcher(input.nfa, config.engineOptions ?? {});
    case 'mdfa':
      return buildMdfaMatcher(input.signatures, config.engineOptions ?? {});
    case 'regexp':
      return buildRegexpMatcher(input.signatures, config.engineOptions ?? {});
    case 'obdd':
      return buildObddEngine(input.nfa, input.signatures, config.engineOptions ?? {}, 1);
    case 'obdd2':
      return buildObddEngine(input.nfa, input.signatures, config.engineOptions ?? {}, 2);
  }
}

/** The shared NFA of a signature set, before any engine is built. */
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
      // A content past its size limit may be megabytes: name it by its first bytes.
      const shown = o.content.length > 256 ? o.content.subarray(0, 64) : o.content;
      const more = shown.length < o.content.length ? ` … (${o.content.length} bytes)` : '';
      return `content:"|${Array.from(shown, (b) => b.toString(16).padStart(2, '0')).join(' ')}${more}|"${o.nocase ? '; nocase' : ''}`;
    }
  }
  return String(spec);
}

/**
 * Counted repeats of a confirmed signature's approximation are capped at this many
 * iterations (`coarsenRepeats`): its ends are confirmed anyway, and big counts cost NFA
 * states in every scratch (ET Open: 313k of 862k states before the cap).
 */
const COARSE_REPEAT_LIMIT = 16;

function toIr(spec: unknown, limits: ParseOptions, trim: boolean): { ir: Ir; anchored: boolean; exact?: ExactForm; untrimmed?: Ir } {
  let pcre: string | undefined;
  if (typeof spec === 'string') pcre = spec;
  else if (spec && typeof spec === 'object' && typeof (spec as { pcre?: unknown }).pcre === 'string') {
    pcre = (spec as { pcre: string }).pcre;
  }
  if (pcre !== undefined) {
    const parsed = parseSignature(pcre, limits);
    // `!/re/` means "alert when absent": rule logic, not a pattern that reports a match end.
    if (parsed.negated) throw new UnsupportedFeatureError('negated pcre', parsed.pattern, 0);
    if (parsed.exact === undefined) return trim ? searchForm(parsed.ir) : { ir: parsed.ir, anchored: parsed.anchored };
    // Confirmed: the automaton may run a coarser approximation still (COARSE_REPEAT_LIMIT).
    const coarse = coarsenRepeats(parsed.ir, COARSE_REPEAT_LIMIT);
    const form = trim ? searchForm(coarse) : { ir: coarse, anchored: parsed.anchored };
    return { ...form, exact: parsed.exact, untrimmed: parsed.ir };
  }
  if (spec && typeof spec === 'object' && 'content' in spec) {
    const c = (spec as { content: unknown; nocase?: unknown }).content;
    const bytes = typeof c === 'string' ? new TextEncoder().encode(c) : c instanceof Uint8Array ? c : null;
    if (!bytes) throw new UsageError('content must be a string or a Uint8Array');
    if (bytes.length === 0) throw new UnsupportedFeatureError('empty content', '', 0);
    return { ir: parseContent(bytes, (spec as { nocase?: unknown }).nocase === true, limits), anchored: false };
  }
  throw new UsageError('a signature must be a string, { pcre } or { content, nocase? }');
}

/**
 * The residual engine over `rest`, and when that engine could not build some signatures
 * (mdfa: no group DFA fits), the explicit NFA over those, so every signature still runs.
 */
function residualMatchers(
  config: EngineConfig,
  nfa: Nfa,
  rest: Array<NfaSignatureInput | null>,
  signatures: ReadonlyArray<string | SignatureSpec>,
  rejected: RejectedSignature[],
  options: NfaCompileOptions,
): Matcher[] {
  const main = buildEngine(config, { nfa, signatures: rest });
  const dropped = (main as { rejected?: ReadonlyArray<{ signature: number }> }).rejected ?? [];
  if (config.engine === 'nfa' || dropped.length === 0) return [main];
  const ids = new Set(dropped.map((r) => r.signature));
  const again = rest.map((s) => (s && ids.has(s.id) ? s : null));
  const fallback = buildNfaMatcher(buildSetNfa(signatures, again, rejected, options, 'shared'));
  return [main, Object.assign(fallback, { covers: (sig: number) => ids.has(sig) && again[sig] !== null })];
}

/** The prefilter options of compile(), checked: undefined when off. Throws UsageError. */
function checkPrefilter(p: unknown): CompilePrefilterOptions | undefined {
  if (p === undefined || p === false) return undefined;
  if (p === true) return {};
  checkOptionKeys('prefilter', p, { ...PREFILTER_OPTION_KEYS, residual: true });
  const { residual, ...rest } = p as CompilePrefilterOptions;
  for (const [k, v] of Object.entries(rest)) {
    if (typeof v !== 'number' || !(v >= 1)) throw new UsageError(`prefilter option ${k} must be a number ≥ 1 (got ${JSON.stringify(v)})`);
  }
  if (residual === undefined) return rest;
  if (residual === null || typeof residual !== 'object') throw new UsageError('prefilter option residual must be { engine, engineOptions? }');
  return { ...rest, residual: checkEngineConfig(residual.engine, residual.engineOptions) };
}

/**
 * Parses every signature and builds the shared NFA; rejected ones are listed, not thrown.
 * The NFA alone confirms nothing: a pcre that needs confirmation (src/confirm) is rejected
 * unless `confirm` is given explicitly, and then only its over-approximation is in it.
 * Throws UsageError when `searchForm` is not a boolean or `confirm` is ill-typed.
 */
export function compileNfa(
  signatures: ReadonlyArray<string | SignatureSpec>,
  options: NfaCompileOptions = {},
): CompiledNfa {
  const t0 = performance.now();
  const { inputs, rejected } = parseSignatures(signatures, options, checkConfirm(options.confirm ?? false) !== undefined);
  const nfa = buildSetNfa(signatures, inputs, rejected, options, 'shared');
  rejected.sort((a, b) => a.signature - b.signature);
  return { nfa, signatures: inputs, rejected, buildMs: performance.now() - t0 };
}

/** Each signature's IR (null when rejected, with the reason listed in `rejected`). */
function parseSignatures(
  signatures: ReadonlyArray<string | SignatureSpec>,
  options: NfaCompileOptions,
  confirm: boolean,
): { inputs: Array<NfaSignatureInput | null>; rejected: RejectedSignature[]; confirmed: ConfirmedSignature[] } {
  const limits: ParseOptions = {
    maxRepeatExpansion: options.maxRepeatExpansion ?? DEFAULT_MAX_REPEAT_EXPANSION,
    maxPatternLength: options.maxPatternLength,
    confirm,
  };
  const trim = options.searchForm ?? true;
  if (typeof trim !== 'boolean') throw new UsageError(`searchForm must be true or false, not ${JSON.stringify(trim)}`);
  const rejected: RejectedSignature[] = [];
  const confirmed: ConfirmedSignature[] = [];
  const inputs: Array<NfaSignatureInput | null> = signatures.map((spec, id) => {
    try {
      const { ir, anchored, exact, untrimmed } = toIr(spec, limits, trim);
      if (exact !== undefined) {
        const { minLength, maxLength } = irLengthBounds(untrimmed ?? ir);
        confirmed.push({ id, form: exact, anchored, minLength, maxLength });
      }
      return { id, ir, anchored };
    } catch (e) {
      rejected.push({ signature: id, source: describe(spec), error: e instanceof Error ? e : new Error(String(e)) });
      return null;
    }
  });
  return { inputs, rejected, confirmed };
}

/** compile()'s `confirm` option, checked: undefined when off. Throws UsageError. */
function checkConfirm(c: unknown): ConfirmOptions | undefined {
  if (c === false) return undefined;
  if (c === undefined || c === true) return {};
  checkOptionKeys('confirm', c, { budgetMs: true, onFailure: true });
  const o = c as ConfirmOptions;
  if (o.budgetMs !== undefined && (typeof o.budgetMs !== 'number' || !(o.budgetMs > 0))) {
    throw new UsageError(`confirm option budgetMs must be a number > 0 (got ${JSON.stringify(o.budgetMs)})`);
  }
  if (o.onFailure !== undefined && typeof o.onFailure !== 'function') throw new UsageError('confirm option onFailure must be a function');
  return o;
}

/** `matcher`, wrapped to confirm the signatures that need it (those still compiled; none when `options` is off). */
function withConfirmation(matcher: Matcher, confirmed: readonly ConfirmedSignature[], rejected: readonly RejectedSignature[], options: ConfirmOptions | undefined): Matcher {
  const dropped = new Set(rejected.map((r) => r.signature));
  const live = confirmed.filter((c) => !dropped.has(c.id));
  return live.length === 0 || options === undefined ? matcher : new ConfirmingMatcher(matcher, live, options);
}

/** The NFA of `inputs`; a signature past a budget is nulled in `inputs` and listed in `rejected`. */
function buildSetNfa(
  signatures: ReadonlyArray<string | SignatureSpec>,
  inputs: Array<NfaSignatureInput | null>,
  rejected: RejectedSignature[],
  options: NfaCompileOptions,
  entries: 'shared' | 'per-unit',
): Nfa {
  return buildNfa(inputs, {
    entries,
    maxStates: options.maxStates ?? DEFAULT_MAX_STATES,
    maxRepeatExpansion: options.maxRepeatExpansion ?? DEFAULT_MAX_REPEAT_EXPANSION,
    onReject: (id, error) => {
      inputs[id] = null;
      rejected.push({ signature: id, source: describe(signatures[id]), error });
    },
  });
}

/**
 * Compiles `signatures` (ids = indices in the list) with the chosen engine. Bad signatures
 * are listed in `rejected`, never thrown. Throws UsageError for bad usage: an unknown
 * engine, `signatures` not an array, an unknown option key or an ill-typed option value
 * (naming the option and the engine); LimitExceededError when the engine's own build
 * exceeds its budget (a DFA's states, the BDD node budget).
 */
export function compile(
  signatures: ReadonlyArray<string | SignatureSpec>,
  options: CompileOptions = {},
): CompileResult {
  const t0 = performance.now();
  const config = checkEngineConfig(options.engine ?? DEFAULT_ENGINE, options.engineOptions);
  if (!Array.isArray(signatures)) throw new UsageError('signatures must be an array');
  const prefilter = checkPrefilter(options.prefilter ?? (options.engine === undefined ? DEFAULT_PREFILTER : false));
  const confirm = checkConfirm(options.confirm);
  const { inputs, rejected, confirmed } = parseSignatures(signatures, options, confirm !== undefined);
  const built = prefilter
    ? buildPrefiltered(signatures, inputs, rejected, options, config, prefilter)
    : buildPlain(signatures, inputs, rejected, options, config);
  rejected.sort((a, b) => a.signature - b.signature);
  return {
    matcher: withConfirmation(built.matcher, confirmed, rejected, confirm),
    rejected,
    nfa: { ...built.nfa, signatures: signatures.length, compiled: signatures.length - rejected.length },
    compileMs: performance.now() - t0,
  };
}

/** A built matcher and the figures of its NFA(s). */
interface Built {
  matcher: Matcher;
  nfa: Pick<NfaSummary, 'states' | 'classes' | 'followEdges' | 'buildMs'>;
}

/** One engine over one shared NFA. */
function buildPlain(
  signatures: ReadonlyArray<string | SignatureSpec>,
  inputs: Array<NfaSignatureInput | null>,
  rejected: RejectedSignature[],
  options: NfaCompileOptions,
  config: EngineConfig,
): Built {
  const t0 = performance.now();
  const nfa = buildSetNfa(signatures, inputs, rejected, options, 'shared');
  const buildMs = performance.now() - t0;
  const matcher = buildEngine(config, { nfa, signatures: inputs });
  return { matcher, nfa: { states: nfa.stateCount, classes: nfa.classCount, followEdges: nfa.follow.length, buildMs } };
}

/**
 * The prefiltered pipeline: signatures with a fast factor in a per-unit NFA under the main
 * (live) engine, the others in the residual engine. Throws UsageError when the main engine
 * cannot run a subset of its signatures.
 */
function buildPrefiltered(
  signatures: ReadonlyArray<string | SignatureSpec>,
  inputs: Array<NfaSignatureInput | null>,
  rejected: RejectedSignature[],
  options: NfaCompileOptions,
  config: EngineConfig,
  prefilter: CompilePrefilterOptions,
): Built {
  const t0 = performance.now();
  const gateOf = (id: number): SignatureGate | undefined => {
    const spec = signatures[id];
    return typeof spec === 'object' ? spec.gate : undefined;
  };
  const factor = (s: NfaSignatureInput): Uint8Array[] | null => {
    const gate = gateOf(s.id);
    return (gate && gateConjunctions(gate, prefilter)?.flat()) ?? factorOf(s.ir, prefilter);
  };
  // Pure literals are reported from the search itself, however short.
  const selected = inputs.map((s) => (s && (factor(s) !== null || (!s.anchored && pureLiteral(s.ir) !== null)) ? s : null));
  const rest = inputs.map((s, id) => (s && selected[id] === null ? s : null));
  const liveNfa = buildSetNfa(signatures, selected, rejected, options, 'per-unit');
  const restNfa = rest.some((s) => s !== null) ? buildSetNfa(signatures, rest, rejected, options, 'shared') : null;
  const buildMs = performance.now() - t0;
  const live = buildEngine(config, { nfa: liveNfa, signatures: selected });
  if (!isLiveMatcher(live)) {
    throw new UsageError(`prefilter needs an engine that runs a subset of its signatures ('nfa', or 'obdd' at stride 1 without grouping), not '${config.engine}'`);
  }
  const residuals = restNfa ? residualMatchers(prefilter.residual ?? config, restNfa, rest, signatures, rejected, options) : [];
  const matcher = buildPrefilteredMatcher(live, (id) => selected[id]!.ir, prefilter, residuals, gateOf);
  const nfas = restNfa ? [liveNfa, restNfa] : [liveNfa];
  return {
    matcher,
    nfa: {
      states: nfas.reduce((n, a) => n + a.stateCount, 0),
      classes: Math.max(...nfas.map((a) => a.classCount)),
      followEdges: nfas.reduce((n, a) => n + a.follow.length, 0),
      buildMs,
    },
  };
}
