/**
 * Where the provider sends the user's browser back after consent. Public (no API key): the signed,
 * one-time `state` is what authenticates it. The answer is a page for a person, not an API client:
 * what happened, in their words, and what to do next.
 */
import type { Response } from 'express';
import { z } from 'zod';
import { completeConnection, PROVIDER_LABEL, type ConnectDependencies } from '../../connections/connect';
import { StateAlreadyUsedError } from '../../connections/oauth-state';
import type { ProviderName } from '../../model/calendar-event';
import { httpErrorOf } from '../http-errors';
import { errorSchema } from '../responses';
import { ApiRoutes } from '../routes';

const query = z.object({ code: z.string().min(1).optional(), state: z.string().min(1).optional(), error: z.string().optional(), error_description: z.string().optional() });

/** The consent page's button that grants access, as each provider labels it. */
const ALLOW_BUTTON: Record<ProviderName, string> = { GOOGLE: 'Allow', MICROSOFT: 'Accept' };

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;

const STYLE =
  'body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1f2328;margin:0;padding:3rem 1rem;line-height:1.5}' +
  'main{max-width:34rem;margin:0 auto;background:#fff;border-radius:8px;padding:1.5rem 2rem;border-top:6px solid}' +
  '.connected{border-color:#1a7f37}.not-connected{border-color:#cf222e}h1{font-size:1.4rem;margin:0 0 .75rem}' +
  '.next{background:#f6f8fa;border-radius:6px;padding:.75rem 1rem}';

interface Outcome {
  connected: boolean;
  title: string;
  message: string;
  next: string;
}

function send(res: Response, status: number, outcome: Outcome): void {
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(outcome.title)}</title><style>${STYLE}</style></head><body>` +
    `<main class="${outcome.connected ? 'connected' : 'not-connected'}"><h1>${escapeHtml(outcome.title)}</h1>` +
    `<p>${escapeHtml(outcome.message)}</p><p class="next"><strong>What next:</strong> ${escapeHtml(outcome.next)}</p></main></body></html>`;
  // The address holds a one-time code: a reload must ask again (and get "connected"), never a cached copy.
  res.status(status).set('Cache-Control', 'no-store').type('html').send(html);
}

const START_AGAIN = 'go back to the CRM and connect your calendar again.';
const CLOSE = 'you can close this window and go back to the CRM.';

function connected(provider: ProviderName, message: string): Outcome {
  return { connected: true, title: `${PROVIDER_LABEL[provider]} connected`, message, next: sentence(CLOSE) };
}

function notConnected(message: string, next: string): Outcome {
  return { connected: false, title: 'Calendar not connected', message: sentence(message), next: sentence(next) };
}

/** What the provider's `error` means to the person who was on its consent page. */
function providerRefusal(provider: ProviderName, error: string, description: string | undefined): Outcome {
  const label = PROVIDER_LABEL[provider];
  if (error === 'access_denied') {
    return notConnected(
      `you declined access to your ${label}, so it was not connected and nothing was shared`,
      `to connect it, go back to the CRM, connect your calendar again and click "${ALLOW_BUTTON[provider]}"`,
    );
  }
  return notConnected(`${label} did not grant access: ${error}${description ? ` (${description})` : ''}`, `${START_AGAIN} If this keeps happening, send this message to your CRM administrator`);
}

/** The page for each error code of the exchange itself (api/http-errors.ts), in the person's words. */
const FAILURE_PAGES: Record<string, (provider: ProviderName, message: string, details: unknown) => Outcome> = {
  invalid_state: (_provider, message) => notConnected(`the link that brought you here cannot be used: ${message}`, `${START_AGAIN} Each link works only once, and only for a few minutes`),
  integration_installed: (_provider, message, details) =>
    notConnected(message, `connect a ${PROVIDER_LABEL[(details as { installedProvider: ProviderName }).installedProvider]} calendar instead, or ask your CRM administrator to change the account's calendar integration`),
  not_found: (_provider, message) => notConnected(message, 'ask your CRM administrator whether your CRM user still exists, then connect again'),
  provider_failed: (provider, message) =>
    notConnected(`${PROVIDER_LABEL[provider]} did not complete the connection: ${message}`, `try again in a minute: ${START_AGAIN} If it keeps failing, tell your CRM administrator`),
};

/**
 * The page for a failure of the exchange itself, with the status the error table gives it; `undefined`
 * for an error without a page (an unexpected one, or a dependency down: the JSON error answers).
 */
function failure(provider: ProviderName, error: unknown): [number, Outcome] | undefined {
  const answer = httpErrorOf(error);
  const page = answer && FAILURE_PAGES[answer.code];
  // The error's own message: the table's may be worded for API clients ("user not found").
  return page ? [answer.status, page(provider, (error as Error).message, answer.details)] : undefined;
}

const page = (description: string) => ({ description, contentType: 'text/html', schema: z.string() });

export function oauthCallbackRouter(deps: ConnectDependencies): ApiRoutes {
  const routes = new ApiRoutes({ tags: ['Calendar connection'], security: 'none' });
  for (const provider of ['GOOGLE', 'MICROSOFT'] as ProviderName[]) {
    const operation = {
      operationId: `complete${provider === 'GOOGLE' ? 'Google' : 'Microsoft'}Connection`,
      summary: `Where ${provider === 'GOOGLE' ? 'Google' : 'Microsoft'} sends the browser back after consent`,
      description: 'Authenticated by the signed, one-time, short-lived `state` issued by `authorize`. Answers an HTML page for the person, whatever happened.',
      query,
      // A bad query answers a page too, never the API's JSON 400.
      validate: false,
      responses: {
        200: page('Connected (or reconnected, or this link already connected it)'),
        400: page('Forged, replayed or expired state, a missing code, or consent refused'),
        404: page('The user this authorization was for no longer exists'),
        409: page('The account has the other provider installed'),
        502: page('The provider did not complete the code exchange'),
        503: { description: 'The database or Temporal did not answer (the API’s JSON error)', schema: errorSchema },
      },
    };
    routes.get(`/oauth/${provider.toLowerCase()}/callback`, operation, async (_input, req, res) => {
      const parsed = query.safeParse(req.query);
      const { code, state, error, error_description } = parsed.success ? parsed.data : { code: undefined, state: undefined, error: 'invalid_request', error_description: undefined };
      if (error) return send(res, 400, providerRefusal(provider, error, error_description));
      if (!code || !state) {
        return send(res, 400, notConnected(`this address is where ${PROVIDER_LABEL[provider]} sends you back after you allow access, and it is missing its code or state`, START_AGAIN));
      }
      try {
        const done = await completeConnection(deps, { provider, code, state });
        const message = done.resumed
          ? `${done.email} is reconnected: syncing carries on where it stopped.`
          : `${done.email} is connected. The first sync has started: meetings with your CRM contacts appear on their timelines shortly, and later changes follow on their own.`;
        send(res, 200, connected(provider, message));
      } catch (caught) {
        // A reload of the page that connected the calendar: say so, instead of "not connected".
        if (caught instanceof StateAlreadyUsedError) {
          const connection = await deps.db.calendarConnection.findUnique({ where: { userId: caught.userId } });
          if (connection && connection.provider === provider && connection.status !== 'DISCONNECTED') {
            return send(res, 200, connected(provider, `${connection.providerEmail} is connected. This link was already used to connect it: there is nothing more to do.`));
          }
        }
        const answer = failure(provider, caught);
        if (!answer) throw caught;
        send(res, ...answer);
      }
    });
  }
  return routes;
}
