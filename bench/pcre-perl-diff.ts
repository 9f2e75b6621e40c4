/**
 * Differential check of the PCRE front end against Perl 5 (whose regex dialect PCRE
 * follows; on byte strings Perl ≥ 5.18 has PCRE's `\s` with VT, ASCII-only `\w`/`\d` and
 * ASCII-only caseless matching). For every accepted `pcre` option of the rulesets, it
 * samples inputs from the IR (a random walk, then mutations), decides match/no-match with
 * the reference IR matcher of src/syntax/ir-reference.ts and with Perl, and reports
 * disagreements. Needs `perl` on PATH; minutes, not seconds: a bench, not a unit test.
 *
 *   npx tsx bench/pcre-perl-diff.ts [--rules DIR] [--max N] [--show N] [--random N]
 *
 * `--random N` checks N random patterns rich in PCRE-only syntax (inline and scoped flags,
 * \A \Z \z, POSIX classes, octal, \h \v \R \N, x-mode, comments) instead of the rulesets.
 *
 * Skipped, because Perl reads them differently from PCRE 8.x: patterns with `\Q` (Perl
 * quotes only at interpolation time), `{,n}` (a quantifier since Perl 5.34), `\C`
 * (removed from Perl), and the Snort `E` flag (no Perl modifier).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandedSize, parseSignature } from '../src/syntax/index.js';
import type { Ir } from '../src/syntax/ir.js';
import { latin1, matches } from '../src/syntax/ir-reference.js';
import { extractPcreOptions } from './pcre-census.js';
import { sharedPath } from './lib/shared-data.js';

let seed = 12345;
function rand(n: number): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 8) % n;
}

function sample(ir: Ir, out: number[]): void {
  switch (ir.kind) {
    case 'bytes': {
      const members: number[] = [];
      for (let b = 0; b < 256; b++) if (ir.set[b >>> 5] & (1 << (b & 31))) members.push(b);
      // Prefer printable members so literal-heavy signatures get realistic text.
      const printable = members.filter((b) => b >= 0x20 && b < 0x7f);
      const pool = printable.length > 0 && rand(4) !== 0 ? printable : members;
      out.push(pool[rand(pool.length)]);
      return;
    }
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

function inputsFor(ir: Ir): Uint8Array[] {
  const base: number[] = [];
  sample(ir, base);
  const res: number[][] = [base];
  const b2: number[] = [];
  sample(ir, b2);
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

// Perl backtracks exponentially on some real signatures: each match gets a 1 s alarm
// delivered as an unsafe signal (safe signals would wait for the match to finish). An
// interrupted regex engine is not safe to reuse (it can crash later), so after a timeout
// Perl ends the line and exits with status 3; the driver restarts it on the next line.
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
  my $out = '';
  my $dead = 0;
  for my $h (@ins) {
    if ($dead) { $out .= 'T'; next; }
    my $s = pack('H*', $h);
    my $r = eval { alarm 1; my $m = ($s =~ $re) ? '1' : '0'; alarm 0; $m };
    alarm 0;
    if (defined $r) { $out .= $r; } else { $out .= 'T'; $dead = 1; }
  }
  print "$out\n";
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

function main(): void {
  const args = process.argv.slice(2);
  const here = fileURLToPath(new URL('.', import.meta.url));
  const rulesRoot = args.includes('--rules') ? args[args.indexOf('--rules') + 1] : sharedPath('rules');
  const max = args.includes('--max') ? Number(args[args.indexOf('--max') + 1]) : Infinity;
  const showMax = args.includes('--show') ? Number(args[args.indexOf('--show') + 1]) : 30;
  const random = args.includes('--random') ? Number(args[args.indexOf('--random') + 1]) : 0;
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.rules')) files.push(p);
    }
  };
  walk(rulesRoot);
  const seen = new Set<string>();
  const jobs: Array<{ value: string; inputs: Uint8Array[]; ours: boolean[]; line: string; lineStart: boolean }> = [];
  let skipped = 0;
  const addJob = (value: string): void => {
    let sig;
    try {
      sig = parseSignature(value);
    } catch {
      return;
    }
    if (/\\Q|\{,|\\C/.test(sig.pattern) || sig.flags.includes('E') || expandedSize(sig.ir) > 3000) {
      skipped++;
      return;
    }
    const inputs = inputsFor(sig.ir);
    const ours = inputs.map((i) => matches(sig.ir, i));
    const perlFlags = [...new Set(sig.flags.replace(/[AEG]/g, ''))].join('');
    const line = [hex(latin1(sig.pattern)), perlFlags, sig.flags.includes('A') ? '1' : '', ...inputs.map(hex)].join('\t');
    jobs.push({ value, inputs, ours, line, lineStart: JSON.stringify(sig.ir).includes('"line-start"') });
  };
  if (random > 0) {
    // Random patterns rich in PCRE-specific syntax instead of the rulesets.
    for (let k = 0; k < random; k++) addJob(`/${randomPattern(3)}/${['', 'i', 'm', 's', 'x', 'im', 'sm', 'A'][rand(8)]}`);
  } else {
    for (const f of files) {
      for (const opt of extractPcreOptions(readFileSync(f, 'latin1'), f)) {
        if (jobs.length >= max) break;
        if (seen.has(opt.value)) continue;
        seen.add(opt.value);
        addJob(opt.value);
      }
    }
  }
  if (process.env.PERL_DIFF_DUMP) {
    // Debug aid: the exact Perl input and script, to rerun Perl by hand.
    writeFileSync(process.env.PERL_DIFF_DUMP, jobs.map((j) => j.line).join('\n') + '\n');
    writeFileSync(`${process.env.PERL_DIFF_DUMP}.pl`, PERL);
  }
  const t0 = performance.now();
  const outLines = runPerl(jobs.map((j) => j.line));
  let agree = 0;
  let disagree = 0;
  let perlErr = 0;
  let timeouts = 0;
  let knownDeviation = 0;
  let matchesSeen = 0;
  let shown = 0;
  for (let k = 0; k < jobs.length; k++) {
    const j = jobs[k];
    const o = outLines[k] ?? '';
    if (o.startsWith('ERR')) {
      perlErr++;
      if (shown++ < showMax) console.log(`perl rejects ${j.value}: ${o.slice(0, 200)}`);
      continue;
    }
    let ok = true;
    for (let i = 0; i < j.inputs.length; i++) {
      if (o[i] === 'T') {
        timeouts++;
        continue;
      }
      const theirs = o[i] === '1';
      if (theirs) matchesSeen++;
      if (theirs !== j.ours[i]) {
        // Known deviation: PCRE's multiline ^ does not match after a \n that ends the input.
        const inp = j.inputs[i];
        if (j.ours[i] && inp.length > 0 && inp[inp.length - 1] === 0x0a && j.lineStart) {
          knownDeviation++;
          continue;
        }
        ok = false;
        if (shown++ < showMax) {
          console.log(`DISAGREE ${j.value}\n  input ${JSON.stringify(Buffer.from(j.inputs[i]).toString('latin1'))}: ours ${j.ours[i]}, perl ${theirs}`);
        }
      }
    }
    if (ok) agree++;
    else disagree++;
  }
  console.log(
    `patterns compared: ${jobs.length} (skipped ${skipped}), inputs ${jobs.reduce((s, j) => s + j.inputs.length, 0)} ` +
      `(${matchesSeen} matched by perl); agree ${agree}, disagree ${disagree}, perl errors ${perlErr}, perl timeouts (1 s) ${timeouts}, ` +
      `known-deviation inputs (multiline ^ after a final \\n) ${knownDeviation}; ` +
      `perl ${(performance.now() - t0).toFixed(0)} ms`,
  );
  if (disagree > 0) process.exitCode = 1;
}

main();
