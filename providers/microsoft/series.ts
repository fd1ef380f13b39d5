/**
 * calendarView delta lists an unmodified occurrence as a stub — id, type, seriesMasterId, start,
 * end — and leaves the rest to its series master (microsoft-graph-docs #7632, -contrib #34). The
 * master may come in the same page (Graph does not split a series across pages) or not at all: a
 * calendar view expands a series "and you get the occurrences, not the master" (microsoft-graph-docs
 * #2182), and a later round lists only the instances that changed. An instance listed without its
 * master has the master read and listed before it, so a series is logged, baselined and judged as
 * a series whichever shape Graph sends. Pure, apart from the `fetchMaster` it is given.
 */
import type { GraphEvent } from './map-event';

const isInstance = (item: GraphEvent) => !item['@removed'] && (item.type === 'occurrence' || item.type === 'exception') && !!item.seriesMasterId;

/** A delta occurrence without its series' fields. */
export const isOccurrenceStub = (item: GraphEvent): boolean => isInstance(item) && item.type === 'occurrence' && item.iCalUId === undefined && item.subject === undefined;

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
 * The page's items with every occurrence stub completed, and the master of each series whose
 * instances came without it listed just before its first instance. A stub whose master cannot be
 * read (the series was deleted meanwhile: its own `@removed` follows) is dropped.
 */
export async function completeOccurrences(items: GraphEvent[], fetchMaster: (id: string) => Promise<GraphEvent | undefined>): Promise<GraphEvent[]> {
  const listed = new Map(items.filter((item) => !item['@removed'] && item.type === 'seriesMaster').map((item) => [item.id, item]));
  const missing = [...new Set(items.filter(isInstance).map((instance) => instance.seriesMasterId!))].filter((id) => !listed.has(id));
  const fetched = new Map<string, GraphEvent>();
  for (const [id, master] of await Promise.all(missing.map(async (id) => [id, await fetchMaster(id)] as const))) {
    if (master?.type === 'seriesMaster') fetched.set(id, master);
  }
  const masterOf = (instance: GraphEvent) => listed.get(instance.seriesMasterId!) ?? fetched.get(instance.seriesMasterId!);
  const introduced = new Set<string>();
  return items.flatMap((item) => {
    if (!isInstance(item)) return [item];
    const master = masterOf(item);
    if (!master) return isOccurrenceStub(item) ? [] : [item]; // an exception stands on its own
    const completed = isOccurrenceStub(item) ? completeOccurrence(item, master) : item;
    if (listed.has(master.id) || introduced.has(master.id)) return [completed];
    introduced.add(master.id);
    return [master, completed];
  });
}
