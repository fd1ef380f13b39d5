/**
 * The worker's malloc settings (service/create-worker.ts) reach it however it is started: from
 * package.json's scripts, from the devstack (bench, chaos), and an operator's own values win.
 */
import fs from 'node:fs';
import path from 'node:path';
import { missingMallocSettings, WORKER_MALLOC_ENV, workerMallocEnv } from '../../service/create-worker';
import { ROOT } from '../support/source-files';

const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

describe("the worker's malloc settings", () => {
  it('are set by `npm run worker` and `npm start`, each overridable from the environment', () => {
    for (const script of ['worker', 'start']) {
      for (const [name, value] of Object.entries(WORKER_MALLOC_ENV)) expect(scripts[script]).toContain(`${name}=\${${name}:-${value}}`);
    }
  });

  it('default in a devstack worker, and what the parent environment sets wins', () => {
    expect(workerMallocEnv({})).toEqual(WORKER_MALLOC_ENV);
    expect(workerMallocEnv({ MALLOC_ARENA_MAX: '4', PATH: '/bin' })).toEqual({ ...WORKER_MALLOC_ENV, MALLOC_ARENA_MAX: '4' });
  });

  it('are named in the start-up warning when any is missing', () => {
    expect(missingMallocSettings({ MALLOC_MMAP_THRESHOLD_: '131072' })).toEqual(['MALLOC_ARENA_MAX']);
    expect(missingMallocSettings({ ...WORKER_MALLOC_ENV })).toEqual([]);
  });
});
