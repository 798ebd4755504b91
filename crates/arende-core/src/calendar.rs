//! Calendars: call and notice dates from lead times, conflicts (people who sit in two
//! bodies meeting at overlapping times), and iCalendar export of meeting plans.
//!
//! The export is RFC 5545 through the `icalendar` crate: one `VEVENT` per meeting with
//! a UID derived from the meeting id (so a moved or cancelled meeting updates the same
//! entry), `SEQUENCE` raised on every change, `STATUS` tentative / confirmed /
//! cancelled, and the call-for-matters and notice dates (and remiss deadlines) as
//! `VTODO`s with due dates. Times are written in UTC (converted from the local
//! Europe/Stockholm meeting times), which every client reads without a `VTIMEZONE`;
//! `X-WR-TIMEZONE` tells clients to show them in Stockholm time.

use chrono::{DateTime, NaiveDate, NaiveTime, Timelike, Utc};
use icalendar::{Calendar, Component, EventLike, EventStatus, Todo, TodoStatus};
use serde::{Deserialize, Serialize};

use crate::clock::{Clock, stockholm_instant};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::ids::{BodyId, MeetingId, PersonId};
use crate::meeting::expanded_bodies;
use crate::meeting::minutes::{Language, meeting_title};
use crate::org::{LeadTimes, MeetingStatus, Organisation, PlannedMeeting, Role};
use crate::store::EventStore;

/// The call-for-matters and notice dates of a meeting on `date` of `bodies`: the
/// earliest each body's lead times ask for (a joint meeting follows the strictest).
pub fn derived_dates(
    org: &Organisation,
    bodies: &[BodyId],
    date: NaiveDate,
) -> (NaiveDate, NaiveDate) {
    let leads: Vec<LeadTimes> = bodies
        .iter()
        .filter_map(|b| org.body(b))
        .map(|b| b.lead_times)
        .collect();
    let leads = if leads.is_empty() {
        vec![LeadTimes::default()]
    } else {
        leads
    };
    let call = leads
        .iter()
        .map(|l| l.call_for_matters.before(date))
        .min()
        .unwrap_or(date);
    let notice = leads
        .iter()
        .map(|l| l.notice.before(date))
        .min()
        .unwrap_or(date);
    (call, notice)
}

// ───────────────────────────── conflicts ─────────────────────────────

/// A person's seat at a meeting: the body and the role they sit there in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seat {
    /// The meeting.
    pub meeting: MeetingId,
    /// The body the person sits in.
    pub body: BodyId,
    /// The role.
    pub role: Role,
}

/// A person expected at two meetings at overlapping times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// The person.
    pub person: PersonId,
    /// The day.
    pub date: NaiveDate,
    /// Where the overlap starts (local).
    pub from: NaiveTime,
    /// Where it ends (local).
    pub to: NaiveTime,
    /// The seat at the earlier meeting.
    pub first: Seat,
    /// The seat at the other meeting.
    pub second: Seat,
}

/// The roles of people expected at a meeting (substitutes come only when called).
const SITTING: [Role; 4] = [Role::Member, Role::Chair, Role::Secretary, Role::Official];

fn seats(org: &Organisation, m: &PlannedMeeting) -> Vec<(PersonId, Seat)> {
    let bodies = expanded_bodies(org, &m.bodies);
    let mut out: Vec<(PersonId, Seat)> = Vec::new();
    for role in SITTING {
        for ms in org
            .memberships
            .iter()
            .filter(|x| x.role == role && bodies.contains(&x.body))
        {
            if !out.iter().any(|(p, _)| p == &ms.person) {
                out.push((
                    ms.person.clone(),
                    Seat {
                        meeting: m.id.clone(),
                        body: ms.body.clone(),
                        role,
                    },
                ));
            }
        }
    }
    out
}

/// Everyone who sits in two bodies whose meetings overlap (cancelled meetings skipped),
/// by date, time and person. A joint meeting counts once, whichever of its bodies a
/// person sits in.
pub fn conflicts(org: &Organisation, meetings: &[PlannedMeeting]) -> Vec<Conflict> {
    let mut live: Vec<&PlannedMeeting> = meetings
        .iter()
        .filter(|m| m.status != MeetingStatus::Cancelled)
        .collect();
    live.sort_by(|a, b| (a.date, a.start, &a.id).cmp(&(b.date, b.start, &b.id)));
    let seated: Vec<Vec<(PersonId, Seat)>> = live.iter().map(|m| seats(org, m)).collect();
    let mut out = Vec::new();
    for i in 0..live.len() {
        for j in i + 1..live.len() {
            let (a, b) = (live[i], live[j]);
            if b.date != a.date {
                if b.date > a.date {
                    break;
                }
                continue;
            }
            if !(a.start < b.end && b.start < a.end) {
                continue;
            }
            for (person, seat_a) in &seated[i] {
                if let Some((_, seat_b)) = seated[j].iter().find(|(p, _)| p == person) {
                    out.push(Conflict {
                        person: person.clone(),
                        date: a.date,
                        from: a.start.max(b.start),
                        to: a.end.min(b.end),
                        first: seat_a.clone(),
                        second: seat_b.clone(),
                    });
                }
            }
        }
    }
    out.sort_by(|x, y| {
        (x.date, x.from, &x.person, &x.first.meeting).cmp(&(
            y.date,
            y.from,
            &y.person,
            &y.first.meeting,
        ))
    });
    out
}

// ───────────────────────────── iCalendar ─────────────────────────────

/// A dated entry besides the meetings (e.g. a remiss deadline, "synpunkter senast
/// 31 december 2024"), exported as a `VTODO`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// A stable key for the UID, e.g. `remiss-0193…`.
    pub key: String,
    /// What is due.
    pub summary: String,
    /// The date.
    pub due: NaiveDate,
    /// The entry's sequence (raise it when the deadline changes).
    pub sequence: u32,
    /// Whether it no longer applies.
    pub cancelled: bool,
    /// More text.
    pub description: Option<String>,
}

/// How to write a calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsOptions {
    /// The calendar's name (X-WR-CALNAME).
    pub name: String,
    /// The DTSTAMP of every entry: when the export was made (from the engine's clock).
    pub generated_at: DateTime<Utc>,
    /// The language of summaries.
    pub language: Language,
    /// Whether to include the call-for-matters and notice dates as `VTODO`s.
    pub with_lead_dates: bool,
}

/// The UID of a meeting's calendar entry: stable across moves and cancellation.
pub fn meeting_uid(org: &Organisation, meeting: &MeetingId) -> String {
    format!("{meeting}@{}.arende", org.tenant)
}

fn utc_of(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    stockholm_instant(date, time.hour(), time.minute())
}

/// Writes meetings and deadlines as an iCalendar (RFC 5545) text.
pub fn to_ics(
    org: &Organisation,
    meetings: &[PlannedMeeting],
    deadlines: &[Deadline],
    options: &IcsOptions,
) -> String {
    let mut cal = Calendar::empty();
    for (k, v) in [
        ("VERSION", "2.0"),
        ("PRODID", "-//arende//sammantradesplan//SV"),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "PUBLISH"),
        ("X-WR-CALNAME", options.name.as_str()),
        ("X-WR-TIMEZONE", "Europe/Stockholm"),
    ] {
        cal.append_property(icalendar::Property::new(k, v));
    }
    let sv = options.language == Language::Swedish;
    for m in meetings {
        let title = meeting_title(org, &m.bodies, options.language);
        let uid = meeting_uid(org, &m.id);
        let cancelled = m.status == MeetingStatus::Cancelled;
        let mut description = if sv {
            format!(
                "Sista dag att anmäla ärenden: {}. Kallelse med handlingar: {}.",
                m.call_for_matters, m.notice
            )
        } else {
            format!(
                "Last day to submit matters: {}. Notice with documents: {}.",
                m.call_for_matters, m.notice
            )
        };
        if let Some(from) = m.moved_from {
            description.push_str(&if sv {
                format!(" Flyttat från {from}.")
            } else {
                format!(" Moved from {from}.")
            });
        }
        let mut event = icalendar::Event::new();
        event
            .uid(&uid)
            .timestamp(options.generated_at)
            .sequence(m.sequence)
            .summary(&title)
            .description(&description)
            .starts(utc_of(m.date, m.start))
            .ends(utc_of(m.date, m.end))
            .status(match m.status {
                MeetingStatus::Tentative => EventStatus::Tentative,
                MeetingStatus::Confirmed => EventStatus::Confirmed,
                MeetingStatus::Cancelled => EventStatus::Cancelled,
            });
        if let Some(l) = &m.location {
            event.location(l);
        }
        cal.push(event.done());
        if options.with_lead_dates {
            let todos = [
                (
                    "call-for-matters",
                    m.call_for_matters,
                    if sv {
                        format!("Inhämtning av frågor: {title} {}", m.date)
                    } else {
                        format!("Call for matters: {title} {}", m.date)
                    },
                ),
                (
                    "notice",
                    m.notice,
                    if sv {
                        format!("Kallelse: {title} {}", m.date)
                    } else {
                        format!("Notice: {title} {}", m.date)
                    },
                ),
            ];
            for (what, due, summary) in todos {
                let mut todo = Todo::new();
                todo.uid(&format!("{}-{what}@{}.arende", m.id, org.tenant))
                    .timestamp(options.generated_at)
                    .sequence(m.sequence)
                    .summary(&summary)
                    .due(due)
                    .status(if cancelled {
                        TodoStatus::Cancelled
                    } else {
                        TodoStatus::NeedsAction
                    })
                    .add_property("RELATED-TO", &uid);
                cal.push(todo.done());
            }
        }
    }
    for d in deadlines {
        let mut todo = Todo::new();
        todo.uid(&format!("{}@{}.arende", d.key, org.tenant))
            .timestamp(options.generated_at)
            .sequence(d.sequence)
            .summary(&d.summary)
            .due(d.due)
            .status(if d.cancelled {
                TodoStatus::Cancelled
            } else {
                TodoStatus::NeedsAction
            });
        if let Some(text) = &d.description {
            todo.description(text);
        }
        cal.push(todo.done());
    }
    cal.to_string()
}

impl<S: EventStore, C: Clock> Engine<S, C> {
    /// People who sit in two bodies meeting at overlapping times, in the plan as it
    /// now stands.
    pub fn meeting_conflicts(&self) -> Result<Vec<Conflict>> {
        Ok(conflicts(self.org(), &self.meeting_plan()?))
    }

    /// A body's meeting plan as iCalendar, with its call and notice dates and the
    /// given deadlines (e.g. remiss deadlines of its matters).
    pub fn body_calendar(
        &self,
        body: &BodyId,
        deadlines: &[Deadline],
        language: Language,
    ) -> Result<String> {
        let Some(b) = self.org().body(body) else {
            return Err(Error::Unknown {
                kind: "body",
                id: body.to_string(),
            });
        };
        let options = IcsOptions {
            name: match language {
                Language::Swedish => format!("Sammanträdesplan {}", b.name),
                Language::English => format!("Meeting plan {}", b.name),
            },
            generated_at: self.clock().now(),
            language,
            with_lead_dates: true,
        };
        Ok(to_ics(
            self.org(),
            &self.body_meeting_plan(body)?,
            deadlines,
            &options,
        ))
    }

    /// Every body's meeting plan together as iCalendar.
    pub fn calendar(&self, deadlines: &[Deadline], language: Language) -> Result<String> {
        let options = IcsOptions {
            name: match language {
                Language::Swedish => format!("Sammanträdesplan {}", self.org().name),
                Language::English => format!("Meeting plan {}", self.org().name),
            },
            generated_at: self.clock().now(),
            language,
            with_lead_dates: true,
        };
        Ok(to_ics(
            self.org(),
            &self.meeting_plan()?,
            deadlines,
            &options,
        ))
    }
}
