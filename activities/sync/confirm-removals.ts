/**
 * A bare removal (Graph `@removed`, Google's bare `cancelled`) says only that the listing no longer
 * shows an event. Before the sync rules judge one the CRM cares about, the calendar is asked what it
 * means:
 * - a linked event or out-of-office period that still exists was moved out of the synced window
 *   (Graph reports that as `@removed` too): it is applied as it is now, so its meeting moves;
 * - an occurrence of a logged series that is gone while its series lives on was cancelled by its
 *   organizer (Graph says no more than its id): it becomes that cancelled occurrence (SPEC §4.6);
 * - anything else stays a removal.
 */
import type { Database } from '../../db/client';
import type { CalendarEvent } from '../../providers/types';
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
  const liveSeries = new Map<string, Promise<boolean>>();
  const seriesLives = (masterId: string) => {
    if (!liveSeries.has(masterId)) liveSeries.set(masterId, lookUp(masterId).then((master) => !!master && master.status !== 'cancelled'));
    return liveSeries.get(masterId)!;
  };

  const confirmed: CalendarEvent[] = [];
  for (const event of events) {
    const occurrence = occurrenceById.get(event.id);
    if (!event.removed || (!linked.has(event.id) && !occurrence)) {
      confirmed.push(event);
      continue;
    }
    const current = await lookUp(event.id);
    if (current && current.status !== 'cancelled') confirmed.push(current);
    else if (occurrence && !event.seriesMasterId && (await seriesLives(occurrence.seriesMasterId)))
      confirmed.push({ ...event, kind: 'occurrence', status: 'cancelled', seriesMasterId: occurrence.seriesMasterId, originalStart: occurrence.originalStart.toISOString() });
    else confirmed.push(event);
  }
  return confirmed;
}
