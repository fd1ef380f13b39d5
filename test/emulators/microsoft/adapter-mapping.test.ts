/** The adapter's pure parts: Graph events, write bodies, Graph and MSAL failures. */
import { InteractionRequiredAuthError, ServerError } from '@azure/msal-node';
import { GraphError } from '@microsoft/microsoft-graph-client';
import { mapAuthError } from '../../../providers/microsoft/auth';
import { mapGraphError } from '../../../providers/microsoft/errors';
import { mapGraphEvent, type GraphEvent } from '../../../providers/microsoft/map-event';
import { completeOccurrences } from '../../../providers/microsoft/series';
import { graphEventBody, onlineMeetingFields, transactionIdFor } from '../../../providers/microsoft/write-body';

const time = (dateTime: string) => ({ dateTime, timeZone: 'UTC' });
const graphError = (statusCode: number, code: string, headers: Record<string, string> = {}) =>
  Object.assign(new GraphError(statusCode, `${code} happened`), { code, headers: new Headers(headers) });

describe('Microsoft adapter mapping', () => {
  it('maps responses, organizer, sensitivity, showAs and the CRM transactionId', () => {
    const event: GraphEvent = {
      id: 'e1',
      iCalUId: 'ical-1',
      type: 'singleInstance',
      subject: 'Plan',
      start: time('2030-01-02T09:00:00.0000000'),
      end: time('2030-01-02T10:00:00.0000000'),
      sensitivity: 'confidential',
      showAs: 'oof',
      isOrganizer: false,
      transactionId: 'crm-m-42',
      organizer: { emailAddress: { name: 'Olga', address: 'olga@customer.example' } },
      attendees: [
        { type: 'required', status: { response: 'organizer' }, emailAddress: { address: 'olga@customer.example' } },
        { type: 'required', status: { response: 'tentativelyAccepted' }, emailAddress: { address: 'me@contoso.example' } },
        { type: 'optional', status: { response: 'notResponded' }, emailAddress: { address: 'pat@customer.example', name: 'Pat' } },
        { type: 'resource', status: { response: 'accepted' }, emailAddress: { address: 'room@contoso.example' } },
      ],
    };
    expect(mapGraphEvent(event, 'ME@contoso.example')).toEqual({
      id: 'e1',
      iCalUID: 'ical-1',
      kind: 'single',
      status: 'confirmed',
      title: 'Plan',
      start: { dateTime: '2030-01-02T09:00:00.000Z', timeZone: 'UTC', allDay: false },
      end: { dateTime: '2030-01-02T10:00:00.000Z', timeZone: 'UTC', allDay: false },
      visibility: 'private',
      eventType: 'outOfOffice',
      organizer: { email: 'olga@customer.example', name: 'Olga', self: false },
      guests: [
        { email: 'olga@customer.example', response: 'accepted', kind: 'person', organizer: true, self: false },
        { email: 'me@contoso.example', response: 'tentative', kind: 'person', organizer: false, self: true },
        { email: 'pat@customer.example', name: 'Pat', response: 'none', kind: 'person', organizer: false, self: false },
        { email: 'room@contoso.example', response: 'accepted', kind: 'resource', organizer: false, self: false },
      ],
      crmMeetingId: 'm-42',
    });
    expect(mapGraphEvent({ ...event, sensitivity: 'personal', showAs: 'busy', isCancelled: true })).toMatchObject({ visibility: 'default', eventType: 'default', status: 'cancelled' });
    expect(mapGraphEvent({ id: 'gone', '@removed': { reason: 'deleted' } })).toEqual({ id: 'gone', kind: 'single', status: 'cancelled', removed: true, visibility: 'default', eventType: 'default', guests: [] });
  });

  it('completes occurrence stubs from their master, in the page or read on demand, and lists a master read on demand', async () => {
    const master: GraphEvent = { id: 'm', type: 'seriesMaster', iCalUId: 'ical-m', subject: 'Standup', recurrence: {}, start: time('2030-01-01T09:00:00.0000000'), end: time('2030-01-01T09:15:00.0000000') };
    const stub = (id: string, seriesMasterId: string, day: string): GraphEvent => ({ id, type: 'occurrence', seriesMasterId, start: time(`2030-01-${day}T09:00:00.0000000`), end: time(`2030-01-${day}T09:15:00.0000000`) });
    const moved: GraphEvent = { ...master, id: 'x1', type: 'exception', seriesMasterId: 'other', subject: 'Other, moved', recurrence: null };
    const orphan: GraphEvent = { ...moved, id: 'x2', seriesMasterId: 'deleted' };
    const read: string[] = [];
    const items = await completeOccurrences([master, stub('o1', 'm', '08'), stub('o2', 'other', '09'), moved, stub('o3', 'deleted', '10'), orphan, stub('o4', 'other', '16')], async (id) => {
      read.push(id);
      return id === 'other' ? { ...master, id: 'other', subject: 'Other' } : undefined;
    });
    expect(read.sort()).toEqual(['deleted', 'other']);
    const mapped = items.map((item) => mapGraphEvent(item));
    // The series whose master Graph did not list is listed once, before its first instance.
    expect(mapped.map((e) => [e.id, e.kind, e.title, e.seriesMasterId, e.originalStart])).toEqual([
      ['m', 'seriesMaster', 'Standup', undefined, undefined],
      ['o1', 'occurrence', 'Standup', 'm', '2030-01-08T09:00:00.000Z'],
      ['other', 'seriesMaster', 'Other', undefined, undefined],
      ['o2', 'occurrence', 'Other', 'other', '2030-01-09T09:00:00.000Z'],
      ['x1', 'exception', 'Other, moved', 'other', undefined],
      ['x2', 'exception', 'Other, moved', 'deleted', undefined],
      ['o4', 'occurrence', 'Other', 'other', '2030-01-16T09:00:00.000Z'],
    ]);
  });

  it('signs a series by what places its occurrences, not by its other fields or key order', () => {
    const weekly = { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] }, range: { type: 'numbered', startDate: '2030-01-07', numberOfOccurrences: 4 } };
    const master: GraphEvent = { id: 'm', type: 'seriesMaster', subject: 'Standup', recurrence: weekly, start: time('2030-01-07T09:00:00.0000000'), end: time('2030-01-07T09:15:00.0000000') };
    const signature = mapGraphEvent(master).seriesSignature;
    expect(signature).toBeDefined();
    const reordered = { range: { numberOfOccurrences: 4, startDate: '2030-01-07', type: 'numbered' }, pattern: { daysOfWeek: ['monday'], interval: 1, type: 'weekly' } };
    expect(mapGraphEvent({ ...master, recurrence: reordered, subject: 'Renamed', lastModifiedDateTime: '2030-01-02T00:00:00Z' }).seriesSignature).toBe(signature);
    expect(mapGraphEvent({ ...master, recurrence: { ...weekly, range: { ...weekly.range, numberOfOccurrences: 3 } } }).seriesSignature).not.toBe(signature);
    expect(mapGraphEvent({ ...master, start: time('2030-01-07T10:00:00.0000000'), end: time('2030-01-07T10:15:00.0000000') }).seriesSignature).not.toBe(signature);
    expect(mapGraphEvent({ ...master, type: 'singleInstance', recurrence: null }).seriesSignature).toBeUndefined();
  });

  it('derives transactionIds that name the CRM record they were written for, and stay short', () => {
    const id = '0b6f5c2e-8d1c-4d55-9a3e-3c1c0e7f5a10';
    expect(transactionIdFor({ clientId: id, crmMeetingId: id })).toBe(`crm-${id}`);
    expect(transactionIdFor({ clientId: id, crmOutOfOfficeId: id })).toBe(`crmo-${id}`);
    expect(transactionIdFor({ clientId: 'probe-7' })).toBe('crmw-probe-7');
    const long = transactionIdFor({ clientId: 'x'.repeat(100), crmMeetingId: 'x'.repeat(100) });
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toBe(transactionIdFor({ clientId: 'x'.repeat(100), crmMeetingId: 'x'.repeat(100) }));
    expect(mapGraphEvent({ id: 'm', transactionId: `crm-${id}` })).toMatchObject({ crmMeetingId: id });
    expect(mapGraphEvent({ id: 'm', transactionId: `crm-${id}` }).crmOutOfOfficeId).toBeUndefined();
    expect(mapGraphEvent({ id: 'o', transactionId: `crmo-${id}` })).toMatchObject({ crmOutOfOfficeId: id });
    expect(mapGraphEvent({ id: 'o', transactionId: `crmo-${id}` }).crmMeetingId).toBeUndefined();
    expect(mapGraphEvent({ id: 'w', transactionId: 'crmw-probe-7' })).not.toHaveProperty('crmMeetingId');
    expect(mapGraphEvent({ id: 'w', transactionId: 'crmw-probe-7' })).not.toHaveProperty('crmOutOfOfficeId');
    expect(graphEventBody({ title: 'Away', start: { dateTime: '2030-01-01T00:00:00Z', allDay: true }, outOfOffice: true, attendees: [{ email: 'a@b.example' }] })).toEqual({
      subject: 'Away',
      start: { dateTime: '2030-01-01T00:00:00', timeZone: 'UTC' },
      isAllDay: true,
      showAs: 'oof',
      attendees: [],
    });
  });

  it('maps the online meeting’s join URL and provider, and asks for a Teams meeting on create only', () => {
    const teams = 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0';
    const online = (extra: Partial<GraphEvent>): GraphEvent => ({ id: 'e', isOnlineMeeting: true, onlineMeetingProvider: 'teamsForBusiness', onlineMeeting: { joinUrl: teams }, ...extra });
    expect(mapGraphEvent(online({})).conference).toEqual({ url: teams, provider: 'TEAMS' });
    expect(mapGraphEvent(online({ onlineMeetingProvider: 'skypeForBusiness', onlineMeeting: { joinUrl: 'https://meet.lync.com/contoso/ann/ABC' } })).conference).toEqual({
      url: 'https://meet.lync.com/contoso/ann/ABC',
      provider: 'SKYPE',
    });
    // The Skype-era field when there is no onlineMeeting; the provider then from the URL's host.
    expect(mapGraphEvent({ id: 'e', onlineMeetingProvider: 'unknown', onlineMeeting: null, onlineMeetingUrl: teams }).conference).toEqual({ url: teams, provider: 'TEAMS' });
    expect(mapGraphEvent(online({ onlineMeetingProvider: 'unknown', onlineMeeting: { joinUrl: 'https://zoom.example/j/1' } })).conference).toEqual({ url: 'https://zoom.example/j/1', provider: 'OTHER' });
    for (const none of [{ isOnlineMeeting: false, onlineMeeting: null }, { onlineMeeting: { joinUrl: 'javascript:alert(1)' } }, { onlineMeeting: { joinUrl: null } }]) {
      expect(mapGraphEvent(online(none))).not.toHaveProperty('conference');
    }

    expect(onlineMeetingFields({ conference: true })).toEqual({ isOnlineMeeting: true, onlineMeetingProvider: 'teamsForBusiness' });
    expect(onlineMeetingFields({ conference: true, outOfOffice: true })).toEqual({});
    expect(onlineMeetingFields({})).toEqual({});
    // A PATCH body never carries it: once on, Graph ignores isOnlineMeeting anyway.
    expect(graphEventBody({ title: 'Renamed', conference: true })).toEqual({ subject: 'Renamed' });
  });

  it('maps Graph failures to the typed ones', () => {
    expect(mapGraphError(graphError(429, 'TooManyRequests', { 'Retry-After': '3' }), 'x')).toMatchObject({ kind: 'transient', details: { status: 429, retryAfterMs: 3000 } });
    expect(mapGraphError(graphError(503, 'ServiceUnavailable'), 'x')).toMatchObject({ kind: 'transient', details: { status: 503 } });
    expect(mapGraphError(graphError(410, 'syncStateNotFound'), 'x')).toMatchObject({ kind: 'cursorInvalidated' });
    expect(mapGraphError(graphError(400, 'resyncRequired'), 'x')).toMatchObject({ kind: 'cursorInvalidated' });
    expect(mapGraphError(graphError(401, 'InvalidAuthenticationToken'), 'x')).toMatchObject({ kind: 'authExpired' });
    expect(mapGraphError(graphError(403, 'ErrorAccessDenied'), 'x')).toMatchObject({ kind: 'permissionDenied' });
    expect(mapGraphError(graphError(404, 'ErrorItemNotFound'), 'x')).toMatchObject({ kind: 'notFound' });
    expect(mapGraphError(graphError(409, 'ErrorIrresolvableConflict'), 'x')).toMatchObject({ kind: 'conflict' });
    expect(mapGraphError(graphError(400, 'BadRequest'), 'x')).toMatchObject({ kind: 'invalid' });
    expect(mapGraphError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'x')).toMatchObject({ kind: 'transient' });
  });

  it('maps MSAL failures: dead grants are authRevoked, outages transient, a refused client invalid', () => {
    expect(mapAuthError(new InteractionRequiredAuthError('interaction_required', 'sign in again'))).toMatchObject({ kind: 'authRevoked' });
    expect(mapAuthError(new ServerError('invalid_grant', 'corr', 'AADSTS70008: expired'))).toMatchObject({ kind: 'authRevoked' });
    expect(mapAuthError(new ServerError('temporarily_unavailable', 'corr', 'AADSTS90033', undefined, undefined, 503))).toMatchObject({ kind: 'transient' });
    expect(mapAuthError(new ServerError('invalid_client', 'corr', 'AADSTS7000215: bad secret', undefined, undefined, 401))).toMatchObject({ kind: 'invalid' });
    expect(mapAuthError(new Error('socket hang up'))).toMatchObject({ kind: 'transient' });
  });
});
