import { z } from 'zod';
import type { Database } from '../../db/client';
import { recordRouter } from './record-router';

const company = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(300),
  domain: z.string().trim().toLowerCase().max(253).optional(),
});

/** Request bodies, also published in the OpenAPI document. */
export const companySchemas = { create: company.strict(), update: company.partial().strict() };

export const companiesRouter = (db: Database) =>
  recordRouter({ name: 'company', delegate: db.company, createSchema: companySchemas.create, updateSchema: companySchemas.update });
