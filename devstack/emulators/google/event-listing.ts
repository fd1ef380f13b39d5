/**
 * `events.list`: full listings (window, filters, `showDeleted`) and incremental ones (`syncToken`),
 * paged with opaque tokens. A listing snapshots the change log's head on its first page; its last
 * page returns that head as `nextSyncToken`, so a change made while paging is delivered again by the
 * next incremental sync rather than lost. Incremental listings read only the log after the token.
 */
import type { Calendar } from './calendar-store';
import { badRequest, fullSyncRequired } from './errors';
import { isGone, renderEvent, timeMs, type CalendarEntry } from './event-model';

type Query = Record<string, unknown>;

interface Filters {
  timeMin?: number;
  timeMax?: number;
  updatedMin?: number;
  showDeleted?: boolean;
  iCalUID?: string;
  q?: string;
  privateProperties?: [string, string][];
  sharedProperties?: [string, string][];
  orderByUpdated?: boolean;
}

interface PageState {
  /** Emulator run + calendar + epoch: a token from elsewhere is refused. */
  instance: string;
  owner: string;
  epoch: number;
  /** Incremental listings: changes after this seq. Absent for full listings. */
  from?: number;
  /** Log head when the listing started: the next sync token. */
  head: number;
  offset: number;
  filters: Filters;
}

interface SyncState {
  instance: string;
  owner: string;
  epoch: number;
  seq: number;
}

const SYNC_REFUSED = ['timeMin', 'timeMax', 'orderBy', 'q', 'iCalUID', 'updatedMin', 'privateExtendedProperty', 'sharedExtendedProperty'];

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function decode<T>(token: string, kind: 'page' | 'sync'): T {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as T & { k?: string };
    if (value.k !== kind) throw new Error('wrong kind');
    return value;
  } catch {
    throw badRequest(kind === 'sync' ? 'Invalid sync token value.' : 'Invalid page token value.');
  }
}

const single = (value: unknown): string | undefined => (Array.isArray(value) ? String(value[value.length - 1]) : value === undefined ? undefined : String(value));
const list = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);

function instant(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || !/(Z|[+-]\d{2}:?\d{2})$/i.test(value) || Number.isNaN(ms)) throw badRequest(`Invalid value for: ${field}`);
  return ms;
}

function properties(values: string[], field: string): [string, string][] | undefined {
  if (!values.length) return undefined;
  return values.map((value) => {
    const at = value.indexOf('=');
    if (at < 1) throw badRequest(`Invalid value for: ${field}`);
    return [value.slice(0, at), value.slice(at + 1)];
  });
}

function maxResultsOf(query: Query): number {
  const raw = single(query.maxResults);
  if (raw === undefined) return 250;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw badRequest('Invalid value for: maxResults');
  return Math.min(value, 2500);
}

export interface ListResult {
  items: Record<string, unknown>[];
  nextPageToken?: string;
  nextSyncToken?: string;
}

export function listEvents(calendar: Calendar, query: Query, instance: string, head: number): ListResult {
  if (single(query.singleEvents) === 'true') throw badRequest('singleEvents=true is not supported by this emulator: list series masters and exceptions.');
  const maxResults = maxResultsOf(query);
  const syncToken = single(query.syncToken);
  const pageToken = single(query.pageToken);
  if (syncToken !== undefined) {
    const refused = SYNC_REFUSED.filter((name) => query[name] !== undefined);
    if (refused.length) throw badRequest(`The following parameters cannot be used together with syncToken: ${refused.join(', ')}.`);
  }
  const state = pageToken !== undefined ? decode<PageState & { k: string }>(pageToken, 'page') : startListing(calendar, query, syncToken, instance, head);
  checkPosition(calendar, state, instance);
  const { items, nextOffset } = state.from === undefined ? fullPage(calendar, state, maxResults) : incrementalPage(calendar, state, maxResults);
  const rendered = items.map((entry) => renderEvent(entry, calendar.ownerEmail));
  if (nextOffset !== undefined) return { items: rendered, nextPageToken: encode({ ...state, k: 'page', offset: nextOffset }) };
  const sync: SyncState & { k: string } = { k: 'sync', instance: state.instance, owner: state.owner, epoch: state.epoch, seq: state.head };
  return { items: rendered, nextSyncToken: encode(sync) };
}

function startListing(calendar: Calendar, query: Query, syncToken: string | undefined, instance: string, head: number): PageState {
  const base = { instance, owner: calendar.ownerEmail.toLowerCase(), epoch: calendar.epoch, head, offset: 0 };
  if (syncToken !== undefined) {
    const sync = decode<SyncState>(syncToken, 'sync');
    if (sync.owner !== base.owner) throw badRequest('Invalid sync token value.');
    checkPosition(calendar, sync, instance);
    return { ...base, from: sync.seq, filters: {} };
  }
  const orderBy = single(query.orderBy);
  if (orderBy !== undefined && orderBy !== 'updated') throw badRequest('The requested ordering is not available for the particular query.');
  const filters: Filters = {
    timeMin: instant(single(query.timeMin), 'timeMin'),
    timeMax: instant(single(query.timeMax), 'timeMax'),
    updatedMin: instant(single(query.updatedMin), 'updatedMin'),
    showDeleted: single(query.showDeleted) === 'true',
    iCalUID: single(query.iCalUID),
    q: single(query.q)?.toLowerCase(),
    privateProperties: properties(list(query.privateExtendedProperty), 'privateExtendedProperty'),
    sharedProperties: properties(list(query.sharedExtendedProperty), 'sharedExtendedProperty'),
    orderByUpdated: orderBy === 'updated' || undefined,
  };
  if (filters.timeMin !== undefined && filters.timeMax !== undefined && filters.timeMax <= filters.timeMin) {
    throw badRequest('The specified time range is empty.', 'timeRangeEmpty');
  }
  return { ...base, filters };
}

function checkPosition(calendar: Calendar, state: { instance: string; owner: string; epoch: number }, instance: string): void {
  if (state.owner !== calendar.ownerEmail.toLowerCase()) throw badRequest('Invalid page token value.');
  if (state.instance !== instance || state.epoch !== calendar.epoch) throw fullSyncRequired();
}

function fullPage(calendar: Calendar, state: PageState, maxResults: number): { items: CalendarEntry[]; nextOffset?: number } {
  const matches = (id: string) => {
    const entry = calendar.entries.get(id)!;
    return matchesFilters(calendar, entry, state.filters) ? entry : undefined;
  };
  if (state.filters.orderByUpdated) {
    // Rare and small in tests: sort the whole result on each page.
    const all = calendar.order.map(matches).filter((e): e is CalendarEntry => !!e).sort((a, b) => a.record.updated.localeCompare(b.record.updated));
    const items = all.slice(state.offset, state.offset + maxResults);
    return { items, nextOffset: state.offset + maxResults < all.length ? state.offset + maxResults : undefined };
  }
  const items: CalendarEntry[] = [];
  let index = state.offset;
  for (; index < calendar.order.length && items.length < maxResults; index++) {
    const entry = matches(calendar.order[index]!);
    if (entry) items.push(entry);
  }
  return { items, nextOffset: index < calendar.order.length ? index : undefined };
}

/** Distinct ids changed in `(from, head]`, in order of their last change there; one page of them. */
function incrementalPage(calendar: Calendar, state: PageState, maxResults: number): { items: CalendarEntry[]; nextOffset?: number } {
  const { log } = calendar;
  let low = 0;
  let high = log.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (log[mid]!.seq <= state.from!) low = mid + 1;
    else high = mid;
  }
  const seen = new Set<string>();
  const ids: string[] = [];
  for (let i = log.length - 1; i >= low; i--) {
    const { seq, id } = log[i]!;
    if (seq > state.head || seen.has(id)) continue;
    seen.add(id);
    ids.push(id);
  }
  ids.reverse();
  const page = ids.slice(state.offset, state.offset + maxResults).map((id) => calendar.entries.get(id)!);
  return { items: page, nextOffset: state.offset + maxResults < ids.length ? state.offset + maxResults : undefined };
}

function matchesFilters(calendar: Calendar, entry: CalendarEntry, filters: Filters): boolean {
  const { record } = entry;
  if (isGone(entry)) {
    const updatedSince = filters.updatedMin !== undefined && Date.parse(record.updated) >= filters.updatedMin;
    // Google keeps cancelled occurrences of a live series in non-expanded listings even without showDeleted.
    const master = record.recurringEventId ? calendar.entries.get(record.recurringEventId) : undefined;
    const cancelledOccurrence = !entry.removed && !!master && !isGone(master);
    if (!filters.showDeleted && !updatedSince && !cancelledOccurrence) return false;
  }
  if (filters.updatedMin !== undefined && Date.parse(record.updated) < filters.updatedMin) return false;
  if (filters.timeMax !== undefined && timeMs(record.start) >= filters.timeMax) return false;
  if (filters.timeMin !== undefined && seriesEndMs(entry) <= filters.timeMin) return false;
  if (filters.iCalUID !== undefined && record.iCalUID !== filters.iCalUID) return false;
  if (filters.q && ![record.summary, record.description, record.location].some((field) => field?.toLowerCase().includes(filters.q!))) return false;
  if (filters.privateProperties?.some(([key, value]) => entry.privateProperties?.[key] !== value)) return false;
  if (filters.sharedProperties?.some(([key, value]) => record.sharedProperties?.[key] !== value)) return false;
  return true;
}

/**
 * When the event (a series: its last occurrence) ends. The emulator does not expand rules: a series
 * ends at its `UNTIL` when it has one, and is taken as endless otherwise.
 */
function seriesEndMs(entry: CalendarEntry): number {
  const { record } = entry;
  if (!record.recurrence) return timeMs(record.end);
  const until = record.recurrence.map((line) => /UNTIL=(\d{8})(?:T(\d{6})Z?)?/.exec(line)).find(Boolean);
  if (!until) return Number.POSITIVE_INFINITY;
  const [, date, time = '235959'] = until;
  const iso = `${date!.slice(0, 4)}-${date!.slice(4, 6)}-${date!.slice(6)}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4)}Z`;
  return Date.parse(iso) + (timeMs(record.end) - timeMs(record.start));
}
