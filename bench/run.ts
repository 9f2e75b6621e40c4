/**
 * `npm run bench`: runs the benchmark scripts one after another in child processes (so
 * one bench's heap and JIT state do not skew the next) and stops at the first failure.
 *
 *   npm run bench                 # the quick set (a few minutes)
 *   npm run bench -- bdd pcap     # only the named ones
 *   npm run bench -- --list
 *
 * The whole-run comparison (`bench/whole-run.ts`) takes much longer and is run on its own.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const BENCHES: Record<string, { file: string; args: string[]; what: string }> = {
  bdd: { file: 'bdd.bench.ts', args: [], what: 'BDD package: and/or/andExists/relNext, n-queens, adder, table growth' },
  symbolic: { file: 'symbolic.bench.ts', args: [], what: 'NFA-OBDD stepping vs the explicit NFA' },
  pcap: { file: 'pcap.bench.ts', args: ['--quick'], what: 'capture reader + decoder vs pcap-parser' },
  'pcre-census': { file: 'pcre-census.ts', args: [], what: 'pcre options of the rulesets: accepted/rejected by reason' },
  'rules-census': { file: 'rules-census.ts', args: [], what: 'rule loading of the rulesets: parsed/rejected, approximations' },
  'frontier-census': { file: 'frontier-census.ts', args: [], what: 'ET Open over HTTP payloads: which signatures keep the frontier busy (why the memo misses)' },
};

const args = process.argv.slice(2);
if (args.includes('--list')) {
  for (const [name, b] of Object.entries(BENCHES)) console.log(`${name.padEnd(14)} ${b.what}`);
  process.exit(0);
}
const chosen = args.length > 0 ? args : Object.keys(BENCHES);
const tsx = join(import.meta.dirname, '..', 'node_modules', '.bin', 'tsx');
for (const name of chosen) {
  const b = BENCHES[name];
  if (!b) {
    console.error(`unknown bench '${name}' (see --list)`);
    process.exit(2);
  }
  const file = join(import.meta.dirname, b.file);
  if (!existsSync(file)) {
    console.error(`bench ${name}: ${b.file} is missing`);
    process.exit(1);
  }
  console.log(`\n=== ${name}: ${b.what}\n`);
  const r = spawnSync(tsx, [file, ...b.args], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`bench ${name} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}
