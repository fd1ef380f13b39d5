/**
 * Which Google and Microsoft the service talks to. A provider with a client id and secret in the
 * configuration is used as configured (real endpoints unless overridden); `npm start` fills the
 * missing ones with the built-in emulators (runtime/emulators.ts), so the connect flow and the sync
 * can be tried with no account anywhere.
 */
import fs from 'node:fs';
import type { Config } from '../config';
import type { GoogleSettings, MicrosoftSettings, ProviderSettings } from '../providers/create-registry';

/** Microsoft's multi-tenant authority: work, school and personal accounts. */
const MICROSOFT_DEFAULT_AUTHORITY = 'https://login.microsoftonline.com/common';

export function configuredProviders(config: Config): ProviderSettings {
  const { google, microsoft } = config;
  const googleSettings: GoogleSettings | undefined =
    google.clientId && google.clientSecret
      ? {
          clientId: google.clientId,
          clientSecret: google.clientSecret,
          apiRootUrl: google.apiRootUrl,
          authUrl: google.authUrl,
          tokenUrl: google.tokenUrl,
          revokeUrl: google.revokeUrl,
        }
      : undefined;
  const microsoftSettings: MicrosoftSettings | undefined =
    microsoft.clientId && microsoft.clientSecret
      ? {
          clientId: microsoft.clientId,
          clientSecret: microsoft.clientSecret,
          graphBaseUrl: microsoft.graphBaseUrl,
          authority: microsoft.authority ?? MICROSOFT_DEFAULT_AUTHORITY,
          ca: microsoft.caCertPath ? readCa(microsoft.caCertPath) : undefined,
        }
      : undefined;
  return { google: googleSettings, microsoft: microsoftSettings };
}

function readCa(path: string): string {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`MICROSOFT_CA_CERT_PATH: cannot read ${path} (${(error as Error).message})`);
  }
}
