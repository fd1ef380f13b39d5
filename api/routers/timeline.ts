/**
 * Timelines: a record's meetings, newest first, paged by start (SPEC §1). A contact's are the
 * meetings it attends; a company's are its contacts' meetings and those associated with it.
 * A page's `next` is the last meeting's start and id (`<start>_<id>`): meetings that share a start
 * are ordered by id, so none is skipped at a page boundary. `before` also takes a bare date-time.
 */
import { z } from 'zod';
import type { Database } from '../../db/client';
import type { Prisma } from '../../generated/prisma/client';
import { meetingInclude, meetingView } from '../../crm/meeting-view';
import { notFound } from '../http-errors';
import { accountIdOf } from '../middleware/authenticate';
import { meetingSchema, pageSchema } from '../responses';
import { ApiRoutes } from '../routes';
import { uuid } from '../validation';

const CURSOR = /^(.+)_([0-9a-f-]{36})$/i;
const before = z.string().transform((value, context) => {
  const [, start = value, id] = CURSOR.exec(value) ?? [];
  if (!z.iso.datetime({ offset: true }).safeParse(start).success) {
    context.addIssue({ code: 'custom', message: 'must be the `next` value of the previous page or an ISO date-time' });
    return z.NEVER;
  }
  return { startAt: new Date(start), id };
});
const query = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: before.optional().meta({ description: 'the `next` value of the previous page (or an ISO date-time: meetings starting before it)' }),
});

/** Meetings after `before` in the timeline's order (start, then id, both descending). */
const olderThan = ({ startAt, id }: { startAt: Date; id?: string }): Prisma.MeetingWhereInput =>
  id ? { OR: [{ startAt: { lt: startAt } }, { startAt, id: { lt: id } }] } : { startAt: { lt: startAt } };

export interface TimelineSpec {
  /** The record's name in messages; its id is the `:<name>Id` path parameter. */
  name: string;
  /** Its OpenAPI operation. */
  operationId: string;
  summary: string;
  description?: string;
  /** Whether the record is the account's. */
  exists(db: Database, accountId: string, id: string): Promise<boolean>;
  /** The meetings on its timeline. */
  meetings(id: string): Prisma.MeetingWhereInput;
}

export const contactTimeline: TimelineSpec = {
  name: 'contact',
  operationId: 'listContactMeetings',
  summary: 'The contact’s timeline: meetings the contact attends, newest first',
  exists: async (db, accountId, id) => (await db.contact.count({ where: { id, accountId } })) > 0,
  meetings: (contactId) => ({ attendees: { some: { contactId } } }),
};

export function timelineRouter(db: Database, spec: TimelineSpec = contactTimeline): ApiRoutes {
  const routes = new ApiRoutes({ tags: ['Meetings'], security: 'apiKey' }, { mergeParams: true });
  const params = z.object({ [`${spec.name}Id`]: uuid() });
  const operation = { operationId: spec.operationId, summary: spec.summary, description: spec.description, params, query };
  routes.get('/', { ...operation, responses: { 200: { description: 'A page of meetings, newest first', schema: pageSchema(meetingSchema) } } }, async (input, req, res) => {
    const id = input.params[`${spec.name}Id`] as string;
    const { limit, before } = input.query;
    const accountId = accountIdOf(req);
    if (!(await spec.exists(db, accountId, id))) throw notFound(spec.name);
    // One row per meeting however many of the record's people attend it: the filters are EXISTS.
    const meetings = await db.meeting.findMany({
      where: { accountId, deletedAt: null, AND: [spec.meetings(id), ...(before ? [olderThan(before)] : [])] },
      include: meetingInclude,
      orderBy: [{ startAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    const last = meetings.length === limit ? meetings[meetings.length - 1]! : undefined;
    res.json({ items: meetings.map(meetingView), next: last ? `${last.startAt.toISOString()}_${last.id}` : null });
  });
  return routes;
}
