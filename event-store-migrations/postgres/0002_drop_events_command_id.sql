-- A command's events are found through `commands` (its primary key gives the command's position
-- range), so the index on `events.command_id` only cost every append one more index entry per
-- event.
DROP INDEX IF EXISTS events_command_id;
