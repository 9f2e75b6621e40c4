import { describe, expect, it } from 'vitest';
import { LimitExceededError, RegexSyntaxError, UnsupportedFeatureError } from '../../src/errors.js';
import {
  byteSetToArray,
  expandedSize,
  irEquals,
  literalIr,
  parsePattern,
  parseSignature,
  type Ir,
} from '../../src/syntax/index.js';
import { latin1, matches } from '../../src/syntax/ir-reference.js';

/** Does the signature (PCRE text) match the latin1 string? Uses the reference IR matcher. */
const m = (source: string, input: string): boolean => matches(parseSignature(source).ir, latin1(input));

/** Same IR as another PCRE text (structural equality). */
const same = (a: string, b: string): boolean => irEquals(parseSignature(a).ir, parseSignature(b).ir);

const single = (source: string): number[] => {
  const ir: Ir = parseSignature(source).ir;
  if (ir.kind !== 'bytes') throw new Error(`expected one byte set, got ${ir.kind}`);
  return byteSetToArray(ir.set);
};

describe('pre-pass: PCRE constructs regexp-tree would misread', () => {
  it('\\A is text-start, even with m', () => {
    expect(m('/\\Aab/m', 'ab')).toBe(true);
    expect(m('/\\Aab/m', 'x\nab')).toBe(false);
    expect(m('/\\Aab/', 'xab')).toBe(false);
    expect(parseSignature('/\\Aab/').anchored).toBe(true);
  });
  it('\\Z is end or before a final newline; \\z is the very end', () => {
    expect(m('/ab\\Z/', 'ab')).toBe(true);
    expect(m('/ab\\Z/', 'ab\n')).toBe(true);
    expect(m('/ab\\Z/', 'ab\n\n')).toBe(false);
    expect(m('/ab\\z/', 'ab')).toBe(true);
    expect(m('/ab\\z/', 'ab\n')).toBe(false);
    expect(m('/ab\\z/m', 'ab\nx')).toBe(false);
  });
  it('\\Q...\\E quotes metacharacters; a quantifier after \\E applies to the last char', () => {
    expect(m('/\\Qa.b*\\E/', 'a.b*')).toBe(true);
    expect(m('/\\Qa.b*\\E/', 'axbb')).toBe(false);
    expect(m('/^\\Qab\\E+$/', 'abbb')).toBe(true);
    expect(m('/^\\Qab\\E+$/', 'abab')).toBe(false);
    expect(m('/\\Q(x/', '(x')).toBe(true); // \Q without \E runs to the end
    expect(single('/[\\Q]^\\E]/')).toEqual([0x5d, 0x5e]);
    expect(m('/a\\Eb/', 'ab')).toBe(true); // a lone \E is ignored
  });
  it('POSIX classes inside a class, negated ones too; outside a class it is an error', () => {
    expect(single('/[[:digit:]]/')).toEqual([...'0123456789'].map((c) => c.charCodeAt(0)));
    expect(single('/[[:alpha:]_]/').length).toBe(53);
    expect(single('/[[:^space:]]/')).not.toContain(0x0b);
    expect(single('/[[:^space:]]/').length).toBe(256 - 6);
    expect(single('/[[:xdigit:][:punct:]]/').length).toBe(22 + 32);
    expect(() => parseSignature('/[[:nope:]]/')).toThrow(RegexSyntaxError);
    expect(() => parseSignature('/[:alpha:]/')).toThrow(RegexSyntaxError);
    expect(() => parseSignature('/[[.a.]]/')).toThrow(RegexSyntaxError);
  });
  it('\\x{hh}, \\x with 0-2 hex digits', () => {
    expect(single('/\\x{41}/')).toEqual([0x41]);
    expect(single('/\\x{0ff}/')).toEqual([0xff]);
    expect(same('/\\x4g/', '/\\x04g/')).toBe(true);
    expect(single('/\\x/')).toEqual([0]);
    expect(same('/\\x414/', '/A4/')).toBe(true);
    expect(() => parseSignature('/\\x{100}/')).toThrow(RegexSyntaxError);
  });
  it('octal escapes: \\101 is A, \\0 is NUL, \\o{}; backreference numbers are not octal', () => {
    expect(single('/\\101/')).toEqual([0x41]);
    expect(single('/\\0/')).toEqual([0]);
    expect(single('/\\012/')).toEqual([0x0a]);
    expect(single('/\\o{101}/')).toEqual([0x41]);
    expect(single('/[\\101]/')).toEqual([0x41]);
    expect(single('/[\\1]/')).toEqual([1]); // in a class, always octal
    expect(same('/\\08/', '/\\x008/')).toBe(true);
    expect(() => parseSignature('/\\400/')).toThrow(RegexSyntaxError);
    expect(() => parseSignature('/(a)\\1/')).toThrow(UnsupportedFeatureError);
    // \11 with fewer than 11 groups: octal 9 (tab), as PCRE reads it.
    expect(single('/\\11/')).toEqual([0x09]);
  });
  it('leading inline flags (?i) (?s) (?m) (?x) (?-i)', () => {
    expect(m('/(?i)abc/', 'xAbC')).toBe(true);
    expect(m('/(?s)a.b/', 'a\nb')).toBe(true);
    expect(m('/a.b/', 'a\nb')).toBe(false);
    expect(m('/(?m)^b/', 'a\nb')).toBe(true);
    expect(m('/^b/', 'a\nb')).toBe(false);
    expect(m('/(?x) a b # comment\n c/', 'abc')).toBe(true);
    expect(m('/(?-i)abc/i', 'ABC')).toBe(false);
    expect(m('/(?i-s)a.b/s', 'A\nB')).toBe(false);
    expect(m('/(?i-s)a.b/s', 'A-B')).toBe(true);
  });
  it('mid-pattern and scoped inline flags apply to the rest of the enclosing group', () => {
    expect(m('/a(?i)b/', 'aB')).toBe(true);
    expect(m('/a(?i)b/', 'AB')).toBe(false);
    expect(m('/(a(?i)b)c/', 'aBc')).toBe(true);
    expect(m('/(a(?i)b)c/', 'aBC')).toBe(false);
    // PCRE: a change in one branch carries into the later branches of the same group.
    expect(m('/^(a(?i)b|c)$/', 'C')).toBe(true);
    expect(m('/a(?i:b)c/', 'aBc')).toBe(true);
    expect(m('/a(?i:b)c/', 'aBC')).toBe(false);
    expect(m('/a(?-i:b)c/i', 'AbC')).toBe(true);
    expect(m('/a(?-i:b)c/i', 'ABC')).toBe(false);
    expect(m('/(?i:[a-c])/', 'B')).toBe(true);
  });
  it('(?#comments) vanish, even between an atom and its quantifier', () => {
    expect(same('/a(?#x|y)b/', '/ab/')).toBe(true);
    expect(same('/a(?#c)+/', '/a+/')).toBe(true);
    expect(() => parseSignature('/a(?#b/')).toThrow(RegexSyntaxError);
  });
  it('x flag: white space and # comments outside classes, not inside classes or when escaped', () => {
    expect(same('/a b\tc\n#comment\nd/x', '/abcd/')).toBe(true);
    expect(same('/a +/x', '/a+/')).toBe(true);
    expect(same('/[ ]a/x', '/[ ]a/')).toBe(true);
    expect(same('/a\\ b/x', '/a b/')).toBe(true);
    expect(same('/a\\#b/x', '/a#b/')).toBe(true);
    expect(same('/a#b/', '/a#b/x')).toBe(false);
    expect(m('/a (?-x) b/x', 'a b')).toBe(true);
  });
  it('other PCRE escapes: \\h \\v \\R \\N \\C \\e \\a \\f \\cX, [\\b] is backspace', () => {
    expect(single('/\\h/')).toEqual([0x09, 0x20, 0xa0]);
    expect(single('/\\v/')).toEqual([0x0a, 0x0b, 0x0c, 0x0d, 0x85]);
    expect(single('/\\H/').length).toBe(253);
    expect(single('/[\\V]/').length).toBe(251);
    expect(single('/\\N/s').length).toBe(255);
    expect(single('/\\C/').length).toBe(256);
    expect(m('/^\\R$/', '\r\n')).toBe(true);
    expect(m('/^\\R$/', '\x85')).toBe(true);
    expect(m('/^\\R\\R$/', '\r\n')).toBe(true); // CR then LF separately, too
    expect(single('/\\e/')).toEqual([0x1b]);
    expect(single('/\\a/')).toEqual([0x07]);
    expect(single('/\\f/')).toEqual([0x0c]);
    expect(single('/\\cA/')).toEqual([0x01]);
    expect(single('/\\ca/')).toEqual([0x01]);
    expect(single('/\\c[/')).toEqual([0x1b]);
    expect(single('/[\\b]/')).toEqual([0x08]);
    expect(single('/\\//')).toEqual([0x2f]);
  });
  it('class syntax: ] first is literal, - at the edges and next to sets is literal', () => {
    expect(single('/[]a]/')).toEqual([0x5d, 0x61]);
    expect(single('/[^]a]/').length).toBe(254);
    expect(single('/[-a]/')).toEqual([0x2d, 0x61]);
    expect(single('/[a-]/')).toEqual([0x2d, 0x61]);
    expect(single('/[\\d-z]/')).toEqual([0x2d, ...'0123456789'.split('').map((c) => c.charCodeAt(0)), 0x7a]);
    expect(single('/[\\x41-\\x43]/')).toEqual([0x41, 0x42, 0x43]);
    expect(single('/[a-c-e]/')).toEqual([0x2d, 0x61, 0x62, 0x63, 0x65]);
    expect(() => parseSignature('/[z-a]/')).toThrow(RegexSyntaxError);
    expect(() => parseSignature('/[ab/')).toThrow(RegexSyntaxError);
  });
  it('{ not forming a quantifier is literal ({,3} too, PCRE 8.x)', () => {
    expect(m('/^a{,3}$/', 'a{,3}')).toBe(true);
    expect(m('/^a{x}$/', 'a{x}')).toBe(true);
    expect(m('/^a{$/', 'a{')).toBe(true);
    expect(m('/^a}$/', 'a}')).toBe(true);
    expect(m('/^a{2}$/', 'aa')).toBe(true);
    expect(m('/^a{2,}$/', 'aaaa')).toBe(true);
    expect(m('/^a{2,3}$/', 'aaaa')).toBe(false);
  });
  it('named groups and branch reset are plain groups; empty alternatives match empty', () => {
    expect(same('/(?<n>a)(?P<m>b)(?\'o\'c)/', '/(a)(b)(c)/')).toBe(true);
    expect(same('/(?|a|b)/', '/(a|b)/')).toBe(true);
    expect(m('/^x(a|)y$/', 'xy')).toBe(true);
    expect(m('/^x(|a)y$/', 'xay')).toBe(true);
    expect(m('/^x()y$/', 'xy')).toBe(true);
  });
  it('characters above 0xff in a pattern stand for their UTF-8 bytes', () => {
    expect(m('/€/', '\xe2\x82\xac')).toBe(true);
  });
});

describe('flags', () => {
  it('splits PCRE and Snort flags and records them', () => {
    const s = parseSignature('/a/RsiUB');
    expect(s.flags).toBe('si');
    expect(s.snortFlags).toBe('RUB');
    expect(s.pattern).toBe('a');
    expect(s.negated).toBe(false);
    const all = parseSignature('/a/ismxAEGRUIPHDMCKSYBO');
    expect(all.flags).toBe('ismxAEG');
    expect(all.snortFlags).toBe('RUIPHDMCKSYBO');
  });
  it('rejects unknown flags and a missing delimiter', () => {
    expect(() => parseSignature('/a/q')).toThrow(RegexSyntaxError);
    expect(() => parseSignature('/abc')).toThrow(RegexSyntaxError);
  });
  it('negated options and bare patterns', () => {
    const n = parseSignature('!/x/');
    expect(n.negated).toBe(true);
    expect(n.pattern).toBe('x');
    const bare = parseSignature('a/b');
    expect(bare.pattern).toBe('a/b');
    expect(bare.flags).toBe('');
    expect(parseSignature('!x').pattern).toBe('!x');
    expect(parseSignature(' /a b/i ').pattern).toBe('a b');
    expect(parseSignature('! /x/').negated).toBe(true);
    expect(parseSignature(' a ').pattern).toBe(' a ');
  });
  it('A anchors at the scan start (as a leading text-start in the IR)', () => {
    const s = parseSignature('/ab/A');
    expect(s.anchored).toBe(true);
    expect(m('/ab/A', 'ab')).toBe(true);
    expect(m('/ab/A', 'xab')).toBe(false);
    expect(parseSignature('/ab/').anchored).toBe(false);
    expect(parseSignature('/^a|^b/').anchored).toBe(true);
    expect(parseSignature('/^a|b/').anchored).toBe(false);
    expect(parseSignature('/^a/m').anchored).toBe(false);
  });
  it('E: $ only at the very end; without E, also before a final newline; m: before any newline', () => {
    expect(m('/a$/', 'a\n')).toBe(true);
    expect(m('/a$/E', 'a\n')).toBe(false);
    expect(m('/a$/E', 'a')).toBe(true);
    expect(m('/a$/m', 'a\nb')).toBe(true);
    expect(m('/a$/', 'a\nb')).toBe(false);
    expect(m('/a$/mE', 'a\nb')).toBe(true); // m wins over E, as in PCRE
  });
  it('G (ungreedy) only flips greediness', () => {
    const g = parseSignature('/a+b*?/G').ir;
    expect(g.kind).toBe('concat');
    if (g.kind === 'concat') {
      expect(g.items.map((x) => (x.kind === 'repeat' ? x.greedy : null))).toEqual([false, true]);
    }
    expect(m('/a+/G', 'aaa')).toBe(true);
  });
  it('s widens . to every byte; without it . excludes only \\n (\\r included)', () => {
    expect(single('/./').length).toBe(255);
    expect(single('/./')).toContain(0x0d);
    expect(single('/./')).not.toContain(0x0a);
    expect(single('/./s').length).toBe(256);
  });
});

describe('byte semantics', () => {
  it('\\xff is the byte 0xff; latin1 chars in the pattern are bytes', () => {
    expect(single('/\\xff/')).toEqual([0xff]);
    expect(single('/\xe9/')).toEqual([0xe9]);
    expect(m('/\\xff\\x00/', '\xff\x00')).toBe(true);
  });
  it('i folds ASCII letters only (0xe9 and 0xc9 stay apart)', () => {
    expect(single('/\\xe9/i')).toEqual([0xe9]);
    expect(single('/[\\xc0-\\xff]/i').length).toBe(64);
    expect(single('/k/i')).toEqual([0x4b, 0x6b]);
    expect(single('/[^a]/i')).not.toContain(0x41);
    // Case-insensitive class ranges fold the letters inside the range.
    expect(single('/[W-c]/i')).toEqual(
      [...'WXYZ[\\]^_`abc'].map((c) => c.charCodeAt(0)).concat([0x77, 0x78, 0x79, 0x7a, 0x41, 0x42, 0x43]).sort((a, b) => a - b),
    );
  });
  it('\\s includes VT (0x0b) but not 0xa0; \\w and \\d are ASCII', () => {
    expect(single('/\\s/')).toEqual([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20]);
    expect(single('/\\w/').length).toBe(63);
    expect(single('/\\W/')).toContain(0xe9);
    expect(single('/\\d/').length).toBe(10);
    expect(single('/\\D/').length).toBe(246);
  });
  it('\\b / \\B are IR assertions with ASCII word-ness', () => {
    expect(m('/\\bfoo\\b/', 'a foo.')).toBe(true);
    expect(m('/\\bfoo\\b/', 'afoo')).toBe(false);
    expect(m('/\\bfoo\\b/', '\xe9foo')).toBe(true); // 0xe9 is not a word byte
    expect(m('/\\Boo/', 'foo')).toBe(true);
    expect(m('/\\Bfoo/', 'foo')).toBe(false);
  });
  it('literalIr: content strings, nocase folds ASCII only', () => {
    const ir = literalIr(latin1('aB\xe9'), true);
    expect(matches(ir, latin1('xAb\xe9'))).toBe(true);
    expect(matches(ir, latin1('Ab\xc9'))).toBe(false);
    expect(matches(literalIr(latin1('aB'), false), latin1('ab'))).toBe(false);
    expect(literalIr(new Uint8Array(0), false).kind).toBe('empty');
  });
});

describe('repetition limits', () => {
  it('large counts are kept as repeat nodes and sized', () => {
    const ir = parseSignature('/a[^\\n]{500}/').ir;
    expect(expandedSize(ir)).toBe(501);
    expect(expandedSize(parseSignature('/(ab){2,}/').ir)).toBe(6);
    expect(expandedSize(parseSignature('/((ab){10}){10}/').ir)).toBe(200);
  });
  it('exceeding maxRepeatExpansion raises LimitExceededError', () => {
    expect(() => parseSignature('/(a{100}){100}/', { maxRepeatExpansion: 9999 })).toThrow(LimitExceededError);
    try {
      parseSignature('/(a{100}){100}/', { maxRepeatExpansion: 9999 });
    } catch (e) {
      expect(e).toBeInstanceOf(LimitExceededError);
      expect((e as LimitExceededError).given).toBe(10000);
      expect((e as LimitExceededError).limit).toBe(9999);
    }
    expect(() => parseSignature('/(a{100}){100}/', { maxRepeatExpansion: 10000 })).not.toThrow();
  });
  it('PCRE quantifier limits: counts above 65535 and {3,2} are syntax errors', () => {
    expect(() => parseSignature('/a{65536}/')).toThrow(RegexSyntaxError);
    expect(() => parseSignature('/a{3,2}/')).toThrow(RegexSyntaxError);
  });
  it('deep nesting is a typed error, not a stack overflow', () => {
    expect(() => parseSignature(`/${'('.repeat(300)}a${')'.repeat(300)}/`)).toThrow(LimitExceededError);
    expect(parsePattern(`${'(?:'.repeat(200)}a${')'.repeat(200)}`).kind).toBe('bytes');
  });
});

describe('syntax errors carry pattern and offset', () => {
  const cases: Array<[string, number]> = [
    ['a)b', 1],
    ['a(b', 1],
    ['*a', 0],
    ['a|*', 2],
    ['a**', 2],
    ['ab\\', 2],
    ['[z-a]', 1],
    ['(?z)', 2],
    ['\\c', 0],
    ['\\U', 0],
    ['a(?i)+', 5],
  ];
  for (const [pattern, offset] of cases) {
    it(`/${pattern}/ at ${offset}`, () => {
      try {
        parsePattern(pattern);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(RegexSyntaxError);
        expect((e as RegexSyntaxError).pattern).toBe(pattern);
        expect((e as RegexSyntaxError).offset).toBe(offset);
      }
    });
  }
});

describe('IR shape', () => {
  it('repeats of zero-width items collapse (x* = x|ε, x+ = x)', () => {
    expect(same('/a(?:\\b)+b/', '/a\\bb/')).toBe(true);
    expect(same('/a(?:^|\\b)*b/', '/a(?:^|\\b|)b/')).toBe(true);
    expect(m('/a(?:\\b)*b/', 'ab')).toBe(true);
    expect(m('/a(?:\\b)+b/', 'ab')).toBe(false);
  });
  it('quantified assertions (PCRE and Perl accept them) mean the assertion or nothing', () => {
    expect(same('/^+a/', '/^a/')).toBe(true);
    expect(same('/\\b*a/', '/(?:\\b|)a/')).toBe(true);
    expect(same('/a$?/m', '/a(?:$|)/m')).toBe(true);
  });
  it('single-byte alternatives merge into one byte set', () => {
    expect(single('/a|b|[c-d]/')).toEqual([0x61, 0x62, 0x63, 0x64]);
  });
});

describe('escaped non-latin1 characters', () => {
  it('an escaped astral character is its UTF-8 bytes', () => {
    expect(m('/a\\😀b/', 'a\xf0\x9f\x98\x80b')).toBe(true);
  });
});

describe('astral characters', () => {
  it('a literal astral character is its UTF-8 bytes', () => {
    expect(m('/^😀+$/', '\xf0\x9f\x98\x80\x80')).toBe(true); // + applies to the last byte, as PCRE without UTF
    expect(m('/^😀$/', '\xf0\x9f\x98\x80')).toBe(true);
  });
});
