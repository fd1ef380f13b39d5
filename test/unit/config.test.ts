import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, parseDuration } from '../../config';

describe('configuration', () => {
  it('has working defaults with no environment at all', () => {
    const config = loadConfig({});
    expect(config.api.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.temporal.address).toBeUndefined();
    expect(config.sync.pollIntervalMs).toBe(15 * 60_000);
    expect(config.sync.reconcileIntervalMs).toBe(24 * 3_600_000);
    expect(config.api.publicBaseUrl).toBe('http://127.0.0.1:3000');
  });

  it('parses durations in the units people write', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('250')).toBe(250);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(() => parseDuration('soon')).toThrow(/not a duration/);
    expect(() => parseDuration('-1s')).toThrow(/not a duration/);
    expect(() => parseDuration('')).toThrow(/not a duration/);
  });

  it('names every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'eighty', SYNC_POLL_INTERVAL: 'often', LOG_LEVEL: 'loud' })).toThrow(
      /PORT[\s\S]*LOG_LEVEL[\s\S]*SYNC_POLL_INTERVAL: not a duration/,
    );
  });

  it('switches to Temporal Cloud settings with an API key', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'k', TEMPORAL_NAMESPACE: 'ns.acct' });
    expect(config.temporal).toMatchObject({ address: 'ns.acct.tmprl.cloud:7233', namespace: 'ns.acct', tls: true });
  });

  it('reads Temporal client settings as Temporal does, the old variable names too', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-profile-'));
    const file = path.join(dir, 'temporal.toml');
    fs.writeFileSync(file, '[profile.default]\naddress = "default.example:7233"\n[profile.staging]\naddress = "staging.example:7233"\nnamespace = "staging"\n');
    fs.writeFileSync(path.join(dir, 'client.pem'), 'CERT');
    fs.writeFileSync(path.join(dir, 'client.key'), 'KEY');
    try {
      // The profile file, its profile chosen by TEMPORAL_PROFILE; the variables win over it.
      expect(loadConfig({ TEMPORAL_CONFIG_FILE: file }).temporal).toMatchObject({ address: 'default.example:7233', namespace: 'default', tls: false });
      expect(loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' }).temporal).toMatchObject({ address: 'staging.example:7233', namespace: 'staging' });
      expect(loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_ADDRESS: 'env.example:7233' }).temporal.address).toBe('env.example:7233');
      expect(() => loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'nope' })).toThrow(/Temporal client settings.*nope/);
      // mTLS under Temporal's names, and under the old ones (deprecated, said so).
      const current = loadConfig({ TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'client.pem'), TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(dir, 'client.key') }).temporal;
      expect(current.tls).toMatchObject({ clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') } });
      expect(current.deprecated).toEqual([]);
      const old = loadConfig({ TEMPORAL_TLS: 'yes', TEMPORAL_TLS_CERT_PATH: path.join(dir, 'client.pem'), TEMPORAL_TLS_KEY_PATH: path.join(dir, 'client.key') }).temporal;
      expect(old.tls).toMatchObject({ clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') } });
      expect(old.deprecated).toEqual(['TEMPORAL_TLS_CERT_PATH is deprecated: use TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_KEY_PATH is deprecated: use TEMPORAL_TLS_CLIENT_KEY_PATH']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(loadConfig({ TEMPORAL_TLS: 'true' }).temporal.tls).toBeTruthy();
    expect(loadConfig({ TEMPORAL_TLS: 'no', TEMPORAL_ADDRESS: ' ' }).temporal).toMatchObject({ tls: false, address: undefined });
    expect(() => loadConfig({ TEMPORAL_TLS: 'maybe' })).toThrow(/TEMPORAL_TLS/);
  });
});
