import { describe, expect, it } from 'vitest';
import { UnsupportedFeatureError } from '../../src/errors.js';
import { parseSignature } from '../../src/syntax/index.js';

/** [pcre option, feature name, offset in the pattern] */
const cases: Array<[string, string, number]> = [
  ['/(a)\\1/', 'backreference', 3],
  ['/(a)x\\9/', 'backreference', 4],
  ['/(a)\\g1/', 'backreference', 3],
  ['/(a)\\g{-1}/', 'backreference', 3],
  ['/(?<n>a)\\k<n>/', 'backreference', 7],
  ['/(?P<n>a)(?P=n)/', 'backreference', 8],
  ['/a(?=b)/', 'lookahead', 1],
  ['/a(?!b)/', 'lookahead', 1],
  ['/(?<=a)b/', 'lookbehind', 0],
  ['/(?<!a)b/', 'lookbehind', 0],
  ['/x(?>a+)b/', 'atomic group', 1],
  ['/a++b/', 'possessive quantifier', 1],
  ['/a*+b/', 'possessive quantifier', 1],
  ['/a?+b/', 'possessive quantifier', 1],
  ['/a{2,3}+b/', 'possessive quantifier', 1],
  ['/(?(1)a|b)/', 'conditional group', 0],
  ['/(a(?R))/', 'recursion', 2],
  ['/(a(?1))/', 'recursion', 2],
  ['/(a(?-1))/', 'recursion', 2],
  ['/(?<n>a(?&n))/', 'recursion', 6],
  ['/(?P<n>a(?P>n))/', 'recursion', 7],
  ['/(a)\\g<1>/', 'recursion', 3],
  ['/ab\\Kc/', '\\K', 2],
  ['/\\Gab/', '\\G', 0],
  ['/a\\p{L}/', 'Unicode property \\p', 1],
  ['/a\\P{Lu}/', 'Unicode property \\P', 1],
  ['/\\X/', '\\X (extended grapheme cluster)', 0],
  ['/(*UTF8)a/', 'backtracking control verb', 0],
  ['/a(?C1)b/', 'callout', 1],
];

describe('constructs no finite automaton expresses are typed UnsupportedFeatureErrors', () => {
  for (const [source, feature, offset] of cases) {
    it(`${source}: ${feature} at ${offset}`, () => {
      let err: unknown;
      try {
        parseSignature(source);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UnsupportedFeatureError);
      const u = err as UnsupportedFeatureError;
      expect(u.feature).toBe(feature);
      expect(u.offset).toBe(offset);
      expect(u.pattern).toBe(source.slice(1, source.lastIndexOf('/')));
      expect(u.code).toBe('UNSUPPORTED_FEATURE');
    });
  }
  it('\\10 is a backreference once 10 groups are open, octal before', () => {
    const groups = '(a)'.repeat(10);
    expect(() => parseSignature(`/${groups}\\10/`)).toThrow(UnsupportedFeatureError);
    expect(() => parseSignature('/(a)\\10/')).not.toThrow();
  });
});
