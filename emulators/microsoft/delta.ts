/**
 * `/me/calendarView/delta`: the first call (with `startDateTime`/`endDateTime`) lists the window's
 * single events, occurrences and exceptions — never series masters, as in Graph; `@odata.nextLink`
 * pages follow, and the last page carries an `@odata.deltaLink` whose token remembers the window and
 * the mailbox's change-log position. Calling it returns what changed since: changed items in full,
 * deleted, cancelled-occurrence and out-of-window items as `@removed`. An invalidated token answers
 * 410 `syncStateNotFound`.
 *
 * The real default page size is not documented for this endpoint; this emulator pages by 10 unless
 * `Prefer: odata.maxpagesize` says otherwise (stricter: clients must follow nextLinks).
 */
import crypto from 'node:crypto';
import { renderEvent, type EventView } from './event-model';
import { occurrences, type Mailbox, type MailboxStore } from './mailboxes';

const DEFAULT_PAGE_SIZE = 10;
const MAX_PAGE_SIZE = 1000;

interface DeltaState {
  email: string;
  seq: number;
  epoch: number;
  start: number;
  end: number;
}

interface Listing {
  items: Record<string, unknown>[];
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

export class DeltaService {
  /** Listings being paged through, by skip token. */
  private readonly listings = new Map<string, { listing: Listing; offset: number }>();

  constructor(
    private readonly store: MailboxStore,
    private readonly baseUrl: string,
  ) {}

  invalidate(mailbox: Mailbox): void {
    mailbox.epoch += 1;
  }

  page(mailbox: Mailbox, query: URLSearchParams, pageSizeHint: number | undefined): Record<string, unknown> {
    const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, pageSizeHint ?? DEFAULT_PAGE_SIZE));
    const skip = query.get('$skiptoken');
    if (skip) {
      const entry = this.listings.get(skip);
      if (!entry || entry.listing.state.email !== mailbox.email) throw new DeltaError(400, 'InvalidSkipToken', 'The skip token is not valid.');
      this.listings.delete(skip);
      return this.emit(entry.listing, entry.offset, pageSize);
    }
    const token = query.get('$deltatoken');
    if (token) return this.emit(this.changesSince(mailbox, this.decode(mailbox, token)), 0, pageSize);
    const start = Date.parse(query.get('startDateTime') ?? '');
    const end = Date.parse(query.get('endDateTime') ?? '');
    if (Number.isNaN(start) || Number.isNaN(end) || end <= start) {
      throw new DeltaError(400, 'ErrorInvalidParameter', 'startDateTime and endDateTime are required on the first delta call.');
    }
    return this.emit(this.snapshot(mailbox, start, end), 0, pageSize);
  }

  private decode(mailbox: Mailbox, token: string): DeltaState {
    let state: DeltaState;
    try {
      state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as DeltaState;
    } catch {
      throw new DeltaError(400, 'InvalidDeltaToken', 'The delta token is malformed.');
    }
    if (state.email !== mailbox.email) throw new DeltaError(400, 'InvalidDeltaToken', 'The delta token belongs to another mailbox.');
    if (state.epoch !== mailbox.epoch) throw new DeltaError(410, 'syncStateNotFound', 'The sync state generation is too old; start a new sync.');
    return state;
  }

  private inWindow(view: EventView, state: Pick<DeltaState, 'start' | 'end'>): boolean {
    return view.startMs < state.end && view.endMs > state.start;
  }

  private snapshot(mailbox: Mailbox, start: number, end: number): Listing {
    const state = { email: mailbox.email, seq: mailbox.seq, epoch: mailbox.epoch, start, end };
    const views = [...mailbox.events.values()].flatMap((event) => this.store.instances(event));
    const items = views.filter((v) => !(v.cancelled && v.type !== 'singleInstance') && this.inWindow(v, state)).map((v) => renderEvent(v, mailbox.email));
    return { items, state };
  }

  private changesSince(mailbox: Mailbox, since: DeltaState): Listing {
    const changed = [...new Set(mailbox.log.filter((entry) => entry.seq > since.seq).map((entry) => entry.id))];
    const items = new Map<string, Record<string, unknown>>();
    const removed = (id: string) => items.set(id, { '@removed': { reason: 'deleted' }, id });
    for (const id of changed) {
      const gone = mailbox.deleted.get(id);
      if (gone && !mailbox.events.has(id)) {
        for (const view of this.store.instances(gone)) removed(view.id);
        continue;
      }
      const view = this.store.view(mailbox, id);
      if (!view) continue;
      const instances = view.type === 'seriesMaster' ? occurrences(view.event) : [view];
      for (const instance of instances) {
        const hidden = instance.cancelled && instance.type !== 'singleInstance';
        if (hidden || !this.inWindow(instance, since)) removed(instance.id);
        else items.set(instance.id, renderEvent(instance, mailbox.email));
      }
    }
    return { items: [...items.values()], state: { ...since, seq: mailbox.seq } };
  }

  private emit(listing: Listing, offset: number, pageSize: number): Record<string, unknown> {
    const value = listing.items.slice(offset, offset + pageSize);
    const url = `${this.baseUrl}/v1.0/me/calendarView/delta`;
    if (offset + pageSize < listing.items.length) {
      const skip = crypto.randomBytes(16).toString('base64url');
      this.listings.set(skip, { listing, offset: offset + pageSize });
      return { '@odata.context': `${this.baseUrl}/v1.0/$metadata#Collection(event)`, '@odata.nextLink': `${url}?$skiptoken=${skip}`, value };
    }
    return { '@odata.context': `${this.baseUrl}/v1.0/$metadata#Collection(event)`, '@odata.deltaLink': `${url}?$deltatoken=${encode(listing.state)}`, value };
  }
}
