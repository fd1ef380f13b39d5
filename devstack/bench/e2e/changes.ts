/**
 * One calendar change as a user makes it, timed until its meeting is in the CRM: the event (with a
 * contact as guest) is created through the emulator's control API, which pushes the notification to
 * the API like the provider would; one probe loop then looks for all pending meetings in the
 * database with one indexed query every few milliseconds.
 */
import { parseDuration } from '../../../config';
import type { ProviderName } from '../../../model/calendar-event';
import type { BenchUser } from './population';
import type { Stack } from '../../service-stack';

const POLL_EVERY_MS = 5;
const CHANGE_TIMEOUT_MS = 30_000;
/**
 * A user changes their calendar again only after this: a change within SYNC_SPACING of the previous
 * sync waits for the spacing by design, and the latency figures are those of a quiet connection.
 */
export const USER_REST_MS = parseDuration(process.env.SYNC_SPACING ?? '1s') + 1000;

interface Pending {
  accountId: string;
  startAt: string;
  title: string;
  issuedAt: number;
  resolve(latencyMs: number): void;
  reject(error: Error): void;
}

export interface ChangeResult {
  /** undefined: the meeting did not arrive within the timeout. */
  latencyMs?: number;
}

/** The event body each provider's control API takes. */
export function eventBody(provider: ProviderName, title: string, start: Date, guestEmail: string): Record<string, unknown> {
  const end = new Date(start.getTime() + 30 * 60_000);
  if (provider === 'GOOGLE') {
    return { summary: title, start: { dateTime: start.toISOString() }, end: { dateTime: end.toISOString() }, attendees: [{ email: guestEmail }] };
  }
  const utc = (date: Date) => ({ dateTime: date.toISOString().replace('Z', ''), timeZone: 'UTC' });
  return { subject: title, start: utc(start), end: utc(end), attendees: [{ type: 'required', emailAddress: { address: guestEmail } }] };
}

export class ChangeProbe {
  private readonly pending = new Map<string, Pending>();
  private sequence = 0;
  private polling = false;
  private readonly firstStart: number;
  private readonly lastChangeAt = new Map<string, number>();
  private readonly inFlight = new Set<string>();
  private nextUser = 0;

  constructor(private readonly stack: Stack) {
    // Every change gets its own start minute from tomorrow on, so that (account, start) finds it by index.
    const tomorrow = new Date();
    tomorrow.setUTCHours(24, 0, 0, 0);
    this.firstStart = tomorrow.getTime();
  }

  /**
   * Makes one change in `user`'s calendar and resolves when its meeting is in the database. The
   * latency is measured to the start of the probe query that found it (its snapshot saw the meeting).
   */
  change(user: BenchUser): Promise<ChangeResult> {
    const n = this.sequence++;
    const title = `bench change ${n}`;
    const start = new Date(this.firstStart + n * 60_000);
    const guest = user.account.contactEmails[n % user.account.contactEmails.length]!;
    const body = eventBody(user.provider, title, start, guest);
    const control = user.provider === 'GOOGLE' ? this.stack.google.control : this.stack.microsoft.control;
    this.inFlight.add(user.id);
    const landed = new Promise<number>((resolve, reject) => {
      this.pending.set(title, { accountId: user.account.id, startAt: start.toISOString(), title, issuedAt: performance.now(), resolve, reject });
      try {
        control.userCreateEvent(user.email, body);
      } catch (error) {
        this.pending.delete(title);
        reject(error);
      }
    });
    void this.poll();
    return landed.then(
      (latencyMs) => ({ latencyMs }),
      () => ({}),
    ).finally(() => {
      this.inFlight.delete(user.id);
      this.lastChangeAt.set(user.id, performance.now());
    });
  }

  /**
   * The next user, round robin, with no change in flight and rested (USER_REST_MS); waits for one
   * when none is (too few users for the rate).
   */
  async pickUser(users: BenchUser[]): Promise<BenchUser> {
    const deadline = performance.now() + CHANGE_TIMEOUT_MS;
    for (;;) {
      for (let tried = 0; tried < users.length; tried++) {
        const user = users[this.nextUser++ % users.length]!;
        const last = this.lastChangeAt.get(user.id);
        if (!this.inFlight.has(user.id) && (last === undefined || performance.now() - last >= USER_REST_MS)) {
          // Reserved until its change resolves.
          this.inFlight.add(user.id);
          return user;
        }
      }
      if (performance.now() > deadline) throw new Error('no user free to change its calendar');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** One loop for all pending changes, one query per turn; it ends when nothing is pending. */
  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      while (this.pending.size > 0) {
        const batch = [...this.pending.values()];
        const sentAt = performance.now();
        const found = await this.stack.probe
          .query<{ title: string }>(
          `SELECT m.title FROM meetings m
             JOIN unnest($1::uuid[], $2::timestamptz[]) AS p(account_id, start_at)
               ON m.account_id = p.account_id AND m.start_at = p.start_at
            WHERE m.title = ANY($3::text[])`,
            [batch.map((p) => p.accountId), batch.map((p) => p.startAt), batch.map((p) => p.title)],
          )
          .catch((error: Error) => {
            // A probe that cannot query fails what it waits for rather than hanging it.
            for (const p of batch) {
              this.pending.delete(p.title);
              p.reject(error);
            }
            return { rows: [] };
          });
        for (const { title } of found.rows) {
          const hit = this.pending.get(title);
          if (!hit) continue;
          this.pending.delete(title);
          hit.resolve(sentAt - hit.issuedAt);
        }
        for (const p of this.pending.values()) {
          if (sentAt - p.issuedAt > CHANGE_TIMEOUT_MS) {
            this.pending.delete(p.title);
            p.reject(new Error(`${p.title} did not arrive within ${CHANGE_TIMEOUT_MS / 1000} s`));
          }
        }
        const wait = sentAt + POLL_EVERY_MS - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    } finally {
      this.polling = false;
    }
  }
}
