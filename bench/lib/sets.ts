/**
 * The signature sets and payload corpora of the whole-run comparison, shared by every
 * bench that measures against it (whole-run, peers, set-mode), so that their figures are
 * on the same signatures and payloads: pcre options as written from the Snort 2
 * community and ET Open rules, over the payloads of the Zeek HTTP and FTP captures.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pcreSetFromRules, type SignatureSet } from '../../src/compare/corpus.js';
import { SHARED_DATA } from './shared-data.js';

/** One signature set and the corpus it is scanned over. */
export interface BenchSet {
  name: string;
  describe: string;
  signatures: () => SignatureSet;
  corpus: 'http' | 'ftp' | 'both';
}

const community = join(SHARED_DATA, 'rules/snort2-community/community.rules');
const etDir = join(SHARED_DATA, 'rules/et-open-snort-2.9.0');

/** ftp, http, community, et: see bench/whole-run.ts. */
export const BENCH_SETS: readonly BenchSet[] = [
  {
    name: 'ftp', corpus: 'ftp', describe: 'Snort 2 community, port-21 rules (all), FTP payloads',
    signatures: () => pcreSetFromRules([community], { includeDisabled: true, select: 'ftp' }),
  },
  {
    name: 'http', corpus: 'http', describe: 'Snort 2 community, port-80 rules (all), HTTP payloads',
    signatures: () => pcreSetFromRules([community], { includeDisabled: true, select: 'http' }),
  },
  {
    name: 'community', corpus: 'both', describe: 'Snort 2 community, all rules, HTTP + FTP payloads',
    signatures: () => pcreSetFromRules([community], { includeDisabled: true }),
  },
  {
    name: 'et', corpus: 'both', describe: 'ET Open 2.9.0, active rules, HTTP + FTP payloads',
    signatures: () => pcreSetFromRules(readdirSync(etDir).filter((f) => f.endsWith('.rules')).sort().map((f) => join(etDir, f))),
  },
];

/** The set named `name`; throws naming the sets when there is none. */
export function benchSet(name: string): BenchSet {
  const def = BENCH_SETS.find((s) => s.name === name);
  if (!def) throw new Error(`unknown set '${name}' (sets: ${BENCH_SETS.map((s) => s.name).join(', ')})`);
  return def;
}

/** The captures of a folder (pcap, pcapng, gzipped or not), in name order. */
export function captures(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** The capture files of a corpus kind: the Zeek HTTP and/or FTP traces. */
export function corpusFiles(kind: BenchSet['corpus']): string[] {
  const of = (k: string): string[] => captures(join(SHARED_DATA, `traces/zeek/${k}`));
  return kind === 'both' ? [...of('http'), ...of('ftp')] : of(kind);
}

/** The first payloads of `inputs` up to `limitBytes` (the last one may cross it), and their bytes. */
export function payloadPrefix(inputs: readonly Uint8Array[], limitBytes: number): { inputs: Uint8Array[]; bytes: number } {
  const out: Uint8Array[] = [];
  let bytes = 0;
  for (const p of inputs) {
    if (bytes >= limitBytes) break;
    out.push(p);
    bytes += p.length;
  }
  return { inputs: out, bytes };
}
