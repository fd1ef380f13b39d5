-- What placed a logged series' occurrences when the CRM last applied it: an occurrence gone while
-- the series still places it there was cancelled, whatever else changed on the master (Graph may
-- give the master a new lastModifiedDateTime for the cancellation itself).

-- AlterTable
ALTER TABLE "calendar_event_links" ADD COLUMN "series_signature" TEXT;
