import { z } from 'zod';
import type { Database } from '../../db/client';
import { emailKey } from '../../crm/email-key';
import { recordRouter } from './record-router';

const contact = z.object({
  email: z.string().trim().pipe(z.email({ message: 'must be an email address' })),
  firstName: z.string().trim().max(200).optional(),
  lastName: z.string().trim().max(200).optional(),
});

/** Request bodies, also published in the OpenAPI document. */
export const contactSchemas = { create: contact.strict(), update: contact.partial().strict() };

/** Contacts: their email is the key calendar guests are matched by (unique per account, any case). */
export const contactsRouter = (db: Database) =>
  recordRouter({
    name: 'contact',
    delegate: db.contact,
    createSchema: contactSchemas.create,
    updateSchema: contactSchemas.update,
    toData: (input) => (input.email ? { emailKey: emailKey(input.email) } : {}),
    uniqueField: 'email',
    filterByEmail: (email) => ({ emailKey: emailKey(email) }),
  });
