-- A favourite keeps the listing's price when it was favourited, so the member's list can show a
-- price drop. Favourites projected before knew no price: they are dropped with their checkpoint
-- and re-projected at start.
ALTER TABLE favourite_documents ADD COLUMN favourited_price INTEGER;
DELETE FROM favourite_documents;
DELETE FROM projection_checkpoints WHERE projection = 'favourite_documents';
