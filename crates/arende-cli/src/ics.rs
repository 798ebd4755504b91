//! iCalendar export of a body's meeting plan, for `arende calendar --ics FILE`.
//!
//! The core's calendar export (branch `meetings`) is to replace this once merged.

use arende_core::forecast::Lang;
use arende_core::org::{Body, MeetingStatus, Organisation, PlannedMeeting};
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike, EventStatus};

const TZ: &str = "Europe/Stockholm";

/// The meetings as an iCalendar (RFC 5545) text: one event per meeting, with a stable
/// UID (meeting id @ tenant), local times in Europe/Stockholm, the sequence number and
/// status, and the call-for-matters and notice dates in the description.
pub fn calendar(
    org: &Organisation,
    body: &Body,
    meetings: &[&PlannedMeeting],
    lang: Lang,
) -> String {
    let mut cal = Calendar::new();
    cal.name(&body.name);
    cal.timezone(TZ);
    for m in meetings {
        let description = match lang {
            Lang::Sv => format!(
                "Inhämtning av frågor: {}\nKallelse med handlingar: {}",
                m.call_for_matters, m.notice
            ),
            Lang::En => format!(
                "Call for matters: {}\nNotice with documents: {}",
                m.call_for_matters, m.notice
            ),
        };
        let names: Vec<&str> = m
            .bodies
            .iter()
            .map(|b| org.body(b).map_or(b.as_str(), |b| b.name.as_str()))
            .collect();
        let mut event = Event::new();
        event
            .uid(&format!("{}@{}", m.id, org.tenant))
            .summary(&names.join(" + "))
            .description(&description)
            .starts(CalendarDateTime::WithTimezone {
                date_time: m.date.and_time(m.start),
                tzid: TZ.into(),
            })
            .ends(CalendarDateTime::WithTimezone {
                date_time: m.date.and_time(m.end),
                tzid: TZ.into(),
            })
            .sequence(m.sequence)
            .status(match m.status {
                MeetingStatus::Tentative => EventStatus::Tentative,
                MeetingStatus::Confirmed => EventStatus::Confirmed,
                MeetingStatus::Cancelled => EventStatus::Cancelled,
            });
        if let Some(loc) = &m.location {
            event.location(loc);
        }
        cal.push(event.done());
    }
    cal.done().to_string()
}
