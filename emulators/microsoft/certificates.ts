/**
 * The emulator's TLS: MSAL refuses plain-HTTP authorities, so the identity platform and Graph are
 * served over HTTPS with a locally generated CA. The CA and the server certificate (for 127.0.0.1 and
 * localhost) are made once per directory and reused while valid; clients trust the CA explicitly
 * (the adapters' `ca` option, or `MICROSOFT_CA_CERT_PATH` for a separate process).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';

export interface EmulatorCertificates {
  caCertPem: string;
  caCertPath: string;
  certPem: string;
  keyPem: string;
}

const DAY_MS = 86_400_000;

function rsaKeys() {
  // Node's key generation is native and fast; forge's pure-JS one takes seconds.
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
  };
}

function certificate(subject: string, keys: ReturnType<typeof rsaKeys>, validDays: number, serial: string) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial;
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + validDays * DAY_MS);
  cert.setSubject([{ name: 'commonName', value: subject }]);
  return cert;
}

function generate(): Omit<EmulatorCertificates, 'caCertPath'> {
  const caKeys = rsaKeys();
  const ca = certificate('CRM Calendar Sync emulator CA', caKeys, 3650, '01');
  ca.setIssuer(ca.subject.attributes);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const serverKeys = rsaKeys();
  const server = certificate('127.0.0.1', serverKeys, 730, '02');
  server.setIssuer(ca.subject.attributes);
  server.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
  ]);
  server.sign(caKeys.privateKey, forge.md.sha256.create());

  return { caCertPem: forge.pki.certificateToPem(ca), certPem: forge.pki.certificateToPem(server), keyPem: forge.pki.privateKeyToPem(serverKeys.privateKey) };
}

function stillValid(certPem: string): boolean {
  try {
    return Date.parse(new crypto.X509Certificate(certPem).validTo) > Date.now() + 7 * DAY_MS;
  } catch {
    return false;
  }
}

/** The certificates under `dir`, made when missing or about to expire. */
export function loadOrCreateCertificates(dir: string): EmulatorCertificates {
  const files = { caCertPem: 'ca.pem', certPem: 'server.pem', keyPem: 'server-key.pem' } as const;
  const caCertPath = path.resolve(dir, files.caCertPem);
  const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
  if (Object.values(files).every((name) => fs.existsSync(path.join(dir, name)))) {
    const existing = { caCertPem: read(files.caCertPem), certPem: read(files.certPem), keyPem: read(files.keyPem) };
    if (stillValid(existing.caCertPem) && stillValid(existing.certPem)) return { ...existing, caCertPath };
  }
  const fresh = generate();
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [key, name] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), fresh[key as keyof typeof files], { mode: 0o600 });
  return { ...fresh, caCertPath };
}
