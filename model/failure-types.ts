/**
 * The stable type names of activity failures: activities fail with them (ApplicationFailure `type`),
 * workflows list the ones not worth retrying and branch on them (`AuthRevoked` → NEEDS_REAUTH).
 */
export const FAILURE_TYPES = {
  providerTransient: 'ProviderTransientError',
  cursorInvalidated: 'CursorInvalidatedError',
  authExpired: 'AuthExpiredError',
  authRevoked: 'AuthRevokedError',
  permissionDenied: 'PermissionDeniedError',
  notFound: 'NotFoundError',
  conflict: 'ConflictError',
  invalidRequest: 'InvalidRequestError',
  /** The connection row is gone or disconnected: the workflow has nothing left to do. */
  connectionGone: 'ConnectionGoneError',
  /** The user's calendar cannot be written to (no usable connection). */
  notConnected: 'NotConnectedError',
} as const;
