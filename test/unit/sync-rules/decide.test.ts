import { decideEventChange, guestEmailsToLookUp, isStale, meetingKeyOf, type MeetingDecision } from '../../../sync-rules';
import { CONTACT, CONTACT_ID, event, guest, input, linked, OTHER_CONTACT, OTHER_CONTACT_ID, USER } from './event-factory';

const meeting = (decision: ReturnType<typeof decideEventChange>): MeetingDecision => {
  expect(decision.action).toBe('upsertMeeting');
  return decision as MeetingDecision;
};

describe('4.1 matching', () => {
  it('makes a meeting when an attendee is a contact, on that contact', () => {
    const decision = meeting(decideEventChange(input()));
    expect(decision.attendees).toEqual([{ email: CONTACT, emailKey: CONTACT, response: 'none', contactId: CONTACT_ID, organizer: false }]);
    expect(decision.fields).toMatchObject({ title: 'Demo', startAt: '2026-12-01T10:00:00.000Z', endAt: '2026-12-01T11:00:00.000Z', timeZone: 'Europe/Paris', status: 'SCHEDULED' });
  });

  it('counts an invitation sent to the user by a contact (the organizer is a guest when it is not the user)', () => {
    const invitation = event({ organizer: { email: CONTACT, self: false }, guests: [guest(USER, { self: true })] });
    const decision = meeting(decideEventChange(input({ event: invitation })));
    expect(decision.attendees).toEqual([expect.objectContaining({ emailKey: CONTACT, organizer: true, contactId: CONTACT_ID })]);
  });

  it('matches emails whatever their case and surrounding spaces', () => {
    const decision = meeting(decideEventChange(input({ event: event({ guests: [guest('  Ann@Customer.COM '.replace('COM', 'example'))] }) })));
    expect(decision.attendees[0]).toMatchObject({ emailKey: CONTACT, contactId: CONTACT_ID, email: 'Ann@Customer.example' });
  });

  it('lists a person who is both organizer and attendee once, as organizer with the attendee’s answer', () => {
    const both = event({ organizer: { email: CONTACT, self: false }, guests: [guest(CONTACT, { response: 'tentative' }), guest(USER, { self: true })] });
    expect(meeting(decideEventChange(input({ event: both }))).attendees).toEqual([expect.objectContaining({ emailKey: CONTACT, organizer: true, response: 'tentative' })]);
  });
});

describe('4.2 no new contacts', () => {
  it('ignores guests who are not contacts and does not sync an event with only such guests', () => {
    const mixed = meeting(decideEventChange(input({ event: event({ guests: [guest(CONTACT), guest('stranger@elsewhere.example')] }) })));
    expect(mixed.attendees.map((a) => a.emailKey)).toEqual([CONTACT]);
    expect(decideEventChange(input({ event: event({ guests: [guest('stranger@elsewhere.example')] }) }))).toEqual({ action: 'ignore', reason: 'noContactGuests' });
  });
});

describe('4.3 only events created while the integration is active', () => {
  it('ignores an event the initial sync saw, even after it changes', () => {
    const baselineEventIds = new Set(['evt1']);
    expect(decideEventChange(input({ baselineEventIds }))).toEqual({ action: 'ignore', reason: 'existedBeforeConnect' });
    expect(decideEventChange(input({ baselineEventIds, event: event({ title: 'Edited later' }) }))).toEqual({ action: 'ignore', reason: 'existedBeforeConnect' });
  });

  it('ignores exceptions of a series that was already there', () => {
    const exception = event({ id: 'series1_20261208T100000Z', kind: 'exception', seriesMasterId: 'series1', originalStart: '2026-12-08T10:00:00Z', start: { dateTime: '2026-12-08T15:00:00Z' } });
    expect(decideEventChange(input({ event: exception, baselineEventIds: new Set(['series1']) }))).toEqual({ action: 'ignore', reason: 'existedBeforeConnect' });
  });

  it('keeps syncing an event already linked to a meeting', () => {
    expect(decideEventChange(input({ baselineEventIds: new Set(['evt1']), existing: linked() })).action).toBe('upsertMeeting');
  });

  it('links an event the CRM created even if the initial sync saw it', () => {
    const decision = meeting(decideEventChange(input({ baselineEventIds: new Set(['evt1']), event: event({ crmMeetingId: 'crm-meeting-1' }) })));
    expect(decision.crmMeetingId).toBe('crm-meeting-1');
  });
});

describe('4.4 internal people are excluded', () => {
  const internalGuests = [guest('someone@portal.example'), guest('colleague@portal.example'), guest('help@crm-calendar-sync.com'), guest(' OWNER@portal.example ')];

  it('never matches account-domain people, account users, blocked domains or the user, even when they are contacts', () => {
    const contactsByEmail = new Map([
      ['someone@portal.example', 'c1'],
      ['colleague@portal.example', 'c2'],
      ['help@crm-calendar-sync.com', 'c3'],
      [USER, 'c4'],
    ]);
    expect(decideEventChange(input({ contactsByEmail, event: event({ guests: internalGuests }) }))).toEqual({ action: 'ignore', reason: 'noContactGuests' });
  });

  it('keeps only the external contacts of an event with internal guests too', () => {
    const decision = meeting(decideEventChange(input({ event: event({ guests: [...internalGuests, guest(CONTACT)] }) })));
    expect(decision.attendees.map((a) => a.emailKey)).toEqual([CONTACT]);
  });

  it('matches domains exactly: a subdomain of an account domain is external', () => {
    const contactsByEmail = new Map([['buyer@emea.portal.example', 'c5']]);
    expect(meeting(decideEventChange(input({ contactsByEmail, event: event({ guests: [guest('buyer@emea.portal.example')] }) }))).attendees).toHaveLength(1);
  });

  it('asks the store only about addresses that could match', () => {
    const emails = guestEmailsToLookUp([event({ guests: [...internalGuests, guest(' Ann@customer.example'), guest('room@resource.example', { kind: 'resource' })] })], input().account, input().connection);
    expect([...emails]).toEqual([CONTACT]);
  });
});

describe('4.5 groups and resources', () => {
  it('does not match group addresses or resources, even when saved as contacts', () => {
    const contactsByEmail = new Map([
      ['sales@customer.example', 'group-contact'],
      ['room-1@resource.example', 'room-contact'],
    ]);
    const only = event({ guests: [guest('sales@customer.example', { kind: 'group' }), guest('room-1@resource.example', { kind: 'resource' })] });
    expect(decideEventChange(input({ contactsByEmail, event: only }))).toEqual({ action: 'ignore', reason: 'noContactGuests' });
    const withContact = event({ guests: [...only.guests, guest(CONTACT)] });
    expect(meeting(decideEventChange(input({ event: withContact }))).attendees.map((a) => a.emailKey)).toEqual([CONTACT]);
  });
});

describe('4.6 recurring series', () => {
  const master = event({ id: 'series1', iCalUID: 'series1@google.com', kind: 'seriesMaster' });
  const seriesMeeting = {
    iCalUID: 'series1@google.com',
    title: 'Demo',
    startAt: '2026-12-01T10:00:00.000Z',
    endAt: '2026-12-01T11:00:00.000Z',
    attendees: [{ email: CONTACT, emailKey: CONTACT, response: 'none' as const, contactId: CONTACT_ID, organizer: false }],
  };
  const instance = (extra: Parameters<typeof event>[0] = {}) =>
    event({ id: 'series1_20261208T100000Z', iCalUID: 'series1@google.com', kind: 'exception', seriesMasterId: 'series1', originalStart: '2026-12-08T10:00:00Z', start: { dateTime: '2026-12-08T10:00:00Z' }, end: { dateTime: '2026-12-08T11:00:00Z' }, ...extra });

  it('logs the series master once, as its first occurrence', () => {
    const decision = meeting(decideEventChange(input({ event: master })));
    expect(decision.meetingKey).toBe('ical:series1@google.com');
    expect(decision.fields.startAt).toBe('2026-12-01T10:00:00.000Z');
    expect(decision.fields.instanceStart).toBeUndefined();
  });

  it('never logs an unmodified occurrence', () => {
    expect(decideEventChange(input({ event: instance({ kind: 'occurrence' }), seriesMeeting }))).toEqual({ action: 'ignore', reason: 'seriesOccurrence' });
    expect(decideEventChange(input({ event: instance(), seriesMeeting }))).toEqual({ action: 'ignore', reason: 'unchangedOccurrence' });
  });

  it('logs a rescheduled occurrence as its own meeting', () => {
    const decision = meeting(decideEventChange(input({ event: instance({ start: { dateTime: '2026-12-08T15:00:00Z' }, end: { dateTime: '2026-12-08T16:00:00Z' } }), seriesMeeting })));
    expect(decision.meetingKey).toBe('ical:series1@google.com@2026-12-08T10:00:00.000Z');
    expect(decision.fields).toMatchObject({ startAt: '2026-12-08T15:00:00.000Z', seriesMasterId: 'series1', instanceStart: '2026-12-08T10:00:00.000Z', status: 'SCHEDULED' });
  });

  it('logs an occurrence whose guest answered differently', () => {
    const declined = instance({ guests: [guest(USER, { self: true }), guest(CONTACT, { response: 'declined' })] });
    expect(meeting(decideEventChange(input({ event: declined, seriesMeeting }))).attendees[0]!.response).toBe('declined');
  });

  it('logs a cancelled occurrence, as cancelled, from a bare cancellation carrying only its original start', () => {
    const bare = { id: 'series1_20261208T100000Z', kind: 'exception' as const, seriesMasterId: 'series1', originalStart: '2026-12-08T10:00:00Z', status: 'cancelled' as const, removed: true, visibility: 'default' as const, eventType: 'default' as const, guests: [] };
    const decision = meeting(decideEventChange(input({ event: bare, seriesMeeting })));
    expect(decision.meetingKey).toBe('ical:series1@google.com@2026-12-08T10:00:00.000Z');
    expect(decision.fields).toMatchObject({ status: 'CANCELLED', title: 'Demo', startAt: '2026-12-08T10:00:00.000Z', endAt: '2026-12-08T11:00:00.000Z' });
    expect(decision.attendees).toEqual(seriesMeeting.attendees);
  });

  it('ignores a cancelled occurrence of a series the CRM never logged', () => {
    const bare = { ...instance(), status: 'cancelled' as const, removed: true };
    expect(decideEventChange(input({ event: bare }))).toEqual({ action: 'ignore', reason: 'cancelledUnlinked' });
  });
});

describe('4.7 private events', () => {
  it('does not sync a private event', () => {
    expect(decideEventChange(input({ event: event({ visibility: 'private' }) }))).toEqual({ action: 'ignore', reason: 'private' });
  });

  it('freezes the link of a synced event made private, then ignores its changes', () => {
    expect(decideEventChange(input({ event: event({ visibility: 'private' }), existing: linked() }))).toEqual({ action: 'freezeLink' });
    expect(decideEventChange(input({ event: event({ visibility: 'private', title: 'New' }), existing: linked(true) }))).toEqual({ action: 'ignore', reason: 'frozen' });
  });

  it('applies changes again once the event is public again', () => {
    expect(meeting(decideEventChange(input({ event: event({ title: 'Public again' }), existing: linked(true) }))).fields.title).toBe('Public again');
  });
});

describe('4.8 edits and deletions', () => {
  it('carries every edited field', () => {
    const edited = event({ title: ' Final ', location: 'HQ', description: 'Agenda', start: { dateTime: '2026-12-02T09:00:00+01:00' }, end: { dateTime: '2026-12-02T10:00:00+01:00' } });
    expect(meeting(decideEventChange(input({ event: edited, existing: linked() }))).fields).toMatchObject({ title: 'Final', location: 'HQ', description: 'Agenda', startAt: '2026-12-02T08:00:00.000Z' });
  });

  it('unlinks a deleted event; a cancellation with content is the organizer’s', () => {
    expect(decideEventChange(input({ event: event({ status: 'cancelled', removed: true }), existing: linked() }))).toEqual({ action: 'removeLink', cancelledByOrganizer: false });
    expect(decideEventChange(input({ event: event({ status: 'cancelled' }), existing: linked() }))).toEqual({ action: 'removeLink', cancelledByOrganizer: true });
  });

  it('ignores the deletion of an event it never synced', () => {
    expect(decideEventChange(input({ event: event({ status: 'cancelled', removed: true }) }))).toEqual({ action: 'ignore', reason: 'cancelledUnlinked' });
  });

  it('names an untitled event', () => {
    expect(meeting(decideEventChange(input({ event: event({ title: undefined }) }))).fields.title).toBe('(no title)');
  });
});

describe('4.9 out-of-office', () => {
  const away = event({ id: 'ooo1', eventType: 'outOfOffice', title: 'Vacation', guests: [] });

  it('updates the user’s away periods, not meetings — even private or already there at connect time', () => {
    const expected = { action: 'upsertOutOfOffice', providerEventId: 'ooo1', startAt: '2026-12-01T10:00:00.000Z', endAt: '2026-12-01T11:00:00.000Z', title: 'Vacation' };
    expect(decideEventChange(input({ event: away }))).toEqual(expected);
    expect(decideEventChange(input({ event: { ...away, visibility: 'private' }, baselineEventIds: new Set(['ooo1']) }))).toEqual(expected);
  });

  it('moves and removes the period with its event', () => {
    const existing = { kind: 'outOfOffice' as const, outOfOfficeId: 'p1' };
    expect(decideEventChange(input({ event: { ...away, start: { dateTime: '2026-12-03T00:00:00Z' } }, existing }))).toMatchObject({ action: 'upsertOutOfOffice', startAt: '2026-12-03T00:00:00.000Z' });
    expect(decideEventChange(input({ event: { ...away, status: 'cancelled', removed: true }, existing }))).toEqual({ action: 'removeOutOfOffice', providerEventId: 'ooo1' });
    expect(decideEventChange(input({ event: { ...away, eventType: 'default' }, existing }))).toEqual({ action: 'removeOutOfOffice', providerEventId: 'ooo1' });
  });
});

describe('4.10 one meeting per real meeting', () => {
  it('gives two users’ copies the same key, with Google’s shared ids and Microsoft’s different ids alike', () => {
    const google = meetingKeyOf(event({ id: 'abc', iCalUID: 'abc@google.com' }));
    expect(meetingKeyOf(event({ id: 'abc', iCalUID: 'abc@google.com' }))).toBe(google);
    const outlookA = meetingKeyOf(event({ id: 'AAMkA-1', iCalUID: '040000008200E0' }));
    const outlookB = meetingKeyOf(event({ id: 'AAMkB-2', iCalUID: '040000008200E0' }));
    expect(outlookA).toBe(outlookB);
    expect(outlookA).not.toBe(google);
  });

  it('keys one occurrence apart from its series, whatever offset its original start is written in', () => {
    const a = meetingKeyOf(event({ kind: 'exception', seriesMasterId: 'm', originalStart: '2026-12-08T11:00:00+01:00' }));
    const b = meetingKeyOf(event({ kind: 'exception', seriesMasterId: 'm', originalStart: '2026-12-08T10:00:00Z' }));
    expect(a).toBe(b);
    expect(a).not.toBe(meetingKeyOf(event()));
  });
});

describe('4.11 guests re-matched on every change', () => {
  it('links a contact added later and unlinks one removed, keeping each answer', () => {
    const both = event({ guests: [guest(CONTACT, { response: 'accepted' }), guest(OTHER_CONTACT, { response: 'declined' })] });
    expect(meeting(decideEventChange(input({ event: both, existing: linked() }))).attendees).toEqual([
      expect.objectContaining({ contactId: CONTACT_ID, response: 'accepted' }),
      expect.objectContaining({ contactId: OTHER_CONTACT_ID, response: 'declined' }),
    ]);
    const onlyOther = event({ guests: [guest(OTHER_CONTACT, { response: 'tentative' })] });
    expect(meeting(decideEventChange(input({ event: onlyOther, existing: linked() }))).attendees).toEqual([expect.objectContaining({ contactId: OTHER_CONTACT_ID, response: 'tentative' })]);
  });

  it('keeps a linked meeting whose last contact left, with no contacts', () => {
    expect(meeting(decideEventChange(input({ event: event({ guests: [guest('stranger@elsewhere.example')] }), existing: linked() }))).attendees).toEqual([]);
  });

  it('picks an event up when a contact is added to it later (moved into eligibility) and drops the candidacy when removed', () => {
    expect(decideEventChange(input({ event: event({ guests: [] }) })).action).toBe('ignore');
    expect(decideEventChange(input({ event: event() })).action).toBe('upsertMeeting');
  });
});

describe('4.12 idempotence', () => {
  it('decides the same for the same change, every time', () => {
    const same = input({ event: event({ guests: [guest(CONTACT), guest(OTHER_CONTACT)] }) });
    expect(decideEventChange(same)).toEqual(decideEventChange(same));
  });

  it('sees an older change as stale, the same change as not', () => {
    expect(isStale('2026-11-24T09:00:00.000Z', '2026-11-24T09:00:01.000Z')).toBe(true);
    expect(isStale('2026-11-24T09:00:01.000Z', '2026-11-24T09:00:01.000Z')).toBe(false);
    expect(isStale('2026-11-24T10:00:01+01:00', '2026-11-24T09:00:00Z')).toBe(false);
  });
});
