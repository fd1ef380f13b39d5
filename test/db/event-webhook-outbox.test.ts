/**
 * The event webhooks' outbox (prisma/migrations/20261205010000_event_webhooks): triggers on
 * `meetings` and `calendar_connections` write an event in the change's own transaction, only for an
 * account with an enabled endpoint that wants its type, with `data` in the API's shape. Runs on both
 * the PostgreSQL server and the embedded PGlite (`env -u DATABASE_URL npm test -- test/db`).
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/client';
import { meetingInclude, meetingView } from '../../crm/meeting-view';
import { eventBody } from '../../event-webhooks/events';
import { createTestAccount } from '../support/fixtures';
import { testDatabase } from '../support/services';

let db: Database;
beforeAll(() => {
  db = testDatabase();
});
afterAll(async () => {
  await db.$disconnect();
});

/** A key id no dispatcher holds: these events stay in the outbox for the test to read. */
const KEY_ID = 'outbox-test';

async function accountWithEndpoint(eventTypes: string[], enabled = true) {
  const { account } = await createTestAccount(db, ['portal.example']);
  await db.webhookEndpoint.create({
    data: { accountId: account.id, url: 'https://hooks.example/in', eventTypes, enabled, encryptedSecret: 'sealed', keyId: KEY_ID },
  });
  return account.id;
}

const eventsOf = (subjectId: string) => db.webhookEvent.findMany({ where: { subjectId }, orderBy: { id: 'asc' } });

async function newMeeting(accountId: string, title = 'Intro call') {
  return db.meeting.create({
    data: { accountId, title, startAt: new Date('2026-12-10T10:00:00Z'), endAt: new Date('2026-12-10T10:30:00Z'), timeZone: 'Europe/Berlin', status: 'SCHEDULED', source: 'CALENDAR', iCalUID: `${randomUUID()}@example` },
  });
}

async function newConnection(accountId: string) {
  const user = await db.user.create({ data: { accountId, email: `ann-${randomUUID().slice(0, 8)}@portal.example`, emailKey: randomUUID(), name: 'Ann' } });
  const connection = await db.calendarConnection.create({
    data: { accountId, userId: user.id, provider: 'GOOGLE', status: 'CONNECTING', providerEmail: user.email, connectedAt: new Date('2026-12-01T09:00:00Z') },
  });
  return { user, connection };
}

describe('the event outbox', () => {
  it('writes nothing for an account without endpoints, or whose endpoints are disabled or want other types', async () => {
    const { account } = await createTestAccount(db);
    const disabled = await accountWithEndpoint(['meeting.created'], false);
    const other = await accountWithEndpoint(['connection.active']);
    for (const accountId of [account.id, disabled, other]) {
      const meeting = await newMeeting(accountId);
      await db.meeting.update({ where: { id: meeting.id }, data: { title: 'Renamed' } });
      expect(await eventsOf(meeting.id)).toEqual([]);
    }
  });

  it('records meeting.created, .updated and .cancelled with the meeting as the API shows it', async () => {
    const accountId = await accountWithEndpoint(['meeting.created', 'meeting.updated', 'meeting.cancelled']);
    const meeting = await newMeeting(accountId);
    await db.meeting.update({ where: { id: meeting.id }, data: { title: 'Intro call (moved)', startAt: new Date('2026-12-11T10:00:00Z'), endAt: new Date('2026-12-11T10:30:00Z') } });
    // Rewritten as it is, or only bookkeeping changed: no event.
    await db.meeting.update({ where: { id: meeting.id }, data: { title: 'Intro call (moved)', calendarUpdatePendingSince: new Date() } });
    await db.meeting.update({ where: { id: meeting.id }, data: { conferenceUrl: 'https://meet.google.com/abc-defg-hij', conferenceProvider: 'GOOGLE_MEET' } });
    await db.meeting.update({ where: { id: meeting.id }, data: { status: 'CANCELLED' } });

    const events = await eventsOf(meeting.id);
    expect(events.map((event) => event.type)).toEqual(['meeting.created', 'meeting.updated', 'meeting.updated', 'meeting.cancelled']);
    expect(events.every((event, i) => i === 0 || events[i - 1]!.id < event.id)).toBe(true);
    expect(events.every((event) => event.accountId === accountId && event.keyId === KEY_ID && event.dispatchedAt === null)).toBe(true);

    // `data` holds the API view's core fields, with the same values and in JSON the same spelling.
    const view = JSON.parse(JSON.stringify(meetingView(await db.meeting.findUniqueOrThrow({ where: { id: meeting.id }, include: meetingInclude }))));
    const last = events[3]!.data as Record<string, unknown>;
    expect(Object.keys(last)).toEqual(['id', 'ownerUserId', 'title', 'location', 'conference', 'startAt', 'endAt', 'timeZone', 'allDay', 'status', 'source', 'iCalUID', 'seriesId', 'instanceStart', 'createdAt', 'updatedAt']);
    for (const [field, value] of Object.entries(last)) expect({ field, value }).toEqual({ field, value: view[field] });
    expect((events[0]!.data as Record<string, unknown>).title).toBe('Intro call');
    expect((events[1]!.data as Record<string, unknown>).startAt).toBe('2026-12-11T10:00:00.000Z');
    expect(last.conference).toEqual({ url: 'https://meet.google.com/abc-defg-hij', provider: 'GOOGLE_MEET' });

    // The delivery body keeps the stored order of `data`'s fields.
    const body = JSON.parse(eventBody(events[3]!));
    expect(Object.keys(body)).toEqual(['id', 'type', 'timestamp', 'data']);
    expect(body).toMatchObject({ id: `evt_${events[3]!.id}`, type: 'meeting.cancelled', data: { id: meeting.id, status: 'CANCELLED' } });
    expect(Object.keys(body.data)).toEqual(Object.keys(last));
  });

  it('says nothing about a meeting deleted in the CRM, then or after', async () => {
    const accountId = await accountWithEndpoint(['meeting.updated', 'meeting.cancelled']);
    const meeting = await newMeeting(accountId);
    await db.meeting.update({ where: { id: meeting.id }, data: { deletedAt: new Date() } });
    await db.meeting.update({ where: { id: meeting.id }, data: { title: 'After the delete', status: 'CANCELLED' } });
    expect(await eventsOf(meeting.id)).toEqual([]);
  });

  it('writes the events of many rows written at once (the sync’s createMany), and none of a transaction rolled back', async () => {
    const accountId = await accountWithEndpoint(['meeting.created']);
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const at = new Date('2026-12-12T09:00:00Z');
    await db.meeting.createMany({ data: ids.map((id, i) => ({ id, accountId, title: `Bulk ${i}`, startAt: at, endAt: at, status: 'SCHEDULED' as const, source: 'CALENDAR' as const })) });
    for (const id of ids) expect((await eventsOf(id)).map((event) => event.type)).toEqual(['meeting.created']);

    const rolledBack = randomUUID();
    await expect(
      db.$transaction(async (tx) => {
        await tx.meeting.create({ data: { id: rolledBack, accountId, title: 'Never', startAt: at, endAt: at, status: 'SCHEDULED', source: 'CRM' } });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await eventsOf(rolledBack)).toEqual([]);
  });

  it('records connection.active, .needs_reauth and .disconnected as the status changes, with the connection as the API lists it', async () => {
    const accountId = await accountWithEndpoint(['connection.active', 'connection.needs_reauth', 'connection.disconnected']);
    const { user, connection } = await newConnection(accountId);
    const setStatus = (status: 'ACTIVE' | 'NEEDS_REAUTH' | 'DISCONNECTED' | 'CONNECTING', statusReason: string | null = null) =>
      db.calendarConnection.update({ where: { id: connection.id }, data: { status, statusReason } });
    await setStatus('ACTIVE');
    await db.calendarConnection.update({ where: { id: connection.id }, data: { lastSyncAt: new Date(), cursor: 'next' } });
    await setStatus('NEEDS_REAUTH', 'the grant was revoked: the user must reconnect');
    await setStatus('CONNECTING');
    await setStatus('ACTIVE');
    await setStatus('DISCONNECTED');

    const events = await eventsOf(connection.id);
    expect(events.map((event) => event.type)).toEqual(['connection.active', 'connection.needs_reauth', 'connection.active', 'connection.disconnected']);
    expect(events[1]!.data).toEqual({
      id: connection.id,
      userId: user.id,
      user: { email: user.email, name: 'Ann' },
      provider: 'GOOGLE',
      email: user.email,
      status: 'NEEDS_REAUTH',
      statusReason: 'the grant was revoked: the user must reconnect',
      connectedAt: '2026-12-01T09:00:00.000Z',
    });
  });
});
