/**
 * What the ET Open benches share: their command-line reader and the ET Open workload,
 * the pcre options of the active ET Open rules over the Zeek HTTP captures
 * (`--rules DIR`, `--traces DIR` override the ../shared/data defaults).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pcreSetFromRules } from '../../src/compare/index.js';
import { sharedPath } from './shared-data.js';

export const argv = process.argv.slice(2);

/** The value after `name` on the command line, or `dflt`. */
export function arg(name: string, dflt: string): string {
  const k = argv.indexOf(name);
  return k >= 0 && argv[k + 1] ? argv[k + 1]! : dflt;
}

const here = (p: string): string => new URL(p, import.meta.url).pathname;

/** Every `*.rules` file of --rules (default: ET Open) and every capture of --traces (default: Zeek HTTP), in name order. */
export function etHttpFiles(): { ruleFiles: string[]; captures: string[] } {
  const rulesDir = arg('--rules', sharedPath('rules/et-open-snort-2.9.0'));
  const traceDir = arg('--traces', sharedPath('traces/zeek/http'));
  return {
    ruleFiles: readdirSync(rulesDir).filter((f) => f.endsWith('.rules')).sort().map((f) => join(rulesDir, f)),
    captures: readdirSync(traceDir).filter((f) => f.endsWith('.pcap') || f.endsWith('.pcapng')).sort().map((f) => join(traceDir, f)),
  };
}

/** The pcre options of the active rules of --rules (see pcreSetFromRules). */
export function etPcreSet(): ReturnType<typeof pcreSetFromRules> {
  return pcreSetFromRules(etHttpFiles().ruleFiles);
}
