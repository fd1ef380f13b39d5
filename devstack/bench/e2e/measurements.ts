/**
 * The end-to-end figures, each measured on the running stack: notification → timeline latency, its
 * floor, list calls per burst, a full sync, worker memory, CPU per change and the sustained rate.
 */
import { createHash } from 'node:crypto';
import { createAccount } from '../../../crm/accounts';
import { createProviderRegistry } from '../../../providers/create-registry';
import type { ProviderName } from '../../../model/calendar-event';
import type { CalendarProvider } from '../../../providers/types';
import { googleEmulatorSettings, microsoftEmulatorSettings } from '../../start-emulators';
import { eventBody, USER_REST_MS, type ChangeProbe } from './changes';
import type { BenchUser, Population } from './population';
import { cpuBetween, postgresProcesses, rssKb, sampleCpu, type CpuSample } from '../../processes';
import { assertRunning, type Stack } from '../../service-stack';
import { inParallel } from '../../../lib/in-parallel';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const DAY = 86_400_000;

export interface Percentiles {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Linear interpolation between closest ranks; values in ms, rounded to 0.1. */
export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => {
    if (sorted.length === 0) return NaN;
    const rank = q * (sorted.length - 1);
    const low = Math.floor(rank);
    const high = Math.min(low + 1, sorted.length - 1);
    return Math.round((sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low)) * 10) / 10;
  };
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1) };
}

export interface LatencyRun extends Percentiles {
  /** Changes whose meeting did not arrive within the probe's timeout. */
  lost: number;
  inFlight: number;
  connections: number;
  changesPerSecond: number;
}

/** `samples` changes, `inFlight` at a time, each on a different rested user. */
export async function measureLatency(stack: Stack, probe: ChangeProbe, users: BenchUser[], samples: number, inFlight: number): Promise<LatencyRun> {
  const latencies: number[] = [];
  let lost = 0;
  const started = performance.now();
  await inParallel(samples, inFlight, async () => {
    const result = await probe.change(await probe.pickUser(users));
    if (result.latencyMs === undefined) lost += 1;
    else latencies.push(result.latencyMs);
  });
  assertRunning(stack);
  return { ...percentiles(latencies), lost, inFlight, connections: users.length, changesPerSecond: Math.round((samples / ((performance.now() - started) / 1000)) * 10) / 10 };
}

export interface Floor {
  provider: ProviderName;
  total: Percentiles;
  list: Percentiles;
  upsert: Percentiles;
}

/**
 * The least a change can cost: one incremental list (with a cursor) through the provider adapter,
 * then one Prisma upsert of the meeting, from this process, for a calendar with one new event.
 */
export async function measureFloor(stack: Stack, provider: ProviderName, samples: number): Promise<Floor> {
  const registry = createProviderRegistry({ google: googleEmulatorSettings(stack.google), microsoft: microsoftEmulatorSettings(stack.microsoft) });
  const control = provider === 'GOOGLE' ? stack.google.control : stack.microsoft.control;
  const email = `floor-${Date.now()}@portal.example`;
  control.createUser({ email });
  const auth = registry.auth(provider);
  const redirectUri = 'http://127.0.0.1:9/floor';
  const consent = await auth.authorizationUrl({ state: 'floor', redirectUri });
  const code = new URL(await control.approveConsent(consent, email)).searchParams.get('code')!;
  const { credentials } = await auth.exchangeCode({ code, redirectUri });
  const calendar: CalendarProvider = registry.calendar(provider, async () => credentials.accessToken);

  let cursor: string | undefined;
  let page: string | undefined;
  const window = { start: new Date(Date.now() - 30 * DAY).toISOString(), end: new Date(Date.now() + 365 * DAY).toISOString() };
  do {
    const listed = await calendar.listChanges({ window, page });
    page = listed.nextPage;
    cursor = listed.cursor ?? cursor;
  } while (page);

  const { account } = await createAccount(stack.db, { name: `bench floor ${email}`, domains: ['portal.example'] });
  const total: number[] = [];
  const list: number[] = [];
  const upsert: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = new Date(Date.now() + DAY + i * 60_000);
    control.userCreateEvent(email, eventBody(provider, `floor ${i}`, start, 'floor-guest@customer.example'));
    const t0 = performance.now();
    const listed = await calendar.listChanges({ cursor });
    const t1 = performance.now();
    if (listed.events.length === 0) throw new Error('the incremental list did not return the new event');
    cursor = listed.cursor ?? cursor;
    const event = listed.events[0]!;
    const data = { title: event.title ?? '', startAt: new Date(event.start!.dateTime), endAt: new Date(event.end!.dateTime), status: 'SCHEDULED' as const, source: 'CALENDAR' as const };
    await stack.db.meeting.upsert({
      where: { accountId_meetingKey: { accountId: account.id, meetingKey: event.iCalUID ?? event.id } },
      create: { accountId: account.id, meetingKey: event.iCalUID ?? event.id, iCalUID: event.iCalUID, ...data },
      update: data,
    });
    const t2 = performance.now();
    total.push(t2 - t0);
    list.push(t1 - t0);
    upsert.push(t2 - t1);
  }
  return { provider, total: percentiles(total), list: percentiles(list), upsert: percentiles(upsert) };
}

export interface Burst {
  provider: ProviderName;
  changes: number;
  /** `events.list` (Google) or `events.delta` (Graph) calls the burst caused. */
  listCalls: number;
  endpoint: string;
  lost: number;
}

/** `size` changes within one second on one connection; the list calls are counted once all is quiet. */
export async function measureBurst(stack: Stack, probe: ChangeProbe, user: BenchUser, size: number): Promise<Burst> {
  const control = user.provider === 'GOOGLE' ? stack.google.control : stack.microsoft.control;
  const endpoint = user.provider === 'GOOGLE' ? 'events.list' : 'events.delta';
  await sleep(USER_REST_MS); // the connection starts quiet
  control.resetCounts();
  const landed: Promise<{ latencyMs?: number }>[] = [];
  const started = performance.now();
  for (let i = 0; i < size; i++) {
    await sleep(started + (i * 1000) / size - performance.now());
    landed.push(probe.change(user));
  }
  const results = await Promise.all(landed);
  // A sync woken by the last notifications may still run after the last meeting landed.
  await sleep(USER_REST_MS + 1000);
  assertRunning(stack);
  const counts = control.callCounts() as Record<string, number>;
  return { provider: user.provider, changes: size, listCalls: counts[endpoint] ?? 0, endpoint, lost: results.filter((r) => r.latencyMs === undefined).length };
}

export interface FullSync {
  provider: ProviderName;
  events: number;
  seconds?: number;
  /** Meetings in the account when the deadline passed, if it did. */
  arrived: number;
}

/**
 * A connected calendar gets `count` events with contacts while its notifications are lost, then the
 * user asks for a resync through the API: seconds until every meeting is in the CRM.
 */
export async function measureFullSync(stack: Stack, population: Population, user: BenchUser, count: number, timeoutMs: number): Promise<FullSync> {
  const control = user.provider === 'GOOGLE' ? stack.google.control : stack.microsoft.control;
  control.setNotificationFaults({ drop: true });
  try {
    for (let i = 0; i < count; i++) {
      const start = new Date(Date.now() + (1 + (i % 300)) * DAY + (i % 20) * 3_600_000);
      control.userCreateEvent(user.email, eventBody(user.provider, `full ${i}`, start, user.account.contactEmails[i % user.account.contactEmails.length]!));
    }
  } finally {
    control.setNotificationFaults({});
  }
  const meetings = async () =>
    Number((await stack.probe.query<{ n: string }>('SELECT count(*) AS n FROM meetings WHERE account_id = $1', [user.account.id])).rows[0]!.n);
  const before = await meetings();
  const started = performance.now();
  await population.api.expect(202, 'POST', `/v1/users/${user.id}/calendar-connection/resync`, { auth: user.account.auth });
  const deadline = started + timeoutMs;
  for (;;) {
    const arrived = (await meetings()) - before;
    if (arrived >= count) return { provider: user.provider, events: count, seconds: Math.round((performance.now() - started) / 100) / 10, arrived };
    if (performance.now() > deadline) return { provider: user.provider, events: count, arrived };
    assertRunning(stack);
    await sleep(100);
  }
}

/** The worker is idle once a whole second passes with less than this much CPU (ms) spent. */
const QUIET_CPU_MS_PER_SECOND = 30;
const QUIET_WAIT_LIMIT_MS = 60_000;
/** RSS has settled once it has not fallen by more than RSS_SETTLED_KB for RSS_SETTLE_MS. */
const RSS_SETTLE_MS = 45_000;
const RSS_SETTLED_KB = 1024;
const RSS_SETTLE_LIMIT_MS = 180_000;
const RSS_SAMPLE_MS = 2000;

/**
 * The worker's RSS once it is idle and has given back what it will: connecting leaves initial syncs,
 * channel opening and continue-as-new running for a while after the last OAuth callback, and V8 may
 * then shrink the heaps it grew for them, in steps over the next ~40 s (seen here: 366 → 289 MB with
 * no connection, 464 → 392 MB at 1,000), or not at all (484 MB flat for a minute at 1,000 in
 * another run). Read any earlier and the figure is mostly that transient. Waits for three quiet
 * seconds in a row (at most a minute), then until the RSS has not fallen for 45 s (at most 3
 * minutes), and takes the median of the last samples, in KB. Much of that transient is V8's young
 * generation (seen here at 32 MB or 1 MB on the main thread at the same size; the workflow thread has
 * its own), which V8 shrinks only some while after a full GC: the main thread's is read with the RSS.
 */
export async function idleWorkerRss(stack: Stack): Promise<{ kb: number; firstKb: number; waitedSeconds: number; youngGenerationMb?: number }> {
  const quietDeadline = Date.now() + QUIET_WAIT_LIMIT_MS;
  for (let quiet = 0; quiet < 3 && Date.now() < quietDeadline; ) {
    const before = sampleCpu([stack.worker.pid]);
    await sleep(1000);
    quiet = cpuBetween(before, sampleCpu([stack.worker.pid])) < QUIET_CPU_MS_PER_SECOND ? quiet + 1 : 0;
  }
  const samples: number[] = [];
  const settleStarted = Date.now();
  const settleDeadline = Date.now() + RSS_SETTLE_LIMIT_MS;
  let lowest = Infinity;
  let lowestSince = Date.now();
  while (Date.now() - lowestSince < RSS_SETTLE_MS && Date.now() < settleDeadline) {
    const kb = rssKb(stack.worker.pid);
    if (kb === undefined) throw new Error('the worker is gone');
    samples.push(kb);
    if (kb < lowest - RSS_SETTLED_KB) lowestSince = Date.now();
    lowest = Math.min(lowest, kb);
    await sleep(RSS_SAMPLE_MS);
  }
  const settled = samples.slice(-5).sort((a, b) => a - b);
  const youngBytes = await workerMetric(stack, 'nodejs_heap_space_size_total_bytes', 'space="new"');
  return {
    kb: settled[Math.floor(settled.length / 2)]!,
    firstKb: samples[0]!,
    waitedSeconds: Math.round((Date.now() - settleStarted) / 1000),
    youngGenerationMb: youngBytes === undefined ? undefined : Math.round(youngBytes / 2 ** 20),
  };
}

type ProcessGroup = 'worker' | 'api' | 'temporal' | 'postgres' | 'bench' | 'probe';
/** The processes the total counts: the service's, not the load generator's. */
const SERVICE_GROUPS: ProcessGroup[] = ['worker', 'api', 'temporal', 'postgres'];
const IDLE_WINDOW_MS = 4000;
/** The service is quiet once a second passes with less than this much CPU (ms) spent by all of it (idle: 40-75). */
const SERVICE_QUIET_MS_PER_SECOND = 150;
const SERVICE_QUIET_LIMIT_MS = 30_000;

export interface CpuPerChange {
  changes: number;
  /**
   * Net CPU ms per change (idle rate subtracted) of the service's processes, and of the load
   * generator (this process: emulators and probe; the probe's PostgreSQL backend), which is not
   * counted in the total. undefined: not measurable here.
   */
  perChangeMs: Record<ProcessGroup, number | undefined>;
  /** The quieter of the idle windows before and after the changes, which are kept too. */
  idleMsPerSecond: Record<ProcessGroup, number | undefined>;
  idleWindowsMsPerSecond: { before: Partial<Record<ProcessGroup, number>>; after: Partial<Record<ProcessGroup, number>> };
  /** How long the service took to go quiet after the phase before, three quiet seconds included. */
  quietWaitSeconds: number;
  postgresNote: string;
  lost: number;
  /** Workflow tasks that found their workflow evicted and replayed it (the SDK core's sticky cache misses); undefined: unreadable. */
  replays: number | undefined;
  /**
   * The service's net CPU ms per change (the total's processes) in each consecutive window of
   * CPU_WINDOW_CHANGES changes: whether a run's figure is one level throughout or a shift within it.
   */
  windowsMs: number[];
  /** The same windows for each process (the load generator's too): which one a shift within a run came from. */
  windowsByProcessMs: Partial<Record<ProcessGroup, number[]>>;
  /** referenceWorkMs() as the changes began and at the end of each window: the machine's speed meanwhile. */
  referenceMs: number[];
}

/**
 * CPU ms this process takes for a fixed piece of work that allocates nothing (hashing a buffer, an
 * integer loop): the machine's speed at that moment. A shared host's cores slow down when its
 * neighbours are busy, and every process's CPU per change with them; this tells such a run from a
 * regression. The quickest of three tries, as a try can be interrupted.
 */
const REFERENCE_BUFFER = Buffer.alloc(8 << 20, 7);
/** Where the loop's result goes, so that the compiler cannot drop the loop. */
let referenceSink = 0;
function referenceWorkMs(): number {
  const tries = Array.from({ length: 3 }, () => {
    const before = process.cpuUsage();
    createHash('sha256').update(REFERENCE_BUFFER).digest();
    let x = 1;
    for (let i = 0; i < 20_000_000; i++) x = (x ^ (x << 13) ^ (x >>> 7)) | 0;
    referenceSink ^= x;
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000;
  });
  return Math.round(Math.min(...tries) * 10) / 10;
}

const CPU_WINDOW_CHANGES = 50;

/**
 * A metric's value summed over the series whose labels include `label` (all of them when absent) from
 * the worker's /metrics: 0 before a counter's first count (the SDK core lists a counter only once it
 * has counted), undefined when /metrics cannot be read.
 */
async function workerMetric(stack: Stack, name: string, label?: string): Promise<number | undefined> {
  try {
    const response = await fetch(stack.workerMetricsUrl);
    if (!response.ok) return undefined;
    const text = await response.text();
    return [...text.matchAll(new RegExp(`^${name}(?:\\{([^}]*)\\})?\\s+(\\S+)$`, 'gm'))]
      .filter((match) => label === undefined || (match[1] ?? '').split(',').includes(label))
      .reduce((sum, match) => sum + Number(match[2]), 0);
  } catch {
    return undefined;
  }
}
const STICKY_CACHE_MISSES = 'temporal_sticky_cache_miss_total';

/**
 * CPU of each process over `count` sequential one-event changes (each on another user, each waited
 * for, then a moment for the sync's tail), minus what the same processes spend idle over that time.
 */
export async function measureCpuPerChange(stack: Stack, probe: ChangeProbe, users: BenchUser[], count: number): Promise<CpuPerChange> {
  const measurePostgres = stack.database.kind === 'server' && stack.database.local;
  const postgresNote = measurePostgres
    ? `backends of database ${stack.database.name} (the bench's probe excluded) and the server's shared processes`
    : stack.database.kind === 'embedded'
      ? 'not measured: the embedded PostgreSQL (PGlite) runs inside the bench process, with the emulators'
      : 'not measured: DATABASE_URL points at another machine';
  const groups = (): Record<ProcessGroup, number[] | undefined> => ({
    worker: [stack.worker.pid],
    api: [stack.api.pid],
    temporal: stack.temporalPids(),
    postgres: measurePostgres ? postgresProcesses(stack.database.name, [stack.probeBackendPid]) : undefined,
    bench: [process.pid],
    probe: measurePostgres ? [stack.probeBackendPid] : undefined,
  });
  const sample = () => Object.entries(groups()).map(([name, pids]) => [name as ProcessGroup, pids && sampleCpu(pids)] as const);
  const spent = (before: ReturnType<typeof sample>, after: ReturnType<typeof sample>) =>
    new Map(after.map(([name, cpu], i) => [name, cpu && before[i]![1] ? cpuBetween(before[i]![1]!, cpu) : undefined]));

  /** CPU spent by each group over a quiet while. */
  const idleWindow = async () => {
    const before = sample();
    const started = performance.now();
    await sleep(IDLE_WINDOW_MS);
    return { cpu: spent(before, sample()), seconds: (performance.now() - started) / 1000 };
  };

  await sleep(USER_REST_MS);
  // What the phase before left running (its syncs' tail, a GC, a server's catching up) is not this phase's cost.
  const quietWaitStarted = performance.now();
  for (let quiet = 0; quiet < 3 && performance.now() - quietWaitStarted < SERVICE_QUIET_LIMIT_MS; ) {
    const before = sample();
    await sleep(1000);
    const used = spent(before, sample());
    quiet = SERVICE_GROUPS.reduce((sum, name) => sum + (used.get(name) ?? 0), 0) < SERVICE_QUIET_MS_PER_SECOND ? quiet + 1 : 0;
  }
  const quietWaitSeconds = Math.round((performance.now() - quietWaitStarted) / 1000);
  const idleBefore = await idleWindow();
  const missesBefore = await workerMetric(stack, STICKY_CACHE_MISSES);
  const referenceMs = [referenceWorkMs()];
  const busyStart = sample();
  const busyStarted = performance.now();
  const windowEnds: { at: number; cpu: ReturnType<typeof sample>; changes: number }[] = [];
  let lost = 0;
  for (let i = 0; i < count; i++) {
    const result = await probe.change(await probe.pickUser(users));
    if (result.latencyMs === undefined) lost += 1;
    if ((i + 1) % CPU_WINDOW_CHANGES === 0 && i + 1 < count) {
      windowEnds.push({ at: performance.now(), cpu: sample(), changes: i + 1 });
      referenceMs.push(referenceWorkMs());
    }
  }
  await sleep(500); // the sync's own tail: cursor, workflow task
  const busySeconds = (performance.now() - busyStarted) / 1000;
  const busyEnd = sample();
  windowEnds.push({ at: performance.now(), cpu: busyEnd, changes: count });
  const busy = spent(busyStart, busyEnd);
  referenceMs.push(referenceWorkMs());
  const missesAfter = await workerMetric(stack, STICKY_CACHE_MISSES);
  const replays = missesBefore === undefined || missesAfter === undefined ? undefined : missesAfter - missesBefore;
  const idleAfter = await idleWindow();
  assertRunning(stack);

  const round = (value: number) => Math.round(value * 10) / 10;
  const ratesOf = (window: typeof idleBefore) =>
    Object.fromEntries([...window.cpu].flatMap(([name, cpu]) => (cpu === undefined ? [] : [[name, round(cpu / window.seconds)]])));
  const idleWindowsMsPerSecond = { before: ratesOf(idleBefore), after: ratesOf(idleAfter) };
  const perChangeMs = {} as CpuPerChange['perChangeMs'];
  const idleMsPerSecond = {} as CpuPerChange['idleMsPerSecond'];
  for (const [name, busyMs] of busy) {
    const [before, after] = [idleBefore.cpu.get(name), idleAfter.cpu.get(name)];
    // The quieter of the windows on either side: a spike in one (a GC of an earlier phase's garbage,
    // seen up to 50 ms/s in the API) is not what the process spends doing nothing.
    const idleRate = before === undefined || after === undefined ? undefined : Math.min(before / idleBefore.seconds, after / idleAfter.seconds);
    idleMsPerSecond[name] = idleRate === undefined ? undefined : round(idleRate);
    perChangeMs[name] = busyMs === undefined || idleRate === undefined ? undefined : round((busyMs - idleRate * busySeconds) / count);
  }
  const windowsByProcessMs: CpuPerChange['windowsByProcessMs'] = {};
  const windowsMs = windowEnds.map((end, i) => {
    const start = i === 0 ? { at: busyStarted, cpu: busyStart, changes: 0 } : windowEnds[i - 1]!;
    const used = spent(start.cpu, end.cpu);
    const seconds = (end.at - start.at) / 1000;
    const changes = end.changes - start.changes;
    const net = (name: ProcessGroup) => (used.get(name) ?? 0) - (idleMsPerSecond[name] ?? 0) * seconds;
    for (const [name, cpu] of used) if (cpu !== undefined) (windowsByProcessMs[name] ??= []).push(round(net(name) / changes));
    return round(SERVICE_GROUPS.reduce((sum, name) => sum + net(name), 0) / changes);
  });
  return { changes: count, perChangeMs, idleMsPerSecond, idleWindowsMsPerSecond, quietWaitSeconds, postgresNote, lost, replays, windowsMs, windowsByProcessMs, referenceMs };
}

export interface RateStep extends Percentiles {
  rate: number;
  /** The rate the bench managed to issue changes at. */
  achieved: number;
  lost: number;
  held: boolean;
}

/**
 * Changes at a fixed rate, spread over the users, for `seconds` per step; steps up until a step's p99
 * exceeds `p99LimitMs` (or a change is lost). Each step starts after the previous one drained.
 */
export async function measureRates(stack: Stack, probe: ChangeProbe, users: BenchUser[], rates: number[], seconds: number, p99LimitMs: number): Promise<RateStep[]> {
  const steps: RateStep[] = [];
  for (const rate of rates) {
    const count = Math.max(1, Math.round(rate * seconds));
    const results: Promise<{ latencyMs?: number }>[] = [];
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      await sleep(started + (i * 1000) / rate - performance.now());
      results.push(probe.change(await probe.pickUser(users)));
    }
    const issuedOver = (performance.now() - started) / 1000;
    const landed = await Promise.all(results);
    assertRunning(stack);
    const latencies = landed.flatMap((r) => (r.latencyMs === undefined ? [] : [r.latencyMs]));
    const lost = count - latencies.length;
    const stats = percentiles(latencies);
    const held = lost === 0 && stats.p99 <= p99LimitMs;
    steps.push({ ...stats, rate, achieved: count > 1 ? Math.round(((count - 1) / issuedOver) * 10) / 10 : rate, lost, held });
    if (!held) break;
    await sleep(USER_REST_MS);
  }
  return steps;
}
