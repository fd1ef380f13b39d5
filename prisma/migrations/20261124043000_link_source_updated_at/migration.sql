-- The stamp that makes replays idempotent belongs to each calendar's copy of a meeting, not to the
-- meeting: several users' copies of one meeting change at different times.

-- AlterTable
ALTER TABLE "meetings" DROP COLUMN "source_updated_at";

-- AlterTable
ALTER TABLE "calendar_event_links" ADD COLUMN "source_updated_at" TIMESTAMPTZ(3);
