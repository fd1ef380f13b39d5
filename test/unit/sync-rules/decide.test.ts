import { decideEventChange, guestEmailsToLookUp, isStale, meetingKeyOf, type Decision, type DecisionInput, type MeetingDecision } from '../../../sync-rules';
import {
  bareDeletion,
  CONTACT,
  CONTACT_ID,
  event,
  guest,
  input,
  instance,
  linked,
  linkedOutOfOffice,
  master,
  OTHER_CONTACT,
  OTHER_CONTACT_ID,
  seriesMeeting,
  USER,
} from './event-factory';

const decide = (extra: Partial<DecisionInput> = {}): Decision => decideEventChange(input(extra));
const ignored = (reason: string) => ({ action: 'ignore', reason });

/** The decision, which must be a meeting upsert. */
function meeting(extra: Partial<DecisionInput> = {}): MeetingDecision {
  const decision = decide(extra);
  expect(decision.action).toBe('upsertMeeting');
  return decision as MeetingDecision;
}
const attendeeKeys = (extra: Partial<DecisionInput>) => meeting(extra).attendees.map((a) => a.emailKey);

describe('4.1 matching', () => {
  it('makes a meeting when an attendee is a contact, on that contact', () => {
    const decision = meeting();
    expect(decision.attendees).toEqual([{ email: CONTACT, emailKey: CONTACT, response: 'none', contactId: CONTACT_ID, organizer: false }]);
    expect(decision.fields).toEqual({
      title: 'Demo',
      startAt: '2026-12-01T10:00:00.000Z',
      endAt: '2026-12-01T11:00:00.000Z',
      timeZone: 'Europe/Paris',
      allDay: false,
      status: 'SCHEDULED',
      iCalUID: 'evt1@google.com',
    });
  });

  it('counts an invitation sent to the user by a contact: the organizer is a guest when it is not the user', () => {
    const invitation = event({ organizer: { email: CONTACT, name: 'Ann', self: false }, guests: [guest(USER, { self: true })] });
    expect(meeting({ event: invitation }).attendees).toEqual([{ email: CONTACT, emailKey: CONTACT, name: 'Ann', response: 'accepted', contactId: CONTACT_ID, organizer: true }]);
  });

  it('lists an organizer who is also an attendee once, as organizer, with the attendee’s answer', () => {
    const both = event({ organizer: { email: CONTACT, self: false }, guests: [guest(CONTACT.toUpperCase(), { response: 'tentative' }), guest(USER, { self: true })] });
    expect(meeting({ event: both }).attendees).toEqual([expect.objectContaining({ emailKey: CONTACT, organizer: true, response: 'tentative' })]);
  });

  it('matches emails whatever their case and surrounding spaces', () => {
    const contactsByEmail = new Map([['ann@example.com', 'contact-ann-2']]);
    const decision = meeting({ contactsByEmail, event: event({ guests: [guest('  Ann@Example.COM ')] }) });
    expect(decision.attendees).toEqual([expect.objectContaining({ email: 'Ann@Example.COM', emailKey: 'ann@example.com', contactId: 'contact-ann-2' })]);
  });

  it('counts a person listed twice (different case) once', () => {
    expect(attendeeKeys({ event: event({ guests: [guest(CONTACT), guest(` ${CONTACT.toUpperCase()}`)] }) })).toEqual([CONTACT]);
  });
});

describe('4.2 no new contacts', () => {
  it('leaves guests who are not contacts off the meeting', () => {
    expect(attendeeKeys({ event: event({ guests: [guest(CONTACT), guest('stranger@elsewhere.example')] }) })).toEqual([CONTACT]);
  });

  it('does not sync an event whose only outside guests are strangers', () => {
    expect(decide({ event: event({ guests: [guest('stranger@elsewhere.example')] }) })).toEqual(ignored('noContactGuests'));
  });
});

describe('4.3 only events created while the integration is active', () => {
  it('ignores an event the initial sync saw, even after it changes', () => {
    const baselineEventIds = new Set(['evt1']);
    expect(decide({ baselineEventIds })).toEqual(ignored('existedBeforeConnect'));
    expect(decide({ baselineEventIds, event: event({ title: 'Edited later' }) })).toEqual(ignored('existedBeforeConnect'));
  });

  it('syncs an invitation that reached the calendar after connecting, even if created earlier', () => {
    const invitation = event({ id: 'late', createdAt: '2025-01-01T00:00:00Z', organizer: { email: CONTACT, self: false }, guests: [guest(USER, { self: true })] });
    expect(decide({ baselineEventIds: new Set(['evt1']), event: invitation }).action).toBe('upsertMeeting');
  });

  it('ignores new exceptions of a series that was already there', () => {
    expect(decide({ event: instance({ start: { dateTime: '2026-12-08T15:00:00Z' } }), baselineEventIds: new Set(['series1']) })).toEqual(ignored('existedBeforeConnect'));
  });

  it('keeps syncing an event already linked to a meeting', () => {
    expect(meeting({ baselineEventIds: new Set(['evt1']), existing: linked(), event: event({ title: 'Renamed' }) }).fields.title).toBe('Renamed');
  });
});

describe('4.4 internal people are excluded', () => {
  const internalGuests = [guest('someone@portal.example'), guest('colleague@portal.example'), guest('help@crm-calendar-sync.com'), guest(' OWNER@portal.example ')];
  const allContacts = new Map([
    ['someone@portal.example', 'c1'],
    ['colleague@portal.example', 'c2'],
    ['help@crm-calendar-sync.com', 'c3'],
    [USER, 'c4'],
    [CONTACT, CONTACT_ID],
  ]);

  it('does not sync an event with only internal guests, even when they are saved as contacts', () => {
    expect(decide({ contactsByEmail: allContacts, event: event({ guests: internalGuests }) })).toEqual(ignored('noContactGuests'));
  });

  it('keeps only the external contacts of an event with internal guests too', () => {
    expect(attendeeKeys({ contactsByEmail: allContacts, event: event({ guests: [...internalGuests, guest(CONTACT)] }) })).toEqual([CONTACT]);
  });

  it('excludes an account user whose address is at another domain', () => {
    const account = { domains: ['portal.example'], userEmails: [USER, 'consultant@freelance.example'], blockedDomains: [] };
    const contactsByEmail = new Map([['consultant@freelance.example', 'c5']]);
    expect(decide({ account, contactsByEmail, event: event({ guests: [guest('Consultant@Freelance.example')] }) })).toEqual(ignored('noContactGuests'));
  });

  it('reads the account’s domains, users and blocked domains whatever their case and spaces', () => {
    const account = { domains: [' Portal.EXAMPLE '], userEmails: [' Colleague@Other.example'], blockedDomains: ['CRM-Calendar-Sync.com '] };
    const guests = [guest('someone@portal.example'), guest('colleague@other.example'), guest('help@crm-calendar-sync.com')];
    const contactsByEmail = new Map([
      ['someone@portal.example', 'c1'],
      ['colleague@other.example', 'c2'],
      ['help@crm-calendar-sync.com', 'c3'],
    ]);
    expect(decide({ account, contactsByEmail, event: event({ guests }) })).toEqual(ignored('noContactGuests'));
  });

  it('does not count a colleague who organizes the meeting, but does count the contact they invited', () => {
    const fromColleague = event({ organizer: { email: 'colleague@portal.example', self: false }, guests: [guest(USER, { self: true }), guest(CONTACT)] });
    expect(meeting({ contactsByEmail: allContacts, event: fromColleague }).attendees).toEqual([expect.objectContaining({ emailKey: CONTACT, organizer: false })]);
  });

  it('matches domains exactly: a subdomain of an account domain is external', () => {
    const contactsByEmail = new Map([['buyer@emea.portal.example', 'c6']]);
    expect(attendeeKeys({ contactsByEmail, event: event({ guests: [guest('buyer@emea.portal.example')] }) })).toEqual(['buyer@emea.portal.example']);
  });
});

describe('4.5 groups and resources', () => {
  const contactsByEmail = new Map([
    ['sales@customer.example', 'group-contact'],
    ['room-1@customer.example', 'room-contact'],
    [CONTACT, CONTACT_ID],
  ]);
  const groupAndRoom = [guest('sales@customer.example', { kind: 'group' }), guest('room-1@customer.example', { kind: 'resource', response: 'accepted' })];

  it('does not sync an event whose only outside guests are a group and a room, even saved as contacts', () => {
    expect(decide({ contactsByEmail, event: event({ guests: groupAndRoom }) })).toEqual(ignored('noContactGuests'));
  });

  it('leaves groups and rooms off a meeting with a contact', () => {
    expect(attendeeKeys({ contactsByEmail, event: event({ guests: [...groupAndRoom, guest(CONTACT)] }) })).toEqual([CONTACT]);
  });
});

describe('4.6 recurring series', () => {
  it('logs the series master once, as its first occurrence', () => {
    const decision = meeting({ event: master() });
    expect(decision.meetingKey).toBe('ical:series1@google.com');
    expect(decision.fields).toMatchObject({ startAt: '2026-12-01T10:00:00.000Z', endAt: '2026-12-01T11:00:00.000Z' });
    expect(decision.fields).not.toHaveProperty('instanceStart');
    expect(decision.fields).not.toHaveProperty('seriesMasterId');
  });

  it('never logs an unmodified occurrence, with or without a logged series', () => {
    const occurrence = instance({ kind: 'occurrence', id: 'AAMkOpaqueOccurrence' });
    expect(decide({ event: occurrence, seriesMeeting })).toEqual(ignored('seriesOccurrence'));
    expect(decide({ event: occurrence })).toEqual(ignored('seriesOccurrence'));
  });

  it('ignores an exception that does not differ from the logged series', () => {
    expect(decide({ event: instance(), seriesMeeting })).toEqual(ignored('unchangedOccurrence'));
    expect(decide({ event: instance({ originalStart: '2026-12-01T10:00:00Z', start: { dateTime: '2026-12-01T11:00:00+01:00' }, end: { dateTime: '2026-12-01T11:00:00Z' } }), seriesMeeting })).toEqual(
      ignored('unchangedOccurrence'),
    );
  });

  it('logs a rescheduled occurrence as its own meeting', () => {
    const moved = instance({ start: { dateTime: '2026-12-08T15:00:00Z' }, end: { dateTime: '2026-12-08T16:00:00Z' } });
    const decision = meeting({ event: moved, seriesMeeting });
    expect(decision.meetingKey).toBe('ical:series1@google.com@2026-12-08T10:00:00.000Z');
    expect(decision.fields).toMatchObject({ startAt: '2026-12-08T15:00:00.000Z', seriesMasterId: 'series1', instanceStart: '2026-12-08T10:00:00.000Z', status: 'SCHEDULED' });
  });

  it('logs an occurrence made longer, renamed or relocated', () => {
    expect(decide({ event: instance({ end: { dateTime: '2026-12-08T12:00:00Z' } }), seriesMeeting }).action).toBe('upsertMeeting');
    expect(meeting({ event: instance({ title: 'Demo (special)' }), seriesMeeting }).fields.title).toBe('Demo (special)');
    expect(meeting({ event: instance({ location: 'Their office' }), seriesMeeting }).fields.location).toBe('Their office');
  });

  it('logs an occurrence whose contact answered differently', () => {
    const declined = instance({ guests: [guest(USER, { self: true }), guest(CONTACT, { response: 'declined' })] });
    expect(meeting({ event: declined, seriesMeeting }).attendees).toEqual([expect.objectContaining({ emailKey: CONTACT, response: 'declined' })]);
  });

  it('judges an exception of a series the CRM did not log on its own guests', () => {
    expect(decide({ event: instance() }).action).toBe('upsertMeeting');
    expect(decide({ event: instance({ guests: [guest(USER, { self: true })] }) })).toEqual(ignored('noContactGuests'));
  });

  it('logs a cancelled occurrence as cancelled, from a bare cancellation carrying only its original start', () => {
    const bare = bareDeletion({ id: 'series1_20261208T100000Z', kind: 'exception', seriesMasterId: 'series1', originalStart: '2026-12-08T10:00:00Z' });
    const decision = meeting({ event: bare, seriesMeeting });
    expect(decision.meetingKey).toBe('ical:series1@google.com@2026-12-08T10:00:00.000Z');
    expect(decision.fields).toEqual({
      title: 'Demo',
      startAt: '2026-12-08T10:00:00.000Z',
      endAt: '2026-12-08T11:00:00.000Z',
      timeZone: 'Europe/Paris',
      allDay: false,
      status: 'CANCELLED',
      iCalUID: 'series1@google.com',
      seriesMasterId: 'series1',
      instanceStart: '2026-12-08T10:00:00.000Z',
    });
    expect(decision.attendees).toEqual(seriesMeeting.attendees);
  });

  it('logs a cancelled, moved occurrence at the time it had been moved to', () => {
    const cancelledMoved = instance({ id: 'AAMkOpaqueException', status: 'cancelled', start: { dateTime: '2026-12-08T15:00:00Z' }, end: { dateTime: '2026-12-08T15:30:00Z' } });
    expect(meeting({ event: cancelledMoved, seriesMeeting }).fields).toMatchObject({ status: 'CANCELLED', startAt: '2026-12-08T15:00:00.000Z', endAt: '2026-12-08T15:30:00.000Z' });
  });

  it('ignores a cancelled occurrence of a series the CRM never logged, or one the initial sync saw', () => {
    const bare = bareDeletion({ id: 'series1_20261208T100000Z', kind: 'exception', seriesMasterId: 'series1', originalStart: '2026-12-08T10:00:00Z' });
    expect(decide({ event: bare })).toEqual(ignored('cancelledUnlinked'));
    expect(decide({ event: bare, seriesMeeting, baselineEventIds: new Set([bare.id]) })).toEqual(ignored('cancelledUnlinked'));
  });

  it('unlinks an occurrence already logged on its own when it is cancelled', () => {
    expect(decide({ event: instance({ status: 'cancelled' }), seriesMeeting, existing: linked() })).toEqual({ action: 'removeLink', cancelledByOrganizer: true });
  });
});

describe('4.7 private events', () => {
  it('does not sync a private event, even with contact guests', () => {
    expect(decide({ event: event({ visibility: 'private' }) })).toEqual(ignored('private'));
  });

  it('keeps the meeting of a synced event made private and stops applying its changes', () => {
    expect(decide({ event: event({ visibility: 'private' }), existing: linked() })).toEqual({ action: 'freezeLink' });
    expect(decide({ event: event({ visibility: 'private', title: 'Renamed while private' }), existing: linked(true) })).toEqual(ignored('frozen'));
  });

  it('applies changes again once the event is public again', () => {
    expect(meeting({ event: event({ title: 'Public again' }), existing: linked(true) }).fields.title).toBe('Public again');
  });
});

describe('4.8 edits and deletions', () => {
  it('carries every edited field to the linked meeting', () => {
    const conference = { url: 'https://meet.google.com/abc-defg-hij', provider: 'GOOGLE_MEET' } as const;
    const edited = event({ title: ' Final ', location: 'HQ', description: 'Agenda', start: { dateTime: '2026-12-02T09:00:00+01:00' }, end: { dateTime: '2026-12-02T10:30:00+01:00' }, conference });
    expect(meeting({ event: edited, existing: linked() }).fields).toEqual({
      title: 'Final',
      location: 'HQ',
      description: 'Agenda',
      startAt: '2026-12-02T08:00:00.000Z',
      endAt: '2026-12-02T09:30:00.000Z',
      allDay: false,
      status: 'SCHEDULED',
      iCalUID: 'evt1@google.com',
      conference,
    });
  });

  it('keeps an all-day event all-day, in its zone', () => {
    const allDay = event({ start: { dateTime: '2026-12-03T00:00:00+01:00', timeZone: 'Europe/Paris', allDay: true }, end: { dateTime: '2026-12-04T00:00:00+01:00', allDay: true } });
    expect(meeting({ event: allDay }).fields).toMatchObject({ allDay: true, timeZone: 'Europe/Paris', startAt: '2026-12-02T23:00:00.000Z' });
  });

  it('names an untitled event', () => {
    expect(meeting({ event: event({ title: undefined }) }).fields.title).toBe('(no title)');
    expect(meeting({ event: event({ title: '   ' }) }).fields.title).toBe('(no title)');
  });

  it('unlinks a deleted copy without cancelling for others; an organizer’s cancellation cancels', () => {
    expect(decide({ event: bareDeletion(), existing: linked() })).toEqual({ action: 'removeLink', cancelledByOrganizer: false });
    expect(decide({ event: event({ status: 'cancelled' }), existing: linked() })).toEqual({ action: 'removeLink', cancelledByOrganizer: true });
  });

  it('unlinks a deleted event even while its link is frozen', () => {
    expect(decide({ event: bareDeletion(), existing: linked(true) })).toEqual({ action: 'removeLink', cancelledByOrganizer: false });
  });

  it('ignores the deletion of an event it never synced', () => {
    expect(decide({ event: bareDeletion() })).toEqual(ignored('cancelledUnlinked'));
    expect(decide({ event: event({ status: 'cancelled' }) })).toEqual(ignored('cancelledUnlinked'));
  });
});

describe('4.9 out-of-office', () => {
  const away = (extra: Parameters<typeof event>[0] = {}) => event({ id: 'ooo1', eventType: 'outOfOffice', title: 'Vacation', guests: [], ...extra });
  const period = { action: 'upsertOutOfOffice', providerEventId: 'ooo1', startAt: '2026-12-01T10:00:00.000Z', endAt: '2026-12-01T11:00:00.000Z', title: 'Vacation' };

  it('records an away period, not a meeting, even with contact guests', () => {
    expect(decide({ event: away({ guests: [guest(CONTACT)] }) })).toEqual(period);
  });

  it('counts the user’s away time even when private or already there at connect time', () => {
    expect(decide({ event: away({ visibility: 'private' }), baselineEventIds: new Set(['ooo1']) })).toEqual(period);
  });

  it('moves the period with its event', () => {
    const moved = away({ start: { dateTime: '2026-12-03T00:00:00Z' }, end: { dateTime: '2026-12-05T00:00:00Z' } });
    expect(decide({ event: moved, existing: linkedOutOfOffice })).toEqual({ ...period, startAt: '2026-12-03T00:00:00.000Z', endAt: '2026-12-05T00:00:00.000Z' });
  });

  it('removes the period when its event is deleted or is no longer out-of-office', () => {
    const removed = { action: 'removeOutOfOffice', providerEventId: 'ooo1' };
    expect(decide({ event: bareDeletion({ id: 'ooo1' }), existing: linkedOutOfOffice })).toEqual(removed);
    expect(decide({ event: away({ eventType: 'default' }), existing: linkedOutOfOffice })).toEqual(removed);
  });

  it('names the CRM period an away block was created for, so the CRM’s own block is never imported twice', () => {
    expect(decide({ event: away({ crmOutOfOfficeId: 'crm-period-1' }) })).toEqual({ ...period, crmOutOfOfficeId: 'crm-period-1' });
  });

  it('ignores the deletion of an away block it never recorded', () => {
    expect(decide({ event: away({ status: 'cancelled' }) })).toEqual(ignored('cancelledUnlinked'));
  });

  it('unlinks a synced meeting turned into an away block, without cancelling it for others', () => {
    expect(decide({ event: away({ id: 'evt1' }), existing: linked() })).toEqual({ action: 'removeLink', cancelledByOrganizer: false });
  });
});

describe('4.10 one meeting per real meeting', () => {
  const otherUser = 'peer@portal.example';
  const inCalendarOf = (user: string, extra: Parameters<typeof event>[0]) =>
    input({ connection: { id: `conn-${user}`, userEmail: user }, event: event({ organizer: { email: CONTACT, self: false }, guests: [guest(USER, { self: user === USER }), guest(otherUser, { self: user === otherUser })], ...extra }) });

  it('gives two users’ Google copies (same id) one meeting key', () => {
    const mine = decideEventChange(inCalendarOf(USER, { id: 'abc', iCalUID: 'abc@google.com' })) as MeetingDecision;
    const theirs = decideEventChange(inCalendarOf(otherUser, { id: 'abc', iCalUID: 'abc@google.com' })) as MeetingDecision;
    expect(mine.meetingKey).toBe('ical:abc@google.com');
    expect(theirs).toEqual(mine);
  });

  it('gives two users’ Microsoft copies (different ids, same iCalUID) one meeting key', () => {
    const mine = decideEventChange(inCalendarOf(USER, { id: 'AAMkA-1', iCalUID: '040000008200E00074C5B7101A82E008' })) as MeetingDecision;
    const theirs = decideEventChange(inCalendarOf(otherUser, { id: 'AAMkB-2', iCalUID: '040000008200E00074C5B7101A82E008' })) as MeetingDecision;
    expect(mine.meetingKey).toBe('ical:040000008200E00074C5B7101A82E008');
    expect(theirs.meetingKey).toBe(mine.meetingKey);
  });

  it('keys one occurrence apart from its series, whatever offset its original start is written in', () => {
    const utc = meetingKeyOf(instance({ originalStart: '2026-12-08T10:00:00Z' }));
    expect(meetingKeyOf(instance({ id: 'AAMkOpaque', originalStart: '2026-12-08T11:00:00+01:00' }))).toBe(utc);
    expect(utc).not.toBe(meetingKeyOf(master()));
  });

  it('keys a bare cancelled occurrence like the same occurrence sent in full', () => {
    const bare = bareDeletion({ id: 'series1_20261208T100000Z', kind: 'exception', seriesMasterId: 'series1', originalStart: '2026-12-08T10:00:00Z' });
    expect(meeting({ event: bare, seriesMeeting }).meetingKey).toBe(meetingKeyOf(instance()));
  });

  it('falls back to the provider id without an iCalUID', () => {
    expect(meetingKeyOf(event({ id: 'evt9', iCalUID: undefined }))).toBe('event:evt9');
    expect(meetingKeyOf(instance({ id: 'inst9', iCalUID: undefined }))).toBe('event:inst9@2026-12-08T10:00:00.000Z');
  });
});

describe('4.11 guests re-matched on every change', () => {
  it('links a contact added later, keeping each answer', () => {
    const both = event({ guests: [guest(CONTACT, { response: 'accepted' }), guest(OTHER_CONTACT, { response: 'declined' })] });
    expect(meeting({ event: both, existing: linked() }).attendees).toEqual([
      expect.objectContaining({ contactId: CONTACT_ID, response: 'accepted' }),
      expect.objectContaining({ contactId: OTHER_CONTACT_ID, response: 'declined' }),
    ]);
  });

  it('unlinks a contact removed from the event', () => {
    expect(meeting({ event: event({ guests: [guest(OTHER_CONTACT, { response: 'tentative' })] }), existing: linked() }).attendees).toEqual([
      expect.objectContaining({ contactId: OTHER_CONTACT_ID, response: 'tentative' }),
    ]);
  });

  it('keeps a linked meeting whose last contact left, with no contacts on it', () => {
    expect(meeting({ event: event({ guests: [guest('stranger@elsewhere.example')] }), existing: linked() }).attendees).toEqual([]);
  });

  it('links an event the CRM scheduled even with no contact guest left', () => {
    const decision = meeting({ baselineEventIds: new Set(['evt1']), event: event({ crmMeetingId: 'crm-meeting-1', guests: [] }) });
    expect(decision).toMatchObject({ crmMeetingId: 'crm-meeting-1', attendees: [] });
  });
});

describe('4.12 idempotence', () => {
  it('decides the same for the same change, every time, without touching its input', () => {
    for (const extra of [{}, { event: bareDeletion(), existing: linked() }, { event: bareDeletion({ id: 'series1_x', kind: 'exception' as const, seriesMasterId: 'series1', originalStart: '2026-12-08T10:00:00Z' }), seriesMeeting }]) {
      const same = input(extra);
      const before = structuredClone(same);
      expect(decideEventChange(same)).toEqual(decideEventChange(same));
      expect(same).toEqual(before);
    }
  });

  it('sees an older change as stale and a newer one as not, whatever the offset', () => {
    expect(isStale('2026-11-24T09:00:00.000Z', '2026-11-24T09:00:01.000Z', 'reapply')).toBe(true);
    expect(isStale('2026-11-24T10:00:01+01:00', '2026-11-24T09:00:00Z', 'skip')).toBe(false);
    expect(isStale('2026-11-24T10:00:00+01:00', '2026-11-24T09:00:00.001Z', 'reapply')).toBe(true);
  });

  it('skips the version already applied in an incremental sync and re-applies it when repairing', () => {
    expect(isStale('2026-11-24T10:00:01+01:00', '2026-11-24T09:00:01.000Z', 'skip')).toBe(true);
    expect(isStale('2026-11-24T09:00:01.000Z', '2026-11-24T09:00:01.000Z', 'reapply')).toBe(false);
  });
});

describe('moving out of and back into eligibility', () => {
  it('drops an unsynced event whose contact is removed and picks it up when the contact is re-added', () => {
    expect(decide({ event: event({ guests: [guest(USER, { self: true })] }) })).toEqual(ignored('noContactGuests'));
    expect(attendeeKeys({ event: event() })).toEqual([CONTACT]);
  });

  it('on a synced event: contact removed, then re-added, keeps one meeting', () => {
    const without = meeting({ existing: linked(), event: event({ guests: [guest(USER, { self: true })] }) });
    const again = meeting({ existing: linked(), event: event() });
    expect(without.attendees).toEqual([]);
    expect(again.attendees.map((a) => a.emailKey)).toEqual([CONTACT]);
    expect(again.meetingKey).toBe(without.meetingKey);
  });

  it('private then public: freezes, ignores, then resumes with the latest content', () => {
    const steps = [
      decide({ event: event({ visibility: 'private' }), existing: linked() }),
      decide({ event: event({ visibility: 'private', title: 'Hidden edit' }), existing: linked(true) }),
      decide({ event: event({ title: 'Visible edit' }), existing: linked(true) }),
    ];
    expect(steps.map((d) => d.action)).toEqual(['freezeLink', 'ignore', 'upsertMeeting']);
    expect((steps[2] as MeetingDecision).fields.title).toBe('Visible edit');
  });
});

describe('guestEmailsToLookUp', () => {
  const { account, connection } = input();

  it('asks only about external people, as match keys, across a page of events', () => {
    const events = [
      event({ guests: [guest('someone@portal.example'), guest('help@crm-calendar-sync.com'), guest(' Ann@Customer.example'), guest('room@customer.example', { kind: 'resource' })] }),
      event({ id: 'evt2', organizer: { email: 'Bob@Customer.example', self: false }, guests: [guest(USER, { self: true }), guest('list@customer.example', { kind: 'group' })] }),
    ];
    expect(guestEmailsToLookUp(events, account, connection)).toEqual(new Set([CONTACT, OTHER_CONTACT]));
  });
});
