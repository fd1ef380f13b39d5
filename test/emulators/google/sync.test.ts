/**
 * Google sync contract: full listings with a window, paging, sync tokens that return changes and
 * bare deletions, 410 after invalidation, parameters refused next to a sync token, recurring series
 * with exceptions, and one event shared by two users' calendars.
 */
import type { GoogleEmulator } from '../../../devstack/emulators/google';
import type { CalendarEvent } from '../../../model/calendar-event';
import type { ChangesPage } from '../../../providers/types';
import type { GoogleCalendar } from '../../../providers/google';
import { connectUser, eventAt, rejectionOf, startEmulator, type Connected } from './support';

const WINDOW = { start: '2029-12-01T00:00:00Z', end: '2031-01-01T00:00:00Z' };

/** Every page of a listing: the events and the cursor from the last page. */
async function listAll(calendar: GoogleCalendar, cursor?: string): Promise<{ events: CalendarEvent[]; cursor: string; pages: ChangesPage[] }> {
  const pages: ChangesPage[] = [];
  let page: string | undefined;
  do {
    const result = await calendar.listChanges({ cursor, page, window: cursor ? undefined : WINDOW });
    pages.push(result);
    page = result.nextPage;
  } while (page);
  return { events: pages.flatMap((p) => p.events), cursor: pages[pages.length - 1]!.cursor!, pages };
}

describe('Google emulator: sync', () => {
  let emulator: GoogleEmulator;
  let seq = 0;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());

  const newUser = () => connectUser(emulator, `sync${++seq}@portal.example`);

  it('pages a full listing; nextSyncToken comes on the last page only', async () => {
    const user = await newUser();
    for (let i = 0; i < 600; i++) emulator.control.userCreateEvent(user.email, eventAt(i % 300, 9 + (i % 8)));
    const { events, pages, cursor } = await listAll(user.calendar);
    expect(pages.map((p) => p.events.length)).toEqual([250, 250, 100]);
    expect(pages.slice(0, -1).every((p) => p.nextPage && !p.cursor)).toBe(true);
    expect(cursor).toBeTruthy();
    expect(new Set(events.map((e) => e.id)).size).toBe(600);

    const raw = await user.raw.events.list({ calendarId: 'primary', maxResults: 5000 }, user.auth());
    expect(raw.data.items).toHaveLength(600); // maxResults is capped at 2500, all fit
    const small = await user.raw.events.list({ calendarId: 'primary', maxResults: 7 }, user.auth());
    expect(small.data.items).toHaveLength(7);
    expect(small.data.nextPageToken).toBeTruthy();
    expect(small.data.nextSyncToken).toBeUndefined();
  });

  it('filters a full sync by window and leaves deleted events out', async () => {
    const user = await newUser();
    const inside = emulator.control.userCreateEvent(user.email, eventAt(10, 9));
    emulator.control.userCreateEvent(user.email, { ...eventAt(10, 9), start: { dateTime: '2029-01-01T09:00:00Z' }, end: { dateTime: '2029-01-01T10:00:00Z' } });
    const deleted = emulator.control.userCreateEvent(user.email, eventAt(11, 9));
    emulator.control.userDeleteEvent(user.email, deleted.id as string);
    const { events } = await listAll(user.calendar);
    expect(events.map((e) => e.id)).toEqual([inside.id]);

    const withDeleted = await user.raw.events.list({ calendarId: 'primary', showDeleted: true }, user.auth());
    expect(withDeleted.data.items!.map((e) => [e.id, e.status])).toContainEqual([deleted.id, 'cancelled']);
  });

  it('returns changes and bare deletions after a sync token, then nothing', async () => {
    const user = await newUser();
    const kept = emulator.control.userCreateEvent(user.email, eventAt(1, 9, { attendees: [{ email: 'client@customer.example' }] }));
    const doomed = emulator.control.userCreateEvent(user.email, eventAt(2, 9));
    const { cursor } = await listAll(user.calendar);

    emulator.control.userUpdateEvent(user.email, kept.id as string, { summary: 'Renamed' });
    emulator.control.userDeleteEvent(user.email, doomed.id as string);
    const added = emulator.control.userCreateEvent(user.email, eventAt(3, 9));
    const changes = await listAll(user.calendar, cursor);
    expect(changes.events.map((e) => e.id)).toEqual([kept.id, doomed.id, added.id]);
    expect(changes.events[0]).toMatchObject({ title: 'Renamed', status: 'confirmed', kind: 'single' });
    expect(changes.events[1]).toEqual({ id: doomed.id, kind: 'single', status: 'cancelled', removed: true, visibility: 'default', eventType: 'default', guests: [] });
    expect(Date.parse(changes.events[0]!.updatedAt!)).toBeGreaterThan(Date.parse(kept.updated as string));

    const raw = await user.raw.events.list({ calendarId: 'primary', syncToken: cursor }, user.auth());
    expect(raw.data.items!.find((e) => e.id === doomed.id)).toEqual({ kind: 'calendar#event', etag: expect.any(String), id: doomed.id, status: 'cancelled' });

    const quiet = await listAll(user.calendar, changes.cursor);
    expect(quiet.events).toEqual([]);
    expect(quiet.cursor).toBeTruthy();
  });

  it('pages an incremental sync and delivers a change made while paging again', async () => {
    const user = await newUser();
    const { cursor } = await listAll(user.calendar);
    const ids = Array.from({ length: 300 }, (_, i) => emulator.control.userCreateEvent(user.email, eventAt(i, 9)).id as string);
    const first = await user.calendar.listChanges({ cursor });
    expect(first.events).toHaveLength(250);
    expect(first.cursor).toBeUndefined();
    emulator.control.userUpdateEvent(user.email, ids[0]!, { summary: 'Changed while paging' });
    const second = await user.calendar.listChanges({ cursor, page: first.nextPage });
    expect(second.events).toHaveLength(50);
    expect(second.cursor).toBeTruthy();
    const again = await listAll(user.calendar, second.cursor);
    expect(again.events.map((e) => [e.id, e.title])).toEqual([[ids[0], 'Changed while paging']]);
  });

  it('answers 410 fullSyncRequired after invalidation: cursorInvalidated', async () => {
    const user = await newUser();
    emulator.control.userCreateEvent(user.email, eventAt(1, 9));
    const { cursor } = await listAll(user.calendar);
    emulator.control.invalidateSyncTokens(user.email);
    const error = await rejectionOf(user.calendar.listChanges({ cursor }));
    expect(error).toMatchObject({ kind: 'cursorInvalidated', name: 'CursorInvalidatedError', details: { status: 410 } });
    const raw = await rejectionOf(user.raw.events.list({ calendarId: 'primary', syncToken: cursor }, user.auth()));
    expect(raw.response.status).toBe(410);
    expect(raw.response.data.error.errors[0]).toMatchObject({ domain: 'calendar', reason: 'fullSyncRequired' });
    const resync = await listAll(user.calendar);
    expect(resync.events).toHaveLength(1);
    await expect(user.calendar.listChanges({ cursor: resync.cursor })).resolves.toMatchObject({ events: [] });
  });

  it('refuses window, ordering and filters next to a sync token (400), like Google', async () => {
    const user = await newUser();
    const { cursor } = await listAll(user.calendar);
    const refused: Record<string, unknown>[] = [
      { timeMin: WINDOW.start }, { timeMax: WINDOW.end }, { orderBy: 'updated' }, { q: 'x' }, { iCalUID: 'x@google.com' },
      { updatedMin: WINDOW.start }, { privateExtendedProperty: ['crmMeetingId=1'] },
    ];
    for (const extra of refused) {
      const error = await rejectionOf(user.raw.events.list({ calendarId: 'primary', syncToken: cursor, ...extra }, user.auth()));
      expect([Object.keys(extra)[0], error.response.status]).toEqual([Object.keys(extra)[0], 400]);
    }
    await expect(user.raw.events.list({ calendarId: 'primary', syncToken: cursor, showDeleted: true, maxResults: 10 }, user.auth())).resolves.toBeTruthy();
    const malformed = await rejectionOf(user.calendar.listChanges({ cursor: 'not-a-token' }));
    expect(malformed).toMatchObject({ kind: 'invalid', details: { status: 400 } });
  });

  it('lists a series master with a moved, an edited and a cancelled occurrence, and maps them', async () => {
    const user = await newUser();
    const { cursor } = await listAll(user.calendar);
    const master = emulator.control.userCreateEvent(user.email, {
      summary: 'Weekly sync',
      start: { dateTime: '2030-03-04T10:00:00Z', timeZone: 'UTC' },
      end: { dateTime: '2030-03-04T10:30:00Z', timeZone: 'UTC' },
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=10'],
      attendees: [{ email: 'client@customer.example' }],
    });
    const masterId = master.id as string;
    const moved = emulator.control.userMoveInstance(user.email, masterId, '2030-03-11T10:00:00Z', '2030-03-12T15:00:00Z', '2030-03-12T15:30:00Z');
    expect(moved.id).toBe(`${masterId}_20300311T100000Z`);
    emulator.control.userSetResponse(user.email, `${masterId}_20300318T100000Z`, 'client@customer.example', 'declined');
    emulator.control.userCancelInstance(user.email, masterId, '2030-03-25T10:00:00Z');

    const full = await listAll(user.calendar);
    const byId = new Map(full.events.map((e) => [e.id, e]));
    expect(byId.get(masterId)).toMatchObject({ kind: 'seriesMaster', title: 'Weekly sync', start: { dateTime: '2030-03-04T10:00:00.000Z', timeZone: 'UTC' } });
    expect(byId.get(`${masterId}_20300311T100000Z`)).toMatchObject({
      kind: 'exception', seriesMasterId: masterId, originalStart: '2030-03-11T10:00:00.000Z', start: { dateTime: '2030-03-12T15:00:00.000Z' }, iCalUID: master.iCalUID,
    });
    expect(byId.get(`${masterId}_20300318T100000Z`)!.guests).toContainEqual(expect.objectContaining({ email: 'client@customer.example', response: 'declined' }));
    // A cancelled occurrence of a live series is listed even without showDeleted, bare but linked.
    expect(byId.get(`${masterId}_20300325T100000Z`)).toMatchObject({
      kind: 'exception', status: 'cancelled', removed: true, seriesMasterId: masterId, originalStart: '2030-03-25T10:00:00.000Z',
    });

    const changes = await listAll(user.calendar, cursor);
    expect(changes.events.map((e) => e.id).sort()).toEqual([masterId, `${masterId}_20300311T100000Z`, `${masterId}_20300318T100000Z`, `${masterId}_20300325T100000Z`].sort());

    emulator.control.userDeleteEvent(user.email, masterId);
    const afterDelete = await listAll(user.calendar, changes.cursor);
    expect(afterDelete.events.every((e) => e.status === 'cancelled')).toBe(true);
    expect(afterDelete.events.map((e) => e.id)).toContain(masterId);
    expect((await listAll(user.calendar)).events).toEqual([]);
  });

  it('refuses singleEvents=true (the emulator does not expand series)', async () => {
    const user = await newUser();
    const error = await rejectionOf(user.raw.events.list({ calendarId: 'primary', singleEvents: true }, user.auth()));
    expect(error.response.status).toBe(400);
  });

  it('maps visibility, out-of-office, all-day, resources and the organizer', async () => {
    const user = await newUser();
    const { cursor } = await listAll(user.calendar);
    emulator.control.userCreateEvent(user.email, eventAt(1, 9, { summary: 'Secret', visibility: 'confidential' }));
    emulator.control.userCreateEvent(user.email, eventAt(2, 9, { summary: 'Away', eventType: 'outOfOffice', outOfOfficeProperties: { autoDeclineMode: 'declineNone' } }));
    emulator.control.userCreateEvent(user.email, { summary: 'Offsite', start: { date: '2030-05-01' }, end: { date: '2030-05-02' } });
    emulator.control.userCreateEvent(user.email, eventAt(3, 9, {
      summary: 'With room',
      attendees: [{ email: 'room-1@resource.calendar.google.com', resource: true, responseStatus: 'accepted' }, { email: 'c@customer.example', responseStatus: 'tentative' }, { email: user.email }],
    }));
    const events = new Map((await listAll(user.calendar, cursor)).events.map((e) => [e.title, e]));
    expect(events.get('Secret')).toMatchObject({ visibility: 'private' });
    expect(events.get('Away')).toMatchObject({ eventType: 'outOfOffice' });
    expect(events.get('Offsite')).toMatchObject({ start: { dateTime: '2030-05-01T00:00:00.000Z', allDay: true }, end: { dateTime: '2030-05-02T00:00:00.000Z', allDay: true } });
    expect(events.get('With room')).toMatchObject({
      organizer: { email: user.email, self: true },
      guests: [
        { email: 'room-1@resource.calendar.google.com', kind: 'resource', response: 'accepted', organizer: false, self: false },
        { email: 'c@customer.example', kind: 'person', response: 'tentative', organizer: false, self: false },
        { email: user.email, kind: 'person', response: 'accepted', organizer: true, self: true },
      ],
    });
  });

  describe('one event in two users’ calendars', () => {
    let ann: Connected;
    let ben: Connected;
    beforeAll(async () => {
      ann = await newUser();
      ben = await newUser();
    });

    it('shows the same id and iCalUID to organizer and attendee, and propagates changes and removal', async () => {
      const annCursor = (await listAll(ann.calendar)).cursor;
      const benCursor = (await listAll(ben.calendar)).cursor;
      const event = emulator.control.userCreateEvent(ann.email, eventAt(5, 14, { attendees: [{ email: ben.email }, { email: 'client@customer.example' }] }));
      const seenByBen = (await listAll(ben.calendar, benCursor)).events;
      expect(seenByBen).toHaveLength(1);
      expect(seenByBen[0]).toMatchObject({ id: event.id, iCalUID: event.iCalUID, organizer: { email: ann.email, self: false } });
      expect(seenByBen[0]!.guests.find((g) => g.self)).toMatchObject({ email: ben.email, response: 'none' });

      emulator.control.userSetResponse(ben.email, event.id as string, ben.email, 'accepted');
      emulator.control.userUpdateEvent(ann.email, event.id as string, { summary: 'Moved' });
      const annChanges = await listAll(ann.calendar, annCursor);
      expect(annChanges.events[0]).toMatchObject({ title: 'Moved' });
      expect(annChanges.events[0]!.guests.find((g) => g.email === ben.email)).toMatchObject({ response: 'accepted', self: false });

      emulator.control.userUpdateEvent(ann.email, event.id as string, { attendees: [{ email: 'client@customer.example' }] });
      const benAfter = (await listAll(ben.calendar, benCursor)).events;
      expect(benAfter.map((e) => [e.id, e.status, !!e.removed])).toEqual([[event.id, 'cancelled', true]]);
      expect((await listAll(ann.calendar)).events.map((e) => e.id)).toContain(event.id);
    });

    it('keeps the organizer’s copy when an attendee deletes theirs (and declines)', async () => {
      const event = emulator.control.userCreateEvent(ann.email, eventAt(6, 14, { attendees: [{ email: ben.email }] }));
      const benCursor = (await listAll(ben.calendar)).cursor;
      emulator.control.userDeleteEvent(ben.email, event.id as string);
      expect((await listAll(ben.calendar, benCursor)).events).toMatchObject([{ id: event.id, removed: true }]);
      const annView = (await listAll(ann.calendar)).events.find((e) => e.id === event.id)!;
      expect(annView.status).toBe('confirmed');
      expect(annView.guests.find((g) => g.email === ben.email)!.response).toBe('declined');
      expect(await ben.calendar.getEvent(event.id as string)).toBeUndefined();
    });

    it('keeps private extended properties per copy', async () => {
      const created = await ann.calendar.createEvent(
        { title: 'From CRM', start: { dateTime: '2030-02-01T10:00:00Z' }, end: { dateTime: '2030-02-01T11:00:00Z' }, attendees: [{ email: ben.email }] },
        { clientId: '00000000-0000-4000-8000-00000000a001', crmMeetingId: 'meeting-1' },
      );
      expect(created.crmMeetingId).toBe('meeting-1');
      const benCopy = await ben.calendar.getEvent(created.id);
      expect(benCopy).toMatchObject({ id: created.id, iCalUID: created.iCalUID });
      expect(benCopy!.crmMeetingId).toBeUndefined();
    });
  });

  it('lands an outside contact’s invitation in the user’s calendar and follows the organizer’s changes', async () => {
    const user = await newUser();
    const { cursor } = await listAll(user.calendar);
    const invite = emulator.control.inviteUser(user.email, {
      organizer: 'client@customer.example', summary: 'Pitch', start: '2030-04-01T09:00:00Z', end: '2030-04-01T10:00:00Z',
    });
    const [event] = (await listAll(user.calendar, cursor)).events;
    expect(event).toMatchObject({
      id: invite.id, title: 'Pitch', organizer: { email: 'client@customer.example', self: false },
      guests: [
        { email: 'client@customer.example', organizer: true, response: 'accepted', self: false },
        { email: user.email, self: true, response: 'none', organizer: false },
      ],
    });
    const forbidden = await rejectionOf(user.calendar.patchEvent(invite.id as string, { title: 'Mine now' }, { notify: false }));
    expect(forbidden).toMatchObject({ kind: 'permissionDenied', details: { status: 403, reason: 'forbiddenForNonOrganizer' } });

    emulator.control.organizerUpdateEvent(invite.id as string, { start: { dateTime: '2030-04-02T09:00:00Z' }, end: { dateTime: '2030-04-02T10:00:00Z' } });
    emulator.control.organizerCancelEvent(invite.id as string);
    const later = await user.calendar.getEvent(invite.id as string);
    expect(later).toMatchObject({ status: 'cancelled', start: { dateTime: '2030-04-02T09:00:00.000Z' } });
  });
});
