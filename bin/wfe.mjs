#!/usr/bin/env node
// The `wfe` command. It runs the build in dist/ (bin/build.mjs, made by `npm ci`, `npm pack` and
// `npm run build`) with plain node. In a checkout whose sources are newer than that build, or that
// has none, it runs the TypeScript sources through tsx instead, so an edit is never hidden by an old
// build (slower: tsx compiles at every call).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BUILT = `${ROOT}dist/wfe.mjs`;

/** True when the build is missing, or when a source it was built from changed after it. */
function buildIsStale() {
  if (!existsSync(BUILT)) return true;
  let built;
  try {
    built = JSON.parse(readFileSync(`${ROOT}dist/inputs.json`, 'utf8'));
  } catch {
    return false;
  }
  // Outside a checkout (an installed package) the sources are not there: the build is all there is.
  return built.inputs.some((path) => {
    try {
      return statSync(`${ROOT}${path}`).mtimeMs > built.builtAt;
    } catch {
      return false;
    }
  });
}

// The SDK's Node 20 end-of-support notice would otherwise interleave with every command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const sources = new URL('../cli/wfe.ts', import.meta.url);
if (buildIsStale() && existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(sources.href);
} else {
  await import(new URL('../dist/wfe.mjs', import.meta.url).href);
}
