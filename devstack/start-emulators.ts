/**
 * The built-in Google and Microsoft emulators, for `npm start` without OAuth credentials and for
 * `npm run emulators`. Their state (users, calendars, grants, push channels) is kept under
 * DATA_DIR/emulators/, beside the service's database and Temporal's: a restart carries on with the
 * connections the database says are active. They listen on fixed ports, because what the service
 * stores names them (Graph delta links are absolute URLs; MSAL keys its token cache by host).
 */
import path from 'node:path';
import type { Config } from '../config';
import { startGoogleEmulator, type GoogleEmulator } from './emulators/google';
import { startMicrosoftEmulator, type MicrosoftEmulator } from './emulators/microsoft';
import type { GoogleSettings, MicrosoftSettings } from '../providers/create-registry';

/** The emulators accept any client; these name the service in their consent pages. */
const EMULATOR_CLIENT = { clientId: 'crm-calendar-sync', clientSecret: 'emulator-secret' };

/** Where the emulators' state files live (`google.json`, `microsoft.json`). */
export const emulatorStateDir = (config: Config) => path.join(config.dataDir, 'emulators');

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
  const stateDir = emulatorStateDir(config);
  const [google, microsoft] = await Promise.all([
    which.google
      ? startGoogleEmulator({ port: config.emulators.googlePort, host, ...EMULATOR_CLIENT, stateFile: path.join(stateDir, 'google.json') })
      : undefined,
    which.microsoft
      ? startMicrosoftEmulator({
          port: config.emulators.microsoftPort,
          host,
          certDir: path.join(config.dataDir, 'emulator-ca'),
          stateFile: path.join(stateDir, 'microsoft.json'),
        })
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
