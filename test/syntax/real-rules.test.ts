/**
 * A quick sample of real `pcre` options from the rulesets in ../shared/data/rules (the
 * full census is bench/pcre-census.ts): every option parses or fails with a typed error,
 * and the known-inexpressible ones fail for the right reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractPcreOptions, reasonOf } from '../../bench/pcre-census.js';
import { NfaObddError } from '../../src/errors.js';
import { parseSignature } from '../../src/syntax/index.js';
import { sharedPath } from '../support/shared-data.js';

const rules = sharedPath('rules');
const files = [
  'snort2-community/community.rules',
  'snort3-community/snort3-community.rules',
  'et-open-snort-2.9.0/emerging-web_specific_apps.rules',
  'et-open-snort-2.9.0/emerging-trojan.rules',
  'et-open-snort-2.9.0/emerging-current_events.rules',
];

describe.skipIf(!existsSync(rules))('real pcre options (sample)', () => {
  // describe.skipIf still runs this body to collect the tests: read nothing without the data.
  const sample = !existsSync(rules) ? [] : files.flatMap((f) => {
    const opts = extractPcreOptions(readFileSync(join(rules, f), 'latin1'), f);
    const step = Math.max(1, Math.floor(opts.length / 80));
    return opts.filter((_, k) => k % step === 0);
  });

  it('parses a few hundred options without crashing; failures are typed', () => {
    expect(sample.length).toBeGreaterThan(300);
    const reasons = new Map<string, number>();
    let accepted = 0;
    for (const opt of sample) {
      try {
        const sig = parseSignature(opt.value);
        expect(sig.ir).toBeDefined();
        accepted++;
      } catch (e) {
        expect(e, `${opt.file}:${opt.line} ${opt.value}`).toBeInstanceOf(NfaObddError);
        const r = reasonOf(e);
        reasons.set(r, (reasons.get(r) ?? 0) + 1);
      }
    }
    // Census: ~92% of ET and ~74% of community options are expressible (backreferences
    // and lookarounds are the rest). A sample far below that means a front-end regression.
    expect(accepted / sample.length).toBeGreaterThan(0.7);
    for (const r of reasons.keys()) expect(r).toMatch(/^unsupported: /);
  });

  it('extracts options with an unescaped quote (ET sid 2019728) in full', () => {
    const opts = extractPcreOptions(
      readFileSync(join(rules, 'et-open-snort-2.9.0/emerging-web_specific_apps.rules'), 'latin1'),
      'x',
    ).filter((o) => o.sid === 2019728);
    expect(opts.length).toBeGreaterThan(0);
    for (const o of opts) {
      expect(o.value.startsWith('/')).toBe(true);
      expect(o.value.endsWith('/Rsi')).toBe(true);
      expect(o.value).toContain('image_file"');
      // Read past the quote, it fails on the one atomic group in all three rulesets.
      expect(() => parseSignature(o.value)).toThrow(/atomic group/);
    }
  });

  it('known examples: a backreference rule is rejected as such, a \\b rule is accepted', () => {
    expect(() => parseSignature('/^(\\w+)\\s+\\1/')).toThrow(/backreference/);
    const s = parseSignature('/\\bcmd\\.exe\\b/Ui');
    expect(s.snortFlags).toBe('U');
    expect(s.flags).toBe('i');
  });
});
