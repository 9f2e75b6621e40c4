/**
 * Fuzzing the rule-file surface: windows of the bundled ET Open files with a few lines
 * damaged (characters deleted or duplicated, quotes, parentheses, huge or negative numbers,
 * unknown options, binary bytes inserted). Loading never throws, every reject is a
 * RuleParseError naming file:line, every rule on an undamaged line still loads with its sid,
 * and some cases are also compiled through `prepareRules` (never throws either). Chains of
 * variables (in the rules and as a variables file) load in bounded time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledRuleFiles, mutateLine, ruleFileProperty, varsProperty } from '../../bench/lib/fuzz-surfaces.js';
import { RuleParseError } from '../../src/errors.js';
import { prepareRules } from '../../src/replay/index.js';
import { loadRuleTexts } from '../../src/rules/load.js';

const files = bundledRuleFiles();
const dir = mkdtempSync(join(tmpdir(), 'nfa-obdd-fuzz-vars-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rule file fuzzing', () => {
  it('line mutations stay on their line', () => {
    expect(mutateLine('abc\\', { kind: 'delete', at: 0, n: 1 })).toBe('bc');
    expect(mutateLine('abc', { kind: 'duplicate', at: 1, n: 1 })).toBe('abbc');
    expect(mutateLine('sid:12;', { kind: 'replaceNumbers', text: '-1' })).toBe('sid:-1;');
  });

  it('damaged ET rule files: typed rejects with file:line, undamaged rules still load', async () => {
    const et = files.filter((f) => f.file !== 'packet-options.rules');
    await fc.assert(ruleFileProperty(et, 'ci', 25), { numRuns: 250 });
  });

  it('damaged packet-option rules (byte_test, isdataat, relative contents...): compile and replay without engine failures', async () => {
    const po = files.filter((f) => f.file === 'packet-options.rules');
    expect(po.length).toBe(1);
    await fc.assert(ruleFileProperty(po, 'ci', 1), { numRuns: 40 });
  });

  it('a whole file with every 7th line damaged: the others all load', () => {
    const f = files.find((x) => x.file.includes('ftp'))!;
    const text = f.lines.join('\n');
    const clean = loadRuleTexts([{ file: f.file, text }]);
    const damaged = f.lines.map((l, i) => (i % 7 === 3 ? mutateLine(l, { kind: 'insert', at: 40, text: '"(' }) : l)).join('\n');
    const r = loadRuleTexts([{ file: f.file, text: damaged }]);
    const kept = clean.rules.filter((x) => (x.line - 1) % 7 !== 3);
    const have = new Set(r.rules.map((x) => `${x.line}:${x.sid}`));
    expect(kept.filter((x) => !have.has(`${x.line}:${x.sid}`))).toEqual([]);
    expect(r.rejected.length).toBeGreaterThan(0);
    for (const x of r.rejected) {
      expect(x.error).toBeInstanceOf(RuleParseError);
      expect((x.error.line - 1) % 7).toBe(3);
    }
    // and the damaged set still prepares (compiles) without throwing
    const p = prepareRules({ ruleTexts: [{ file: f.file, text: damaged }] });
    expect(p.active).toBeGreaterThan(0);
  });

  it('variable chains (in rule files and --vars files): typed errors, no exponential expansion', () => {
    fc.assert(varsProperty(dir, 'ci'), { numRuns: 150 });
  });

  it('found by fuzzing: 12 variables each listing the previous one 4 times load at once', () => {
    // Each reference used to be expanded anew: 4^12 evaluations (minutes). Now milliseconds.
    const lines = ['var V0 1.2.3.4'];
    for (let i = 0; i < 12; i++) lines.push(`var V${i + 1} [$V${i},$V${i},$V${i},$V${i}]`);
    lines.push('alert tcp $V12 any -> any any (content:"a"; sid:1;)');
    const t0 = performance.now();
    const r = loadRuleTexts([{ file: 'f', text: lines.join('\n') }]);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.rules.map((x) => x.sid)).toEqual([1]);
  });

  it('found while fuzzing: 20000 var lines in a rules file load in linear time', () => {
    // Each var line used to copy every variable defined so far: 177 s for 20000 lines.
    let text = '';
    for (let i = 0; i < 20000; i++) text += `var V${i} 1.2.3.${i % 255}\n`;
    text += 'alert tcp $V19999 any -> any any (content:"a"; sid:1;)\nvar LAST 1.1.1.1\n';
    const t0 = performance.now();
    const r = loadRuleTexts([{ file: 'f', text }]);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(r.rules).toHaveLength(1);
    expect(r.rules[0]!.src.has(0x01020300 + (19999 % 255))).toBe(true);
    expect(r.vars.get('LAST')).toBe('1.1.1.1'); // a var line after the last rule still carries over
  });
});
