/**
 * Prints the suricata-verify comparison case by case (not a test; the test is
 * suricata-verify.test.ts): `npx tsx test/e2e/report.ts [engine]`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EngineName } from '../../src/matcher/types.js';
import { describeFailure, readManifest, runCase } from './suricata-verify.js';
import { sharedPath } from '../support/shared-data.js';

const root = sharedPath('suricata-verify') + '/';
if (!existsSync(root)) {
  console.log(`no suricata-verify data at ${root}`);
  process.exit(0);
}
const engine = (process.argv[2] ?? 'nfa') as EngineName;
let pass = 0;
let fail = 0;
let na = 0;
const t0 = performance.now();
for (const e of readManifest(root)) {
  const r = await runCase(root, e, engine);
  if (r.noAlertChecks && !r.error) {
    na++;
    console.log(`N/A  ${r.test} (no alert check)`);
  } else if (r.pass) {
    pass++;
    const ignored = [...new Set(r.checks.flatMap((c) => c.ignoredKeys))];
    console.log(`PASS ${r.test}${ignored.length ? ` (keys not compared: ${ignored.join(', ')})` : ''}`);
  } else {
    fail++;
    console.log(`FAIL ${describeFailure(r)}${r.rejectedRules.length ? ` [rejected: ${r.rejectedRules.join(' | ')}]` : ''}`);
  }
}
console.log(`engine ${engine}: ${pass} pass, ${fail} fail, ${na} without alert checks; ${(performance.now() - t0).toFixed(0)} ms`);
