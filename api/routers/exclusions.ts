/**
 * The account's exclusion list (crm/exclusions.ts): addresses and domains whose people are never
 * logged. `POST {"email"}` or `{"domain"}` adds one (201, or 200 when it was there already);
 * `DELETE /:value` removes an address or domain (204 either way).
 */
import { z } from 'zod';
import type { Database } from '../../db/client';
import { addExclusion, listExclusions, removeExclusion, type Exclusion } from '../../crm/exclusions';
import { accountIdOf } from '../middleware/authenticate';
import { exclusionSchema, listSchema } from '../responses';
import { ApiRoutes } from '../routes';
import { domainName } from './account';

const email = z.string().trim().toLowerCase().pipe(z.email({ message: 'must be an email address' }));

export const exclusionBody = z
  .object({
    email: email.optional().meta({ description: 'An address never logged (stored lower-case)' }),
    domain: domainName.optional().meta({ description: 'A domain whose people are never logged; exact, subdomains are not included' }),
  })
  .strict()
  .refine((body) => (body.email === undefined) !== (body.domain === undefined), { message: 'give either email or domain', path: ['body'] });

/** An address has an `@`; anything else must be a domain. */
const valueParams = z.object({
  value: z
    .string()
    .transform((value, ctx): Exclusion => {
      const parsed = value.includes('@') ? email.safeParse(value) : domainName.safeParse(value);
      if (parsed.success) return value.includes('@') ? { email: parsed.data } : { domain: parsed.data };
      ctx.addIssue({ code: 'custom', message: 'must be an email address or a domain name such as example.com' });
      return z.NEVER;
    })
    .meta({ description: 'the address or domain' }),
});

export function exclusionsRouter(db: Database): ApiRoutes {
  const routes = new ApiRoutes({ tags: ['Account'], security: 'apiKey' });
  routes.get(
    '/',
    {
      operationId: 'listExclusions',
      summary: 'The exclusion list: addresses and domains whose people are never logged',
      responses: { 200: { description: 'The list, addresses then domains', schema: listSchema(exclusionSchema) } },
    },
    async (_input, req, res) => {
      res.json({ items: await listExclusions(db, accountIdOf(req)) });
    },
  );
  routes.post(
    '/',
    {
      operationId: 'addExclusion',
      summary: 'Exclude an address or a domain (lower-cased); their people count as internal from the next sync on',
      description: 'Meetings already logged keep them until their event next changes, when its guests are matched again without them.',
      body: exclusionBody,
      responses: { 201: { description: 'Added', schema: exclusionSchema }, 200: { description: 'It was on the list already', schema: exclusionSchema } },
    },
    async ({ body }, req, res) => {
      const { created, exclusion } = await addExclusion(db, accountIdOf(req), body.email !== undefined ? { email: body.email } : { domain: body.domain! });
      res.status(created ? 201 : 200).json(exclusion);
    },
  );
  routes.delete(
    '/:value',
    { operationId: 'removeExclusion', summary: 'Remove an address or domain from the list (a no-op when absent)', params: valueParams, responses: { 204: { description: 'Not on the list any more' } } },
    async ({ params: { value } }, req, res) => {
      await removeExclusion(db, accountIdOf(req), value);
      res.status(204).end();
    },
  );
  return routes;
}
