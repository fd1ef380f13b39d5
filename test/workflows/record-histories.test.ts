/**
 * Records the histories the replay test (replay.test.ts) replays: every workflow type, driven through
 * the real stack the way users drive it — connect, calendar changes by push, a forced resync, a
 * meeting scheduled and edited from the CRM, out-of-office both ways, a revoked grant and a
 * reconnect, a disconnect, an event webhook delivered after one failed attempt. Skipped unless RECORD_WORKFLOW_HISTORIES=1; run it before a change to
 * workflow code ships, so the histories of the code running in production are kept:
 *   RECORD_WORKFLOW_HISTORIES=1 DATABASE_URL=… npm test -- test/workflows/record-histories.test.ts
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { resolveTemporalCli } from '../../devstack/temporal-cli';
import { calendarActions, inDays } from '../../devstack/emulators/calendar-actions';
import type { ProviderName } from '../../model/calendar-event';
import { dispatcherWorkflowId, endpointWorkflowId } from '../../model/event-webhook-delivery';
import { connectionWorkflowId } from '../../workflows/connection-messages';
import { temporalAddress } from '../support/services';
import { SyncHarness, waitFor, type TestAccount } from '../support/sync-harness';

const HISTORIES_DIR = path.join(__dirname, 'histories');
const recording = process.env.RECORD_WORKFLOW_HISTORIES === '1';
/** Files carry their recording time: histories of older code stay beside the new ones. */
const recordedOn = new Date().toISOString().slice(0, 16).replace(/[-:]/g, '');

(recording ? describe : describe.skip)('recording workflow histories for the replay test', () => {
  let harness: SyncHarness;
  beforeAll(async () => {
    harness = await SyncHarness.start({
      SYNC_POLL_INTERVAL: '1h',
      EVENT_WEBHOOK_DISPATCH_INTERVAL: '100ms',
      EVENT_WEBHOOK_RETRY_INITIAL_INTERVAL: '200ms',
      EVENT_WEBHOOK_RETRY_MAX_INTERVAL: '1s',
    });
  });
  afterAll(() => harness.close());

  /**
   * Saves the workflow's history as `<name>-<date>.json`, with the workflow id replay reports it by. The
   * CLI writes the proto3 JSON replay reads (the SDK's own historyToJSON trips over the two copies
   * of protobufjs this tree holds).
   */
  async function save(name: string, workflowId: string, runId?: string): Promise<void> {
    const cli = resolveTemporalCli(process.env.TEMPORAL_CLI_PATH, () => undefined);
    if (!cli) throw new Error('the temporal CLI is needed to record histories');
    const run = runId ? ['--run-id', runId] : [];
    const json = execFileSync(cli, ['workflow', 'show', '--address', temporalAddress(), '--workflow-id', workflowId, ...run, '--output', 'json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const history = JSON.parse(json);
    fs.writeFileSync(path.join(HISTORIES_DIR, `${name}-${recordedOn}.json`), `${JSON.stringify({ workflowId, history }, null, 1)}\n`);
  }

  const api = (account: TestAccount) => ({
    get: (url: string) => harness.http().get(url).set(account.auth),
    post: (url: string, body: object = {}) => harness.http().post(url).set(account.auth).send(body),
    patch: (url: string, body: object) => harness.http().patch(url).set(account.auth).send(body),
    delete: (url: string) => harness.http().delete(url).set(account.auth),
  });

  it.each(['GOOGLE', 'MICROSOFT'] as ProviderName[])('a connection’s life on %s', async (provider) => {
    const calendar = calendarActions(harness, provider);
    const { account, user, contactEmail, contactId, connectionId } = await harness.connectedUser(provider, 'recorded');
    const http = api(account);
    const onTimeline = (title: string) => waitFor(async () => (await harness.timeline(account, contactId)).find((m) => m.title === title), `"${title}" on the timeline`);

    // A change by push, a forced resync, a meeting from the CRM edited with an update.
    await calendar.createEvent(user.email, { title: 'Pushed', start: inDays(3, 9), end: inDays(3, 10), guests: [contactEmail] });
    await onTimeline('Pushed');
    const resyncAt = Date.now();
    expect((await http.post(`/v1/users/${user.id}/calendar-connection/resync`)).status).toBe(202);
    await harness.waitForConnection(account, user, (c) => Date.parse(c.lastSyncAt) >= resyncAt, 'the resync');
    const scheduled = await http.post('/v1/meetings', { ownerUserId: user.id, title: 'From the CRM', startAt: inDays(5, 9), endAt: inDays(5, 10), timeZone: 'Europe/Paris', guestContactIds: [contactId] });
    expect(scheduled.status).toBe(202);
    await waitFor(async () => (await http.get(`/v1/meetings/${scheduled.body.id}`)).body.status === 'SCHEDULED', 'the CRM meeting scheduled');
    expect((await http.patch(`/v1/meetings/${scheduled.body.id}`, { title: 'From the CRM (moved)', startAt: inDays(6, 9), endAt: inDays(6, 10), sendUpdate: true })).status).toBeLessThan(300);
    await waitFor(async () => (await calendar.events(user.email)).some((e) => e.title === 'From the CRM (moved)'), 'the edit in the calendar');

    // Out-of-office set and removed from the CRM.
    const away = await http.post(`/v1/users/${user.id}/out-of-office`, { title: 'Away', startAt: inDays(20, 0), endAt: inDays(21, 0) });
    expect(away.status).toBe(202);
    expect((await http.delete(`/v1/users/${user.id}/out-of-office/${away.body.id}`)).status).toBe(202);
    for (const change of ['create', 'delete']) await harness.temporal.workflow.getHandle(`out-of-office-${away.body.id}-${change}`).result();

    // A revoked grant, then the user reconnects.
    calendar.revokeGrant(user.email);
    calendar.expireAccessTokens(user.email);
    await calendar.createEvent(user.email, { title: 'While revoked', start: inDays(4, 9), end: inDays(4, 10), guests: [contactEmail] });
    await harness.waitForConnection(account, user, (c) => c.status === 'NEEDS_REAUTH', 'NEEDS_REAUTH');
    expect((await harness.authorize(account, user, provider)).status).toBe(200);
    await onTimeline('While revoked');

    // The user disconnects: the workflow ends.
    expect((await http.delete(`/v1/users/${user.id}/calendar-connection`)).status).toBe(202);
    await harness.temporal.workflow.getHandle(connectionWorkflowId(connectionId)).result();

    const tag = provider.toLowerCase();
    // A connection continues as new once connected and every few turns: every run of its life is kept.
    const listRuns = async () => {
      const found: { runId: string; startTime: Date; status: { name: string } }[] = [];
      for await (const run of harness.temporal.workflow.list({ query: `WorkflowId = "${connectionWorkflowId(connectionId)}"` })) found.push(run);
      return found;
    };
    // Visibility lags a little: the run that completed is listed last.
    const runs = await waitFor(async () => {
      const found = await listRuns();
      return found.some((run) => run.status.name === 'COMPLETED') ? found : undefined;
    }, 'every run of the connection listed');
    runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
    for (const [i, run] of runs.entries()) await save(`connection-${tag}-run${i + 1}`, connectionWorkflowId(connectionId), run.runId);
    const meetingWorkflows = harness.temporal.workflow.list({ query: `WorkflowId STARTS_WITH "schedule-meeting-${scheduled.body.id}" OR WorkflowId STARTS_WITH "update-meeting-${scheduled.body.id}"` });
    for await (const workflow of meetingWorkflows) await save(`${workflow.type}-${tag}`, workflow.workflowId);
    await save(`out-of-office-create-${tag}`, `out-of-office-${away.body.id}-create`);
    await save(`out-of-office-delete-${tag}`, `out-of-office-${away.body.id}-delete`);
  });

  it('an event webhook delivered after one failed attempt', async () => {
    const answers: number[] = [];
    // The endpoint fails its first request and takes the retry: the delivery workflow's backoff is in the history.
    const receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        answers.push(answers.length === 0 ? 500 : 200);
        res.writeHead(answers.at(-1)!).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const calendar = calendarActions(harness, 'GOOGLE');
      const { account, user, contactEmail } = await harness.connectedUser('GOOGLE', 'webhooks');
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const endpoint = await api(account).post('/v1/webhook-endpoints', { url, eventTypes: ['meeting.created'] });
      expect(endpoint.status).toBe(201);
      await calendar.createEvent(user.email, { title: 'Announced', start: inDays(3, 9), end: inDays(3, 10), guests: [contactEmail] });
      await waitFor(async () => answers.includes(200) || undefined, 'the delivery accepted');
      await save('event-webhook-endpoint', endpointWorkflowId(endpoint.body.id));
      await save('event-webhook-dispatcher', dispatcherWorkflowId(harness.config.temporal.taskQueue));
    } finally {
      receiver.closeAllConnections();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
