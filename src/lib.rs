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
