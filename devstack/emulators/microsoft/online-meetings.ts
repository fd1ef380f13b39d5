/**
 * Teams meetings on events, as Graph's event resource describes them: `isOnlineMeeting: true` makes
 * Graph initialize `onlineMeeting` (its `joinUrl`) with the event, for `onlineMeetingProvider` (the
 * calendar's default when absent; this emulator's calendars allow Teams only, as
 * `allowedOnlineMeetingProviders: ["teamsForBusiness"]`). "Subsequently, Outlook ignores any further
 * changes to isOnlineMeeting, and the meeting remains available online": a Graph PATCH can neither
 * replace nor remove it. Only the user in Outlook removes it (the control API).
 */
import crypto from 'node:crypto';

export interface OnlineMeeting {
  provider: 'teamsForBusiness';
  joinUrl: string;
  /** The dial-in conference id. */
  conferenceId: string;
}

const ALLOWED_PROVIDERS = ['teamsForBusiness'];

/** A new Teams meeting, shaped like Teams' meetup-join links. */
function teamsMeeting(): OnlineMeeting {
  const thread = `19%3ameeting_${crypto.randomBytes(24).toString('base64url')}%40thread.v2`;
  return { provider: 'teamsForBusiness', joinUrl: `https://teams.microsoft.com/l/meetup-join/${thread}/0`, conferenceId: String(crypto.randomInt(100_000_000, 1_000_000_000)) };
}

/** The online meeting a create or PATCH body leaves the event with, given the one it has. */
export function onlineMeetingAfter(current: OnlineMeeting | undefined, body: Record<string, unknown>): OnlineMeeting | undefined {
  if (current || body.isOnlineMeeting !== true) return current;
  const provider = body.onlineMeetingProvider ?? 'teamsForBusiness';
  if (typeof provider !== 'string' || !ALLOWED_PROVIDERS.includes(provider)) {
    throw Object.assign(new Error(`onlineMeetingProvider ${String(provider)} is not allowed for this calendar (allowedOnlineMeetingProviders: ${ALLOWED_PROVIDERS.join(', ')})`), {
      status: 400,
      code: 'ErrorInvalidRequest',
    });
  }
  return teamsMeeting();
}

/** The Graph fields of an event's online meeting, present or not. */
export function renderOnlineMeeting(meeting: OnlineMeeting | undefined): Record<string, unknown> {
  return {
    isOnlineMeeting: meeting !== undefined,
    onlineMeetingProvider: meeting?.provider ?? 'unknown',
    onlineMeeting: meeting ? { joinUrl: meeting.joinUrl, conferenceId: meeting.conferenceId } : null,
    // Skype-era field, "set only when an organizer specifies in Outlook that an event is an online meeting such as Skype".
    onlineMeetingUrl: null,
  };
}
