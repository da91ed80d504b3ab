-- Refunds are their own rows now, so a payment amount must be positive.
ALTER TABLE "Payment" ADD CONSTRAINT "Payment_amount_positive" CHECK ("amount" > 0);
