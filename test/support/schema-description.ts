/**
 * Describes a database schema two ways, in one comparable shape: as `schema.prisma` says it should be
 * (from Prisma's DMMF, computed offline by its schema WASM), and as a migrated database has it.
 */
import fs from 'node:fs';
import { get_dmmf } from '@prisma/prisma-schema-wasm';
import type { Client } from 'pg';

export interface ColumnDescription {
  type: string;
  nullable: boolean;
  hasDefault: boolean;
}
export interface IndexDescription {
  columns: string[];
  unique: boolean;
  primary: boolean;
}
export interface ForeignKeyDescription {
  columns: string[];
  references: string;
  referencedColumns: string[];
  onDelete: string;
}
export interface SchemaDescription {
  enums: Record<string, string[]>;
  tables: Record<string, { columns: Record<string, ColumnDescription>; indexes: Record<string, IndexDescription>; foreignKeys: Record<string, ForeignKeyDescription> }>;
}

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum';
  type: string;
  isList: boolean;
  isRequired: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string | null;
  fields: { name: string }[];
}

/** Column types as PostgreSQL's catalog names them. */
function expectedType(field: DmmfField, enums: Map<string, string>): string {
  const native = field.nativeType?.[0];
  const args = field.nativeType?.[1] ?? [];
  let base: string;
  if (field.kind === 'enum') base = enums.get(field.type) ?? field.type;
  else if (native === 'Uuid') base = 'uuid';
  else if (native === 'Timestamptz') base = `timestamptz(${args[0] ?? 6})`;
  else if (native === 'Json') base = 'json';
  else {
    base = ({ String: 'text', Boolean: 'bool', Int: 'int4', BigInt: 'int8', Float: 'float8', Json: 'jsonb', DateTime: 'timestamp(3)', Decimal: 'numeric' } as Record<string, string>)[field.type] ?? field.type;
  }
  return field.isList ? `${base}[]` : base;
}

/** `uuid()`/`cuid()` defaults are made by Prisma Client, not by the database. */
function hasDatabaseDefault(field: DmmfField): boolean {
  if (!field.hasDefaultValue) return false;
  const fn = (field.default as { name?: string } | undefined)?.name;
  return !(fn && ['uuid', 'cuid', 'nanoid', 'ulid'].includes(fn));
}

const ON_DELETE: Record<string, string> = { Cascade: 'CASCADE', SetNull: 'SET NULL', Restrict: 'RESTRICT', NoAction: 'NO ACTION', SetDefault: 'SET DEFAULT' };

export function describePrismaSchema(schemaPath: string): SchemaDescription {
  const dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', fs.readFileSync(schemaPath, 'utf8')]] })));
  const datamodel = dmmf.datamodel as { enums: { name: string; dbName?: string | null; values: { name: string; dbName?: string | null }[] }[]; models: DmmfModel[]; indexes: DmmfIndex[] };
  const enumNames = new Map(datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
  const models = new Map(datamodel.models.map((model) => [model.name, model]));
  const tableOf = (model: DmmfModel) => model.dbName ?? model.name;
  const columnOf = (model: DmmfModel, fieldName: string) => {
    const field = model.fields.find((f) => f.name === fieldName)!;
    return field.dbName ?? field.name;
  };

  const description: SchemaDescription = {
    enums: Object.fromEntries(datamodel.enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)])),
    tables: {},
  };
  for (const model of datamodel.models) {
    const table = tableOf(model);
    const columns: Record<string, ColumnDescription> = {};
    const foreignKeys: Record<string, ForeignKeyDescription> = {};
    for (const field of model.fields) {
      if (field.kind === 'object') {
        if (field.relationFromFields && field.relationFromFields.length > 0) {
          const target = models.get(field.type)!;
          const fkColumns = field.relationFromFields.map((name) => columnOf(model, name));
          const anyOptional = field.relationFromFields.some((name) => !model.fields.find((f) => f.name === name)!.isRequired);
          foreignKeys[`${table}_${fkColumns.join('_')}_fkey`] = {
            columns: fkColumns,
            references: tableOf(target),
            referencedColumns: (field.relationToFields ?? []).map((name) => columnOf(target, name)),
            onDelete: ON_DELETE[field.relationOnDelete ?? (anyOptional ? 'SetNull' : 'Restrict')]!,
          };
        }
        continue;
      }
      // Prisma creates scalar lists as nullable columns.
      columns[field.dbName ?? field.name] = { type: expectedType(field, enumNames), nullable: !field.isRequired || field.isList, hasDefault: hasDatabaseDefault(field) };
    }
    const indexes: Record<string, IndexDescription> = {};
    for (const index of datamodel.indexes.filter((i) => i.model === model.name)) {
      const indexColumns = index.fields.map((f) => columnOf(model, f.name));
      const suffix = { id: 'pkey', unique: 'key', normal: 'idx', fulltext: 'idx' }[index.type];
      const name = index.dbName ?? (index.type === 'id' ? `${table}_pkey` : `${table}_${indexColumns.join('_')}_${suffix}`);
      indexes[name] = { columns: indexColumns, unique: index.type !== 'normal', primary: index.type === 'id' };
    }
    description.tables[table] = { columns, indexes, foreignKeys };
  }
  return description;
}

const FK_ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

export async function describeDatabase(client: Client, schema = 'public'): Promise<SchemaDescription> {
  const enums = await client.query<{ name: string; values: string[] }>(
    `SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS values
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = $1 GROUP BY t.typname`,
    [schema],
  );
  const columns = await client.query<{ table: string; column: string; type: string; nullable: boolean; has_default: boolean }>(
    `SELECT c.relname AS table, a.attname AS column,
            regexp_replace(format_type(a.atttypid, a.atttypmod), '^(.*)$', '\\1') AS type,
            NOT a.attnotnull AS nullable, a.atthasdef AS has_default
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND c.relname <> '_prisma_migrations'`,
    [schema],
  );
  const indexes = await client.query<{ table: string; name: string; columns: string[]; unique: boolean; primary: boolean }>(
    `SELECT t.relname AS table, i.relname AS name, ix.indisunique AS unique, ix.indisprimary AS primary,
            array(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns
       FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND t.relname <> '_prisma_migrations'`,
    [schema],
  );
  const foreignKeys = await client.query<{ table: string; name: string; columns: string[]; references: string; referenced_columns: string[]; on_delete: string }>(
    `SELECT t.relname AS table, con.conname AS name, r.relname AS references, con.confdeltype AS on_delete,
            array(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns,
            array(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS referenced_columns
       FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_class r ON r.oid = con.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND con.contype = 'f'`,
    [schema],
  );

  const description: SchemaDescription = { enums: Object.fromEntries(enums.rows.map((row) => [row.name, row.values])), tables: {} };
  const tableEntry = (table: string) => (description.tables[table] ??= { columns: {}, indexes: {}, foreignKeys: {} });
  for (const row of columns.rows) {
    tableEntry(row.table).columns[row.column] = { type: catalogType(row.type), nullable: row.nullable, hasDefault: row.has_default };
  }
  for (const row of indexes.rows) {
    tableEntry(row.table).indexes[row.name] = { columns: row.columns, unique: row.unique, primary: row.primary };
  }
  for (const row of foreignKeys.rows) {
    tableEntry(row.table).foreignKeys[row.name] = {
      columns: row.columns,
      references: row.references,
      referencedColumns: row.referenced_columns,
      onDelete: FK_ACTIONS[row.on_delete] ?? row.on_delete,
    };
  }
  return description;
}

/** `format_type` spellings → the short names `expectedType` uses. */
function catalogType(formatted: string): string {
  const list = formatted.endsWith('[]');
  const base = list ? formatted.slice(0, -2) : formatted;
  const short =
    base.replace(/^timestamp\((\d)\) with time zone$/, 'timestamptz($1)')
      .replace(/^timestamp\((\d)\) without time zone$/, 'timestamp($1)')
      .replace(/^"(.*)"$/, '$1')
      .replace(/^text$/, 'text')
      .replace(/^boolean$/, 'bool')
      .replace(/^integer$/, 'int4')
      .replace(/^bigint$/, 'int8')
      .replace(/^double precision$/, 'float8');
  return list ? `${short}[]` : short;
}
