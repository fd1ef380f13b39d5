/**
 * The JSON the API answers, as zod schemas: the OpenAPI document's response schemas (api/openapi.ts).
 * Each schema of a view is checked against that view's type when this compiles (`describes`), so a
 * field added to a view or a model without its documentation fails the typecheck; and tests check
 * real responses against the generated document (test/api/openapi.test.ts).
 */
import { z } from 'zod';
import type { apiKeyView, IssuedApiKey, accountSummary, findConnectionsByEmail } from '../crm/accounts';
import type { ExclusionView } from '../crm/exclusions';
import type { deliveryView, endpointView, EventPayload } from '../event-webhooks/endpoints';
import type { meetingView } from '../crm/meeting-view';
import {
  AttendeeResponse,
  CalendarProvider,
  CompanyAssignment,
  ConferenceProvider,
  ConnectionStatus,
  CrmObjectType,
  MeetingSource,
  MeetingStatus,
  OutOfOfficeSource,
  WebhookDeliveryStatus,
  type Account,
  type Company,
  type Contact,
  type Deal,
  type Ticket,
  type User,
} from '../generated/prisma/client';
import type { connectionStatusView } from './routers/calendar-connection';
import type { connectionSummaryView } from './routers/calendar-connections';
import type { periodView } from './routers/out-of-office';

/** What `JSON.stringify` makes of a value of type T: dates become ISO strings. */
type Json<T> = T extends Date ? string : T extends readonly (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * `schema`, once its output type is exactly the JSON of `View`. Otherwise the call does not compile
 * ("Expected 2 arguments"): the missing argument's type holds the view's JSON and the schema's.
 */
const describes =
  <View>() =>
  <S extends z.ZodType>(schema: S, ..._mismatch: Same<Json<View>, z.output<S>> extends true ? [] : [{ view: Json<View>; schema: z.output<S> }]): S =>
    schema;

const id = z.uuid();
const instant = z.iso.datetime();

export const fieldProblemSchema = z.object({ field: z.string(), problem: z.string() });

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable, for programs: `invalid_request`, `not_found`, `calendar_not_connected`, …' }),
      message: z.string().meta({ description: 'For people' }),
      details: z
        .union([z.array(fieldProblemSchema), z.record(z.string(), z.unknown())])
        .optional()
        .meta({ description: 'For `invalid_request`, each field and its problem; for some conflicts, what they are about' }),
    }),
  })
  .meta({ id: 'Error', description: 'Every error of the API' });

/** An id-ordered page: `next` is the `after` of the following page, null on the last one. */
export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), next: z.string().nullable().meta({ description: 'Pass as `after` (timelines: `before`) for the next page; null on the last' }) });

/** A whole list, not paged. */
export const listSchema = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

export const accountSchema = describes<Account>()(
  z
    .object({
      id,
      name: z.string(),
      domains: z.array(z.string()).meta({ description: 'The account’s own email domains: their people are internal' }),
      installedProvider: z.enum(CalendarProvider).nullable().meta({ description: 'The one calendar integration the account has installed, once a calendar connected' }),
      matchCompaniesByDomain: z.boolean(),
      createdAt: instant,
      updatedAt: instant,
    })
    .meta({ id: 'Account' }),
);

export const userSchema = describes<User>()(
  z
    .object({ id, accountId: id, email: z.string(), emailKey: z.string().meta({ description: 'The address trimmed and lower-cased: what it is matched by' }), name: z.string().nullable(), createdAt: instant, updatedAt: instant })
    .meta({ id: 'User' }),
);

export const contactSchema = describes<Contact>()(
  z
    .object({
      id,
      accountId: id,
      email: z.string(),
      emailKey: z.string().meta({ description: 'The address trimmed and lower-cased: what calendar guests are matched by' }),
      firstName: z.string().nullable(),
      lastName: z.string().nullable(),
      companyId: id.nullable(),
      companyAssignment: z.enum(CompanyAssignment).nullable().meta({ description: '`EXPLICIT` (set through the API), `EMAIL_DOMAIN` (matched), or null (nothing decided yet)' }),
      createdAt: instant,
      updatedAt: instant,
    })
    .meta({ id: 'Contact' }),
);

export const companySchema = describes<Company>()(
  z.object({ id, accountId: id, name: z.string(), domain: z.string().nullable(), createdAt: instant, updatedAt: instant }).meta({ id: 'Company' }),
);

export const dealSchema = describes<Deal>()(z.object({ id, accountId: id, name: z.string(), stage: z.string().nullable(), createdAt: instant, updatedAt: instant }).meta({ id: 'Deal' }));

export const ticketSchema = describes<Ticket>()(z.object({ id, accountId: id, subject: z.string(), status: z.string().nullable(), createdAt: instant, updatedAt: instant }).meta({ id: 'Ticket' }));

export const meetingSchema = describes<ReturnType<typeof meetingView>>()(
  z
    .object({
      id,
      ownerUserId: id.nullable().meta({ description: 'The user whose calendar a CRM meeting is scheduled into' }),
      title: z.string(),
      description: z.string().nullable(),
      location: z.string().nullable(),
      startAt: instant,
      endAt: instant.meta({ description: 'For an all-day meeting, 00:00 UTC of the day after its last day' }),
      timeZone: z.string().nullable(),
      allDay: z.boolean(),
      status: z.enum(MeetingStatus),
      source: z.enum(MeetingSource),
      failureReason: z.string().nullable().meta({ description: 'Why creating the event failed (`FAILED`)' }),
      iCalUID: z.string().nullable(),
      seriesId: z.string().nullable(),
      instanceStart: instant.nullable().meta({ description: 'The original start of the one occurrence of a series this meeting is' }),
      conference: z
        .object({ url: z.string(), provider: z.enum(ConferenceProvider) })
        .nullable()
        .meta({ description: 'The join link its calendar event has now, or null' }),
      conferenceRequested: z.boolean().meta({ description: 'Scheduled with `"conference": true`' }),
      attendees: z.array(z.object({ email: z.string(), name: z.string().nullable(), response: z.enum(AttendeeResponse), organizer: z.boolean(), contactId: id.nullable() })),
      associations: z
        .array(z.object({ type: z.enum(CrmObjectType), id }))
        .meta({ description: 'Stored associations, then the companies of its contacts not among them' }),
      calendarEvents: z
        .array(z.object({ connectionId: id, providerEventId: z.string(), iCalUID: z.string().nullable(), seriesMasterId: z.string().nullable(), instanceStart: instant.nullable(), frozen: z.boolean() }))
        .meta({ description: 'Where it lives in connected calendars, one entry per calendar' }),
      createdAt: instant,
      updatedAt: instant,
    })
    .meta({ id: 'Meeting' }),
);

const lastReconcile = z.object({ at: instant, checked: z.int(), repaired: z.int() });

export const connectionStatusSchema = describes<ReturnType<typeof connectionStatusView>>()(
  z
    .object({
      id,
      userId: id,
      provider: z.enum(CalendarProvider),
      email: z.string().meta({ description: 'The calendar account’s address' }),
      status: z.enum(ConnectionStatus),
      statusReason: z.string().nullable(),
      connectedAt: instant,
      lastSyncAt: instant.nullable(),
      cursorAgeMs: z.number().nullable().meta({ description: 'Milliseconds since the sync cursor last moved' }),
      channelExpiresAt: instant.nullable(),
      lastReconcile: lastReconcile.nullable(),
      lastError: z.string().nullable(),
      lastErrorAt: instant.nullable(),
      workflowRunning: z.boolean(),
    })
    .meta({ id: 'CalendarConnectionStatus', description: 'Live from the connection’s workflow when it runs, else as last stored' }),
);

export const connectionSummarySchema = describes<ReturnType<typeof connectionSummaryView>>()(
  z
    .object({
      id,
      userId: id,
      user: z.object({ email: z.string(), name: z.string().nullable() }),
      provider: z.enum(CalendarProvider),
      email: z.string(),
      status: z.enum(ConnectionStatus),
      statusReason: z.string().nullable(),
      connectedAt: instant,
      lastSyncAt: instant.nullable(),
      lastError: z.string().nullable(),
      lastErrorAt: instant.nullable(),
    })
    .meta({ id: 'CalendarConnection' }),
);

export const periodSchema = describes<ReturnType<typeof periodView>>()(
  z
    .object({
      id,
      userId: id,
      title: z.string().nullable(),
      startAt: instant,
      endAt: instant,
      source: z.enum(OutOfOfficeSource),
      calendarEventId: z.string().nullable().meta({ description: 'Its event in the user’s calendar, once there' }),
    })
    .meta({ id: 'OutOfOfficePeriod' }),
);

export const exclusionSchema = describes<ExclusionView>()(z.object({ type: z.enum(['email', 'domain']), value: z.string(), createdAt: instant }).meta({ id: 'Exclusion' }));

export const apiKeySchema = describes<ReturnType<typeof apiKeyView>>()(
  z
    .object({ id, name: z.string(), prefix: z.string(), createdAt: instant, lastUsedAt: instant.nullable(), expiresAt: instant.nullable(), revokedAt: instant.nullable() })
    .meta({ id: 'ApiKey', description: 'A key as operators see it: never the key itself' }),
);

export const issuedApiKeySchema = describes<IssuedApiKey>()(
  z.object({ id, name: z.string(), prefix: z.string(), key: z.string().meta({ description: 'The key: shown this once, only its hash is kept' }) }).meta({ id: 'IssuedApiKey' }),
);

export const accountSummarySchema = describes<NonNullable<Awaited<ReturnType<typeof accountSummary>>>>()(
  accountSchema.extend({
    users: z.int(),
    connections: z.record(z.string(), z.int()).meta({ description: 'How many connections are in each status' }),
  }),
);

export const connectionLookupSchema = describes<Awaited<ReturnType<typeof findConnectionsByEmail>>[number]>()(
  z.object({
    id,
    account: z.object({ id, name: z.string() }),
    user: z.object({ id, email: z.string() }),
    provider: z.enum(CalendarProvider),
    providerEmail: z.string(),
    status: z.enum(ConnectionStatus),
    statusReason: z.string().nullable(),
    lastSyncAt: instant.nullable(),
    lastError: z.string().nullable(),
    lastErrorAt: instant.nullable(),
    workflowId: z.string().meta({ description: 'The connection’s workflow in Temporal' }),
  }),
);

export const webhookEndpointSchema = describes<ReturnType<typeof endpointView>>()(
  z
    .object({
      id,
      url: z.string(),
      description: z.string().nullable(),
      eventTypes: z.array(z.string()).meta({ description: 'meeting.created, meeting.updated, meeting.cancelled, connection.active, connection.needs_reauth, connection.disconnected' }),
      enabled: z.boolean(),
      disabledReason: z.string().nullable().meta({ description: 'Why the service disabled it (the endpoint answered 410 Gone)' }),
      previousSecretExpiresAt: instant.nullable().meta({ description: 'After a rotation: until then deliveries are signed with the old secret too' }),
      createdAt: instant,
      updatedAt: instant,
    })
    .meta({ id: 'WebhookEndpoint' }),
);

/** Registered or rotated: the endpoint with its secret, the one time it is shown. */
export const webhookEndpointWithSecretSchema = webhookEndpointSchema
  .extend({ secret: z.string().meta({ description: 'The signing secret (`whsec_…`), shown this once: keep it where the receiver verifies' }) })
  .meta({ id: 'WebhookEndpointWithSecret' });

export const webhookDeliverySchema = describes<ReturnType<typeof deliveryView>>()(
  z
    .object({
      id,
      endpointId: id,
      event: z.object({ id: z.string().meta({ description: '`evt_<n>`, also the `webhook-id` header; n increases with every event' }), type: z.string(), timestamp: instant }),
      status: z.enum(WebhookDeliveryStatus),
      attempts: z.number().int(),
      lastStatusCode: z.number().int().nullable().meta({ description: 'The last attempt’s HTTP status; null when it got no answer' }),
      lastError: z.string().nullable().meta({ description: 'Why the last attempt failed: `HTTP 503: …`, `no answer within 15 s`, a connection error' }),
      lastAttemptAt: instant.nullable(),
      deliveredAt: instant.nullable(),
      giveUpAt: instant.meta({ description: 'Retries stop then (EVENT_WEBHOOK_RETRY_FOR after it was queued or redelivered)' }),
      createdAt: instant,
    })
    .meta({ id: 'WebhookDelivery' }),
);

export const webhookEventPayloadSchema = describes<EventPayload>()(
  z
    .object({
      id: z.string(),
      type: z.string(),
      timestamp: instant.meta({ description: 'When the change was written' }),
      data: z.record(z.string(), z.unknown()).meta({ description: 'The meeting’s or connection’s core fields as the API shows them (README "Event webhooks")' }),
    })
    .meta({ id: 'WebhookEventPayload', description: 'The body of a delivery' }),
);

export const webhookDeliveryWithPayloadSchema = webhookDeliverySchema.extend({ payload: webhookEventPayloadSchema }).meta({ id: 'WebhookDeliveryWithPayload' });
