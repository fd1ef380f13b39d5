/**
 * CRM meetings: read them, schedule one into the owner's calendar (with `Idempotency-Key`), edit it
 * with "save and send update", retry a failed one, delete it from the CRM (the calendar event stays).
 */
import { z } from 'zod';
import type { Database } from '../../db/client';
import { meetingInclude, meetingView } from '../../crm/meeting-view';
import type { FieldProblem } from '../../crm/errors';
import { formProblems, resolveTimes } from '../../crm/meeting-times';
import { createScheduledMeeting, deleteMeeting, editMeeting, requireCalendarEvent, retryFailedMeeting } from '../../crm/schedule-meeting';
import type { ApiTemporalClient } from '../temporal-client';
import { notFound } from '../http-errors';
import { accountIdOf } from '../middleware/authenticate';
import { idempotencyKeyHeader, idempotent, idempotentRecordId } from '../middleware/idempotency';
import { errorSchema, meetingSchema, pageSchema } from '../responses';
import { ApiRoutes } from '../routes';
import { idParams, uuid } from '../validation';
import { pageArgs } from '../../db/paging';
import { pageOf, pageQuery } from '../paging';

const uuids = z.array(uuid()).max(200);
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with offset, e.g. 2026-12-01T10:00:00Z' });
/** Which of the two a boundary must be depends on `allDay` (crm/meeting-times.ts), checked over the whole body. */
const boundary = (which: 'start' | 'end') =>
  z.union([instant, z.iso.date()], { error: 'must be an ISO-8601 date-time with offset (2026-12-01T10:00:00Z), or with allDay: true a date (2026-12-01)' }).meta({
    description:
      which === 'start'
        ? 'When the meeting starts: a date-time with offset; for an all-day meeting its first day (`YYYY-MM-DD`).'
        : 'When the meeting ends: a date-time with offset; for an all-day meeting the day after its last day (`YYYY-MM-DD`, exclusive, as Google Calendar and Microsoft Graph have it: a one-day meeting on 2026-12-10 ends 2026-12-11).',
  });
const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/Paris');

const meetingFields = {
  title: z.string().trim().min(1, 'must not be empty').max(500),
  description: z.string().max(20_000).optional(),
  location: z.string().trim().max(1000).optional(),
  startAt: boundary('start'),
  endAt: boundary('end'),
  allDay: z.boolean().meta({
    description: 'An all-day meeting: `startAt`/`endAt` are dates, read back as 00:00 UTC of those dates. Changing it in a PATCH needs both new boundaries.',
  }),
  timeZone: timeZone.optional().meta({
    description: 'IANA zone the event is written in (UTC when absent). For an all-day meeting, the zone whose midnights Outlook files it between; Google keeps the dates alone.',
  }),
  guestContactIds: uuids,
};

/** Adds each problem of `problems` as a zod issue, so it reads like any other field error. */
const addProblems = (ctx: z.RefinementCtx, problems: FieldProblem[]) => {
  for (const { field, problem } of problems) ctx.addIssue({ code: 'custom', path: [field], message: problem });
};

export const scheduleBody = z
  .object({
    ownerUserId: uuid(),
    ...meetingFields,
    allDay: meetingFields.allDay.default(false),
    conference: z.boolean().default(false).meta({
      description:
        'Create the event with an online meeting: Google Meet, or a Microsoft Teams meeting in Outlook. Its join link shows as `conference` once the provider has made it (retries make no second one).',
    }),
    guestContactIds: uuids.default([]),
    associations: z
      .object({ contacts: uuids.default([]), companies: uuids.default([]), deals: uuids.default([]), tickets: uuids.default([]) })
      .strict()
      .default({ contacts: [], companies: [], deals: [], tickets: [] }),
  })
  .strict()
  .superRefine((m, ctx) => addProblems(ctx, resolveTimes(m).problems));

export const editBody = z
  .object({ ...z.object(meetingFields).partial().shape, sendUpdate: z.boolean().default(false) })
  .strict()
  // Without `allDay` the stored meeting decides, once it is read (crm/schedule-meeting.ts).
  .superRefine((m, ctx) => addProblems(ctx, m.allDay === undefined ? [] : formProblems(m, m.allDay)));

export function meetingsRouter(db: Database, temporal: ApiTemporalClient): ApiRoutes {
  const routes = new ApiRoutes({ tags: ['Meetings'], security: 'apiKey' });
  const theMeeting = (description: string) => ({ description, schema: meetingSchema });
  const conflict = (description: string) => ({ description, schema: errorSchema });

  const findMeeting = async (accountId: string, id: string) => {
    const meeting = await db.meeting.findFirst({ where: { id, accountId, deletedAt: null }, include: meetingInclude });
    if (!meeting) throw notFound('meeting');
    return meeting;
  };

  routes.get('/', { operationId: 'listMeetings', summary: 'List meetings', query: pageQuery, responses: { 200: { description: 'A page of meetings', schema: pageSchema(meetingSchema) } } }, async ({ query }, req, res) => {
    const meetings = await db.meeting.findMany({ where: { accountId: accountIdOf(req), deletedAt: null }, include: meetingInclude, ...pageArgs(query) });
    res.json(pageOf(meetings.map(meetingView), query.limit));
  });

  routes.get(
    '/:id',
    {
      operationId: 'getMeeting',
      summary: 'Read a meeting',
      params: idParams,
      responses: { 200: theMeeting('The meeting, with `conference`: `{ url, provider }` (GOOGLE_MEET, TEAMS, SKYPE, OTHER), the join link its calendar event has now, or null') },
    },
    async ({ params: { id } }, req, res) => {
      res.json(meetingView(await findMeeting(accountIdOf(req), id)));
    },
  );

  routes.post(
    '/',
    {
      operationId: 'scheduleMeeting',
      summary: 'Schedule a meeting into the owner’s calendar, with invitations',
      description:
        'A timed meeting takes `startAt`/`endAt` as date-times with offset. An all-day one takes `"allDay": true` and dates, the end exclusive as in Google Calendar and Microsoft Graph: `{"allDay": true, "startAt": "2026-12-10", "endAt": "2026-12-13", "timeZone": "Asia/Tokyo"}` is 10 to 12 December. It becomes a Google `date` event, and an Outlook `isAllDay` event from midnight to midnight in `timeZone`; it reads back with those dates at 00:00 UTC, in every zone. With `"conference": true` the event gets a Google Meet or Teams meeting, once however often the request or the create is retried; its join link shows as `conference` when the provider answered.',
      headers: idempotencyKeyHeader,
      body: scheduleBody,
      before: [idempotent(db)],
      responses: {
        202: theMeeting('The meeting, SCHEDULING until the event exists'),
        409: conflict('The owner has no usable calendar connection, or the key is in use'),
        422: conflict('The Idempotency-Key was used for a different request'),
      },
    },
    async ({ body }, req, res) => {
      const accountId = accountIdOf(req);
      const meeting = await createScheduledMeeting(db, accountId, body, idempotentRecordId(req));
      await temporal.scheduleMeeting(meeting.id);
      res.status(202).json(meetingView(await findMeeting(accountId, meeting.id)));
    },
  );

  routes.post(
    '/:id/retry',
    { operationId: 'retryMeeting', summary: 'Retry a FAILED meeting', params: idParams, responses: { 202: theMeeting('The meeting, SCHEDULING again'), 409: conflict('Not FAILED, or the owner’s calendar is not usable') } },
    async ({ params: { id } }, req, res) => {
      const accountId = accountIdOf(req);
      const retrying = await retryFailedMeeting(db, accountId, id);
      if (!retrying) throw notFound('meeting');
      await temporal.scheduleMeeting(id, retrying.updatedAt.getTime().toString());
      res.status(202).json(meetingView(await findMeeting(accountId, id)));
    },
  );

  routes.patch(
    '/:id',
    {
      operationId: 'editMeeting',
      summary: 'Edit a meeting; with `sendUpdate` the calendar event is patched and guests (new ones included) are notified',
      description:
        'Times take the meeting’s form: dates for an all-day meeting, date-times otherwise. Sending `allDay` to turn it on or off needs both `startAt` and `endAt` in the new form.',
      params: idParams,
      body: editBody,
      responses: { 200: theMeeting('The meeting'), 409: conflict('No calendar event to update') },
    },
    async ({ params: { id }, body: { sendUpdate, ...changes } }, req, res) => {
      const accountId = accountIdOf(req);
      const current = await findMeeting(accountId, id);
      if (sendUpdate) await requireCalendarEvent(db, accountId, current);
      const updated = await editMeeting(db, accountId, id, changes, { calendarUpdate: sendUpdate });
      if (!updated) throw notFound('meeting');
      if (sendUpdate) await temporal.updateMeetingEvent(id, updated.updatedAt.getTime().toString(), true);
      res.json(meetingView(await findMeeting(accountId, id)));
    },
  );

  routes.delete('/:id', { operationId: 'deleteMeeting', summary: 'Delete from the CRM only: the calendar event stays', params: idParams, responses: { 204: { description: 'Deleted' } } }, async ({ params: { id } }, req, res) => {
    if (!(await deleteMeeting(db, accountIdOf(req), id))) throw notFound('meeting');
    res.status(204).end();
  });

  return routes;
}
