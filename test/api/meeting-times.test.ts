/**
 * A meeting's times through the API: an all-day meeting takes dates (end exclusive, as Google and
 * Graph have it) and is stored as those dates at 00:00 UTC in every zone; a PATCH keeps the meeting's
 * form or changes it with both boundaries; anything else is a 400 that names the field, and nothing
 * is written. The calendar side is test/e2e/crm-all-day.test.ts.
 */
import request from 'supertest';
import { useTestApp } from '../support/api';
import { createTestAccount } from '../support/fixtures';

describe('meeting times', () => {
  const context = useTestApp();
  let auth: { Authorization: string };
  let accountId: string;
  let ownerUserId: string;

  beforeAll(async () => {
    const account = await createTestAccount(context.db, ['portal.example']);
    ({ auth } = account);
    accountId = account.account.id;
    const owner = await request(context.app).post('/v1/users').set(auth).send({ email: `owner-${accountId.slice(0, 8)}@portal.example` }).expect(201);
    ownerUserId = owner.body.id;
    // Scheduling needs a usable calendar; no worker runs here, so no event is ever created.
    await context.db.calendarConnection.create({ data: { accountId, userId: ownerUserId, provider: 'MICROSOFT', status: 'ACTIVE', providerEmail: owner.body.email, connectedAt: new Date() } });
  });

  const schedule = (body: object) => request(context.app).post('/v1/meetings').set(auth).send({ ownerUserId, title: 'Offsite', ...body });
  const edit = (id: string, body: object) => request(context.app).patch(`/v1/meetings/${id}`).set(auth).send(body);
  const problems = (response: request.Response) => {
    expect(response.status).toBe(400);
    return response.body.error.details as { field: string; problem: string }[];
  };
  const meetingCount = () => context.db.meeting.count({ where: { accountId } });

  it('schedules one-day and multi-day all-day meetings with their dates, east and west of UTC', async () => {
    const tokyo = await schedule({ allDay: true, startAt: '2031-03-10', endAt: '2031-03-11', timeZone: 'Asia/Tokyo' });
    expect(tokyo.status).toBe(202);
    expect(tokyo.body).toMatchObject({ allDay: true, timeZone: 'Asia/Tokyo', startAt: '2031-03-10T00:00:00.000Z', endAt: '2031-03-11T00:00:00.000Z', status: 'SCHEDULING' });

    const losAngeles = await schedule({ allDay: true, startAt: '2031-03-12', endAt: '2031-03-15', timeZone: 'America/Los_Angeles' });
    expect(losAngeles.status).toBe(202);
    const stored = await context.db.meeting.findUniqueOrThrow({ where: { id: losAngeles.body.id } });
    expect(stored).toMatchObject({ allDay: true, timeZone: 'America/Los_Angeles', startAt: new Date('2031-03-12T00:00:00Z'), endAt: new Date('2031-03-15T00:00:00Z') });

    // A timed meeting is what it always was.
    const timed = await schedule({ startAt: '2031-03-10T09:00:00+09:00', endAt: '2031-03-10T10:00:00+09:00', timeZone: 'Asia/Tokyo' });
    expect(timed.body).toMatchObject({ allDay: false, startAt: '2031-03-10T00:00:00.000Z', endAt: '2031-03-10T01:00:00.000Z' });
  });

  it('answers 400 for times that do not fit allDay, or do not end after they start, writing nothing', async () => {
    const before = await meetingCount();
    expect(problems(await schedule({ allDay: true, startAt: '2031-03-10T00:00:00Z', endAt: '2031-03-11T00:00:00Z' }))).toEqual([
      { field: 'startAt', problem: 'must be a date (YYYY-MM-DD) for an all-day meeting, not a date-time' },
      { field: 'endAt', problem: 'must be a date (YYYY-MM-DD) for an all-day meeting, not a date-time' },
    ]);
    expect(problems(await schedule({ startAt: '2031-03-10', endAt: '2031-03-11' }))).toEqual([
      { field: 'startAt', problem: expect.stringContaining('send allDay: true') },
      { field: 'endAt', problem: expect.stringContaining('send allDay: true') },
    ]);
    // The end is exclusive: the same day twice is no day at all.
    expect(problems(await schedule({ allDay: true, startAt: '2031-03-10', endAt: '2031-03-10' }))).toEqual([
      { field: 'endAt', problem: expect.stringContaining('a one-day meeting on 2026-12-10 ends 2026-12-11') },
    ]);
    expect(problems(await schedule({ allDay: true, startAt: '2031-03-10', endAt: '2031-03-08' }))).toEqual([{ field: 'endAt', problem: expect.stringContaining('must end after it starts') }]);
    expect(problems(await schedule({ allDay: true, startAt: '2031-02-30', endAt: '2031-03-02' }))).toEqual([{ field: 'startAt', problem: expect.stringContaining('or with allDay: true a date') }]);
    expect(problems(await schedule({ allDay: 'yes', startAt: '2031-03-10', endAt: '2031-03-11' }))).toEqual([{ field: 'allDay', problem: expect.stringContaining('boolean') }]);
    expect(problems(await schedule({ allDay: true, startAt: '2031-03-10', endAt: '2031-03-11', timeZone: 'Mars/Olympus' }))).toEqual([{ field: 'timeZone', problem: 'must be an IANA time zone such as Europe/Paris' }]);
    expect(await meetingCount()).toBe(before);
  });

  it('keeps an all-day meeting all-day through a PATCH, and turns it on or off only with both new boundaries', async () => {
    const created = await schedule({ allDay: true, startAt: '2031-04-01', endAt: '2031-04-02', timeZone: 'Asia/Tokyo' });
    const id: string = created.body.id;

    // One more day; the zone changes, the dates do not.
    expect((await edit(id, { endAt: '2031-04-03', timeZone: 'America/Los_Angeles' })).body).toMatchObject({
      allDay: true, timeZone: 'America/Los_Angeles', startAt: '2031-04-01T00:00:00.000Z', endAt: '2031-04-03T00:00:00.000Z',
    });
    expect(problems(await edit(id, { startAt: '2031-04-01T09:00:00Z' }))).toEqual([{ field: 'startAt', problem: 'must be a date (YYYY-MM-DD) for an all-day meeting, not a date-time' }]);
    expect(problems(await edit(id, { startAt: '2031-04-03' }))).toEqual([{ field: 'startAt', problem: expect.stringContaining('must end after it starts') }]);
    expect(problems(await edit(id, { allDay: false }))).toEqual([
      { field: 'startAt', problem: 'is required when allDay changes: the date-times of the meeting' },
      { field: 'endAt', problem: 'is required when allDay changes: the date-times of the meeting' },
    ]);
    expect(problems(await edit(id, { allDay: false, startAt: '2031-04-01', endAt: '2031-04-02' }))).toEqual([
      { field: 'startAt', problem: expect.stringContaining('send allDay: true') },
      { field: 'endAt', problem: expect.stringContaining('send allDay: true') },
    ]);
    expect((await request(context.app).get(`/v1/meetings/${id}`).set(auth)).body).toMatchObject({ allDay: true, startAt: '2031-04-01T00:00:00.000Z', endAt: '2031-04-03T00:00:00.000Z' });

    const timed = await edit(id, { allDay: false, startAt: '2031-04-01T09:00:00-07:00', endAt: '2031-04-01T10:00:00-07:00' });
    expect(timed.body).toMatchObject({ allDay: false, startAt: '2031-04-01T16:00:00.000Z', endAt: '2031-04-01T17:00:00.000Z' });
    expect(problems(await edit(id, { endAt: '2031-04-02' }))).toEqual([{ field: 'endAt', problem: expect.stringContaining('send allDay: true') }]);
    expect(problems(await edit(id, { allDay: true, startAt: '2031-04-05T00:00:00Z', endAt: '2031-04-06' }))).toEqual([
      { field: 'startAt', problem: 'must be a date (YYYY-MM-DD) for an all-day meeting, not a date-time' },
    ]);
    expect((await edit(id, { allDay: true, startAt: '2031-04-05', endAt: '2031-04-06' })).body).toMatchObject({
      allDay: true, startAt: '2031-04-05T00:00:00.000Z', endAt: '2031-04-06T00:00:00.000Z',
    });
  });
});
