/**
 * Event webhook endpoints (event-webhooks/): `POST` registers one and shows its signing secret once,
 * `GET`/`PATCH`/`DELETE /:id` read, change (URL, event types, enabled) and remove it,
 * `POST /:id/rotate-secret` issues a new secret (the old one signs alongside for `graceSeconds`),
 * `GET /:id/deliveries[/:deliveryId]` is its delivery log and `POST …/:deliveryId/redeliver` queues
 * one again. URLs are checked against the environment's policy (https; http to loopback outside
 * production).
 */
import { z } from 'zod';
import type { Database } from '../../db/client';
import {
  createEndpoint,
  deleteEndpoint,
  endpointView,
  findEndpoint,
  getDelivery,
  listDeliveries,
  listEndpoints,
  redeliver,
  rotateSecret,
  updateEndpoint,
  type EndpointPolicy,
} from '../../event-webhooks/endpoints';
import { EVENT_TYPES } from '../../event-webhooks/events';
import type { SecretBox } from '../../lib/crypto';
import { found, notFound } from '../http-errors';
import { accountIdOf } from '../middleware/authenticate';
import { pageSchema, webhookDeliverySchema, webhookDeliveryWithPayloadSchema, webhookEndpointSchema, webhookEndpointWithSecretSchema } from '../responses';
import { ApiRoutes } from '../routes';
import { idParams, requireSomeField } from '../validation';
import { pageOf, pageQuery } from '../paging';

const url = z.string().trim().min(1, { message: 'must be an absolute URL' }).max(2048, { message: 'must be at most 2048 characters' }).meta({
  description: 'Where events are POSTed: https, to another host in production (outside production also http to a loopback address such as 127.0.0.1)',
  format: 'uri',
});
const eventTypes = z
  .array(z.enum(EVENT_TYPES, { message: `must be one of ${EVENT_TYPES.join(', ')}` }))
  .min(1, { message: 'must name at least one event type' })
  .meta({ description: 'The event types delivered to it' });
const description = z.string().trim().max(500, { message: 'must be at most 500 characters' }).nullable().meta({ description: 'A note for people' });
const enabled = z.boolean({ message: 'must be true or false' }).meta({ description: 'A disabled endpoint gets no new events; its pending deliveries wait until it is enabled again' });

export const webhookEndpointSchemas = {
  create: z.object({ url, eventTypes, description: description.optional(), enabled: enabled.optional() }).strict(),
  update: z.object({ url: url.optional(), eventTypes: eventTypes.optional(), description: description.optional(), enabled: enabled.optional() }).strict(),
  rotateSecret: z
    .object({
      graceSeconds: z
        .number({ message: 'must be a number of seconds' })
        .int({ message: 'must be a whole number of seconds' })
        .min(0, { message: 'must not be negative' })
        .max(7 * 86_400, { message: 'must be at most 604800 (7 days)' })
        .optional()
        .meta({ description: 'How long the old secret keeps signing next to the new one (default 86400, a day; 0 drops it at once)' }),
    })
    .strict(),
};

const DEFAULT_GRACE_SECONDS = 86_400;

const deliveryParams = idParams.extend({ deliveryId: z.uuid({ message: 'must be a UUID' }) });
const deliveriesQuery = pageQuery.extend({
  status: z.enum(['PENDING', 'DELIVERED', 'FAILED'], { message: 'must be PENDING, DELIVERED or FAILED' }).optional().meta({ description: 'only deliveries in this state' }),
});

export function webhookEndpointsRouter(db: Database, secrets: SecretBox, policy: EndpointPolicy): ApiRoutes {
  const routes = new ApiRoutes({ tags: ['Event webhooks'], security: 'apiKey' });

  /** The caller's endpoint, or a 404 (another account's included). */
  const endpointOf = async (accountId: string, id: string) => {
    const endpoint = await findEndpoint(db, accountId, id);
    if (!endpoint) throw notFound('webhook endpoint');
    return endpoint;
  };

  routes.post(
    '/',
    {
      operationId: 'createWebhookEndpoint',
      summary: 'Register an endpoint for event webhooks; its signing secret is shown this once',
      description: 'Deliveries are signed the Standard Webhooks way (`webhook-id`, `webhook-timestamp`, `webhook-signature`): see the README, "Event webhooks".',
      body: webhookEndpointSchemas.create,
      responses: { 201: { description: 'The endpoint and its `secret`', schema: webhookEndpointWithSecretSchema } },
    },
    async ({ body }, req, res) => {
      const { endpoint, secret } = await createEndpoint(db, secrets, policy, accountIdOf(req), body);
      res.status(201).json({ ...endpoint, secret });
    },
  );

  routes.get('/', { operationId: 'listWebhookEndpoints', summary: 'The account’s endpoints', query: pageQuery, responses: { 200: { description: 'A page of endpoints', schema: pageSchema(webhookEndpointSchema) } } }, async ({ query }, req, res) => {
    res.json(pageOf(await listEndpoints(db, accountIdOf(req), query), query.limit));
  });

  routes.get('/:id', { operationId: 'getWebhookEndpoint', summary: 'Read an endpoint (never its secret)', params: idParams, responses: { 200: { description: 'The endpoint', schema: webhookEndpointSchema } } }, async ({ params }, req, res) => {
    res.json(endpointView(await endpointOf(accountIdOf(req), params.id)));
  });

  routes.patch(
    '/:id',
    {
      operationId: 'updateWebhookEndpoint',
      summary: 'Change the URL, the event types, the note, or enable or disable it',
      description: 'Enabling it again resumes its pending deliveries at once.',
      params: idParams,
      body: webhookEndpointSchemas.update,
      responses: { 200: { description: 'The endpoint', schema: webhookEndpointSchema } },
    },
    async ({ params, body }, req, res) => {
      res.json(found(await updateEndpoint(db, policy, accountIdOf(req), params.id, requireSomeField(body)), 'webhook endpoint'));
    },
  );

  routes.delete('/:id', { operationId: 'deleteWebhookEndpoint', summary: 'Delete an endpoint and its delivery log', params: idParams, responses: { 204: { description: 'Deleted' } } }, async ({ params }, req, res) => {
    if (!(await deleteEndpoint(db, accountIdOf(req), params.id))) throw notFound('webhook endpoint');
    res.status(204).end();
  });

  routes.post(
    '/:id/rotate-secret',
    {
      operationId: 'rotateWebhookEndpointSecret',
      summary: 'A new signing secret, shown this once; the old one signs alongside for `graceSeconds`',
      params: idParams,
      body: webhookEndpointSchemas.rotateSecret,
      responses: { 200: { description: 'The endpoint and its new `secret`', schema: webhookEndpointWithSecretSchema } },
    },
    async ({ params, body }, req, res) => {
      const rotated = await rotateSecret(db, secrets, accountIdOf(req), params.id, (body.graceSeconds ?? DEFAULT_GRACE_SECONDS) * 1000);
      if (!rotated) throw notFound('webhook endpoint');
      res.json({ ...rotated.endpoint, secret: rotated.secret });
    },
  );

  routes.get(
    '/:id/deliveries',
    {
      operationId: 'listWebhookDeliveries',
      summary: 'The delivery log, newest event first: attempts, last status code, last error, delivered at',
      params: idParams,
      query: deliveriesQuery,
      responses: { 200: { description: 'A page of deliveries', schema: pageSchema(webhookDeliverySchema) } },
    },
    async ({ params, query }, req, res) => {
      await endpointOf(accountIdOf(req), params.id);
      res.json(pageOf(await listDeliveries(db, params.id, query), query.limit));
    },
  );

  routes.get(
    '/:id/deliveries/:deliveryId',
    { operationId: 'getWebhookDelivery', summary: 'One delivery with the payload it sends', params: deliveryParams, responses: { 200: { description: 'The delivery', schema: webhookDeliveryWithPayloadSchema } } },
    async ({ params }, req, res) => {
      await endpointOf(accountIdOf(req), params.id);
      res.json(found(await getDelivery(db, params.id, params.deliveryId), 'delivery'));
    },
  );

  routes.post(
    '/:id/deliveries/:deliveryId/redeliver',
    {
      operationId: 'redeliverWebhookDelivery',
      summary: 'Deliver it again (whatever its state), with a new retry period',
      description: 'It is queued in event order behind the delivery the endpoint is on, and a backoff in progress is cut short.',
      params: deliveryParams,
      responses: { 202: { description: 'Queued: the delivery, PENDING', schema: webhookDeliverySchema } },
    },
    async ({ params }, req, res) => {
      await endpointOf(accountIdOf(req), params.id);
      const delivery = await redeliver(db, policy, params.id, params.deliveryId);
      if (!delivery) throw notFound('delivery');
      res.status(202).json(delivery);
    },
  );

  return routes;
}
