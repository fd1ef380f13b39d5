/**
 * Out-of-order replays (SPEC §4.12): a change older than the one already applied from the same
 * calendar is skipped. Equal times are not stale, so re-applying the same change is harmless.
 */
export function isStale(incomingUpdatedAt: string, appliedUpdatedAt: string): boolean {
  return Date.parse(incomingUpdatedAt) < Date.parse(appliedUpdatedAt);
}
