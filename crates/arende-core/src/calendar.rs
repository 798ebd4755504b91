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
use serde::{Deserialize, Serialize};

use crate::clock::stockholm_instant;
use crate::ids::{BodyId, MeetingId, PersonId};
use crate::meeting::expanded_bodies;
use crate::meeting::minutes::{Language, meeting_title};
use crate::org::{LeadTimes, MeetingStatus, Organisation, PlannedMeeting, Role};

/// The call-for-matters and notice dates of a meeting on `date` of `bodies`: a joint
/// session's own lead times, else the earliest each body's lead times ask for (bodies
/// meeting together follow the strictest), each moved to the working day before when it
/// falls on a weekend, public holiday or local day off ([`Organisation::calendar`]).
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
    // A date that falls on a weekend, holiday or local day off moves to the working
    // day before (the same calendar as the configuration's meeting plans).
    let calendar = org.calendar();
    let moved = |lead: crate::terms::LeadTime| {
        calendar
            .lead_before(lead, date)
            .unwrap_or_else(|| lead.before(date))
    };
    let call = leads
        .iter()
        .map(|l| moved(l.call_for_matters))
        .min()
        .unwrap_or(date);
    let notice = leads.iter().map(|l| moved(l.notice)).min().unwrap_or(date);
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

// ───────────────────────────── RFC 5545 text ─────────────────────────────

/// The PRODID arende writes: `-//arende//arende <version>//SV`.
pub const PRODID: &str = concat!("-//arende//arende ", env!("CARGO_PKG_VERSION"), "//SV");

/// A parameter value (RFC 5545 §3.2, RFC 6868): `^`, newline and `"` written as `^^`,
/// `^n` and `^'`, other control characters dropped, and the whole in double quotes
/// when it contains `:`, `;` or `,` (or is to be safe: any non-ASCII character).
pub fn param_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    let mut quote = false;
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '^' => out.push_str("^^"),
            '"' => out.push_str("^'"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("^n");
                }
            }
            '\n' => out.push_str("^n"),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => {
                quote |= matches!(c, ':' | ';' | ',') || !c.is_ascii();
                out.push(c);
            }
        }
    }
    if quote { format!("\"{out}\"") } else { out }
}

/// A TEXT value (RFC 5545 §3.3.11): `\`, `;` and `,` escaped with a backslash, line
/// breaks as `\n`, other control characters dropped.
pub fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line (RFC 5545 §3.1): at most 75 octets per line, continuation lines
/// starting with one space, never splitting a UTF-8 character; ends with CRLF.
pub fn fold_line(line: &str, out: &mut String) {
    const LIMIT: usize = 75;
    let mut rest = line;
    let mut first = true;
    loop {
        // A continuation line's leading space counts against its 75 octets.
        let room = if first { LIMIT } else { LIMIT - 1 };
        if !first {
            out.push(' ');
        }
        if rest.len() <= room {
            out.push_str(rest);
            out.push_str("\r\n");
            return;
        }
        let mut cut = room;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n");
        rest = &rest[cut..];
        first = false;
    }
}

/// Writes iCalendar text line by line: parameter values quoted, TEXT values escaped,
/// lines folded. The one writer of arende's `.ics` (plans here, invitations in
/// `arende-notify`).
#[derive(Debug, Default)]
pub struct IcsWriter {
    out: String,
}

impl IcsWriter {
    /// An empty text.
    pub fn new() -> Self {
        IcsWriter::default()
    }

    /// `BEGIN:<component>`.
    pub fn begin(&mut self, component: &str) -> &mut Self {
        self.raw("BEGIN", &[], component)
    }

    /// `END:<component>`.
    pub fn end(&mut self, component: &str) -> &mut Self {
        self.raw("END", &[], component)
    }

    /// A property whose value is written as given (a date, a URI, an enumerated
    /// value); parameters are quoted as needed.
    pub fn raw(&mut self, name: &str, params: &[(&str, &str)], value: &str) -> &mut Self {
        let mut line = String::with_capacity(name.len() + value.len() + 16);
        line.push_str(name);
        for (k, v) in params {
            line.push(';');
            line.push_str(k);
            line.push('=');
            line.push_str(&param_value(v));
        }
        line.push(':');
        line.push_str(value);
        fold_line(&line, &mut self.out);
        self
    }

    /// A property with a TEXT value (escaped).
    pub fn text(&mut self, name: &str, params: &[(&str, &str)], value: &str) -> &mut Self {
        self.raw(name, params, &escape_text(value))
    }

    /// A UTC date-time property, e.g. `DTSTART:20241115T120000Z`.
    pub fn utc(&mut self, name: &str, at: DateTime<Utc>) -> &mut Self {
        self.raw(name, &[], &at.format("%Y%m%dT%H%M%SZ").to_string())
    }

    /// A date property, e.g. `DUE;VALUE=DATE:20241115`.
    pub fn date(&mut self, name: &str, day: NaiveDate) -> &mut Self {
        self.raw(
            name,
            &[("VALUE", "DATE")],
            &day.format("%Y%m%d").to_string(),
        )
    }

    /// `ORGANIZER` or `ATTENDEE` with a common name: `NAME;CN="…":mailto:…`.
    pub fn address(
        &mut self,
        name: &str,
        common_name: &str,
        address: &str,
        params: &[(&str, &str)],
    ) -> &mut Self {
        let mut all = vec![("CN", common_name)];
        all.extend_from_slice(params);
        self.raw(name, &all, address)
    }

    /// The text written.
    pub fn finish(self) -> String {
        self.out
    }
}

/// The organiser of a published meeting (RFC 5546 requires one with `METHOD:PUBLISH`):
/// the first secretary of its bodies with an e-mail address, else the organisation.
fn plan_organizer(org: &Organisation, m: &PlannedMeeting) -> (String, String) {
    let bodies = expanded_bodies(org, &m.bodies);
    org.memberships
        .iter()
        .filter(|ms| ms.role == Role::Secretary && bodies.contains(&ms.body))
        .find_map(|ms| {
            let p = org.person(&ms.person)?;
            Some((p.name.clone(), format!("mailto:{}", p.email.as_ref()?)))
        })
        .unwrap_or_else(|| (org.name.clone(), format!("urn:arende:{}", org.tenant)))
}

/// Writes meetings and deadlines as an iCalendar (RFC 5545) text, published
/// (`METHOD:PUBLISH`, RFC 5546: every event with its `ORGANIZER`).
pub fn to_ics(
    org: &Organisation,
    meetings: &[PlannedMeeting],
    deadlines: &[Deadline],
    options: &IcsOptions,
) -> String {
    let mut w = IcsWriter::new();
    w.begin("VCALENDAR")
        .raw("VERSION", &[], "2.0")
        .raw("PRODID", &[], PRODID)
        .raw("CALSCALE", &[], "GREGORIAN")
        .raw("METHOD", &[], "PUBLISH")
        .text("X-WR-CALNAME", &[], &options.name)
        .raw("X-WR-TIMEZONE", &[], "Europe/Stockholm");
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
        let (org_name, org_address) = plan_organizer(org, m);
        w.begin("VEVENT")
            .text("UID", &[], &uid)
            .utc("DTSTAMP", options.generated_at)
            .raw("SEQUENCE", &[], &m.sequence.to_string())
            .text("SUMMARY", &[], &title)
            .text("DESCRIPTION", &[], &description)
            .utc("DTSTART", utc_of(m.date, m.start))
            .utc("DTEND", utc_of(m.date, m.end))
            .raw(
                "STATUS",
                &[],
                match m.status {
                    MeetingStatus::Tentative => "TENTATIVE",
                    MeetingStatus::Confirmed => "CONFIRMED",
                    MeetingStatus::Cancelled => "CANCELLED",
                },
            )
            .address("ORGANIZER", &org_name, &org_address, &[]);
        if let Some(l) = &m.location {
            w.text("LOCATION", &[], l);
        }
        w.end("VEVENT");
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
                w.begin("VTODO")
                    .text(
                        "UID",
                        &[],
                        &format!("{}-{what}@{}.arende", m.id, org.tenant),
                    )
                    .utc("DTSTAMP", options.generated_at)
                    .raw("SEQUENCE", &[], &m.sequence.to_string())
                    .text("SUMMARY", &[], &summary)
                    .date("DUE", due)
                    .raw(
                        "STATUS",
                        &[],
                        if cancelled {
                            "CANCELLED"
                        } else {
                            "NEEDS-ACTION"
                        },
                    )
                    .text("RELATED-TO", &[], &uid)
                    .end("VTODO");
            }
        }
    }
    for d in deadlines {
        w.begin("VTODO")
            .text("UID", &[], &format!("{}@{}.arende", d.key, org.tenant))
            .utc("DTSTAMP", options.generated_at)
            .raw("SEQUENCE", &[], &d.sequence.to_string())
            .text("SUMMARY", &[], &d.summary)
            .date("DUE", d.due)
            .raw(
                "STATUS",
                &[],
                if d.cancelled {
                    "CANCELLED"
                } else {
                    "NEEDS-ACTION"
                },
            );
        if let Some(text) = &d.description {
            w.text("DESCRIPTION", &[], text);
        }
        w.end("VTODO");
    }
    w.end("VCALENDAR");
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{self, d};
    use icalendar::{
        Calendar, CalendarComponent, Component, DatePerhapsTime, EventLike, EventStatus, TodoStatus,
    };

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
        let org = testing::org();
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
        let org = testing::org();
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
        let org = testing::org();
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
        // ends when the other starts) are not a conflict: moved to 12:00–13:00, the social
        // chief group meets between sbu and the joint chief group (13:00–16:00).
        let mut plan = org.meetings.clone();
        for m in &mut plan {
            if m.id.as_str() == "cg-social-2024-12-13" {
                m.start = t(12);
                m.end = t(13);
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
        let mut org = testing::org();
        if let Some(b) = org.bodies.get_mut(&BodyId::new("cg-school")) {
            b.lead_times.notice = crate::org::LeadTime::Days(21);
        }
        let bodies = [BodyId::new("cg-social"), BodyId::new("cg-school")];
        assert_eq!(
            derived_dates(&org, &bodies, d(2024, 11, 15)),
            (d(2024, 10, 15), d(2024, 10, 25))
        );
    }

    #[test]
    fn parameter_values_are_quoted_and_escaped_per_rfc_5545_and_6868() {
        assert_eq!(param_value("Anna Berg"), "Anna Berg");
        assert_eq!(param_value("Berg, Anna"), "\"Berg, Anna\"");
        assert_eq!(param_value("a:b;c"), "\"a:b;c\"");
        assert_eq!(param_value("Anna \"Sekr\" ^Berg"), "Anna ^'Sekr^' ^^Berg");
        assert_eq!(param_value("rad1\r\nrad2"), "rad1^nrad2");
        assert_eq!(param_value("Åsa"), "\"Åsa\"");
        assert_eq!(escape_text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn lines_fold_at_75_octets_without_splitting_characters() {
        let line = format!("SUMMARY:{}", "åäö".repeat(40));
        let mut out = String::new();
        fold_line(&line, &mut out);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        assert_eq!(out.replace("\r\n ", "").trim_end(), line);
    }

    #[test]
    fn published_events_carry_an_organizer_and_arendes_prodid() {
        let org = testing::org();
        let text = to_ics(&org, &org.meetings, &[], &options());
        assert!(text.contains(&format!("PRODID:{PRODID}\r\n")), "{text}");
        assert!(PRODID.starts_with("-//arende//arende "));
        let unfolded = text.replace("\r\n ", "");
        assert_eq!(
            unfolded.matches("\r\nORGANIZER;CN=").count(),
            org.meetings.len(),
            "{text}"
        );
    }
}
