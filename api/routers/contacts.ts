/**
 * Contacts: their email is the key calendar guests are matched by (unique per account, any case);
 * their company puts their meetings on its timeline (crm/companies.ts).
 */
import { z } from 'zod';
import type { Database } from '../../db/client';
import { createContact, updateContact } from '../../crm/companies';
import { emailKey } from '../../model/emails';
import { contactSchema } from '../responses';
import { recordRouter, withWrites } from './record-router';

const contact = z.object({
  email: z.string().trim().pipe(z.email({ message: 'must be an email address' })),
  firstName: z.string().trim().max(200).optional(),
  lastName: z.string().trim().max(200).optional(),
  companyId: z
    .uuid({ message: 'must be a UUID' })
    .nullable()
    .optional()
    .meta({ description: 'The contact’s company, one of the account’s; `null` for none. Either is explicit: the email-domain match never changes it.' }),
});

/** Request bodies, also published in the OpenAPI document. */
export const contactSchemas = { create: contact.strict(), update: contact.partial().strict() };

export const contactsRouter = (db: Database) =>
  recordRouter({
    name: 'contact',
    plural: 'contacts',
    schema: contactSchema,
    delegate: withWrites(db.contact, { create: ({ data }) => createContact(db, data), updateMany: ({ where, data }) => updateContact(db, where, data) }),
    createSchema: contactSchemas.create,
    updateSchema: contactSchemas.update,
    toData: (input) => (input.email ? { emailKey: emailKey(input.email) } : {}),
    uniqueField: 'email',
    filterByEmail: (email) => ({ emailKey: emailKey(email) }),
  });
