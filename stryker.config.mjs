import { tsImport } from 'tsx/esm/api';

// Stryker reads this file once, in its own process: the one DynamoDB Local every test runner process
// (one per worker, and a new one after each timed-out mutant) uses, stopped when Stryker exits.
const { shareDynamoDbLocal } = await tsImport('./test/setup/shared-dynamodb.ts', import.meta.url);
await shareDynamoDbLocal();

/**
 * Mutation testing of the core and the DynamoDB adapter (`npm run mutation`): each small bug Stryker
 * plants must fail at least one of the fast tests (vitest.mutation.config.ts). Not part of `npm test`.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  mutate: ['functions/core/**/*.ts', 'functions/adapters/dynamodb/**/*.ts'],
  coverageAnalysis: 'perTest',
  // One vitest process per CPU of a 2-CPU machine: the vitest runner runs each in a single thread.
  concurrency: 2,
  // A mutant that loops (a loop bound flipped) is cut off this long after the unmutated run's time.
  timeoutMS: 10_000,
  // The first run, all test files under instrumentation in one process, takes minutes on 2 CPUs.
  dryRunTimeoutMinutes: 30,
  reporters: ['html', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  ignorePatterns: ['cdk.out', '.wfe', 'reports', 'coverage', 'bench/results.json'],
};
