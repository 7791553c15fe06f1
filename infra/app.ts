/** The CDK app (cdk.json: `npx tsx infra/app.ts`). Settings: infra/config.ts; docs: infra/README.md. */
import { App } from 'aws-cdk-lib';
import { InfraConfigError } from './config.js';
import { buildWfeApp } from './wfe-app.js';

try {
  buildWfeApp(new App());
} catch (error) {
  // The operator's mistake, not the app's: the list of problems is the whole message.
  if (!(error instanceof InfraConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
