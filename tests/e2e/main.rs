//! End-to-end tests: the real `jangteo` binary, spawned on a random port, driven over HTTP.
//!
//! Each test gets its own data directory (and, for PostgreSQL, its own database), so tests run in
//! parallel. The PostgreSQL variants print `SKIPPED (postgresql unreachable)` when no server is
//! reachable, unless `JANGTEO_REQUIRE_SERVICES=1`.

// Tests state their expectations with unwrap/expect and read as scripts, so long functions are fine.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::missing_panics_doc, clippy::too_many_lines)]

mod deadlines;
mod distributed;
mod errors;
mod payments;
mod sale;
mod stream;
mod support;
