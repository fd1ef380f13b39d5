/**
 * The encryption key for credentials at rest. Production must set ENCRYPTION_KEY; the embedded
 * development stack generates one under the data directory on first start and reuses it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { generateKey, randomToken, SecretBox } from '../lib/crypto';

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

/**
 * The operators' admin token: ADMIN_TOKEN, or in development one generated under the data directory
 * (so `npm run admin` works against `npm start` with nothing set). Production without ADMIN_TOKEN
 * runs with the admin API off.
 */
export function loadAdminToken(config: Config): string | undefined {
  if (config.adminToken) return config.adminToken;
  if (config.production) return undefined;
  const tokenFile = adminTokenFile(config);
  if (!fs.existsSync(tokenFile)) {
    fs.mkdirSync(path.dirname(tokenFile), { recursive: true, mode: 0o700 });
    fs.writeFileSync(tokenFile, `cca_${randomToken(24)}`, { mode: 0o600 });
  }
  return fs.readFileSync(tokenFile, 'utf8').trim();
}

export const adminTokenFile = (config: Config) => path.join(config.dataDir, 'secrets', 'admin-token');
