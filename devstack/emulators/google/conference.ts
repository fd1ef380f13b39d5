/**
 * Conferences on events, as `events.insert`/`events.patch` handle `conferenceData` (Calendar API v3):
 *
 * - Only with `conferenceDataVersion=1`: "Version 0 assumes no conference data support and ignores
 *   conference data in the event's body" (the default).
 * - `createRequest` with `conferenceSolutionKey.type` `hangoutsMeet` makes a Meet conference, at once
 *   (Google may answer `pending` first; here the create always succeeds). A request whose `requestId`
 *   is the one the event's conference was made for is ignored ("If an ID provided is the same as for
 *   the previous request, the request is ignored", CreateConferenceRequest), so a retry keeps it.
 * - Conference data without a create request is copied as given (a third-party conference), which
 *   needs a solution and at least one entry point; `null` removes the conference.
 *
 * Rendering adds `hangoutLink`, the Meet link, beside `conferenceData` (event-model.ts).
 */
import { randomInt } from 'node:crypto';
import { badRequest } from './errors';

export interface EntryPoint {
  entryPointType: 'video' | 'phone' | 'sip' | 'more';
  uri: string;
  label?: string;
  pin?: string;
}

export interface ConferenceData {
  conferenceId?: string;
  conferenceSolution: { key: { type: string }; name?: string; iconUri?: string };
  entryPoints: EntryPoint[];
  createRequest?: { requestId: string; conferenceSolutionKey: { type: string }; status: { statusCode: 'success' } };
  notes?: string;
}

type Body = Record<string, unknown>;

const ENTRY_POINT_TYPES = ['video', 'phone', 'sip', 'more'];
const MEET_ICON = 'https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png';

/** Meet's meeting code: `abc-defg-hij`, lower-case letters. */
function meetCode(): string {
  const letters = (count: number) => Array.from({ length: count }, () => String.fromCharCode(97 + randomInt(26))).join('');
  return `${letters(3)}-${letters(4)}-${letters(3)}`;
}

function meetConference(requestId: string): ConferenceData {
  const code = meetCode();
  const pin = String(randomInt(100_000_000, 1_000_000_000));
  const line = String(randomInt(1000, 10_000));
  return {
    conferenceId: code,
    conferenceSolution: { key: { type: 'hangoutsMeet' }, name: 'Google Meet', iconUri: MEET_ICON },
    entryPoints: [
      { entryPointType: 'video', uri: `https://meet.google.com/${code}`, label: `meet.google.com/${code}` },
      { entryPointType: 'phone', uri: `tel:+1-555-010-${line}`, label: `+1 555-010-${line}`, pin },
      { entryPointType: 'more', uri: `https://tel.meet/${code}?pin=${pin}`, pin },
    ],
    createRequest: { requestId, conferenceSolutionKey: { type: 'hangoutsMeet' }, status: { statusCode: 'success' } },
  };
}

function copied(data: Body): ConferenceData {
  const solution = data.conferenceSolution as ConferenceData['conferenceSolution'] | undefined;
  const entryPoints = data.entryPoints as EntryPoint[] | undefined;
  const validEntry = (entry: EntryPoint) => entry && ENTRY_POINT_TYPES.includes(entry.entryPointType) && typeof entry.uri === 'string' && entry.uri.length > 0;
  if (typeof solution?.key?.type !== 'string' || !Array.isArray(entryPoints) || entryPoints.length === 0 || !entryPoints.every(validEntry)) {
    throw badRequest('Invalid conference data: a conference needs conferenceSolution and at least one entry point, or a createRequest.');
  }
  return {
    ...(typeof data.conferenceId === 'string' ? { conferenceId: data.conferenceId } : {}),
    conferenceSolution: structuredClone(solution),
    entryPoints: structuredClone(entryPoints),
    ...(typeof data.notes === 'string' ? { notes: data.notes } : {}),
  };
}

/**
 * The conference `body` leaves the event with, given the one it has: `current` when the body does
 * not touch it (or the client does not speak conference data version 1), `undefined` when removed.
 */
export function conferenceAfter(current: ConferenceData | undefined, body: Body, conferenceDataVersion: number): ConferenceData | undefined {
  if (conferenceDataVersion < 1 || !Object.prototype.hasOwnProperty.call(body, 'conferenceData')) return current;
  const data = body.conferenceData as Body | null;
  if (data === null) return undefined;
  if (typeof data !== 'object' || Array.isArray(data)) throw badRequest('Invalid value for: conferenceData');
  const request = data.createRequest as { requestId?: unknown; conferenceSolutionKey?: { type?: unknown } } | undefined;
  if (!request) return copied(data);
  if (typeof request.requestId !== 'string' || request.requestId === '') throw badRequest('Invalid conference create request: requestId is required.');
  if (request.conferenceSolutionKey?.type !== 'hangoutsMeet') throw badRequest('Invalid conference type value.');
  if (current?.createRequest?.requestId === request.requestId) return current;
  return meetConference(request.requestId);
}

/** `conferenceDataVersion` of a request: 0 when absent; Google takes 0 or 1. */
export function conferenceDataVersionOf(value: unknown): number {
  if (value === undefined) return 0;
  if (value !== '0' && value !== '1') throw badRequest('Invalid value for: conferenceDataVersion (acceptable values are 0 to 1, inclusive)');
  return Number(value);
}

/** The Meet link Google also reports as `hangoutLink`, if the conference is a Meet one. */
export function hangoutLinkOf(data: ConferenceData | undefined): string | undefined {
  if (data?.conferenceSolution.key.type !== 'hangoutsMeet') return undefined;
  return data.entryPoints.find((entry) => entry.entryPointType === 'video')?.uri;
}
