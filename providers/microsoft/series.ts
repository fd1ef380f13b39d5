/**
 * calendarView delta lists an unmodified occurrence as a stub — id, type, seriesMasterId, start,
 * end — and leaves the rest to its series master (microsoft-graph-docs issues #7632, #22197). The
 * master usually comes in the same page (Graph does not split a series across pages); when it does
 * not (an incremental round), the adapter reads it. Pure, apart from the `fetchMaster` it is given.
 */
import type { GraphEvent } from './map-event';

/** A delta occurrence without its series' fields. */
export const isOccurrenceStub = (item: GraphEvent): boolean =>
  !item['@removed'] && item.type === 'occurrence' && item.iCalUId === undefined && item.subject === undefined;

/** The occurrence as a whole event: the master's fields, the occurrence's identity and times. */
export function completeOccurrence(stub: GraphEvent, master: GraphEvent): GraphEvent {
  const { recurrence: _series, '@odata.etag': _masterTag, ...shared } = master;
  return {
    ...shared,
    id: stub.id,
    type: 'occurrence',
    seriesMasterId: master.id,
    ...(stub.start ? { start: stub.start } : {}),
    ...(stub.end ? { end: stub.end } : {}),
    ...(stub['@odata.etag'] ? { '@odata.etag': stub['@odata.etag'] } : {}),
  };
}

/**
 * The page's items with every occurrence stub completed. A stub whose master cannot be read (the
 * series was deleted meanwhile: its own `@removed` follows) is dropped.
 */
export async function completeOccurrences(items: GraphEvent[], fetchMaster: (id: string) => Promise<GraphEvent | undefined>): Promise<GraphEvent[]> {
  const masters = new Map(items.filter((item) => !item['@removed'] && item.type === 'seriesMaster').map((item) => [item.id, item]));
  const missing = [...new Set(items.filter(isOccurrenceStub).map((stub) => stub.seriesMasterId!).filter((id) => id && !masters.has(id)))];
  for (const [id, master] of await Promise.all(missing.map(async (id) => [id, await fetchMaster(id)] as const))) {
    if (master) masters.set(id, master);
  }
  return items.flatMap((item) => {
    if (!isOccurrenceStub(item)) return [item];
    const master = item.seriesMasterId ? masters.get(item.seriesMasterId) : undefined;
    return master ? [completeOccurrence(item, master)] : [];
  });
}
