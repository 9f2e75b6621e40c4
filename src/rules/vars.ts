/**
 * Snort rule variables and the address/port sets of a rule header.
 *
 * `Variables` maps names (`HOME_NET`, `HTTP_PORTS`, ...) to their raw text, starting from the
 * defaults of Snort 2.9's stock `snort.conf` (every network `any`, the stock port lists), then
 * user overrides, then `var`/`ipvar`/`portvar` lines (Snort 2) or `NAME = '...'` lines
 * (Snort 3 Lua) read from a configuration file. Values may refer to other variables.
 *
 * Address and port specifications (`any`, `$VAR`, `!x`, `[a,b,[c,!d]]`, CIDR for IPv4 and
 * IPv6, port ranges `1024:`, `:1023`, `1:5`) compile to sorted disjoint interval lists, so
 * negation and nesting are exact set algebra and a membership test is a binary search over
 * a typed array. Compiled sets are cached by their text: the 30k rules of a ruleset share a
 * few dozen distinct specifications.
 *
 * Errors are `RuleParseError`s (the rule parser re-raises them with the rule's file, line
 * and sid); a variable cycle or an undefined variable is an error, never a hang.
 */
import { RuleParseError, UsageError } from '../errors.js';

/** Snort 2.9.x stock snort.conf HTTP_PORTS. */
export const DEFAULT_HTTP_PORTS =
  '[80,81,311,383,591,593,901,1220,1414,1741,1830,2301,2381,2809,3037,3128,3702,4343,4848,5250,' +
  '6988,7000,7001,7144,7145,7510,7777,7779,8000,8008,8014,8028,8080,8085,8088,8090,8118,8123,' +
  '8180,8181,8243,8280,8300,8800,8888,8899,9000,9060,9080,9090,9091,9443,9999,11371,34443,' +
  '34444,41080,50002,55555]';

/** Defaults as in Snort 2.9's stock snort.conf (networks are `any`, so every rule can fire). */
export const DEFAULT_VARIABLES: Readonly<Record<string, string>> = {
  HOME_NET: 'any',
  EXTERNAL_NET: 'any',
  DNS_SERVERS: '$HOME_NET',
  SMTP_SERVERS: '$HOME_NET',
  HTTP_SERVERS: '$HOME_NET',
  SQL_SERVERS: '$HOME_NET',
  TELNET_SERVERS: '$HOME_NET',
  SSH_SERVERS: '$HOME_NET',
  FTP_SERVERS: '$HOME_NET',
  SIP_SERVERS: '$HOME_NET',
  DNP3_SERVER: '$HOME_NET',
  DNP3_CLIENT: '$HOME_NET',
  MODBUS_SERVER: '$HOME_NET',
  MODBUS_CLIENT: '$HOME_NET',
  ENIP_SERVER: '$HOME_NET',
  ENIP_CLIENT: '$HOME_NET',
  AIM_SERVERS:
    '[64.12.24.0/23,64.12.28.0/23,64.12.161.0/24,64.12.163.0/24,64.12.200.0/24,205.188.3.0/24,' +
    '205.188.5.0/24,205.188.7.0/24,205.188.9.0/24,205.188.153.0/24,205.188.179.0/24,' +
    '205.188.248.0/24]',
  HTTP_PORTS: DEFAULT_HTTP_PORTS,
  SHELLCODE_PORTS: '!80',
  ORACLE_PORTS: '1024:',
  SSH_PORTS: '22',
  FTP_PORTS: '[21,2100,3535]',
  SIP_PORTS: '[5060,5061,5600]',
  FILE_DATA_PORTS: '[$HTTP_PORTS,110,143]',
  GTP_PORTS: '[2123,2152,3386]',
  DNP3_PORTS: '20000',
  MODBUS_PORTS: '502',
};

/** A set of variables. Immutable: `with` returns a copy. */
export class Variables {
  private readonly values: ReadonlyMap<string, string>;

  constructor(values: Iterable<[string, string]> | Record<string, string> = DEFAULT_VARIABLES) {
    const entries = Symbol.iterator in Object(values)
      ? [...(values as Iterable<[string, string]>)]
      : Object.entries(values as Record<string, string>);
    this.values = new Map(entries.map(([k, v]) => [stripDollar(k), v.trim()]));
  }

  /** The stock defaults (`DEFAULT_VARIABLES`). */
  static defaults(): Variables {
    return new Variables(DEFAULT_VARIABLES);
  }

  /** A copy with `overrides` set (names with or without `$`). */
  with(overrides: Record<string, string> | Iterable<[string, string]>): Variables {
    const add = Symbol.iterator in Object(overrides)
      ? [...(overrides as Iterable<[string, string]>)]
      : Object.entries(overrides as Record<string, string>);
    const merged = new Map(this.values);
    for (const [k, v] of add) merged.set(stripDollar(k), v.trim());
    return new Variables(merged);
  }

  /**
   * A copy with `NAME=value` assignments (as given on a command line: `--var
   * HOME_NET=10.0.0.0/8`). Throws UsageError naming a malformed assignment.
   */
  withAssignments(assignments: readonly string[]): Variables {
    const pairs: [string, string][] = assignments.map((a) => {
      const m = /^\$?([A-Za-z_][A-Za-z0-9_]*)=(.+)$/s.exec(a.trim());
      if (!m) throw new UsageError(`bad variable assignment '${a}' (expected NAME=value, e.g. HOME_NET=10.0.0.0/8)`);
      return [m[1], m[2]];
    });
    return this.with(pairs);
  }

  get(name: string): string | undefined {
    return this.values.get(stripDollar(name));
  }

  has(name: string): boolean {
    return this.values.has(stripDollar(name));
  }

  names(): string[] {
    return [...this.values.keys()];
  }

  /**
   * A copy with the variables defined in a snort.conf-style text: Snort 2 `var`, `ipvar`,
   * `portvar` lines and Snort 3 Lua assignments `NAME = 'value'` / `NAME = "value"` /
   * `NAME = [[value]]` (space-separated lists in Snort 3 values are accepted). Other lines
   * are ignored. A malformed variable line throws a RuleParseError with its line number.
   */
  withConfig(text: string, file?: string): Variables {
    const found: [string, string][] = [];
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      if (line === '' || line.startsWith('#') || line.startsWith('--')) continue;
      const m2 = /^(ipvar|portvar|var)\s+(\S+)(?:\s+(.*))?$/.exec(line);
      if (m2) {
        const name = m2[2];
        const value = (m2[3] ?? '').trim();
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
          throw new RuleParseError(`bad variable name '${name}'`, i + 1, file);
        }
        if (value === '') throw new RuleParseError(`variable ${name} has no value`, i + 1, file);
        found.push([name, value]);
        continue;
      }
      const m3 = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:'([^']*)'|"([^"]*)"|\[\[([\s\S]*?)\]\])\s*,?\s*$/.exec(line);
      if (m3) found.push([m3[1], (m3[2] ?? m3[3] ?? m3[4]).trim()]);
    }
    return this.with(found);
  }
}

function stripDollar(name: string): string {
  return name.startsWith('$') ? name.slice(1) : name;
}

// ---------------------------------------------------------------------------------------
// Interval algebra over bigint bounds (IPv4 fits in 32 bits, IPv6 in 128, ports in 16).

type Intervals = [bigint, bigint][];

function normalize(list: Intervals): Intervals {
  const s = list.slice().sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Intervals = [];
  for (const [lo, hi] of s) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1n) {
      if (hi > last[1]) last[1] = hi;
    } else out.push([lo, hi]);
  }
  return out;
}

function complement(list: Intervals, max: bigint): Intervals {
  const out: Intervals = [];
  let next = 0n;
  for (const [lo, hi] of list) {
    if (lo > next) out.push([next, lo - 1n]);
    next = hi + 1n;
  }
  if (next <= max) out.push([next, max]);
  return out;
}

function intersect(a: Intervals, b: Intervals): Intervals {
  const out: Intervals = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = a[i][0] > b[j][0] ? a[i][0] : b[j][0];
    const hi = a[i][1] < b[j][1] ? a[i][1] : b[j][1];
    if (lo <= hi) out.push([lo, hi]);
    if (a[i][1] < b[j][1]) i++;
    else j++;
  }
  return out;
}

/**
 * Splits a list body `a,b,[c,d],!e` (or space separated, as in Snort 3 values) at top-level
 * separators. Throws on unbalanced brackets.
 */
function splitList(body: string, what: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of body) {
    if (ch === '[') depth++;
    else if (ch === ']') {
      depth--;
      if (depth < 0) throw new RuleParseError(`unbalanced ']' in ${what}`, 0);
    }
    if (depth === 0 && (ch === ',' || ch === ' ' || ch === '\t')) {
      if (cur.trim() !== '') items.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (depth !== 0) throw new RuleParseError(`unbalanced '[' in ${what}`, 0);
  if (cur.trim() !== '') items.push(cur.trim());
  return items;
}

/**
 * Evaluates a Snort list specification to intervals: `any`, `$VAR`, `!x`, `[items]`, or a
 * leaf (address/CIDR or port/range) via `leaf`. In a list, the result is the union of the
 * positive items (everything when there are none) minus every negated item, as in Snort.
 * `memo` holds each variable's value already evaluated in this specification, by name and
 * depth (the depth decides the nesting error): without it, variables that each list the
 * previous one several times (`var V2 [$V1,$V1,$V1]`...) take time exponential in their
 * number. Results are never mutated, so they can be shared.
 */
function evalSpec(
  text: string,
  vars: Variables,
  max: bigint,
  leaf: (t: string) => Intervals,
  what: string,
  depth: number,
  memo: Map<string, Intervals> = new Map(),
): Intervals {
  if (depth > 32) throw new RuleParseError(`variable nesting too deep (cycle?) in ${what}`, 0);
  const t = text.trim();
  if (t === '') throw new RuleParseError(`empty ${what}`, 0);
  if (t.startsWith('!')) {
    return complement(evalSpec(t.slice(1), vars, max, leaf, what, depth + 1, memo), max);
  }
  if (t === 'any') return [[0n, max]];
  if (t.startsWith('$')) {
    const name = t.slice(1);
    const key = `${depth} ${name}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const v = vars.get(name);
    if (v === undefined) throw new RuleParseError(`undefined variable $${name}`, 0);
    const value = evalSpec(v, vars, max, leaf, `${what} ($${name})`, depth + 1, memo);
    memo.set(key, value);
    return value;
  }
  let items: string[];
  if (t.startsWith('[')) {
    if (!t.endsWith(']')) throw new RuleParseError(`unterminated list '${t}' in ${what}`, 0);
    items = splitList(t.slice(1, -1), what);
    if (items.length === 0) throw new RuleParseError(`empty list in ${what}`, 0);
  } else if (/[\s,]/.test(t)) {
    items = splitList(t, what); // Snort 3 values: '80 8080' without brackets.
  } else {
    return normalize(leaf(t));
  }
  const pos: Intervals = [];
  const neg: Intervals = [];
  for (const item of items) {
    if (item.startsWith('!')) neg.push(...evalSpec(item.slice(1), vars, max, leaf, what, depth + 1, memo));
    else pos.push(...evalSpec(item, vars, max, leaf, what, depth + 1, memo));
  }
  const hasPositive = items.some((x) => !x.startsWith('!'));
  const base: Intervals = hasPositive ? normalize(pos) : [[0n, max]];
  return neg.length > 0 ? intersect(base, complement(normalize(neg), max)) : base;
}

// ---------------------------------------------------------------------------------------
// Ports.

const PORT_MAX = 65535n;

function portLeaf(t: string): Intervals {
  const num = (s: string): bigint => {
    if (!/^\d{1,5}$/.test(s) || Number(s) > 65535) throw new RuleParseError(`bad port '${s}'`, 0);
    return BigInt(s);
  };
  const c = t.indexOf(':');
  if (c < 0) {
    const p = num(t);
    return [[p, p]];
  }
  const lo = c === 0 ? 0n : num(t.slice(0, c));
  const hi = c === t.length - 1 ? PORT_MAX : num(t.slice(c + 1));
  if (lo > hi) throw new RuleParseError(`empty port range '${t}'`, 0);
  return [[lo, hi]];
}

/** A compiled port set: sorted disjoint inclusive ranges. */
export class PortSet {
  /** True when the set is every port (0..65535). */
  readonly any: boolean;
  /** Flattened [lo, hi] pairs, sorted, disjoint, inclusive. */
  readonly ranges: Uint32Array;

  constructor(readonly text: string, ranges: Intervals) {
    this.ranges = new Uint32Array(ranges.length * 2);
    ranges.forEach(([lo, hi], i) => {
      this.ranges[2 * i] = Number(lo);
      this.ranges[2 * i + 1] = Number(hi);
    });
    this.any = ranges.length === 1 && ranges[0][0] === 0n && ranges[0][1] === PORT_MAX;
  }

  has(port: number): boolean {
    if (this.any) return true;
    const r = this.ranges;
    let lo = 0;
    let hi = (r.length >>> 1) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (port < r[2 * mid]) hi = mid - 1;
      else if (port > r[2 * mid + 1]) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /** True when the set is empty (e.g. `[80,!80]`): such a rule can never fire. */
  get empty(): boolean {
    return this.ranges.length === 0;
  }

  /** Number of ports in the set. */
  get size(): number {
    let n = 0;
    for (let i = 0; i < this.ranges.length; i += 2) n += this.ranges[i + 1] - this.ranges[i] + 1;
    return n;
  }
}

// ---------------------------------------------------------------------------------------
// Addresses.

const V4_MAX = 0xffffffffn;
const V6_MAX = (1n << 128n) - 1n;

/** An IP address as the header matcher takes it: IPv4 as an unsigned 32-bit number, IPv6 as 16 bytes. */
export type IpAddress = number | Uint8Array;

/** Parses dotted IPv4 to a u32, or undefined. */
export function parseIpv4(t: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(t);
  if (!m) return undefined;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return undefined;
    v = v * 256 + o;
  }
  return v;
}

/** Parses an IPv6 address (with `::` and an optional dotted IPv4 tail) to 16 bytes, or undefined. */
export function parseIpv6(t: string): Uint8Array | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(t) || !t.includes(':')) return undefined;
  const halves = t.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >>> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

/** Parses an address in text form (for tests, configuration and the CLI). */
export function parseIp(t: string): IpAddress | undefined {
  return parseIpv4(t) ?? parseIpv6(t);
}

function v6ToBig(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = 0; i < 16; i++) v = (v << 8n) | BigInt(b[i]);
  return v;
}

/** Leaves produce intervals tagged by family: v4 in [0, 2^32), v6 shifted above (2^32 + x). */
const V6_BASE = V4_MAX + 1n;
const ADDR_MAX = V6_BASE + V6_MAX;

function addrLeaf(t: string): Intervals {
  const slash = t.indexOf('/');
  const ipText = slash < 0 ? t : t.slice(0, slash);
  const bitsText = slash < 0 ? undefined : t.slice(slash + 1);
  const v4 = parseIpv4(ipText);
  if (v4 !== undefined) {
    let bits = 32;
    if (bitsText !== undefined) {
      // Snort 2 also accepts a dotted netmask (1.2.3.0/255.255.255.0).
      const mask = parseIpv4(bitsText);
      if (mask !== undefined) {
        bits = 32 - Math.log2(((~mask >>> 0) + 1) || 2 ** 32);
        if (!Number.isInteger(bits)) throw new RuleParseError(`bad netmask '${t}'`, 0);
      } else if (/^\d{1,2}$/.test(bitsText) && Number(bitsText) <= 32) bits = Number(bitsText);
      else throw new RuleParseError(`bad CIDR '${t}'`, 0);
    }
    const size = 1n << BigInt(32 - bits);
    const lo = (BigInt(v4) / size) * size;
    return [[lo, lo + size - 1n]];
  }
  const v6 = parseIpv6(ipText);
  if (v6 !== undefined) {
    let bits = 128;
    if (bitsText !== undefined) {
      if (!/^\d{1,3}$/.test(bitsText) || Number(bitsText) > 128) throw new RuleParseError(`bad CIDR '${t}'`, 0);
      bits = Number(bitsText);
    }
    const size = 1n << BigInt(128 - bits);
    const lo = (v6ToBig(v6) / size) * size;
    return [[V6_BASE + lo, V6_BASE + lo + size - 1n]];
  }
  throw new RuleParseError(`bad address '${t}'`, 0);
}

/**
 * A compiled address set. IPv4 membership is a binary search over a Float64Array of
 * inclusive [lo, hi] pairs (no allocation); IPv6 uses bigint ranges (rare in traces, and
 * one bigint per test is acceptable there).
 */
export class AddressSet {
  readonly any: boolean;
  readonly v4: Float64Array;
  readonly v6: readonly [bigint, bigint][];

  constructor(readonly text: string, intervals: Intervals) {
    const v4: number[] = [];
    const v6: [bigint, bigint][] = [];
    for (const [lo, hi] of intervals) {
      if (lo <= V4_MAX) {
        v4.push(Number(lo), Number(hi < V4_MAX ? hi : V4_MAX));
        if (hi > V4_MAX) v6.push([0n, hi - V6_BASE]);
      } else v6.push([lo - V6_BASE, hi - V6_BASE]);
    }
    this.v4 = Float64Array.from(v4);
    this.v6 = v6;
    this.any = intervals.length === 1 && intervals[0][0] === 0n && intervals[0][1] === ADDR_MAX;
  }

  has(addr: IpAddress): boolean {
    if (this.any) return true;
    if (typeof addr === 'number') {
      const r = this.v4;
      let lo = 0;
      let hi = (r.length >>> 1) - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if (addr < r[2 * mid]) hi = mid - 1;
        else if (addr > r[2 * mid + 1]) lo = mid + 1;
        else return true;
      }
      return false;
    }
    const v = v6ToBig(addr);
    for (const [lo, hi] of this.v6) if (v >= lo && v <= hi) return true;
    return false;
  }

  /**
   * Membership from raw address bytes as a packet decoder holds them: IPv4 in the first 4
   * bytes (no allocation), IPv6 in 16 bytes.
   */
  hasBytes(bytes: Uint8Array, ipVersion: number): boolean {
    if (this.any) return true;
    if (ipVersion === 4) return this.has(((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0);
    if (ipVersion === 6) return this.has(bytes.length === 16 ? bytes : bytes.subarray(0, 16));
    return false;
  }

  get empty(): boolean {
    return this.v4.length === 0 && this.v6.length === 0;
  }
}

/**
 * Compiles header specifications with a cache keyed by text. One compiler per Variables
 * value (a rule file loaded with other variables gets another compiler).
 */
export class SpecCompiler {
  private readonly ports = new Map<string, PortSet>();
  private readonly addrs = new Map<string, AddressSet>();

  constructor(readonly vars: Variables = Variables.defaults()) {}

  /** Throws RuleParseError (line 0) on a malformed specification or an undefined variable. */
  portSet(text: string): PortSet {
    let s = this.ports.get(text);
    if (!s) {
      s = new PortSet(text, evalSpec(text, this.vars, PORT_MAX, portLeaf, `port '${text}'`, 0));
      this.ports.set(text, s);
    }
    return s;
  }

  addressSet(text: string): AddressSet {
    let s = this.addrs.get(text);
    if (!s) {
      s = new AddressSet(text, evalSpec(text, this.vars, ADDR_MAX, addrLeaf, `address '${text}'`, 0));
      this.addrs.set(text, s);
    }
    return s;
  }
}
