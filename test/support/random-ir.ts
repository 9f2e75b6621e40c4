/**
 * Test helpers: random IR trees paired with an equivalent V8 pattern, and a V8 oracle for
 * "every end offset of every match".
 *
 * The JavaScript side is built from the IR, not parsed, so PCRE/V8 differences (`.`, `\s`,
 * `$`, caseless Latin-1) cannot creep in: byte sets become explicit `\xNN` classes, and
 * each assertion becomes the exact lookaround of its IR definition. Inputs are latin1
 * strings (one char per byte), on which V8 classes over `\x00-\xff` mean the same bytes.
 *
 * Oracle for match ends: a match of R ends at e iff the lookbehind `(?<=R)` succeeds at e
 * (V8 lookbehind is unrestricted and explores every start). Lookarounds inside R see the
 * whole string, as assertions in the IR do.
 */
import type { NfaSignatureInput } from '../../src/nfa/build.js';
import fc from 'fast-check';
import type { AssertionKind, ByteSet, Ir } from '../../src/syntax/ir.js';

export const ALPHABET = [0x61, 0x62, 0x0a, 0x20, 0x5f, 0xe9, 0x30];

const ASSERTION_JS: Record<AssertionKind, string> = {
  'text-start': '(?<![\\s\\S])',
  'line-start': '(?:(?<![\\s\\S])|(?<=\\n))',
  'text-end': '(?![\\s\\S])',
  'text-end-newline': '(?=\\n?(?![\\s\\S]))',
  'line-end': '(?=\\n|(?![\\s\\S]))',
  'word-boundary': '\\b',
  'not-word-boundary': '\\B',
};

export const ASSERTIONS = Object.keys(ASSERTION_JS) as AssertionKind[];

export function byteSet(bytes: Iterable<number>): ByteSet {
  const s = new Uint32Array(8);
  for (const b of bytes) s[b >>> 5] |= 1 << (b & 31);
  return s;
}

function hex(b: number): string {
  return `\\x${b.toString(16).padStart(2, '0')}`;
}

function byteSetJs(s: ByteSet): string {
  const bytes: number[] = [];
  for (let b = 0; b < 256; b++) if ((s[b >>> 5] >>> (b & 31)) & 1) bytes.push(b);
  if (bytes.length === 0) return '[^\\s\\S]';
  if (bytes.length === 256) return '[\\s\\S]';
  if (bytes.length > 128) {
    const out: number[] = [];
    for (let b = 0; b < 256; b++) if (!((s[b >>> 5] >>> (b & 31)) & 1)) out.push(b);
    // Complement within latin1: the input never holds chars above 0xff.
    return `[^${out.map(hex).join('')}]`;
  }
  return `[${bytes.map(hex).join('')}]`;
}

/** V8 source equivalent to the IR (on latin1 strings). */
export function irToJs(ir: Ir): string {
  switch (ir.kind) {
    case 'empty':
      return '(?:)';
    case 'never':
      return '[^\\s\\S]';
    case 'bytes':
      return byteSetJs(ir.set);
    case 'assert':
      return ASSERTION_JS[ir.assertion];
    case 'concat':
      return `(?:${ir.items.map(irToJs).join('')})`;
    case 'alt':
      return `(?:${ir.items.map(irToJs).join('|')})`;
    case 'repeat': {
      const q = ir.max === Infinity ? `{${ir.min},}` : `{${ir.min},${ir.max}}`;
      return `(?:${irToJs(ir.item)})${q}${ir.greedy ? '' : '?'}`;
    }
  }
}

/** Every end offset of every match, ascending (the V8 oracle). */
export function v8MatchEnds(jsSource: string, anchored: boolean, input: string): number[] {
  const body = anchored ? `(?<![\\s\\S])(?:${jsSource})` : jsSource;
  // A lookbehind holding R succeeds at e iff some match of R ends at e.
  const re = new RegExp(`(?<=${body})`, 'y');
  const ends: number[] = [];
  for (let e = 0; e <= input.length; e++) {
    re.lastIndex = e;
    if (re.test(input)) ends.push(e);
  }
  return ends;
}

/** Plain V8 is-match, used to cross-check the lookbehind oracle itself. */
export function v8IsMatch(jsSource: string, anchored: boolean, input: string): boolean {
  return new RegExp(anchored ? `^(?:${jsSource})` : jsSource).test(input);
}

const byteSetArb: fc.Arbitrary<ByteSet> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...ALPHABET).map((b) => byteSet([b])) },
  { weight: 3, arbitrary: fc.subarray(ALPHABET, { minLength: 1 }).map((bs) => byteSet(bs)) },
  {
    weight: 1,
    arbitrary: fc.subarray(ALPHABET, { minLength: 1 }).map((bs) => {
      const s = byteSet(bs);
      for (let w = 0; w < 8; w++) s[w] = ~s[w] >>> 0;
      return s;
    }),
  },
  { weight: 1, arbitrary: fc.constant(byteSet(Array.from({ length: 256 }, (_, i) => i))) },
);

export interface IrArbOptions {
  /** Include zero-width assertions. @default true */
  assertions?: boolean;
}

export function irArb(options: IrArbOptions = {}): fc.Arbitrary<Ir> {
  const withAssertions = options.assertions ?? true;
  const { ir } = fc.letrec<{ ir: Ir; leaf: Ir }>((tie) => ({
    leaf: fc.oneof(
      { weight: 8, arbitrary: byteSetArb.map((set): Ir => ({ kind: 'bytes', set })) },
      {
        weight: withAssertions ? 3 : 0,
        arbitrary: fc.constantFrom(...ASSERTIONS).map((assertion): Ir => ({ kind: 'assert', assertion })),
      },
      { weight: 1, arbitrary: fc.constant<Ir>({ kind: 'empty' }) },
      { weight: 1, arbitrary: fc.constant<Ir>({ kind: 'never' }) },
    ),
    ir: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 4, arbitrary: tie('leaf') },
      {
        weight: 3,
        arbitrary: fc.array(tie('ir'), { minLength: 2, maxLength: 4 }).map((items): Ir => ({ kind: 'concat', items })),
      },
      {
        weight: 2,
        arbitrary: fc.array(tie('ir'), { minLength: 2, maxLength: 3 }).map((items): Ir => ({ kind: 'alt', items })),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(tie('ir'), fc.nat(2), fc.oneof(fc.nat(4), fc.constant(Infinity)), fc.boolean())
          .map(([item, a, b, greedy]): Ir => {
            const min = Math.min(a, b);
            const max = b === Infinity ? Infinity : Math.max(a, b);
            return { kind: 'repeat', item, min, max, greedy };
          }),
      },
    ),
  }));
  return ir;
}

export const inputArb: fc.Arbitrary<Uint8Array> = fc
  .array(fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...ALPHABET) }, { weight: 1, arbitrary: fc.nat(255) }), {
    maxLength: 14,
  })
  .map((a) => Uint8Array.from(a));

export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/**
 * A random signature set of 1..maxLength signatures, ids 0..n-1 (the input of `buildNfa`):
 * the property tests that compare engines on random sets share it.
 */
export function signatureSetArb(maxLength: number): fc.Arbitrary<NfaSignatureInput[]> {
  return fc
    .array(fc.record({ ir: irArb(), anchored: fc.boolean() }), { minLength: 1, maxLength })
    .map((a): NfaSignatureInput[] => a.map((s, id) => ({ id, ...s })));
}
