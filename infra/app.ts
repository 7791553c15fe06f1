/** The CDK app (cdk.json: `npx tsx infra/app.ts`). Settings: infra/config.ts; docs: infra/README.md. */
import { App } from 'aws-cdk-lib';
import { buildWfeApp } from './wfe-app.js';

buildWfeApp(new App());
