/**
 * `npm run bench`: the service's speed and memory targets, measured on this machine. First the
 * micro-benchmarks (scenarios.ts: rules, emulators, in-process full sync), then the service
 * end to end (e2e/: the stack started as deployed, users connected through OAuth). Prints one
 * table per part with each figure against its target, writes them all with the machine and the load
 * average to .data/bench/results.json, and fails when a target is missed or could not be measured.
 *
 * Uses DATABASE_URL when set, else an embedded PostgreSQL. Sizes: see e2e/index.ts
 * (BENCH_CONNECTIONS, BENCH_SAMPLES, …); BENCH_ONLY=micro or BENCH_ONLY=e2e runs one part.
 */
import path from 'node:path';
import { runEndToEnd, settingsFromEnv, type EndToEndReport } from './e2e';
import { loadAverage, machine } from '../processes';
import { BENCH_DIR } from '../service-stack';
import { notMeasured, table, writeJson, type Figure } from './report';
import { runBenchmarks } from './scenarios';

const RESULTS_FILE = path.join(BENCH_DIR, 'results.json');

async function main(): Promise<boolean> {
  const startedAt = new Date();
  const started = performance.now();
  const loadAtStart = loadAverage();
  const elapsed = () => `${Math.round((performance.now() - started) / 1000)}`.padStart(4);
  const log = (line: string) => process.stdout.write(`[${elapsed()} s] ${line}\n`);
  const only = process.env.BENCH_ONLY;
  const settings = settingsFromEnv();
  const host = machine();
  log(`machine: ${host.nproc} CPUs (${host.cpuModel}), ${host.memoryMb} MB, node ${host.node}; load average ${loadAtStart.join(' ')}`);
  log(`database: ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded PostgreSQL (PGlite)'}`);
  if (only !== 'micro') log(`end-to-end sizes: ${JSON.stringify(settings)}`);

  let micro: Figure[] = [];
  if (only !== 'e2e') {
    log(`micro-benchmarks (BENCH_EVENTS=${process.env.BENCH_EVENTS ?? 2000})`);
    try {
      micro = (await runBenchmarks()).map((r) => ({ name: r.name, measured: r.measured, target: r.target, status: r.ok ? 'met' : 'MISSED' }));
    } catch (error) {
      micro = [notMeasured('micro-benchmarks', 'they run', error)];
    }
    process.stdout.write(table('micro-benchmarks', micro));
  }

  let endToEnd: EndToEndReport | undefined;
  if (only !== 'micro') {
    endToEnd = await runEndToEnd(settings, log);
    process.stdout.write(table(`end to end (${settings.provider}, ${host.nproc} CPUs, load average at start ${loadAtStart.join(' ')})`, endToEnd.figures));
  }

  const loadAtEnd = loadAverage();
  const seconds = Math.round((performance.now() - started) / 1000);
  const all = [...micro, ...(endToEnd?.figures ?? [])];
  const failed = all.filter((f) => f.status === 'MISSED' || f.status === 'n/a');
  writeJson(RESULTS_FILE, {
    startedAt: startedAt.toISOString(),
    seconds,
    machine: host,
    loadAverage: { start: loadAtStart, end: loadAtEnd },
    database: endToEnd?.database ?? { kind: process.env.DATABASE_URL ? 'server' : 'embedded' },
    settings: only === 'micro' ? undefined : settings,
    connectsPerSecond: endToEnd?.connectRates,
    micro,
    endToEnd: endToEnd?.figures ?? [],
  });
  process.stdout.write(
    `\n${all.length - failed.length} of ${all.length} figures met or reported, ${failed.length} missed or n/a; ` +
      `${seconds} s in all; load average ${loadAtStart.join(' ')} → ${loadAtEnd.join(' ')}; ${RESULTS_FILE}\n`,
  );
  return failed.length === 0;
}

main()
  .then((ok) => process.exit(ok ? 0 : 1))
  .catch((error) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(1);
  });
