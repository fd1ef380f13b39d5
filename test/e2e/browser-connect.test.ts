/**
 * Connecting a calendar in a real browser (SPEC §2), for both providers: the consent URL opened in
 * headless Chromium, the emulator's consent page, Allow or Deny, the service's result page, the
 * connection ACTIVE and a first calendar change on a contact's timeline; a reload of the result page
 * says connected. The Microsoft emulator's HTTPS is trusted as the README tells a user to, not skipped.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { calendarActions, E2E_PROVIDERS, inDays } from '../../devstack/emulators/calendar-actions';
import type { ProviderName } from '../../model/calendar-event';
import { launchBrowser, missingBrowser, type TestBrowser } from '../support/browser';
import { SyncHarness, waitFor, type TestAccount } from '../support/sync-harness';

/** The consent pages' buttons, as each emulator (and provider) labels them. */
const BUTTONS: Record<ProviderName, { allow: string; deny: string }> = { GOOGLE: { allow: 'Allow', deny: 'Deny' }, MICROSOFT: { allow: 'Accept', deny: 'Cancel' } };

// A developer machine without chromium skips with the reason; CI must run them (and fails naming what to install).
const unavailable = missingBrowser();
const inCi = Boolean(process.env.CI) && process.env.CI !== 'false';
if (unavailable && !inCi) console.warn(`Skipping the browser connect tests: ${unavailable}`);

(unavailable && !inCi ? describe.skip : describe)('connecting a calendar in a browser', () => {
  let harness: SyncHarness;
  let browser: TestBrowser;
  let context: BrowserContext;
  beforeAll(async () => {
    harness = await SyncHarness.start({ SYNC_POLL_INTERVAL: '1h' });
    browser = await launchBrowser(harness.microsoft.caCertPath);
  });
  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });
  beforeEach(async () => {
    context = await browser.browser.newContext();
    // A loaded 2-core machine renders slowly; every wait is on a condition, so a long bound costs nothing.
    context.setDefaultTimeout(60_000);
  });
  afterEach(() => context?.close());

  const tag = () => `${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;

  async function newUser(provider: ProviderName, label: string) {
    const account = await harness.newAccount(['portal.example']);
    const user = await harness.newUser(account, `${label}-${provider.toLowerCase()}-${tag()}@portal.example`);
    return { account, user };
  }

  /** Opens the consent URL the API hands out, picks the user's account and clicks `button`; resolves with the callback's page and status. */
  async function consent(account: TestAccount, user: { id: string; email: string }, provider: ProviderName, button: string): Promise<{ page: Page; status: number }> {
    const started = await harness.http().post(`/v1/users/${user.id}/calendar-connection/authorize`).set(account.auth).send({ provider });
    expect(started.status).toBe(200);
    const page = await context.newPage();
    await page.goto(started.body.authorizationUrl);
    await page.getByLabel('Account').selectOption(user.email);
    const callbackPath = `/oauth/${provider.toLowerCase()}/callback`;
    const [callback] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === callbackPath), page.getByRole('button', { name: button }).click()]);
    await page.waitForURL((url) => url.pathname === callbackPath);
    return { page, status: callback.status() };
  }

  const heading = (page: Page) => page.getByRole('heading', { level: 1 }).innerText();

  it.each(E2E_PROVIDERS)('connects %s: Allow, the result page, ACTIVE, a first change on the timeline; a reload still says connected', async (provider) => {
    const { account, user } = await newUser(provider, 'browser');
    const contactEmail = `client-${tag()}@customer.example`;
    const contactId = await harness.newContact(account, contactEmail);
    const calendar = calendarActions(harness, provider);

    const { page, status } = await consent(account, user, provider, BUTTONS[provider].allow);
    expect(status).toBe(200);
    expect(await heading(page)).toBe(`${provider === 'GOOGLE' ? 'Google Calendar' : 'Microsoft Outlook'} connected`);
    const text = await page.locator('main').innerText();
    expect(text).toContain(`${user.email} is connected`);
    expect(text).toContain('What next: You can close this window and go back to the CRM.');
    await harness.waitForConnection(account, user, (c) => c.status === 'ACTIVE', 'ACTIVE');

    await calendar.invite(user.email, contactEmail, { title: 'Browser intro call', start: inDays(1, 10), end: inDays(1, 11) });
    await waitFor(async () => (await harness.timeline(account, contactId)).some((m) => m.title === 'Browser intro call'), 'the invitation on the contact timeline');

    // Reloading the callback (its code already spent) says connected, and exchanges nothing again.
    const exchanges = calendar.calls('token');
    const reloaded = await page.reload();
    expect(reloaded?.status()).toBe(200);
    expect(await heading(page)).toMatch(/ connected$/);
    expect(await page.locator('main').innerText()).toContain(`${user.email} is connected`);
    expect(calendar.calls('token')).toBe(exchanges);
    expect(await harness.connection(account, user.id)).toMatchObject({ status: 'ACTIVE' });
  });

  it.each(E2E_PROVIDERS)('on Deny at %s, the result page says not connected and how to connect', async (provider) => {
    const { account, user } = await newUser(provider, 'declines');
    const { page, status } = await consent(account, user, provider, BUTTONS[provider].deny);
    expect(status).toBe(400);
    expect(await heading(page)).toBe('Calendar not connected');
    const text = await page.locator('main').innerText();
    expect(text).toMatch(/You declined access/);
    expect(text).toContain(`What next: To connect it, go back to the CRM, connect your calendar again and click "${BUTTONS[provider].allow}".`);
    expect(await harness.connection(account, user.id)).toBeUndefined();
  });
});
