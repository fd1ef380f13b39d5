/**
 * Walks a provider change listing page by page, handing each page to `onPage` before fetching the
 * next, so memory stays bounded by one page whatever the calendar's size. Heartbeats after every page
 * with the next page's position: a retried activity resumes there instead of starting over.
 */
import { Context } from '@temporalio/activity';
import type { CalendarEvent } from '../../model/calendar-event';
import type { ListChangesRequest } from '../../providers/types';
import type { ProviderSession } from '../provider-session';

export interface ListingProgress {
  /** Which listing the position belongs to, so a resumed retry never mixes two listings. */
  listing: string;
  page: string;
}

function heartbeatContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // called outside an activity (benchmarks, scripts)
  }
}

/** Where a page stands in its listing: the last one carries the listing's cursor. */
export interface PagePosition {
  last: boolean;
  cursor?: string;
}

/** Returns the cursor of the last page. */
export async function listAllChanges(
  session: ProviderSession,
  request: Omit<ListChangesRequest, 'page'>,
  listing: string,
  onPage: (events: CalendarEvent[], position: PagePosition) => Promise<void>,
): Promise<string | undefined> {
  const context = heartbeatContext();
  // A local activity (an incremental sync run inside its workflow task) neither heartbeats nor resumes.
  const heartbeats = context !== undefined && !context.info.isLocal;
  const resumed = heartbeats ? (context.info.heartbeatDetails as ListingProgress | undefined) : undefined;
  let page = resumed?.listing === listing ? resumed.page : undefined;
  for (;;) {
    const result = await session.run((calendar) => calendar.listChanges({ ...request, page }));
    await onPage(result.events, { last: !result.nextPage, cursor: result.cursor });
    if (!result.nextPage) return result.cursor;
    // A timed-out local attempt (or an activity the server gave up on) stops here: its successor takes over.
    if (context?.cancellationSignal.aborted) throw context.cancellationSignal.reason ?? new Error('the sync was cancelled');
    page = result.nextPage;
    if (heartbeats) context.heartbeat({ listing, page } satisfies ListingProgress);
  }
}
