/**
 * The walkthrough `npm start` prints, pasted as is: on a fresh DATA_DIR and the embedded defaults,
 * each "Try it" block's commands run in bash in the order printed, the consent step is done in a real
 * browser (trusting the emulator CA as the README says), and the last command shows the contact's
 * meeting — on Google and on Microsoft, side by side in one start. Then a second start on the same
 * DATA_DIR carries on: the connections stay ACTIVE and keep syncing by push.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { launchBrowser, missingBrowser, type TestBrowser } from '../support/browser';
import { startOnFreePorts, type StartedService } from '../support/npm-start';
import { waitFor } from '../support/sync-harness';

const unavailable = missingBrowser();
const inCi = Boolean(process.env.CI) && process.env.CI !== 'false';
if (unavailable && !inCi) console.warn(`Skipping the walkthrough test: ${unavailable}`);

/** The banner's "Try it on <calendar>" blocks: their indented lines, commands and comments. */
function walkthroughs(banner: string): Map<string, string[]> {
  const blocks = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of banner.split('\n')) {
    const heading = /^\s+Try it on (.+?) \(paste/.exec(line);
    if (heading) blocks.set(heading[1]!, (current = []));
    else if (current && /^ {4}\S/.test(line)) current.push(line.trim());
    else current = undefined;
  }
  return blocks;
}

const BUTTON: Record<string, string> = { 'Google Calendar': 'Allow', Outlook: 'Accept' };

(unavailable && !inCi ? describe.skip : describe)('the printed walkthrough, pasted as is', () => {
  let service: StartedService;
  let browser: TestBrowser;
  /** What each connected block's commands need again after the restart. */
  const pasted = new Map<string, { paste: (command: string) => string; connection: string; invite: string; timeline: string }>();
  beforeAll(async () => {
    service = await startOnFreePorts();
    browser = await launchBrowser(path.join(service.dataDir, 'emulator-ca', 'ca.pem'));
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await service?.remove();
  });

  it.each(['Google Calendar', 'Outlook'])('puts a meeting on the contact’s timeline on %s', async (calendar) => {
    const lines = walkthroughs(service.output()).get(calendar);
    expect(lines).toBeDefined();
    const [exports, authorize, connection, invite, timeline, ...rest] = lines!.filter((line) => !line.startsWith('#'));
    expect(rest).toEqual([]);
    expect(exports).toMatch(/^export /);
    // Each command in a shell that has run the export line before it, as a terminal would have.
    const paste = (command: string) => execFileSync('bash', ['-c', `${exports}\n${command}`], { encoding: 'utf8' });

    const { authorizationUrl } = JSON.parse(paste(authorize!));
    const [userEmail] = JSON.parse(/-d '(.+)'$/.exec(invite!)![1]!) as [string];
    const page = await browser.browser.newPage();
    try {
      await page.goto(authorizationUrl, { timeout: 60_000 });
      await page.getByLabel('Account').selectOption(userEmail, { timeout: 60_000 });
      await page.getByRole('button', { name: BUTTON[calendar] }).click({ timeout: 60_000 });
      await page.getByText('is connected').waitFor({ timeout: 60_000 });
    } finally {
      await page.close();
    }

    await waitFor(() => JSON.parse(paste(connection!)).status === 'ACTIVE', 'the connection ACTIVE, as the walkthrough says');
    paste(invite!);
    const meetings = await waitFor(() => {
      const { items } = JSON.parse(paste(timeline!));
      return items.length > 0 ? items : undefined;
    }, 'the meeting on the contact timeline');
    expect(meetings).toEqual([expect.objectContaining({ title: 'Intro call', status: 'SCHEDULED' })]);
    pasted.set(calendar, { paste, connection: connection!, invite: invite!, timeline: timeline! });
  }, 300_000);

  it('carries on after a restart: the connections stay ACTIVE and keep syncing by push', async () => {
    expect([...pasted.keys()].sort()).toEqual(['Google Calendar', 'Outlook']); // connected by the tests above
    await service.stop();
    service = await startOnFreePorts(service);
    for (const { paste, connection, invite, timeline } of pasted.values()) {
      paste(invite.replace('Intro call', 'After the restart'));
      await waitFor(() => JSON.parse(paste(timeline)).items.some((m: { title: string }) => m.title === 'After the restart'), 'a change after the restart on the timeline');
      expect(JSON.parse(paste(connection))).toMatchObject({ status: 'ACTIVE', lastError: null });
    }
  }, 300_000);
});
