/**
 * Scripted failures and call counts for an emulator's endpoints, keyed by stable endpoint names
 * (`events.list`, `oauth.token`, …). Each call to `call(endpoint)` is counted, and consumes one planned
 * failure when any is queued for that endpoint; the emulator then answers with it instead of serving.
 */
export interface PlannedFault {
  status: number;
  /** Provider-specific error reason/code (Google `reason`, Graph `code`, OAuth `error`). */
  reason?: string;
  message?: string;
  /** Sent as `Retry-After` (seconds). */
  retryAfterSeconds?: number;
}

export class FaultPlan<Endpoint extends string = string> {
  private readonly planned = new Map<Endpoint, { remaining: number; fault: PlannedFault }[]>();
  private readonly counts = new Map<Endpoint, number>();

  /** The next `count` calls to `endpoint` fail with `fault` (after any failures already queued). */
  failNext(endpoint: Endpoint, count: number, fault: PlannedFault): void {
    if (!Number.isInteger(count) || count < 1) throw new Error('failNext: count must be a positive integer');
    if (!Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599) throw new Error('failNext: status must be 4xx or 5xx');
    const queue = this.planned.get(endpoint) ?? [];
    queue.push({ remaining: count, fault });
    this.planned.set(endpoint, queue);
  }

  /** Counts one call and returns the failure to answer with, if one is planned. */
  call(endpoint: Endpoint): PlannedFault | undefined {
    this.counts.set(endpoint, (this.counts.get(endpoint) ?? 0) + 1);
    const queue = this.planned.get(endpoint);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.remaining -= 1;
    if (head.remaining === 0) queue.shift();
    return head.fault;
  }

  callCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  resetCounts(): void {
    this.counts.clear();
  }

  clearFaults(): void {
    this.planned.clear();
  }
}
