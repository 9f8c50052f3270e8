// The pure tests only (matching, ranking, the market): no Postgres or Redis, so mutation testing
// (stryker.config.json) can run them once per mutant in seconds.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/matching/**/*.test.ts', 'bench/market.test.ts'],
    exclude: ['node_modules/**', '.data/**'],
    testTimeout: 30_000,
  },
});
