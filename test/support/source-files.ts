/**
 * The project's source read as text, for tests that check its shape (import directions, what the
 * workflow bundle may hold): the relative imports of a file, resolved to paths from the root.
 */
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

/** The relative imports (static, dynamic, type-only) of `file`, as paths relative to the root, unresolved to a file. */
export function relativeImports(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:from|import\(|require\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) =>
    path.relative(ROOT, path.resolve(ROOT, path.dirname(file), match[1]!)),
  );
}

/** The .ts file an import names (`x` → `x.ts` or `x/index.ts`), or undefined for anything else (JSON, generated code). */
export function sourceFileOf(target: string): string | undefined {
  return [`${target}.ts`, path.join(target, 'index.ts'), target].find((candidate) => candidate.endsWith('.ts') && fs.existsSync(path.join(ROOT, candidate)));
}
