/**
 * `npm run bench`: the service's speed and memory targets, measured on this machine. Each scenario
 * prints what it measured next to its target; the run fails when a target is missed.
 *
 * Uses DATABASE_URL when set, else an in-memory embedded PostgreSQL (slower: one session).
 */
import { runBenchmarks } from './scenarios';

runBenchmarks()
  .then((results) => {
    const width = Math.max(...results.map((r) => r.name.length));
    process.stdout.write('\nscenario'.padEnd(width + 2) + 'measured            target\n');
    for (const r of results) {
      process.stdout.write(`${r.name.padEnd(width + 1)} ${r.measured.padEnd(19)} ${r.target}  ${r.ok ? 'ok' : 'MISSED'}\n`);
    }
    if (results.some((r) => !r.ok)) process.exit(1);
    process.exit(0);
  })
  .catch((error) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(1);
  });
