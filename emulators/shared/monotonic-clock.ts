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
}
