/**
 * A bare removal (Graph `@removed`, Google's bare `cancelled`) says only that the listing no longer
 * shows the event, and Graph says the same of an event moved out of the synced window. Before a
 * linked meeting or out-of-office period is given up, the calendar is asked: an event that still
 * exists is applied as it is now (moved), one that is gone stays a removal.
 */
import type { Database } from '../../db/client';
import type { CalendarEvent } from '../../providers/types';
import type { ProviderSession } from '../provider-session';

export async function confirmRemovals(db: Database, session: ProviderSession, events: CalendarEvent[]): Promise<CalendarEvent[]> {
  const removedIds = events.filter((event) => event.removed).map((event) => event.id);
  if (removedIds.length === 0) return events;
  const where = { connectionId: session.connection.id, providerEventId: { in: removedIds } };
  const [meetingLinks, periods] = await Promise.all([
    db.calendarEventLink.findMany({ where, select: { providerEventId: true } }),
    db.outOfOffice.findMany({ where: { ...where, deletedAt: null }, select: { providerEventId: true } }),
  ]);
  const linked = new Set([...meetingLinks, ...periods].map((link) => link.providerEventId));
  if (linked.size === 0) return events;
  const confirmed: CalendarEvent[] = [];
  for (const event of events) {
    if (!event.removed || !linked.has(event.id)) {
      confirmed.push(event);
      continue;
    }
    const current = await session.run((calendar) => calendar.getEvent(event.id));
    confirmed.push(current && current.status !== 'cancelled' ? current : event);
  }
  return confirmed;
}
