/**
 * Necessary-literal extraction (src/prefilter/literals.ts): unit cases on real-looking
 * patterns, a soundness property against V8 RegExp (whenever V8 finds a match, the
 * condition and the factor hold on the folded input, and no match is longer than
 * maxMatchLength), and a pass over every pcre of the ET Open ruleset when present.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractPcreOptions } from '../../bench/pcre-census.js';
import {
  chooseFactor,
  FOLD,
  literalCondition,
  maxMatchLength,
  type LiteralCondition,
} from '../../src/prefilter/literals.js';
import { parsePattern, parseSignature, type Ir } from '../../src/syntax/index.js';
import { sharedPath } from '../support/shared-data.js';

const enc = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const dec = (b: Uint8Array): string => String.fromCharCode(...b);
const fold = (b: Uint8Array): string => dec(b.map((x) => FOLD[x]));

function holds(cond: LiteralCondition, foldedText: string): boolean {
  switch (cond.kind) {
    case 'any':
      return true;
    case 'none':
      return false;
    case 'lit':
      return foldedText.includes(fold(cond.bytes));
    case 'and':
      return cond.items.every((c) => holds(c, foldedText));
    case 'or':
      return cond.items.some((c) => holds(c, foldedText));
  }
}

function lits(cond: LiteralCondition): string[] {
  if (cond.kind === 'lit') return [dec(cond.bytes)];
  if (cond.kind === 'and' || cond.kind === 'or') return cond.items.flatMap(lits);
  return [];
}

const condOf = (sig: string) => literalCondition(parseSignature(sig).ir);
const factorOf = (sig: string) => {
  const f = chooseFactor(condOf(sig));
  return f === null ? null : f.map(dec).sort();
};

describe('literalCondition / chooseFactor: unit cases', () => {
  it('/foo\\d+bar/i needs foo and bar', () => {
    const c = condOf('/foo\\d+bar/i');
    expect(holds(c, 'xxfoo12barxx')).toBe(true);
    expect(holds(c, 'foo')).toBe(false);
    expect(holds(c, 'bar')).toBe(false);
    const all = lits(c);
    expect(all.some((l) => l.includes('foo'))).toBe(true);
    expect(all.some((l) => l.includes('bar'))).toBe(true);
    const f = factorOf('/foo\\d+bar/i')!;
    expect(f).not.toBeNull();
    expect(f.every((l) => l.length >= 3)).toBe(true);
  });

  it('/(abc|def)ghi/ gives a factor set covering both branches', () => {
    const f = factorOf('/(abc|def)ghi/');
    expect(f).not.toBeNull();
    for (const input of ['abcghi', 'xxdefghixx']) expect(f!.some((l) => input.includes(l))).toBe(true);
    expect(f!.some((l) => 'abcxxdef'.includes(l))).toBe(false);
  });

  it('/a.*b/ and /[^\\x27]{1000}/ have no factor', () => {
    expect(factorOf('/a.*b/')).toBeNull();
    expect(condOf('/[^\\x27]{1000}/').kind).toBe('any');
    expect(factorOf('/[^\\x27]{1000}/')).toBeNull();
  });

  it('folds case: /FooBar/ and /foobar/i give the same lower-case literal', () => {
    expect(factorOf('/FooBar/')).toEqual(['foobar']);
    expect(factorOf('/foobar/i')).toEqual(['foobar']);
  });

  it('never-matching signatures give none and an empty factor', () => {
    const c = literalCondition({ kind: 'never' });
    expect(c.kind).toBe('none');
    expect(chooseFactor(c)).toEqual([]);
  });

  it('long literals are cut to a rare window of maxLength bytes', () => {
    const f = factorOf('/GET \\/index.php?cmd=<script>alert/')!;
    expect(f).toHaveLength(1);
    expect(f[0].length).toBe(8);
    expect('get /index.php?cmd=<script>alert').toContain(f[0]);
  });

  it('an alternation with a short branch has no factor; a.b?c gives small variants', () => {
    expect(factorOf('/(abcdef|x)/')).toBeNull();
    expect(factorOf('/abc(de)?fgh/')).toEqual(['abcdefgh', 'abcfgh']);
  });

  it('bounded repeats: x{3} is exact, {2,} keeps two copies', () => {
    expect(factorOf('/(ab){3}/')).toEqual(['ababab']);
    expect(factorOf('/(abc){2,}/')).toEqual(['abcabc']);
    expect(factorOf('/z(abc)*/')).toBeNull();
  });

  it('an alternation too wide for the variant cap still yields short common prefixes', () => {
    expect(factorOf('/ (30[0-5]\\d|36\\d{2}|38\\d{2})\\d{10} /')).toEqual([' 30', ' 36', ' 38']);
  });

  it('variants sharing a long middle give one window they all contain', () => {
    const f = factorOf('/clsid\\s*\\x3a\\s*88d96(9c(0|1)|9e(5|6)|a0(5|6))-f192-11d4-a65f-0040963251e5/si')!;
    expect(f).toHaveLength(1);
    expect('-f192-11d4-a65f-0040963251e5').toContain(f[0]);
    const g = factorOf('/\\Wannual\\sincome(s)?\\W/ism')!;
    expect(g.length === 1 && ['annual', 'income'].includes(g[0])).toBe(true);
  });

  it('maxLiterals: a set that would be too large is chosen again with fewer literals, or null', () => {
    const c = condOf('/(?:abc[0-3]x|def[0-3]y)/');
    const f = chooseFactor(c, { maxLiterals: 2 });
    expect(f).not.toBeNull();
    expect(f!.length).toBeLessThanOrEqual(2);
    expect(chooseFactor(condOf('/(?:abc|def|ghi)/'), { maxLiterals: 2 })).toBeNull();
  });

  it('maxMatchLength', () => {
    const m = (s: string) => maxMatchLength(parseSignature(s).ir);
    expect(m('/abc/')).toBe(3);
    expect(m('/^a\\b(b|cd)?$/')).toBe(3);
    expect(m('/a{2,5}/')).toBe(5);
    expect(m('/a+/')).toBe(Infinity);
    expect(m('/(?:[^\\x00-\\xff]|ab)/')).toBe(2);
    expect(maxMatchLength({ kind: 'never' })).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------
// Soundness against V8: sources written in the common subset of PCRE and V8 syntax, with
// meanings that agree on inputs over 'abAB \n' (PCRE's `$` also matches before a final
// newline, which only adds PCRE matches; that is the safe direction here).

const atomArb = fc.constantFrom(
  'a', 'b', 'A', 'B', 'ab', 'aB', 'bb', 'abba', 'bAAb', 'b a', ' ', '\\n', '[ab]', '[aB]', '[^a]', '[a-b]', '[A-Za]',
  '.', '\\s', '\\w', '\\W', '\\d', '\\b', '\\B', '^', '$', '[^\\s\\S]',
);
const { re: reArb } = fc.letrec<{ re: string }>((tie) => ({
  re: fc.oneof(
    { depthSize: 'small' },
    { weight: 4, arbitrary: atomArb },
    { weight: 4, arbitrary: fc.array(tie('re'), { minLength: 2, maxLength: 5 }).map((a) => a.join('')) },
    { weight: 2, arbitrary: fc.array(tie('re'), { minLength: 2, maxLength: 3 }).map((a) => `(?:${a.join('|')})`) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(tie('re'), fc.constantFrom('*', '+', '?', '{2}', '{0,2}', '{1,3}', '{2,}', '*?', '{3}'))
        .map(([r, q]) => `(?:${r})${q}`),
    },
  ),
}));
const flagsArb = fc.constantFrom('', '', 'i', 'm', 'im', 's');
const inputArb = fc.array(fc.constantFrom('a', 'b', 'A', 'B', ' ', '\n'), { maxLength: 14 }).map((a) => a.join(''));

/** A random string the IR's bytes could spell (assertions ignored), to make matches likely. */
function sample(ir: Ir, rnd: () => number, depth = 0): string {
  switch (ir.kind) {
    case 'empty':
    case 'assert':
    case 'never':
      return '';
    case 'bytes': {
      const members: number[] = [];
      for (let b = 0; b < 256; b++) if ((ir.set[b >>> 5] >>> (b & 31)) & 1) members.push(b);
      const pool = members.filter((b) => 'abAB \n'.includes(String.fromCharCode(b)));
      const from = pool.length > 0 && rnd() < 0.9 ? pool : members;
      return from.length === 0 ? '' : String.fromCharCode(from[Math.floor(rnd() * from.length)]);
    }
    case 'concat':
      return ir.items.map((i) => sample(i, rnd, depth + 1)).join('');
    case 'alt':
      return sample(ir.items[Math.floor(rnd() * ir.items.length)], rnd, depth + 1);
    case 'repeat': {
      const hi = Math.min(ir.max, ir.min + (depth > 6 ? 0 : 2));
      const n = ir.min + Math.floor(rnd() * (hi - ir.min + 1));
      let out = '';
      for (let k = 0; k < n && out.length < 40; k++) out += sample(ir.item, rnd, depth + 1);
      return out;
    }
  }
}

function prng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Every (start, length) V8 finds: the leftmost-first match at each start. */
function v8Matches(re: RegExp, s: string): number[] {
  const lens: number[] = [];
  for (let i = 0; i <= s.length; i++) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (m) lens.push(m[0].length);
  }
  return lens;
}

/** A random pattern with V8's matcher, our IR, and inputs (random, and sampled from the pattern). */
interface Case {
  src: string;
  flags: string;
  re: RegExp;
  ir: Ir;
  inputs: string[];
}

/** The property over random cases; `check` runs on each input V8 matches, with its match lengths. */
function soundness(check: (c: Case, folded: string, lens: number[], why: string) => void): void {
  fc.assert(
    fc.property(reArb, flagsArb, fc.array(inputArb, { minLength: 1, maxLength: 6 }), fc.integer(), (src, flags, random, seed) => {
      let re: RegExp;
      let ir: Ir;
      try {
        re = new RegExp(src, flags + 'y');
        ir = parsePattern(src, flags);
      } catch {
        fc.pre(false);
        return;
      }
      const rnd = prng(seed);
      const inputs = [...random, ...random.map((r) => r.slice(0, 3) + sample(ir, rnd) + r.slice(3, 6)), sample(ir, rnd)];
      for (const input of inputs) {
        const lens = v8Matches(re, input);
        if (lens.length !== 0) check({ src, flags, re, ir, inputs }, fold(enc(input)), lens, `/${src}/${flags} on ${JSON.stringify(input)}`);
      }
    }),
    { numRuns: Number(process.env.LIT_RUNS ?? 300) },
  );
}

describe('soundness against V8', () => {
  it('whenever V8 matches, the condition and the factor hold, and matches fit maxMatchLength', () => {
    let matched = 0;
    let factorChecked = 0;
    soundness((c, folded, lens, why) => {
      matched++;
      const cond = literalCondition(c.ir);
      const factor = chooseFactor(cond);
      const small = chooseFactor(cond, { minLength: 1, maxLength: 2, maxLiterals: 4 });
      expect(holds(cond, folded), why).toBe(true);
      for (const f of [factor, small]) {
        if (f === null) continue;
        if (f === factor) factorChecked++;
        expect(f.some((l) => folded.includes(fold(l))), why).toBe(true);
      }
      const maxLen = maxMatchLength(c.ir);
      for (const l of lens) expect(l, why).toBeLessThanOrEqual(maxLen);
    });
    // The property must bite: many matches, and many of them on signatures with a factor.
    expect(matched).toBeGreaterThan(500);
    console.log(`soundness: ${matched} inputs with a match, ${factorChecked} checked against a factor`);
    expect(factorChecked).toBeGreaterThan(50);
  });

  it('the same with a tiny maxVariants (forces the non-exact paths)', () => {
    soundness((c, folded, _lens, why) => {
      const cond = literalCondition(c.ir, { maxVariants: 2 });
      const factor = chooseFactor(cond, { minLength: 2, maxLength: 3 });
      expect(holds(cond, folded), why).toBe(true);
      if (factor !== null) expect(factor.some((l) => folded.includes(fold(l))), why).toBe(true);
    });
  });
});

// ---------------------------------------------------------------------------------------
// The real ET Open ruleset.

const etDir = sharedPath('rules', 'et-open-snort-2.9.0');

const etTitle = existsSync(etDir) ? 'ET Open pcre options' : `ET Open pcre options (skipped: ${etDir} absent)`;
describe.skipIf(!existsSync(etDir))(etTitle, () => {
  it('chooseFactor runs on every parsable pcre without throwing', () => {
    const files = readdirSync(etDir).filter((f) => f.endsWith('.rules'));
    let total = 0;
    let parsed = 0;
    let withFactor = 0;
    let never = 0;
    let literals = 0;
    let minLenSum = 0;
    for (const f of files) {
      for (const opt of extractPcreOptions(readFileSync(join(etDir, f), 'latin1'), f)) {
        total++;
        let ir;
        try {
          ir = parseSignature(opt.value).ir;
        } catch {
          continue;
        }
        parsed++;
        const factor = chooseFactor(literalCondition(ir));
        maxMatchLength(ir);
        if (factor === null) continue;
        if (factor.length === 0) {
          never++;
          continue;
        }
        withFactor++;
        literals += factor.length;
        minLenSum += Math.min(...factor.map((l) => l.length));
        for (const l of factor) expect(l.length).toBeGreaterThanOrEqual(3);
      }
    }
    const avgLits = withFactor ? literals / withFactor : 0;
    const avgMin = withFactor ? minLenSum / withFactor : 0;
    console.log(
      `ET Open: ${total} pcre options, ${parsed} parsed, ${withFactor} with a factor ` +
        `(${((100 * withFactor) / Math.max(1, parsed)).toFixed(1)}% of parsed), ${never} never match; ` +
        `avg ${avgLits.toFixed(2)} literals per factor, avg min length ${avgMin.toFixed(2)}`,
    );
    expect(parsed).toBeGreaterThan(1000);
  });
});
