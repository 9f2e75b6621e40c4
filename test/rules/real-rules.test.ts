/**
 * Loads real ruleset files from ../shared/data/rules (a few files, not the whole sets: the
 * census of everything lives in bench/rules-census.ts). Skipped when the data is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRuleFiles } from '../../src/rules/load.js';
import { parseRules } from '../../src/rules/parse.js';
import type { ContentPattern, PcrePattern } from '../../src/rules/rule.js';
import { RuleProgram } from '../../src/detect/index.js';
import { selectRules } from '../../src/rules/select.js';
import { sharedPath } from '../support/shared-data.js';

const root = sharedPath('rules') + '/';
const et = (f: string) => `${root}et-open-snort-2.9.0/${f}`;
const have = existsSync(root);

describe.skipIf(!have)('real rulesets', () => {
  it('parses every rule of ET attack_response, with GPL ATTACK_RESPONSE sid 2100498 and its content', () => {
    const r = loadRuleFiles([et('emerging-attack_response.rules')], { includeDisabled: true });
    expect(r.rejected).toEqual([]);
    const lines = readFileSync(et('emerging-attack_response.rules'), 'utf8').split('\n');
    const ruleLines = lines.filter((l) => /^#?\s*alert /.test(l)).length;
    expect(r.rules).toHaveLength(ruleLines);
    const rule = r.rules.find((x) => x.sid === 2100498)!;
    expect(rule).toMatchObject({ msg: 'GPL ATTACK_RESPONSE id check returned root', protocol: 'ip', classtype: 'bad-unknown', rev: 8, enabled: true });
    expect(rule.patterns).toHaveLength(1);
    const c = rule.patterns[0] as ContentPattern;
    expect(new TextDecoder().decode(c.bytes)).toBe('uid=0(root)');
    expect(c.fastPattern).toBe(true);
    expect(lines[rule.line - 1]).toContain('sid:2100498;');
  });

  it('extracts the ET pcre options that hold an unescaped quote whole (sid 2019728 and others)', () => {
    const text = readFileSync(et('emerging-web_specific_apps.rules'), 'utf8');
    const r = parseRules(text, { includeDisabled: true, file: 'emerging-web_specific_apps.rules' });
    expect(r.rejected).toEqual([]);
    const rule = r.rules.find((x) => x.sid === 2019728)!;
    const p = rule.patterns.find((x) => x.kind === 'pcre') as PcrePattern;
    expect(p.source).toBe('/^[^\\r]*?name=[\\x22\\x27]image_file"\\x3b[^(?>\\r\\n|\\n|\\r)]*?(?>\\r\\n|\\n|\\r)(?>\\r\\n|\\n|\\r)?Content-Type: application/x-httpd-php/Rsi');
    expect(p.relative).toBe(true);
    expect(p.buffer).toBe('http_client_body');
    // Every pcre value in the file was kept whole: its source is exactly what sits between
    // `pcre:"` and the `";` that closes the option in the rule text.
    let quoted = 0;
    for (const x of r.rules) {
      for (const q of x.patterns) {
        if (q.kind !== 'pcre') continue;
        expect(x.text).toContain(`pcre:${q.negated ? '!' : ''}"${q.source}";`);
        if (/(^|[^\\])"/.test(q.pattern)) quoted++;
      }
    }
    expect(quoted).toBeGreaterThanOrEqual(3);
  });

  it('loads the Snort 3 community file as Snort 3 and builds a rule program from it', () => {
    const file = `${root}snort3-community/snort3-community.rules`;
    const r = loadRuleFiles([file], { includeDisabled: true });
    expect(r.rejected).toEqual([]);
    expect(r.summary.loaded).toBe(4022);
    expect(r.rules.every((x) => x.dialect === 'snort3')).toBe(true);
    const root498 = r.rules.find((x) => x.sid === 498)!;
    expect(root498.patterns.map((p) => p.kind === 'content' && new TextDecoder().decode(p.bytes))).toEqual(['uid=0(root)']);
    const http = selectRules(r.rules, 'http');
    const ftp = selectRules(r.rules, 'ftp');
    expect(http.length).toBeGreaterThan(100);
    expect(ftp.length).toBeGreaterThan(10);
    expect(ftp.every((x) => x.dstPorts.has(21) && !x.dstPorts.any)).toBe(true);
    const program = new RuleProgram(r.rules);
    expect(program.signatures.length).toBeGreaterThan(4000);
    expect(program.approximations().rulesExact).toBeGreaterThan(500);
  });
});
