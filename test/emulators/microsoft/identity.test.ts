import { ProviderError } from '../../../providers/errors';
import { httpsRequest } from '../../../providers/microsoft/https';
import type { MicrosoftEmulator } from '../../../emulators/microsoft';
import { at, authOf, REDIRECT, signIn, startEmulator, WINDOW } from './support';

describe('Microsoft identity emulator through MSAL', () => {
  let emulator: MicrosoftEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());

  it('serves a consent page and redirects with the code and state, or access_denied', async () => {
    emulator.control.createUser({ email: 'page@contoso.example' });
    const url = await authOf(emulator).authorizationUrl({ state: 'xyz', redirectUri: REDIRECT, loginHint: 'page@contoso.example' });
    expect(url.startsWith(`${emulator.authority}/oauth2/v2.0/authorize`)).toBe(true);
    expect(new URL(url).searchParams.get('scope')).toContain('Calendars.ReadWrite');
    const allowed = new URL(await emulator.control.approveConsent(url, 'page@contoso.example'));
    expect(allowed.searchParams.get('state')).toBe('xyz');
    expect(allowed.searchParams.get('code')).toBeTruthy();
    const denied = new URL(await emulator.control.denyConsent(url));
    expect(denied.searchParams.get('error')).toBe('access_denied');
  });

  it('serves the consent page as HTML and its form answers with a redirect', async () => {
    emulator.control.createUser({ email: 'form@contoso.example' });
    const url = await authOf(emulator).authorizationUrl({ state: 'st', redirectUri: REDIRECT, loginHint: 'form@contoso.example' });
    const page = await httpsRequest(url, { method: 'GET' }, emulator.caCertPem);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('Calendars.ReadWrite');
    const form = new URLSearchParams({ ...Object.fromEntries(new URL(url).searchParams), email: 'form@contoso.example', decision: 'allow' });
    const posted = await httpsRequest(url.split('?')[0]!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() }, emulator.caCertPem);
    expect(posted.status).toBe(302);
    expect(new URL(posted.headers.location!).searchParams.get('state')).toBe('st');
  });

  it('exchanges a code for tokens and MSAL cache, refreshes from that cache, and reports a revoked grant', async () => {
    const mailbox = await signIn(emulator, 'ada@contoso.example');
    expect(mailbox.credentials).toMatchObject({ homeAccountId: expect.any(String), msalCache: expect.stringContaining('RefreshToken') });
    const auth = authOf(emulator);
    const refreshed = await auth.refresh(mailbox.credentials);
    expect(refreshed.accessToken).not.toBe(mailbox.credentials.accessToken);
    mailbox.credentials = refreshed;
    await expect(mailbox.calendar.listChanges({ window: WINDOW })).resolves.toBeDefined();

    emulator.control.revokeRefreshTokens('ada@contoso.example');
    await expect(auth.refresh(refreshed)).rejects.toMatchObject({ kind: 'authRevoked' });
  });

  it('answers an expired access token with 401, seen as authExpired', async () => {
    const mailbox = await signIn(emulator, 'expired@contoso.example');
    emulator.control.expireAccessTokens('expired@contoso.example');
    const failure = await mailbox.calendar.createEvent({ title: 'x', start: { dateTime: new Date(Date.UTC(2030, 0, 2, 9)).toISOString() }, end: { dateTime: new Date(Date.UTC(2030, 0, 2, 10)).toISOString() }, attendees: [] }, { clientId: 'c1' }).catch((e) => e);
    expect(failure).toBeInstanceOf(ProviderError);
    expect(failure.kind).toBe('authExpired');
    expect(at(1, 9).timeZone).toBe('UTC');
  });
});
