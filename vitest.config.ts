import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const setup = fileURLToPath(new URL('./test/fast-check.setup.ts', import.meta.url));
// Many property runs, or the soak (`pnpm test:soak`: the reliability suites at 10x), need longer than a minute per test.
const heavyRuns = Number(process.env.FC_NUM_RUNS ?? 0) > 1000 || process.env.CALLPERM_SOAK === '1';

export default defineConfig({
  test: {
    setupFiles: [setup],
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]] : ['default'],
    testTimeout: heavyRuns ? 600_000 : 60_000,
    hookTimeout: heavyRuns ? 600_000 : 60_000,
    projects: [
      { extends: true, test: { name: 'core', include: ['packages/core/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'adapters', include: ['packages/adapters/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'testing', include: ['packages/testing/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'cli', include: ['packages/cli/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'repo', include: ['test/**/*.test.ts'] } },
    ],
  },
});
