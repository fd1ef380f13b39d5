/**
 * Workflows that write CRM changes to a user's calendar (SPEC §5), one per request: schedule a
 * meeting (create the event and send invitations), push an edit, and create or remove an
 * out-of-office block. Their workflow ids come from the CRM record, so a retried request reaches the
 * same workflow; their activities use client-chosen provider ids, so a retried activity creates
 * nothing twice.
 */
import { ActivityFailure, ApplicationFailure, patched, proxyActivities } from '@temporalio/workflow';
import type { CalendarWriteActivities } from '../activities/calendar-writes';
import { FAILURE_TYPES } from '../model/failure-types';

const { authRevoked, permissionDenied, invalidRequest, notConnected, notFound } = FAILURE_TYPES;
const NON_RETRYABLE = [authRevoked, permissionDenied, invalidRequest, notConnected, notFound];

const activities = proxyActivities<CalendarWriteActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 8, nonRetryableErrorTypes: NON_RETRYABLE },
});
const bookkeeping = proxyActivities<CalendarWriteActivities>({ startToCloseTimeout: '30s', retry: { maximumInterval: '10s' } });

function reasonOf(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) return `${cause.type ?? 'Error'}: ${cause.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Creates the meeting's calendar event; on failure for good the meeting is FAILED with the reason. */
export async function scheduleMeetingWorkflow(meetingId: string): Promise<'SCHEDULED' | 'FAILED'> {
  try {
    await activities.createMeetingEvent(meetingId);
    return 'SCHEDULED';
  } catch (error) {
    await bookkeeping.markMeetingFailed(meetingId, reasonOf(error));
    return 'FAILED';
  }
}

/**
 * Patches the meeting's calendar event from the CRM meeting and notifies its guests. An edit the
 * calendar refuses for good stops holding the sync back (runs begun before that existed just fail).
 */
export async function updateMeetingEventWorkflow(meetingId: string, notify: boolean): Promise<void> {
  if (!patched('release-pending-calendar-update')) return activities.patchMeetingEvent(meetingId, notify);
  try {
    await activities.patchMeetingEvent(meetingId, notify);
  } catch (error) {
    await bookkeeping.releaseCalendarUpdate(meetingId);
    throw error;
  }
}

/** Creates the period's out-of-office event, or deletes it once the period was removed. */
export async function syncOutOfOfficeWorkflow(outOfOfficeId: string, change: 'create' | 'delete'): Promise<void> {
  if (change === 'create') await activities.createOutOfOfficeEvent(outOfOfficeId);
  else await activities.removeOutOfOfficeEvent(outOfOfficeId);
}
