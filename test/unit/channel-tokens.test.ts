import { randomUUID } from 'node:crypto';
import { ChannelTokens } from '../../lib/channel-tokens';
import { generateKey, SecretBox } from '../../lib/crypto';

describe('signed push-channel tokens', () => {
  const tokens = new ChannelTokens(new SecretBox(generateKey()));
  const identity = { connectionId: randomUUID(), channelKey: randomUUID() };

  it('name the connection and channel they were issued for, within Graph’s 128-character clientState', () => {
    const token = tokens.issue(identity);
    expect(token.length).toBeLessThanOrEqual(128);
    expect(ChannelTokens.isSigned(token)).toBe(true);
    expect(tokens.verify(token)).toEqual(identity);
  });

  it('refuse anything this service did not sign: tampered, re-pointed, from another key, or not a token', () => {
    const token = tokens.issue(identity);
    const [version, connectionId, channelKey, signature] = token.split('.');
    expect(tokens.verify([version, randomUUID(), channelKey, signature].join('.'))).toBeUndefined();
    expect(tokens.verify([version, connectionId, randomUUID(), signature].join('.'))).toBeUndefined();
    expect(tokens.verify(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(new ChannelTokens(new SecretBox(generateKey())).verify(token)).toBeUndefined();
    for (const junk of [undefined, '', 'guessed', 'c1.a.b', `${token}.extra`, 'x'.repeat(500)]) expect(tokens.verify(junk)).toBeUndefined();
    expect(ChannelTokens.isSigned('a-random-legacy-secret')).toBe(false);
  });

  it('are worthless as any other signature of the same key', () => {
    const box = new SecretBox(generateKey());
    const token = new ChannelTokens(box).issue(identity);
    const [version, connectionId, channelKey, signature] = token.split('.');
    expect(box.verify(`${version}.${connectionId}.${channelKey}`, signature!)).toBe(false);
  });
});
