//! Criterion bench: 10,000 matters each run through a full lifecycle of 19 commands
//! (submit, screen, schedule, present, remiss, a response, responses worked in,
//! recommend, KCRD's decision, three political decisions each with its party's minutes
//! adjusted and announced, entry into force), in one criterion group and one run:
//!
//! - `arende-engine`: the real engine methods over [`MemoryStore`] with the county of
//!   `benches/county.toml` (authorization, mandates, route advance, feedback to the
//!   submitter in the outbox, JSON events, version check, state cache);
//! - `arende-engine-feedback-later`: the same with `CommandOptions::tell_later()`, so no
//!   feedback notice to the submitter (and no `FeedbackGiven` event) with each change;
//! - `enum-limit`: a plain enum state machine doing the same transitions and
//!   serialising each event with serde_json into a log: the limit;
//! - `cqrs-es`: the peer `cqrs-es` 0.5 (`CqrsFramework`, a silent aggregate with the
//!   limit's transitions and events, on a tokio current-thread runtime) over an
//!   in-memory store that is `cqrs_es::mem_store::MemStore` without its two `println!`
//!   per command (they would print 260,000 lines per sample).
//!
//! - `cqrs-es-matter-domain`: the same framework and store running arende's own domain
//!   (`arende::matter::decide` and `Matter::apply` in a cqrs-es aggregate), so the
//!   engine's machinery is compared with the framework's on identical domain work.
//!
//! Each runs in two groups: `lifecycle-10k` timed by the wall clock and
//! `lifecycle-10k-cpu` by the thread's CPU time (which leaves out waiting for a core on
//! a loaded machine). Run: `cargo bench --bench lifecycle`.

#![allow(missing_docs)] // criterion_group! makes an undocumented pub fn.

mod common;

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use arende::engine::Engine;
use arende::store::MemoryStore;
use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::{Deserialize, Serialize};

const MATTERS: usize = 10_000;

/// The events the limit and the peer write per matter (19 commands; the last political
/// decision also concludes).
const EVENTS: usize = 20;

/// The limit's and the peer's domain: the same transitions as the engine's route, as a
/// plain enum, with events that carry what the engine's events carry (ids, bodies,
/// steps, dates, texts) and no more.
mod domain {
    use super::*;

    /// Where a matter stands.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Stage {
        #[default]
        New,
        Registered,
        AtPresentation,
        Scheduled,
        AtRemiss,
        OnRemiss {
            answered: u8,
        },
        AtRecommendation,
        AtDecision,
        Political {
            adopted: u8,
        },
        Decided,
        InForce,
    }

    /// A matter's state.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    pub struct State {
        pub stage: Stage,
        pub version: u32,
    }

    /// A command.
    #[derive(Debug, Clone)]
    pub enum Command {
        Submit {
            id: String,
            title: String,
            body: String,
            submitter: String,
        },
        Screen {
            body: String,
        },
        Schedule {
            meeting: String,
        },
        Present {
            body: String,
        },
        SendOnRemiss {
            body: String,
            deadline: NaiveDate,
            receivers: Vec<String>,
        },
        RecordResponse {
            party: String,
            comments: u32,
            on: NaiveDate,
        },
        WorkIn {
            body: String,
            comments: u32,
        },
        Recommend {
            body: String,
            text: String,
        },
        Decide {
            body: String,
        },
        Political {
            party: String,
            on: NaiveDate,
        },
        AdjustPartyMinutes {
            party: String,
            on: NaiveDate,
        },
        Announce {
            party: String,
            on: NaiveDate,
        },
        EnterIntoForce {
            on: NaiveDate,
        },
    }

    /// An event.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Event {
        Submitted {
            id: String,
            kind: String,
            title: String,
            submitter: String,
            body: String,
        },
        AcceptedForHandling {
            body: String,
            route: String,
            step: String,
        },
        Scheduled {
            meeting: String,
            body: String,
        },
        Presented {
            body: String,
            completed: String,
            activated: String,
        },
        RemissSent {
            body: String,
            recipients: Vec<String>,
            deadline: NaiveDate,
            receivers: Vec<String>,
        },
        ResponseRecorded {
            party: String,
            comments: u32,
            received_on: NaiveDate,
        },
        ResponsesWorkedIn {
            body: String,
            comments_handled: u32,
            missing: Vec<String>,
            completed: String,
            activated: String,
        },
        Recommended {
            body: String,
            to: String,
            recommendation: String,
            completed: String,
            activated: String,
        },
        ForwardedToPolitical {
            body: String,
            completed: String,
            activated: String,
        },
        PoliticalDecisionRecorded {
            party: String,
            body: String,
            adopted: bool,
            on: NaiveDate,
        },
        PartyMinutesAdjusted {
            party: String,
            body: String,
            on: NaiveDate,
            due: NaiveDate,
            late: bool,
        },
        Announced {
            party: String,
            body: String,
            on: NaiveDate,
            due: NaiveDate,
            late: bool,
            appeal_ends: NaiveDate,
            legal_force: NaiveDate,
        },
        Concluded {
            outcome: String,
        },
        EnteredIntoForce {
            on: NaiveDate,
            parties: Vec<String>,
        },
    }

    /// A refused command.
    #[derive(Debug, thiserror::Error)]
    #[error("{0} is not allowed at stage {1:?}")]
    pub struct Refused(pub &'static str, pub Stage);

    const PARTIES: [&str; 3] = ["region", "north", "south"];

    fn parties() -> Vec<String> {
        PARTIES.iter().map(|p| (*p).to_owned()).collect()
    }

    /// Checks a command against the state: the same transitions as the engine's route.
    pub fn decide(state: &State, command: Command) -> Result<Vec<Event>, Refused> {
        use Stage as S;
        let st = state.stage;
        Ok(match (st, command) {
            (
                S::New,
                Command::Submit {
                    id,
                    title,
                    body,
                    submitter,
                },
            ) => vec![Event::Submitted {
                id,
                kind: "agreement".into(),
                title,
                submitter,
                body,
            }],
            (S::Registered, Command::Screen { body }) => vec![Event::AcceptedForHandling {
                body,
                route: "agreement".into(),
                step: "presentation".into(),
            }],
            (S::AtPresentation, Command::Schedule { meeting }) => vec![Event::Scheduled {
                meeting,
                body: "cg-social".into(),
            }],
            (S::Scheduled, Command::Present { body }) => vec![Event::Presented {
                body,
                completed: "presentation".into(),
                activated: "remiss".into(),
            }],
            (
                S::AtRemiss,
                Command::SendOnRemiss {
                    body,
                    deadline,
                    receivers,
                },
            ) => vec![Event::RemissSent {
                body,
                recipients: parties(),
                deadline,
                receivers,
            }],
            (
                S::OnRemiss { .. },
                Command::RecordResponse {
                    party,
                    comments,
                    on,
                },
            ) => vec![Event::ResponseRecorded {
                party,
                comments,
                received_on: on,
            }],
            (S::OnRemiss { .. }, Command::WorkIn { body, comments }) => {
                vec![Event::ResponsesWorkedIn {
                    body,
                    comments_handled: comments,
                    missing: vec!["region".into(), "south".into()],
                    completed: "remiss".into(),
                    activated: "recommendation".into(),
                }]
            }
            (S::AtRecommendation, Command::Recommend { body, text }) => vec![Event::Recommended {
                body,
                to: "kcrd".into(),
                recommendation: text,
                completed: "recommendation".into(),
                activated: "kcrd-decision".into(),
            }],
            (S::AtDecision, Command::Decide { body }) => vec![Event::ForwardedToPolitical {
                body,
                completed: "kcrd-decision".into(),
                activated: "political-decision".into(),
            }],
            (S::Political { adopted }, Command::Political { party, on }) => {
                let body = format!("{party}-ks");
                let mut out = vec![Event::PoliticalDecisionRecorded {
                    party,
                    body,
                    adopted: true,
                    on,
                }];
                if adopted + 1 == PARTIES.len() as u8 {
                    out.push(Event::Concluded {
                        outcome: "adopted".into(),
                    });
                }
                out
            }
            (S::Political { .. } | S::Decided, Command::AdjustPartyMinutes { party, on }) => {
                let body = format!("{party}-ks");
                vec![Event::PartyMinutesAdjusted {
                    party,
                    body,
                    on,
                    due: on + chrono::Days::new(14),
                    late: false,
                }]
            }
            (S::Political { .. } | S::Decided, Command::Announce { party, on }) => {
                let body = format!("{party}-ks");
                vec![Event::Announced {
                    party,
                    body,
                    on,
                    due: on + chrono::Days::new(2),
                    late: false,
                    appeal_ends: on + chrono::Days::new(21),
                    legal_force: on + chrono::Days::new(22),
                }]
            }
            (S::Decided, Command::EnterIntoForce { on }) => vec![Event::EnteredIntoForce {
                on,
                parties: parties(),
            }],
            (st, c) => return Err(Refused(command_name(&c), st)),
        })
    }

    fn command_name(c: &Command) -> &'static str {
        match c {
            Command::Submit { .. } => "submit",
            Command::Screen { .. } => "screen",
            Command::Schedule { .. } => "schedule",
            Command::Present { .. } => "present",
            Command::SendOnRemiss { .. } => "send-on-remiss",
            Command::RecordResponse { .. } => "record-response",
            Command::WorkIn { .. } => "work-in",
            Command::Recommend { .. } => "recommend",
            Command::Decide { .. } => "decide",
            Command::Political { .. } => "political",
            Command::AdjustPartyMinutes { .. } => "adjust-party-minutes",
            Command::Announce { .. } => "announce",
            Command::EnterIntoForce { .. } => "enter-into-force",
        }
    }

    /// Folds an event into the state.
    pub fn apply(state: &mut State, event: &Event) {
        use Stage as S;
        state.version += 1;
        state.stage = match (state.stage, event) {
            (_, Event::Submitted { .. }) => S::Registered,
            (_, Event::AcceptedForHandling { .. }) => S::AtPresentation,
            (_, Event::Scheduled { .. }) => S::Scheduled,
            (_, Event::Presented { .. }) => S::AtRemiss,
            (_, Event::RemissSent { .. }) => S::OnRemiss { answered: 0 },
            (S::OnRemiss { answered }, Event::ResponseRecorded { .. }) => S::OnRemiss {
                answered: answered + 1,
            },
            (_, Event::ResponsesWorkedIn { .. }) => S::AtRecommendation,
            (_, Event::Recommended { .. }) => S::AtDecision,
            (_, Event::ForwardedToPolitical { .. }) => S::Political { adopted: 0 },
            (S::Political { adopted }, Event::PoliticalDecisionRecorded { .. }) => S::Political {
                adopted: adopted + 1,
            },
            (_, Event::Concluded { .. }) => S::Decided,
            (_, Event::EnteredIntoForce { .. }) => S::InForce,
            (s, _) => s,
        };
    }

    /// One matter's 19 commands, built as a caller would build them.
    pub fn commands(id: &str) -> Vec<Command> {
        let on = super::common::today();
        let mut out = vec![
            Command::Submit {
                id: id.to_owned(),
                title: "Överenskommelse om hälso- och sjukvård i hemmet".into(),
                body: "cg-social".into(),
                submitter: "submitter".into(),
            },
            Command::Screen {
                body: "cg-social".into(),
            },
            Command::Schedule {
                meeting: "cg-social-2024-09-26".into(),
            },
            Command::Present {
                body: "cg-social".into(),
            },
            Command::SendOnRemiss {
                body: "cg-social".into(),
                deadline: super::common::date(2024, 11, 29),
                receivers: vec!["processledare@example.se".into()],
            },
            Command::RecordResponse {
                party: "north".into(),
                comments: 41,
                on,
            },
            Command::WorkIn {
                body: "cg-social".into(),
                comments: 41,
            },
            Command::Recommend {
                body: "cg-social".into(),
                text: "KCRD föreslås besluta om politisk beslutsprocess".into(),
            },
            Command::Decide {
                body: "kcrd".into(),
            },
        ];
        for p in PARTIES {
            out.push(Command::Political {
                party: p.into(),
                on,
            });
            out.push(Command::AdjustPartyMinutes {
                party: p.into(),
                on,
            });
            out.push(Command::Announce {
                party: p.into(),
                on,
            });
        }
        out.push(Command::EnterIntoForce {
            on: super::common::date(2025, 1, 1),
        });
        out
    }
}

/// The limit: states in a vector, each event serialised with serde_json into one log.
fn run_limit(ids: &[String]) -> (Vec<domain::State>, Vec<String>) {
    let mut states = vec![domain::State::default(); ids.len()];
    let mut log = Vec::with_capacity(ids.len() * EVENTS);
    for (i, id) in ids.iter().enumerate() {
        for c in domain::commands(id) {
            let state = &mut states[i];
            let events = match domain::decide(state, c) {
                Ok(e) => e,
                Err(e) => panic!("enum limit refused: {e}"),
            };
            for e in &events {
                domain::apply(state, e);
                log.push(serde_json::to_string(e).unwrap_or_default());
            }
        }
    }
    (states, log)
}

/// The peer: cqrs-es 0.5.
mod peer {
    use super::domain::{self, Command, Event, Refused, State};
    use super::*;
    use cqrs_es::{
        Aggregate, AggregateContext, AggregateError, CqrsFramework, DomainEvent, EventEnvelope,
        EventStore, event_sink::EventSink,
    };

    /// The silent aggregate: the limit's transitions, no services, no output.
    #[derive(Debug, Default, Serialize, Deserialize)]
    pub struct Agreement(State);

    impl DomainEvent for Event {
        fn event_type(&self) -> String {
            let name = match self {
                Event::Submitted { .. } => "Submitted",
                Event::AcceptedForHandling { .. } => "AcceptedForHandling",
                Event::Scheduled { .. } => "Scheduled",
                Event::Presented { .. } => "Presented",
                Event::RemissSent { .. } => "RemissSent",
                Event::ResponseRecorded { .. } => "ResponseRecorded",
                Event::ResponsesWorkedIn { .. } => "ResponsesWorkedIn",
                Event::Recommended { .. } => "Recommended",
                Event::ForwardedToPolitical { .. } => "ForwardedToPolitical",
                Event::PoliticalDecisionRecorded { .. } => "PoliticalDecisionRecorded",
                Event::PartyMinutesAdjusted { .. } => "PartyMinutesAdjusted",
                Event::Announced { .. } => "Announced",
                Event::Concluded { .. } => "Concluded",
                Event::EnteredIntoForce { .. } => "EnteredIntoForce",
            };
            name.to_owned()
        }
        fn event_version(&self) -> String {
            "1.0".to_owned()
        }
    }

    impl Aggregate for Agreement {
        const TYPE: &'static str = "agreement";
        type Command = Command;
        type Event = Event;
        type Error = Refused;
        type Services = ();

        async fn handle(
            &mut self,
            command: Command,
            _: &(),
            sink: &EventSink<Self>,
        ) -> Result<(), Refused> {
            for e in domain::decide(&self.0, command)? {
                sink.write(e, self).await;
            }
            Ok(())
        }

        fn apply(&mut self, event: Event) {
            domain::apply(&mut self.0, &event);
        }
    }

    type Envelopes<A> = RwLock<HashMap<String, Vec<EventEnvelope<A>>>>;

    /// `cqrs_es::mem_store::MemStore`, line for line, without its `println!`s.
    pub struct QuietMemStore<A: Aggregate> {
        events: Arc<Envelopes<A>>,
    }

    impl<A: Aggregate> Default for QuietMemStore<A> {
        fn default() -> Self {
            QuietMemStore {
                events: Arc::default(),
            }
        }
    }

    impl<A: Aggregate> Clone for QuietMemStore<A> {
        fn clone(&self) -> Self {
            QuietMemStore {
                events: self.events.clone(),
            }
        }
    }

    /// `cqrs_es::mem_store::MemStoreAggregateContext`.
    pub struct Context<A> {
        aggregate_id: String,
        aggregate: A,
        current_sequence: usize,
    }

    impl<A: Aggregate> AggregateContext<A> for Context<A> {
        fn aggregate(&mut self) -> &mut A {
            &mut self.aggregate
        }
    }

    impl<A: Aggregate> QuietMemStore<A> {
        fn committed(&self, id: &str) -> Vec<EventEnvelope<A>> {
            self.events
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .get(id)
                .into_iter()
                .flatten()
                .cloned()
                .collect()
        }
    }

    impl<A: Aggregate> EventStore<A> for QuietMemStore<A> {
        type AC = Context<A>;

        async fn load_events(
            &self,
            id: &str,
        ) -> Result<Vec<EventEnvelope<A>>, AggregateError<A::Error>> {
            Ok(self.committed(id))
        }

        async fn load_aggregate(&self, id: &str) -> Result<Context<A>, AggregateError<A::Error>> {
            let committed = self.load_events(id).await?;
            let mut aggregate = A::default();
            let mut current_sequence = 0;
            for envelope in committed {
                current_sequence = envelope.sequence;
                aggregate.apply(envelope.payload);
            }
            Ok(Context {
                aggregate_id: id.to_string(),
                aggregate,
                current_sequence,
            })
        }

        async fn commit(
            &self,
            events: Vec<A::Event>,
            context: Context<A>,
            metadata: HashMap<String, String>,
        ) -> Result<Vec<EventEnvelope<A>>, AggregateError<A::Error>> {
            let mut sequence = context.current_sequence;
            let wrapped: Vec<EventEnvelope<A>> = events
                .into_iter()
                .map(|payload| {
                    sequence += 1;
                    EventEnvelope {
                        aggregate_id: context.aggregate_id.to_string(),
                        sequence,
                        payload,
                        metadata: metadata.clone(),
                    }
                })
                .collect();
            if wrapped.is_empty() {
                return Ok(Vec::new());
            }
            let id = wrapped[0].aggregate_id.to_string();
            let mut all = self.committed(&id);
            all.extend(wrapped.iter().cloned());
            self.events
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .insert(id, all);
            Ok(wrapped)
        }
    }

    /// Runs every matter's lifecycle through the framework.
    pub fn run(rt: &tokio::runtime::Runtime, ids: &[String]) -> QuietMemStore<Agreement> {
        let store = QuietMemStore::default();
        let cqrs = CqrsFramework::new(store.clone(), Vec::new(), ());
        rt.block_on(async {
            for id in ids {
                for c in domain::commands(id) {
                    if let Err(e) = cqrs.execute(id, c).await {
                        panic!("cqrs-es refused: {e}");
                    }
                }
            }
        });
        store
    }
}

/// The peer running arende's own matter domain: `arende::matter::decide` and
/// `Matter::apply` inside a cqrs-es aggregate (services: the organisation and today), so
/// engine and framework are compared on the same domain work.
mod peer_domain {
    use super::peer::QuietMemStore;
    use super::*;
    use arende::aggregate::{Aggregate as _, Event as _};
    use arende::authz::Actor;
    use arende::ids::MatterId;
    use arende::matter::{Matter, MatterCommand, MatterContext, MatterEvent};
    use arende::org::Organisation;
    use cqrs_es::{Aggregate, CqrsFramework, DomainEvent, event_sink::EventSink};

    /// A matter as a cqrs-es aggregate.
    #[derive(Debug, Default, Serialize, Deserialize)]
    pub struct MatterAggregate(Matter);

    /// A matter event as a cqrs-es domain event.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(transparent)]
    pub struct Event(MatterEvent);

    impl DomainEvent for Event {
        fn event_type(&self) -> String {
            self.0.event_type().to_owned()
        }
        fn event_version(&self) -> String {
            "1.0".to_owned()
        }
    }

    /// A refusal from `decide`.
    #[derive(Debug, thiserror::Error)]
    #[error(transparent)]
    pub struct Refused(arende::Error);

    /// What `decide` needs besides the state.
    pub struct Services {
        org: Arc<Organisation>,
        today: NaiveDate,
    }

    impl Aggregate for MatterAggregate {
        const TYPE: &'static str = "matter";
        type Command = (Actor, MatterCommand);
        type Event = Event;
        type Error = Refused;
        type Services = Services;

        async fn handle(
            &mut self,
            (actor, command): (Actor, MatterCommand),
            services: &Services,
            sink: &EventSink<Self>,
        ) -> Result<(), Refused> {
            let events = {
                let ctx = MatterContext {
                    org: &services.org,
                    actor: &actor,
                    today: services.today,
                };
                arende::matter::decide(&self.0, command, &ctx).map_err(|e| Refused(e.into()))?
            };
            for e in events {
                sink.write(Event(e), self).await;
            }
            Ok(())
        }

        fn apply(&mut self, event: Event) {
            self.0.apply(&event.0);
        }
    }

    /// Runs every matter's lifecycle (the engine bench's commands) through the framework.
    pub fn run(rt: &tokio::runtime::Runtime, ids: &[MatterId]) -> QuietMemStore<MatterAggregate> {
        let store = QuietMemStore::default();
        let services = Services {
            org: common::county(),
            today: common::today(),
        };
        let cqrs = CqrsFramework::new(store.clone(), Vec::new(), services);
        rt.block_on(async {
            for id in ids {
                let key = id.to_string();
                let (submitter, submit, steps) = common::commands_of(*id);
                let all = std::iter::once((submitter, MatterCommand::Submit(submit))).chain(steps);
                for c in all {
                    if let Err(e) = cqrs.execute(&key, c).await {
                        panic!("cqrs-es refused: {e}");
                    }
                }
            }
        });
        store
    }
}

fn run_engine(
    ids: &[arende::ids::MatterId],
    options: arende::command::CommandOptions,
) -> Engine<MemoryStore, Arc<arende::clock::SimulatedClock>> {
    let engine = Engine::new(common::county(), MemoryStore::new(), common::clock());
    for id in ids {
        if let Err(e) = common::lifecycle_with(&engine, *id, common::COMMANDS, options) {
            panic!("engine refused: {e}");
        }
    }
    engine
}

/// Checks once, outside the timed part, that all three end where the route ends.
fn check(ids: &[arende::ids::MatterId], strings: &[String], rt: &tokio::runtime::Runtime) {
    let engine = run_engine(&ids[..2], Default::default());
    for id in &ids[..2] {
        match engine.read().matter(*id) {
            Ok(m) => assert_eq!(m.status, arende::matter::MatterStatus::InForce),
            Err(e) => panic!("matter not loadable: {e}"),
        }
    }
    let (states, log) = run_limit(&strings[..2]);
    assert!(states.iter().all(|s| s.stage == domain::Stage::InForce));
    assert_eq!(log.len(), 2 * EVENTS);
    let store = peer::run(rt, &strings[..2]);
    let n = store_len(&store, &strings[0]);
    assert_eq!(n, EVENTS, "cqrs-es wrote {n} events");
    let store = peer_domain::run(rt, &ids[..2]);
    let n = store_len(&store, &strings[0]);
    assert_eq!(n, EVENTS, "cqrs-es with the matter domain wrote {n} events");
}

fn store_len<A: cqrs_es::Aggregate>(store: &peer::QuietMemStore<A>, id: &str) -> usize {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap_or_else(|e| panic!("tokio runtime: {e}"));
    rt.block_on(async {
        use cqrs_es::EventStore;
        store.load_events(id).await.map(|v| v.len()).unwrap_or(0)
    })
}

fn bench(c: &mut Criterion) {
    let ids = common::matter_ids(MATTERS);
    let strings: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap_or_else(|e| panic!("tokio runtime: {e}"));
    check(&ids, &strings, &rt);

    for timer in common::Timer::available() {
        let mut g = c.benchmark_group(format!("lifecycle-10k{}", timer.suffix()));
        g.sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(20))
            .throughput(Throughput::Elements(MATTERS as u64));
        // Each iteration starts from an empty store; dropping it is not timed.
        g.bench_function("enum-limit", |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| timer.time(|| run_limit(black_box(&strings))).0)
                    .sum()
            })
        });
        g.bench_function("arende-engine", |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        timer
                            .time(|| run_engine(black_box(&ids), Default::default()))
                            .0
                    })
                    .sum()
            })
        });
        // The same without the feedback (återkoppling) notice to the submitter and its
        // FeedbackGiven event with each change: what the outbox costs.
        let later = arende::command::CommandOptions::tell_later();
        g.bench_function("arende-engine-feedback-later", |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| timer.time(|| run_engine(black_box(&ids), later)).0)
                    .sum()
            })
        });
        g.bench_function("cqrs-es-matter-domain", |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| timer.time(|| peer_domain::run(&rt, black_box(&ids))).0)
                    .sum()
            })
        });
        g.bench_function("cqrs-es", |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| timer.time(|| peer::run(&rt, black_box(&strings))).0)
                    .sum()
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
