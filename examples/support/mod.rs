//! Shared support for the examples and `tests/routes.rs`: the three real routes of the
//! reference minutes, simulated end to end on the embedded SQLite store.
//!
//! Each scenario ([`home_health_care`], [`family_centres`], [`unbroken_schooling`])
//! drives the real engine commands in simulated time — matters, meetings with their
//! call, notice, minutes, adjustment and distribution, remiss with responses, political
//! decisions per party, entry into force — and returns a [`world::Run`]: the timeline
//! read back from the store, the notifications taken from the outbox, and the proof that
//! reopening the store rebuilds every matter, meeting and assignment unchanged.
//!
//! The scenarios are scripts for Region Örebro län (`config/orebro.toml`): they are
//! example code, not part of the library, and are included with `#[path]` by each
//! example and by the integration test, so that both run the same script.

// Each example uses one scenario of the three; the integration test uses all of them.
#![allow(dead_code)]

pub mod family_centres;
pub mod home_health_care;
pub mod timeline;
pub mod unbroken_schooling;
pub mod world;

use arende::authz::Actor;
use arende::ids::PersonId;
use chrono::NaiveDate;

/// A date in the simulation; the scripts only use valid literal dates.
pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_else(|| panic!("{y}-{m}-{day} is no date"))
}

/// A person of the configuration acting.
pub fn person(id: &str) -> Actor {
    Actor::Person(PersonId::new(id))
}

/// Person ids from their text form.
pub fn ids(list: &[&str]) -> Vec<PersonId> {
    list.iter().map(|p| PersonId::new(*p)).collect()
}

/// Each party's road to legal force (laga kraft) after its political decision on
/// `decided`: the minutes adjusted `adjust_after` days after the meeting, the notice on
/// the party's notice board the next day (recorded by the party's political secretary,
/// `secretary`), in date order with the simulation's clock. Returns each party's day of
/// legal force, as the engine computed it (the appeal period of three weeks, running to
/// the next working day when it ends on a day off).
pub fn to_legal_force(
    w: &mut world::World,
    matter: arende::ids::MatterId,
    decided: &[(NaiveDate, arende::ids::PartyId)],
    adjust_after: i64,
    secretary: impl Fn(&arende::ids::PartyId) -> anyhow::Result<String>,
) -> anyhow::Result<Vec<(arende::ids::PartyId, NaiveDate)>> {
    use arende::matter::MatterCommand;
    let mut steps: Vec<(NaiveDate, bool, arende::ids::PartyId)> = Vec::new();
    for (date, party) in decided {
        let adjusted = *date + chrono::Duration::days(adjust_after);
        steps.push((adjusted, false, party.clone()));
        steps.push((adjusted + chrono::Duration::days(1), true, party.clone()));
    }
    steps.sort();
    for (date, announce, party) in steps {
        if date > w.today() {
            w.at(date)?;
        }
        let command = if announce {
            MatterCommand::RecordAnnouncement {
                party: party.clone(),
                on: Some(date),
            }
        } else {
            MatterCommand::RecordPartyAdjustment {
                party: party.clone(),
                on: Some(date),
            }
        };
        w.engine
            .run_matter(matter, &person(&secretary(&party)?), command)?;
    }
    let state = w.engine.read().matter(matter)?;
    Ok(state
        .legal
        .iter()
        .filter_map(|(p, l)| l.legal_force.map(|f| (p.clone(), f)))
        .collect())
}
