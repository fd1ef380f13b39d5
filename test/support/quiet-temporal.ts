/**
 * Temporal's worker logs every state change at INFO; tests only want warnings about real trouble.
 * The runtime can be installed once per process, so this is a no-op after the first call.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';

let installed = false;

export function quietTemporalLogs(): void {
  if (installed) return;
  installed = true;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed by another module of this test file: keep it.
  }
}
