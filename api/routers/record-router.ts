/**
 * The create/read/update/list routes every plain CRM record shares (users, contacts, companies, deals,
 * tickets), scoped to the caller's account: another account's record answers 404.
 */
import { Router } from 'express';
import { z } from 'zod';
import { DuplicateRecordError } from '../../crm/errors';
import { Prisma } from '../../generated/prisma/client';
import { accountIdOf } from '../middleware/authenticate';
import { notFound } from '../http-errors';
import { parse, requireSomeField } from '../validation';

/** The slice of a Prisma model delegate these routes use (delegates differ only in their types). */
export interface RecordDelegate {
  create(args: { data: any }): Promise<unknown>;
  findFirst(args: { where: any }): Promise<unknown>;
  findMany(args: { where: any; orderBy: any; take: number; cursor?: any; skip?: number }): Promise<{ id: string }[]>;
  updateMany(args: { where: any; data: any }): Promise<{ count: number }>;
}

/** `reads` (a Prisma delegate) with its writes replaced by domain logic (e.g. crm/companies.ts). */
export const withWrites = (reads: RecordDelegate, writes: Pick<RecordDelegate, 'create' | 'updateMany'>): RecordDelegate => ({
  findFirst: (args) => reads.findFirst(args),
  findMany: (args) => reads.findMany(args),
  ...writes,
});

export interface RecordRouterSpec<C extends z.ZodType, U extends z.ZodType> {
  /** Singular name used in messages, e.g. "contact". */
  name: string;
  delegate: RecordDelegate;
  createSchema: C;
  updateSchema: U;
  /** Derived columns, e.g. the email match key. */
  toData?: (input: Partial<z.infer<C>>) => Record<string, unknown>;
  /** Field a unique-constraint violation is about, for the 409 message. */
  uniqueField?: string;
  /** `?email=` narrows the list to the record with that address (any case or spacing). */
  filterByEmail?: (email: string) => Record<string, unknown>;
}

/** `limit` and the `after` cursor (the previous page's `next`) of every id-ordered list. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: z.uuid().optional(),
});

/** The Prisma arguments for one page of an id-ordered list. */
export const pageArgs = ({ limit, after }: z.infer<typeof pageQuery>) => ({
  orderBy: { id: 'asc' as const },
  take: limit,
  ...(after ? { cursor: { id: after }, skip: 1 } : {}),
});

/** The list response: the page and the `after` of the next one (null on the last page). */
export const pageOf = <T extends { id: string }>(items: T[], limit: number) => ({ items, next: items.length === limit ? items[items.length - 1]!.id : null });
const idParams = z.object({ id: z.uuid({ message: 'must be a UUID' }) });

export function recordRouter<C extends z.ZodType, U extends z.ZodType>(spec: RecordRouterSpec<C, U>): Router {
  const router = Router();
  const data = (input: Record<string, unknown>) => ({ ...input, ...spec.toData?.(input as Partial<z.infer<C>>) });

  const uniqueViolation = (error: unknown) => {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      return new DuplicateRecordError(spec.name, spec.uniqueField);
    }
    return error;
  };

  router.post('/', async (req, res) => {
    const input = parse(spec.createSchema, req.body) as Record<string, unknown>;
    try {
      res.status(201).json(await spec.delegate.create({ data: { ...data(input), accountId: accountIdOf(req) } }));
    } catch (error) {
      throw uniqueViolation(error);
    }
  });

  const listQuery = spec.filterByEmail ? pageQuery.extend({ email: z.string().trim().pipe(z.email({ message: 'must be an email address' })).optional() }) : pageQuery;
  router.get('/', async (req, res) => {
    const { email, ...page } = parse(listQuery, req.query, 'query') as z.infer<typeof pageQuery> & { email?: string };
    const filter = email && spec.filterByEmail ? spec.filterByEmail(email) : {};
    const items = await spec.delegate.findMany({ where: { ...filter, accountId: accountIdOf(req) }, ...pageArgs(page) });
    res.json(pageOf(items, page.limit));
  });

  router.get('/:id', async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const record = await spec.delegate.findFirst({ where: { id, accountId: accountIdOf(req) } });
    if (!record) throw notFound(spec.name);
    res.json(record);
  });

  router.patch('/:id', async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const input = requireSomeField(parse(spec.updateSchema, req.body) as Record<string, unknown>);
    const where = { id, accountId: accountIdOf(req) };
    try {
      const { count } = await spec.delegate.updateMany({ where, data: data(input) });
      if (count === 0) throw notFound(spec.name);
    } catch (error) {
      throw uniqueViolation(error);
    }
    res.json(await spec.delegate.findFirst({ where }));
  });

  return router;
}
