/**
 * The events an endpoint can ask for, and the body each delivery carries. Events are written by
 * database triggers (prisma/migrations/20261205010000_event_webhooks) into `webhook_events`; the body
 * is built here from that row, so every attempt and every redelivery of one event sends the same bytes:
 * `{"id":"evt_<n>","type":…,"timestamp":…,"data":{…}}` (Standard Webhooks' payload shape plus the id).
 */
export const EVENT_TYPES = [
  'meeting.created',
  'meeting.updated',
  'meeting.cancelled',
  'connection.active',
  'connection.needs_reauth',
  'connection.disconnected',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** `evt_<n>`: n increases with every event (and is the order of one meeting's or connection's events). */
export const eventIdOf = (id: bigint | number | string): string => `evt_${id}`;

export function eventNumberOf(eventId: string): bigint | undefined {
  const match = /^evt_(\d{1,18})$/.exec(eventId);
  return match ? BigInt(match[1]!) : undefined;
}

export interface StoredEvent {
  id: bigint | number | string;
  type: string;
  data: unknown;
  createdAt: Date;
}

/** The JSON body of a delivery: the same bytes for every attempt of the event. */
export function eventBody(event: StoredEvent): string {
  return JSON.stringify({ id: eventIdOf(event.id), type: event.type, timestamp: event.createdAt.toISOString(), data: event.data });
}
