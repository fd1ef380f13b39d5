import { z } from 'zod';
import type { Database } from '../../db/client';
import { dealSchema } from '../responses';
import { recordRouter } from './record-router';

const deal = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(300),
  stage: z.string().trim().max(100).optional(),
});

/** Request bodies, also published in the OpenAPI document. */
export const dealSchemas = { create: deal.strict(), update: deal.partial().strict() };

export const dealsRouter = (db: Database) =>
  recordRouter({ name: 'deal', plural: 'deals', schema: dealSchema, delegate: db.deal, createSchema: dealSchemas.create, updateSchema: dealSchemas.update });
