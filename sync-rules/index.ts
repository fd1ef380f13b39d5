/** SPEC §4 as pure functions: see decide.ts for the order the rules apply in. */
export { decideEventChange } from './decide';
export { emailKey, domainOf } from './emails';
export { guestEmailsToLookUp } from './guests';
export { meetingKeyOf } from './meeting-key';
export { isStale } from './staleness';
export type * from './types';
