/**
 * Google emulator: Calendar API v3 + Google OAuth 2.0 on a local HTTP server, in memory (kept in a
 * file across restarts with `stateFile`: see state.ts), for tests and the demo. Point the unmodified
 * `googleapis` client at it with `rootUrl` and the OAuth2 client's `endpoints` (`authUrl`,
 * `tokenUrl`, `revokeUrl`).
 *
 * What it reproduces (the semantics the sync depends on):
 * - OAuth: consent page (`GET authUrl`, one-click Allow/Deny), one-time codes bound to client and
 *   `redirect_uri`, `access_type=offline`/`prompt=consent` refresh tokens, refresh, `invalid_grant`
 *   for dead refresh tokens, `/revoke`, RS256 id_token with the consenting email.
 * - Calendar: `events.list` (paging, `syncToken`/`nextSyncToken` on the last page only, deletions as
 *   bare `cancelled` items, 410 `fullSyncRequired`, params refused with `syncToken`), `get`, `insert`
 *   (client ids, 409 `duplicate`), `patch`, `delete` (410 `deleted` the second time), `sendUpdates`
 *   mail recorded in an outbox, recurring masters with exceptions (instance ids
 *   `<masterId>_<YYYYMMDDTHHMMSSZ>`), out-of-office events, one shared event in every attendee-user's
 *   calendar (same id and iCalUID), Google's JSON error bodies.
 * - Push: `events.watch` channels that really POST `sync` then `exists` notifications, retried on
 *   500/502/503/504 with exponential backoff, `channels.stop`.
 * - Not supported: `singleEvents=true` (400), other calendars than the user's primary, `events.update`
 *   (PUT), `events.instances`, `events.move`, recurrence expansion (a series with no `UNTIL` counts
 *   as endless for `timeMin`).
 *
 * Control: `emulator.control` in process, or `POST /_emulator/<method>` with a JSON array of
 * arguments (`GET /_emulator` lists the methods). See control.ts.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { controlRpcRouter } from '../shared/control-rpc';
import { FaultPlan } from '../shared/fault-plan';
import { listenHttp } from '../shared/http-listen';
import { StateFile } from '../shared/state-file';
import { WebhookSender } from '../shared/webhook-sender';
import { calendarRouter } from './calendar-routes';
import { CalendarStore } from './calendar-store';
import { CONTROL_METHODS, GoogleEmulatorControl, type GoogleEndpoint } from './control';
import { GoogleApiError } from './errors';
import { EventService } from './event-service';
import { OAUTH_PATHS, oauthRouter } from './oauth-routes';
import { OAuthService } from './oauth-service';
import { Outbox } from './outbox';
import { googleDeliveryPolicy, PushChannels } from './push-channels';
import { googleState } from './state';

export { GoogleEmulatorControl, GOOGLE_ENDPOINTS, type GoogleEndpoint, type Invitation } from './control';
export type { OutboxMessage, MailKind, SendUpdates } from './outbox';
export type { ChannelView } from './push-channels';
export type { PlannedFault } from '../shared/fault-plan';
export type { DeliveryFaults, RetrySchedule } from '../shared/webhook-sender';

export interface GoogleEmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  accessTokenLifetimeSeconds?: number;
  /** Longest channel lifetime granted by `events.watch` (default 7 days); longer requests are capped. */
  maxChannelLifetimeSeconds?: number;
  /** When set, only this client (and secret) is accepted; otherwise any client is. */
  clientId?: string;
  clientSecret?: string;
  /** Where failed notification deliveries are reported (default: stderr). */
  log?: (line: string) => void;
  /** A JSON file the state is loaded from and saved to; without one it lives in memory only (tests, the bench). */
  stateFile?: string;
}

export interface GoogleEmulator {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `${url}/`, googleapis' `rootUrl`. */
  rootUrl: string;
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  control: GoogleEmulatorControl;
  stop(): Promise<void>;
}

export async function startGoogleEmulator(options: GoogleEmulatorOptions = {}): Promise<GoogleEmulator> {
  let app: express.Express | undefined;
  // Listen first: the URLs (push resource URIs, id_token issuer) depend on the port chosen.
  const server = await listenHttp((request, response) => app!(request, response), { host: options.host, port: options.port ?? 0 });
  const { url } = server;
  const rootUrl = `${url}/`;

  const log = options.log ?? ((line: string) => process.stderr.write(`[google-emulator] ${line}\n`));
  const store = new CalendarStore();
  const outbox = new Outbox((email) => !!store.user(email));
  const events = new EventService(store, outbox);
  const oauth = new OAuthService(store, {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 3600,
    issuer: url,
  });
  const sender = new WebhookSender(log, googleDeliveryPolicy);
  const channels = new PushChannels(store, sender, rootUrl, options.maxChannelLifetimeSeconds ?? 7 * 24 * 3600);
  store.onChange = (calendar) => channels.notifyChange(calendar);
  const faults = new FaultPlan<GoogleEndpoint>();
  const control = new GoogleEmulatorControl({ store, events, oauth, channels, sender, outbox, faults });
  const stateFile = options.stateFile ? new StateFile(options.stateFile, googleState({ store, oauth, channels, outbox }, () => control.reset()), log) : undefined;
  stateFile?.load();

  app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  if (stateFile) app.use(stateFile.afterEachRequest);
  app.use('/_emulator', controlRpcRouter(control, CONTROL_METHODS));
  app.use(oauthRouter({ store, oauth, faults, url }));
  app.use(calendarRouter({ store, events, oauth, channels, faults }));
  app.use((_request: Request, _response: Response, next: NextFunction) => next(new GoogleApiError(404, 'notFound', 'Not Found')));
  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    let failure = error as GoogleApiError;
    if (!(error instanceof GoogleApiError)) {
      const parseError = (error as { type?: string }).type === 'entity.parse.failed';
      if (!parseError) log(`internal error: ${(error as Error).stack ?? String(error)}`);
      failure = parseError ? new GoogleApiError(400, 'parseError', 'Parse Error') : new GoogleApiError(500, 'backendError', 'Backend Error');
    }
    response.status(failure.status).set(failure.headers).json(failure.body());
  });

  return {
    url,
    rootUrl,
    authUrl: `${url}${OAUTH_PATHS.auth}`,
    tokenUrl: `${url}${OAUTH_PATHS.token}`,
    revokeUrl: `${url}${OAUTH_PATHS.revoke}`,
    control,
    async stop() {
      sender.stop();
      await server.close();
      stateFile?.close();
    },
  };
}
