/**
 * Google Meet conferences: the adapter's mapping of `conferenceData`/`hangoutLink` (pure), and the
 * emulator's contract: `createRequest` read only with `conferenceDataVersion=1`, one conference per
 * request id on an event, removal with `null`, and the adapter's create asking for one idempotently.
 */
import type { calendar_v3 } from '../../../providers/google/googleapis';
import type { GoogleEmulator } from '../../../devstack/emulators/google';
import { mapGoogleEvent } from '../../../providers/google/map-event';
import type { EventInput } from '../../../providers/types';
import { connectUser, eventAt, startEmulator, type Connected } from './support';

const MEET_LINK = /^https:\/\/meet\.google\.com\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/;
const meetRequest = (requestId: string) => ({ createRequest: { requestId, conferenceSolutionKey: { type: 'hangoutsMeet' } } });
/** Google reads `conferenceData: null` as "remove it"; googleapis' types have no null there. */
const NO_CONFERENCE = { conferenceData: null } as unknown as calendar_v3.Schema$Event;
const videoOf = (event: calendar_v3.Schema$Event) => event.conferenceData?.entryPoints?.find((entry) => entry.entryPointType === 'video')?.uri;

describe('Google conference links', () => {
  it('maps the video entry point, else hangoutLink; Meet by its solution, add-ons by their host', () => {
    const base = { id: 'e', summary: 'Call', start: { dateTime: '2030-01-01T10:00:00Z' }, end: { dateTime: '2030-01-01T11:00:00Z' } };
    const entryPoints = (uri: string) => [{ entryPointType: 'phone', uri: 'tel:+1-555-0100' }, { entryPointType: 'video', uri }];
    const meet = { conferenceSolution: { key: { type: 'hangoutsMeet' } }, entryPoints: entryPoints('https://meet.google.com/abc-defg-hij') };
    expect(mapGoogleEvent({ ...base, conferenceData: meet }).conference).toEqual({ url: 'https://meet.google.com/abc-defg-hij', provider: 'GOOGLE_MEET' });
    expect(mapGoogleEvent({ ...base, hangoutLink: 'https://meet.google.com/xyz-abcd-efg' }).conference).toEqual({ url: 'https://meet.google.com/xyz-abcd-efg', provider: 'GOOGLE_MEET' });
    const addOn = (uri: string) => ({ ...base, conferenceData: { conferenceSolution: { key: { type: 'addOn' }, name: 'Zoom Meeting' }, entryPoints: entryPoints(uri) } });
    expect(mapGoogleEvent(addOn('https://us02web.zoom.us/j/123')).conference).toEqual({ url: 'https://us02web.zoom.us/j/123', provider: 'OTHER' });
    expect(mapGoogleEvent(addOn('https://teams.microsoft.com/l/meetup-join/x')).conference).toEqual({ url: 'https://teams.microsoft.com/l/meetup-join/x', provider: 'TEAMS' });
    // A create request still pending has no entry points yet; a phone-only or non-http link is no join URL.
    const pending = { createRequest: { requestId: 'r', conferenceSolutionKey: { type: 'hangoutsMeet' }, status: { statusCode: 'pending' } } };
    for (const conferenceData of [pending, { ...meet, entryPoints: [{ entryPointType: 'phone', uri: 'tel:+1-555-0100' }] }, { ...meet, entryPoints: entryPoints('javascript:alert(1)') }]) {
      expect(mapGoogleEvent({ ...base, conferenceData })).not.toHaveProperty('conference');
    }
  });

  describe('through the emulator', () => {
    let emulator: GoogleEmulator;
    let user: Connected;
    beforeAll(async () => {
      emulator = await startEmulator();
      user = await connectUser(emulator, 'host@portal.example');
    });
    afterAll(() => emulator.stop());

    const insert = (requestBody: calendar_v3.Schema$Event, conferenceDataVersion?: number) =>
      user.raw.events.insert({ calendarId: 'primary', ...(conferenceDataVersion !== undefined ? { conferenceDataVersion } : {}), requestBody }, user.auth()).then((r) => r.data);
    const patch = (eventId: string, requestBody: calendar_v3.Schema$Event, conferenceDataVersion?: number) =>
      user.raw.events.patch({ calendarId: 'primary', eventId, ...(conferenceDataVersion !== undefined ? { conferenceDataVersion } : {}), requestBody }, user.auth()).then((r) => r.data);

    it('creates a Meet conference for a createRequest with conferenceDataVersion=1, and ignores it without', async () => {
      const created = await insert({ ...eventAt(1, 9), conferenceData: meetRequest('req-1') }, 1);
      expect(videoOf(created)).toMatch(MEET_LINK);
      expect(created.hangoutLink).toBe(videoOf(created));
      expect(created.conferenceData).toMatchObject({
        conferenceId: videoOf(created)!.slice('https://meet.google.com/'.length),
        conferenceSolution: { key: { type: 'hangoutsMeet' }, name: 'Google Meet' },
        createRequest: { requestId: 'req-1', status: { statusCode: 'success' } },
      });
      const ignored = await insert({ ...eventAt(1, 11), conferenceData: meetRequest('req-2') });
      expect(ignored.conferenceData).toBeUndefined();
      expect(ignored.hangoutLink).toBeUndefined();
    });

    it('keeps the conference for a request id repeated on the event, makes another for a new one, removes it with null', async () => {
      const created = await insert({ ...eventAt(2, 9), conferenceData: meetRequest('req-a') }, 1);
      const link = videoOf(created);
      expect(videoOf(await patch(created.id!, { conferenceData: meetRequest('req-a') }, 1))).toBe(link);
      // Without version 1 the body's conference data is ignored, removal included.
      expect(videoOf(await patch(created.id!, { summary: 'Renamed', ...NO_CONFERENCE }))).toBe(link);
      const replaced = await patch(created.id!, { conferenceData: meetRequest('req-b') }, 1);
      expect(videoOf(replaced)).toMatch(MEET_LINK);
      expect(videoOf(replaced)).not.toBe(link);
      const removed = await patch(created.id!, NO_CONFERENCE, 1);
      expect(removed.conferenceData).toBeUndefined();
      expect(removed.hangoutLink).toBeUndefined();
      expect(await user.calendar.getEvent(created.id!)).not.toHaveProperty('conference');
    });

    it('copies a third-party conference as given, and refuses conference data it cannot use', async () => {
      const zoom = { conferenceSolution: { key: { type: 'addOn' }, name: 'Zoom Meeting' }, conferenceId: '123', entryPoints: [{ entryPointType: 'video', uri: 'https://zoom.example/j/123' }] };
      const created = await insert({ ...eventAt(3, 9), conferenceData: zoom }, 1);
      expect(created.conferenceData).toEqual(zoom);
      expect(created.hangoutLink).toBeUndefined();
      expect((await user.calendar.getEvent(created.id!))!.conference).toEqual({ url: 'https://zoom.example/j/123', provider: 'OTHER' });
      for (const conferenceData of [{ createRequest: { requestId: 'x', conferenceSolutionKey: { type: 'eventHangout' } } }, { createRequest: { conferenceSolutionKey: { type: 'hangoutsMeet' } } }, { entryPoints: [] }]) {
        const refused = await insert({ ...eventAt(3, 11), conferenceData }, 1).catch((error) => error);
        expect(refused.response?.status).toBe(400);
      }
      expect((await insert(eventAt(3, 13), 2).catch((error) => error)).response?.status).toBe(400);
    });

    it('asks for a Meet conference on create: once under retries, shown at once, listed, left alone by a patch', async () => {
      const input: EventInput = { title: 'Meet call', start: { dateTime: '2030-06-03T10:00:00Z' }, end: { dateTime: '2030-06-03T11:00:00Z' }, attendees: [{ email: 'ann@customer.example' }], conference: true };
      const clientId = '00000000-0000-4000-8000-00000000c0f1';
      const first = await user.calendar.createEvent(input, { clientId, crmMeetingId: clientId });
      expect(first.conference).toEqual({ url: expect.stringMatching(MEET_LINK), provider: 'GOOGLE_MEET' });
      const retried = await user.calendar.createEvent(input, { clientId, crmMeetingId: clientId });
      expect(retried).toMatchObject({ id: first.id, conference: first.conference });
      expect(emulator.control.getEvent(user.email, first.id)).toMatchObject({ conferenceData: { createRequest: { requestId: clientId } } });
      const patched = await user.calendar.patchEvent(first.id, { ...input, title: 'Meet call (moved)' }, { notify: false });
      expect(patched.conference).toEqual(first.conference);
      const listed = (await user.calendar.listChanges({ window: { start: '2030-06-01T00:00:00Z', end: '2030-06-30T00:00:00Z' } })).events;
      expect(listed.find((event) => event.id === first.id)?.conference).toEqual(first.conference);

      const plain = await user.calendar.createEvent({ ...input, conference: undefined }, { clientId: '00000000-0000-4000-8000-00000000c0f2' });
      expect(plain).not.toHaveProperty('conference');
    });

    it('lets the user and an outside organizer add and remove Meet conferences through the control API', () => {
      const own = emulator.control.userCreateEvent(user.email, eventAt(4, 9, { conferenceData: meetRequest('ui-1') }));
      expect(own.hangoutLink).toMatch(MEET_LINK);
      expect(emulator.control.userUpdateEvent(user.email, own.id as string, { conferenceData: null }).conferenceData).toBeUndefined();
      const invited = emulator.control.inviteUser(user.email, { organizer: 'olga@customer.example', summary: 'Their Meet', start: '2030-01-06T09:00:00Z', end: '2030-01-06T10:00:00Z', conferenceData: meetRequest('ui-2') });
      expect(invited.hangoutLink).toMatch(MEET_LINK);
      expect(emulator.control.organizerUpdateEvent(invited.id as string, { conferenceData: null }).hangoutLink).toBeUndefined();
    });
  });
});
