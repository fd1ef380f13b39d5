/**
 * What the Microsoft emulator keeps across restarts when given a state file: mailboxes (their oids,
 * which MSAL keys accounts by) and calendars (events, series with their occurrence overrides,
 * deleted events, the change logs behind delta tokens), authorization codes, access and refresh
 * tokens, subscriptions, and the outbox. Delta listings being paged through (`$skiptoken`) are not
 * kept: their next page answers 410 `syncStateNotFound`, as Graph does for a skip token it no longer
 * holds. Scripted faults, call counts, `configure` settings and notifications still waiting for
 * delivery or a retry start over.
 */
import type { PersistedState } from '../shared/state-file';
import type { ControlParts } from './control';
import type { OutboxMessage } from './event-service';
import type { IdentitySnapshot } from './identity';
import type { MailboxStoreSnapshot } from './mailboxes';
import type { Subscription } from './subscriptions';

export interface MicrosoftState {
  store: MailboxStoreSnapshot;
  identity: IdentitySnapshot;
  subscriptions: Subscription[];
  outbox: OutboxMessage[];
}

export function microsoftState(parts: Pick<ControlParts, 'store' | 'identity' | 'subscriptions' | 'events' | 'delta'>, reset: () => void): PersistedState<MicrosoftState> {
  const { store, identity, subscriptions, events, delta } = parts;
  return {
    version: 1,
    snapshot: () => ({ store: store.snapshot(), identity: identity.snapshot(), subscriptions: subscriptions.snapshot(), outbox: events.outbox }),
    restore(saved, stoppedCleanly) {
      store.restore(saved.store);
      if (!stoppedCleanly) for (const mailbox of store.all()) delta.invalidate(mailbox); // delta links then answer 410
      identity.restore(saved.identity);
      subscriptions.restore(saved.subscriptions);
      events.outbox.length = 0;
      for (const message of saved.outbox) events.outbox.push(message);
    },
    reset,
  };
}
