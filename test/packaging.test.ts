/**
 * The package as a user gets it (issue 18, library packaging): a copy of the checkout is
 * built by its `prepare` script (what a git-URL install runs), packed with `npm pack`, and
 * unpacked into a consumer project whose only other package is `regexp-tree` (linked from
 * this repo's node_modules: no network, no tsx). From there: `import` and `require` both
 * work, TypeScript resolves the types under every moduleResolution, the bin runs from
 * dist/; and in a checkout the bin runs src/, not a stale dist/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const repo = join(import.meta.dirname, '..');
const repoModules = join(repo, 'node_modules');
const tsc = join(repoModules, 'typescript', 'bin', 'tsc');
const execFileAsync = promisify(execFile);
const npm = 'npm';
const version = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;

let tmp = '';
let pkg = ''; // the checkout copy, built by `npm run prepare`
let consumer = ''; // a project with the packed tarball unpacked in node_modules/nfa-obdd
let installed = '';
let prepare: SpawnSyncReturns<string>;

function node(args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
}

function show(r: SpawnSyncReturns<string>): string {
  return `exit ${r.status}\n${r.stdout}\n${r.stderr}`;
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'nfa-obdd-packaging-'));
  pkg = join(tmp, 'pkg');
  mkdirSync(pkg);
  // What a clone has that the build and the package need (not test/, bench/, dist/).
  const copied = ['package.json', 'README.md', 'LICENSE', 'src', 'bin', 'scripts', 'docs', 'traces'];
  for (const entry of [...copied, ...readdirSync(repo).filter((f) => /^tsconfig.*\.json$/.test(f))]) {
    cpSync(join(repo, entry), join(pkg, entry), { recursive: true });
  }
  symlinkSync(repoModules, join(pkg, 'node_modules'), 'dir');
  prepare = spawnSync(npm, ['run', 'prepare'], { cwd: pkg, encoding: 'utf8' });
  if (prepare.status !== 0) return;

  const packed = JSON.parse(
    execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: pkg, encoding: 'utf8' }),
  ) as { filename: string }[];
  consumer = join(tmp, 'consumer');
  installed = join(consumer, 'node_modules', 'nfa-obdd');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', join(tmp, packed[0]!.filename), '-C', installed, '--strip-components=1']);
  symlinkSync(join(repoModules, 'regexp-tree'), join(consumer, 'node_modules', 'regexp-tree'), 'dir');
  mkdirSync(join(consumer, 'node_modules', '@types'));
  symlinkSync(join(repoModules, '@types', 'node'), join(consumer, 'node_modules', '@types', 'node'), 'dir');
  writeFileSync(join(consumer, 'package.json'), '{ "name": "consumer", "private": true }\n');
}, 60_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function requireBuilt(): void {
  expect(prepare.status, `npm run prepare in a copy of the checkout:\n${show(prepare)}`).toBe(0);
}

describe('packaging', () => {
  it('prepare builds dist/ as ESM and CommonJS (what a git-URL install runs)', () => {
    requireBuilt();
    for (const f of ['index.js', 'index.d.ts', 'cli/main.js', 'cjs/index.js', 'cjs/index.d.ts']) {
      expect(existsSync(join(pkg, 'dist', f)), `dist/${f}`).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(pkg, 'dist', 'cjs', 'package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
  });

  it('the packed package depends on regexp-tree only and its bin runs from dist/ without tsx', () => {
    requireBuilt();
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(Object.keys(manifest.dependencies ?? {})).toEqual(['regexp-tree']);
    expect(Object.keys(manifest.optionalDependencies ?? {})).toEqual([]);
    expect(Object.keys(manifest.peerDependencies ?? {})).toEqual([]);
    expect(existsSync(join(installed, 'tsconfig.json')), 'tsconfig.json is not published (it marks a checkout)').toBe(false);
    // nothing above the consumer provides tsx
    expect(node(['-e', 'import("tsx/esm/api").then(() => process.exit(3), () => process.exit(0))'], consumer).status).toBe(0);

    const bin = join(installed, 'bin', 'nfa-obdd.js');
    const v = node([bin, '--version'], consumer);
    expect(v.status, show(v)).toBe(0);
    expect(v.stdout.trim()).toBe(`nfa-obdd ${version}`);
    expect(v.stderr).toBe('');

    writeFileSync(join(consumer, 'sigs.txt'), '/uid=\\d+\\(root\\)/\n');
    writeFileSync(join(consumer, 'input.txt'), 'id\nuid=0(root) gid=0(root)\n');
    const s = node([bin, 'scan', '--signatures', 'sigs.txt', '--input', 'input.txt'], consumer);
    expect(s.status, show(s)).toBe(0);
    expect(s.stdout).toContain('/uid=\\d+\\(root\\)/');
  });

  it('import and require both give a working compile and scan', () => {
    requireBuilt();
    const body = (load: string) => `${load}
const { matcher, rejected } = compile(['/uid=\\\\d+\\\\(root\\\\)/', { content: 'passwd', nocase: true }, '/a(?R)?b/']);
const scratch = matcher.createScratch();
const matches = [];
const onMatch = (signature, end) => { matches.push([signature, end]); };
matcher.scan(scratch, new TextEncoder().encode('uid=0(root) /etc/PASSWD'), onMatch);
matcher.finish(scratch, onMatch);
matches.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
console.log(JSON.stringify({ matches, rejected: rejected.map((r) => [r.signature, r.error instanceof NfaObddError]) }));
`;
    writeFileSync(join(consumer, 'esm.mjs'), body(`import { compile, NfaObddError } from 'nfa-obdd';`));
    writeFileSync(
      join(consumer, 'cjs.cjs'),
      body(`const { compile, NfaObddError } = require('nfa-obdd');
if (!require.resolve('nfa-obdd').endsWith(require('node:path').join('dist', 'cjs', 'index.js'))) throw new Error('require resolved ' + require.resolve('nfa-obdd'));`),
    );
    const expected = { matches: [[0, 11], [1, 23]], rejected: [[2, true]] };
    for (const file of ['esm.mjs', 'cjs.cjs']) {
      const r = node([file], consumer);
      expect(r.status, `${file}: ${show(r)}`).toBe(0);
      expect(JSON.parse(r.stdout), file).toEqual(expected);
    }
  });

  it('TypeScript resolves the types with moduleResolution node16, nodenext, bundler and node (top-level "types")', async () => {
    requireBuilt();
    const use = `import { compile, type Matcher } from 'nfa-obdd';
const { matcher, rejected } = compile(['/a+b/', { content: 'x', nocase: true }]);
const m: Matcher = matcher;
m.scan(m.createScratch(), new Uint8Array(4), (signature: number, end: number) => void (signature + end));
const n: number = rejected.length;
// @ts-expect-error: a number is not a signature list (fails as "unused" if the types were any)
compile(42);
export { n };
`;
    writeFileSync(join(consumer, 'use.mts'), use);
    writeFileSync(join(consumer, 'use.cts'), use);
    writeFileSync(join(consumer, 'use.ts'), use);
    const modes: Record<string, { options: Record<string, unknown>; files: string[]; types: string[] }> = {
      node16: { options: { module: 'node16', moduleResolution: 'node16' }, files: ['use.mts', 'use.cts'], types: ['dist/index.d.ts', 'dist/cjs/index.d.ts'] },
      nodenext: { options: { module: 'nodenext', moduleResolution: 'nodenext' }, files: ['use.mts', 'use.cts'], types: ['dist/index.d.ts', 'dist/cjs/index.d.ts'] },
      bundler: { options: { module: 'esnext', moduleResolution: 'bundler' }, files: ['use.ts'], types: ['dist/index.d.ts'] },
      // TypeScript 7 no longer has moduleResolution node10 ("node"); what node10 reads of a
      // package is its top-level "types"/"main", which is what bundler resolution reads too
      // once package.json "exports" are off.
      node: {
        options: { module: 'commonjs', moduleResolution: 'bundler', resolvePackageJsonExports: false, resolvePackageJsonImports: false },
        files: ['use.ts'],
        types: ['dist/cjs/index.d.ts'],
      },
    };
    const checks = Object.entries(modes).map(async ([mode, { options, files, types }]) => {
      const project = join(consumer, `tsconfig.${mode}.json`);
      const compilerOptions = { ...options, strict: true, noEmit: true, skipLibCheck: false, types: ['node'], lib: ['es2022'] };
      writeFileSync(project, JSON.stringify({ compilerOptions, files }, null, 2));
      const r = await execFileAsync(process.execPath, [tsc, '-p', project, '--listFiles'], { cwd: consumer, encoding: 'utf8' }).then(
        ({ stdout, stderr }) => ({ status: 0, stdout, stderr }),
        (e: { code?: number; stdout?: string; stderr?: string }) => ({ status: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
      );
      const listed = r.stdout.split('\n').map((l) => l.trim().replaceAll('\\', '/'));
      const missing = types.filter((t) => !listed.some((l) => l.endsWith(`node_modules/nfa-obdd/${t}`)));
      const errors = r.stdout.split('\n').filter((l) => l.includes('error TS'));
      return r.status !== 0 || missing.length ? `${mode}: exit ${r.status}; not loaded: ${missing.join(', ') || '-'}\n${errors.join('\n')}${r.stderr}` : '';
    });
    expect((await Promise.all(checks)).filter(Boolean).join('\n\n')).toBe('');
  });

  it('in a checkout the bin runs src/ through tsx, never a stale dist/; without tsx it says it runs dist/', () => {
    // A checkout (tsconfig.json, src/) whose dist/ is an old build that prints STALE.
    const checkout = join(tmp, 'checkout');
    mkdirSync(join(checkout, 'dist', 'cli'), { recursive: true });
    for (const f of ['package.json', 'tsconfig.json', 'bin']) cpSync(join(repo, f), join(checkout, f), { recursive: true });
    symlinkSync(join(repo, 'src'), join(checkout, 'src'), 'dir');
    const staleMain = join(checkout, 'dist', 'cli', 'main.js');
    writeFileSync(staleMain, 'console.log("STALE");\n');
    utimesSync(staleMain, new Date('2020-01-01'), new Date('2020-01-01'));
    const bin = join(checkout, 'bin', 'nfa-obdd.js');

    symlinkSync(repoModules, join(checkout, 'node_modules'), 'dir'); // after `npm ci`: tsx is there
    const withTsx = node([bin, '--version'], checkout);
    expect(withTsx.status, show(withTsx)).toBe(0);
    expect(withTsx.stdout.trim()).toBe(`nfa-obdd ${version}`);

    rmSync(join(checkout, 'node_modules')); // `npm ci --omit=dev`: regexp-tree only
    mkdirSync(join(checkout, 'node_modules'));
    symlinkSync(join(repoModules, 'regexp-tree'), join(checkout, 'node_modules', 'regexp-tree'), 'dir');
    const noTsx = node([bin, '--version'], checkout);
    expect(noTsx.status, show(noTsx)).toBe(0);
    expect(noTsx.stdout.trim()).toBe('STALE');
    expect(noTsx.stderr).toMatch(/tsx is not installed, running dist\/.*older than src\//);
  });
});
