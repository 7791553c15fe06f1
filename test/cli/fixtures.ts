/** Manifest files as users write them, for `wfe submit -f`. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type ManifestOptions, manifest } from '../fixtures/manifests.js';

export async function manifestFile(
  dir: string,
  name: string,
  docs: ManifestOptions[],
  format: 'yaml' | 'json' = 'yaml',
) {
  const path = join(dir, name);
  const objects = docs.map((o) => manifest(o));
  const text =
    format === 'json'
      ? JSON.stringify(objects.length === 1 ? objects[0] : objects)
      : objects.map((o) => stringify(o)).join('---\n');
  await writeFile(path, text);
  return path;
}
