/**
 * Microsoft emulator: Graph v1.0 (a user's default calendar, calendarView delta, change-notification
 * subscriptions) and the identity platform (consent, v2.0 token endpoint, OpenID metadata, JWKS),
 * over HTTPS with a locally generated CA, driven by the unmodified `@azure/msal-node` and
 * `@microsoft/microsoft-graph-client`. In memory (kept in a file across restarts with `stateFile`:
 * see state.ts), deterministic, no per-request logging.
 *
 * What it reproduces: MSAL's code and refresh grants with id_token + client_info, revocable refresh
 * tokens (`invalid_grant`), 401 `InvalidAuthenticationToken` for expired access tokens; event
 * create (with `transactionId` idempotency), get, patch, delete, Outlook's own invitations (outbox);
 * copies of one meeting in several users' calendars (same iCalUId, own ids); daily, weekly, monthly
 * and yearly series with occurrences, exceptions and cancelled occurrences; delta with
 * nextLink/deltaLink paging, occurrence stubs, `@removed` and 410 `syncStateNotFound`; subscriptions
 * with the validation handshake, capped expiry, listing, `clientState`, real notifications (retried
 * until answered 2xx) and lifecycle events; times in any Windows or IANA zone, kept as
 * `originalStartTimeZone` and rendered in the `Prefer: outlook.timezone` zone or the event's own;
 * scripted faults (429 + Retry-After, 503, …) and call counts.
 * Not supported: calendars other than the default one, `$select`/`$filter`, relative monthly/yearly
 * recurrence, series repeating by local time across a DST change (occurrences repeat in UTC), batching.
 *
 * Control: `emulator.control` in process, or over HTTPS: `GET /_emulator` lists the methods,
 * `POST /_emulator/<method>` takes a JSON array of arguments (GET for argument-less ones).
 */
import crypto from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { controlRpcRouter } from '../shared/control-rpc';
import { FaultPlan } from '../shared/fault-plan';
import { StateFile } from '../shared/state-file';
import { WebhookSender } from '../shared/webhook-sender';
import { loadOrCreateCertificates } from './certificates';
import { CONTROL_METHODS, MicrosoftEmulatorControl } from './control';
import { DeltaService } from './delta';
import type { MicrosoftEndpoint } from './endpoints';
import { EventService } from './event-service';
import { sendGraphError } from './graph-errors';
import { graphRouter } from './graph-routes';
import { identityRouter, IdentityService } from './identity';
import { MailboxStore } from './mailboxes';
import { microsoftState } from './state';
import { graphDeliveryPolicy, Subscriptions } from './subscriptions';

export { MicrosoftEmulatorControl, type Invitation } from './control';
export { MICROSOFT_ENDPOINTS, type MicrosoftEndpoint } from './endpoints';
export type { OutboxMessage } from './event-service';

/** A fixed directory id: MSAL keys accounts by it, so it must not change between starts. */
export const EMULATOR_TENANT_ID = '5b1e0a4c-0000-4000-8000-00000000e001';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface MicrosoftEmulatorOptions {
  port?: number;
  /** Interface to listen on (127.0.0.1). */
  host?: string;
  /**
   * The authority's tenant segment: `common` (or `organizations`/`consumers`) or a directory id
   * (default: the emulator's fixed directory id). Tokens always carry the directory id as `tid`.
   */
  tenant?: string;
  accessTokenLifetimeSeconds?: number;
  /** Where the CA and server certificate are kept (reused while valid). */
  certDir?: string;
  /** Longest subscription lifetime accepted (Graph documents 10,080 minutes for events). */
  maxSubscriptionMinutes?: number;
  /** How long the notification URL has to echo the validation token (Graph: 10 s). */
  validationTimeoutMs?: number;
  log?: (line: string) => void;
  /**
   * A JSON file the state is loaded from and saved to; without one it lives in memory only (tests,
   * the bench). Delta links are absolute URLs: links handed out before a restart work if the
   * emulator comes back on the same port.
   */
  stateFile?: string;
}

export interface MicrosoftEmulator {
  /** `https://127.0.0.1:PORT` */
  url: string;
  /** MSAL authority: `${url}/<tenant>`. */
  authority: string;
  /** Graph client `baseUrl` (the version is added by the client). */
  graphBaseUrl: string;
  caCertPem: string;
  caCertPath: string;
  control: MicrosoftEmulatorControl;
  stop(): Promise<void>;
}

export async function startMicrosoftEmulator(options: MicrosoftEmulatorOptions = {}): Promise<MicrosoftEmulator> {
  const certificates = loadOrCreateCertificates(options.certDir ?? path.join('.data', 'emulator-ca'));
  let app: express.Express | undefined;
  const server = https.createServer({ cert: certificates.certPem, key: certificates.keyPem }, (request, response) => app!(request, response));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `https://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;

  const log = options.log ?? ((line: string) => process.stderr.write(`[microsoft-emulator] ${line}\n`));
  const tenant = options.tenant ?? EMULATOR_TENANT_ID;
  const tenantId = GUID.test(tenant) ? tenant : EMULATOR_TENANT_ID;
  const store = new MailboxStore();
  const identity = new IdentityService(store, {
    url,
    tenant,
    tenantId,
    accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 3600,
    signingKey: crypto.createPrivateKey(certificates.keyPem),
  });
  const events = new EventService(store);
  const delta = new DeltaService(store, url);
  const sender = new WebhookSender(log, graphDeliveryPolicy);
  const subscriptions = new Subscriptions(sender, {
    tenant: tenantId,
    maxMinutes: options.maxSubscriptionMinutes ?? 10_080,
    validationTimeoutMs: options.validationTimeoutMs ?? 10_000,
  });
  store.onChange = (mailbox, id, change) => subscriptions.notify(mailbox, id, change);
  const faults = new FaultPlan<MicrosoftEndpoint>();
  const control = new MicrosoftEmulatorControl({ store, identity, events, delta, subscriptions, sender, faults });
  const stateFile = options.stateFile ? new StateFile(options.stateFile, microsoftState({ store, identity, subscriptions, events, delta }, () => control.reset()), log) : undefined;
  stateFile?.load();

  app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  if (stateFile) app.use(stateFile.afterEachRequest);
  app.use('/_emulator', controlRpcRouter(control, CONTROL_METHODS));
  app.use(identityRouter(identity, store, faults));
  app.use(graphRouter({ store, identity, events, delta, subscriptions, faults }));
  app.use((_req: Request, res: Response) => sendGraphError(res, 404, 'NotFound', 'Not found'));
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    log(`internal error: ${(error as Error).stack ?? String(error)}`);
    sendGraphError(res, 500, 'InternalServerError', 'Internal error');
  });

  return {
    url,
    authority: identity.authority,
    graphBaseUrl: url,
    caCertPem: certificates.caCertPem,
    caCertPath: certificates.caCertPath,
    control,
    async stop() {
      sender.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      stateFile?.close();
    },
  };
}
