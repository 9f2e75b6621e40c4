/**
 * Issue 18 through the rule path (what `replay` runs): a rule with a 1 MB content or a
 * 100k-way literal alternation is rejected by a named limit, and the other rules of the
 * set still fire. On the main of the issue the content alone took minutes (contents were
 * parsed as regexes by the rule program's pattern check before any limit). Not timed.
 */
import { describe, expect, it } from 'vitest';
import { RuleDetector } from '../../src/detect/index.js';
import { parseRules } from '../../src/rules/parse.js';

const alternation = (n: number): string => Array.from({ length: n }, (_, i) => `w${i.toString(36)}x`).join('|');

describe('rule detector: size limits', () => {
  it('rejects a 1 MB content and a 100k-way alternation by their limits, keeps the rest', () => {
    const text = [
      `alert tcp any any -> any any (msg:"big"; content:"${'A'.repeat(1_000_000)}"; sid:1;)`,
      `alert tcp any any -> any any (msg:"alt"; pcre:"/${alternation(100_000)}/"; sid:2;)`,
      'alert tcp any any -> any any (msg:"small"; content:"AAAB"; sid:3;)',
    ].join('\n');
    const parsed = parseRules(text);
    expect(parsed.rejected).toEqual([]);
    const detector = RuleDetector.build(parsed.rules);
    const why = detector.rejected.map((x) => [x.error.sid, x.kind, /(content length|pattern length) limit exceeded/.exec(x.error.reason)?.[1]]);
    expect(why).toEqual([
      [1, 'unsupported-pattern', 'content length'],
      [2, 'unsupported-pattern', 'pattern length'],
    ]);
    const fired: number[] = [];
    detector.inspect(Uint8Array.from('xAAAAB w1x', (c) => c.charCodeAt(0)), (r) => fired.push(parsed.rules[r].sid));
    expect(fired).toEqual([3]);
  });
});
