/**
 * A worker process killed (SIGKILL, no goodbye) in the middle of a large sync: another worker picks
 * the activity up after its heartbeat times out, resumes from the last page it reported, and the CRM
 * ends with every meeting exactly once.
 */
import type { ChildProcess } from 'node:child_process';
import { calendarActions, E2E_PROVIDERS, inDays } from '../../emulators/calendar-actions';
import { SyncHarness, waitFor } from '../support/sync-harness';
import { databaseIsEmbedded } from '../support/services';
import { startWorkerProcess } from '../support/worker-process';

const EVENTS = 600;

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
    for (let i = 0; i < EVENTS; i++) {
      await calendar.createEvent(user.email, { title: `Crash ${i}`, start: inDays(1 + (i % 200), 9), end: inDays(1 + (i % 200), 10), guests: [contactEmail] });
    }
    calendar.dropNotifications(false);
    await harness.workflows.notify(connectionId, { kind: 'changed' });

    const count = () => harness.db.meeting.count({ where: { accountId: account.accountId } });
    const atKill = await waitFor(async () => {
      const n = await count();
      return n > 0 ? n : undefined;
    }, 'the sync to start writing', 90_000);
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    expect(atKill).toBeLessThan(EVENTS); // really in the middle

    await harness.startWorker();
    await waitFor(async () => (await count()) === EVENTS, `all ${EVENTS} meetings`, 90_000);
    const keys = await harness.db.meeting.groupBy({ by: ['meetingKey'], where: { accountId: account.accountId }, _count: true });
    expect(keys).toHaveLength(EVENTS);
    expect(keys.every((k) => k._count === 1)).toBe(true);
  });
});
