/**
 * Contacts: their email is the key calendar guests are matched by (unique per account, any case);
 * their company puts their meetings on its timeline (crm/companies.ts).
 */
import { z } from 'zod';
import type { Database } from '../../db/client';
import { contactRecords } from '../../crm/records';
import { contactSchema } from '../responses';
import { recordRouter } from './record-router';

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
  recordRouter({ plural: 'contacts', schema: contactSchema, store: contactRecords(db), createSchema: contactSchemas.create, updateSchema: contactSchemas.update });
