-- Events table from the v1 system, kept read-only for reporting.
CREATE TABLE "legacy_events" (
    "occurred_at" TIMESTAMP(6) NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" JSONB
);
