/**
 * The account's own domains for the internal-people rule (SPEC §4.4): its portal domains and the
 * mail domains of its users' connected calendars — except the mail services shared by the whole
 * world, where a user who connects a gmail.com calendar does not make every gmail.com contact
 * internal.
 */
import { domainOf, emailKey } from '../model/emails';

export const PUBLIC_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'yahoo.com',
  'icloud.com',
  'me.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'gmx.com',
]);

export function accountDomains(portalDomains: readonly string[], connectedEmails: readonly string[]): string[] {
  const connected = connectedEmails.map(domainOf).filter((domain) => domain && !PUBLIC_MAIL_DOMAINS.has(domain));
  return [...new Set([...portalDomains.map(emailKey), ...connected])];
}
