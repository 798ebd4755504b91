//! Unit tests of adjustment (justering) by every named adjuster, refusals to adjust and
//! new rounds, votes, conflicts of interest (jäv) with quorum, reservations, rendering
//! of complete minutes, and the roster on the meeting's day — given / when / then on the
//! pure decisions, and through the engine on the in-memory store.

use proptest::prelude::*;

use super::tests::{Effects, Error, draft, engine_at, held_council, stream};
use super::*;
use crate::testing::{self, cmd, d, mid, person, pid};

/// Applies the events a decision yielded (evaluated before the state is borrowed).
macro_rules! apply {
    ($m:ident, $events:expr $(,)?) => {{
        let events: Vec<MeetingEvent> = $events;
        for e in &events {
            $m.apply(e);
        }
    }};
}

/// The council's minutes with two labelled adjusters: Tina for the municipalities and
/// Jonas for the Region (both took part in the meeting).
fn two_adjusters() -> MinutesDraft {
    let mut dr = draft();
    dr.adjusters = Vec::new();
    dr.adjusters_elected_in = Some(1);
    dr.adjuster("tina", "för kommunerna")
        .adjuster("jonas", "för Regionen")
}

fn adj(by: &str, on: NaiveDate) -> Adjustment {
    Adjustment::new(on, AdjustmentMeans::Email).by(by)
}

#[test]
fn minutes_are_final_only_when_every_named_adjuster_has_adjusted() {
    let org = testing::org();
    let (mut m, c) = held_council(&org);
    apply!(m, m.decide_minutes(&c, &two_adjusters()).unwrap());
    let c = Context {
        today: d(2024, 6, 14),
        ..c
    };
    assert_eq!(m.awaiting_adjustment(), vec![pid("tina"), pid("jonas")]);

    // Tina adjusts: recorded, not final.
    let events = m.decide_adjust(&c, &adj("tina", d(2024, 6, 12))).unwrap();
    assert!(matches!(
        &events[..],
        [MeetingEvent::AdjusterSigned { round: 1, .. }]
    ));
    apply!(m, events);
    assert!(!m.minutes_final());
    assert_eq!(m.final_on(), None);
    assert_eq!(m.awaiting_adjustment(), vec![pid("jonas")]);
    // Again: refused, nothing changes.
    assert!(matches!(
        m.decide_adjust(&c, &adj("tina", d(2024, 6, 13))),
        Err(MeetingError::AlreadyAdjusted { person, on, .. })
            if person == pid("tina") && on == d(2024, 6, 12)
    ));
    // Neither someone not named nor the chair (not configured to adjust) may.
    for who in ["jessica", "jenny"] {
        assert!(matches!(
            m.decide_adjust(&c, &adj(who, d(2024, 6, 13))),
            Err(MeetingError::NotAnAdjuster { person, .. }) if person == pid(who)
        ));
    }
    // Jonas adjusts: final on his date, with the final event in the same decision.
    let events = m.decide_adjust(&c, &adj("jonas", d(2024, 6, 14))).unwrap();
    assert!(matches!(
        &events[..],
        [
            MeetingEvent::AdjusterSigned { .. },
            MeetingEvent::MinutesAdjusted { adjustment }
        ] if adjustment.on == d(2024, 6, 14) && adjustment.by == Some(pid("jonas"))
    ));
    apply!(m, events);
    assert!(m.minutes_final());
    assert_eq!(m.final_on(), Some(d(2024, 6, 14)));
    assert_eq!(m.adjusted_on(), Some(d(2024, 6, 14)));
    assert_eq!(m.signatures.len(), 2);
    assert!(matches!(
        m.decide_adjust(&c, &adj("tina", d(2024, 6, 14))),
        Err(MeetingError::MinutesFinal { .. })
    ));
}

#[test]
fn a_refusal_sends_the_minutes_back_and_a_new_draft_starts_a_new_round() {
    let org = testing::org();
    let (mut m, c) = held_council(&org);
    apply!(m, m.decide_minutes(&c, &two_adjusters()).unwrap());
    let c = Context {
        today: d(2024, 6, 14),
        ..c
    };
    apply!(
        m,
        m.decide_adjust(&c, &adj("tina", d(2024, 6, 10))).unwrap(),
    );
    assert!(matches!(
        m.decide_decline(&c, &pid("jonas"), d(2024, 6, 11), "  "),
        Err(MeetingError::InvalidInput { .. })
    ));
    assert!(matches!(
        m.decide_decline(&c, &pid("jessica"), d(2024, 6, 11), "fel"),
        Err(MeetingError::NotAnAdjuster { .. })
    ));
    apply!(
        m,
        m.decide_decline(
            &c,
            &pid("jonas"),
            d(2024, 6, 11),
            "§ 2: Regionens yrkande saknas",
        )
        .unwrap(),
    );
    assert!(m.returned);
    assert!(m.signatures.is_empty(), "the round's adjustments lapse");
    assert_eq!(m.declines[0].round, 1);
    for who in ["tina", "jonas"] {
        assert!(matches!(
            m.decide_adjust(&c, &adj(who, d(2024, 6, 12))),
            Err(MeetingError::MinutesReturned { declined_by, .. }) if declined_by == pid("jonas")
        ));
    }
    // The secretary records a new draft: round 2, both must adjust again.
    apply!(m, m.decide_minutes(&c, &two_adjusters()).unwrap());
    assert!(!m.returned);
    assert_eq!(m.awaiting_adjustment(), vec![pid("tina"), pid("jonas")]);
    apply!(
        m,
        m.decide_adjust(&c, &adj("jonas", d(2024, 6, 13))).unwrap(),
    );
    assert!(!m.minutes_final());
    apply!(
        m,
        m.decide_adjust(&c, &adj("tina", d(2024, 6, 14))).unwrap(),
    );
    assert!(m.minutes_final());
    assert!(
        m.signatures
            .iter()
            .all(|a| a.on >= d(2024, 6, 13) && a.by.is_some())
    );
}

#[test]
fn an_electronic_signature_needs_the_signing_services_reference() {
    let org = testing::org();
    let (mut m, c) = held_council(&org);
    apply!(m, m.decide_minutes(&c, &two_adjusters()).unwrap());
    let c = Context {
        today: d(2024, 6, 14),
        ..c
    };
    let e = Adjustment::new(d(2024, 6, 14), AdjustmentMeans::ElectronicSignature).by("tina");
    assert!(matches!(
        m.decide_adjust(&c, &e),
        Err(MeetingError::InvalidMinutes { place, .. }) if place == "adjustment"
    ));
    let e = e.reference("scrive-7f3a-2291");
    let events = m.decide_adjust(&c, &e).unwrap();
    apply!(m, events);
    assert_eq!(
        m.signatures[0].reference.as_deref(),
        Some("scrive-7f3a-2291")
    );
    // The command's JSON: who, when, how and the reference.
    let json = serde_json::to_value(MeetingCommand::AdjustMinutes(e)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"type": "adjust-minutes", "on": "2024-06-14",
            "means": "electronic-signature", "by": "tina", "reference": "scrive-7f3a-2291"})
    );
}

#[test]
fn the_configuration_decides_whether_the_chair_adjusts_or_finalises_alone() {
    let mut org = testing::org();
    let council = BodyId::new("council-social");
    if let Some(b) = org.bodies.get_mut(&council) {
        b.adjustment.chair = true;
    }
    let (mut m, c) = held_council(&org);
    apply!(m, m.decide_minutes(&c, &two_adjusters()).unwrap());
    let c = Context {
        today: d(2024, 6, 14),
        ..c
    };
    assert_eq!(
        m.awaiting_adjustment(),
        vec![pid("jenny"), pid("tina"), pid("jonas")]
    );
    apply!(
        m,
        m.decide_adjust(&c, &adj("tina", d(2024, 6, 14))).unwrap(),
    );
    apply!(
        m,
        m.decide_adjust(&c, &adj("jonas", d(2024, 6, 14))).unwrap(),
    );
    assert!(!m.minutes_final(), "the chair adjusts too");
    apply!(
        m,
        m.decide_adjust(&c, &adj("jenny", d(2024, 6, 14))).unwrap(),
    );
    assert!(m.minutes_final());

    // Where the chair alone finalises, the chair's adjustment is enough.
    if let Some(b) = org.bodies.get_mut(&council) {
        b.adjustment = crate::org::AdjustmentRule {
            chair: false,
            secretary: false,
            chair_alone: true,
        };
    }
    let (mut m, c) = held_council(&org);
    apply!(m, m.decide_minutes(&c, &two_adjusters()).unwrap());
    let c = Context {
        today: d(2024, 6, 14),
        ..c
    };
    apply!(
        m,
        m.decide_adjust(&c, &adj("jenny", d(2024, 6, 14))).unwrap(),
    );
    assert!(m.minutes_final());
}

#[test]
fn minutes_stored_before_adjusters_were_recorded_one_by_one_stay_final() {
    // A stream written by the earlier engine: one MinutesAdjusted without an adjuster.
    let org = testing::org();
    let (mut m, c) = held_council(&org);
    apply!(m, m.decide_minutes(&c, &two_adjusters()).unwrap());
    let old: MeetingEvent = serde_json::from_str(
        r#"{"MinutesAdjusted":{"adjustment":{"on":"2024-06-14","means":"email"}}}"#,
    )
    .unwrap();
    m.apply(&old);
    assert!(m.minutes_final());
    assert_eq!(m.adjustment.as_ref().and_then(|a| a.by.clone()), None);
    // And minutes stored without labels or rule read with the defaults.
    let minutes: Minutes = serde_json::from_str(
        r#"{"kind":"protocol","chair":"jenny","secretary":"malin","adjusters":["tina"],"paragraphs":[]}"#,
    )
    .unwrap();
    assert_eq!(minutes.rule, crate::org::AdjustmentRule::default());
    assert_eq!(minutes.signers(), vec![pid("tina")]);
}

// ─────────────── votes, jäv, quorum, reservations ───────────────

fn voted_paragraph() -> Paragraph {
    let mut p = Paragraph::new(3, "Fördelning av stimulansmedel").outcome(Outcome::Decided {
        clauses: vec!["fördela medlen enligt förslaget".into()],
    });
    p.motions = vec![
        Motion {
            by: pid("jonas"),
            text: "bifall till förslaget".into(),
        },
        Motion {
            by: pid("tina"),
            text: "avslag på förslaget".into(),
        },
    ];
    p.propositions = vec![1, 2];
    p.vote = Some(Vote {
        yes: 1,
        no: 2,
        ballots: vec![
            Ballot {
                member: pid("jonas"),
                choice: VoteChoice::Yes,
            },
            Ballot {
                member: pid("tina"),
                choice: VoteChoice::No,
            },
            Ballot {
                member: pid("jenny"),
                choice: VoteChoice::Yes,
            },
        ],
    });
    p
}

fn with(p: Paragraph) -> MinutesDraft {
    let mut dr = two_adjusters();
    dr.paragraphs.push(p);
    dr
}

#[test]
fn a_vote_is_counted_and_a_tie_goes_to_the_chairs_casting_vote() {
    let p = voted_paragraph();
    let v = p.vote.clone().unwrap();
    let r = v.result(&pid("jenny")).unwrap();
    assert_eq!((r.yes, r.no, r.abstained, r.adopted), (2, 1, 0, 1));
    assert!(!r.casting_vote);
    let tie = Vote {
        ballots: v.ballots[..2].to_vec(),
        ..v.clone()
    };
    assert_eq!(tie.result(&pid("jenny")), None, "the chair did not vote");
    assert_eq!(
        tie.result(&pid("tina"))
            .map(|r| (r.adopted, r.casting_vote)),
        Some((2, true))
    );
    let org = testing::org();
    let (m, c) = held_council(&org);
    assert!(m.decide_minutes(&c, &with(p.clone())).is_ok());
    // The chair's finding must agree with the vote.
    let mut wrong = p.clone();
    wrong.adopted = Some(2);
    assert!(matches!(
        m.decide_minutes(&c, &with(wrong)),
        Err(MeetingError::InvalidMinutes { place, .. }) if place == "§ 3, adopted"
    ));
    // Only serving members vote, once each, between motions that were put.
    let mut outsider = p.clone();
    if let Some(v) = outsider.vote.as_mut() {
        v.ballots.push(Ballot {
            member: pid("jessica"),
            choice: VoteChoice::No,
        });
    }
    assert!(matches!(
        m.decide_minutes(&c, &with(outsider)),
        Err(MeetingError::InvalidMinutes { place, .. }) if place == "§ 3, vote"
    ));
    let mut unput = p.clone();
    unput.propositions = vec![1];
    assert!(m.decide_minutes(&c, &with(unput)).is_err());
    let mut twice = p;
    twice.propositions = vec![1, 1];
    assert!(m.decide_minutes(&c, &with(twice)).is_err());
}

#[test]
fn a_member_with_a_conflict_of_interest_takes_no_part_and_quorum_counts_without_them() {
    let org = testing::org();
    let (m, c) = held_council(&org);
    // Jonas declares jäv but votes: refused.
    let mut p = voted_paragraph();
    p.conflicts = vec![Conflict {
        member: pid("jonas"),
        reason: Some("styrelseledamot i mottagande förening".into()),
    }];
    assert!(matches!(
        m.decide_minutes(&c, &with(p.clone())),
        Err(MeetingError::InvalidMinutes { problem, .. }) if problem.contains("jäv")
    ));
    // Without his motion and vote: the council has three members; Tina serves for
    // Jerry; with Jonas out one of three serves — not quorate.
    let mut p = Paragraph::new(3, "Fördelning av stimulansmedel").outcome(Outcome::Decided {
        clauses: vec!["fördela medlen enligt förslaget".into()],
    });
    p.conflicts = vec![Conflict {
        member: pid("jonas"),
        reason: None,
    }];
    assert_eq!(
        m.decide_minutes(&c, &with(p.clone())),
        Err(MeetingError::QuorumNotMet {
            meeting: mid("council-social-2024-05-17"),
            paragraph: 3,
            serving: 1,
            members: 3,
        })
    );
    // Without the conflict, two of three serve: quorate.
    p.conflicts.clear();
    assert!(m.decide_minutes(&c, &with(p)).is_ok());
}

#[test]
fn a_reservation_is_handed_in_before_adjustment_and_refused_after() {
    let org = testing::org();
    let (mut m, c) = held_council(&org);
    let mut p = voted_paragraph();
    p.conflicts = Vec::new();
    apply!(m, m.decide_minutes(&c, &with(p)).unwrap());
    let c = Context {
        today: d(2024, 5, 20),
        ..c
    };
    // Not on a paragraph without a decision, not without a reason, not by a non-member.
    assert!(m.decide_reservation(&c, 2, &pid("tina"), "fel").is_err());
    assert!(m.decide_reservation(&c, 3, &pid("tina"), " ").is_err());
    assert!(
        m.decide_reservation(&c, 3, &pid("jessica"), "skäl")
            .is_err()
    );
    apply!(
        m,
        m.decide_reservation(&c, 3, &pid("tina"), "Medlen borde gå till länsdelarna.")
            .unwrap(),
    );
    assert_eq!(m.reservations_in(3).count(), 1);
    assert!(m.decide_reservation(&c, 3, &pid("tina"), "igen").is_err());
    let c = Context {
        today: d(2024, 6, 14),
        ..c
    };
    apply!(
        m,
        m.decide_adjust(&c, &adj("tina", d(2024, 6, 14))).unwrap(),
    );
    apply!(
        m,
        m.decide_adjust(&c, &adj("jonas", d(2024, 6, 14))).unwrap(),
    );
    assert!(matches!(
        m.decide_reservation(&c, 3, &pid("jonas"), "för sent"),
        Err(MeetingError::MinutesFinal { .. })
    ));
}

#[test]
fn rendered_minutes_name_each_adjuster_with_its_label_the_vote_and_the_distribution() {
    let org = testing::org();
    let (mut m, c) = held_council(&org);
    let mut p = voted_paragraph();
    p.conflicts = vec![Conflict {
        member: pid("jessica"),
        reason: None,
    }];
    apply!(m, m.decide_minutes(&c, &with(p)).unwrap());
    let c = Context {
        today: d(2024, 6, 14),
        ..c
    };
    apply!(
        m,
        m.decide_reservation(&c, 3, &pid("tina"), "Medlen borde gå till länsdelarna.")
            .unwrap(),
    );
    apply!(
        m,
        m.decide_adjust(&c, &adj("tina", d(2024, 6, 12))).unwrap(),
    );
    let sv = render_markdown(&org, &m, Language::Swedish).unwrap();
    assert!(sv.contains("Ej justerat."), "{sv}");
    assert!(
        sv.contains("Justerat av Tina Johansson 2024-06-12 via e-post."),
        "{sv}"
    );
    apply!(
        m,
        m.decide_adjust(&c, &adj("jonas", d(2024, 6, 14))).unwrap(),
    );
    let sv = render_markdown(&org, &m, Language::Swedish).unwrap();
    for line in [
        "Justerat den: 2024-06-14 via e-post.",
        "**Justerare:** Tina Johansson, Laxå kommun (för kommunerna); Jonas Hansen, Lekebergs kommun (för Regionen) (utsedda i § 1)",
        "| Ordförande | Justeras för kommunerna | Justeras för Regionen |",
        "| Jenny Steen | Tina Johansson | Jonas Hansen |",
        "Vid protokollet: Malin Duckert Ek, sekreterare",
        "**Jäv**",
        "- Jessica Ekerbring anmäler jäv och deltar inte i handläggningen av ärendet.",
        "**Yrkanden**",
        "1. Jonas Hansen: bifall till förslaget",
        "2. Tina Johansson: avslag på förslaget",
        "**Propositionsordning:** 1, 2",
        "- Jenny Steen: ja",
        "Resultat: 2 ja, 1 nej, 0 avstår.",
        "Ordföranden finner att yrkande 1 bifalls.",
        "- Tina Johansson reserverar sig mot beslutet: Medlen borde gå till länsdelarna.",
        "Protokollet ska skickas till: Ledamöter, Föredragande",
    ] {
        assert!(sv.contains(line), "missing {line:?} in\n{sv}");
    }
    let en = render_markdown(&org, &m, Language::English).unwrap();
    for line in [
        "| Chair | Adjuster (för kommunerna) | Adjuster (för Regionen) |",
        "Result: 2 yes, 1 no, 0 abstains.",
        "The minutes are sent to: Members, Presenters",
    ] {
        assert!(en.contains(line), "missing {line:?} in\n{en}");
    }
}

#[test]
fn chair_and_secretary_in_one_person_sign_on_one_line() {
    let org = testing::org();
    let (mut m, c) = held_council(&org);
    let mut dr = draft();
    dr.secretary = pid("jenny");
    apply!(m, m.decide_minutes(&c, &dr).unwrap());
    let sv = render_markdown(&org, &m, Language::Swedish).unwrap();
    assert!(
        sv.contains("**Ordförande och sekreterare:** Jenny Steen"),
        "{sv}"
    );
    assert!(
        sv.contains("| Ordförande och sekreterare | Justerare |"),
        "{sv}"
    );
    assert!(!sv.contains("Vid protokollet"), "{sv}");
    assert!(!sv.contains("**Sekreterare:**"), "{sv}");
}

// ─────────────── the roster on the meeting's day ───────────────

#[test]
fn substitutes_and_permissions_are_checked_on_the_meetings_day() {
    let mut org = testing::org();
    // Tina's substitute mandate ended before the meeting.
    for ms in org
        .memberships
        .iter_mut()
        .filter(|x| x.person == pid("tina") && x.role == crate::org::Role::Substitute)
    {
        ms.until = Some(d(2023, 12, 31));
    }
    let (m, c) = super::tests::given(&org, "council-social-2024-05-17", d(2024, 5, 17), vec![]);
    let record = MeetingRecord {
        attendance: Attendance {
            present: vec![pid("jenny"), pid("malin"), pid("jonas")],
            absent: vec![pid("jerry"), pid("jessica")],
            substitutes: vec![SubstituteFor {
                substitute: pid("tina"),
                member: pid("jerry"),
            }],
            guests: vec![],
        },
        ..MeetingRecord::default()
    };
    assert!(matches!(
        m.decide_held(&c, &record),
        Err(MeetingError::InvalidAttendance { person, .. }) if person == pid("tina")
    ));
    // A term that starts after the meeting does not count either; one that covers it does.
    for ms in org
        .memberships
        .iter_mut()
        .filter(|x| x.person == pid("tina") && x.role == crate::org::Role::Substitute)
    {
        ms.until = None;
        ms.from = Some(d(2024, 6, 1));
    }
    let (m, c) = super::tests::given(&org, "council-social-2024-05-17", d(2024, 5, 17), vec![]);
    assert!(m.decide_held(&c, &record).is_err());
    for ms in org
        .memberships
        .iter_mut()
        .filter(|x| x.person == pid("tina") && x.role == crate::org::Role::Substitute)
    {
        ms.from = Some(d(2023, 1, 1));
        ms.until = Some(d(2026, 12, 31));
    }
    let (m, c) = super::tests::given(&org, "council-social-2024-05-17", d(2024, 5, 17), vec![]);
    assert!(m.decide_held(&c, &record).is_ok());
}

#[test]
fn through_the_engine_the_adjuster_adjusts_and_the_secretary_records_an_email() {
    let (engine, store, clock) = engine_at(d(2024, 5, 17));
    let m = mid("council-social-2024-05-17");
    engine
        .record_meeting_held(&person("malin"), cmd(), &m, MeetingRecord::default())
        .unwrap();
    let mut dr = two_adjusters();
    dr.paragraphs[1].agenda_item = None;
    engine
        .draft_minutes(&person("malin"), cmd(), &m, dr)
        .unwrap();
    clock.set_date(d(2024, 6, 14));
    // Tina adjusts herself (the actor is the adjuster).
    let done = engine
        .adjust_minutes(
            &person("tina"),
            cmd(),
            &m,
            Adjustment::new(d(2024, 6, 13), AdjustmentMeans::Email),
        )
        .unwrap();
    assert!(!done.executed.state.minutes_final());
    assert_eq!(
        done.effects.unwrap_or_default(),
        Effects::default(),
        "nothing takes effect on a partial adjustment"
    );
    // A member may not record Jonas's adjustment for him.
    let before = stream(&store, m.as_str()).len();
    let err = engine
        .adjust_minutes(&person("jessica"), cmd(), &m, adj("jonas", d(2024, 6, 14)))
        .unwrap_err();
    assert!(matches!(err, Error::NotPermitted { .. }), "{err}");
    assert_eq!(stream(&store, m.as_str()).len(), before);
    // The secretary records Jonas's adjustment received by e-mail: final.
    let done = engine
        .adjust_minutes(&person("malin"), cmd(), &m, adj("jonas", d(2024, 6, 14)))
        .unwrap();
    assert!(done.executed.state.minutes_final());
    assert!(done.effects.is_some(), "the final-minutes policy ran");
    let by: Vec<_> = done
        .executed
        .state
        .signatures
        .iter()
        .filter_map(|a| a.by.clone())
        .collect();
    assert_eq!(by, vec![pid("tina"), pid("jonas")]);
    // The audit trail: every event records who issued the command and the
    // configuration version; Jonas's adjustment was recorded by the secretary.
    let records = stream(&store, m.as_str());
    let audits: Vec<(String, crate::aggregate::Audit)> = records
        .iter()
        .map(|r| (r.event_type.to_string(), crate::aggregate::audit_of(r)))
        .collect();
    assert!(
        audits
            .iter()
            .all(|(_, a)| a.config.as_deref() == Some(engine.config_version()))
    );
    let signed: Vec<&str> = audits
        .iter()
        .filter(|(t, _)| t == "AdjusterSigned")
        .map(|(_, a)| a.actor.as_str())
        .collect();
    assert_eq!(signed, vec!["tina", "malin"]);
    assert!(
        engine
            .config_version()
            .starts_with(&format!("{}#", testing::org().version))
    );
}

// ─────────────── property: final iff every named adjuster adjusted ───────────────

#[derive(Debug, Clone)]
enum Step {
    Adjust(usize),
    Decline(usize),
    Redraft,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0usize..5).prop_map(Step::Adjust),
        1 => (0usize..5).prop_map(Step::Decline),
        1 => Just(Step::Redraft),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// In any order, with declines, new drafts and repeats: the minutes are final iff
    /// every named adjuster adjusted in the current round; a refused step changes
    /// nothing.
    #[test]
    fn minutes_are_final_iff_every_named_adjuster_adjusted(
        steps in proptest::collection::vec(step(), 0..24),
        named in 1usize..3,
    ) {
        // Candidates: the two who may be named, then people who may not adjust.
        let people = ["tina", "jonas", "jenny", "jessica", "malin"];
        let org = testing::org();
        let (mut m, c) = held_council(&org);
        let mut dr = draft();
        dr.adjusters = people[..named].iter().map(|p| pid(p)).collect();
        apply!(m, m.decide_minutes(&c, &dr).unwrap());
        let c = Context { today: d(2024, 6, 14), ..c };
        // The model: who adjusted this round, and whether the round was declined.
        let mut signed: BTreeSet<usize> = BTreeSet::new();
        let mut returned = false;
        let mut final_ = false;
        for s in steps {
            let before = m.clone();
            let result = match &s {
                Step::Adjust(i) => m.decide_adjust(&c, &adj(people[*i], d(2024, 6, 14))),
                Step::Decline(i) => m.decide_decline(&c, &pid(people[*i]), d(2024, 6, 14), "ändra § 2"),
                Step::Redraft => m.decide_minutes(&c, &dr),
            };
            let may = |i: usize| i < named;
            let expect_ok = !final_ && match &s {
                Step::Adjust(i) => may(*i) && !returned && !signed.contains(i),
                Step::Decline(i) => may(*i) && !returned,
                Step::Redraft => true,
            };
            prop_assert_eq!(result.is_ok(), expect_ok, "{:?}: {:?}", s, result);
            match result {
                Ok(events) => {
                    apply!(m, events);
                    match s {
                        Step::Adjust(i) => { signed.insert(i); }
                        Step::Decline(_) => { signed.clear(); returned = true; }
                        Step::Redraft => { signed.clear(); returned = false; }
                    }
                    final_ = (0..named).all(|i| signed.contains(&i));
                }
                Err(_) => prop_assert_eq!(&m, &before),
            }
            prop_assert_eq!(m.minutes_final(), final_);
            prop_assert_eq!(m.minutes_final(), (0..named).all(|i| signed.contains(&i)));
        }
    }
}

#[test]
fn the_new_commands_have_a_stable_kebab_case_json_form() {
    let decline = MeetingCommand::DeclineAdjustment {
        by: Some(pid("jonas")),
        on: d(2024, 6, 11),
        comments: "§ 2: Regionens yrkande saknas".into(),
    };
    let json = serde_json::to_value(&decline).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"type": "decline-adjustment", "by": "jonas", "on": "2024-06-11",
            "comments": "§ 2: Regionens yrkande saknas"})
    );
    assert_eq!(
        serde_json::from_value::<MeetingCommand>(json).unwrap(),
        decline
    );
    let reserve: MeetingCommand = serde_json::from_value(serde_json::json!({
        "type": "enter-reservation", "paragraph": 3, "member": "tina",
        "reason": "Medlen borde gå till länsdelarna."
    }))
    .unwrap();
    assert_eq!(reserve.name(), "enter-reservation");
    // An adjustment without `by` (the acting person adjusts) is the old form.
    let old: MeetingCommand =
        serde_json::from_str(r#"{"type":"adjust-minutes","on":"2024-06-14","means":"email"}"#)
            .unwrap();
    assert_eq!(
        old,
        MeetingCommand::AdjustMinutes(Adjustment::new(d(2024, 6, 14), AdjustmentMeans::Email))
    );
    // A draft's votes and jäv read back as written.
    let p = voted_paragraph();
    let back: Paragraph = serde_json::from_value(serde_json::to_value(&p).unwrap()).unwrap();
    assert_eq!(back, p);
}

#[test]
fn minutes_sent_back_tell_their_secretary_who_declined_and_why() {
    let org = testing::org();
    let (mut m, c) = held_council(&org);
    apply!(m, m.decide_minutes(&c, &draft()).unwrap());
    let c = Context {
        today: d(2024, 6, 11),
        ..c
    };
    let given = commands::Given {
        followers: &[],
        next: None,
        scheduled_here: &[],
        lead_dates: None,
    };
    let decline = MeetingCommand::DeclineAdjustment {
        by: Some(pid("tina")),
        on: d(2024, 6, 11),
        comments: "§ 2: Regionens yrkande saknas".into(),
    };
    let decision = commands::decide(&m, &decline, &c, &given).unwrap();
    assert!(matches!(
        decision.events.as_slice(),
        [MeetingEvent::AdjustmentDeclined { .. }]
    ));
    let [n] = decision.notifications.as_slice() else {
        panic!("one notification: {:?}", decision.notifications);
    };
    assert_eq!(
        n.kind,
        crate::notification::NotificationKind::MinutesDeclined
    );
    let to: Vec<_> = n
        .recipients
        .iter()
        .filter_map(|r| r.person.clone())
        .collect();
    assert_eq!(to, vec![pid("malin")], "the secretary of the draft");
    let declined = n.declined.as_ref().unwrap();
    assert_eq!(declined.by, pid("tina"));
    assert_eq!(declined.comments, "§ 2: Regionens yrkande saknas");
    assert_eq!(declined.round, 1);
    // The fact reads back from its outbox JSON.
    let json = serde_json::to_string(n).unwrap();
    assert!(json.contains("\"kind\":\"minutes-declined\""), "{json}");
    let back: crate::notification::Notification = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, n);
    // An adjustment writes no such notice.
    let adjust = MeetingCommand::AdjustMinutes(adj("tina", d(2024, 6, 11)));
    let decision = commands::decide(&m, &adjust, &c, &given).unwrap();
    assert!(decision.notifications.is_empty());
}
