/**
 * The house plan, checked: the folders of src/ import each other without a cycle, no
 * function of src/ runs past the line budget unless it says why (a measured hot loop),
 * every exported declaration is documented, benches and tests find the shared data in one place, and benches never import
 * from test/. Text scans (test/support/source-metrics.ts), fast and dependency-free.
 */
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCycle, folderImports, functionSpans, longFunctions, SRC, sourceFiles, undocumentedExports } from './support/source-metrics.js';

const ROOT = resolve(import.meta.dirname, '..');

describe('architecture', () => {
  it('the folders of src/ import each other without a cycle', () => {
    expect(findCycle(folderImports())).toBeNull();
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    const g = new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])]]);
    expect(findCycle(g)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('no function in src/ over 80 lines unless it says why (// long-function: …)', () => {
    const offenders = longFunctions(80)
      .filter((s) => !s.justified)
      .map((s) => `${relative(ROOT, s.file)}:${s.line} ${s.name} (${s.lines} lines)`);
    expect(offenders).toEqual([]);
  });

  it('the function scanner sees the functions of a known file', () => {
    const spans = functionSpans(join(import.meta.dirname, 'support/source-metrics.ts'));
    expect(spans.map((s) => s.name)).toEqual(expect.arrayContaining(['sourceFiles', 'folderImports', 'findCycle', 'functionSpans']));
  });

  it('benches never import from test/, and only the shared-data locator spells out the data folder', () => {
    const bad: string[] = [];
    for (const f of [...sourceFiles(join(ROOT, 'bench')), ...sourceFiles(join(ROOT, 'test'))]) {
      const rel = relative(ROOT, f);
      const text = readFileSync(f, 'utf8');
      if (rel.startsWith('bench/') && /from '(\.\.\/)+test\//.test(text)) bad.push(`${rel}: imports from test/`);
      const code = text.replace(/^\s*(\*|\/\/).*$/gm, '');
      if (/shared\/data/.test(code) && rel !== 'bench/lib/shared-data.ts') bad.push(`${rel}: spells out the shared data path`);
    }
    expect(bad).toEqual([]);
  });

  it('every exported declaration of src/ has a doc comment', () => {
    expect(undocumentedExports().map((e) => `${relative(ROOT, e.file)}:${e.line} ${e.name}`)).toEqual([]);
  });

  it('no issue numbers in the comments of src/', () => {
    const bad = sourceFiles(SRC).flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .map((l, i) => ({ l, i }))
        .filter(({ l }) => /\bissues? #?\d+/i.test(l))
        .map(({ i }) => `${relative(ROOT, f)}:${i + 1}`),
    );
    expect(bad).toEqual([]);
  });
});
