/**
 * The control methods every emulator has for scripted trouble: failing calls, lossy notifications,
 * and call counts. Emulator controls extend this and add their provider's own methods.
 */
import type { FaultPlan, PlannedFault } from './fault-plan';
import type { DeliveryFaults, WebhookSender } from './webhook-sender';

export class FaultControls<Endpoint extends string> {
  constructor(
    private readonly faultPlan: FaultPlan<Endpoint>,
    private readonly endpoints: readonly Endpoint[],
    private readonly sender: WebhookSender,
  ) {}

  /** Drop, delay, reorder, duplicate or flood every push notification from now on (`{}` restores delivery). */
  setNotificationFaults(faults: DeliveryFaults): void {
    this.sender.faults = { ...faults };
  }

  /** The next `count` calls to `endpoint` answer `fault`, in the provider's own error shape. */
  failNext(endpoint: Endpoint, count: number, fault: PlannedFault): void {
    if (!this.endpoints.includes(endpoint)) throw new Error(`failNext: unknown endpoint ${endpoint} (one of ${this.endpoints.join(', ')})`);
    this.faultPlan.failNext(endpoint, count, fault);
  }

  clearFaults(): void {
    this.faultPlan.clearFaults();
  }

  callCounts(): Partial<Record<Endpoint, number>> {
    return this.faultPlan.callCounts() as Partial<Record<Endpoint, number>>;
  }

  resetCounts(): void {
    this.faultPlan.resetCounts();
  }
}
