/**
 * A connection's OAuth credentials at rest: AES-256-GCM under the service key (lib/crypto.ts), bound
 * to the connection id, so a sealed value copied onto another connection does not open. The one
 * place that seals and opens them, for the connect flow and the activities alike.
 */
import type { SecretBox } from '../lib/crypto';

export const credentialsContext = (connectionId: string): string => `connection:${connectionId}`;

export function sealCredentials<Credentials>(secrets: SecretBox, connectionId: string, credentials: Credentials): string {
  return secrets.encrypt(JSON.stringify(credentials), credentialsContext(connectionId));
}

export function openCredentials<Credentials>(secrets: SecretBox, connectionId: string, sealed: string): Credentials {
  return JSON.parse(secrets.decrypt(sealed, credentialsContext(connectionId))) as Credentials;
}
