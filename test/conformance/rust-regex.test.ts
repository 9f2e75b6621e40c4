/**
 * Conformance against the rust-lang/regex test corpus (TOML, ../shared/data, MIT or
 * Apache-2.0): every case an automaton with our semantics can answer faithfully runs
 * through the front end, the NFA builder and the explicit NFA engine, all patterns of a
 * case compiled into one NFA (multi-pattern `set.toml` cases included).
 *
 * Checked per case:
 * - is-match (any pattern matches) against "the case lists a match";
 * - overlapping search with match-kind all: the exact set of match ends per pattern;
 * - earliest search: the first reported end equals our earliest end;
 * - leftmost search: our earliest end is ≤ the end of the first listed match (the
 *   leftmost-first match need not be the earliest-ending one, so only a bound holds).
 *
 * Rust semantics that differ from PCRE on raw bytes are translated or skipped, and every
 * skip is counted by reason: `$` is end-only in Rust (translated to `\z`); Unicode mode on
 * a non-ASCII haystack, non-ASCII patterns, class set operations and nested classes,
 * `\<` `\>` `\b{..}`, `\v` (PCRE: a class), verbose mode around classes, custom line
 * terminators and search bounds are skipped; patterns the PCRE front end rejects
 * (Unicode classes, Rust-only syntax...) are skipped with the error kind.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NfaObddError, UnsupportedFeatureError } from '../../src/errors.js';
import { buildNfaMatcher } from '../../src/engines/explicit/matcher.js';
import { buildNfa } from '../../src/nfa/build.js';
import { parsePattern } from '../../src/syntax/index.js';
import type { Ir } from '../../src/syntax/ir.js';
import { parseToml, type TomlTable, type TomlValue } from './toml.js';
import { sharedPath } from '../support/shared-data.js';

const SHARED = sharedPath('regex-tests/rust-regex/testdata');
const BUNDLED = resolve(import.meta.dirname, 'rust-regex');
const ROOT = existsSync(SHARED) ? SHARED : BUNDLED;

function tomlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tomlFiles(p));
    else if (name.endsWith('.toml')) out.push(p);
  }
  return out;
}

/** regex-test's `unescape`: \xNN, \n, \r, \t, \0, \\ and quotes become bytes. */
function unescapeBytes(s: string): number[] {
  const out: number[] = [];
  const utf8 = (t: string): void => {
    out.push(...new TextEncoder().encode(t));
  };
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\' || i + 1 >= s.length) {
      utf8(s[i]);
      continue;
    }
    const c = s[++i];
    if (c === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === 'n') out.push(10);
    else if (c === 'r') out.push(13);
    else if (c === 't') out.push(9);
    else if (c === '0') out.push(0);
    else utf8(c);
  }
  return out;
}

interface Expected {
  id: number;
  start: number;
  end: number;
}

function parseMatches(v: TomlValue | undefined): Expected[] {
  const out: Expected[] = [];
  for (const m of (v ?? []) as TomlValue[]) {
    if (Array.isArray(m) && typeof m[0] === 'number') out.push({ id: 0, start: m[0] as number, end: m[1] as number });
    else if (Array.isArray(m)) {
      const whole = m[0] as number[];
      out.push({ id: 0, start: whole[0], end: whole[1] });
    } else {
      const t = m as TomlTable;
      // `spans` (capture groups): the first span is the whole match.
      const span = (t.span ?? (t.spans as TomlValue[])[0]) as number[];
      out.push({ id: t.id as number, start: span[0], end: span[1] });
    }
  }
  return out;
}

/** Rust-only syntax that the PCRE front end would read differently (not reject). */
function rustOnlySyntax(re: string): string | null {
  if (/\\[<>]|\\[bB]\{/.test(re)) return 'Rust word-boundary syntax (\\< \\> \\b{..})';
  if (/\\v/.test(re)) return '\\v (Rust: VT; PCRE: vertical-space class)';
  // Scan classes for nesting and set operations.
  let depth = 0;
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (depth === 0) {
      if (c === '[') {
        depth = 1;
        if (re[i + 1] === '^') i++;
        if (re[i + 1] === ']') i++;
      }
      continue;
    }
    if (c === '[' && re[i + 1] === ':') {
      const end = re.indexOf(':]', i + 2);
      if (end > 0) {
        i = end + 1;
        continue;
      }
    }
    if (c === '[') return 'Rust nested character class';
    if ((c === '&' || c === '-' || c === '~') && re[i + 1] === c && re[i + 2] !== ']' && re[i - 1] !== '[') {
      return 'Rust class set operation (&& -- ~~)';
    }
    if (c === ']') depth = 0;
  }
  if (/\(\?[a-zA-Z-]*x/.test(re) && re.includes('[')) return 'verbose mode with a class (Rust ignores its spaces)';
  return null;
}

/** Rust `$` is `\z`; the PCRE front end reads `$` (no m) as text-end-newline. */
function rustDollar(ir: Ir): Ir {
  switch (ir.kind) {
    case 'assert':
      return ir.assertion === 'text-end-newline' ? { kind: 'assert', assertion: 'text-end' } : ir;
    case 'concat':
    case 'alt':
      return { kind: ir.kind, items: ir.items.map(rustDollar) };
    case 'repeat':
      return { ...ir, item: rustDollar(ir.item) };
    default:
      return ir;
  }
}

interface Tally {
  ran: number;
  passed: number;
  failed: string[];
  skipped: Map<string, number>;
  checks: Record<string, number>;
}

function runCase(file: string, t: TomlTable, tally: Tally): void {
  const skip = (reason: string): void => {
    tally.skipped.set(reason, (tally.skipped.get(reason) ?? 0) + 1);
  };
  const regexes = (Array.isArray(t.regex) ? t.regex : [t.regex]) as string[];
  const unicode = t.unicode !== false;
  if (t.compiles === false) return skip('expects a compile error');
  if (t['line-terminator'] !== undefined) return skip('custom line terminator');
  if (t.bounds !== undefined) return skip('search bounds');
  if (regexes.some((r) => /[^\x00-\x7f]/.test(r))) return skip('non-ASCII pattern');
  const hay = t.unescape === true ? unescapeBytes(t.haystack as string) : [...new TextEncoder().encode(t.haystack as string)];
  if (unicode && hay.some((b) => b >= 0x80)) return skip('Unicode mode on a non-ASCII haystack');
  for (const r of regexes) {
    const why = rustOnlySyntax(r);
    if (why) return skip(why);
  }
  const flags = t['case-insensitive'] === true ? 'i' : '';
  const irs: Ir[] = [];
  for (const r of regexes) {
    try {
      irs.push(rustDollar(parsePattern(r, flags)));
    } catch (e) {
      if (!(e instanceof NfaObddError)) throw e;
      const what = e instanceof UnsupportedFeatureError ? `${e.code} ${e.feature}` : e.code;
      return skip(`front end rejects (${what})`);
    }
  }

  const anchored = t.anchored === true;
  const nfa = buildNfa(irs.map((ir, id) => ({ id, ir, anchored })));
  const m = buildNfaMatcher(nfa);
  const ends: number[][] = irs.map(() => []);
  const s = m.createScratch();
  const cb = (sig: number, end: number): void => {
    ends[sig].push(end);
  };
  m.scan(s, Uint8Array.from(hay), cb);
  m.finish(s, cb);

  const expected = parseMatches(t.matches);
  const limit = typeof t['match-limit'] === 'number' ? (t['match-limit'] as number) : Infinity;
  const truncated = expected.length >= limit;
  const searchKind = (t['search-kind'] as string | undefined) ?? 'leftmost';
  const matchKind = (t['match-kind'] as string | undefined) ?? 'leftmost-first';
  const problems: string[] = [];
  const count = (k: string): void => {
    tally.checks[k] = (tally.checks[k] ?? 0) + 1;
  };

  const ours = ends.some((e) => e.length > 0);
  if (!(truncated && limit === 0)) {
    count('is-match');
    if (ours !== expected.length > 0) problems.push(`is-match: expected ${expected.length > 0}, got ${ours}`);
  }
  const ourMin = Math.min(...ends.flat());
  if (searchKind === 'overlapping' && matchKind === 'all' && !truncated) {
    count('all match ends');
    regexes.forEach((_, id) => {
      const want = [...new Set(expected.filter((x) => x.id === id).map((x) => x.end))].sort((a, b) => a - b);
      if (JSON.stringify(want) !== JSON.stringify(ends[id])) {
        problems.push(`ends of pattern ${id}: expected ${JSON.stringify(want)}, got ${JSON.stringify(ends[id])}`);
      }
    });
  } else if (expected.length > 0 && ours) {
    if (searchKind === 'earliest') {
      count('earliest end');
      if (ourMin !== expected[0].end) problems.push(`earliest end: expected ${expected[0].end}, got ${ourMin}`);
    } else {
      count('earliest end bound');
      const firstEnd = Math.min(...expected.map((x) => x.end));
      if (ourMin > firstEnd) problems.push(`earliest end ${ourMin} > a listed match end ${firstEnd}`);
    }
  }
  tally.ran++;
  if (problems.length === 0) tally.passed++;
  else tally.failed.push(`${relative(ROOT, file)} ${t.name as string} /${regexes.join('/, /')}/: ${problems.join('; ')}`);
}

describe.skipIf(!existsSync(ROOT))('rust-regex conformance corpus', () => {
  it('passes every case an automaton can answer', () => {
    const tally: Tally = { ran: 0, passed: 0, failed: [], skipped: new Map(), checks: {} };
    let total = 0;
    for (const file of tomlFiles(ROOT)) {
      const doc = parseToml(readFileSync(file, 'utf8'));
      for (const t of (doc.test ?? []) as TomlTable[]) {
        total++;
        runCase(file, t, tally);
      }
    }
    const skippedTotal = [...tally.skipped.values()].reduce((a, b) => a + b, 0);
    const lines = [
      `rust-regex conformance (${relative(resolve(import.meta.dirname, '../..'), ROOT)}): ${total} cases, ` +
        `${tally.ran} ran, ${tally.passed} passed, ${tally.failed.length} failed, ${skippedTotal} skipped`,
      `  checks: ${Object.entries(tally.checks).map(([k, v]) => `${k} ${v}`).join(', ')}`,
      ...[...tally.skipped.entries()].sort((a, b) => b[1] - a[1]).map(([r, n]) => `  skipped ${n}: ${r}`),
      ...tally.failed.map((f) => `  FAILED ${f}`),
    ];
    console.log(lines.join('\n'));
    expect(tally.ran + skippedTotal).toBe(total);
    expect(tally.failed).toEqual([]);
    // Guard against a silent mass skip (e.g. a front-end regression rejecting everything).
    expect(tally.ran).toBeGreaterThan(total / 2);
  });
});
