/**
 * The built-in Google and Microsoft emulators, for `npm start` without OAuth credentials and for
 * `npm run emulators`. They hold their calendars in memory: a restart empties them, while the
 * service's database (connections, meetings) persists under DATA_DIR.
 */
import path from 'node:path';
import type { Config } from '../config';
import { startGoogleEmulator, type GoogleEmulator } from '../emulators/google';
import { startMicrosoftEmulator, type MicrosoftEmulator } from '../emulators/microsoft';
import type { GoogleSettings, MicrosoftSettings } from '../providers/create-registry';

/** The emulators accept any client; these name the service in their consent pages. */
const EMULATOR_CLIENT = { clientId: 'crm-calendar-sync', clientSecret: 'emulator-secret' };

export interface RunningEmulators {
  google?: GoogleEmulator;
  microsoft?: MicrosoftEmulator;
  stop(): Promise<void>;
}

export async function startEmulators(
  config: Config,
  which: { google: boolean; microsoft: boolean },
  users: { email: string; name?: string }[] = [],
): Promise<RunningEmulators> {
  const host = config.api.host;
  const [google, microsoft] = await Promise.all([
    which.google ? startGoogleEmulator({ port: config.emulators.googlePort, host, ...EMULATOR_CLIENT }) : undefined,
    which.microsoft
      ? startMicrosoftEmulator({ port: config.emulators.microsoftPort, host, certDir: path.join(config.dataDir, 'emulator-ca') })
      : undefined,
  ]);
  for (const user of users) {
    google?.control.createUser(user);
    microsoft?.control.createUser(user);
  }
  return {
    google,
    microsoft,
    async stop() {
      await Promise.all([google?.stop(), microsoft?.stop()]);
    },
  };
}

export function googleEmulatorSettings(emulator: GoogleEmulator): GoogleSettings {
  return { ...EMULATOR_CLIENT, apiRootUrl: emulator.rootUrl, authUrl: emulator.authUrl, tokenUrl: emulator.tokenUrl, revokeUrl: emulator.revokeUrl };
}

export function microsoftEmulatorSettings(emulator: MicrosoftEmulator): MicrosoftSettings {
  return { ...EMULATOR_CLIENT, graphBaseUrl: emulator.graphBaseUrl, authority: emulator.authority, ca: emulator.caCertPem };
}
