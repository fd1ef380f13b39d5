/** Where providers post notifications, under PUBLIC_BASE_URL: the API serves them, channels name them. */
export const WEBHOOK_PATHS = {
  google: '/webhooks/google',
  microsoft: '/webhooks/microsoft',
  microsoftLifecycle: '/webhooks/microsoft/lifecycle',
} as const;
