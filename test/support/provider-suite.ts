/**
 * One harness per provider's suite: started before its tests (with that provider's calendar
 * actions), closed after them. `describe.each(E2E_PROVIDERS)` suites share this set-up.
 */
import { calendarActions, type CalendarActions } from '../../devstack/emulators/calendar-actions';
import type { ProviderName } from '../../model/calendar-event';
import { SyncHarness } from './sync-harness';

export interface ProviderSuite {
  harness: SyncHarness;
  calendar: CalendarActions;
}

export function providerSuite(provider: ProviderName, env: Record<string, string> = { SYNC_POLL_INTERVAL: '1h' }): ProviderSuite {
  const suite = {} as ProviderSuite;
  beforeAll(async () => {
    suite.harness = await SyncHarness.start(env);
    suite.calendar = calendarActions(suite.harness, provider);
  });
  afterAll(() => suite.harness?.close());
  return suite;
}
