/**
 * `npm run chaos`: one chaos run (run.ts). CHAOS_PROFILE picks its size (`full` by default,
 * `quick` for a few minutes), CHAOS_SEED replays a run. Set DATABASE_URL to a PostgreSQL server to
 * include the database outage. The summary is printed and written to .data/chaos/summary.json; the
 * exit code says whether it passed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROFILES } from './profiles';
import { randomSeed } from './random';
import { CHAOS_DIR, runChaos } from './run';

async function main(): Promise<void> {
  const profile = PROFILES[process.env.CHAOS_PROFILE ?? 'full'];
  if (!profile) throw new Error(`CHAOS_PROFILE must be one of ${Object.keys(PROFILES).join(', ')}`);
  const seed = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : randomSeed();
  if (!Number.isInteger(seed) || seed < 0) throw new Error('CHAOS_SEED must be a non-negative integer');
  const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

  const summary = await runChaos(profile, seed, log);
  fs.mkdirSync(CHAOS_DIR, { recursive: true });
  const file = path.join(CHAOS_DIR, 'summary.json');
  fs.writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  const { findings, ...figures } = summary;
  log(`summary (${file}):\n${JSON.stringify(figures, null, 2)}`);
  if (findings) log(findings);
  log(summary.passed ? 'PASSED: 0 lost, 0 duplicated, 0 wrong' : `FAILED: ${summary.lost} lost, ${summary.duplicated} duplicated, ${summary.wrong} wrong (seed ${seed})`);
  process.exitCode = summary.passed ? 0 : 1;
}

main().catch((error) => {
  process.stderr.write(`chaos: ${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
