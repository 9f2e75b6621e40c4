/**
 * Minimal argument parser shared by all commands: `--flag`, `--key value`, `--key=value`,
 * repeated keys collect into arrays, bare words are positionals. Unknown options are an
 * error (a typo must not silently change what is scanned).
 */
import { UsageError } from '../errors.js';

/**
 * The options a command accepts: `flag` takes no value, `value` one, `list` one per occurrence
 * (collected).
 */
export interface OptionSpec {
  /** Option names without the leading dashes, mapped to whether they take a value. */
  [name: string]: 'flag' | 'value' | 'list';
}

/**
 * Parsed command line: option values by name (absent options are missing) and the positionals
 * in order.
 */
export interface ParsedArgs {
  options: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/**
 * Parses `argv` (without the command name) against `spec`. A `--` ends the options. Throws
 * UsageError for an unknown option, a value given to a flag, or a missing value.
 */
export function parseArgs(argv: readonly string[], spec: OptionSpec): ParsedArgs {
  const options: ParsedArgs['options'] = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const kind = spec[name];
    if (kind === undefined) throw new UsageError(`unknown option --${name}`);
    if (kind === 'flag') {
      if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
      options[name] = true;
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new UsageError(`option --${name} needs a value`);
      value = argv[++i]!;
    }
    if (kind === 'list') {
      const prev = options[name];
      const list = Array.isArray(prev) ? prev : [];
      list.push(value);
      options[name] = list;
    } else options[name] = value;
  }
  return { options, positionals };
}
