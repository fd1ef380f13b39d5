/**
 * The encryption key for credentials at rest. Production must set ENCRYPTION_KEY; the embedded
 * development stack generates one under the data directory on first start and reuses it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { generateKey, SecretBox } from '../lib/crypto';

export function loadSecretBox(config: Config): SecretBox {
  if (config.encryptionKey) return new SecretBox(config.encryptionKey);
  if (config.production) throw new Error('ENCRYPTION_KEY is required in production (32 bytes, base64: `openssl rand -base64 32`)');
  const keyFile = path.join(config.dataDir, 'secrets', 'encryption.key');
  if (!fs.existsSync(keyFile)) {
    fs.mkdirSync(path.dirname(keyFile), { recursive: true, mode: 0o700 });
    fs.writeFileSync(keyFile, generateKey(), { mode: 0o600 });
  }
  return new SecretBox(fs.readFileSync(keyFile, 'utf8').trim());
}
