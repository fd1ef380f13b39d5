/**
 * Id-ordered paging, as every list of the API pages: `after` is the last id of the previous page,
 * so a page stays stable while records are added before or after it.
 */
export interface Page {
  limit: number;
  after?: string;
}

/** The Prisma arguments for one page. */
export const pageArgs = ({ limit, after }: Page) => ({
  orderBy: { id: 'asc' as const },
  take: limit,
  ...(after ? { cursor: { id: after }, skip: 1 } : {}),
});
