//! Meetings, minutes, calendars and assignments against the Örebro configuration
//! (`config/orebro.toml`), through the facade crate: the council protocol of 17 May 2024
//! (minutes 003) on the embedded SQLite store, the unbroken-schooling agreement from
//! the preparatory group's notes to the joint chief group's adjusted protocol, a
//! dropped item carried to the next meeting, the calendar across a move and a
//! cancellation, and people who sit in two groups at once.

use std::sync::{Arc, OnceLock};

use arende::assignment::{Assignee, AssignmentOrder, AssignmentStatus, Due, WorkingGroup};
use arende::authz::Actor;
use arende::clock::{SimulatedClock, stockholm_instant};
use arende::engine::Engine;
use arende::ids::{BodyId, CommandId, MatterId, MeetingId, PersonId};
use arende::matter::{At, MatterCommand, MatterKind, MatterStatus, Screening, SubmitMatter};
use arende::meeting::{
    AddedItem, Adjustment, AdjustmentMeans, AgendaItem, Attendance, DropReason, DroppedItem, Guest,
    ItemKind, Language, MeetingError, MeetingPhase, MeetingRecord, MinutesDraft, MinutesRef,
    NoticeInput, Outcome, Paragraph, Presenter, Reschedule, SubstituteFor,
};
use arende::notification::{Notification, NotificationKind, RecipientReason};
use arende::org::Organisation;
use arende::store::{EventStore, MemoryStore, Outbox, RecordedEvent, StreamId};
use arende::{Error, Result};
use chrono::{NaiveDate, NaiveTime};
use icalendar::{Calendar, CalendarDateTime, Component, DatePerhapsTime, EventStatus};

fn orebro() -> Arc<Organisation> {
    static ORG: OnceLock<Arc<Organisation>> = OnceLock::new();
    ORG.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/config/orebro.toml");
        Arc::new(arende::load_file(path).unwrap_or_else(|e| panic!("{e}")))
    })
    .clone()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn t(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").unwrap()
}

fn p(id: &str) -> Actor {
    Actor::Person(PersonId::new(id))
}

fn pid(id: &str) -> PersonId {
    PersonId::new(id)
}

fn mid(id: &str) -> MeetingId {
    MeetingId::new(id)
}

fn cmd() -> CommandId {
    CommandId::random()
}

fn system() -> Actor {
    Actor::service("scheduler", &arende::authz::Action::ALL)
}

type MemEngine = Engine<Arc<MemoryStore>, Arc<SimulatedClock>>;

fn memory_engine(today: &str) -> (MemEngine, Arc<MemoryStore>, Arc<SimulatedClock>) {
    let store = Arc::new(MemoryStore::new());
    let clock = Arc::new(SimulatedClock::at_date(d(today)));
    (
        Engine::new(orebro(), store.clone(), clock.clone()),
        store,
        clock,
    )
}

/// Claims every pending outbox message (so the next call sees only new ones).
fn drain<O: Outbox>(store: &O) -> Vec<Notification> {
    store
        .claim(
            stockholm_instant(d("2100-01-01"), 0, 0),
            chrono::Duration::hours(1),
            10_000,
        )
        .unwrap()
        .iter()
        .map(|r| serde_json::from_str(&r.message.payload).unwrap())
        .collect()
}

fn stream<S: EventStore>(store: &S, meeting: &str) -> Vec<RecordedEvent> {
    store
        .read_stream(
            &orebro().tenant,
            &StreamId::new(format!("meeting-{meeting}")),
            1,
        )
        .unwrap()
}

fn people(ids: &[&str]) -> Vec<PersonId> {
    ids.iter().map(|s| pid(s)).collect()
}

#[test]
fn the_joint_chief_group_meeting_of_15_november_gets_its_dates() {
    let (engine, _, _) = memory_engine("2024-10-01");
    let m = engine
        .read()
        .effective_meeting(&mid("cg-joint-2024-11-15"))
        .unwrap();
    assert_eq!(m.call_for_matters, d("2024-10-15"));
    assert_eq!(m.notice, d("2024-11-01"));
    let due: Vec<MeetingId> = engine
        .read()
        .meetings_due_for_notice(d("2024-11-01"))
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert!(due.contains(&mid("cg-joint-2024-11-15")), "{due:?}");
    let calls: Vec<MeetingId> = engine
        .read()
        .meetings_due_for_call(d("2024-10-15"))
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert!(calls.contains(&mid("cg-joint-2024-11-15")), "{calls:?}");
}

/// The agenda of the specific council on 17 May 2024 (minutes 003), as noticed.
fn council_agenda() -> Vec<AgendaItem> {
    let guest = Presenter::Guest {
        name: "Siv Liedholm och Lennart Wittberg".into(),
        organisation: Some("Effektiv styrning".into()),
        email: None,
    };
    vec![
        AgendaItem::new(1, "Mötet öppnas och justerare utses", ItemKind::Decision),
        AgendaItem::new(2, "Fastställande av dagordning", ItemKind::Decision),
        AgendaItem::new(3, "Föregående möte och protokoll", ItemKind::Information),
        AgendaItem::new(
            4,
            "Rapport från chefsgrupp social välfärd samt vård och omsorg",
            ItemKind::Information,
        )
        .presented_by("ingmar-angman"),
        AgendaItem::new(
            5,
            "Regional samverkan för familjecentral",
            ItemKind::Discussion,
        )
        .presented_by("susann-cederlund")
        .time_box(30),
        AgendaItem::new(6, "TABB 2.0", ItemKind::Information).presented_by("daniel-berglund"),
        AgendaItem {
            presenter: Some(guest),
            ..AgendaItem::new(
                7,
                "Systemanalys av primärvårdens rehabilitering",
                ItemKind::Information,
            )
        },
        AgendaItem::new(
            8,
            "Remissvar ny överenskommelse för hälso- och sjukvård i hemmet",
            ItemKind::Information,
        )
        .presented_by("malin-duckert-ek"),
        AgendaItem::new(
            9,
            "Nära vård årsberättelse 2023 och exempel",
            ItemKind::Information,
        )
        .time_box(5),
        AgendaItem::new(
            10,
            "Länsdialog 4 september om ny socialtjänstlag",
            ItemKind::Information,
        )
        .presented_by("ingmar-angman"),
        AgendaItem::new(11, "Tema till kommande möten", ItemKind::Discussion),
        AgendaItem::new(12, "Avslut", ItemKind::Information),
    ]
}

fn council_minutes() -> MinutesDraft {
    let noted = |n: u32, item: u32, title: &str, text: &str| {
        Paragraph::new(n, title)
            .item(item)
            .text(text)
            .outcome(Outcome::NotedAndFiled)
    };
    MinutesDraft {
        chair: pid("jenny-steen"),
        secretary: pid("malin-duckert-ek"),
        adjusters: vec![pid("tina-johansson")],
        adjuster_labels: Default::default(),
        adjusters_elected_in: None,
        paragraphs: vec![
            Paragraph::new(1, "Mötet öppnas och justerare utses")
                .item(1)
                .text("Till justerare utsågs Tina Johansson, Laxå kommun."),
            Paragraph::new(2, "Fastställande av dagordning")
                .item(2)
                .text("Mötet antar tillägget och dagordningen fastställs."),
            Paragraph::new(3, "Föregående möte och protokoll")
                .item(3)
                .text("Protokollet från föregående möte fastställdes och lades till handlingarna."),
            noted(
                4,
                4,
                "Rapport från chefsgrupp social välfärd samt vård och omsorg",
                "Chefsgruppen har haft två möten.",
            ),
            noted(
                5,
                5,
                "Regional samverkan för familjecentral",
                "Susann Cederlund presenterade utkast till ny överenskommelse.",
            )
            .presented_by("susann-cederlund"),
            noted(
                6,
                6,
                "TABB 2.0",
                "Daniel Berglund presenterade resultat av projektet TABB 2.0.",
            )
            .presented_by("daniel-berglund"),
            noted(
                7,
                7,
                "Systemanalys av primärvårdens rehabilitering",
                "Presentation av rapporten.",
            ),
            noted(
                8,
                8,
                "Remissvar ny överenskommelse för hälso- och sjukvård i hemmet",
                "101 kommentarer har omhändertagits.",
            ),
            Paragraph::new(9, "Nära vård årsberättelse 2023 och exempel")
                .item(9)
                .text("Ledamöterna uppmanas att läsa handlingarna som sänts ut inför mötet.")
                .outcome(Outcome::Dropped {
                    reason: DropReason::LackOfTime,
                }),
            noted(
                10,
                10,
                "Länsdialog 4 september om ny socialtjänstlag",
                "Inbjudan kommer inom kort.",
            ),
            Paragraph::new(11, "Tema till kommande möten")
                .item(11)
                .text("Nästa träff är den 20 september klockan 09-12.")
                .outcome(Outcome::Discussed),
            noted(
                12,
                13,
                "Organisationsöversyn av välfärd och folkhälsa",
                "Utredningen ska vara klar 30 juni.",
            ),
            Paragraph::new(13, "Avslut")
                .item(12)
                .text("Jenny tackar för deltagande och avslutar mötet."),
        ],
    }
}

fn council_record() -> MeetingRecord {
    MeetingRecord {
        attendance: Attendance {
            present: people(&[
                "jenny-steen",
                "malin-duckert-ek",
                "jonas-hansen",
                "jari-mehtalainen",
                "christina-kuurne",
                "lena-jonsson-arndt",
                "siw-lunander",
                "torbjorn-holm",
                "annica-sjoqvist",
                "anna-karlsson",
                "yvonne-hagstrom",
                "wilhelm-tham",
                "ingela-sundberg",
                "eva-karlsson",
                "ingmar-angman",
                "panagiota-lazarido",
                "jan-sundelius",
                "ewa-slatmo",
                "charlotte-dahlbom",
                "daniel-berglund",
                "susann-cederlund",
            ]),
            absent: people(&[
                "jessica-ekerbring",
                "niina-linatti",
                "jerry-karjalainen",
                "natalie-strom",
                "maria-gunnarsson",
            ]),
            substitutes: vec![SubstituteFor {
                substitute: pid("tina-johansson"),
                member: pid("jerry-karjalainen"),
            }],
            guests: vec![Guest {
                name: "Siv Liedholm".into(),
                organisation: Some("Effektiv styrning".into()),
            }],
        },
        added: vec![AddedItem {
            item: AgendaItem::new(
                13,
                "Organisationsöversyn av välfärd och folkhälsa",
                ItemKind::Information,
            )
            .presented_by("ingmar-angman"),
            raised_by: pid("ingmar-angman"),
        }],
        dropped: vec![DroppedItem {
            number: 9,
            reason: DropReason::LackOfTime,
        }],
        order: vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 12],
    }
}

#[test]
fn the_council_protocol_of_17_may_2024_on_sqlite() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = Arc::new(arende::sqlite::SqliteStore::open(
        dir.path().join("arende.db"),
    )?);
    let clock = Arc::new(SimulatedClock::at_date(d("2024-05-03")));
    let engine = Engine::new(orebro(), store.clone(), clock.clone());
    let m = mid("council-social-2024-05-17");

    // The notice, two weeks before, with Tina Johansson called for Jerry Karjalainen.
    engine.send_notice(
        &p("malin-duckert-ek"),
        cmd(),
        &m,
        NoticeInput {
            agenda: council_agenda(),
            expectations: Some("Läs handlingarna som sänts ut inför mötet.".into()),
            substitutes_called: vec![SubstituteFor {
                substitute: pid("tina-johansson"),
                member: pid("jerry-karjalainen"),
            }],
            ..NoticeInput::default()
        },
    )?;
    let notice = drain(store.as_ref());
    assert_eq!(notice.len(), 1);
    assert_eq!(notice[0].kind, NotificationKind::Notice);
    let reason = |n: &Notification, who: &str| {
        n.recipients
            .iter()
            .find(|r| r.person == Some(pid(who)))
            .map(|r| r.reason)
    };
    assert_eq!(
        reason(&notice[0], "jessica-ekerbring"),
        Some(RecipientReason::Member)
    );
    assert!(reason(&notice[0], "tina-johansson").is_some());
    assert_eq!(
        reason(&notice[0], "erik-sjoberg"),
        None,
        "a substitute not called"
    );
    assert_eq!(notice[0].agenda.len(), 12);

    clock.set_date(d("2024-05-17"));
    engine.record_meeting_held(&p("malin-duckert-ek"), cmd(), &m, council_record())?;
    engine.draft_minutes(&p("malin-duckert-ek"), cmd(), &m, council_minutes())?;

    let sv = engine.read().minutes(&m, Language::Swedish)?;
    for line in [
        "# Protokoll Specifika samverkansrådet för social välfärd samt vård och omsorg",
        "2024-05-17, kl. 13.00–16.00. Eken, Eklundavägen 1, Örebro",
        "Ej justerat.",
        "**Ordförande:** Jenny Steen, Region Örebro län",
        "**Justerare:** Tina Johansson, Laxå kommun",
        "- ~~Jessica Ekerbring, Örebro kommun~~",
        "- Jonas Hansen, Lekebergs kommun",
        "- Tina Johansson, Laxå kommun (tjänstgör för Jerry Karjalainen)",
        "- ~~Erik Sjöberg, Örebro kommun~~",
        "- Siv Liedholm, Effektiv styrning",
        "## § 9 Nära vård årsberättelse 2023 och exempel",
        "Ärendet utgår på grund av tidsbrist.",
        "## § 12 Organisationsöversyn av välfärd och folkhälsa",
        "*Ingmar Ångman anmäler ärendet till dagordningen.*",
        "Informationen läggs till handlingarna.",
        "## Justeras",
        "| Ordförande | Justerare |",
        "| Jenny Steen | Tina Johansson |",
    ] {
        assert!(sv.contains(line), "missing {line:?} in\n{sv}");
    }

    // Adjusted by e-mail on 14 June: final.
    clock.set_date(d("2024-06-14"));
    let adjusted = engine.adjust_minutes(
        &p("tina-johansson"),
        cmd(),
        &m,
        Adjustment::new(d("2024-06-14"), AdjustmentMeans::Email),
    )?;
    assert!(adjusted.executed.state.minutes_final());
    let sv = engine.read().minutes(&m, Language::Swedish)?;
    assert!(sv.contains("Justerat den: 2024-06-14 via e-post."), "{sv}");
    let en = engine.read().minutes(&m, Language::English)?;
    assert!(
        en.starts_with("# Minutes Specifika samverkansrådet"),
        "{en}"
    );
    assert!(en.contains("Adjusted on: 2024-06-14 by e-mail."), "{en}");
    assert!(en.contains("The item is dropped for lack of time."), "{en}");
    // The one named adjuster's adjustment, recorded with who, when and how, and the
    // distribution list: members, the body above (the regional council), presenters.
    for line in [
        "Justerat av Tina Johansson 2024-06-14 via e-post.",
        "Vid protokollet: Malin Duckert Ek, sekreterare",
        "Protokollet ska skickas till: Ledamöter, Regionala samverkansrådet, Föredragande",
    ] {
        assert!(sv.contains(line), "missing {line:?} in\n{sv}");
    }
    assert!(
        en.contains("The minutes are sent to: Members, Regionala samverkansrådet, Presenters"),
        "{en}"
    );

    // Any change after adjustment is refused and stores nothing.
    let before = stream(store.as_ref(), m.as_str());
    let mut changed = council_minutes();
    changed.paragraphs[3].text = "Ändrad text.".into();
    let err = engine
        .draft_minutes(&p("malin-duckert-ek"), cmd(), &m, changed)
        .unwrap_err();
    assert!(
        matches!(err, Error::Meeting(MeetingError::MinutesFinal { .. })),
        "{err}"
    );
    let err = engine
        .adjust_minutes(
            &p("jenny-steen"),
            cmd(),
            &m,
            Adjustment::new(d("2024-06-14"), AdjustmentMeans::Signature),
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::Meeting(MeetingError::MinutesFinal { .. })),
        "{err}"
    );
    let after = stream(store.as_ref(), m.as_str());
    assert_eq!(before, after);

    // Distributed to members (also the absent), presenters and the body above.
    engine.distribute_minutes(&p("malin-duckert-ek"), cmd(), &m)?;
    let sent = drain(store.as_ref());
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].kind, NotificationKind::MinutesDistributed);
    assert_eq!(
        reason(&sent[0], "jessica-ekerbring"),
        Some(RecipientReason::Member)
    );
    assert!(reason(&sent[0], "tina-johansson").is_some());
    assert_eq!(
        sent[0].adjusted,
        Some(arende::notification::Adjusted {
            on: NaiveDate::from_ymd_opt(2024, 6, 14).expect("date"),
            by: arende::notification::AdjustedBy::Email,
        })
    );
    assert_eq!(
        engine.read().meeting(&m)?.phase,
        MeetingPhase::MinutesDistributed
    );
    Ok(())
}

/// Submits the unbroken-schooling agreement to the preparatory group and brings it to
/// the preparation step (the working group's draft done, documents ready).
fn schooling_matter(engine: &MemEngine, clock: &SimulatedClock) -> Result<MatterId> {
    clock.set_date(d("2024-09-02"));
    let submitted = engine.submit_matter(
        &p("jaana-jansson"),
        SubmitMatter::new(
            MatterKind::Routine,
            "Överenskommelse obruten skolgång för placerade barn",
            "sbu",
        ),
    )?;
    let id = submitted.state.id.unwrap();
    engine.run_matter(
        id,
        &p("daniel-berglund"),
        MatterCommand::Screen {
            screening: Screening::Handle { route: None },
        },
    )?;
    engine.run_matter(
        id,
        &system(),
        MatterCommand::Prepare {
            at: At::body("wg-unbroken-schooling"),
            recommendation: Some("Utkast till överenskommelse".into()),
        },
    )?;
    clock.set_date(d("2024-09-20"));
    engine.run_matter(id, &system(), MatterCommand::MarkDocumentsReady)?;
    Ok(id)
}

fn active_steps(engine: &MemEngine, id: MatterId) -> Vec<String> {
    engine
        .read()
        .matter(id)
        .unwrap()
        .active
        .iter()
        .map(|a| a.step.to_string())
        .collect()
}

fn last_minutes(engine: &MemEngine, id: MatterId) -> Option<MinutesRef> {
    engine
        .read()
        .matter(id)
        .unwrap()
        .done
        .last()
        .and_then(|o| o.at.as_ref())
        .and_then(|a| a.minutes.clone())
}

#[test]
fn decisions_take_effect_only_when_the_minutes_are_final() -> anyhow::Result<()> {
    let (engine, store, clock) = memory_engine("2024-09-01");
    let matter = schooling_matter(&engine, &clock)?;
    assert_eq!(active_steps(&engine, matter), vec!["sbu-preparation"]);

    // The preparatory group, 15 October 2024: notes, final when distributed.
    let sbu = mid("sbu-2024-10-15");
    clock.set_date(d("2024-10-01"));
    engine.send_scheduled_notice(&system(), cmd(), &sbu)?;
    let agenda = engine.read().meeting(&sbu)?.agenda;
    let item = agenda
        .iter()
        .find(|e| e.item.matter == Some(matter))
        .expect("the matter is on the agenda")
        .item
        .clone();
    assert_eq!(item.kind, ItemKind::Discussion);
    assert_eq!(engine.read().matter(matter)?.scheduled, Some(sbu.clone()));

    clock.set_date(d("2024-10-15"));
    engine.record_meeting_held(
        &p("daniel-berglund"),
        cmd(),
        &sbu,
        MeetingRecord {
            attendance: Attendance {
                present: people(&[
                    "ingmar-angman",
                    "daniel-berglund",
                    "jaana-jansson",
                    "monica-skantz",
                ]),
                absent: people(&["johanna-viberg", "camilla-wass"]),
                ..Attendance::default()
            },
            ..MeetingRecord::default()
        },
    )?;
    engine.draft_minutes(
        &p("daniel-berglund"),
        cmd(),
        &sbu,
        MinutesDraft {
            chair: pid("ingmar-angman"),
            secretary: pid("daniel-berglund"),
            adjusters: vec![],
            adjuster_labels: Default::default(),
            adjusters_elected_in: None,
            paragraphs: vec![
                Paragraph::new(1, "Välkommen"),
                Paragraph::new(2, "Obruten skolgång för placerade barn")
                    .item(item.number)
                    .matter(matter)
                    .text("Utkastet är klart 29 oktober; beslut 15 november bedöms för tidigt.")
                    .outcome(Outcome::Prepared {
                        clauses: vec![
                            "ärendet tas upp som information i gemensam chefsgrupp 15 november"
                                .into(),
                        ],
                    }),
            ],
        },
    )?;
    assert_eq!(
        active_steps(&engine, matter),
        vec!["sbu-preparation"],
        "notes not yet distributed"
    );
    let done = engine.distribute_minutes(&p("daniel-berglund"), cmd(), &sbu)?;
    let effects = done.effects.expect("notes became final");
    assert_eq!(
        effects.matters,
        vec![(
            matter,
            MinutesRef {
                meeting: sbu.clone(),
                paragraph: 2
            }
        )]
    );
    assert!(effects.failures.is_empty(), "{:?}", effects.failures);
    assert_eq!(active_steps(&engine, matter), vec!["cg-information"]);
    assert_eq!(
        last_minutes(&engine, matter),
        Some(MinutesRef {
            meeting: sbu.clone(),
            paragraph: 2
        })
    );
    let sent = drain(store.as_ref());
    let distributed = sent
        .iter()
        .find(|n| n.kind == NotificationKind::MinutesDistributed)
        .unwrap();
    // The body above the preparatory group is the joint chief group: the chief groups'
    // members get the notes.
    assert!(distributed.recipients.iter().any(|r| {
        r.person == Some(pid("karolina-strid")) && r.reason == RecipientReason::BodyAbove
    }));

    // The joint chief group, 15 November 2024: a protocol, final when adjusted. It is
    // informed and gives the working group an assignment.
    let joint = mid("cg-joint-2024-11-15");
    clock.set_date(d("2024-11-01"));
    engine.send_scheduled_notice(&system(), cmd(), &joint)?;
    let item = engine
        .read()
        .meeting(&joint)?
        .agenda
        .into_iter()
        .find(|e| e.item.matter == Some(matter))
        .expect("on the joint agenda")
        .item;
    clock.set_date(d("2024-11-15"));
    engine.record_meeting_held(
        &p("peter-bergvall-virtanen"),
        cmd(),
        &joint,
        MeetingRecord::default(),
    )?;
    let group = WorkingGroup {
        name: "Tillfällig arbetsgrupp remissupplaga obruten skolgång".into(),
        convener: Some(pid("tarja-nordling")),
        members: people(&["monica-skantz", "jaana-jansson"]),
    };
    engine.draft_minutes(
        &p("peter-bergvall-virtanen"),
        cmd(),
        &joint,
        MinutesDraft {
            chair: pid("ann-sofie-vennerstrand"),
            secretary: pid("peter-bergvall-virtanen"),
            adjusters: people(&["johanna-viberg", "karin-haster"]),
            adjuster_labels: Default::default(),
            adjusters_elected_in: None,
            paragraphs: vec![
                Paragraph::new(1, "Inledning"),
                Paragraph::new(2, "Obruten skolgång för placerade barn")
                    .item(item.number)
                    .matter(matter)
                    .outcome(Outcome::NotedAndFiled)
                    .assignment(AssignmentOrder {
                        assignee: Assignee::WorkingGroup(group.clone()),
                        task: "ta fram en remissupplaga till berörda inom skola och socialtjänst"
                            .into(),
                        due: Due::Date(d("2025-01-31")),
                        matter: Some(matter),
                    }),
            ],
        },
    )?;
    assert_eq!(
        active_steps(&engine, matter),
        vec!["cg-information"],
        "not adjusted yet"
    );
    assert!(
        engine.read().assignments()?.is_empty(),
        "no assignment before adjustment"
    );
    drain(store.as_ref());

    clock.set_date(d("2024-11-22"));
    // Two adjusters: the first adjustment leaves the protocol open; the second makes it
    // final, and only then do its decisions take effect.
    let first = engine.adjust_minutes(
        &p("johanna-viberg"),
        cmd(),
        &joint,
        Adjustment::new(d("2024-11-22"), AdjustmentMeans::Email),
    )?;
    assert!(!first.executed.state.minutes_final());
    assert_eq!(
        first.executed.state.awaiting_adjustment(),
        vec![pid("karin-haster")]
    );
    assert_eq!(active_steps(&engine, matter), vec!["cg-information"]);
    assert!(engine.read().assignments()?.is_empty());
    let adjusted = engine.adjust_minutes(
        &p("karin-haster"),
        cmd(),
        &joint,
        Adjustment::new(d("2024-11-22"), AdjustmentMeans::Email),
    )?;
    let effects = adjusted.effects.expect("the protocol became final");
    assert!(effects.failures.is_empty(), "{:?}", effects.failures);
    assert_eq!(active_steps(&engine, matter), vec!["remiss"]);
    let at = MinutesRef {
        meeting: joint.clone(),
        paragraph: 2,
    };
    assert_eq!(last_minutes(&engine, matter), Some(at.clone()));
    let [assignment] = effects.assignments[..] else {
        panic!("one assignment: {:?}", effects.assignments)
    };
    let a = engine.read().assignment(assignment)?;
    assert_eq!(a.minutes, Some(at));
    assert_eq!(a.issuer, Some(BodyId::new("cg-joint")));
    assert!(a.group_active());
    let given = drain(store.as_ref());
    let given = given
        .iter()
        .find(|n| n.kind == NotificationKind::AssignmentGiven)
        .expect("AssignmentGiven");
    assert!(
        given
            .recipients
            .iter()
            .any(|r| r.person == Some(pid("tarja-nordling")))
    );
    // Applying the final minutes again changes nothing.
    let again = engine.apply_final_minutes(&joint)?;
    assert_eq!(again.assignments, vec![assignment]);
    assert_eq!(engine.read().assignments()?.len(), 1);

    // Overdue on 1 February 2025; reported in February, which dissolves the group.
    assert_eq!(engine.read().overdue_assignments(d("2025-01-31"))?.len(), 0);
    assert_eq!(engine.read().overdue_assignments(d("2025-02-01"))?.len(), 1);
    assert_eq!(engine.read().assignments_due(d("2025-01-31"))?.len(), 1);

    // The remiss (through the matter's own commands), then the decision on 21 February.
    clock.set_date(d("2024-11-25"));
    engine.run_matter(
        matter,
        &system(),
        MatterCommand::SendOnRemiss(arende::matter::RemissOrder {
            at: At::body("cg-joint"),
            recipients: Vec::new(),
            deadline: d("2025-01-10"),
            receivers: vec!["Peter Bergvall Virtanen".into()],
            edition: Some("Remissupplaga".into()),
        }),
    )?;
    // The remiss deadline is an entry of the joint chief group's calendar.
    let cal = parse(&engine.read().body_calendar(
        &BodyId::new("cg-joint"),
        &[],
        Language::Swedish,
    )?);
    let remiss = cal
        .todos()
        .find(|t| t.get_uid() == Some(format!("remiss-{matter}@orebro.arende").as_str()))
        .expect("the remiss deadline");
    assert_eq!(
        remiss.get_due(),
        Some(DatePerhapsTime::Date(d("2025-01-10")))
    );
    assert!(
        remiss
            .get_summary()
            .unwrap()
            .starts_with("Synpunkter senast 2025-01-10")
    );

    clock.set_date(d("2025-01-20"));
    engine.run_matter(
        matter,
        &system(),
        MatterCommand::WorkInResponses {
            at: At::body("cg-joint"),
            comments_handled: 12,
        },
    )?;
    assert_eq!(active_steps(&engine, matter), vec!["cg-decision"]);
    clock.set_date(d("2025-02-03"));
    engine.report_assignment(
        &p("tarja-nordling"),
        cmd(),
        assignment,
        "Remissupplagan skickades 25 november.",
        None,
    )?;
    let a = engine.read().assignment(assignment)?;
    assert_eq!(a.status, AssignmentStatus::Reported);
    assert!(!a.group_active());
    assert!(
        engine
            .read()
            .overdue_assignments(d("2025-02-04"))?
            .is_empty()
    );

    let feb = mid("cg-joint-2025-02-21");
    clock.set_date(d("2025-02-07"));
    engine.send_scheduled_notice(&system(), cmd(), &feb)?;
    let item = engine
        .read()
        .meeting(&feb)?
        .agenda
        .into_iter()
        .find(|e| e.item.matter == Some(matter))
        .expect("on the February agenda")
        .item;
    assert_eq!(item.kind, ItemKind::Decision);
    clock.set_date(d("2025-02-21"));
    engine.record_meeting_held(
        &p("peter-bergvall-virtanen"),
        cmd(),
        &feb,
        MeetingRecord::default(),
    )?;
    engine.draft_minutes(
        &p("peter-bergvall-virtanen"),
        cmd(),
        &feb,
        MinutesDraft {
            chair: pid("ann-sofie-vennerstrand"),
            secretary: pid("peter-bergvall-virtanen"),
            adjusters: people(&["johanna-viberg"]),
            adjuster_labels: Default::default(),
            adjusters_elected_in: None,
            paragraphs: vec![
                Paragraph::new(1, "Överenskommelse obruten skolgång för placerade barn")
                    .item(item.number)
                    .matter(matter)
                    .outcome(Outcome::Decided {
                        clauses: vec![
                            "anta överenskommelsen om obruten skolgång för placerade barn".into(),
                            "överenskommelsen gäller från 1 april 2025".into(),
                        ],
                    }),
            ],
        },
    )?;
    // A decision in unadjusted protocol minutes does not yet change its matter.
    assert_eq!(
        engine.read().matter(matter)?.status,
        MatterStatus::InProgress
    );
    clock.set_date(d("2025-02-28"));
    engine.adjust_minutes(
        &p("johanna-viberg"),
        cmd(),
        &feb,
        Adjustment::new(d("2025-02-28"), AdjustmentMeans::Email),
    )?;
    assert_eq!(engine.read().matter(matter)?.status, MatterStatus::Decided);
    assert_eq!(
        last_minutes(&engine, matter),
        Some(MinutesRef {
            meeting: feb.clone(),
            paragraph: 1
        })
    );
    let md = engine.read().minutes(&feb, Language::Swedish)?;
    assert!(md.contains("Gemensam chefsgrupp social välfärd samt vård och omsorg, skola och folkhälsa beslutar\n\n- att anta överenskommelsen om obruten skolgång för placerade barn,\n- att överenskommelsen gäller från 1 april 2025."), "{md}");
    Ok(())
}

#[test]
fn a_dropped_item_goes_to_the_next_meeting_and_its_submitter_is_told() -> anyhow::Result<()> {
    let (engine, store, clock) = memory_engine("2024-09-02");
    let submitted = engine.submit_matter(
        &p("monica-skantz"),
        SubmitMatter::new(MatterKind::Information, "IF-frågan", "sbu"),
    )?;
    let matter = submitted.state.id.unwrap();
    engine.run_matter(
        matter,
        &p("daniel-berglund"),
        MatterCommand::Screen {
            screening: Screening::InformationItem,
        },
    )?;
    engine.run_matter(matter, &system(), MatterCommand::MarkDocumentsReady)?;
    let oct = mid("sbu-2024-10-15");
    clock.set_date(d("2024-10-01"));
    engine.send_scheduled_notice(&system(), cmd(), &oct)?;
    let number = engine
        .read()
        .meeting(&oct)?
        .agenda
        .iter()
        .find(|e| e.item.matter == Some(matter))
        .expect("on the agenda")
        .item
        .number;
    drain(store.as_ref());

    clock.set_date(d("2024-10-15"));
    let held = engine.record_meeting_held(
        &p("daniel-berglund"),
        cmd(),
        &oct,
        MeetingRecord {
            dropped: vec![DroppedItem {
                number,
                reason: DropReason::LackOfTime,
            }],
            ..MeetingRecord::default()
        },
    )?;
    let effects = held.effects.unwrap();
    assert!(effects.failures.is_empty(), "{:?}", effects.failures);
    assert_eq!(effects.matters.len(), 1);
    let next = mid("sbu-2024-12-16");
    assert_eq!(engine.read().matter(matter)?.scheduled, Some(next.clone()));
    let told = drain(store.as_ref());
    assert!(
        told.iter().any(|n| n.kind == NotificationKind::Feedback
            && n.matter == Some(matter)
            && n.recipients
                .iter()
                .any(|r| r.person == Some(pid("monica-skantz")))),
        "{told:#?}"
    );
    let proposed = engine
        .read()
        .proposed_agenda(&next, &[], Language::Swedish)?;
    let carried: Vec<&AgendaItem> = proposed
        .items
        .iter()
        .filter(|i| i.matter == Some(matter))
        .collect();
    assert_eq!(carried.len(), 1, "{:#?}", proposed.items);
    assert_eq!(carried[0].carried_from, Some(oct));
    assert_eq!(carried[0].number, 4, "first after the standing items");
    Ok(())
}

fn parse(text: &str) -> Calendar {
    text.parse::<Calendar>()
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn the_calendar_keeps_each_entry_across_a_move_and_a_cancellation() -> anyhow::Result<()> {
    let (engine, _, clock) = memory_engine("2024-11-01");
    let body = BodyId::new("sbu");
    let m = mid("sbu-2024-12-16");
    let uid = "sbu-2024-12-16@orebro.arende";
    let event = |text: &str| {
        parse(text)
            .events()
            .find(|e| e.get_uid() == Some(uid))
            .cloned()
            .expect("the meeting's entry")
    };
    let before = engine.read().body_calendar(&body, &[], Language::Swedish)?;
    let count = parse(&before).events().count();
    assert_eq!(count, engine.read().body_meeting_plan(&body)?.len());
    assert_eq!(event(&before).get_sequence(), Some(0));

    clock.set_date(d("2024-11-04"));
    engine.move_meeting(
        &p("daniel-berglund"),
        cmd(),
        &m,
        Reschedule {
            date: d("2024-12-17"),
            start: t("10:00"),
            end: t("12:00"),
            location: None,
        },
        Some("Lokalen är upptagen".into()),
    )?;
    let moved = engine.read().body_calendar(&body, &[], Language::Swedish)?;
    let e = event(&moved);
    assert_eq!(e.get_sequence(), Some(1));
    assert_eq!(
        e.get_start(),
        Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(
            stockholm_instant(d("2024-12-17"), 10, 0)
        )))
    );
    assert_eq!(
        parse(&moved).events().count(),
        count,
        "the same entry, not a new one"
    );
    // A month before 17 December is Sunday 17 November: the call moves to the Friday.
    let plan = engine.read().effective_meeting(&m)?;
    assert_eq!(
        (plan.call_for_matters, plan.notice),
        (d("2024-11-15"), d("2024-12-03"))
    );

    // An explicit meeting of the plan is confirmed already: confirming changes nothing.
    engine.confirm_meeting(&p("daniel-berglund"), cmd(), &m)?;
    let e = event(&engine.read().body_calendar(&body, &[], Language::Swedish)?);
    assert_eq!(
        (e.get_sequence(), e.get_status()),
        (Some(1), Some(EventStatus::Confirmed))
    );

    engine.cancel_meeting(&p("daniel-berglund"), cmd(), &m, None)?;
    let cancelled = engine.read().calendar(&[], Language::English)?;
    let e = event(&cancelled);
    assert_eq!(
        (e.get_sequence(), e.get_status()),
        (Some(2), Some(EventStatus::Cancelled))
    );
    assert_eq!(parse(&cancelled).events().count(), orebro().meetings.len());

    // A meeting from a rule is tentative until confirmed.
    let rule_uid = "sbu-2025-02-07@orebro.arende";
    let find = |text: &str| {
        parse(text)
            .events()
            .find(|e| e.get_uid() == Some(rule_uid))
            .cloned()
            .expect("the rule's meeting")
    };
    let e = find(&cancelled);
    assert_eq!(
        (e.get_sequence(), e.get_status()),
        (Some(0), Some(EventStatus::Tentative))
    );
    engine.confirm_meeting(&p("daniel-berglund"), cmd(), &mid("sbu-2025-02-07"))?;
    let e = find(&engine.read().calendar(&[], Language::Swedish)?);
    assert_eq!(
        (e.get_sequence(), e.get_status()),
        (Some(1), Some(EventStatus::Confirmed))
    );
    Ok(())
}

#[test]
fn people_sitting_in_two_groups_at_once_are_reported() -> anyhow::Result<()> {
    let (engine, _, _) = memory_engine("2024-10-20");
    let baseline = engine.read().meeting_conflicts()?;
    // Move the preparatory group's December meeting into the joint chief group's
    // afternoon: Jaana Jansson sits in both (sbu, and cg-social which meets jointly).
    engine.move_meeting(
        &p("daniel-berglund"),
        cmd(),
        &mid("sbu-2024-12-16"),
        Reschedule {
            date: d("2024-11-15"),
            start: t("14:00"),
            end: t("15:00"),
            location: None,
        },
        None,
    )?;
    let now = engine.read().meeting_conflicts()?;
    let new: Vec<_> = now.iter().filter(|c| !baseline.contains(c)).collect();
    let jaana = new
        .iter()
        .find(|c| c.person == pid("jaana-jansson"))
        .expect("Jaana Jansson is reported");
    assert_eq!(jaana.date, d("2024-11-15"));
    assert_eq!((jaana.from, jaana.to), (t("14:00"), t("15:00")));
    let meetings = [jaana.first.meeting.as_str(), jaana.second.meeting.as_str()];
    assert!(meetings.contains(&"sbu-2024-12-16") && meetings.contains(&"cg-joint-2024-11-15"));
    assert!(new.iter().all(|c| c.date == d("2024-11-15")));
    Ok(())
}

#[test]
fn only_a_secretary_sends_notices_and_a_refusal_stores_nothing() {
    let (engine, store, _) = memory_engine("2024-05-03");
    let m = mid("council-social-2024-05-17");
    let err = engine
        .send_notice(&p("jonas-hansen"), cmd(), &m, NoticeInput::default())
        .unwrap_err();
    assert!(matches!(err, Error::NotPermitted { .. }), "{err}");
    assert!(stream(store.as_ref(), m.as_str()).is_empty());
    assert!(drain(store.as_ref()).is_empty());
    let err = engine
        .send_call_for_matters(&p("malin-duckert-ek"), cmd(), &mid("no-such-meeting"))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unknown {
                kind: "meeting",
                ..
            }
        ),
        "{err}"
    );
}

/// The code of the README's "Meetings and agendas" section, verbatim, then checks.
#[test]
fn readme_meeting_plan_and_agenda() -> anyhow::Result<()> {
    use std::sync::Arc;

    use arende::authz::Actor;
    use arende::clock::SimulatedClock;
    use arende::engine::Engine;
    use arende::ids::{CommandId, MeetingId};
    use arende::matter::{MatterCommand, MatterKind, Screening, SubmitMatter};
    use arende::meeting::{Language, NoticeInput};
    use arende::org::MeetingStatus;
    use arende::store::MemoryStore;
    use chrono::NaiveDate;

    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d");
    let org = Arc::new(arende::load_file("config/orebro.toml")?);
    let clock = Arc::new(SimulatedClock::at_date(day("2024-09-02")?));
    let engine = Engine::new(org, MemoryStore::new(), clock.clone());

    // The preparatory group's meeting plan, with the dates its lead times give.
    for m in engine.read().body_meeting_plan(&"sbu".into())? {
        let (from, to) = (m.start.format("%H:%M"), m.end.format("%H:%M"));
        let cancelled = if m.status == MeetingStatus::Cancelled {
            " (inställt)"
        } else {
            ""
        };
        println!(
            "{} {from}–{to}{cancelled}: matters by {}, notice {}",
            m.date, m.call_for_matters, m.notice
        );
    }

    // A matter submitted in September; its documents are ready on 20 September.
    let secretary = Actor::Person("daniel-berglund".into());
    let submit = SubmitMatter::new(MatterKind::Information, "IF-frågan", "sbu");
    let matter = engine.submit_matter(&Actor::Person("jaana-jansson".into()), submit)?;
    let matter = matter.state.id.ok_or_else(|| anyhow::anyhow!("no id"))?;
    engine.run_matter(
        matter,
        &secretary,
        MatterCommand::Screen {
            screening: Screening::InformationItem,
        },
    )?;
    clock.set_date(day("2024-09-20")?);
    engine.run_matter(matter, &secretary, MatterCommand::MarkDocumentsReady)?;

    // The agenda of 15 October: the standing items around the matters that made the
    // cut-offs (submitted by the call for matters, documents ready by the notice);
    // the rest are deferred to the meeting where they fit.
    let meeting = MeetingId::new("sbu-2024-10-15");
    let agenda = engine
        .read()
        .proposed_agenda(&meeting, &[], Language::Swedish)?;
    for item in &agenda.items {
        println!("{}. {} ({})", item.number, item.title, item.kind.swedish());
    }

    // On 1 October the secretary sends the notice with that agenda.
    clock.set_date(day("2024-10-01")?);
    let notice = NoticeInput {
        agenda: agenda.items,
        ..NoticeInput::default()
    };
    engine.send_notice(&secretary, CommandId::random(), &meeting, notice)?;

    let titles: Vec<String> = engine
        .read()
        .meeting(&meeting)?
        .agenda
        .into_iter()
        .map(|e| e.item.title)
        .collect();
    assert_eq!(titles[3], "IF-frågan");
    assert_eq!(titles.len(), 5);
    Ok(())
}
