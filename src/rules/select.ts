/**
 * Rule selection, so that a gateway can run a small ruleset per device (e.g. an HTTP set
 * and an FTP set, as in the published NFA-OBDD experiments).
 *
 * A selector is a comma-separated list of terms, as given to `--select`:
 *
 *   proto=tcp,dport=80,classtype=web-application-attack,service=http,msg=SQL,sid=1000-2000
 *
 * - Terms with the same key are alternatives (OR); different keys must all hold (AND).
 *   Within one term, `|` separates alternatives too: `classtype=trojan-activity|bad-unknown`.
 * - `key!=value` excludes the rules the term matches (every exclusion must hold).
 * - Keys:
 *   `proto`     rule protocol as written (`tcp`, `http`, ...) or its transport: `proto=tcp`
 *               selects tcp rules and application rules over tcp (`http`); `ip` rules,
 *               which apply to every packet, only with `proto=ip`.
 *   `port`      the rule's source OR destination port set contains the port (or meets the
 *               range `1000-2000`, `1000:2000`, or a port variable `$HTTP_PORTS`);
 *   `sport`, `dport`  the same for one side. A side written `any` contains every port, so
 *               such rules match port terms, unless the term `strict` is given: then only
 *               port sets that name ports (not `any`) count.
 *   `classtype` exact; `service` (Snort 3 `service:`, `metadata: service x`, or an
 *               application-protocol header); `policy` (`metadata: policy NAME ...`);
 *   `metadata`  an entry `key value` equal to the value, or an entry whose key is the value;
 *   `msg`       case-insensitive substring of the message;
 *   `sid`, `gid` numbers or ranges `a-b`; `rev` a number;
 *   `action`    alert, drop, ...; `enabled` true/false; `has` content|pcre|none (the
 *               rule has at least one such pattern; `none`: no pattern at all).
 * - Presets (a bare word): `http` = `proto=tcp,dport=80,strict` (rules aimed at a web
 *   server port), `ftp` = `proto=tcp,dport=21,strict`. Presets combine with terms:
 *   `http,msg=SQL`.
 *
 * Bad selectors throw `UsageError` naming the term.
 */
import { UsageError } from '../errors.js';
import type { Rule } from './rule.js';
import { PortSet, SpecCompiler, Variables } from './vars.js';

/** Named selectors (`--select http`), expanded before parsing. */
export const SELECT_PRESETS: Readonly<Record<string, string>> = {
  http: 'proto=tcp,dport=80,strict',
  ftp: 'proto=tcp,dport=21,strict',
};

type Pred = (rule: Rule, strict: boolean) => boolean;

interface Term {
  key: string;
  negated: boolean;
  test: Pred;
}

/** A parsed rule selector: a test over rules. */
export interface Selector {
  /** The selector text after preset expansion. */
  readonly text: string;
  test(rule: Rule): boolean;
}

const KEYS = new Set(['proto', 'port', 'sport', 'dport', 'classtype', 'service', 'policy', 'metadata', 'msg', 'sid', 'gid', 'rev', 'action', 'enabled', 'has']);

function portsMeet(set: PortSet, want: PortSet, strict: boolean): boolean {
  if (set.any) return !strict && !want.empty;
  const a = set.ranges;
  const b = want.ranges;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (Math.max(a[i], b[j]) <= Math.min(a[i + 1], b[j + 1])) return true;
    if (a[i + 1] < b[j + 1]) i += 2;
    else j += 2;
  }
  return false;
}

function numberRange(v: string, key: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(v);
  if (!m) throw new UsageError(`--select: ${key} expects a number or a range a-b, got '${v}'`);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (hi < lo) throw new UsageError(`--select: empty range '${v}' for ${key}`);
  return [lo, hi];
}

function valuePred(key: string, v: string, specs: SpecCompiler): Pred {
  switch (key) {
    case 'proto': {
      const p = v.toLowerCase();
      return (r) => r.protocol === p || r.transport === p;
    }
    case 'port':
    case 'sport':
    case 'dport': {
      const spec = /^\d+-\d+$/.test(v) ? v.replace('-', ':') : v;
      let want: PortSet;
      try {
        want = specs.portSet(spec);
      } catch (e) {
        throw new UsageError(`--select: bad port '${v}' for ${key}: ${(e as Error).message}`);
      }
      if (key === 'sport') return (r, strict) => portsMeet(r.srcPorts, want, strict);
      if (key === 'dport') return (r, strict) => portsMeet(r.dstPorts, want, strict);
      return (r, strict) => portsMeet(r.srcPorts, want, strict) || portsMeet(r.dstPorts, want, strict);
    }
    case 'classtype':
      return (r) => r.classtype === v;
    case 'service':
      return (r) => r.services.includes(v);
    case 'policy':
      return (r) => r.policies.includes(v);
    case 'metadata':
      return (r) => r.metadata.some((m) => m.key === v || `${m.key} ${m.value}` === v);
    case 'msg': {
      const low = v.toLowerCase();
      return (r) => r.msg.toLowerCase().includes(low);
    }
    case 'sid':
    case 'gid':
    case 'rev': {
      const [lo, hi] = numberRange(v, key);
      return (r) => r[key] >= lo && r[key] <= hi;
    }
    case 'action':
      return (r) => r.action === v;
    case 'enabled':
      if (v !== 'true' && v !== 'false') throw new UsageError(`--select: enabled expects true or false, got '${v}'`);
      return (r) => r.enabled === (v === 'true');
    case 'has':
      if (v === 'pcre' || v === 'content') return (r) => r.patterns.some((p) => p.kind === v);
      if (v === 'none') return (r) => r.patterns.length === 0;
      throw new UsageError(`--select: has expects content, pcre or none, got '${v}'`);
    default:
      throw new UsageError(`--select: unknown key '${key}'`);
  }
}

/**
 * Parses a selector. `vars` resolves port variables in port terms (default: the stock
 * variables). An empty text selects every rule.
 */
export function parseSelector(text: string, vars: Variables = Variables.defaults()): Selector {
  const specs = new SpecCompiler(vars);
  const expanded: string[] = [];
  for (const raw of text.split(',')) {
    const t = raw.trim();
    if (t === '') continue;
    const preset = SELECT_PRESETS[t];
    expanded.push(...(preset !== undefined ? preset.split(',') : [t]));
  }
  const terms: Term[] = [];
  let strict = false;
  for (const t of expanded) {
    if (t === 'strict') {
      strict = true;
      continue;
    }
    const m = /^([a-z]+)\s*(!?=)\s*(.+)$/.exec(t);
    if (!m) {
      const known = Object.keys(SELECT_PRESETS).join(', ');
      throw new UsageError(`--select: cannot read term '${t}' (expected key=value, key!=value, 'strict' or a preset: ${known})`);
    }
    const [, key, op, value] = m;
    if (!KEYS.has(key)) throw new UsageError(`--select: unknown key '${key}' in '${t}' (keys: ${[...KEYS].join(', ')})`);
    const alts = value.split('|').map((x) => x.trim()).filter((x) => x !== '');
    if (alts.length === 0) throw new UsageError(`--select: empty value in '${t}'`);
    const preds = alts.map((a) => valuePred(key, a, specs));
    terms.push({ key, negated: op === '!=', test: (r, s) => preds.some((p) => p(r, s)) });
  }
  const byKey = new Map<string, Term[]>();
  for (const term of terms) {
    if (term.negated) continue;
    const list = byKey.get(term.key) ?? [];
    list.push(term);
    byKey.set(term.key, list);
  }
  const groups = [...byKey.values()];
  const exclusions = terms.filter((x) => x.negated);
  return {
    text: [...expanded].join(','),
    test(rule: Rule): boolean {
      for (const g of groups) if (!g.some((term) => term.test(rule, strict))) return false;
      for (const x of exclusions) if (x.test(rule, strict)) return false;
      return true;
    },
  };
}

/** The rules a selector keeps, in their original order. */
export function selectRules<R extends Rule>(rules: readonly R[], selector: string | Selector, vars?: Variables): R[] {
  const s = typeof selector === 'string' ? parseSelector(selector, vars) : selector;
  return rules.filter((r) => s.test(r));
}
