-- Conference links (issue 14): the join URL of an event's Meet, Teams or other online meeting is kept
-- on its meeting, and a meeting scheduled from the CRM can ask for one.

-- CreateEnum
CREATE TYPE "ConferenceProvider" AS ENUM ('GOOGLE_MEET', 'TEAMS', 'SKYPE', 'OTHER');

-- AlterTable
ALTER TABLE "meetings" ADD COLUMN "conference_provider" "ConferenceProvider",
ADD COLUMN "conference_requested" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "conference_url" TEXT;
