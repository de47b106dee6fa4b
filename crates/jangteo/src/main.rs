//! `jangteo`: the marketplace server and its operations commands.

mod config;
mod secrets;
mod wiring;

use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use crate::config::Config;

#[derive(Parser)]
#[command(
    name = "jangteo",
    version,
    about = "Jangteo (장터): an event-sourced second-hand marketplace backend"
)]
struct Cli {
    /// A TOML config file; JANGTEO_* environment variables override it.
    #[arg(long, global = true, env = "JANGTEO_CONFIG")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (the default). Embedded profile: also the projections and the process
    /// manager. With JANGTEO_KAFKA_BROKERS set: the API only, reading what workers project.
    Serve,
    /// Create or upgrade the event store's schema, then exit.
    Migrate,
    /// Publish the event log to Kafka (JANGTEO_KAFKA_BROKERS) as CloudEvents, forever.
    Relay,
    /// Run the relay, the trade process manager and every projection (fed by Kafka), forever.
    Worker,
    /// Run projections fed by Kafka, forever: one consumer group per projection.
    Project {
        /// `listing_documents`, `order_documents`, `listing_search`, `listing_cache` (with
        /// Redis); repeat for several; all when omitted.
        #[arg(long)]
        projection: Vec<String>,
    },
    /// Give the account registered with an e-mail a role: `dispute_agent` for staff who decide
    /// disputes (and read any order's timeline), `admin` for operators who give roles over the
    /// API (the first admin is made here), `member` to take either back.
    GrantRole {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "dispute_agent")]
        role: String,
    },
    /// Wrap every member's data key under a new master key (every process stopped): the one in
    /// JANGTEO_NEW_MASTER_KEY, or, when the current one was generated into the data dir, a fresh
    /// one written there.
    RotateMasterKey {
        #[arg(long, env = "JANGTEO_NEW_MASTER_KEY", hide_env_values = true)]
        new_key: Option<String>,
    },
    /// Drop read models and project the whole event log into them again (writers stopped).
    Rebuild {
        /// As for `project`; all when omitted.
        #[arg(long)]
        projection: Vec<String>,
    },
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tantivy=warn")),
        )
        .init();
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref())?;
    // actix's system runtime drives the accept loop; HTTP workers get one runtime per thread.
    let system = actix_web::rt::System::new();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => system.block_on(wiring::serve(config)),
        Command::Migrate => system.block_on(wiring::migrate(&config)),
        Command::Relay => system.block_on(wiring::relay(&config)),
        Command::Worker => system.block_on(wiring::worker(&config)),
        Command::Project { projection } => system.block_on(wiring::project(&config, &projection)),
        Command::Rebuild { projection } => system.block_on(wiring::rebuild(&config, &projection)),
        Command::GrantRole { email, role } => system.block_on(wiring::grant_role(&config, &email, &role)),
        Command::RotateMasterKey { new_key } => {
            system.block_on(wiring::rotate_master_key(&config, new_key.as_deref()))
        }
    }
}
