/**
 * The rule header: `action proto src sport dir dst dport`, or Snort 3's `action proto` and
 * `action` forms (both mean any address and port). Addresses and ports are compiled through
 * the caller's `SpecCompiler`, so variables resolve as at this point of the file.
 * Every failure is a `Reject` (`bad-header`, `bad-protocol`, `bad-address`, `bad-port`,
 * `undefined-variable`).
 */
import { RuleParseError } from '../../errors.js';
import type { RejectKind, RuleAction, RuleHeader, Transport } from '../rule.js';
import type { AddressSet, PortSet, SpecCompiler } from '../vars.js';
import { headerTokens } from './lexer.js';
import { fail } from './reject.js';

const ACTIONS = new Set<string>(['alert', 'log', 'pass', 'drop', 'reject', 'sdrop', 'activate', 'dynamic', 'block', 'rewrite']);

/** Header protocol → [transport, is an application protocol approximated by its transport]. */
const PROTOCOLS: Record<string, [Transport, boolean]> = {
  ip: ['ip', false],
  tcp: ['tcp', false],
  udp: ['udp', false],
  icmp: ['icmp', false],
  icmpv6: ['icmp', false],
  icmp6: ['icmp', false],
  'tcp-pkt': ['tcp', false],
  'tcp-stream': ['tcp', false],
  http: ['tcp', true],
  http2: ['tcp', true],
  ftp: ['tcp', true],
  'ftp-data': ['tcp', true],
  smtp: ['tcp', true],
  ssl: ['tcp', true],
  tls: ['tcp', true],
  ssh: ['tcp', true],
  smb: ['tcp', true],
  dcerpc: ['ip', true],
  netbios: ['ip', true],
  imap: ['tcp', true],
  pop3: ['tcp', true],
  telnet: ['tcp', true],
  irc: ['tcp', true],
  rdp: ['tcp', true],
  rfb: ['tcp', true],
  mqtt: ['tcp', true],
  modbus: ['tcp', true],
  dnp3: ['tcp', true],
  enip: ['ip', true],
  pgsql: ['tcp', true],
  ldap: ['ip', true],
  nfs: ['ip', true],
  krb5: ['ip', true],
  dns: ['ip', true],
  sip: ['ip', true],
  llmnr: ['udp', true],
  ntp: ['udp', true],
  snmp: ['udp', true],
  tftp: ['udp', true],
  dhcp: ['udp', true],
  ikev2: ['udp', true],
  file: ['ip', true],
};

/** A parsed header: the rule fields it fills, with the address and port specs compiled. */
export interface ParsedHeader {
  action: RuleAction;
  /** The header protocol keyword, lowercased. */
  protocol: string;
  transport: Transport;
  /** The protocol is an application protocol approximated by its transport. */
  appProtocol: boolean;
  /** The header as written, with `<-` turned around to `->`. */
  header: RuleHeader;
  src: AddressSet;
  srcPorts: PortSet;
  dst: AddressSet;
  dstPorts: PortSet;
}

/** Parses the header text (everything before the option list's `(`). Fails with `Reject`. */
export function parseHeader(text: string, specs: SpecCompiler): ParsedHeader {
  const tokens = headerTokens(text);
  const action = tokens[0] as RuleAction;
  if (!ACTIONS.has(action)) fail('bad-header', `unknown action '${tokens[0]}'`);
  let protocol = 'ip';
  let src = 'any';
  let sport = 'any';
  let dir = '->';
  let dst = 'any';
  let dport = 'any';
  if (tokens.length === 7) [, protocol, src, sport, dir, dst, dport] = tokens;
  else if (tokens.length === 2) protocol = tokens[1];
  else if (tokens.length !== 1) fail('bad-header', `rule header has ${tokens.length} fields, expected 7 (or Snort 3's 'action proto')`);
  protocol = protocol.toLowerCase();
  const proto = PROTOCOLS[protocol];
  if (!proto) fail('bad-protocol', `unknown protocol '${protocol}'`);
  if (dir === '<-') [src, sport, dst, dport] = [dst, dport, src, sport];
  else if (dir !== '->' && dir !== '<>') fail('bad-header', `bad direction '${dir}'`);
  const srcSet = compileSpec(() => specs.addressSet(src), 'bad-address');
  const dstSet = compileSpec(() => specs.addressSet(dst), 'bad-address');
  const srcPorts = compileSpec(() => specs.portSet(sport), 'bad-port');
  const dstPorts = compileSpec(() => specs.portSet(dport), 'bad-port');
  return {
    action,
    protocol,
    transport: proto[0],
    appProtocol: proto[1],
    header: { src, srcPorts: sport, direction: dir === '<>' ? '<>' : '->', dst, dstPorts: dport },
    src: srcSet,
    srcPorts,
    dst: dstSet,
    dstPorts,
  };
}

/** Runs one spec compilation, turning its `RuleParseError` into a `Reject` of `kind`. */
function compileSpec<T>(f: () => T, kind: RejectKind): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RuleParseError) {
      fail(/undefined variable/.test(e.reason) ? 'undefined-variable' : kind, e.reason);
    }
    throw e;
  }
}
