/**
 * The page store's SQL (activities/sync/page-store.ts) against the run's database: every field a
 * sync writes names a real column, a page's writes and the cursor land together, and a meeting key
 * another sync took meanwhile fails the whole statement (MeetingKeyRace) with nothing written.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/client';
import { ATTENDEE_VALUES, LINK_VALUES, MEETING_VALUES, PageModel } from '../../activities/sync/page-model';
import { columnOf, loadPageReads, loadPageSnapshot, MeetingKeyRace, savePage, type CursorWrite } from '../../activities/sync/page-store';
import type { MeetingDecision } from '../../sync-rules';
import { createTestAccount } from '../support/fixtures';
import { testDatabase } from '../support/services';

describe('page store', () => {
  let db: Database;
  beforeAll(() => {
    db = testDatabase();
  });
  afterAll(() => db.$disconnect());

  async function connectionFixture() {
    const { account } = await createTestAccount(db, ['portal.example']);
    const email = `owner-${randomUUID().slice(0, 8)}@portal.example`;
    const user = await db.user.create({ data: { accountId: account.id, email, emailKey: email } });
    const contact = await db.contact.create({ data: { accountId: account.id, email: 'ann@customer.example', emailKey: 'ann@customer.example' } });
    const row = await db.calendarConnection.create({
      data: { accountId: account.id, userId: user.id, provider: 'GOOGLE', providerEmail: email, status: 'ACTIVE', connectedAt: new Date(), cursor: 'old-cursor' },
    });
    return { connection: { id: row.id, accountId: account.id, userId: user.id, providerEmail: email }, contactId: contact.id };
  }

  const decision = (meetingKey: string, contactId: string): MeetingDecision => ({
    action: 'upsertMeeting',
    meetingKey,
    fields: { title: 'Intro', startAt: '2030-01-01T10:00:00.000Z', endAt: '2030-01-01T11:00:00.000Z', allDay: false, status: 'SCHEDULED', iCalUID: meetingKey },
    attendees: [{ email: 'ann@customer.example', emailKey: 'ann@customer.example', response: 'accepted', contactId, organizer: false }],
  });
  const event = (id: string, iCalUID: string) => ({
    id,
    iCalUID,
    kind: 'single' as const,
    status: 'confirmed' as const,
    visibility: 'default' as const,
    eventType: 'default' as const,
    guests: [],
    updatedAt: '2029-12-01T00:00:00.000Z',
  });

  it('names a real column for every field a sync writes', async () => {
    const columns = async (table: string) =>
      new Set((await db.$queryRaw<{ column_name: string }[]>`SELECT column_name FROM information_schema.columns WHERE table_name = ${table}`).map((c) => c.column_name));
    const [meetings, links, attendees] = await Promise.all([columns('meetings'), columns('calendar_event_links'), columns('meeting_attendees')]);
    for (const field of [...MEETING_VALUES, 'id', 'accountId', 'ownerUserId', 'source', 'meetingKey', 'deletedAt', 'calendarUpdatePendingSince']) expect(meetings).toContain(columnOf(field));
    for (const field of [...LINK_VALUES, 'id', 'meetingId', 'connectionId', 'providerEventId']) expect(links).toContain(columnOf(field));
    for (const field of [...ATTENDEE_VALUES, 'meetingId', 'emailKey']) expect(attendees).toContain(columnOf(field));
  });

  it('writes a page and the cursor in one statement, and reads them back as the model holds them', async () => {
    const { connection, contactId } = await connectionFixture();
    const key = `ical-${randomUUID()}`;
    const model = new PageModel(await loadPageSnapshot(db, connection, [], { meetingIds: [], meetingKeys: [key], removedEventIds: [] }));
    expect(model.upsertMeeting(event('evt-1', key), decision(key, contactId))).toBe(true);
    const cursor: CursorWrite = { connectionId: connection.id, cursor: 'new-cursor', at: new Date() };
    await savePage(db, connection.id, model, cursor);
    expect(cursor.written).toBe(true);

    const reads = await loadPageReads(db, connection, { eventIds: ['evt-1'], baselineIds: ['evt-1'], emails: ['ann@customer.example'] });
    expect(reads.contacts).toEqual([{ id: contactId, emailKey: 'ann@customer.example' }]);
    expect(reads.links).toHaveLength(1);
    expect(reads.links[0]).toMatchObject({ providerEventId: 'evt-1', iCalUID: key, frozen: false, sourceUpdatedAt: new Date('2029-12-01T00:00:00.000Z') });
    const snapshot = await loadPageSnapshot(db, connection, reads.links, { meetingIds: [], meetingKeys: [key], removedEventIds: [] });
    expect(snapshot.meetings).toHaveLength(1);
    expect(snapshot.meetings[0]).toMatchObject({ meetingKey: key, title: 'Intro', startAt: new Date('2030-01-01T10:00:00.000Z'), status: 'SCHEDULED', source: 'CALENDAR' });
    expect(snapshot.meetings[0]!.attendees).toEqual([expect.objectContaining({ emailKey: 'ann@customer.example', response: 'ACCEPTED', contactId })]);
    // The same decision again changes nothing: the model read back is the model written.
    expect(new PageModel(snapshot).upsertMeeting(event('evt-1', key), decision(key, contactId))).toBe(false);
    expect((await db.calendarConnection.findUniqueOrThrow({ where: { id: connection.id } })).cursor).toBe('new-cursor');
  });

  it('fails the whole page when another sync took a meeting key meanwhile, writing nothing', async () => {
    const { connection, contactId } = await connectionFixture();
    const key = `ical-${randomUUID()}`;
    const model = new PageModel(await loadPageSnapshot(db, connection, [], { meetingIds: [], meetingKeys: [key], removedEventIds: [] }));
    model.upsertMeeting(event('evt-1', key), decision(key, contactId));
    // Another calendar's sync creates the meeting with the same key after this page read.
    await db.meeting.create({ data: { accountId: connection.accountId, title: 'theirs', startAt: new Date(), endAt: new Date(), status: 'SCHEDULED', source: 'CALENDAR', meetingKey: key } });
    const cursor: CursorWrite = { connectionId: connection.id, cursor: 'new-cursor', at: new Date() };
    await expect(savePage(db, connection.id, model, cursor)).rejects.toBeInstanceOf(MeetingKeyRace);
    expect(cursor.written).toBeUndefined();
    expect(await db.calendarEventLink.count({ where: { connectionId: connection.id } })).toBe(0);
    expect((await db.calendarConnection.findUniqueOrThrow({ where: { id: connection.id } })).cursor).toBe('old-cursor');
  });
});
