/**
 * Turns a stream of "something changed" notifications into at most one workflow signal per pending
 * sync: one signal per notification let a flood put thousands of signals in one workflow activation,
 * which crashed a worker, and grew the history by an event each.
 *
 * Across API instances the connection row's `sync_requested_at` marker decides: the notification
 * that sets it signals, later ones find it set and signal nothing, and the sync clears it as it
 * starts, so a change made after that start sets it again and wakes one more sync. No change goes
 * without a sync that starts after it. A marker left by an instance that died before signalling
 * counts as unset after `staleAfter`.
 *
 * Within an instance, a notification arriving while its connection's claim is in flight waits for
 * one follow-up claim that all later arrivals share, instead of issuing its own.
 *
 * Without a database the instance signals anyway (the sync will retry until the database is back),
 * at most once per `fallbackSpacingMs` per connection, the last one trailing.
 *
 * A signal that fails (Temporal unreachable, or slower than the deadline) releases the marker and
 * fails the notification, so the webhook answers 503 and the provider delivers it again.
 */
export type NotifyOutcome = 'signalled' | 'coalesced' | 'no_workflow';

export interface CoalescerDependencies {
  /** Sets the marker when unset or stale; true when this call set it. May throw: no database. */
  claim(connectionId: string): Promise<boolean>;
  release(connectionId: string): Promise<void>;
  /** Signals the workflow; false when none runs. Throws when Temporal does not answer in time. */
  signal(connectionId: string): Promise<boolean>;
}

export interface CoalescerOptions {
  /** A claim slower than this counts as "no database". */
  claimTimeoutMs: number;
  fallbackSpacingMs: number;
}

export class NotificationCoalescer {
  private readonly running = new Map<string, Promise<NotifyOutcome>>();
  private readonly queued = new Map<string, Promise<NotifyOutcome>>();
  private readonly lastFallbackSignal = new Map<string, number>();

  constructor(
    private readonly deps: CoalescerDependencies,
    private readonly options: CoalescerOptions,
  ) {}

  notify(connectionId: string): Promise<NotifyOutcome> {
    const queued = this.queued.get(connectionId);
    if (queued) return queued.then(asShared);
    const running = this.running.get(connectionId);
    if (!running) return this.round(connectionId);
    const next = running
      .then(noop, noop)
      .then(() => {
        this.queued.delete(connectionId);
        return this.round(connectionId);
      });
    this.queued.set(connectionId, next);
    return next;
  }

  private round(connectionId: string): Promise<NotifyOutcome> {
    const promise = this.claimAndSignal(connectionId).finally(() => {
      if (this.running.get(connectionId) === promise) this.running.delete(connectionId);
    });
    this.running.set(connectionId, promise);
    return promise;
  }

  private async claimAndSignal(connectionId: string): Promise<NotifyOutcome> {
    let claimedInDatabase = false;
    try {
      claimedInDatabase = await withTimeout(this.deps.claim(connectionId), this.options.claimTimeoutMs);
      if (!claimedInDatabase) return 'coalesced';
    } catch {
      await this.spaceFallbackSignal(connectionId);
    }
    try {
      return (await this.deps.signal(connectionId)) ? 'signalled' : 'no_workflow';
    } catch (error) {
      if (claimedInDatabase) await this.deps.release(connectionId).catch(noop);
      throw error;
    }
  }

  private async spaceFallbackSignal(connectionId: string): Promise<void> {
    const now = Date.now();
    const wait = (this.lastFallbackSignal.get(connectionId) ?? 0) + this.options.fallbackSpacingMs - now;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (this.lastFallbackSignal.size > 10_000) {
      for (const [id, at] of this.lastFallbackSignal) if (at < now - this.options.fallbackSpacingMs) this.lastFallbackSignal.delete(id);
    }
    this.lastFallbackSignal.set(connectionId, Date.now());
  }
}

const noop = () => undefined;

/** Someone else's round covered this notification: it signalled nothing of its own. */
const asShared = (outcome: NotifyOutcome): NotifyOutcome => (outcome === 'signalled' ? 'coalesced' : outcome);

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
