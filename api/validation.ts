/**
 * Request validation with zod; failures become a 400 that names each field and its problem.
 */
import { z } from 'zod';
import { badRequest } from './http-errors';

export function parse<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'params' = 'body'): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw badRequest(
    result.error.issues.map((issue) => ({
      field: issue.path.length > 0 ? issue.path.join('.') : where,
      problem: issue.message,
    })),
  );
}

/** A PATCH must change something: an empty one is a client mistake, not a successful no-op. */
export function requireSomeField<T extends Record<string, unknown>>(input: T): T {
  if (Object.values(input).every((value) => value === undefined)) throw badRequest([{ field: 'body', problem: 'names no field to change' }]);
  return input;
}

/** A record id in a path or a query. */
export const uuid = () => z.uuid({ message: 'must be a UUID' });
/** `/:id` of a record. */
export const idParams = z.object({ id: uuid() });
