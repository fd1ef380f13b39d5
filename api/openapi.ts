/**
 * The OpenAPI 3.1 document of the whole API (SPEC §6), served at `/openapi.json`. Request bodies are
 * generated from the same zod schemas the routers validate with, so the document cannot drift from
 * what the API accepts; a test checks that every documented route exists.
 */
import { z } from 'zod';
import { accountUpdate } from './routers/account';
import { adminSchemas } from './routers/admin';
import { authorizeBody } from './routers/calendar-connection';
import { companySchemas } from './routers/companies';
import { contactSchemas } from './routers/contacts';
import { dealSchemas } from './routers/deals';
import { exclusionBody } from './routers/exclusions';
import { editBody, scheduleBody } from './routers/meetings';
import { periodBody } from './routers/out-of-office';
import { ticketSchemas } from './routers/tickets';
import { userSchemas } from './routers/users';

type Json = Record<string, unknown>;

const schemaOf = (schema: z.ZodType): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
};

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

const graphWebhookResponses = {
  200: { description: 'Validation token echoed (text/plain)' },
  202: { description: 'Accepted' },
  401: errorResponse('No notification was authentic'),
  413: errorResponse('Batch over 1 MB: refused unread'),
  503: errorResponse('Temporal did not take the signal in time: Graph delivers the batch again'),
};
const jsonResponse = (description: string, schema: Json = { type: 'object' }) => ({ description, content: { 'application/json': { schema } } });
const jsonBody = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema: schemaOf(schema) } } });
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  description: 'a retry with the same key returns the first result; after a failed attempt it finishes that attempt’s create',
  schema: { type: 'string', maxLength: 255 },
};
const pathId = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string', format: 'uuid' } });
const pageQuery = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
  { name: 'after', in: 'query', description: 'the `next` value of the previous page', schema: { type: 'string', format: 'uuid' } },
];

/** Every authenticated operation can answer these. */
const commonErrors = {
  400: errorResponse('Invalid input: the message and `details` name each field and its problem.'),
  401: errorResponse('Missing or unknown API key.'),
  404: errorResponse('Not found in the caller’s account (another account’s records always answer 404).'),
};

/** The paging of every timeline: newest first, by start. */
const timelineQuery = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
  { name: 'before', in: 'query', description: 'the `next` value of the previous page (or an ISO date-time: meetings starting before it)', schema: { type: 'string' } },
];

const emailFilter = { name: 'email', in: 'query', description: 'only the record with this address (any case or spacing)', schema: { type: 'string', format: 'email' } };

/** Tenant administration (api/routers/admin.ts), behind the admin token. */
function adminPaths(): Json {
  const op = (summary: string, responses: Json, extra: Json = {}) => ({ tags: ['Admin'], summary, security: [{ adminToken: [] }], responses: { ...responses, 401: errorResponse('Missing or wrong admin token'), 404: errorResponse('Not found, or the admin API is off (no ADMIN_TOKEN)') }, ...extra });
  const account = pathId('accountId');
  const key = pathId('keyId');
  return {
    '/admin/accounts': {
      post: op('Create an account and its first API key (shown once)', { 201: jsonResponse('The account and `apiKey.key`') }, { requestBody: jsonBody(adminSchemas.createAccount) }),
      get: op('List accounts', { 200: jsonResponse('A page of accounts') }, { parameters: pageQuery }),
    },
    '/admin/accounts/{accountId}': { get: op('An account: users and connections by status', { 200: jsonResponse('The account') }, { parameters: [account] }) },
    '/admin/accounts/{accountId}/api-keys': {
      post: op('Issue another API key (shown once)', { 201: jsonResponse('The key') }, { parameters: [account], requestBody: jsonBody(adminSchemas.issueKey) }),
      get: op('The account’s keys: prefix, created, last used, expiry, revocation', { 200: jsonResponse('The keys') }, { parameters: [account] }),
    },
    '/admin/accounts/{accountId}/api-keys/{keyId}': { delete: op('Revoke a key now', { 200: jsonResponse('The revoked key') }, { parameters: [account, key] }) },
    '/admin/accounts/{accountId}/api-keys/{keyId}/rotate': {
      post: op('A new key; the old one keeps working for `graceSeconds` (default a day)', { 201: jsonResponse('The new key and the old one'), 409: errorResponse('The key is revoked') }, { parameters: [account, key], requestBody: jsonBody(adminSchemas.rotateKey) }),
    },
    '/admin/accounts/{accountId}/installed-provider': {
      delete: op('Let the account install the other calendar integration', { 200: jsonResponse('The account'), 409: errorResponse('Some connection is not disconnected') }, { parameters: [account] }),
    },
    '/admin/connections': {
      get: op('Connections of a user or calendar address, in any account', { 200: jsonResponse('The connections, with their workflow ids') }, { parameters: [{ name: 'email', in: 'query', required: true, schema: { type: 'string', format: 'email' } }] }),
    },
  };
}

function recordPaths(plural: string, singular: string, schemas: { create: z.ZodType; update: z.ZodType }, options: { emailFilter?: boolean } = {}): Json {
  const tag = plural[0]!.toUpperCase() + plural.slice(1);
  const listParameters = options.emailFilter ? [...pageQuery, emailFilter] : pageQuery;
  return {
    [`/v1/${plural}`]: {
      get: { tags: [tag], summary: `List ${plural}`, parameters: listParameters, responses: { 200: jsonResponse(`A page of ${plural}`), ...commonErrors } },
      post: {
        tags: [tag],
        summary: `Create a ${singular}`,
        requestBody: jsonBody(schemas.create),
        responses: { 201: jsonResponse(`The ${singular}`), 409: errorResponse('A unique field is taken'), ...commonErrors },
      },
    },
    [`/v1/${plural}/{id}`]: {
      parameters: [pathId('id')],
      get: { tags: [tag], summary: `Read a ${singular}`, responses: { 200: jsonResponse(`The ${singular}`), ...commonErrors } },
      patch: { tags: [tag], summary: `Update a ${singular}`, requestBody: jsonBody(schemas.update), responses: { 200: jsonResponse(`The ${singular}`), ...commonErrors } },
    },
  };
}

export function openApiDocument(publicBaseUrl: string): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'CRM Calendar Sync API',
      version: '1.0.0',
      description:
        'Two-way sync between Google Calendar / Outlook and CRM meetings. Every /v1 request needs `Authorization: Bearer <API key>` and is scoped to that key’s account. Errors share one shape: `{ "error": { "code", "message", "details"? } }`.',
    },
    servers: [{ url: publicBaseUrl }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'A per-account API key' },
        adminToken: { type: 'http', scheme: 'bearer', description: 'The operators’ ADMIN_TOKEN (never an account’s API key)' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} } } },
        },
      },
    },
    paths: {
      '/healthz': { get: { tags: ['Operations'], summary: 'Liveness', security: [], responses: { 200: jsonResponse('Alive') } } },
      '/readyz': {
        get: { tags: ['Operations'], summary: 'Readiness: the database and Temporal answer', security: [], responses: { 200: jsonResponse('Ready'), 503: jsonResponse('Not ready, with each check') } },
      },
      '/metrics': { get: { tags: ['Operations'], summary: 'Prometheus metrics', security: [], responses: { 200: { description: 'Prometheus text format' } } } },
      '/openapi.json': { get: { tags: ['Operations'], summary: 'This document', security: [], responses: { 200: jsonResponse('OpenAPI 3.1') } } },

      '/webhooks/google': {
        post: {
          tags: ['Webhooks'],
          summary: 'Google Calendar push notification',
          description:
            'Accepted only from a live channel with the token this service signed for it (`X-Goog-Channel-ID`, `X-Goog-Channel-Token`); wakes the connection’s workflow (coalesced) and answers at once.',
          security: [],
          responses: {
            200: { description: 'Accepted' },
            401: errorResponse('Unknown, retired or forged channel: nothing is signalled'),
            503: errorResponse('Temporal did not take the signal in time: Google delivers the notification again'),
          },
        },
      },
      '/webhooks/microsoft': {
        post: {
          tags: ['Webhooks'],
          summary: 'Microsoft Graph change notifications',
          description: 'With `?validationToken=` answers the subscription handshake in plain text. Otherwise each notification must carry a known subscription and its `clientState`.',
          security: [],
          parameters: [{ name: 'validationToken', in: 'query', schema: { type: 'string' } }],
          responses: graphWebhookResponses,
        },
      },
      '/webhooks/microsoft/lifecycle': {
        post: {
          tags: ['Webhooks'],
          summary: 'Microsoft Graph lifecycle notifications (reauthorizationRequired, missed, subscriptionRemoved)',
          security: [],
          parameters: [{ name: 'validationToken', in: 'query', schema: { type: 'string' } }],
          responses: graphWebhookResponses,
        },
      },
      ...Object.fromEntries(
        ['google', 'microsoft'].map((provider) => [
          `/oauth/${provider}/callback`,
          {
            get: {
              tags: ['Calendar connection'],
              summary: `Where ${provider === 'google' ? 'Google' : 'Microsoft'} sends the browser back after consent`,
              description: 'Authenticated by the signed, one-time, short-lived `state` issued by `authorize`. Answers an HTML page.',
              security: [],
              parameters: [
                { name: 'code', in: 'query', schema: { type: 'string' } },
                { name: 'state', in: 'query', schema: { type: 'string' } },
                { name: 'error', in: 'query', schema: { type: 'string' } },
              ],
              responses: {
                200: { description: 'Connected (or reconnected)' },
                400: { description: 'Forged, replayed or expired state, or consent refused' },
                409: { description: 'The account has the other provider installed' },
              },
            },
          },
        ]),
      ),

      ...adminPaths(),

      '/v1/account': {
        get: { tags: ['Account'], summary: 'The caller’s account: domains, installed integration, company matching', responses: { 200: jsonResponse('The account'), ...commonErrors } },
        patch: {
          tags: ['Account'],
          summary: 'Update the name, the email domains or `matchCompaniesByDomain`',
          requestBody: jsonBody(accountUpdate),
          responses: { 200: jsonResponse('The account'), ...commonErrors },
        },
      },
      '/v1/account/exclusions': {
        get: {
          tags: ['Account'],
          summary: 'The exclusion list: addresses and domains whose people are never logged',
          responses: { 200: jsonResponse('`{ items: [{ type: "email" | "domain", value, createdAt }] }`'), ...commonErrors },
        },
        post: {
          tags: ['Account'],
          summary: 'Exclude an address or a domain (lower-cased); their people count as internal from the next sync on',
          description: 'Meetings already logged keep them until their event next changes, when its guests are matched again without them.',
          requestBody: jsonBody(exclusionBody),
          responses: { 201: jsonResponse('Added'), 200: jsonResponse('It was on the list already'), ...commonErrors },
        },
      },
      '/v1/account/exclusions/{value}': {
        parameters: [{ name: 'value', in: 'path', required: true, description: 'the address or domain', schema: { type: 'string' } }],
        delete: { tags: ['Account'], summary: 'Remove an address or domain from the list (a no-op when absent)', responses: { 204: { description: 'Not on the list any more' }, ...commonErrors } },
      },
      ...recordPaths('users', 'user', userSchemas, { emailFilter: true }),
      ...recordPaths('contacts', 'contact', contactSchemas, { emailFilter: true }),
      ...recordPaths('companies', 'company', companySchemas),
      ...recordPaths('deals', 'deal', dealSchemas),
      ...recordPaths('tickets', 'ticket', ticketSchemas),

      '/v1/calendar-connections': {
        get: {
          tags: ['Calendar connection'],
          summary: 'The account’s calendar connections, by status and provider (who must reconnect, and why)',
          parameters: [
            ...pageQuery,
            { name: 'status', in: 'query', schema: { type: 'string', enum: ['CONNECTING', 'ACTIVE', 'NEEDS_REAUTH', 'DISCONNECTED'] } },
            { name: 'provider', in: 'query', schema: { type: 'string', enum: ['GOOGLE', 'MICROSOFT'] } },
          ],
          responses: { 200: jsonResponse('A page of connections'), ...commonErrors },
        },
      },
      '/v1/users/{userId}/calendar-connection': {
        parameters: [pathId('userId')],
        get: {
          tags: ['Calendar connection'],
          summary: 'Connection status (from the workflow), cursor age, channel expiry, last reconciliation and last error',
          responses: { 200: jsonResponse('The connection'), ...commonErrors },
        },
        delete: {
          tags: ['Calendar connection'],
          summary: 'Disconnect: stop the push channel, end the workflow; synced meetings stay',
          responses: { 202: jsonResponse('Disconnecting'), ...commonErrors },
        },
      },
      '/v1/users/{userId}/calendar-connection/authorize': {
        parameters: [pathId('userId')],
        post: {
          tags: ['Calendar connection'],
          summary: 'Start connecting: the provider consent URL to send the user to',
          requestBody: jsonBody(authorizeBody),
          responses: {
            200: jsonResponse('The consent URL', { type: 'object', properties: { authorizationUrl: { type: 'string', format: 'uri' } } }),
            409: errorResponse('The account has the other provider installed (the message names it)'),
            422: errorResponse('This provider is not configured on the server'),
            ...commonErrors,
          },
        },
      },
      '/v1/users/{userId}/calendar-connection/resync': {
        parameters: [pathId('userId')],
        post: {
          tags: ['Calendar connection'],
          summary: 'Force a full re-read of the synced window (creates no duplicates)',
          responses: { 202: jsonResponse('Accepted'), 409: errorResponse('The connection is not syncing (needs re-auth or disconnected)'), ...commonErrors },
        },
      },
      '/v1/users/{userId}/out-of-office': {
        parameters: [pathId('userId')],
        get: { tags: ['Out of office'], summary: 'The user’s away periods (from the CRM and from the calendar)', responses: { 200: jsonResponse('Periods'), ...commonErrors } },
        post: {
          tags: ['Out of office'],
          summary: 'Set an away period: an out-of-office event is created in the user’s calendar',
          parameters: [idempotencyKey],
          requestBody: jsonBody(periodBody),
          responses: {
            202: jsonResponse('The period'),
            409: errorResponse('No usable calendar connection, or the key is in use'),
            422: errorResponse('The Idempotency-Key was used for a different request'),
            ...commonErrors,
          },
        },
      },
      '/v1/users/{userId}/out-of-office/{id}': {
        parameters: [pathId('userId'), pathId('id')],
        delete: {
          tags: ['Out of office'],
          summary: 'Remove a period and its calendar event; removing it again finishes a removal that failed half-way',
          responses: { 202: jsonResponse('Removed'), ...commonErrors },
        },
      },
      '/v1/contacts/{contactId}/meetings': {
        parameters: [pathId('contactId')],
        get: {
          tags: ['Meetings'],
          summary: 'The contact’s timeline: meetings the contact attends, newest first',
          parameters: timelineQuery,
          responses: { 200: jsonResponse('A page of meetings'), ...commonErrors },
        },
      },
      '/v1/companies/{companyId}/meetings': {
        parameters: [pathId('companyId')],
        get: {
          tags: ['Meetings'],
          summary: 'The company’s timeline: meetings its contacts attend or associated with it, each once, newest first',
          description: 'Derived when read from the attendees’ contacts and their companies now, so it follows guest changes and contacts moving between companies.',
          parameters: timelineQuery,
          responses: { 200: jsonResponse('A page of meetings'), ...commonErrors },
        },
      },
      '/v1/meetings': {
        get: { tags: ['Meetings'], summary: 'List meetings', parameters: pageQuery, responses: { 200: jsonResponse('A page of meetings'), ...commonErrors } },
        post: {
          tags: ['Meetings'],
          summary: 'Schedule a meeting into the owner’s calendar, with invitations',
          description:
            'A timed meeting takes `startAt`/`endAt` as date-times with offset. An all-day one takes `"allDay": true` and dates, the end exclusive as in Google Calendar and Microsoft Graph: `{"allDay": true, "startAt": "2026-12-10", "endAt": "2026-12-13", "timeZone": "Asia/Tokyo"}` is 10 to 12 December. It becomes a Google `date` event, and an Outlook `isAllDay` event from midnight to midnight in `timeZone`; it reads back with those dates at 00:00 UTC, in every zone. With `"conference": true` the event gets a Google Meet or Teams meeting, once however often the request or the create is retried; its join link shows as `conference` when the provider answered.',
          parameters: [idempotencyKey],
          requestBody: jsonBody(scheduleBody),
          responses: {
            202: jsonResponse('The meeting, SCHEDULING until the event exists'),
            409: errorResponse('The owner has no usable calendar connection, or the key is in use'),
            422: errorResponse('The Idempotency-Key was used for a different request'),
            ...commonErrors,
          },
        },
      },
      '/v1/meetings/{id}': {
        parameters: [pathId('id')],
        get: {
          tags: ['Meetings'],
          summary: 'Read a meeting',
          responses: { 200: jsonResponse('The meeting, with `conference`: `{ url, provider }` (GOOGLE_MEET, TEAMS, SKYPE, OTHER), the join link its calendar event has now, or null'), ...commonErrors },
        },
        patch: {
          tags: ['Meetings'],
          summary: 'Edit a meeting; with `sendUpdate` the calendar event is patched and guests (new ones included) are notified',
          description:
            'Times take the meeting’s form: dates for an all-day meeting, date-times otherwise. Sending `allDay` to turn it on or off needs both `startAt` and `endAt` in the new form.',
          requestBody: jsonBody(editBody),
          responses: { 200: jsonResponse('The meeting'), 409: errorResponse('No calendar event to update'), ...commonErrors },
        },
        delete: { tags: ['Meetings'], summary: 'Delete from the CRM only: the calendar event stays', responses: { 204: { description: 'Deleted' }, ...commonErrors } },
      },
      '/v1/meetings/{id}/retry': {
        parameters: [pathId('id')],
        post: { tags: ['Meetings'], summary: 'Retry a FAILED meeting', responses: { 202: jsonResponse('The meeting'), 409: errorResponse('Not FAILED'), ...commonErrors } },
      },
    },
  };
}
