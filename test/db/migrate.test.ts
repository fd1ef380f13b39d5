import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, MIGRATIONS_DIR, MigrationError, readMigrations } from '../../db/migrate';
import { createScratchDatabase, withClient, type ScratchDatabase } from '../support/scratch-database';

/** A copy of the project's migrations that a test may add to or edit. */
function copyOfMigrations(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
  fs.cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

function addMigration(dir: string, name: string, sql: string): void {
  fs.mkdirSync(path.join(dir, name));
  fs.writeFileSync(path.join(dir, name, 'migration.sql'), sql);
}

describe('migration runner', () => {
  let scratch: ScratchDatabase;
  beforeEach(async () => {
    scratch = await createScratchDatabase();
  });
  afterEach(async () => {
    await scratch.drop();
  });

  it('applies every migration once and records it as prisma migrate deploy does', async () => {
    const names = readMigrations().map((file) => file.name);
    expect(await migrate(scratch.url)).toEqual(names);
    expect(await migrate(scratch.url)).toEqual([]);

    const rows = await withClient(scratch.url, async (client) =>
      (await client.query('SELECT * FROM "_prisma_migrations" ORDER BY migration_name')).rows,
    );
    expect(rows.map((row) => row.migration_name)).toEqual(names);
    for (const row of rows) {
      const sql = fs.readFileSync(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(crypto.createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('applies only the new migration when one is added', async () => {
    const dir = copyOfMigrations();
    await migrate(scratch.url, dir);
    addMigration(dir, '29990101000000_add_contact_phone', 'ALTER TABLE "contacts" ADD COLUMN "phone" TEXT;');
    expect(await migrate(scratch.url, dir)).toEqual(['29990101000000_add_contact_phone']);
    const columns = await withClient(scratch.url, async (client) =>
      (await client.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'contacts'`)).rows.map((row) => row.column_name),
    );
    expect(columns).toContain('phone');
  });

  it('refuses to run when an applied migration was edited, and changes nothing', async () => {
    const dir = copyOfMigrations();
    await migrate(scratch.url, dir);
    const [first] = readMigrations(dir);
    fs.appendFileSync(path.join(dir, first!.name, 'migration.sql'), '\n-- edited later\n');
    addMigration(dir, '29990101000000_add_contact_phone', 'ALTER TABLE "contacts" ADD COLUMN "phone" TEXT;');

    await expect(migrate(scratch.url, dir)).rejects.toThrow(/was edited after it was applied/);
    const count = await withClient(scratch.url, async (client) => (await client.query('SELECT count(*)::int AS n FROM "_prisma_migrations"')).rows[0].n);
    expect(count).toBe(readMigrations().length);
  });

  it('refuses to run when an applied migration is missing from disk', async () => {
    const dir = copyOfMigrations();
    addMigration(dir, '29990101000000_add_contact_phone', 'ALTER TABLE "contacts" ADD COLUMN "phone" TEXT;');
    await migrate(scratch.url, dir);
    fs.rmSync(path.join(dir, '29990101000000_add_contact_phone'), { recursive: true });
    await expect(migrate(scratch.url, dir)).rejects.toThrow(/missing from/);
  });

  it('rolls back a failing migration whole and does not record it', async () => {
    const dir = copyOfMigrations();
    await migrate(scratch.url, dir);
    addMigration(dir, '29990101000000_broken', 'ALTER TABLE "contacts" ADD COLUMN "phone" TEXT;\nALTER TABLE "no_such_table" ADD COLUMN "x" TEXT;');

    const failure = migrate(scratch.url, dir);
    await expect(failure).rejects.toBeInstanceOf(MigrationError);
    await expect(failure).rejects.toThrow(/29990101000000_broken failed and was rolled back/);
    const [columns, recorded] = await withClient(scratch.url, async (client) => [
      (await client.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'contacts' AND column_name = 'phone'`)).rowCount,
      (await client.query(`SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '29990101000000_broken'`)).rowCount,
    ]);
    expect(columns).toBe(0);
    expect(recorded).toBe(0);
  });
});
