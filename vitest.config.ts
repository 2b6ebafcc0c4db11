import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Native TensorFlow uses both cores on its own; parallel test files would only fight over them.
    fileParallelism: false,
    pool: 'forks',
  },
});
