/**
 * Wall-clock milliseconds that never repeat nor go back: providers' `updated`/`lastModified` stamps
 * must strictly increase per change, even when many changes land in the same millisecond.
 */
export class MonotonicClock {
  private last = 0;

  nextMs(): number {
    this.last = Math.max(Date.now(), this.last + 1);
    return this.last;
  }

  nextIso(): string {
    return new Date(this.nextMs()).toISOString();
  }

  /** The latest stamp handed out, saved with the emulator's state ... */
  snapshot(): number {
    return this.last;
  }

  /** ... so that stamps after a restart still come after it, whatever the wall clock did meanwhile. */
  restore(lastMs: number): void {
    this.last = lastMs;
  }
}
