/**
 * Reads a page's slice of the CRM into a PageModel and writes back what the model changed. The
 * writes of a page are one SQL statement (data-modifying CTEs, so all of it or nothing, with no
 * transaction round trips): one multi-row insert, update or delete per table and kind, and the
 * connection's cursor with the last page of a sync. A one-event change so costs one write, and a
 * full sync a handful of statements per page instead of several per event.
 *
 * The SQL goes through Prisma's raw query API (Prisma's own calls cost several times more CPU per
 * statement); `prisma/schema.prisma` stays the truth for the tables. Rows travel as JSON
 * (`json_populate_recordset` types each value as its column), and columns are named from the model's
 * field names, so a column added to a row type and to MEETING_VALUES & co. needs nothing here.
 */
import type { Database } from '../../db/client';
import { Prisma } from '../../generated/prisma/client';
import { ATTENDEE_VALUES, LINK_VALUES, MEETING_VALUES, pick, type AttendeeRow, type LinkRow, type MeetingRow, type PageModel, type PageSnapshot, type Tracked } from './page-model';

type Tx = Prisma.TransactionClient;
type Queryable = Database | Tx;

/** Another calendar's sync created a meeting with one of this page's keys first: apply the page again. */
export class MeetingKeyRace extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Field names whose column is not their snake_case form. */
const COLUMN_OF_FIELD: Record<string, string> = { iCalUID: 'ical_uid' };
const FIELD_OF_COLUMN: Record<string, string> = Object.fromEntries(Object.entries(COLUMN_OF_FIELD).map(([field, column]) => [column, field]));

/** `startAt` → `start_at`, as the schema's `@map`s name every column. */
export const columnOf = (field: string) => COLUMN_OF_FIELD[field] ?? field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
const fieldOf = (column: string) => FIELD_OF_COLUMN[column] ?? column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** A row as the raw API returns it (snake_case columns) as the model's row (camelCase fields). */
function fromColumns<Row>(row: Record<string, unknown>): Row {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) if (!column.startsWith('__')) out[fieldOf(column)] = value;
  return out as Row;
}

/** Rows as one JSON parameter for `json_populate_recordset`: columns as keys, dates as ISO strings. */
const asJson = (rows: object[]) => JSON.stringify(rows.map((row) => Object.fromEntries(Object.entries(row).map(([field, value]) => [columnOf(field), value]))));
const columnList = (fields: readonly string[]) => Prisma.raw(fields.map((field) => `"${columnOf(field)}"`).join(', '));
const fieldsOf = (rows: object[]) => [...new Set(rows.flatMap((row) => Object.keys(row)))];

/** This connection's links to the page's events, and what the rules read beside them, in one statement. */
export interface PageReads {
  links: LinkRow[];
  contacts: { id: string; emailKey: string }[];
  outOfOffice: { id: string; providerEventId: string }[];
  baselineEventIds: string[];
}

export async function loadPageReads(
  db: Database,
  connection: { id: string; accountId: string },
  targets: { eventIds: string[]; baselineIds: string[]; emails: string[] },
): Promise<PageReads> {
  const rows = await db.$queryRaw<Record<string, unknown>[]>`
    SELECT l.*, NULL::json AS __reads FROM calendar_event_links l
    WHERE l.connection_id = ${connection.id}::uuid AND l.provider_event_id = ANY(${targets.eventIds}::text[])
    UNION ALL
    SELECT (NULL::calendar_event_links).*, json_build_object(
      'contacts', (SELECT COALESCE(json_agg(json_build_object('id', c.id, 'emailKey', c.email_key)), '[]') FROM contacts c
                   WHERE c.account_id = ${connection.accountId}::uuid AND c.email_key = ANY(${targets.emails}::text[])),
      'outOfOffice', (SELECT COALESCE(json_agg(json_build_object('id', o.id, 'providerEventId', o.provider_event_id)), '[]') FROM out_of_office o
                      WHERE o.connection_id = ${connection.id}::uuid AND o.provider_event_id = ANY(${targets.eventIds}::text[]) AND o.deleted_at IS NULL),
      'baseline', (SELECT COALESCE(json_agg(b.provider_event_id), '[]') FROM baseline_events b
                   WHERE b.connection_id = ${connection.id}::uuid AND b.provider_event_id = ANY(${targets.baselineIds}::text[])))`;
  const reads = rows.find((row) => row.__reads)!.__reads as { contacts: PageReads['contacts']; outOfOffice: PageReads['outOfOffice']; baseline: string[] };
  return {
    links: rows.filter((row) => !row.__reads).map((row) => fromColumns<LinkRow>(row)),
    contacts: reads.contacts,
    outOfOffice: reads.outOfOffice,
    baselineEventIds: reads.baseline,
  };
}

/**
 * `links`: this connection's links to the page's events, as the page's first reads found them.
 * `removedEventIds`: events the page removes; a removed series master takes its occurrences'
 * meetings with it, so their links are loaded too.
 */
export async function loadPageSnapshot(
  db: Database,
  connection: PageSnapshot['connection'],
  pageLinks: LinkRow[],
  targets: { meetingIds: string[]; meetingKeys: string[]; removedEventIds: string[] },
): Promise<PageSnapshot> {
  const pageEventIds = pageLinks.map((link) => link.providerEventId);
  const occurrenceLinks = targets.removedEventIds.length
    ? (
        await db.$queryRaw<Record<string, unknown>[]>`
          SELECT l.* FROM calendar_event_links l
          WHERE l.connection_id = ${connection.id}::uuid AND l.series_master_id = ANY(${targets.removedEventIds}::text[])
            AND l.provider_event_id <> ALL(${pageEventIds}::text[])`
      ).map((row) => fromColumns<LinkRow>(row))
    : [];
  const links = [...pageLinks, ...occurrenceLinks];
  const eventIds = links.map((link) => link.providerEventId);
  // An id that is no UUID (a calendar event's CRM id is the user's to edit) names no meeting.
  const meetingIds = [...new Set([...targets.meetingIds.filter((id) => UUID.test(id)), ...links.map((link) => link.meetingId)])];
  // Each meeting with its attendees and the number of other calendars linking it (a removal cancels only when none holds it).
  const meetingRows = await db.$queryRaw<Record<string, unknown>[]>`
    SELECT m.*,
      (SELECT COALESCE(json_agg(a), '[]') FROM meeting_attendees a WHERE a.meeting_id = m.id) AS __attendees,
      (SELECT count(*)::int FROM calendar_event_links o WHERE o.meeting_id = m.id AND o.connection_id <> ${connection.id}::uuid) AS __other_links
    FROM meetings m
    WHERE m.account_id = ${connection.accountId}::uuid AND (m.id = ANY(${meetingIds}::uuid[]) OR m.meeting_key = ANY(${targets.meetingKeys}::text[]))`;
  const meetings = meetingRows.map((row) => ({
    ...fromColumns<MeetingRow>(row),
    attendees: (row.__attendees as Record<string, unknown>[]).map((attendee) => fromColumns<AttendeeRow>(attendee)),
  }));
  const loadedIds = meetings.map((meeting) => meeting.id);
  // This connection's other links to the same meetings.
  const meetingLinks = loadedIds.length
    ? (
        await db.$queryRaw<Record<string, unknown>[]>`
          SELECT l.* FROM calendar_event_links l
          WHERE l.connection_id = ${connection.id}::uuid AND l.meeting_id = ANY(${loadedIds}::uuid[]) AND l.provider_event_id <> ALL(${eventIds}::text[])`
      ).map((row) => fromColumns<LinkRow>(row))
    : [];
  return {
    connection,
    meetings,
    links: [...links, ...meetingLinks],
    otherLinkCounts: new Map(meetingRows.flatMap((row) => (row.__other_links ? [[row.id as string, row.__other_links as number]] : []))),
  };
}

function partition<Row>(tracked: Iterable<Tracked<Row>>) {
  const created: Row[] = [];
  const updated: Row[] = [];
  const deleted: Row[] = [];
  for (const { row, created: isNew, updated: isChanged, deleted: isGone } of tracked) {
    if (isNew && !isGone) created.push(row);
    else if (!isNew && isGone) deleted.push(row);
    else if (!isNew && isChanged) updated.push(row);
  }
  return { created, updated, deleted };
}

/** The connection's cursor after a sync, written with its last page when that page writes anything. */
export interface CursorWrite {
  connectionId: string;
  cursor: string | null;
  at: Date;
  /** The initial sync's: `initialSyncAt` is set with it. */
  initialSync?: boolean;
  /** Set once the cursor is stored. */
  written?: boolean;
}

const cursorAssignments = (write: CursorWrite) =>
  Prisma.sql`cursor = ${write.cursor}, cursor_updated_at = ${write.at}, last_sync_at = ${write.at}, last_error = NULL, updated_at = now()${
    write.initialSync ? Prisma.sql`, initial_sync_at = ${write.at}` : Prisma.empty
  }`;

/** Stores the cursor on its own (a sync whose last page wrote nothing). */
export async function writeCursor(db: Queryable, write: CursorWrite): Promise<void> {
  await db.$executeRaw`UPDATE calendar_connections SET ${cursorAssignments(write)} WHERE id = ${write.connectionId}::uuid`;
  write.written = true;
}

function isMeetingKeyRace(error: unknown): boolean {
  const cause = (error as { meta?: { driverAdapterError?: { cause?: { originalCode?: string; constraint?: { index?: string } } } } })?.meta?.driverAdapterError?.cause;
  return cause?.originalCode === '23505' && cause.constraint?.index === 'meetings_account_id_meeting_key_key';
}

/**
 * Writes everything the model changed in one statement, with the cursor when `cursor` is given;
 * throws MeetingKeyRace when another sync took a meeting key first (nothing is written then). The
 * statement's parts see the same snapshot; no two of them touch the same row.
 */
export async function savePage(db: Queryable, connectionId: string, model: PageModel, cursor?: CursorWrite): Promise<void> {
  const meetings = partition<MeetingRow>(model.meetings.values());
  const attendees = partition<AttendeeRow>([...model.attendees.values()].flatMap((byKey) => [...byKey.values()]));
  const links = partition<LinkRow>(model.links.values());
  const parts: Prisma.Sql[] = [];
  const setFrom = (fields: readonly string[]) => Prisma.raw(fields.map((field) => `"${columnOf(field)}" = v."${columnOf(field)}"`).join(', '));

  if (meetings.created.length) {
    // No ON CONFLICT: a key another sync took meanwhile fails the whole statement (MeetingKeyRace).
    const fields = fieldsOf(meetings.created);
    parts.push(Prisma.sql`INSERT INTO meetings (${columnList(fields)}, updated_at)
      SELECT ${columnList(fields)}, now() FROM json_populate_recordset(NULL::meetings, ${asJson(meetings.created)}::json)`);
  }
  if (meetings.updated.length) {
    // A meeting deleted in the CRM meanwhile stays as the CRM left it; so does one edited with
    // "send update" meanwhile, unless the calendar cancelled it (see PageModel.upsertMeeting).
    const rows = meetings.updated.map((meeting) => ({ id: meeting.id, ...pick(meeting, MEETING_VALUES) }));
    parts.push(Prisma.sql`UPDATE meetings m SET ${setFrom(MEETING_VALUES)}, updated_at = now()
      FROM json_populate_recordset(NULL::meetings, ${asJson(rows)}::json) v
      WHERE m.id = v.id AND m.deleted_at IS NULL AND (v.status = 'CANCELLED' OR m.calendar_update_pending_since IS NULL)`);
  }

  if (attendees.deleted.length) {
    const keys = attendees.deleted.map(({ meetingId, emailKey }) => ({ meetingId, emailKey }));
    parts.push(Prisma.sql`DELETE FROM meeting_attendees a USING json_populate_recordset(NULL::meeting_attendees, ${asJson(keys)}::json) v
      WHERE a.meeting_id = v.meeting_id AND a.email_key = v.email_key`);
  }
  if (attendees.created.length) {
    const fields = fieldsOf(attendees.created);
    parts.push(Prisma.sql`INSERT INTO meeting_attendees (${columnList(fields)})
      SELECT ${columnList(fields)} FROM json_populate_recordset(NULL::meeting_attendees, ${asJson(attendees.created)}::json) ON CONFLICT DO NOTHING`);
  }
  if (attendees.updated.length) {
    const fields = ['meetingId', 'emailKey', ...ATTENDEE_VALUES];
    const rows = attendees.updated.map((attendee) => ({ meetingId: attendee.meetingId, emailKey: attendee.emailKey, ...pick(attendee, ATTENDEE_VALUES) }));
    parts.push(Prisma.sql`INSERT INTO meeting_attendees (${columnList(fields)})
      SELECT ${columnList(fields)} FROM json_populate_recordset(NULL::meeting_attendees, ${asJson(rows)}::json)
      ON CONFLICT (meeting_id, email_key) DO UPDATE SET ${Prisma.raw(ATTENDEE_VALUES.map((field) => `"${columnOf(field)}" = EXCLUDED."${columnOf(field)}"`).join(', '))}`);
  }

  // A link the CRM's own scheduling made meanwhile is the same link: skipping the duplicate is right.
  if (links.created.length) {
    const fields = fieldsOf(links.created);
    parts.push(Prisma.sql`INSERT INTO calendar_event_links (${columnList(fields)}, updated_at)
      SELECT ${columnList(fields)}, now() FROM json_populate_recordset(NULL::calendar_event_links, ${asJson(links.created)}::json) ON CONFLICT DO NOTHING`);
  }
  if (links.updated.length) {
    const rows = links.updated.map((link) => ({ id: link.id, ...pick(link, LINK_VALUES) }));
    parts.push(Prisma.sql`UPDATE calendar_event_links l SET ${setFrom(LINK_VALUES)}, updated_at = now()
      FROM json_populate_recordset(NULL::calendar_event_links, ${asJson(rows)}::json) v WHERE l.id = v.id`);
  }
  if (links.deleted.length) {
    parts.push(Prisma.sql`DELETE FROM calendar_event_links WHERE id = ANY(${links.deleted.map((link) => link.id)}::uuid[])`);
  }

  // A changed series lists its occurrences anew (their ids follow their starts): forget the old ones.
  if (model.changedSeries.size) {
    parts.push(Prisma.sql`DELETE FROM series_occurrences WHERE connection_id = ${connectionId}::uuid AND series_master_id = ANY(${[...model.changedSeries]}::text[])`);
  }
  if (cursor) parts.push(Prisma.sql`UPDATE calendar_connections SET ${cursorAssignments(cursor)} WHERE id = ${cursor.connectionId}::uuid`);
  if (parts.length === 0) return;

  const statement = Prisma.sql`WITH ${Prisma.join(
    parts.map((part, i) => Prisma.sql`${Prisma.raw(`w${i}`)} AS (${part})`),
    ', ',
  )} SELECT 1`;
  try {
    await db.$executeRaw`${statement}`;
  } catch (error) {
    if (isMeetingKeyRace(error)) throw new MeetingKeyRace('a meeting key of this page was taken meanwhile');
    throw error;
  }
  if (cursor) cursor.written = true;
}
