/**
 * Provider push notifications. A webhook authenticates the notification (known channel + its secret),
 * signals the connection's workflow and answers at once: it never syncs inside the request (SPEC §6).
 * Refused notifications signal nothing.
 */
import express, { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { matchesHash } from '../../lib/crypto';
import type { Metrics } from '../../lib/metrics';
import type { WorkflowControl } from '../../connections/workflow-control';
import type { ChangeNotice } from '../../workflows/connection-messages';
import { unauthorized } from '../http-errors';

export interface WebhookDependencies {
  db: Database;
  workflows: WorkflowControl;
  metrics: Metrics;
}

const graphNotifications = z.object({
  value: z.array(z.object({ subscriptionId: z.string(), clientState: z.string().optional(), lifecycleEvent: z.string().optional() }).passthrough()),
});

const LIFECYCLE_NOTICES: Record<string, ChangeNotice> = {
  missed: { kind: 'missed' },
  subscriptionRemoved: { kind: 'subscriptionRemoved' },
  reauthorizationRequired: { kind: 'reauthorizationRequired' },
};

export function webhooksRouter({ db, workflows, metrics }: WebhookDependencies): Router {
  const router = Router();

  /** The live channel `id` whose secret is `secret`, or undefined. */
  const authenticate = async (id: string | undefined, secret: string | undefined) => {
    if (!id || !secret) return undefined;
    const channel = await db.pushChannel.findUnique({ where: { id }, select: { connectionId: true, secretHash: true, stoppedAt: true } });
    return channel && !channel.stoppedAt && matchesHash(secret, channel.secretHash) ? channel : undefined;
  };

  router.post('/webhooks/google', async (req, res) => {
    const channel = await authenticate(req.header('x-goog-channel-id'), req.header('x-goog-channel-token'));
    if (!channel) {
      metrics.webhookNotifications.inc({ provider: 'GOOGLE', outcome: 'refused' });
      throw unauthorized('unknown channel or wrong channel token');
    }
    // `sync` only confirms a new channel; every other state means "something changed, go look".
    if (req.header('x-goog-resource-state') !== 'sync') {
      await workflows.notify(channel.connectionId, { kind: 'changed' });
      metrics.webhookNotifications.inc({ provider: 'GOOGLE', outcome: 'signalled' });
    } else {
      metrics.webhookNotifications.inc({ provider: 'GOOGLE', outcome: 'ignored' });
    }
    res.status(200).end();
  });

  const microsoft = (lifecycle: boolean) => async (req: express.Request, res: express.Response) => {
    // Subscription validation handshake: echo the token, as plain text, at once.
    if (typeof req.query.validationToken === 'string') {
      res.status(200).type('text/plain').send(req.query.validationToken);
      return;
    }
    const parsed = graphNotifications.safeParse(req.body);
    if (!parsed.success) throw unauthorized('not a Graph change notification');
    let accepted = 0;
    const woken = new Map<string, ChangeNotice>();
    for (const item of parsed.data.value) {
      const channel = await authenticate(item.subscriptionId, item.clientState);
      if (!channel) {
        metrics.webhookNotifications.inc({ provider: 'MICROSOFT', outcome: 'refused' });
        continue;
      }
      accepted += 1;
      const notice = lifecycle ? LIFECYCLE_NOTICES[item.lifecycleEvent ?? ''] : { kind: 'changed' as const };
      // One signal per connection per batch; a lifecycle event outranks a plain change.
      if (notice && (!woken.has(channel.connectionId) || notice.kind !== 'changed')) woken.set(channel.connectionId, notice);
    }
    if (accepted === 0) throw unauthorized('no notification carried a known subscription and its clientState');
    for (const [connectionId, notice] of woken) {
      await workflows.notify(connectionId, notice);
      metrics.webhookNotifications.inc({ provider: 'MICROSOFT', outcome: 'signalled' });
    }
    res.status(202).end();
  };

  const graphJson = express.json({ limit: '1mb' });
  router.post('/webhooks/microsoft', graphJson, microsoft(false));
  router.post('/webhooks/microsoft/lifecycle', graphJson, microsoft(true));
  return router;
}
