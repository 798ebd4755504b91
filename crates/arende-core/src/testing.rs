//! The one test organisation of arende-core's unit tests, and the builders they share.
//!
//! Every unit test that needs a county uses [`org`] (or an engine over it, [`engine`]):
//! the matter, meeting, assignment, calendar, reminder, schedule and forecast tests all
//! see the same bodies, people, routes and meeting plans, so a fact about the county
//! holds in every suite. A test that needs a variant changes its own copy (`let mut org =
//! org();`); property tests that generate organisations build them from [`empty_org`]
//! with the same builders.
//!
//! # The county (tenant `orebro`, configuration version `test`)
//!
//! An Örebro-like county in the shape of the reference minutes.
//!
//! **Parties.** The Region (`region`) and the municipalities `askersund` and `orebro`
//! sign the county's agreements (signatories: a political step without a list of parties
//! is decided by these three). The municipalities `kumla` and `nora` have political bodies
//! and meeting plans but are named only where a route lists them (home health care);
//! `laxa`, `lekeberg` and `hallsberg` send people to the bodies; `lansstyrelsen` (the
//! county administrative board) is another actor, never a party to an agreement.
//!
//! **Bodies.**
//! - `kcrd` — KCRD, the executive group (kommunchefer och regiondirektör): decides,
//!   assigns, checks readiness, recommends and forwards to political decision.
//! - `cg-social`, `cg-school`, `cg-health` — chief groups (chefsgrupper) under KCRD, and
//!   `cg-joint`, their joint session (gemensam chefsgrupp); they decide, give direction,
//!   prepare, recommend, check readiness, consult and assign. Protocol minutes.
//! - `sbu` — the preparatory group for children and young people (beredningsgrupp,
//!   Samverkansgrupp barn och unga) under `cg-social`: prepares, recommends, consults;
//!   may not decide. Notes.
//! - `wg` — a working group (arbetsgrupp) that drafts.
//! - `steering` — the steering group (styrgrupp) of the county agreements and `sg-hsl`,
//!   the steering group for home health care: readiness checks.
//! - `council` — the regional council on the county agreements' route, `council-regional`
//!   the regional council (regionala samverkansrådet) of home health care, and
//!   `council-social` the specific council for social welfare (specifika
//!   samverkansrådet; protocol adjusted by e-mail): they recommend.
//! - `<party>-ks` — the political body of each party with one (`region-ks`,
//!   `askersund-ks`, `orebro-ks`, `kumla-ks`, `nora-ks`): political decisions, protocol
//!   announced after two days, three weeks to appeal.
//!
//! **People and roles.**
//! - `council-social`: `jenny` (chair), `malin` (secretary), members `jerry` (Laxå),
//!   `jonas` (Lekeberg), `jessica` (Örebro), `tina` (adjuster, and substitute for
//!   `jerry`), `ingmar` (official).
//! - `sbu`: `sbu-sec` and `daniel` (secretaries), `sbu-chair` (chair and member),
//!   members `sbu-member`, `peter`, `jaana`, `johanna`, `ingmar` (official), and the
//!   substitutes `sub-johanna` (for `johanna`) and `sub-other` (for `peter`).
//! - `cg-social`: `karolina` (chair), `jaana`, `johanna` (members), `cg-sec`
//!   (secretary); `cg-school`: `katarina` (member), `cg-sec`; `cg-joint`: `peter` and
//!   `cg-sec` (secretaries), `karolina` (chair and adjuster).
//! - `kcrd`: `kcrd-sec` (secretary), `kcrd-chair` (chair), `kerstin` (member).
//! - `steering-sec`, `council-sec`, `wg-sec`: the secretaries of `steering`, `council`
//!   and `wg`; `<party>-sec` (`region-sec`, `askersund-sec`, …): of the political bodies.
//! - Without a seat: the submitters `anna` (with e-mail) and `bo` (without), `susann`
//!   (a presenter), `follower` (Länsstyrelsen).
//!
//! **Routes** (matter kind → route):
//! - `county-agreement` (`agreement`): `sbu` prepares, a remiss to Askersund and Örebro,
//!   readiness at `steering` and `cg-social`, decision at `kcrd`, recommendation at
//!   `council`, political decisions in every signatory, entry into force, follow-up.
//! - `county-quorum`: KCRD, political decisions, in force with two parties.
//! - `chief-group-agreement` (`routine`): `wg` drafts, `sbu` prepares, `cg-joint` is
//!   informed, a remiss without a body, then `cg-social` and `cg-school` decide in
//!   parallel.
//! - `information` (`report`): information at `sbu`.
//! - `unbroken-schooling` (obruten skolgång): `wg` drafts, `cg-joint` is informed, a
//!   remiss to everyone concerned, `cg-joint` decides.
//! - `home-health-care` (hemsjukvård), from the final proposal: readiness at `sg-hsl`,
//!   `cg-social` and `kcrd` on the same proposal, recommendation at `council-regional`,
//!   political decisions in Kumla, Nora, Örebro and the Region, entry into force.
//!
//! **Meetings** (ids `<body>-<date>`, confirmed, 09–12 unless said otherwise; the
//! meetings of the reference minutes — `council-social`'s, `sbu`'s, `cg-joint` on
//! 2024-11-15 and `cg-social` on 2024-12-13 — are tentative and have a place):
//! - `sbu`: 2024-10-15 (10–12), 2024-12-13, 2025-02-14;
//! - `cg-joint` (13–16): 2024-09-13, 2024-11-15, 2024-12-13, 2025-02-14, 2025-03-14,
//!   2025-04-11, 2025-05-16;
//! - `cg-social`: 2024-04-26, 2024-05-30, 2024-06-14, 2024-12-13 (10–12);
//! - `kcrd`: 2024-05-15, 2024-06-12, 2024-08-28, 2025-01-20;
//! - `sg-hsl`: 2024-04-23, 2024-05-28, 2024-09-03;
//! - `council-regional`: 2024-03-15, 2024-06-14, 2024-09-13, 2024-11-22;
//! - `council-social`: 2024-05-17 (13–16), 2024-09-20;
//! - `region-ks`: 2024-10-08, 2024-11-05, 2024-12-10; `orebro-ks`: 2024-09-24,
//!   2024-10-22, 2024-11-26; `kumla-ks`: 2024-10-02, 2024-10-30; `nora-ks`: 2024-10-16,
//!   2024-11-20.
//!
//! Call-for-matters and notice dates come from the bodies' lead times (one month, two
//! weeks, moved to the working day before), as the configuration derives them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{NaiveDate, NaiveTime};

use crate::authz::{Actor, Permissions};
use crate::clock::SimulatedClock;
use crate::engine::Engine;
use crate::ids::{BodyId, CommandId, MeetingId, PartyId, PersonId, RouteId, StepId, TenantId};
use crate::org::{
    Body, BodyKind, LeadTime, LeadTimes, Mandate, MeetingStatus, Membership, MinutesKind,
    Organisation, Party, PartyKind, Person, PlannedMeeting, Role,
};
use crate::route::{ConsultationSpec, Dependency, Purpose, Route, Step};
use crate::store::MemoryStore;

// ---- dates and ids ----

/// The people on `sbu`'s roster (members, officers and secretaries, not the
/// substitutes), sorted: who a call for matters, a notice or a remiss at `sbu` reaches.
pub(crate) const SBU_ROSTER: [&str; 8] = [
    "daniel",
    "ingmar",
    "jaana",
    "johanna",
    "peter",
    "sbu-chair",
    "sbu-member",
    "sbu-sec",
];

/// A date from its parts.
pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
}

/// A date from `YYYY-MM-DD`.
pub(crate) fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("valid test date")
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("valid test time")
}

/// A person's id.
pub(crate) fn pid(s: &str) -> PersonId {
    PersonId::new(s)
}

/// A meeting's id.
pub(crate) fn mid(s: &str) -> MeetingId {
    MeetingId::new(s)
}

/// A fresh command id.
pub(crate) fn cmd() -> CommandId {
    CommandId::random()
}

// ---- actors ----

/// A person acting in their roles.
pub(crate) fn person(id: &str) -> Actor {
    Actor::Person(PersonId::new(id))
}

/// The system acting as `test`.
pub(crate) fn system() -> Actor {
    Actor::system("test")
}

// ---- organisation parts ----

/// A body named by its id: no parent, notes, the default lead times.
pub(crate) fn body(id: &str, kind: BodyKind, mandates: &[Mandate]) -> Body {
    Body {
        id: BodyId::new(id),
        name: id.to_owned(),
        kind,
        mandates: mandates.iter().copied().collect(),
        parent: None,
        joint_of: Vec::new(),
        party: None,
        minutes: MinutesKind::Notes,
        lead_times: LeadTimes::default(),
        temporary: false,
        adjustment: Default::default(),
    }
}

/// A person with an e-mail address `<id>@example.se`.
pub(crate) fn person_record(id: &str, name: &str, party: Option<&str>) -> Person {
    Person {
        id: PersonId::new(id),
        name: name.into(),
        email: Some(format!("{id}@example.se")),
        party: party.map(PartyId::new),
        title: None,
        language: Default::default(),
    }
}

/// A membership without a mandate period.
pub(crate) fn membership(person: &str, body: &str, role: Role, party: Option<&str>) -> Membership {
    Membership {
        person: PersonId::new(person),
        body: BodyId::new(body),
        role,
        party: party.map(PartyId::new),
        substitute_for: None,
        from: None,
        until: None,
    }
}

/// A confirmed meeting 09–12 with a month's call for matters and two weeks' notice
/// (for organisations without lead times of their own; see [`plan`] otherwise).
pub(crate) fn meeting(id: &str, bodies: &[&str], date: NaiveDate) -> PlannedMeeting {
    PlannedMeeting {
        id: MeetingId::new(id),
        bodies: bodies.iter().map(|b| BodyId::new(*b)).collect(),
        date,
        start: t(9, 0),
        end: t(12, 0),
        location: None,
        status: MeetingStatus::Confirmed,
        moved_from: None,
        sequence: 0,
        call_for_matters: LeadTime::Months(1).before(date),
        notice: LeadTime::Weeks(2).before(date),
    }
}

/// Adds confirmed meetings 09–12 of `bodies` meeting together on `dates`
/// (`YYYY-MM-DD`), id `<bodies joined by +>-<date>`, with the call-for-matters and
/// notice dates the bodies' lead times give; keeps the plan sorted by date.
pub(crate) fn plan(org: &mut Organisation, bodies: &[&str], dates: &[&str]) {
    let ids: Vec<BodyId> = bodies.iter().map(|b| BodyId::new(*b)).collect();
    for day in dates {
        let day = date(day);
        let (call, notice) = crate::calendar::derived_dates(org, &ids, day);
        org.meetings.push(PlannedMeeting {
            call_for_matters: call,
            notice,
            ..meeting(&format!("{}-{day}", bodies.join("+")), bodies, day)
        });
    }
    org.meetings
        .sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
}

/// Sets a planned meeting's time, place and status (the reference minutes' details).
fn at(
    org: &mut Organisation,
    id: &str,
    (start, end): ((u32, u32), (u32, u32)),
    location: Option<&str>,
    status: MeetingStatus,
) {
    let m = org
        .meetings
        .iter_mut()
        .find(|m| m.id.as_str() == id)
        .expect("planned test meeting");
    m.start = t(start.0, start.1);
    m.end = t(end.0, end.1);
    m.location = location.map(Into::into);
    m.status = status;
}

/// A route step named by its id (dashes read as spaces).
pub(crate) fn step(id: &str, purpose: Purpose, body: Option<&str>) -> Step {
    Step {
        id: StepId::new(id),
        name: id.replace('-', " "),
        purpose,
        body: body.map(BodyId::new),
        parties: Vec::new(),
        consultation: None,
        quorum: None,
    }
}

/// A route from its steps and dependencies.
pub(crate) fn route(id: &str, steps: Vec<Step>, edges: &[(&str, &str, Dependency)]) -> Route {
    Route::new(
        RouteId::new(id),
        id.into(),
        steps,
        edges
            .iter()
            .map(|(a, b, dep)| (StepId::new(*a), StepId::new(*b), *dep))
            .collect(),
    )
    .expect("valid test route")
}

/// A route whose steps follow each other, each on the previous one's decision.
pub(crate) fn chain(id: &str, steps: Vec<Step>) -> Route {
    let edges = steps
        .windows(2)
        .map(|w| (w[0].id.clone(), w[1].id.clone(), Dependency::Decision))
        .collect();
    Route::new(RouteId::new(id), id.to_owned(), steps, edges).expect("valid test route")
}

/// An empty organisation (tenant `test`) to fill in.
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
        limits: Default::default(),
    }
}

/// Adds a party, a signatory unless it is another actor (`PartyKind::Other`); a
/// `political` one gets a political body `<id>-ks` (political decisions; notes) with a
/// secretary `<id>-sec`.
pub(crate) fn add_party(org: &mut Organisation, id: &str, kind: PartyKind, political: bool) {
    add_named_party(org, id, &format!("Party {id}"), kind, political);
    if let Some(p) = org.parties.get_mut(&PartyId::new(id)) {
        p.signatory = kind != PartyKind::Other;
    }
}

/// Adds a party that is not a signatory (see [`add_party`]).
fn add_named_party(org: &mut Organisation, id: &str, name: &str, kind: PartyKind, political: bool) {
    let pb = format!("{id}-ks");
    org.parties.insert(
        PartyId::new(id),
        Party {
            id: PartyId::new(id),
            name: name.into(),
            kind,
            county_part: None,
            political_body: political.then(|| BodyId::new(&pb)),
            signatory: false,
        },
    );
    if political {
        let b = Body {
            party: Some(PartyId::new(id)),
            ..body(
                &pb,
                BodyKind::Political,
                &[Mandate::PoliticalDecision, Mandate::Inform],
            )
        };
        org.bodies.insert(b.id.clone(), b);
        let sec = format!("{id}-sec");
        let p = person_record(&sec, &format!("Person {sec}"), Some(id));
        org.people.insert(p.id.clone(), p);
        org.memberships
            .push(membership(&sec, &pb, Role::Secretary, Some(id)));
    }
}

// ---- the routes ----

/// `county-agreement`: the county-wide agreement with a remiss and political decisions
/// in every signatory.
pub(crate) fn county_agreement() -> Route {
    let mut remiss = step("remiss", Purpose::Consultation, Some("sbu"));
    remiss.consultation = Some(ConsultationSpec {
        recipients: vec![PartyId::new("askersund"), PartyId::new("orebro")],
        period: LeadTime::Weeks(6),
        processing: LeadTime::Weeks(2),
    });
    chain(
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
    )
}

/// `county-quorum`: KCRD, political decisions, in force when two parties have decided.
pub(crate) fn county_quorum() -> Route {
    let mut force = step("force", Purpose::EntryIntoForce, None);
    force.quorum = Some(2);
    chain(
        "county-quorum",
        vec![
            step("kcrd", Purpose::Decision, Some("kcrd")),
            step("political", Purpose::PoliticalDecision, None),
            force,
        ],
    )
}

/// `chief-group-agreement`: a working group drafts, sbu prepares, the joint chief group
/// is informed, a remiss without a body, then the two chief groups decide in parallel.
pub(crate) fn chief_group_agreement() -> Route {
    use Dependency::Decision;
    route(
        "chief-group-agreement",
        vec![
            step("draft", Purpose::Drafting, Some("wg")),
            step("prep", Purpose::Preparation, Some("sbu")),
            step("info", Purpose::Information, Some("cg-joint")),
            step("remiss", Purpose::Consultation, None),
            step("decide-social", Purpose::Decision, Some("cg-social")),
            step("decide-school", Purpose::Decision, Some("cg-school")),
            step("follow-up", Purpose::FollowUp, None),
        ],
        &[
            ("draft", "prep", Decision),
            ("prep", "info", Decision),
            ("info", "remiss", Decision),
            ("remiss", "decide-social", Decision),
            ("remiss", "decide-school", Decision),
            ("decide-social", "follow-up", Decision),
            ("decide-school", "follow-up", Decision),
        ],
    )
}

/// `unbroken-schooling` (route 3 of the reference minutes): a working group drafts, the
/// joint chief group is informed, a remiss goes to everyone concerned (six weeks to
/// answer, three to work the answers in), then the joint chief group decides.
pub(crate) fn unbroken_schooling() -> Route {
    let mut remiss = step("remiss", Purpose::Consultation, None);
    remiss.consultation = Some(ConsultationSpec {
        recipients: Vec::new(),
        period: LeadTime::Weeks(6),
        processing: LeadTime::Weeks(3),
    });
    route(
        "unbroken-schooling",
        vec![
            step("draft", Purpose::Drafting, Some("wg")),
            step("cg-info", Purpose::Information, Some("cg-joint")),
            remiss,
            step("cg-decision", Purpose::Decision, Some("cg-joint")),
        ],
        &[
            ("draft", "cg-info", Dependency::Decision),
            ("cg-info", "remiss", Dependency::Decision),
            ("remiss", "cg-decision", Dependency::Decision),
        ],
    )
}

/// `home-health-care` (route 1 of the reference minutes) from the final proposal:
/// readiness in three forums on the same proposal, recommendation, political decisions
/// in Kumla, Nora, Örebro and the Region, entry into force (with `quorum` parties, or
/// all).
pub(crate) fn home_health_care(quorum: Option<u32>) -> Route {
    let mut political = step("political", Purpose::PoliticalDecision, None);
    political.parties = ["kumla", "nora", "orebro", "region"]
        .map(PartyId::new)
        .to_vec();
    let mut force = step("in-force", Purpose::EntryIntoForce, None);
    force.quorum = quorum;
    route(
        "home-health-care",
        vec![
            step("final-proposal", Purpose::Drafting, None),
            step("sg-readiness", Purpose::ReadinessCheck, Some("sg-hsl")),
            step("cg-readiness", Purpose::ReadinessCheck, Some("cg-social")),
            step("kcrd-readiness", Purpose::ReadinessCheck, Some("kcrd")),
            step(
                "council-recommendation",
                Purpose::Recommendation,
                Some("council-regional"),
            ),
            political,
            force,
        ],
        &[
            ("final-proposal", "sg-readiness", Dependency::Decision),
            ("sg-readiness", "cg-readiness", Dependency::SameProposal),
            ("cg-readiness", "kcrd-readiness", Dependency::SameProposal),
            (
                "kcrd-readiness",
                "council-recommendation",
                Dependency::Decision,
            ),
            ("council-recommendation", "political", Dependency::Decision),
            ("political", "in-force", Dependency::Decision),
        ],
    )
}

// ---- the county ----

/// The test county (see the module documentation).
pub(crate) fn org() -> Organisation {
    use Mandate::*;
    let mut org = Organisation {
        tenant: TenantId::new("orebro"),
        name: "Region Örebro län med kommuner".into(),
        version: "test".into(),
        ..empty_org()
    };

    // Parties: the signatories first, then the others.
    for (id, name, kind, political) in [
        ("region", "Region Örebro län", PartyKind::Region, true),
        (
            "askersund",
            "Askersunds kommun",
            PartyKind::Municipality,
            true,
        ),
        ("orebro", "Örebro kommun", PartyKind::Municipality, true),
    ] {
        add_named_party(&mut org, id, name, kind, political);
        org.parties
            .get_mut(&PartyId::new(id))
            .expect("party")
            .signatory = true;
    }
    for (id, name, kind, political) in [
        ("kumla", "Kumla kommun", PartyKind::Municipality, true),
        ("nora", "Nora kommun", PartyKind::Municipality, true),
        ("laxa", "Laxå kommun", PartyKind::Municipality, false),
        (
            "lekeberg",
            "Lekebergs kommun",
            PartyKind::Municipality,
            false,
        ),
        (
            "hallsberg",
            "Hallsbergs kommun",
            PartyKind::Municipality,
            false,
        ),
        (
            "lansstyrelsen",
            "Länsstyrelsen i Örebro län",
            PartyKind::Other,
            false,
        ),
    ] {
        add_named_party(&mut org, id, name, kind, political);
    }
    // The political bodies (kommunstyrelse, regionstyrelse) keep protocols, announced
    // on the notice board two days after adjustment, appealable for three weeks.
    for b in org.bodies.values_mut() {
        b.minutes = MinutesKind::Protocol;
        b.lead_times.announcement = Some(LeadTime::Days(2));
        b.lead_times.appeal = Some(LeadTime::Weeks(3));
    }

    // Bodies.
    let chief = [
        Inform,
        Prepare,
        Recommend,
        Decide,
        DirectionDecision,
        ReadinessCheck,
        Consult,
        Assign,
    ];
    let mut bodies = vec![
        (
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
            ),
            "KCRD",
            None,
            MinutesKind::Protocol,
        ),
        (
            body("cg-social", BodyKind::ChiefGroup, &chief),
            "Chefsgrupp social välfärd samt vård och omsorg",
            Some("kcrd"),
            MinutesKind::Protocol,
        ),
        (
            body("cg-school", BodyKind::ChiefGroup, &chief),
            "Chefsgrupp för skolchefer",
            Some("kcrd"),
            MinutesKind::Protocol,
        ),
        (
            body("cg-health", BodyKind::ChiefGroup, &chief),
            "Chefsgrupp för hälso- och sjukvård",
            Some("kcrd"),
            MinutesKind::Protocol,
        ),
        (
            Body {
                joint_of: ["cg-social", "cg-school", "cg-health"]
                    .map(BodyId::new)
                    .to_vec(),
                ..body("cg-joint", BodyKind::JointSession, &chief)
            },
            "Gemensam chefsgrupp social välfärd samt vård och omsorg, skola och folkhälsa",
            Some("kcrd"),
            MinutesKind::Protocol,
        ),
        (
            body(
                "sbu",
                BodyKind::Preparatory,
                &[Inform, Prepare, Recommend, Consult],
            ),
            "Samverkansgrupp barn och unga i Örebro län",
            Some("cg-social"),
            MinutesKind::Notes,
        ),
        (
            body("wg", BodyKind::WorkingGroup, &[Draft]),
            "Arbetsgrupp",
            None,
            MinutesKind::Notes,
        ),
        (
            body(
                "steering",
                BodyKind::SteeringGroup,
                &[Inform, ReadinessCheck],
            ),
            "Styrgrupp för länsövergripande överenskommelser",
            None,
            MinutesKind::Notes,
        ),
        (
            body("sg-hsl", BodyKind::SteeringGroup, &[Inform, ReadinessCheck]),
            "Styrgrupp för hemsjukvård",
            None,
            MinutesKind::Protocol,
        ),
        (
            body("council", BodyKind::PoliticalCouncil, &[Inform, Recommend]),
            "Samverkansråd",
            None,
            MinutesKind::Notes,
        ),
        (
            body(
                "council-regional",
                BodyKind::PoliticalCouncil,
                &[Inform, Recommend],
            ),
            "Regionala samverkansrådet",
            None,
            MinutesKind::Protocol,
        ),
        (
            body(
                "council-social",
                BodyKind::PoliticalCouncil,
                &[Inform, Recommend],
            ),
            "Specifika samverkansrådet för social välfärd samt vård och omsorg",
            None,
            MinutesKind::Protocol,
        ),
    ];
    for (mut b, name, parent, minutes) in bodies.drain(..) {
        b.name = name.into();
        b.parent = parent.map(BodyId::new);
        b.minutes = minutes;
        org.bodies.insert(b.id.clone(), b);
    }

    // People: (id, name, party, title, e-mail).
    for (id, name, party, title, email) in [
        ("sbu-sec", "Person sbu-sec", "region", None, true),
        ("sbu-chair", "Person sbu-chair", "orebro", None, true),
        ("sbu-member", "Person sbu-member", "askersund", None, true),
        ("cg-sec", "Person cg-sec", "region", None, true),
        ("kcrd-sec", "Person kcrd-sec", "region", None, true),
        ("kcrd-chair", "Person kcrd-chair", "region", None, true),
        ("steering-sec", "Person steering-sec", "region", None, true),
        ("council-sec", "Person council-sec", "region", None, true),
        ("wg-sec", "Person wg-sec", "orebro", None, true),
        ("anna", "Person anna", "orebro", None, true),
        ("bo", "Person bo", "askersund", None, false),
        ("follower", "Person follower", "lansstyrelsen", None, true),
        ("jenny", "Jenny Steen", "region", None, true),
        (
            "malin",
            "Malin Duckert Ek",
            "region",
            Some("utvecklingsledare, Välfärd och folkhälsa"),
            true,
        ),
        ("tina", "Tina Johansson", "laxa", None, true),
        ("jerry", "Jerry Karjalainen", "laxa", None, true),
        ("jonas", "Jonas Hansen", "lekeberg", None, true),
        ("jessica", "Jessica Ekerbring", "orebro", None, true),
        (
            "ingmar",
            "Ingmar Ångman",
            "region",
            Some("områdeschef Välfärd och folkhälsa"),
            true,
        ),
        (
            "daniel",
            "Daniel Berglund",
            "region",
            Some("utvecklingsledare"),
            true,
        ),
        (
            "peter",
            "Peter Bergvall Virtanen",
            "region",
            Some("utvecklingsledare"),
            true,
        ),
        ("jaana", "Jaana Jansson", "hallsberg", None, true),
        ("johanna", "Johanna Viberg", "orebro", None, true),
        ("karolina", "Karolina Strid", "region", None, true),
        ("katarina", "Katarina Arkehang", "orebro", None, true),
        (
            "susann",
            "Susann Cederlund",
            "region",
            Some("projektledare"),
            true,
        ),
        ("kerstin", "Kerstin Kommunchef", "orebro", None, true),
        ("sub-johanna", "Ersättare för Johanna", "orebro", None, true),
        (
            "sub-other",
            "Ersättare för någon annan",
            "region",
            None,
            true,
        ),
    ] {
        let mut p = person_record(id, name, Some(party));
        p.title = title.map(Into::into);
        if !email {
            p.email = None;
        }
        org.people.insert(p.id.clone(), p);
    }

    // Memberships: (person, body, role, party).
    for (person, body, role, party) in [
        // The specific council: chair from the Region, members per municipality.
        ("jenny", "council-social", Role::Chair, "region"),
        ("malin", "council-social", Role::Secretary, "region"),
        ("jerry", "council-social", Role::Member, "laxa"),
        ("jonas", "council-social", Role::Member, "lekeberg"),
        ("jessica", "council-social", Role::Member, "orebro"),
        ("tina", "council-social", Role::Adjuster, "laxa"),
        ("ingmar", "council-social", Role::Official, "region"),
        // The preparatory group.
        ("sbu-sec", "sbu", Role::Secretary, "region"),
        ("sbu-chair", "sbu", Role::Chair, "orebro"),
        ("sbu-chair", "sbu", Role::Member, "orebro"),
        ("sbu-member", "sbu", Role::Member, "askersund"),
        ("daniel", "sbu", Role::Secretary, "region"),
        ("peter", "sbu", Role::Member, "region"),
        ("jaana", "sbu", Role::Member, "hallsberg"),
        ("johanna", "sbu", Role::Member, "orebro"),
        ("ingmar", "sbu", Role::Official, "region"),
        // The chief groups and their joint session.
        ("cg-sec", "cg-social", Role::Secretary, "region"),
        ("cg-sec", "cg-school", Role::Secretary, "region"),
        ("cg-sec", "cg-joint", Role::Secretary, "region"),
        ("karolina", "cg-social", Role::Chair, "region"),
        ("jaana", "cg-social", Role::Member, "hallsberg"),
        ("johanna", "cg-social", Role::Member, "orebro"),
        ("katarina", "cg-school", Role::Member, "orebro"),
        ("peter", "cg-joint", Role::Secretary, "region"),
        ("karolina", "cg-joint", Role::Chair, "region"),
        ("karolina", "cg-joint", Role::Adjuster, "region"),
        // KCRD.
        ("kcrd-sec", "kcrd", Role::Secretary, "region"),
        ("kcrd-chair", "kcrd", Role::Chair, "region"),
        ("kerstin", "kcrd", Role::Member, "orebro"),
        // Steering group, council, working group.
        ("steering-sec", "steering", Role::Secretary, "region"),
        ("council-sec", "council", Role::Secretary, "region"),
        ("wg-sec", "wg", Role::Secretary, "orebro"),
    ] {
        org.memberships
            .push(membership(person, body, role, Some(party)));
    }
    // Substitutes (ersättare), each for one member.
    for (person, body, party, member) in [
        ("tina", "council-social", "laxa", "jerry"),
        ("sub-johanna", "sbu", "orebro", "johanna"),
        ("sub-other", "sbu", "region", "peter"),
    ] {
        let mut m = membership(person, body, Role::Substitute, Some(party));
        m.substitute_for = Some(pid(member));
        org.memberships.push(m);
    }

    // Routes.
    for r in [
        county_agreement(),
        county_quorum(),
        chief_group_agreement(),
        chain(
            "information",
            vec![step("info", Purpose::Information, Some("sbu"))],
        ),
        unbroken_schooling(),
        home_health_care(None),
    ] {
        org.routes.insert(r.id().clone(), r);
    }
    for (k, r) in [
        ("agreement", "county-agreement"),
        ("routine", "chief-group-agreement"),
        ("report", "information"),
    ] {
        org.matter_kinds.insert(k.into(), RouteId::new(r));
    }

    // Meeting plans.
    for (b, dates) in [
        ("sbu", &["2024-10-15", "2024-12-13", "2025-02-14"][..]),
        (
            "cg-joint",
            &[
                "2024-09-13",
                "2024-11-15",
                "2024-12-13",
                "2025-02-14",
                "2025-03-14",
                "2025-04-11",
                "2025-05-16",
            ],
        ),
        (
            "cg-social",
            &["2024-04-26", "2024-05-30", "2024-06-14", "2024-12-13"],
        ),
        (
            "kcrd",
            &["2024-05-15", "2024-06-12", "2024-08-28", "2025-01-20"],
        ),
        ("sg-hsl", &["2024-04-23", "2024-05-28", "2024-09-03"]),
        (
            "council-regional",
            &["2024-03-15", "2024-06-14", "2024-09-13", "2024-11-22"],
        ),
        ("council-social", &["2024-05-17", "2024-09-20"]),
        ("region-ks", &["2024-10-08", "2024-11-05", "2024-12-10"]),
        ("orebro-ks", &["2024-09-24", "2024-10-22", "2024-11-26"]),
        ("kumla-ks", &["2024-10-02", "2024-10-30"]),
        ("nora-ks", &["2024-10-16", "2024-11-20"]),
    ] {
        plan(&mut org, &[b], dates);
    }
    // The details of the reference minutes' meetings.
    use MeetingStatus::Tentative;
    for (id, time, location) in [
        (
            "council-social-2024-05-17",
            ((13, 0), (16, 0)),
            "Lokal Eken, Eklundavägen 1",
        ),
        (
            "council-social-2024-09-20",
            ((9, 0), (12, 0)),
            "Eklundavägen 1",
        ),
        (
            "sbu-2024-10-15",
            ((10, 0), (12, 0)),
            "Hjortkvarn, Eklundavägen 1",
        ),
        (
            "cg-joint-2024-11-15",
            ((13, 0), (16, 0)),
            "Immanuelkyrkan, Karlsdahlsallén 35 Örebro",
        ),
        ("sbu-2024-12-13", ((9, 0), (12, 0)), "Eklundavägen 1"),
        ("cg-social-2024-12-13", ((10, 0), (12, 0)), "Eklundavägen 2"),
        ("sbu-2025-02-14", ((9, 0), (12, 0)), "Eklundavägen 1"),
    ] {
        at(&mut org, id, time, Some(location), Tentative);
    }
    // The joint chief group meets in the afternoon, after its parts.
    for m in &mut org.meetings {
        if m.bodies == [BodyId::new("cg-joint")] {
            (m.start, m.end) = (t(13, 0), t(16, 0));
        }
    }
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

mod tests {
    use super::*;

    #[test]
    fn the_test_county_is_consistent() {
        let org = org();
        let mut ids = BTreeSet::new();
        for m in &org.meetings {
            assert!(ids.insert(m.id.clone()), "meeting {} twice", m.id);
            for b in &m.bodies {
                assert!(org.bodies.contains_key(b), "meeting {} of {b}", m.id);
            }
        }
        for m in &org.memberships {
            assert!(org.people.contains_key(&m.person), "{}", m.person);
            assert!(org.bodies.contains_key(&m.body), "{}", m.body);
        }
        for b in org.bodies.values() {
            for p in b.parent.iter().chain(&b.joint_of) {
                assert!(org.bodies.contains_key(p), "{} names {p}", b.id);
            }
        }
        let signatories: Vec<&str> = org.signatories().map(|p| p.id.as_str()).collect();
        assert_eq!(signatories, ["askersund", "orebro", "region"]);
    }
}
