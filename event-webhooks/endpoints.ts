/**
 * An account's event webhook endpoints and their delivery log (README "Event webhooks"): register,
 * list, change, delete, rotate the signing secret, read deliveries and ask for one again. Only the
 * database is touched: the worker's dispatcher notices new events and `kickRequestedAt` (a redelivery,
 * an endpoint enabled again) and drives the delivery workflows, so the API needs no Temporal for it.
 */
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { Database } from '../db/client';
import type { Prisma, WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint } from '../generated/prisma/client';
import { InvalidInputError } from '../crm/errors';
import type { SecretBox } from '../lib/crypto';
import { eventBody, eventIdOf, type EventType } from './events';
import { generateWebhookSecret } from './signing';

export interface EndpointPolicy {
  /** Production takes https URLs of other hosts only; elsewhere http to this machine (loopback) is fine too. */
  production: boolean;
  /** How long a redelivered delivery is retried (EVENT_WEBHOOK_RETRY_FOR). */
  retryForMs: number;
}

/** Why `url` cannot be an endpoint, or undefined when it can. */
export function endpointUrlProblem(url: string, policy: Pick<EndpointPolicy, 'production'>): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute URL';
  }
  if (parsed.username || parsed.password) return 'must not contain credentials';
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const loopback = host === 'localhost' || host.endsWith('.localhost') || (isIP(host) === 4 && host.startsWith('127.')) || host === '::1';
  if (policy.production) {
    if (parsed.protocol !== 'https:') return 'must be an https URL';
    if (loopback) return 'must not be a loopback address in production';
    return undefined;
  }
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && loopback) return undefined;
  return 'must be an https URL (http only to a loopback address, outside production)';
}

/** The service key's fingerprint: which workers can open the endpoint's secret (WebhookEndpoint.keyId). */
export const keyIdOf = (secrets: SecretBox): string => secrets.signer('event-webhook-key-id', 12).sign('key-id');

const secretContext = (endpointId: string) => `webhook-endpoint:${endpointId}`;

/** The secrets a delivery is signed with now: the current one, and the previous one during its grace period. */
export function signingSecrets(secrets: SecretBox, endpoint: Pick<WebhookEndpoint, 'id' | 'encryptedSecret' | 'previousEncryptedSecret' | 'previousSecretExpiresAt'>, now = new Date()): string[] {
  const current = secrets.decrypt(endpoint.encryptedSecret, secretContext(endpoint.id));
  const previousLive = endpoint.previousEncryptedSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now;
  return previousLive ? [current, secrets.decrypt(endpoint.previousEncryptedSecret!, secretContext(endpoint.id))] : [current];
}

export function endpointView(endpoint: WebhookEndpoint) {
  return {
    id: endpoint.id,
    url: endpoint.url,
    description: endpoint.description,
    eventTypes: endpoint.eventTypes,
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason,
    previousSecretExpiresAt: endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > new Date() ? endpoint.previousSecretExpiresAt : null,
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
  };
}

type DeliveryWithEvent = WebhookDelivery & { event: { id: bigint; type: string; createdAt: Date } };

export function deliveryView(delivery: DeliveryWithEvent) {
  return {
    id: delivery.id,
    endpointId: delivery.endpointId,
    event: { id: eventIdOf(delivery.event.id), type: delivery.event.type, timestamp: delivery.event.createdAt },
    status: delivery.status,
    attempts: delivery.attempts,
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    lastAttemptAt: delivery.lastAttemptAt,
    deliveredAt: delivery.deliveredAt,
    giveUpAt: delivery.giveUpAt,
    createdAt: delivery.createdAt,
  };
}

/** What a delivery sends, as its receiver parses it. */
export interface EventPayload {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/** One delivery with the payload it sends (the same bytes at every attempt). */
export function deliveryWithPayloadView(delivery: DeliveryWithEvent & { event: { data: Prisma.JsonValue } }) {
  return { ...deliveryView(delivery), payload: JSON.parse(eventBody(delivery.event)) as EventPayload };
}

export interface EndpointInput {
  url: string;
  eventTypes: EventType[];
  description?: string | null;
  enabled?: boolean;
}

function checkUrl(url: string, policy: EndpointPolicy): void {
  const problem = endpointUrlProblem(url, policy);
  if (problem) throw new InvalidInputError([{ field: 'url', problem }]);
}

/** The new endpoint and its secret: the only time the secret is shown. */
export async function createEndpoint(db: Database, secrets: SecretBox, policy: EndpointPolicy, accountId: string, input: EndpointInput) {
  checkUrl(input.url, policy);
  const id = randomUUID();
  const secret = generateWebhookSecret();
  const endpoint = await db.webhookEndpoint.create({
    data: {
      id,
      accountId,
      url: input.url,
      description: input.description ?? null,
      eventTypes: [...new Set(input.eventTypes)],
      enabled: input.enabled ?? true,
      encryptedSecret: secrets.encrypt(secret, secretContext(id)),
      keyId: keyIdOf(secrets),
    },
  });
  return { endpoint: endpointView(endpoint), secret };
}

export const findEndpoint = (db: Database, accountId: string, id: string) => db.webhookEndpoint.findFirst({ where: { id, accountId } });

export async function listEndpoints(db: Database, accountId: string, page: { limit: number; after?: string }) {
  const rows = await db.webhookEndpoint.findMany({ where: { accountId }, orderBy: { id: 'asc' }, take: page.limit, ...(page.after ? { cursor: { id: page.after }, skip: 1 } : {}) });
  return rows.map(endpointView);
}

/** Undefined when the endpoint is not the account's. Enabling it again resumes its pending deliveries. */
export async function updateEndpoint(db: Database, policy: EndpointPolicy, accountId: string, id: string, patch: Partial<EndpointInput>) {
  if (patch.url !== undefined) checkUrl(patch.url, policy);
  const existing = await findEndpoint(db, accountId, id);
  if (!existing) return undefined;
  const enabling = patch.enabled === true && !existing.enabled;
  const endpoint = await db.webhookEndpoint.update({
    where: { id },
    data: {
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.eventTypes !== undefined ? { eventTypes: [...new Set(patch.eventTypes)] } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled, disabledReason: null } : {}),
      ...(enabling ? { kickRequestedAt: new Date() } : {}),
    },
  });
  return endpointView(endpoint);
}

/** Its deliveries go with it; true when there was one to delete. */
export async function deleteEndpoint(db: Database, accountId: string, id: string): Promise<boolean> {
  const { count } = await db.webhookEndpoint.deleteMany({ where: { id, accountId } });
  return count === 1;
}

/** A new secret, shown once; the old one keeps signing (alongside) for `graceMs`, 0 to drop it at once. */
export async function rotateSecret(db: Database, secrets: SecretBox, accountId: string, id: string, graceMs: number) {
  const existing = await findEndpoint(db, accountId, id);
  if (!existing) return undefined;
  const secret = generateWebhookSecret();
  const endpoint = await db.webhookEndpoint.update({
    where: { id },
    data: {
      encryptedSecret: secrets.encrypt(secret, secretContext(id)),
      previousEncryptedSecret: graceMs > 0 ? existing.encryptedSecret : null,
      previousSecretExpiresAt: graceMs > 0 ? new Date(Date.now() + graceMs) : null,
      keyId: keyIdOf(secrets),
    },
  });
  return { endpoint: endpointView(endpoint), secret };
}

const eventSummary = { select: { id: true, type: true, createdAt: true } } as const;

/** Newest event first; `after` is the previous page's `next`. */
export async function listDeliveries(db: Database, endpointId: string, page: { limit: number; after?: string; status?: WebhookDeliveryStatus }) {
  const rows = await db.webhookDelivery.findMany({
    where: { endpointId, ...(page.status ? { status: page.status } : {}) },
    include: { event: eventSummary },
    orderBy: { eventId: 'desc' },
    take: page.limit,
    ...(page.after ? { cursor: { id: page.after }, skip: 1 } : {}),
  });
  return rows.map((row) => deliveryView(row));
}

export async function getDelivery(db: Database, endpointId: string, deliveryId: string) {
  const row = await db.webhookDelivery.findFirst({ where: { id: deliveryId, endpointId }, include: { event: { select: { id: true, type: true, createdAt: true, data: true } } } });
  return row ? deliveryWithPayloadView(row) : undefined;
}

/**
 * Queues the delivery again (any status; one still pending is tried now) with a new retry period.
 * The endpoint's workflow takes it in event order, after the delivery it is on.
 */
export async function redeliver(db: Database, policy: EndpointPolicy, endpointId: string, deliveryId: string) {
  const now = new Date();
  const row = await db.$transaction(async (tx) => {
    const { count } = await tx.webhookDelivery.updateMany({ where: { id: deliveryId, endpointId }, data: { status: 'PENDING', giveUpAt: new Date(now.getTime() + policy.retryForMs) } });
    if (count === 0) return undefined;
    await tx.webhookEndpoint.update({ where: { id: endpointId }, data: { kickRequestedAt: now } });
    return tx.webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId }, include: { event: eventSummary } });
  });
  return row ? deliveryView(row) : undefined;
}
