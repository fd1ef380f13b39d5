/**
 * The Microsoft identity platform, as much as MSAL Node's confidential client uses: OpenID metadata
 * (so MSAL needs no cloud discovery), a one-click consent page, and the v2.0 token endpoint for
 * `authorization_code` and `refresh_token` with id_token + client_info (MSAL builds its account from
 * them). Refresh tokens can be revoked; a dead one answers `invalid_grant` as AAD does.
 */
import crypto from 'node:crypto';
import express, { type Router } from 'express';
import type { FaultPlan } from '../shared/fault-plan';
import type { Mailbox, MailboxStore } from './mailboxes';
import type { MicrosoftEndpoint } from './endpoints';

const CODE_TTL_MS = 10 * 60_000;

interface Grant {
  email: string;
  clientId: string;
  scope: string;
}

/** Codes and tokens as plain JSON: a restart keeps every connection's refresh token working. */
export interface IdentitySnapshot {
  codes: [string, Grant & { redirectUri: string; expiresAt: number }][];
  refreshTokens: [string, Grant & { revoked: boolean }][];
  accessTokens: [string, { email: string; expiresAt: number }][];
}

export interface IdentityOptions {
  url: string;
  /** The authority's tenant segment: a tenant id, or `common`/`organizations`/`consumers`. */
  tenant: string;
  /** The directory's id: `tid` in id tokens, `utid` in client_info, whatever segment was used. */
  tenantId: string;
  accessTokenLifetimeSeconds: number;
  /** Signs id tokens; its public half is served as the JWKS. */
  signingKey: crypto.KeyObject;
}

/** Segments AAD accepts in place of a tenant id. */
const MULTI_TENANT = ['common', 'organizations', 'consumers'];

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

export class IdentityService {
  private codes = new Map<string, Grant & { redirectUri: string; expiresAt: number }>();
  private refreshTokens = new Map<string, Grant & { revoked: boolean }>();
  private accessTokens = new Map<string, { email: string; expiresAt: number }>();

  constructor(
    private readonly mailboxes: MailboxStore,
    readonly options: IdentityOptions,
  ) {}

  get authority(): string {
    return `${this.options.url}/${this.options.tenant}`;
  }

  /** Tenant segments served: the configured one, the directory id, and the multi-tenant aliases. */
  servesTenant(segment: string): boolean {
    return segment === this.options.tenant || segment === this.options.tenantId || MULTI_TENANT.includes(segment);
  }

  /** OpenID metadata for an authority on `segment`; multi-tenant ones name `{tenantid}` as AAD does. */
  metadata(segment: string) {
    const authority = `${this.options.url}/${segment}`;
    const issuerTenant = MULTI_TENANT.includes(segment) ? '{tenantid}' : this.options.tenantId;
    return {
      issuer: `${this.options.url}/${issuerTenant}/v2.0`,
      authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
      token_endpoint: `${authority}/oauth2/v2.0/token`,
      end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
      jwks_uri: `${authority}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'name', 'oid', 'tid', 'preferred_username', 'email', 'ver'],
      tenant_region_scope: null,
      cloud_instance_name: new URL(this.options.url).host,
      cloud_graph_host_name: new URL(this.options.url).host,
      msgraph_host: new URL(this.options.url).host,
    };
  }

  /** Instance discovery (MSAL asks only when the authority is not in `knownAuthorities`). */
  instanceDiscovery(segment: string) {
    const host = new URL(this.options.url).host;
    return {
      tenant_discovery_endpoint: `${this.options.url}/${segment}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    };
  }

  jwks() {
    const jwk = crypto.createPublicKey(this.options.signingKey).export({ format: 'jwk' });
    return { keys: [{ ...jwk, kty: 'RSA', use: 'sig', kid: 'emulator', alg: 'RS256' }] };
  }

  /** The redirect after "Allow": the authorization URL's own redirect_uri with a one-time code. */
  approve(authorizationUrl: string, email: string): string {
    const url = new URL(authorizationUrl);
    const params = url.searchParams;
    const redirectUri = params.get('redirect_uri');
    const clientId = params.get('client_id');
    if (!redirectUri || !clientId || params.get('response_type') !== 'code') {
      throw Object.assign(new Error('authorization request needs client_id, redirect_uri and response_type=code'), { status: 400 });
    }
    this.mailboxes.require(email);
    const code = crypto.randomBytes(24).toString('base64url');
    this.codes.set(code, { email, clientId, redirectUri, scope: params.get('scope') ?? '', expiresAt: Date.now() + CODE_TTL_MS });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    const state = params.get('state');
    if (state) back.searchParams.set('state', state);
    return back.toString();
  }

  deny(authorizationUrl: string): string {
    const params = new URL(authorizationUrl).searchParams;
    const back = new URL(params.get('redirect_uri') ?? '');
    back.searchParams.set('error', 'access_denied');
    back.searchParams.set('error_description', 'AADSTS65004: User declined to consent to access the app.');
    const state = params.get('state');
    if (state) back.searchParams.set('state', state);
    return back.toString();
  }

  /** The mailbox a bearer token belongs to, if it is live. */
  mailboxFor(authorization: string | undefined): Mailbox | undefined {
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
    const grant = token ? this.accessTokens.get(token) : undefined;
    if (!grant || grant.expiresAt <= Date.now()) return undefined;
    return this.mailboxes.get(grant.email);
  }

  revokeRefreshTokens(email: string): number {
    let count = 0;
    for (const grant of this.refreshTokens.values()) if (grant.email === email.toLowerCase() && !grant.revoked) (grant.revoked = true), count++;
    return count;
  }

  expireAccessTokens(email: string): number {
    let count = 0;
    for (const grant of this.accessTokens.values()) if (grant.email === email.toLowerCase() && grant.expiresAt > Date.now()) (grant.expiresAt = 0), count++;
    return count;
  }

  reset(): void {
    this.codes.clear();
    this.refreshTokens.clear();
    this.accessTokens.clear();
  }

  snapshot(): IdentitySnapshot {
    return { codes: [...this.codes], refreshTokens: [...this.refreshTokens], accessTokens: [...this.accessTokens] };
  }

  restore(saved: IdentitySnapshot): void {
    this.codes = new Map(saved.codes);
    this.refreshTokens = new Map(saved.refreshTokens);
    this.accessTokens = new Map(saved.accessTokens);
  }

  /** Token endpoint: a JSON body and status, as AAD answers. */
  token(form: Record<string, string>): { status: number; body: Record<string, unknown> } {
    const fail = (error: string, description: string, code: number) => ({
      status: 400,
      body: { error, error_description: `AADSTS${code}: ${description}`, error_codes: [code], timestamp: new Date().toISOString(), trace_id: crypto.randomUUID(), correlation_id: crypto.randomUUID() },
    });
    if (!form.client_id || !form.client_secret) return fail('invalid_client', 'The request body must contain client_id and client_secret.', 7000218);
    if (form.grant_type === 'authorization_code') {
      const grant = this.codes.get(form.code ?? '');
      this.codes.delete(form.code ?? '');
      if (!grant || grant.expiresAt < Date.now() || grant.clientId !== form.client_id) return fail('invalid_grant', 'The provided authorization code is invalid or has expired.', 70008);
      if (grant.redirectUri !== form.redirect_uri) return fail('invalid_grant', 'The reply URL does not match the one of the authorization request.', 50011);
      return { status: 200, body: this.issue(grant, form.scope || grant.scope) };
    }
    if (form.grant_type === 'refresh_token') {
      const grant = this.refreshTokens.get(form.refresh_token ?? '');
      if (!grant || grant.revoked || grant.clientId !== form.client_id) {
        // AAD's answer to a revoked or unknown refresh token; `bad_token` makes MSAL raise InteractionRequiredAuthError.
        const failure = fail('invalid_grant', 'The provided authorization code or refresh token has expired due to inactivity or been revoked.', 70008);
        return { ...failure, body: { ...failure.body, suberror: 'bad_token' } };
      }
      return { status: 200, body: this.issue(grant, form.scope || grant.scope) };
    }
    return fail('unsupported_grant_type', `grant_type ${form.grant_type} is not supported.`, 70003);
  }

  private issue(grant: Grant, scope: string) {
    const mailbox = this.mailboxes.require(grant.email);
    const accessToken = `eyJ.emu.${crypto.randomBytes(24).toString('base64url')}`;
    const refreshToken = `M.emu.${crypto.randomBytes(32).toString('base64url')}`;
    const lifetime = this.options.accessTokenLifetimeSeconds;
    this.accessTokens.set(accessToken, { email: mailbox.email, expiresAt: Date.now() + lifetime * 1000 });
    this.refreshTokens.set(refreshToken, { ...grant, revoked: false });
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      aud: grant.clientId,
      iss: `${this.options.url}/${this.options.tenantId}/v2.0`,
      iat: now,
      nbf: now,
      exp: now + 3600,
      name: mailbox.name,
      oid: mailbox.oid,
      preferred_username: mailbox.email,
      email: mailbox.email,
      sub: mailbox.oid,
      tid: this.options.tenantId,
      ver: '2.0',
    };
    const unsigned = `${base64url({ alg: 'RS256', typ: 'JWT', kid: 'emulator' })}.${base64url(claims)}`;
    const idToken = `${unsigned}.${crypto.sign('sha256', Buffer.from(unsigned), this.options.signingKey).toString('base64url')}`;
    return {
      token_type: 'Bearer',
      scope: scope.split(' ').filter((s) => !['openid', 'profile', 'offline_access', 'email'].includes(s)).join(' '),
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken,
      refresh_token: refreshToken,
      id_token: idToken,
      client_info: base64url({ uid: mailbox.oid, utid: this.options.tenantId }),
    };
  }
}

function consentPage(query: Record<string, string>, emails: string[]): string {
  const hidden = Object.entries(query).map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('');
  const options = emails.map((email) => `<option${email === query.login_hint ? ' selected' : ''}>${escapeHtml(email)}</option>`).join('');
  const scopes = (query.scope ?? '').split(' ').filter(Boolean).map((s) => `<li>${escapeHtml(s)}</li>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Permissions requested</title></head><body>
<h1>Permissions requested</h1><p>${escapeHtml(query.client_id ?? 'An app')} would like to:</p><ul>${scopes}</ul>
<form method="post">${hidden}<label>Account <select name="email">${options}</select></label>
<button name="decision" value="allow">Accept</button> <button name="decision" value="deny">Cancel</button></form></body></html>`;
}

export function identityRouter(identity: IdentityService, mailboxes: MailboxStore, faults: FaultPlan<MicrosoftEndpoint>): Router {
  const router = express.Router();
  // Every identity route lives under a tenant segment; an unknown tenant answers as AAD does.
  router.use('/:tenant', (req, res, next) => {
    const segment = String(req.params.tenant);
    const identityPath = /^\/(v2\.0\/\.well-known|oauth2\/|discovery\/)/.test(req.path);
    if (!identityPath || identity.servesTenant(segment)) return next();
    res.status(400).json({ error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${segment}' not found.`, error_codes: [90002] });
  });
  router.get('/:tenant/v2.0/.well-known/openid-configuration', (req, res) => void res.json(identity.metadata(String(req.params.tenant))));
  router.get('/:tenant/discovery/instance', (req, res) => void res.json(identity.instanceDiscovery(String(req.params.tenant))));
  router.get('/:tenant/discovery/v2.0/keys', (_req, res) => void res.json(identity.jwks()));
  router.get('/:tenant/oauth2/v2.0/authorize', (req, res) => {
    res.type('html').send(consentPage(req.query as Record<string, string>, mailboxes.all().map((m) => m.email)));
  });
  router.post('/:tenant/oauth2/v2.0/authorize', express.urlencoded({ extended: false }), (req, res) => {
    const { email, decision, ...query } = req.body as Record<string, string>;
    const url = `${identity.options.url}${req.path}?${new URLSearchParams(query)}`;
    res.redirect(302, decision === 'allow' ? identity.approve(url, email ?? '') : identity.deny(url));
  });
  router.post('/:tenant/oauth2/v2.0/token', express.urlencoded({ extended: false }), (req, res) => {
    const fault = faults.call('oauth.token');
    if (fault) {
      if (fault.retryAfterSeconds !== undefined) res.set('Retry-After', String(fault.retryAfterSeconds));
      res.status(fault.status).json({ error: fault.reason ?? 'temporarily_unavailable', error_description: fault.message ?? 'AADSTS90033: A transient error has occurred.', error_codes: [90033] });
      return;
    }
    const form = { ...(req.body as Record<string, string>) };
    const basic = req.header('authorization');
    if (basic?.startsWith('Basic ')) {
      const [id, secret] = Buffer.from(basic.slice(6), 'base64').toString().split(':');
      form.client_id ??= decodeURIComponent(id ?? '');
      form.client_secret ??= decodeURIComponent(secret ?? '');
    }
    const answer = identity.token(form);
    res.status(answer.status).json(answer.body);
  });
  return router;
}
