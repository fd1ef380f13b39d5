/**
 * The emails Google would send to guests, recorded instead of sent. `sendUpdates` decides who gets
 * one: `all` every guest, `externalOnly` guests who are not emulator (Google) users, `none` nobody.
 * The organizer, the calendar owner and resources (rooms) never get mail.
 */
import type { Attendee, EventRecord } from './event-model';

export type SendUpdates = 'all' | 'externalOnly' | 'none';
export type MailKind = 'invitation' | 'update' | 'cancellation';

export interface OutboxMessage {
  to: string;
  eventId: string;
  kind: MailKind;
  summary?: string;
}

export class Outbox {
  private messages: OutboxMessage[] = [];

  constructor(private readonly isGoogleUser: (email: string) => boolean) {}

  list(): OutboxMessage[] {
    return [...this.messages];
  }

  clear(): void {
    this.messages = [];
  }

  restore(saved: OutboxMessage[]): void {
    this.messages = [...saved];
  }

  /** Mail for one change: `before` absent on insert, `after` absent on delete. */
  recordChange(sendUpdates: SendUpdates | undefined, before: EventRecord | undefined, after: EventRecord | undefined, ownerEmail: string): void {
    if (!sendUpdates || sendUpdates === 'none') return;
    const event = (after ?? before)!;
    const guests = (record: EventRecord | undefined) =>
      new Map((record?.attendees ?? []).filter((a) => this.mayReceive(a, record!, ownerEmail, sendUpdates)).map((a) => [a.email.toLowerCase(), a]));
    const was = guests(before);
    const now = guests(after && after.status !== 'cancelled' ? after : undefined);
    for (const [key, guest] of now) this.push(guest.email, event, was.has(key) ? 'update' : 'invitation');
    for (const [key, guest] of was) if (!now.has(key)) this.push(guest.email, event, 'cancellation');
  }

  private mayReceive(attendee: Attendee, record: EventRecord, ownerEmail: string, sendUpdates: SendUpdates): boolean {
    const email = attendee.email.toLowerCase();
    if (attendee.resource || email === record.organizer.email.toLowerCase() || email === ownerEmail.toLowerCase()) return false;
    return sendUpdates === 'all' || !this.isGoogleUser(attendee.email);
  }

  private push(to: string, record: EventRecord, kind: MailKind): void {
    this.messages.push({ to, eventId: record.id, kind, summary: record.summary });
  }
}
