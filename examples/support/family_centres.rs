//! Route 2: the family-centre agreement (minutes 003 § 5, 000 item 8, 001). KCRD's
//! assignment to the project lead Susann Cederlund to revise the agreement; her working
//! group's three work steps (draft, child-impact assessment, link to the Region's
//! primary-care rules); information to the specific council on 17 May 2024; the final
//! draft to the preparatory group on 15 October 2024 — which may not decide, and the
//! engine refuses when a decision is tried there —; the joint chief group on 15 November
//! 2024 asking for comments by 31 December 2024; then KCRD, the political decisions and
//! the entry into force on the dates the forecast gives (the minutes give none).

use std::path::Path;

use anyhow::{Context, Result, bail};
use arende::assignment::{Assignee, AssignmentOrder, Due};
use arende::clock::Clock;
use arende::forecast::{Durations, Forecast, ForecastInput, Forecaster};
use arende::ids::{AssignmentId, BodyId, CommandId, MatterId, PartyId, PersonId, RouteId};
use arende::matter::{
    At, MatterCommand, MatterKind, PartyDecision, RemissOrder, RemissRecipient, Screening,
    SubmitMatter,
};
use arende::meeting::{
    AddedItem, AgendaItem, Document, DropReason, DroppedItem, Guest, ItemKind, MeetingRecord,
    MinutesRef, Outcome, Paragraph, SubstituteFor,
};
use arende::org::{LeadTime, Organisation, Role};
use chrono::NaiveDate;

use super::timeline::NoteKind;
use super::world::{MeetingRun, Minutes, Run, World, sbu_agenda_2024_10_15};
use super::{d, ids, person};

/// The project lead (minutes 003 § 5, 000 item 8, 001).
const SUSANN: &str = "susann-cederlund";
/// The secretary of the chief groups.
const PETER: &str = "peter-bergvall-virtanen";
/// KCRD's secretary (an example role account: the minutes do not name KCRD's members).
const KCRD_SECRETARY: &str = "secretary-kcrd";
/// The route of the family-centre agreement in `config/orebro.toml`.
pub const ROUTE: &str = "family-centre-agreement";
/// The last day of the minutes: comments by 31 December 2024 (minutes 001).
pub const COMMENTS_BY: (i32, u32, u32) = (2024, 12, 31);

/// What the scenario shows besides the run.
pub struct FamilyCentres {
    /// The run: timeline, notifications, the matter before and after reopening.
    pub run: Run,
    /// The matter.
    pub matter: MatterId,
    /// KCRD's assignment to the project lead.
    pub assignment: AssignmentId,
    /// The forecast made after the joint chief group, for KCRD and the parties.
    pub forecast: Forecast,
    /// The refused decision at the preparatory group.
    pub refusal: arende::Error,
    /// The joint chief group's protocol of 15 November 2024 as rendered (Swedish): two
    /// adjusters, one for the municipalities and one for the Region.
    pub joint_minutes: String,
}

fn text(list: &[&str]) -> Vec<String> {
    list.iter().map(|c| (*c).to_owned()).collect()
}

/// The secretary of a party's political body.
fn political_secretary(org: &Organisation, party: &PartyId) -> Result<String> {
    let body = org
        .party(party)
        .and_then(|p| p.political_body.clone())
        .with_context(|| format!("{party} has no political body"))?;
    org.memberships
        .iter()
        .find(|m| m.body == body && m.role == Role::Secretary)
        .map(|m| m.person.to_string())
        .with_context(|| format!("{body} has no secretary"))
}

/// Runs the scenario on `store` (a new SQLite file) or a temporary file.
pub fn run(store: Option<&Path>) -> Result<FamilyCentres> {
    let mut w = World::open(store, d(2024, 2, 14))?;
    let susann = person(SUSANN);
    let peter = person(PETER);
    let kcrd_secretary = person(KCRD_SECRETARY);

    // KCRD gives the project lead the assignment to revise the agreement (the date is
    // assumed: KCRD's minutes are not among the references) and registers the matter.
    let matter = MatterId::new_at(w.clock.now());
    let assignment = CommandId::random();
    w.engine.give_assignment(
        &person("regiondirektor"),
        assignment,
        &BodyId::new("kcrd"),
        None,
        AssignmentOrder {
            assignee: Assignee::Person(PersonId::new(SUSANN)),
            task: "revidera överenskommelsen om regional samverkan för familjecentraler".into(),
            due: Due::Date(d(2024, 10, 31)),
            matter: Some(matter),
        },
    )?;
    let assignment = AssignmentId(assignment.0);
    w.engine.submit_matter(
        &kcrd_secretary,
        SubmitMatter {
            id: Some(matter),
            submitter: Some(PersonId::new(SUSANN)),
            issuer: Some(BodyId::new("kcrd")),
            ..SubmitMatter::new(
                MatterKind::Agreement,
                "Överenskommelse om regional samverkan för familjecentraler i Örebro län",
                "kcrd",
            )
        },
    )?;
    w.engine.run_matter(
        matter,
        &kcrd_secretary,
        MatterCommand::Screen {
            screening: Screening::Handle {
                route: Some(RouteId::new(ROUTE)),
            },
        },
    )?;
    let work_step = |w: &mut World, on: NaiveDate, what: &str| -> Result<()> {
        w.at(on)?;
        w.engine.run_matter(
            matter,
            &susann,
            MatterCommand::Prepare {
                at: At::body("wg-family-centres"),
                recommendation: Some(what.to_owned()),
            },
        )?;
        Ok(())
    };

    // Step 1 and the specific council on 17 May (minutes 003).
    let council = MeetingRun::new(&w, "council-social-2024-05-17", "malin-duckert-ek")?;
    council.call(&mut w)?;
    work_step(
        &mut w,
        d(2024, 4, 26),
        "utkast till ny överenskommelse om samverkan i familjecentraler",
    )?;
    council_of_17_may(&mut w, &council, matter)?;

    // Steps 2 and 3: the child-impact assessment and the primary-care rules.
    work_step(
        &mut w,
        d(2024, 8, 30),
        "barnkonsekvensanalys (barnrättsprövning) genomförd; slutsatserna är inarbetade i utkastet",
    )?;
    let sbu = MeetingRun::new(&w, "sbu-2024-10-15", "daniel-berglund")?;
    sbu.call(&mut w)?;
    work_step(
        &mut w,
        d(2024, 9, 20),
        "skrivningar som kopplar ihop överenskommelsen med hälsoval och krav- och kvalitetsboken",
    )?;

    // The preparatory group on 15 October (minutes 000): it prepares, it may not decide.
    let refusal = preparatory_group(&mut w, &sbu, matter, assignment)?;

    // The joint chief group on 15 November (minutes 001): comments by 31 December.
    let joint = MeetingRun::new(&w, "cg-joint-2024-11-15", PETER)?;
    joint.call(&mut w)?;
    sbu.distribute(&mut w, d(2024, 10, 17))?;
    joint_chief_group(&mut w, &joint, matter)?;
    let comments_by = d(COMMENTS_BY.0, COMMENTS_BY.1, COMMENTS_BY.2);
    w.engine.run_matter(
        matter,
        &peter,
        MatterCommand::SendOnRemiss(RemissOrder {
            at: At::minutes(
                "cg-joint",
                MinutesRef {
                    meeting: joint.id().clone(),
                    paragraph: 6,
                },
            ),
            recipients: ["cg-social", "cg-school", "cg-public-health"]
                .into_iter()
                .map(|b| RemissRecipient::Body(BodyId::new(b)))
                .collect(),
            deadline: comments_by,
            receivers: vec!["Ingmar Ångman".into(), "Ann-Sofie Vennerstrand".into()],
            edition: Some("Utkastet till överenskommelse".into()),
        }),
    )?;
    joint.distribute(&mut w, d(2024, 11, 22))?;

    // The minutes give no dates after 31 December: KCRD, the parties' decisions and the
    // entry into force come from the forecast, and are simulated on its dates.
    let forecast = remaining_forecast(&w.org)?;
    let kcrd_step = forecast
        .step("kcrd-readiness")
        .context("the forecast has KCRD")?;
    let political = forecast
        .step("political-decision")
        .context("the forecast has the political decisions")?;
    let in_force = forecast
        .step("entry-into-force")
        .and_then(|s| s.date)
        .context("the forecast has the entry into force")?;
    let processed = forecast
        .step("cg-comments")
        .and_then(|s| s.consultation)
        .context("the forecast has the comment round")?
        .processed;
    let kcrd_meeting = kcrd_step
        .meeting
        .clone()
        .context("the forecast names KCRD's meeting")?;
    w.note(
        NoteKind::Forecast,
        Some("cg-joint"),
        format!(
            "synpunkterna inarbetade {processed}; KCRD {}; politiskt beslut i {} parter mellan {} och {}; ikraftträdande {in_force}",
            kcrd_step.date.unwrap_or_default(),
            political.parties.len(),
            political.parties.iter().filter_map(|p| p.date).min().unwrap_or_default(),
            political.date.unwrap_or_default(),
        ),
    );
    w.forecasting(true);
    for (day, group, comments) in [
        (d(2024, 12, 6), "cg-public-health", 5),
        (d(2024, 12, 13), "cg-school", 7),
        (d(2024, 12, 20), "cg-social", 12),
    ] {
        w.at(day)?;
        w.engine.run_matter(
            matter,
            &peter,
            MatterCommand::RecordRemissResponse {
                recipient: RemissRecipient::Body(BodyId::new(group)),
                comments,
                received_on: None,
            },
        )?;
    }
    let kcrd = MeetingRun::new(&w, kcrd_meeting.as_str(), KCRD_SECRETARY)?;
    kcrd.call(&mut w)?;
    w.at(processed)?;
    w.engine.run_matter(
        matter,
        &peter,
        MatterCommand::WorkInResponses {
            at: At::body("cg-joint"),
            comments_handled: 24,
        },
    )?;
    kcrd.notice(
        &mut w,
        vec![
            AgendaItem::new(1, "Mötet öppnas", ItemKind::Information),
            AgendaItem::new(
                2,
                "Överenskommelse om regional samverkan för familjecentraler: beslut om politisk beslutsprocess",
                ItemKind::Decision,
            )
            .presented_by(SUSANN)
            .matter(matter),
            AgendaItem::new(3, "Avslut", ItemKind::Information),
        ],
        vec![Document {
            title: "Förslag till överenskommelse om regional samverkan för familjecentraler, med chefsgruppernas synpunkter".into(),
            reference: None,
            matter: Some(matter),
        }],
        Some("Ta ställning till om överenskommelsen ska gå till politiskt beslut i parterna."),
    )?;
    let record = w.all_present(&kcrd.plan, &[]);
    kcrd.held(
        &mut w,
        record,
        Minutes {
            chair: "regiondirektor",
            adjusters: Vec::new(),
            adjuster_labels: vec![],
            paragraphs: vec![
                Paragraph::new(1, "Mötet öppnas").item(1),
                Paragraph::new(2, "Överenskommelse om regional samverkan för familjecentraler")
                    .item(2)
                    .matter(matter)
                    .presented_by(SUSANN)
                    .outcome(Outcome::ForwardedToPolitical {
                        clauses: text(&[
                            "överenskommelsen går till politiskt beslut i Region Örebro län och länets tolv kommuner",
                            "överenskommelsen träder i kraft när samtliga parters beslut har vunnit laga kraft",
                        ]),
                    }),
                Paragraph::new(3, "Avslut").item(3),
            ],
        },
    )?;
    let held = kcrd.plan.date;
    kcrd.distribute(&mut w, held)?;

    let mut decisions: Vec<(NaiveDate, PartyId)> = Vec::new();
    for p in &political.parties {
        let date = p
            .date
            .with_context(|| format!("no forecast date for {}", p.party))?;
        decisions.push((date, p.party.clone()));
    }
    decisions.sort();
    for (date, party) in &decisions {
        w.at(*date)?;
        let secretary = political_secretary(&w.org, party)?;
        w.engine.run_matter(
            matter,
            &person(&secretary),
            MatterCommand::RecordPoliticalDecision {
                party: party.clone(),
                decision: PartyDecision::Adopted,
                minutes: None,
                on: None,
            },
        )?;
    }
    // The minutes adjusted a week after each meeting, the notice the day after: the
    // entry into force waits for the last party's legal force (laga kraft).
    let w_org = w.org.clone();
    let legal = super::to_legal_force(&mut w, matter, &decisions, 7, |p| {
        political_secretary(&w_org, p)
    })?;
    let last = legal.iter().map(|(_, f)| *f).max().unwrap_or(in_force);
    let in_force = in_force.max(last);
    w.at(in_force.max(w.today()))?;
    w.engine.run_matter(
        matter,
        &kcrd_secretary,
        MatterCommand::EnterIntoForce {
            on: in_force,
            valid_until: None,
            override_reason: None,
        },
    )?;
    w.forecasting(false);
    let joint_minutes = w
        .engine
        .read()
        .minutes(joint.id(), arende::meeting::Language::Swedish)?;

    let run = w.finish(
        "Överenskommelse om regional samverkan för familjecentraler — KCRD:s uppdrag, 2024–2025",
        matter,
    )?;
    Ok(FamilyCentres {
        run,
        matter,
        assignment,
        forecast,
        refusal,
        joint_minutes,
    })
}

/// The specific council for social welfare on 17 May 2024 (minutes 003): the draft is
/// presented (§ 5); the protocol is adjusted by e-mail on 14 June.
fn council_of_17_may(w: &mut World, council: &MeetingRun, matter: MatterId) -> Result<()> {
    let items = [
        (1, "Mötet öppnas och justerare utses", ItemKind::Information),
        (2, "Fastställande av dagordning", ItemKind::Decision),
        (3, "Föregående möte och protokoll", ItemKind::Information),
        (
            4,
            "Rapport från chefsgrupp social välfärd samt vård och omsorg",
            ItemKind::Information,
        ),
        (
            5,
            "Regional samverkan för familjecentral – överenskommelse mellan Region Örebro län och kommunerna i Örebro län",
            ItemKind::Information,
        ),
        (6, "TABB 2.0", ItemKind::Information),
        (
            7,
            "Systemanalys av primärvårdens rehabilitering",
            ItemKind::Information,
        ),
        (
            8,
            "Remissvar ny överenskommelse för hälso- och sjukvård i hemmet",
            ItemKind::Information,
        ),
        (
            9,
            "Nära vård årsberättelse 2023 och exempel",
            ItemKind::Information,
        ),
        (
            10,
            "Länsdialog 4 september om ny socialtjänstlag",
            ItemKind::Information,
        ),
        (11, "Tema till kommande möten", ItemKind::Discussion),
        (13, "Avslut", ItemKind::Information),
    ];
    let agenda = items
        .iter()
        .map(|(n, title, kind)| {
            let item = AgendaItem::new(*n, *title, *kind);
            if *n == 5 {
                item.presented_by(SUSANN).matter(matter)
            } else {
                item
            }
        })
        .collect();
    council.notice(
        w,
        agenda,
        Vec::new(),
        Some("Läs handlingarna som skickats ut inför mötet."),
    )?;
    // Attendance as in the minutes: struck-through names are absent; Tina Johansson
    // serves for Jerry Karjalainen (Laxå) and adjusts.
    let record = MeetingRecord {
        attendance: arende::meeting::Attendance {
            present: ids(&[
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
                SUSANN,
            ]),
            absent: ids(&[
                "jessica-ekerbring",
                "niina-linatti",
                "jerry-karjalainen",
                "natalie-strom",
                "erik-sjoberg",
                "monika-klockars",
                "liselott-eriksson",
                "ann-christine-appelqvist",
                "erik-konig",
                "jan-engman",
                "mathias-eriksson",
                "maria-gunnarsson",
            ]),
            substitutes: vec![SubstituteFor {
                substitute: PersonId::new("tina-johansson"),
                member: PersonId::new("jerry-karjalainen"),
            }],
            guests: vec![
                Guest {
                    name: "Siv Liedholm".into(),
                    organisation: Some("Effektiv styrning".into()),
                },
                Guest {
                    name: "Lennart Wittberg".into(),
                    organisation: Some("Effektiv styrning".into()),
                },
            ],
        },
        added: vec![AddedItem {
            item: AgendaItem::new(
                12,
                "Organisationsöversyn av välfärd och folkhälsa",
                ItemKind::Information,
            )
            .presented_by("ingmar-angman"),
            raised_by: PersonId::new("ingmar-angman"),
        }],
        dropped: vec![DroppedItem {
            number: 9,
            reason: DropReason::LackOfTime,
        }],
        // The added item is taken before the closing item (§ 12, § 13).
        order: (1..=13).collect(),
    };
    let filed = Outcome::NotedAndFiled;
    council.held(
        w,
        record,
        Minutes {
            chair: "jenny-steen",
            adjusters: vec!["tina-johansson"],
            adjuster_labels: vec![],
            paragraphs: vec![
                Paragraph::new(1, "Mötet öppnas och justerare utses")
                    .item(1)
                    .text("Till justerare utsågs Tina Johansson, Laxå kommun."),
                Paragraph::new(2, "Fastställande av dagordning")
                    .item(2)
                    .text("Ingmar Ångman anmäler organisationsöversyn till dagordningen. Mötet antar tillägget och dagordningen fastställs."),
                Paragraph::new(3, "Föregående möte och protokoll").item(3).outcome(filed.clone()),
                Paragraph::new(4, "Rapport från chefsgrupp social välfärd samt vård och omsorg")
                    .item(4)
                    .presented_by("ingmar-angman")
                    .outcome(filed.clone()),
                Paragraph::new(5, "Regional samverkan för familjecentral – överenskommelse mellan Region Örebro län och kommunerna i Örebro län")
                    .item(5)
                    .matter(matter)
                    .presented_by(SUSANN)
                    .text("Susann Cederlund har KCRD:s uppdrag att revidera överenskommelsen och presenterar utkast till ny överenskommelse. Arbetsprocess: steg 1 utkast, steg 2 barnkonsekvensanalys, steg 3 koppling till hälsoval och krav- och kvalitetsboken.")
                    .outcome(filed.clone()),
                Paragraph::new(6, "TABB 2.0")
                    .item(6)
                    .presented_by("daniel-berglund"),
                Paragraph::new(7, "Systemanalys av primärvårdens rehabilitering")
                    .item(7)
                    .outcome(filed.clone()),
                Paragraph::new(8, "Remissvar ny överenskommelse för hälso- och sjukvård i hemmet")
                    .item(8)
                    .presented_by("malin-duckert-ek")
                    .presented_by("jan-sundelius")
                    .text("101 kommentarer har omhändertagits. Ställningstagande om parterna är redo för beslutsprocess: 28 maj styrgruppen, 30 maj chefsgruppen, 12 juni KCRD, 13 september Regionala samverkansrådet.")
                    .outcome(filed.clone()),
                Paragraph::new(9, "Nära vård årsberättelse 2023 och exempel")
                    .item(9)
                    .outcome(Outcome::Dropped {
                        reason: DropReason::LackOfTime,
                    }),
                Paragraph::new(10, "Länsdialog 4 september om ny socialtjänstlag")
                    .item(10)
                    .outcome(filed.clone()),
                Paragraph::new(11, "Tema till kommande möten").item(11),
                Paragraph::new(12, "Organisationsöversyn av välfärd och folkhälsa")
                    .item(12)
                    .presented_by("ingmar-angman"),
                Paragraph::new(13, "Avslut").item(13),
            ],
        },
    )?;
    // "Justerat den: 2024-06-14 via e-post."
    council.adjust(w, "tina-johansson", d(2024, 6, 14))?;
    council.distribute(w, d(2024, 6, 14))
}

/// The preparatory group on 15 October 2024 (minutes 000): the project lead reports her
/// assignment with the final draft; a decision tried here is refused (the group is
/// "beredande, ej beslutsfattande"); the notes record the preparation.
fn preparatory_group(
    w: &mut World,
    sbu: &MeetingRun,
    matter: MatterId,
    assignment: AssignmentId,
) -> Result<arende::Error> {
    let agenda = sbu_agenda_2024_10_15(8, SUSANN, matter);
    sbu.notice(
        w,
        agenda,
        Vec::new(),
        Some("Läs förslaget till uppdragsbeskrivning inför mötet."),
    )?;

    let at = MinutesRef {
        meeting: sbu.id().clone(),
        paragraph: 8,
    };
    w.at(sbu.plan.date)?;
    w.engine.report_assignment(
        &person(SUSANN),
        CommandId::random(),
        assignment,
        "det slutgiltiga utkastet presenteras för samverkansgruppen",
        Some(at.clone()),
    )?;
    // The group's secretary tries to record a decision: refused, naming who may decide.
    let refusal = match w.engine.run_matter(
        matter,
        &person("daniel-berglund"),
        MatterCommand::Decide {
            at: At::minutes("sbu", at),
            approved: true,
            clauses: text(&["anta överenskommelsen om regional samverkan för familjecentraler"]),
        },
    ) {
        Ok(_) => bail!("the preparatory group was allowed to decide"),
        Err(e) => e,
    };
    let said = match &refusal {
        arende::Error::Matter(m) => m.swedish(),
        other => other.to_string(),
    };
    w.note(NoteKind::Refused, Some("sbu"), format!("beslut: {said}"));

    let mut record = w.all_present(&sbu.plan, &["johanna-viberg", "camilla-wass"]);
    record
        .attendance
        .present
        .extend(ids(&[SUSANN, "tarja-nordling"]));
    sbu.held(
        w,
        record,
        Minutes {
            chair: "ingmar-angman",
            adjusters: Vec::new(),
            adjuster_labels: vec![],
            paragraphs: vec![
                Paragraph::new(7, "Förslag till överenskommelse inom kommuner gällande obruten skolgång för placerade barn")
                    .item(7)
                    .presented_by("tarja-nordling"),
                Paragraph::new(8, "Förslag till överenskommelse om regional samverkan för familjecentraler")
                    .item(8)
                    .matter(matter)
                    .presented_by(SUSANN)
                    .text("Uppdraget kommer från KCRD. Susann presenterar det slutgiltiga utkastet; tillägg har kommit fram utifrån genomförd barnrättsprövning. Samverkansgruppen är inte det beslutande organet i frågan.")
                    .outcome(Outcome::Prepared {
                        clauses: text(&[
                            "förslaget går först till chefsgrupperna för synpunkter, vid den gemensamma chefsgruppen den 15 november",
                            "frågan hanteras sedan av KCRD och därefter beslut på politisk nivå",
                        ]),
                    }),
            ],
        },
    )?;
    Ok(refusal)
}

/// The joint chief group on 15 November 2024 (minutes 001): the draft is presented and
/// comments are asked for by 31 December; the protocol is adjusted on 22 November
/// (assumed).
fn joint_chief_group(w: &mut World, joint: &MeetingRun, matter: MatterId) -> Result<()> {
    let items = [
        "Inledning",
        "Dagens agenda",
        "Kraftsamling barn och unga",
        "Tidiga samordnade insatser i Örebro län (TSI) – nuläge",
        "Hemmasittare och aktivitetsersättning",
        "Överenskommelse om regional samverkan för familjecentraler i Örebro län",
        "Samverkansgrupp barn och unga",
        "Genomlysning av verksamheten vid Gryningen – information",
        "Obruten skolgång för barn och unga som placerats utanför hemmet – förslag till överenskommelse presenteras",
        "Förslag till VFU-avtal för socionomer",
        "Utvärdering via Menti",
    ];
    let agenda = items
        .iter()
        .zip(1..)
        .map(|(title, n)| {
            let item = AgendaItem::new(n, *title, ItemKind::Information);
            if n == 6 {
                AgendaItem {
                    kind: ItemKind::Discussion,
                    ..item.presented_by(SUSANN).matter(matter)
                }
            } else {
                item
            }
        })
        .collect();
    joint.notice(
        w,
        agenda,
        vec![Document {
            title: "Utkast till överenskommelse om regional samverkan för familjecentraler".into(),
            reference: None,
            matter: Some(matter),
        }],
        Some("Dagens agenda och underlag har skickats ut tillsammans med kallelsen."),
    )?;
    let mut record = w.all_present(&joint.plan, &[]);
    record.attendance.present.extend(ids(&[
        SUSANN,
        "anna-petersen",
        "carolina-blomberg",
        "albin-algotson",
    ]));
    joint.held(
        w,
        record,
        Minutes {
            chair: "ann-sofie-vennerstrand",
            adjusters: vec!["johanna-viberg", "karin-haster"],
            adjuster_labels: vec![
                ("johanna-viberg", "för kommunerna"),
                ("karin-haster", "för Regionen"),
            ],
            paragraphs: vec![
                Paragraph::new(6, "Överenskommelse om regional samverkan för familjecentraler i Örebro län")
                    .item(6)
                    .matter(matter)
                    .presented_by(SUSANN)
                    .text("Uppdraget har kommit från KC/RD. Utkastet har föregåtts av en barnkonsekvensanalys. Synpunkter kring utkastet ombedes skickas in till Ingmar Ångman och/eller Ann-Sofie Vennerstrand senast 31 december 2024.")
                    .outcome(Outcome::Discussed),
            ],
        },
    )?;
    // One adjuster for the municipalities, one for the Region: the protocol is final
    // when the second has adjusted.
    joint.adjust(w, "johanna-viberg", d(2024, 11, 20))?;
    joint.adjust(w, "karin-haster", d(2024, 11, 22))
}

/// The forecast of what remains after the joint chief group: the comment round runs to
/// 31 December (46 days from 15 November, as the minutes say), then KCRD, the parties
/// and the entry into force.
fn remaining_forecast(org: &Organisation) -> Result<Forecast> {
    let route = org
        .route(&RouteId::new(ROUTE))
        .context("route family-centre-agreement")?;
    let sent = d(2024, 11, 15);
    let until = d(COMMENTS_BY.0, COMMENTS_BY.1, COMMENTS_BY.2);
    let mut input = ForecastInput::new(route, sent).durations(Durations {
        remiss_period: Some(LeadTime::Days(
            (until - sent).num_days().unsigned_abs() as u32
        )),
        ..Durations::default()
    });
    for (step, date) in [
        ("draft", d(2024, 4, 26)),
        ("council-information", d(2024, 5, 17)),
        ("child-impact", d(2024, 8, 30)),
        ("primary-care-link", d(2024, 9, 20)),
        ("sbu-preparation", d(2024, 10, 15)),
    ] {
        input = input.completed(step, date);
    }
    Ok(Forecaster::new(org).forecast(&input)?)
}
