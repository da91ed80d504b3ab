-- Carts never expired. The new cart service starts from a clean slate.
TRUNCATE TABLE "Cart" CASCADE;

-- The session token format changed: log everybody out.
DELETE FROM "Session";

-- Keep 90 days of audit history.
DELETE FROM "AuditLog" WHERE "createdAt" < NOW() - INTERVAL '90 days';
