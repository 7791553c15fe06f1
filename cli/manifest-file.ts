/**
 * The documents of a manifest file, as `wfe submit -f` reads them: YAML or JSON, one document or
 * many (YAML `---` separators, a JSON array, or a `kind: List` with `items`, as kubectl accepts),
 * each validated with the schema the execute function uses.
 */
import { parseAllDocuments } from 'yaml';
import { type Manifest, parseRequest } from '../functions/core/manifest.js';
import { CliError } from './cli-error.js';

function flatten(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(flatten);
  if (value && typeof value === 'object') {
    const list = value as { kind?: unknown; items?: unknown };
    if (typeof list.kind === 'string' && list.kind.endsWith('List') && Array.isArray(list.items))
      return list.items.flatMap(flatten);
  }
  return [value];
}

/** The 1-based line of a character offset; an error at the very end points at the last line. */
function lineAt(text: string, offset: number): number {
  const before = text.slice(0, offset).replace(/\n+$/, '');
  return before.split('\n').length;
}

export function manifestDocuments(text: string, source: string): unknown[] {
  const documents = parseAllDocuments(text, { prettyErrors: false });
  const out: unknown[] = [];
  for (const doc of documents) {
    // A parse error in one document refuses the whole file, so the others are not sent without it.
    const error = doc.errors[0];
    if (error) {
      throw new CliError(
        `${source} line ${lineAt(text, error.pos[0])} is not valid YAML or JSON: ${error.message.split('\n')[0]}`,
        { cause: error },
      );
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue; // an empty document, e.g. a trailing ---
    out.push(...flatten(value));
  }
  if (out.length === 0) throw new CliError(`${source} holds no documents`);
  return out;
}

/** Every document as a manifest, or one error naming the first invalid one (and how many more). */
export function validateManifests(documents: unknown[], source: string): Manifest[] {
  const manifests: Manifest[] = [];
  const problems: string[] = [];
  documents.forEach((document, index) => {
    const parsed = parseRequest(JSON.stringify(document));
    if (parsed.ok) manifests.push(parsed.manifest);
    else {
      const which = parsed.id ? `${parsed.id.namespace}/${parsed.id.name}` : `document ${index + 1}`;
      problems.push(`${which}: ${parsed.reason}`);
    }
  });
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more invalid document(s))` : '';
    throw new CliError(`${source} is not valid, nothing was submitted: ${problems[0]}${more}`);
  }
  return manifests;
}
