/**
 * Custom search attributes the connection workflow upserts so operators can filter connections in
 * the Temporal Web UI (e.g. `ConnectionStatus = "NEEDS_REAUTH" AND CalendarProvider = "GOOGLE"`).
 * Ids only: no emails or other personal data.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const ConnectionStatusAttribute = defineSearchAttributeKey('ConnectionStatus', SearchAttributeType.KEYWORD);
export const CalendarProviderAttribute = defineSearchAttributeKey('CalendarProvider', SearchAttributeType.KEYWORD);
export const AccountIdAttribute = defineSearchAttributeKey('AccountId', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [ConnectionStatusAttribute, CalendarProviderAttribute, AccountIdAttribute];
