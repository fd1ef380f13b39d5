/**
 * The invariant checker: the calendars' ground truth (the emulators, and what the run did to them)
 * against the CRM's database. Every eligible event is exactly one meeting with the right title, times,
 * status, contacts and answers; every ineligible one is none; every CRM-scheduled meeting has exactly
 * one calendar event; out-of-office periods match; no push channel is live without its connection.
 * It reads, never writes, so a run may call it as often as it likes while waiting to converge.
 */
import type { Database } from '../../db/client';
import { calendarActions, type CalendarEventView, type Emulators } from '../emulators/calendar-actions';
import { awayTitle, type AwayPeriod, type ChaosModel, type ChaosUser, type CrmMeeting, type MeetingState, type SeriesEvent, type SingleEvent } from './model';

export type FindingKind = 'lost' | 'duplicated' | 'wrong';

export interface Finding {
  kind: FindingKind;
  /** The model's reference of what is wrong (its titles start with it). */
  ref: string;
  detail: string;
}

export interface InvariantReport {
  checked: { meetings: number; ineligible: number; awayPeriods: number; connections: number };
  findings: Finding[];
  counts: Record<FindingKind, number>;
}

type StoredMeeting = Awaited<ReturnType<typeof loadMeetings>>[number];

function loadMeetings(db: Database, accountIds: string[]) {
  return db.meeting.findMany({ where: { accountId: { in: accountIds } }, include: { attendees: true, links: true } });
}

const iso = (date: Date | null | undefined) => date?.toISOString();
const refOf = (title: string) => title.split(' ')[0]!;

/** How `meeting` differs from `expected`, in words; empty when it does not. */
function differences(meeting: StoredMeeting, expected: MeetingState, options: { answers: boolean }): string[] {
  const found: string[] = [];
  if (meeting.title !== expected.title) found.push(`title "${meeting.title}", expected "${expected.title}"`);
  if (iso(meeting.startAt) !== expected.start) found.push(`starts ${iso(meeting.startAt)}, expected ${expected.start}`);
  if (iso(meeting.endAt) !== expected.end) found.push(`ends ${iso(meeting.endAt)}, expected ${expected.end}`);
  const status = expected.cancelled ? 'CANCELLED' : 'SCHEDULED';
  if (meeting.status !== status) found.push(`${meeting.status}, expected ${status}`);
  const contacts = new Map(meeting.attendees.filter((a) => a.contactId).map((a) => [a.emailKey, a]));
  const want = [...expected.contacts.keys()].sort();
  const have = [...contacts.keys()].sort();
  if (want.join() !== have.join()) found.push(`contacts [${have.join(', ')}], expected [${want.join(', ')}]`);
  else if (options.answers) {
    for (const [email, response] of expected.contacts) {
      const attendee = contacts.get(email)!;
      if (!attendee.organizer && attendee.response !== response) found.push(`${email} answered ${attendee.response}, expected ${response}`);
    }
  }
  return found;
}

export async function checkInvariants(db: Database, model: ChaosModel, emulators: Emulators): Promise<InvariantReport> {
  const findings: Finding[] = [];
  const report = (kind: FindingKind, ref: string, detail: string) => findings.push({ kind, ref, detail });
  const accountIds = model.accounts.map((a) => a.id);
  const [meetings, periods, connections] = await Promise.all([
    loadMeetings(db, accountIds),
    db.outOfOffice.findMany({ where: { accountId: { in: accountIds } } }),
    db.calendarConnection.findMany({ where: { accountId: { in: accountIds } }, include: { channels: true } }),
  ]);

  const byLink = new Map<string, StoredMeeting[]>();
  for (const meeting of meetings) {
    for (const link of meeting.links) {
      const key = `${link.connectionId}|${link.providerEventId}`;
      byLink.set(key, [...(byLink.get(key) ?? []), meeting]);
    }
  }
  const claimed = new Set<string>();
  const calendars = new Map<string, Promise<CalendarEventView[]>>();
  const calendarOf = (user: ChaosUser) => {
    if (!calendars.has(user.email)) calendars.set(user.email, calendarActions(emulators, user.account.provider).events(user.email));
    return calendars.get(user.email)!;
  };
  let checkedMeetings = 0;
  let checkedIneligible = 0;

  /** The one meeting linked to the user's event `eventId`; reports none or several. */
  const linked = (ref: string, user: ChaosUser, eventId: string): StoredMeeting | undefined => {
    const found = byLink.get(`${user.connectionId}|${eventId}`) ?? [];
    for (const meeting of found) claimed.add(meeting.id);
    if (found.length > 1) report('duplicated', ref, `${found.length} meetings are linked to event ${eventId}`);
    return found[0];
  };

  /** A removed event is unlinked (Graph `@removed`): its meeting is found by the iCalUID. */
  const byUid = (event: SingleEvent): StoredMeeting | undefined => {
    const found = meetings.filter((m) => m.accountId === event.user.account.id && m.iCalUID === event.iCalUID);
    for (const meeting of found) claimed.add(meeting.id);
    if (found.length > 1) report('duplicated', event.ref, `${found.length} meetings have the event's iCalUID`);
    return found[0];
  };

  const checkSingle = (event: SingleEvent) => {
    const meeting = linked(event.ref, event.user, event.eventId) ?? byUid(event);
    const expected = event.frozen ?? (event.eligible ? event.calendar : undefined);
    if (!expected) {
      checkedIneligible += 1;
      if (meeting && !meeting.deletedAt) report('wrong', event.ref, 'an ineligible event is in the CRM');
      return;
    }
    checkedMeetings += 1;
    if (!meeting) return report('lost', event.ref, 'the eligible event has no meeting');
    if (event.deletedInCrm) {
      if (!meeting.deletedAt) report('wrong', event.ref, 'the meeting deleted in the CRM came back');
      return;
    }
    if (meeting.deletedAt) return report('lost', event.ref, 'the meeting is deleted');
    const wrong = differences(meeting, expected, { answers: true });
    if (wrong.length) report('wrong', event.ref, wrong.join('; '));
  };

  const checkSeries = (series: SeriesEvent) => {
    checkedMeetings += 1 + series.occurrences.size;
    const master = linked(series.ref, series.user, series.masterId);
    if (!master || master.deletedAt) report('lost', series.ref, 'the series has no meeting');
    else {
      const wrong = differences(master, series.calendar, { answers: true });
      if (wrong.length) report('wrong', series.ref, `series: ${wrong.join('; ')}`);
    }
    // A week's meeting is found by its link, or by its own series fields once a removal unlinked it.
    const weeks = new Map<string, Set<StoredMeeting>>();
    const addWeek = (week: Date, meeting: StoredMeeting) => {
      weeks.set(iso(week)!, (weeks.get(iso(week)!) ?? new Set()).add(meeting));
      claimed.add(meeting.id);
    };
    for (const meeting of meetings) {
      if (meeting.accountId === series.user.account.id && meeting.seriesId === series.masterId && meeting.instanceStart) addWeek(meeting.instanceStart, meeting);
      for (const link of meeting.links) {
        if (link.connectionId === series.user.connectionId && link.seriesMasterId === series.masterId && link.instanceStart) addWeek(link.instanceStart, meeting);
      }
    }
    for (const [week, occurrence] of series.occurrences) {
      const found = [...(weeks.get(week) ?? [])];
      if (found.length === 0) {
        report('lost', series.ref, `the week of ${week} (${occurrence.cancelled ? 'cancelled' : 'moved'}) has no meeting`);
        continue;
      }
      if (found.length > 1) report('duplicated', series.ref, `the week of ${week} has ${found.length} meetings`);
      // An occurrence keeps the guests the series had when it changed; their later answers are the series'.
      const expected: MeetingState = { ...series.calendar, ...occurrence, contacts: new Map() };
      const wrong = differences(found[0]!, expected, { answers: false }).filter((difference) => !difference.startsWith('contacts'));
      if (wrong.length) report('wrong', series.ref, `week of ${week}: ${wrong.join('; ')}`);
    }
    for (const week of weeks.keys()) if (!series.occurrences.has(week)) report('wrong', series.ref, `the unchanged week of ${week} has a meeting of its own`);
  };

  const checkCrmMeeting = async (crm: CrmMeeting) => {
    checkedMeetings += 1;
    claimed.add(crm.meetingId);
    const meeting = meetings.find((m) => m.id === crm.meetingId);
    if (!meeting) return report('lost', crm.ref, 'the scheduled meeting is not in the CRM');
    const events = (await calendarOf(crm.user)).filter((e) => refOf(e.title) === crm.ref && !e.cancelled);
    if (events.length === 0) report('lost', crm.ref, "the scheduled meeting has no event in its owner's calendar");
    if (events.length > 1) report('duplicated', crm.ref, `${events.length} calendar events for one scheduled meeting`);
    if (crm.deleted) {
      if (!meeting.deletedAt) report('wrong', crm.ref, 'the meeting deleted in the CRM came back');
      return;
    }
    if (meeting.deletedAt) return report('lost', crm.ref, 'the scheduled meeting is deleted');
    const links = meeting.links.filter((l) => l.connectionId === crm.user.connectionId);
    if (links.length !== 1) report(links.length ? 'duplicated' : 'lost', crm.ref, `${links.length} links to the owner's calendar, expected 1`);
    const wrong = differences(meeting, crm.state, { answers: false });
    if (wrong.length) report('wrong', crm.ref, wrong.join('; '));
    const event = events[0];
    if (event) {
      const eventWrong = [
        event.title !== crm.state.title && `title "${event.title}"`,
        event.start !== crm.state.start && `starts ${event.start}`,
        event.end !== crm.state.end && `ends ${event.end}`,
        ...[...crm.state.contacts.keys()].filter((email) => !event.guests.includes(email)).map((email) => `${email} not invited`),
      ].filter(Boolean);
      if (eventWrong.length) report('wrong', crm.ref, `calendar event: ${eventWrong.join('; ')}, expected "${crm.state.title}" ${crm.state.start}–${crm.state.end}`);
    }
  };

  const claimedPeriods = new Set<string>();
  const checkAway = async (period: AwayPeriod) => {
    const rows =
      period.origin === 'calendar'
        ? periods.filter((p) => p.connectionId === period.user.connectionId && p.providerEventId === period.id)
        : periods.filter((p) => p.id === period.id);
    for (const row of rows) claimedPeriods.add(row.id);
    const live = rows.filter((p) => !p.deletedAt);
    if (period.removed) {
      if (live.length) report('wrong', period.ref, 'the removed out-of-office period is still in the CRM');
    } else if (live.length === 0) report('lost', period.ref, 'the out-of-office period is not in the CRM');
    else if (live.length > 1) report('duplicated', period.ref, `${live.length} periods for one out-of-office event`);
    else if (iso(live[0]!.startAt) !== period.start || iso(live[0]!.endAt) !== period.end) {
      report('wrong', period.ref, `period ${iso(live[0]!.startAt)}–${iso(live[0]!.endAt)}, expected ${period.start}–${period.end}`);
    }
    if (period.origin === 'crm') {
      const events = (await calendarOf(period.user)).filter((e) => e.outOfOffice && !e.cancelled && e.title === awayTitle(period.ref));
      if (period.removed && events.length) report('wrong', period.ref, 'the removed period is still out of office in the calendar');
      else if (!period.removed && events.length !== 1) report(events.length ? 'duplicated' : 'lost', period.ref, `${events.length} out-of-office events in the calendar, expected 1`);
      else if (!period.removed && (events[0]!.start !== period.start || events[0]!.end !== period.end)) {
        report('wrong', period.ref, `calendar event ${events[0]!.start}–${events[0]!.end}, expected ${period.start}–${period.end}`);
      }
    }
  };

  for (const event of model.of('single')) checkSingle(event);
  for (const series of model.of('series')) checkSeries(series);
  for (const crm of model.of('crm')) await checkCrmMeeting(crm);
  for (const period of model.of('away')) await checkAway(period);

  // Whatever no expectation claimed should not be there: a second copy of something, or a stranger.
  const known = new Set(model.entities.map((e) => e.ref));
  for (const meeting of meetings) {
    if (claimed.has(meeting.id) || meeting.deletedAt) continue;
    const ref = refOf(meeting.title);
    report(known.has(ref) ? 'duplicated' : 'wrong', ref, `unexpected meeting "${meeting.title}" (${meeting.source}, ${meeting.status})`);
  }
  for (const period of periods) {
    if (!claimedPeriods.has(period.id) && !period.deletedAt) report('wrong', period.title ?? period.id, `unexpected out-of-office period ${iso(period.startAt)}–${iso(period.endAt)}`);
  }

  // Every connection ACTIVE, listening on exactly its own unretired channels.
  for (const user of model.users) {
    const connection = connections.find((c) => c.id === user.connectionId);
    if (!connection) {
      report('lost', user.email, 'the connection is gone');
      continue;
    }
    if (connection.status !== 'ACTIVE') report('wrong', user.email, `the connection is ${connection.status}${connection.statusReason ? ` (${connection.statusReason})` : ''}`);
    const live = await calendarActions(emulators, user.account.provider).liveChannels(user.email);
    const current = new Set(connection.channels.filter((c) => !c.retiredAt).map((c) => c.id));
    if (!live.some((c) => current.has(c.id))) report('lost', user.email, 'no live push channel');
    for (const channel of live) if (!current.has(channel.id)) report('wrong', user.email, `push channel ${channel.id} is live at the provider without its connection`);
  }

  const counts: Record<FindingKind, number> = { lost: 0, duplicated: 0, wrong: 0 };
  for (const finding of findings) counts[finding.kind] += 1;
  return {
    checked: { meetings: checkedMeetings, ineligible: checkedIneligible, awayPeriods: model.of('away').length, connections: model.users.length },
    findings,
    counts,
  };
}

/** The findings, grouped by kind, a few of each, with what was done to each when `historyOf` knows. */
export function describeFindings(report: InvariantReport, historyOf: (ref: string) => string[] = () => [], perKind = 10): string {
  const lines: string[] = [];
  for (const kind of ['lost', 'duplicated', 'wrong'] as const) {
    const ofKind = report.findings.filter((f) => f.kind === kind);
    if (!ofKind.length) continue;
    lines.push(`${kind}: ${ofKind.length}`);
    for (const finding of ofKind.slice(0, perKind)) {
      lines.push(`  ${finding.ref}: ${finding.detail}`);
      for (const step of historyOf(finding.ref)) lines.push(`      ${step}`);
    }
    if (ofKind.length > perKind) lines.push(`  … and ${ofKind.length - perKind} more`);
  }
  return lines.join('\n');
}
