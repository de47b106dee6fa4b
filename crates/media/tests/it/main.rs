//! jangteo-media's tests, one binary: formats, the object stores' contract, the photo pipeline.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    clippy::trivially_copy_pass_by_ref,
    reason = "tests state expectations with unwrap, and build small test images"
)]

mod fixtures;
mod formats;
mod object_stores;
mod photos;
