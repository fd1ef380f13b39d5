-- Event webhooks for downstream systems (issue 14): endpoints an account registers, the outbox of
-- events, and the delivery log. The outbox is filled by triggers in the transaction of the change
-- itself, so the sync writes nothing of its own for it and no event is lost or invented: a change
-- that rolls back takes its event with it. A trigger writes only when an enabled endpoint of the
-- account wants that type, so accounts without endpoints pay one indexed lookup per changed row.

-- CreateEnum
CREATE TYPE "WebhookDeliveryStatus" AS ENUM ('PENDING', 'DELIVERED', 'FAILED');

-- CreateTable
CREATE TABLE "webhook_endpoints" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "description" TEXT,
    "event_types" TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "disabled_reason" TEXT,
    "encrypted_secret" TEXT NOT NULL,
    "previous_encrypted_secret" TEXT,
    "previous_secret_expires_at" TIMESTAMPTZ(3),
    "key_id" TEXT NOT NULL,
    "kick_requested_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_events" (
    "id" BIGSERIAL NOT NULL,
    "account_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "subject_id" UUID NOT NULL,
    "data" JSON NOT NULL,
    "key_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispatched_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "event_id" BIGINT NOT NULL,
    "status" "WebhookDeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_status_code" INTEGER,
    "last_error" TEXT,
    "last_attempt_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "give_up_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "webhook_endpoints_account_id_idx" ON "webhook_endpoints"("account_id");

-- CreateIndex
CREATE INDEX "webhook_endpoints_kick_requested_at_idx" ON "webhook_endpoints"("kick_requested_at");

-- CreateIndex
CREATE INDEX "webhook_events_key_id_dispatched_at_id_idx" ON "webhook_events"("key_id", "dispatched_at", "id");

-- CreateIndex
CREATE INDEX "webhook_events_created_at_idx" ON "webhook_events"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_endpoint_id_event_id_key" ON "webhook_deliveries"("endpoint_id", "event_id");

-- CreateIndex
CREATE INDEX "webhook_deliveries_endpoint_id_status_event_id_idx" ON "webhook_deliveries"("endpoint_id", "status", "event_id");

-- CreateIndex
CREATE INDEX "webhook_deliveries_event_id_idx" ON "webhook_deliveries"("event_id");

-- AddForeignKey
ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "webhook_endpoints_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "webhook_events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Timestamps in payloads read as the API writes them (JavaScript's toISOString, UTC, milliseconds).
CREATE FUNCTION "webhook_iso"(ts TIMESTAMPTZ) RETURNS TEXT LANGUAGE sql STABLE AS $$
  SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- The key id of an enabled endpoint of the account that wants `event_type`, or NULL: no event then.
CREATE FUNCTION "webhook_endpoint_key"(account UUID, event_type TEXT) RETURNS TEXT LANGUAGE sql STABLE AS $$
  SELECT e.key_id FROM webhook_endpoints e
   WHERE e.account_id = account AND e.enabled AND event_type = ANY (e.event_types)
   LIMIT 1
$$;

-- meeting.created / .updated / .cancelled. A meeting deleted in the CRM is hidden by the API and says
-- nothing more. `data` is the meeting's core fields as GET /v1/meetings/:id shows them (README).
-- clock_timestamp(): one meeting's events are stamped in the order they committed (the row lock
-- orders its writers), which now() (the transaction's start) is not.
CREATE FUNCTION "webhook_meeting_event"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
  event_type TEXT;
  endpoint_key TEXT;
BEGIN
  IF NEW.deleted_at IS NOT NULL THEN
    RETURN NULL;
  ELSIF TG_OP = 'INSERT' THEN
    event_type := 'meeting.created';
  ELSIF NEW.status = 'CANCELLED' AND OLD.status IS DISTINCT FROM 'CANCELLED' THEN
    event_type := 'meeting.cancelled';
  ELSE
    event_type := 'meeting.updated';
  END IF;
  endpoint_key := webhook_endpoint_key(NEW.account_id, event_type);
  IF endpoint_key IS NULL THEN
    RETURN NULL;
  END IF;
  INSERT INTO webhook_events (account_id, type, subject_id, data, key_id, created_at)
  VALUES (NEW.account_id, event_type, NEW.id, json_build_object(
    'id', NEW.id,
    'ownerUserId', NEW.owner_user_id,
    'title', NEW.title,
    'location', NEW.location,
    'conference', CASE WHEN NEW.conference_url IS NULL THEN NULL
                  ELSE json_build_object('url', NEW.conference_url, 'provider', COALESCE(NEW.conference_provider::TEXT, 'OTHER')) END,
    'startAt', webhook_iso(NEW.start_at),
    'endAt', webhook_iso(NEW.end_at),
    'timeZone', NEW.time_zone,
    'allDay', NEW.all_day,
    'status', NEW.status,
    'source', NEW.source,
    'iCalUID', NEW.ical_uid,
    'seriesId', NEW.series_id,
    'instanceStart', webhook_iso(NEW.instance_start),
    'createdAt', webhook_iso(NEW.created_at),
    'updatedAt', webhook_iso(NEW.updated_at)
  ), endpoint_key, clock_timestamp());
  RETURN NULL;
END
$$;

CREATE TRIGGER "meetings_webhook_insert" AFTER INSERT ON "meetings"
  FOR EACH ROW EXECUTE FUNCTION webhook_meeting_event();

-- Only a change of what the payload shows (or of the description) is an event: a sync that rewrites
-- a row unchanged, or bumps only bookkeeping columns, says nothing.
CREATE TRIGGER "meetings_webhook_update" AFTER UPDATE ON "meetings"
  FOR EACH ROW WHEN (
    OLD.title IS DISTINCT FROM NEW.title OR OLD.description IS DISTINCT FROM NEW.description
    OR OLD.location IS DISTINCT FROM NEW.location OR OLD.start_at IS DISTINCT FROM NEW.start_at
    OR OLD.end_at IS DISTINCT FROM NEW.end_at OR OLD.time_zone IS DISTINCT FROM NEW.time_zone
    OR OLD.all_day IS DISTINCT FROM NEW.all_day OR OLD.status IS DISTINCT FROM NEW.status
    OR OLD.owner_user_id IS DISTINCT FROM NEW.owner_user_id OR OLD.ical_uid IS DISTINCT FROM NEW.ical_uid
    OR OLD.series_id IS DISTINCT FROM NEW.series_id OR OLD.instance_start IS DISTINCT FROM NEW.instance_start
    OR OLD.conference_url IS DISTINCT FROM NEW.conference_url OR OLD.conference_provider IS DISTINCT FROM NEW.conference_provider
  ) EXECUTE FUNCTION webhook_meeting_event();

-- connection.active / .needs_reauth / .disconnected, when the status becomes one of them. `data` is
-- the connection as GET /v1/calendar-connections lists it (its core fields).
CREATE FUNCTION "webhook_connection_event"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
  event_type TEXT;
  endpoint_key TEXT;
BEGIN
  event_type := CASE NEW.status
    WHEN 'ACTIVE' THEN 'connection.active'
    WHEN 'NEEDS_REAUTH' THEN 'connection.needs_reauth'
    WHEN 'DISCONNECTED' THEN 'connection.disconnected'
  END;
  IF event_type IS NULL THEN
    RETURN NULL;
  END IF;
  endpoint_key := webhook_endpoint_key(NEW.account_id, event_type);
  IF endpoint_key IS NULL THEN
    RETURN NULL;
  END IF;
  INSERT INTO webhook_events (account_id, type, subject_id, data, key_id, created_at)
  VALUES (NEW.account_id, event_type, NEW.id, json_build_object(
    'id', NEW.id,
    'userId', NEW.user_id,
    'user', (SELECT json_build_object('email', u.email, 'name', u.name) FROM users u WHERE u.id = NEW.user_id),
    'provider', NEW.provider,
    'email', NEW.provider_email,
    'status', NEW.status,
    'statusReason', NEW.status_reason,
    'connectedAt', webhook_iso(NEW.connected_at)
  ), endpoint_key, clock_timestamp());
  RETURN NULL;
END
$$;

CREATE TRIGGER "calendar_connections_webhook_insert" AFTER INSERT ON "calendar_connections"
  FOR EACH ROW EXECUTE FUNCTION webhook_connection_event();

CREATE TRIGGER "calendar_connections_webhook_update" AFTER UPDATE ON "calendar_connections"
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION webhook_connection_event();
