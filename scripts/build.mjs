#!/usr/bin/env node
// `npm run build` (also run by `prepare`, so git-URL installs get a built package):
// dist/ from scratch, as two builds of the same sources:
//   dist/*.js, *.d.ts      ESM, the library and the CLI   (tsconfig.build.json)
//   dist/cjs/*.js, *.d.ts  CommonJS, the library only     (tsconfig.build.cjs.json)
// plus dist/cjs/package.json {"type":"commonjs"}, which makes Node and TypeScript read
// dist/cjs/ as CommonJS inside this "type": "module" package.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

//
// As `prepare` it also runs where there is nothing to build or nothing to build with:
// - a published package (no tsconfig.build.json, e.g. an unpacked tarball installed as a
//   folder): dist/ is already there, nothing to do;
// - a checkout linked by `npm install ./folder` where `npm ci` was never run (npm runs a
//   linked folder's `prepare` but installs none of its devDependencies): no TypeScript, so
//   keep a dist/ that exists (saying so), else fail with what to do.
const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
if (!existsSync(join(root, 'tsconfig.build.json'))) process.exit(0);

let tsc;
try {
  tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
} catch {
  if (existsSync(join(dist, 'index.js')) && existsSync(join(dist, 'cjs', 'index.js'))) {
    process.stderr.write(`nfa-obdd build: typescript is not installed in ${root}; keeping the dist/ there (built ${statSync(join(dist, 'index.js')).mtime.toISOString()})\n`);
    process.exit(0);
  }
  process.stderr.write(`nfa-obdd build: typescript (a devDependency) is not installed in ${root}, so dist/ cannot be built: run \`npm ci\` there (with dev dependencies) first\n`);
  process.exit(1);
}
const run = promisify(execFile);

rmSync(dist, { recursive: true, force: true });
const builds = ['tsconfig.build.json', 'tsconfig.build.cjs.json'].map((project) =>
  run(process.execPath, [tsc, '-p', join(root, project)], { cwd: root }).catch((e) => {
    process.stderr.write(`tsc -p ${project} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    throw e;
  }),
);
const results = await Promise.allSettled(builds);
if (results.some((r) => r.status === 'rejected')) process.exit(1);
mkdirSync(join(dist, 'cjs'), { recursive: true });
writeFileSync(join(dist, 'cjs', 'package.json'), '{ "type": "commonjs" }\n');
