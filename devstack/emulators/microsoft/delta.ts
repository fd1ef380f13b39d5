/**
 * `/me/calendarView/delta`, as close to Graph's observed behaviour as this emulator can say:
 * - The first call names the window (`startDateTime`/`endDateTime`); `@odata.nextLink` pages follow
 *   (opaque `$skiptoken`), and the last page carries `@odata.deltaLink` (`$deltatoken`), whose token
 *   remembers the window and the mailbox's change-log position. Windows are never repeated later.
 * - A series is listed as its master (`type: seriesMaster`, `recurrence`, the first occurrence's
 *   times) followed by its occurrences in the window. Unmodified occurrences come as stubs (id, type,
 *   seriesMasterId, start, end) — the rest is the master's (microsoft-graph-docs #7632,
 *   microsoft-graph-docs-contrib #34); exceptions come whole. A series is never split across pages, so
 *   a page can exceed `odata.maxpagesize` (microsoft-graph-docs PR #4501; the docs are silent).
 * - Whether the master itself is listed is reported both ways: a calendar view expands a series into
 *   its occurrences "and you get the occurrences, not the master" (microsoft-graph-docs #2182, by
 *   design), while other clients see it listed. `options.seriesMasters` is `listed` (default) or
 *   `omitted`; clients must read an unlisted master themselves (`seriesMasterId`).
 * - Later rounds list only what changed since: changed items whole, and deleted events, occurrences
 *   the organizer cancelled, and items that left the window as `{ "@removed": { reason: "deleted" } }`.
 *   Unsure: whether Graph reports a cancelled occurrence at all (older reports say no); this emulator
 *   does, as `@removed`. Items may repeat across rounds (clients must be idempotent, as with Graph).
 * - An invalidated token (control `invalidateDeltaTokens`), or a skip token this emulator no longer
 *   holds, answers 410 `syncStateNotFound`.
 */
import crypto from 'node:crypto';
import { renderEvent, renderOccurrenceStub, type EventView, type StoredEvent } from './event-model';
import { masterView, occurrences, type Mailbox, type MailboxStore } from './mailboxes';

/**
 * Graph does not document the default page size of calendarView delta (nor its maximum); this
 * emulator uses 50 unless `Prefer: odata.maxpagesize` says otherwise, so clients must follow nextLinks.
 */
export const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;
/** Listings being paged through are kept this many at most (abandoned ones are dropped oldest first). */
const MAX_OPEN_LISTINGS = 2000;

interface DeltaState {
  email: string;
  seq: number;
  epoch: number;
  start: number;
  end: number;
}

/** One listed item, rendered only when its page is served. */
type Entry = { view: EventView } | { removedId: string };

interface Listing {
  /** Items that must share a page: a series with its occurrences, or one event. */
  groups: Entry[][];
  state: DeltaState;
}

export class DeltaError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const encode = (state: DeltaState) => Buffer.from(JSON.stringify(state)).toString('base64url');
const gone = () => new DeltaError(410, 'syncStateNotFound', 'The sync state generation is too old or unknown; start a new sync.');

export interface DeltaOptions {
  /** Whether a series is listed with its master or as its occurrences alone (see the header). */
  seriesMasters: 'listed' | 'omitted';
}

export const DEFAULT_DELTA_OPTIONS: DeltaOptions = { seriesMasters: 'listed' };

export class DeltaService {
  readonly options: DeltaOptions = { ...DEFAULT_DELTA_OPTIONS };
  private readonly listings = new Map<string, { listing: Listing; offset: number; email: string }>();

  constructor(
    private readonly store: MailboxStore,
    private readonly baseUrl: string,
  ) {}

  invalidate(mailbox: Mailbox): void {
    mailbox.epoch += 1;
  }

  clear(): void {
    this.listings.clear();
    Object.assign(this.options, DEFAULT_DELTA_OPTIONS);
  }

  /** `zone`: the zone `Prefer: outlook.timezone` names for this page's times (each event's own when absent). */
  page(mailbox: Mailbox, query: URLSearchParams, pageSizeHint: number | undefined, zone?: string): Record<string, unknown> {
    const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, pageSizeHint ?? DEFAULT_PAGE_SIZE));
    const render = (entry: Entry) => this.render(mailbox, entry, zone);
    const skip = query.get('$skiptoken');
    if (skip) {
      const entry = this.listings.get(skip);
      if (!entry) throw gone();
      if (entry.email !== mailbox.email) throw new DeltaError(400, 'InvalidSkipToken', 'The skip token belongs to another mailbox.');
      this.listings.delete(skip);
      return this.emit(mailbox, entry.listing, entry.offset, pageSize, render);
    }
    const token = query.get('$deltatoken');
    if (token) return this.emit(mailbox, this.changesSince(mailbox, this.decode(mailbox, token)), 0, pageSize, render);
    const start = Date.parse(query.get('startDateTime') ?? '');
    const end = Date.parse(query.get('endDateTime') ?? '');
    if (Number.isNaN(start) || Number.isNaN(end) || end <= start) {
      throw new DeltaError(400, 'ErrorInvalidParameter', 'startDateTime and endDateTime are required on the first delta call.');
    }
    return this.emit(mailbox, this.snapshot(mailbox, { email: mailbox.email, seq: mailbox.seq, epoch: mailbox.epoch, start, end }), 0, pageSize, render);
  }

  private decode(mailbox: Mailbox, token: string): DeltaState {
    let state: DeltaState;
    try {
      state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as DeltaState;
    } catch {
      throw new DeltaError(400, 'InvalidDeltaToken', 'The delta token is malformed.');
    }
    if (state.email !== mailbox.email) throw new DeltaError(400, 'InvalidDeltaToken', 'The delta token belongs to another mailbox.');
    if (state.epoch !== mailbox.epoch) throw gone();
    return state;
  }

  private inWindow(view: EventView, state: DeltaState): boolean {
    return view.startMs < state.end && view.endMs > state.start;
  }

  /** An occurrence's original (unmoved) slot overlaps the window. */
  private slotInWindow(instance: EventView, state: DeltaState): boolean {
    const start = instance.originalStartMs!;
    return start < state.end && start + (instance.event.endMs - instance.event.startMs) > state.start;
  }

  /**
   * An event's group as the window shows it. `removed` receives what the window may have shown before
   * and does not now: an instance whose original slot is in the window (a series can have a thousand
   * occurrences; the ones never in the window are not worth a `@removed` each).
   */
  private group(event: StoredEvent, state: DeltaState, removed: (id: string) => void): Entry[] {
    const master = masterView(event);
    if (!event.recurrence) {
      if (this.inWindow(master, state)) return [{ view: master }];
      removed(event.id);
      return [];
    }
    const shown: Entry[] = [];
    let slotsInWindow = 0;
    for (const instance of occurrences(event)) {
      const slotInWindow = this.slotInWindow(instance, state);
      if (slotInWindow) slotsInWindow += 1;
      if (!instance.deleted && this.inWindow(instance, state)) shown.push({ view: instance });
      else if (slotInWindow) removed(instance.id);
    }
    if (shown.length === 0 && slotsInWindow > 0) removed(event.id);
    if (shown.length === 0 || this.options.seriesMasters === 'omitted') return shown;
    return [{ view: master }, ...shown];
  }

  private snapshot(mailbox: Mailbox, state: DeltaState): Listing {
    const groups = [...mailbox.events.values()].map((event) => this.group(event, state, () => undefined)).filter((g) => g.length > 0);
    return { groups, state };
  }

  private changesSince(mailbox: Mailbox, since: DeltaState): Listing {
    // seq n is log[n - 1]: the changes since a token are a slice, not a scan.
    const changed = new Set(mailbox.log.slice(since.seq).map((entry) => entry.id));
    const listed = new Set<string>();
    const groups: Entry[][] = [];
    const add = (group: Entry[]) => {
      const fresh = group.filter((entry) => {
        const id = 'view' in entry ? entry.view.id : entry.removedId;
        return !listed.has(id) && listed.add(id);
      });
      if (fresh.length) groups.push(fresh);
    };
    for (const id of changed) {
      const deleted = mailbox.deleted.get(id);
      if (deleted && !mailbox.events.has(id)) {
        const instances = deleted.recurrence ? occurrences(deleted).filter((o) => this.slotInWindow(o, since)) : [];
        add([id, ...instances.map((o) => o.id)].map((removedId) => ({ removedId })));
        continue;
      }
      const view = this.store.view(mailbox, id);
      if (!view) {
        add([{ removedId: id }]); // an occurrence its organizer cancelled
      } else if (view.type === 'singleInstance' || view.type === 'seriesMaster') {
        // What the window does not show is reported gone only if the last round could have seen it.
        const removed: Entry[] = [];
        const seenBefore = view.event.createdSeq <= since.seq;
        add([...this.group(view.event, since, (removedId) => seenBefore && removed.push({ removedId })), ...removed]);
      } else {
        add([this.inWindow(view, since) ? { view } : { removedId: view.id }]);
      }
    }
    return { groups, state: { ...since, seq: mailbox.seq } };
  }

  private render(mailbox: Mailbox, entry: Entry, zone: string | undefined): Record<string, unknown> {
    if ('removedId' in entry) return { '@odata.type': '#microsoft.graph.event', id: entry.removedId, '@removed': { reason: 'deleted' } };
    return entry.view.type === 'occurrence' && !entry.view.cancelled ? renderOccurrenceStub(entry.view, zone) : renderEvent(entry.view, mailbox.email, zone);
  }

  private emit(mailbox: Mailbox, listing: Listing, offset: number, pageSize: number, render: (entry: Entry) => Record<string, unknown>): Record<string, unknown> {
    const value: Record<string, unknown>[] = [];
    let next = offset;
    while (next < listing.groups.length && (value.length === 0 || value.length + listing.groups[next]!.length <= pageSize)) {
      for (const entry of listing.groups[next]!) value.push(render(entry));
      next += 1;
    }
    const url = `${this.baseUrl}/v1.0/me/calendarView/delta`;
    const context = { '@odata.context': `${this.baseUrl}/v1.0/$metadata#Collection(event)` };
    if (next < listing.groups.length) {
      const skip = crypto.randomBytes(18).toString('base64url');
      this.listings.set(skip, { listing, offset: next, email: mailbox.email });
      if (this.listings.size > MAX_OPEN_LISTINGS) this.listings.delete(this.listings.keys().next().value!);
      return { ...context, '@odata.nextLink': `${url}?$skiptoken=${skip}`, value };
    }
    return { ...context, '@odata.deltaLink': `${url}?$deltatoken=${encode(listing.state)}`, value };
  }
}
