import { generateKey, matchesHash, SecretBox, sha256 } from '../../lib/crypto';

describe('secrets at rest', () => {
  const box = new SecretBox(generateKey());

  it('round-trips credentials and never stores them in clear', () => {
    const sealed = box.encrypt('{"refreshToken":"1//secret"}', 'connection-1');
    expect(sealed).not.toContain('secret');
    expect(box.decrypt(sealed, 'connection-1')).toBe('{"refreshToken":"1//secret"}');
  });

  it('refuses ciphertext moved to another connection or tampered with', () => {
    const sealed = box.encrypt('token', 'connection-1');
    expect(() => box.decrypt(sealed, 'connection-2')).toThrow();
    const [version, iv, tag, data] = sealed.split('.');
    const flipped = Buffer.from(data!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.decrypt([version, iv, tag, flipped.toString('base64url')].join('.'), 'connection-1')).toThrow();
  });

  it('refuses ciphertext sealed with another key', () => {
    const other = new SecretBox(generateKey());
    expect(() => other.decrypt(box.encrypt('token', 'c'), 'c')).toThrow();
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => new SecretBox('c2hvcnQ=')).toThrow(/32 bytes/);
  });

  it('signs and verifies payloads', () => {
    const signature = box.sign('payload');
    expect(box.verify('payload', signature)).toBe(true);
    expect(box.verify('payload2', signature)).toBe(false);
    expect(box.verify('payload', signature.slice(1))).toBe(false);
  });

  it('compares presented secrets with stored hashes', () => {
    expect(matchesHash('channel-secret', sha256('channel-secret'))).toBe(true);
    expect(matchesHash('other', sha256('channel-secret'))).toBe(false);
  });
});
