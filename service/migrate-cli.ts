/**
 * `npm run migrate`: applies pending migrations to DATABASE_URL (the service also does this at start).
 */
import { loadConfig } from '../config';
import { migrate } from '../db/migrate';
import { runProcess } from './process-lifecycle';

runProcess(async () => {
  const { database } = loadConfig();
  if (!database.url) throw new Error('DATABASE_URL is not set (the embedded database is migrated by `npm start` itself)');
  const applied = await migrate(database.url);
  console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
});
