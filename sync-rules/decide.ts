/**
 * One decision per calendar change (SPEC §4). The rules, in the order they apply:
 *
 * 1. Out-of-office events (§4.9) update the user's away periods, never meetings. They are the user's
 *    own time, so neither the baseline (§4.3) nor privacy (§4.7) holds them back.
 * 2. A deleted or cancelled event unlinks this calendar's copy (§4.8, §4.10); the store cancels the
 *    meeting when the organizer cancelled it or no calendar holds it any more. A cancelled occurrence
 *    of a logged series becomes its own, cancelled, meeting (§4.6).
 * 3. Private events (§4.7) are not synced; a linked event made private freezes its link, and a frozen
 *    link thaws when the event is public again.
 * 4. Unlinked events already there at connect time are never synced (§4.3), nor are unmodified
 *    occurrences of a series (§4.6).
 * 5. Guests are matched to contacts on every change (§4.1, §4.2, §4.4, §4.5, §4.11); an unlinked event
 *    without a contact guest is not synced, a linked one keeps its meeting with no contacts.
 * Events the CRM created (§5) skip rules 4 and 5: they are CRM meetings already.
 *
 * Pure and deterministic: replays of a change give the same decision, and the store applies a
 * decision that matches what it holds as a no-op (§4.12).
 */
import type { CalendarEvent } from '../providers/types';
import { internalPeople, matchedAttendees } from './guests';
import { meetingKeyOf } from './meeting-key';
import { instanceEnd, occurrenceDiffers } from './series';
import type { Decision, DecisionInput, IgnoreReason, MeetingAttendeeDecision, MeetingDecision } from './types';

const ignore = (reason: IgnoreReason): Decision => ({ action: 'ignore', reason });
const iso = (value: string) => new Date(value).toISOString();
const isInstance = (event: CalendarEvent) => (event.kind === 'occurrence' || event.kind === 'exception') && !!event.seriesMasterId;

export function decideEventChange(input: DecisionInput): Decision {
  const { event, existing } = input;
  const gone = event.removed === true || event.status === 'cancelled';
  const linked = existing?.kind === 'meeting';

  if (existing?.kind === 'outOfOffice') {
    return gone || event.eventType !== 'outOfOffice' ? { action: 'removeOutOfOffice', providerEventId: event.id } : outOfOffice(event);
  }
  if (event.eventType === 'outOfOffice' && !gone) {
    // A meeting turned into an away block is no longer a meeting in this calendar.
    return linked ? { action: 'removeLink', cancelledByOrganizer: false } : outOfOffice(event);
  }

  if (gone) {
    // A bare deletion only says this copy is gone; `cancelled` with content is the organizer's cancellation.
    if (linked) return { action: 'removeLink', cancelledByOrganizer: !event.removed };
    return cancelledOccurrence(input) ?? ignore('cancelledUnlinked');
  }

  if (event.visibility === 'private') {
    if (existing?.kind === 'meeting') return existing.frozen ? ignore('frozen') : { action: 'freezeLink' };
    return ignore('private');
  }

  const fromCrm = event.crmMeetingId !== undefined;
  if (!linked && !fromCrm) {
    const { baselineEventIds } = input;
    if (baselineEventIds.has(event.id) || (event.seriesMasterId !== undefined && baselineEventIds.has(event.seriesMasterId))) return ignore('existedBeforeConnect');
    if (event.kind === 'occurrence') return ignore('seriesOccurrence');
  }
  if (!event.start || !event.end) return ignore('noTimes');

  const attendees = matchedAttendees(event, internalPeople(input.account, input.connection), input.contactsByEmail);
  if (!linked && !fromCrm) {
    if (event.kind === 'exception' && !occurrenceDiffers(event, attendees, input.seriesMeeting)) return ignore('unchangedOccurrence');
    if (attendees.length === 0) return ignore('noContactGuests');
  }
  return meetingDecision(input, attendees, 'SCHEDULED');
}

function outOfOffice(event: CalendarEvent): Decision {
  if (!event.start || !event.end) return ignore('noTimes');
  return { action: 'upsertOutOfOffice', providerEventId: event.id, startAt: iso(event.start.dateTime), endAt: iso(event.end.dateTime), ...(event.title ? { title: event.title } : {}) };
}

/** A cancelled occurrence of a series the CRM logged: that week's meeting, cancelled (§4.6). */
function cancelledOccurrence(input: DecisionInput): Decision | undefined {
  const { event, seriesMeeting, baselineEventIds } = input;
  if (!isInstance(event) || !seriesMeeting || !event.originalStart) return undefined;
  if (baselineEventIds.has(event.id)) return undefined;
  const start = event.start?.dateTime ?? event.originalStart;
  const withSeries: CalendarEvent = {
    ...event,
    title: event.title ?? seriesMeeting.title,
    description: event.description ?? seriesMeeting.description,
    location: event.location ?? seriesMeeting.location,
    start: { dateTime: start, timeZone: event.start?.timeZone ?? seriesMeeting.timeZone },
    end: event.end ?? { dateTime: instanceEnd(start, seriesMeeting), timeZone: seriesMeeting.timeZone },
  };
  return meetingDecision({ ...input, event: withSeries }, seriesMeeting.attendees, 'CANCELLED');
}

function meetingDecision(input: DecisionInput, attendees: MeetingAttendeeDecision[], status: 'SCHEDULED' | 'CANCELLED'): MeetingDecision {
  const { event, seriesMeeting } = input;
  // An instance without its own iCalUID (a bare Google cancellation) shares its series' one.
  const iCalUID = event.iCalUID ?? (isInstance(event) ? seriesMeeting?.iCalUID : undefined);
  const instance = isInstance(event) && event.originalStart ? iso(event.originalStart) : undefined;
  return {
    action: 'upsertMeeting',
    meetingKey: meetingKeyOf({ ...event, iCalUID }),
    ...(event.crmMeetingId ? { crmMeetingId: event.crmMeetingId } : {}),
    fields: {
      title: event.title?.trim() || '(no title)',
      ...(event.description ? { description: event.description } : {}),
      ...(event.location ? { location: event.location } : {}),
      startAt: iso(event.start!.dateTime),
      endAt: iso(event.end!.dateTime),
      ...(event.start!.timeZone ? { timeZone: event.start!.timeZone } : {}),
      allDay: event.start!.allDay === true,
      status,
      ...(iCalUID ? { iCalUID } : {}),
      ...(isInstance(event) ? { seriesMasterId: event.seriesMasterId } : {}),
      ...(instance ? { instanceStart: instance } : {}),
    },
    attendees,
  };
}
