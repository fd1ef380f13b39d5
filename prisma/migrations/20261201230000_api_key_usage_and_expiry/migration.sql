-- Tenant administration: operators see when a key was last used, and a rotated key keeps working
-- until its grace period ends.

-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN "expires_at" TIMESTAMPTZ(3),
ADD COLUMN "last_used_at" TIMESTAMPTZ(3);
