/**
 * The query and response of every id-ordered list (db/paging.ts): `limit`, the `after` cursor, and
 * the page with the `next` cursor (null on the last page).
 */
import { z } from 'zod';

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: z.uuid().optional().meta({ description: 'the `next` value of the previous page' }),
});

export const pageOf = <T extends { id: string }>(items: T[], limit: number) => ({ items, next: items.length === limit ? items[items.length - 1]!.id : null });
