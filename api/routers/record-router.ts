/**
 * The create/read/update/list routes every plain CRM record shares (users, contacts, companies, deals,
 * tickets), scoped to the caller's account: another account's record answers 404.
 */
import { z } from 'zod';
import { DuplicateRecordError } from '../../crm/errors';
import { Prisma } from '../../generated/prisma/client';
import { accountIdOf } from '../middleware/authenticate';
import { found, notFound } from '../http-errors';
import { errorSchema, pageSchema } from '../responses';
import { ApiRoutes, type ResponseSpec } from '../routes';
import { idParams, requireSomeField } from '../validation';

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
  /** Singular name used in messages and operation ids, e.g. "contact". */
  name: string;
  /** Its plural, as in the path: "companies". */
  plural: string;
  delegate: RecordDelegate;
  createSchema: C;
  updateSchema: U;
  /** What a record reads as (the row: its columns, dates as ISO strings). */
  schema: z.ZodType;
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
  after: z.uuid().optional().meta({ description: 'the `next` value of the previous page' }),
});

/** The Prisma arguments for one page of an id-ordered list. */
export const pageArgs = ({ limit, after }: z.infer<typeof pageQuery>) => ({
  orderBy: { id: 'asc' as const },
  take: limit,
  ...(after ? { cursor: { id: after }, skip: 1 } : {}),
});

/** The list response: the page and the `after` of the next one (null on the last page). */
export const pageOf = <T extends { id: string }>(items: T[], limit: number) => ({ items, next: items.length === limit ? items[items.length - 1]!.id : null });

const capitalized = (word: string) => `${word[0]!.toUpperCase()}${word.slice(1)}`;

export function recordRouter<C extends z.ZodType, U extends z.ZodType>(spec: RecordRouterSpec<C, U>): ApiRoutes {
  const routes = new ApiRoutes({ tags: [capitalized(spec.plural)], security: 'apiKey' });
  const data = (input: Record<string, unknown>) => ({ ...input, ...spec.toData?.(input as Partial<z.infer<C>>) });
  const [singular, plural] = [capitalized(spec.name), capitalized(spec.plural)];
  const one = { description: `The ${spec.name}`, schema: spec.schema };
  const taken: Record<number, ResponseSpec> = spec.uniqueField ? { 409: { description: `The ${spec.uniqueField} is taken (\`details.field\` names it)`, schema: errorSchema } } : {};

  const uniqueViolation = (error: unknown) => {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return new DuplicateRecordError(spec.name, spec.uniqueField);
    return error;
  };

  routes.post('/', { operationId: `create${singular}`, summary: `Create a ${spec.name}`, body: spec.createSchema, responses: { 201: one, ...taken } }, async ({ body }, req, res) => {
    try {
      res.status(201).json(await spec.delegate.create({ data: { ...data(body as Record<string, unknown>), accountId: accountIdOf(req) } }));
    } catch (error) {
      throw uniqueViolation(error);
    }
  });

  const listQuery = spec.filterByEmail
    ? pageQuery.extend({ email: z.string().trim().pipe(z.email({ message: 'must be an email address' })).optional().meta({ description: 'only the record with this address (any case or spacing)' }) })
    : pageQuery;
  routes.get(
    '/',
    { operationId: `list${plural}`, summary: `List ${spec.plural}`, query: listQuery, responses: { 200: { description: `A page of ${spec.plural}`, schema: pageSchema(spec.schema) } } },
    async ({ query }, req, res) => {
      const { email, ...page } = query as z.infer<typeof pageQuery> & { email?: string };
      const filter = email && spec.filterByEmail ? spec.filterByEmail(email) : {};
      const items = await spec.delegate.findMany({ where: { ...filter, accountId: accountIdOf(req) }, ...pageArgs(page) });
      res.json(pageOf(items, page.limit));
    },
  );

  routes.get('/:id', { operationId: `get${singular}`, summary: `Read a ${spec.name}`, params: idParams, responses: { 200: one } }, async ({ params: { id } }, req, res) => {
    res.json(found(await spec.delegate.findFirst({ where: { id, accountId: accountIdOf(req) } }), spec.name));
  });

  routes.patch(
    '/:id',
    { operationId: `update${singular}`, summary: `Update a ${spec.name}`, params: idParams, body: spec.updateSchema, responses: { 200: one, ...taken } },
    async ({ params: { id }, body }, req, res) => {
      const input = requireSomeField(body as Record<string, unknown>);
      const where = { id, accountId: accountIdOf(req) };
      try {
        const { count } = await spec.delegate.updateMany({ where, data: data(input) });
        if (count === 0) throw notFound(spec.name);
      } catch (error) {
        throw uniqueViolation(error);
      }
      res.json(await spec.delegate.findFirst({ where }));
    },
  );

  return routes;
}
