//! The feeds a person or another system subscribes to, as plain functions of a county's
//! engine: iCalendar per body, per person and per matter (written by the core's one
//! iCalendar writer, [`arende_core::calendar::to_ics`]: `METHOD:PUBLISH` with an
//! `ORGANIZER` on every event, RFC 6868 parameter quoting, stable UIDs), and Atom
//! (RFC 4287) per party's notice board (anslagstavla) and per body's decisions.
//!
//! **Stable UIDs.** A meeting's entry is `{meeting}@{tenant}.arende` (the core's
//! [`arende_core::calendar::meeting_uid`]); an assignment's deadline is
//! `assignment-{id}@…`; a matter's forecast date of a route step is
//! `forecast-{matter}-{step}@…`, the same however often the plan changes. Its
//! `SEQUENCE` is the matter's stream version plus the sum of the meeting plan's
//! sequences: both only grow, and every move, confirmation or cancellation of a meeting
//! and every event of the matter raises it, so a client replaces the entry it holds.
//!
//! **The notice board.** What the core records today: the adjusted minutes of a party's
//! own bodies (announced on the party's notice board; the announcement and appeal dates
//! follow from the body's lead times when configured), and each political decision the
//! party recorded on a matter. Each entry is built by one function from one fact
//! ([`NoticeEntry`]), so notice dates the core records later become one more source.

use std::collections::BTreeSet;

use arende_core::aggregate::decode_for;
use arende_core::assignment::{Assignee, Assignment};
use arende_core::calendar::{Deadline, IcsOptions, to_ics};
use arende_core::clock::Clock;
use arende_core::deployment::CountyEngine;
use arende_core::ids::{BodyId, MatterId, PartyId, PersonId};
use arende_core::language::Language;
use arende_core::matter::{Matter, MatterEvent, PartyDecision};
use arende_core::meeting::meeting_title;
use arende_core::org::Organisation;
use arende_core::store::{EventStore, StreamId};
use atom_syndication::{Content, Entry, Feed, Link, Person as AtomPerson, Text};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use crate::error::PublishError;
use crate::oparl::{County, FileKind, outcome_swedish};

type Res<T> = Result<T, PublishError>;

fn sv(language: Language) -> bool {
    language == Language::Swedish
}

fn not_found(org: &Organisation, kind: &'static str, id: &str) -> PublishError {
    PublishError::NotFound {
        tenant: org.tenant.to_string(),
        kind,
        id: id.to_owned(),
    }
}

fn engine_err(org: &Organisation, e: impl Into<arende_core::error::Error>) -> PublishError {
    PublishError::engine(org.tenant.as_str(), e.into())
}

// ───────────────────────────── iCalendar ─────────────────────────────

/// A body's meeting plan as iCalendar: its meetings (joint sessions included), their
/// call-for-matters and notice dates, and the deadlines of the consultations it sent.
pub fn body_calendar(engine: &CountyEngine, body: &str, language: Language) -> Res<String> {
    let org = engine.org();
    let id = org
        .body(&BodyId::new(body))
        .ok_or_else(|| not_found(org, "body", body))?
        .id
        .clone();
    engine
        .read()
        .body_calendar(&id, &[], language)
        .map_err(|e| engine_err(org, e))
}

/// The assignments a person carries out (as assignee, convener or member of its
/// working group) that are still open, with their due dates.
fn open_assignments_of(
    engine: &CountyEngine,
    person: &PersonId,
) -> Res<Vec<(arende_core::ids::AssignmentId, Assignment, NaiveDate, u64)>> {
    let org = engine.org();
    let read = engine.read();
    let mut out = Vec::new();
    for view in read.assignments().map_err(|e| engine_err(org, e))? {
        let Some(order) = &view.assignment.order else {
            continue;
        };
        let theirs = match &order.assignee {
            Assignee::Person(p) => p == person,
            Assignee::WorkingGroup(g) => {
                g.convener.as_ref() == Some(person) || g.members.contains(person)
            }
            Assignee::Body(_) => false,
        } || view
            .assignment
            .working_group
            .as_ref()
            .is_some_and(|g| g.convener.as_ref() == Some(person) || g.members.contains(person));
        let (Some(due), true) = (view.due_date, theirs && view.assignment.is_open()) else {
            continue;
        };
        let (_, version) = read
            .state::<Assignment>(&view.id.to_string())
            .map_err(|e| engine_err(org, e))?;
        out.push((view.id, view.assignment, due, version));
    }
    Ok(out)
}

/// A person's calendar: every meeting of the bodies where they sit (joint sessions
/// included; cancelled ones kept as cancelled) and the due dates of their open
/// assignments.
pub fn person_calendar(engine: &CountyEngine, person: &str, language: Language) -> Res<String> {
    let org = engine.org();
    let p = org
        .person(&PersonId::new(person))
        .ok_or_else(|| not_found(org, "person", person))?;
    let bodies: BTreeSet<&BodyId> = org
        .memberships
        .iter()
        .filter(|m| m.person == p.id)
        .map(|m| &m.body)
        .collect();
    let meetings: Vec<_> = engine
        .read()
        .meeting_plan()
        .map_err(|e| engine_err(org, e))?
        .into_iter()
        .filter(|m| {
            org.expanded_bodies(&m.bodies)
                .iter()
                .any(|b| bodies.contains(b))
        })
        .collect();
    let deadlines: Vec<Deadline> = open_assignments_of(engine, &p.id)?
        .into_iter()
        .filter_map(|(id, a, due, version)| {
            let task = a.order.as_ref()?.task.clone();
            Some(Deadline {
                key: format!("assignment-{id}"),
                summary: if sv(language) {
                    format!("Uppdrag: {task}")
                } else {
                    format!("Assignment: {task}")
                },
                due,
                sequence: u32::try_from(version).unwrap_or(u32::MAX),
                cancelled: false,
                description: a.issuer.as_ref().and_then(|b| org.body(b)).map(|b| {
                    if sv(language) {
                        format!("Uppdrag från {}", b.name)
                    } else {
                        format!("Assignment from {}", b.name)
                    }
                }),
            })
        })
        .collect();
    let options = IcsOptions {
        name: if sv(language) {
            format!("Sammanträden och uppdrag: {}", p.name)
        } else {
            format!("Meetings and assignments: {}", p.name)
        },
        generated_at: engine.clock().now(),
        language,
        with_lead_dates: false,
    };
    Ok(to_ics(org, &meetings, &deadlines, &options))
}

/// A matter's calendar: the forecast date of every remaining step of its route (with
/// the meetings chosen), its open consultation's deadline, its next follow-up and the
/// end of its validity. UIDs are stable across regenerations; see the module docs.
pub fn matter_calendar(engine: &CountyEngine, matter: &str, language: Language) -> Res<String> {
    let org = engine.org();
    let id: MatterId = matter
        .parse()
        .map_err(|_| not_found(org, "matter", matter))?;
    let read = engine.read();
    let (m, version) = read
        .state::<Matter>(&id.to_string())
        .map_err(|e| engine_err(org, e))?;
    if !m.exists() {
        return Err(not_found(org, "matter", matter));
    }
    let plan = read.meeting_plan().map_err(|e| engine_err(org, e))?;
    let plan_sequence: u64 = plan.iter().map(|p| u64::from(p.sequence)).sum();
    let sequence = u32::try_from(version.saturating_add(plan_sequence)).unwrap_or(u32::MAX);
    let mut deadlines = Vec::new();
    let mut meetings = Vec::new();
    let route = m.route.as_ref().and_then(|r| org.route(r));
    if let Some(route) = route.filter(|_| m.status.is_open()) {
        let forecast = read.forecast(id, &[]).map_err(|e| engine_err(org, e))?;
        for step in &forecast.steps {
            let Some(date) = step.date else { continue };
            let name = route
                .step(&step.step)
                .map_or_else(|| step.step.to_string(), |s| s.name.clone());
            let at = step
                .body
                .as_ref()
                .and_then(|b| org.body(b))
                .map(|b| b.name.clone());
            let chosen = step
                .meeting
                .as_ref()
                .and_then(|mid| plan.iter().find(|p| &p.id == mid));
            if let Some(p) = chosen
                && !meetings
                    .iter()
                    .any(|x: &arende_core::org::PlannedMeeting| x.id == p.id)
            {
                meetings.push(p.clone());
            }
            let mut description = if sv(language) {
                format!("Tidigast {date} enligt prognosen.")
            } else {
                format!("Earliest {date} by the forecast.")
            };
            if let Some(cut) = step.cutoff {
                description.push_str(&if sv(language) {
                    format!(" Handlingar klara senast {cut}.")
                } else {
                    format!(" Documents ready by {cut}.")
                });
            }
            if let Some(call) = step.call_for_matters {
                description.push_str(&if sv(language) {
                    format!(" Anmäl ärendet senast {call}.")
                } else {
                    format!(" Submit the matter by {call}.")
                });
            }
            let what = match (&at, sv(language)) {
                (Some(body), true) => format!("Prognos: {name} ({body}) – {}", m.title),
                (None, true) => format!("Prognos: {name} – {}", m.title),
                (Some(body), false) => format!("Forecast: {name} ({body}) – {}", m.title),
                (None, false) => format!("Forecast: {name} – {}", m.title),
            };
            deadlines.push(Deadline {
                key: format!("forecast-{id}-{}", step.step),
                summary: what,
                due: date,
                sequence,
                cancelled: false,
                description: Some(description),
            });
        }
    }
    if let Some(remiss) = m.remiss.as_deref()
        && !remiss.missing().is_empty()
    {
        deadlines.push(Deadline {
            key: format!("remiss-{id}"),
            summary: if sv(language) {
                format!("Synpunkter senast {}: {}", remiss.deadline, m.title)
            } else {
                format!("Comments by {}: {}", remiss.deadline, m.title)
            },
            due: remiss.deadline,
            sequence,
            cancelled: false,
            description: None,
        });
    }
    for (key, date, sv_text, en_text) in [
        ("follow-up", m.next_follow_up, "Uppföljning", "Follow-up"),
        ("valid-until", m.valid_until, "Giltig till", "Valid until"),
    ] {
        if let Some(due) = date {
            deadlines.push(Deadline {
                key: format!("{key}-{id}"),
                summary: format!(
                    "{}: {}",
                    if sv(language) { sv_text } else { en_text },
                    m.title
                ),
                due,
                sequence,
                cancelled: false,
                description: None,
            });
        }
    }
    meetings.sort_by(|a, b| (a.date, a.start, &a.id).cmp(&(b.date, b.start, &b.id)));
    let options = IcsOptions {
        name: if sv(language) {
            format!("Ärende: {}", m.title)
        } else {
            format!("Matter: {}", m.title)
        },
        generated_at: engine.clock().now(),
        language,
        with_lead_dates: false,
    };
    Ok(to_ics(org, &meetings, &deadlines, &options))
}

// ───────────────────────────── Atom ─────────────────────────────

/// One entry of an Atom feed, built from one recorded fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeEntry {
    /// A stable IRI (`urn:arende:{tenant}:…`).
    pub id: String,
    /// The title.
    pub title: String,
    /// When the fact was recorded.
    pub updated: DateTime<Utc>,
    /// The text.
    pub content: String,
    /// Where to read more (an OParl object).
    pub link: Option<String>,
}

fn fixed(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.fixed_offset()
}

fn atom(
    engine: &CountyEngine,
    id: String,
    title: String,
    self_url: &str,
    language: Language,
    mut entries: Vec<NoticeEntry>,
) -> String {
    entries.sort_by(|a, b| b.updated.cmp(&a.updated).then(a.id.cmp(&b.id)));
    let updated = entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or_else(|| engine.clock().now());
    let mut author = AtomPerson::default();
    author.set_name(engine.org().name.clone());
    let mut feed = Feed::default();
    feed.set_id(id);
    feed.set_title(Text::plain(title));
    feed.set_updated(fixed(updated));
    feed.set_authors(vec![author]);
    feed.set_lang(Some(language.code().to_owned()));
    let mut this = Link::default();
    this.set_href(self_url);
    this.set_rel("self");
    this.set_mime_type(Some("application/atom+xml".to_owned()));
    feed.set_links(vec![this]);
    feed.set_entries(
        entries
            .into_iter()
            .map(|e| {
                let mut entry = Entry::default();
                entry.set_id(e.id);
                entry.set_title(Text::plain(e.title));
                entry.set_updated(fixed(e.updated));
                entry.set_published(Some(fixed(e.updated)));
                let mut content = Content::default();
                content.set_value(Some(e.content));
                content.set_content_type(Some("text".to_owned()));
                entry.set_content(Some(content));
                if let Some(href) = e.link {
                    let mut link = Link::default();
                    link.set_href(href);
                    link.set_rel("alternate");
                    entry.set_links(vec![link]);
                }
                entry
            })
            .collect::<Vec<_>>(),
    );
    feed.to_string()
}

/// The entries of a party's notice board (anslagstavla): the adjusted minutes of its
/// own bodies and its political decisions on matters, newest first.
pub fn notice_board_entries(
    county: &County<'_>,
    party: &str,
    language: Language,
) -> Res<Vec<NoticeEntry>> {
    let engine = county.engine();
    let org = engine.org();
    let p = org
        .party(&PartyId::new(party))
        .ok_or_else(|| not_found(org, "party", party))?;
    let own: BTreeSet<&BodyId> = org
        .bodies
        .values()
        .filter(|b| b.party.as_ref() == Some(&p.id))
        .map(|b| &b.id)
        .collect();
    let tenant = &org.tenant;
    let mut out = Vec::new();
    for view in county.meetings()? {
        let (Some(adjusted), Some(at)) = (view.state.adjustment.as_ref(), view.final_at) else {
            continue;
        };
        let Some(body) = view
            .plan
            .bodies
            .iter()
            .filter(|b| own.contains(b))
            .find_map(|b| org.body(b))
        else {
            continue;
        };
        let title = meeting_title(org, &view.plan.bodies, language);
        // The law's rule (arende_core::legal): periods that end on a day off run to the
        // next working day.
        let dates = arende_core::legal::legal_dates(
            &org.calendar(),
            arende_core::legal::LegalPeriods::of(&body.lead_times),
            view.plan.date,
            arende_core::legal::LegalFacts {
                decided: Some(view.plan.date),
                adjusted: Some(adjusted.on),
                announced: None,
            },
        );
        let announced = if body.lead_times.announcement.is_some() {
            dates.announce_by
        } else {
            adjusted.on
        };
        let appeal_ends = body.lead_times.appeal.map(|_| dates.appeal_ends);
        let mut content = if sv(language) {
            format!(
                "Protokollet från sammanträdet den {} justerades den {}. Anslaget senast {announced}.",
                view.plan.date, adjusted.on
            )
        } else {
            format!(
                "The minutes of the meeting on {} were adjusted on {}. Announced by {announced}.",
                view.plan.date, adjusted.on
            )
        };
        if let Some(end) = appeal_ends {
            content.push_str(&if sv(language) {
                format!(" Tiden för överklagande (laglighetsprövning) går ut {end}.")
            } else {
                format!(" The time to appeal (laglighetsprövning) ends on {end}.")
            });
        }
        out.push(NoticeEntry {
            id: format!("urn:arende:{tenant}:anslag:{}", view.plan.id),
            title: if sv(language) {
                format!("Justerat protokoll: {title} {}", view.plan.date)
            } else {
                format!("Adjusted minutes: {title} {}", view.plan.date)
            },
            updated: at,
            content,
            link: Some(county.base().file(&view.plan.id, FileKind::Minutes)),
        });
    }
    // Political decisions recorded on matters for this party.
    for summary in county.matter_summaries()? {
        let stream = StreamId::new(format!("matter-{}", summary.id));
        let records = engine
            .store()
            .read_stream(tenant, &stream, 1)
            .map_err(|e| engine_err(org, e))?;
        for rec in records
            .iter()
            .filter(|r| r.event_type == "PoliticalDecisionRecorded")
        {
            let event = decode_for::<Matter>(rec).map_err(|e| engine_err(org, e))?;
            let MatterEvent::PoliticalDecisionRecorded {
                party: decided_by,
                body,
                decision,
                minutes,
                on,
                ..
            } = event
            else {
                continue;
            };
            if decided_by != p.id {
                continue;
            }
            let body_name = org
                .body(&body)
                .map_or_else(|| body.to_string(), |b| b.name.clone());
            let verdict = match (decision, sv(language)) {
                (PartyDecision::Adopted, true) => "antaget",
                (PartyDecision::Rejected, true) => "avslaget",
                (PartyDecision::Adopted, false) => "adopted",
                (PartyDecision::Rejected, false) => "rejected",
            };
            let place = minutes
                .map(|r| format!(" ({} § {})", r.meeting, r.paragraph))
                .unwrap_or_default();
            out.push(NoticeEntry {
                id: format!("urn:arende:{tenant}:beslut:{}:{}", summary.id, p.id),
                title: if sv(language) {
                    format!("Beslut i {body_name}: {} – {verdict}", summary.title)
                } else {
                    format!("Decision of {body_name}: {} – {verdict}", summary.title)
                },
                updated: rec.recorded_at,
                content: if sv(language) {
                    format!(
                        "{body_name} beslutade den {on}{place}: {}, {verdict}.",
                        summary.title
                    )
                } else {
                    format!(
                        "{body_name} decided on {on}{place}: {}, {verdict}.",
                        summary.title
                    )
                },
                link: Some(county.base().paper(summary.id)),
            });
        }
    }
    Ok(out)
}

/// A party's notice board (anslagstavla) as Atom.
pub fn notice_board(
    county: &County<'_>,
    party: &str,
    self_url: &str,
    language: Language,
) -> Res<String> {
    let entries = notice_board_entries(county, party, language)?;
    let org = county.engine().org();
    let name = org
        .party(&PartyId::new(party))
        .map_or_else(|| party.to_owned(), |p| p.name.clone());
    Ok(atom(
        county.engine(),
        format!("urn:arende:{}:anslagstavla:{party}", org.tenant),
        if sv(language) {
            format!("Anslagstavla: {name}")
        } else {
            format!("Notice board: {name}")
        },
        self_url,
        language,
        entries,
    ))
}

/// The decisions (§ with a decision) in a body's final minutes, newest first.
pub fn decision_entries(
    county: &County<'_>,
    body: &str,
    language: Language,
) -> Res<Vec<NoticeEntry>> {
    let org = county.engine().org();
    let b = org
        .body(&BodyId::new(body))
        .ok_or_else(|| not_found(org, "body", body))?;
    let mut out = Vec::new();
    for view in county.meetings()? {
        if !org.expanded_bodies(&view.plan.bodies).contains(&b.id) {
            continue;
        }
        let (Some(minutes), Some(at)) = (view.state.minutes.as_ref(), view.final_at) else {
            continue;
        };
        if !view.minutes_final() {
            continue;
        }
        let title = meeting_title(org, &view.plan.bodies, language);
        for p in minutes
            .paragraphs
            .iter()
            .filter(|p| p.outcome.is_decision())
        {
            let clauses: Vec<String> = p
                .outcome
                .clauses()
                .iter()
                .map(|c| format!("att {c}"))
                .collect();
            let mut content = if sv(language) {
                format!(
                    "{title}, {} § {}: {}.",
                    view.plan.date,
                    p.number,
                    outcome_swedish(&p.outcome)
                )
            } else {
                format!("{title}, {} § {}.", view.plan.date, p.number)
            };
            if !clauses.is_empty() {
                content.push('\n');
                content.push_str(&clauses.join("\n"));
            }
            out.push(NoticeEntry {
                id: format!(
                    "urn:arende:{}:beslut:{}:{}",
                    org.tenant, view.plan.id, p.number
                ),
                title: format!("§ {} {} ({})", p.number, p.title, view.plan.date),
                updated: at,
                content,
                link: Some(match p.matter {
                    Some(m) => county.base().paper(m),
                    None => county.base().meeting(&view.plan.id),
                }),
            });
        }
    }
    Ok(out)
}

/// A body's decisions (§ from final minutes) as Atom.
pub fn decisions(
    county: &County<'_>,
    body: &str,
    self_url: &str,
    language: Language,
) -> Res<String> {
    let entries = decision_entries(county, body, language)?;
    let org = county.engine().org();
    let name = org
        .body(&BodyId::new(body))
        .map_or_else(|| body.to_owned(), |b| b.name.clone());
    Ok(atom(
        county.engine(),
        format!("urn:arende:{}:beslut:{body}", org.tenant),
        if sv(language) {
            format!("Beslut: {name}")
        } else {
            format!("Decisions: {name}")
        },
        self_url,
        language,
        entries,
    ))
}
