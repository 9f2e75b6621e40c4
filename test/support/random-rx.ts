/**
 * Test helpers for confirmed signatures: random PCRE patterns with backreferences,
 * lookarounds, atomic groups and possessive quantifiers, rendered twice: as PCRE source
 * and (mode 'v8') as a V8 RegExp source with the same meaning.
 *
 * The V8 rendering only exists where PCRE 8.x and V8 agree, so the generator avoids their
 * known differences instead of papering over them:
 * - a backreference only names a group that is certainly set when it is reached (closed
 *   earlier in the same concatenation, not under an alternation, a repeat, a negative
 *   lookaround or a lookbehind): V8 matches an unset group as the empty string, PCRE fails;
 *   V8 resets a repeated group's captures at each iteration, PCRE keeps them;
 * - a quantified item never matches the empty string (V8 rejects an empty iteration past
 *   the minimum, PCRE stops the repeat after it: different captures, even different ends);
 * - lookbehind bodies hold no captures nor references (V8 matches them right to left) and
 *   every top-level branch has one fixed length (PCRE 8.x); lookarounds are never quantified
 *   (V8 refuses a quantified lookbehind);
 * - PCRE's atomic group `(?>X)` becomes V8's `(?=(X))\N` (a lookahead is atomic; the extra
 *   group shifts V8's numbering, tracked separately), `X*+` becomes `(?=(X*))\N`.
 * Mode 'free' drops those restrictions (references to any group opened so far, nullable
 * repeats): PCRE source only, for properties that need no V8 (the over-approximation).
 */
import fc from 'fast-check';

/**
 * A pattern tree; `ref.pick` is resolved when rendering (to a group valid at that point; a
 * negative pick prefers the groups closed last).
 */
export type Tree =
  | { t: 'lit'; c: string }
  | { t: 'asrt'; c: string }
  | { t: 'cat'; items: Tree[] }
  | { t: 'alt'; items: Tree[] }
  | { t: 'rep'; item: Tree; q: string }
  | { t: 'grp'; item: Tree }
  | { t: 'la'; neg: boolean; item: Tree }
  | { t: 'lb'; neg: boolean; body: string }
  | { t: 'atom'; item: Tree }
  | { t: 'poss'; item: Tree; q: string }
  | { t: 'ref'; pick: number };

/** Input alphabet (latin1 chars = bytes); the caseless runs add 'A' and 'B'. */
export const CHARS = ['a', 'b', 'c', ' '];
export const CHARS_I = ['a', 'b', 'c', ' ', 'A', 'B'];

const LITS = ['a', 'b', 'c', ' ', 'a', 'b'];
const CLASSES = ['[ab]', '[^a]', '.', '[a-c]', '\\w', '\\s', '\\S', '[b ]'];
const ASSERTS = ['^', '$', '\\b', '\\B'];
const QUANTS = ['*', '+', '?', '{2}', '{1,2}', '{0,2}', '{2,}', '*?', '+?', '??', '{1,3}?'];
const POSS = ['*+', '++', '?+', '{1,2}+'];

/** A fixed-length piece of a lookbehind branch (no groups, no references). */
const fixedPiece = fc.oneof(
  fc.constantFrom(...LITS, ...CLASSES),
  fc.constantFrom('(?:a|b)', '(?:ab|ba)', '(?:a|[bc])', 'a{2}', '[ab]{2}', '(?:b|c){2}'),
);
const fixedBranch = fc.array(fixedPiece, { maxLength: 3 }).map((a) => a.join(''));
const lookbehindBody = fc.array(fixedBranch, { minLength: 1, maxLength: 3 }).map((a) => a.join('|'));

export const treeArb: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree; leaf: Tree }>((tie) => ({
  leaf: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...LITS).map((c): Tree => ({ t: 'lit', c })) },
    { weight: 3, arbitrary: fc.constantFrom(...CLASSES).map((c): Tree => ({ t: 'lit', c })) },
    { weight: 1, arbitrary: fc.constantFrom(...ASSERTS).map((c): Tree => ({ t: 'asrt', c })) },
    { weight: 3, arbitrary: fc.nat(20).map((pick): Tree => ({ t: 'ref', pick })) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.boolean(), lookbehindBody).map(([neg, body]): Tree => ({ t: 'lb', neg, body })),
    },
  ),
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 5, arbitrary: tie('leaf') },
    { weight: 4, arbitrary: fc.array(tie('tree'), { minLength: 2, maxLength: 4 }).map((items): Tree => ({ t: 'cat', items })) },
    { weight: 2, arbitrary: fc.array(tie('tree'), { minLength: 2, maxLength: 3 }).map((items): Tree => ({ t: 'alt', items })) },
    { weight: 2, arbitrary: fc.tuple(tie('tree'), fc.constantFrom(...QUANTS)).map(([item, q]): Tree => ({ t: 'rep', item, q })) },
    { weight: 3, arbitrary: tie('tree').map((item): Tree => ({ t: 'grp', item })) },
    {
      // A group, something, a reference: references that resolve (mostly to that group).
      weight: 3,
      arbitrary: fc
        .tuple(tie('tree'), fc.option(tie('tree'), { nil: undefined }), fc.nat(20), fc.option(fc.constantFrom(...QUANTS), { nil: undefined }))
        .map(([x, y, pick, q]): Tree => {
          const ref: Tree = { t: 'ref', pick: -1 - pick };
          const items: Tree[] = [{ t: 'grp', item: x }, ...(y === undefined ? [] : [y]), q === undefined ? ref : { t: 'rep', item: ref, q }];
          return { t: 'cat', items };
        }),
    },
    { weight: 2, arbitrary: fc.tuple(fc.boolean(), tie('tree')).map(([neg, item]): Tree => ({ t: 'la', neg, item })) },
    { weight: 1, arbitrary: tie('tree').map((item): Tree => ({ t: 'atom', item })) },
    { weight: 1, arbitrary: fc.tuple(tie('tree'), fc.constantFrom(...POSS)).map(([item, q]): Tree => ({ t: 'poss', item, q })) },
  ),
})).tree;

interface Grp {
  pcre: number;
  v8: number;
  nullable: boolean;
}

interface Out {
  p: string;
  j: string;
  set: Grp[];
  nullable: boolean;
}

/** A rendered pattern: PCRE source, V8 source (mode 'v8' only, else ''), PCRE group count. */
export interface Rendered {
  pcre: string;
  v8: string;
  groups: number;
}

const minZero = (q: string): boolean => q.startsWith('*') || q.startsWith('?') || q.startsWith('{0');

/** Renders a tree (see the module comment for the two modes). */
export function render(tree: Tree, mode: 'v8' | 'free'): Rendered {
  let pcreN = 0;
  let v8N = 0;
  const free = mode === 'free';
  const go = (t: Tree, avail: Grp[]): Out => {
    switch (t.t) {
      case 'lit':
        return { p: t.c, j: t.c, set: [], nullable: false };
      case 'asrt':
        return { p: t.c, j: t.c, set: [], nullable: true };
      case 'cat': {
        let cur = avail;
        const set: Grp[] = [];
        let p = '';
        let j = '';
        let nullable = true;
        for (const it of t.items) {
          const r = go(it, cur);
          p += r.p;
          j += r.j;
          cur = cur.concat(r.set);
          set.push(...r.set);
          nullable &&= r.nullable;
        }
        return { p, j, set, nullable };
      }
      case 'alt': {
        const rs = t.items.map((it) => go(it, avail));
        return {
          p: `(?:${rs.map((r) => r.p).join('|')})`,
          j: `(?:${rs.map((r) => r.j).join('|')})`,
          set: [],
          nullable: rs.some((r) => r.nullable),
        };
      }
      case 'rep': {
        const r = go(t.item, avail);
        if (r.nullable && !free) return { p: `(?:${r.p})`, j: `(?:${r.j})`, set: [], nullable: true };
        return { p: `(?:${r.p})${t.q}`, j: `(?:${r.j})${t.q}`, set: [], nullable: r.nullable || minZero(t.q) };
      }
      case 'grp': {
        const g: Grp = { pcre: ++pcreN, v8: ++v8N, nullable: false };
        // Free mode: a reference inside the group to itself is allowed (PCRE: fails until set).
        const r = go(t.item, free ? avail.concat([g]) : avail);
        g.nullable = r.nullable;
        return { p: `(${r.p})`, j: `(${r.j})`, set: [...r.set, g], nullable: r.nullable };
      }
      case 'la': {
        const r = go(t.item, avail);
        const op = t.neg ? '?!' : '?=';
        return { p: `(${op}${r.p})`, j: `(${op}${r.j})`, set: t.neg ? [] : r.set, nullable: true };
      }
      case 'lb': {
        const op = t.neg ? '?<!' : '?<=';
        return { p: `(${op}${t.body})`, j: `(${op}${t.body})`, set: [], nullable: true };
      }
      case 'atom': {
        const m = ++v8N;
        const r = go(t.item, avail);
        return { p: `(?>${r.p})`, j: `(?=(${r.j}))\\${m}`, set: r.set, nullable: r.nullable };
      }
      case 'poss': {
        const m = ++v8N;
        const r = go(t.item, avail);
        const q = t.q.slice(0, -1);
        if (r.nullable && !free) return { p: `(?>${r.p})`, j: `(?=(${r.j}))\\${m}`, set: r.set, nullable: true };
        return { p: `(?:${r.p})${t.q}`, j: `(?=((?:${r.j})${q}))\\${m}`, set: [], nullable: r.nullable || minZero(q) };
      }
      case 'ref': {
        if (free) {
          // Any group opened so far (PCRE refuses forward references).
          const all = avail;
          if (pcreN === 0) return { p: 'a', j: 'a', set: [], nullable: false };
          const pick = Math.abs(t.pick);
          const known = all.length > 0 && pick % 2 === 0 ? all[pick % all.length]!.pcre : 1 + (pick % pcreN);
          return { p: `\\${known}`, j: '', set: [], nullable: true };
        }
        if (avail.length === 0) return { p: 'b', j: 'b', set: [], nullable: false };
        // pick < 0: counted from the most recently closed group.
        const g = t.pick < 0 ? avail[Math.max(0, avail.length - 1 - ((-1 - t.pick) % 3))]! : avail[t.pick % avail.length]!;
        return { p: `\\${g.pcre}`, j: `\\${g.v8}`, set: [], nullable: g.nullable };
      }
    }
  };
  const r = go(tree, []);
  return { pcre: r.p, v8: free ? '' : r.j, groups: pcreN };
}

/** Short inputs over the alphabet. */
export function inputArb(chars: readonly string[], maxLength = 7): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...chars), { maxLength }).map((a) => a.join(''));
}
