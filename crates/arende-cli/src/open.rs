//! Opening a county's engine on a store for the verbs that work on one: the options
//! they share (`--store`, `--config`, `--as`, `--schema`), the store (a SQLite file,
//! created when missing, or a PostgreSQL URL), and the actor.

use std::path::PathBuf;
use std::sync::Arc;

use arende_core::authz::Actor;
use arende_core::deployment::{CountyEngine, SharedClock, SharedStore};
use arende_core::engine::Engine;
use arende_core::ids::PersonId;
use arende_core::org::Organisation;
use arende_core::store::Outbox;
use arende_store_postgres::{PgConfig, PgStore};
use arende_store_sqlite::SqliteStore;

use crate::error::CliError;

/// The SQLite file used when neither `--store` nor `ARENDE_STORE` names a store.
pub const DEFAULT_STORE: &str = "arende.sqlite";

/// The options every verb on a store takes.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreArgs {
    /// The store: a SQLite file (created when missing) or a PostgreSQL URL
    /// (`postgres://…`).
    #[arg(long, env = "ARENDE_STORE", default_value = DEFAULT_STORE)]
    pub store: String,
    /// The PostgreSQL schema holding the store.
    #[arg(long, env = "ARENDE_SCHEMA", default_value = "arende")]
    pub schema: String,
    /// The county's configuration file (e.g. config/orebro.toml).
    #[arg(long, env = "ARENDE_CONFIG")]
    pub config: PathBuf,
    /// The person acting (a person id of the configuration), for verbs that write.
    #[arg(long = "as", env = "ARENDE_AS")]
    pub actor: Option<String>,
}

/// A county's engine on a store, with the store's outbox.
pub struct Opened {
    /// The engine.
    pub engine: Arc<CountyEngine>,
    /// The store's outbox (the same store).
    pub outbox: Arc<dyn Outbox>,
}

/// Whether `store` names a PostgreSQL database.
pub fn is_postgres(store: &str) -> bool {
    store.starts_with("postgres://") || store.starts_with("postgresql://")
}

/// Opens the store `store` (SQLite path or PostgreSQL URL, schema `schema`).
pub fn open_store(store: &str, schema: &str) -> Result<(SharedStore, Arc<dyn Outbox>), CliError> {
    let failed = |source| CliError::OpenStore {
        store: store.to_owned(),
        source,
    };
    if is_postgres(store) {
        let pg =
            Arc::new(PgStore::connect(PgConfig::new(store).with_schema(schema)).map_err(failed)?);
        Ok((pg.clone(), pg))
    } else {
        let db = Arc::new(SqliteStore::open(store).map_err(failed)?);
        Ok((db.clone(), db))
    }
}

/// Opens the county of `org` on the store with `clock`.
pub fn open_with(
    args: &StoreArgs,
    org: Arc<Organisation>,
    clock: SharedClock,
) -> Result<Opened, CliError> {
    let (store, outbox) = open_store(&args.store, &args.schema)?;
    Ok(Opened {
        engine: Arc::new(Engine::new(org, store, clock)),
        outbox,
    })
}

/// Opens the county of `--config` on the store, on the system clock.
pub fn open(args: &StoreArgs) -> Result<Opened, CliError> {
    let org = Arc::new(crate::load(&args.config)?);
    open_with(args, org, Arc::new(SystemClock))
}

/// The system clock (the core never reads one: the command line passes it in).
#[derive(Debug, Clone, Copy)]
pub struct SystemClock;

impl arende_core::clock::Clock for SystemClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }
}

/// The actor of `--as`, which must name a person of the configuration.
pub fn actor(args: &StoreArgs, org: &Organisation) -> Result<Actor, CliError> {
    let Some(id) = args.actor.as_deref() else {
        return Err(CliError::Usage(crate::error::Usage::NoActor));
    };
    person(id, org)
}

/// A person of the configuration as an actor.
pub fn person(id: &str, org: &Organisation) -> Result<Actor, CliError> {
    let person = PersonId::new(id);
    if org.person(&person).is_none() {
        return Err(CliError::Unknown {
            kind: "person",
            id: id.to_owned(),
            known: Vec::new(),
        });
    }
    Ok(Actor::Person(person))
}
