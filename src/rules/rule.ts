/**
 * The parsed form of a Snort rule, shared by the parser, rule selection and the rule
 * semantics model. Plain immutable data (plus the compiled header sets), independent of any
 * engine: a rule's patterns are kept as text (`content` bytes, `pcre` source) and turned into
 * engine signatures by `src/detect/program.ts`.
 */
import type { PacketCheck } from './packet-options.js';
import type { PlacedCheck } from './payload-checks.js';
import type { AddressSet, PortSet } from './vars.js';

/** A rule's action keyword (the first header field). */
export type RuleAction = 'alert' | 'log' | 'pass' | 'drop' | 'reject' | 'sdrop' | 'activate' | 'dynamic' | 'block' | 'rewrite';

/** The layer-3/4 protocol a rule's header is checked against. */
export type Transport = 'ip' | 'tcp' | 'udp' | 'icmp';

/**
 * Where a pattern is looked for. `pkt` is the packet (or reassembled stream) payload;
 * `raw` is Snort's `rawbytes`/`raw_data` (the same bytes for us: we do not normalize);
 * the others are Snort/Suricata inspection buffers (HTTP, file data, ...), named as Snort 2
 * names the content modifier (`http_uri`, `http_header`, `file_data`, ...).
 */
export type BufferName = string;

/** A relative or absolute modifier value that is a `byte_extract` variable, not a number. */
export interface VariableModifier {
  readonly variable: string;
}

/** A `content` (or `uricontent`) option with its modifiers. */
export interface ContentPattern {
  readonly kind: 'content';
  /** Bytes to look for (after `|hex|` and escape decoding). */
  readonly bytes: Uint8Array;
  /** The option value as written (between the quotes). */
  readonly text: string;
  readonly negated: boolean;
  readonly nocase: boolean;
  readonly buffer: BufferName;
  readonly offset?: number;
  readonly depth?: number;
  readonly distance?: number;
  readonly within?: number;
  /** Suricata `startswith` (match at buffer start) and `endswith` (match ends at buffer end). */
  readonly startsWith: boolean;
  readonly endsWith: boolean;
  readonly fastPattern: boolean;
  /** Modifiers given as `byte_extract` variables; the model drops them (counted approximation). */
  readonly variableModifiers: readonly string[];
}

/** A `pcre` (or Snort 3 `regex`) option. */
export interface PcrePattern {
  readonly kind: 'pcre';
  /** The pattern as written between the option's quotes, e.g. `/^USER\s+w0rm/smi`. */
  readonly source: string;
  /** The text between the delimiters. */
  readonly pattern: string;
  /** All flags as written (PCRE and Snort). */
  readonly flags: string;
  readonly negated: boolean;
  /** `R`: the match starts at or after the end of the previous pattern match in the buffer. */
  readonly relative: boolean;
  readonly buffer: BufferName;
}

/** One pattern option of a rule. */
export type RulePattern = ContentPattern | PcrePattern;

/** One `metadata` item: its first word and the rest. */
export interface MetadataEntry {
  readonly key: string;
  readonly value: string;
}

/** One `reference`: the system (`cve`, `url`, ...) and the id. */
export interface Reference {
  readonly system: string;
  readonly id: string;
}

/** `flow` keywords. Undefined fields mean "not constrained". */
export interface FlowSpec {
  /** to_server / from_client: true; to_client / from_server: false. */
  readonly toServer?: boolean;
  /** established: true; not_established: false. */
  readonly established?: boolean;
  readonly stateless: boolean;
  /** only_stream: true (reassembled only); no_stream: false (packets only). */
  readonly stream?: boolean;
  /** Keywords as written, for display. */
  readonly keywords: readonly string[];
}

/**
 * One `flowbits` option. Names joined by `&` (all) or `|` (any, for isset/isnotset).
 * `noalert` has no names.
 */
export interface FlowbitOption {
  readonly op: 'set' | 'unset' | 'toggle' | 'isset' | 'isnotset' | 'noalert' | 'reset';
  readonly names: readonly string[];
  /** For isset/isnotset with several names: true when joined by `&`. */
  readonly all: boolean;
}

/** `dsize`: payload size test. */
export interface DsizeSpec {
  /** `<>` is exclusive of both bounds (Snort 2, Suricata), `<=>` inclusive (Snort 3). */
  readonly op: '=' | '!=' | '<' | '>' | '<=' | '>=' | '<>' | '<=>';
  readonly a: number;
  readonly b?: number;
}

/**
 * The header's address and port specs as written (before variable expansion), `<-` turned
 * around.
 */
export interface RuleHeader {
  readonly src: string;
  readonly srcPorts: string;
  readonly direction: '->' | '<>';
  readonly dst: string;
  readonly dstPorts: string;
}

/** One parsed rule: header, options and what the model ignores. */
export interface Rule {
  /** Index of the rule in the parse output (stable id for engines and alerts). */
  readonly id: number;
  readonly file?: string;
  /** 1-based line where the rule starts. */
  readonly line: number;
  /** False for a commented-out rule loaded with `includeDisabled`. */
  readonly enabled: boolean;
  readonly dialect: 'snort2' | 'snort3';
  /** The rule text (continuations joined, leading `#` of a disabled rule removed). */
  readonly text: string;

  readonly action: RuleAction;
  /** Protocol as written (`tcp`, `http`, `tcp-stream`, ...). */
  readonly protocol: string;
  /** The transport the header matches (`http` → `tcp`, ...). */
  readonly transport: Transport;
  /** True when `protocol` names an application protocol we approximate by its transport. */
  readonly appProtocol: boolean;
  readonly header: RuleHeader;
  readonly src: AddressSet;
  readonly srcPorts: PortSet;
  readonly dst: AddressSet;
  readonly dstPorts: PortSet;

  readonly gid: number;
  readonly sid: number;
  readonly rev: number;
  readonly msg: string;
  readonly classtype?: string;
  readonly priority?: number;
  readonly metadata: readonly MetadataEntry[];
  /** Services from Snort 3 `service:`, `metadata: service x` and an application protocol header. */
  readonly services: readonly string[];
  /** `metadata: policy <name> <action>` names (e.g. `balanced-ips`, `security-ips`). */
  readonly policies: readonly string[];
  readonly references: readonly Reference[];
  readonly flow?: FlowSpec;
  readonly dsize?: DsizeSpec;
  /** Patterns in rule order (order matters for relative modifiers). */
  readonly patterns: readonly RulePattern[];
  /**
   * `threshold` / `detection_filter` as written: they limit how often a matching rule
   * alerts (per source/destination and time window); applying them is the alert layer's
   * job. Not match conditions, so not in `unsupported`.
   */
  readonly rateLimits: readonly { readonly name: string; readonly value: string }[];
  /** byte_test / byte_jump / relative isdataat, placed between the patterns. */
  readonly payloadChecks: readonly PlacedCheck[];
  /** Packet-level conditions (ip_proto, flags, itype, icode, seq, ack, window, isdataat). */
  readonly packetChecks: readonly PacketCheck[];
  /** `flowbits` options in rule order (state per flow, kept by the caller). */
  readonly flowbits: readonly FlowbitOption[];
  /** `flowbits:noalert`: the rule matches (and sets its flowbits) but never alerts. */
  readonly noalert: boolean;
  /** Option names whose conditions the model ignores (byte_test, flowbits, isdataat...). */
  readonly unsupported: readonly string[];
}

/** Why a rule was rejected, as a short stable code (the summary counts these). */
export type RejectKind =
  | 'not-a-rule'
  | 'bad-header'
  | 'bad-protocol'
  | 'bad-address'
  | 'bad-port'
  | 'undefined-variable'
  | 'unterminated'
  | 'missing-sid'
  | 'bad-option'
  | 'bad-content'
  | 'bad-pcre'
  | 'modifier-without-pattern'
  /** A pattern the engines cannot express (backreference, lookaround, budget...). */
  | 'unsupported-pattern'
  /** No content/pcre and conditions we ignore: the rule would fire on every packet. */
  | 'unsupported-option'
  /** Gated on an application-protocol parser we do not have (dce_iface, modbus_func...). */
  | 'protocol-gated';
