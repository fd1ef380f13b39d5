/**
 * One table maps every domain, provider and dependency error to HTTP (api/http-errors.ts): each class
 * answers its status and code, and `/resync` answers by kind (not syncing 409, Temporal down 503)
 * instead of turning every failure into a 409.
 */
import request from 'supertest';
import type { Client } from '@temporalio/client';
import { IntegrationConflictError, UnknownUserError } from '../../connections/connect';
import { InvalidStateError, StateAlreadyUsedError } from '../../connections/oauth-state';
import { DuplicateRecordError, InvalidInputError, RecordNotFoundError, StateConflictError } from '../../crm/errors';
import type { Database } from '../../db/client';
import { HttpError, httpErrorOf } from '../../api/http-errors';
import { ProviderNotConfiguredError } from '../../providers/create-registry';
import { authRevoked, transient } from '../../providers/errors';
import { ApiTemporalClient } from '../../api/temporal-client';
import { testApp, UNUSED_TIMINGS } from '../support/api';
import { createTestAccount } from '../support/fixtures';
import { testDatabase, testTemporalClient } from '../support/services';

describe('the error table', () => {
  it('gives every domain and provider error its status and code', () => {
    const answers = [
      new InvalidInputError([{ field: 'email', problem: 'must be an email address' }]),
      new RecordNotFoundError('meeting'),
      new DuplicateRecordError('contact', 'email'),
      new StateConflictError('calendar_not_connected', 'no calendar'),
      new UnknownUserError('user not found'),
      new IntegrationConflictError('MICROSOFT'),
      new InvalidStateError('expired'),
      new StateAlreadyUsedError('00000000-0000-4000-8000-000000000000'),
      new ProviderNotConfiguredError('GOOGLE'),
      transient('Google answered 503', 503),
      authRevoked('invalid_grant'),
      Object.assign(new Error('14 UNAVAILABLE: Connection refused'), { code: 14 }),
      Object.assign(new Error('Unexpected token'), { status: 400, type: 'entity.parse.failed' }),
      new HttpError(413, 'payload_too_large', 'too large'),
    ].map((error) => {
      const answer = httpErrorOf(error)!;
      return [error.constructor.name, answer.status, answer.code];
    });
    expect(answers).toEqual([
      ['InvalidInputError', 400, 'invalid_request'],
      ['RecordNotFoundError', 404, 'not_found'],
      ['DuplicateRecordError', 409, 'duplicate'],
      ['StateConflictError', 409, 'calendar_not_connected'],
      ['UnknownUserError', 404, 'not_found'],
      ['IntegrationConflictError', 409, 'integration_installed'],
      ['InvalidStateError', 400, 'invalid_state'],
      ['StateAlreadyUsedError', 400, 'invalid_state'],
      ['ProviderNotConfiguredError', 422, 'provider_not_configured'],
      ['ProviderError', 502, 'provider_failed'],
      ['ProviderError', 502, 'provider_failed'],
      ['Error', 503, 'unavailable'],
      ['Error', 400, 'invalid_request'],
      ['HttpError', 413, 'payload_too_large'],
    ]);
    expect(httpErrorOf(new IntegrationConflictError('GOOGLE'))!.details).toEqual({ installedProvider: 'GOOGLE' });
    expect(httpErrorOf(new Error('a bug'))).toBeUndefined();
  });
});

/** Temporal as the API sees it, with the resync answer a test chooses. */
class ResyncFailing extends ApiTemporalClient {
  failure?: Error;
  override async resync(connectionId: string): Promise<void> {
    if (this.failure) throw this.failure;
    return super.resync(connectionId);
  }
}

describe('POST /resync answers by kind', () => {
  let db: Database;
  let temporal: Client;
  let client: ResyncFailing;
  let app: ReturnType<typeof testApp>;
  let auth: { Authorization: string };
  let userId: string;

  beforeAll(async () => {
    db = testDatabase();
    temporal = await testTemporalClient();
    client = new ResyncFailing(temporal, 'api-tests-no-worker', UNUSED_TIMINGS);
    app = testApp(db, temporal, { temporal: client });
    const account = await createTestAccount(db);
    auth = account.auth;
    const email = `owner-${account.account.id.slice(0, 8)}@portal.example`;
    userId = (await db.user.create({ data: { accountId: account.account.id, email, emailKey: email } })).id;
    await db.calendarConnection.create({ data: { accountId: account.account.id, userId, provider: 'GOOGLE', status: 'ACTIVE', providerEmail: email, connectedAt: new Date() } });
  });
  afterAll(async () => {
    await db.$disconnect();
    await temporal.connection.close();
  });

  it('is a 409 when no workflow runs for the connection', async () => {
    client.failure = undefined;
    const response = await request(app).post(`/v1/users/${userId}/calendar-connection/resync`).set(auth);
    expect(response.status).toBe(409);
    expect(response.body.error).toMatchObject({ code: 'not_syncing', message: expect.stringMatching(/^the connection cannot resync now: /) });
  });

  it('is a 503 with Retry-After when Temporal does not answer, and a 500 for anything unexpected', async () => {
    client.failure = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
    const down = await request(app).post(`/v1/users/${userId}/calendar-connection/resync`).set(auth);
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBe('5');
    expect(down.body.error.code).toBe('unavailable');

    client.failure = new TypeError('a bug');
    const bug = await request(app).post(`/v1/users/${userId}/calendar-connection/resync`).set(auth);
    expect(bug.status).toBe(500);
  });
});
