//! `arende command run <file|->`: runs any kernel command, in its JSON (or TOML) form,
//! on a store — the same vocabulary as the HTTP API and scenario files — with a command
//! id (idempotency key) and an expected version; and the words for what a command did.

use std::fmt::Write as _;
use std::path::PathBuf;

use arende_core::command::{Command, CommandOptions, Effects, Outcome};
use arende_core::ids::CommandId;
use arende_core::notification::Language;
use serde_json::json;

use crate::Format;
use crate::error::{CliError, Usage};
use crate::open::{StoreArgs, open};
use crate::words;

/// Options of `arende command run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The command as JSON (or TOML by a `.toml` name); `-` reads standard input.
    file: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
    /// The command's id (a UUID): run again with the same id, nothing new is written and
    /// the first outcome is returned.
    #[arg(long)]
    command_id: Option<String>,
    /// The stream version the command expects (0 = the stream must not exist yet).
    #[arg(long)]
    expected_version: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// The `command` verbs.
#[derive(Debug, clap::Subcommand)]
pub enum CommandVerb {
    /// Run a kernel command (JSON, as the HTTP API takes it) on the store.
    Run(RunArgs),
}

/// The event types an outcome wrote.
pub fn event_types(outcome: &Outcome) -> Vec<&'static str> {
    fn of<E: arende_core::aggregate::Event>(events: &[E]) -> Vec<&'static str> {
        events.iter().map(|e| e.event_type()).collect()
    }
    match outcome {
        Outcome::Matter(x) => of(&x.events),
        Outcome::Meeting(x) => of(&x.events),
        Outcome::Assignment(x) => of(&x.events),
        Outcome::Subscription(x) => of(&x.events),
        Outcome::Reminder(x) => of(&x.events),
        _ => Vec::new(),
    }
}

/// What the policies did, in words (one line each, indented by `indent`).
pub fn effects_text(effects: &Effects, indent: &str, lang: Language) -> String {
    let sv = lang == Language::Swedish;
    let mut out = String::new();
    for (m, at) in &effects.matters {
        if at.paragraph == 0 {
            let _ = writeln!(
                out,
                "{indent}{} {m}: {}",
                if sv { "ärendet" } else { "matter" },
                if sv {
                    "struket från dagordningen"
                } else {
                    "dropped from the agenda"
                }
            );
        } else {
            let _ = writeln!(
                out,
                "{indent}{} {m}: {} {at}",
                if sv { "ärendet" } else { "matter" },
                if sv {
                    "beslutet registrerat enligt"
                } else {
                    "decision recorded per"
                }
            );
        }
    }
    for (m, meeting) in &effects.scheduled {
        let _ = writeln!(
            out,
            "{indent}{} {m}: {} {meeting}",
            if sv { "ärendet" } else { "matter" },
            if sv {
                "satt på dagordningen för"
            } else {
                "scheduled on"
            }
        );
    }
    for a in &effects.assignments {
        let _ = writeln!(
            out,
            "{indent}{} {a}",
            if sv {
                "uppdrag givet:"
            } else {
                "assignment given:"
            }
        );
    }
    for r in &effects.revised {
        let _ = writeln!(
            out,
            "{indent}{} {r}",
            if sv {
                "ersatt av revidering:"
            } else {
                "revised:"
            }
        );
    }
    for f in &effects.failures {
        let _ = writeln!(
            out,
            "{indent}{} {} ({}): {}",
            if sv {
                "följd som inte gick:"
            } else {
                "effect refused:"
            },
            f.at,
            f.effect,
            f.error
        );
    }
    out
}

/// Runs a `command` verb.
pub fn run(verb: CommandVerb, lang: Language) -> Result<String, CliError> {
    let CommandVerb::Run(args) = verb;
    let command: Command = crate::matter::read_data(&args.file, "the command")?;
    let mut options = CommandOptions::default();
    if let Some(id) = &args.command_id {
        let id: CommandId = id.trim().parse().map_err(|_| {
            CliError::Usage(Usage::Value {
                option: "--command-id",
                value: id.clone(),
                expected: "a UUID",
            })
        })?;
        options.command_id = Some(id);
    }
    if let Some(v) = args.expected_version {
        options = options.expecting(v);
    }
    let opened = open(&args.store)?;
    let engine = &opened.engine;
    let actor = crate::open::actor(&args.store, engine.org())?;
    let name = command.name();
    let outcome = engine.execute(&actor, command, options)?;
    let types = event_types(&outcome);
    Ok(match args.format {
        Format::Json => {
            let e = outcome.effects();
            let v = json!({
                "command": name,
                "version": outcome.version(),
                "duplicate": outcome.duplicate(),
                "events": types,
                "effects": {
                    "matters": e.matters.iter().map(|(m, at)| json!({"matter": m, "at": at})).collect::<Vec<_>>(),
                    "scheduled": e.scheduled.iter().map(|(m, at)| json!({"matter": m, "meeting": at})).collect::<Vec<_>>(),
                    "assignments": e.assignments,
                    "revised": e.revised,
                    "failures": e.failures.iter().map(|f| json!({"at": f.at, "effect": f.effect, "error": f.error})).collect::<Vec<_>>(),
                },
            });
            let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Text => {
            let sv = lang == Language::Swedish;
            let mut out = format!(
                "{} {name}: version {}{}: {}\n",
                if sv { "Klart:" } else { "Done:" },
                outcome.version(),
                match (outcome.duplicate(), sv) {
                    (true, true) => " (redan utfört: inget nytt skrevs)",
                    (true, false) => " (already run: nothing new written)",
                    _ => "",
                },
                words::events(&types, lang)
            );
            out.push_str(&effects_text(outcome.effects(), "  ", lang));
            out
        }
    })
}
