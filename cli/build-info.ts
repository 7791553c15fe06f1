/**
 * What `wfe version` reports: the package version and the git commit. bin/build.mjs writes both into
 * the build (WFE_BUILD); run from the sources, they are read from the checkout.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface BuildInfo {
  version: string;
  /** Undefined when built or run outside a git checkout. */
  commit?: string;
  /** Whether this is the build (dist/) rather than the TypeScript sources run through tsx. */
  built: boolean;
}

declare const WFE_BUILD: { version: string; commit: string | null } | undefined;

function sourcesCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

export function buildInfo(): BuildInfo {
  if (typeof WFE_BUILD !== 'undefined')
    return { version: WFE_BUILD.version, commit: WFE_BUILD.commit ?? undefined, built: true };
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return { version: pkg.version, commit: sourcesCommit(), built: false };
}
