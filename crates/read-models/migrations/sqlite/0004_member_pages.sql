-- The member's own pages: a seller's listings, a member's orders and favourites, newest first.
-- Orders sort by the global position of their placement, which documents projected before
-- did not keep: they are dropped with their checkpoint, and re-projected at start.
ALTER TABLE order_documents ADD COLUMN created_position INTEGER NOT NULL DEFAULT 0;
DELETE FROM order_documents;
DELETE FROM projection_checkpoints WHERE projection = 'order_documents';
DROP INDEX order_documents_by_buyer;
DROP INDEX order_documents_by_seller;
CREATE INDEX order_documents_by_buyer ON order_documents (buyer_id, created_position);
CREATE INDEX order_documents_by_seller ON order_documents (seller_id, created_position);

-- One row per (member, listing) ever favourited; turned off it stays with favourited = 0, so the
-- version guard keeps a replayed older write from turning it on again.
CREATE TABLE favourite_documents (
    account_id TEXT    NOT NULL,
    listing_id TEXT    NOT NULL,
    favourited INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    at         TEXT    NOT NULL,
    PRIMARY KEY (account_id, listing_id)
);
CREATE INDEX favourite_documents_newest ON favourite_documents (account_id, favourited, position);
