/**
 * Company timelines and exclusion lists end to end, through both emulators, the workflow and the
 * API: a synced meeting is on the timeline of each matched contact's company and follows guest
 * changes; an excluded domain's guest is never logged.
 */
import { randomUUID } from 'node:crypto';
import type { ProviderName } from '../../model/calendar-event';
import { calendarActions, E2E_PROVIDERS, inDays, type CalendarActions } from '../../devstack/emulators/calendar-actions';
import { SyncHarness, waitFor, type TestAccount } from '../support/sync-harness';

describe('companies and exclusion lists end to end', () => {
  let harness: SyncHarness;
  const calendars = {} as Record<ProviderName, CalendarActions>;
  beforeAll(async () => {
    harness = await SyncHarness.start({ SYNC_POLL_INTERVAL: '1h' });
    for (const provider of E2E_PROVIDERS) calendars[provider] = calendarActions(harness, provider);
  });
  afterAll(() => harness.close());

  async function post(account: TestAccount, path: string, body: object) {
    const response = await harness.http().post(path).set(account.auth).send(body);
    if (response.status !== 201) throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }
  const titles = async (account: TestAccount, path: string): Promise<string[]> => {
    const response = await harness.http().get(path).set(account.auth);
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.items.map((m: { title: string }) => m.title);
  };
  const companyTitles = (account: TestAccount, companyId: string) => titles(account, `/v1/companies/${companyId}/meetings`);
  const timelineMeeting = async (account: TestAccount, contactId: string, title: string) => (await harness.timeline(account, contactId)).find((m) => m.title === title);

  it.each(E2E_PROVIDERS)('a meeting is on the timeline of each matched contact’s company, once, and follows guest changes (%s)', async (provider) => {
    const calendar = calendars[provider];
    // The harness's contact is at customer.example; Acme has that domain and matches it once the account says so.
    const { account, user, contactEmail, contactId } = await harness.connectedUser(provider, 'seller');
    await harness.http().patch('/v1/account').set(account.auth).send({ matchCompaniesByDomain: true }).expect(200);
    const acme = await post(account, '/v1/companies', { name: 'Acme', domain: 'customer.example' });
    const colleagueEmail = `buyer-${randomUUID().slice(0, 8)}@customer.example`;
    const colleague = await post(account, '/v1/contacts', { email: colleagueEmail });
    const globex = await post(account, '/v1/companies', { name: 'Globex' });
    const partnerEmail = `partner-${randomUUID().slice(0, 8)}@partner.example`;
    const partner = await post(account, '/v1/contacts', { email: partnerEmail, companyId: globex.id });
    expect(colleague.companyId).toBe(acme.id);
    expect((await harness.http().get(`/v1/contacts/${contactId}`).set(account.auth)).body.companyId).toBe(acme.id);

    const id = await calendar.createEvent(user.email, { title: 'Three-way call', start: inDays(3, 9), end: inDays(3, 10), guests: [contactEmail, colleagueEmail, partnerEmail] });
    await waitFor(async () => (await companyTitles(account, globex.id)).includes('Three-way call'), 'the meeting on Globex’s timeline');
    // Two of Acme's contacts attend: one entry on Acme's timeline.
    expect(await companyTitles(account, acme.id)).toEqual(['Three-way call']);
    const meeting = await timelineMeeting(account, partner.id, 'Three-way call');
    expect(meeting.associations).toEqual(expect.arrayContaining([{ type: 'COMPANY', id: acme.id }, { type: 'COMPANY', id: globex.id }]));

    // The partner leaves the meeting: it leaves Globex's timeline and stays on Acme's.
    await calendar.updateEvent(user.email, id, { guests: [contactEmail, colleagueEmail] });
    await waitFor(async () => !(await companyTitles(account, globex.id)).includes('Three-way call'), 'the meeting off Globex’s timeline');
    expect(await companyTitles(account, acme.id)).toEqual(['Three-way call']);

    // Only one of Acme's contacts left: still once on Acme's timeline; none left: off it.
    await calendar.updateEvent(user.email, id, { guests: [colleagueEmail, partnerEmail] });
    await waitFor(async () => (await companyTitles(account, globex.id)).includes('Three-way call'), 'the partner back on Globex’s timeline');
    expect(await companyTitles(account, acme.id)).toEqual(['Three-way call']);
    await calendar.updateEvent(user.email, id, { guests: [partnerEmail] });
    await waitFor(async () => (await companyTitles(account, acme.id)).length === 0, 'the meeting off Acme’s timeline');
    expect(await companyTitles(account, globex.id)).toEqual(['Three-way call']);
  });

  it.each(E2E_PROVIDERS)('an excluded domain’s guest is never logged; meetings logged before keep it until they change (%s)', async (provider) => {
    const calendar = calendars[provider];
    const { account, user, contactEmail, contactId } = await harness.connectedUser(provider, 'rep');
    const domain = `rival-${randomUUID().slice(0, 8)}.example`;
    const rivalEmail = `spy@${domain}`;
    const rivalId = await harness.newContact(account, rivalEmail);

    // Logged before the exclusion: it keeps the rival's attendance until its event changes.
    const earlierId = await calendar.createEvent(user.email, { title: 'Before the exclusion', start: inDays(4, 9), end: inDays(4, 10), guests: [contactEmail, rivalEmail] });
    await waitFor(async () => (await timelineMeeting(account, rivalId, 'Before the exclusion')) !== undefined, 'the earlier meeting with both contacts');

    // A list applies from the next sync that starts after it: with the worker stopped, none straddles it.
    await harness.stopWorker();
    try {
      await post(account, '/v1/account/exclusions', { domain: domain.toUpperCase() });
      await calendar.createEvent(user.email, { title: 'Rival only', start: inDays(5, 9), end: inDays(5, 10), guests: [rivalEmail] });
      await calendar.createEvent(user.email, { title: 'Client and rival', start: inDays(5, 11), end: inDays(5, 12), guests: [contactEmail, rivalEmail] });
    } finally {
      await harness.startWorker();
    }
    // The later event arrives by the same ordered sync as the earlier one: once it shows, both were judged.
    const mixed = await waitFor(() => timelineMeeting(account, contactId, 'Client and rival'), 'the event with a contact logged');
    expect(mixed.attendees.map((a: { email: string }) => a.email)).toEqual([contactEmail]);
    expect(await harness.db.meeting.count({ where: { accountId: account.accountId, title: 'Rival only' } })).toBe(0);
    expect(await titles(account, `/v1/contacts/${rivalId}/meetings`)).toEqual(['Before the exclusion']);

    // The earlier meeting's next change matches its guests again, without the excluded one.
    await calendar.updateEvent(user.email, earlierId, { title: 'Before the exclusion, edited' });
    const edited = await waitFor(() => timelineMeeting(account, contactId, 'Before the exclusion, edited'), 'the edit');
    expect(edited.attendees.map((a: { email: string }) => a.email)).toEqual([contactEmail]);
    expect(await titles(account, `/v1/contacts/${rivalId}/meetings`)).toEqual([]);
  });
});
