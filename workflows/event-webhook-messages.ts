/**
 * The event webhook workflows' signal (their ids, inputs and results are in
 * model/event-webhook-delivery.ts, which the activities share).
 */
import { defineSignal } from '@temporalio/workflow';
import { DELIVERIES_QUEUED_SIGNAL, type DeliveriesQueued } from '../model/event-webhook-delivery';

export const deliveriesQueuedSignal = defineSignal<[DeliveriesQueued]>(DELIVERIES_QUEUED_SIGNAL);
