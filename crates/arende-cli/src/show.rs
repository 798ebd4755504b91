//! Text output of `check`, `route` and `calendar`, and the lookups they share.

use std::fmt::Write as _;
use std::path::Path;

use arende_core::forecast::purpose_text;
use arende_core::ids::BodyId;
use arende_core::notification::Language;
use arende_core::org::{Body, LeadTime, MeetingStatus, Organisation, PlannedMeeting};
use arende_core::route::{Dependency, Purpose, Route};

use crate::error::CliError;

/// A route by id, or an error listing the routes there are.
pub fn route<'o>(org: &'o Organisation, id: &str) -> Result<&'o Route, CliError> {
    org.routes.get(id).ok_or_else(|| CliError::Unknown {
        kind: "route",
        id: id.to_string(),
        known: org.routes.keys().map(ToString::to_string).collect(),
    })
}

/// A body by id, or an error listing the bodies there are.
pub fn body<'o>(org: &'o Organisation, id: &str) -> Result<&'o Body, CliError> {
    org.bodies.get(id).ok_or_else(|| CliError::Unknown {
        kind: "body",
        id: id.to_string(),
        known: org.bodies.keys().map(ToString::to_string).collect(),
    })
}

/// A body's name, or its id when unknown.
pub fn body_name<'o>(org: &'o Organisation, id: &'o BodyId) -> &'o str {
    org.body(id).map_or(id.as_str(), |b| b.name.as_str())
}

/// A lead time in words.
pub fn lead_time(t: LeadTime, lang: Language) -> String {
    match (t, lang) {
        (LeadTime::Days(1), Language::Swedish) => "1 dag".into(),
        (LeadTime::Days(n), Language::Swedish) => format!("{n} dagar"),
        (LeadTime::Weeks(1), Language::Swedish) => "1 vecka".into(),
        (LeadTime::Weeks(n), Language::Swedish) => format!("{n} veckor"),
        (LeadTime::Months(1), Language::Swedish) => "1 månad".into(),
        (LeadTime::Months(n), Language::Swedish) => format!("{n} månader"),
        (t, Language::English) => t.to_string(),
    }
}

/// `arende check`: a short summary of a valid configuration.
pub fn summary(org: &Organisation, path: &Path, lang: Language) -> String {
    let (parties, bodies, people, routes, meetings) = (
        org.parties.len(),
        org.bodies.len(),
        org.people.len(),
        org.routes.len(),
        org.meetings.len(),
    );
    let span = match (org.meetings.first(), org.meetings.last()) {
        (Some(a), Some(b)) => format!(" ({}–{})", a.date, b.date),
        _ => String::new(),
    };
    match lang {
        Language::Swedish => format!(
            "{}: giltig konfiguration för {} (version {})\n  {parties} parter, {bodies} organ, {people} personer, {routes} beslutsvägar, {meetings} planerade möten{span}\n",
            path.display(),
            org.name,
            org.version
        ),
        Language::English => format!(
            "{}: valid configuration for {} (version {})\n  {parties} parties, {bodies} bodies, {people} people, {routes} routes, {meetings} planned meetings{span}\n",
            path.display(),
            org.name,
            org.version
        ),
    }
}

/// `arende route --format text`: the steps in order and the edges.
pub fn route_text(org: &Organisation, route: &Route, lang: Language) -> String {
    let mut out = String::new();
    let (title, steps_h, edges_h) = match lang {
        Language::Swedish => ("Beslutsväg", "Steg (i ordning):", "Kanter:"),
        Language::English => ("Route", "Steps (in order):", "Edges:"),
    };
    let _ = writeln!(out, "{title} {}: {}", route.id(), route.name());
    let _ = writeln!(out, "{steps_h}");
    for (i, s) in route.steps().enumerate() {
        let _ = write!(
            out,
            "  {:>2}. {}: {} — {}",
            i + 1,
            s.id,
            s.name,
            purpose_text(s.purpose, lang)
        );
        if let Some(b) = &s.body {
            let _ = write!(
                out,
                " {} {} ({b})",
                if lang == Language::Swedish { "i" } else { "at" },
                body_name(org, b)
            );
        }
        if s.purpose == Purpose::PoliticalDecision && s.body.is_none() {
            let n = if s.parties.is_empty() {
                org.signatories().count()
            } else {
                s.parties.len()
            };
            let _ = match lang {
                Language::Swedish => {
                    write!(out, " ({n} parter, var och en i sitt politiska organ)")
                }
                Language::English => write!(out, " ({n} parties, each at its own political body)"),
            };
        }
        if let Some(c) = &s.consultation {
            let who = if c.recipients.is_empty() {
                match lang {
                    Language::Swedish => "alla parter".to_string(),
                    Language::English => "every party".to_string(),
                }
            } else {
                c.recipients
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let _ = match lang {
                Language::Swedish => write!(
                    out,
                    "; svarstid {}, bearbetning {}; mottagare: {who}",
                    lead_time(c.period, lang),
                    lead_time(c.processing, lang)
                ),
                Language::English => write!(
                    out,
                    "; response period {}, processing {}; recipients: {who}",
                    lead_time(c.period, lang),
                    lead_time(c.processing, lang)
                ),
            };
        }
        if s.purpose == Purpose::EntryIntoForce {
            let _ = match (s.quorum, lang) {
                (Some(q), Language::Swedish) => write!(out, " (när {q} parter har beslutat)"),
                (Some(q), Language::English) => write!(out, " (when {q} parties have adopted)"),
                (None, Language::Swedish) => {
                    write!(out, " (när alla parters beslut vunnit laga kraft)")
                }
                (None, Language::English) => write!(out, " (when every party's decision is final)"),
            };
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{edges_h}");
    let mut edges: Vec<_> = route.edges().collect();
    edges.sort_by_key(|(a, b, _)| (route.position(a), route.position(b)));
    if edges.is_empty() {
        let _ = writeln!(
            out,
            "  {}",
            if lang == Language::Swedish {
                "(inga)"
            } else {
                "(none)"
            }
        );
    }
    for (a, b, dep) in edges {
        let how = match (dep, lang) {
            (Dependency::Decision, Language::Swedish) => "väntar på beslutet: justerat protokoll",
            (Dependency::Decision, Language::English) => "needs the decision: final minutes",
            (Dependency::SameProposal, Language::Swedish) => {
                "samma förslag: får kallas före, sammanträder efter"
            }
            (Dependency::SameProposal, Language::English) => {
                "same proposal: may be called before, meets after"
            }
        };
        let _ = writeln!(out, "  {a} → {b} ({how})");
    }
    out
}

/// The meetings a body takes part in: its own, and its joint sessions', in date order.
pub fn meetings_of<'o>(org: &'o Organisation, body: &BodyId) -> Vec<&'o PlannedMeeting> {
    let joint: Vec<&BodyId> = org.joint_sessions_of(body).map(|b| &b.id).collect();
    org.meetings
        .iter()
        .filter(|m| m.bodies.contains(body) || joint.iter().any(|j| m.bodies.contains(j)))
        .collect()
}

fn status(s: MeetingStatus, lang: Language) -> &'static str {
    match (s, lang) {
        (MeetingStatus::Tentative, Language::Swedish) => "preliminärt",
        (MeetingStatus::Confirmed, Language::Swedish) => "bekräftat",
        (MeetingStatus::Cancelled, Language::Swedish) => "inställt",
        (MeetingStatus::Tentative, Language::English) => "tentative",
        (MeetingStatus::Confirmed, Language::English) => "confirmed",
        (MeetingStatus::Cancelled, Language::English) => "cancelled",
    }
}

/// `arende calendar`: the meeting plan with call-for-matters and notice dates.
pub fn calendar_text(body: &Body, meetings: &[&PlannedMeeting], lang: Language) -> String {
    let mut out = String::new();
    let lt = &body.lead_times;
    match lang {
        Language::Swedish => {
            let _ = writeln!(out, "Sammanträdesplan: {} ({})", body.name, body.id);
            let _ = writeln!(
                out,
                "Inhämtning av frågor {} före, kallelse {} före, protokoll justerat {} efter\n",
                lead_time(lt.call_for_matters, lang),
                lead_time(lt.notice, lang),
                lead_time(lt.minutes_final, lang)
            );
            let _ = writeln!(
                out,
                "{:<10}  {:<11}  {:<14}  {:<10}  {:<11}  plats",
                "datum", "tid", "frågor senast", "kallelse", "status"
            );
        }
        Language::English => {
            let _ = writeln!(out, "Meeting plan: {} ({})", body.name, body.id);
            let _ = writeln!(
                out,
                "Call for matters {} before, notice {} before, minutes final {} after\n",
                lead_time(lt.call_for_matters, lang),
                lead_time(lt.notice, lang),
                lead_time(lt.minutes_final, lang)
            );
            let _ = writeln!(
                out,
                "{:<10}  {:<11}  {:<14}  {:<10}  {:<11}  location",
                "date", "time", "matters by", "notice", "status"
            );
        }
    }
    if meetings.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            match lang {
                Language::Swedish => "(inga planerade möten)",
                Language::English => "(no planned meetings)",
            }
        );
    }
    for m in meetings {
        let time = format!("{}–{}", m.start.format("%H:%M"), m.end.format("%H:%M"));
        let _ = write!(
            out,
            "{:<10}  {:<11}  {:<14}  {:<10}  {:<11}  {}",
            m.date.to_string(),
            time,
            m.call_for_matters.to_string(),
            m.notice.to_string(),
            status(m.status, lang),
            m.location.as_deref().unwrap_or("")
        );
        let others: Vec<&str> = m
            .bodies
            .iter()
            .filter(|b| **b != body.id)
            .map(|b| b.as_str())
            .collect();
        if !others.is_empty() {
            let _ = match lang {
                Language::Swedish => write!(out, "  (gemensamt: {})", others.join(", ")),
                Language::English => write!(out, "  (joint: {})", others.join(", ")),
            };
        }
        if let Some(from) = m.moved_from {
            let _ = match lang {
                Language::Swedish => write!(out, "  (flyttat från {from})"),
                Language::English => write!(out, "  (moved from {from})"),
            };
        }
        out.push('\n');
    }
    out
}
