//! `arende store verify`: checks a whole store (a SQLite file or a PostgreSQL schema) and
//! reports every problem — the storage itself (SQLite's `integrity_check`, PostgreSQL's
//! `amcheck` where available, each index's rows against its table's: damaged pages hide
//! rows from every other check), rows that cannot be read, version gaps and swaps,
//! positions out of order, events that do not decode as their stream's aggregate — each
//! row problem with its tenant, stream and version, each storage problem in the
//! backend's own words. Exit status 1 when there is any.

use std::path::PathBuf;

use arende_core::aggregate::{Aggregate, decode_for};
use arende_core::notification::Language;
use arende_core::store::{Corruption, Finding, RecordedEvent, ScanStore, verify_scan};
use arende_store_postgres::{PgConfig, PgStore};
use arende_store_sqlite::SqliteStore;

/// The `store` verbs.
#[derive(Debug, clap::Subcommand)]
pub enum StoreCommand {
    /// Scans a whole store and reports every problem (exit status 1 when there is any).
    Verify {
        /// A SQLite file, or a PostgreSQL URL (`postgres://…`).
        #[arg(long)]
        store: String,
        /// The PostgreSQL schema holding the store.
        #[arg(long, default_value = "arende")]
        schema: String,
    },
}

/// What can go wrong verifying a store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreCliError {
    /// No SQLite file at that path (verify does not create one).
    #[error("no store at {0}")]
    Missing(PathBuf),
    /// The store cannot be opened or scanned.
    #[error("cannot read the store {store}: {source}")]
    Store {
        /// The store as given.
        store: String,
        /// Why.
        #[source]
        source: arende_core::store::StoreError,
    },
    /// The check found problems.
    #[error("{} problems in {store}", findings.len() + storage.len())]
    Damaged {
        /// The store as given.
        store: String,
        /// Every problem of a row found.
        findings: Vec<Finding>,
        /// Every problem of the storage below the rows, in the backend's words.
        storage: Vec<String>,
    },
}

impl StoreCliError {
    /// The message shown to the user.
    pub fn message(&self, lang: Language) -> String {
        let sv = lang == Language::Swedish;
        match self {
            StoreCliError::Missing(path) if sv => {
                format!("fel: det finns ingen lagring i {}", path.display())
            }
            StoreCliError::Missing(path) => format!("error: no store at {}", path.display()),
            StoreCliError::Store { store, source } if sv => {
                format!("fel: kan inte läsa lagringen {store}: {source}")
            }
            StoreCliError::Store { store, source } => {
                format!("error: cannot read the store {store}: {source}")
            }
            StoreCliError::Damaged {
                store,
                findings,
                storage,
            } => {
                let n = findings.len() + storage.len();
                let mut out = if sv {
                    format!("fel: {n} problem i lagringen {store}:")
                } else {
                    format!("error: {n} problems in the store {store}:")
                };
                for problem in storage {
                    out.push_str(&if sv {
                        format!("\n  lagringsfilen: {problem}")
                    } else {
                        format!("\n  storage: {problem}")
                    });
                }
                for f in findings {
                    // "version" is the same word in both languages.
                    out.push_str(&format!(
                        "\n  {} {} version {}: {}",
                        f.tenant,
                        f.stream,
                        f.version,
                        describe(&f.problem, lang)
                    ));
                }
                out
            }
        }
    }
}

/// A problem in the reader's language.
fn describe(problem: &Corruption, lang: Language) -> String {
    if lang != Language::Swedish {
        return problem.to_string();
    }
    match problem {
        Corruption::Unreadable { column, reason } => {
            format!("kolumnen {column} går inte att läsa: {reason}")
        }
        Corruption::VersionOutOfOrder { expected, found } => {
            format!("version {found} står där version {expected} skulle stå")
        }
        Corruption::ForeignTenant { found } => format!("raden hör till organisationen {found}"),
        Corruption::ForeignStream { found } => format!("raden hör till strömmen {found}"),
        Corruption::PositionOutOfOrder { previous, found } => {
            format!("position {found} kommer inte efter position {previous}")
        }
        Corruption::Undecodable { reason } => format!("händelsen går inte att avkoda: {reason}"),
        Corruption::BrokenHead {
            events,
            last_version,
            ..
        } => format!("strömmen har {events} händelser men sista versionen är {last_version}"),
        other => other.to_string(),
    }
}

/// Decodes an event as its stream's aggregate (by the stream name's prefix); a stream
/// of no known aggregate is not decoded.
fn undecodable(e: &RecordedEvent) -> Option<String> {
    fn as_<A: Aggregate>(e: &RecordedEvent) -> Option<Option<String>> {
        let prefix = format!("{}-", A::PREFIX);
        e.stream
            .as_str()
            .starts_with(&prefix)
            .then(|| decode_for::<A>(e).err().map(|d| d.to_string()))
    }
    as_::<arende_core::matter::Matter>(e)
        .or_else(|| as_::<arende_core::meeting::Meeting>(e))
        .or_else(|| as_::<arende_core::assignment::Assignment>(e))
        .or_else(|| as_::<arende_core::subscription::Subscriptions>(e))
        .flatten()
}

/// Every problem of a store: the structural check, then each readable event decoded.
pub fn verify(store: &dyn ScanStore) -> Result<Vec<Finding>, arende_core::store::StoreError> {
    let mut findings = verify_scan(store)?;
    store.scan(&mut |row| {
        if let Ok(e) = row
            && let Some(reason) = undecodable(&e)
        {
            findings.push(Finding {
                tenant: e.tenant,
                stream: e.stream,
                version: e.version,
                problem: Corruption::Undecodable { reason },
            });
        }
    })?;
    findings
        .sort_by(|a, b| (&a.tenant, &a.stream, a.version).cmp(&(&b.tenant, &b.stream, b.version)));
    Ok(findings)
}

/// Runs a `store` verb.
pub fn run(command: StoreCommand, lang: Language) -> Result<String, StoreCliError> {
    match command {
        StoreCommand::Verify { store, schema } => {
            let failed = |source| StoreCliError::Store {
                store: store.clone(),
                source,
            };
            let check = |s: &dyn ScanStore| -> Result<_, arende_core::store::StoreError> {
                let storage = s.check_storage()?;
                for problem in &storage {
                    tracing::error!(store = %store, problem = %problem, "the storage is damaged");
                }
                Ok((storage, verify(s)?, count(s)?))
            };
            let (storage, findings, events) =
                if store.starts_with("postgres://") || store.starts_with("postgresql://") {
                    let pg = PgStore::connect(PgConfig::new(&store).with_schema(schema))
                        .map_err(failed)?;
                    check(&pg).map_err(failed)?
                } else {
                    let path = PathBuf::from(&store);
                    if !path.is_file() {
                        return Err(StoreCliError::Missing(path));
                    }
                    // Opened without the check on open: verify reports what it finds
                    // instead of refusing the file.
                    let config = arende_store_sqlite::SqliteConfig {
                        check_on_open: false,
                        ..arende_store_sqlite::SqliteConfig::default()
                    };
                    let db = SqliteStore::open_with(&path, config).map_err(failed)?;
                    check(&db).map_err(failed)?
                };
            if !findings.is_empty() || !storage.is_empty() {
                return Err(StoreCliError::Damaged {
                    store,
                    findings,
                    storage,
                });
            }
            Ok(if lang == Language::Swedish {
                format!("{store}: {events} händelser, inga problem\n")
            } else {
                format!("{store}: {events} events, no problems\n")
            })
        }
    }
}

fn count(store: &dyn ScanStore) -> Result<u64, arende_core::store::StoreError> {
    let mut n = 0;
    store.scan(&mut |_| n += 1)?;
    Ok(n)
}
