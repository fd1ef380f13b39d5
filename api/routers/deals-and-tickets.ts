/**
 * Deals and tickets: plain records a meeting can be associated with (`associations` on a meeting),
 * with nothing of their own to sync.
 */
import { z } from 'zod';
import type { Database } from '../../db/client';
import { dealRecords, ticketRecords } from '../../crm/records';
import { dealSchema, ticketSchema } from '../responses';
import { recordRouter } from './record-router';

const title = z.string().trim().min(1, 'must not be empty').max(300);
const label = z.string().trim().max(100).optional();
const deal = z.object({ name: title, stage: label });
const ticket = z.object({ subject: title, status: label });

/** Request bodies, also published in the OpenAPI document. */
export const dealSchemas = { create: deal.strict(), update: deal.partial().strict() };
export const ticketSchemas = { create: ticket.strict(), update: ticket.partial().strict() };

export const dealsRouter = (db: Database) =>
  recordRouter({ plural: 'deals', schema: dealSchema, store: dealRecords(db), createSchema: dealSchemas.create, updateSchema: dealSchemas.update });

export const ticketsRouter = (db: Database) =>
  recordRouter({ plural: 'tickets', schema: ticketSchema, store: ticketRecords(db), createSchema: ticketSchemas.create, updateSchema: ticketSchemas.update });
