//! `arende simulate <scenario>`: runs a scenario file (dated kernel commands) on a store
//! in simulated time and prints the timeline as it goes — each date, each command's
//! outcome or refusal in plain words, and what was notified (rendered by the notify
//! dispatcher, delivered to memory) — in Swedish, or English with `--lang en`.
//!
//! A step that is refused where the scenario expects it to run stops the run with an
//! error naming the step (number and date) and the refusal; a step marked
//! `expect = "refused"` that runs is an error too. What ran before stays in the store.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arende_cli::scenario::{Format as ScenarioFormat, Scenario, parse};
use arende_core::clock::SimulatedClock;
use arende_core::command::CommandOptions;
use arende_core::deployment::SharedClock;
use arende_core::engine::Engine;
use arende_core::matter::Matter;
use arende_core::notification::Language;
use arende_core::org::Organisation;
use arende_notify::DispatchConfig;
use arende_notify::dispatcher::Dispatcher;
use arende_notify::render::LanguagePolicy;
use arende_notify::transport::MemoryTransport;

use crate::error::{CliError, Usage};
use crate::run::{effects_text, event_types};
use crate::words;

/// Options of `arende simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// The scenario file (TOML, or JSON by a `.json` name); `-` reads standard input.
    scenario: PathBuf,
    /// The store to run on: a SQLite file or a PostgreSQL URL. Default: a new SQLite
    /// file in a temporary directory, removed afterwards.
    #[arg(long, env = "ARENDE_STORE")]
    store: Option<String>,
    /// The PostgreSQL schema holding the store.
    #[arg(long, env = "ARENDE_SCHEMA", default_value = "arende")]
    schema: String,
    /// The county's configuration, instead of the scenario's `config`.
    #[arg(long)]
    config: Option<PathBuf>,
}

/// Reads and parses the scenario; the text is read from standard input for `-`.
fn read(path: &Path) -> Result<Scenario, CliError> {
    let stdin = path.as_os_str() == "-";
    let text = if stdin {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).map_err(|source| {
            CliError::Read {
                path: path.to_path_buf(),
                source,
            }
        })?;
        s
    } else {
        std::fs::read_to_string(path).map_err(|source| CliError::Read {
            path: path.to_path_buf(),
            source,
        })?
    };
    let format = ScenarioFormat::guess((!stdin).then_some(path), &text);
    parse(&text, format).map_err(|error| CliError::Scenario {
        path: path.display().to_string(),
        error,
    })
}

fn name_of(org: &Organisation, id: &str) -> String {
    org.person(&arende_core::ids::PersonId::new(id))
        .map_or_else(|| id.to_owned(), |p| p.name.clone())
}

/// Runs `arende simulate`, printing the timeline as it goes.
pub fn run(args: SimulateArgs, lang: Language) -> Result<String, CliError> {
    let sv = lang == Language::Swedish;
    let scenario = read(&args.scenario)?;
    let config = match (&args.config, &scenario.config) {
        (Some(c), _) => c.clone(),
        (None, Some(c)) => {
            let base = if args.scenario.as_os_str() == "-" {
                PathBuf::from(".")
            } else {
                args.scenario
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default()
            };
            base.join(c)
        }
        (None, None) => return Err(CliError::Usage(Usage::NoConfig)),
    };
    let org = Arc::new(crate::load(&config)?);
    let temp = match &args.store {
        Some(_) => None,
        None => Some(tempfile::tempdir().map_err(|source| CliError::Write {
            path: std::env::temp_dir(),
            source,
        })?),
    };
    let store_name = match (&args.store, &temp) {
        (Some(s), _) => s.clone(),
        (None, Some(dir)) => dir.path().join("arende.sqlite").display().to_string(),
        (None, None) => crate::open::DEFAULT_STORE.to_owned(),
    };
    let (store, outbox) = crate::open::open_store(&store_name, &args.schema)?;
    let first = scenario.steps.first().map(|s| s.date).unwrap_or_default();
    let clock = Arc::new(SimulatedClock::at_date(first));
    let shared: SharedClock = clock.clone();
    let engine = Engine::new(Arc::clone(&org), store, shared);
    let transport = Arc::new(MemoryTransport::new());
    let dispatch_config = DispatchConfig {
        languages: LanguagePolicy {
            default: lang,
            ..LanguagePolicy::default()
        },
        ..DispatchConfig::default()
    };
    let dispatcher = Dispatcher::new(outbox, Arc::clone(&transport), Arc::clone(&clock))
        .with_organisation(Arc::clone(&org))
        .with_config(dispatch_config);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            CliError::Notify(arende_notify::NotifyError::Setup {
                transport: "runtime",
                message: e.to_string(),
            })
        })?;

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if let Some(title) = &scenario.title {
        let _ = writeln!(out, "{title}");
    }
    let _ = writeln!(
        out,
        "{} {} · {} {}\n",
        if sv { "Lagring:" } else { "Store:" },
        if temp.is_some() {
            if sv {
                "tillfällig SQLite-fil"
            } else {
                "temporary SQLite file"
            }
        } else {
            store_name.as_str()
        },
        if sv {
            "konfiguration:"
        } else {
            "configuration:"
        },
        config.display()
    );
    let mut seen = 0usize;
    let mut today = None;
    let mut refusals = 0usize;
    let mut days = 0usize;
    for step in &scenario.steps {
        if today != Some(step.date) {
            clock.set_date(step.date);
            today = Some(step.date);
            days += 1;
            let _ = writeln!(out, "{}", step.date);
        }
        let name = step.command.name();
        let who = name_of(&org, &step.actor);
        let failed = |error: arende_core::Error| CliError::Step {
            number: step.number,
            date: step.date,
            command: name.clone(),
            error: Box::new(error),
        };
        let actor = crate::open::person(&step.actor, &org).map_err(|_| {
            failed(arende_core::Error::Unknown {
                kind: "person",
                id: step.actor.clone(),
            })
        })?;
        let mut options = CommandOptions {
            command_id: step.command_id,
            ..CommandOptions::default()
        };
        if let Some(v) = step.expected_version {
            options = options.expecting(v);
        }
        match engine.execute(&actor, step.command.clone(), options) {
            Ok(outcome) => {
                if step.refused {
                    return Err(CliError::NotRefused {
                        number: step.number,
                        date: step.date,
                        command: name,
                    });
                }
                let types = event_types(&outcome);
                let said = if types.is_empty() {
                    if sv {
                        "inget nytt".to_owned()
                    } else {
                        "nothing new".to_owned()
                    }
                } else {
                    words::events(&types, lang)
                };
                let _ = writeln!(
                    out,
                    "  {:>3}. {who}: {name} — {said} (version {})",
                    step.number,
                    outcome.version()
                );
                let _ = write!(
                    out,
                    "{}",
                    effects_text(outcome.effects(), "         ", lang)
                );
            }
            Err(error) if step.refused => {
                refusals += 1;
                let _ = writeln!(
                    out,
                    "  {:>3}. {who}: {name} — {}: {}",
                    step.number,
                    if sv {
                        "avslaget, som väntat"
                    } else {
                        "refused, as expected"
                    },
                    words::error(&error, lang)
                );
            }
            Err(error) => {
                let _ = out.flush();
                return Err(failed(error));
            }
        }
        runtime.block_on(dispatcher.drain())?;
        let delivered = transport.delivered();
        for msg in delivered.iter().skip(seen) {
            let subject = msg.renderings.first().map_or("", |r| r.subject.as_str());
            let _ = writeln!(
                out,
                "         {} {} {}: {subject}",
                if sv { "meddelat" } else { "notified" },
                msg.notification.recipients.len(),
                if sv { "mottagare" } else { "recipients" },
            );
        }
        seen = delivered.len();
    }

    let _ = writeln!(out, "\n{}:", if sv { "Vid slutet" } else { "At the end" });
    let mut matters: Vec<Matter> = engine
        .read()
        .all_of::<Matter>()?
        .into_iter()
        .map(|(_, m)| m)
        .filter(Matter::exists)
        .collect();
    matters.sort_by_key(|m| (m.registered_on, m.id));
    for m in &matters {
        let status = if sv {
            m.status.swedish()
        } else {
            m.status.name()
        };
        let _ = writeln!(
            out,
            "  {} {}: {status} (version {})",
            m.id.map(|i| i.to_string()).unwrap_or_default(),
            m.title,
            m.version
        );
    }
    let _ = writeln!(
        out,
        "{} {}, {} {}, {} {}, {} {}.",
        scenario.steps.len(),
        if sv { "steg" } else { "steps" },
        days,
        if sv { "dagar" } else { "days" },
        refusals,
        if sv {
            "avslag som väntat"
        } else {
            "refusals as expected"
        },
        seen,
        if sv { "meddelanden" } else { "messages" },
    );
    let _ = out.flush();
    for e in &scenario.expect {
        let found = engine.read().matter(e.matter)?;
        if found.status.name() != e.status {
            return Err(CliError::Expectation {
                matter: e.matter.to_string(),
                expected: e.status.clone(),
                found: found.status.name().to_owned(),
            });
        }
    }
    Ok(String::new())
}
