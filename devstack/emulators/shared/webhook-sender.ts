/**
 * Fire-and-forget webhook delivery for emulators' push notifications. A send never blocks the API
 * call that caused it. Each emulator gives its provider's verdict on an answer: delivered, failed,
 * or retried — POSTed again, unchanged, after a delay that doubles from `initialDelayMs` up to
 * `maxDelayMs`, until `maxAttempts` POSTs were made. Faults simulate a lossy, slow or repeating
 * network.
 */
export interface DeliveryFaults {
  /** Lose every notification (the API still counts the message number). */
  drop?: boolean;
  /** Hold each notification this long before sending it. */
  delayMs?: number;
  /** Send each notification twice. */
  duplicate?: boolean;
  /** Send each notification this many times (a flood); wins over `duplicate`. */
  copies?: number;
  /** Hold each copy a random time up to this long, so that notifications arrive out of order. */
  jitterMs?: number;
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface RetrySchedule {
  /** Wait before the first retry; each later one waits twice as long as the one before. */
  initialDelayMs: number;
  /** Longest wait between two attempts. */
  maxDelayMs: number;
  /** POSTs of one notification in all, the first included (1: never retry). */
  maxAttempts: number;
}

/**
 * Real providers keep trying far longer (Graph for up to 4 hours); an emulator gives up within a
 * few minutes so that a dead receiver does not keep a demo or a test run busy.
 */
const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { initialDelayMs: 1_000, maxDelayMs: 30_000, maxAttempts: 10 };

export type Verdict = 'delivered' | 'retry' | 'failed';
/** The provider's reading of an answer: its status, or `undefined` when none came (timeout, connection error). */
export type DeliveryPolicy = (status: number | undefined) => Verdict;
/** Reported for each retry POST sent, and once at the end: delivered, or given up. */
export type DeliveryOutcome = 'delivered' | 'retried' | 'failed';

const TIMEOUT_MS = 10_000;

export class WebhookSender {
  faults: DeliveryFaults = {};
  private schedule: RetrySchedule = { ...DEFAULT_RETRY_SCHEDULE };
  private stopped = false;
  private readonly inFlight = new Set<AbortController>();
  private readonly waiting = new Set<NodeJS.Timeout>();

  constructor(
    private readonly log: (line: string) => void,
    private readonly policy: DeliveryPolicy,
  ) {}

  /** Changes the given parts of the schedule, for notifications sent or retried from now on. */
  setRetrySchedule(changes: Partial<RetrySchedule>): void {
    const next = { ...this.schedule, ...changes };
    if (!Number.isInteger(next.maxAttempts) || next.maxAttempts < 1) throw new Error('deliveryRetry.maxAttempts must be a positive integer');
    if (!(next.initialDelayMs >= 0) || !(next.maxDelayMs >= 0)) throw new Error('deliveryRetry delays must be non-negative numbers of ms');
    this.schedule = next;
  }

  /**
   * Queues one delivery and reports what becomes of it. Faults apply here, to the notification as
   * first sent; retries are the provider's own and go out whatever the faults are by then.
   */
  send(request: WebhookRequest, onOutcome: (outcome: DeliveryOutcome) => void = () => undefined): void {
    if (this.stopped) return;
    const { drop, delayMs = 0, duplicate, copies = duplicate ? 2 : 1, jitterMs = 0 } = this.faults;
    if (drop) return;
    const deliver = () => {
      for (let i = 0; i < copies; i++) {
        if (jitterMs > 0) this.after(Math.random() * jitterMs, () => void this.attempt(request, 1, onOutcome));
        else void this.attempt(request, 1, onOutcome);
      }
    };
    if (delayMs > 0) this.after(delayMs, deliver);
    else queueMicrotask(deliver);
  }

  /** Forgets deliveries still waiting (delayed or to be retried): the emulator was reset. */
  cancelPending(): void {
    for (const timer of this.waiting) clearTimeout(timer);
    this.waiting.clear();
  }

  /** Aborts deliveries in flight, cancels waiting ones and refuses new ones (the emulator is shutting down). */
  stop(): void {
    this.stopped = true;
    this.cancelPending();
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
  }

  private async attempt(request: WebhookRequest, attempt: number, onOutcome: (outcome: DeliveryOutcome) => void): Promise<void> {
    if (this.stopped) return;
    const answer = await this.post(request);
    if (this.stopped) return;
    const status = typeof answer === 'number' ? answer : undefined;
    const verdict = this.policy(status);
    if (verdict === 'delivered') return onOutcome('delivered');
    const what = typeof answer === 'number' ? `answered ${answer}` : `failed (${answer.message})`;
    const { initialDelayMs, maxDelayMs, maxAttempts } = this.schedule;
    if (verdict === 'retry' && attempt < maxAttempts) {
      const delayMs = Math.min(initialDelayMs * 2 ** (attempt - 1), maxDelayMs);
      this.log(`webhook ${request.url} ${what}; retry ${attempt} of ${maxAttempts - 1} in ${delayMs} ms`);
      this.after(delayMs, () => {
        onOutcome('retried');
        void this.attempt(request, attempt + 1, onOutcome);
      });
      return;
    }
    this.log(`webhook ${request.url} ${what}; notification dropped${verdict === 'retry' ? ` after ${attempt} attempts` : ''}`);
    onOutcome('failed');
  }

  /** Unref'd and tracked, so that neither a test run nor `stop()` waits on it. */
  private after(delayMs: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.waiting.delete(timer);
      run();
    }, delayMs).unref();
    this.waiting.add(timer);
  }

  /** The answer's status, or the error that stood for one. */
  private async post(request: WebhookRequest): Promise<number | Error> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS).unref();
    this.inFlight.add(controller);
    try {
      const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, signal: controller.signal });
      await response.arrayBuffer().catch(() => undefined);
      return response.status;
    } catch (error) {
      return error as Error;
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }
}
