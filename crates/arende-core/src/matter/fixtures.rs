//! Test organisations built in code: a small Örebro-like county with the three kinds of
//! routes (county-wide agreement with political decisions, chief-group agreement with a
//! remiss and parallel decisions, information), meetings and people in every role.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{NaiveDate, NaiveTime};

use crate::authz::{Actor, Permissions};
use crate::clock::SimulatedClock;
use crate::engine::Engine;
use crate::ids::*;
use crate::org::*;
use crate::route::{ConsultationSpec, Dependency, Purpose, Route, Step};
use crate::store::MemoryStore;

pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
}

pub(crate) fn person(id: &str) -> Actor {
    Actor::Person(PersonId::new(id))
}

pub(crate) fn system() -> Actor {
    Actor::system("test")
}

pub(crate) fn body(
    id: &str,
    kind: BodyKind,
    mandates: &[Mandate],
    joint_of: &[&str],
    party: Option<&str>,
) -> Body {
    Body {
        id: BodyId::new(id),
        name: format!("Body {id}"),
        kind,
        mandates: mandates.iter().copied().collect(),
        parent: None,
        joint_of: joint_of.iter().map(|b| BodyId::new(*b)).collect(),
        party: party.map(PartyId::new),
        minutes: MinutesKind::Notes,
        lead_times: LeadTimes::default(),
        temporary: false,
        adjustment: Default::default(),
    }
}

pub(crate) fn step(id: &str, purpose: Purpose, body: Option<&str>) -> Step {
    Step {
        id: StepId::new(id),
        name: id.to_owned(),
        purpose,
        body: body.map(BodyId::new),
        parties: Vec::new(),
        consultation: None,
        quorum: None,
    }
}

pub(crate) fn chain(id: &str, steps: Vec<Step>) -> Route {
    let edges = steps
        .windows(2)
        .map(|w| (w[0].id.clone(), w[1].id.clone(), Dependency::Decision))
        .collect();
    Route::new(RouteId::new(id), id.to_owned(), steps, edges).expect("valid test route")
}

pub(crate) fn meeting(id: &str, bodies: &[&str], date: NaiveDate) -> PlannedMeeting {
    PlannedMeeting {
        id: MeetingId::new(id),
        bodies: bodies.iter().map(|b| BodyId::new(*b)).collect(),
        date,
        start: NaiveTime::from_hms_opt(9, 0, 0).expect("valid time"),
        end: NaiveTime::from_hms_opt(12, 0, 0).expect("valid time"),
        location: None,
        status: MeetingStatus::Confirmed,
        moved_from: None,
        sequence: 0,
        call_for_matters: LeadTime::Months(1).before(date),
        notice: LeadTime::Weeks(2).before(date),
    }
}

fn add_person(org: &mut Organisation, id: &str, email: bool, party: Option<&str>) {
    org.people.insert(
        PersonId::new(id),
        Person {
            id: PersonId::new(id),
            name: format!("Person {id}"),
            email: email.then(|| format!("{id}@example.se")),
            party: party.map(PartyId::new),
            title: None,
            language: Default::default(),
        },
    );
}

fn member(org: &mut Organisation, person: &str, body: &str, role: Role, party: Option<&str>) {
    org.memberships.push(Membership {
        person: PersonId::new(person),
        body: BodyId::new(body),
        role,
        party: party.map(PartyId::new),
        substitute_for: None,
        from: None,
        until: None,
    });
}

/// An empty organisation to fill in.
pub(crate) fn empty_org() -> Organisation {
    Organisation {
        tenant: TenantId::new("test"),
        name: "Test county".into(),
        version: "1".into(),
        parties: BTreeMap::new(),
        county_parts: BTreeMap::new(),
        bodies: BTreeMap::new(),
        people: BTreeMap::new(),
        memberships: Vec::new(),
        routes: BTreeMap::new(),
        matter_kinds: BTreeMap::new(),
        meetings: Vec::new(),
        permissions: Permissions::default(),
        days_off: Default::default(),
    }
}

pub(crate) fn add_party(org: &mut Organisation, id: &str, kind: PartyKind, political: bool) {
    let pb = format!("{id}-ks");
    org.parties.insert(
        PartyId::new(id),
        Party {
            id: PartyId::new(id),
            name: format!("Party {id}"),
            kind,
            county_part: None,
            political_body: political.then(|| BodyId::new(&pb)),
            signatory: kind != PartyKind::Other,
        },
    );
    if political {
        org.bodies.insert(
            BodyId::new(&pb),
            body(
                &pb,
                BodyKind::Political,
                &[Mandate::PoliticalDecision, Mandate::Inform],
                &[],
                Some(id),
            ),
        );
        let sec = format!("{id}-sec");
        add_person(org, &sec, true, Some(id));
        member(org, &sec, &pb, Role::Secretary, Some(id));
    }
}

/// The small county used by the unit tests.
///
/// Bodies: `sbu` (preparatory: may not decide), `wg` (working group), `cg-social`,
/// `cg-school` and their joint session `cg-joint` (chief groups: decide), `kcrd`
/// (forwards to political decision), `steering` (readiness check), `council`
/// (recommends), and `region-ks`, `askersund-ks`, `orebro-ks` (political).
/// People: `sbu-sec`, `sbu-chair`, `sbu-member`, `cg-sec` (secretary of the three chief
/// bodies), `kcrd-sec`, `kcrd-chair`, `steering-sec`, `council-sec`, `wg-sec`, the
/// parties' `<party>-sec`, and submitters `anna` (with e-mail) and `bo` (without).
pub(crate) fn org() -> Organisation {
    use Mandate::*;
    let mut org = empty_org();
    add_party(&mut org, "region", PartyKind::Region, true);
    add_party(&mut org, "askersund", PartyKind::Municipality, true);
    add_party(&mut org, "orebro", PartyKind::Municipality, true);
    add_party(&mut org, "lansstyrelsen", PartyKind::Other, false);
    let chief = [
        Inform,
        Decide,
        DirectionDecision,
        Recommend,
        ReadinessCheck,
        Consult,
        Assign,
    ];
    for b in [
        body(
            "sbu",
            BodyKind::Preparatory,
            &[Inform, Prepare, Recommend, Consult],
            &[],
            None,
        ),
        body("wg", BodyKind::WorkingGroup, &[Draft], &[], None),
        body("cg-social", BodyKind::ChiefGroup, &chief, &[], None),
        body("cg-school", BodyKind::ChiefGroup, &chief, &[], None),
        body(
            "cg-joint",
            BodyKind::JointSession,
            &chief,
            &["cg-social", "cg-school"],
            None,
        ),
        body(
            "kcrd",
            BodyKind::Executive,
            &[
                Inform,
                Decide,
                ForwardToPolitical,
                Assign,
                ReadinessCheck,
                Recommend,
            ],
            &[],
            None,
        ),
        body(
            "steering",
            BodyKind::SteeringGroup,
            &[Inform, ReadinessCheck],
            &[],
            None,
        ),
        body(
            "council",
            BodyKind::PoliticalCouncil,
            &[Inform, Recommend],
            &[],
            None,
        ),
    ] {
        org.bodies.insert(b.id.clone(), b);
    }
    for (p, email, party) in [
        ("sbu-sec", true, Some("region")),
        ("sbu-chair", true, Some("orebro")),
        ("sbu-member", true, Some("askersund")),
        ("cg-sec", true, Some("region")),
        ("kcrd-sec", true, Some("region")),
        ("kcrd-chair", true, Some("region")),
        ("steering-sec", true, Some("region")),
        ("council-sec", true, Some("region")),
        ("wg-sec", true, Some("orebro")),
        ("anna", true, Some("orebro")),
        ("bo", false, Some("askersund")),
        ("follower", true, Some("lansstyrelsen")),
    ] {
        add_person(&mut org, p, email, party);
    }
    member(&mut org, "sbu-sec", "sbu", Role::Secretary, Some("region"));
    member(&mut org, "sbu-chair", "sbu", Role::Chair, Some("orebro"));
    member(
        &mut org,
        "sbu-member",
        "sbu",
        Role::Member,
        Some("askersund"),
    );
    member(&mut org, "sbu-chair", "sbu", Role::Member, Some("orebro"));
    for b in ["cg-social", "cg-school", "cg-joint"] {
        member(&mut org, "cg-sec", b, Role::Secretary, Some("region"));
    }
    member(
        &mut org,
        "kcrd-sec",
        "kcrd",
        Role::Secretary,
        Some("region"),
    );
    member(&mut org, "kcrd-chair", "kcrd", Role::Chair, Some("region"));
    member(
        &mut org,
        "steering-sec",
        "steering",
        Role::Secretary,
        Some("region"),
    );
    member(
        &mut org,
        "council-sec",
        "council",
        Role::Secretary,
        Some("region"),
    );
    member(&mut org, "wg-sec", "wg", Role::Secretary, Some("orebro"));

    let mut remiss = step("remiss", Purpose::Consultation, Some("sbu"));
    remiss.consultation = Some(ConsultationSpec {
        recipients: vec![PartyId::new("askersund"), PartyId::new("orebro")],
        period: LeadTime::Weeks(6),
        processing: LeadTime::Weeks(2),
    });
    let county = chain(
        "county-agreement",
        vec![
            step("prep", Purpose::Preparation, Some("sbu")),
            remiss,
            step("steering", Purpose::ReadinessCheck, Some("steering")),
            step("cg", Purpose::ReadinessCheck, Some("cg-social")),
            step("kcrd", Purpose::Decision, Some("kcrd")),
            step("council", Purpose::Recommendation, Some("council")),
            step("political", Purpose::PoliticalDecision, None),
            step("force", Purpose::EntryIntoForce, None),
            step("follow-up", Purpose::FollowUp, None),
        ],
    );
    let mut quorum_force = step("force", Purpose::EntryIntoForce, None);
    quorum_force.quorum = Some(2);
    let quorum = chain(
        "county-quorum",
        vec![
            step("kcrd", Purpose::Decision, Some("kcrd")),
            step("political", Purpose::PoliticalDecision, None),
            quorum_force,
        ],
    );
    // Chief-group route: a working group drafts, sbu prepares, the joint chief group is
    // informed, a remiss without a body, then the two chief groups decide in parallel.
    let steps = vec![
        step("draft", Purpose::Drafting, Some("wg")),
        step("prep", Purpose::Preparation, Some("sbu")),
        step("info", Purpose::Information, Some("cg-joint")),
        step("remiss", Purpose::Consultation, None),
        step("decide-social", Purpose::Decision, Some("cg-social")),
        step("decide-school", Purpose::Decision, Some("cg-school")),
        step("follow-up", Purpose::FollowUp, None),
    ];
    let e = |a: &str, b: &str| (StepId::new(a), StepId::new(b), Dependency::Decision);
    let chief_route = Route::new(
        RouteId::new("chief-group-agreement"),
        "chief-group-agreement".into(),
        steps,
        vec![
            e("draft", "prep"),
            e("prep", "info"),
            e("info", "remiss"),
            e("remiss", "decide-social"),
            e("remiss", "decide-school"),
            e("decide-social", "follow-up"),
            e("decide-school", "follow-up"),
        ],
    )
    .expect("valid chief-group route");
    let info = chain(
        "information",
        vec![step("info", Purpose::Information, Some("sbu"))],
    );
    for r in [county, quorum, chief_route, info] {
        org.routes.insert(r.id().clone(), r);
    }
    for (k, r) in [
        ("agreement", "county-agreement"),
        ("routine", "chief-group-agreement"),
        ("report", "information"),
    ] {
        org.matter_kinds.insert(k.into(), RouteId::new(r));
    }
    org.meetings = vec![
        meeting("sbu-2024-10-15", &["sbu"], d(2024, 10, 15)),
        meeting("cg-joint-2024-11-15", &["cg-joint"], d(2024, 11, 15)),
        meeting("sbu-2024-12-16", &["sbu"], d(2024, 12, 16)),
        meeting("kcrd-2025-01-20", &["kcrd"], d(2025, 1, 20)),
        meeting("sbu-2025-02-10", &["sbu"], d(2025, 2, 10)),
    ];
    let mut seen = BTreeSet::new();
    org.memberships
        .retain(|m| seen.insert((m.person.clone(), m.body.clone(), m.role)));
    org
}

/// An engine over the test county on a memory store, the clock at 2024-10-01.
pub(crate) fn engine() -> Engine<Arc<MemoryStore>, Arc<SimulatedClock>> {
    engine_for(org())
}

/// An engine over `org` on a memory store, the clock at 2024-10-01.
pub(crate) fn engine_for(org: Organisation) -> Engine<Arc<MemoryStore>, Arc<SimulatedClock>> {
    Engine::new(
        Arc::new(org),
        Arc::new(MemoryStore::new()),
        Arc::new(SimulatedClock::at_date(d(2024, 10, 1))),
    )
}
