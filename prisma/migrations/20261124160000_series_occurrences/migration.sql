-- Graph reports an occurrence its organizer cancelled as a bare `@removed` id: remembering the
-- occurrences of logged series lets that id name its series and original start (SPEC §4.6).

-- CreateTable
CREATE TABLE "series_occurrences" (
    "connection_id" UUID NOT NULL,
    "provider_event_id" TEXT NOT NULL,
    "series_master_id" TEXT NOT NULL,
    "original_start" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "series_occurrences_pkey" PRIMARY KEY ("connection_id","provider_event_id")
);

-- AddForeignKey
ALTER TABLE "series_occurrences" ADD CONSTRAINT "series_occurrences_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "calendar_connections"("id") ON DELETE CASCADE ON UPDATE CASCADE;
