//! Route 3: the agreement on unbroken schooling for children placed outside the home
//! (minutes 000 item 7, 001). A working group drafts; the preparatory group prepares it
//! on 15 October 2024, when the draft is due on 29 October and the forecast answers "can
//! it be decided on 15 November?" — no, only presented for information, with the reason;
//! the joint chief group is informed on 15 November; the remiss edition goes to everyone
//! concerned in school and social services; the chief groups decide in spring 2025, with
//! no political level.

use std::path::Path;

use anyhow::{Context, Result, bail};
use arende::forecast::{Forecast, ForecastInput, Forecaster, Target, TargetOutcome};
use arende::ids::{MatterId, PartyId, RouteId};
use arende::matter::{
    At, MatterCommand, MatterKind, RemissOrder, RemissRecipient, Screening, SubmitMatter,
};
use arende::meeting::{AgendaItem, Document, ItemKind, MinutesRef, Outcome, Paragraph};
use arende::notification::Language;
use arende::org::Organisation;
use arende::route::Purpose;

use super::timeline::NoteKind;
use super::world::{MeetingRun, Minutes, Run, World, sbu_agenda_2024_10_15};
use super::{d, ids, person};

/// Who gathers the working group and presents the agreement (minutes 000, 001).
const TARJA: &str = "tarja-nordling";
/// The secretary of the chief groups.
const PETER: &str = "peter-bergvall-virtanen";
/// The preparatory group's secretary (minutes 000).
const DANIEL: &str = "daniel-berglund";
/// The route in `config/orebro.toml`.
pub const ROUTE: &str = "chief-group-agreement";
/// The municipalities that do not answer the remiss in time.
const SILENT: [&str; 2] = ["laxa", "ljusnarsberg"];

/// What the scenario shows besides the run.
pub struct UnbrokenSchooling {
    /// The run: timeline, notifications, the matter before and after reopening.
    pub run: Run,
    /// The matter.
    pub matter: MatterId,
    /// The answer to "can it be decided on 15 November?", asked on 15 October.
    pub answer: TargetOutcome,
    /// The forecast after the information on 15 November (remiss and decision dates).
    pub forecast: Forecast,
    /// The refused decision at the joint chief group on 15 November.
    pub refusal: arende::Error,
}

fn text(list: &[&str]) -> Vec<String> {
    list.iter().map(|c| (*c).to_owned()).collect()
}

fn refusal_text(e: &arende::Error) -> String {
    match e {
        arende::Error::Matter(m) => m.swedish(),
        other => other.to_string(),
    }
}

/// Runs the scenario on `store` (a new SQLite file) or a temporary file.
pub fn run(store: Option<&Path>) -> Result<UnbrokenSchooling> {
    let mut w = World::open(store, d(2024, 9, 5))?;
    let tarja = person(TARJA);
    let peter = person(PETER);

    // The matter is raised at the preparatory group; a working group drafts.
    let submitted = w.engine.submit_matter(
        &tarja,
        SubmitMatter::new(
            MatterKind::Agreement,
            "Överenskommelse inom kommuner gällande obruten skolgång för placerade barn",
            "sbu",
        ),
    )?;
    let matter = submitted.state.id.context("the matter has an id")?;
    w.engine.run_matter(
        matter,
        &person(DANIEL),
        MatterCommand::Screen {
            screening: Screening::Handle {
                route: Some(RouteId::new(ROUTE)),
            },
        },
    )?;
    let sbu = MeetingRun::new(&w, "sbu-2024-10-15", DANIEL)?;
    sbu.call(&mut w)?;
    w.at(d(2024, 9, 19))?;
    w.engine.run_matter(
        matter,
        &tarja,
        MatterCommand::Prepare {
            at: At::body("wg-unbroken-schooling"),
            recommendation: Some(
                "förslag till överenskommelse och uppföljning, byggt på SAMS, från arbetsgruppen med skola, elevhälsa och socialtjänst".into(),
            ),
        },
    )?;

    // The preparatory group on 15 October (minutes 000, item 7).
    let answer = preparatory_group(&mut w, &sbu, matter)?;
    let joint = MeetingRun::new(&w, "cg-joint-2024-11-15", PETER)?;
    joint.call(&mut w)?;
    sbu.distribute(&mut w, d(2024, 10, 17))?;
    // "Tarja menar att det kommer att finnas ett utkast den 29 oktober."
    w.at(d(2024, 10, 29))?;
    w.engine
        .run_matter(matter, &tarja, MatterCommand::MarkDocumentsReady)?;

    // The joint chief group on 15 November: information only (minutes 001).
    let refusal = joint_chief_group(&mut w, &joint, matter)?;
    let forecast = after_information(&w.org)?;
    let remiss = forecast
        .step("remiss")
        .and_then(|s| s.consultation)
        .context("the forecast has the remiss")?;
    let decision = forecast
        .step("cg-decision")
        .context("the forecast has the decision")?;
    let decision_meeting = decision
        .meeting
        .clone()
        .context("the decision is within the known meeting plan")?;
    w.note(
        NoteKind::Forecast,
        Some("cg-joint"),
        format!(
            "remissupplagan skickas {}, svar senast {}, svaren inarbetade {}; beslut i gemensam chefsgrupp {}",
            remiss.sent,
            remiss.deadline,
            remiss.processed,
            decision.date.unwrap_or_default()
        ),
    );

    // The minutes say only "beslut våren 2025": the rest follows the forecast.
    w.forecasting(true);
    w.at(remiss.sent)?;
    w.engine.run_matter(
        matter,
        &peter,
        MatterCommand::SendOnRemiss(RemissOrder {
            at: At::body("cg-joint"),
            recipients: Vec::new(),
            deadline: remiss.deadline,
            receivers: vec!["Tarja Nordling".into()],
            edition: Some("Remissupplagan av överenskommelsen".into()),
        }),
    )?;
    let answering: Vec<PartyId> = w
        .org
        .route(&RouteId::new(ROUTE))
        .and_then(|r| r.step(&"remiss".into()))
        .and_then(|s| s.consultation.as_ref())
        .map(|c| c.recipients.clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|p| !SILENT.contains(&p.as_str()))
        .collect();
    let mut handled = 0;
    for (i, party) in answering.iter().enumerate() {
        let day = remiss.deadline - chrono::Duration::days(3 * (answering.len() - i) as i64);
        let comments = 2 + (i as u32 * 5) % 7;
        w.at(day)?;
        w.engine.run_matter(
            matter,
            &peter,
            MatterCommand::RecordRemissResponse {
                recipient: RemissRecipient::Party(party.clone()),
                comments,
                received_on: None,
            },
        )?;
        handled += comments;
    }
    let decide = MeetingRun::new(&w, decision_meeting.as_str(), PETER)?;
    decide.call(&mut w)?;
    w.at(remiss.processed)?;
    w.engine.run_matter(
        matter,
        &peter,
        MatterCommand::WorkInResponses {
            at: At::body("cg-joint"),
            comments_handled: handled,
        },
    )?;
    decide.notice(
        &mut w,
        vec![
            AgendaItem::new(1, "Inledning", ItemKind::Information),
            AgendaItem::new(
                2,
                "Överenskommelse om obruten skolgång för barn och unga som placerats utanför hemmet – beslut",
                ItemKind::Decision,
            )
            .presented_by(TARJA)
            .matter(matter),
            AgendaItem::new(3, "Utvärdering", ItemKind::Information),
        ],
        vec![Document {
            title: "Förslag till överenskommelse om obruten skolgång, med sammanställning av remissvaren".into(),
            reference: None,
            matter: Some(matter),
        }],
        Some("Skol- och socialcheferna tar ställning till överenskommelsen."),
    )?;
    let record = w.all_present(&decide.plan, &[]);
    decide.held(
        &mut w,
        record,
        Minutes {
            chair: "ann-sofie-vennerstrand",
            adjusters: vec!["johanna-viberg", "katarina-arkehang"],
            adjuster_labels: vec![],
            paragraphs: vec![
                Paragraph::new(1, "Inledning").item(1),
                Paragraph::new(2, "Överenskommelse om obruten skolgång för barn och unga som placerats utanför hemmet")
                    .item(2)
                    .matter(matter)
                    .presented_by(TARJA)
                    .outcome(Outcome::Decided {
                        clauses: text(&[
                            "anta överenskommelsen om obruten skolgång för placerade barn",
                            "kommunerna inför överenskommelsens rutiner mellan skola och socialtjänst och följer upp dem",
                        ]),
                    }),
                Paragraph::new(3, "Utvärdering").item(3),
            ],
        },
    )?;
    let adjusted = decide.plan.date + chrono::Duration::days(7);
    decide.adjust(&mut w, "johanna-viberg", adjusted)?;
    decide.adjust(&mut w, "katarina-arkehang", adjusted)?;
    decide.distribute(&mut w, adjusted)?;
    w.forecasting(false);

    let run = w.finish(
        "Överenskommelse om obruten skolgång för placerade barn — beslut på chefsgruppsnivå, 2024–2025",
        matter,
    )?;
    Ok(UnbrokenSchooling {
        run,
        matter,
        answer,
        forecast,
        refusal,
    })
}

/// The preparatory group on 15 October 2024 (minutes 000): the group prepares the
/// agreement and asks whether it can be decided on 15 November; the forecast answers.
fn preparatory_group(w: &mut World, sbu: &MeetingRun, matter: MatterId) -> Result<TargetOutcome> {
    let agenda = sbu_agenda_2024_10_15(7, TARJA, matter);
    sbu.notice(
        w,
        agenda,
        Vec::new(),
        Some("Se bifogad presentation inför mötet."),
    )?;
    let mut record = w.all_present(&sbu.plan, &["johanna-viberg", "camilla-wass"]);
    record
        .attendance
        .present
        .extend(ids(&[TARJA, "susann-cederlund"]));
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
                    .matter(matter)
                    .presented_by(TARJA)
                    .text("Överenskommelsen kommer att behöva beslutas. Nivån för beslut är chefsgrupperna och nästa möte för den gemensamma är 15 november. Bedömningen är att det är för kort om tid att besluta något då. Tarja menar att det kommer att finnas ett utkast den 29 oktober.")
                    .outcome(Outcome::Prepared {
                        clauses: text(&[
                            "överenskommelsen beslutas av chefsgrupperna",
                            "den 15 november tas frågan upp för information, med en dragning av Tarja Nordling",
                            "utkastet den 29 oktober skickas till chefsgrupperna som förberedelse",
                        ]),
                    }),
                Paragraph::new(8, "Förslag till överenskommelse om regional samverkan för familjecentraler")
                    .item(8)
                    .presented_by("susann-cederlund"),
            ],
        },
    )?;
    // "Can it be decided on 15 November?", answered from the route, the meeting plans and
    // the lead times, with the draft ready on 29 October.
    let route = w
        .org
        .route(&RouteId::new(ROUTE))
        .context("route chief-group-agreement")?;
    let forecast = Forecaster::new(&w.org).forecast(
        &ForecastInput::new(route, d(2024, 10, 29))
            .completed("draft", d(2024, 9, 19))
            .completed("sbu-preparation", d(2024, 10, 15))
            .target(Target::new("cg-joint", d(2024, 11, 15)).for_purpose(Purpose::Decision)),
    )?;
    let answer = forecast.target.context("the forecast answers the target")?;
    w.note(
        NoteKind::Forecast,
        Some("sbu"),
        format!(
            "kan överenskommelsen beslutas av chefsgrupperna 15 november? {}",
            answer.describe(Language::Swedish)
        ),
    );
    Ok(answer)
}

/// The joint chief group on 15 November 2024 (minutes 001): a decision tried there is
/// refused (the matter is at its information step); the agreement is presented.
fn joint_chief_group(w: &mut World, joint: &MeetingRun, matter: MatterId) -> Result<arende::Error> {
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
            if n == 9 {
                item.presented_by(TARJA).matter(matter)
            } else {
                item
            }
        })
        .collect();
    joint.notice(
        w,
        agenda,
        vec![Document {
            title:
                "Utkast till överenskommelse om obruten skolgång för placerade barn (29 oktober)"
                    .into(),
            reference: None,
            matter: Some(matter),
        }],
        Some("Dagens agenda och underlag har skickats ut tillsammans med kallelsen."),
    )?;
    let mut record = w.all_present(&joint.plan, &[]);
    record.attendance.present.extend(ids(&[
        TARJA,
        "susann-cederlund",
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
                Paragraph::new(9, "Obruten skolgång för barn och unga som placerats utanför hemmet – förslag till överenskommelse presenteras")
                    .item(9)
                    .matter(matter)
                    .presented_by(TARJA)
                    .text("Förslaget bygger på SAMS och är framtaget av en arbetsgrupp med representation från skola, elevhälsa och socialtjänst. Framåt: remissupplaga till alla berörda inom skola och socialtjänst; beslut våren 2025 av skolchefs- och socialchefsgrupperna.")
                    .outcome(Outcome::NotedAndFiled),
            ],
        },
    )?;
    // Someone tries to record the decision at this meeting anyway: refused.
    let refusal = match w.engine.run_matter(
        matter,
        &person(PETER),
        MatterCommand::Decide {
            at: At::minutes(
                "cg-joint",
                MinutesRef {
                    meeting: joint.id().clone(),
                    paragraph: 9,
                },
            ),
            approved: true,
            clauses: text(&["anta överenskommelsen om obruten skolgång för placerade barn"]),
        },
    ) {
        Ok(_) => bail!("a decision was recorded at the information step"),
        Err(e) => e,
    };
    w.note(
        NoteKind::Refused,
        Some("cg-joint"),
        format!("beslut: {}", refusal_text(&refusal)),
    );
    // Two adjusters, one for the municipalities and one for the Region: final only
    // when both have adjusted.
    joint.adjust(w, "johanna-viberg", d(2024, 11, 20))?;
    joint.adjust(w, "karin-haster", d(2024, 11, 22))?;
    joint.distribute(w, d(2024, 11, 22))?;
    Ok(refusal)
}

/// The forecast after the information on 15 November: remiss and decision.
fn after_information(org: &Organisation) -> Result<Forecast> {
    let route = org
        .route(&RouteId::new(ROUTE))
        .context("route chief-group-agreement")?;
    let input = ForecastInput::new(route, d(2024, 11, 15))
        .completed("draft", d(2024, 9, 19))
        .completed("sbu-preparation", d(2024, 10, 15))
        .completed("cg-information", d(2024, 11, 15));
    Ok(Forecaster::new(org).forecast(&input)?)
}
