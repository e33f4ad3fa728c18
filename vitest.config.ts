import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    pool: 'forks',
    // The built pipeline runs untransformed (see test/support/built-pipeline.ts).
    server: { deps: { external: [/\/dist\//] } },
  },
});
