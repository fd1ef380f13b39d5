/**
 * What the Google emulator keeps across restarts when given a state file: users and their calendars
 * (events, series and their exceptions, cancelled and removed copies, the change logs behind sync
 * tokens), OAuth codes, access and refresh tokens and grants, push channels with their message
 * numbers, and the outbox. Scripted faults, call counts, `configure` settings and notifications still
 * waiting for delivery or a retry start over.
 */
import type { PersistedState } from '../shared/state-file';
import type { CalendarStoreSnapshot } from './calendar-store';
import type { Parts } from './control';
import type { OAuthSnapshot } from './oauth-service';
import type { OutboxMessage } from './outbox';
import type { Channel } from './push-channels';

export interface GoogleState {
  store: CalendarStoreSnapshot;
  oauth: OAuthSnapshot;
  channels: Channel[];
  outbox: OutboxMessage[];
}

export function googleState(parts: Pick<Parts, 'store' | 'oauth' | 'channels' | 'outbox'>, reset: () => void): PersistedState<GoogleState> {
  const { store, oauth, channels, outbox } = parts;
  return {
    version: 1,
    snapshot: () => ({ store: store.snapshot(), oauth: oauth.snapshot(), channels: channels.snapshot(), outbox: outbox.list() }),
    restore(saved, stoppedCleanly) {
      store.restore(saved.store);
      if (!stoppedCleanly) for (const user of store.allUsers()) user.calendar.epoch += 1; // tokens then answer 410
      oauth.restore(saved.oauth);
      channels.restore(saved.channels);
      outbox.restore(saved.outbox);
    },
    reset,
  };
}
