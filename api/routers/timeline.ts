/**
 * A contact's timeline: the meetings the contact attends, newest first (SPEC §1).
 */
import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { meetingInclude, meetingView } from '../../crm/meeting-view';
import { notFound } from '../http-errors';
import { accountIdOf } from '../middleware/authenticate';
import { parse } from '../validation';

const params = z.object({ contactId: z.uuid({ message: 'must be a UUID' }) });
const query = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), before: z.iso.datetime({ offset: true }).optional() });

export function timelineRouter(db: Database): Router {
  const router = Router({ mergeParams: true });
  router.get('/', async (req, res) => {
    const { contactId } = parse(params, req.params, 'params');
    const { limit, before } = parse(query, req.query, 'query');
    const accountId = accountIdOf(req);
    const contact = await db.contact.findFirst({ where: { id: contactId, accountId }, select: { id: true } });
    if (!contact) throw notFound('contact');
    const meetings = await db.meeting.findMany({
      where: { accountId, deletedAt: null, attendees: { some: { contactId } }, ...(before ? { startAt: { lt: new Date(before) } } : {}) },
      include: meetingInclude,
      orderBy: [{ startAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    res.json({ items: meetings.map(meetingView), next: meetings.length === limit ? meetings[meetings.length - 1]!.startAt.toISOString() : null });
  });
  return router;
}
