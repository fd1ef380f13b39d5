/**
 * How every process of the service starts and stops (`npm run api`, `npm run worker`, `npm start`,
 * the one-shot commands): what has started is stopped once, in reverse order, on SIGINT or SIGTERM
 * (exit 0) or when the start fails part way (exit 1), so a failed start leaves nothing running
 * behind its error and a second signal does not stop anything twice.
 */

type Stop = () => Promise<void>;

export interface ProcessLifecycle {
  /** Registers what to stop; the last registered stops first. */
  onStop(stop: Stop): void;
}

export interface LifecycleReporting {
  /** Told once, as stopping begins. */
  stopping?(): void;
  /** A failed start; the default prints its message to stderr. */
  startFailed?(error: Error): void;
  /** A stop that failed; the others still run. The default prints it to stderr. */
  stopFailed?(error: Error): void;
}

const printMessage = (error: Error) => console.error(error.message);

/** Runs `start`; the process then lives on while what it started runs (a one-shot command simply ends). */
export function runProcess(start: (lifecycle: ProcessLifecycle) => Promise<void>, reporting: LifecycleReporting = {}): void {
  const stops: Stop[] = [];
  let stopping = false;
  const stopAll = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    reporting.stopping?.();
    for (const stop of stops.reverse()) {
      await stop().catch((error: Error) => (reporting.stopFailed ?? printMessage)(error));
    }
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  start({ onStop: (stop) => stops.push(stop) }).catch(async (error: Error) => {
    (reporting.startFailed ?? printMessage)(error);
    await stopAll(1);
  });
}
