/**
 * The account's exclusion list (crm/exclusions.ts): addresses and domains whose people are never
 * logged. `POST {"email"}` or `{"domain"}` adds one (201, or 200 when it was there already);
 * `DELETE /:value` removes an address or domain (204 either way).
 */
import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { addExclusion, listExclusions, removeExclusion, type Exclusion } from '../../crm/exclusions';
import { accountIdOf } from '../middleware/authenticate';
import { parse } from '../validation';
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
  value: z.string().transform((value, ctx): Exclusion => {
    const parsed = value.includes('@') ? email.safeParse(value) : domainName.safeParse(value);
    if (parsed.success) return value.includes('@') ? { email: parsed.data } : { domain: parsed.data };
    ctx.addIssue({ code: 'custom', message: 'must be an email address or a domain name such as example.com' });
    return z.NEVER;
  }),
});

export function exclusionsRouter(db: Database): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    res.json({ items: await listExclusions(db, accountIdOf(req)) });
  });
  router.post('/', async (req, res) => {
    const body = parse(exclusionBody, req.body);
    const { created, exclusion } = await addExclusion(db, accountIdOf(req), body.email !== undefined ? { email: body.email } : { domain: body.domain! });
    res.status(created ? 201 : 200).json(exclusion);
  });
  router.delete('/:value', async (req, res) => {
    const { value } = parse(valueParams, req.params, 'params');
    await removeExclusion(db, accountIdOf(req), value);
    res.status(204).end();
  });
  return router;
}
