/**
 * Carrying decisions out on a page's in-memory model (activities/sync/page-model.ts): what the
 * database ends up holding after a page, without a database.
 */
import { PageModel, pick, type AttendeeRow, type LinkRow, type MeetingRow, type PageSnapshot } from '../../activities/sync/page-model';
import type { MeetingDecision } from '../../sync-rules';
import { event } from './sync-rules/event-factory';

const connection = { id: 'conn-1', accountId: 'acct-1', userId: 'user-1', providerEmail: 'owner@portal.example' };

const decision = (extra: Partial<MeetingDecision> = {}): MeetingDecision => ({
  action: 'upsertMeeting',
  meetingKey: 'ical-1',
  fields: { title: 'Intro', startAt: '2030-01-01T10:00:00.000Z', endAt: '2030-01-01T11:00:00.000Z', allDay: false, status: 'SCHEDULED', iCalUID: 'ical-1' },
  attendees: [{ email: 'ann@customer.example', emailKey: 'ann@customer.example', response: 'accepted', contactId: 'contact-ann', organizer: false }],
  ...extra,
});

const storedMeeting = (extra: Partial<MeetingRow & { attendees: AttendeeRow[] }> = {}): MeetingRow & { attendees: AttendeeRow[] } => ({
  id: 'meeting-1',
  accountId: 'acct-1',
  ownerUserId: 'user-1',
  title: 'Intro',
  description: null,
  location: null,
  startAt: new Date('2030-01-01T10:00:00.000Z'),
  endAt: new Date('2030-01-01T11:00:00.000Z'),
  timeZone: null,
  allDay: false,
  status: 'SCHEDULED',
  source: 'CALENDAR',
  meetingKey: 'ical-1',
  iCalUID: 'ical-1',
  seriesId: null,
  instanceStart: null,
  deletedAt: null,
  calendarUpdatePendingSince: null,
  conferenceUrl: null,
  conferenceProvider: null,
  attendees: [{ meetingId: 'meeting-1', emailKey: 'ann@customer.example', email: 'ann@customer.example', name: null, response: 'ACCEPTED', organizer: false, contactId: 'contact-ann' }],
  ...extra,
});

const storedLink = (extra: Partial<LinkRow> = {}): LinkRow => ({
  id: 'link-1',
  meetingId: 'meeting-1',
  connectionId: 'conn-1',
  providerEventId: 'evt-1',
  iCalUID: 'ical-1',
  seriesMasterId: null,
  instanceStart: null,
  frozen: false,
  sourceUpdatedAt: null,
  seriesSignature: null,
  ...extra,
});

const model = (snapshot: Partial<PageSnapshot> = {}) => new PageModel({ connection, meetings: [], links: [], otherLinkCounts: new Map(), ...snapshot });
const live = <Row>(tracked: Map<string, { row: Row; deleted: boolean }>) => [...tracked.values()].filter((t) => !t.deleted).map((t) => t.row);

describe('carrying out a page of decisions', () => {
  it('creates a meeting with its attendees and link once; the same decision again changes nothing', () => {
    const page = model();
    expect(page.upsertMeeting(event({ id: 'evt-1' }), decision())).toBe(true);
    const [meeting] = live(page.meetings);
    expect(meeting).toMatchObject({ title: 'Intro', meetingKey: 'ical-1', source: 'CALENDAR', ownerUserId: 'user-1' });
    expect(live(page.attendees.get(meeting!.id)!)).toEqual([expect.objectContaining({ emailKey: 'ann@customer.example', response: 'ACCEPTED' })]);
    expect(page.link('evt-1')?.meetingId).toBe(meeting!.id);

    expect(page.upsertMeeting(event({ id: 'evt-1' }), decision())).toBe(false);
    expect(live(page.meetings)).toHaveLength(1);
  });

  it('puts two events with one meeting key on one meeting (SPEC §4.10)', () => {
    const page = model();
    page.upsertMeeting(event({ id: 'evt-1' }), decision());
    page.upsertMeeting(event({ id: 'evt-2' }), decision());
    expect(live(page.meetings)).toHaveLength(1);
    expect(page.link('evt-1')?.meetingId).toBe(page.link('evt-2')?.meetingId);
  });

  it('updates a stored meeting only where it differs, and re-matches its guests (SPEC §4.11)', () => {
    const page = model({ meetings: [storedMeeting()], links: [storedLink()] });
    const changed = decision({
      fields: { ...decision().fields, title: 'Intro, moved' },
      attendees: [{ email: 'bob@customer.example', emailKey: 'bob@customer.example', response: 'tentative', contactId: 'contact-bob', organizer: false }],
    });
    expect(page.upsertMeeting(event({ id: 'evt-1' }), changed)).toBe(true);
    const meeting = page.meetings.get('meeting-1')!;
    expect(meeting).toMatchObject({ updated: true, created: false, row: expect.objectContaining({ title: 'Intro, moved' }) });
    const attendees = page.attendees.get('meeting-1')!;
    expect(attendees.get('ann@customer.example')).toMatchObject({ deleted: true });
    expect(attendees.get('bob@customer.example')).toMatchObject({ created: true, deleted: false });
  });

  it('keeps the meeting’s conference link in step with the event: added, changed, removed', () => {
    const page = model({ meetings: [storedMeeting()], links: [storedLink()] });
    const withLink = (conference?: { url: string; provider: 'GOOGLE_MEET' | 'TEAMS' }) => decision({ fields: { ...decision().fields, ...(conference ? { conference } : {}) } });
    const conferenceOf = () => pick(page.meetings.get('meeting-1')!.row, ['conferenceUrl', 'conferenceProvider']);

    expect(page.upsertMeeting(event({ id: 'evt-1' }), withLink({ url: 'https://meet.google.com/abc-defg-hij', provider: 'GOOGLE_MEET' }))).toBe(true);
    expect(conferenceOf()).toEqual({ conferenceUrl: 'https://meet.google.com/abc-defg-hij', conferenceProvider: 'GOOGLE_MEET' });
    expect(page.upsertMeeting(event({ id: 'evt-1' }), withLink({ url: 'https://meet.google.com/abc-defg-hij', provider: 'GOOGLE_MEET' }))).toBe(false);
    expect(page.upsertMeeting(event({ id: 'evt-1' }), withLink({ url: 'https://teams.microsoft.com/l/meetup-join/x', provider: 'TEAMS' }))).toBe(true);
    expect(conferenceOf()).toEqual({ conferenceUrl: 'https://teams.microsoft.com/l/meetup-join/x', conferenceProvider: 'TEAMS' });
    expect(page.upsertMeeting(event({ id: 'evt-1' }), withLink())).toBe(true);
    expect(conferenceOf()).toEqual({ conferenceUrl: null, conferenceProvider: null });
    expect(page.meetings.get('meeting-1')).toMatchObject({ updated: true, created: false });
  });

  it('lands on the CRM’s own meeting and leaves the owner’s own attendee row alone (SPEC §5)', () => {
    const crmMeeting = storedMeeting({
      id: 'crm-meeting',
      source: 'CRM',
      meetingKey: 'crm:crm-meeting',
      attendees: [{ meetingId: 'crm-meeting', emailKey: 'owner@portal.example', email: 'owner@portal.example', name: null, response: 'ACCEPTED', organizer: true, contactId: null }],
    });
    const page = model({ meetings: [crmMeeting] });
    page.upsertMeeting(event({ id: 'evt-9' }), decision({ crmMeetingId: 'crm-meeting' }));
    expect(page.meetings.size).toBe(1);
    expect(page.meetings.get('crm-meeting')!.row.meetingKey).toBe('crm:crm-meeting');
    expect(page.attendees.get('crm-meeting')!.get('owner@portal.example')).toMatchObject({ deleted: false, updated: false });
    expect(page.link('evt-9')?.meetingId).toBe('crm-meeting');
  });

  it('leaves a CRM edit on its way to the calendar alone, but applies a cancellation (SPEC §5 edit with update)', () => {
    const pending = () => model({ meetings: [storedMeeting({ title: 'Intro (CRM edit)', calendarUpdatePendingSince: new Date() })], links: [storedLink()] });
    const older = pending();
    expect(older.upsertMeeting(event({ id: 'evt-1' }), decision({ fields: { ...decision().fields, title: 'Intro' } }))).toBe(false);
    expect(older.hasChanges()).toBe(false);

    const cancelled = pending();
    expect(cancelled.upsertMeeting(event({ id: 'evt-1' }), decision({ fields: { ...decision().fields, status: 'CANCELLED' } }))).toBe(true);
    expect(cancelled.meetings.get('meeting-1')!.row.status).toBe('CANCELLED');
  });

  it('never revives a meeting deleted in the CRM', () => {
    const page = model({ meetings: [storedMeeting({ deletedAt: new Date() })], links: [storedLink()] });
    expect(page.upsertMeeting(event({ id: 'evt-1' }), decision({ fields: { ...decision().fields, title: 'Changed' } }))).toBe(false);
    expect(page.hasChanges()).toBe(false);
  });

  it('cancels a meeting on removal only when no other calendar holds it, or its organizer cancelled it (SPEC §4.8, §4.10)', () => {
    const heldElsewhere = model({ meetings: [storedMeeting()], links: [storedLink()], otherLinkCounts: new Map([['meeting-1', 1]]) });
    expect(heldElsewhere.removeLink('evt-1', false)).toBe(true);
    expect(heldElsewhere.meetings.get('meeting-1')!.row.status).toBe('SCHEDULED');
    expect(heldElsewhere.link('evt-1')).toBeUndefined();

    const lastCopy = model({ meetings: [storedMeeting()], links: [storedLink()] });
    lastCopy.removeLink('evt-1', false);
    expect(lastCopy.meetings.get('meeting-1')!.row.status).toBe('CANCELLED');

    const cancelled = model({ meetings: [storedMeeting()], links: [storedLink()], otherLinkCounts: new Map([['meeting-1', 2]]) });
    cancelled.removeLink('evt-1', true);
    expect(cancelled.meetings.get('meeting-1')!.row.status).toBe('CANCELLED');

    expect(model().removeLink('evt-unknown', true)).toBe(false);
  });

  it('cancels the meetings of a series’ moved weeks with the series itself', () => {
    const week = storedMeeting({ id: 'meeting-week', meetingKey: 'ical-1#2030-01-08', attendees: [] });
    const page = model({
      meetings: [storedMeeting(), week],
      links: [storedLink({ providerEventId: 'series-1' }), storedLink({ id: 'link-week', meetingId: 'meeting-week', providerEventId: 'series-1_20300108', seriesMasterId: 'series-1' })],
    });
    expect(page.removeLink('series-1', false)).toBe(true);
    expect(page.meetings.get('meeting-1')!.row.status).toBe('CANCELLED');
    expect(page.meetings.get('meeting-week')!.row.status).toBe('CANCELLED');
    expect(page.link('series-1_20300108')).toBeUndefined();
  });

  it('freezes a link once, and an upsert thaws it (SPEC §4.7)', () => {
    const page = model({ meetings: [storedMeeting()], links: [storedLink()] });
    expect(page.freezeLink('evt-1')).toBe(true);
    expect(page.freezeLink('evt-1')).toBe(false);
    expect(page.upsertMeeting(event({ id: 'evt-1' }), decision())).toBe(true);
    expect(page.link('evt-1')!.frozen).toBe(false);
  });

  it('forgets a series’ logged occurrences when it is placed anew, not when only its details change', () => {
    const linked = () => model({ meetings: [storedMeeting()], links: [storedLink({ providerEventId: 'series-1', seriesSignature: 'weekly on Monday' })] });
    const renamed = linked();
    renamed.upsertMeeting(event({ id: 'series-1', kind: 'seriesMaster', seriesSignature: 'weekly on Monday', title: 'Renamed' }), decision());
    expect([...renamed.changedSeries]).toEqual([]);
    const moved = linked();
    moved.upsertMeeting(event({ id: 'series-1', kind: 'seriesMaster', seriesSignature: 'weekly on Tuesday' }), decision());
    expect([...moved.changedSeries]).toEqual(['series-1']);
    expect(moved.link('series-1')!.seriesSignature).toBe('weekly on Tuesday');
    const first = model();
    first.upsertMeeting(event({ id: 'series-1', kind: 'seriesMaster', seriesSignature: 'weekly on Monday' }), decision());
    expect([...first.changedSeries]).toEqual(['series-1']); // whatever an earlier link left behind
  });
});
