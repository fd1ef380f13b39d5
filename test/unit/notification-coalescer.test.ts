import { NotificationCoalescer, type CoalescerDependencies } from '../../connections/notification-coalescer';

/** The connection row's marker as PostgreSQL would keep it, and a workflow that counts signals. */
function fakeService(options: { databaseDown?: boolean; temporalDown?: boolean } = {}) {
  const state = { marker: false, claims: 0, releases: 0, signals: [] as number[], databaseDown: !!options.databaseDown, temporalDown: !!options.temporalDown };
  const deps: CoalescerDependencies = {
    async claim() {
      state.claims += 1;
      await Promise.resolve();
      if (state.databaseDown) throw new Error('ECONNREFUSED');
      if (state.marker) return false;
      state.marker = true;
      return true;
    },
    async release() {
      state.releases += 1;
      state.marker = false;
    },
    async signal() {
      const sentAt = Date.now(); // when the signal left, not when it was answered
      await new Promise((resolve) => setImmediate(resolve));
      if (state.temporalDown) throw new Error('deadline exceeded');
      state.signals.push(sentAt);
      return true;
    },
  };
  /** What the workflow's sync does as it starts. */
  const syncStarts = () => {
    state.marker = false;
  };
  return { state, deps, syncStarts };
}

describe('notification coalescing', () => {
  const options = { claimTimeoutMs: 1_000, fallbackSpacingMs: 30 };

  it('turns a burst for one connection into one signal until a sync starts', async () => {
    const { state, deps, syncStarts } = fakeService();
    const coalescer = new NotificationCoalescer(deps, options);
    const outcomes = await Promise.all(Array.from({ length: 500 }, () => coalescer.notify('c1')));
    expect(state.signals).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'signalled')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'coalesced')).toHaveLength(499);
    // Joined notifications share one follow-up claim instead of querying each.
    expect(state.claims).toBeLessThanOrEqual(2);

    await coalescer.notify('c1');
    expect(state.signals).toHaveLength(1); // the sync has not started: its listing will see the change
    syncStarts();
    expect(await coalescer.notify('c1')).toBe('signalled');
    expect(state.signals).toHaveLength(2);
  });

  it('claims once more after a round in flight, so a change made meanwhile is never left without a sync', async () => {
    const { state, deps, syncStarts } = fakeService();
    const coalescer = new NotificationCoalescer(deps, options);
    const first = coalescer.notify('c1');
    // The workflow's sync starts while the first round is still in flight, then a new change arrives.
    syncStarts();
    const second = coalescer.notify('c1');
    await first;
    syncStarts();
    expect(await second).toBe('signalled');
    expect(state.signals).toHaveLength(2);
  });

  it('keeps connections apart', async () => {
    const { state, deps } = fakeService();
    const markers = new Map<string, boolean>();
    const coalescer = new NotificationCoalescer(
      {
        ...deps,
        claim: async (id) => !markers.get(id) && !!markers.set(id, true),
      },
      options,
    );
    await Promise.all(['a', 'b', 'c', 'a', 'b', 'c'].map((id) => coalescer.notify(id)));
    expect(state.signals).toHaveLength(3);
  });

  it('signals without the database, spaced per connection, the last notification followed by a signal', async () => {
    const { state, deps } = fakeService({ databaseDown: true });
    const coalescer = new NotificationCoalescer(deps, options);
    const notified: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      notified.push(coalescer.notify('c1'));
      if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const lastNotifiedAt = Date.now();
    await Promise.all(notified);
    expect(state.signals.length).toBeGreaterThanOrEqual(1);
    expect(state.signals.length).toBeLessThan(40);
    for (let i = 1; i < state.signals.length; i++) expect(state.signals[i]! - state.signals[i - 1]!).toBeGreaterThanOrEqual(options.fallbackSpacingMs - 2);
    expect(state.signals.at(-1)!).toBeGreaterThanOrEqual(lastNotifiedAt);
  });

  it('fails the notification and releases the marker when the signal does not get through', async () => {
    const { state, deps } = fakeService({ temporalDown: true });
    const coalescer = new NotificationCoalescer(deps, options);
    await expect(coalescer.notify('c1')).rejects.toThrow(/deadline/);
    expect(state.releases).toBe(1);
    expect(state.marker).toBe(false);
    // The provider delivers it again once Temporal is back: this time it signals.
    state.temporalDown = false;
    expect(await coalescer.notify('c1')).toBe('signalled');
  });

  it('counts a claim slower than its timeout as no database', async () => {
    const { state, deps } = fakeService();
    const coalescer = new NotificationCoalescer({ ...deps, claim: () => new Promise<boolean>(() => undefined) }, { ...options, claimTimeoutMs: 20 });
    expect(await coalescer.notify('c1')).toBe('signalled');
    expect(state.signals).toHaveLength(1);
  });
});
