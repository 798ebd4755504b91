//! Done-when scenario: a simulated autumn 2024 for the Örebro preparatory group
//! (Samverkansgrupp barn och unga, `sbu`; meetings 15 October and 16 December) with the
//! county configuration `config/orebro.toml`. The scheduler and the dispatcher run
//! every simulated day; e-mail goes over SMTP to a real server on loopback. The call
//! for matters and the notice must arrive on the right days at the right members, and
//! the submitter of the family-centre matter must get feedback at each step.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use arende_core::authz::Actor;
use arende_core::clock::SimulatedClock;
use arende_core::engine::Engine;
use arende_core::ids::CommandId;
use arende_core::ids::{BodyId, MatterId, PersonId, RouteId};
use arende_core::matter::{At, MatterCommand, MatterKind, Screening, SubmitMatter};
use arende_core::org::{Organisation, Role};
use arende_core::store::{EventStore, MemoryStore, Outbox, StreamId};
use arende_notify::Dispatcher;
use arende_notify::scheduler::{Scheduler, run_day};
use arende_notify::smtp::{SmtpConfig, SmtpTransport};
use chrono::{Datelike, NaiveDate};

use crate::common::{d, tenant};
use crate::support::{Mail, SmtpServer};

const SBU: &str = "Samverkansgrupp barn och unga i Örebro län";
const TITLE: &str = "Förslag till överenskommelse om regional samverkan för familjecentraler";

pub fn orebro() -> Organisation {
    let text = include_str!("../../../../config/orebro.toml");
    arende_core::config::load_str(text, "config/orebro.toml").expect("config/orebro.toml loads")
}

/// The addresses of the members and officers of a body.
fn members(org: &Organisation, body: &str) -> BTreeSet<String> {
    org.members_of(&BodyId::new(body))
        .filter(|m| m.role != Role::Substitute)
        .filter_map(|m| org.person(&m.person).and_then(|p| p.email.clone()))
        .collect()
}

fn person(id: &str) -> Actor {
    Actor::Person(PersonId::new(id))
}

#[tokio::test]
async fn autumn_2024_calls_notices_and_feedback_arrive_on_the_right_days() {
    let Some(server) = SmtpServer::start() else {
        return;
    };
    let org = Arc::new(orebro());
    let store = Arc::new(MemoryStore::new());
    let clock = Arc::new(SimulatedClock::at_date(d(2024, 8, 19)));
    let engine = Arc::new(Engine::new(org.clone(), store.clone(), clock.clone()));
    let scheduler = Scheduler::new(engine.clone());
    let mut smtp = SmtpConfig::plain("127.0.0.1", server.port, "samverkan@example.se");
    smtp.from_name = "Regional utveckling, Region Örebro län".into();
    let dispatcher = Dispatcher::new(
        store.clone(),
        SmtpTransport::new(smtp).expect("smtp"),
        clock.clone(),
    )
    .with_organisation(org.clone());

    let daniel = person("daniel-berglund"); // the group's secretary
    let susann = person("susann-cederlund"); // project lead, submits the matter
    let mut matter: Option<MatterId> = None;
    // Mails received, by the simulated day they were sent on.
    let mut by_day: BTreeMap<NaiveDate, Vec<Mail>> = BTreeMap::new();
    let mut seen = 0;
    let mut day = d(2024, 8, 19);
    while day <= d(2024, 12, 31) {
        clock.set_date(day);
        let m = |c: MatterCommand, who: &Actor| {
            let id = matter.expect("the matter exists");
            engine.run_matter(id, who, c).expect("matter command")
        };
        match (day.month(), day.day()) {
            // The secretary registers the project lead's matter with the group.
            (9, 10) => {
                let mut s = SubmitMatter::new(MatterKind::Agreement, TITLE, "sbu");
                s.submitter = Some(PersonId::new("susann-cederlund"));
                let done = engine.submit_matter(&daniel, s).expect("submit");
                matter = done.state.id;
            }
            // Screened: for the group's information (it prepares; it does not decide).
            (9, 16) => {
                m(
                    MatterCommand::Screen {
                        screening: Screening::InformationItem,
                    },
                    &daniel,
                );
            }
            // The project lead's presentation is ready before the notice goes out.
            (9, 27) => {
                m(MatterCommand::MarkDocumentsReady, &susann);
            }
            // At the meeting: presented; the group is not the deciding body, the matter
            // goes on to the chief groups, KCRD and political decision (minutes 000 §8).
            (10, 15) => {
                m(
                    MatterCommand::Present {
                        at: At::body("sbu"),
                    },
                    &daniel,
                );
                m(
                    MatterCommand::Escalate {
                        at: At::body("sbu"),
                        route: RouteId::new("county-agreement"),
                        reason: "Samverkansgruppen är inte beslutande organ; frågan går till \
                                 chefsgrupperna, KCRD och politisk nivå."
                            .into(),
                    },
                    &daniel,
                );
            }
            _ => {}
        }
        let (tick, _batch) = run_day(&scheduler, &dispatcher).await.expect("run day");
        assert!(tick.failed.is_empty(), "{day}: {:?}", tick.failed);
        let all = server.messages();
        by_day
            .entry(day)
            .or_default()
            .extend(all[seen..].iter().cloned());
        seen = all.len();
        day = day.succ_opt().expect("next day");
    }

    // Nothing is left undelivered.
    let counts = store.outbox_counts(&tenant()).expect("counts");
    assert_eq!(counts.get("pending"), None, "{counts:?}");
    assert!(store.parked(&tenant()).expect("parked").is_empty());

    let of = |pred: &dyn Fn(&Mail) -> bool| -> Vec<(NaiveDate, Mail)> {
        by_day
            .iter()
            .flat_map(|(d, ms)| ms.iter().filter(|m| pred(m)).map(|m| (*d, m.clone())))
            .collect()
    };
    let sbu_members = members(&org, "sbu");
    let rcpts = |m: &Mail| m.rcpt_tos.iter().cloned().collect::<BTreeSet<_>>();

    // The calls for matters: one month before each meeting, to the group.
    let calls = of(&|m| m.subject.starts_with("Inhämtning av ärenden") && m.subject.contains(SBU));
    let days: Vec<NaiveDate> = calls.iter().map(|(d, _)| *d).collect();
    // A call that would fall on a weekend goes out on the working day before (Sunday
    // 15 September → Friday 13 September; Saturday 16 November → Friday 15 November).
    // The third is for the first meeting of 2025 (first Friday, 3 January).
    assert_eq!(
        days,
        vec![d(2024, 9, 13), d(2024, 11, 15), d(2024, 12, 3)],
        "calls for matters"
    );
    for (_, c) in &calls {
        assert_eq!(
            rcpts(c),
            sbu_members,
            "the call goes to the group's members"
        );
    }
    assert!(
        calls[0].1.subject.ends_with("15 oktober 2024"),
        "{}",
        calls[0].1.subject
    );
    assert!(
        calls[1].1.subject.ends_with("16 december 2024"),
        "{}",
        calls[1].1.subject
    );
    assert!(
        calls[2].1.subject.ends_with("3 januari 2025"),
        "{}",
        calls[2].1.subject
    );
    let call_text = calls[0].1.text.as_deref().unwrap_or("");
    assert!(
        call_text.contains("Anmäl ärenden senast 13 september 2024."),
        "{call_text}"
    );
    assert!(
        call_text.contains("Underlag ska vara klart senast 1 oktober 2024."),
        "{call_text}"
    );

    // The notices: two weeks before, to the group, with the agenda and an invitation.
    let notices = of(&|m| m.subject.starts_with("Kallelse") && m.subject.contains(SBU));
    let days: Vec<NaiveDate> = notices.iter().map(|(d, _)| *d).collect();
    assert_eq!(
        days,
        vec![d(2024, 10, 1), d(2024, 12, 2), d(2024, 12, 20)],
        "notices"
    );
    for (_, n) in &notices {
        assert!(
            rcpts(n).is_superset(&sbu_members),
            "the notice goes to the group"
        );
    }
    let october = &notices[0].1;
    let text = october.text.as_deref().expect("text");
    assert!(
        text.contains("Tid: tisdag 15 oktober 2024 kl. 10.00–12.00"),
        "{text}"
    );
    assert!(text.contains("Plats: Hjortkvarn, Eklundavägen 1"), "{text}");
    assert!(text.contains(TITLE), "the matter is on the agenda:\n{text}");
    let ics = october
        .calendar
        .as_deref()
        .expect("invitation")
        .replace("\r\n ", "");
    assert!(ics.contains("METHOD:REQUEST"));
    assert!(ics.contains("UID:sbu-2024-10-15@orebro.arende"), "{ics}");
    assert!(ics.contains("DTSTART:20241015T080000Z"), "{ics}");
    assert!(text.contains("\n4. Förslag till överenskommelse"), "{text}");

    // Feedback to the submitter at each step, on the day it happened: every command on
    // the matter not given by the submitter herself is told to her.
    let feedback = of(&|m| {
        m.subject.starts_with("Återkoppling")
            && m.rcpt_tos
                .contains(&"susann.cederlund@example.se".to_owned())
    });
    for (_, f) in &feedback {
        assert_eq!(f.subject, format!("Återkoppling: {TITLE}"));
        let text = f.text.as_deref().unwrap_or("");
        assert!(
            text.contains("Organ: Samverkansgrupp barn och unga"),
            "{text}"
        );
    }
    let days: Vec<NaiveDate> = feedback.iter().map(|(d, _)| *d).collect();
    assert_eq!(
        days[..5],
        [
            d(2024, 9, 10),  // registered
            d(2024, 9, 16),  // screened as information for the group
            d(2024, 10, 1),  // on the agenda of 15 October, with the notice
            d(2024, 10, 15), // presented
            d(2024, 10, 15), // moved on to the county-agreement route
        ],
        "{:#?}",
        feedback
            .iter()
            .map(|(d, m)| (d, m.text.clone()))
            .collect::<Vec<_>>()
    );
    let id = matter.expect("matter");
    let events = store
        .read_stream(&tenant(), &StreamId::new(format!("matter-{id}")), 1)
        .expect("matter stream");
    let mut changes: Vec<(NaiveDate, CommandId)> = events
        .iter()
        .filter(|e| &*e.actor != "susann-cederlund")
        .map(|e| {
            (
                e.recorded_at
                    .with_timezone(&chrono_tz::Europe::Stockholm)
                    .date_naive(),
                e.command_id,
            )
        })
        .collect();
    changes.dedup();
    let change_days: Vec<NaiveDate> = changes.iter().map(|(d, _)| *d).collect();
    assert_eq!(days, change_days, "one feedback per change of the matter");
}
