import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RuleParseError, UsageError } from '../../src/errors.js';
import { formatLoadSummary, loadRuleFiles, loadRuleTexts } from '../../src/rules/load.js';
import { Variables } from '../../src/rules/vars.js';

describe('loading rule files', () => {
  const a = [
    'portvar WEB [80,8080]',
    'alert tcp any any -> any $WEB (msg:"a"; content:"x"; sid:1;)',
    '# alert tcp any any -> any any (msg:"off"; content:"y"; sid:2;)',
    'alert tcp any any -> any any (msg:"broken"; content:"|zz|"; sid:3;)',
  ].join('\n');
  const b = [
    'alert tcp any any -> any $WEB (msg:"uses a var from the previous file"; sid:4;)',
    'alert tcp any any -> any any (msg:"duplicate"; sid:1;)',
    'alert tcp $NOPE any -> any any (sid:5;)',
  ].join('\n');

  it('gives one id space, carries variables over, and summarizes by reject kind', () => {
    const r = loadRuleTexts([{ file: 'a.rules', text: a }, { file: 'b.rules', text: b }], { includeDisabled: true });
    expect(r.rules.map((x) => [x.id, x.sid, x.file, x.enabled])).toEqual([
      [0, 1, 'a.rules', true], [1, 2, 'a.rules', false], [2, 4, 'b.rules', true], [3, 1, 'b.rules', true],
    ]);
    expect(r.rules[2].dstPorts.has(8080)).toBe(true);
    expect(r.summary).toEqual({
      files: 2, loaded: 4, enabled: 3, disabled: 1, disabledSkipped: 0, rejected: 2,
      rejectedByKind: { 'bad-content': 1, 'undefined-variable': 1 }, duplicateSids: 1,
    });
    expect(r.rejected.map((x) => x.error.message)).toEqual([
      "a.rules:4 (sid 3): bad hex digit 'z' in content at offset 1",
      'b.rules:3 (sid 5): undefined variable $NOPE',
    ]);
    expect(formatLoadSummary(r.summary)).toBe(
      'rules: 4 loaded (3 enabled, 1 disabled) from 2 file(s); 2 rejected (bad-content 1, undefined-variable 1); 1 duplicate sids',
    );
    const off = loadRuleTexts([{ file: 'a.rules', text: a }]);
    expect(off.summary.disabledSkipped).toBe(1);
    expect(formatLoadSummary(off.summary)).toContain('1 disabled rules not loaded (use --include-disabled)');
  });

  it('reads files and a variables file; an unreadable file is a RuleParseError naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'snort-load-'));
    writeFileSync(join(dir, 'x.rules'), 'alert tcp $HOME_NET any -> any any (sid:9;)\n');
    writeFileSync(join(dir, 'snort.conf'), 'ipvar HOME_NET 10.0.0.0/8\n');
    const r = loadRuleFiles([join(dir, 'x.rules')], { varsFile: join(dir, 'snort.conf') });
    expect(r.rules[0].src.has(0x0a000001)).toBe(true);
    expect(r.rules[0].src.has(0x0b000001)).toBe(false);
    expect(() => loadRuleFiles([join(dir, 'missing.rules')])).toThrow(RuleParseError);
    expect(() => loadRuleFiles([join(dir, 'missing.rules')])).toThrow(/missing\.rules/);
  });

  it('takes NAME=value variable assignments from a command line', () => {
    const v = Variables.defaults().withAssignments(['HOME_NET=[10.0.0.0/8,192.168.0.0/16]', '$HTTP_PORTS=80']);
    expect(v.get('HOME_NET')).toBe('[10.0.0.0/8,192.168.0.0/16]');
    expect(v.get('HTTP_PORTS')).toBe('80');
    expect(() => v.withAssignments(['HOME_NET'])).toThrow(UsageError);
  });
});
