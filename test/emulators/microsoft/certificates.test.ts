import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadOrCreateCertificates } from '../../../devstack/emulators/microsoft/certificates';
import { httpsRequest } from '../../../providers/microsoft/https';
import { startEmulator } from './support';

const run = promisify(execFile);

describe('Microsoft emulator TLS', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-ca-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('makes a CA and a server certificate for 127.0.0.1 and localhost once, and reuses them', () => {
    const first = loadOrCreateCertificates(dir);
    const server = new crypto.X509Certificate(first.certPem);
    expect(server.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(server.subjectAltName).toContain('DNS:localhost');
    expect(server.verify(new crypto.X509Certificate(first.caCertPem).publicKey)).toBe(true);
    expect(new crypto.X509Certificate(first.caCertPem).ca).toBe(true);
    expect(first.caCertPath).toBe(path.resolve(dir, 'ca.pem'));
    expect(loadOrCreateCertificates(dir).caCertPem).toBe(first.caCertPem);
  });

  it('regenerates when a file is missing or the pair does not match', () => {
    const before = loadOrCreateCertificates(dir).caCertPem;
    fs.rmSync(path.join(dir, 'server.pem'));
    const regenerated = loadOrCreateCertificates(dir);
    expect(regenerated.caCertPem).not.toBe(before);
    fs.writeFileSync(path.join(dir, 'ca.pem'), before); // a CA that did not issue server.pem
    expect(loadOrCreateCertificates(dir).caCertPem).not.toBe(before);
  });

  it('is trusted by a separate node process through NODE_EXTRA_CA_CERTS, on 127.0.0.1 and localhost', async () => {
    const emulator = await startEmulator({ certDir: dir });
    try {
      const port = new URL(emulator.url).port;
      const script = `
        const https = require('node:https');
        const get = (url) => new Promise((resolve, reject) => https.get(url, (res) => { let b = ''; res.on('data', (c) => (b += c)); res.on('end', () => resolve(JSON.parse(b))); }).on('error', reject));
        Promise.all([get(process.argv[1]), get(process.argv[2])]).then((all) => console.log(JSON.stringify(all.map((m) => m.token_endpoint))), (e) => { console.error(e.message); process.exit(1); });`;
      const metadata = (host: string) => `https://${host}:${port}${new URL(emulator.authority).pathname}/v2.0/.well-known/openid-configuration`;
      const { stdout } = await run(process.execPath, ['-e', script, metadata('127.0.0.1'), metadata('localhost')], { env: { ...process.env, NODE_EXTRA_CA_CERTS: emulator.caCertPath } });
      expect(JSON.parse(stdout)).toHaveLength(2);
      // Without the CA the same request is refused.
      await expect(httpsRequest(metadata('127.0.0.1'), { method: 'GET' })).rejects.toThrow(/certificate/i);
    } finally {
      await emulator.stop();
    }
  });
});
