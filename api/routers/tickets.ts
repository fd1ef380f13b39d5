import { z } from 'zod';
import type { Database } from '../../db/client';
import { ticketSchema } from '../responses';
import { recordRouter } from './record-router';

const ticket = z.object({
  subject: z.string().trim().min(1, 'must not be empty').max(300),
  status: z.string().trim().max(100).optional(),
});

/** Request bodies, also published in the OpenAPI document. */
export const ticketSchemas = { create: ticket.strict(), update: ticket.partial().strict() };

export const ticketsRouter = (db: Database) =>
  recordRouter({ name: 'ticket', plural: 'tickets', schema: ticketSchema, delegate: db.ticket, createSchema: ticketSchemas.create, updateSchema: ticketSchemas.update });
