/**
 * Alert output formats of the `replay` command: Snort's fast-alert line and one JSON object
 * per alert. Both are pure functions of an `Alert`; the JSON field names are a contract
 * other tools rely on (see docs/cli.md, "Output"): `sid`, `rev`, `msg`, `ts`, `packet`, `proto`, `src`,
 * `sport`, `dst`, `dport` are always present.
 *
 * Classification descriptions and default priorities come from Snort's stock
 * `classification.config` (plus the few classtypes Emerging Threats adds), so a rule's
 * `classtype` prints as Snort prints it; an unknown classtype prints as its own name with
 * priority 3. Timestamps are UTC (like `snort -U`), so output does not depend on the
 * machine's time zone.
 */
import type { Alert } from './replay.js';

/** classtype → [description, default priority] (Snort 2.9 classification.config, ET additions). */
export const CLASSIFICATIONS: Readonly<Record<string, readonly [string, number]>> = {
  'not-suspicious': ['Not Suspicious Traffic', 3],
  unknown: ['Unknown Traffic', 3],
  'bad-unknown': ['Potentially Bad Traffic', 2],
  'attempted-recon': ['Attempted Information Leak', 2],
  'successful-recon-limited': ['Information Leak', 2],
  'successful-recon-largescale': ['Large Scale Information Leak', 2],
  'attempted-dos': ['Attempted Denial of Service', 2],
  'successful-dos': ['Denial of Service', 2],
  'attempted-user': ['Attempted User Privilege Gain', 1],
  'unsuccessful-user': ['Unsuccessful User Privilege Gain', 1],
  'successful-user': ['Successful User Privilege Gain', 1],
  'attempted-admin': ['Attempted Administrator Privilege Gain', 1],
  'successful-admin': ['Successful Administrator Privilege Gain', 1],
  'rpc-portmap-decode': ['Decode of an RPC Query', 2],
  'shellcode-detect': ['Executable code was detected', 1],
  'string-detect': ['A suspicious string was detected', 3],
  'suspicious-filename-detect': ['A suspicious filename was detected', 2],
  'suspicious-login': ['An attempted login using a suspicious username was detected', 2],
  'system-call-detect': ['A system call was detected', 2],
  'tcp-connection': ['A TCP connection was detected', 4],
  'trojan-activity': ['A Network Trojan was detected', 1],
  'unusual-client-port-connection': ['A client was using an unusual port', 2],
  'network-scan': ['Detection of a Network Scan', 3],
  'denial-of-service': ['Detection of a Denial of Service Attack', 2],
  'non-standard-protocol': ['Detection of a non-standard protocol or event', 2],
  'protocol-command-decode': ['Generic Protocol Command Decode', 3],
  'web-application-activity': ['access to a potentially vulnerable web application', 2],
  'web-application-attack': ['Web Application Attack', 1],
  'misc-activity': ['Misc activity', 3],
  'misc-attack': ['Misc Attack', 2],
  'icmp-event': ['Generic ICMP event', 3],
  'inappropriate-content': ['Inappropriate Content was Detected', 1],
  'policy-violation': ['Potential Corporate Privacy Violation', 1],
  'default-login-attempt': ['Attempt to login by a default username and password', 2],
  sdf: ['Sensitive Data was Transmitted Across the Network', 2],
  'file-format': ['Known malicious file or file based exploit', 1],
  'malware-cnc': ['Known malware command and control traffic', 1],
  'client-side-exploit': ['Known client side exploit attempt', 1],
  'credential-theft': ['Successful Credential Theft Detected', 1],
  'social-engineering': ['Possible Social Engineering Attempted', 2],
  'targeted-activity': ['Targeted Malicious Activity was Detected', 1],
  'exploit-kit': ['Exploit Kit Activity Detected', 1],
  'external-ip-check': ['Device Retrieving External IP Address Detected', 2],
  'domain-c2': ['Domain Observed Used for C2 Detected', 1],
  'pup-activity': ['Possibly Unwanted Program Detected', 2],
  'coin-mining': ['Crypto Currency Mining Activity Detected', 2],
  'command-and-control': ['Malware Command and Control Activity Detected', 1],
};

/** The priority Snort reports: the rule's `priority`, else its classtype's, else 3. */
export function alertPriority(classtype: string | undefined, priority: number | undefined): number {
  if (priority !== undefined) return priority;
  if (classtype !== undefined) return CLASSIFICATIONS[classtype]?.[1] ?? 3;
  return 3;
}

const PROTO_NAMES: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'IPV6-ICMP' };

/** `TCP`, `UDP`, `ICMP`, `IPV6-ICMP`, else `PROTO:<n>` (Snort prints the number for others). */
export function protoName(proto: number): string {
  return PROTO_NAMES[proto] ?? `PROTO:${String(proto).padStart(3, '0')}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Snort's fast-alert timestamp `MM/DD-HH:MM:SS.uuuuuu`, in UTC. */
export function fastTimestamp(sec: number, nsec: number): string {
  const d = new Date(sec * 1000);
  if (Number.isNaN(d.getTime())) return `${sec}.${String(Math.floor(nsec / 1000)).padStart(6, '0')}`;
  return `${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}-${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:` +
    `${pad2(d.getUTCSeconds())}.${String(Math.floor(nsec / 1000)).padStart(6, '0')}`;
}

/** ISO 8601 UTC with microseconds (what the JSON `ts` field holds). */
export function isoTimestamp(sec: number, nsec: number): string {
  const d = new Date(sec * 1000);
  if (Number.isNaN(d.getTime())) return `${sec}.${String(nsec).padStart(9, '0')}`;
  return `${d.toISOString().slice(0, 19)}.${String(Math.floor(nsec / 1000)).padStart(6, '0')}Z`;
}

function endpoint(addr: string, port: number, ipVersion: number, ports: boolean): string {
  if (!ports) return addr;
  return ipVersion === 6 ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/**
 * `MM/DD-HH:MM:SS.uuuuuu  [**] [gid:sid:rev] msg [**] [Classification: ...] [Priority: N] {PROTO} src:sport -> dst:dport`
 * (no classification part when the rule has no classtype; no ports for port-less protocols).
 */
export function formatFast(a: Alert): string {
  const r = a.rule;
  const cls = r.classtype !== undefined ? `[Classification: ${CLASSIFICATIONS[r.classtype]?.[0] ?? r.classtype}] ` : '';
  const ports = a.proto === 6 || a.proto === 17;
  return `${fastTimestamp(a.tsSec, a.tsNsec)}  [**] [${r.gid}:${r.sid}:${r.rev}] ${r.msg} [**] ${cls}` +
    `[Priority: ${alertPriority(r.classtype, r.priority)}] {${protoName(a.proto)}} ` +
    `${endpoint(a.src, a.sport, a.ipVersion, ports)} -> ${endpoint(a.dst, a.dport, a.ipVersion, ports)}`;
}

/** The JSON-lines record of one alert (see the module comment for the stable fields). */
export function alertRecord(a: Alert): Record<string, unknown> {
  const r = a.rule;
  return {
    ts: isoTimestamp(a.tsSec, a.tsNsec),
    gid: r.gid,
    sid: r.sid,
    rev: r.rev,
    msg: r.msg,
    classtype: r.classtype ?? null,
    priority: alertPriority(r.classtype, r.priority),
    file: a.file,
    packet: a.packet,
    proto: protoName(a.proto),
    src: a.src,
    sport: a.sport,
    dst: a.dst,
    dport: a.dport,
    direction: a.toServer ? 'to_server' : 'to_client',
    stream: a.stream,
    offsets: a.offsets,
  };
}

/** One alert as a JSON line (without the newline): `alertRecord` serialized. */
export function formatJson(a: Alert): string {
  return JSON.stringify(alertRecord(a));
}
