import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real OpenSearch node for the run (port 9201, its own temporary home), stopped at the end.
    globalSetup: ['test/support/opensearch-global-setup.ts'],
    // Integration tests start real processes and servers; two cores are shared with them.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
