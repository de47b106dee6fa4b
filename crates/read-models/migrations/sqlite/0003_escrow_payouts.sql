-- Order documents show what left the escrow each way. Documents written before read 0 for both,
-- which is what every escrow still held has; an escrow that paid out before keeps its status.
ALTER TABLE order_documents ADD COLUMN escrow_refunded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_documents ADD COLUMN escrow_released INTEGER NOT NULL DEFAULT 0;
