/**
 * The emulator's TLS: MSAL refuses plain-HTTP authorities, so the identity platform and Graph are
 * served over HTTPS with a locally generated CA. The CA and the server certificate (for 127.0.0.1 and
 * localhost) are made once per directory and reused while valid, in pure JS (node-forge for the X.509
 * encoding, node:crypto for keys): no openssl binary needed. Clients trust the CA explicitly: the
 * adapters' `ca` option in process, `MICROSOFT_CA_CERT_PATH` for the service in another process, or
 * `NODE_EXTRA_CA_CERTS=<dir>/ca.pem` (read at node start) for any other Node client.
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

const FILES = { caCertPem: 'ca.pem', certPem: 'server.pem', keyPem: 'server-key.pem' } as const;

function readValid(dir: string): Omit<EmulatorCertificates, 'caCertPath'> | undefined {
  try {
    const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
    const existing = { caCertPem: read(FILES.caCertPem), certPem: read(FILES.certPem), keyPem: read(FILES.keyPem) };
    const issuedByCa = new crypto.X509Certificate(existing.certPem).verify(new crypto.X509Certificate(existing.caCertPem).publicKey);
    return issuedByCa && stillValid(existing.caCertPem) && stillValid(existing.certPem) ? existing : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `fn` holding `dir`'s lock file: emulators started at once (parallel test workers) must not
 * interleave writes of a CA and a server certificate from two different generations.
 */
function withLock<T>(dir: string, fn: () => T): T {
  const lock = path.join(dir, '.lock');
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx'));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const stale = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 20_000;
      if (stale || Date.now() > deadline) fs.rmSync(lock, { force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25); // generation takes ~0.2 s
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/** The certificates under `dir`, made when missing, mismatched or about to expire. */
export function loadOrCreateCertificates(dir: string): EmulatorCertificates {
  const caCertPath = path.resolve(dir, FILES.caCertPem);
  const existing = readValid(dir);
  if (existing) return { ...existing, caCertPath };
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return withLock(dir, () => {
    const current = readValid(dir); // another process may have made them while we waited
    if (current) return { ...current, caCertPath };
    const fresh = generate();
    for (const [key, name] of Object.entries(FILES)) {
      const temporary = path.join(dir, `${name}.${process.pid}.tmp`);
      fs.writeFileSync(temporary, fresh[key as keyof typeof FILES], { mode: 0o600 });
      fs.renameSync(temporary, path.join(dir, name));
    }
    return { ...fresh, caCertPath };
  });
}
