import { ApplicationFailure } from '@temporalio/common';
import { ConnectionGoneError, toActivityFailure } from '../../activities/failures';
import { authRevoked, cursorInvalidated, ProviderError, transient } from '../../providers/errors';

describe('provider failures as Temporal retry decisions', () => {
  it('retries transient failures after the provider’s Retry-After', () => {
    const failure = toActivityFailure(transient('429 from Graph', 429, 7_000)) as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'ProviderTransientError', nonRetryable: false, nextRetryDelay: 7_000 });
  });

  it('leaves the backoff to the retry policy when the provider said nothing', () => {
    expect(toActivityFailure(transient('503', 503))).toMatchObject({ nonRetryable: false, nextRetryDelay: undefined });
  });

  it('never retries a revoked grant, a refused permission or an invalid request', () => {
    for (const error of [authRevoked('invalid_grant'), new ProviderError('permissionDenied', '403'), new ProviderError('invalid', '400')]) {
      expect(toActivityFailure(error)).toMatchObject({ nonRetryable: true, type: error.name });
    }
    expect(toActivityFailure(new ConnectionGoneError('gone'))).toMatchObject({ nonRetryable: true, type: 'ConnectionGoneError' });
  });

  it('names an invalidated cursor so the sync can fall back to a full read', () => {
    expect(toActivityFailure(cursorInvalidated('410'))).toMatchObject({ type: 'CursorInvalidatedError', nonRetryable: true });
  });

  it('passes other errors through untouched', () => {
    const bug = new TypeError('boom');
    expect(toActivityFailure(bug)).toBe(bug);
  });
});
