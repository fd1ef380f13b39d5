/**
 * Request validation with zod; failures become a 400 that names each field and its problem.
 */
import type { z } from 'zod';
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
