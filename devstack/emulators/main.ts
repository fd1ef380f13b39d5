/**
 * `npm run emulators`: the Google and Microsoft emulators alone, on their configured ports, with the
 * settings that point a separately started service (or any OAuth client) at them. Their state is
 * kept in DATA_DIR/emulators/, the same files as `npm start`'s.
 */
import { loadConfig } from '../../config';
import { emulatorStateDir, googleEmulatorSettings, microsoftEmulatorSettings, startEmulators } from '../start-emulators';
import { runProcess } from '../../service/process-lifecycle';

runProcess(async (lifecycle) => {
  const config = loadConfig();
  const emulators = await startEmulators(config, { google: true, microsoft: true });
  lifecycle.onStop(emulators.stop);
  const google = googleEmulatorSettings(emulators.google!);
  const microsoft = microsoftEmulatorSettings(emulators.microsoft!);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say('Provider emulators are running.');
  say(`  Google Calendar + OAuth:     ${emulators.google!.url}   (control API: ${emulators.google!.url}/_emulator)`);
  say(`  Microsoft Graph + identity:  ${emulators.microsoft!.url}   (control API: ${emulators.microsoft!.url}/_emulator)`);
  say(`  State kept in:               ${emulatorStateDir(config)}`);
  say('');
  say('Point the service at them with:');
  say(`  GOOGLE_CLIENT_ID=${google.clientId} GOOGLE_CLIENT_SECRET=${google.clientSecret}`);
  say(`  GOOGLE_API_ROOT_URL=${google.apiRootUrl} GOOGLE_OAUTH_AUTH_URL=${google.authUrl}`);
  say(`  GOOGLE_OAUTH_TOKEN_URL=${google.tokenUrl} GOOGLE_OAUTH_REVOKE_URL=${google.revokeUrl}`);
  say(`  MICROSOFT_CLIENT_ID=${microsoft.clientId} MICROSOFT_CLIENT_SECRET=${microsoft.clientSecret}`);
  say(`  MICROSOFT_AUTHORITY=${microsoft.authority} MICROSOFT_GRAPH_BASE_URL=${microsoft.graphBaseUrl}`);
  say(`  MICROSOFT_CA_CERT_PATH=${emulators.microsoft!.caCertPath}`);
  say('Press Ctrl-C to stop.');
});
