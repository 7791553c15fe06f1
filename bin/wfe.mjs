#!/usr/bin/env node
// The `wfe` command: TypeScript sources run through tsx, so the checkout needs no build step.
import { register } from 'tsx/esm/api';

register();
// The SDK's Node 20 end-of-support notice would otherwise interleave with every command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
await import('../cli/wfe.ts');
