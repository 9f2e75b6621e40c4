import { defineConfig } from 'vitest/config';

// The package's exports map lists a `source` condition first, pointing at the TypeScript
// sources: tests import 'nfa-obdd' by name (as a user would) without a build step.
export default defineConfig({
  resolve: { conditions: ['source', 'import', 'default'] },
  ssr: { resolve: { conditions: ['source', 'import', 'default'], externalConditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
