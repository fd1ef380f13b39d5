/**
 * Connection options for a Temporal cluster: the local dev server, a self-hosted cluster (optional
 * mTLS) or Temporal Cloud (API key, TLS).
 */
import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config';

export interface TemporalTarget {
  address: string;
  namespace: string;
  apiKey?: string;
  tls: boolean;
  tlsCertPath?: string;
  tlsKeyPath?: string;
}

export function targetFromConfig(config: Config, address: string): TemporalTarget {
  const { namespace, apiKey, tls, tlsCertPath, tlsKeyPath } = config.temporal;
  return { address, namespace, apiKey, tls, tlsCertPath, tlsKeyPath };
}

function tlsOptions(target: TemporalTarget) {
  if (!target.tls) return undefined;
  if (target.tlsCertPath && target.tlsKeyPath) {
    return { clientCertPair: { crt: fs.readFileSync(target.tlsCertPath), key: fs.readFileSync(target.tlsKeyPath) } };
  }
  return true;
}

export async function connectClient(target: TemporalTarget): Promise<Client> {
  const connection = await Connection.connect({ address: target.address, tls: tlsOptions(target), apiKey: target.apiKey });
  return new Client({ connection, namespace: target.namespace });
}

export function connectWorker(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect({ address: target.address, tls: tlsOptions(target), apiKey: target.apiKey });
}
