/**
 * The worker and the API load Google's Calendar client alone, not the clients of every Google API
 * (`import { google } from 'googleapis'` loads ~300 of them: ~57 MB of heap and ~110 MB of RSS in
 * each process, and ~0.9 s at start). Checked in a fresh process, since jest's module registry is not
 * Node's, on the modules each process starts from.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../support/source-files';

/** The googleapis API modules a fresh Node process holds after importing `entries`. */
function googleApiModulesLoadedBy(entries: string[]): string[] {
  const script = `
    for (const entry of process.argv.slice(1)) await import(entry);
    const { createRequire } = await import('node:module');
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify(loaded.filter((file) => file.includes('/googleapis/build/src/apis/')).map((file) => file.split('/apis/')[1])));`;
  const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, ...entries.map((entry) => path.join(ROOT, entry))], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return JSON.parse(output.trim().split('\n').at(-1)!) as string[];
}

describe('the Google client a process loads', () => {
  it('is Calendar v3 alone, in the worker (its activities) and in the API', () => {
    const loaded = googleApiModulesLoadedBy(['service/create-worker.ts', 'api/app.ts']);
    expect(loaded.length).toBeGreaterThan(0); // the probe sees googleapis' modules at all
    expect(loaded.filter((file) => !file.startsWith('calendar/'))).toEqual([]);
  });
});
