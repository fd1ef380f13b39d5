-- A token refresh no longer holds a database transaction (and a pooled connection) across the
-- provider's HTTP call: one activity claims a short lease on the connection, the others wait for
-- the tokens it stores.

-- AlterTable
ALTER TABLE "calendar_connections" ADD COLUMN "refresh_lease_until" TIMESTAMPTZ(3);
