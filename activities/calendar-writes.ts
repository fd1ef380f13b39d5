/**
 * Activities that write CRM meetings and out-of-office periods into the owner's calendar (SPEC §5).
 * Each is idempotent: events are created with client-chosen ids (Google event id, Graph
 * `transactionId`) derived from the CRM record, and links are upserts.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Database } from '../db/client';
import type { SecretBox } from '../lib/crypto';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import { FAILURE_TYPES } from '../model/failure-types';
import { ProviderError } from '../providers/errors';
import type { ProviderRegistry } from '../providers/registry';
import type { EventInput } from '../providers/types';
import { meetingKeyOf } from '../sync-rules';
import { mapFailures } from './failures';
import { openProviderSession, type ProviderSession } from './provider-session';

export interface CalendarWriteDependencies {
  db: Database;
  secrets: SecretBox;
  logger: Logger;
  providers: ProviderRegistry;
  /** Provider call metrics; absent where nothing serves /metrics. */
  metrics?: Metrics;
}

const notConnected = (message: string) => ApplicationFailure.nonRetryable(message, FAILURE_TYPES.notConnected);

export function createCalendarWriteActivities(deps: CalendarWriteDependencies) {
  const { db } = deps;

  /** The owner's usable connection, or a failure that says why there is none. */
  async function ownerSession(userId: string | null): Promise<ProviderSession> {
    const connection = userId ? await db.calendarConnection.findUnique({ where: { userId } }) : null;
    if (!connection || connection.status === 'DISCONNECTED') throw notConnected('the meeting owner has no connected calendar');
    if (connection.status === 'NEEDS_REAUTH') throw notConnected('the meeting owner must reconnect their calendar');
    return openProviderSession(deps, connection.id);
  }

  async function loadMeeting(meetingId: string) {
    const meeting = await db.meeting.findUnique({ where: { id: meetingId }, include: { attendees: true } });
    if (!meeting) throw ApplicationFailure.nonRetryable(`meeting ${meetingId} does not exist`, 'NotFoundError');
    return meeting;
  }

  /** Out-of-office blocks have no guests to tell; gone already is fine. */
  async function deleteOutOfOfficeEvent(userId: string, providerEventId: string, session?: ProviderSession): Promise<void> {
    const owner = session ?? (await ownerSession(userId));
    try {
      await owner.run((calendar) => calendar.deleteEvent(providerEventId, { notify: false }));
    } catch (error) {
      if (!(error instanceof ProviderError && error.kind === 'notFound')) throw error;
    }
  }

  function eventInput(meeting: Awaited<ReturnType<typeof loadMeeting>>): EventInput {
    // The meeting's own zone, so the event and the invitations show it; an all-day meeting stays one.
    const zone = { timeZone: meeting.timeZone ?? undefined, allDay: meeting.allDay };
    return {
      title: meeting.title,
      description: meeting.description ?? undefined,
      location: meeting.location ?? undefined,
      start: { dateTime: meeting.startAt.toISOString(), ...zone },
      end: { dateTime: meeting.endAt.toISOString(), ...zone },
      attendees: meeting.attendees.filter((a) => !a.organizer).map((a) => ({ email: a.email, name: a.name ?? undefined })),
      conference: meeting.conferenceRequested,
    };
  }

  return {
    createMeetingEvent: mapFailures(async (meetingId: string): Promise<{ providerEventId: string }> => {
      const meeting = await loadMeeting(meetingId);
      const session = await ownerSession(meeting.ownerUserId);
      const connectionId = session.connection.id;
      const event = await session.run((calendar) => calendar.createEvent(eventInput(meeting), { clientId: meeting.id, crmMeetingId: meeting.id }));
      const meetingKey = meetingKeyOf(event);
      await db.$transaction(async (tx) => {
        await tx.calendarEventLink.upsert({
          where: { connectionId_providerEventId: { connectionId, providerEventId: event.id } },
          create: { meetingId, connectionId, providerEventId: event.id, iCalUID: event.iCalUID ?? null, sourceUpdatedAt: event.updatedAt ? new Date(event.updatedAt) : null },
          update: { meetingId },
        });
        await tx.meeting.update({
          where: { id: meetingId },
          data: {
            status: meeting.status === 'CANCELLED' ? 'CANCELLED' : 'SCHEDULED',
            failureReason: null,
            iCalUID: event.iCalUID ?? null,
            meetingKey,
            // The sync skips this very version (the CRM's own write): its join link is taken here.
            conferenceUrl: event.conference?.url ?? null,
            conferenceProvider: event.conference?.provider ?? null,
          },
        });
      });
      return { providerEventId: event.id };
    }),

    patchMeetingEvent: mapFailures(async (meetingId: string, notify: boolean): Promise<void> => {
      const meeting = await loadMeeting(meetingId);
      const session = await ownerSession(meeting.ownerUserId);
      const link = await db.calendarEventLink.findFirst({ where: { meetingId, connectionId: session.connection.id } });
      if (!link) throw ApplicationFailure.nonRetryable('the meeting has no event in its owner’s calendar yet', 'NotFoundError');
      const patched = await session.run((calendar) => calendar.patchEvent(link.providerEventId, eventInput(meeting), { notify }));
      // The sync loop will read this version back: it holds the CRM's own edit, nothing to apply.
      if (patched.updatedAt) {
        const version = new Date(patched.updatedAt);
        await db.calendarEventLink.updateMany({ where: { id: link.id, OR: [{ sourceUpdatedAt: null }, { sourceUpdatedAt: { lt: version } }] }, data: { sourceUpdatedAt: version } });
      }
      // The calendar holds the edit now; a later edit still on its way keeps its own mark.
      if (meeting.calendarUpdatePendingSince) {
        await db.meeting.updateMany({ where: { id: meetingId, calendarUpdatePendingSince: meeting.calendarUpdatePendingSince }, data: { calendarUpdatePendingSince: null } });
      }
    }),

    /** An edit the calendar refused for good: the sync applies the calendar's version again. */
    releaseCalendarUpdate: mapFailures(async (meetingId: string): Promise<void> => {
      await db.meeting.updateMany({ where: { id: meetingId }, data: { calendarUpdatePendingSince: null } });
    }),

    markMeetingFailed: mapFailures(async (meetingId: string, reason: string): Promise<void> => {
      await db.meeting.updateMany({ where: { id: meetingId, status: 'SCHEDULING' }, data: { status: 'FAILED', failureReason: reason.slice(0, 2000) } });
    }),

    /**
     * Creates the period's out-of-office event and links it. A removal that lands meanwhile is caught
     * after linking: the create then deletes the event itself, as the removal's own activity may have
     * found nothing to delete yet.
     */
    createOutOfOfficeEvent: mapFailures(async (outOfOfficeId: string): Promise<void> => {
      const period = await db.outOfOffice.findUnique({ where: { id: outOfOfficeId } });
      if (!period) return;
      if (period.providerEventId) {
        if (period.deletedAt) await deleteOutOfOfficeEvent(period.userId, period.providerEventId);
        return;
      }
      // A first attempt for a removed period has nothing to undo. A later one may follow an attempt
      // whose create succeeded before it failed: the idempotent create finds that event to delete it.
      if (period.deletedAt && Context.current().info.attempt === 1) return;
      const session = await ownerSession(period.userId);
      const event = await session.run((calendar) =>
        calendar.createEvent(
          { title: period.title ?? 'Out of office', start: { dateTime: period.startAt.toISOString() }, end: { dateTime: period.endAt.toISOString() }, attendees: [], outOfOffice: true },
          { clientId: period.id, crmOutOfOfficeId: period.id },
        ),
      );
      const linked = await db.$transaction(async (tx) => {
        // Where a provider drops the CRM's mark, the sync loop imports the event as a copy: drop the copy.
        await tx.outOfOffice.deleteMany({ where: { connectionId: session.connection.id, providerEventId: event.id, id: { not: period.id } } });
        return tx.outOfOffice.update({ where: { id: period.id }, data: { connectionId: session.connection.id, providerEventId: event.id } });
      });
      if (linked.deletedAt) await deleteOutOfOfficeEvent(period.userId, event.id, session);
    }),

    /** Deletes a removed period's event; one not linked yet is deleted by its create (above). */
    removeOutOfOfficeEvent: mapFailures(async (outOfOfficeId: string): Promise<void> => {
      const period = await db.outOfOffice.findUnique({ where: { id: outOfOfficeId } });
      if (period?.deletedAt && period.providerEventId) await deleteOutOfOfficeEvent(period.userId, period.providerEventId);
    }),
  };
}

export type CalendarWriteActivities = ReturnType<typeof createCalendarWriteActivities>;
