#!/usr/bin/env node
// Which CLI this runs, decided by what the package folder is, never by whether dist/ exists:
//
// - an installed package (registry tarball, git URL): the compiled dist/cli/main.js. It has
//   no tsconfig.json (not in package.json "files"), and needs no tsx.
// - a source checkout (tsconfig.json and src/cli/main.ts at the root; also a folder linked
//   by `npm install ./folder`): src/cli/main.ts through tsx (a devDependency), whatever
//   dist/ holds, so a stale dist/ never runs silently. If tsx is not installed
//   (`npm ci --omit=dev`), dist/ runs with a note on stderr that says whether it is older
//   than src/; with neither, an error. `node dist/cli/main.js` runs the build explicitly.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const dist = new URL('dist/cli/main.js', root);
const src = new URL('src/cli/main.ts', root);
const checkout = existsSync(new URL('tsconfig.json', root)) && existsSync(src);

if (!checkout) {
  if (!existsSync(dist)) fail(`${fileURLToPath(dist)} is missing: this copy of nfa-obdd was not built (npm run build)`);
  await import(dist.href);
} else {
  let register = null;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch (e) {
    if (e?.code !== 'ERR_MODULE_NOT_FOUND' && e?.code !== 'MODULE_NOT_FOUND') throw e;
  }
  if (register) {
    register();
    await import(src.href);
  } else {
    if (!existsSync(dist)) fail('tsx is not installed and dist/ is not built: run `npm ci` (or `npm run build`) first');
    const built = statSync(dist).mtimeMs;
    const stale = newestMtime(new URL('src/', root)) > built;
    process.stderr.write(
      `nfa-obdd: tsx is not installed, running dist/ (built ${new Date(built).toISOString()})` +
        (stale ? ', which is older than src/: run `npm run build`' : '') +
        '\n',
    );
    await import(dist.href);
  }
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const url = new URL(entry.name + (entry.isDirectory() ? '/' : ''), dir);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(url) : statSync(url).mtimeMs);
  }
  return newest;
}

function fail(message) {
  process.stderr.write(`nfa-obdd: ${message}\n`);
  process.exit(1);
}
