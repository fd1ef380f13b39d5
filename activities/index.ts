/**
 * All activities, bound to their dependencies. Activities do the I/O (provider calls, database
 * writes) and are idempotent: Temporal may run any of them more than once.
 */
import type { Config } from '../config';
import type { Database } from '../db/client';
import type { SecretBox } from '../lib/crypto';
import type { Logger } from '../lib/logger';

export interface ActivityDependencies {
  config: Config;
  db: Database;
  secrets: SecretBox;
  logger: Logger;
}

export function createActivities(_deps: ActivityDependencies) {
  return {};
}

export type Activities = ReturnType<typeof createActivities>;
