//! Shared by the PostgreSQL tests: the server URL from `ARENDE_PG_URL` (skip outside CI
//! when absent, fail in CI), and a fresh schema per store, dropped afterwards.

#![allow(dead_code)]

use arende_core::ids::TenantId;
use arende_core::store::StreamId;
use arende_store_postgres::{PgConfig, PgStore};
use arende_store_testsuite::{Damage, Fixture};

/// The server URL, or `None` (after saying so) when the tests are to be skipped.
pub fn pg_url() -> Option<String> {
    match std::env::var("ARENDE_PG_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but ARENDE_PG_URL is not set: the PostgreSQL tests must run in CI")
        }
        _ => {
            println!("skipping: ARENDE_PG_URL not set");
            None
        }
    }
}

/// A schema name no other test uses.
pub fn fresh_schema() -> String {
    format!("arende_test_{}", uuid::Uuid::new_v4().simple())
}

/// Drops a schema when dropped.
pub struct DropSchema {
    pub url: String,
    pub schema: String,
}

impl Drop for DropSchema {
    fn drop(&mut self) {
        // Tests run in parallel and may briefly use up the server's connections: retry.
        let sql = format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema);
        let mut last = String::new();
        for attempt in 0..10u64 {
            match postgres::Client::connect(&self.url, postgres::NoTls)
                .and_then(|mut c| c.batch_execute(&sql))
            {
                Ok(()) => return,
                Err(e) => last = e.to_string(),
            }
            std::thread::sleep(std::time::Duration::from_millis(100 * (attempt + 1)));
        }
        eprintln!(
            "warning: could not drop test schema {}: {last}",
            self.schema
        );
    }
}

/// A store on a fresh schema (failing the test if the server cannot be had).
pub fn store(url: &str, pool_size: u32) -> (PgStore, DropSchema) {
    let schema = fresh_schema();
    let guard = DropSchema {
        url: url.to_owned(),
        schema: schema.clone(),
    };
    let store = PgStore::connect(
        PgConfig::new(url)
            .with_schema(schema)
            .with_pool_size(pool_size),
    )
    .unwrap_or_else(|e| panic!("cannot connect to PostgreSQL at ARENDE_PG_URL: {e:?}"));
    (store, guard)
}

/// Damages one event row through a connection of its own, as a hand-made `UPDATE`
/// would. PostgreSQL `text` cannot hold a payload that is not UTF-8 (`false`); NOT NULL
/// is dropped first to store a NULL payload or command id.
pub fn corrupt(
    url: &str,
    schema: &str,
    tenant: &TenantId,
    stream: &StreamId,
    version: u64,
    damage: Damage,
) -> bool {
    let mut c = postgres::Client::connect(url, postgres::NoTls).expect("connect");
    c.batch_execute(&format!("SET search_path = {schema}"))
        .expect("search_path");
    let set = match damage {
        Damage::Delete => {
            return c
                .execute(
                    "DELETE FROM events WHERE tenant = $1 AND stream = $2 AND version = $3",
                    &[&tenant.as_str(), &stream.as_str(), &(version as i64)],
                )
                .expect("delete")
                == 1;
        }
        Damage::SetVersion(v) => format!("version = {v}"),
        Damage::NullPayload => {
            c.batch_execute("ALTER TABLE events ALTER COLUMN payload DROP NOT NULL")
                .expect("drop NOT NULL");
            "payload = NULL".to_owned()
        }
        Damage::BadCommandId => {
            c.batch_execute("ALTER TABLE events ALTER COLUMN command_id DROP NOT NULL")
                .expect("drop NOT NULL");
            "command_id = NULL".to_owned()
        }
        Damage::BadTimestamp => "recorded_at = 'infinity'".to_owned(),
        _ => return false,
    };
    c.execute(
        &format!("UPDATE events SET {set} WHERE tenant = $1 AND stream = $2 AND version = $3"),
        &[&tenant.as_str(), &stream.as_str(), &(version as i64)],
    )
    .unwrap_or_else(|e| panic!("damage {set}: {e}"))
        == 1
}

/// A conformance fixture on a fresh schema, with its corrupter.
pub fn fixture(url: &str) -> Fixture {
    let (store, guard) = store(url, 8);
    let (url, schema) = (url.to_owned(), guard.schema.clone());
    Fixture::with_guard(store, guard)
        .with_corrupter(move |t, s, v, d| corrupt(&url, &schema, t, s, v, d))
}
