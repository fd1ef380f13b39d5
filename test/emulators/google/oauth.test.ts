/**
 * Google OAuth contract: consent page, code flow, refresh, revocation and expiry, seen through the
 * adapter (`GoogleAuth`, `GoogleCalendar`) and the unmodified googleapis OAuth2 client.
 */
import { google } from '../../../providers/google/googleapis';
import type { GoogleEmulator } from '../../../devstack/emulators/google';
import { ProviderError } from '../../../providers/errors';
import { GOOGLE_SCOPES } from '../../../providers/google';
import { CLIENT, REDIRECT_URI, authFor, connectUser, rejectionOf, startEmulator } from './support';

describe('Google emulator: OAuth', () => {
  let emulator: GoogleEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());

  const consentUrl = (email?: string) => authFor(emulator).authorizationUrl({ state: 'xyz', redirectUri: REDIRECT_URI, loginHint: email });

  it('asks for the least scopes, offline access and forced consent', async () => {
    const url = new URL(await consentUrl('ann@portal.example'));
    expect(`${url.origin}${url.pathname}`).toBe(emulator.authUrl);
    expect(url.searchParams.get('scope')).toBe('openid email https://www.googleapis.com/auth/calendar.events');
    expect(url.searchParams.get('scope')!.split(' ')).toEqual(GOOGLE_SCOPES);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      access_type: 'offline', prompt: 'consent', include_granted_scopes: 'true', state: 'xyz', login_hint: 'ann@portal.example',
      response_type: 'code', client_id: CLIENT.clientId, redirect_uri: REDIRECT_URI,
    });
  });

  it('renders a consent page whose Allow and Deny buttons redirect with code or error', async () => {
    emulator.control.createUser({ email: 'page@portal.example', name: 'Page User' });
    const url = await consentUrl('page@portal.example');
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('View and edit events on all your calendars');
    expect(html).toContain('<option value="page@portal.example" selected>');
    const request = /name="request" value="([^"]*)"/.exec(html)![1]!.replace(/&amp;/g, '&');

    const post = (decision: string) =>
      fetch(url, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ request, email: 'page@portal.example', decision }) });
    const allowed = await post('allow');
    expect(allowed.status).toBe(302);
    const location = new URL(allowed.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('state')).toBe('xyz');
    expect(location.searchParams.get('code')).toBeTruthy();

    const denied = new URL((await post('deny')).headers.get('location')!);
    expect(Object.fromEntries(denied.searchParams)).toEqual({ error: 'access_denied', state: 'xyz' });
    expect(new URL(await emulator.control.denyConsent(url)).searchParams.get('error')).toBe('access_denied');
  });

  it('refuses malformed authorization requests on the page', async () => {
    const url = new URL(await consentUrl());
    const broken = (mutate: (params: URLSearchParams) => void) => {
      const copy = new URL(url);
      mutate(copy.searchParams);
      return fetch(copy);
    };
    expect((await broken((p) => p.set('client_id', 'someone-else'))).status).toBe(401);
    expect((await broken((p) => p.set('response_type', 'token'))).status).toBe(400);
    expect((await broken((p) => p.delete('scope'))).status).toBe(400);
    expect((await broken((p) => p.set('scope', 'https://www.googleapis.com/auth/drive'))).status).toBe(400);
    expect((await broken((p) => p.set('redirect_uri', 'not a url'))).status).toBe(400);
  });

  it('exchanges a one-time code for tokens and the consenting email', async () => {
    emulator.control.createUser({ email: 'code@portal.example' });
    const auth = authFor(emulator);
    const redirect = new URL(await emulator.control.approveConsent(await consentUrl(), 'code@portal.example'));
    const code = redirect.searchParams.get('code')!;
    const before = Date.now();
    const { email, credentials } = await auth.exchangeCode({ code, redirectUri: REDIRECT_URI });
    expect(email).toBe('code@portal.example');
    expect(credentials.accessToken).toBeTruthy();
    expect(credentials.refreshToken).toBeTruthy();
    expect(Date.parse(credentials.expiresAt)).toBeGreaterThanOrEqual(before + 3599_000);

    const reused = await rejectionOf(auth.exchangeCode({ code, redirectUri: REDIRECT_URI }));
    expect(reused).toMatchObject({ kind: 'invalid', details: { status: 400, reason: 'invalid_grant' } });
  });

  it('binds the code to its redirect_uri and client (raw googleapis OAuth2 client)', async () => {
    emulator.control.createUser({ email: 'bind@portal.example' });
    const client = new google.auth.OAuth2({ ...CLIENT, redirectUri: REDIRECT_URI, endpoints: { oauth2TokenUrl: emulator.tokenUrl } });
    const code = async () => new URL(await emulator.control.approveConsent(await consentUrl(), 'bind@portal.example')).searchParams.get('code')!;
    const mismatch = await rejectionOf(client.getToken({ code: await code(), redirect_uri: 'http://127.0.0.1:9/elsewhere' }));
    expect(mismatch.response.status).toBe(400);
    expect(mismatch.response.data.error).toBe('redirect_uri_mismatch');

    const wrongSecret = new google.auth.OAuth2({ clientId: CLIENT.clientId, clientSecret: 'guessed', redirectUri: REDIRECT_URI, endpoints: { oauth2TokenUrl: emulator.tokenUrl } });
    const refused = await rejectionOf(wrongSecret.getToken(await code()));
    expect(refused.response.status).toBe(401);
    expect(refused.response.data.error).toBe('invalid_client');

    // Client authentication through HTTP Basic instead of the form body works the same.
    const basic = new google.auth.OAuth2({ ...CLIENT, redirectUri: REDIRECT_URI, endpoints: { oauth2TokenUrl: emulator.tokenUrl }, clientAuthentication: 'ClientSecretBasic' as never });
    await expect(basic.getToken(await code())).resolves.toMatchObject({ tokens: { token_type: 'Bearer' } });

    const { tokens } = await client.getToken(await code());
    expect(tokens).toMatchObject({ token_type: 'Bearer', scope: GOOGLE_SCOPES.join(' ') });
    const payload = JSON.parse(Buffer.from(tokens.id_token!.split('.')[1]!, 'base64url').toString());
    expect(payload).toMatchObject({ iss: emulator.url, aud: CLIENT.clientId, email: 'bind@portal.example', email_verified: true });
    expect(payload.sub).toMatch(/^\d+$/);
  });

  it('refreshes, keeps the refresh token, and answers authRevoked once the grant is revoked', async () => {
    const user = await connectUser(emulator, 'refresh@portal.example');
    const auth = authFor(emulator);
    const fresh = await auth.refresh(user.credentials);
    expect(fresh.accessToken).not.toBe(user.credentials.accessToken);
    expect(fresh.refreshToken).toBe(user.credentials.refreshToken);

    expect(emulator.control.revokeRefreshTokens('refresh@portal.example')).toBe(1);
    const error = await rejectionOf(auth.refresh(fresh));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'authRevoked', name: 'AuthRevokedError', retryable: false });

    const raw = new google.auth.OAuth2({ ...CLIENT, endpoints: { oauth2TokenUrl: emulator.tokenUrl } });
    raw.setCredentials({ refresh_token: fresh.refreshToken });
    const rawError = await rejectionOf(raw.refreshAccessToken());
    expect(rawError.response.data).toEqual({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
  });

  it('revokes through the revocation endpoint: refresh fails, the access token stops working', async () => {
    const user = await connectUser(emulator, 'revoke@portal.example');
    const client = new google.auth.OAuth2({ ...CLIENT, endpoints: { oauth2RevokeUrl: emulator.revokeUrl } });
    await client.revokeToken(user.credentials.refreshToken!);
    expect(await rejectionOf(authFor(emulator).refresh(user.credentials))).toMatchObject({ kind: 'authRevoked' });
    expect(await rejectionOf(user.calendar.getEvent('whatever1'))).toMatchObject({ kind: 'authExpired' });
    expect(await rejectionOf(client.revokeToken('unknown-token'))).toMatchObject({ response: { status: 400 } });
  });

  it('answers 401 in Google’s error shape for expired and missing tokens: authExpired', async () => {
    const user = await connectUser(emulator, 'expire@portal.example');
    await user.calendar.listChanges({});
    expect(emulator.control.expireAccessTokens('expire@portal.example')).toBeGreaterThan(0);
    const error = await rejectionOf(user.calendar.listChanges({}));
    expect(error).toMatchObject({ kind: 'authExpired', retryable: true, details: { status: 401 } });

    const raw = await rejectionOf(user.raw.events.list({ calendarId: 'primary' }));
    expect(raw.response.status).toBe(401);
    expect(raw.response.data.error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED', errors: [{ domain: 'global', reason: 'authError' }] });
    const missing = await fetch(`${emulator.url}/calendar/v3/calendars/primary/events`);
    expect(missing.status).toBe(401);

    user.credentials = await authFor(emulator).refresh(user.credentials);
    await expect(user.calendar.listChanges({})).resolves.toMatchObject({ events: [] });
  });

  it('expires access tokens after their lifetime', async () => {
    const short = await startEmulator({ accessTokenLifetimeSeconds: 1 });
    try {
      const user = await connectUser(short, 'short@portal.example');
      expect(Date.parse(user.credentials.expiresAt) - Date.now()).toBeLessThanOrEqual(1000);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(user.credentials.expiresAt) - Date.now()) + 20));
      expect(await rejectionOf(user.calendar.listChanges({}))).toMatchObject({ kind: 'authExpired' });
    } finally {
      await short.stop();
    }
  });

  it('maps token endpoint outages to transient, without retrying inside the client', async () => {
    const user = await connectUser(emulator, 'outage@portal.example');
    emulator.control.resetCounts();
    emulator.control.failNext('oauth.token', 1, { status: 503, retryAfterSeconds: 7 });
    const error = await rejectionOf(authFor(emulator).refresh(user.credentials));
    expect(error).toMatchObject({ kind: 'transient', details: { status: 503, retryAfterMs: 7000 } });
    expect(emulator.control.callCounts()['oauth.token']).toBe(1);
    await expect(authFor(emulator).refresh(user.credentials)).resolves.toMatchObject({ refreshToken: user.credentials.refreshToken });
  });

  it('maps an unreachable token endpoint to transient', async () => {
    const down = await startEmulator();
    const auth = authFor(down);
    await down.stop();
    const error = await rejectionOf(auth.refresh({ accessToken: 'a', refreshToken: 'r', expiresAt: new Date().toISOString() }));
    expect(error).toMatchObject({ kind: 'transient' });
  });
});
