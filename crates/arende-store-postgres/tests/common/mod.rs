//! Shared by the PostgreSQL tests: the server URL from `ARENDE_PG_URL` (skip outside CI
//! when absent, fail in CI), and a fresh schema per store, dropped afterwards.

#![allow(dead_code)]

use arende_store_postgres::{PgConfig, PgStore};
use arende_store_testsuite::Fixture;

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

/// A conformance fixture on a fresh schema.
pub fn fixture(url: &str) -> Fixture {
    let (store, guard) = store(url, 8);
    Fixture::with_guard(store, guard)
}
