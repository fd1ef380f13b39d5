/**
 * All activities, bound to their dependencies. Activities do the I/O (provider calls, database
 * writes) and are idempotent: Temporal may run any of them more than once.
 */
import { createCalendarWriteActivities } from './calendar-writes';
import { createConnectionActivities, type ConnectionActivityDependencies } from './connection';

export type ActivityDependencies = ConnectionActivityDependencies;

export function createActivities(deps: ActivityDependencies) {
  return { ...createConnectionActivities(deps), ...createCalendarWriteActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
