/**
 * The API's Temporal client: the one way the API process reaches Temporal. It starts, signals,
 * updates and queries workflows by id (a connection's workflow id comes from the connection id, so
 * every path reaches the same long-lived workflow), answers the readiness probe, and turns Temporal's
 * refusals into domain errors the API maps like any other (api/http-errors.ts).
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Config } from '../config';
import { StateConflictError } from '../crm/errors';
import type { ProviderName } from '../model/calendar-event';
import type { scheduleMeetingWorkflow, syncOutOfOfficeWorkflow, updateMeetingEventWorkflow } from '../workflows/calendar-writes';
import type { connectionWorkflow } from '../workflows/connection';
import {
  changesNotifiedSignal,
  connectionWorkflowId,
  disconnectSignal,
  reauthorizedSignal,
  resyncUpdate,
  statusQuery,
  type ChangeNotice,
  type ConnectionStatusView,
  type ConnectionTimings,
} from '../workflows/connection-messages';
import { AccountIdAttribute, CalendarProviderAttribute, ConnectionStatusAttribute } from '../workflows/search-attributes';
import { connectClient, type TemporalTarget } from '../service/temporal-connection';

export interface ConnectionRef {
  id: string;
  accountId: string;
  userId: string;
  provider: ProviderName;
}

export function timingsFromConfig(config: Config): ConnectionTimings {
  return {
    pollIntervalMs: config.sync.pollIntervalMs,
    reconcileIntervalMs: config.sync.reconcileIntervalMs,
    channelRenewMarginMs: config.sync.channelRenewMarginMs,
    activityHeartbeatTimeoutMs: config.sync.heartbeatTimeoutMs,
    syncSpacingMs: config.sync.syncSpacingMs,
  };
}

const notSyncing = (why: string) => new StateConflictError('not_syncing', `the connection cannot resync now: ${why}`);

export class ApiTemporalClient {
  constructor(
    /** The SDK client underneath, for tests and operators' tools; the API itself goes through the methods. */
    readonly client: Client,
    private readonly taskQueue: string,
    private readonly timings: ConnectionTimings,
  ) {}

  /** Connects to the cluster `target` names, for the worker task queue and timings in `config`. */
  static async connect(target: TemporalTarget, config: Config): Promise<ApiTemporalClient> {
    return new ApiTemporalClient(await connectClient(target), config.temporal.taskQueue, timingsFromConfig(config));
  }

  async close(): Promise<void> {
    await this.client.connection.close();
  }

  /** Whether the cluster answers: the readiness check. */
  async ping(): Promise<void> {
    await this.client.workflowService.getSystemInfo({});
  }

  private options(connection: ConnectionRef) {
    return {
      workflowId: connectionWorkflowId(connection.id),
      taskQueue: this.taskQueue,
      args: [
        { connectionId: connection.id, accountId: connection.accountId, userId: connection.userId, provider: connection.provider, timings: this.timings },
      ] as Parameters<typeof connectionWorkflow>,
      typedSearchAttributes: [
        { key: ConnectionStatusAttribute, value: 'CONNECTING' },
        { key: CalendarProviderAttribute, value: connection.provider },
        { key: AccountIdAttribute, value: connection.accountId },
      ],
    };
  }

  /** Starts the workflow, or leaves the running one alone (a repeated callback starts nothing twice). */
  async start(connection: ConnectionRef): Promise<void> {
    await this.client.workflow.start<typeof connectionWorkflow>('connectionWorkflow', {
      ...this.options(connection),
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  }

  /** Resumes a workflow waiting in NEEDS_REAUTH (starting it if it is somehow gone). */
  async resume(connection: ConnectionRef): Promise<void> {
    await this.client.workflow.signalWithStart<typeof connectionWorkflow, []>('connectionWorkflow', {
      ...this.options(connection),
      signal: reauthorizedSignal,
      signalArgs: [],
    });
  }

  /**
   * Signals a provider notification; false when no workflow runs for the connection. `deadlineMs`
   * bounds the call (the client otherwise retries an unreachable server for a long while): a webhook
   * must answer its provider in time.
   */
  async notify(connectionId: string, notice: ChangeNotice, deadlineMs?: number): Promise<boolean> {
    const signal = () => this.ignoringMissing(() => this.client.workflow.getHandle(connectionWorkflowId(connectionId)).signal(changesNotifiedSignal, notice));
    return deadlineMs === undefined ? signal() : this.client.withDeadline(Date.now() + deadlineMs, signal);
  }

  async disconnect(connectionId: string): Promise<boolean> {
    return this.ignoringMissing(() => this.client.workflow.getHandle(connectionWorkflowId(connectionId)).signal(disconnectSignal));
  }

  /**
   * Asks for a full re-read. A connection with no workflow, or whose workflow refuses (NEEDS_REAUTH,
   * disconnecting), is not syncing: a conflict. Anything else (Temporal unreachable) stays what it is.
   */
  async resync(connectionId: string): Promise<void> {
    try {
      await this.client.workflow.getHandle(connectionWorkflowId(connectionId)).executeUpdate(resyncUpdate);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw notSyncing('no workflow runs for it');
      if (error instanceof WorkflowUpdateFailedError) throw notSyncing(error.cause?.message ?? error.message);
      throw error;
    }
  }

  async status(connectionId: string): Promise<ConnectionStatusView | undefined> {
    const handle = this.client.workflow.getHandle(connectionWorkflowId(connectionId));
    try {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') return undefined;
      return await handle.query(statusQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * Creates the meeting's calendar event. One workflow per attempt: the first request's id comes from
   * the meeting alone, so a repeated request starts nothing twice; a retry of a FAILED meeting names
   * its attempt, so it never lands on the first attempt's workflow while that one is still finishing.
   */
  async scheduleMeeting(meetingId: string, retryOf?: string): Promise<void> {
    await this.client.workflow.start<typeof scheduleMeetingWorkflow>('scheduleMeetingWorkflow', {
      workflowId: retryOf ? `schedule-meeting-${meetingId}-retry-${retryOf}` : `schedule-meeting-${meetingId}`,
      taskQueue: this.taskQueue,
      args: [meetingId],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  }

  /** Sends a CRM edit to the calendar; `version` (the edit's time) keeps two edits apart. */
  async updateMeetingEvent(meetingId: string, version: string, notify: boolean): Promise<void> {
    await this.client.workflow.start<typeof updateMeetingEventWorkflow>('updateMeetingEventWorkflow', {
      workflowId: `update-meeting-${meetingId}-${version}`,
      taskQueue: this.taskQueue,
      args: [meetingId, notify],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  }

  async syncOutOfOffice(outOfOfficeId: string, change: 'create' | 'delete'): Promise<void> {
    await this.client.workflow.start<typeof syncOutOfOfficeWorkflow>('syncOutOfOfficeWorkflow', {
      workflowId: `out-of-office-${outOfOfficeId}-${change}`,
      taskQueue: this.taskQueue,
      args: [outOfOfficeId, change],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  }

  private async ignoringMissing(action: () => Promise<void>): Promise<boolean> {
    try {
      await action();
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }
}
