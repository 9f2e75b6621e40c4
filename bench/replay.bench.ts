/**
 * Replay figures per engine on real rules and traces, and whether every engine raises the
 * same alerts. Run: npx tsx bench/replay.bench.ts [--engines nfa,obdd,nfa+pf,obdd+pf,...] [--rules FILE,...|DIR]
 *   [--pcaps FILE,...|DIR] [--stream] [--select SELECTOR] [--with-disabled] [--limit-packets N]
 * ('+pf': the literal prefilter, rule pcres gated by their fast-pattern contents.)
 *
 * Defaults: the bundled ET Open files (`traces/rules`: attack_response, web_server, ftp; 631
 * enabled rules), all Zeek HTTP traces (`../shared/data/traces/zeek/http`), engines
 * nfa, obdd, obdd2, regexp, mdfa (dfa stops at its state budget on these sets). The Snort
 * community rules with their commented-out rules (`--rules .../community.rules
 * --with-disabled`, 4,005 rules, 158,127 NFA states) make the explicit and symbolic
 * engines crawl (0.2 and 0.02 MiB/s on no_crlf.pcap). Per engine: compile time, replay time, packets/s, MiB/s of
 * payload scanned, alerts, and the alert digest; a row whose alerts differ from the first
 * engine's is flagged with the first differing alert.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEngineList } from '../src/cli/compare.js';
import { prepareRules, Replayer, type Alert } from '../src/replay/index.js';
import { SHARED_DATA } from './lib/shared-data.js';

const shared = SHARED_DATA + '/';
const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
// Labels as for `compare --engines`: an engine may carry options (obdd2:pairMinUses=1).
const engines = parseEngineList(opt('engines') ?? 'nfa,obdd,obdd2,regexp,mdfa');
const bundledRules = fileURLToPath(new URL('../traces/rules/', import.meta.url));
const rulesIn = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.rules')).sort().map((f) => join(dir, f));
const ruleArg = opt('rules');
const ruleFiles = ruleArg === undefined ? rulesIn(bundledRules) : statSync(ruleArg).isDirectory() ? rulesIn(ruleArg) : ruleArg.split(',');
const pcapArg = opt('pcaps') ?? join(shared, 'traces/zeek/http');
const pcaps = pcapArg.includes(',')
  ? pcapArg.split(',')
  : statSync(pcapArg).isDirectory()
    ? readdirSync(pcapArg).filter((f) => /\.pcap(ng)?(\.gz)?$/.test(f)).sort().map((f) => join(pcapArg, f))
    : [pcapArg];
const mode = args.includes('--stream') ? 'stream' : 'packet';

const withDisabled = args.includes('--with-disabled');
console.log(`rules ${ruleFiles.join(', ')}${withDisabled ? ' (with disabled rules)' : ''}; ${pcaps.length} capture(s); ${mode} mode`);
let reference: string[] | undefined;
for (const { name, engine, engineOptions, prefilter } of engines) {
  const label = name ?? engine;
  let prepared;
  try {
    prepared = prepareRules({ ruleFiles, includeDisabled: withDisabled, select: opt('select'), engine, engineOptions, prefilter });
  } catch (e) {
    console.log(`${label.padEnd(7)} compile failed: ${(e as Error).message}`);
    continue;
  }
  const limit = opt('limit-packets');
  const rp = new Replayer(prepared.detector, { mode, ...(limit ? { limitPackets: Number(limit) } : {}) });
  const alerts: string[] = [];
  const onAlert = (a: Alert): void => {
    alerts.push(`${a.file.split('/').pop()}#${a.packet} ${a.rule.gid}:${a.rule.sid}:${a.rule.rev} ${a.src}:${a.sport}->${a.dst}:${a.dport} ${a.offsets.join(',')}`);
  };
  const t0 = performance.now();
  let damaged = 0;
  let engineErrors = 0;
  for (const p of pcaps) {
    const res = await rp.replay(p, p, onAlert);
    if (res.error) damaged++;
    engineErrors += res.engineErrors;
  }
  const ms = performance.now() - t0;
  const st = rp.stats;
  let digest = 0;
  for (const a of alerts) for (let i = 0; i < a.length; i++) digest = (Math.imul(digest, 31) + a.charCodeAt(i)) | 0;
  let agree = '';
  if (reference === undefined) reference = alerts;
  else if (alerts.length !== reference.length || alerts.some((a, i) => a !== reference![i])) {
    const i = alerts.findIndex((a, k) => a !== reference![k]);
    agree = `  DIFFERS at alert ${i}: ${alerts[i] ?? '(none)'} vs ${reference[i] ?? '(none)'}`;
  } else agree = '  same alerts';
  const sids = new Set(alerts.map((a) => a.split(' ')[1])).size;
  console.log(
    `${label.padEnd(7)} compile ${prepared.compileMs.toFixed(0).padStart(6)} ms (${prepared.active} active rules, ` +
      `${prepared.detector.compiled.nfa.states} NFA states)  replay ${ms.toFixed(0).padStart(6)} ms  ` +
      `${Math.round(st.packets / (ms / 1000))} pkt/s  ${(st.scannedBytes / 1048576 / (ms / 1000)).toFixed(2)} MiB/s scanned  ` +
      `${alerts.length} alerts (${sids} rules) digest ${(digest >>> 0).toString(16)}${damaged ? `  ${damaged} damaged` : ''}${engineErrors ? `  ${engineErrors} packets failed in the engine` : ''}${agree}`,
  );
}
