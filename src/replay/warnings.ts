/**
 * Warnings of a replay: things that do not stop it but that leave it doing less than the
 * user may think (an empty rule set, an option nobody defines, packets of a link type the
 * decoder cannot read). The library never prints them: `prepareRules` returns the rule
 * warnings in `PreparedRules.warnings`, `Replayer.replay` the capture warnings in
 * `CaptureResult.warnings`; `aggregateWarnings` turns a list into lines for people, one
 * line per kind and subject (an unknown option met in 300 rules is one line).
 */
import type { RuleWarning } from '../rules/index.js';

/** The rule set to replay can raise no alert (`prepareRules`). */
export interface EmptyRuleSetWarning {
  readonly kind: 'empty-rule-set';
  /**
   * `no-rules`: the rule files hold no rule (or none that parsed); `all-disabled`: every rule
   * is commented out and `includeDisabled` is off; `none-selected`: the selector kept none;
   * `none-active`: every selected rule was rejected.
   */
  readonly reason: 'no-rules' | 'all-disabled' | 'none-selected' | 'none-active';
  readonly message: string;
}

/** One of several rule files (or stdin) holds no rule at all (`prepareRules`). */
export interface EmptyRuleFileWarning {
  readonly kind: 'empty-rule-file';
  readonly file: string;
  readonly message: string;
}

/** A capture held packets of a link type the decoder does not read: they were skipped (`Replayer.replay`). */
export interface LinkTypeWarning {
  readonly kind: 'unsupported-link-type';
  /** The capture, as named to `replay`. */
  readonly file: string;
  /** The LINKTYPE_* number, and libpcap's name for it. */
  readonly linkType: number;
  readonly linkName: string;
  /** Packets of that link type in the capture (all skipped: counted as not decodable to IP). */
  readonly packets: number;
  readonly message: string;
}

/** The warnings of rule preparation. */
export type RuleSetWarning = RuleWarning | EmptyRuleSetWarning | EmptyRuleFileWarning;

/** Any replay warning. */
export type ReplayWarning = RuleSetWarning | LinkTypeWarning;

/** `n thing(s)` with the plural when n ≠ 1. */
function count(n: number, thing: string): string {
  return `${n} ${thing}${n === 1 ? '' : 's'}`;
}

/**
 * Lines for people, in order of first occurrence: a warning met once is its own message;
 * repeated ones are merged (`unknown rule option 'frobnicate' in 3 rules (ignored), first at
 * x.rules:12`; `link type LINKTYPE_147 (147) not decoded: 30 packets skipped in 3
 * captures, first a.pcap`; `2 rule files hold no rules, first 'x.rules'`).
 */
export function aggregateWarnings(warnings: readonly ReplayWarning[]): string[] {
  const groups = new Map<string, ReplayWarning[]>();
  for (const w of warnings) {
    const key =
      w.kind === 'unknown-option'
        ? `o:${w.option}`
        : w.kind === 'unsupported-link-type'
          ? `l:${w.linkType}`
          : w.kind === 'empty-rule-file'
            ? 'f'
            : `${w.kind}:${w.message}`;
    const g = groups.get(key);
    if (g) g.push(w);
    else groups.set(key, [w]);
  }
  const lines: string[] = [];
  for (const g of groups.values()) {
    const first = g[0]!;
    if (g.length === 1) lines.push(first.message);
    else if (first.kind === 'unknown-option') {
      lines.push(`unknown rule option '${first.option}' in ${g.length} rules (ignored), first at ${first.file ?? '<rules>'}:${first.line}`);
    } else if (first.kind === 'unsupported-link-type') {
      const packets = g.reduce((n, w) => n + (w as LinkTypeWarning).packets, 0);
      lines.push(
        `link type ${first.linkName} (${first.linkType}) is not decoded: ${count(packets, 'packet')} skipped in ${g.length} captures, first ${first.file}`,
      );
    } else if (first.kind === 'empty-rule-file') {
      lines.push(`${g.length} rule files hold no rules, first '${first.file}'`);
    } else lines.push(`${first.message} (${g.length} times)`);
  }
  return lines;
}
