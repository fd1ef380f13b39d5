/**
 * Workflow entry points registered by the worker. Workflow code is deterministic: orchestration
 * only, every side effect goes through an activity.
 */
export { connectionWorkflow } from './connection';
export { scheduleMeetingWorkflow, syncOutOfOfficeWorkflow, updateMeetingEventWorkflow } from './calendar-writes';
export { eventWebhookDispatcherWorkflow, eventWebhookEndpointWorkflow } from './event-webhooks';
