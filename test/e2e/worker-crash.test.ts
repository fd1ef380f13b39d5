/**
 * A worker process killed (SIGKILL, no goodbye) in the middle of a large sync: another worker picks
 * the activity up after its heartbeat times out, resumes from the last page it reported, and the CRM
 * ends with every meeting exactly once.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Database } from '../../db/client';
import { meetingKeyOf } from '../../sync-rules';
import { calendarActions, E2E_PROVIDERS, inDays } from '../../devstack/emulators/calendar-actions';
import type { ProviderName } from '../../model/calendar-event';
import { SyncHarness, waitFor } from '../support/sync-harness';
import { databaseIsEmbedded } from '../support/services';
import { startWorkerProcess } from '../support/worker-process';

const EVENTS = 600;

class Released extends Error {}

/**
 * Inserts a meeting with `meetingKey` in a transaction left open: a sync writing that key waits on it
 * (a unique-key wait), in the middle of its activity, until `release()` rolls it back. `waiters()`
 * counts the database sessions waiting on it.
 */
async function holdMeetingKey(db: Database, accountId: string, meetingKey: string) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held!: (pid: number) => void;
  const pid = new Promise<number>((resolve) => (held = resolve));
  const transaction = db
    .$transaction(
      async (tx) => {
        const now = new Date();
        await tx.meeting.create({ data: { accountId, title: 'held by the test', startAt: now, endAt: now, status: 'SCHEDULED', source: 'CALENDAR', meetingKey } });
        held((await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]!.pid);
        await released;
        throw new Released();
      },
      { maxWait: 60_000, timeout: 600_000 },
    )
    .catch((error) => {
      if (!(error instanceof Released)) throw error;
    });
  const holder = await Promise.race([pid, transaction.then(() => Promise.reject(new Error('the holding transaction ended early')))]);
  return {
    waiters: async () =>
      (await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE ${holder}::int = ANY(pg_blocking_pids(pid))`)[0]!.n,
    release: async () => {
      release();
      await transaction;
    },
  };
}

/** The dedupe key the sync gives a single event of the user's calendar. */
function meetingKeyOfEvent(harness: SyncHarness, provider: ProviderName, userEmail: string, eventId: string): string {
  const event = provider === 'GOOGLE' ? harness.google.control.getEvent(userEmail, eventId) : harness.microsoft.control.getEvent(userEmail, eventId);
  const iCalUID = (provider === 'GOOGLE' ? event?.iCalUID : event?.iCalUId) as string | undefined;
  if (!iCalUID) throw new Error(`event ${eventId} has no iCalUID`);
  return meetingKeyOf({ id: eventId, iCalUID, kind: 'single', status: 'confirmed', visibility: 'default', eventType: 'default', guests: [] });
}

/**
 * Needs a database server: the embedded PGlite is one session, which two processes' transactions
 * would share (CI runs this on PostgreSQL).
 */
const describeOnServer = databaseIsEmbedded() ? describe.skip : describe;

describeOnServer.each(E2E_PROVIDERS)('a worker killed mid-sync on %s', (provider) => {
  let harness: SyncHarness;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    harness = await SyncHarness.start({ SYNC_POLL_INTERVAL: '1h', SYNC_HEARTBEAT_TIMEOUT: '3s' });
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await harness.close();
  });

  it('finishes on another worker with no duplicate and no lost meeting', async () => {
    const calendar = calendarActions(harness, provider);
    const account = await harness.newAccount(['portal.example']);
    const user = await harness.newUser(account, `crash-${Date.now()}@portal.example`);
    const contactEmail = `client-${user.id.slice(0, 8)}@customer.example`;
    await harness.newContact(account, contactEmail);
    const connectionId = await harness.connect(account, user, provider);

    // The sync from now on runs in a separate worker process that this test can kill.
    await harness.stopWorker();
    child = startWorkerProcess(harness);

    calendar.dropNotifications(true);
    let lastEventId = '';
    for (let i = 0; i < EVENTS; i++) {
      lastEventId = await calendar.createEvent(user.email, { title: `Crash ${i}`, start: inDays(1 + (i % 200), 9), end: inDays(1 + (i % 200), 10), guests: [contactEmail] });
    }
    calendar.dropNotifications(false);
    // Changes are listed in the order they were made: the last event is on the last page. Holding its
    // meeting key stops the sync there, mid-activity, however fast or slow the machine is, instead of
    // racing a kill against the pages.
    const hold = await holdMeetingKey(harness.db, account.accountId, meetingKeyOfEvent(harness, provider, user.email, lastEventId));
    try {
      await harness.workflows.notify(connectionId, { kind: 'changed' });

      const count = () => harness.db.meeting.count({ where: { accountId: account.accountId } });
      const atKill = await waitFor(async () => {
        const n = await count();
        return n > 0 && (await hold.waiters()) > 0 ? n : undefined;
      }, 'the sync to write its first pages and wait at the held meeting', 90_000);
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
      expect(atKill).toBeLessThan(EVENTS); // really in the middle
      await hold.release();

      await harness.startWorker();
      await waitFor(async () => (await count()) === EVENTS, `all ${EVENTS} meetings`, 90_000);
    } finally {
      await hold.release();
    }
    const keys = await harness.db.meeting.groupBy({ by: ['meetingKey'], where: { accountId: account.accountId }, _count: true });
    expect(keys).toHaveLength(EVENTS);
    expect(keys.every((k) => k._count === 1)).toBe(true);
  });
});
