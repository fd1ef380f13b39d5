/**
 * Companies: plain records whose `domain` may match contacts by email (crm/companies.ts), and the
 * company timeline (its contacts' meetings).
 */
import { z } from 'zod';
import type { Database } from '../../db/client';
import { companyRecords } from '../../crm/records';
import { domainName } from './account';
import { companySchema } from '../responses';
import { recordRouter } from './record-router';
import { timelineRouter, type TimelineSpec } from './timeline';

const company = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(300),
  domain: domainName.nullable().optional().meta({ description: 'Contacts at this email domain may be matched to the company (account setting `matchCompaniesByDomain`); `null` clears it.' }),
});

/** Request bodies, also published in the OpenAPI document. */
export const companySchemas = { create: company.strict(), update: company.partial().strict() };

export const companiesRouter = (db: Database) =>
  recordRouter({ plural: 'companies', schema: companySchema, store: companyRecords(db), createSchema: companySchemas.create, updateSchema: companySchemas.update });

/** Meetings attended by the company's contacts (as they are now) or associated with the company. */
export const companyTimeline: TimelineSpec = {
  name: 'company',
  operationId: 'listCompanyMeetings',
  summary: 'The company’s timeline: meetings its contacts attend or associated with it, each once, newest first',
  description: 'Derived when read from the attendees’ contacts and their companies now, so it follows guest changes and contacts moving between companies.',
  exists: async (db, accountId, id) => (await db.company.count({ where: { id, accountId } })) > 0,
  meetings: (companyId) => ({ OR: [{ attendees: { some: { contact: { companyId } } } }, { associations: { some: { objectType: 'COMPANY', objectId: companyId } } }] }),
};

export const companyTimelineRouter = (db: Database) => timelineRouter(db, companyTimeline);
