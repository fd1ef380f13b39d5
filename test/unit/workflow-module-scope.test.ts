/**
 * The workflow bundle is preloaded (service/create-worker.ts PRELOAD_MODULES): its modules are
 * evaluated once per worker thread and shared by every cached workflow. State at module scope would
 * then leak from one connection's workflow into another's, so none is allowed in any file the
 * workflows import: no module-level `let`/`var`, no module-level Map, Set or other mutable collection
 * (plain objects and arrays are deep-frozen by the SDK, so writing one throws at once).
 */
import fs from 'node:fs';
import path from 'node:path';
import { relativeImports, ROOT, sourceFileOf } from '../support/source-files';

/** Every source file reachable from `entry` through relative imports. */
function reachableFrom(entry: string): string[] {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  while (queue.length) {
    for (const target of relativeImports(queue.shift()!)) {
      const file = sourceFileOf(target);
      if (file && !seen.has(file)) seen.add(file), queue.push(file);
    }
  }
  return [...seen].sort();
}

/**
 * Module-scope statements start at the first column (the code is formatted that way; TypeScript 7
 * has no JS parser API to ask instead): a `let`/`var`, or a `const` holding a new mutable collection
 * (one typed `ReadonlySet`/`ReadonlyMap` is a lookup table, which TypeScript keeps unwritten).
 */
const MODULE_STATE = /^(?:export\s+)?(?:(?:let|var)\s|const\s+\w+(?:\s*:\s*(?!Readonly)\S[^=]*)?\s*=\s*new\s+(?:Map|Set|WeakMap|WeakSet|Array)\b)/;

/** The module-scope declarations of `file` that hold state, as `file:line text`. */
function moduleState(file: string): string[] {
  return fs
    .readFileSync(path.join(ROOT, file), 'utf8')
    .split('\n')
    .flatMap((line, index) => (MODULE_STATE.test(line) ? [`${file}:${index + 1} ${line}`] : []));
}

describe('workflow module scope', () => {
  const files = reachableFrom('workflows/index.ts');

  it('finds the files the workflow bundle holds', () => {
    expect(files).toEqual(expect.arrayContaining(['workflows/connection.ts', 'workflows/connection-state.ts']));
  });

  it('holds no state at module scope in any file the workflows import', () => {
    expect(files.flatMap(moduleState)).toEqual([]);
  });
});
