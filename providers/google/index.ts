/** Google Calendar + Google OAuth behind the provider interface. */
export { GoogleAuth, GOOGLE_SCOPES, type GoogleAuthOptions } from './auth';
export { GoogleCalendar, googleEventIdFor, type GoogleCalendarOptions } from './calendar';
export { mapGoogleError } from './errors';
export { mapGoogleEvent } from './map-event';
