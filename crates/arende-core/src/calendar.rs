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

use crate::clock::stockholm_instant;
use crate::ids::{BodyId, MeetingId, PersonId};
use crate::meeting::expanded_bodies;
use crate::meeting::minutes::{Language, meeting_title};
use crate::org::{LeadTimes, MeetingStatus, Organisation, PlannedMeeting, Role};

/// The call-for-matters and notice dates of a meeting on `date` of `bodies`: a joint
/// session's own lead times, else the earliest each body's lead times ask for (bodies
/// meeting together follow the strictest).
pub fn derived_dates(
    org: &Organisation,
    bodies: &[BodyId],
    date: NaiveDate,
) -> (NaiveDate, NaiveDate) {
    let known: Vec<&crate::org::Body> = bodies.iter().filter_map(|b| org.body(b)).collect();
    // A joint session's own lead times apply to its meetings (as the configuration
    // derives them); otherwise the strictest of the bodies meeting together.
    let leads: Vec<LeadTimes> = match known
        .iter()
        .find(|b| b.kind == crate::org::BodyKind::JointSession)
    {
        Some(session) => vec![session.lead_times],
        None => known.iter().map(|b| b.lead_times).collect(),
    };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meeting::tests::{d, fixture};
    use icalendar::{CalendarComponent, DatePerhapsTime};

    fn options() -> IcsOptions {
        IcsOptions {
            name: "Sammanträdesplan".into(),
            generated_at: stockholm_instant(d(2024, 9, 1), 9, 0),
            language: Language::Swedish,
            with_lead_dates: true,
        }
    }

    fn parse(text: &str) -> Calendar {
        text.parse::<Calendar>()
            .unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    #[test]
    fn the_ics_parses_back_with_events_and_lead_dates() {
        let org = fixture::org();
        let deadline = Deadline {
            key: "remiss-familjecentraler".into(),
            summary: "Synpunkter på överenskommelsen om familjecentraler".into(),
            due: d(2024, 12, 31),
            sequence: 0,
            cancelled: false,
            description: None,
        };
        let text = to_ics(
            &org,
            &org.meetings,
            std::slice::from_ref(&deadline),
            &options(),
        );
        assert!(text.contains("\r\n"), "lines end in CRLF");
        let cal = parse(&text);
        let events: Vec<_> = cal.events().collect();
        assert_eq!(events.len(), org.meetings.len());
        let joint = events
            .iter()
            .find(|e| e.get_uid() == Some("cg-joint-2024-11-15@orebro.arende"))
            .unwrap();
        assert_eq!(
            joint.get_start(),
            Some(DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(
                stockholm_instant(d(2024, 11, 15), 13, 0)
            )))
        );
        assert_eq!(joint.get_status(), Some(EventStatus::Tentative));
        assert_eq!(joint.get_sequence(), Some(0));
        assert_eq!(
            joint.get_location(),
            Some("Immanuelkyrkan, Karlsdahlsallén 35 Örebro")
        );
        let todos: Vec<_> = cal.todos().collect();
        assert_eq!(todos.len(), 2 * org.meetings.len() + 1);
        let due = |uid: &str| {
            todos
                .iter()
                .find(|t| t.get_uid() == Some(uid))
                .and_then(|t| t.get_due())
        };
        assert_eq!(
            due("cg-joint-2024-11-15-call-for-matters@orebro.arende"),
            Some(DatePerhapsTime::Date(d(2024, 10, 15)))
        );
        assert_eq!(
            due("cg-joint-2024-11-15-notice@orebro.arende"),
            Some(DatePerhapsTime::Date(d(2024, 11, 1)))
        );
        assert_eq!(
            due("remiss-familjecentraler@orebro.arende"),
            Some(DatePerhapsTime::Date(d(2024, 12, 31)))
        );
        // The export is a function of its inputs: no clock, no random UIDs.
        let again = to_ics(&org, &org.meetings, &[deadline], &options());
        assert_eq!(text, again);
        assert!(
            text.lines()
                .filter(|l| l.starts_with("UID:"))
                .all(|l| l.ends_with("@orebro.arende\r") || l.ends_with("@orebro.arende"))
        );
    }

    #[test]
    fn a_moved_and_a_cancelled_meeting_keep_their_uid_and_raise_the_sequence() {
        let org = fixture::org();
        let mut plan = org.meetings.clone();
        let i = plan
            .iter()
            .position(|m| m.id.as_str() == "sbu-2024-12-13")
            .unwrap();
        plan[i].date = d(2024, 12, 12);
        plan[i].sequence += 1;
        plan[i].moved_from = Some(d(2024, 12, 13));
        let j = plan
            .iter()
            .position(|m| m.id.as_str() == "cg-social-2024-12-13")
            .unwrap();
        plan[j].status = MeetingStatus::Cancelled;
        plan[j].sequence += 1;
        let cal = parse(&to_ics(&org, &plan, &[], &options()));
        let ev = |uid: &str| {
            cal.events()
                .find(|e| e.get_uid() == Some(uid))
                .cloned()
                .unwrap()
        };
        let moved = ev("sbu-2024-12-13@orebro.arende");
        assert_eq!(moved.get_sequence(), Some(1));
        assert_eq!(
            moved.get_start(),
            Some(DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(
                stockholm_instant(d(2024, 12, 12), 9, 0)
            )))
        );
        assert!(
            moved
                .get_description()
                .unwrap()
                .contains("Flyttat från 2024-12-13")
        );
        let cancelled = ev("cg-social-2024-12-13@orebro.arende");
        assert_eq!(cancelled.get_status(), Some(EventStatus::Cancelled));
        assert_eq!(cancelled.get_sequence(), Some(1));
        let todo_status = cal
            .components
            .iter()
            .filter_map(CalendarComponent::as_todo)
            .find(|t| t.get_uid() == Some("cg-social-2024-12-13-notice@orebro.arende"))
            .and_then(|t| t.get_status());
        assert_eq!(todo_status, Some(TodoStatus::Cancelled));
        assert_eq!(cal.events().count(), org.meetings.len());
    }

    #[test]
    fn people_in_two_bodies_meeting_at_once_are_reported() {
        let org = fixture::org();
        // sbu 09:00–12:00 and the social chief group 10:00–12:00 on 13 December: Jaana
        // Jansson and Johanna Viberg sit in both.
        let found = conflicts(&org, &org.meetings);
        let who: Vec<(&str, NaiveDate, NaiveTime, NaiveTime)> = found
            .iter()
            .map(|c| (c.person.as_str(), c.date, c.from, c.to))
            .collect();
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
        assert_eq!(
            who,
            vec![
                ("jaana", d(2024, 12, 13), t(10), t(12)),
                ("johanna", d(2024, 12, 13), t(10), t(12)),
            ]
        );
        assert_eq!(found[0].first.body.as_str(), "sbu");
        assert_eq!(found[0].second.body.as_str(), "cg-social");
        // Cancel one of them and the conflict is gone; meetings that only touch (one
        // ends when the other starts) are not a conflict.
        let mut plan = org.meetings.clone();
        for m in &mut plan {
            if m.id.as_str() == "cg-social-2024-12-13" {
                m.start = t(12);
                m.end = t(14);
            }
        }
        assert!(conflicts(&org, &plan).is_empty());
        for m in &mut plan {
            if m.id.as_str() == "cg-social-2024-12-13" {
                m.start = t(11);
                m.status = MeetingStatus::Cancelled;
            }
        }
        assert!(conflicts(&org, &plan).is_empty());
    }

    #[test]
    fn a_joint_meeting_follows_the_strictest_lead_times() {
        let mut org = fixture::org();
        if let Some(b) = org.bodies.get_mut(&BodyId::new("cg-school")) {
            b.lead_times.notice = crate::org::LeadTime::Days(21);
        }
        let bodies = [BodyId::new("cg-social"), BodyId::new("cg-school")];
        assert_eq!(
            derived_dates(&org, &bodies, d(2024, 11, 15)),
            (d(2024, 10, 15), d(2024, 10, 25))
        );
    }
}
