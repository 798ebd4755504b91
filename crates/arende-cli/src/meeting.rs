//! `arende meeting agenda|notice|minutes|adjust`: a meeting (sammanträde) on a store —
//! its agenda (proposed, or adopted with the notice), sending the notice (kallelse),
//! its minutes as Markdown, and recording an adjustment (justering). Every change is a
//! kernel command; the prose is made here or by the core's minutes renderer.

use std::fmt::Write as _;
use std::path::PathBuf;

use arende_core::command::{Command, CommandOptions};
use arende_core::ids::MeetingId;
use arende_core::meeting::{
    Adjustment, AdjustmentMeans, AgendaItem, MeetingCommand, NoticeInput, Presenter,
};
use arende_core::notification::Language;
use arende_core::org::Organisation;
use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::Format;
use crate::error::CliError;
use crate::open::{StoreArgs, open};

/// Which agenda to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Which {
    /// The adopted agenda when the notice is sent, else the proposed one.
    Current,
    /// The agenda the engine proposes now (standing items, open matters that make the
    /// cut-offs), and what waits for a later meeting.
    Proposed,
    /// The agenda sent with the notice (and as changed at the meeting).
    Adopted,
}

/// How the minutes were adjusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Means {
    /// By e-mail (via e-post).
    Email,
    /// At the meeting (omedelbar justering).
    AtMeeting,
    /// By signing on paper.
    Signature,
    /// By electronic signature (e-signering).
    ElectronicSignature,
}

/// The `meeting` verbs.
#[derive(Debug, clap::Subcommand)]
pub enum MeetingVerb {
    /// Show a meeting's agenda: proposed, or adopted with the notice.
    Agenda {
        /// The meeting's id (e.g. sbu-2024-10-15).
        meeting: String,
        #[command(flatten)]
        store: StoreArgs,
        /// Which agenda.
        #[arg(long, value_enum, default_value_t = Which::Current)]
        which: Which,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Send the notice (kallelse): with the proposed agenda, or with the agenda,
    /// documents and expectations of a JSON or TOML file (the notice's fields).
    Notice {
        /// The meeting's id.
        meeting: String,
        #[command(flatten)]
        store: StoreArgs,
        /// The notice as JSON or TOML (`agenda`, `documents`, `expectations`,
        /// `substitutes_called`); `-` reads standard input.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Render a meeting's minutes (protokoll or anteckningar) as Markdown.
    Minutes {
        /// The meeting's id.
        meeting: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Record an adjustment (justering) of the minutes: by the acting adjuster, or by the
    /// secretary for another (`--by`). They become final, and their decisions take effect
    /// on their matters, when every named adjuster has adjusted.
    Adjust {
        /// The meeting's id.
        meeting: String,
        #[command(flatten)]
        store: StoreArgs,
        /// The day they were adjusted (YYYY-MM-DD); default today.
        #[arg(long, value_parser = crate::parse_date)]
        on: Option<NaiveDate>,
        /// How.
        #[arg(long, value_enum, default_value_t = Means::Email)]
        means: Means,
        /// The adjuster, when the secretary records another's adjustment (default: the
        /// person acting).
        #[arg(long)]
        by: Option<String>,
        /// The signing service's reference (required for an electronic signature).
        #[arg(long)]
        reference: Option<String>,
    },
}

fn meeting_id(org: &Organisation, id: &str) -> Result<MeetingId, CliError> {
    let id = MeetingId::new(id.trim());
    if org.meeting(&id).is_none() {
        let near: Vec<String> = org
            .meetings
            .iter()
            .filter(|m| {
                id.as_str()
                    .split('-')
                    .next()
                    .is_some_and(|b| m.id.as_str().starts_with(b))
            })
            .take(8)
            .map(|m| m.id.to_string())
            .collect();
        return Err(CliError::Unknown {
            kind: "meeting",
            id: id.to_string(),
            known: near,
        });
    }
    Ok(id)
}

fn presenter(org: &Organisation, p: &Presenter) -> String {
    match p {
        Presenter::Person(id) => org.person(id).map_or(id.to_string(), |x| x.name.clone()),
        Presenter::Guest { name, .. } => name.clone(),
        #[allow(unreachable_patterns)]
        _ => String::new(),
    }
}

fn item_line(org: &Organisation, item: &AgendaItem, dropped: bool, lang: Language) -> String {
    let sv = lang == Language::Swedish;
    let kind = if sv {
        item.kind.swedish()
    } else {
        item.kind.english()
    };
    let mut line = format!("{:>3}. {} ({kind})", item.number, item.title);
    if let Some(p) = &item.presenter {
        let _ = write!(
            line,
            ", {} {}",
            if sv { "föredras av" } else { "presented by" },
            presenter(org, p)
        );
    }
    if let Some(m) = &item.matter {
        let _ = write!(line, " [{} {m}]", if sv { "ärende" } else { "matter" });
    }
    if dropped {
        let _ = write!(line, " — {}", if sv { "struken" } else { "dropped" });
    }
    line
}

/// Runs a `meeting` verb.
pub fn run(verb: MeetingVerb, lang: Language) -> Result<String, CliError> {
    let sv = lang == Language::Swedish;
    match verb {
        MeetingVerb::Agenda {
            meeting,
            store,
            which,
            format,
        } => {
            let opened = open(&store)?;
            let engine = &opened.engine;
            let org = engine.org();
            let id = meeting_id(org, &meeting)?;
            let state = engine.read().meeting(&id)?;
            let adopted = match which {
                Which::Adopted => true,
                Which::Proposed => false,
                Which::Current => state.notice_sent_on.is_some(),
            };
            let (items, deferred): (Vec<(AgendaItem, bool)>, Vec<_>) = if adopted {
                (
                    state
                        .agenda
                        .iter()
                        .map(|e| (e.item.clone(), e.dropped.is_some()))
                        .collect(),
                    Vec::new(),
                )
            } else {
                let plan = engine.read().proposed_agenda(&id, &[], lang)?;
                (
                    plan.items.into_iter().map(|i| (i, false)).collect(),
                    plan.deferred,
                )
            };
            if format == Format::Json {
                let v = json!({
                    "meeting": id,
                    "agenda": if adopted { "adopted" } else { "proposed" },
                    "notice_sent_on": state.notice_sent_on,
                    "items": items.iter().map(|(i, d)| json!({"item": i, "dropped": d})).collect::<Vec<Value>>(),
                    "deferred": deferred,
                });
                let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
                s.push('\n');
                return Ok(s);
            }
            let plan = engine.read().effective_meeting(&id)?;
            let mut out = String::new();
            let head = match (adopted, sv) {
                (true, true) => format!(
                    "Dagordning (kallelse skickad {})",
                    state
                        .notice_sent_on
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                ),
                (true, false) => format!(
                    "Agenda (notice sent {})",
                    state
                        .notice_sent_on
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                ),
                (false, true) => "Förslag till dagordning".to_owned(),
                (false, false) => "Proposed agenda".to_owned(),
            };
            let _ = writeln!(
                out,
                "{head}: {id}, {} {}–{}",
                plan.date,
                plan.start.format("%H:%M"),
                plan.end.format("%H:%M")
            );
            if items.is_empty() {
                let _ = writeln!(
                    out,
                    "  {}",
                    if sv { "(inga punkter)" } else { "(no items)" }
                );
            }
            for (item, dropped) in &items {
                let _ = writeln!(out, "{}", item_line(org, item, *dropped, lang));
            }
            if !deferred.is_empty() {
                let _ = writeln!(
                    out,
                    "\n{}:",
                    if sv {
                        "Väntar till ett senare sammanträde"
                    } else {
                        "Waiting for a later meeting"
                    }
                );
                for d in &deferred {
                    let next = d
                        .next_meeting
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| "?".into());
                    let why = if sv {
                        d.reason.swedish()
                    } else {
                        format!("{:?}", d.reason)
                    };
                    let _ = writeln!(out, "  {} → {next}: {why}", d.candidate.title);
                }
            }
            Ok(out)
        }
        MeetingVerb::Notice {
            meeting,
            store,
            file,
        } => {
            let opened = open(&store)?;
            let engine = &opened.engine;
            let org = engine.org();
            let id = meeting_id(org, &meeting)?;
            let actor = crate::open::actor(&store, org)?;
            let input = match &file {
                Some(path) => crate::matter::read_data::<NoticeInput>(path, "the notice")?,
                None => NoticeInput {
                    agenda: engine.read().proposed_agenda(&id, &[], lang)?.items,
                    ..NoticeInput::default()
                },
            };
            let items = input.agenda.len();
            let outcome = engine.execute(
                &actor,
                Command::meeting(id.clone(), MeetingCommand::SendNotice(input)),
                CommandOptions::default(),
            )?;
            let scheduled = outcome.effects().scheduled.len();
            Ok(if sv {
                format!(
                    "Kallelsen till {id} är skickad med {items} punkter; {scheduled} ärenden satta på dagordningen (version {}).\n",
                    outcome.version()
                )
            } else {
                format!(
                    "The notice of {id} is sent with {items} items; {scheduled} matters scheduled (version {}).\n",
                    outcome.version()
                )
            })
        }
        MeetingVerb::Minutes { meeting, store } => {
            let opened = open(&store)?;
            let engine = &opened.engine;
            let id = meeting_id(engine.org(), &meeting)?;
            let mut text = engine.read().minutes(&id, lang)?;
            if !text.ends_with('\n') {
                text.push('\n');
            }
            Ok(text)
        }
        MeetingVerb::Adjust {
            meeting,
            store,
            on,
            means,
            by,
            reference,
        } => {
            let opened = open(&store)?;
            let engine = &opened.engine;
            let org = engine.org();
            let id = meeting_id(org, &meeting)?;
            let actor = crate::open::actor(&store, org)?;
            let on = on.unwrap_or_else(|| arende_core::clock::Clock::today(engine.clock()));
            let means = match means {
                Means::Email => AdjustmentMeans::Email,
                Means::AtMeeting => AdjustmentMeans::AtMeeting,
                Means::Signature => AdjustmentMeans::Signature,
                Means::ElectronicSignature => AdjustmentMeans::ElectronicSignature,
            };
            let outcome = engine.execute(
                &actor,
                Command::meeting(
                    id.clone(),
                    MeetingCommand::AdjustMinutes(Adjustment {
                        on,
                        means,
                        by: by.map(|p| arende_core::ids::PersonId::new(p.trim())),
                        reference,
                    }),
                ),
                CommandOptions::default(),
            )?;
            let effects = outcome.effects();
            let mut out = if sv {
                format!(
                    "Protokollet från {id} är justerat {on} (version {}).\n",
                    outcome.version()
                )
            } else {
                format!(
                    "The minutes of {id} are adjusted on {on} (version {}).\n",
                    outcome.version()
                )
            };
            for (matter, at) in &effects.matters {
                let _ = writeln!(
                    out,
                    "  {} {matter}: {at}",
                    if sv {
                        "beslut registrerat på ärendet"
                    } else {
                        "decision recorded on matter"
                    }
                );
            }
            for a in &effects.assignments {
                let _ = writeln!(
                    out,
                    "  {} {a}",
                    if sv {
                        "uppdrag givet"
                    } else {
                        "assignment given"
                    }
                );
            }
            for f in &effects.failures {
                let _ = writeln!(
                    out,
                    "  {} {} ({}): {}",
                    if sv { "gick inte:" } else { "failed:" },
                    f.at,
                    f.effect,
                    f.error
                );
            }
            Ok(out)
        }
    }
}
