//! `arende forecast`: the schedule of a route's remaining steps as a Swedish (or
//! English) timeline or as JSON, with the answer for a target and what-if differences.

use std::fmt::Write as _;

use arende_core::forecast::{
    Assumption, BackwardPlan, Bound, Durations, Forecast, ForecastInput, Forecaster, StepForecast,
    WhatIf, purpose_text,
};
use arende_core::ids::MeetingId;
use arende_core::notification::Language;
use arende_core::org::{LeadTime, Organisation, check_date, offset_date};
use arende_core::route::{Purpose, Route};
use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::error::CliError;
use crate::show::{body_name, lead_time};
use crate::{ForecastArgs, Format};

/// Every purpose, for parsing `--purpose`.
pub const PURPOSES: [Purpose; 10] = [
    Purpose::Drafting,
    Purpose::Information,
    Purpose::Preparation,
    Purpose::Consultation,
    Purpose::ReadinessCheck,
    Purpose::Decision,
    Purpose::Recommendation,
    Purpose::PoliticalDecision,
    Purpose::EntryIntoForce,
    Purpose::FollowUp,
];

/// Checks every date option to be a supported date, every week count to be at most ten
/// years, and `--what-if-later` to keep the ready date inside the supported dates, so
/// that no option can move a date out of the calendar.
fn check_options(args: &ForecastArgs) -> Result<(), CliError> {
    let date = |option: &'static str, d| {
        check_date(option, d).map_err(|source| CliError::Option { option, source })
    };
    date("--ready", args.ready)?;
    for (_, d) in &args.done {
        date("--done", *d)?;
    }
    if let Some(t) = &args.target {
        date("--target", t.date)?;
    }
    if let Some(g) = &args.latest_for {
        date("--latest-for", g.date())?;
    }
    for (_, d) in &args.what_if_meeting {
        date("--what-if-meeting", *d)?;
    }
    for (option, weeks) in [
        ("--remiss-weeks", args.remiss_weeks),
        ("--processing-weeks", args.processing_weeks),
        ("--political-weeks", args.political_weeks),
        ("--what-if-remiss-weeks", args.what_if_remiss_weeks),
    ] {
        if let Some(w) = weeks
            && !LeadTime::Weeks(w).within_bounds()
        {
            return Err(CliError::TooManyWeeks { option, weeks: w });
        }
    }
    if let Some(days) = args.what_if_later {
        offset_date("--what-if-later", args.ready, days).map_err(|source| CliError::Option {
            option: "--what-if-later",
            source,
        })?;
    }
    Ok(())
}

/// Runs `arende forecast`.
pub fn run(args: ForecastArgs, lang: Language) -> Result<String, CliError> {
    let org = crate::load(&args.config)?;
    let route = crate::show::route(&org, &args.route)?;
    check_options(&args)?;
    let mut input = ForecastInput::new(route, args.ready).durations(Durations {
        remiss_period: args.remiss_weeks.map(LeadTime::Weeks),
        processing: args.processing_weeks.map(LeadTime::Weeks),
        to_political: args.political_weeks.map(LeadTime::Weeks),
    });
    for (step, date) in &args.done {
        if route.step(&step.as_str().into()).is_none() {
            return Err(CliError::Unknown {
                kind: "step",
                id: step.clone(),
                known: route.steps().map(|s| s.id.to_string()).collect(),
            });
        }
        input = input.completed(step.as_str(), *date);
    }
    if let Some(mut target) = args.target.clone() {
        crate::show::body(&org, target.body.as_str())?;
        target.purpose = args.purpose;
        input = input.target(target);
    }
    let mut assumptions = Vec::new();
    if let Some(days) = args.what_if_later {
        assumptions.push(Assumption::ReadyLater { days });
    }
    for (body, date) in &args.what_if_meeting {
        crate::show::body(&org, body.as_str())?;
        assumptions.push(Assumption::ExtraMeeting {
            body: body.clone(),
            date: *date,
        });
    }
    for m in &args.what_if_cancel {
        assumptions.push(Assumption::CancelMeeting {
            meeting: MeetingId::new(m.as_str()),
        });
    }
    if let Some(w) = args.what_if_remiss_weeks {
        assumptions.push(Assumption::RemissPeriod {
            period: LeadTime::Weeks(w),
        });
    }
    let forecaster = Forecaster::new(&org);
    if let Some(goal) = &args.latest_for {
        if let arende_core::forecast::Goal::Meeting { body, .. } = goal {
            crate::show::body(&org, body.as_str())?;
        }
        let mut goal = goal.clone();
        if let arende_core::forecast::Goal::Meeting { purpose, .. } = &mut goal {
            *purpose = args.purpose;
        }
        let plan = forecaster.plan_backward(&input, &goal)?;
        return Ok(match args.format {
            Format::Json => {
                let mut s = serde_json::to_string_pretty(&backward_json(&org, route, &plan, lang))
                    .unwrap_or_default();
                s.push('\n');
                s
            }
            Format::Text => backward_text(&org, route, &plan, lang),
        });
    }
    let (forecast, what_if) = if assumptions.is_empty() {
        (forecaster.forecast(&input)?, None)
    } else {
        let w = forecaster.what_if(&input, &assumptions)?;
        (w.base.clone(), Some(w))
    };
    Ok(match args.format {
        Format::Json => {
            let mut v = to_json(&org, route, &forecast, lang);
            if let Some(w) = &what_if {
                v["what_if"] = what_if_json(w, &assumptions, lang);
            }
            let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Text => {
            let mut s = timeline(&org, route, &forecast, &args.done, lang);
            if let Some(w) = &what_if {
                s.push_str(&what_if_text(w, &assumptions, lang));
            }
            s
        }
    })
}

fn bound_json(b: &Bound, lang: Language) -> Value {
    let mut v = serde_json::to_value(b).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut v {
        map.insert("text".into(), Value::String(b.describe(lang)));
    }
    v
}

fn step_json(org: &Organisation, route: &Route, s: &StepForecast, lang: Language) -> Value {
    json!({
        "step": s.step,
        "name": route.step(&s.step).map(|x| x.name.as_str()),
        "body": s.body,
        "body_name": s.body.as_ref().map(|b| body_name(org, b)),
        "purpose": s.purpose.name(),
        "purpose_text": purpose_text(s.purpose, lang),
        "date": s.date,
        "meeting": s.meeting,
        "cutoff": s.cutoff,
        "call_for_matters": s.call_for_matters,
        "documents_ready": s.documents_ready,
        "minutes_final": s.minutes_final,
        "consultation": s.consultation,
        "parties": s.parties,
        "bound_by": bound_json(&s.bound_by, lang),
    })
}

/// The forecast as the JSON object of `--format json`.
pub fn to_json(org: &Organisation, route: &Route, f: &Forecast, lang: Language) -> Value {
    let mut v = json!({
        "route": f.route,
        "ready": f.ready,
        "steps": f.steps.iter().map(|s| step_json(org, route, s, lang)).collect::<Vec<_>>(),
    });
    if let Some(t) = &f.target {
        v["target"] = json!({
            "body": t.target.body,
            "date": t.target.date,
            "step": t.step,
            "purpose": t.purpose.name(),
            "reachable": t.reachable,
            "earliest": t.earliest,
            "earliest_meeting": t.earliest_meeting,
            "reason": t.reason.as_ref().map(|m| m.describe(lang)),
            "miss": t.reason,
            "reachable_instead": t.reachable_instead.iter().map(|(s, p)| json!({"step": s, "purpose": p.name()})).collect::<Vec<_>>(),
            "text": t.describe(lang),
        });
    }
    v
}

fn assumption_text(a: &Assumption, lang: Language) -> String {
    match (a, lang) {
        (Assumption::ReadyLater { days }, Language::Swedish) => {
            format!("underlaget blir klart {days} dagar senare")
        }
        (Assumption::ReadyLater { days }, Language::English) => {
            format!("the documents are ready {days} days later")
        }
        (Assumption::ExtraMeeting { body, date }, Language::Swedish) => {
            format!("extra möte {body} {date}")
        }
        (Assumption::ExtraMeeting { body, date }, Language::English) => {
            format!("an extra meeting of {body} on {date}")
        }
        (Assumption::CancelMeeting { meeting }, Language::Swedish) => {
            format!("mötet {meeting} ställs in")
        }
        (Assumption::CancelMeeting { meeting }, Language::English) => {
            format!("the meeting {meeting} is cancelled")
        }
        (Assumption::RemissPeriod { period }, _) => match lang {
            Language::Swedish => format!("remisstiden är {}", lead_time(*period, lang)),
            Language::English => format!("the remiss period is {}", lead_time(*period, lang)),
        },
        (other, _) => format!("{other:?}"),
    }
}

fn what_if_json(w: &WhatIf, assumptions: &[Assumption], lang: Language) -> Value {
    json!({
        "assumptions": assumptions.iter().map(|a| assumption_text(a, lang)).collect::<Vec<_>>(),
        "steps": w.differences,
        "target": w.changed.target.as_ref().map(|t| json!({
            "reachable": t.reachable,
            "earliest": t.earliest,
            "reason": t.reason.as_ref().map(|m| m.describe(lang)),
        })),
    })
}

fn what_if_text(w: &WhatIf, assumptions: &[Assumption], lang: Language) -> String {
    let mut out = String::new();
    let list: Vec<String> = assumptions
        .iter()
        .map(|a| assumption_text(a, lang))
        .collect();
    let _ = match lang {
        Language::Swedish => writeln!(out, "\nOm {}:", list.join(", ")),
        Language::English => writeln!(out, "\nWhat if {}:", list.join(", ")),
    };
    let unknown = match lang {
        Language::Swedish => "okänt",
        Language::English => "unknown",
    };
    let width = w
        .differences
        .iter()
        .map(|d| d.step.as_str().len())
        .max()
        .unwrap_or(0);
    for d in &w.differences {
        let show = |x: Option<chrono::NaiveDate>| x.map_or(unknown.to_string(), |d| d.to_string());
        let change = match (d.days, lang) {
            (Some(0), Language::Swedish) => "oförändrat".to_string(),
            (Some(0), Language::English) => "unchanged".to_string(),
            (Some(n), Language::Swedish) => format!("{n:+} dagar"),
            (Some(n), Language::English) => format!("{n:+} days"),
            (None, _) if !d.changed() => match lang {
                Language::Swedish => "oförändrat".to_string(),
                Language::English => "unchanged".to_string(),
            },
            (None, _) => "".to_string(),
        };
        let _ = writeln!(
            out,
            "  {:<width$}  {} → {}  {change}",
            d.step.as_str(),
            show(d.before),
            show(d.after)
        );
    }
    if let Some(t) = &w.changed.target {
        let _ = writeln!(out, "  {}", t.describe(lang));
    }
    out
}

/// The readable timeline of `--format text`.
pub(crate) fn timeline(
    org: &Organisation,
    route: &Route,
    f: &Forecast,
    done: &[(String, NaiveDate)],
    lang: Language,
) -> String {
    let mut out = String::new();
    let (title, ready_h, done_h, unknown, cut_h, call_h, bound_h) = match lang {
        Language::Swedish => (
            "Prognos för",
            "Underlaget klart",
            "Redan tagna steg",
            "okänt",
            "kallelse",
            "anmäl senast",
            "begränsas av",
        ),
        Language::English => (
            "Forecast for",
            "Documents ready",
            "Steps already taken",
            "unknown",
            "notice",
            "submit by",
            "bound by",
        ),
    };
    let _ = writeln!(out, "{title} {} ({})", route.name(), f.route);
    let _ = writeln!(out, "{ready_h}: {}", f.ready);
    if !done.is_empty() {
        let done: Vec<String> = done.iter().map(|(s, d)| format!("{s} {d}")).collect();
        let _ = writeln!(out, "{done_h}: {}", done.join(", "));
    }
    out.push('\n');
    for s in &f.steps {
        let date = s.date.map_or(unknown.to_string(), |d| d.to_string());
        let name = route.step(&s.step).map_or("", |x| x.name.as_str());
        let _ = writeln!(out, "{date:<10}  {name} ({})", s.step);
        let mut what = purpose_text(s.purpose, lang).to_string();
        if let Some(b) = &s.body {
            let by = match (s.purpose, lang) {
                (Purpose::Consultation, Language::Swedish) => "från",
                (Purpose::Consultation, Language::English) => "from",
                (_, Language::Swedish) => "i",
                (_, Language::English) => "at",
            };
            let _ = write!(what, " {by} {} ({b})", body_name(org, b));
        }
        let _ = writeln!(out, "{:<10}  {what}", "");
        if let (Some(cut), Some(call)) = (s.cutoff, s.call_for_matters) {
            let _ = writeln!(out, "{:<10}  {cut_h} {cut}, {call_h} {call}", "");
        }
        if let Some(c) = &s.consultation {
            let _ = match lang {
                Language::Swedish => writeln!(
                    out,
                    "{:<10}  skickas {}, svar senast {}, svaren inarbetade {}",
                    "", c.sent, c.deadline, c.processed
                ),
                Language::English => writeln!(
                    out,
                    "{:<10}  sent {}, responses due {}, worked in by {}",
                    "", c.sent, c.deadline, c.processed
                ),
            };
        }
        if !s.parties.is_empty() {
            if let Some(ready) = s.parties.first().map(|p| p.documents_ready) {
                let _ = match lang {
                    Language::Swedish => {
                        writeln!(out, "{:<10}  underlaget till parterna {ready}", "")
                    }
                    Language::English => {
                        writeln!(out, "{:<10}  documents to the parties {ready}", "")
                    }
                };
            }
            // In date order, parties beyond their plan last.
            let mut parties: Vec<_> = s.parties.iter().collect();
            parties.sort_by_key(|p| (p.date.is_none(), p.date));
            for p in parties {
                let party = org.party(&p.party).map_or(p.party.as_str(), |x| &x.name);
                let line = match (p.date, p.legal_force, lang) {
                    (Some(d), lf, _) if p.decided.is_some() => {
                        let what = p.decided.map_or("", |x| match lang {
                            Language::Swedish => x.swedish(),
                            Language::English => x.english(),
                        });
                        let force = match (lf, lang) {
                            (Some(lf), Language::Swedish) => format!(", laga kraft {lf}"),
                            (Some(lf), Language::English) => format!(", final {lf}"),
                            (None, _) => String::new(),
                        };
                        format!("{d}  {party} ({}), {what}{force}", p.body)
                    }
                    (Some(d), Some(lf), Language::Swedish) => {
                        format!("{d}  {party} ({}), laga kraft {lf}", p.body)
                    }
                    (Some(d), Some(lf), Language::English) => {
                        format!("{d}  {party} ({}), final {lf}", p.body)
                    }
                    (_, _, Language::Swedish) => format!(
                        "{unknown:<10}  {party} ({}): bortom känd sammanträdesplan{}",
                        p.body,
                        p.plan_ends
                            .map(|e| format!(" (slutar {e})"))
                            .unwrap_or_default()
                    ),
                    (_, _, Language::English) => format!(
                        "{unknown:<10}  {party} ({}): beyond the known meeting plan{}",
                        p.body,
                        p.plan_ends
                            .map(|e| format!(" (ends {e})"))
                            .unwrap_or_default()
                    ),
                };
                let _ = writeln!(out, "{:<10}    {line}", "");
            }
        }
        let _ = writeln!(out, "{:<10}  {bound_h}: {}", "", s.bound_by.describe(lang));
    }
    if let Some(t) = &f.target {
        let _ = match lang {
            Language::Swedish => writeln!(out, "\nMål: {}", t.describe(lang)),
            Language::English => writeln!(out, "\nTarget: {}", t.describe(lang)),
        };
    }
    out
}

/// A backward plan as JSON: the plan's fields, each step with its name and texts, without
/// the forward forecast it was measured against.
pub fn backward_json(
    org: &Organisation,
    route: &Route,
    plan: &BackwardPlan,
    lang: Language,
) -> Value {
    let steps: Vec<Value> = plan
        .steps
        .iter()
        .map(|s| {
            let mut v = serde_json::to_value(s).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut v {
                map.insert(
                    "name".into(),
                    json!(route.step(&s.step).map(|x| x.name.as_str())),
                );
                map.insert(
                    "body_name".into(),
                    json!(s.body.as_ref().map(|b| body_name(org, b))),
                );
                map.insert("purpose_text".into(), json!(purpose_text(s.purpose, lang)));
                map.insert("in_time".into(), json!(s.in_time()));
            }
            v
        })
        .collect();
    json!({
        "route": plan.route,
        "goal": plan.goal,
        "goal_step": plan.goal_step,
        "ready": plan.ready,
        "documents_by": plan.documents_by,
        "feasible": plan.feasible,
        "slack_days": plan.slack_days,
        "tightest": plan.tightest,
        "steps": steps,
    })
}

fn days_text(days: i64, lang: Language) -> String {
    match (lang, days) {
        (Language::Swedish, 1 | -1) => format!("{} dag", days.abs()),
        (Language::Swedish, _) => format!("{} dagar", days.abs()),
        (Language::English, 1 | -1) => format!("{} day", days.abs()),
        (Language::English, _) => format!("{} days", days.abs()),
    }
}

fn slack_text(slack: Option<i64>, lang: Language) -> String {
    let sv = lang == Language::Swedish;
    match slack {
        Some(d) if d >= 0 => {
            if sv {
                format!("marginal {}", days_text(d, lang))
            } else {
                format!("slack {}", days_text(d, lang))
            }
        }
        Some(d) => {
            if sv {
                format!("{} för sent", days_text(d, lang))
            } else {
                format!("{} late", days_text(d, lang))
            }
        }
        None if sv => "marginal okänd".to_owned(),
        None => "slack unknown".to_owned(),
    }
}

fn date_text(d: Option<NaiveDate>, lang: Language) -> String {
    match (d, lang) {
        (Some(d), _) => d.to_string(),
        (None, Language::Swedish) => "inget möte i planen hinner".to_owned(),
        (None, Language::English) => "no meeting in the plan makes it".to_owned(),
    }
}

/// A backward plan as a readable list: per step the latest day, the last meeting that
/// makes it, when its documents must be ready, and the slack against the forecast.
pub fn backward_text(
    org: &Organisation,
    route: &Route,
    plan: &BackwardPlan,
    lang: Language,
) -> String {
    let sv = lang == Language::Swedish;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} ({}: {})",
        if sv {
            "Bakåtplanering mot"
        } else {
            "Backward plan towards"
        },
        plan.goal,
        if sv { "beslutsväg" } else { "route" },
        route.id(),
    );
    let verdict = match (plan.feasible, sv) {
        (true, true) => "Målet kan nås",
        (true, false) => "The goal can be made",
        (false, true) => "Målet kan inte nås",
        (false, false) => "The goal cannot be made",
    };
    match plan.tightest.as_ref().and_then(|t| route.step(t)) {
        Some(t) => {
            let _ = writeln!(
                out,
                "{verdict} ({} {} {}).",
                slack_text(plan.slack_days, lang),
                if sv { "vid" } else { "at" },
                t.name
            );
        }
        None => {
            let _ = writeln!(out, "{verdict}.");
        }
    }
    if let Some(d) = plan.documents_by {
        let _ = writeln!(
            out,
            "{} {d}; {} {}.",
            if sv {
                "Handlingarna ska vara klara senast"
            } else {
                "The documents must be ready by"
            },
            if sv {
                "de är klara"
            } else {
                "they are ready on"
            },
            plan.ready,
        );
    }
    for s in &plan.steps {
        let name = route
            .step(&s.step)
            .map_or(s.step.as_str(), |x| x.name.as_str());
        let at = s
            .body
            .as_ref()
            .map(|b| format!(" — {}", body_name(org, b)))
            .unwrap_or_default();
        let _ = writeln!(out, "\n{name} ({}){at}", purpose_text(s.purpose, lang));
        let _ = writeln!(
            out,
            "  {} {}{}",
            if sv { "senast" } else { "latest" },
            date_text(s.latest, lang),
            s.meeting
                .as_ref()
                .map(|m| format!(" ({m})"))
                .unwrap_or_default()
        );
        if let Some(d) = s.documents_by {
            let _ = writeln!(
                out,
                "  {} {d}",
                if sv {
                    "handlingar klara senast"
                } else {
                    "documents ready by"
                }
            );
        }
        if let Some(d) = s.call_for_matters {
            let _ = writeln!(
                out,
                "  {} {d}",
                if sv {
                    "anmäl ärendet senast"
                } else {
                    "register the matter by"
                }
            );
        }
        if let Some(e) = s.earliest {
            let _ = writeln!(
                out,
                "  {} {e}, {}",
                if sv { "tidigast" } else { "earliest" },
                slack_text(s.slack_days, lang)
            );
        }
        for p in &s.parties {
            let _ = writeln!(
                out,
                "  {}: {} {}{}, {}",
                p.party,
                if sv { "senast" } else { "latest" },
                date_text(p.latest, lang),
                p.earliest
                    .map(|e| format!(" ({} {e})", if sv { "tidigast" } else { "earliest" }))
                    .unwrap_or_default(),
                slack_text(p.slack_days, lang)
            );
        }
    }
    out
}
