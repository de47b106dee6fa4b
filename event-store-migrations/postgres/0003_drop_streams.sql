-- A stream's head is read from its last event through the (stream_id, version) index, so the
-- table of heads, which every append had to update, goes. Processes of an older version still
-- running against this database fail their appends (no table) rather than decide on stale heads.
DROP TABLE streams;
