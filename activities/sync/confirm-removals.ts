/**
 * A bare removal (Graph `@removed`, Google's bare `cancelled`) says only that the listing no longer
 * shows an event. Before the sync rules judge one the CRM cares about, the calendar is asked what it
 * means:
 * - a linked event or out-of-office period the calendar still returns is applied as it is now: one
 *   moved out of the synced window (Graph reports that as `@removed` too) moves its meeting;
 * - an occurrence of a logged series that is gone while its series still places it there was
 *   cancelled by its organizer (Graph says no more than its id): it becomes that cancelled
 *   occurrence (SPEC §4.6). A series placed anew (moved, shortened) drops occurrences without
 *   cancelling them, so its removals stay removals, and applying it forgets its old occurrences;
 * - anything else stays a removal.
 * Reconciliation sends the linked events its read no longer shows through here too.
 */
import type { Database } from '../../db/client';
import type { CalendarEvent } from '../../model/calendar-event';
import type { ProviderSession } from '../provider-session';

export async function confirmRemovals(db: Database, session: ProviderSession, events: CalendarEvent[]): Promise<CalendarEvent[]> {
  const removedIds = events.filter((event) => event.removed).map((event) => event.id);
  if (removedIds.length === 0) return events;
  const where = { connectionId: session.connection.id, providerEventId: { in: removedIds } };
  const [meetingLinks, periods, occurrences] = await Promise.all([
    db.calendarEventLink.findMany({ where, select: { providerEventId: true } }),
    db.outOfOffice.findMany({ where: { ...where, deletedAt: null }, select: { providerEventId: true } }),
    db.seriesOccurrence.findMany({ where }),
  ]);
  const linked = new Set([...meetingLinks, ...periods].map((link) => link.providerEventId));
  const occurrenceById = new Map(occurrences.map((occurrence) => [occurrence.providerEventId, occurrence]));
  if (linked.size === 0 && occurrenceById.size === 0) return events;

  const lookUp = (id: string) => session.run((calendar) => calendar.getEvent(id));
  const checkedSeries = new Map<string, Promise<boolean>>();
  // A master listed in the page is as current as a read of it.
  const listedMasters = new Map(events.filter((event) => event.kind === 'seriesMaster' && !event.removed).map((event) => [event.id, event]));
  const seriesUnchanged = (masterId: string) => {
    if (!checkedSeries.has(masterId)) checkedSeries.set(masterId, isSeriesAsApplied(db, session, masterId, listedMasters.get(masterId)));
    return checkedSeries.get(masterId)!;
  };

  const confirmed: CalendarEvent[] = [];
  for (const event of events) {
    const occurrence = occurrenceById.get(event.id);
    if (!event.removed || (!linked.has(event.id) && !occurrence)) {
      confirmed.push(event);
      continue;
    }
    const current = await lookUp(event.id);
    if (current) confirmed.push(current); // as the calendar has it now: moved, or cancelled with its details
    else if (occurrence && !event.seriesMasterId && (await seriesUnchanged(occurrence.seriesMasterId)))
      confirmed.push({ ...event, kind: 'occurrence', status: 'cancelled', seriesMasterId: occurrence.seriesMasterId, originalStart: occurrence.originalStart.toISOString() });
    else confirmed.push(event);
  }
  return confirmed;
}

/**
 * The series still places its occurrences where the CRM last saw them: same recurrence, same first
 * start and end. Then an occurrence gone from it was cancelled, even though the master may have
 * changed otherwise — Exchange gives the master a new modified time for the cancellation itself
 * (microsoft-graph-docs #5520). A series placed anew (moved, shortened) drops occurrences without
 * cancelling them: those removals must not become cancelled meetings. A link saved before
 * signatures were kept falls back to "not modified since applied".
 */
async function isSeriesAsApplied(db: Database, session: ProviderSession, masterId: string, listed: CalendarEvent | undefined): Promise<boolean> {
  const [master, link] = await Promise.all([
    listed ?? session.run((calendar) => calendar.getEvent(masterId)),
    db.calendarEventLink.findUnique({
      where: { connectionId_providerEventId: { connectionId: session.connection.id, providerEventId: masterId } },
      select: { sourceUpdatedAt: true, seriesSignature: true },
    }),
  ]);
  if (!master || master.status === 'cancelled' || !link) return false;
  if (link.seriesSignature) return master.seriesSignature === link.seriesSignature;
  if (!master.updatedAt || !link.sourceUpdatedAt) return false;
  return Date.parse(master.updatedAt) <= link.sourceUpdatedAt.getTime();
}
