/**
 * The per-pattern constraint flags and compiled flowbits shared by the program builder
 * (`program.ts`) and the evaluator (`evaluator.ts`): the encoding of their struct-of-arrays
 * tables, internal to src/detect.
 */

/** @internal The pattern is negated (`!`): it holds when no match fits. */
export const F_NEGATED = 1;
/** @internal `distance`/`within` (content) or `R` (pcre): constrained by the cursor. */
export const F_RELATIVE = 2;
/** @internal pcre `R` with `^` / `A`: start = cursor. */
export const F_CURSOR_ANCHOR = 4;
/** @internal `startswith`: start at the buffer start. */
export const F_STARTS_WITH = 8;
/** @internal `endswith`: end at the buffer end. */
export const F_ENDS_WITH = 16;
/** @internal An inspection buffer other than the payload itself. */
export const F_IN_BUFFER = 32;
/** @internal Must start at the buffer start (dropped `^` / `A` of a buffer pcre). */
export const F_BUFFER_ANCHOR = 64;

/** @internal A rule's flowbits as bit ids: conditions, then the updates it makes when it fires. */
export interface CompiledFlowbits {
  conds: { ids: number[]; all: boolean; set: boolean }[];
  set: number[];
  unset: number[];
  toggle: number[];
  reset: boolean;
  noalert: boolean;
}
