/**
 * The dependency rules of the tree, read from every .ts file's imports (static `import … from`,
 * `export … from`, `import type`, dynamic `import()`), so a rule breaks the suite instead of living in
 * memory. Each failure names the file, the line and the import.
 *
 * The rules:
 *  - functions/core imports only itself, zod/mini and node:crypto: the rules know no SDK, client or clock.
 *  - functions/ validates with zod/mini, never zod's classic API, which esbuild cannot tree-shake
 *    (≈ 440 KiB in every bundle, most of a function's cold start when it has no Kubernetes client).
 *  - functions/ never imports @kubernetes/client-node (≈ 1.3 MiB bundled with what it pulls in, the
 *    larger part of a cold start): the cluster adapter has its own REST client; local/ and test/ may use it.
 *  - an adapter (functions/adapters/<x>/) imports neither functions/platform/ nor another adapter's
 *    internals: it may import the core, its own folder, the shared functions/adapters/system-clock.ts
 *    and another adapter's public file, `functions/adapters/<y>/index.ts`.
 *  - a handler (functions/<name>/handler.ts) is wiring: at most HANDLER_MAX_LINES lines of code, and
 *    no exported value but `handler`, `createHandler` and `depsFromEnv` (types may be exported).
 *  - local/ imports from functions/ only the public shapes it serves: LOCAL_MAY_IMPORT below.
 *  - functions/ and infra/ import none of local/, cli/, bench/; bench/ imports no cli/.
 *  - cli/ imports local/ only from `wfe dev` (cli/commands/dev.ts, cli/dev/).
 *  - no cycle among the top-level folders, nor among functions/'s folders.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TOP_FOLDERS = ['functions', 'infra', 'local', 'cli', 'bench', 'examples', 'test'];
const HANDLER_MAX_LINES = 60;
const HANDLER_EXPORTS = new Set(['handler', 'createHandler', 'depsFromEnv']);
const CORE_PACKAGES = new Set(['zod/mini', 'node:crypto']);

/** What local/ may import from functions/, each with why. */
const LOCAL_MAY_IMPORT: { path: RegExp; why: string }[] = [
  {
    path: /^functions\/[^/]+\/(handler|deps)\.ts$/,
    why: 'the handlers and their depsFromEnv, which local/ runs',
  },
  {
    path: /^functions\/adapters\/dynamodb\/table\.ts$/,
    why: 'the table definition: DynamoDB Local creates it and the stream filter reads its record kinds',
  },
  {
    path: /^functions\/platform\/config\.ts$/,
    why: "the config readers: local settings are the functions' own",
  },
  {
    path: /^functions\/platform\/powertools\.ts$/,
    why: 'the metrics namespace: the local functions publish under the deployed one',
  },
];

interface Import {
  file: string;
  line: number;
  specifier: string;
  /** Repository-relative path of a relative import's target; undefined for a package. */
  target?: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** A relative specifier's target: `./x.js` is `x.ts`, `./x` is `x.ts` or `x/index.ts`. */
function resolveTarget(file: string, specifier: string, known: Set<string>): string {
  const base = relative(ROOT, resolve(ROOT, dirname(file), specifier));
  const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, `${base}/index.ts`];
  return candidates.find((c) => known.has(c)) ?? base;
}

function readImports(): { files: string[]; imports: Import[] } {
  const files = TOP_FOLDERS.flatMap((folder) => sourceFiles(folder));
  const known = new Set(files);
  const imports = files.flatMap((file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    return ts.preProcessFile(text, true, true).importedFiles.map(({ fileName, pos }) => ({
      file,
      line: text.slice(0, pos).split('\n').length,
      specifier: fileName,
      target: fileName.startsWith('.') ? resolveTarget(file, fileName, known) : undefined,
    }));
  });
  return { files, imports };
}

const { files, imports } = readImports();

const show = (i: Import) => `${i.file}:${i.line} imports '${i.specifier}'`;

/** The imports that break a rule, shown one a line. */
const breaches = (rule: (i: Import) => boolean) => imports.filter(rule).map(show);

const under = (path: string | undefined, folder: string) => path?.startsWith(`${folder}/`) ?? false;

/** The folder an adapter file belongs to: `dynamodb` for functions/adapters/dynamodb/…, else undefined. */
const adapterOf = (path: string | undefined) => path?.match(/^functions\/adapters\/([^/]+)\//)?.[1];

/** Cycles in a graph of folders, each as `a → b → a`. */
function cycles(edges: Map<string, Set<string>>): string[] {
  const found: string[] = [];
  const done = new Set<string>();
  const visit = (node: string, path: string[]) => {
    if (path.includes(node)) {
      found.push([...path.slice(path.indexOf(node)), node].join(' → '));
      return;
    }
    if (done.has(node)) return;
    for (const next of edges.get(node) ?? []) visit(next, [...path, node]);
    done.add(node);
  };
  for (const node of edges.keys()) visit(node, []);
  return found;
}

/** The folder graph: an edge from each import's folder to its target's, by `folderOf`. */
function folderGraph(folderOf: (path: string) => string | undefined): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const i of imports) {
    const from = folderOf(i.file);
    const to = i.target && folderOf(i.target);
    if (!from || !to || from === to) continue;
    edges.set(from, (edges.get(from) ?? new Set()).add(to));
  }
  return edges;
}

function codeLines(text: string): number {
  let inBlock = false;
  let count = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (inBlock) {
      if (line.includes('*/')) inBlock = false;
      continue;
    }
    if (line === '' || line.startsWith('//')) continue;
    if (line.startsWith('/*')) {
      inBlock = !line.includes('*/');
      continue;
    }
    count++;
  }
  return count;
}

/** The names of the values a module exports (types and interfaces left out). */
function exportedValues(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest);
  const exported = (node: ts.Node) =>
    ts.canHaveModifiers(node) &&
    (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  return source.statements.flatMap((statement): string[] => {
    if (ts.isExportAssignment(statement)) return ['default'];
    if (ts.isExportDeclaration(statement)) {
      if (statement.isTypeOnly) return [];
      const clause = statement.exportClause;
      if (!clause) return ['*'];
      if (ts.isNamespaceExport(clause)) return [clause.name.text];
      return clause.elements.filter((e) => !e.isTypeOnly).map((e) => e.name.text);
    }
    if (!exported(statement)) return [];
    if (ts.isVariableStatement(statement))
      return statement.declarationList.declarations.map((d) => d.name.getText(source));
    if (
      ts.isFunctionDeclaration(statement) ||
      ts.isClassDeclaration(statement) ||
      ts.isEnumDeclaration(statement)
    )
      return [statement.name?.text ?? 'default'];
    return [];
  });
}

describe('architecture', () => {
  it('reads the imports of every source file', () => {
    // A reader that found nothing would let every rule pass.
    expect(files.length).toBeGreaterThan(100);
    expect(imports).toContainEqual(
      expect.objectContaining({ file: 'functions/core/execute.ts', target: 'functions/core/ports.ts' }),
    );
    expect(imports.some((i) => i.file.startsWith('functions/core/') && i.specifier === 'zod/mini')).toBe(
      true,
    );
  });

  it('functions/ validates with zod/mini, never the classic zod that every bundle would carry whole', () => {
    expect(
      breaches((i) => under(i.file, 'functions') && /^zod(\/(v4|v3|classic))?$/.test(i.specifier)),
    ).toEqual([]);
  });

  it('functions/ never imports @kubernetes/client-node, which every cluster-facing bundle would carry', () => {
    expect(
      breaches((i) => under(i.file, 'functions') && i.specifier.startsWith('@kubernetes/client-node')),
    ).toEqual([]);
  });

  it('functions/core imports only itself, zod/mini and node:crypto', () => {
    expect(
      breaches(
        (i) =>
          under(i.file, 'functions/core') &&
          !(i.target ? under(i.target, 'functions/core') : CORE_PACKAGES.has(i.specifier)),
      ),
    ).toEqual([]);
  });

  it("an adapter imports neither functions/platform/ nor another adapter's internals", () => {
    expect(
      breaches((i) => {
        if (!under(i.file, 'functions/adapters') || !i.target) return false;
        const other = adapterOf(i.target);
        const otherInternals =
          other !== undefined &&
          other !== adapterOf(i.file) &&
          i.target !== `functions/adapters/${other}/index.ts`;
        return under(i.target, 'functions/platform') || otherInternals;
      }),
    ).toEqual([]);
  });

  it(`a handler is wiring: at most ${HANDLER_MAX_LINES} lines of code, exporting only ${[...HANDLER_EXPORTS].join(', ')}`, () => {
    const handlers = files.filter((f) => /^functions\/[^/]+\/handler\.ts$/.test(f));
    expect(handlers.length).toBeGreaterThanOrEqual(3);
    const found = handlers.flatMap((file) => {
      const lines = codeLines(readFileSync(join(ROOT, file), 'utf8'));
      const extra = exportedValues(file).filter((name) => !HANDLER_EXPORTS.has(name));
      return [
        ...(lines > HANDLER_MAX_LINES ? [`${file}: ${lines} lines of code`] : []),
        ...extra.map((name) => `${file}: exports ${name}`),
      ];
    });
    expect(found).toEqual([]);
  });

  it('local/ imports from functions/ only the public shapes it serves', () => {
    expect(
      breaches(
        (i) =>
          under(i.file, 'local') &&
          under(i.target, 'functions') &&
          !LOCAL_MAY_IMPORT.some((allowed) => allowed.path.test(i.target ?? '')),
      ),
    ).toEqual([]);
  });

  it('functions/ and infra/ import none of local/, cli/, bench/; bench/ imports no cli/', () => {
    const forbidden = (from: string, to: string[]) => (i: Import) =>
      under(i.file, from) && to.some((folder) => under(i.target, folder));
    const rules = [
      forbidden('functions', ['local', 'cli', 'bench']),
      forbidden('infra', ['local', 'cli', 'bench']),
      forbidden('bench', ['cli']),
    ];
    expect(breaches((i) => rules.some((rule) => rule(i)))).toEqual([]);
  });

  it('cli/ imports local/ only from wfe dev (cli/commands/dev.ts, cli/dev/)', () => {
    expect(
      breaches(
        (i) =>
          under(i.file, 'cli') &&
          under(i.target, 'local') &&
          i.file !== 'cli/commands/dev.ts' &&
          !under(i.file, 'cli/dev'),
      ),
    ).toEqual([]);
  });

  it('no cycle among the top-level folders', () => {
    expect(cycles(folderGraph((path) => path.split('/')[0]))).toEqual([]);
  });

  it("no cycle among functions/'s folders", () => {
    expect(cycles(folderGraph((path) => path.match(/^functions\/([^/]+)\//)?.[1]))).toEqual([]);
  });
});
