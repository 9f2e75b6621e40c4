/**
 * The option table: which handler reads each rule option. Options are applied in rule
 * order to one `RuleDraft`; a name not in the table is a buffer keyword, else a packet
 * check, else recorded as unsupported.
 */
import type { RuleDraft } from './draft.js';
import { classtypeOption, metadataOption, msgOption, parseInteger, referenceOption, serviceOption } from './info.js';
import {
  dsizeOption,
  flowbitsOption,
  flowOption,
  isdataatOption,
  packetCheckOption,
  payloadCheckOption,
  rateLimitOption,
} from './conditions.js';
import { bufferKeyword, CONTENT_MODIFIERS, contentOption, modifierOption, pcreOption, stickyOption } from './patterns.js';

/** Reads one option into the draft. `name` is the lowercased option name. Fails with `Reject`. */
type OptionHandler = (d: RuleDraft, value: string | undefined, name: string) => void;

const ignore: OptionHandler = () => {};

const OPTION_HANDLERS = new Map<string, OptionHandler>([
  // `sid` is read before the other options, so that every error can name it.
  ['sid', ignore],
  ['msg', msgOption],
  ['rev', (d, v) => void (d.rev = parseInteger(v, 'rev'))],
  ['gid', (d, v) => void (d.gid = parseInteger(v, 'gid'))],
  ['priority', (d, v) => void (d.priority = parseInteger(v, 'priority'))],
  ['classtype', classtypeOption],
  ['metadata', metadataOption],
  ['service', serviceOption],
  ['reference', referenceOption],
  ['flow', flowOption],
  ['dsize', dsizeOption],
  ['flowbits', flowbitsOption],
  ['content', contentOption],
  ['uricontent', contentOption],
  ['pcre', pcreOption],
  ['regex', pcreOption],
  ...CONTENT_MODIFIERS.map((m): [string, OptionHandler] => [m, modifierOption]),
  ['pkt_data', stickyOption('pkt')],
  ['raw_data', stickyOption('raw')],
  ['threshold', rateLimitOption],
  ['detection_filter', rateLimitOption],
  ['byte_test', payloadCheckOption],
  ['byte_jump', payloadCheckOption],
  ['urilen', payloadCheckOption],
  ['bufferlen', payloadCheckOption],
  ['isdataat', isdataatOption],
  // Options that do not change whether a rule matches.
  ['target', ignore],
  ['rem', ignore],
  ['soid', ignore],
  ['tag', ignore],
]);

/** Applies one option of a rule to its draft. Fails with `Reject`. */
export function applyOption(d: RuleDraft, name: string, value: string | undefined): void {
  const handler = OPTION_HANDLERS.get(name);
  if (handler) handler(d, value, name);
  else if (!bufferKeyword(d, name)) packetCheckOption(d, value, name);
}
