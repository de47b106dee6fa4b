-- Listings gained stock, photos, a place, bumps and moderation. Stock is kept in columns; the rest,
-- read only with the whole document, in one JSON column. Documents projected before knew none of
-- it: they are dropped with their checkpoint and re-projected at start.
ALTER TABLE listing_documents ADD COLUMN quantity INTEGER NOT NULL DEFAULT 1;
ALTER TABLE listing_documents ADD COLUMN available INTEGER NOT NULL DEFAULT 1;
ALTER TABLE listing_documents ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
DELETE FROM listing_documents;
DELETE FROM projection_checkpoints WHERE projection = 'listing_documents';
