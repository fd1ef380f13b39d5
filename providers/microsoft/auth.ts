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
} from '@azure/msal-node';
import { authRevoked, ProviderError, transient } from '../errors';
import type { AuthorizationResult, ProviderAuth, StoredCredentials } from '../types';
import { msalNetworkClient } from './msal-network';

export interface MicrosoftAuthOptions {
  clientId: string;
  clientSecret: string;
  /** e.g. `https://login.microsoftonline.com/common`, or the emulator's. */
  authority: string;
  /** Hosts MSAL may trust without instance discovery; defaults to the authority's own host when that is not Microsoft's. */
  knownAuthorities?: string[];
  /** The authority's OpenID configuration as JSON: spares MSAL fetching it on every new client. */
  authorityMetadata?: string;
  /** An extra CA (PEM) to trust: the emulator's. */
  ca?: string;
}

/**
 * The least the features need: `Calendars.ReadWrite` to read, write and subscribe to the user's
 * events; `offline_access` for a refresh token; `openid profile` for the account (MSAL adds these
 * three itself; named here so the consent screen's list is plain to read). No `User.Read`: the
 * account's address comes from the id token (`preferred_username`), not from Graph's /me.
 */
export const MICROSOFT_SCOPES = ['Calendars.ReadWrite', 'offline_access', 'openid', 'profile'];
const LOGIN_HOSTS = ['login.microsoftonline.com', 'login.microsoft.com', 'login.windows.net', 'login.microsoftonline.us', 'login.chinacloudapi.cn'];
/** OAuth errors (and AAD suberrors) that mean the grant is dead: the user must consent again. */
const REVOKED_ERRORS = new Set(['invalid_grant', 'interaction_required', 'consent_required', 'login_required', 'bad_token', 'no_tokens_found', 'refresh_token_expired']);

/**
 * MSAL failures as the service's: a dead grant (InteractionRequiredAuthError, or a ServerError with
 * `invalid_grant`, depending on AAD's suberror) is `authRevoked`; 429/5xx and network trouble are
 * transient; any other 4xx from the token endpoint (a wrong client secret) is a permanent `invalid`.
 */
export function mapAuthError(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  const { errorCode = '', subError = '', status } = error as { errorCode?: string; subError?: string; status?: number };
  if (error instanceof InteractionRequiredAuthError || REVOKED_ERRORS.has(errorCode) || REVOKED_ERRORS.has(subError)) {
    return authRevoked(`Microsoft refused the stored authorization: ${(error as Error).message}`, errorCode || subError);
  }
  if (error instanceof ServerError && status !== undefined && status >= 400 && status < 500 && status !== 429) {
    return new ProviderError('invalid', `Microsoft identity platform refused the request: ${error.message}`, { status, reason: errorCode });
  }
  return transient(`Microsoft identity platform unavailable: ${(error as Error).message}`, status);
}

export class MicrosoftAuth implements ProviderAuth {
  readonly name = 'MICROSOFT' as const;

  constructor(private readonly options: MicrosoftAuthOptions) {}

  /**
   * The consent URL. MSAL drops `login_hint` when `prompt` is `select_account`, so: with a hint, the
   * account is pre-filled (the user can still switch); without one, the user picks an account.
   */
  async authorizationUrl(request: { state: string; redirectUri: string; loginHint?: string }): Promise<string> {
    return this.client().getAuthCodeUrl({
      scopes: MICROSOFT_SCOPES,
      redirectUri: request.redirectUri,
      state: request.state,
      ...(request.loginHint ? { loginHint: request.loginHint } : { prompt: 'select_account' }),
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
    const { clientId, clientSecret, authority, ca, authorityMetadata } = this.options;
    const url = new URL(authority);
    // Outside Microsoft's own login hosts (the emulator), name the authority so MSAL does no cloud discovery.
    const knownAuthorities = this.options.knownAuthorities ?? (LOGIN_HOSTS.includes(url.hostname) ? undefined : [url.host]);
    const configuration: Configuration = {
      auth: {
        clientId,
        clientSecret,
        authority,
        ...(knownAuthorities ? { knownAuthorities } : {}),
        ...(authorityMetadata ? { authorityMetadata } : {}),
      },
      system: { networkClient: msalNetworkClient(ca), disableInternalRetries: true },
      ...(cachePlugin ? { cache: { cachePlugin } } : {}),
    };
    return new ConfidentialClientApplication(configuration);
  }
}
