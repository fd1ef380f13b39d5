/**
 * Builds provider adapters for a connection. The activities and the API depend on this interface;
 * service/providers.ts decides whether it talks to the real services or to the emulators.
 */
import type { ProviderName } from '../model/calendar-event';
import type { CalendarProvider, ProviderAuth } from './types';

export interface ProviderRegistry {
  auth(provider: ProviderName): ProviderAuth;
  /** A calendar client that authenticates with whatever `accessToken()` returns at call time. */
  calendar(provider: ProviderName, accessToken: () => Promise<string>): CalendarProvider;
}
