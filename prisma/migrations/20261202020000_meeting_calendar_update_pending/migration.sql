-- A CRM edit on its way to the calendar is not overwritten by the calendar's older version
-- (found by the chaos run: a sync between the edit and its patch reverted the edit for good).

-- AlterTable
ALTER TABLE "meetings" ADD COLUMN "calendar_update_pending_since" TIMESTAMPTZ(3);
