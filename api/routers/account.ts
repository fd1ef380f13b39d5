import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { accountIdOf } from '../middleware/authenticate';
import { parse, requireSomeField } from '../validation';

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9-]+\.)+[a-z]{2,}$/, 'must be a domain name such as example.com');

export const accountUpdate = z
  .object({ name: z.string().trim().min(1, 'must not be empty').max(200).optional(), domains: z.array(domain).max(100).optional() })
  .strict();

/** The caller's own account: its name, its email domains (internal people, SPEC §4.4), its integration. */
export function accountRouter(db: Database): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    res.json(await db.account.findUniqueOrThrow({ where: { id: accountIdOf(req) } }));
  });
  router.patch('/', async (req, res) => {
    const input = requireSomeField(parse(accountUpdate, req.body));
    const data = { ...input, ...(input.domains ? { domains: [...new Set(input.domains)] } : {}) };
    res.json(await db.account.update({ where: { id: accountIdOf(req) }, data }));
  });
  return router;
}
