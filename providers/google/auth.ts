/**
 * Google OAuth for the connect flow and token refresh, through googleapis' `OAuth2` client (its
 * `endpoints` option points it at an emulator). Like the calendar client it never retries by
 * itself: a failed refresh surfaces at once as `transient` (Temporal retries) or `authRevoked`.
 */
import { google } from './googleapis';
import { authRevoked, ProviderError } from '../errors';
import type { AuthorizationResult, ProviderAuth, StoredCredentials } from '../types';
import { mapGoogleError } from './errors';

export interface GoogleAuthOptions {
  clientId: string;
  clientSecret: string;
  authUrl?: string;
  tokenUrl?: string;
  revokeUrl?: string;
}

/**
 * The least the features need: `calendar.events` reads and writes events of the user's calendars
 * and allows `events.watch` (the wider `calendar` scope would also grant sharing and deleting
 * calendars); `openid email` put the consenting account's email in the id_token, which names the
 * calendar's owner.
 */
export const GOOGLE_SCOPES = ['openid', 'email', 'https://www.googleapis.com/auth/calendar.events'];

type OAuth2Client = InstanceType<typeof google.auth.OAuth2>;

/** The id_token's claims. Not verified: it came straight from the token endpoint, over TLS in production (OIDC Core 3.1.3.7). */
function idTokenEmail(idToken: string | null | undefined): string {
  const payload = idToken?.split('.')[1];
  const email = payload ? (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { email?: string }).email : undefined;
  if (!email) throw new ProviderError('invalid', 'Google returned no id_token email: was the `email` scope granted?');
  return email;
}

export class GoogleAuth implements ProviderAuth {
  readonly name = 'GOOGLE' as const;

  constructor(private readonly options: GoogleAuthOptions) {}

  async authorizationUrl(request: { state: string; redirectUri: string; loginHint?: string }): Promise<string> {
    return this.client(request.redirectUri).generateAuthUrl({
      access_type: 'offline', // a refresh token, to sync while the user is away
      prompt: 'consent', // a refresh token again on reconnect (Google sends one only on consent)
      include_granted_scopes: true,
      scope: GOOGLE_SCOPES,
      state: request.state,
      ...(request.loginHint ? { login_hint: request.loginHint } : {}),
    });
  }

  async exchangeCode(request: { code: string; redirectUri: string }): Promise<AuthorizationResult> {
    try {
      const { tokens } = await this.client(request.redirectUri).getToken({ code: request.code, redirect_uri: request.redirectUri });
      if (!tokens.access_token) throw new ProviderError('invalid', 'Google returned no access token');
      return {
        email: idTokenEmail(tokens.id_token),
        credentials: {
          accessToken: tokens.access_token,
          ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
          expiresAt: new Date(tokens.expiry_date ?? Date.now() + 3600_000).toISOString(),
        },
      };
    } catch (error) {
      throw mapGoogleError(error, 'code');
    }
  }

  async refresh(credentials: StoredCredentials): Promise<StoredCredentials> {
    if (!credentials.refreshToken) throw authRevoked('no refresh token is stored');
    const client = this.client();
    let rotated: string | undefined;
    client.on('tokens', (tokens) => (rotated = tokens.refresh_token ?? rotated));
    client.setCredentials({ refresh_token: credentials.refreshToken });
    try {
      const { credentials: fresh } = await client.refreshAccessToken();
      if (!fresh.access_token) throw new ProviderError('transient', 'Google returned no access token');
      return {
        ...credentials,
        accessToken: fresh.access_token,
        refreshToken: rotated ?? credentials.refreshToken, // Google rarely rotates it: keep the old one otherwise
        expiresAt: new Date(fresh.expiry_date ?? Date.now() + 3600_000).toISOString(),
      };
    } catch (error) {
      throw mapGoogleError(error, 'token');
    }
  }

  private client(redirectUri?: string): OAuth2Client {
    const { clientId, clientSecret, authUrl, tokenUrl, revokeUrl } = this.options;
    const client = new google.auth.OAuth2({
      clientId,
      clientSecret,
      ...(redirectUri ? { redirectUri } : {}),
      endpoints: {
        ...(authUrl ? { oauth2AuthBaseUrl: authUrl } : {}),
        ...(tokenUrl ? { oauth2TokenUrl: tokenUrl } : {}),
        ...(revokeUrl ? { oauth2RevokeUrl: revokeUrl } : {}),
      },
    });
    // The library asks gaxios to retry token calls (POST included): switch that off per request.
    client.transporter.interceptors.request.add({
      resolved: async (config) => Object.assign(config, { retry: false, retryConfig: { ...config.retryConfig, retry: 0 } }),
    });
    return client;
  }
}
