/**
 * Google OAuth 2.0 for web server apps, in memory: authorization requests and consent, one-time
 * codes, the token endpoint (`authorization_code`, `refresh_token`), revocation, and bearer checks
 * for the Calendar API. Refresh tokens are issued for `access_type=offline` on first consent or with
 * `prompt=consent`; an id_token (RS256, keys at `/oauth2/v3/certs`) tells the client who consented.
 */
import { createHash, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { CalendarStore } from './calendar-store';
import { GoogleApiError, invalidGrant, OAuthError, unauthenticated } from './errors';

export const CALENDAR_SCOPES = {
  write: ['https://www.googleapis.com/auth/calendar', 'https://www.googleapis.com/auth/calendar.events'],
  read: ['https://www.googleapis.com/auth/calendar.readonly', 'https://www.googleapis.com/auth/calendar.events.readonly'],
};
const KNOWN_SCOPES = new Set([
  'openid', 'email', 'profile',
  'https://www.googleapis.com/auth/userinfo.email', 'https://www.googleapis.com/auth/userinfo.profile',
  ...CALENDAR_SCOPES.write, ...CALENDAR_SCOPES.read,
]);
const CODE_LIFETIME_MS = 10 * 60_000;

/** A refused authorization request: shown on the consent page, never redirected (as Google does for these). */
export class ConsentError extends Error {
  constructor(readonly status: number, readonly error: string, description: string) {
    super(description);
  }
}

export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state?: string;
  loginHint?: string;
  offline: boolean;
  forceConsent: boolean;
  includeGrantedScopes: boolean;
  codeChallenge?: string;
  codeChallengeMethod?: string;
}

interface Grant { email: string; clientId: string; scopes: string[] }
interface AuthCode extends Grant { redirectUri: string; offline: boolean; forceConsent: boolean; codeChallenge?: string; codeChallengeMethod?: string; expiresAt: number }
interface AccessToken extends Grant { expiresAt: number; refreshToken?: string }
interface RefreshToken extends Grant { revoked: boolean }

/** Codes, tokens and grants as plain JSON: a restart keeps every connection's refresh token working. */
export interface OAuthSnapshot {
  codes: [string, AuthCode][];
  accessTokens: [string, AccessToken][];
  refreshTokens: [string, RefreshToken][];
  granted: [string, string[]][];
}

export interface OAuthOptions {
  clientId?: string;
  clientSecret?: string;
  accessTokenLifetimeSeconds: number;
  issuer: string;
}

const token = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;

/** One RSA key per process, made on first use: generating it costs ~100 ms, and tests start many emulators. */
let signingKeys: { privateKey: KeyObject; publicKey: KeyObject; kid: string } | undefined;
function keys() {
  if (!signingKeys) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    signingKeys = { privateKey, publicKey, kid: randomBytes(8).toString('hex') };
  }
  return signingKeys;
}

export class OAuthService {
  private codes = new Map<string, AuthCode>();
  private accessTokens = new Map<string, AccessToken>();
  private refreshTokens = new Map<string, RefreshToken>();
  private granted = new Map<string, Set<string>>();

  constructor(private readonly store: CalendarStore, readonly options: OAuthOptions) {}

  reset(): void {
    this.codes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.granted.clear();
  }

  snapshot(): OAuthSnapshot {
    return {
      codes: [...this.codes],
      accessTokens: [...this.accessTokens],
      refreshTokens: [...this.refreshTokens],
      granted: [...this.granted].map(([key, scopes]) => [key, [...scopes]]),
    };
  }

  restore(saved: OAuthSnapshot): void {
    this.codes = new Map(saved.codes);
    this.accessTokens = new Map(saved.accessTokens);
    this.refreshTokens = new Map(saved.refreshTokens);
    this.granted = new Map(saved.granted.map(([key, scopes]) => [key, new Set(scopes)]));
  }

  jwks() {
    const { publicKey, kid } = keys();
    return { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] };
  }

  /** Validates the query of a consent URL (`GET authUrl`). */
  parseAuthorizationRequest(params: URLSearchParams): AuthorizationRequest {
    const clientId = params.get('client_id') ?? '';
    if (!clientId || (this.options.clientId && clientId !== this.options.clientId)) throw new ConsentError(401, 'invalid_client', 'The OAuth client was not found.');
    const redirectUri = params.get('redirect_uri') ?? '';
    if (!/^https?:\/\/[^\s]+$/.test(redirectUri) || redirectUri.includes('#')) throw new ConsentError(400, 'redirect_uri_mismatch', 'Missing or invalid redirect_uri.');
    if (params.get('response_type') !== 'code') throw new ConsentError(400, 'unsupported_response_type', 'response_type must be code.');
    const scopes = (params.get('scope') ?? '').split(/\s+/).filter(Boolean);
    if (!scopes.length) throw new ConsentError(400, 'invalid_request', 'Missing required parameter: scope');
    const unknown = scopes.filter((scope) => !KNOWN_SCOPES.has(scope));
    if (unknown.length) throw new ConsentError(400, 'invalid_scope', `Some requested scopes were invalid: ${unknown.join(' ')}`);
    const accessType = params.get('access_type') ?? 'online';
    if (accessType !== 'online' && accessType !== 'offline') throw new ConsentError(400, 'invalid_request', `Invalid access_type: ${accessType}`);
    const method = params.get('code_challenge_method') ?? undefined;
    if (method && method !== 'S256' && method !== 'plain') throw new ConsentError(400, 'invalid_request', 'Invalid code_challenge_method.');
    return {
      clientId,
      redirectUri,
      scopes,
      state: params.get('state') ?? undefined,
      loginHint: params.get('login_hint') ?? undefined,
      offline: accessType === 'offline',
      forceConsent: (params.get('prompt') ?? '').split(/\s+/).includes('consent'),
      includeGrantedScopes: params.get('include_granted_scopes') === 'true',
      codeChallenge: params.get('code_challenge') ?? undefined,
      codeChallengeMethod: params.get('code_challenge') ? (method ?? 'plain') : undefined,
    };
  }

  /** The consent decision (the page's form and `control.approveConsent` both come here): the redirect URL. */
  decide(request: AuthorizationRequest, email: string | undefined, allow: boolean): string {
    const redirect = new URL(request.redirectUri);
    if (!allow) {
      redirect.searchParams.set('error', 'access_denied');
    } else {
      const user = email ? this.store.user(email) : undefined;
      if (!user) throw new ConsentError(400, 'invalid_request', `No account ${email ?? ''} in this emulator.`);
      const key = `${user.email.toLowerCase()} ${request.clientId}`;
      const scopes = new Set([...(request.includeGrantedScopes ? this.granted.get(key) ?? [] : []), ...request.scopes]);
      this.granted.set(key, new Set([...(this.granted.get(key) ?? []), ...scopes]));
      const code = token('4/0emu');
      this.codes.set(code, {
        email: user.email, clientId: request.clientId, scopes: [...scopes], redirectUri: request.redirectUri, offline: request.offline,
        forceConsent: request.forceConsent, codeChallenge: request.codeChallenge, codeChallengeMethod: request.codeChallengeMethod,
        expiresAt: Date.now() + CODE_LIFETIME_MS,
      });
      redirect.searchParams.set('code', code);
      redirect.searchParams.set('scope', [...scopes].join(' '));
    }
    if (request.state !== undefined) redirect.searchParams.set('state', request.state);
    return redirect.toString();
  }

  /** `POST tokenUrl` with a form body and optional `Authorization: Basic`. */
  token(form: Record<string, string | undefined>, authorization?: string): Record<string, unknown> {
    const client = this.authenticateClient(form, authorization);
    if (form.grant_type === 'authorization_code') return this.exchangeCode(form, client);
    if (form.grant_type === 'refresh_token') return this.refresh(form, client);
    throw new OAuthError(400, 'unsupported_grant_type', `Invalid grant_type: ${form.grant_type ?? ''}`);
  }

  /** `POST /revoke?token=`: revokes the grant behind an access or refresh token. */
  revoke(value: string | undefined): void {
    const access = value ? this.accessTokens.get(value) : undefined;
    const refreshValue = access?.refreshToken ?? value;
    const refresh = refreshValue ? this.refreshTokens.get(refreshValue) : undefined;
    if (!access && !refresh) throw new OAuthError(400, 'invalid_token', 'Token expired or revoked');
    if (access) access.expiresAt = 0;
    if (refresh) {
      refresh.revoked = true;
      for (const other of this.accessTokens.values()) if (other.refreshToken === refreshValue) other.expiresAt = 0;
    }
  }

  /** The token's owner for a Calendar API call, or the 401/403 Google answers. */
  authenticate(header: string | undefined, write: boolean): string {
    const bearer = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    const access = bearer ? this.accessTokens.get(bearer) : undefined;
    if (!access || access.expiresAt <= Date.now()) throw unauthenticated();
    const allowed = write ? CALENDAR_SCOPES.write : [...CALENDAR_SCOPES.write, ...CALENDAR_SCOPES.read];
    if (!access.scopes.some((scope) => allowed.includes(scope))) {
      throw new GoogleApiError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.');
    }
    return access.email;
  }

  revokeRefreshTokens(email: string): number {
    let count = 0;
    for (const refresh of this.refreshTokens.values()) {
      if (refresh.email.toLowerCase() === email.toLowerCase() && !refresh.revoked) {
        refresh.revoked = true;
        count++;
      }
    }
    return count;
  }

  expireAccessTokens(email: string): number {
    let count = 0;
    for (const access of this.accessTokens.values()) {
      if (access.email.toLowerCase() === email.toLowerCase() && access.expiresAt > 0) {
        access.expiresAt = 0;
        count++;
      }
    }
    return count;
  }

  private authenticateClient(form: Record<string, string | undefined>, authorization?: string): { id: string } {
    let id = form.client_id;
    let secret = form.client_secret;
    const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (basic) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      id = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    }
    if (!id) throw new OAuthError(400, 'invalid_request', 'Could not determine client ID from request.');
    const { clientId, clientSecret } = this.options;
    if ((clientId && id !== clientId) || (clientSecret && secret !== clientSecret)) throw new OAuthError(401, 'invalid_client', 'Unauthorized');
    return { id };
  }

  private exchangeCode(form: Record<string, string | undefined>, client: { id: string }): Record<string, unknown> {
    const code = form.code ? this.codes.get(form.code) : undefined;
    if (!code || code.expiresAt < Date.now() || code.clientId !== client.id) throw invalidGrant('Malformed auth code.');
    this.codes.delete(form.code!); // one-time, even when the rest of the request is wrong
    if (form.redirect_uri !== code.redirectUri) throw new OAuthError(400, 'redirect_uri_mismatch', 'Bad Request');
    if (code.codeChallenge && !this.verifierMatches(code, form.code_verifier)) throw invalidGrant('Invalid code verifier.');
    let refreshToken: string | undefined;
    const hasLiveRefresh = [...this.refreshTokens.values()].some((r) => !r.revoked && r.clientId === code.clientId && r.email === code.email);
    if (code.offline && (code.forceConsent || !hasLiveRefresh)) {
      refreshToken = token('1//0emu');
      this.refreshTokens.set(refreshToken, { email: code.email, clientId: code.clientId, scopes: code.scopes, revoked: false });
    }
    return { ...this.issueAccess(code, refreshToken), ...(refreshToken ? { refresh_token: refreshToken } : {}) };
  }

  private refresh(form: Record<string, string | undefined>, client: { id: string }): Record<string, unknown> {
    const refresh = form.refresh_token ? this.refreshTokens.get(form.refresh_token) : undefined;
    if (!refresh || refresh.revoked) throw invalidGrant();
    if (refresh.clientId !== client.id) throw new OAuthError(401, 'unauthorized_client', 'Unauthorized');
    return this.issueAccess(refresh, form.refresh_token);
  }

  private verifierMatches(code: AuthCode, verifier: string | undefined): boolean {
    if (!verifier) return false;
    const derived = code.codeChallengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
    return derived === code.codeChallenge;
  }

  private issueAccess(grant: Grant, refreshToken: string | undefined): Record<string, unknown> {
    const lifetime = this.options.accessTokenLifetimeSeconds;
    const accessToken = token('ya29.emu');
    this.accessTokens.set(accessToken, { ...grant, expiresAt: Date.now() + lifetime * 1000, refreshToken });
    return {
      access_token: accessToken,
      expires_in: lifetime,
      scope: grant.scopes.join(' '),
      token_type: 'Bearer',
      ...(grant.scopes.includes('openid') ? { id_token: this.idToken(grant) } : {}),
    };
  }

  private idToken(grant: Grant): string {
    const user = this.store.requireUser(grant.email);
    const now = Math.floor(Date.now() / 1000);
    const { privateKey, kid } = keys();
    const header = { alg: 'RS256', kid, typ: 'JWT' };
    const payload = {
      iss: this.options.issuer, aud: grant.clientId, azp: grant.clientId, sub: user.sub, email: user.email, email_verified: true,
      ...(user.name ? { name: user.name } : {}), iat: now, exp: now + 3600,
    };
    const signingInput = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(privateKey).toString('base64url');
    return `${signingInput}.${signature}`;
  }
}
