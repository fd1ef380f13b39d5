/**
 * OAuth over HTTP: the consent page (`GET`/`POST /o/oauth2/v2/auth`), the token endpoint
 * (`POST /token`), revocation (`POST /revoke`), the id_token keys and an OpenID discovery document.
 */
import express, { type Response } from 'express';
import type { CalendarStore } from './calendar-store';
import { renderConsentPage, renderErrorPage } from './consent-page';
import type { GoogleEndpoint } from './control';
import { OAuthError, plannedOAuthError } from './errors';
import type { FaultPlan } from '../shared/fault-plan';
import { ConsentError, type OAuthService } from './oauth-service';

export const OAUTH_PATHS = { auth: '/o/oauth2/v2/auth', token: '/token', revoke: '/revoke', certs: '/oauth2/v3/certs' };

const sendOAuthError = (response: Response, error: OAuthError) =>
  response.status(error.status).set(error.headers).set('Cache-Control', 'no-store').json(error.body());

export function oauthRouter(deps: { store: CalendarStore; oauth: OAuthService; faults: FaultPlan<GoogleEndpoint>; url: string }): express.Router {
  const { store, oauth, faults, url } = deps;
  const router = express.Router();
  const form = express.urlencoded({ extended: false });

  const consentFailure = (response: Response, error: unknown) => {
    if (!(error instanceof ConsentError)) throw error;
    response.status(error.status).type('html').send(renderErrorPage(error.status, error.error, error.message));
  };

  router.get(OAUTH_PATHS.auth, (request, response) => {
    const query = new URL(request.originalUrl, url).search.slice(1);
    try {
      const parsed = oauth.parseAuthorizationRequest(new URLSearchParams(query));
      response.type('html').send(renderConsentPage(parsed, query, store.allUsers()));
    } catch (error) {
      consentFailure(response, error);
    }
  });

  router.post(OAUTH_PATHS.auth, form, (request, response) => {
    const fields = (request.body ?? {}) as Record<string, string | undefined>;
    try {
      const parsed = oauth.parseAuthorizationRequest(new URLSearchParams(fields.request ?? ''));
      response.redirect(302, oauth.decide(parsed, fields.email, fields.decision === 'allow'));
    } catch (error) {
      consentFailure(response, error);
    }
  });

  router.post(OAUTH_PATHS.token, form, (request, response) => {
    try {
      const fault = faults.call('oauth.token');
      if (fault) throw plannedOAuthError(fault);
      const tokens = oauth.token((request.body ?? {}) as Record<string, string>, request.headers.authorization);
      response.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).json(tokens);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      sendOAuthError(response, error);
    }
  });

  router.post(OAUTH_PATHS.revoke, form, (request, response) => {
    try {
      const fault = faults.call('oauth.revoke');
      if (fault) throw plannedOAuthError(fault);
      const token = (request.query.token as string | undefined) ?? (request.body as Record<string, string> | undefined)?.token;
      oauth.revoke(token);
      response.json({});
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      sendOAuthError(response, error);
    }
  });

  router.get(OAUTH_PATHS.certs, (_request, response) => {
    response.json(oauth.jwks());
  });

  router.get('/.well-known/openid-configuration', (_request, response) => {
    response.json({
      issuer: url,
      authorization_endpoint: `${url}${OAUTH_PATHS.auth}`,
      token_endpoint: `${url}${OAUTH_PATHS.token}`,
      revocation_endpoint: `${url}${OAUTH_PATHS.revoke}`,
      jwks_uri: `${url}${OAUTH_PATHS.certs}`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'email', 'profile'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['plain', 'S256'],
    });
  });

  return router;
}
