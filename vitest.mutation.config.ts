/**
 * The test files `npm run mutation` runs against each mutant: those over the core and the DynamoDB
 * adapter that finish in seconds (DynamoDB Local is started once by the global setup).
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'test/core/**/*.test.ts',
      'test/fuzz/**/*.test.ts',
      'test/adapters/execution-table.test.ts',
      'test/adapters/item-size.test.ts',
      'test/adapters/dynamodb/**/*.test.ts',
    ],
    // Stryker's first run executes every file instrumented in one thread; on a loaded 2-CPU machine
    // a table test of some forty writes and a census over every shard took over the default 20 s.
    testTimeout: 60_000,
  },
});
