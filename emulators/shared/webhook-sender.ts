/**
 * Fire-and-forget webhook delivery for emulators' push notifications. A send never blocks the API
 * call that caused it; failures are reported to `log` and dropped (providers retry in ways tests
 * should not depend on). Faults simulate a lossy, slow or repeating network.
 */
export interface DeliveryFaults {
  /** Lose every notification (the API still counts the message number). */
  drop?: boolean;
  /** Hold each notification this long before sending it. */
  delayMs?: number;
  /** Send each notification twice. */
  duplicate?: boolean;
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body?: string;
}

const TIMEOUT_MS = 10_000;

export class WebhookSender {
  faults: DeliveryFaults = {};
  private stopped = false;
  private readonly inFlight = new Set<AbortController>();

  constructor(private readonly log: (line: string) => void) {}

  /** Queues one delivery; `onResult(true)` after each 2xx answer, `onResult(false)` after a failure. */
  send(request: WebhookRequest, onResult: (delivered: boolean) => void = () => undefined): void {
    if (this.stopped) return;
    const { drop, delayMs = 0, duplicate } = this.faults;
    if (drop) return;
    const copies = duplicate ? 2 : 1;
    const deliver = () => {
      for (let i = 0; i < copies; i++) void this.post(request).then(onResult);
    };
    if (delayMs > 0) setTimeout(deliver, delayMs).unref();
    else queueMicrotask(deliver);
  }

  /** Aborts deliveries in flight and refuses new ones (the emulator is shutting down). */
  stop(): void {
    this.stopped = true;
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
  }

  private async post(request: WebhookRequest): Promise<boolean> {
    if (this.stopped) return false;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS).unref();
    this.inFlight.add(controller);
    try {
      const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, signal: controller.signal });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return true;
      if (!this.stopped) this.log(`webhook ${request.url} answered ${response.status}; notification dropped`);
      return false;
    } catch (error) {
      if (!this.stopped) this.log(`webhook ${request.url} failed (${(error as Error).message}); notification dropped`);
      return false;
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }
}
