/**
 * The caller's own account: its name, its email domains (internal people, SPEC §4.4), its
 * integration, and whether contacts are matched to companies by email domain.
 */
import { z } from 'zod';
import type { Database } from '../../db/client';
import { updateAccount } from '../../crm/accounts';
import { accountIdOf } from '../middleware/authenticate';
import { accountSchema } from '../responses';
import { ApiRoutes } from '../routes';
import { requireSomeField } from '../validation';

/** A lower-cased domain name such as `example.com`. */
export const domainName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9-]+\.)+[a-z]{2,}$/, 'must be a domain name such as example.com');

export const accountUpdate = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(200).optional(),
    domains: z.array(domainName).max(100).optional(),
    matchCompaniesByDomain: z.boolean().optional().meta({
      description:
        'Match contacts without an explicit company to the oldest company whose domain is their email’s (off by default). Turning it on matches existing contacts at once; turning it off keeps the matches made.',
    }),
  })
  .strict();

export function accountRouter(db: Database): ApiRoutes {
  const routes = new ApiRoutes({ tags: ['Account'], security: 'apiKey' });
  const theAccount = { 200: { description: 'The account', schema: accountSchema } };
  routes.get('/', { operationId: 'getAccount', summary: 'The caller’s account: domains, installed integration, company matching', responses: theAccount }, async (_input, req, res) => {
    res.json(await db.account.findUniqueOrThrow({ where: { id: accountIdOf(req) } }));
  });
  routes.patch('/', { operationId: 'updateAccount', summary: 'Update the name, the email domains or `matchCompaniesByDomain`', body: accountUpdate, responses: theAccount }, async ({ body }, req, res) => {
    res.json(await updateAccount(db, accountIdOf(req), requireSomeField(body)));
  });
  return routes;
}
