/**
 * The SDK's log as operators read it (service/create-worker.ts): the event webhooks' worker is
 * activity-only by design, so its start warns of nothing; a connection worker without workflows is
 * misconfigured and still says so.
 */
import type { LogEntry } from '@temporalio/worker';
import { NO_WORKFLOWS_WARNING, SdkLogger } from '../../service/create-worker';
import { deliveryTaskQueueOf } from '../../model/event-webhook-delivery';

function loggedBy(log: (logger: SdkLogger) => void): LogEntry[] {
  const entries: LogEntry[] = [];
  log(new SdkLogger('WARN', (entry) => entries.push(entry)));
  return entries;
}

describe("the SDK's logger", () => {
  it("drops the no-workflows warning of the webhook deliveries' activity-only worker", () => {
    expect(loggedBy((logger) => logger.warn(NO_WORKFLOWS_WARNING, { sdkComponent: 'worker', taskQueue: deliveryTaskQueueOf('crm-calendar-sync') }))).toEqual([]);
  });

  it('keeps it for any other task queue, and keeps every other warning', () => {
    const entries = loggedBy((logger) => {
      logger.warn(NO_WORKFLOWS_WARNING, { sdkComponent: 'worker', taskQueue: 'crm-calendar-sync' });
      logger.warn(NO_WORKFLOWS_WARNING);
      logger.warn('Activity failed', { taskQueue: deliveryTaskQueueOf('crm-calendar-sync') });
      logger.info('below the level', { taskQueue: 'crm-calendar-sync' });
    });
    expect(entries.map(({ message, meta }) => [message, meta?.taskQueue])).toEqual([
      [NO_WORKFLOWS_WARNING, 'crm-calendar-sync'],
      [NO_WORKFLOWS_WARNING, undefined],
      ['Activity failed', 'crm-calendar-sync-event-webhooks'],
    ]);
  });
});
