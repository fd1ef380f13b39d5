/**
 * A user's calendar connection as CRM operations need it: whether the CRM can write events into it
 * (meetings and out-of-office periods both ask), finding it, and marking it disconnected when no
 * workflow is left to do so.
 */
import type { Database } from '../db/client';
import { InvalidInputError, RecordNotFoundError, StateConflictError } from './errors';

/** The user must have a calendar the event can be written to, before anything is written. */
export async function usableConnection(db: Database, accountId: string, userId: string) {
  const user = await db.user.findFirst({ where: { id: userId, accountId }, include: { connection: true } });
  if (!user) throw new InvalidInputError([{ field: 'ownerUserId', problem: `no user with id ${userId}` }]);
  const connection = user.connection;
  if (!connection || connection.status === 'DISCONNECTED') {
    throw new StateConflictError('calendar_not_connected', 'the meeting owner has no connected calendar; connect one first');
  }
  if (connection.status === 'NEEDS_REAUTH') {
    throw new StateConflictError('calendar_needs_reauth', 'the meeting owner must reconnect their calendar before meetings can be scheduled');
  }
  return { user, connection };
}

/** The connection of the account's user `userId`, in whatever status. */
export async function userConnection(db: Database, accountId: string, userId: string) {
  const connection = await db.calendarConnection.findFirst({ where: { userId, accountId } });
  if (!connection) throw new RecordNotFoundError('calendar connection');
  return connection;
}

/** Disconnects a connection whose workflow is gone (its channel lapsed with it): the workflow does it otherwise. */
export async function markDisconnected(db: Database, connectionId: string): Promise<void> {
  await db.calendarConnection.update({ where: { id: connectionId }, data: { status: 'DISCONNECTED', disconnectedAt: new Date(), statusReason: 'disconnected by the user' } });
}
