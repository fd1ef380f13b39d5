/**
 * The chaos run's quick profile (devstack/chaos/): both providers, a seeded random stream of calendar and CRM
 * changes, and every fault kind — worker SIGKILL, Temporal restart, database outage, provider
 * storms, lossy notifications, invalidated cursors, revoked grants — ending with nothing lost,
 * duplicated or wrong. And the invariant checker itself: it must see each kind of damage.
 */
import path from 'node:path';
import { ApiClient } from '../../devstack/api-client';
import { NOTIFICATION_FAULTS, OTHER_FAULTS } from '../../devstack/chaos/faults';
import { checkInvariants } from '../../devstack/chaos/invariants';
import { ChaosModel, type ChaosAccount, type ChaosUser } from '../../devstack/chaos/model';
import { PROFILES } from '../../devstack/chaos/profiles';
import { Random, randomSeed } from '../../devstack/chaos/random';
import { runChaos } from '../../devstack/chaos/run';
import { Workload } from '../../devstack/chaos/workload';
import { SyncHarness, waitFor } from '../support/sync-harness';

describe('the quick chaos run', () => {
  it('converges after every fault kind with 0 lost, 0 duplicated, 0 wrong', async () => {
    const seed = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : randomSeed();
    const lines: string[] = [];
    const summary = await runChaos(PROFILES.quick!, seed, (line) => lines.push(line), path.resolve(__dirname, '../../.data/test-run/chaos'));
    // On failure the log says what was found, with the seed that replays it.
    if (!summary.passed) throw new Error(`chaos run failed (seed ${seed}):\n${lines.join('\n')}\n${summary.findings}`);
    expect({ lost: summary.lost, duplicated: summary.duplicated, wrong: summary.wrong }).toEqual({ lost: 0, duplicated: 0, wrong: 0 });
    const expected = [...NOTIFICATION_FAULTS, ...OTHER_FAULTS].filter((kind) => !summary.skipped.some((reason) => reason.startsWith(kind)));
    for (const kind of expected) expect(summary.faults[kind] ?? 0).toBeGreaterThanOrEqual(1);
    expect(summary.changes.total).toBeGreaterThanOrEqual(PROFILES.quick!.rounds * PROFILES.quick!.changesPerRound);
    expect(summary.checked.meetings).toBeGreaterThan(0);
  }, 900_000);
});

describe('the invariant checker', () => {
  let harness: SyncHarness;
  beforeAll(async () => {
    harness = await SyncHarness.start({ SYNC_POLL_INTERVAL: '1h' });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('finds nothing on a synced calendar, then each meeting lost, duplicated or wrong', async () => {
    const model = new ChaosModel(`check${Date.now().toString(36)}`);
    const test = await harness.newAccount(['portal.example']);
    const email = `owner-${model.tag}@portal.example`;
    const user = await harness.newUser(test, email);
    const contacts = await Promise.all([0, 1].map(async (i) => {
      const contactEmail = `client${i}-${model.tag}@customer.example`;
      return { id: await harness.newContact(test, contactEmail), email: contactEmail };
    }));
    const account: ChaosAccount = { id: test.accountId, provider: 'GOOGLE', auth: test.auth, contacts };
    const chaosUser: ChaosUser = { id: user.id, email, account, connectionId: await harness.connect(test, user, 'GOOGLE') };
    model.accounts.push(account);
    model.users.push(chaosUser);
    const workload = new Workload(model, new Random(1), new ApiClient(harness.api.url), harness, harness.db);
    workload.startRound(1);
    for (const kind of ['calendar.create', 'calendar.create', 'calendar.create_ineligible', 'crm.schedule'] as const) expect(await workload.applyChange(kind, chaosUser)).toBe(true);

    const check = () => checkInvariants(harness.db, model, harness);
    await waitFor(async () => (await check()).findings.length === 0, 'a clean check');

    const [lostEvent, wrongEvent] = model.of('single').filter((e) => e.eligible);
    const meetingOf = async (eventId: string) =>
      (await harness.db.calendarEventLink.findUniqueOrThrow({ where: { connectionId_providerEventId: { connectionId: chaosUser.connectionId, providerEventId: eventId } } })).meetingId;
    await harness.db.meeting.delete({ where: { id: await meetingOf(lostEvent!.eventId) } });
    await harness.db.meeting.update({ where: { id: await meetingOf(wrongEvent!.eventId) }, data: { title: 'edited behind the calendar' } });
    const [scheduled] = model.of('crm');
    const original = await harness.db.meeting.findUniqueOrThrow({ where: { id: scheduled!.meetingId } });
    await harness.db.meeting.create({
      data: { accountId: original.accountId, ownerUserId: original.ownerUserId, title: original.title, startAt: original.startAt, endAt: original.endAt, status: 'SCHEDULED', source: 'CRM' },
    });

    const report = await check();
    expect(report.counts).toEqual({ lost: 1, duplicated: 1, wrong: 1 });
    expect(report.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'lost', ref: lostEvent!.ref }),
        expect.objectContaining({ kind: 'wrong', ref: wrongEvent!.ref, detail: expect.stringContaining('edited behind the calendar') }),
        expect.objectContaining({ kind: 'duplicated', ref: scheduled!.ref }),
      ]),
    );
  });
});
