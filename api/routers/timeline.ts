/**
 * Timelines: a record's meetings, newest first, paged by start (SPEC §1). A contact's are the
 * meetings it attends; a company's are its contacts' meetings and those associated with it.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../db/client';
import type { Prisma } from '../../generated/prisma/client';
import { meetingInclude, meetingView } from '../../crm/meeting-view';
import { notFound } from '../http-errors';
import { accountIdOf } from '../middleware/authenticate';
import { parse } from '../validation';

const query = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), before: z.iso.datetime({ offset: true }).optional() });

export interface TimelineSpec {
  /** The record's name in messages; its id is the `:<name>Id` path parameter. */
  name: string;
  /** Whether the record is the account's. */
  exists(db: Database, accountId: string, id: string): Promise<boolean>;
  /** The meetings on its timeline. */
  meetings(id: string): Prisma.MeetingWhereInput;
}

export const contactTimeline: TimelineSpec = {
  name: 'contact',
  exists: async (db, accountId, id) => (await db.contact.count({ where: { id, accountId } })) > 0,
  meetings: (contactId) => ({ attendees: { some: { contactId } } }),
};

export function timelineRouter(db: Database, spec: TimelineSpec = contactTimeline): Router {
  const router = Router({ mergeParams: true });
  const params = z.object({ [`${spec.name}Id`]: z.uuid({ message: 'must be a UUID' }) });
  router.get('/', async (req, res) => {
    const id = parse(params, req.params, 'params')[`${spec.name}Id`] as string;
    const { limit, before } = parse(query, req.query, 'query');
    const accountId = accountIdOf(req);
    if (!(await spec.exists(db, accountId, id))) throw notFound(spec.name);
    // One row per meeting however many of the record's people attend it: the filters are EXISTS.
    const meetings = await db.meeting.findMany({
      where: { accountId, deletedAt: null, ...spec.meetings(id), ...(before ? { startAt: { lt: new Date(before) } } : {}) },
      include: meetingInclude,
      orderBy: [{ startAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    res.json({ items: meetings.map(meetingView), next: meetings.length === limit ? meetings[meetings.length - 1]!.startAt.toISOString() : null });
  });
  return router;
}
