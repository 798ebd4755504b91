//! Property tests: random command sequences on random valid organisations, through two
//! engines sharing one store (one caching states, one not, so stale caches happen),
//! checking after every command that
//! - the state equals the fold of the stored events, and the versions run 1, 2, 3, …;
//! - a refused command writes nothing (no event, no notification);
//! - an accepted one raises the version by exactly the number of events it returns;
//! - no decision-like outcome is ever recorded at a body without the mandate;
//! - a closed matter accepts nothing but recorded feedback (and, when revised, an
//!   extension);
//! - the read model agrees with the state, and feedback is owed only when it should be.
//!
//! The default run has 1,000 cases (`PROPTEST_CASES` overrides it).

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::Duration;
use proptest::prelude::*;

use super::*;
use crate::aggregate::{Aggregate, fold};
use crate::authz::Actor;
use crate::clock::{Clock, SimulatedClock};
use crate::command::CommandOptions;
use crate::engine::Engine;
use crate::error::Error;
use crate::ids::*;
use crate::org::*;
use crate::route::{ConsultationSpec, Dependency, Purpose, Route, Step};
use crate::store::{EventStore, MemoryStore, Outbox};
use crate::testing::{add_party, body, d, empty_org, meeting, membership, person_record};

const PURPOSES: [Purpose; 10] = [
    Purpose::Drafting,
    Purpose::Information,
    Purpose::Preparation,
    Purpose::Consultation,
    Purpose::ReadinessCheck,
    Purpose::Decision,
    Purpose::Recommendation,
    Purpose::PoliticalDecision,
    Purpose::EntryIntoForce,
    Purpose::FollowUp,
];

/// The raw numbers an organisation is built from (shrinks well).
#[derive(Debug, Clone)]
struct OrgSpec {
    parties: usize,
    political_mandate: Vec<bool>,
    bodies: Vec<u16>,
    joint: bool,
    steps: Vec<(u8, u8, u8, u8)>,
    quorum: Option<u8>,
    emails: Vec<bool>,
}

fn org_spec() -> impl Strategy<Value = OrgSpec> {
    (
        1usize..=3,
        proptest::collection::vec(proptest::bool::weighted(0.85), 3),
        proptest::collection::vec(any::<u16>(), 2..=4),
        any::<bool>(),
        proptest::collection::vec(any::<(u8, u8, u8, u8)>(), 1..=7),
        proptest::option::weighted(0.3, 1u8..=3),
        proptest::collection::vec(proptest::bool::weighted(0.7), 2),
    )
        .prop_map(
            |(parties, political_mandate, bodies, joint, steps, quorum, emails)| OrgSpec {
                parties,
                political_mandate,
                bodies,
                joint,
                steps,
                quorum,
                emails,
            },
        )
}

fn pid(i: usize) -> String {
    format!("p{i}")
}

fn bid(i: usize) -> String {
    format!("b{i}")
}

fn build_org(spec: &OrgSpec) -> Organisation {
    let mut org = empty_org();
    for i in 0..spec.parties {
        add_party(&mut org, &pid(i), PartyKind::Municipality, true);
        if !spec.political_mandate[i] {
            let pb = BodyId::new(format!("{}-ks", pid(i)));
            if let Some(b) = org.bodies.get_mut(&pb) {
                b.mandates.remove(&Mandate::PoliticalDecision);
            }
        }
    }
    add_party(&mut org, "other", PartyKind::Other, false);
    let others: Vec<Mandate> = Mandate::ALL
        .into_iter()
        .filter(|m| *m != Mandate::PoliticalDecision)
        .collect();
    let mut names: Vec<String> = Vec::new();
    for (i, bits) in spec.bodies.iter().enumerate() {
        let mandates: Vec<Mandate> = others
            .iter()
            .enumerate()
            .filter(|(k, _)| bits & (1 << k) != 0)
            .map(|(_, m)| *m)
            .collect();
        let x = body(&bid(i), BodyKind::ChiefGroup, &mandates);
        org.bodies.insert(x.id.clone(), x);
        names.push(bid(i));
    }
    if spec.joint {
        let bits = spec.bodies[0] ^ spec.bodies[1];
        let mandates: Vec<Mandate> = others
            .iter()
            .enumerate()
            .filter(|(k, _)| bits & (1 << k) != 0)
            .map(|(_, m)| *m)
            .collect();
        let x = Body {
            joint_of: vec![BodyId::new("b0"), BodyId::new("b1")],
            ..body("joint", BodyKind::JointSession, &mandates)
        };
        org.bodies.insert(x.id.clone(), x);
        names.push("joint".into());
    }
    let add_person = |org: &mut Organisation, id: &str, email: bool| {
        let mut p = person_record(id, id, Some("p0"));
        if !email {
            p.email = None;
        }
        org.people.insert(p.id.clone(), p);
    };
    for n in &names {
        for (role, prefix) in [
            (Role::Secretary, "sec"),
            (Role::Chair, "chair"),
            (Role::Member, "mem"),
        ] {
            let id = format!("{prefix}-{n}");
            add_person(&mut org, &id, true);
            org.memberships.push(membership(&id, n, role, Some("p0")));
        }
    }
    add_person(&mut org, "u0", spec.emails[0]);
    add_person(&mut org, "u1", spec.emails[1]);
    // The route: step 0 starts; every later step follows one or two earlier ones.
    let mut steps: Vec<Step> = Vec::new();
    let mut edges = Vec::new();
    let mut political = false;
    for (k, &(p, b, e1, e2)) in spec.steps.iter().enumerate() {
        let mut purpose = PURPOSES[p as usize % PURPOSES.len()];
        if purpose == Purpose::PoliticalDecision {
            if political {
                purpose = Purpose::Recommendation;
            }
            political = true;
        }
        let at = match purpose {
            Purpose::PoliticalDecision | Purpose::EntryIntoForce | Purpose::FollowUp => None,
            Purpose::Consultation if b % 3 == 0 => None,
            _ => Some(names[b as usize % names.len()].clone()),
        };
        // A valid organisation: a step's body holds the mandate its purpose needs.
        if let (Some(at), Some(m)) = (&at, purpose.required_mandate())
            && let Some(x) = org.bodies.get_mut(&BodyId::new(at))
        {
            x.mandates.insert(m);
        }
        let id = StepId::new(format!("s{k}"));
        steps.push(Step {
            id: id.clone(),
            name: id.to_string(),
            purpose,
            body: at.map(BodyId::new),
            parties: Vec::new(),
            consultation: (purpose == Purpose::Consultation).then(|| ConsultationSpec {
                recipients: Vec::new(),
                period: LeadTime::Weeks(4),
                processing: LeadTime::Weeks(1),
            }),
            quorum: (purpose == Purpose::EntryIntoForce)
                .then_some(spec.quorum.map(u32::from))
                .flatten(),
        });
        if k > 0 {
            let a = e1 as usize % k;
            let dep = if e1 % 4 == 1 {
                Dependency::SameProposal
            } else {
                Dependency::Decision
            };
            edges.push((StepId::new(format!("s{a}")), id.clone(), dep));
            let b2 = e2 as usize % k;
            if b2 != a && e2 % 2 == 0 {
                edges.push((StepId::new(format!("s{b2}")), id, Dependency::Decision));
            }
        }
    }
    let route = Route::new(RouteId::new("r"), "r".into(), steps, edges).expect("generated DAG");
    org.routes.insert(route.id().clone(), route);
    org.bodies
        .get_mut(&BodyId::new("b0"))
        .expect("b0")
        .mandates
        .insert(Mandate::Inform);
    let info = crate::testing::chain(
        "info",
        vec![crate::testing::step("i", Purpose::Information, Some("b0"))],
    );
    org.routes.insert(info.id().clone(), info);
    org.matter_kinds
        .insert("agreement".into(), RouteId::new("r"));
    for (k, n) in names.iter().enumerate() {
        for (m, base) in [
            d(2024, 10, 15),
            d(2024, 11, 15),
            d(2024, 12, 15),
            d(2025, 3, 15),
        ]
        .into_iter()
        .enumerate()
        {
            let date = base + Duration::days(k as i64);
            org.meetings.push(meeting(&format!("{n}-{m}"), &[n], date));
        }
    }
    org.meetings
        .sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
    let mut seen = BTreeSet::new();
    org.memberships
        .retain(|m| seen.insert((m.person.clone(), m.body.clone(), m.role)));
    org
}

type Op = (u8, u8, u8, u8);

enum Choice {
    Command(Actor, MatterCommand, CommandOptions),
    Revise(Actor, SubmitMatter),
    Submit(Actor, SubmitMatter),
    Wait(i64),
}

struct World {
    org: Arc<Organisation>,
    store: Arc<MemoryStore>,
    clock: Arc<SimulatedClock>,
    cached: Engine<Arc<MemoryStore>, Arc<SimulatedClock>>,
    uncached: Engine<Arc<MemoryStore>, Arc<SimulatedClock>>,
    matters: Vec<MatterId>,
    truth: std::collections::HashMap<MatterId, Matter>,
}

fn pick<T: Clone>(items: &[T], n: u8) -> Option<T> {
    (!items.is_empty()).then(|| items[n as usize % items.len()].clone())
}

impl World {
    fn new(org: Organisation) -> World {
        let org = Arc::new(org);
        let store = Arc::new(MemoryStore::new());
        let clock = Arc::new(SimulatedClock::at_date(d(2024, 10, 1)));
        World {
            cached: Engine::new(org.clone(), store.clone(), clock.clone()),
            uncached: Engine::new(org.clone(), store.clone(), clock.clone()).with_cache_capacity(0),
            org,
            store,
            clock,
            matters: Vec::new(),
            truth: std::collections::HashMap::new(),
        }
    }

    fn bodies(&self) -> Vec<BodyId> {
        self.org.bodies.keys().cloned().collect()
    }

    fn actor(&self, a: u8, body: &BodyId, m: &Matter) -> Actor {
        let person = |s: String| Actor::Person(PersonId::new(s));
        match a % 12 {
            0..=5 => {
                // The body's secretary (political bodies: the party's secretary).
                let sec = self
                    .org
                    .members_of(body)
                    .find(|x| x.role == Role::Secretary)
                    .map(|x| x.person.clone());
                sec.map_or(Actor::system("prop"), Actor::Person)
            }
            6 => person(format!("chair-{body}")),
            7 => person(format!("mem-{body}")),
            8 => Actor::Person(m.submitter.clone()),
            9 => Actor::system("prop"),
            _ => person(format!("sec-b{}", a % 3)),
        }
    }

    /// The command that moves the matter along its route (kind, and the body or party
    /// to take it at), so random sequences also reach the deep states.
    fn guide(&self, m: &Matter, c: u8) -> (u8, Option<BodyId>, Option<PartyId>) {
        let consult = || {
            self.org
                .bodies_with(Mandate::Consult)
                .map(|b| b.id.clone())
                .next()
        };
        match m.status {
            MatterStatus::Registered => (0, None, None),
            MatterStatus::InformationItem => (if c % 2 == 0 { 5 } else { 21 }, None, None),
            MatterStatus::InProgress | MatterStatus::PoliticalProcess => {
                let Some(step) = pick(&m.active, c) else {
                    return (21, None, None);
                };
                let body = step.body.clone();
                let kind = match step.purpose {
                    Purpose::Drafting | Purpose::Preparation => 6,
                    Purpose::Information => 5,
                    Purpose::Consultation => match &m.remiss {
                        None => {
                            return (8, body.or_else(consult), None);
                        }
                        Some(r) if c % 3 == 0 => return (9, Some(r.body.clone()), None),
                        Some(r) => return (10, Some(r.body.clone()), None),
                    },
                    Purpose::ReadinessCheck => 13,
                    Purpose::Decision => {
                        if c % 3 == 0 {
                            16
                        } else {
                            14
                        }
                    }
                    Purpose::Recommendation => 12,
                    Purpose::PoliticalDecision => {
                        let undecided = self
                            .org
                            .signatories()
                            .map(|p| p.id.clone())
                            .find(|p| !m.political.contains_key(p));
                        return (23, None, undecided);
                    }
                    Purpose::EntryIntoForce => 25,
                    Purpose::FollowUp => 26,
                };
                (kind, body, None)
            }
            MatterStatus::Decided => (25, None, None),
            MatterStatus::InForce => (if c % 2 == 0 { 27 } else { 26 }, None, None),
            MatterStatus::Closed(Closure::Revised) => (27, None, None),
            MatterStatus::Closed(_) => (28, None, None),
        }
    }

    fn choose(&self, op: Op, m: &Matter) -> Choice {
        let (kind, a, b, c) = op;
        let (kind, forced_body, forced_party) = if kind % 5 == 0 {
            self.guide(m, c)
        } else {
            (kind, None, None)
        };
        let today = self.clock.today();
        let all = self.bodies();
        let current: Vec<BodyId> = m.current_bodies().into_iter().cloned().collect();
        let body = match forced_body {
            Some(b) => b,
            None if b % 4 != 0 => pick(&current, b).unwrap_or_else(|| all[0].clone()),
            None => all[b as usize % all.len()].clone(),
        };
        let at = At::body(body.clone());
        let actor = self.actor(a, &body, m);
        let opts = CommandOptions {
            feedback: if c % 7 == 0 {
                FeedbackMode::Later
            } else {
                FeedbackMode::Now
            },
            ..CommandOptions::default().no_retry()
        };
        let meetings: Vec<MeetingId> = self
            .org
            .meetings
            .iter()
            .filter(|x| x.date >= today && x.bodies.iter().any(|mb| current.contains(mb)))
            .map(|x| x.id.clone())
            .collect();
        let parties: Vec<PartyId> = self.org.parties.keys().cloned().collect();
        let recipient = |n: u8| -> RemissRecipient {
            match (&m.remiss, n % 3) {
                (Some(r), 0 | 1) if !r.recipients.is_empty() => {
                    r.recipients[n as usize % r.recipients.len()].clone()
                }
                _ => RemissRecipient::Party(parties[n as usize % parties.len()].clone()),
            }
        };
        use MatterCommand as C;
        let cmd = match kind % 30 {
            0 => C::Screen {
                screening: Screening::Handle { route: None },
            },
            1 => C::Screen {
                screening: Screening::InformationItem,
            },
            2 => C::Screen {
                screening: Screening::Redirect {
                    to: all[c as usize % all.len()].clone(),
                    reason: "annat organ".into(),
                },
            },
            3 => C::Screen {
                screening: Screening::AnswerDirectly {
                    answer: "svar".into(),
                },
            },
            4 => C::Schedule {
                meeting: pick(&meetings, c).unwrap_or_else(|| MeetingId::new("b0-0")),
            },
            5 => C::Present { at },
            6 | 7 => C::Prepare {
                at,
                recommendation: None,
            },
            8 => C::SendOnRemiss(RemissOrder {
                at,
                recipients: if c % 2 == 0 {
                    Vec::new()
                } else {
                    vec![
                        recipient(c),
                        RemissRecipient::Body(all[c as usize % all.len()].clone()),
                    ]
                },
                deadline: today + Duration::days(i64::from(c % 60) + 1),
                receivers: Vec::new(),
                edition: None,
            }),
            9 => C::RecordRemissResponse {
                recipient: recipient(c),
                comments: u32::from(c),
                received_on: None,
            },
            10 => C::WorkInResponses {
                at,
                comments_handled: u32::from(c),
            },
            11 => C::DecideDirection {
                at,
                direction: "inriktning".into(),
            },
            12 => C::Recommend {
                at,
                to: None,
                recommendation: "anta".into(),
            },
            13 => C::CheckReadiness {
                at,
                ready: c % 3 != 0,
                note: None,
            },
            14 | 15 => C::Decide {
                at,
                approved: c % 5 != 0,
                clauses: vec!["anta".into()],
            },
            16 => C::ForwardToPolitical { at },
            17 => C::ReferBack {
                at,
                to: None,
                instructions: "gör om".into(),
            },
            18 => C::Table { at },
            19 => C::DropFromAgenda {
                meeting: m
                    .scheduled
                    .clone()
                    .unwrap_or_else(|| MeetingId::new("b0-0")),
                reason: None,
            },
            20 => C::Withdraw { reason: None },
            21 => C::File { at },
            22 => C::Escalate {
                at,
                route: RouteId::new(if c % 2 == 0 { "r" } else { "info" }),
                reason: "eskalera".into(),
            },
            23 | 24 => C::RecordPoliticalDecision {
                party: forced_party.unwrap_or_else(|| {
                    if c % 11 == 10 {
                        PartyId::new("zz")
                    } else {
                        parties[c as usize % parties.len()].clone()
                    }
                }),
                decision: if c % 4 == 0 {
                    PartyDecision::Rejected
                } else {
                    PartyDecision::Adopted
                },
                minutes: None,
                on: None,
            },
            // The steps towards legal force of a decided party (adjustment, then the
            // notice), or entry into force (now and then with an override).
            25 if c % 3 == 0 && m.legal.values().any(|l| l.announced_on.is_none()) => {
                let open: Vec<(&PartyId, &crate::matter::PartyLegal)> = m
                    .legal
                    .iter()
                    .filter(|(_, l)| l.announced_on.is_none())
                    .collect();
                let (party, l) = open[c as usize % open.len()];
                if l.adjusted_on.is_none() {
                    C::RecordPartyAdjustment {
                        party: party.clone(),
                        on: None,
                    }
                } else {
                    C::RecordAnnouncement {
                        party: party.clone(),
                        on: None,
                    }
                }
            }
            25 => C::EnterIntoForce {
                on: today + Duration::days(i64::from(c % 30)),
                valid_until: (c % 2 == 0).then(|| today + Duration::days(400)),
                override_reason: (c % 7 == 0).then(|| "brådskande".to_owned()),
            },
            26 => C::FollowUp {
                note: "uppföljt".into(),
                next: None,
            },
            27 => {
                if c % 2 == 0 {
                    let mut s = SubmitMatter::new(MatterKind::Agreement, "ny version", "b0");
                    s.submitter = Some(m.submitter.clone());
                    return Choice::Revise(actor, s);
                }
                C::Extend {
                    until: today + Duration::days(i64::from(c) * 10 + 1),
                }
            }
            28 => match c % 4 {
                0 => C::RecordFeedback { note: None },
                1 => C::RegisterCaseNumber {
                    party: parties[c as usize % parties.len()].clone(),
                    number: format!("KS {c}"),
                },
                2 => C::MarkDocumentsReady,
                _ => return Choice::Wait(i64::from(c % 40)),
            },
            _ => {
                let mut s = SubmitMatter::new(
                    if c % 3 == 0 {
                        MatterKind::Information
                    } else {
                        MatterKind::Agreement
                    },
                    "ännu ett",
                    all[c as usize % all.len()].clone(),
                );
                s.submitter = Some(PersonId::new(if c % 2 == 0 { "u0" } else { "u1" }));
                return Choice::Submit(actor, s);
            }
        };
        let actor = match &cmd {
            C::RecordPoliticalDecision { .. }
            | C::RecordPartyAdjustment { .. }
            | C::RecordAnnouncement { .. } => self.political_actor(&cmd, a, m),
            _ => actor,
        };
        Choice::Command(actor, cmd, opts)
    }

    fn political_actor(&self, cmd: &MatterCommand, a: u8, m: &Matter) -> Actor {
        let (MatterCommand::RecordPoliticalDecision { party, .. }
        | MatterCommand::RecordPartyAdjustment { party, .. }
        | MatterCommand::RecordAnnouncement { party, .. }) = cmd
        else {
            return Actor::system("prop");
        };
        let pbody = self
            .org
            .party(party)
            .and_then(|p| p.political_body.clone())
            .unwrap_or_else(|| BodyId::new("b0"));
        self.actor(a, &pbody, m)
    }
}

/// The mandate an event needs at the body it names, if it is decision-like.
fn needed_mandate(e: &MatterEvent) -> Option<(&BodyId, Mandate)> {
    use MatterEvent as E;
    match e {
        E::Decided { at, .. } => Some((&at.body, Mandate::Decide)),
        E::DirectionDecided { at, .. } => Some((&at.body, Mandate::DirectionDecision)),
        E::ReadinessChecked { at, .. } => Some((&at.body, Mandate::ReadinessCheck)),
        E::ForwardedToPolitical { at, .. } => Some((&at.body, Mandate::ForwardToPolitical)),
        E::Recommended { at, .. } => Some((&at.body, Mandate::Recommend)),
        E::RemissSent { at, .. } => Some((&at.body, Mandate::Consult)),
        E::PoliticalDecisionRecorded { body, .. } => Some((body, Mandate::PoliticalDecision)),
        _ => None,
    }
}

fn fail(e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

impl World {
    /// The truth: the fold of the matter's stored events, caught up incrementally, with
    /// the versions and the mandate of every newly stored event checked on the way.
    fn truth(&mut self, id: MatterId) -> Result<Matter, TestCaseError> {
        let stream =
            Engine::<Arc<MemoryStore>, Arc<SimulatedClock>>::stream_of::<Matter>(&id.to_string());
        let m = self.truth.entry(id).or_default();
        let records = self
            .store
            .read_stream(&self.org.tenant, &stream, m.version + 1)
            .map_err(fail)?;
        for r in &records {
            prop_assert_eq!(r.version, m.version + 1, "versions run 1, 2, 3, …");
            let e: MatterEvent = crate::aggregate::decode(r).map_err(fail)?;
            if let Some((body, mandate)) = needed_mandate(&e) {
                let holds = self.org.body(body).is_some_and(|b| b.may(mandate));
                prop_assert!(holds, "{:?} recorded at {} without {:?}", e, body, mandate);
            }
            if let Some(adv) = e.advance()
                && let Some(route) = m.route.as_ref().and_then(|r| self.org.route(r))
            {
                for (p, _) in route.predecessors(&adv.completed) {
                    prop_assert!(
                        m.is_done(&p.id),
                        "{} completed before {}",
                        adv.completed,
                        p.id
                    );
                }
            }
            // Entry into force is never before the legal force (laga kraft) of the
            // last party it enters into force for, unless a reason was recorded.
            if let MatterEvent::EnteredIntoForce {
                on,
                parties,
                legal_force_override: None,
                ..
            } = &e
            {
                for p in parties {
                    let force = m.legal.get(p).and_then(|l| l.legal_force);
                    prop_assert!(
                        force.is_some_and(|f| f <= *on),
                        "in force on {} before {}'s legal force {:?}",
                        on,
                        p,
                        force
                    );
                }
            }
            if let MatterEvent::Announced {
                on,
                appeal_ends,
                legal_force,
                ..
            } = &e
            {
                prop_assert!(appeal_ends > on && legal_force > appeal_ends);
            }
            m.apply(&e);
        }
        let m = m.clone();
        if matches!(
            m.status,
            MatterStatus::InProgress | MatterStatus::PoliticalProcess
        ) {
            prop_assert!(m.route.is_some());
            let political = m
                .active
                .iter()
                .any(|a| a.purpose == Purpose::PoliticalDecision);
            prop_assert_eq!(political, m.status == MatterStatus::PoliticalProcess);
        }
        let mut summary = self
            .cached
            .read()
            .query_matters(|p| p.summary(id))
            .map_err(fail)?
            .ok_or_else(|| fail("matter missing from the read model"))?;
        summary.last_change_on = None;
        prop_assert_eq!(
            Some(summary),
            m.summary(),
            "read model agrees with the state"
        );
        Ok(m)
    }

    /// At the end: a full fold equals the incremental truth and both engines' states.
    fn check_all(&mut self) -> Result<(), TestCaseError> {
        for id in self.matters.clone() {
            let truth = self.truth(id)?;
            let stream = Engine::<Arc<MemoryStore>, Arc<SimulatedClock>>::stream_of::<Matter>(
                &id.to_string(),
            );
            let records = self
                .store
                .read_stream(&self.org.tenant, &stream, 1)
                .map_err(fail)?;
            let (folded, version) = fold::<Matter>(&records).map_err(fail)?;
            prop_assert_eq!(&folded, &truth);
            prop_assert_eq!(folded.version, version);
            prop_assert_eq!(&folded, &self.cached.read().matter(id).map_err(fail)?);
            prop_assert_eq!(&folded, &self.uncached.read().matter(id).map_err(fail)?);
        }
        Ok(())
    }
}

fn outbox_len(w: &World) -> u64 {
    w.store
        .outbox_counts(&w.org.tenant)
        .map(|c| c.values().sum())
        .unwrap_or(0)
}

fn run_case(spec: &OrgSpec, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut w = World::new(build_org(spec));
    let mut s = SubmitMatter::new(MatterKind::Agreement, "ärende", "b0");
    s.submitter = Some(PersonId::new("u0"));
    let first = w
        .cached
        .submit_matter(&Actor::system("prop"), s)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    w.matters.push(first.state.id.expect("id"));
    for (n, &op) in ops.iter().enumerate() {
        let id = w.matters[op.1 as usize / 16 % w.matters.len()];
        let before = w.truth(id)?;
        let engine = if op.3 % 3 == 0 {
            &w.uncached
        } else {
            &w.cached
        };
        let outbox_before = outbox_len(&w);
        let events_before = before.version;
        let choice = w.choose(op, &before);
        match choice {
            Choice::Wait(days) => w.clock.advance(Duration::days(days)),
            Choice::Submit(actor, s) => {
                if let Ok(x) = engine.submit_matter(&actor, s) {
                    w.matters.push(x.state.id.expect("id"));
                }
            }
            Choice::Revise(actor, s) => {
                let r = match engine.revise_matter(id, &actor, s.clone(), CommandOptions::default())
                {
                    Err(e) if e.is_conflict() => {
                        engine.revise_matter(id, &actor, s, CommandOptions::default())
                    }
                    other => other,
                };
                match r {
                    Ok(x) => {
                        prop_assert!(matches!(
                            before.status,
                            MatterStatus::Decided | MatterStatus::InForce
                        ));
                        w.matters.push(x.state.id.expect("id"));
                    }
                    Err(e) => {
                        if let MatterStatus::Closed(closure) = before.status {
                            prop_assert!(
                                matches!(e, Error::Matter(MatterError::Closed { closure: c, .. }) if c == closure),
                                "closed matter refused revision with {:?}",
                                e
                            );
                        }
                    }
                }
            }
            Choice::Command(actor, cmd, opts) => {
                let name = cmd.name();
                let mut r = engine.run_matter_with(id, &actor, cmd.clone(), opts);
                if let Err(e) = &r
                    && e.is_conflict()
                {
                    // Only a stale cache conflicts here (the writers take turns); the
                    // retry reloads and must not conflict again.
                    prop_assert!(
                        std::ptr::eq(engine, &w.cached),
                        "uncached engine conflicted"
                    );
                    r = engine.run_matter_with(id, &actor, cmd.clone(), opts);
                    prop_assert!(
                        !matches!(&r, Err(e) if e.is_conflict()),
                        "conflict after reload"
                    );
                }
                let after = w.truth(id)?;
                match r {
                    Ok(x) => {
                        prop_assert_eq!(
                            x.version,
                            events_before + x.events.len() as u64,
                            "op {}",
                            n
                        );
                        prop_assert_eq!(&*x.state, &after);
                        if let MatterStatus::Closed(c) = before.status {
                            let allowed = name == "record-feedback"
                                || (name == "extend" && c == Closure::Revised);
                            prop_assert!(allowed, "closed ({:?}) matter accepted {}", c, name);
                        }
                        // Feedback: told with the change, unless later or no address.
                        let changed = x.events.iter().any(|e| e.is_change());
                        let has_address = w
                            .org
                            .person(&before.submitter)
                            .is_some_and(|p| p.email.is_some());
                        let is_submitter = actor.person() == Some(&before.submitter);
                        if changed
                            && (is_submitter || (opts.feedback == FeedbackMode::Now && has_address))
                        {
                            prop_assert!(!x.state.owes_feedback(), "{} left feedback owed", name);
                        }
                        if changed
                            && !is_submitter
                            && (opts.feedback == FeedbackMode::Later || !has_address)
                        {
                            prop_assert!(
                                x.state.owes_feedback(),
                                "{} marked told without telling",
                                name
                            );
                        }
                    }
                    Err(e) => {
                        prop_assert_eq!(
                            after.version,
                            events_before,
                            "a refusal wrote events: {}",
                            e
                        );
                        prop_assert_eq!(
                            outbox_len(&w),
                            outbox_before,
                            "a refusal wrote notifications"
                        );
                        if let MatterStatus::Closed(closure) = before.status
                            && name != "record-feedback"
                            && !(name == "extend" && closure == Closure::Revised)
                        {
                            prop_assert!(
                                matches!(e, Error::Matter(MatterError::Closed { closure: c, .. }) if c == closure),
                                "closed matter refused {} with {:?}",
                                name,
                                e
                            );
                        }
                    }
                }
            }
        }
        w.truth(id)?;
    }
    w.check_all()
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn random_command_sequences_keep_the_invariants(
        spec in org_spec(),
        ops in proptest::collection::vec(any::<Op>(), 1..40),
    ) {
        run_case(&spec, &ops)?;
    }
}
