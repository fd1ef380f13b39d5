/**
 * The folder layout is the architecture (README "Layout"): these are the import directions it
 * forbids, checked on every file's relative imports, so a reach-around fails CI instead of waiting
 * for someone to notice it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { relativeImports, ROOT } from '../support/source-files';

const SKIPPED = new Set(['node_modules', 'generated', 'dist', 'coverage', 'test']);

/** Every .ts file under the root's folders (tests excluded), as a path relative to the root. */
function sourceFiles(dir = ROOT): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.') || SKIPPED.has(entry.name)) return [];
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && dir !== ROOT ? [path.relative(ROOT, full)] : [];
  });
}

/** The top-level folders a file's relative imports (static, dynamic, type-only) reach. */
const importedFolders = (file: string) => new Set(relativeImports(file).map((target) => target.split(path.sep)[0]!));

const files = sourceFiles();
const topFolder = (file: string) => file.split(path.sep)[0]!;

/** Files in `from` that import anything in one of `forbidden`, with what they import. */
function violations(from: string[], forbidden: string[]): string[] {
  return files
    .filter((file) => from.includes(topFolder(file)))
    .flatMap((file) => [...importedFolders(file)].filter((folder) => forbidden.includes(folder)).map((folder) => `${file} → ${folder}/`));
}

describe('import directions', () => {
  it('finds the source files it checks', () => {
    expect(files).toEqual(expect.arrayContaining(['workflows/connection.ts', 'sync-rules/decide.ts', 'service/worker-process.ts']));
  });

  it('keeps the model free of imports of its own', () => {
    expect(violations(['model'], files.map(topFolder))).toEqual([]);
  });

  it('keeps the sync rules pure: no I/O layer, no provider, no Temporal', () => {
    expect(violations(['sync-rules'], ['providers', 'activities', 'workflows', 'db', 'crm', 'api', 'service', 'devstack'])).toEqual([]);
  });

  it('keeps workflows to orchestration: no provider adapters, no database, no CRM writes', () => {
    expect(violations(['workflows'], ['providers', 'db', 'crm', 'connections', 'api', 'service', 'devstack'])).toEqual([]);
  });

  it('never has activities reach into workflows, nor the API and connect flow into activities', () => {
    expect(violations(['activities'], ['workflows', 'api', 'service', 'devstack'])).toEqual([]);
    expect(violations(['api', 'connections'], ['activities'])).toEqual([]);
  });

  it('keeps every deployed folder off devstack/ (npm start, the emulators, the bench, the chaos run)', () => {
    const deployed = [...new Set(files.map(topFolder))].filter((folder) => folder !== 'devstack');
    expect(deployed).toEqual(expect.arrayContaining(['service', 'workflows', 'activities', 'api']));
    expect(violations(deployed, ['devstack'])).toEqual([]);
  });
});
