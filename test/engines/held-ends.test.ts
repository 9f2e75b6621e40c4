import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import type { EngineName } from '../../src/matcher/types.js';

// End-of-input acceptance with delta 1 (`$` before a final `\n`) can confirm an end
// smaller than one already found; every engine must still report it, in order, and
// 'set' mode must give the earliest end (report.ts rule 3).
const cases: Array<[string, string, number[], number[]]> = [
  ['/a$|a\\n/', 'a\n', [1, 2], [1]],
  ['/a|\\Z|\\n/', '\n', [0, 1], [0]],
  ['/a\\b|a/', 'a ', [1], [1]],
  ['/b$/', 'ab\n', [2], [2]],
  ['/b$/m', 'ab\nb', [2, 4], [2]],
];

describe('held ends agree across engines', () => {
  for (const engine of ['nfa', 'dfa', 'mdfa', 'regexp'] as EngineName[]) {
    for (const [sig, input, all, first] of cases) {
      it(`${engine} ${sig} on ${JSON.stringify(input)}`, () => {
        const { matcher } = compile([sig], engine === 'regexp' ? { engine, engineOptions: { guard: 'none' } } : { engine });
        for (const [mode, want] of [['all', all], ['set', first]] as const) {
          const sc = matcher.createScratch({ mode });
          const got: number[] = [];
          const push = (_s: number, e: number): void => void got.push(e);
          matcher.scan(sc, new TextEncoder().encode(input), push);
          matcher.finish(sc, push);
          expect(got, mode).toEqual(want);
        }
      });
    }
  }
});
