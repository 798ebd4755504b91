//! The CLI's errors: each names what is wrong and where, in Swedish or English.

use std::path::PathBuf;

use arende_core::config::ConfigErrors;
use arende_core::forecast::ForecastError;
use arende_core::notification::Language;

/// What can go wrong running a command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The configuration file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// An output file cannot be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The configuration is invalid.
    #[error(transparent)]
    Config(ConfigErrors),
    /// An id the configuration does not have.
    #[error("unknown {kind} \"{id}\"; known: {}", known.join(", "))]
    Unknown {
        /// What kind of id.
        kind: &'static str,
        /// The id.
        id: String,
        /// The ids that exist.
        known: Vec<String>,
    },
    /// The forecast could not be made.
    #[error(transparent)]
    Forecast(#[from] ForecastError),
    /// A store verb failed, or found problems.
    #[error(transparent)]
    Store(#[from] crate::store::StoreCliError),
}

impl CliError {
    /// The message shown to the user.
    pub fn message(&self, lang: Language) -> String {
        match (self, lang) {
            (CliError::Store(e), lang) => e.message(lang),
            (CliError::Read { path, source }, Language::Swedish) => {
                format!("fel: kan inte läsa {}: {source}", path.display())
            }
            (CliError::Write { path, source }, Language::Swedish) => {
                format!("fel: kan inte skriva {}: {source}", path.display())
            }
            (CliError::Config(c), Language::Swedish) => {
                let mut out = format!(
                    "fel: ogiltig konfiguration {}: {} problem",
                    c.source_name,
                    c.problems.len()
                );
                for p in &c.problems {
                    out.push_str(&format!("\n  {}:{p}", c.source_name));
                }
                out
            }
            (CliError::Config(c), Language::English) => {
                let mut out = format!(
                    "error: invalid configuration {}: {} problem{}",
                    c.source_name,
                    c.problems.len(),
                    if c.problems.len() == 1 { "" } else { "s" }
                );
                for p in &c.problems {
                    out.push_str(&format!("\n  {}:{p}", c.source_name));
                }
                out
            }
            (CliError::Unknown { kind, id, known }, Language::Swedish) => {
                let kind = match *kind {
                    "route" => "okänd beslutsväg",
                    "body" => "okänt organ",
                    "step" => "okänt steg",
                    other => other,
                };
                format!("fel: {kind} \"{id}\"; kända: {}", known.join(", "))
            }
            (CliError::Forecast(e), Language::Swedish) => {
                format!("fel: prognosen kan inte göras: {e}")
            }
            (e, _) => format!("error: {e}"),
        }
    }
}
