/**
 * Conference links as both adapters read them (pure). A join URL is shown to CRM users and clicked:
 * only absolute http(s) URLs count, anything else (a `tel:` entry point, a malformed value) is none.
 */
import type { ConferenceProvider } from '../model/calendar-event';

export function joinableUrl(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? value : undefined;
  } catch {
    return undefined;
  }
}

const HOSTS: [RegExp, ConferenceProvider][] = [
  [/(^|\.)meet\.google\.com$/, 'GOOGLE_MEET'],
  [/(^|\.)teams\.(microsoft|live)\.com$/, 'TEAMS'],
  [/(^|\.)(join|meet)\.(skype|lync)\.com$/, 'SKYPE'],
];

/** The provider a join URL belongs to when the event does not say (a Google add-on, say). */
export function conferenceProviderOfUrl(url: string): ConferenceProvider {
  const host = new URL(url).hostname.toLowerCase();
  return HOSTS.find(([pattern]) => pattern.test(host))?.[1] ?? 'OTHER';
}
