/**
 * Runs suricata-verify cases (rules + pcap + `test.yaml`) through the library-level replay
 * and compares alert counts with the yaml's `checks`.
 *
 * What is compared: every check whose `match` selects alerts (`event_type: alert`). Our
 * alert records carry `event_type`, `alert.signature_id`, `alert.signature`, `alert.gid`,
 * `alert.rev`, `src_ip`, `dest_ip`, `src_port`, `dest_port`, `proto`, `ip_v`, `pcap_cnt`
 * (1-based packet number), `direction` and `stream` (1 when decided on reassembled
 * data). `pcap_cnt` is NOT compared: Suricata raises a stream alert on the packet at
 * which its stream engine inspects (after the ACK, or at the app-layer transaction end);
 * ours is the packet whose bytes completed the match. Match keys we cannot produce (payload bytes, app-layer fields such as `http.*`,
 * `dns.*`, tunnel and verdict fields, `flow.*`, `tx_id`) are ignored and listed per case,
 * so a reader can see which checks were compared only in part. Checks limited to older
 * Suricata versions (`requires: lt-version`) are skipped (we follow the current one).
 * Non-alert checks (flow, http, dns, stats events...) are not ours and not compared.
 *
 * The replay runs in stream mode (Suricata inspects TCP on the reassembled stream) with
 * the engine given (default nfa); `--set stream.midstream=true` in a case's args turns on
 * mid-stream pickup (such sessions count as established).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineName } from '../../src/matcher/types.js';
import { prepareRules, Replayer, type Alert, type MidstreamPolicy } from '../../src/replay/index.js';
import { parseYaml, type YamlValue } from './mini-yaml.js';

export interface ManifestEntry {
  test: string;
  pcaps: string[];
  rule_files: string[];
  args: string[] | null;
  tier: string;
}

export interface CheckResult {
  /** The match as written (alert checks only). */
  match: Record<string, YamlValue>;
  expected: string;
  got: number;
  pass: boolean;
  ignoredKeys: string[];
}

export interface CaseResult {
  test: string;
  pass: boolean;
  /** No alert check to compare (the case checks only other event types). */
  noAlertChecks: boolean;
  checks: CheckResult[];
  alerts: number;
  /** Why it could not run (unreadable file, yaml error), else undefined. */
  error?: string;
  rejectedRules: string[];
}

const SUPPORTED = new Set([
  'event_type', 'alert.signature_id', 'alert.signature', 'alert.gid', 'alert.rev', 'src_ip', 'dest_ip', 'src_port',
  'dest_port', 'proto', 'ip_v', 'direction', 'stream',
]);

export function readManifest(root: string): ManifestEntry[] {
  return readFileSync(join(root, 'MANIFEST.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ManifestEntry);
}

/** Suricata's eve spelling of an IPv6 address: 8 groups of 4 hex digits. */
function eveIp(a: Alert, which: 'src' | 'dst'): string {
  const s = which === 'src' ? a.src : a.dst;
  if (a.ipVersion !== 6) return s;
  const [head, tail] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => g.padStart(4, '0')).join(':');
}

function record(a: Alert): Record<string, YamlValue> {
  return {
    event_type: 'alert',
    'alert.signature_id': a.rule.sid,
    'alert.signature': a.rule.msg,
    'alert.gid': a.rule.gid,
    'alert.rev': a.rule.rev,
    src_ip: eveIp(a, 'src'),
    dest_ip: eveIp(a, 'dst'),
    src_port: a.sport,
    dest_port: a.dport,
    proto: a.proto === 6 ? 'TCP' : a.proto === 17 ? 'UDP' : a.proto === 1 ? 'ICMP' : a.proto === 58 ? 'IPv6-ICMP' : String(a.proto),
    ip_v: a.ipVersion,
    pcap_cnt: a.packet,
    direction: a.toServer ? 'to_server' : 'to_client',
    stream: a.stream ? 1 : 0,
  };
}

/** Flattens nested maps into dotted keys (`alert: {signature_id: 1}` → `alert.signature_id`). */
function flatten(m: Record<string, YamlValue>, prefix = '', out: Record<string, YamlValue> = {}): Record<string, YamlValue> {
  for (const [k, v] of Object.entries(m)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v, `${prefix}${k}.`, out);
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

/**
 * The midstream exception policy of a case: `stream.midstream-policy`, else the
 * `exception-policy` master switch, each from `--set` in its args or else its
 * suricata.yaml; `auto` is drop-flow with `--simulate-ips` (IPS) and ignore otherwise.
 */
function midstreamPolicyOf(dir: string, args: string): MidstreamPolicy | undefined {
  const file = join(dir, 'suricata.yaml');
  const yaml = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const fromArgs = (key: string): string | undefined => new RegExp(`--set ${key.replace('.', '\\.')}=([\\w-]+)`).exec(args)?.[1];
  const policy =
    fromArgs('stream.midstream-policy') ?? /^[ \t]+midstream-policy:[ \t]*([\w-]+)/m.exec(yaml)?.[1] ??
    fromArgs('exception-policy') ?? /^exception-policy:[ \t]*([\w-]+)/m.exec(yaml)?.[1];
  if (policy === undefined) return undefined;
  if (policy === 'auto') return args.includes('--simulate-ips') ? 'drop-flow' : 'ignore';
  return policy as MidstreamPolicy;
}

/** The `action-order:` list of a case's suricata.yaml, if it sets one. */
function actionOrderOf(dir: string): string[] | undefined {
  const file = join(dir, 'suricata.yaml');
  if (!existsSync(file)) return undefined;
  const m = /^action-order:[ \t]*\n((?:[ \t]+-[ \t]*\w+[ \t]*\n)+)/m.exec(readFileSync(file, 'utf8'));
  return m ? [...m[1]!.matchAll(/-[ \t]*(\w+)/g)].map((x) => x[1]!) : undefined;
}

function asMap(v: YamlValue | undefined): Record<string, YamlValue> | undefined {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

export async function runCase(root: string, entry: ManifestEntry, engine: EngineName = 'nfa'): Promise<CaseResult> {
  const dir = join(root, 'tests', entry.test);
  const result: CaseResult = { test: entry.test, pass: false, noAlertChecks: false, checks: [], alerts: 0, rejectedRules: [] };
  let yaml: Record<string, YamlValue>;
  try {
    yaml = asMap(parseYaml(readFileSync(join(dir, 'test.yaml'), 'utf8'))) ?? {};
  } catch (e) {
    result.error = `test.yaml: ${(e as Error).message}`;
    return result;
  }
  const args = [...(entry.args ?? []), ...((Array.isArray(yaml.args) ? yaml.args : []) as YamlValue[]).map(String)].join(' ');
  const prepared = prepareRules({ ruleFiles: entry.rule_files.map((f) => join(root, f)), engine });
  if (prepared.unreadable.length > 0) {
    result.error = prepared.unreadable.map((e) => e.message).join('; ');
    return result;
  }
  result.rejectedRules = prepared.rejected.map((r) => `${r.kind}: ${r.error.message}`);
  const order = actionOrderOf(dir);
  if (order !== undefined) prepared.detector.setActionOrder(order);
  const midstreamPolicy = midstreamPolicyOf(dir, args);
  const replayer = new Replayer(prepared.detector, {
    mode: 'stream',
    midstream: /stream\.midstream=true/.test(args),
    asyncOneside: /stream\.async-oneside=true/.test(args),
    midstreamPolicy,
  });
  const alerts: Record<string, YamlValue>[] = [];
  // A yaml `pcap:` (relative to the case folder) overrides the manifest's.
  const pcaps = typeof yaml.pcap === 'string' ? [join('tests', entry.test, yaml.pcap)] : entry.pcaps;
  for (const p of pcaps) {
    const res = await replayer.replay(join(root, p), p, (a) => alerts.push(record(a)));
    if (res.error) {
      result.error = res.error.message;
      return result;
    }
  }
  result.alerts = alerts.length;
  const checks = Array.isArray(yaml.checks) ? yaml.checks : [];
  for (const c of checks) {
    const filter = asMap(asMap(c)?.filter);
    if (!filter) continue;
    const match = flatten(asMap(filter.match) ?? {});
    if (match.event_type !== 'alert') continue;
    const req = asMap(filter.requires);
    if (req && req['lt-version'] !== undefined) continue;
    const ignoredKeys = Object.keys(match).filter((k) => !SUPPORTED.has(k));
    const got = alerts.filter((a) => Object.entries(match).every(([k, v]) => !SUPPORTED.has(k) || a[k] === v)).length;
    let pass: boolean;
    let expected: string;
    if (typeof filter.count === 'number') {
      pass = got === filter.count;
      expected = `= ${filter.count}`;
    } else {
      const lt = typeof filter.lt === 'number' ? filter.lt : Infinity;
      const gt = typeof filter.gt === 'number' ? filter.gt : -Infinity;
      pass = got < lt && got > gt;
      expected = `${gt > -Infinity ? `> ${gt} ` : ''}${lt < Infinity ? `< ${lt}` : ''}`.trim();
    }
    result.checks.push({ match, expected, got, pass, ignoredKeys });
  }
  result.noAlertChecks = result.checks.length === 0;
  result.pass = result.checks.length > 0 && result.checks.every((c) => c.pass);
  return result;
}

/** One line per failing check, for reports. */
export function describeFailure(r: CaseResult): string {
  if (r.error) return `${r.test}: error: ${r.error}`;
  const bad = r.checks.filter((c) => !c.pass).map((c) => {
    const sid = c.match['alert.signature_id'];
    return `${sid !== undefined ? `sid ${String(sid)}` : 'all alerts'} expected ${c.expected}, got ${c.got}` +
      (c.ignoredKeys.length ? ` (ignored keys: ${c.ignoredKeys.join(', ')})` : '');
  });
  return `${r.test}: ${bad.join('; ')}`;
}
