export { MicrosoftAuth, MICROSOFT_SCOPES, type MicrosoftAuthOptions } from './auth';
export { MicrosoftCalendar, transactionIdFor, type MicrosoftCalendarOptions } from './calendar';
export { mapGraphEvent } from './map-event';
