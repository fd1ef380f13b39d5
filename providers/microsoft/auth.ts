/**
 * Microsoft identity platform for the connect flow and token refresh, through MSAL Node's
 * confidential client. MSAL's token cache is the stored credential: serialized after every grant,
 * kept encrypted in the database with the connection (StoredCredentials.msalCache), and loaded
 * through a cache plugin for each refresh — no process keeps tokens in memory.
 */
import {
  ConfidentialClientApplication,
  InteractionRequiredAuthError,
  ServerError,
  type AuthenticationResult,
  type Configuration,
  type ICachePlugin,
  type INetworkModule,
  type NetworkResponse,
} from '@azure/msal-node';
import { authRevoked, ProviderError, transient } from '../errors';
import type { AuthorizationResult, ProviderAuth, StoredCredentials } from '../types';
import { httpsRequest } from './https';

export interface MicrosoftAuthOptions {
  clientId: string;
  clientSecret: string;
  /** e.g. `https://login.microsoftonline.com/common`, or the emulator's. */
  authority: string;
  /** An extra CA to trust (the emulator's). */
  ca?: string;
}

/**
 * The least the features need: read and write the user's calendar events (and subscribe to them);
 * `offline_access` for a refresh token, `openid profile` for the account's name and address.
 */
export const MICROSOFT_SCOPES = ['Calendars.ReadWrite'];
const LOGIN_HOSTS = ['login.microsoftonline.com', 'login.microsoft.com', 'login.windows.net'];
const REVOKED_ERRORS = new Set(['invalid_grant', 'interaction_required', 'consent_required', 'login_required', 'bad_token']);

/** MSAL's HTTP through node:https, so the emulator's CA can be trusted without touching the process. */
function networkClient(ca: string | undefined): INetworkModule {
  const send = async <T>(method: string, url: string, options?: { headers?: Record<string, string>; body?: string }): Promise<NetworkResponse<T>> => {
    const raw = await httpsRequest(url, { method, headers: options?.headers, body: options?.body }, ca);
    let body: unknown;
    try {
      body = raw.body ? JSON.parse(raw.body) : {};
    } catch {
      body = {};
    }
    return { status: raw.status, headers: raw.headers, body: body as T };
  };
  return {
    sendGetRequestAsync: (url, options) => send('GET', url, options),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  };
}

function mapAuthError(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  const code = (error as { errorCode?: string }).errorCode ?? '';
  const subError = (error as { subError?: string }).subError ?? '';
  if (error instanceof InteractionRequiredAuthError || REVOKED_ERRORS.has(code) || REVOKED_ERRORS.has(subError)) {
    return authRevoked(`Microsoft refused the stored authorization: ${(error as Error).message}`, code || subError);
  }
  if (error instanceof ServerError) return transient(`Microsoft identity platform: ${error.message}`);
  return transient(`Microsoft identity platform unreachable: ${(error as Error).message}`);
}

export class MicrosoftAuth implements ProviderAuth {
  readonly name = 'MICROSOFT' as const;

  constructor(private readonly options: MicrosoftAuthOptions) {}

  async authorizationUrl(request: { state: string; redirectUri: string; loginHint?: string }): Promise<string> {
    return this.client().getAuthCodeUrl({
      scopes: MICROSOFT_SCOPES,
      redirectUri: request.redirectUri,
      state: request.state,
      prompt: 'select_account',
      ...(request.loginHint ? { loginHint: request.loginHint } : {}),
    });
  }

  async exchangeCode(request: { code: string; redirectUri: string }): Promise<AuthorizationResult> {
    const client = this.client();
    let result: AuthenticationResult;
    try {
      result = await client.acquireTokenByCode({ code: request.code, redirectUri: request.redirectUri, scopes: MICROSOFT_SCOPES });
    } catch (error) {
      const failure = mapAuthError(error);
      throw failure.kind === 'authRevoked' ? new ProviderError('invalid', `the authorization code was refused: ${failure.message}`) : failure;
    }
    if (!result.account) throw new ProviderError('invalid', 'Microsoft returned no account for the authorization');
    return {
      email: result.account.username,
      credentials: {
        accessToken: result.accessToken,
        expiresAt: (result.expiresOn ?? new Date(Date.now() + 3_600_000)).toISOString(),
        msalCache: client.getTokenCache().serialize(),
        homeAccountId: result.account.homeAccountId,
      },
    };
  }

  async refresh(credentials: StoredCredentials): Promise<StoredCredentials> {
    if (!credentials.msalCache || !credentials.homeAccountId) throw authRevoked('no MSAL token cache stored for this connection');
    let cache = credentials.msalCache;
    const plugin: ICachePlugin = {
      beforeCacheAccess: async (context) => context.tokenCache.deserialize(cache),
      afterCacheAccess: async (context) => {
        if (context.cacheHasChanged) cache = context.tokenCache.serialize();
      },
    };
    const client = this.client(plugin);
    try {
      const account = await client.getTokenCache().getAccountByHomeId(credentials.homeAccountId);
      if (!account) throw authRevoked('the stored MSAL cache has no account for this connection');
      const result = await client.acquireTokenSilent({ account, scopes: MICROSOFT_SCOPES, forceRefresh: true });
      return {
        ...credentials,
        accessToken: result.accessToken,
        expiresAt: (result.expiresOn ?? new Date(Date.now() + 3_600_000)).toISOString(),
        msalCache: cache,
      };
    } catch (error) {
      throw mapAuthError(error);
    }
  }

  private client(cachePlugin?: ICachePlugin): ConfidentialClientApplication {
    const { clientId, clientSecret, authority, ca } = this.options;
    const host = new URL(authority).host;
    const configuration: Configuration = {
      auth: {
        clientId,
        clientSecret,
        authority,
        // Outside Microsoft's own login hosts (the emulator), name the authority so MSAL trusts its metadata.
        ...(LOGIN_HOSTS.includes(new URL(authority).hostname) ? {} : { knownAuthorities: [host] }),
      },
      system: { networkClient: networkClient(ca), disableInternalRetries: true },
      ...(cachePlugin ? { cache: { cachePlugin } } : {}),
    };
    return new ConfidentialClientApplication(configuration);
  }
}
