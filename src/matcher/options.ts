/**
 * The option keys an engine accepts, as data, so that options arriving untyped (from
 * JavaScript callers of `compile()`, or from CLI labels such as `obdd:memo=false`) are
 * checked against the engine's documented options: an unknown key is a UsageError naming
 * the key and the engine, never an option silently ignored. Value types are checked by
 * each engine's own builder.
 */
import { UsageError } from '../errors.js';

/** The keys of one options object: `true` for a plain value, a nested table for an options object. */
export interface OptionKeys {
  readonly [key: string]: true | OptionKeys;
}

/**
 * The key table of an options interface `T`: every key of T must be listed (a nested table
 * where the option is itself an options object), so the table cannot drift from the type.
 */
export type OptionKeysOf<T> = { readonly [K in keyof Required<T>]: true | OptionKeys };

/**
 * Throws UsageError unless `options` is undefined or a plain object whose keys (and the
 * keys of its nested option objects) all appear in `keys`. `engine` names the engine in
 * the message; `path` prefixes nested keys (`encoding.interleave`).
 */
export function checkOptionKeys(engine: string, options: unknown, keys: OptionKeys, path = ''): void {
  if (options === undefined) return;
  const what = path === '' ? 'options' : `option ${path}`;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new UsageError(`${engine} ${what} must be an object, not ${JSON.stringify(options)}`);
  }
  for (const [key, value] of Object.entries(options)) {
    const spec = Object.hasOwn(keys, key) ? keys[key] : undefined;
    const name = path === '' ? key : `${path}.${key}`;
    if (spec === undefined) {
      const known = Object.keys(keys);
      throw new UsageError(`unknown ${engine} option '${name}' (${known.length === 0 ? `${engine} takes no options` : `options: ${known.join(', ')}`})`);
    }
    if (spec !== true) checkOptionKeys(engine, value, spec, name);
  }
}
