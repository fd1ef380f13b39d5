/**
 * `npm start` as a user runs it: the whole stack comes up on embedded defaults, and SIGTERM (or
 * Ctrl-C's SIGINT) to the npm process stops every part of it, so no orphan keeps a port.
 */
import { accepts, startOnFreePorts } from '../support/npm-start';
import { waitFor } from '../support/sync-harness';

describe('npm start', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('stops every process it started on %s', async (signal) => {
    const { npm, ports, exited, remove } = await startOnFreePorts();
    try {
      const ready = await fetch(`http://127.0.0.1:${ports.PORT}/readyz`);
      expect(ready.status).toBe(200);
      for (const [name, port] of Object.entries(ports)) expect({ name, listening: await accepts(port) }).toEqual({ name, listening: true });

      npm.kill(signal);
      await exited;
      for (const [name, port] of Object.entries(ports)) {
        await waitFor(async () => !(await accepts(port)), `${name} (${port}) to be released`, 60_000);
      }
    } finally {
      await remove();
    }
  });
});
