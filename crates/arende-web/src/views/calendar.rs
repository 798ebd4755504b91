//! Calendars (kalendrar) per body and per person: the meetings ahead with their
//! call-for-matters and notice dates, and subscribe links to the iCalendar feeds that
//! `arende serve` publishes under `/feeds/{tenant}/…`.

use arende_core::Result;
use arende_core::deployment::CountyEngine;
use arende_core::ids::{BodyId, PersonId, UnknownId};
use arende_core::org::{MeetingStatus, PlannedMeeting};
use maud::{Markup, html};

use super::{body_name, person_name};
use crate::layout::{Ctx, page};

/// Whose calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// A body's.
    Body(BodyId),
    /// A person's: every meeting of a body where they sit.
    Person(PersonId),
}

/// The calendar page's view model.
#[derive(Debug, Clone)]
pub struct CalendarPage {
    /// Whose.
    pub owner: Owner,
    /// The owner's name.
    pub name: String,
    /// The meetings, in date order (cancelled ones marked).
    pub meetings: Vec<PlannedMeeting>,
    /// The iCalendar feed's path.
    pub feed: String,
}

/// Gathers a calendar page.
pub fn build(engine: &CountyEngine, owner: Owner) -> Result<CalendarPage> {
    let org = engine.org();
    let read = engine.read();
    let today = engine.clock().today();
    let tenant = &org.tenant;
    let (name, meetings, feed) = match &owner {
        Owner::Body(b) => (
            body_name(org, b),
            read.body_meeting_plan(b)?,
            format!("/feeds/{tenant}/body/{b}.ics"),
        ),
        Owner::Person(p) => {
            if org.person(p).is_none() {
                return Err(UnknownId::new("person", p).into());
            }
            let bodies: Vec<&BodyId> = org
                .memberships
                .iter()
                .filter(|m| &m.person == p)
                .map(|m| &m.body)
                .collect();
            let plan = read
                .meeting_plan()?
                .into_iter()
                .filter(|m| m.bodies.iter().any(|b| bodies.contains(&b)))
                .collect();
            (
                person_name(org, p),
                plan,
                format!("/feeds/{tenant}/person/{p}.ics"),
            )
        }
    };
    let meetings = meetings.into_iter().filter(|m| m.date >= today).collect();
    Ok(CalendarPage {
        owner,
        name,
        meetings,
        feed,
    })
}

/// Renders a calendar page.
pub fn render(ctx: &Ctx, v: &CalendarPage) -> Markup {
    let path = match &v.owner {
        Owner::Body(b) => format!("bodies/{b}/calendar"),
        Owner::Person(p) => format!("persons/{p}/calendar"),
    };
    let body = html! {
        p {
            a href=(v.feed) id="subscribe" { (ctx.t("Prenumerera (iCalendar)", "Subscribe (iCalendar)")) }
            " · " span class="muted" { (ctx.t("Lägg till adressen i din kalender:", "Add the address to your calendar:")) " " code { (v.feed) } }
        }
        @if v.meetings.is_empty() {
            p { (ctx.t("Inga sammanträden framåt.", "No meetings ahead.")) }
        } @else {
            table {
                caption { (ctx.t("Sammanträden framåt", "Meetings ahead")) }
                thead { tr {
                    th scope="col" { (ctx.t("Datum", "Date")) }
                    th scope="col" { (ctx.t("Tid", "Time")) }
                    th scope="col" { (ctx.t("Organ", "Bodies")) }
                    th scope="col" { (ctx.t("Inhämtning av frågor", "Call for matters")) }
                    th scope="col" { (ctx.t("Kallelse", "Notice")) }
                } }
                tbody {
                    @for m in &v.meetings {
                        tr {
                            td { a href=(ctx.href(&format!("meetings/{}", m.id))) { (m.date) } @if m.status == MeetingStatus::Cancelled { " (" (ctx.t("inställt", "cancelled")) ")" } }
                            td { (m.start.format("%H:%M")) "–" (m.end.format("%H:%M")) }
                            td { (m.bodies.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(", ")) }
                            td { (m.call_for_matters) }
                            td { (m.notice) }
                        }
                    }
                }
            }
        }
    };
    let title = format!("{} – {}", ctx.t("Kalender", "Calendar"), v.name);
    page(ctx, &title, &path, body)
}
