/**
 * Builds the provider registry from endpoint settings. The same code talks to Google and Microsoft
 * or to any emulator of them: only these settings differ (SPEC §7, README "Providers").
 */
import { GoogleAuth, GoogleCalendar } from './google';
import { MicrosoftAuth, MicrosoftCalendar } from './microsoft';
import type { ProviderRegistry } from './registry';
import type { ProviderName } from '../model/calendar-event';

export interface GoogleSettings {
  clientId: string;
  clientSecret: string;
  /** googleapis `rootUrl`; Google's own when absent. */
  apiRootUrl?: string;
  authUrl?: string;
  tokenUrl?: string;
  revokeUrl?: string;
}

export interface MicrosoftSettings {
  clientId: string;
  clientSecret: string;
  /** Graph base URL (without the version); Graph's own when absent. */
  graphBaseUrl?: string;
  /** Identity platform authority, e.g. `https://login.microsoftonline.com/common`. */
  authority: string;
  /** An extra CA (PEM) to trust: the emulator's locally generated one. */
  ca?: string;
}

export interface ProviderSettings {
  google?: GoogleSettings;
  microsoft?: MicrosoftSettings;
}

/** Neither real credentials nor an emulator are configured for this provider. */
export class ProviderNotConfiguredError extends Error {
  override name = 'ProviderNotConfiguredError';
  constructor(readonly provider: ProviderName) {
    super(`${provider === 'GOOGLE' ? 'Google' : 'Microsoft'} is not configured on this server (set its client id and secret)`);
  }
}

export function createProviderRegistry(settings: ProviderSettings): ProviderRegistry {
  const { google, microsoft } = settings;
  // Auth clients hold no per-user state, so one of each serves every connection.
  const googleAuth = google && new GoogleAuth(google);
  const microsoftAuth = microsoft && new MicrosoftAuth(microsoft);
  return {
    auth(provider) {
      const auth = provider === 'GOOGLE' ? googleAuth : microsoftAuth;
      if (!auth) throw new ProviderNotConfiguredError(provider);
      return auth;
    },
    calendar(provider, accessToken) {
      if (provider === 'GOOGLE') {
        if (!google) throw new ProviderNotConfiguredError(provider);
        return new GoogleCalendar({ rootUrl: google.apiRootUrl, accessToken });
      }
      if (!microsoft) throw new ProviderNotConfiguredError(provider);
      return new MicrosoftCalendar({ baseUrl: microsoft.graphBaseUrl, accessToken, ca: microsoft.ca });
    },
  };
}
