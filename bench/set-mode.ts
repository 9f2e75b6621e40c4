/**
 * Set mode and all-ends mode with and without the literal prefilter, on one signature set
 * over the Zeek HTTP payloads: the quick check of src/prefilter/ at full scale (the
 * whole-run bench gives the tables). Every configuration's results are compared with the
 * first one's (the plain explicit NFA), payload by payload.
 *
 *   npx tsx bench/set-mode.ts [--set et|community|http|ftp] [--limit-bytes N] [--engines nfa,nfa+pf,obdd+pf]
 */
import { performance } from 'node:perf_hooks';
import { compile, type CompileOptions } from '../src/compile.js';
import { payloadsFromCaptures } from '../src/compare/corpus.js';
import type { Matcher, MatchMode } from '../src/matcher/types.js';
import { benchSet, corpusFiles, payloadPrefix } from './lib/sets.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1]! : dflt);
const setName = opt('set', 'et');
const limitBytes = Number(opt('limit-bytes', 'Infinity'));
const engineNames = opt('engines', 'nfa,nfa+pf,obdd+pf').split(',');
const modes = opt('modes', 'set,all').split(',') as MatchMode[];

const CONFIGS: Record<string, CompileOptions> = {
  nfa: { engine: 'nfa' },
  obdd: { engine: 'obdd' },
  mdfa: { engine: 'mdfa' },
  'nfa+pf': { engine: 'nfa', prefilter: true },
  'obdd+pf': { engine: 'obdd', prefilter: true },
  'obdd-nomemo+pf': { engine: 'obdd', engineOptions: { memo: false }, prefilter: true },
  'nfa+memo': { engine: 'nfa', engineOptions: { memo: true } },
  'nfa+memo+pf': { engine: 'nfa', engineOptions: { memo: true }, prefilter: true },
  'nfa+pf/memo': { engine: 'nfa', prefilter: { residual: { engine: 'nfa', engineOptions: { memo: true } } } },
  'nfa+pf/obdd-g8': { engine: 'nfa', prefilter: { residual: { engine: 'obdd', engineOptions: { grouping: { groupSize: 8, partition: 'hard' } } } } },
  'nfa+pf/obdd-g32': { engine: 'nfa', prefilter: { residual: { engine: 'obdd', engineOptions: { grouping: { groupSize: 32, partition: 'hard' } } } } },
  'obdd+pf/obdd-g8': { engine: 'obdd', prefilter: { residual: { engine: 'obdd', engineOptions: { grouping: { groupSize: 8, partition: 'hard' } } } } },
  'obdd+pf/nfa': { engine: 'obdd', prefilter: { residual: { engine: 'nfa' } } },
  'nfa+pf2': { engine: 'nfa', prefilter: { minLiteral: 2 } },
  'nfa+pf1': { engine: 'nfa', prefilter: { minLiteral: 1 } },
  'nfa+pf/mdfa': { engine: 'nfa', prefilter: { residual: { engine: 'mdfa' } } },
  'obdd+pf/mdfa': { engine: 'obdd', prefilter: { residual: { engine: 'mdfa' } } },
  'nfa+pf/obdd': { engine: 'nfa', prefilter: { residual: { engine: 'obdd' } } },
};

// The whole-run's sets (bench/lib/sets.ts), over the Zeek HTTP payloads only.
const set = benchSet(setName).signatures();
const corpus = payloadsFromCaptures(corpusFiles('http'));
const { inputs, bytes } = payloadPrefix(corpus.inputs, limitBytes);
console.log(`${set.sources.length} signatures (${setName}); ${inputs.length} payloads, ${(bytes / 1e6).toFixed(2)} MB`);

function run(m: Matcher, mode: MatchMode): { ms: number; results: string[]; worst: number; median: number } {
  const sc = m.createScratch({ mode });
  const results: string[] = [];
  let cur: number[] = [];
  const cb = (s: number, e: number): void => void cur.push(s * 1e7 + e);
  let worst = 0;
  const perByte: number[] = [];
  const t0 = performance.now();
  for (const p of inputs) {
    const t = performance.now();
    m.scan(sc, p, cb);
    m.finish(sc, cb);
    const dt = (performance.now() - t) / Math.max(1, p.length);
    // The slowest-payload figure compares payloads of real size (a few bytes time as noise).
    if (p.length >= 256) {
      perByte.push(dt);
      if (dt > worst) worst = dt;
    }
    // Order across signatures within a step is not part of the contract: compare sets.
    results.push(cur.sort((a, b) => a - b).join(','));
    cur = [];
  }
  perByte.sort((a, b) => a - b);
  return { ms: performance.now() - t0, results, worst, median: perByte[perByte.length >> 1] ?? 0 };
}

for (const mode of modes) {
  let ref: string[] | null = null;
  let refMs = 0;
  for (const name of engineNames) {
    const t0 = performance.now();
    const c = compile(set.sources, CONFIGS[name]);
    const compileMs = performance.now() - t0;
    const r = run(c.matcher, mode);
    let diff = 0;
    // Signatures an engine could not build (mdfa: no group DFA fits) are left out of the comparison.
    const dropped = new Set([...c.rejected, ...((c.matcher as { rejected?: { signature: number }[] }).rejected ?? [])].map((x) => x.signature));
    const keep = (line: string): string => line.split(',').filter((v) => v !== '' && !dropped.has(Math.floor(Number(v) / 1e7))).join(',');
    if (ref === null) {
      ref = r.results;
      refMs = r.ms;
    } else for (let i = 0; i < ref.length; i++) if (keep(ref[i]) !== keep(r.results[i])) diff++;
    const st = c.matcher.stats();
    console.log(
      `${mode.padEnd(3)} ${name.padEnd(16)} compile ${(compileMs / 1000).toFixed(1)} s  scan ${(r.ms / 1000).toFixed(2)} s  ` +
        `${(bytes / 1e6 / (r.ms / 1000)).toFixed(3)} MB/s  ×${(refMs / r.ms).toFixed(2)} vs ${engineNames[0]}  ` +
        `worst payload (≥ 256 B) ${(r.worst * 1000).toFixed(1)} µs/B (${(r.worst / Math.max(1e-9, r.median)).toFixed(0)}× the median payload)  disagreeing payloads ${diff} (${dropped.size - c.rejected.length} signatures the engine dropped left out)` +
        (st.prefilter ? `  ${JSON.stringify(st.prefilter)}` : ''),
    );
  }
}
