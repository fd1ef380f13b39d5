/**
 * The bench's CRM data, made as customers make it: accounts with an API key, users and contacts
 * created through the API, and calendars connected through the real OAuth flow (the API's consent
 * URL, "Allow" on the emulator, the browser's redirect to the API's callback) until ACTIVE.
 */
import { randomUUID } from 'node:crypto';
import { createAccount } from '../../../crm/accounts';
import type { ProviderName } from '../../../model/calendar-event';
import { ApiClient, connectCalendar } from '../../api-client';
import { inParallel } from '../../../lib/in-parallel';
import type { Stack } from '../../service-stack';

export interface BenchAccount {
  id: string;
  auth: Record<string, string>;
  provider: ProviderName;
  contactEmails: string[];
}

export interface BenchUser {
  id: string;
  email: string;
  account: BenchAccount;
  provider: ProviderName;
  connectionId: string;
}

export class Population {
  readonly users: BenchUser[] = [];
  private readonly accounts: BenchAccount[] = [];
  readonly api: ApiClient;
  private readonly tag = randomUUID().slice(0, 6);

  constructor(
    private readonly stack: Stack,
    private readonly settings: { provider: ProviderName; usersPerAccount: number; contactsPerAccount: number; concurrency: number },
  ) {
    this.api = new ApiClient(stack.apiUrl);
  }

  /** Connects users until `total` are connected; returns the connects per second it took. */
  async growTo(total: number): Promise<number> {
    const started = performance.now();
    const first = this.users.length;
    const { usersPerAccount, concurrency, provider } = this.settings;
    // Accounts first, so that concurrent connects never race to create one.
    while (this.accounts.length * usersPerAccount < total) this.accounts.push(await this.newAccount(provider, this.settings.contactsPerAccount));
    await inParallel(total - first, concurrency, async (i) => {
      const n = first + i;
      this.users.push(await this.connectedUser(this.accounts[Math.floor(n / usersPerAccount)]!, `user${n}`));
    });
    return (total - first) / ((performance.now() - started) / 1000);
  }

  /** A user alone in a fresh account of `provider` (burst and full-sync figures), connected. */
  async soloUser(provider: ProviderName, label: string, contacts: number): Promise<BenchUser> {
    return this.connectedUser(await this.newAccount(provider, contacts), label);
  }

  private async newAccount(provider: ProviderName, contacts: number): Promise<BenchAccount> {
    const { account, apiKey } = await createAccount(this.stack.db, { name: `bench ${this.tag} ${this.accounts.length}`, domains: ['portal.example'] });
    const bench: BenchAccount = { id: account.id, auth: { Authorization: `Bearer ${apiKey.key}` }, provider, contactEmails: [] };
    await inParallel(contacts, 4, async (i) => {
      const email = `client${i}-${account.id.slice(0, 8)}@customer.example`;
      await this.api.expect(201, 'POST', '/v1/contacts', { auth: bench.auth, body: { email } });
      bench.contactEmails.push(email);
    });
    return bench;
  }

  private async connectedUser(account: BenchAccount, label: string): Promise<BenchUser> {
    const email = `${label}-${this.tag}-${account.id.slice(0, 8)}@portal.example`;
    const user = await this.api.expect(201, 'POST', '/v1/users', { auth: account.auth, body: { email, name: label } });
    const control = account.provider === 'GOOGLE' ? this.stack.google.control : this.stack.microsoft.control;
    control.createUser({ email });

    const connectionId = await connectCalendar(this.api, control, { userId: user.id, email, auth: account.auth, provider: account.provider });
    return { id: user.id, email, account, provider: account.provider, connectionId };
  }
}
