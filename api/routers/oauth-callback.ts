/**
 * Where the provider sends the user's browser back after consent. Public (no API key): the signed,
 * one-time `state` is what authenticates it.
 */
import { Router } from 'express';
import { z } from 'zod';
import { completeConnection, IntegrationConflictError, PROVIDER_LABEL, UnknownUserError, type ConnectDependencies } from '../../connections/connect';
import { InvalidStateError, StateAlreadyUsedError } from '../../connections/oauth-state';
import { ProviderError } from '../../providers/errors';
import type { ProviderName } from '../../providers/types';

const query = z.object({ code: z.string().min(1).optional(), state: z.string().min(1).optional(), error: z.string().optional(), error_description: z.string().optional() });

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title: string, message: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`;

export function oauthCallbackRouter(deps: ConnectDependencies): Router {
  const router = Router();
  for (const provider of ['GOOGLE', 'MICROSOFT'] as ProviderName[]) {
    router.get(`/oauth/${provider.toLowerCase()}/callback`, async (req, res) => {
      const parsed = query.safeParse(req.query);
      const { code, state, error } = parsed.success ? parsed.data : { code: undefined, state: undefined, error: 'invalid_request' };
      if (error || !code || !state) {
        res.status(400).type('html').send(page('Calendar not connected', error ? `The provider reported: ${error}.` : 'The callback is missing its code or state.'));
        return;
      }
      try {
        const done = await completeConnection(deps, { provider, code, state });
        res.type('html').send(page(`${PROVIDER_LABEL[provider]} connected`, `${done.email} is ${done.resumed ? 'reconnected' : 'connected'}. You can close this window.`));
      } catch (failure) {
        // A reload of the page that connected the calendar: say so, instead of "not connected".
        if (failure instanceof StateAlreadyUsedError) {
          const connection = await deps.db.calendarConnection.findUnique({ where: { userId: failure.userId } });
          if (connection && connection.provider === provider && connection.status !== 'DISCONNECTED') {
            res.type('html').send(page(`${PROVIDER_LABEL[provider]} connected`, `${connection.providerEmail} is connected. You can close this window.`));
            return;
          }
        }
        if (failure instanceof InvalidStateError) res.status(400);
        else if (failure instanceof IntegrationConflictError) res.status(409);
        else if (failure instanceof UnknownUserError) res.status(404);
        else if (failure instanceof ProviderError) res.status(502);
        else throw failure;
        res.type('html').send(page('Calendar not connected', (failure as Error).message));
      }
    });
  }
  return router;
}
