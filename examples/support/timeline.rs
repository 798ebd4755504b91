//! The timeline in Swedish, read back from the store: one line per event with its date,
//! body, what happened and the minutes' §, merged with the notes a scenario makes
//! (refusals, forecasts); the notifications taken from the outbox; and the printed
//! report of a run.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use anyhow::Result;
use arende::aggregate::{Aggregate, decode};
use arende::assignment::{Assignee, Assignment, AssignmentEvent, Due};
use arende::clock::{Clock, SimulatedClock};
use arende::ids::{BodyId, RouteId, StepId};
use arende::matter::{Matter, MatterEvent, PartyDecision, RemissRecipient};
use arende::meeting::{Language, Meeting, MeetingEvent, meeting_title};
use arende::notification::{Notification, NotificationKind};
use arende::org::{MinutesKind, Organisation};
use arende::store::{RecordedEvent, StreamId};
use chrono::{DateTime, NaiveDate, Utc};

use super::world::Run;

/// What a note in the timeline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    /// The engine refused a command; nothing was written.
    Refused,
    /// What the forecast answers.
    Forecast,
}

/// A note in the timeline that is not an event.
#[derive(Debug, Clone)]
pub struct Note {
    /// The day.
    pub date: NaiveDate,
    /// The store's last position when it was made (orders it among the events).
    pub position: u64,
    /// What it is.
    pub kind: NoteKind,
    /// The body concerned.
    pub body: Option<BodyId>,
    /// The text.
    pub text: String,
}

/// One line of the timeline.
#[derive(Debug, Clone)]
pub struct Line {
    /// The day it happened: the meeting's day for an outcome recorded in its minutes.
    pub date: NaiveDate,
    /// The event's global position (ordering within a day).
    pub position: u64,
    /// The event type (e.g. `ReadinessChecked`), or `Refused` / `Forecast` for notes.
    pub what: String,
    /// The body, if any.
    pub body: Option<BodyId>,
    /// The body's name (or who acted).
    pub who: String,
    /// What happened, in Swedish.
    pub text: String,
    /// The paragraph (§) of the minutes, where there is one.
    pub paragraph: Option<u32>,
    /// Simulated on a forecast date (not a date of the minutes).
    pub forecast: bool,
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag = match self.what.as_str() {
            "Refused" => "AVVISAT: ",
            "Forecast" => "PROGNOS: ",
            _ => "",
        };
        write!(f, "{}  {}: {tag}{}", self.date, self.who, self.text)?;
        if let Some(p) = self.paragraph {
            write!(f, " (§ {p})")?;
        }
        if self.forecast {
            write!(f, " [prognos]")?;
        }
        Ok(())
    }
}

/// A notification that went out.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The day it concerns.
    pub date: NaiveDate,
    /// When it was written to the outbox.
    pub at: DateTime<Utc>,
    /// Its kind.
    pub kind: NotificationKind,
    /// The recipients' names.
    pub recipients: Vec<String>,
    /// What it says, in Swedish.
    pub summary: String,
}

impl Sent {
    /// The report of a notification: what it says in Swedish, rendered from its facts
    /// by `arende-notify`'s built-in phrases, as the dispatcher renders it.
    pub fn of(n: &Notification, at: DateTime<Utc>, org: &Organisation) -> Sent {
        static TEMPLATES: std::sync::OnceLock<arende_notify::Templates> =
            std::sync::OnceLock::new();
        let templates = TEMPLATES.get_or_init(arende_notify::Templates::builtin);
        let summary = arende_notify::render::summary(templates, n, Language::Swedish, Some(org))
            .unwrap_or_else(|e| format!("({e})"));
        Sent {
            date: n.date,
            at,
            kind: n.kind,
            recipients: n.recipients.iter().map(|r| r.name.clone()).collect(),
            summary,
        }
    }
}

/// The Swedish name of a notification kind.
pub fn kind_sv(kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::CallForMatters => "inhämtning av frågor",
        NotificationKind::Notice => "kallelse",
        NotificationKind::MinutesDistributed => "protokoll utsänt",
        NotificationKind::Feedback => "återkoppling",
        NotificationKind::RemissSent => "remiss",
        NotificationKind::RemissReminder => "remisspåminnelse",
        NotificationKind::AssignmentGiven => "uppdrag",
        NotificationKind::AssignmentDue => "uppdrag förfaller",
        NotificationKind::DateDue => "datum att bevaka",
        NotificationKind::MinutesDeclined => "justering nekad",
    }
}

impl fmt::Display for Sent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: Vec<&str> = self.recipients.iter().take(3).map(String::as_str).collect();
        let more = if self.recipients.len() > 3 {
            ", …"
        } else {
            ""
        };
        write!(
            f,
            "{}  {:<20} {:>3} mottagare ({}{more}): {}",
            self.date,
            kind_sv(self.kind),
            self.recipients.len(),
            shown.join(", "),
            self.summary
        )
    }
}

/// The local (Europe/Stockholm) day of an instant, as the engine's clocks define it.
fn local_date(t: DateTime<Utc>) -> NaiveDate {
    SimulatedClock::new(t).today()
}

/// The timeline of the store's events and the scenario's notes, in date order. A line
/// is marked as forecast when it was recorded on a day the scenario simulated from a
/// forecast.
pub fn timeline(
    org: &Organisation,
    records: &[RecordedEvent],
    notes: &[Note],
    forecast_days: &BTreeSet<NaiveDate>,
) -> Result<Vec<Line>> {
    let mut routes: HashMap<StreamId, RouteId> = HashMap::new();
    let mut issuers: HashMap<StreamId, BodyId> = HashMap::new();
    let mut lines: Vec<Line> = Vec::new();
    for rec in records {
        let recorded = local_date(rec.recorded_at);
        let stream = rec.stream.as_str();
        let line = if stream.starts_with(&format!("{}-", Matter::PREFIX)) {
            let e: MatterEvent = decode(rec)?;
            if let MatterEvent::AcceptedForHandling { route, .. }
            | MatterEvent::Escalated { to: route, .. } = &e
            {
                routes.insert(rec.stream.clone(), route.clone());
            }
            matter_line(org, routes.get(&rec.stream), &e, recorded)
        } else if let Some(key) = stream.strip_prefix(&format!("{}-", Meeting::PREFIX)) {
            let e: MeetingEvent = decode(rec)?;
            meeting_line(org, key, &e, recorded)
        } else if stream.starts_with(&format!("{}-", Assignment::PREFIX)) {
            let e: AssignmentEvent = decode(rec)?;
            if let AssignmentEvent::AssignmentGiven { issuer, .. } = &e {
                issuers.insert(rec.stream.clone(), issuer.clone());
            }
            assignment_line(org, issuers.get(&rec.stream), &e, recorded)
        } else {
            None
        };
        if let Some(mut l) = line {
            l.position = rec.position;
            l.what = rec.event_type.to_string();
            l.forecast = forecast_days.contains(&recorded);
            lines.push(l);
        }
    }
    for n in notes {
        lines.push(Line {
            date: n.date,
            position: n.position,
            what: match n.kind {
                NoteKind::Refused => "Refused".into(),
                NoteKind::Forecast => "Forecast".into(),
            },
            who: n
                .body
                .as_ref()
                .map_or_else(|| "Motorn".to_owned(), |b| body_name(org, b)),
            body: n.body.clone(),
            text: n.text.clone(),
            paragraph: None,
            forecast: false,
        });
    }
    // Notes sort after the event they follow; a day's lines keep their order of writing.
    lines.sort_by_key(|l| {
        let note = matches!(l.what.as_str(), "Refused" | "Forecast");
        (l.date, l.position, note)
    });
    Ok(lines)
}

fn body_name(org: &Organisation, b: &BodyId) -> String {
    org.body(b)
        .map_or_else(|| b.to_string(), |x| x.name.clone())
}

fn person_name(org: &Organisation, p: &arende::ids::PersonId) -> String {
    org.person(p)
        .map_or_else(|| p.to_string(), |x| x.name.clone())
}

fn recipient_name(org: &Organisation, r: &RemissRecipient) -> String {
    match r {
        RemissRecipient::Party(p) => org
            .party(p)
            .map_or_else(|| p.to_string(), |x| x.name.clone()),
        RemissRecipient::Body(b) => body_name(org, b),
    }
}

fn step_name(org: &Organisation, route: Option<&RouteId>, step: &StepId) -> String {
    route
        .and_then(|r| org.route(r))
        .and_then(|r| r.step(step))
        .map_or_else(|| step.to_string(), |s| s.name.clone())
}

/// How many remiss recipients, with at most three names.
fn short_list(names: &[String]) -> String {
    if names.len() <= 3 {
        return format!("{} remissinstanser ({})", names.len(), names.join(", "));
    }
    format!(
        "{} remissinstanser ({}, {} m.fl.)",
        names.len(),
        names[0],
        names[1]
    )
}

fn line(date: NaiveDate, who: String, body: Option<BodyId>, text: String) -> Line {
    Line {
        date,
        position: 0,
        what: String::new(),
        body,
        who,
        text,
        paragraph: None,
        forecast: false,
    }
}

fn clauses(list: &[String]) -> String {
    list.iter()
        .map(|c| format!("att {c}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A line for a matter event (`None` for bookkeeping: feedback given).
fn matter_line(
    org: &Organisation,
    route: Option<&RouteId>,
    e: &MatterEvent,
    recorded: NaiveDate,
) -> Option<Line> {
    use MatterEvent as E;
    let step = |s: &StepId| step_name(org, route, s);
    let done = |adv: &Option<arende::matter::Advance>| {
        adv.as_ref()
            .map(|a| format!(" — steget \"{}\" klart", step(&a.completed)))
            .unwrap_or_default()
    };
    let (date, text) = match e {
        E::Submitted {
            title,
            submitter,
            on,
            ..
        } => (
            *on,
            format!(
                "ärendet \"{title}\" anmäls av {}",
                person_name(org, submitter)
            ),
        ),
        E::CaseNumberRegistered { party, number } => {
            (recorded, format!("diarienummer {number} hos {party}"))
        }
        E::DocumentsReady { on } => (*on, "handlingarna är klara".to_owned()),
        E::ScreenedAsInformation { .. } => {
            (recorded, "relevansbedömning: informationsärende".to_owned())
        }
        E::AcceptedForHandling {
            route: r,
            activated,
            ..
        } => {
            let name = org
                .route(r)
                .map_or_else(|| r.to_string(), |x| x.name().to_owned());
            let first: Vec<String> = activated
                .iter()
                .map(|a| step_name(org, Some(r), &a.step))
                .collect();
            (
                recorded,
                format!(
                    "relevansbedömning: hanteras enligt beslutsvägen \"{name}\", första steg \"{}\"",
                    first.join("\", \"")
                ),
            )
        }
        E::Redirected { to, reason, .. } => (
            recorded,
            format!("skickas vidare till {}: {reason}", body_name(org, to)),
        ),
        E::AnsweredDirectly { answer, .. } => (recorded, format!("besvaras direkt: {answer}")),
        E::Scheduled { meeting, .. } => {
            let day = org
                .meeting(meeting)
                .map(|m| m.date.to_string())
                .unwrap_or_default();
            (
                recorded,
                format!("sätts upp på dagordningen till sammanträdet {day}"),
            )
        }
        E::Presented { advance, .. } => (
            recorded,
            format!("dragning för information{}", done(advance)),
        ),
        E::Prepared {
            recommendation,
            advance,
            ..
        } => {
            let what = match advance {
                Some(a) => format!("\"{}\" klart", step(&a.completed)),
                None => "beredning".to_owned(),
            };
            match recommendation {
                Some(r) => (recorded, format!("{what}: {r}")),
                None => (recorded, what),
            }
        }
        E::RemissSent {
            recipients,
            deadline,
            receivers,
            edition,
            ..
        } => {
            let names: Vec<String> = recipients.iter().map(|r| recipient_name(org, r)).collect();
            let mut t = match edition {
                Some(ed) => format!("{ed} skickas på remiss"),
                None => "skickas på remiss".to_owned(),
            };
            t.push_str(&format!(" till {}", short_list(&names)));
            t.push_str(&format!("; synpunkter senast {deadline}"));
            if !receivers.is_empty() {
                t.push_str(&format!(" till {}", receivers.join(" och/eller ")));
            }
            (recorded, t)
        }
        E::RemissResponseRecorded {
            comments,
            received_on,
            ..
        } => (
            *received_on,
            format!("remissvar med {comments} kommentarer"),
        ),
        E::ResponsesWorkedIn {
            comments_handled,
            missing,
            advance,
            ..
        } => {
            let mut t = format!("remissvaren omhändertagna: {comments_handled} kommentarer");
            if !missing.is_empty() {
                let names: Vec<String> = missing.iter().map(|r| recipient_name(org, r)).collect();
                t.push_str(&format!(" (inget svar från {})", names.join(", ")));
            }
            t.push_str(&done(advance));
            (recorded, t)
        }
        E::DirectionDecided { direction, .. } => {
            (recorded, format!("inriktningsbeslut: {direction}"))
        }
        E::Recommended {
            recommendation,
            to,
            advance,
            ..
        } => {
            let to: Vec<String> = to.iter().map(|b| body_name(org, b)).collect();
            let mut t = format!("rekommendation: {recommendation}");
            if !to.is_empty() {
                t.push_str(&format!(" (till {})", to.join(", ")));
            }
            t.push_str(&done(advance));
            (recorded, t)
        }
        E::ReadinessChecked {
            ready,
            note,
            advance,
            ..
        } => {
            // A note from minutes holds the "att"-clauses, joined with "; ".
            let said = match note {
                Some(n) => n
                    .split("; ")
                    .map(|c| format!("att {c}"))
                    .collect::<Vec<_>>()
                    .join("; "),
                None => format!(
                    "parterna är {}redo för beslutsprocess",
                    if *ready { "" } else { "inte " }
                ),
            };
            (
                recorded,
                format!("ställningstagande: {said}{}", done(advance)),
            )
        }
        E::Decided {
            approved,
            clauses: c,
            advance,
            ..
        } => (
            recorded,
            format!(
                "beslut ({}): {}{}",
                if *approved { "bifall" } else { "avslag" },
                clauses(c),
                done(advance)
            ),
        ),
        E::ForwardedToPolitical { advance, .. } => (
            recorded,
            format!(
                "beslut: ärendet går till politiskt beslut i varje part{}",
                done(advance)
            ),
        ),
        E::ReferredBack {
            instructions, to, ..
        } => (
            recorded,
            format!("återremitteras till \"{}\": {instructions}", step(&to.step)),
        ),
        E::Tabled { .. } => (recorded, "bordläggs till nästa sammanträde".to_owned()),
        E::DroppedFromAgenda { reason, .. } => (
            recorded,
            format!("ärendet utgår {}", reason.clone().unwrap_or_default()),
        ),
        E::Withdrawn { by, .. } => (recorded, format!("återtas av {by}")),
        E::Filed { .. } => (recorded, "läggs till handlingarna".to_owned()),
        E::Escalated { reason, to, .. } => {
            (recorded, format!("byter beslutsväg till {to}: {reason}"))
        }
        E::PoliticalDecisionRecorded {
            decision,
            on,
            advance,
            ..
        } => (
            *on,
            format!(
                "politiskt beslut: {} överenskommelsen{}",
                match decision {
                    PartyDecision::Adopted => "antar",
                    PartyDecision::Rejected => "avslår",
                },
                done(advance)
            ),
        ),
        E::PartyMinutesAdjusted { on, due, late, .. } => (
            *on,
            format!(
                "protokollet med beslutet justeras{}",
                if *late {
                    format!(" (för sent: senast {due})")
                } else {
                    String::new()
                }
            ),
        ),
        E::Announced {
            on,
            due,
            late,
            appeal_ends,
            legal_force,
            ..
        } => (
            *on,
            format!(
                "justeringen anslås på anslagstavlan{}; överklagandetiden löper till {appeal_ends}, beslutet vinner laga kraft {legal_force}",
                if *late {
                    format!(" (för sent: senast {due})")
                } else {
                    String::new()
                }
            ),
        ),
        E::AppealLodged {
            on,
            reference,
            late,
            ..
        } => (
            *on,
            format!(
                "beslutet överklagas{}{}",
                reference
                    .as_ref()
                    .map(|r| format!(" (mål {r})"))
                    .unwrap_or_default(),
                if *late {
                    " efter överklagandetiden: laga kraft påverkas inte"
                } else {
                    ": beslutet vinner inte laga kraft förrän överklagandet är avgjort"
                }
            ),
        ),
        E::AppealSettled { on, outcome, .. } => (
            *on,
            match outcome {
                arende::matter::AppealOutcome::Rejected => {
                    format!("överklagandet avslås, domen vinner laga kraft {on}")
                }
                arende::matter::AppealOutcome::Annulled => {
                    "beslutet upphävs efter överklagande".to_owned()
                }
            },
        ),
        E::Concluded { outcome } => (recorded, format!("ärendet avgjort: {}", outcome.swedish())),
        E::EnteredIntoForce {
            on,
            parties,
            valid_until,
            ..
        } => {
            let mut t = if parties.is_empty() {
                "träder i kraft".to_owned()
            } else {
                format!("träder i kraft för {} parter", parties.len())
            };
            if let Some(u) = valid_until {
                t.push_str(&format!(", giltig till {u}"));
            }
            (*on, t)
        }
        E::FollowedUp { note, .. } => (recorded, format!("uppföljning: {note}")),
        E::RevisionStarted { by } => (
            recorded,
            format!("revideras av {by}; gäller tills revideringen träder i kraft"),
        ),
        E::Revised { by } => (recorded, format!("ersätts av revideringen {by}")),
        E::AssignmentReportReceived { report, .. } => {
            (recorded, format!("uppdraget återrapporteras: {report}"))
        }
        E::Extended { until, .. } => (recorded, format!("förlängs till {until}")),
        E::FeedbackGiven { .. } => return None,
    };
    let minutes = match e {
        E::PoliticalDecisionRecorded { minutes, .. } => minutes.as_ref(),
        _ => e.at().and_then(|a| a.minutes.as_ref()),
    };
    // An outcome recorded from minutes happened on the meeting's day.
    let date = minutes
        .and_then(|m| org.meeting(&m.meeting))
        .map_or(date, |m| m.date);
    let body = e.body().cloned();
    let who = match (&body, e) {
        (_, E::RemissResponseRecorded { recipient, .. }) => recipient_name(org, recipient),
        (Some(b), _) => body_name(org, b),
        (None, E::EnteredIntoForce { parties, .. }) if !parties.is_empty() => "Parterna".to_owned(),
        (None, _) => "Ärendet".to_owned(),
    };
    let mut l = line(date, who, body, text);
    l.paragraph = minutes.map(|m| m.paragraph);
    Some(l)
}

/// A line for a meeting event (`None` for the plan snapshot, the adopted agenda and the
/// draft of the minutes).
fn meeting_line(
    org: &Organisation,
    key: &str,
    e: &MeetingEvent,
    recorded: NaiveDate,
) -> Option<Line> {
    use MeetingEvent as E;
    let plan = org.meeting(&arende::ids::MeetingId::new(key))?;
    // A joint session's meeting is named by the joint session, not by every body in it.
    let who = match plan.bodies.first().and_then(|b| org.body(b)) {
        Some(joint) if !joint.joint_of.is_empty() => joint.name.clone(),
        _ => meeting_title(org, &plan.bodies, Language::Swedish),
    };
    let protocol = arende::meeting::minutes_kind(org, &plan.bodies) == MinutesKind::Protocol;
    let minutes = if protocol {
        "protokollet"
    } else {
        "minnesanteckningarna"
    };
    let (date, text) = match e {
        E::MeetingPlanned { .. } | E::AgendaAdopted { .. } | E::MinutesDrafted { .. } => {
            return None;
        }
        E::MeetingMoved { slot, .. } => {
            (recorded, format!("sammanträdet flyttas till {}", slot.date))
        }
        E::MeetingConfirmed => (recorded, "sammanträdet bekräftas".to_owned()),
        E::MeetingCancelled { .. } => (recorded, "sammanträdet ställs in".to_owned()),
        E::CallForMattersSent { on, submit_by, .. } => (
            *on,
            format!(
                "inhämtning av frågor inför sammanträdet {}: anmäl ärenden senast {submit_by}",
                plan.date
            ),
        ),
        E::NoticeSent {
            on,
            agenda,
            recipients,
            ..
        } => (
            *on,
            format!(
                "kallelse till sammanträdet {} med dagordning ({} punkter) till {} personer",
                plan.date,
                agenda.len(),
                recipients.len()
            ),
        ),
        E::MeetingHeld { on, attendance } => {
            let mut t = format!("sammanträde, {} närvarande", attendance.present.len());
            if !attendance.substitutes.is_empty() {
                let subs: Vec<String> = attendance
                    .substitutes
                    .iter()
                    .map(|s| {
                        format!(
                            "{} för {}",
                            person_name(org, &s.substitute),
                            person_name(org, &s.member)
                        )
                    })
                    .collect();
                t.push_str(&format!(", tjänstgörande ersättare {}", subs.join(", ")));
            }
            (*on, t)
        }
        E::AgendaItemAdded { item, raised_by } => (
            plan.date,
            format!(
                "{} anmäler \"{}\" till dagordningen",
                person_name(org, raised_by),
                item.title
            ),
        ),
        E::AgendaItemDropped { number, reason, .. } => (
            plan.date,
            format!("punkt {number} utgår {}", reason.swedish()),
        ),
        E::MinutesAdjusted { adjustment } => (
            adjustment.on,
            format!(
                "{minutes} från {} är justerat {}",
                plan.date,
                adjustment.means.swedish()
            ),
        ),
        E::AdjusterSigned { adjustment, .. } => (
            adjustment.on,
            format!(
                "{minutes} från {} justeras av {} {}",
                plan.date,
                adjustment
                    .by
                    .as_ref()
                    .map_or_else(|| "(okänd)".to_owned(), |p| person_name(org, p)),
                adjustment.means.swedish()
            ),
        ),
        E::AdjustmentDeclined { declined } => (
            declined.on,
            format!(
                "{} vägrar justera {minutes} från {}: {}",
                person_name(org, &declined.by),
                plan.date,
                declined.comments
            ),
        ),
        E::ReservationEntered { reservation } => (
            reservation.on,
            format!(
                "{} reserverar sig mot beslutet i § {}",
                person_name(org, &reservation.member),
                reservation.paragraph
            ),
        ),
        E::MinutesDistributed { on, recipients } => (
            *on,
            format!(
                "{minutes} från {} skickas ut till {} personer",
                plan.date,
                recipients.len()
            ),
        ),
    };
    let body = plan.bodies.first().cloned();
    Some(line(date, who, body, text))
}

/// A line for an assignment event.
fn assignment_line(
    org: &Organisation,
    issuer: Option<&BodyId>,
    e: &AssignmentEvent,
    recorded: NaiveDate,
) -> Option<Line> {
    use AssignmentEvent as E;
    let (date, body, text) = match e {
        E::AssignmentGiven {
            issuer, order, on, ..
        } => {
            let to = match &order.assignee {
                Assignee::Person(p) => person_name(org, p),
                Assignee::Body(b) => body_name(org, b),
                Assignee::WorkingGroup(g) => g.name.clone(),
            };
            let due = match &order.due {
                Due::Date(d) => format!("senast {d}"),
                Due::Meeting(m) => match org.meeting(m) {
                    Some(p) => format!(
                        "till {} {}",
                        meeting_title(org, &p.bodies, Language::Swedish),
                        p.date
                    ),
                    None => format!("till sammanträdet {m}"),
                },
            };
            (
                *on,
                Some(issuer.clone()),
                format!(
                    "ger {to} i uppdrag att {} (återrapporteras {due})",
                    order.task
                ),
            )
        }
        E::WorkingGroupFormed {
            group,
            set_up_by,
            on,
        } => (
            *on,
            Some(set_up_by.clone()),
            format!("arbetsgruppen {} bildas", group.name),
        ),
        E::DueChanged { .. } => (recorded, None, "uppdragets tid ändras".to_owned()),
        E::AssignmentReported { on, report, at, .. } => {
            // Reported at a meeting: the line is that meeting's body's.
            let there = at
                .as_ref()
                .and_then(|m| org.meeting(&m.meeting))
                .and_then(|m| m.bodies.first().cloned());
            let from = issuer.map_or_else(String::new, |i| format!(" från {}", body_name(org, i)));
            (
                *on,
                there,
                format!("uppdraget{from} återrapporteras: {report}"),
            )
        }
        E::AssignmentWithdrawn { on, .. } => (*on, None, "uppdraget återkallas".to_owned()),
        E::WorkingGroupDissolved { on } => (*on, None, "arbetsgruppen upplöses".to_owned()),
    };
    let body = body.or_else(|| issuer.cloned());
    let who = body
        .as_ref()
        .map_or_else(|| "Uppdraget".to_owned(), |b| body_name(org, b));
    let mut l = line(date, who, body, text);
    if let E::AssignmentReported { at: Some(m), .. } = e {
        l.paragraph = Some(m.paragraph);
    }
    Some(l)
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rule = "=".repeat(self.title.chars().count());
        writeln!(f, "{}\n{rule}\n", self.title)?;
        writeln!(
            f,
            "Tidslinje (simulerad tid; [prognos] = datum från prognosen, inte ur protokollen)"
        )?;
        writeln!(
            f,
            "------------------------------------------------------------------------------"
        )?;
        for l in &self.lines {
            writeln!(f, "{l}")?;
        }
        writeln!(f, "\nUtskick ur utkorgen ({} st)", self.sent.len())?;
        writeln!(f, "-------------------------")?;
        for s in &self.sent {
            writeln!(f, "{s}")?;
        }
        let m = &self.matter_after;
        writeln!(f, "\nÅteröppnat lagret och återskapat ur händelserna")?;
        writeln!(f, "-----------------------------------------------")?;
        match &self.store {
            Some(p) => writeln!(f, "Lager: {}", p.display())?,
            None => writeln!(
                f,
                "Lager: tillfällig SQLite-fil (tas bort när exemplet avslutas)"
            )?,
        }
        writeln!(
            f,
            "{} händelser i {} strömmar; ärendet \"{}\" återskapat ur {} händelser",
            self.events, self.streams, m.title, self.matter_events
        )?;
        writeln!(
            f,
            "Status: {}{}{}",
            m.status.swedish(),
            m.conclusion
                .map(|c| format!(", {}", c.swedish()))
                .unwrap_or_default(),
            m.in_force_from
                .map(|d| format!(", i kraft från {d}"))
                .unwrap_or_default()
        )?;
        if !m.political.is_empty() {
            let adopted = m
                .political
                .values()
                .filter(|d| **d == PartyDecision::Adopted)
                .count();
            writeln!(
                f,
                "Politiska beslut: {adopted} av {} parter har antagit",
                self.org.signatories().count()
            )?;
        }
        let steps: Vec<String> = m.done.iter().map(|o| o.step.to_string()).collect();
        writeln!(f, "Avklarade steg: {}", steps.join(" → "))?;
        let outbox: Vec<String> = self
            .outbox
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        writeln!(f, "Utkorgen efter återöppning: {}", outbox.join(", "))?;
        if self.nothing_lost() {
            writeln!(
                f,
                "Jämförelse: ärendet, sammanträdena och uppdragen är identiska före och efter — inget förlorat."
            )
        } else {
            writeln!(
                f,
                "Jämförelse: SKILLNAD efter återöppning i {}",
                self.changed.join(", ")
            )
        }
    }
}
