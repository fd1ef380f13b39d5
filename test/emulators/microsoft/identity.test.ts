import crypto from 'node:crypto';
import { ConfidentialClientApplication, InteractionRequiredAuthError } from '@azure/msal-node';
import type { MicrosoftEmulator } from '../../../devstack/emulators/microsoft';
import { ProviderError } from '../../../providers/errors';
import { MicrosoftAuth } from '../../../providers/microsoft';
import { httpsRequest } from '../../../providers/microsoft/https';
import { msalNetworkClient } from '../../../providers/microsoft/msal-network';
import { authOf, CLIENT, getJson, REDIRECT, signIn, startEmulator, WINDOW } from './support';

describe('Microsoft identity emulator through MSAL', () => {
  let emulator: MicrosoftEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());

  /** MSAL itself, configured as the adapter does but by hand. */
  const rawMsal = (authority = emulator.authority) =>
    new ConfidentialClientApplication({
      auth: { ...CLIENT, authority, knownAuthorities: [new URL(authority).host] },
      system: { networkClient: msalNetworkClient(emulator.caCertPem) },
    });

  it('serves a consent URL MSAL builds, and redirects with the code and state, or access_denied', async () => {
    emulator.control.createUser({ email: 'page@contoso.example' });
    const url = await authOf(emulator).authorizationUrl({ state: 'xyz', redirectUri: REDIRECT, loginHint: 'page@contoso.example' });
    expect(url.startsWith(`${emulator.authority}/oauth2/v2.0/authorize`)).toBe(true);
    const query = new URL(url).searchParams;
    expect(query.get('scope')!.split(' ').sort()).toEqual(['Calendars.ReadWrite', 'offline_access', 'openid', 'profile']);
    expect(query.get('login_hint')).toBe('page@contoso.example');
    const unhinted = new URL(await authOf(emulator).authorizationUrl({ state: 'xyz', redirectUri: REDIRECT })).searchParams;
    expect(unhinted.get('prompt')).toBe('select_account');
    const allowed = new URL(await emulator.control.approveConsent(url, 'page@contoso.example'));
    expect(`${allowed.origin}${allowed.pathname}`).toBe(REDIRECT);
    expect(allowed.searchParams.get('state')).toBe('xyz');
    expect(allowed.searchParams.get('code')).toBeTruthy();
    const denied = new URL(await emulator.control.denyConsent(url));
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('state')).toBe('xyz');
  });

  it('serves the consent page as HTML; its form answers with a 302 to the redirect URI', async () => {
    emulator.control.createUser({ email: 'form@contoso.example' });
    const url = await authOf(emulator).authorizationUrl({ state: 'st', redirectUri: REDIRECT, loginHint: 'form@contoso.example' });
    const page = await httpsRequest(url, { method: 'GET' }, emulator.caCertPem);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('Calendars.ReadWrite');
    expect(page.body).toContain('form@contoso.example');
    const form = (decision: string) => new URLSearchParams({ ...Object.fromEntries(new URL(url).searchParams), email: 'form@contoso.example', decision }).toString();
    const post = (decision: string) =>
      httpsRequest(url.split('?')[0]!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(decision) }, emulator.caCertPem);
    const allowed = await post('allow');
    expect(allowed.status).toBe(302);
    expect(new URL(allowed.headers.location!).searchParams.get('state')).toBe('st');
    expect(new URL(allowed.headers.location!).searchParams.get('code')).toBeTruthy();
    const denied = await post('deny');
    expect(new URL(denied.headers.location!).searchParams.get('error')).toBe('access_denied');
  });

  it('gives raw MSAL an account from id_token + client_info, refreshes silently, and fails a revoked grant with InteractionRequiredAuthError', async () => {
    const { oid } = emulator.control.createUser({ email: 'raw@contoso.example', name: 'Raw User' });
    const msal = rawMsal();
    const consent = await msal.getAuthCodeUrl({ scopes: ['Calendars.ReadWrite'], redirectUri: REDIRECT });
    const code = new URL(await emulator.control.approveConsent(consent, 'raw@contoso.example')).searchParams.get('code')!;
    const result = await msal.acquireTokenByCode({ code, scopes: ['Calendars.ReadWrite'], redirectUri: REDIRECT });
    expect(result.account).toMatchObject({ username: 'raw@contoso.example', name: 'Raw User', localAccountId: oid, homeAccountId: `${oid}.${result.account!.tenantId}` });
    expect(result.idTokenClaims).toMatchObject({ oid, preferred_username: 'raw@contoso.example', aud: CLIENT.clientId, ver: '2.0' });
    expect(result.scopes).toContain('Calendars.ReadWrite');

    const refreshed = await msal.acquireTokenSilent({ account: result.account!, scopes: ['Calendars.ReadWrite'], forceRefresh: true });
    expect(refreshed.accessToken).not.toBe(result.accessToken);

    emulator.control.revokeRefreshTokens('raw@contoso.example');
    await expect(msal.acquireTokenSilent({ account: result.account!, scopes: ['Calendars.ReadWrite'], forceRefresh: true })).rejects.toBeInstanceOf(InteractionRequiredAuthError);
  });

  it('signs id tokens with the key its JWKS publishes, and serves OpenID metadata and instance discovery', async () => {
    emulator.control.createUser({ email: 'jwks@contoso.example' });
    const msal = rawMsal();
    const code = new URL(await emulator.control.approveConsent(await msal.getAuthCodeUrl({ scopes: ['Calendars.ReadWrite'], redirectUri: REDIRECT }), 'jwks@contoso.example')).searchParams.get('code')!;
    const { idToken } = await msal.acquireTokenByCode({ code, scopes: ['Calendars.ReadWrite'], redirectUri: REDIRECT });
    const metadata = (await getJson(`${emulator.authority}/v2.0/.well-known/openid-configuration`, emulator)).body;
    expect(metadata.token_endpoint).toBe(`${emulator.authority}/oauth2/v2.0/token`);
    const { keys } = (await getJson(metadata.jwks_uri, emulator)).body;
    const [header, claims, signature] = idToken.split('.');
    const key = crypto.createPublicKey({ key: keys[0], format: 'jwk' });
    expect(crypto.verify('sha256', Buffer.from(`${header}.${claims}`), key, Buffer.from(signature!, 'base64url'))).toBe(true);
    expect(JSON.parse(Buffer.from(claims!, 'base64url').toString()).iss).toBe(metadata.issuer);
    const discovery = (await getJson(`${emulator.url}/common/discovery/instance?api-version=1.1`, emulator)).body;
    expect(discovery.tenant_discovery_endpoint).toBe(`${emulator.url}/common/v2.0/.well-known/openid-configuration`);
  });

  it('exchanges a code through the adapter, refreshes from the persisted MSAL cache alone, and reports a revoked grant as authRevoked', async () => {
    const mailbox = await signIn(emulator, 'ada@contoso.example');
    expect(mailbox.credentials).toMatchObject({ homeAccountId: expect.any(String), msalCache: expect.stringContaining('RefreshToken') });
    // A new MicrosoftAuth: nothing but the stored credentials carries the grant over.
    const auth = authOf(emulator);
    const refreshed = await auth.refresh(JSON.parse(JSON.stringify(mailbox.credentials)));
    expect(refreshed.accessToken).not.toBe(mailbox.credentials.accessToken);
    expect(refreshed.msalCache).not.toBe(mailbox.credentials.msalCache);
    expect(Date.parse(refreshed.expiresAt)).toBeGreaterThan(Date.now());
    mailbox.credentials = refreshed;
    await expect(mailbox.calendar.listChanges({ window: WINDOW })).resolves.toBeDefined();
    const again = await auth.refresh(refreshed); // the cache written by the last refresh works too
    expect(again.accessToken).not.toBe(refreshed.accessToken);

    emulator.control.revokeRefreshTokens('ada@contoso.example');
    await expect(auth.refresh(again)).rejects.toMatchObject({ kind: 'authRevoked', name: 'AuthRevokedError' });
  });

  it('refuses a used authorization code, and a token endpoint fault is transient', async () => {
    emulator.control.createUser({ email: 'code@contoso.example' });
    const auth = authOf(emulator);
    const code = new URL(await emulator.control.approveConsent(await auth.authorizationUrl({ state: 's', redirectUri: REDIRECT }), 'code@contoso.example')).searchParams.get('code')!;
    const { credentials } = await auth.exchangeCode({ code, redirectUri: REDIRECT });
    await expect(auth.exchangeCode({ code, redirectUri: REDIRECT })).rejects.toMatchObject({ kind: 'invalid' });

    emulator.control.failNext('oauth.token', 1, { status: 503 });
    await expect(auth.refresh(credentials)).rejects.toMatchObject({ kind: 'transient' });
    await expect(auth.refresh(credentials)).resolves.toMatchObject({ accessToken: expect.any(String) });
  });

  it('answers an expired or unknown access token with 401 InvalidAuthenticationToken, seen as authExpired', async () => {
    const mailbox = await signIn(emulator, 'expired@contoso.example');
    emulator.control.expireAccessTokens('expired@contoso.example');
    const failure = await mailbox.calendar.listChanges({ window: WINDOW }).catch((e) => e);
    expect(failure).toBeInstanceOf(ProviderError);
    expect(failure.kind).toBe('authExpired');
    const raw = await getJson(`${emulator.graphBaseUrl}/v1.0/me/events/x`, emulator, { authorization: 'Bearer forged' });
    expect(raw.status).toBe(401);
    expect(raw.body.error).toMatchObject({ code: 'InvalidAuthenticationToken', message: expect.any(String), innerError: expect.objectContaining({ 'request-id': expect.any(String) }) });
  });

  it('serves a multi-tenant `common` authority; tokens still name the directory', async () => {
    const common = await startEmulator({ tenant: 'common' });
    try {
      expect(common.authority).toBe(`${common.url}/common`);
      common.control.createUser({ email: 'multi@fabrikam.example' });
      const auth = new MicrosoftAuth({ ...CLIENT, authority: common.authority, ca: common.caCertPem });
      const consent = await auth.authorizationUrl({ state: 's', redirectUri: REDIRECT });
      expect(consent.startsWith(`${common.url}/common/oauth2/v2.0/authorize`)).toBe(true);
      const code = new URL(await common.control.approveConsent(consent, 'multi@fabrikam.example')).searchParams.get('code')!;
      const { email, credentials } = await auth.exchangeCode({ code, redirectUri: REDIRECT });
      expect(email).toBe('multi@fabrikam.example');
      expect(credentials.homeAccountId).toMatch(/\.[0-9a-f-]{36}$/);
      await expect(auth.refresh(credentials)).resolves.toMatchObject({ accessToken: expect.any(String) });
      const unknown = await getJson(`${common.url}/not-a-tenant/v2.0/.well-known/openid-configuration`, common);
      expect(unknown).toMatchObject({ status: 400, body: { error: 'invalid_tenant' } });
    } finally {
      await common.stop();
    }
  });
});
