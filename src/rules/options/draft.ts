/**
 * The rule being built: the option-dependent fields of a `Rule`, filled option by option
 * in rule order, plus the two pieces of parser state the options share (the current sticky
 * buffer and the last content, which Snort 2 modifiers apply to).
 */
import type {
  BufferName,
  ContentPattern,
  DsizeSpec,
  FlowbitOption,
  FlowSpec,
  MetadataEntry,
  Reference,
  RulePattern,
} from '../rule.js';
import type { PacketCheck } from '../packet-options.js';
import type { PlacedCheck } from '../payload-checks.js';
import type { Mutable } from './reject.js';

/** The option-dependent fields of a rule under construction, and the option parser's state. */
export interface RuleDraft {
  /** The rule's dialect, decided before its options are read. */
  readonly dialect: 'snort2' | 'snort3';
  gid: number;
  rev: number;
  msg: string;
  classtype?: string;
  priority?: number;
  metadata: MetadataEntry[];
  services: string[];
  policies: string[];
  references: Reference[];
  flow?: FlowSpec;
  dsize?: DsizeSpec;
  patterns: RulePattern[];
  noalert: boolean;
  unsupported: string[];
  /** Options no tool defines (subset of `unsupported`): reported as warnings by the parser. */
  unknown: string[];
  packetChecks: PacketCheck[];
  rateLimits: { name: string; value: string }[];
  payloadChecks: PlacedCheck[];
  flowbits: FlowbitOption[];
  /** The buffer later patterns read (Snort 3 sticky buffers, `file_data`, ...). */
  sticky: BufferName;
  /** The last `content`, the target of Snort 2 modifier options. */
  last?: Mutable<ContentPattern>;
}

/** An empty draft; `appService` (an application protocol header) becomes its first service. */
export function newDraft(dialect: 'snort2' | 'snort3', appService: string | undefined): RuleDraft {
  return {
    dialect,
    gid: 1,
    rev: 0,
    msg: '',
    metadata: [],
    services: appService === undefined ? [] : [appService],
    policies: [],
    references: [],
    patterns: [],
    noalert: false,
    unsupported: [],
    unknown: [],
    packetChecks: [],
    rateLimits: [],
    payloadChecks: [],
    flowbits: [],
    sticky: 'pkt',
  };
}

/** Records an option whose condition the model ignores (once per name). */
export function addUnsupported(d: RuleDraft, name: string): void {
  if (!d.unsupported.includes(name)) d.unsupported.push(name);
}
