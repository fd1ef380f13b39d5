/** Where providers post notifications: routes of api/routers/webhooks.ts under PUBLIC_BASE_URL. */
import type { ProviderName } from '../model/calendar-event';

export function webhookAddresses(publicBaseUrl: string, provider: ProviderName): { address: string; lifecycleAddress?: string } {
  return provider === 'GOOGLE'
    ? { address: `${publicBaseUrl}/webhooks/google` }
    : { address: `${publicBaseUrl}/webhooks/microsoft`, lifecycleAddress: `${publicBaseUrl}/webhooks/microsoft/lifecycle` };
}
