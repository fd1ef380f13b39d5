/**
 * The end-to-end half of `npm run bench`: the service the way users feel it. Starts the stack,
 * connects users through OAuth, measures every figure of issue 9 against its target, and stops
 * everything again. A figure that cannot be measured is reported n/a with the reason; the rest go on.
 */
import type { ProviderName } from '../../../model/calendar-event';
import { notMeasured, type Figure } from '../report';
import { ChangeProbe } from './changes';
import {
  idleWorkerRss,
  measureBurst,
  measureCpuPerChange,
  measureFloor,
  measureFullSync,
  measureLatency,
  measureRates,
  type Floor,
  type LatencyRun,
} from './measurements';
import { Population, type BenchUser } from './population';
import { startStack, type DatabaseInfo, type Stack } from '../../service-stack';

export interface EndToEndSettings {
  provider: ProviderName;
  smallConnections: number;
  connections: number;
  samples: number;
  inFlight: number;
  usersPerAccount: number;
  contactsPerAccount: number;
  connectConcurrency: number;
  burst: number;
  fullSyncEvents: number;
  fullSyncTimeoutS: number;
  cpuChanges: number;
  rates: number[];
  rateSeconds: number;
}

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, not "${raw}"`);
  return value;
}

export function settingsFromEnv(): EndToEndSettings {
  const provider = (process.env.BENCH_PROVIDER ?? 'GOOGLE').toUpperCase();
  if (provider !== 'GOOGLE' && provider !== 'MICROSOFT') throw new Error(`BENCH_PROVIDER must be GOOGLE or MICROSOFT, not "${provider}"`);
  const rates = (process.env.BENCH_RATES ?? '10,20,30,40,60,80').split(',').map(Number);
  if (rates.some((rate) => !(rate > 0))) throw new Error(`BENCH_RATES must be positive numbers, e.g. 10,20,40`);
  return {
    provider,
    smallConnections: numberFromEnv('BENCH_CONNECTIONS_SMALL', 100),
    connections: numberFromEnv('BENCH_CONNECTIONS', 1000),
    samples: numberFromEnv('BENCH_SAMPLES', 200),
    inFlight: numberFromEnv('BENCH_IN_FLIGHT', 8),
    usersPerAccount: numberFromEnv('BENCH_USERS_PER_ACCOUNT', 50),
    contactsPerAccount: 5,
    connectConcurrency: numberFromEnv('BENCH_CONNECT_CONCURRENCY', 8),
    burst: numberFromEnv('BENCH_BURST', 50),
    fullSyncEvents: numberFromEnv('BENCH_FULL_SYNC_EVENTS', 10_000),
    fullSyncTimeoutS: numberFromEnv('BENCH_FULL_SYNC_TIMEOUT', 120),
    cpuChanges: numberFromEnv('BENCH_CPU_CHANGES', 200),
    rates,
    rateSeconds: numberFromEnv('BENCH_RATE_SECONDS', 10),
  };
}

const LATENCY_LIMIT_MS = { one: 500, many: 1000 };
const FULL_SYNC_LIMIT_S = 10;
const BURST_LIMIT = 2;
const RSS_PER_CONNECTION_LIMIT_KB = 100;
const CPU_LIMIT_MS = 50;
const RATE_LIMIT = 40;

const status = (ok: boolean) => (ok ? 'met' : 'MISSED');
const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)}` : '–');

export interface EndToEndReport {
  figures: Figure[];
  database?: Omit<DatabaseInfo, 'url'>;
  connectRates: Record<string, number>;
}

export async function runEndToEnd(settings: EndToEndSettings, log: (line: string) => void): Promise<EndToEndReport> {
  const figures: Figure[] = [];
  const connectRates: Record<string, number> = {};
  const sizes = settings.connections > settings.smallConnections ? [settings.smallConnections, settings.connections] : [settings.connections];
  const latencyName = (size: number, inFlight: number) => `notification → timeline, ${size} connections, ${inFlight} in flight`;
  const latencyTarget = (inFlight: number) => `p99 ≤ ${inFlight === 1 ? LATENCY_LIMIT_MS.one : LATENCY_LIMIT_MS.many} ms`;
  const cpuTarget = `≤ ${CPU_LIMIT_MS} ms`;
  const rateName = `highest rate with p99 ≤ 1 s (${settings.connections} connections)`;

  /** Runs one measurement; when it throws, its figures are n/a with the reason and the run goes on. */
  const attempt = async (expected: { name: string; target: string }[], measure: () => Promise<Figure[]>) => {
    try {
      figures.push(...(await measure()));
    } catch (error) {
      log(`  failed: ${(error as Error).message}`);
      figures.push(...expected.map((figure) => notMeasured(figure.name, figure.target, error)));
    }
  };

  let stack: Stack;
  try {
    log('starting the stack (Temporal dev server, database, emulators, API and worker processes)');
    stack = await startStack(log);
  } catch (error) {
    log(`  failed: ${(error as Error).message}`);
    return { figures: [notMeasured('end-to-end bench', 'the stack starts', error)], connectRates };
  }
  const { url: _secret, ...database } = stack.database;
  try {
    const population = new Population(stack, {
      provider: settings.provider,
      usersPerAccount: settings.usersPerAccount,
      contactsPerAccount: settings.contactsPerAccount,
      concurrency: settings.connectConcurrency,
    });
    const probe = new ChangeProbe(stack);
    const rss: Record<number, number> = {};
    const youngMb: Record<number, number | undefined> = {};
    const latencies: { size: number; run: LatencyRun }[] = [];
    let floor: Floor | undefined;

    const settledRss = async (size: number) => {
      const { kb, firstKb, waitedSeconds, youngGenerationMb } = await idleWorkerRss(stack);
      const young = youngGenerationMb === undefined ? '' : `; the main thread's young generation ${youngGenerationMb} MB`;
      log(`  worker RSS at ${size} idle connections: ${Math.round(kb / 1024)} MB (${Math.round(firstKb / 1024)} MB once quiet, settled over ${waitedSeconds} s${young})`);
      youngMb[size] = youngGenerationMb;
      return kb;
    };

    log('worker RSS with no connection');
    await attempt([], async () => {
      rss[0] = await settledRss(0);
      return [];
    });

    log(`floor: ${settings.samples} × (incremental list + meeting upsert) on ${settings.provider}`);
    await attempt([{ name: 'floor: one list round trip + one upsert', target: 'reported' }], async () => {
      floor = await measureFloor(stack, settings.provider, settings.samples);
      return [
        {
          name: 'floor: one list round trip + one upsert',
          measured: `p50 ${floor.total.p50} ms (list ${floor.list.p50} + upsert ${floor.upsert.p50}), n=${floor.total.n}`,
          target: 'reported',
          status: 'info',
          data: floor,
        },
      ];
    });

    for (const size of sizes) {
      const expected = [1, settings.inFlight].map((inFlight) => ({ name: latencyName(size, inFlight), target: latencyTarget(inFlight) }));
      log(`connecting users up to ${size} (${settings.provider}, ${settings.connectConcurrency} at a time)`);
      try {
        connectRates[size] = Math.round((await population.growTo(size)) * 10) / 10;
        log(`  ${population.users.length} connected (${connectRates[size]}/s)`);
      } catch (error) {
        log(`  failed: ${(error as Error).message}`);
        figures.push(...expected.map((figure) => notMeasured(figure.name, figure.target, error)));
        break;
      }
      await attempt([], async () => {
        rss[size] = await settledRss(size);
        return [];
      });
      for (const { name, target } of expected) {
        const inFlight = name.endsWith(' 1 in flight') ? 1 : settings.inFlight;
        log(`${name}: ${settings.samples} changes`);
        await attempt([{ name, target }], async () => {
          const run = await measureLatency(stack, probe, population.users, settings.samples, inFlight);
          latencies.push({ size, run });
          const limit = inFlight === 1 ? LATENCY_LIMIT_MS.one : LATENCY_LIMIT_MS.many;
          log(`  p50 ${ms(run.p50)} / p95 ${ms(run.p95)} / p99 ${ms(run.p99)} ms, ${run.changesPerSecond} changes/s`);
          return [
            {
              name,
              measured: `p50 ${ms(run.p50)} / p95 ${ms(run.p95)} / p99 ${ms(run.p99)} ms (n=${run.n}${run.lost ? `, ${run.lost} lost` : ''})`,
              target,
              status: status(run.lost === 0 && run.p99 <= limit),
              data: run,
            },
          ];
        });
      }
    }

    if (floor && latencies.length > 0) {
      const ratios = latencies.map(({ size, run }) => `${size}×${run.inFlight}: ${(run.p50 / floor!.total.p50).toFixed(1)}×`);
      figures.push({ name: 'latency p50 ÷ floor p50 (connections×in flight)', measured: ratios.join(', '), target: 'reported', status: 'info' });
    }

    const small = rss[settings.smallConnections];
    const large = rss[settings.connections];
    figures.push({
      name: `worker RSS at ${[0, ...sizes].join(' / ')} idle connections`,
      measured: [0, ...sizes].map((size) => (rss[size] !== undefined ? `${Math.round(rss[size]! / 1024)}` : 'n/a')).join(' / ') + ' MB',
      target: 'reported',
      status: 'info',
      data: { rssKb: rss, youngGenerationMb: youngMb },
    });
    const youngMbAt = (size: number) => youngMb[size] ?? '?';
    const perConnectionName = `worker RSS per idle connection (${settings.smallConnections} → ${settings.connections})`;
    if (small !== undefined && large !== undefined && sizes.length === 2) {
      const perConnection = (large - small) / (settings.connections - settings.smallConnections);
      figures.push({
        name: perConnectionName,
        measured: `${Math.round(perConnection)} KB`,
        target: `≤ ${RSS_PER_CONNECTION_LIMIT_KB} KB`,
        // Less RSS at more connections measures nothing: the smaller size's heap was not given back yet.
        status: perConnection < 0 ? 'n/a' : status(perConnection <= RSS_PER_CONNECTION_LIMIT_KB),
        note: `${perConnection < 0 ? `the RSS at ${settings.smallConnections} connections still held heap grown while connecting; ` : ''}VmRSS once the worker is idle and its RSS has stopped falling for 45 s; the main thread's young generation ${youngMbAt(settings.smallConnections)} → ${youngMbAt(settings.connections)} MB (V8 shrinks it, and the workflow thread's, only some while after a full GC, so the figure moves between runs of the same code: README, "Benchmarks")`,
      });
    } else {
      figures.push(notMeasured(perConnectionName, `≤ ${RSS_PER_CONNECTION_LIMIT_KB} KB`, 'needs the worker RSS at both sizes'));
    }

    const connected = population.users.slice();
    const cpuNames = { split: 'CPU per one-event change: worker / API / Temporal / PostgreSQL', total: 'CPU per one-event change, all processes' };
    log(`CPU per change: ${settings.cpuChanges} sequential changes over ${connected.length} connections`);
    await attempt(
      [
        { name: cpuNames.split, target: 'reported' },
        { name: cpuNames.total, target: cpuTarget },
      ],
      async () => {
        if (connected.length === 0) throw new Error('no connected user');
        const cpu = await measureCpuPerChange(stack, probe, connected, settings.cpuChanges);
        const idle = (name: 'worker' | 'api' | 'temporal' | 'postgres') => `${name} ${cpu.idleWindowsMsPerSecond.before[name] ?? 'n/a'} / ${cpu.idleWindowsMsPerSecond.after[name] ?? 'n/a'}`;
        log(`  quiet after ${cpu.quietWaitSeconds} s; idle CPU ms/s before / after the changes: ${(['worker', 'api', 'temporal', 'postgres'] as const).map(idle).join(', ')}`);
        const { worker, api, temporal, postgres, bench, probe: probeBackend } = cpu.perChangeMs;
        const service = { worker, API: api, Temporal: temporal, PostgreSQL: postgres };
        const total = Object.values(service).reduce<number>((sum, value) => sum + (value ?? 0), 0);
        const missing = Object.entries(service).flatMap(([name, value]) => (value === undefined ? [name] : []));
        const show = (value: number | undefined) => (value === undefined ? 'n/a' : `${value}`);
        return [
          {
            name: cpuNames.split,
            measured: `${show(worker)} / ${show(api)} / ${show(temporal)} / ${show(postgres)} ms`,
            target: 'reported',
            status: 'info',
            note: `idle CPU subtracted; PostgreSQL: ${cpu.postgresNote}; not counted: the bench process (emulators, probe) ${show(bench)} ms, the probe's backend ${show(probeBackend)} ms`,
            data: cpu,
          },
          {
            name: cpuNames.total,
            measured: `${Math.round(total * 10) / 10} ms (n=${cpu.changes}${cpu.lost ? `, ${cpu.lost} lost` : ''}, ${show(cpu.replays)} replays)`,
            target: cpuTarget,
            // A partial total can show a miss, not a met target.
            status: total > CPU_LIMIT_MS ? 'MISSED' : missing.length ? 'n/a' : 'met',
            note: `${missing.length ? `without ${missing.join(' and ')} (not measurable here); ` : ''}by window of ${cpu.windowsMs.length > 1 ? `${Math.round(cpu.changes / cpu.windowsMs.length)} changes: ${cpu.windowsMs.join(' / ')} ms` : 'the whole run'}; the machine's speed meanwhile, as CPU ms of a fixed piece of work: ${cpu.referenceMs.join(' / ')}`,
          },
        ];
      },
    );

    log(`sustained rate: steps ${settings.rates.join(', ')}/s for ${settings.rateSeconds} s each`);
    await attempt([{ name: rateName, target: `≥ ${RATE_LIMIT}/s` }], async () => {
      if (connected.length === 0) throw new Error('no connected user');
      const steps = await measureRates(stack, probe, connected, settings.rates, settings.rateSeconds, LATENCY_LIMIT_MS.many);
      for (const step of steps) log(`  ${step.rate}/s (issued ${step.achieved}/s): p99 ${ms(step.p99)} ms${step.lost ? `, ${step.lost} lost` : ''} ${step.held ? 'held' : 'not held'}`);
      const best = steps.filter((step) => step.held).pop();
      return [
        {
          name: rateName,
          measured: `${best ? `${best.rate}/s` : `< ${settings.rates[0]}/s`} (${steps.map((step) => `${step.rate}/s p99 ${ms(step.p99)} ms${step.lost ? ` ${step.lost} lost` : ''}`).join('; ')})`,
          target: `≥ ${RATE_LIMIT}/s`,
          status: status((best?.rate ?? 0) >= RATE_LIMIT),
          data: steps,
        },
      ];
    });

    for (const provider of ['GOOGLE', 'MICROSOFT'] as const) {
      const label = provider.toLowerCase();
      const burstName = `list calls per ${settings.burst}-change burst in 1 s, ${label}`;
      const fullName = `full sync of ${settings.fullSyncEvents} events via resync, ${label}`;
      let solo: BenchUser | undefined;
      log(`${label}: a user alone in an account, for the burst and the full sync`);
      await attempt([{ name: burstName, target: `≤ ${BURST_LIMIT}` }], async () => {
        solo = await population.soloUser(provider, `solo-${label}`, 50);
        const burst = await measureBurst(stack, probe, solo, settings.burst);
        log(`  burst: ${burst.listCalls} ${burst.endpoint} calls`);
        return [
          {
            name: burstName,
            measured: `${burst.listCalls} ${burst.endpoint}${burst.lost ? ` (${burst.lost} changes lost)` : ''}`,
            target: `≤ ${BURST_LIMIT}`,
            status: status(burst.lost === 0 && burst.listCalls <= BURST_LIMIT),
            data: burst,
          },
        ];
      });
      await attempt([{ name: fullName, target: `≤ ${FULL_SYNC_LIMIT_S} s` }], async () => {
        if (!solo) throw new Error('no connected user for it');
        log(`  full sync of ${settings.fullSyncEvents} events`);
        const full = await measureFullSync(stack, population, solo, settings.fullSyncEvents, settings.fullSyncTimeoutS * 1000);
        log(`  ${full.seconds === undefined ? `timed out with ${full.arrived} meetings` : `${full.seconds} s`}`);
        return [
          {
            name: fullName,
            measured:
              full.seconds === undefined
                ? `> ${settings.fullSyncTimeoutS} s (${full.arrived} of ${full.events} meetings)`
                : `${full.seconds} s (${Math.round(full.events / full.seconds)} events/s)`,
            target: `≤ ${FULL_SYNC_LIMIT_S} s`,
            status: status(full.seconds !== undefined && full.seconds <= FULL_SYNC_LIMIT_S),
            data: full,
          },
        ];
      });
    }
  } finally {
    log('stopping the stack');
    await stack.stop();
  }
  return { figures, database, connectRates };
}
