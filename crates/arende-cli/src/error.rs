//! The CLI's errors: each names what is wrong and where, in Swedish or English.

use std::path::PathBuf;

use arende_cli::scenario::ScenarioError;
use arende_core::config::ConfigErrors;
use arende_core::forecast::ForecastError;
use arende_core::notification::Language;
use arende_core::org::DateError;
use chrono::NaiveDate;

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
    /// The store cannot be opened.
    #[error("cannot open the store {store}: {source}")]
    OpenStore {
        /// The store as given.
        store: String,
        /// Why.
        #[source]
        source: arende_core::store::StoreError,
    },
    /// Bad usage: an option the verb needs is missing or does not fit.
    #[error("{0}")]
    Usage(Usage),
    /// The engine refused the command, or failed.
    #[error(transparent)]
    Engine(#[from] arende_core::Error),
    /// Input (a command, a submission, a notice) that cannot be read.
    #[error("{what}: {message}")]
    Input {
        /// What was read, e.g. `the command in cmd.json`.
        what: String,
        /// What the parser said.
        message: String,
    },
    /// A scenario file that cannot be read as a scenario.
    #[error("{path}: {error}")]
    Scenario {
        /// The file (`-` for standard input).
        path: String,
        /// What is wrong and where.
        error: ScenarioError,
    },
    /// A step of a scenario was refused (or failed) where it should have run.
    #[error("step {number} ({date}), {command}: {error}")]
    Step {
        /// The step's number, from 1.
        number: usize,
        /// Its date.
        date: NaiveDate,
        /// The command's name, e.g. `matter/decide`.
        command: String,
        /// The refusal.
        error: Box<arende_core::Error>,
    },
    /// A step of a scenario marked `expect = "refused"` was not refused.
    #[error("step {number} ({date}), {command}: expected to be refused, but it ran")]
    NotRefused {
        /// The step's number, from 1.
        number: usize,
        /// Its date.
        date: NaiveDate,
        /// The command's name.
        command: String,
    },
    /// At the end of a scenario a matter does not stand as the scenario expects.
    #[error("matter {matter} is {found} at the end, the scenario expects {expected}")]
    Expectation {
        /// The matter.
        matter: String,
        /// The status expected.
        expected: String,
        /// The status found.
        found: String,
    },
    /// The dispatcher or a transport could not be set up or failed.
    #[error(transparent)]
    Notify(#[from] arende_notify::NotifyError),
}

/// Bad usage of a verb on a store (exit status 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Usage {
    /// A verb that writes needs `--as`.
    NoActor,
    /// `arende simulate` needs a configuration: `--config` or `config` in the file.
    NoConfig,
    /// `arende dispatch` without a transport needs `--dry-run`.
    NoTransport,
    /// `arende matter submit` needs these options (or `--file`).
    Submit(&'static str),
    /// An option's value is not of the right form.
    Value {
        /// The option.
        option: &'static str,
        /// The value given.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
}

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Language::English))
    }
}

impl Usage {
    /// The message in `lang`.
    pub fn message(&self, lang: Language) -> String {
        let sv = lang == Language::Swedish;
        match self {
            Usage::NoActor if sv => {
                "ange vem som utför kommandot med --as <person-id> (eller ARENDE_AS)".into()
            }
            Usage::NoActor => "say who runs the command with --as <person id> (or ARENDE_AS)".into(),
            Usage::NoConfig if sv => {
                "ange länets konfiguration med --config eller med config = \"…\" i scenariot".into()
            }
            Usage::NoConfig => {
                "give the county's configuration with --config or config = \"…\" in the scenario"
                    .into()
            }
            Usage::NoTransport if sv => {
                "ingen transport angiven (--smtp, --webhook, --nats): ange en, eller --dry-run för att bara visa vad som skulle skickas".into()
            }
            Usage::NoTransport => {
                "no transport given (--smtp, --webhook, --nats): give one, or --dry-run to only show what would be sent".into()
            }
            Usage::Submit(options) if sv => {
                format!("ange {options}, eller --file med anmälan som JSON eller TOML")
            }
            Usage::Submit(options) => {
                format!("give {options}, or --file with the submission as JSON or TOML")
            }
            Usage::Value {
                option,
                value,
                expected,
            } if sv => format!("{option}: \"{value}\" är inte {expected}"),
            Usage::Value {
                option,
                value,
                expected,
            } => format!("{option}: \"{value}\" is not {expected}"),
        }
    }
}

impl CliError {
    /// The exit code: 2 for an option out of range (bad usage), 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Option { .. } | CliError::TooManyWeeks { .. } | CliError::Usage(_) => 2,
            _ => 1,
        }
    }

    /// The message shown to the user.
    pub fn message(&self, lang: Language) -> String {
        match (self, lang) {
            (CliError::Store(e), lang) => e.message(lang),
            (CliError::Usage(u), Language::Swedish) => format!("fel: {}", u.message(lang)),
            (CliError::Engine(e), Language::Swedish) => {
                format!("avslaget: {}", crate::words::error(e, lang))
            }
            (CliError::Engine(e), Language::English) => {
                format!("refused: {}", crate::words::error(e, lang))
            }
            (CliError::OpenStore { store, source }, Language::Swedish) => {
                format!("fel: kan inte öppna lagringen {store}: {source}")
            }
            (CliError::Input { what, message }, Language::Swedish) => {
                format!("fel: {what}: {message}")
            }
            (CliError::Scenario { path, error }, Language::Swedish) => {
                format!("fel: {path}: {}", error.swedish())
            }
            (
                CliError::Step {
                    number,
                    date,
                    command,
                    error,
                },
                lang,
            ) => match lang {
                Language::Swedish => format!(
                    "avslaget: steg {number} ({date}), {command}: {}",
                    crate::words::error(error, lang)
                ),
                Language::English => format!(
                    "refused: step {number} ({date}), {command}: {}",
                    crate::words::error(error, lang)
                ),
            },
            (
                CliError::NotRefused {
                    number,
                    date,
                    command,
                },
                Language::Swedish,
            ) => format!(
                "fel: steg {number} ({date}), {command}: skulle ha avslagits men genomfördes"
            ),
            (
                CliError::Expectation {
                    matter,
                    expected,
                    found,
                },
                Language::Swedish,
            ) => format!(
                "fel: ärendet {matter} har läget {found} vid slutet, scenariot väntar {expected}"
            ),
            (CliError::Notify(e), Language::Swedish) => format!("fel: aviseringen: {e}"),
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
                    "person" => "okänd person",
                    "meeting" => "okänt sammanträde",
                    "party" => "okänd part",
                    other => other,
                };
                if known.is_empty() {
                    format!("fel: {kind} \"{id}\"")
                } else {
                    format!("fel: {kind} \"{id}\"; kända: {}", known.join(", "))
                }
            }
            (CliError::Forecast(e), Language::Swedish) => {
                format!("fel: prognosen kan inte göras: {}", e.swedish())
            }
            (CliError::Unknown { kind, id, known }, _) if known.is_empty() => {
                format!("error: unknown {kind} \"{id}\"")
            }
            (e, _) => format!("error: {e}"),
        }
    }
}
