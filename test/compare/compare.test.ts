/**
 * compareEngines: agreement on tiny sets (match counts checked by hand), an engine that
 * cannot be built, a real disagreement (the documented regexp deviation) listed with
 * signature, input and end, budgets (prefix scans, per-input comparison among the engines
 * that scanned it), excused differences after a regexp timeout, usage errors, and the
 * size figures.
 */
import { describe, expect, it } from 'vitest';
import { compareEngines, programBytesOf } from '../../src/compare/compare.js';
import { formatText, toJson } from '../../src/compare/format.js';
import { compile } from '../../src/compile.js';
import type { Matcher } from '../../src/matcher/types.js';
import type { EngineSpec } from '../../src/compare/compare.js';
import { UsageError } from '../../src/errors.js';

const b = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/**
 * An engine spec named `name`: the nfa engine whose matcher forwards every call to the real
 * one `m`, except the methods `override(m)` replaces (faulty, failing or drifting engines).
 */
function wrappedNfa(name: string, override: (m: Matcher) => Partial<Matcher>): EngineSpec {
  return {
    name,
    engine: 'nfa',
    build: (sigs, opts) => {
      const r = compile(sigs, opts);
      const m = r.matcher;
      const wrapped: Matcher = {
        engine: m.engine,
        signatureCount: m.signatureCount,
        createScratch: (o) => m.createScratch(o),
        scan: (sc, bytes, cb) => m.scan(sc, bytes, cb),
        finish: (sc, cb) => m.finish(sc, cb),
        reset: (sc) => m.reset(sc),
        stats: () => m.stats(),
        ...override(m),
      };
      return { matcher: wrapped, rejected: r.rejected };
    },
  };
}

describe('compareEngines', () => {
  it('all engines agree on a small set; counts, sizes and ratios are filled in', () => {
    const sigs = ['/ab/', '/b+/', '/^x/', '/a(/'];
    const inputs = [b('ab'), b('xbab'), b('zzz'), b('bb')];
    const r = compareEngines(sigs, inputs, { engines: ['nfa', 'obdd', 'obdd2', 'dfa', 'mdfa', 'regexp'], runs: 2 });
    expect(r.signatures).toBe(4);
    expect(r.comparedSignatures).toBe(3);
    expect(r.disagreementCount).toBe(0);
    expect(r.disagreeingInputs).toBe(0);
    expect(r.comparedInputs).toBe(4);
    expect(r.commonInputs).toBe(4);
    expect(r.baseline).toBe('nfa');
    // ab: /ab/@2, /b+/@2. xbab: /^x/@1, /b+/@2, /ab/@4, /b+/@4. zzz: none. bb: /b+/@1, /b+/@2.
    for (const e of r.engines) {
      expect(e.error, e.engine).toBeNull();
      expect(e.matches, e.engine).toBe(8);
      expect(e.accepted).toBe(3);
      expect(e.rejected).toBe(1);
      expect(e.bytesScanned).toBe(11);
      expect(e.inputsScanned).toBe(4);
      expect(e.runs).toBe(2);
      expect(e.runMs).toHaveLength(2);
      expect(e.unstable).toBe(false);
      expect(e.scanMBps === null || e.scanMBps > 0).toBe(true);
    }
    const nfa = r.engines.find((e) => e.engine === 'nfa')!;
    expect(nfa.ratios.scan === null || Math.abs(nfa.ratios.scan - 1) < 1e-9).toBe(true);
    expect(nfa.ratios.compile).toBeCloseTo(1);
    expect(nfa.programBytes).toBeGreaterThan(0);
    expect(r.engines.find((e) => e.engine === 'regexp')!.programBytes).toBeNull();
    expect(r.engines.find((e) => e.engine === 'dfa')!.programBytes).toBeGreaterThan(0);
    expect(r.engines.find((e) => e.engine === 'obdd')!.size).toMatch(/nodes/);
    const text = formatText(r, 'title');
    expect(text).toMatch(/^title\n/);
    expect(text).toMatch(/all engines agree/);
    const json = JSON.parse(JSON.stringify(toJson(r)));
    for (const key of ['engine', 'accepted', 'rejected', 'compileMs', 'programBytes', 'heapBytes', 'bytesScanned', 'scanMBps', 'matches', 'error']) {
      expect(json.engines[0]).toHaveProperty(key);
    }
    expect(json.disagreements).toEqual([]);
  });

  it('an engine that cannot be built has error set and the others still run', () => {
    const r = compareEngines(['/a[^x]{0,12}b/', '/c/'], [b('a123bc'), b('ccc')], {
      engines: ['nfa', { engine: 'dfa', engineOptions: { maxStates: 3 } }, 'obdd'],
      runs: 1,
    });
    const dfa = r.engines.find((e) => e.engine === 'dfa')!;
    expect(dfa.error).toMatch(/dfa states limit exceeded/);
    expect(dfa.stats).toBeNull();
    expect(dfa.inputsScanned).toBe(0);
    for (const name of ['nfa', 'obdd']) {
      const e = r.engines.find((x) => x.engine === name)!;
      expect(e.error).toBeNull();
      expect(e.matches).toBe(5);
    }
    expect(r.disagreementCount).toBe(0);
    expect(formatText(r)).toMatch(/dfa .*error: dfa states limit exceeded/);
  });

  it('lists every disagreement with signature, input, end and engines', () => {
    // A faulty engine: the nfa, except that on inputs starting with 'a' it drops the reports
    // of signature 1 and invents an end 99 for signature 0.
    const faulty = wrappedNfa('faulty', (m) => ({
      createScratch: (o) => Object.assign(m.createScratch(o), { first: -1 }),
      scan: (sc, bytes, cb) => {
        (sc as unknown as { first: number }).first = bytes[0]!;
        m.scan(sc, bytes, (sig, e) => (bytes[0] === 0x61 && sig === 1 ? undefined : cb(sig, e)));
      },
      finish: (sc, cb) => {
        if ((sc as unknown as { first: number }).first === 0x61) cb(0, 99);
        m.finish(sc, cb);
      },
    }));
    const r = compareEngines(['/zz/', '/b/'], [b('zzb'), b('abzz'), b('zz')], {
      engines: ['nfa', faulty, 'obdd'],
      runs: 1,
      inputNames: ['p0', 'p1', 'p2'],
      signatureNames: ['s:1', 's:2'],
    });
    expect(r.disagreeingInputs).toBe(1);
    expect(r.disagreementCount).toBe(2);
    expect(r.disagreements).toEqual([
      { input: 1, inputName: 'p1', signature: 0, signatureName: 's:1', source: '/zz/', end: 99, reportedBy: ['faulty'], missingFrom: ['nfa', 'obdd'] },
      { input: 1, inputName: 'p1', signature: 1, signatureName: 's:2', source: '/b/', end: 2, reportedBy: ['nfa', 'obdd'], missingFrom: ['faulty'] },
    ]);
    const text = formatText(r);
    expect(text).toMatch(/p1 end 2: signature 1 \(s:2\) \/b\/  reported by nfa,obdd; missing from faulty/);
    expect(text).toMatch(/1 inputs disagree, 2 differences/);
    // The list is capped, the count is not.
    const capped = compareEngines(['/zz/', '/b/'], [b('zzb'), b('abzz'), b('zz')], { engines: ['nfa', faulty], runs: 1, maxDisagreements: 1 });
    expect(capped.disagreements).toHaveLength(1);
    expect(capped.disagreementCount).toBe(2);
  });

  it('a scan that throws is retried once; throwing again ends that engine only', () => {
    const throwing = (times: number): EngineSpec => {
      let left = times;
      return wrappedNfa(`throws${times}`, (m) => ({
        scan: (sc, bytes, cb) => {
          m.scan(sc, bytes, cb); // reports first, then fails: the retry must not double count
          if (bytes[0] === 0x21 && left-- > 0) throw new Error('boom');
        },
      }));
    };
    const inputs = [b('ab'), b('!ab'), b('ab')];
    const r = compareEngines(['/ab/'], inputs, { engines: ['nfa', throwing(1), throwing(2)], runs: 1 });
    const [nfa, once, twice] = r.engines;
    expect(nfa!.matches).toBe(3);
    expect(once!.error).toBeNull();
    expect(once!.matches).toBe(3);
    expect(once!.inputsScanned).toBe(3);
    expect(twice!.error).toMatch(/scan failed on input 1 \(#1\): boom/);
    expect(twice!.inputsScanned).toBe(1);
    expect(r.warnings.filter((w) => /retried once/.test(w))).toHaveLength(2);
    expect(r.disagreementCount).toBe(0);
    expect(r.comparedInputs).toBe(3);
    expect(r.commonInputs).toBe(1);
  });

  it('flags an engine whose later pass reports differently (unstable)', () => {
    let scans = 0;
    // From the second pass on (after 2 inputs), reports are dropped.
    const drifting = wrappedNfa('drifting', (m) => ({
      scan: (sc, bytes, cb) => m.scan(sc, bytes, ++scans > 2 ? () => {} : cb),
    }));
    const r = compareEngines(['/ab/'], [b('ab'), b('ab')], { engines: ['nfa', drifting], runs: 2 });
    expect(r.engines[0]!.unstable).toBe(false);
    expect(r.engines[1]!.unstable).toBe(true);
    expect(r.engines[1]!.matches).toBe(2);
    expect(r.warnings.join('\n')).toMatch(/drifting: pass 2 reported different matches than pass 1 \(0 vs 2\)/);
    expect(formatText(r)).toMatch(/UNSTABLE/);
  });

  it('budgets stop an engine on a prefix; inputs are compared among the engines that scanned them', () => {
    const inputs = [b('xaby'), b('ab'), b('ab'), b('ab'), b('ab')];
    const r = compareEngines(['/ab/'], inputs, {
      engines: ['nfa', { name: 'small', engine: 'nfa' }, { name: 'one', engine: 'obdd' }],
      runs: 3,
      byteBudget: 5,
      baseline: 'small',
    });
    // Every engine has the same budget: 4 + 2 bytes reach 5 after two inputs.
    for (const e of r.engines) {
      expect(e.inputsScanned).toBe(2);
      expect(e.bytesScanned).toBe(6);
      expect(e.matches).toBe(2);
    }
    expect(r.commonInputs).toBe(2);
    expect(r.comparedInputs).toBe(2);
    expect(r.baseline).toBe('small');
    // Speed-ups are taken on the bytes both engines scanned.
    for (const e of r.engines) expect(e.ratios.scanBytes).toBe(6);
    expect(r.engines[1]!.ratios.scan).toBe(1);
  });

  it('repeatBelowMs skips repeated passes of a slow first pass', () => {
    const r = compareEngines(['/ab/'], [b('ab')], { engines: ['nfa'], runs: 5, repeatBelowMs: 0 });
    // A first pass of exactly 0 ms is possible on a coarse clock: then all 5 run.
    expect([1, 5]).toContain(r.engines[0]!.runs);
  });

  it('a signature the regexp engine disables after a timeout is excused, not a disagreement', () => {
    // Backwards (the engine's lookbehind form), x(a+)+ backtracks exponentially over a run
    // of a's without an x; the y branch matches cheaply before and after the timeout.
    const sigs = ['/x(a+)+|y/', '/q/'];
    const inputs = [b('y'), b('a'.repeat(28)), b('yq'), b('q')];
    const r = compareEngines(sigs, inputs, {
      engines: ['nfa', { engine: 'regexp', engineOptions: { timeBudgetMs: 60 } }],
      runs: 1,
    });
    const re = r.engines.find((e) => e.engine === 'regexp')!;
    expect(re.disabled).toBe(1);
    expect(r.disagreementCount).toBe(0);
    expect(r.excusedInputs).toBe(1);
    expect(r.warnings.join('\n')).toMatch(/disabled while scanning/);
    // nfa: y@1, y@1, q@2, q@1; regexp lost the second y.
    expect(r.engines.find((e) => e.engine === 'nfa')!.matches).toBe(4);
    expect(re.matches).toBe(3);
  });

  it('bad usage throws UsageError', () => {
    expect(() => compareEngines(['/a/'], [], { engines: [] })).toThrow(UsageError);
    expect(() => compareEngines(['/a/'], [], { engines: ['nfa', 'nfa'] })).toThrow(/given twice/);
    expect(() => compareEngines(['/a/'], [], { engines: ['nope' as 'nfa'] })).toThrow(/unknown engine/);
    expect(() => compareEngines(['/a/'], [], { engines: ['nfa'], baseline: 'dfa' })).toThrow(/baseline/);
    expect(() => compareEngines(['/a/'], [], { engines: ['nfa'], runs: 0 })).toThrow(/runs/);
    expect(() => compareEngines(['/a/'], [], { engines: ['nfa'], byteBudget: -1 })).toThrow(/byteBudget/);
  });

  it('no inputs: nothing scanned, nothing compared, no crash', () => {
    const r = compareEngines(['/a/'], [], { engines: ['nfa', 'dfa'], runs: 2 });
    expect(r.comparedInputs).toBe(0);
    expect(r.engines.every((e) => e.bytesScanned === 0 && e.scanMBps === null)).toBe(true);
  });
});

describe('programBytesOf', () => {
  it('derives sizes from each engine family stats and null for regexp', () => {
    expect(programBytesOf({ engine: 'dfa', signatures: 1, tableBytes: 1234 })).toBe(1234);
    expect(programBytesOf({ engine: 'obdd2', signatures: 1, compiledLiveNodes: 10 })).toBe(240);
    expect(programBytesOf({ engine: 'regexp', signatures: 1 })).toBeNull();
    const small = programBytesOf({ engine: 'nfa', signatures: 1, states: 10, classes: 3, followEdges: 10 })!;
    const big = programBytesOf({ engine: 'nfa', signatures: 1, states: 20, classes: 3, followEdges: 10 })!;
    expect(big).toBeGreaterThan(small);
  });
});

describe('compareEngines: match mode', () => {
  const sigs = ['/ab/', '/b+/', '/^x/', '/a(/'];
  const inputs = [b('ab'), b('xbab'), b('zzz'), b('bb')];

  it("'set' compares the per-input match sets: each signature once per input, its earliest end", () => {
    const r = compareEngines(sigs, inputs, { engines: ['nfa', 'obdd', 'obdd2', 'dfa', 'mdfa', 'regexp'], runs: 1, mode: 'set' });
    expect(r.mode).toBe('set');
    expect(r.disagreementCount).toBe(0);
    // ab: /ab/@2, /b+/@2. xbab: /^x/@1, /b+/@2, /ab/@4. zzz: none. bb: /b+/@1. (all mode: 8)
    for (const e of r.engines) expect(e.matches, e.engine).toBe(6);
    expect(formatText(r)).toMatch(/^mode: set \(per-input match sets/m);
    expect(toJson(r)).toMatchObject({ mode: 'set' });
    // 'first' is the deprecated alias, reported as 'set'; the default is 'all'.
    expect(compareEngines(sigs, inputs, { engines: ['nfa'], runs: 1, mode: 'first' }).mode).toBe('set');
    const all = compareEngines(sigs, inputs, { engines: ['nfa'], runs: 1 });
    expect(all.mode).toBe('all');
    expect(all.engines[0]!.matches).toBe(8);
    expect(formatText(all)).toMatch(/^mode: all /m);
    expect(() => compareEngines(sigs, inputs, { engines: ['nfa'], mode: 'some' as never })).toThrow(UsageError);
  });

  it("'set': an engine that ignores the mode (reports every end) disagrees on the later ends only", () => {
    const deaf = wrappedNfa('deaf', (m) => ({ createScratch: () => m.createScratch({ mode: 'all' }) }));
    const r = compareEngines(sigs, inputs, { engines: ['nfa', deaf], runs: 1, mode: 'set' });
    // Later ends only the deaf engine reports: /b+/@4 in xbab, /b+/@2 in bb.
    expect(r.disagreements.map((d) => [d.input, d.signature, d.end, d.reportedBy.join(',')])).toEqual([
      [1, 1, 4, 'deaf'],
      [3, 1, 2, 'deaf'],
    ]);
    // In 'all' mode the same engine agrees.
    expect(compareEngines(sigs, inputs, { engines: ['nfa', deaf], runs: 1 }).disagreementCount).toBe(0);
  });
});
