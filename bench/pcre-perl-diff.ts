/**
 * Differential check of the PCRE front end and of the exact matcher of confirmed patterns
 * against Perl 5 (whose regex dialect PCRE follows; on byte strings Perl ≥ 5.18 has PCRE's
 * `\s` with VT, ASCII-only `\w`/`\d` and ASCII-only caseless matching, backreferences
 * included). Every accepted `pcre` option of the rulesets is parsed with
 * `{ confirm: true }`, and falls in one of two categories:
 * - regular (no `exact`): inputs sampled from the IR (a random walk, then mutations);
 *   match/no-match decided by the reference IR matcher of src/syntax/ir-reference.ts;
 * - confirmed (`exact` present: backreference, lookaround, atomic group, possessive
 *   quantifier): inputs sampled from the over-approximation `ir` as above (the candidates
 *   confirmation sees), plus inputs sampled from the exact form `exact.rx` (a walk that
 *   records what each group captured and re-emits it for a backreference, so
 *   backreferences get positive cases; a lookaround emits nothing, or, when positive,
 *   sometimes a sample of its body; mutations then satisfy or break some of them);
 *   decided by `new ExactMatcher(exact, anchored).exec(bytes)` (1 s deadline; a run out
 *   of time is EXHAUSTED, reported on its own). Besides match/no-match, the first
 *   match's span (start, end) is compared with Perl's `$-[0]`/`$+[0]` and span
 *   differences are reported separately.
 * Disagreements are reported per category. Needs `perl` on PATH; minutes, not seconds: a
 * bench, not a unit test.
 *
 *   npx tsx bench/pcre-perl-diff.ts [--rules DIR] [--max N] [--show N] [--random N] [--random-confirm N] [--seed N]
 *
 * `--random N` checks N random patterns rich in PCRE-only syntax (inline and scoped flags,
 * \A \Z \z, POSIX classes, octal, \h \v \R \N, x-mode, comments) instead of the rulesets.
 * `--random-confirm N` checks N random patterns rich in confirmable features:
 * backreferences to earlier groups in every PCRE spelling (\N, \gN, \g{N}, \g{-N},
 * \k<n>, \k'n', \k{n}, \g{n}, (?P=n), by number or by name of (?<n>…), (?'n'…),
 * (?P<n>…)), lookaheads, lookbehinds with fixed-length branches, atomic groups and
 * possessive quantifiers, mixed with groups, repeats, alternation, assertions and flags.
 * `--seed N` changes the random walks and patterns (default 12345).
 *
 * Skipped, because Perl reads them differently from PCRE 8.x: patterns with `\Q` (Perl
 * quotes only at interpolation time), `{,n}` (a quantifier since Perl 5.34), `\C`
 * (removed from Perl), and the Snort `E` flag (no Perl modifier). No new skip rule for
 * the confirmable features: Perl has backreferences, lookarounds, atomic groups and
 * possessive quantifiers natively, with PCRE's syntax. One exception, for a Perl bug:
 * patterns with an atomic group (or a possessive quantifier) inside a lookbehind. Perl
 * 5.36 answers them inconsistently: the same regex on the same string matches or not
 * depending on which regexes were compiled before it (`qr/(?<=(?>\d)|a)/` matches
 * "GET a\n" at 5, but not once `qr/\w*(?:b|cA)/` has been compiled first; likewise
 * `\A(?:(?<!(?>$)))` on ""), which looks like stale compile-time state; PCRE has none.
 * They are counted apart (none in the rulesets; --random-confirm makes some).
 *
 * Known Perl-vs-PCRE differences, counted apart rather than as disagreements:
 * - regular patterns: PCRE's (and Perl's) multiline `^` does not match after a `\n` that
 *   ends the input; the IR's `line-start` does (docs/coverage.md); the exact matcher
 *   follows PCRE, so confirmed patterns get no such allowance.
 * - confirmed patterns with a counted repeat of an item that can match the empty string
 *   and captures or holds a backreference (a finite maximum ≥ 2, or a minimum ≥ 2): Perl
 *   ends a loop after an iteration that matched the empty string ("Repeated Patterns
 *   Matching a Zero-length Substring" in perlre), and its optimizer even compiles `X{2}`
 *   of a zero-width X as `X{1,1}` (`use re 'debug'` shows CURLYX[0]{1,1}). PCRE 8.x
 *   compiles X{m,n} as m copies of X and n − m nested optional copies, X{m,} as m − 1
 *   copies and a looping X+, and only the looping bracket checks for an empty iteration.
 *   Once an empty iteration has changed a capture, the next one can match where Perl
 *   stopped: `/((?!\1\w)){2}/` on "GET " is [3,3) in PCRE (the second run has \1 = "")
 *   and [0,0) in Perl; `/((?:a\1a|c*+)){1,3}/` on "aac" is [0,3) in PCRE and [0,0) in
 *   Perl (checked with PCRE2 10.42 through libpcre2-8, which agrees with ours). Every
 *   disagreement on such a pattern is counted as this deviation.
 * pcrecompat(3) of PCRE 8.x lists other differences the samples could meet: captures of
 * an inner group kept from an earlier iteration (`/^(a(b)?)+\2$/` on "abab": PCRE keeps
 * $2 = "b" and matches, ours too; Perl 5.36 unsets $2 and fails), captures set inside a
 * negative assertion, which Perl sometimes keeps. None showed up in the runs so far;
 * they would be reported as disagreements.
 *
 * Also reported, not counted as disagreements: Perl timeouts (1 s alarm, see PERL below;
 * their number varies with machine load) and Perl crashes ("perl errors": the alarm
 * interrupting a backtracking match now and then kills Perl with SIGSEGV instead of
 * dying cleanly, e.g. `/^\/(?:[\/_]*?[a-f0-9][\/_]*?){64}$/U`, load-dependent too); and
 * EXHAUSTED, our 1 s deadline passing (e.g. ET's `((?!\1).|\\['"]){200}` on a 207-byte
 * input: PCRE and Perl answer at once from the pattern's minimum length, longer than the
 * input, which exec does not check). An EXHAUSTED input without a candidate (the
 * over-approximation does not match it) is one confirmation never runs on.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExactMatcher, nullable } from '../src/confirm/exact.js';
import { expandedSize, parseSignature } from '../src/syntax/index.js';
import type { Ir, Rx } from '../src/syntax/ir.js';
import { latin1, matches } from '../src/syntax/ir-reference.js';
import { extractPcreOptions } from './pcre-census.js';
import { sharedPath } from './lib/shared-data.js';

let seed = 12345;
function rand(n: number): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 8) % n;
}

function sampleSet(set: Uint32Array, out: number[]): void {
  const members: number[] = [];
  for (let b = 0; b < 256; b++) if (set[b >>> 5] & (1 << (b & 31))) members.push(b);
  if (members.length === 0) return;
  // Prefer printable members so literal-heavy signatures get realistic text.
  const printable = members.filter((b) => b >= 0x20 && b < 0x7f);
  const pool = printable.length > 0 && rand(4) !== 0 ? printable : members;
  out.push(pool[rand(pool.length)]);
}

function sample(ir: Ir, out: number[]): void {
  switch (ir.kind) {
    case 'bytes':
      sampleSet(ir.set, out);
      return;
    case 'concat':
      for (const it of ir.items) sample(it, out);
      return;
    case 'alt':
      sample(ir.items[rand(ir.items.length)], out);
      return;
    case 'repeat': {
      const span = Math.min(ir.max - ir.min, 3);
      const n = ir.min + rand(span + 1);
      for (let k = 0; k < n; k++) sample(ir.item, out);
      return;
    }
    default:
      return;
  }
}

/**
 * A random walk over the exact form: like `sample`, but a group records the bytes it
 * produced in this walk (the last iteration's, as PCRE keeps them) and a backreference
 * re-emits them (case-flipped now and then when caseless); a reference to a group not
 * set yet emits nothing. A lookaround emits nothing, or (positive ones, one time in
 * three) a sample of its body, in place: that satisfies a leading lookbehind or a
 * trailing lookahead; mutations do the rest.
 */
function sampleRx(rx: Rx, out: number[], caps: Map<number, number[]>): void {
  switch (rx.kind) {
    case 'bytes':
      sampleSet(rx.set, out);
      return;
    case 'concat':
      for (const it of rx.items) sampleRx(it, out, caps);
      return;
    case 'alt':
      sampleRx(rx.items[rand(rx.items.length)], out, caps);
      return;
    case 'repeat': {
      const span = Math.min(rx.max - rx.min, 3);
      const n = rx.min + rand(span + 1);
      for (let k = 0; k < n; k++) sampleRx(rx.item, out, caps);
      return;
    }
    case 'group': {
      const from = out.length;
      sampleRx(rx.item, out, caps);
      caps.set(rx.index, out.slice(from));
      return;
    }
    case 'atomic':
      sampleRx(rx.item, out, caps);
      return;
    case 'backref': {
      const got = caps.get(rx.index);
      if (got === undefined) return;
      for (const b of got) {
        const letter = (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a;
        out.push(rx.caseless && letter && rand(3) === 0 ? b ^ 0x20 : b);
      }
      return;
    }
    case 'look':
      if (!rx.negate && rand(3) === 0) sampleRx(rx.item, out, caps);
      return;
    default:
      return;
  }
}

/** Whether an atomic group (or possessive quantifier) sits inside a lookbehind (see the header). */
function atomicInLookbehind(rx: Rx, behind: boolean): boolean {
  switch (rx.kind) {
    case 'atomic':
      return behind || atomicInLookbehind(rx.item, behind);
    case 'look':
      return atomicInLookbehind(rx.item, behind || rx.behind);
    case 'group':
    case 'repeat':
      return atomicInLookbehind(rx.item, behind);
    case 'concat':
    case 'alt':
      return rx.items.some((it) => atomicInLookbehind(it, behind));
    default:
      return false;
  }
}

/**
 * Whether a repeat that PCRE runs (partly) as copies, without its empty-iteration check
 * (a finite maximum of 2 or more, or a minimum of 2 or more), has an item that can match
 * the empty string and captures or refers back: Perl stops such a loop after an empty
 * iteration, PCRE does not, and a backreference can tell (see the header).
 */
function emptyIterationRepeat(rx: Rx): boolean {
  const capturesOrRefers = (r: Rx): boolean => /"kind":"(group|backref)"/.test(JSON.stringify(r));
  switch (rx.kind) {
    case 'repeat':
      if ((rx.min >= 2 || (rx.max !== Infinity && rx.max >= 2)) && nullable(rx.item) && capturesOrRefers(rx.item)) return true;
      return emptyIterationRepeat(rx.item);
    case 'group':
    case 'atomic':
    case 'look':
      return emptyIterationRepeat(rx.item);
    case 'concat':
    case 'alt':
      return rx.items.some(emptyIterationRepeat);
    default:
      return false;
  }
}

/** Inputs from one sampler: two walks (one inside an HTTP-ish line) and mutations of the first. */
function inputsFrom(walk: (out: number[]) => void): Uint8Array[] {
  const base: number[] = [];
  walk(base);
  const res: number[][] = [base];
  const b2: number[] = [];
  walk(b2);
  res.push([...'GET '].map((c) => c.charCodeAt(0)).concat(b2, [0x0a]));
  if (base.length > 0) {
    const flip = base.slice();
    flip[rand(flip.length)] = rand(256);
    res.push(flip);
    res.push(base.slice(0, rand(base.length)));
    const upper = base.map((b) => (b >= 0x61 && b <= 0x7a ? b - 0x20 : b));
    res.push(upper);
  }
  res.push(Array.from({ length: 12 }, () => rand(256)));
  return res.map((r) => Uint8Array.from(r));
}

// Left out on purpose: a bare `\x` (Perl reads `\x{0,2}` as \x{0}, PCRE as NUL{0,2}) and
// `\R` (atomic in PCRE and Perl, a plain alternation here: see docs/coverage.md, "Known deviations from PCRE").
const R_ATOMS = [
  'a', 'b', 'B', '0', ' ', '\\n', '\\r', '.', '\\d', '\\w', '\\W', '\\s', '\\S', '\\h', '\\v', '\\H', '\\V',
  '\\N', '[ab]', '[^a]', '[]a]', '[^]b]', '[a-c]', '[A-c]', '[[:alpha:]]', '[[:^digit:]_]', '[[:punct:][:space:]]',
  '\\x41', '\\x{62}', '\\101', '\\0', '\\e', '\\cA', '[\\b]', '\\xe9', '\\xff', '\\-', '\\/', 'a{,2}',
];
const R_ASSERTS = ['\\b', '\\B', '^', '$', '\\A', '\\Z', '\\z'];
const R_FLAGS = ['(?i)', '(?-i)', '(?s)', '(?m)', '(?-m)', '(?x)', '(?-x)', '(?#note)', '(?i-s)'];

function randomPattern(depth: number): string {
  const r = rand(depth <= 0 ? 3 : 10);
  switch (r) {
    case 0:
    case 1:
      return R_ATOMS[rand(R_ATOMS.length)];
    case 2:
      return rand(2) === 0 ? R_ASSERTS[rand(R_ASSERTS.length)] : R_FLAGS[rand(R_FLAGS.length)];
    case 3:
    case 4:
    case 5:
      return randomPattern(depth - 1) + randomPattern(depth - 1) + randomPattern(depth - 1);
    case 6:
      return `(?:${randomPattern(depth - 1)}|${randomPattern(depth - 1)})`;
    case 7:
      return `(${randomPattern(depth - 1)})${['*', '+', '?', '{2}', '{1,3}', '*?', '{0,}'][rand(7)]}`;
    case 8:
      return `(?${['i', 's', 'm', '-i', 'x', 'is'][rand(6)]}:${randomPattern(depth - 1)} ${randomPattern(depth - 1)})`;
    default:
      return R_ATOMS[rand(R_ATOMS.length)] + ['*', '+', '?', '{2}', '{0,2}'][rand(5)];
  }
}

// --random-confirm: a small alphabet, so that backreferences and lookarounds often hold.
const C_ATOMS = ['a', 'b', 'c', 'A', '[ab]', '[^a]', '\\w', '\\d', '.', '\\s', ' ', '\\n', '\\x61', '1'];
const C_ASSERTS = ['\\b', '\\B', '^', '$', '\\A', '\\z', '\\Z'];
const C_QUANT = ['*', '+', '?', '{2}', '{1,3}', '{0,}', '*?', '+?', '??', '{1,2}?', '*+', '++', '?+', '{1,3}+', '{2,}+'];

/** Groups of the pattern being generated: how many opened, which closed, their names. */
interface GenState {
  opened: number;
  closed: number[];
  named: Map<number, string>;
}

function randomBackref(st: GenState): string {
  // Mostly groups already closed; now and then one still open (PCRE allows it: it fails
  // until the group has matched once, e.g. in a later iteration).
  const pool = st.closed.length > 0 && rand(6) !== 0 ? st.closed : st.opened > 0 ? [st.opened] : [];
  if (pool.length === 0) return 'a';
  const n = pool[rand(pool.length)];
  const name = st.named.get(n);
  if (name !== undefined && rand(2) === 0) {
    return [`\\k<${name}>`, `\\k'${name}'`, `\\k{${name}}`, `\\g{${name}}`, `(?P=${name})`][rand(5)];
  }
  // Numeric forms end in a digit: wrapped, so that a following digit is not read into them.
  const rel = st.opened + 1 - n;
  return `(?:${[`\\${n}`, `\\g${n}`, `\\g{${n}}`, `\\g{-${rel}}`, `\\g-${rel}`][rand(5)]})`;
}

function openGroup(st: GenState): { open: string; index: number } {
  const index = ++st.opened;
  const form = rand(5);
  if (form <= 1) return { open: '(', index };
  const name = `n${index}`;
  st.named.set(index, name);
  return { open: [`(?<${name}>`, `(?'${name}'`, `(?P<${name}>`][form - 2], index };
}

/** A fixed-length piece (for a lookbehind branch): atoms, counted repeats, groups, zero-width items. */
function fixedPiece(depth: number, st: GenState): string {
  const r = rand(depth <= 0 ? 2 : 7);
  switch (r) {
    case 0:
    case 1:
      return C_ATOMS[rand(C_ATOMS.length)];
    case 2:
      return fixedPiece(depth - 1, st) + fixedPiece(depth - 1, st);
    case 3: {
      const g = openGroup(st);
      const body = fixedPiece(depth - 1, st);
      st.closed.push(g.index);
      return `${g.open}${body})`;
    }
    case 4:
      return `${C_ATOMS[rand(C_ATOMS.length)]}{2}`;
    case 5:
      return `(?>${fixedPiece(depth - 1, st)})`;
    default:
      return rand(2) === 0 ? C_ASSERTS[rand(4)] : `(?${rand(2) === 0 ? '=' : '!'}${fixedPiece(depth - 1, st)})`;
  }
}

function randomConfirmPattern(depth: number, st: GenState): string {
  const r = rand(depth <= 0 ? 4 : 16);
  switch (r) {
    case 0:
    case 1:
      return C_ATOMS[rand(C_ATOMS.length)];
    case 2:
      return rand(4) === 0 ? ['(?i)', '(?-i)', '(?s)', '(?m)'][rand(4)] : C_ASSERTS[rand(C_ASSERTS.length)];
    case 3:
      return randomBackref(st);
    case 4:
    case 5:
    case 6: {
      const a = randomConfirmPattern(depth - 1, st);
      const b = randomConfirmPattern(depth - 1, st);
      return a + b + randomConfirmPattern(depth - 1, st);
    }
    case 7: {
      const a = randomConfirmPattern(depth - 1, st);
      return `(?:${a}|${randomConfirmPattern(depth - 1, st)})`;
    }
    case 8:
    case 9: {
      const g = openGroup(st);
      const body = randomConfirmPattern(depth - 1, st);
      st.closed.push(g.index);
      return `${g.open}${body})${rand(2) === 0 ? C_QUANT[rand(C_QUANT.length)] : ''}`;
    }
    case 10:
      return `(?${rand(2) === 0 ? '=' : '!'}${randomConfirmPattern(depth - 1, st)})`;
    case 11: {
      const n = 1 + rand(2);
      const branches: string[] = [];
      for (let k = 0; k < n; k++) branches.push(fixedPiece(depth - 1, st));
      return `(?<${rand(2) === 0 ? '=' : '!'}${branches.join('|')})`;
    }
    case 12:
      return `(?>${randomConfirmPattern(depth - 1, st)})`;
    case 13:
      return `(?:${randomConfirmPattern(depth - 1, st)})${C_QUANT[rand(C_QUANT.length)]}`;
    default:
      return C_ATOMS[rand(C_ATOMS.length)] + C_QUANT[rand(C_QUANT.length)];
  }
}

// Perl backtracks exponentially on some real signatures: each match gets a 1 s alarm
// delivered as an unsafe signal (safe signals would wait for the match to finish). An
// interrupted regex engine is not safe to reuse (it can crash later), so after a timeout
// Perl ends the line and exits with status 3; the driver restarts it on the next line.
// Per input it prints `-` (no match), `T` (timed out) or `start,end` of the first match.
const PERL = String.raw`
use POSIX ();
POSIX::sigaction(POSIX::SIGALRM(), POSIX::SigAction->new(sub { die "timeout\n" })) or die;
binmode STDIN; binmode STDOUT; $| = 1;
my $skip = $ARGV[0] // 0;
while (my $line = <STDIN>) {
  next if $skip-- > 0;
  chomp $line;
  my ($ph, $fl, $anch, @ins) = split /\t/, $line, -1;
  my $p = pack('H*', $ph);
  # (the newline ends a trailing x-mode comment; without x it would be a literal)
  $p = ($fl =~ /x/ ? "\\A(?:$p\n)" : "\\A(?:$p)") if $anch;
  my $re = eval { $fl ne '' ? qr/(?$fl)$p/ : qr/$p/ };
  if (!$re) { my $e = $@; $e =~ s/\n/ /g; print "ERR $e\n"; next; }
  my @out;
  my $dead = 0;
  for my $h (@ins) {
    if ($dead) { push @out, 'T'; next; }
    my $s = pack('H*', $h);
    my $r = eval { alarm 1; my $m = ($s =~ $re) ? "$-[0],$+[0]" : '-'; alarm 0; $m };
    alarm 0;
    if (defined $r) { push @out, $r; } else { push @out, 'T'; $dead = 1; }
  }
  print join(' ', @out), "\n";
  exit 3 if $dead;
}
`;

/** Runs Perl over all lines, restarting it after each line that timed out. */
function runPerl(lines: string[]): string[] {
  const out: string[] = [];
  const file = join(mkdtempSync(join(tmpdir(), 'pcre-perl-')), 'input.txt');
  writeFileSync(file, lines.join('\n') + '\n');
  while (out.length < lines.length) {
    const fd = openSync(file, 'r');
    const res = spawnSync('perl', ['-e', PERL, String(out.length)], { stdio: [fd, 'pipe', 'pipe'], maxBuffer: 1 << 28 });
    closeSync(fd);
    if (res.error) throw res.error;
    const got = res.stdout.toString('latin1').split('\n');
    if (got[got.length - 1] === '') got.pop();
    if (res.status !== 0 && res.status !== 3) {
      // A crash: record the line it died on as an error and go on after it.
      out.push(...got, `ERR perl exited with ${res.status ?? res.signal}: ${res.stderr.toString().slice(0, 200)}`);
      continue;
    }
    if (got.length === 0) throw new Error('perl produced no output');
    out.push(...got);
  }
  return out.slice(0, lines.length);
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const show = (bytes: Uint8Array): string => JSON.stringify(Buffer.from(bytes).toString('latin1'));

/** Our answer on one input: a first-match span (confirmed), a bare match (regular), none, or out of time. */
/**
 * Our answer on one input: a first-match span (confirmed), a bare match (regular), none, or
 * out of time ('exhausted'; 'exhausted-no-candidate' when the over-approximation does not
 * match that input either, so that confirmation would never run on it).
 */
type Answer = { start: number; end: number } | true | null | 'exhausted' | 'exhausted-no-candidate';

interface Job {
  value: string;
  confirmed: boolean;
  features: readonly string[];
  inputs: Uint8Array[];
  /** Per input: which sampler made it. */
  from: Array<'ir' | 'rx'>;
  ours: Answer[];
  line: string;
  lineStart: boolean;
  /** A repeat whose empty iterations Perl and PCRE treat differently (`emptyIterationRepeat`). */
  emptyIterationRepeat: boolean;
}

interface Tally {
  patterns: number;
  agree: number;
  disagree: number;
  perlErr: number;
  inputs: number;
  inputAgree: number;
  inputDisagree: number;
  perlMatched: number;
  perlMatchedRx: number;
  timeouts: number;
  exhausted: number;
  exhaustedNoCandidate: number;
  knownDeviation: number;
  spanCompared: number;
  spanDisagree: number;
}

const newTally = (): Tally => ({
  patterns: 0,
  agree: 0,
  disagree: 0,
  perlErr: 0,
  inputs: 0,
  inputAgree: 0,
  inputDisagree: 0,
  perlMatched: 0,
  perlMatchedRx: 0,
  timeouts: 0,
  exhausted: 0,
  exhaustedNoCandidate: 0,
  knownDeviation: 0,
  spanCompared: 0,
  spanDisagree: 0,
});

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const rulesRoot = opt('--rules') ?? sharedPath('rules');
  const max = Number(opt('--max') ?? Infinity);
  const showMax = Number(opt('--show') ?? 30);
  const random = Number(opt('--random') ?? 0);
  const randomConfirm = Number(opt('--random-confirm') ?? 0);
  seed = Number(opt('--seed') ?? seed) >>> 0;
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.rules')) files.push(p);
    }
  };
  const seen = new Set<string>();
  const jobs: Job[] = [];
  let skipped = 0;
  let rejected = 0;
  let perlBugSkipped = 0;
  const tOurs0 = performance.now();
  const addJob = (value: string): void => {
    let sig;
    try {
      sig = parseSignature(value, { confirm: true });
    } catch (e) {
      // The rulesets' rejections are pcre-census's business; a random pattern's are shown.
      if (random + randomConfirm > 0 && rejected < showMax) console.log(`rejected ${value}: ${e instanceof Error ? e.message : String(e)}`);
      rejected++;
      return;
    }
    if (/\\Q|\{,|\\C/.test(sig.pattern) || sig.flags.includes('E') || expandedSize(sig.ir) > 3000) {
      skipped++;
      return;
    }
    const { ir, exact } = sig;
    if (exact !== undefined && atomicInLookbehind(exact.rx, false)) {
      perlBugSkipped++;
      return;
    }
    let inputs = inputsFrom((out) => sample(ir, out));
    const from: Array<'ir' | 'rx'> = inputs.map(() => 'ir');
    let ours: Answer[];
    if (exact === undefined) {
      ours = inputs.map((i) => (matches(ir, i) ? true : null));
    } else {
      const more = inputsFrom((out) => sampleRx(exact.rx, out, new Map()));
      inputs = inputs.concat(more);
      from.push(...more.map((): 'rx' => 'rx'));
      const m = new ExactMatcher(exact, sig.anchored);
      ours = inputs.map((i) => {
        const r = m.exec(i, 0, performance.now() + 1000);
        if (r !== null && 'exhausted' in r) return matches(ir, i) ? 'exhausted' : 'exhausted-no-candidate';
        return r === null ? null : { start: r.start, end: r.end };
      });
    }
    const perlFlags = [...new Set(sig.flags.replace(/[AEG]/g, ''))].join('');
    const line = [hex(latin1(sig.pattern)), perlFlags, sig.flags.includes('A') ? '1' : '', ...inputs.map(hex)].join('\t');
    jobs.push({
      value,
      confirmed: exact !== undefined,
      features: exact?.features ?? [],
      inputs,
      from,
      ours,
      line,
      lineStart: JSON.stringify(ir).includes('"line-start"'),
      emptyIterationRepeat: exact !== undefined && emptyIterationRepeat(exact.rx),
    });
  };
  if (randomConfirm > 0) {
    for (let k = 0; k < randomConfirm; k++) {
      const st: GenState = { opened: 0, closed: [], named: new Map() };
      addJob(`/${randomConfirmPattern(3, st)}/${['', '', 'i', 'm', 's', 'x', 'is', 'A'][rand(8)]}`);
    }
  } else if (random > 0) {
    // Random patterns rich in PCRE-specific syntax instead of the rulesets.
    for (let k = 0; k < random; k++) addJob(`/${randomPattern(3)}/${['', 'i', 'm', 's', 'x', 'im', 'sm', 'A'][rand(8)]}`);
  } else {
    walk(rulesRoot);
    for (const f of files) {
      for (const o of extractPcreOptions(readFileSync(f, 'latin1'), f)) {
        if (jobs.length >= max) break;
        if (seen.has(o.value)) continue;
        seen.add(o.value);
        addJob(o.value);
      }
    }
  }
  const oursMs = performance.now() - tOurs0;
  if (process.env.PERL_DIFF_DUMP) {
    // Debug aid: the exact Perl input and script, to rerun Perl by hand.
    writeFileSync(process.env.PERL_DIFF_DUMP, jobs.map((j) => j.line).join('\n') + '\n');
    writeFileSync(`${process.env.PERL_DIFF_DUMP}.pl`, PERL);
  }
  const t0 = performance.now();
  const outLines = runPerl(jobs.map((j) => j.line));
  const perlMs = performance.now() - t0;
  const tally = { regular: newTally(), confirmed: newTally() };
  const byFeature = new Map<string, { patterns: number; disagree: number }>();
  let shown = 0;
  let spansShown = 0;
  const fmt = (a: Answer): string =>
    a === 'exhausted' || a === 'exhausted-no-candidate' ? 'EXHAUSTED' : a === null ? 'no match' : a === true ? 'match' : `match [${a.start}, ${a.end})`;
  for (let k = 0; k < jobs.length; k++) {
    const j = jobs[k];
    const t = j.confirmed ? tally.confirmed : tally.regular;
    t.patterns++;
    for (const f of j.features) {
      const e = byFeature.get(f) ?? { patterns: 0, disagree: 0 };
      e.patterns++;
      byFeature.set(f, e);
    }
    const o = outLines[k] ?? '';
    if (o.startsWith('ERR')) {
      t.perlErr++;
      if (shown++ < showMax) console.log(`perl rejects ${j.value}: ${o.slice(0, 200)}`);
      continue;
    }
    const theirsAll = o.split(' ');
    let ok = true;
    for (let i = 0; i < j.inputs.length; i++) {
      t.inputs++;
      const tok = theirsAll[i] ?? '?';
      if (tok === 'T') {
        t.timeouts++;
        continue;
      }
      const ours = j.ours[i];
      if (ours === 'exhausted' || ours === 'exhausted-no-candidate') {
        t.exhausted++;
        if (ours === 'exhausted-no-candidate') t.exhaustedNoCandidate++;
        const why = ours === 'exhausted' ? 'a candidate' : 'no candidate (the over-approximation does not match)';
        if (shown++ < showMax) console.log(`EXHAUSTED ${j.value}\n  input ${show(j.inputs[i])}, ${why}: perl ${tok}`);
        continue;
      }
      const theirs = tok === '-' ? null : tok.split(',').map(Number);
      if (theirs !== null) {
        t.perlMatched++;
        if (j.from[i] === 'rx') t.perlMatchedRx++;
      }
      if ((theirs !== null) !== (ours !== null)) {
        // Known deviation: PCRE's multiline ^ does not match after a \n that ends the input.
        const inp = j.inputs[i];
        if (!j.confirmed && ours !== null && inp.length > 0 && inp[inp.length - 1] === 0x0a && j.lineStart) {
          t.knownDeviation++;
          continue;
        }
        // Known deviation: Perl ends a loop after an empty iteration, PCRE's copies do not.
        if (j.emptyIterationRepeat) {
          t.knownDeviation++;
          continue;
        }
        t.inputDisagree++;
        ok = false;
        if (shown++ < showMax) {
          const p = theirs === null ? 'no match' : `match [${theirs[0]}, ${theirs[1]})`;
          console.log(`DISAGREE (${j.confirmed ? 'confirmed' : 'regular'}) ${j.value}\n  input ${show(j.inputs[i])}: ours ${fmt(ours)}, perl ${p}`);
        }
        continue;
      }
      t.inputAgree++;
      if (theirs !== null && ours !== null && ours !== true) {
        t.spanCompared++;
        if (ours.start !== theirs[0] || ours.end !== theirs[1]) {
          if (j.emptyIterationRepeat) {
            t.knownDeviation++;
            continue;
          }
          t.spanDisagree++;
          ok = false;
          if (spansShown++ < showMax) {
            console.log(`SPAN ${j.value}\n  input ${show(j.inputs[i])}: ours [${ours.start}, ${ours.end}), perl [${theirs[0]}, ${theirs[1]})`);
          }
        }
      }
    }
    if (ok) t.agree++;
    else {
      t.disagree++;
      for (const f of j.features) byFeature.get(f)!.disagree++;
    }
  }
  for (const [name, t] of Object.entries(tally)) {
    const pct = (a: number, b: number): string => (b === 0 ? '-' : `${((100 * a) / b).toFixed(2)}%`);
    console.log(
      `${name}: patterns ${t.patterns} (agree ${t.agree}, disagree ${t.disagree}, perl errors ${t.perlErr}); ` +
        `inputs ${t.inputs} (${t.perlMatched} matched by perl${name === 'confirmed' ? `, ${t.perlMatchedRx} of them from exact-form samples` : ''}): ` +
        `agree ${t.inputAgree}, disagree ${t.inputDisagree} (${pct(t.inputAgree, t.inputAgree + t.inputDisagree)} agreement), ` +
        `perl timeouts (1 s) ${t.timeouts}` +
        (name === 'confirmed'
          ? `, EXHAUSTED (1 s) ${t.exhausted} (${t.exhaustedNoCandidate} on inputs without a candidate); first-match spans compared ${t.spanCompared}, span disagreements ${t.spanDisagree}; ` +
            `known-deviation inputs (empty iterations of a counted repeat) ${t.knownDeviation}`
          : `, known-deviation inputs (multiline ^ after a final \\n) ${t.knownDeviation}`),
    );
  }
  if (byFeature.size > 0) {
    console.log(`confirmed by feature: ${[...byFeature].map(([f, e]) => `${f} ${e.patterns} (disagree ${e.disagree})`).join(', ')}`);
  }
  console.log(`total: ${jobs.length} patterns compared, skipped ${skipped} (+ ${perlBugSkipped} with an atomic group in a lookbehind), rejected by the parser ${rejected}; ours ${oursMs.toFixed(0)} ms, perl ${perlMs.toFixed(0)} ms`);
  if (tally.regular.disagree + tally.confirmed.disagree > 0) process.exitCode = 1;
}

main();
