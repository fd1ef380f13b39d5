/**
 * Calendar API v3 over HTTP: `events.list/get/insert/patch/delete/watch` and `channels.stop`. Each
 * call is counted and may consume a scripted fault before the bearer token is even checked, as a
 * failing Google front end would. Only a user's own primary calendar (`primary` or their email) exists.
 */
import express, { type Request, type Response } from 'express';
import type { CalendarStore } from './calendar-store';
import { conferenceDataVersionOf } from './conference';
import type { GoogleEndpoint } from './control';
import { badRequest, notFound, plannedApiError } from './errors';
import { listEvents } from './event-listing';
import { renderEvent } from './event-model';
import type { EventService } from './event-service';
import type { FaultPlan } from '../shared/fault-plan';
import type { OAuthService } from './oauth-service';
import type { SendUpdates } from './outbox';
import type { PushChannels } from './push-channels';

interface Dependencies {
  store: CalendarStore;
  events: EventService;
  oauth: OAuthService;
  channels: PushChannels;
  faults: FaultPlan<GoogleEndpoint>;
}

function sendUpdatesOf(query: Request['query']): SendUpdates | undefined {
  const value = query.sendUpdates;
  if (value === undefined) return query.sendNotifications === 'true' ? 'all' : undefined;
  if (value !== 'all' && value !== 'externalOnly' && value !== 'none') throw badRequest('Invalid value for: sendUpdates');
  return value;
}

export function calendarRouter(deps: Dependencies): express.Router {
  const { store, events, oauth, channels, faults } = deps;
  const router = express.Router();
  router.use(express.json({ limit: '5mb' }));

  /** Counts the call, answers a scripted fault, authenticates: the email of the caller. */
  const enter = (endpoint: GoogleEndpoint, request: Request, write: boolean): string => {
    const fault = faults.call(endpoint);
    if (fault) throw plannedApiError(fault);
    return oauth.authenticate(request.headers.authorization, write);
  };

  /** `primary` or the caller's own email; other calendars are not shared with anyone here. */
  const ownCalendar = (request: Request, email: string): string => {
    const id = String(request.params.calendarId);
    if (id !== 'primary' && id.toLowerCase() !== email.toLowerCase()) throw notFound();
    return email;
  };
  const body = (request: Request): Record<string, unknown> => (request.body && typeof request.body === 'object' ? request.body : {});

  const base = '/calendar/v3/calendars/:calendarId/events';

  router.get(base, (request, response) => {
    const owner = ownCalendar(request, enter('events.list', request, false));
    const calendar = events.calendarOf(owner);
    const result = listEvents(calendar, request.query, store.instance, store.head());
    response.json({
      kind: 'calendar#events',
      etag: `"${store.head()}"`,
      summary: owner,
      updated: new Date().toISOString(),
      timeZone: 'UTC',
      accessRole: 'owner',
      defaultReminders: [],
      ...result,
    });
  });

  router.post(`${base}/watch`, (request, response) => {
    const owner = ownCalendar(request, enter('events.watch', request, false));
    const channel = channels.create(events.calendarOf(owner), String(request.params.calendarId), body(request));
    response.json({
      kind: 'api#channel',
      id: channel.id,
      resourceId: channel.resourceId,
      resourceUri: channel.resourceUri,
      ...(channel.token !== undefined ? { token: channel.token } : {}),
      expiration: String(channel.expiration),
    });
  });

  router.post(base, (request, response) => {
    const owner = ownCalendar(request, enter('events.insert', request, true));
    const entry = events.insert(owner, body(request), { sendUpdates: sendUpdatesOf(request.query), conferenceDataVersion: conferenceDataVersionOf(request.query.conferenceDataVersion) });
    response.json(renderEvent(entry, owner, { full: true }));
  });

  router.get(`${base}/:eventId`, (request, response) => {
    const owner = ownCalendar(request, enter('events.get', request, false));
    response.json(renderEvent(events.get(owner, String(request.params.eventId)), owner, { full: true }));
  });

  router.patch(`${base}/:eventId`, (request, response) => {
    const owner = ownCalendar(request, enter('events.patch', request, true));
    const conferenceDataVersion = conferenceDataVersionOf(request.query.conferenceDataVersion);
    const entry = events.patch(owner, String(request.params.eventId), body(request), sendUpdatesOf(request.query), { conferenceDataVersion });
    response.json(renderEvent(entry, owner, { full: true }));
  });

  router.delete(`${base}/:eventId`, (request, response: Response) => {
    const owner = ownCalendar(request, enter('events.delete', request, true));
    events.remove(owner, String(request.params.eventId), sendUpdatesOf(request.query));
    response.status(204).end();
  });

  router.post('/calendar/v3/channels/stop', (request, response) => {
    const email = enter('channels.stop', request, false);
    channels.stop(email, body(request));
    response.status(204).end();
  });

  return router;
}
