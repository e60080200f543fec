import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The integration suites start real HTTP simulators; two cores on CI.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
