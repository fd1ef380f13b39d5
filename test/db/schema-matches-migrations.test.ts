/**
 * schema.prisma is the source of truth, the SQL migrations are what runs: this proves they agree —
 * every table, column (type, nullability, default), primary key, unique constraint, index, foreign
 * key and enum. Add a column to schema.prisma without its SQL and this fails, naming it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withClient } from '../support/scratch-database';
import { databaseUrl } from '../support/services';
import { describeDatabase, describePrismaSchema, type SchemaDescription } from '../support/schema-description';

const SCHEMA = path.resolve(__dirname, '../../prisma/schema.prisma');

describe('schema.prisma and the migrations', () => {
  let migrated: SchemaDescription;
  beforeAll(async () => {
    migrated = await withClient(databaseUrl(), (client) => describeDatabase(client));
  });

  it('describe the same tables, columns, indexes, foreign keys and enums', () => {
    const expected = describePrismaSchema(SCHEMA);
    expect(Object.keys(migrated.tables).sort()).toEqual(Object.keys(expected.tables).sort());
    for (const [table, shape] of Object.entries(expected.tables)) {
      expect({ table, ...migrated.tables[table] }).toEqual({ table, ...shape });
    }
    expect(migrated.enums).toEqual(expected.enums);
  });

  it('would catch a column added to schema.prisma without SQL', () => {
    const edited = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'schema-')), 'schema.prisma');
    fs.writeFileSync(edited, fs.readFileSync(SCHEMA, 'utf8').replace(/(model Contact \{\n)/, '$1  phone String?\n'));
    const expected = describePrismaSchema(edited);
    expect(expected.tables.contacts!.columns.phone).toEqual({ type: 'text', nullable: true, hasDefault: false });
    expect(migrated.tables.contacts!.columns.phone).toBeUndefined();
    expect(() => expect(migrated.tables.contacts).toEqual(expected.tables.contacts)).toThrow();
  });
});
