-- Which listings carry a photo, by the photo's SHA-256: the same picture on listings of different
-- sellers is the mark of a copied listing (a fraud signal for moderation). Kept with the listing
-- documents, in their commits. Documents projected before are dropped with their checkpoint and
-- re-projected at start, which fills it in.
CREATE TABLE listing_photo_digests (
    sha256 TEXT NOT NULL,
    listing_id TEXT NOT NULL,
    PRIMARY KEY (sha256, listing_id)
);
CREATE INDEX listing_photo_digests_by_listing ON listing_photo_digests (listing_id);
DELETE FROM listing_documents;
DELETE FROM projection_checkpoints WHERE projection = 'listing_documents';
