//! Given events / when command / then events (or a refusal), as tables, for every aggregate.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::too_many_lines, reason = "test tables")]

mod account;
mod cart;
mod category;
mod conservation;
mod escrow;
mod favourite;
mod fixtures;
mod listing;
mod order;
mod review;
mod serialization;
mod settlement;
mod support;
mod trade;
