/**
 * The create/read/update/list routes every plain CRM record shares (users, contacts, companies, deals,
 * tickets), scoped to the caller's account: another account's record answers 404. The records
 * themselves are kept by crm/records.ts.
 */
import { z } from 'zod';
import type { RecordStore } from '../../crm/records';
import { accountIdOf } from '../middleware/authenticate';
import { found } from '../http-errors';
import { pageOf, pageQuery } from '../paging';
import { errorSchema, pageSchema } from '../responses';
import { ApiRoutes, type ResponseSpec } from '../routes';
import { idParams, requireSomeField } from '../validation';

export interface RecordRouterSpec<C extends z.ZodType, U extends z.ZodType> {
  /** Its plural, as in the path: "companies". */
  plural: string;
  store: RecordStore;
  createSchema: C;
  updateSchema: U;
  /** What a record reads as (the row: its columns, dates as ISO strings). */
  schema: z.ZodType;
}

const capitalized = (word: string) => `${word[0]!.toUpperCase()}${word.slice(1)}`;

export function recordRouter<C extends z.ZodType, U extends z.ZodType>({ plural: pluralName, store, createSchema, updateSchema, schema }: RecordRouterSpec<C, U>): ApiRoutes {
  const routes = new ApiRoutes({ tags: [capitalized(pluralName)], security: 'apiKey' });
  const [singular, plural] = [capitalized(store.name), capitalized(pluralName)];
  const one = { description: `The ${store.name}`, schema };
  const taken: Record<number, ResponseSpec> = store.uniqueField ? { 409: { description: `The ${store.uniqueField} is taken (\`details.field\` names it)`, schema: errorSchema } } : {};

  routes.post('/', { operationId: `create${singular}`, summary: `Create a ${store.name}`, body: createSchema, responses: { 201: one, ...taken } }, async ({ body }, req, res) => {
    res.status(201).json(await store.create(accountIdOf(req), body as Record<string, unknown>));
  });

  const listQuery = store.searchableByEmail
    ? pageQuery.extend({ email: z.string().trim().pipe(z.email({ message: 'must be an email address' })).optional().meta({ description: 'only the record with this address (any case or spacing)' }) })
    : pageQuery;
  routes.get(
    '/',
    { operationId: `list${plural}`, summary: `List ${pluralName}`, query: listQuery, responses: { 200: { description: `A page of ${pluralName}`, schema: pageSchema(schema) } } },
    async ({ query }, req, res) => {
      const { email, ...page } = query as z.infer<typeof pageQuery> & { email?: string };
      res.json(pageOf(await store.list(accountIdOf(req), page, email), page.limit));
    },
  );

  routes.get('/:id', { operationId: `get${singular}`, summary: `Read a ${store.name}`, params: idParams, responses: { 200: one } }, async ({ params: { id } }, req, res) => {
    res.json(found(await store.find(accountIdOf(req), id), store.name));
  });

  routes.patch(
    '/:id',
    { operationId: `update${singular}`, summary: `Update a ${store.name}`, params: idParams, body: updateSchema, responses: { 200: one, ...taken } },
    async ({ params: { id }, body }, req, res) => {
      res.json(found(await store.update(accountIdOf(req), id, requireSomeField(body as Record<string, unknown>)), store.name));
    },
  );

  return routes;
}
