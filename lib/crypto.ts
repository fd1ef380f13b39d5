/**
 * Secrets at rest and in URLs: AES-256-GCM for OAuth credentials, HMAC-SHA256 for the OAuth `state`
 * and push-channel tokens (one derived key per purpose), SHA-256 for API keys (compared, never stored
 * in clear).
 */
import crypto from 'node:crypto';

const CIPHER = 'aes-256-gcm';
const FORMAT_VERSION = 'v1';

/** HMAC-SHA256 under one purpose's key; `bytes` shortens the signature where space is tight. */
export class Signer {
  constructor(
    private readonly key: Buffer,
    private readonly bytes = 32,
  ) {}

  sign(payload: string): string {
    return crypto.createHmac('sha256', this.key).update(payload).digest().subarray(0, this.bytes).toString('base64url');
  }

  verify(payload: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    return expected.length === given.length && crypto.timingSafeEqual(expected, given);
  }
}

export class SecretBox {
  private readonly rawKey: Buffer;
  private readonly encryptionKey: Buffer;
  private readonly stateSigner: Signer;

  /** `key`: 32 bytes, base64 or hex. Encryption and each kind of signature use keys derived from it. */
  constructor(key: string) {
    this.rawKey = decodeKey(key);
    this.encryptionKey = this.derive('credentials-encryption');
    this.stateSigner = new Signer(this.derive('oauth-state-signing'));
  }

  /** A signer whose key serves `purpose` only: a signature made for one purpose is worthless for another. */
  signer(purpose: string, bytes?: number): Signer {
    return new Signer(this.derive(purpose), bytes);
  }

  private derive(purpose: string): Buffer {
    return Buffer.from(crypto.hkdfSync('sha256', this.rawKey, Buffer.alloc(0), purpose, 32));
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, base64url; `context` (e.g. the connection id) is bound as AAD. */
  encrypt(plaintext: string, context: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv(CIPHER, this.encryptionKey, iv);
    cipher.setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT_VERSION, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  decrypt(sealed: string, context: string): string {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== FORMAT_VERSION || !iv || !tag || ciphertext === undefined) throw new Error('not an encrypted value of this service');
    const decipher = crypto.createDecipheriv(CIPHER, this.encryptionKey, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** Signs an OAuth `state`. */
  sign(payload: string): string {
    return this.stateSigner.sign(payload);
  }

  verify(payload: string, signature: string): boolean {
    return this.stateSigner.verify(payload, signature);
  }
}

function decodeKey(key: string): Buffer {
  const raw = /^[0-9a-f]{64}$/i.test(key) ? Buffer.from(key, 'hex') : Buffer.from(key, 'base64');
  if (raw.length !== 32) throw new Error('ENCRYPTION_KEY must be 32 bytes, base64 or hex encoded (e.g. `openssl rand -base64 32`)');
  return raw;
}

export const generateKey = (): string => crypto.randomBytes(32).toString('base64');

export const sha256 = (value: string): string => crypto.createHash('sha256').update(value).digest('hex');

export const randomToken = (bytes = 24): string => crypto.randomBytes(bytes).toString('base64url');

/** Constant-time comparison of a presented secret with a stored SHA-256 hash. */
export function matchesHash(presented: string, storedHash: string): boolean {
  const a = Buffer.from(sha256(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
