-- Recompute order totals from their line items (totals were off after the
-- OrderItem primary key change).
BEGIN;

UPDATE "Order" AS o
SET "total" = t."sum"
FROM (
    SELECT "orderId", SUM("quantity" * "unitPrice") AS "sum"
    FROM "OrderItem"
    GROUP BY "orderId"
) AS t
WHERE t."orderId" = o."id";
