/**
 * The account's exclusion list joins the internal-people rule (SPEC §4.4): excluded addresses and
 * domains are never matched, never make an event a meeting, and leave a logged meeting's attendees
 * at its next change.
 */
import { decideEventChange, guestEmailsToLookUp, type DecisionInput, type MeetingDecision } from '../../../sync-rules';
import { CONTACT, CONTACT_ID, event, guest, input, linked, OTHER_CONTACT, OTHER_CONTACT_ID, USER } from './event-factory';

const EXCLUDED = 'carol@excluded.example';
const contactsByEmail = new Map([
  [CONTACT, CONTACT_ID],
  [OTHER_CONTACT, OTHER_CONTACT_ID],
  [EXCLUDED, 'contact-carol'],
]);
const base = input().account;
const withList = (excludedEmails: string[], excludedDomains: string[]): DecisionInput['account'] => ({ ...base, excludedEmails, excludedDomains });
const decide = (extra: Partial<DecisionInput>) => decideEventChange(input({ contactsByEmail, ...extra }));
const attendeeKeys = (extra: Partial<DecisionInput>) => {
  const decision = decide(extra);
  expect(decision.action).toBe('upsertMeeting');
  return (decision as MeetingDecision).attendees.map((a) => a.emailKey);
};
const guests = (...emails: string[]) => [guest(USER, { self: true, organizer: true }), ...emails.map((email) => guest(email))];

describe('4.4 exclusion lists', () => {
  it('does not log an event whose only contact guest is at an excluded domain', () => {
    expect(decide({ account: withList([], ['excluded.example']), event: event({ guests: guests(EXCLUDED) }) })).toEqual({ action: 'ignore', reason: 'noContactGuests' });
  });

  it('logs an event with another contact, without the excluded one', () => {
    expect(attendeeKeys({ account: withList([], ['excluded.example']), event: event({ guests: guests(EXCLUDED, CONTACT) }) })).toEqual([CONTACT]);
  });

  it('excludes one address, leaving its colleagues at the same domain', () => {
    const account = withList([OTHER_CONTACT], []);
    expect(attendeeKeys({ account, event: event({ guests: guests(OTHER_CONTACT, CONTACT) }) })).toEqual([CONTACT]);
    expect(decide({ account, event: event({ guests: guests(OTHER_CONTACT) }) })).toEqual({ action: 'ignore', reason: 'noContactGuests' });
  });

  it('excludes an organizer who invites the user', () => {
    const invitation = event({ organizer: { email: EXCLUDED, self: false }, guests: [guest(USER, { self: true }), guest(CONTACT)] });
    expect(attendeeKeys({ account: withList([EXCLUDED], []), event: invitation })).toEqual([CONTACT]);
  });

  it('reads the list whatever its case and spaces, and matches domains exactly', () => {
    const account = withList([' Ann@Customer.EXAMPLE '], [' EXCLUDED.example ']);
    const sub = 'dan@eu.excluded.example';
    const decision = decide({ account, contactsByEmail: new Map([...contactsByEmail, [sub, 'contact-dan']]), event: event({ guests: guests('ANN@customer.example', EXCLUDED, sub, OTHER_CONTACT) }) });
    expect((decision as MeetingDecision).attendees.map((a) => a.emailKey)).toEqual([sub, OTHER_CONTACT]);
  });

  it('drops an excluded guest from a logged meeting at its next change; the meeting stays, down to no contact', () => {
    const account = withList([], ['excluded.example']);
    expect(attendeeKeys({ account, existing: linked(), event: event({ guests: guests(EXCLUDED, CONTACT) }) })).toEqual([CONTACT]);
    expect(attendeeKeys({ account, existing: linked(), event: event({ guests: guests(EXCLUDED) }) })).toEqual([]);
  });

  it('does not look excluded guests up as contacts', () => {
    const lookUp = guestEmailsToLookUp([event({ guests: guests(EXCLUDED, CONTACT, OTHER_CONTACT) })], withList([OTHER_CONTACT], ['excluded.example']), input().connection);
    expect([...lookUp]).toEqual([CONTACT]);
  });

  it('changes nothing for an account without a list', () => {
    expect(attendeeKeys({ event: event({ guests: guests(EXCLUDED, CONTACT) }) })).toEqual([EXCLUDED, CONTACT]);
  });
});
