/**
 * Push-channel tokens (Google channel `token`, Graph `clientState`) signed with the service key, so a
 * webhook authenticates a notification and finds its connection without a database query: the token
 * names the connection and the channel it was issued for, and only this service can sign one.
 *
 * Format `c1.<connectionId>.<channelKey>.<signature>`: at most 99 characters for uuid ids, within
 * Graph's 128-character `clientState` limit. The signature is HMAC-SHA256 truncated to 128 bits.
 * A stopped channel's token stays valid cryptographically; refusing it is the deny list's job
 * (api/channel-deny-list.ts).
 */
import type { SecretBox, Signer } from './crypto';

const VERSION = 'c1';
const SIGNATURE_BYTES = 16;
const PART = /^[A-Za-z0-9_-]{1,64}$/;

export interface ChannelIdentity {
  connectionId: string;
  /** Google: the channel id itself. Graph: our own key for the subscription (Graph picks its id). */
  channelKey: string;
}

export class ChannelTokens {
  private readonly signer: Signer;

  constructor(secrets: SecretBox) {
    this.signer = secrets.signer('push-channel-token', SIGNATURE_BYTES);
  }

  issue({ connectionId, channelKey }: ChannelIdentity): string {
    if (!PART.test(connectionId) || !PART.test(channelKey)) throw new Error('channel token parts must be url-safe ids');
    const payload = `${VERSION}.${connectionId}.${channelKey}`;
    return `${payload}.${this.signer.sign(payload)}`;
  }

  /** The identity a token was issued for, or undefined for anything this service did not sign. */
  verify(token: string | undefined): ChannelIdentity | undefined {
    if (!token || token.length > 128) return undefined;
    const parts = token.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) return undefined;
    const [, connectionId, channelKey, signature] = parts as [string, string, string, string];
    if (!PART.test(connectionId) || !PART.test(channelKey)) return undefined;
    return this.signer.verify(`${VERSION}.${connectionId}.${channelKey}`, signature) ? { connectionId, channelKey } : undefined;
  }

  /** Whether a presented token is in this format at all (older channels carry random secrets). */
  static isSigned(token: string | undefined): boolean {
    return !!token && token.startsWith(`${VERSION}.`);
  }
}
