-- Read models of the embedded profile: documents served by the query API, and the checkpoint of
-- each projection, written in the same transaction as its documents.

CREATE TABLE listing_documents (
    listing_id       TEXT PRIMARY KEY NOT NULL,
    seller_id        TEXT NOT NULL,
    title            TEXT NOT NULL,
    description      TEXT NOT NULL,
    price            INTEGER NOT NULL,
    category_id      TEXT,
    status           TEXT NOT NULL,
    version          INTEGER NOT NULL,
    created_position INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX listing_documents_by_seller ON listing_documents (seller_id, created_position);

CREATE TABLE order_documents (
    order_id       TEXT PRIMARY KEY NOT NULL,
    listing_id     TEXT NOT NULL,
    buyer_id       TEXT NOT NULL,
    seller_id      TEXT NOT NULL,
    price          INTEGER NOT NULL,
    status         TEXT NOT NULL,
    escrow_status  TEXT,
    version        INTEGER NOT NULL,
    escrow_version INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX order_documents_by_buyer ON order_documents (buyer_id);
CREATE INDEX order_documents_by_seller ON order_documents (seller_id);

CREATE TABLE projection_checkpoints (
    projection TEXT PRIMARY KEY NOT NULL,
    position   INTEGER NOT NULL
);
