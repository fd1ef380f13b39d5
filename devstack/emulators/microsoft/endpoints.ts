/** Stable names of the emulated endpoints, for scripted faults and call counts. */
export const MICROSOFT_ENDPOINTS = [
  'events.delta',
  'events.get',
  'events.create',
  'events.patch',
  'events.delete',
  'subscriptions.create',
  'subscriptions.list',
  'subscriptions.update',
  'subscriptions.delete',
  'oauth.token',
] as const;

export type MicrosoftEndpoint = (typeof MICROSOFT_ENDPOINTS)[number];
