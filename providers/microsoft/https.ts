/**
 * One HTTPS request with an optional extra CA, for MSAL's network client and the Graph client's
 * final middleware. Node's global fetch cannot take a CA per request, and the emulator's CA is made
 * at run time, after NODE_EXTRA_CA_CERTS could have been read.
 */
import http from 'node:http';
import https from 'node:https';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawRequest {
  method: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

/** Keep-alive agents, one per CA: connections are reused across calls and connections. */
const agents = new Map<string, https.Agent>();

function agentFor(ca: string | undefined): https.Agent | undefined {
  if (!ca) return undefined;
  let agent = agents.get(ca);
  if (!agent) agents.set(ca, (agent = new https.Agent({ keepAlive: true, ca })));
  return agent;
}

export function httpsRequest(url: string, request: RawRequest, ca?: string): Promise<RawResponse> {
  const target = new URL(url);
  const client = target.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const outgoing = client.request(
      target,
      { method: request.method, headers: request.headers, agent: target.protocol === 'https:' ? agentFor(ca) : undefined, timeout: request.timeoutMs ?? 30_000 },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          const headers = Object.fromEntries(Object.entries(incoming.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')]));
          resolve({ status: incoming.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        incoming.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(Object.assign(new Error(`request to ${target.host} timed out`), { code: 'ETIMEDOUT' })));
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}
