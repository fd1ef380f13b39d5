/**
 * Signing event webhooks the Standard Webhooks way (https://www.standardwebhooks.com, spec 1.0.0:
 * github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md), as Svix and
 * others send them: headers `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`
 * = space-separated `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, one per live secret (two
 * during a rotation's grace period). Secrets are `whsec_` + base64 of 32 random bytes; the HMAC key is
 * the base64-decoded part. `verifyWebhook` is the receiver's check the README documents, verbatim.
 */
import crypto from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';

export const generateWebhookSecret = (): string => `${SECRET_PREFIX}${crypto.randomBytes(32).toString('base64')}`;

function hmac(secret: string, content: string): string {
  return crypto.createHmac('sha256', Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64')).update(content).digest('base64');
}

/** The three headers of one attempt; `timestamp` is this attempt's own (Unix seconds). */
export function signWebhook(message: { id: string; timestamp: number; body: string }, secrets: string[]): Record<string, string> {
  const content = `${message.id}.${message.timestamp}.${message.body}`;
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(message.timestamp),
    'webhook-signature': secrets.map((secret) => `v1,${hmac(secret, content)}`).join(' '),
  };
}

// README "Verifying a delivery" shows the code from here to the end marker (a test compares them).
// --- verifyWebhook begin
/**
 * Checks one delivery: `body` is the raw request body, exactly as received (not parsed and
 * re-serialized), `headers` as Node gives them (lower-case names), `secret` the endpoint's `whsec_…`.
 * Returns the parsed event; throws when the headers are missing, the timestamp is more than 5 minutes
 * away from now (a replay, or a clock far off), or no signature matches (a tampered body, another
 * secret). Use the event's `id` (also `webhook-id`) to ignore a delivery you already processed.
 */
export function verifyWebhook(secret: string, headers: Record<string, string | string[] | undefined>, body: string, nowSeconds = Math.floor(Date.now() / 1000)) {
  const header = (name: string) => [headers[name]].flat()[0];
  const id = header('webhook-id');
  const timestamp = header('webhook-timestamp');
  const signatures = header('webhook-signature');
  if (!id || !timestamp || !signatures) throw new Error('missing webhook-id, webhook-timestamp or webhook-signature');
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > 5 * 60) throw new Error('webhook-timestamp is more than 5 minutes away from now');
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  const matches = signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    const given = Buffer.from(signature ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
  if (!matches) throw new Error('no webhook-signature matches the body');
  return JSON.parse(body) as { id: string; type: string; timestamp: string; data: Record<string, unknown> };
}
// --- verifyWebhook end
