-- The same insert with the `pg_notify` appends used to send: what the notification costs.
BEGIN;
INSERT INTO events (event_id, stream_id, version, event_type, payload) VALUES (gen_random_uuid(), gen_random_uuid(), 1, 'OrderPlaced', '{"order_id": "01930000-0000-7000-8000-000000000001", "buyer_id": "01930000-0000-7000-8000-000000000002", "seller_id": "01930000-0000-7000-8000-000000000003", "items": [{"listing_id": "01930000-0000-7000-8000-000000000004", "price": 50000}], "shipping_fee": 0, "price": 50000}');
SELECT pg_notify('jangteo_events', '1');
COMMIT;
