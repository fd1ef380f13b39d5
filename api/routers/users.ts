import { z } from 'zod';
import type { Database } from '../../db/client';
import { userRecords } from '../../crm/records';
import { userSchema } from '../responses';
import { recordRouter } from './record-router';

const user = z.object({
  email: z.string().trim().pipe(z.email({ message: 'must be an email address' })),
  name: z.string().trim().max(200).optional(),
});

/** Request bodies, also published in the OpenAPI document. */
export const userSchemas = { create: user.strict(), update: user.partial().strict() };

/** The account's users: each may connect one calendar. */
export const usersRouter = (db: Database) =>
  recordRouter({ plural: 'users', schema: userSchema, store: userRecords(db), createSchema: userSchemas.create, updateSchema: userSchemas.update });
