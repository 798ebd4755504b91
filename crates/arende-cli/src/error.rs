//! The CLI's errors: each names what is wrong and where, in Swedish or English.

use std::path::PathBuf;

use arende_core::config::ConfigErrors;
use arende_core::forecast::ForecastError;
use arende_core::notification::Language;
use arende_core::org::DateError;

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
    /// A date option, or a date an option moves, outside the supported dates.
    #[error("{source}")]
    Option {
        /// The option, e.g. `--what-if-later`.
        option: &'static str,
        /// What is wrong.
        #[source]
        source: DateError,
    },
    /// A number of weeks longer than ten years.
    #[error("{option}: {weeks} weeks is longer than ten years (at most 522 weeks)")]
    TooManyWeeks {
        /// The option, e.g. `--remiss-weeks`.
        option: &'static str,
        /// The weeks given.
        weeks: u32,
    },
    /// A store verb failed, or found problems.
    #[error(transparent)]
    Store(#[from] crate::store::StoreCliError),
}

impl CliError {
    /// The exit code: 2 for an option out of range (bad usage), 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Option { .. } | CliError::TooManyWeeks { .. } => 2,
            _ => 1,
        }
    }

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
            (CliError::Config(c), Language::Swedish) => format!("fel: {}", c.render(lang)),
            (CliError::Config(c), Language::English) => format!("error: {}", c.render(lang)),
            (CliError::Option { source, .. }, Language::Swedish) => {
                format!("fel: {}", source.swedish())
            }
            (CliError::TooManyWeeks { option, weeks }, Language::Swedish) => {
                format!("fel: {option}: {weeks} veckor är längre än tio år (högst 522 veckor)")
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
                format!("fel: prognosen kan inte göras: {}", e.swedish())
            }
            (e, _) => format!("error: {e}"),
        }
    }
}
