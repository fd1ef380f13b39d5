/**
 * Connection options for a Temporal cluster: the local dev server, a self-hosted cluster (optional
 * mTLS) or Temporal Cloud (API key, TLS). The settings are read as Temporal's own tools read them
 * (config/index.ts, through @temporalio/envconfig).
 */
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config';

export interface TemporalTarget {
  address: string;
  namespace: string;
  apiKey?: string;
  /** `true` for TLS with the system's roots; an object for mTLS, a server CA or a server name. */
  tls: boolean | TLSConfig;
  /** gRPC headers (TEMPORAL_GRPC_META_*). */
  metadata?: Record<string, string>;
}

export function targetFromConfig(config: Config, address: string): TemporalTarget {
  const { namespace, apiKey, tls, metadata } = config.temporal;
  return { address, namespace, apiKey, tls, metadata };
}

const connectionOptions = ({ address, tls, apiKey, metadata }: TemporalTarget) => ({ address, tls, apiKey, metadata });

export async function connectClient(target: TemporalTarget): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(target));
  return new Client({ connection, namespace: target.namespace });
}

export function connectWorker(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(target));
}
