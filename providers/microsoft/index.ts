export { MicrosoftAuth, MICROSOFT_SCOPES, type MicrosoftAuthOptions } from './auth';
export { MicrosoftCalendar, type MicrosoftCalendarOptions } from './calendar';
export { mapGraphError } from './errors';
export { mapGraphEvent, type GraphEvent } from './map-event';
export { transactionIdFor } from './write-body';
