/** SPEC §4 as pure functions over plain data: see decide.ts for the order the rules apply in. */
export { decideEventChange, isStale } from './decide';
export { accountDomains } from './account-domains';
export { guestEmailsToLookUp } from './guests';
export { meetingKeyOf } from './meeting-key';
export type * from './types';
