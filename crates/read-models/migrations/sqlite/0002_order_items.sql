-- Orders bundle one seller's listings and carry a shipping fee. Existing order documents are
-- dropped and their checkpoint reset, so the projection rebuilds them from the log at start.
ALTER TABLE order_documents ADD COLUMN items TEXT NOT NULL DEFAULT '[]';
ALTER TABLE order_documents ADD COLUMN shipping_fee INTEGER NOT NULL DEFAULT 0;
DELETE FROM order_documents;
DELETE FROM projection_checkpoints WHERE projection = 'order_documents';
