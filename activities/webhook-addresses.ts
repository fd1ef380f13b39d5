/** Where providers post notifications: routes of api/routers/webhooks.ts under PUBLIC_BASE_URL. */
import type { ProviderName } from '../model/calendar-event';
import { WEBHOOK_PATHS } from '../model/webhook-paths';

export function webhookAddresses(publicBaseUrl: string, provider: ProviderName): { address: string; lifecycleAddress?: string } {
  return provider === 'GOOGLE'
    ? { address: `${publicBaseUrl}${WEBHOOK_PATHS.google}` }
    : { address: `${publicBaseUrl}${WEBHOOK_PATHS.microsoft}`, lifecycleAddress: `${publicBaseUrl}${WEBHOOK_PATHS.microsoftLifecycle}` };
}
