/**
 * Teams meetings through the Microsoft emulator: `isOnlineMeeting` on create makes one (once per
 * transactionId), attendees' copies show it, Graph cannot take it off again, the user in Outlook can.
 */
import type { EventInput } from '../../../providers/types';
import { readAll, signIn, useMailbox, WINDOW } from './support';

const TEAMS_LINK = /^https:\/\/teams\.microsoft\.com\/l\/meetup-join\/19%3ameeting_[\w-]+%40thread\.v2\/0$/;
const meeting = (title: string, extra: Partial<EventInput> = {}): EventInput => ({
  title,
  start: { dateTime: '2030-07-01T09:00:00Z' },
  end: { dateTime: '2030-07-01T10:00:00Z' },
  attendees: [{ email: 'ann@customer.example' }],
  ...extra,
});

describe('Microsoft emulator: online meetings', () => {
  const context = useMailbox('host@contoso.example');
  const control = () => context.emulator.control;

  it('creates a Teams meeting with the event, the same one for a retried create', async () => {
    const { calendar } = context.mailbox;
    const first = await calendar.createEvent(meeting('Teams call', { conference: true }), { clientId: 'm-teams', crmMeetingId: 'm-teams' });
    expect(first.conference).toEqual({ url: expect.stringMatching(TEAMS_LINK), provider: 'TEAMS' });
    const retried = await calendar.createEvent(meeting('Teams call', { conference: true }), { clientId: 'm-teams', crmMeetingId: 'm-teams' });
    expect(retried).toMatchObject({ id: first.id, conference: first.conference });
    const raw = control().getEvent(context.mailbox.email, first.id)!;
    expect(raw).toMatchObject({ isOnlineMeeting: true, onlineMeetingProvider: 'teamsForBusiness', onlineMeeting: { joinUrl: first.conference!.url, conferenceId: expect.stringMatching(/^\d+$/) } });
    const listed = (await readAll(calendar, { window: WINDOW })).events.filter((e) => e.title === 'Teams call');
    expect(listed).toEqual([expect.objectContaining({ conference: first.conference })]);

    const plain = await calendar.createEvent(meeting('No call'), { clientId: 'm-plain', crmMeetingId: 'm-plain' });
    expect(plain).not.toHaveProperty('conference');
    expect(control().getEvent(context.mailbox.email, plain.id)).toMatchObject({ isOnlineMeeting: false, onlineMeetingProvider: 'unknown', onlineMeeting: null });
  });

  it('ignores isOnlineMeeting once it is on; the organizer removes the meeting in Outlook, from every copy', async () => {
    const guest = await signIn(context.emulator, 'colleague@contoso.example');
    const { calendar, email } = context.mailbox;
    const event = await calendar.createEvent(meeting('Shared call', { conference: true, attendees: [{ email: guest.email }] }), { clientId: 'm-shared' });
    const copy = () => control().listEvents(guest.email).find((e) => e.subject === 'Shared call')!;
    expect((copy().onlineMeeting as { joinUrl: string }).joinUrl).toBe(event.conference!.url);

    // Graph: "Outlook ignores any further changes to isOnlineMeeting".
    for (const body of [{ isOnlineMeeting: false }, { isOnlineMeeting: true }]) {
      const patched = await context.mailbox.graph.api(`/me/events/${event.id}`).patch(body);
      expect(patched.onlineMeeting.joinUrl).toBe(event.conference!.url);
    }
    const cursor = (await readAll(calendar, { window: WINDOW })).cursor;
    control().userRemoveOnlineMeeting(email, event.id);
    expect(control().getEvent(email, event.id)).toMatchObject({ isOnlineMeeting: false, onlineMeeting: null });
    expect(copy()).toMatchObject({ isOnlineMeeting: false, onlineMeeting: null });
    const changes = (await readAll(calendar, { cursor })).events.filter((e) => e.id === event.id);
    expect(changes).toEqual([expect.not.objectContaining({ conference: expect.anything() })]);
    expect(() => control().userRemoveOnlineMeeting(guest.email, copy().id as string)).toThrow(/organizer/);
  });

  it('adds a Teams meeting to an event through PATCH, and refuses a provider the calendar does not allow', async () => {
    const { calendar, graph } = context.mailbox;
    const event = await calendar.createEvent(meeting('Later online'), { clientId: 'm-later' });
    const patched = await graph.api(`/me/events/${event.id}`).patch({ isOnlineMeeting: true });
    expect(patched).toMatchObject({ isOnlineMeeting: true, onlineMeetingProvider: 'teamsForBusiness', onlineMeeting: { joinUrl: expect.stringMatching(TEAMS_LINK) } });
    const refused = await graph.api('/me/events').post({ subject: 'Skype', start: { dateTime: '2030-07-02T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-07-02T10:00:00', timeZone: 'UTC' }, isOnlineMeeting: true, onlineMeetingProvider: 'skypeForBusiness' }).catch((error) => error);
    expect(refused).toMatchObject({ statusCode: 400, code: 'ErrorInvalidRequest' });
  });

  it('lands an outside contact’s Teams invitation with its link, and creates one through the control API', () => {
    const invited = control().inviteUser(context.mailbox.email, {
      organizer: 'olga@customer.example',
      subject: 'Their Teams call',
      start: '2030-07-03T09:00:00Z',
      end: '2030-07-03T10:00:00Z',
      isOnlineMeeting: true,
    });
    expect(invited).toMatchObject({ isOrganizer: false, isOnlineMeeting: true, onlineMeeting: { joinUrl: expect.stringMatching(TEAMS_LINK) } });
    const own = control().userCreateEvent(context.mailbox.email, { subject: 'Own call', start: '2030-07-04T09:00:00Z', end: '2030-07-04T10:00:00Z', isOnlineMeeting: true });
    expect((own.onlineMeeting as { joinUrl: string }).joinUrl).not.toBe((invited.onlineMeeting as { joinUrl: string }).joinUrl);
  });
});
