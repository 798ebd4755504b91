//! `arende matter submit|show|list|forecast`: matters (ärenden) on a store — submit one
//! from options or a file, show one with its history (meeting and §), version and next
//! steps, list them by body, state, party and kind, and forecast a stored one.

use std::fmt::Write as _;
use std::path::PathBuf;

use arende_core::command::{Command, CommandOptions};
use arende_core::forecast::{Goal, Target};
use arende_core::ids::{BodyId, MatterId, PartyId, PersonId};
use arende_core::matter::{Matter, MatterKind, SubmitMatter};
use arende_core::notification::Language;
use arende_core::org::Organisation;
use arende_core::store::RecordedEvent;
use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::Format;
use crate::error::{CliError, Usage};
use crate::open::{StoreArgs, open};
use crate::words;

/// The `matter` verbs.
#[derive(Debug, clap::Subcommand)]
pub enum MatterVerb {
    /// Submit (anmäla) a matter, from options or from a JSON or TOML file.
    Submit(SubmitArgs),
    /// Show a matter: its state, version, history (with meeting and §) and next steps.
    Show {
        /// The matter's id.
        id: String,
        #[command(flatten)]
        store: StoreArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// List matters, filtered by body, state, party and kind.
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// Only matters submitted to this body or with a current step there.
        #[arg(long)]
        body: Option<String>,
        /// Only matters in this state (e.g. in-progress, in-force; `closed` for every
        /// closed one).
        #[arg(long)]
        state: Option<String>,
        /// Only matters with this party's case number or decision.
        #[arg(long)]
        party: Option<String>,
        /// Only matters of this kind (e.g. agreement, information).
        #[arg(long)]
        kind: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Forecast a stored matter: when each remaining step of its route can be taken.
    Forecast {
        /// The matter's id.
        id: String,
        #[command(flatten)]
        store: StoreArgs,
        /// A meeting to reach: BODY@YYYY-MM-DD (repeatable).
        #[arg(long, value_parser = Target::parse)]
        target: Vec<Target>,
        /// Plan backward instead (bakåtplanering) from BODY@YYYY-MM-DD,
        /// decided-by:YYYY-MM-DD or in-force-by:YYYY-MM-DD: the latest day of every
        /// remaining step, the last meeting that still makes it, and the slack.
        #[arg(long, value_parser = Goal::parse, conflicts_with = "target")]
        latest_for: Option<Goal>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

/// Options of `arende matter submit`.
#[derive(Debug, clap::Args)]
pub struct SubmitArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The submission as JSON or TOML (the `submit` command's fields), instead of the
    /// options below; `-` reads standard input.
    #[arg(long, conflicts_with_all = ["kind", "title", "body"])]
    file: Option<PathBuf>,
    /// The kind (agreement, contract, routine, guideline, assignment, report,
    /// information).
    #[arg(long)]
    kind: Option<String>,
    /// The title.
    #[arg(long)]
    title: Option<String>,
    /// The body it is submitted to (e.g. sbu).
    #[arg(long)]
    body: Option<String>,
    /// Who raised it, when submitted on another's behalf (a person id).
    #[arg(long)]
    submitter: Option<String>,
    /// For an assignment: the issuing body.
    #[arg(long)]
    issuer: Option<String>,
    /// A party's case number: PARTY=NUMBER (repeatable).
    #[arg(long = "case-number", value_parser = parse_case_number)]
    case_numbers: Vec<(PartyId, String)>,
    /// The matter's id (a UUID), to make a retried submission idempotent.
    #[arg(long)]
    id: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

fn parse_case_number(s: &str) -> Result<(PartyId, String), String> {
    match s.split_once('=') {
        Some((p, n)) if !p.trim().is_empty() && !n.trim().is_empty() => {
            Ok((PartyId::new(p.trim()), n.trim().to_owned()))
        }
        _ => Err(format!("expected PARTY=NUMBER, found \"{s}\"")),
    }
}

/// A matter id from its text form.
pub fn matter_id(s: &str) -> Result<MatterId, CliError> {
    s.trim().parse().map_err(|_| {
        CliError::Usage(Usage::Value {
            option: "matter",
            value: s.to_owned(),
            expected: "a matter id (a UUID)",
        })
    })
}

/// Reads `path` (`-` = standard input) as JSON or TOML (by its extension, or by its
/// first character) into `T`.
pub fn read_data<T: serde::de::DeserializeOwned + serde::Serialize>(
    path: &std::path::Path,
    what: &str,
) -> Result<T, CliError> {
    let text = if path.as_os_str() == "-" {
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
    let json = match path.extension().and_then(|e| e.to_str()) {
        Some(e) => e.eq_ignore_ascii_case("json"),
        None => text.trim_start().starts_with('{') || text.trim_start().starts_with('['),
    };
    let what = format!("{what} ({})", path.display());
    if json {
        // Strictly: the real line and column, and no unknown field.
        arende_core::strict::from_json(text.as_bytes()).map_err(|e| CliError::Input {
            what,
            message: e.to_string(),
        })
    } else {
        let value: T = toml::from_str(&text).map_err(|e| CliError::Input {
            what: what.clone(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        let sent: serde_json::Value = toml::from_str(&text).map_err(|e| CliError::Input {
            what: what.clone(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        match arende_core::strict::unknown_field(&sent, &value) {
            Some((at, field)) => Err(CliError::Input {
                what,
                message: format!("unknown field `{field}` at {at}"),
            }),
            None => Ok(value),
        }
    }
}

fn kind_of(s: &str) -> Result<MatterKind, CliError> {
    MatterKind::ALL
        .iter()
        .copied()
        .find(|k| k.name() == s || k.swedish() == s)
        .ok_or_else(|| {
            CliError::Usage(Usage::Value {
                option: "--kind",
                value: s.to_owned(),
                expected: "a kind of matter (agreement, contract, routine, guideline, assignment, report, information)",
            })
        })
}

fn json_out(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// Runs a `matter` verb.
pub fn run(verb: MatterVerb, lang: Language) -> Result<String, CliError> {
    match verb {
        MatterVerb::Submit(args) => submit(args, lang),
        MatterVerb::Show { id, store, format } => show(&matter_id(&id)?, &store, format, lang),
        MatterVerb::List {
            store,
            body,
            state,
            party,
            kind,
            format,
        } => list(&store, body, state, party, kind, format, lang),
        MatterVerb::Forecast {
            id,
            store,
            target,
            latest_for: Some(goal),
            format,
        } if target.is_empty() => backward(&matter_id(&id)?, &store, &goal, format, lang),
        MatterVerb::Forecast {
            id,
            store,
            target,
            format,
            ..
        } => forecast(&matter_id(&id)?, &store, &target, format, lang),
    }
}

fn submit(args: SubmitArgs, lang: Language) -> Result<String, CliError> {
    let submission = match &args.file {
        Some(path) => read_data::<SubmitMatter>(path, "the submission")?,
        None => {
            let (Some(kind), Some(title), Some(body)) = (&args.kind, &args.title, &args.body)
            else {
                return Err(CliError::Usage(Usage::Submit("--kind, --title and --body")));
            };
            let mut s = SubmitMatter::new(kind_of(kind)?, title.as_str(), body.as_str());
            s.submitter = args.submitter.as_deref().map(PersonId::new);
            s.issuer = args.issuer.as_deref().map(BodyId::new);
            s.case_numbers = args.case_numbers.iter().cloned().collect();
            if let Some(id) = &args.id {
                s.id = Some(matter_id(id)?);
            }
            s
        }
    };
    let opened = open(&args.store)?;
    let engine = &opened.engine;
    let actor = crate::open::actor(&args.store, engine.org())?;
    let command = Command::Matter {
        matter: submission.id,
        command: arende_core::matter::MatterCommand::Submit(submission),
    };
    let outcome = engine.execute(&actor, command, CommandOptions::default())?;
    let version = outcome.version();
    let duplicate = outcome.duplicate();
    let executed = outcome.into_matter().ok_or(CliError::Input {
        what: "submit".into(),
        message: "the engine answered for another aggregate".into(),
    })?;
    let id = executed.state.id.map(|i| i.to_string()).unwrap_or_default();
    Ok(match args.format {
        Format::Json => {
            json_out(&json!({"matter": id, "version": version, "duplicate": duplicate}))
        }
        Format::Text => {
            let body = crate::show::body_name(engine.org(), &executed.state.body);
            match lang {
                Language::Swedish => format!(
                    "Ärendet {id} är anmält till {body} ({}), version {version}{}\n",
                    executed.state.body,
                    if duplicate {
                        " (redan anmält: inget nytt skrevs)"
                    } else {
                        ""
                    }
                ),
                Language::English => format!(
                    "Matter {id} is submitted to {body} ({}), version {version}{}\n",
                    executed.state.body,
                    if duplicate {
                        " (already submitted: nothing new written)"
                    } else {
                        ""
                    }
                ),
            }
        }
    })
}

/// A stored event's day in Sweden.
fn day(e: &RecordedEvent) -> NaiveDate {
    e.recorded_at
        .with_timezone(&chrono_tz::Europe::Stockholm)
        .date_naive()
}

/// The meeting and § an event names (its `minutes`, or a meeting it is scheduled on).
fn where_of(payload: &Value) -> Option<String> {
    fn find(v: &Value, depth: u32) -> Option<String> {
        if depth > 8 {
            return None;
        }
        match v {
            Value::Object(map) => {
                if let (Some(Value::String(m)), Some(Value::Number(p))) =
                    (map.get("meeting"), map.get("paragraph"))
                {
                    return Some(format!("{m} § {p}"));
                }
                map.values().find_map(|x| find(x, depth + 1))
            }
            Value::Array(a) => a.iter().find_map(|x| find(x, depth + 1)),
            _ => None,
        }
    }
    fn meeting(v: &Value, depth: u32) -> Option<String> {
        if depth > 8 {
            return None;
        }
        match v {
            Value::Object(map) => match map.get("meeting") {
                Some(Value::String(m)) => Some(m.clone()),
                _ => map.values().find_map(|x| meeting(x, depth + 1)),
            },
            _ => None,
        }
    }
    find(payload, 0).or_else(|| meeting(payload, 0))
}

fn status_text(m: &Matter, lang: Language) -> &'static str {
    match lang {
        Language::Swedish => m.status.swedish(),
        Language::English => m.status.name(),
    }
}

fn kind_text(k: MatterKind, lang: Language) -> &'static str {
    match lang {
        Language::Swedish => k.swedish(),
        Language::English => k.name(),
    }
}

fn show(
    id: &MatterId,
    store: &StoreArgs,
    format: Format,
    lang: Language,
) -> Result<String, CliError> {
    let opened = open(store)?;
    let engine = &opened.engine;
    let org = engine.org();
    let (matter, version) = engine.read().matter_and_version(*id)?;
    let stream = arende_core::deployment::CountyEngine::stream_of::<Matter>(&id.to_string());
    let history = engine
        .store()
        .read_stream(&org.tenant, &stream, 1)
        .map_err(arende_core::Error::from)?;
    let forecast = engine.read().forecast(*id, &[]).ok();
    let next: Vec<(String, String, Option<String>, Option<NaiveDate>)> = matter
        .active
        .iter()
        .map(|a| {
            let date = forecast
                .as_ref()
                .and_then(|f| f.step(a.step.as_str()))
                .and_then(|s| s.date);
            let purpose = arende_core::forecast::purpose_text(a.purpose, lang).to_owned();
            (
                a.step.to_string(),
                purpose,
                a.body.as_ref().map(|b| b.to_string()),
                date,
            )
        })
        .collect();
    if format == Format::Json {
        let history: Vec<Value> = history
            .iter()
            .map(|e| {
                let payload: Value = serde_json::from_str(&e.payload).unwrap_or(Value::Null);
                json!({
                    "version": e.version,
                    "date": day(e).to_string(),
                    "type": e.event_type,
                    "what": words::event(&e.event_type, lang),
                    "actor": e.actor,
                    "at": where_of(&payload),
                })
            })
            .collect();
        let next: Vec<Value> = next
            .iter()
            .map(|(step, purpose, body, date)| {
                json!({"step": step, "purpose": purpose, "body": body, "forecast": date.map(|d| d.to_string())})
            })
            .collect();
        return Ok(json_out(&json!({
            "matter": matter,
            "version": version,
            "history": history,
            "next": next,
        })));
    }
    let sv = lang == Language::Swedish;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {id}: {}",
        if sv { "Ärende" } else { "Matter" },
        matter.title
    );
    let _ = writeln!(
        out,
        "{}: {} · {}: {} · {}: {} ({})",
        if sv { "Typ" } else { "Kind" },
        kind_text(matter.kind, lang),
        if sv { "Läge" } else { "State" },
        status_text(&matter, lang),
        if sv { "Organ" } else { "Body" },
        crate::show::body_name(org, &matter.body),
        matter.body
    );
    if let Some(route) = &matter.route {
        let name = org.route(route).map_or("", |r| r.name());
        let _ = writeln!(
            out,
            "{}: {name} ({route})",
            if sv { "Beslutsväg" } else { "Route" }
        );
    }
    if !matter.case_numbers.is_empty() {
        let numbers: Vec<String> = matter
            .case_numbers
            .iter()
            .map(|(p, n)| format!("{p} {n}"))
            .collect();
        let _ = writeln!(
            out,
            "{}: {}",
            if sv { "Diarienummer" } else { "Case numbers" },
            numbers.join(", ")
        );
    }
    if let Some(from) = matter.in_force_from {
        let _ = writeln!(
            out,
            "{}: {from}",
            if sv { "I kraft från" } else { "In force from" }
        );
    }
    let _ = writeln!(out, "Version: {version}");
    let _ = writeln!(out, "\n{}:", if sv { "Historik" } else { "History" });
    for e in &history {
        let payload: Value = serde_json::from_str(&e.payload).unwrap_or(Value::Null);
        let at = where_of(&payload)
            .map(|w| format!(" — {w}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {}  v{:<3} {}{at} ({})",
            day(e),
            e.version,
            words::event(&e.event_type, lang),
            e.actor
        );
    }
    let _ = writeln!(out, "\n{}:", if sv { "Nästa steg" } else { "Next steps" });
    if next.is_empty() {
        let _ = writeln!(out, "  {}", if sv { "inga" } else { "none" });
    }
    for (step, purpose, body, date) in &next {
        let mut line = format!("  {step}: {purpose}");
        if let Some(b) = body {
            let _ = write!(
                line,
                " {} {} ({b})",
                if sv { "i" } else { "at" },
                crate::show::body_name(org, &BodyId::new(b.as_str()))
            );
        }
        if let Some(d) = date {
            let _ = write!(line, ", {} {d}", if sv { "prognos" } else { "forecast" });
        }
        let _ = writeln!(out, "{line}");
    }
    Ok(out)
}

fn at_body(m: &Matter, body: &BodyId) -> bool {
    &m.body == body || m.active.iter().any(|a| a.body.as_ref() == Some(body))
}

fn in_state(m: &Matter, state: &str) -> bool {
    let name = m.status.name();
    name == state || m.status.swedish() == state || name.split(':').next() == Some(state)
}

#[allow(clippy::too_many_arguments)]
fn list(
    store: &StoreArgs,
    body: Option<String>,
    state: Option<String>,
    party: Option<String>,
    kind: Option<String>,
    format: Format,
    lang: Language,
) -> Result<String, CliError> {
    let opened = open(store)?;
    let engine = &opened.engine;
    let org = engine.org();
    let body = body.map(|b| check_body(org, &b)).transpose()?;
    let party = party.map(|p| check_party(org, &p)).transpose()?;
    let kind = kind.map(|k| kind_of(&k)).transpose()?;
    let mut matters: Vec<Matter> = engine
        .read()
        .all_of::<Matter>()?
        .into_iter()
        .map(|(_, m)| m)
        .filter(|m| m.exists())
        .filter(|m| body.as_ref().is_none_or(|b| at_body(m, b)))
        .filter(|m| state.as_deref().is_none_or(|s| in_state(m, s)))
        .filter(|m| {
            party
                .as_ref()
                .is_none_or(|p| m.case_numbers.contains_key(p) || m.political.contains_key(p))
        })
        .filter(|m| kind.is_none_or(|k| m.kind == k))
        .collect();
    matters.sort_by_key(|m| (m.registered_on, m.id));
    if format == Format::Json {
        let list: Vec<Value> = matters
            .iter()
            .map(|m| {
                json!({
                    "matter": m.id.map(|i| i.to_string()),
                    "title": m.title,
                    "kind": m.kind.name(),
                    "state": m.status.name(),
                    "body": m.body,
                    "route": m.route,
                    "version": m.version,
                    "registered_on": m.registered_on,
                })
            })
            .collect();
        return Ok(json_out(&Value::Array(list)));
    }
    let mut out = String::new();
    if matters.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            if lang == Language::Swedish {
                "Inga ärenden."
            } else {
                "No matters."
            }
        );
    }
    for m in &matters {
        let _ = writeln!(
            out,
            "{}  {}  {:<24} {:<16} {:<14} {}",
            m.id.map(|i| i.to_string()).unwrap_or_default(),
            m.registered_on,
            status_text(m, lang),
            kind_text(m.kind, lang),
            m.body,
            m.title
        );
    }
    Ok(out)
}

fn check_body(org: &Organisation, b: &str) -> Result<BodyId, CliError> {
    crate::show::body(org, b).map(|x| x.id.clone())
}

fn check_party(org: &Organisation, p: &str) -> Result<PartyId, CliError> {
    let id = PartyId::new(p);
    if org.party(&id).is_none() {
        return Err(CliError::Unknown {
            kind: "party",
            id: p.to_owned(),
            known: org.parties.keys().map(|x| x.to_string()).collect(),
        });
    }
    Ok(id)
}

/// The first line of a matter's forecast or backward plan.
fn heading(id: &MatterId, title: &str, lang: Language) -> String {
    match lang {
        Language::Swedish => format!("Ärende {id}: {title}\n"),
        Language::English => format!("Matter {id}: {title}\n"),
    }
}

fn backward(
    id: &MatterId,
    store: &StoreArgs,
    goal: &Goal,
    format: Format,
    lang: Language,
) -> Result<String, CliError> {
    let opened = open(store)?;
    let engine = &opened.engine;
    let org = engine.org();
    if let Goal::Meeting { body, .. } = goal {
        crate::show::body(org, body.as_str())?;
    }
    let matter = engine.read().matter(*id)?;
    let plan = engine.read().plan_backward(*id, goal)?;
    let route = crate::show::route(org, plan.route.as_str())?;
    Ok(match format {
        Format::Json => {
            let mut v = crate::forecast::backward_json(org, route, &plan, lang);
            v["matter"] = json!(id.to_string());
            json_out(&v)
        }
        Format::Text => {
            let mut out = heading(id, &matter.title, lang);
            out.push_str(&crate::forecast::backward_text(org, route, &plan, lang));
            out
        }
    })
}

fn forecast(
    id: &MatterId,
    store: &StoreArgs,
    targets: &[Target],
    format: Format,
    lang: Language,
) -> Result<String, CliError> {
    let opened = open(store)?;
    let engine = &opened.engine;
    let org = engine.org();
    for t in targets {
        crate::show::body(org, t.body.as_str())?;
    }
    let matter = engine.read().matter(*id)?;
    let f = engine.read().forecast(*id, targets)?;
    let route = crate::show::route(org, f.route.as_str())?;
    Ok(match format {
        Format::Json => {
            let mut v = crate::forecast::to_json(org, route, &f, lang);
            v["matter"] = json!(id.to_string());
            json_out(&v)
        }
        Format::Text => {
            let done: Vec<(String, NaiveDate)> = Vec::new();
            let mut out = heading(id, &matter.title, lang);
            out.push_str(&crate::forecast::timeline(org, route, &f, &done, lang));
            out
        }
    })
}
