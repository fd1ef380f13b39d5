/**
 * Which Google and Microsoft the service talks to. A provider with a client id and secret in the
 * configuration is used as configured (real endpoints unless overridden); `npm start` fills the
 * missing ones with the built-in emulators (devstack/start-emulators.ts), so the connect flow and the sync
 * can be tried with no account anywhere.
 */
import fs from 'node:fs';
import type { Config } from '../config';
import type { GoogleSettings, MicrosoftSettings, ProviderSettings } from '../providers/create-registry';

/** Microsoft's multi-tenant authority: work, school and personal accounts. */
const MICROSOFT_DEFAULT_AUTHORITY = 'https://login.microsoftonline.com/common';

/** A provider is configured when it has both a client id and a secret; its other settings are optional. */
export function configuredProviders(config: Config): ProviderSettings {
  const { clientId: googleId, clientSecret: googleSecret, ...googleEndpoints } = config.google;
  const { clientId: microsoftId, clientSecret: microsoftSecret, graphBaseUrl, authority, caCertPath } = config.microsoft;
  const google: GoogleSettings | undefined = googleId && googleSecret ? { clientId: googleId, clientSecret: googleSecret, ...googleEndpoints } : undefined;
  const microsoft: MicrosoftSettings | undefined =
    microsoftId && microsoftSecret
      ? {
          clientId: microsoftId,
          clientSecret: microsoftSecret,
          graphBaseUrl,
          authority: authority ?? MICROSOFT_DEFAULT_AUTHORITY,
          ca: caCertPath ? readCa(caCertPath) : undefined,
        }
      : undefined;
  return { google, microsoft };
}

function readCa(path: string): string {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`MICROSOFT_CA_CERT_PATH: cannot read ${path} (${(error as Error).message})`);
  }
}
