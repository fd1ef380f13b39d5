/**
 * MSAL's network module over node:https with an optional extra CA, so the emulator's CA is trusted
 * without touching the process (NODE_EXTRA_CA_CERTS is read only at start, before the CA exists).
 */
import type { INetworkModule, NetworkResponse } from '@azure/msal-node';
import { httpsRequest } from './https';

export function msalNetworkClient(ca: string | undefined): INetworkModule {
  const send = async <T>(method: string, url: string, options?: { headers?: Record<string, string>; body?: string }): Promise<NetworkResponse<T>> => {
    const raw = await httpsRequest(url, { method, headers: options?.headers, body: options?.body }, ca);
    let body: unknown;
    try {
      body = raw.body ? JSON.parse(raw.body) : {};
    } catch {
      body = {}; // an HTML error page: MSAL reports the status
    }
    return { status: raw.status, headers: raw.headers, body: body as T };
  };
  return {
    sendGetRequestAsync: (url, options) => send('GET', url, options),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  };
}
