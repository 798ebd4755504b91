//! Shared by the root benches: the small county of `benches/county.toml` and one matter's
//! full lifecycle run through the real engine methods.

#![allow(dead_code)]

use std::sync::Arc;

use arende::authz::Actor;
use arende::clock::SimulatedClock;
use arende::command::CommandOptions;
use arende::engine::Engine;
use arende::ids::{MatterId, MeetingId, PartyId, PersonId};
use arende::matter::{
    At, MatterCommand, MatterKind, PartyDecision, RemissOrder, RemissRecipient, Screening,
    SubmitMatter,
};
use arende::org::Organisation;
use arende::store::EventStore;
use chrono::NaiveDate;

/// The bench county's configuration text.
pub const COUNTY: &str = include_str!("../county.toml");

/// The bench county, loaded and validated by the real configuration loader.
pub fn county() -> Arc<Organisation> {
    match arende::config::load_str(COUNTY, "benches/county.toml") {
        Ok(org) => Arc::new(org),
        Err(e) => panic!("benches/county.toml is invalid: {e}"),
    }
}

/// A date (the bench's constants are valid dates).
pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// The day the lifecycles run (before the chief group's meeting of 26 September 2024).
pub fn today() -> NaiveDate {
    date(2024, 9, 2)
}

/// The instant the lifecycles run at (09:00 on [`today`]).
pub fn clock_now() -> chrono::DateTime<chrono::Utc> {
    arende::clock::stockholm_instant(today(), 9, 0)
}

/// A simulated clock at [`today`].
pub fn clock() -> Arc<SimulatedClock> {
    Arc::new(SimulatedClock::at_date(today()))
}

/// `n` distinct matter ids (made outside the timed part).
pub fn matter_ids(n: usize) -> Vec<MatterId> {
    (0..n).map(|_| MatterId::random()).collect()
}

fn person(id: &str) -> Actor {
    Actor::Person(PersonId::new(id))
}

/// The parties that decide politically, in the order their secretaries record it.
pub const PARTIES: [&str; 3] = ["region", "north", "south"];

/// How many commands [`lifecycle`] runs: the submission and every step of
/// [`commands_of`].
pub const COMMANDS: usize = 19;

/// Runs one matter through the whole route of the bench county with the engine's own
/// methods: submit, screen, schedule, present, remiss, a response, responses worked in,
/// recommend, KCRD's decision, three political decisions each with its party's minutes
/// adjusted and announced (laga kraft), entry into force.
pub fn lifecycle<S: EventStore, C: arende::clock::Clock>(
    engine: &Engine<S, C>,
    id: MatterId,
) -> arende::Result<()> {
    lifecycle_until(engine, id, COMMANDS)
}

/// The first `commands` commands of [`lifecycle`] (6 = on remiss with one response).
pub fn lifecycle_until<S: EventStore, C: arende::clock::Clock>(
    engine: &Engine<S, C>,
    id: MatterId,
    commands: usize,
) -> arende::Result<()> {
    lifecycle_with(engine, id, commands, CommandOptions::default())
}

/// The first `commands` commands of [`lifecycle`] with `options` (e.g.
/// [`CommandOptions::tell_later`]: no feedback to the submitter with each command).
pub fn lifecycle_with<S: EventStore, C: arende::clock::Clock>(
    engine: &Engine<S, C>,
    id: MatterId,
    commands: usize,
    options: CommandOptions,
) -> arende::Result<()> {
    if commands == 0 {
        return Ok(());
    }
    let (submitter, submit, steps) = commands_of(id);
    engine.submit_matter_with(&submitter, submit, options)?;
    for (actor, command) in steps.into_iter().take(commands - 1) {
        engine.run_matter_with(id, &actor, command, options)?;
    }
    Ok(())
}

/// One matter's lifecycle as commands: who submits, the submission, then each later
/// command with its actor.
pub fn commands_of(id: MatterId) -> (Actor, SubmitMatter, Vec<(Actor, MatterCommand)>) {
    let cg = person("cg-sec");
    let kcrd = person("kcrd-sec");
    let mut submit = SubmitMatter::new(
        MatterKind::Agreement,
        "Överenskommelse om hälso- och sjukvård i hemmet",
        "cg-social",
    );
    submit.id = Some(id);
    let mut steps: Vec<(Actor, MatterCommand)> = vec![
        (
            cg.clone(),
            MatterCommand::Screen {
                screening: Screening::Handle { route: None },
            },
        ),
        (
            cg.clone(),
            MatterCommand::Schedule {
                meeting: MeetingId::new("cg-social-2024-09-26"),
            },
        ),
        (
            cg.clone(),
            MatterCommand::Present {
                at: At::body("cg-social"),
            },
        ),
        (
            cg.clone(),
            MatterCommand::SendOnRemiss(RemissOrder {
                at: At::body("cg-social"),
                recipients: Vec::new(),
                deadline: date(2024, 11, 29),
                receivers: vec!["processledare@example.se".into()],
                edition: None,
            }),
        ),
        (
            cg.clone(),
            MatterCommand::RecordRemissResponse {
                recipient: RemissRecipient::Party(PartyId::new("north")),
                comments: 41,
                received_on: None,
            },
        ),
        (
            cg.clone(),
            MatterCommand::WorkInResponses {
                at: At::body("cg-social"),
                comments_handled: 41,
            },
        ),
        (
            cg.clone(),
            MatterCommand::Recommend {
                at: At::body("cg-social"),
                to: None,
                recommendation: "KCRD föreslås besluta om politisk beslutsprocess".into(),
            },
        ),
        (
            kcrd.clone(),
            MatterCommand::ForwardToPolitical {
                at: At::body("kcrd"),
            },
        ),
    ];
    for party in PARTIES {
        steps.push((
            person(&format!("{party}-sec")),
            MatterCommand::RecordPoliticalDecision {
                party: PartyId::new(party),
                decision: PartyDecision::Adopted,
                minutes: None,
                on: None,
            },
        ));
        // The party's minutes adjusted and announced on its notice board (today): its
        // decision is in legal force (laga kraft) long before the entry into force.
        steps.push((
            person(&format!("{party}-sec")),
            MatterCommand::RecordPartyAdjustment {
                party: PartyId::new(party),
                on: None,
            },
        ));
        steps.push((
            person(&format!("{party}-sec")),
            MatterCommand::RecordAnnouncement {
                party: PartyId::new(party),
                on: None,
            },
        ));
    }
    steps.push((
        kcrd,
        MatterCommand::EnterIntoForce {
            on: date(2025, 1, 1),
            valid_until: None,
            override_reason: None,
        },
    ));
    (person("submitter"), submit, steps)
}

/// What a bench's `iter_custom` times: the wall clock, or this thread's CPU time, which
/// leaves out the time the thread waits for a core on a shared, loaded machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// `Instant::now()`.
    Wall,
    /// The first field of `/proc/thread-self/schedstat` (Linux), in nanoseconds.
    Cpu,
}

impl Timer {
    /// The timers this machine has (CPU time only where schedstat is readable).
    pub fn available() -> Vec<Timer> {
        let mut out = vec![Timer::Wall];
        if cpu_time().is_some() {
            out.push(Timer::Cpu);
        }
        out
    }

    /// The suffix of the criterion group measured with this timer.
    pub fn suffix(self) -> &'static str {
        match self {
            Timer::Wall => "",
            Timer::Cpu => "-cpu",
        }
    }

    /// How long `f` takes by this timer.
    pub fn time<T>(self, f: impl FnOnce() -> T) -> (std::time::Duration, T) {
        match self {
            Timer::Wall => {
                let t = std::time::Instant::now();
                let out = f();
                (t.elapsed(), out)
            }
            Timer::Cpu => {
                let t = cpu_time().unwrap_or_default();
                let out = f();
                (cpu_time().unwrap_or_default().saturating_sub(t), out)
            }
        }
    }
}

/// This thread's CPU time so far (Linux).
pub fn cpu_time() -> Option<std::time::Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(std::time::Duration::from_nanos(ns))
}
