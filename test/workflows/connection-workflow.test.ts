/**
 * The connection workflow's orchestration with its activities replaced by recorders: coalescing,
 * NEEDS_REAUTH and resuming, disconnecting, the fallback poll, and a channel that cannot be opened.
 * Runs on the run's Temporal dev server with the prebuilt bundle; no provider, no database.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { ConnectionActivities } from '../../activities/connection';
import { changesNotifiedSignal, disconnectSignal, reauthorizedSignal, statusQuery, type ConnectionWorkflowInput } from '../../workflows/connection-messages';
import { quietTemporalLogs } from '../support/quiet-temporal';
import { temporalAddress, workflowBundlePath } from '../support/services';

quietTemporalLogs();

type Calls = Record<string, number>;

/** Recording activities; `behaviour` overrides individual ones per test. */
function fakeActivities(calls: Calls, behaviour: Partial<Record<keyof ConnectionActivities, (...args: any[]) => Promise<unknown>>> = {}) {
  const record =
    <T>(name: keyof ConnectionActivities, result: (...args: any[]) => Promise<T>) =>
    async (...args: any[]) => {
      calls[name] = (calls[name] ?? 0) + 1;
      return (behaviour[name] ?? result)(...args);
    };
  const now = () => new Date().toISOString();
  return {
    loadConnection: record('loadConnection', async () => ({ status: 'CONNECTING', initialSyncDone: false })),
    setConnectionStatus: record('setConnectionStatus', async () => undefined),
    recordSyncError: record('recordSyncError', async () => undefined),
    ensureChannel: record('ensureChannel', async () => ({ expiresAt: new Date(Date.now() + 3_600_000).toISOString() })),
    stopChannels: record('stopChannels', async () => ({ pending: 0 })),
    initialSync: record('initialSync', async () => ({ cursorUpdatedAt: now(), fullResync: false, tally: { seen: 0, changed: 0, ignored: {} } })),
    syncChanges: record('syncChanges', async () => ({ cursorUpdatedAt: now(), fullResync: false, tally: { seen: 0, changed: 0, ignored: {} } })),
    reconcile: record('reconcile', async () => ({ at: now(), checked: 0, repaired: 0 })),
  };
}

/** Activities scheduled or running: once a query has answered, the commands of the tasks before it are all here. */
async function activitiesInFlight(handle: ReturnType<Client['workflow']['getHandle']>): Promise<number> {
  return (await handle.describe()).raw.pendingActivities?.length ?? 0;
}

async function until(probe: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('connection workflow orchestration', () => {
  let client: Client;
  let nativeConnection: NativeConnection;
  beforeAll(async () => {
    client = new Client({ connection: await Connection.connect({ address: temporalAddress() }) });
    nativeConnection = await NativeConnection.connect({ address: temporalAddress() });
  });
  afterAll(async () => {
    await client.connection.close();
    await nativeConnection.close();
  });

  /** Runs `body` with a worker on a fresh task queue and a started connection workflow. */
  async function withWorkflow(
    activities: object,
    body: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<void>,
    pollIntervalMs = 3_600_000,
    syncSpacingMs?: number,
  ) {
    const taskQueue = `workflow-test-${randomUUID()}`;
    const worker = await Worker.create({ connection: nativeConnection, taskQueue, activities, workflowBundle: { codePath: workflowBundlePath() } });
    const input: ConnectionWorkflowInput = {
      connectionId: randomUUID(),
      accountId: randomUUID(),
      userId: randomUUID(),
      provider: 'GOOGLE',
      timings: { pollIntervalMs, reconcileIntervalMs: 86_400_000, channelRenewMarginMs: 60_000, activityHeartbeatTimeoutMs: 10_000, syncSpacingMs },
    };
    await worker.runUntil(async () => {
      const handle = await client.workflow.start('connectionWorkflow', { taskQueue, workflowId: `test-${input.connectionId}`, args: [input] });
      try {
        await body(handle);
      } finally {
        await handle.terminate('test over').catch(() => undefined);
      }
    });
  }

  it('coalesces a burst of notifications into one sync', async () => {
    const calls: Calls = {};
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let firstSync = true;
    const activities = fakeActivities(calls, {
      syncChanges: async () => {
        if (firstSync) {
          firstSync = false;
          await gate; // the burst arrives while this sync runs
        }
        return { cursorUpdatedAt: new Date().toISOString(), fullResync: false, tally: { seen: 0, changed: 0, ignored: {} } };
      },
    });
    await withWorkflow(activities, async (handle) => {
      await until(async () => (await handle.query(statusQuery)).status === 'ACTIVE', 'ACTIVE');
      await handle.signal(changesNotifiedSignal, { kind: 'changed' });
      await until(() => calls.syncChanges === 1, 'the first sync');
      for (let i = 0; i < 20; i++) await handle.signal(changesNotifiedSignal, { kind: 'changed' });
      release();
      await until(async () => (await handle.query(statusQuery)).syncCount >= 3, 'initial + 2 syncs');
      // No sync asked for and no activity in flight: the witness that no third sync is coming (a sleep only hoped so).
      await until(async () => !(await handle.query(statusQuery)).syncPending && (await activitiesInFlight(handle)) === 0, 'nothing pending');
      expect(calls.syncChanges).toBe(2); // 20 notifications during a sync → one more sync, not 20
    });
  });

  it('syncs right after the initial sync a change notified while it ran, not at the next poll', async () => {
    const calls: Calls = {};
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const activities = fakeActivities(calls, {
      initialSync: async () => {
        await gate; // the change arrives while the initial sync pages through the calendar
        return { cursorUpdatedAt: new Date().toISOString(), fullResync: false, tally: { seen: 0, changed: 0, ignored: {} } };
      },
    });
    await withWorkflow(activities, async (handle) => {
      await until(() => calls.initialSync === 1, 'the initial sync');
      await handle.signal(changesNotifiedSignal, { kind: 'changed' });
      await until(async () => (await handle.query(statusQuery)).syncPending, 'the change noted');
      release();
      // The poll is an hour away: only the notice can bring this sync.
      await until(() => calls.syncChanges === 1, 'a sync for the change');
      await until(async () => !(await handle.query(statusQuery)).syncPending && (await activitiesInFlight(handle)) === 0, 'nothing pending');
      expect(calls.syncChanges).toBe(1);
      expect(calls.initialSync).toBe(1);
    });
  });

  it('spaces syncs: a stream of changes after a sync waits for the spacing and becomes one more sync', async () => {
    const calls: Calls = {};
    const started: number[] = [];
    const activities = fakeActivities(calls, {
      syncChanges: async () => {
        started.push(Date.now());
        return { cursorUpdatedAt: new Date().toISOString(), fullResync: false, tally: { seen: 0, changed: 0, ignored: {} } };
      },
    });
    const spacingMs = 4_000;
    await withWorkflow(
      activities,
      async (handle) => {
        await until(async () => (await handle.query(statusQuery)).status === 'ACTIVE', 'ACTIVE');
        // The first change of a quiet connection syncs at once.
        await handle.signal(changesNotifiedSignal, { kind: 'changed' });
        await until(() => calls.syncChanges === 1, 'the first sync');
        await Promise.all(Array.from({ length: 30 }, () => handle.signal(changesNotifiedSignal, { kind: 'changed' })));
        const lastSignalAt = Date.now();
        await until(() => (calls.syncChanges ?? 0) >= 2, 'the spaced sync');
        expect(started[1]! - started[0]!).toBeGreaterThanOrEqual(spacingMs - 50);
        await until(async () => !(await handle.query(statusQuery)).syncPending, 'the sync request taken');
        // One more sync per spacing window the signals spanned: on an idle machine they all fall in
        // the first, so the 30 changes become exactly one more sync.
        expect(calls.syncChanges ?? 0).toBeLessThanOrEqual(1 + Math.ceil((lastSignalAt - started[0]!) / spacingMs));
      },
      3_600_000,
      spacingMs,
    );
  });

  it('moves to NEEDS_REAUTH when the grant dies, stops the channel, and resumes on reauthorization', async () => {
    const calls: Calls = {};
    let revoked = true;
    const activities = fakeActivities(calls, {
      syncChanges: async () => {
        if (revoked) throw ApplicationFailure.create({ message: 'invalid_grant', type: 'AuthRevokedError', nonRetryable: true });
        return { cursorUpdatedAt: new Date().toISOString(), fullResync: false, tally: { seen: 0, changed: 0, ignored: {} } };
      },
    });
    await withWorkflow(activities, async (handle) => {
      await until(async () => (await handle.query(statusQuery)).status === 'ACTIVE', 'ACTIVE');
      await handle.signal(changesNotifiedSignal, { kind: 'changed' });
      await until(async () => (await handle.query(statusQuery)).status === 'NEEDS_REAUTH', 'NEEDS_REAUTH');
      const stuck = await handle.query(statusQuery);
      expect(stuck.statusReason).toMatch(/reconnect/);
      expect(calls.stopChannels).toBe(1);
      const syncsWhileStuck = calls.syncChanges ?? 0;
      await handle.signal(changesNotifiedSignal, { kind: 'changed' });
      // The workflow has taken the signal (the sync is pending) and scheduled no activity for it.
      await until(async () => (await handle.query(statusQuery)).syncPending, 'the change noted');
      expect(await activitiesInFlight(handle)).toBe(0);
      expect(calls.syncChanges).toBe(syncsWhileStuck); // no syncing while the grant is dead

      revoked = false;
      await handle.signal(reauthorizedSignal);
      await until(async () => (await handle.query(statusQuery)).status === 'ACTIVE', 'ACTIVE again');
      await until(() => (calls.syncChanges ?? 0) > syncsWhileStuck, 'a sync after reconnecting');
      expect(calls.syncChanges).toBe(syncsWhileStuck + 1);
      expect(calls.ensureChannel).toBeGreaterThanOrEqual(2); // a new channel after the stopped one
    });
  });

  it('disconnects: stops the channel, records DISCONNECTED and completes', async () => {
    const calls: Calls = {};
    const statuses: string[] = [];
    const activities = fakeActivities(calls, { setConnectionStatus: async (_id: string, status: string) => void statuses.push(status) });
    await withWorkflow(activities, async (handle) => {
      await until(() => statuses.includes('ACTIVE'), 'ACTIVE');
      await handle.signal(disconnectSignal);
      await handle.result();
      expect(statuses.at(-1)).toBe('DISCONNECTED');
      expect(calls.stopChannels).toBe(1);
    });
  });

  it('polls when no notification comes, and keeps syncing by poll when the channel cannot be opened', async () => {
    const calls: Calls = {};
    const activities = fakeActivities(calls, {
      ensureChannel: async () => {
        throw ApplicationFailure.create({ message: 'webhook address unreachable', type: 'InvalidRequestError', nonRetryable: true });
      },
    });
    await withWorkflow(
      activities,
      async (handle) => {
        await until(() => (calls.syncChanges ?? 0) >= 2, 'two polls', 15_000);
        expect((await handle.query(statusQuery)).status).toBe('ACTIVE');
        expect(calls.recordSyncError).toBeGreaterThanOrEqual(1);
      },
      1_000,
    );
  });
});
