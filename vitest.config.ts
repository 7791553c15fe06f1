import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/global.ts'],
    // Most test files wait on local engines (DynamoDB Local, the built-in cluster, cooldowns of
    // seconds) rather than compute, so at least two run at once even on a 2-CPU machine, where
    // vitest's default (CPUs − 1) would run one: 4.5 instead of 6 minutes there. More than two
    // bought nothing on 2 CPUs.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 20_000,
    hookTimeout: 60_000,
    env: {
      POWERTOOLS_DEV: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
