/**
 * The engine-tuning flags shared by `scan`, `replay` and `compare`: `--no-memo` (the
 * paper's symbolic-only NFA-OBDD) and `--memo-budget BYTES` (bound of the step memo).
 * They only concern the obdd engines; given with another engine they are a usage error,
 * so that a typo never silently measures something else.
 */
import { UsageError } from '../errors.js';
import type { OptionSpec } from './args.js';

export const ENGINE_FLAG_SPEC: OptionSpec = { 'no-memo': 'flag', 'memo-budget': 'value' };

export const ENGINE_FLAG_USAGE = `  --no-memo           obdd/obdd2: step symbolically on every byte (no step memo)
  --memo-budget BYTES obdd/obdd2: memory bound of the step memo (default 32 MiB;
                      suffixes k, m, g accepted)
`;

/** Parses a byte count such as 1048576, 64k, 32m, 1g. */
export function parseBytes(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i.exec(text.trim());
  if (!m) throw new UsageError(`${flag} takes a byte count (e.g. 33554432, 64k, 32m), not '${text}'`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  const v = Math.floor(Number(m[1]) * mult);
  if (!Number.isSafeInteger(v)) throw new UsageError(`${flag}: ${text} is too large`);
  return v;
}

/** Engine options from the parsed flags (an empty object when none was given). */
export function engineOptionsFromFlags(
  options: Record<string, string | boolean | string[] | undefined>,
  engine: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const noMemo = options['no-memo'] === true;
  const budget = options['memo-budget'] as string | undefined;
  if ((noMemo || budget !== undefined) && engine !== 'obdd' && engine !== 'obdd2') {
    throw new UsageError(`--no-memo and --memo-budget apply to --engine obdd or obdd2, not ${engine}`);
  }
  if (noMemo && budget !== undefined) throw new UsageError('--no-memo and --memo-budget exclude each other');
  if (noMemo) out.memo = false;
  if (budget !== undefined) out.memoBudgetBytes = parseBytes(budget, '--memo-budget');
  return out;
}
