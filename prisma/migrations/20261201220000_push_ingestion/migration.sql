-- Push ingestion that needs no database to authenticate and coalesces floods: channel tokens are
-- signed (the stored hash remains only for channels made before), a retired channel is refused while
-- its stop at the provider may still be pending, and one marker per connection coalesces notifications.

-- AlterTable
ALTER TABLE "calendar_connections" ADD COLUMN "sync_requested_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "push_channels" ALTER COLUMN "secret_hash" DROP NOT NULL,
ADD COLUMN "retired_at" TIMESTAMPTZ(3);

-- Channels marked stopped before this change were no longer listened to.
UPDATE "push_channels" SET "retired_at" = "stopped_at" WHERE "stopped_at" IS NOT NULL;

-- CreateIndex
CREATE INDEX "push_channels_retired_at_idx" ON "push_channels"("retired_at");
