/**
 * The plain CRM records (users, contacts, companies, deals, tickets): created, read, listed and
 * updated within one account, so another account's record is simply not found. A unique field
 * taken (a user's or contact's email, in any case) is a DuplicateRecordError naming it; contacts
 * and companies write through crm/companies.ts, which keeps contacts matched to companies.
 */
import type { Database } from '../db/client';
import { pageArgs, type Page } from '../db/paging';
import { Prisma } from '../generated/prisma/client';
import { emailKey } from '../model/emails';
import { createCompany, createContact, updateCompany, updateContact } from './companies';
import { DuplicateRecordError } from './errors';

/** The slice of a Prisma model delegate a store uses (delegates differ only in their types). */
interface RecordDelegate {
  create(args: { data: any }): Promise<unknown>;
  findFirst(args: { where: any }): Promise<unknown>;
  findMany(args: { where: any; orderBy: any; take: number; cursor?: any; skip?: number }): Promise<{ id: string }[]>;
  updateMany(args: { where: any; data: any }): Promise<{ count: number }>;
}

type Fields = Record<string, unknown>;

interface RecordKind {
  /** Singular, as in messages: "contact". */
  name: string;
  delegate: RecordDelegate;
  /** Columns derived from the input, e.g. the email match key. */
  derived?: (input: Fields) => Fields;
  /** The field a unique-constraint violation is about. */
  uniqueField?: string;
  /** `email` finds the record with that address, in any case or spacing. */
  byEmail?: boolean;
}

export class RecordStore {
  constructor(private readonly kind: RecordKind) {}

  get name(): string {
    return this.kind.name;
  }

  get uniqueField(): string | undefined {
    return this.kind.uniqueField;
  }

  get searchableByEmail(): boolean {
    return this.kind.byEmail === true;
  }

  create(accountId: string, input: Fields): Promise<unknown> {
    return this.unique(() => this.kind.delegate.create({ data: { ...this.data(input), accountId } }));
  }

  /** The account's record with this id, or undefined. */
  async find(accountId: string, id: string): Promise<unknown> {
    return (await this.kind.delegate.findFirst({ where: { id, accountId } })) ?? undefined;
  }

  list(accountId: string, page: Page, email?: string): Promise<{ id: string }[]> {
    const filter = email && this.kind.byEmail ? { emailKey: emailKey(email) } : {};
    return this.kind.delegate.findMany({ where: { ...filter, accountId }, ...pageArgs(page) });
  }

  /** The record as updated, or undefined when the account has none with this id. */
  async update(accountId: string, id: string, input: Fields): Promise<unknown> {
    const where = { id, accountId };
    const { count } = await this.unique(() => this.kind.delegate.updateMany({ where, data: this.data(input) }));
    return count === 0 ? undefined : this.find(accountId, id);
  }

  private data(input: Fields): Fields {
    return { ...input, ...this.kind.derived?.(input) };
  }

  private async unique<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') throw new DuplicateRecordError(this.kind.name, this.kind.uniqueField);
      throw error;
    }
  }
}

/** A given email's match key travels with it (`emailKey` is what guests are matched by). */
const emailMatchKey = (input: Fields) => (typeof input.email === 'string' ? { emailKey: emailKey(input.email) } : {});

/** `reads` with its writes replaced by domain logic. */
const withWrites = (reads: RecordDelegate, writes: Pick<RecordDelegate, 'create' | 'updateMany'>): RecordDelegate => ({
  findFirst: (args) => reads.findFirst(args),
  findMany: (args) => reads.findMany(args),
  ...writes,
});

export const userRecords = (db: Database) => new RecordStore({ name: 'user', delegate: db.user, derived: emailMatchKey, uniqueField: 'email', byEmail: true });

export const contactRecords = (db: Database) =>
  new RecordStore({
    name: 'contact',
    delegate: withWrites(db.contact, { create: ({ data }) => createContact(db, data), updateMany: ({ where, data }) => updateContact(db, where, data) }),
    derived: emailMatchKey,
    uniqueField: 'email',
    byEmail: true,
  });

export const companyRecords = (db: Database) =>
  new RecordStore({ name: 'company', delegate: withWrites(db.company, { create: ({ data }) => createCompany(db, data), updateMany: ({ where, data }) => updateCompany(db, where, data) }) });

export const dealRecords = (db: Database) => new RecordStore({ name: 'deal', delegate: db.deal });

export const ticketRecords = (db: Database) => new RecordStore({ name: 'ticket', delegate: db.ticket });
