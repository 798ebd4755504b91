//! `arende`: the engine for ärendeflöde — the flow of matters through the collaboration
//! bodies of a Swedish region and its municipalities, from submission through
//! preparatory groups, chief groups and the executive group to a political decision in
//! every party, entry into force, follow-up and revision.
//!
//! This facade re-exports the pure core ([`core`]) and the storage adapters behind
//! features: `sqlite` (default, embedded) and `postgres`.
#![forbid(unsafe_code)]

pub use arende_core as core;
pub use arende_core::*;

#[cfg(feature = "sqlite")]
pub use arende_store_sqlite as sqlite;

#[cfg(feature = "postgres")]
pub use arende_store_postgres as postgres;

/// The system clock, for production use (the core itself reads no clock).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl clock::Clock for SystemClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }
}

/// Why a configuration file could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read configuration file {path}")]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file was read, but the configuration is invalid (every problem, with its line).
    #[error(transparent)]
    Config(#[from] config::ConfigErrors),
}

/// Reads and validates a county configuration file (e.g. `config/orebro.toml`) into an
/// [`org::Organisation`]. The core does no I/O; this is the file-reading wrapper around
/// [`config::load_str`].
pub fn load_file(path: impl AsRef<std::path::Path>) -> Result<org::Organisation, LoadError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_owned(),
        source,
    })?;
    Ok(config::load_str(&text, &path.display().to_string())?)
}

#[doc = include_str!("../docs/embedding.md")]
pub mod embedding {}
