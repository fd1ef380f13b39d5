/**
 * The faults the chaos run injects, and which round gets which. Each round has one notification
 * fault (they all act on the emulators' one delivery setting) and one or more others; over the run
 * every kind comes at least once.
 */
import type { DeliveryFaults } from '../emulators/shared/webhook-sender';
import type { Random } from './random';

export const NOTIFICATION_FAULTS = ['notifications_dropped', 'notifications_delayed', 'notifications_duplicated', 'notifications_reordered', 'notifications_flooded'] as const;
export const OTHER_FAULTS = ['worker_killed', 'temporal_restarted', 'database_unavailable', 'provider_storm', 'cursor_invalidated', 'grant_revoked'] as const;
export type NotificationFault = (typeof NOTIFICATION_FAULTS)[number];
export type OtherFault = (typeof OTHER_FAULTS)[number];
export type FaultKind = NotificationFault | OtherFault;

/** Faults that act on a process at one moment of the round's stream of changes. */
export const PROCESS_FAULTS: readonly OtherFault[] = ['worker_killed', 'temporal_restarted', 'database_unavailable'];

export interface RoundFaults {
  notifications: NotificationFault;
  others: OtherFault[];
}

/** The emulators' delivery setting for each notification fault. */
export const DELIVERY: Record<NotificationFault, DeliveryFaults> = {
  notifications_dropped: { drop: true },
  notifications_delayed: { delayMs: 3_000 },
  notifications_duplicated: { duplicate: true },
  notifications_reordered: { jitterMs: 2_000 },
  notifications_flooded: { copies: 25 },
};

/**
 * Deals the kinds out over `rounds`: each round one notification fault and `othersPerRound` others,
 * cycling through shuffled lists so that every kind comes at least once when the rounds allow it.
 */
export function planFaults(random: Random, rounds: number, othersPerRound: number): RoundFaults[] {
  const notifications = random.shuffle(NOTIFICATION_FAULTS);
  const others = random.shuffle(OTHER_FAULTS);
  let next = 0;
  return Array.from({ length: rounds }, (_, round) => {
    const picked = new Set<OtherFault>();
    while (picked.size < Math.min(othersPerRound, OTHER_FAULTS.length)) picked.add(others[next++ % others.length]!);
    return { notifications: notifications[round % notifications.length]!, others: [...picked] };
  });
}
