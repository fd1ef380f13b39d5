/**
 * Temporal's worker logs every state change; tests only want errors. The SDK runtime can be
 * installed once per process, so later calls (another harness in the same test file) do nothing.
 */
import { installTemporalRuntime } from '../../service/create-worker';

let installed = false;

export function quietTemporalLogs(): void {
  if (installed) return;
  installed = true;
  try {
    installTemporalRuntime('error');
  } catch {
    // Installed already by another module of this test file: keep it.
  }
}
