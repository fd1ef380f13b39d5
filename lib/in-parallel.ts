/**
 * Bounded concurrency for scripted work: the bench's and the chaos run's set-up and load.
 */

/** Runs `task(i)` for i in [0, count) with at most `concurrency` at a time; the first failure stops it. */
export async function inParallel(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count && failure === undefined) {
        const i = next++;
        await task(i).catch((error) => (failure ??= error));
      }
    }),
  );
  if (failure !== undefined) throw failure;
}
