/**
 * One decision per calendar change (SPEC §4). The rules, in the order they apply:
 *
 * 1. Out-of-office (§4.9) updates the user's away periods, never meetings. It is the user's own time,
 *    so neither the baseline (§4.3) nor privacy (§4.7) holds it back. A linked meeting turned into an
 *    away block leaves this calendar like a deletion; an away block turned into a meeting is removed,
 *    and the event is judged as a meeting from its next change on.
 * 2. A deleted or cancelled event unlinks this calendar's copy (§4.8, §4.10), frozen or not; the store
 *    cancels the meeting when its organizer cancelled it or no other calendar still holds it. A
 *    cancelled occurrence of a logged series becomes that occurrence's own, cancelled, meeting (§4.6).
 * 3. Privacy (§4.7): a private event is not synced; a linked one made private freezes its link and
 *    its later changes are ignored; a frozen link thaws with the next change that is public again.
 * 4. An event this connection does not link yet becomes a meeting only if the initial sync did not see
 *    it (§4.3), it is not an unchanged occurrence of a series (§4.6: the master stands for the first
 *    occurrence) and a guest is an external contact (§4.1, §4.2, §4.4, §4.5). A linked event keeps
 *    its meeting, its guests re-matched on every change, down to none (§4.11).
 * 5. An event the CRM created (§5) is a CRM meeting already: it skips rule 4 and is always linked.
 *
 * Idempotence (§4.12): the decision is a pure function of the change and what this connection already
 * links, so a replay gives the same decision, which the store applies as a no-op; `isStale` drops a
 * change older than the one already applied, whatever order the provider delivers them in (and, in
 * incremental syncs, the very version already applied).
 */
import type { CalendarEvent, EventTime } from '../model/calendar-event';
import { instanceEnd, isGone, isInstance, privacyRule, whyNotNew } from './eligibility';
import { internalPeople, matchedAttendees } from './guests';
import { meetingKeyOf } from './meeting-key';
import type { Decision, DecisionInput, IgnoreReason, MeetingAttendeeDecision, MeetingDecision, SeriesMeeting } from './types';

type TimedEvent = CalendarEvent & { start: EventTime; end: EventTime };

const ignore = (reason: IgnoreReason): Decision => ({ action: 'ignore', reason });
const iso = (value: string) => new Date(value).toISOString();
const hasTimes = (event: CalendarEvent): event is TimedEvent => event.start !== undefined && event.end !== undefined;

export function decideEventChange(input: DecisionInput): Decision {
  const { event, existing } = input;
  const linked = existing?.kind === 'meeting';

  if (existing?.kind === 'outOfOffice') {
    return isGone(event) || event.eventType !== 'outOfOffice' ? { action: 'removeOutOfOffice', providerEventId: event.id } : outOfOffice(event);
  }
  if (event.eventType === 'outOfOffice' && !isGone(event)) {
    return linked ? { action: 'removeLink', cancelledByOrganizer: false } : outOfOffice(event);
  }

  if (isGone(event)) {
    // A bare deletion only says this copy is gone; a cancellation with content is the organizer's.
    if (linked) return { action: 'removeLink', cancelledByOrganizer: !event.removed };
    return cancelledOccurrence(input) ?? ignore('cancelledUnlinked');
  }

  const privacy = privacyRule(input);
  if (privacy) return privacy;

  const attendees = matchedAttendees(event, internalPeople(input.account, input.connection), input.contactsByEmail);
  const fromCrm = event.crmMeetingId !== undefined;
  const notNew = linked || fromCrm ? undefined : whyNotNew(input, attendees);
  if (notNew) return ignore(notNew);
  if (!hasTimes(event)) return ignore('noTimes');
  return meetingDecision(event, input.seriesMeeting, attendees, 'SCHEDULED');
}

/**
 * True when a change adds nothing newer than what this calendar's link last applied: an older version
 * is an out-of-order replay. The same version is stale too when `sameVersion` is `skip` (incremental
 * syncs): it then echoes a state already applied, often the CRM's own write, and applying it again
 * could undo a CRM edit whose patch is still on its way. Passes that repair drift re-apply it.
 */
export function isStale(incomingUpdatedAt: string, appliedUpdatedAt: string, sameVersion: 'skip' | 'reapply'): boolean {
  const incoming = Date.parse(incomingUpdatedAt);
  const applied = Date.parse(appliedUpdatedAt);
  return incoming < applied || (sameVersion === 'skip' && incoming === applied);
}

function outOfOffice(event: CalendarEvent): Decision {
  if (!hasTimes(event)) return ignore('noTimes');
  return {
    action: 'upsertOutOfOffice',
    providerEventId: event.id,
    startAt: iso(event.start.dateTime),
    endAt: iso(event.end.dateTime),
    ...(event.title ? { title: event.title } : {}),
    ...(event.crmOutOfOfficeId ? { crmOutOfOfficeId: event.crmOutOfOfficeId } : {}),
  };
}

/**
 * A cancelled occurrence of a series the CRM logged is "an occurrence that later differs" (§4.6):
 * that week's meeting, cancelled. A bare cancellation carries only the original start, so the rest
 * comes from the series meeting, its duration included.
 */
function cancelledOccurrence(input: DecisionInput): MeetingDecision | undefined {
  const { event, seriesMeeting: series } = input;
  if (!isInstance(event) || !series || !event.originalStart || input.baselineEventIds.has(event.id)) return undefined;
  const start = event.start ?? { dateTime: event.originalStart, timeZone: series.timeZone };
  const withSeries: TimedEvent = {
    ...event,
    title: event.title ?? series.title,
    description: event.description ?? series.description,
    location: event.location ?? series.location,
    start,
    end: event.end ?? { dateTime: instanceEnd(start.dateTime, series), timeZone: start.timeZone },
  };
  return meetingDecision(withSeries, series, series.attendees, 'CANCELLED');
}

function meetingDecision(event: TimedEvent, series: SeriesMeeting | undefined, attendees: MeetingAttendeeDecision[], status: 'SCHEDULED' | 'CANCELLED'): MeetingDecision {
  const instance = isInstance(event);
  // An instance without its own iCalUID (a bare Google cancellation) shares its series' one.
  const iCalUID = event.iCalUID ?? (instance ? series?.iCalUID : undefined);
  return {
    action: 'upsertMeeting',
    meetingKey: meetingKeyOf({ ...event, iCalUID }),
    ...(event.crmMeetingId ? { crmMeetingId: event.crmMeetingId } : {}),
    fields: {
      title: event.title?.trim() || '(no title)',
      ...(event.description ? { description: event.description } : {}),
      ...(event.location ? { location: event.location } : {}),
      startAt: iso(event.start.dateTime),
      endAt: iso(event.end.dateTime),
      ...(event.start.timeZone ? { timeZone: event.start.timeZone } : {}),
      allDay: event.start.allDay === true,
      status,
      ...(iCalUID ? { iCalUID } : {}),
      ...(instance ? { seriesMasterId: event.seriesMasterId } : {}),
      ...(instance && event.originalStart ? { instanceStart: iso(event.originalStart) } : {}),
      ...(event.conference ? { conference: event.conference } : {}),
    },
    attendees,
  };
}
