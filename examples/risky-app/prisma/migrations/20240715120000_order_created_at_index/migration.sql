-- Built concurrently so "Order" stays writable while the index builds.
-- CONCURRENTLY cannot run in a transaction: keep it the only statement here.
CREATE INDEX CONCURRENTLY "Order_createdAt_idx" ON "Order"("createdAt");
