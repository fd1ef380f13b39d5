/**
 * One chaos run: the service started as deployed (devstack/service-stack.ts), users of both
 * providers connected through the real OAuth flow, then rounds of random changes with faults injected
 * while they flow. Each round ends by healing what the faults broke (as an operator or a user would:
 * processes come back, users reconnect) and waiting until the invariant checker finds nothing, or
 * until it stops making progress. The summary says what was injected, applied, checked and found.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createAccount } from '../../crm/accounts';
import { ApiClient, connectCalendar } from '../api-client';
import { loadAverage, machine, type Machine } from '../processes';
import { startStack, type Stack } from '../service-stack';
import { calendarActions } from '../emulators/calendar-actions';
import { inParallel } from '../../lib/in-parallel';
import type { ProviderName } from '../../model/calendar-event';
import { DELIVERY, PROCESS_FAULTS, planFaults, type FaultKind, type OtherFault, type RoundFaults } from './faults';
import { checkInvariants, describeFindings, type FindingKind, type InvariantReport } from './invariants';
import { ChaosModel, type ChaosAccount, type ChaosUser } from './model';
import type { ChaosProfile } from './profiles';
import { Random } from './random';
import { Workload } from './workload';

const ROOT = path.resolve(__dirname, '../..');
export const CHAOS_DIR = path.join(ROOT, '.data/chaos');

/** The service's settings for the run: a short fallback poll so that dropped notifications heal within a round. */
const SERVICE_ENV = { SYNC_POLL_INTERVAL: '15s', SYNC_HEARTBEAT_TIMEOUT: '5s', LOG_LEVEL: 'warn' };

export interface RoundSummary {
  round: number;
  changes: number;
  faults: FaultKind[];
  convergedMs?: number;
  findings: Record<FindingKind, number>;
}

export interface ChaosSummary {
  profile: string;
  seed: number;
  seriesShapes: SeriesShapes;
  machine: Machine;
  loadAverage: [number, number, number];
  database: 'server' | 'embedded';
  connections: { google: number; microsoft: number };
  changes: { total: number; byKind: Record<string, number> };
  faults: Partial<Record<FaultKind, number>>;
  /** Faults the set-up could not inject, and why. */
  skipped: string[];
  rounds: RoundSummary[];
  checked: InvariantReport['checked'];
  lost: number;
  duplicated: number;
  wrong: number;
  /** From healing the last fault to a clean check. */
  convergeAfterLastFaultMs?: number;
  durationMs: number;
  passed: boolean;
  /** The findings of the final check, in words. */
  findings: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface SeriesShapes {
  microsoft: { seriesMasters: 'listed' | 'omitted'; cancellationModifiesMaster: boolean };
  google: { seriesDeletion: 'withExceptions' | 'masterOnly' };
}

/**
 * The series shapes the providers are reported to produce (the emulators' switches; the end-to-end
 * tests run each): one per seed, drawn apart from the workload so a seed's changes stay the same.
 */
function pickSeriesShapes(seed: number): SeriesShapes {
  const random = new Random(seed ^ 0x5e71e5);
  return {
    microsoft: { seriesMasters: random.pick(['listed', 'omitted'] as const), cancellationModifiesMaster: random.chance(0.5) },
    google: { seriesDeletion: random.pick(['withExceptions', 'masterOnly'] as const) },
  };
}

/** `dir`: where the stack keeps its logs, bundle and Temporal state. */
export async function runChaos(profile: ChaosProfile, seed: number, log: (line: string) => void, dir = CHAOS_DIR): Promise<ChaosSummary> {
  const started = Date.now();
  const random = new Random(seed);
  log(`chaos run "${profile.name}", seed ${seed} (replay: CHAOS_SEED=${seed} CHAOS_PROFILE=${profile.name} npm run chaos)`);
  const onServer = Boolean(process.env.DATABASE_URL);
  const skipped = onServer ? [] : ['database_unavailable: the embedded PostgreSQL runs inside this process and cannot be cut off (set DATABASE_URL to a server)'];
  for (const line of skipped) log(`skipped ${line}`);

  const stack = await startStack(log, { dir, env: SERVICE_ENV, restartableTemporal: true, databaseProxy: onServer });
  try {
    const seriesShapes = pickSeriesShapes(seed);
    stack.microsoft.control.configure(seriesShapes.microsoft);
    stack.google.control.configure(seriesShapes.google);
    log(`series shapes: ${JSON.stringify(seriesShapes)}`);
    const api = new ApiClient(stack.apiUrl);
    const model = new ChaosModel(`c${seed.toString(36)}${randomUUID().slice(0, 4)}`);
    await populate(stack, api, model, profile, log);
    const workload = new Workload(model, random, api, stack, stack.db);
    const check = () => checkInvariants(stack.db, model, stack);
    const historyOf = (ref: string) => model.entities.find((e) => e.ref === ref)?.history ?? [];

    const plan = planFaults(random, profile.rounds, profile.faultsPerRound);
    const injected: Partial<Record<FaultKind, number>> = {};
    const rounds: RoundSummary[] = [];
    let last: InvariantReport | undefined;
    for (let round = 1; round <= profile.rounds; round++) {
      const faults = plan[round - 1]!;
      const active = faults.others.filter((kind) => onServer || kind !== 'database_unavailable');
      const roundFaults: FaultKind[] = [faults.notifications, ...active];
      log(`round ${round}/${profile.rounds}: ${profile.changesPerRound} changes under ${roundFaults.join(', ')}`);
      const before = workload.total;
      const revoked = await runRound(stack, model, workload, random, profile, round, { ...faults, others: active }, log);
      for (const kind of roundFaults) injected[kind] = (injected[kind] ?? 0) + 1;
      await heal(stack, api, revoked, log);
      const converged = await converge(check, profile, workload.total - before, log);
      last = converged.report;
      rounds.push({ round, changes: workload.total - before, faults: roundFaults, convergedMs: converged.ms, findings: last.counts });
      log(`round ${round}: ${converged.ms === undefined ? 'did NOT converge' : `converged in ${(converged.ms / 1000).toFixed(1)} s`}; ${last.checked.meetings} meetings checked`);
      if (converged.ms === undefined) {
        log(describeFindings(last, historyOf));
        break;
      }
    }
    const final = last ?? (await check());
    const convergedAfterLast = rounds.at(-1)?.convergedMs;
    const summary: ChaosSummary = {
      profile: profile.name,
      seed,
      seriesShapes,
      machine: machine(),
      loadAverage: loadAverage(),
      database: stack.database.kind,
      connections: { google: model.users.filter((u) => u.account.provider === 'GOOGLE').length, microsoft: model.users.filter((u) => u.account.provider === 'MICROSOFT').length },
      changes: { total: workload.total, byKind: Object.fromEntries(workload.applied) },
      faults: injected,
      skipped,
      rounds,
      checked: final.checked,
      lost: final.counts.lost,
      duplicated: final.counts.duplicated,
      wrong: final.counts.wrong,
      convergeAfterLastFaultMs: convergedAfterLast,
      durationMs: Date.now() - started,
      passed: final.findings.length === 0 && rounds.length === profile.rounds,
      findings: describeFindings(final, historyOf),
    };
    return summary;
  } finally {
    await stack.stop();
  }
}

async function populate(stack: Stack, api: ApiClient, model: ChaosModel, profile: ChaosProfile, log: (line: string) => void): Promise<void> {
  const startedAt = Date.now();
  const accountsFor = async (provider: ProviderName, users: number) => {
    for (let made = 0, n = 0; made < users; made += profile.usersPerAccount, n++) {
      const { account, apiKey } = await createAccount(stack.db, { name: `chaos ${model.tag} ${provider} ${n}`, domains: ['portal.example'] });
      const chaosAccount: ChaosAccount = { id: account.id, provider, auth: { Authorization: `Bearer ${apiKey.key}` }, contacts: [] };
      for (let i = 0; i < profile.contactsPerAccount; i++) {
        const email = `client${i}-${account.id.slice(0, 8)}@customer${i % 3}.example`;
        const contact = await api.expect(201, 'POST', '/v1/contacts', { auth: chaosAccount.auth, body: { email } });
        chaosAccount.contacts.push({ id: contact.id, email });
      }
      model.accounts.push(chaosAccount);
    }
  };
  await accountsFor('GOOGLE', profile.googleUsers);
  await accountsFor('MICROSOFT', profile.microsoftUsers);
  const seats = model.accounts.flatMap((account) => Array.from({ length: profile.usersPerAccount }, (_, i) => ({ account, i })));
  const wanted = seats.filter((seat) => {
    const ofProvider = seats.filter((s) => s.account.provider === seat.account.provider);
    return ofProvider.indexOf(seat) < (seat.account.provider === 'GOOGLE' ? profile.googleUsers : profile.microsoftUsers);
  });
  await inParallel(wanted.length, 6, async (n) => {
    const { account } = wanted[n]!;
    const email = `user${n}-${model.tag}@portal.example`;
    const user = await api.expect(201, 'POST', '/v1/users', { auth: account.auth, body: { email, name: `user ${n}` } });
    const control = account.provider === 'GOOGLE' ? stack.google.control : stack.microsoft.control;
    control.createUser({ email });
    const connectionId = await connectCalendar(api, control, { userId: user.id, email, auth: account.auth, provider: account.provider });
    model.users.push({ id: user.id, email, account, connectionId });
  });
  log(`${model.users.length} users connected in ${Math.round((Date.now() - startedAt) / 1000)} s`);
}

/** Applies the round's changes at the profile's pace while its faults act; returns the users whose grant it revoked. */
async function runRound(
  stack: Stack,
  model: ChaosModel,
  workload: Workload,
  random: Random,
  profile: ChaosProfile,
  round: number,
  faults: RoundFaults,
  log: (line: string) => void,
): Promise<ChaosUser[]> {
  workload.startRound(round);
  const emulators = [stack.google.control, stack.microsoft.control];
  for (const control of emulators) control.setNotificationFaults(DELIVERY[faults.notifications]);

  let revoked: ChaosUser[] = [];
  for (const kind of faults.others) {
    if (kind === 'provider_storm') {
      // Rate limits with Retry-After on listings, then plain outages on listings and writes.
      stack.google.control.failNext('events.list', profile.stormCalls, { status: 429, reason: 'rateLimitExceeded', retryAfterSeconds: 1 });
      stack.google.control.failNext('events.list', profile.stormCalls, { status: 503, reason: 'backendError' });
      stack.google.control.failNext('events.insert', Math.ceil(profile.stormCalls / 4), { status: 503, reason: 'backendError' });
      stack.microsoft.control.failNext('events.delta', profile.stormCalls, { status: 429, reason: 'TooManyRequests', retryAfterSeconds: 1 });
      stack.microsoft.control.failNext('events.delta', profile.stormCalls, { status: 503, reason: 'ServiceUnavailable' });
      stack.microsoft.control.failNext('events.create', Math.ceil(profile.stormCalls / 4), { status: 503, reason: 'ServiceUnavailable' });
    }
    if (kind === 'cursor_invalidated') {
      const users = random.sample(model.users, profile.usersPerFault);
      for (const user of users) calendarActions(stack, user.account.provider).invalidateCursor(user.email);
      log(`  cursors invalidated: ${users.map((u) => u.email).join(', ')}`);
    }
    if (kind === 'grant_revoked') {
      revoked = random.sample(model.users, profile.usersPerFault);
      log(`  grants revoked: ${revoked.map((u) => u.email).join(', ')}`);
      for (const user of revoked) {
        const calendar = calendarActions(stack, user.account.provider);
        calendar.revokeGrant(user.email);
        calendar.expireAccessTokens(user.email);
      }
    }
  }
  const limits = { crmBlocked: new Set(revoked.map((u) => u.id)) };
  // A revoked user's calendar changes too: the sync meets the dead grant, and catches up after reconnecting.
  for (const user of revoked) await workload.step(limits, [user]);

  const processFaults = faults.others.filter((kind) => PROCESS_FAULTS.includes(kind));
  const faultAt = new Map<number, OtherFault>(processFaults.map((kind, i) => [Math.floor((profile.changesPerRound * (i + 1)) / (processFaults.length + 1)), kind]));
  const pauseMs = 1000 / profile.changesPerSecond;
  // Changes keep flowing while a process is down: the faults run beside the stream, not in it.
  const outages: Promise<void>[] = [];
  for (let change = 0; change < profile.changesPerRound; change++) {
    const fault = faultAt.get(change);
    if (fault === 'worker_killed') {
      // A burst first, so that the kill lands in the middle of the syncs it starts.
      for (let burst = 0; burst < 5; burst++) await workload.step(limits);
    }
    if (fault) outages.push(injectProcessFault(stack, fault, profile, log));
    await workload.step(limits);
    await sleep(pauseMs);
  }
  await Promise.all(outages);
  await workload.settle();
  for (const control of emulators) control.setNotificationFaults({});
  return revoked;
}

async function injectProcessFault(stack: Stack, fault: OtherFault, profile: ChaosProfile, log: (line: string) => void): Promise<void> {
  const startedAt = Date.now();
  if (fault === 'worker_killed') {
    await stack.restartWorker('SIGKILL');
  } else if (fault === 'temporal_restarted') {
    await stack.restartTemporal();
  } else if (fault === 'database_unavailable') {
    stack.databaseProxy!.cut();
    await sleep(profile.databaseOutageMs);
    stack.databaseProxy!.restore();
  }
  log(`  ${fault} (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
}

/** What a round broke and nothing heals by itself: provider faults left unspent, and users who must reconnect. */
async function heal(stack: Stack, api: ApiClient, revoked: ChaosUser[], log: (line: string) => void): Promise<void> {
  stack.google.control.clearFaults();
  stack.microsoft.control.clearFaults();
  for (const user of revoked) {
    // The user sees "reconnect your calendar" once the service found the grant dead, and does.
    await waitFor(`${user.email} to need reauthorization`, 120_000, async () => {
      const connection = await stack.db.calendarConnection.findUnique({ where: { id: user.connectionId } });
      return connection?.status === 'NEEDS_REAUTH' || undefined;
    });
    const control = user.account.provider === 'GOOGLE' ? stack.google.control : stack.microsoft.control;
    await connectCalendar(api, control, { userId: user.id, email: user.email, auth: user.account.auth, provider: user.account.provider });
  }
  if (revoked.length) log(`  reconnected: ${revoked.map((u) => u.email).join(', ')}`);
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`chaos: waited ${timeoutMs / 1000} s for ${what}`);
    await sleep(500);
  }
}

/**
 * Checks until nothing is found. The wait has no fixed length: it goes on while the findings shrink,
 * and ends when they have not for `profile.stallMs` (a fallback poll and a retry backoff fit in it).
 */
async function converge(check: () => Promise<InvariantReport>, profile: ChaosProfile, changes: number, log: (line: string) => void): Promise<{ ms?: number; report: InvariantReport }> {
  const startedAt = Date.now();
  let best = Number.POSITIVE_INFINITY;
  let progressAt = Date.now();
  for (;;) {
    const report = await check();
    const open = report.findings.length;
    if (open === 0) return { ms: Date.now() - startedAt, report };
    if (open < best) {
      best = open;
      progressAt = Date.now();
    }
    if (Date.now() - progressAt > profile.stallMs) {
      log(`  no progress for ${profile.stallMs / 1000} s with ${open} findings after ${changes} changes`);
      return { report };
    }
    await sleep(1000);
  }
}
