/**
 * Standard Webhooks signing (event-webhooks/signing.ts) and the receiver's check the README documents:
 * a signed delivery verifies; a tampered body, another secret, a replayed old timestamp or a missing
 * header does not; during a rotation either secret verifies.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { generateWebhookSecret, signWebhook, verifyWebhook } from '../../event-webhooks/signing';
import { endpointUrlProblem } from '../../event-webhooks/endpoints';

const body = JSON.stringify({ id: 'evt_42', type: 'meeting.created', timestamp: '2026-12-10T10:00:00.000Z', data: { id: 'm-1', title: 'Intro call' } });
const now = 1_796_000_000;

describe('event webhook signatures', () => {
  const secret = generateWebhookSecret();

  it('makes whsec_ secrets of 32 random bytes', () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  it('signs "id.timestamp.body" with HMAC-SHA256 under the decoded secret, as v1,<base64>', () => {
    const headers = signWebhook({ id: 'evt_42', timestamp: now, body }, [secret]);
    const expected = crypto.createHmac('sha256', Buffer.from(secret.slice(6), 'base64')).update(`evt_42.${now}.${body}`).digest('base64');
    expect(headers).toEqual({ 'webhook-id': 'evt_42', 'webhook-timestamp': String(now), 'webhook-signature': `v1,${expected}` });
  });

  it('matches the Standard Webhooks reference vector', () => {
    // The test vector of the Standard Webhooks and Svix reference libraries.
    const headers = signWebhook({ id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330, body: '{"test": 2432232314}' }, ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw']);
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('verifies a signed delivery and returns the event', () => {
    const headers = signWebhook({ id: 'evt_42', timestamp: now, body }, [secret]);
    expect(verifyWebhook(secret, headers, body, now + 10)).toMatchObject({ id: 'evt_42', type: 'meeting.created', data: { title: 'Intro call' } });
    // Node hands over header values as strings (or arrays of them).
    expect(verifyWebhook(secret, { ...headers, 'webhook-id': ['evt_42'] }, body, now)).toMatchObject({ id: 'evt_42' });
  });

  it('refuses a tampered body, a tampered id and another secret', () => {
    const headers = signWebhook({ id: 'evt_42', timestamp: now, body }, [secret]);
    expect(() => verifyWebhook(secret, headers, body.replace('Intro call', 'Intro cal1'), now)).toThrow(/no webhook-signature matches/);
    expect(() => verifyWebhook(secret, { ...headers, 'webhook-id': 'evt_43' }, body, now)).toThrow(/no webhook-signature matches/);
    expect(() => verifyWebhook(generateWebhookSecret(), headers, body, now)).toThrow(/no webhook-signature matches/);
    expect(() => verifyWebhook(secret, { ...headers, 'webhook-signature': 'v2,abc v1,' }, body, now)).toThrow(/no webhook-signature matches/);
  });

  it('refuses a replay: a timestamp more than 5 minutes old (or ahead), even correctly signed', () => {
    const old = signWebhook({ id: 'evt_42', timestamp: now - 301, body }, [secret]);
    expect(() => verifyWebhook(secret, old, body, now)).toThrow(/more than 5 minutes/);
    const ahead = signWebhook({ id: 'evt_42', timestamp: now + 301, body }, [secret]);
    expect(() => verifyWebhook(secret, ahead, body, now)).toThrow(/more than 5 minutes/);
    const edge = signWebhook({ id: 'evt_42', timestamp: now - 300, body }, [secret]);
    expect(verifyWebhook(secret, edge, body, now)).toMatchObject({ id: 'evt_42' });
    expect(() => verifyWebhook(secret, { ...edge, 'webhook-timestamp': `${now}.5` }, body, now)).toThrow(/more than 5 minutes/);
  });

  it('refuses a delivery missing a header', () => {
    const headers = signWebhook({ id: 'evt_42', timestamp: now, body }, [secret]);
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const { [name]: _dropped, ...rest } = headers;
      expect(() => verifyWebhook(secret, rest, body, now)).toThrow(/missing/);
    }
  });

  it('during a rotation signs with both secrets: a receiver holding either verifies', () => {
    const next = generateWebhookSecret();
    const headers = signWebhook({ id: 'evt_42', timestamp: now, body }, [next, secret]);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(verifyWebhook(secret, headers, body, now)).toMatchObject({ id: 'evt_42' });
    expect(verifyWebhook(next, headers, body, now)).toMatchObject({ id: 'evt_42' });
  });
});

describe('the README', () => {
  it('documents verifyWebhook as it is, so the documented check is the tested one', () => {
    const source = fs.readFileSync(path.resolve(__dirname, '../../event-webhooks/signing.ts'), 'utf8');
    const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
    const verify = source.split('// --- verifyWebhook begin\n')[1]!.split('// --- verifyWebhook end')[0]!;
    expect(verify).toMatch(/^\/\*\*[\s\S]*export function verifyWebhook\(/);
    expect(readme).toContain("```ts\nimport crypto from 'node:crypto';\n\n" + verify + '```');
  });
});

describe('endpoint URLs', () => {
  it('in production: https to another host only', () => {
    const production = { production: true };
    expect(endpointUrlProblem('https://hooks.example.com/crm', production)).toBeUndefined();
    expect(endpointUrlProblem('http://hooks.example.com/crm', production)).toBe('must be an https URL');
    expect(endpointUrlProblem('http://127.0.0.1:8080/in', production)).toBe('must be an https URL');
    for (const url of ['https://127.0.0.1/in', 'https://localhost:8443/in', 'https://[::1]/in', 'https://api.localhost/in']) {
      expect(endpointUrlProblem(url, production)).toBe('must not be a loopback address in production');
    }
    expect(endpointUrlProblem('https://user:pw@hooks.example.com/', production)).toBe('must not contain credentials');
    expect(endpointUrlProblem('hooks.example.com/crm', production)).toBe('must be an absolute URL');
    expect(endpointUrlProblem('ftp://hooks.example.com/', production)).toBe('must be an https URL');
  });

  it('in development and tests: https anywhere, and http to loopback', () => {
    const development = { production: false };
    for (const url of ['https://hooks.example.com/crm', 'https://127.0.0.1/in', 'http://127.0.0.1:8080/in', 'http://localhost:3001/in', 'http://[::1]:9000/in', 'http://127.8.9.10/in']) {
      expect({ url, problem: endpointUrlProblem(url, development) }).toEqual({ url, problem: undefined });
    }
    for (const url of ['http://hooks.example.com/crm', 'http://10.0.0.5/in', 'http://127.0.0.1.example.com/in', 'file:///etc/passwd']) {
      expect(endpointUrlProblem(url, development)).toMatch(/must be an https URL/);
    }
  });
});
