//! The HTTP load harness: seeds members and listings on a running Jangteo, then drives the
//! trade mix — place an order, pay, ship, confirm, read a listing, search — at a fixed
//! concurrency over keep-alive connections, and prints throughput and latency percentiles per
//! route, errors by status, the projections' lag, and the search's freshness (a publish's
//! commit to the listing being found).
//!
//! ```text
//! cargo run -p jangteo-benches --release --bin http_load -- --url http://127.0.0.1:8080 \
//!     --concurrency 64 --seconds 10
//! ```
//! `--race-buyers N` races buyers for each listing instead; `--sign-in-burst N` measures the
//! account path (a burst of sign-ins, and the session check of every signed-in request).
//! The profile is the server's: start it embedded (`cargo run --release`) or on PostgreSQL
//! (`JANGTEO_DATABASE_URL=…`, with Kafka `JANGTEO_KAFKA_BROKERS=…` and a `jangteo worker`). Raise
//! its per-IP limit for the run (`JANGTEO_RATE_LIMIT_PER_MINUTE=100000000`): the harness is one IP.

mod accounts;
mod client;
mod drive;
mod freshness;
mod races;
mod report;
mod seed;

use std::time::Duration;

use anyhow::Result;
use clap::Parser;

#[derive(Parser, Debug, Clone)]
#[command(about = "Drive Jangteo's trade mix over HTTP and report throughput and latency percentiles")]
pub struct Options {
    /// The server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// Requests in flight at once (one connection each).
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// How long to drive the mix.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Members who sell (each lists its share of the listings).
    #[arg(long, default_value_t = 16)]
    pub sellers: usize,
    /// Members who buy.
    #[arg(long, default_value_t = 64)]
    pub buyers: usize,
    /// Listings put on sale before the run; each trade of the mix uses one.
    #[arg(long, default_value_t = 4_000)]
    pub listings: usize,
    /// Listing reads and searches per trade (reads outnumber trades on a marketplace).
    #[arg(long, default_value_t = 2)]
    pub reads_per_trade: usize,
    /// Racing mode instead of the mix: this many buyers press "buy" on each listing at once; the
    /// report counts races with other than exactly one winner (double-sells).
    #[arg(long)]
    pub race_buyers: Option<usize>,
    /// Accounts mode instead of the mix: this many sign-ins sent at once, then for the rest of
    /// the run one listing read with and without a bearer token, side by side (the difference is
    /// the per-request session check).
    #[arg(long)]
    pub sign_in_burst: Option<usize>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let options = Options::parse();
    let client = client::Client::new(&options.url, options.concurrency)?;
    println!(
        "seeding {} sellers, {} buyers, {} listings on {}",
        options.sellers, options.buyers, options.listings, options.url
    );
    let world = seed::seed(&client, &options).await?;
    if !client.caught_up(Duration::from_secs(120)).await {
        println!("the projections had not caught up with the seeding after 120 s; driving anyway");
    }
    let duration = Duration::from_secs(options.seconds);
    let run = if let Some(burst) = options.sign_in_burst {
        println!(
            "{burst} sign-ins at once, then a listing read with and without a token at {} concurrent \
             requests for {} s",
            options.concurrency, options.seconds
        );
        accounts::accounts(&client, world, burst, options.concurrency, duration).await
    } else if let Some(buyers) = options.race_buyers {
        println!(
            "racing {buyers} buyers per listing, {} races at once, for {} s",
            options.concurrency, options.seconds
        );
        races::race(&client, world, buyers.max(2), options.concurrency, duration).await
    } else {
        println!("driving the mix at {} concurrent requests for {} s", options.concurrency, options.seconds);
        drive::drive(&client, world, options.concurrency, duration, options.reads_per_trade).await
    };
    let lag = client.projection_lag().await.unwrap_or_default();
    report::print(&run, &lag);
    Ok(())
}
