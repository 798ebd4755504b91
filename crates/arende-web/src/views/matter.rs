//! A matter's page (ärendets sida): the timeline — its history with meeting and §, the
//! forecast ahead with the critical path marked —, the question "can it reach BODY on
//! DATE?" answered in place with the reason and the earliest alternative, the route as
//! an SVG diagram with the matter's position, and the parties' decisions as a status
//! board.

use std::collections::{BTreeMap, BTreeSet};

use arende_core::Result;
use arende_core::aggregate::decode_for;
use arende_core::deployment::CountyEngine;
use arende_core::forecast::{BackwardPlan, Forecast, Goal, Target, TargetOutcome};
use arende_core::ids::{BodyId, MatterId, PartyId, StepId};
use arende_core::language::Language;
use arende_core::matter::{Matter, MatterStatus, PartyDecision};
use arende_core::route::Purpose;
use arende_core::store::EventStore;
use chrono::NaiveDate;
use maud::{Markup, html};

use super::{body_name, kind_text, purpose_text, status_text};
use crate::layout::{Ctx, alert, page, raw};

/// One line of the history (historik); feedback to the submitter is left out.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    /// The day it names (`on`), else its meeting's day, else the day it was recorded
    /// (Europe/Stockholm).
    pub date: NaiveDate,
    /// The event's type, e.g. `Presented`.
    pub event: String,
    /// Where: the body, by name.
    pub body: Option<String>,
    /// The meeting and § of the minutes, if recorded from minutes.
    pub minutes: Option<(String, u32)>,
}

/// One party's line on the decision board (beslutstavla).
#[derive(Debug, Clone)]
pub struct PartyRow {
    /// The party.
    pub party: PartyId,
    /// Its name.
    pub name: String,
    /// Adopted or rejected, when decided.
    pub decision: Option<PartyDecision>,
    /// The day decided (recorded), or forecast.
    pub decided_on: Option<NaiveDate>,
    /// Whether `decided_on` is a forecast.
    pub forecast: bool,
    /// The minutes of the decision (meeting and §).
    pub minutes: Option<(String, u32)>,
    /// The day the adjusted minutes were announced on the party's notice board
    /// (anslagstavla) as recorded, or else the forecast's adjusted-minutes day.
    pub notice_board: Option<NaiveDate>,
    /// The day the decision has legal force (laga kraft): from the recorded notice, or
    /// else as forecast.
    pub legal_force: Option<NaiveDate>,
    /// Whether the notice-board and legal-force days are forecasts (nothing recorded).
    pub legal_forecast: bool,
    /// An appeal (överklagande) lodged in time is pending: no legal force until it is
    /// settled.
    pub appeal_pending: bool,
    /// The decision was annulled on appeal (upphävt).
    pub annulled: bool,
}

/// The answer to "can it reach BODY on DATE?".
#[derive(Debug, Clone)]
pub struct Question {
    /// The body asked about.
    pub body: BodyId,
    /// The day asked about.
    pub date: NaiveDate,
    /// The answer, or why none could be given.
    pub answer: std::result::Result<TargetOutcome, String>,
    /// Planned backward from that meeting (bakåtplanering): each step's latest day and
    /// its slack; `None` when the question could not be answered.
    pub plan: Option<BackwardPlan>,
}

/// The matter page's view model.
#[derive(Debug, Clone)]
pub struct MatterPage {
    /// The matter.
    pub id: MatterId,
    /// Its state.
    pub matter: Matter,
    /// Its stream version.
    pub version: u64,
    /// The route's name.
    pub route_name: Option<String>,
    /// The history, oldest first.
    pub history: Vec<HistoryRow>,
    /// The forecast of the steps ahead, or why there is none.
    pub forecast: Option<std::result::Result<Forecast, String>>,
    /// The steps on the critical path to the route's last known date.
    pub critical: BTreeSet<StepId>,
    /// The bodies a question can name (the route's bodies and the parties' political
    /// bodies), with names.
    pub question_bodies: Vec<(BodyId, String)>,
    /// The question asked, with its answer.
    pub question: Option<Question>,
    /// The route diagram (SVG), or why it could not be drawn.
    pub route_svg: Option<std::result::Result<String, String>>,
    /// The parties' decision board (only for routes with a political decision).
    pub parties: Vec<PartyRow>,
    /// In force from (or as forecast).
    pub in_force: Option<(NaiveDate, bool)>,
    /// Readable names of the route's steps and of the bodies, by id.
    pub names: BTreeMap<String, String>,
}

impl MatterPage {
    /// A step's or body's readable name, else the id.
    pub fn name<'a>(&'a self, id: &'a str) -> &'a str {
        self.names.get(id).map_or(id, String::as_str)
    }
}

/// Gathers a matter's page; `question` is the "can it reach …?" asked, if any.
pub fn build(
    engine: &CountyEngine,
    id: MatterId,
    question: Option<(BodyId, NaiveDate)>,
    lang: Language,
) -> Result<MatterPage> {
    let org = engine.org();
    let read = engine.read();
    let (matter, version) = read.matter_and_version(id)?;
    let stream = CountyEngine::stream_of::<Matter>(&id.to_string());
    let records = engine.store().read_stream(&org.tenant, &stream, 1)?;
    let plan = read.meeting_plan()?;
    let meeting_day = |id: &str| plan.iter().find(|p| p.id.as_str() == id).map(|p| p.date);
    let mut history = Vec::with_capacity(records.len());
    let mut decided: BTreeMap<PartyId, (NaiveDate, Option<(String, u32)>)> = BTreeMap::new();
    for rec in &records {
        let event = decode_for::<Matter>(rec)?;
        let value = serde_json::to_value(&event).unwrap_or_default();
        let fields = value
            .as_object()
            .and_then(|o| o.values().next())
            .cloned()
            .unwrap_or_default();
        let recorded = rec
            .recorded_at
            .with_timezone(&chrono_tz_stockholm())
            .date_naive();
        let on = fields
            .get("on")
            .and_then(|v| v.as_str())
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
        let at = fields.get("at");
        let body = at
            .and_then(|a| a.get("body"))
            .or_else(|| fields.get("body"))
            .and_then(|b| b.as_str())
            .map(|b| body_name(org, &BodyId::new(b)));
        let minutes_v = at
            .and_then(|a| a.get("minutes"))
            .or_else(|| fields.get("minutes"));
        let minutes = minutes_v.and_then(|m| {
            Some((
                m.get("meeting")?.as_str()?.to_owned(),
                u32::try_from(m.get("paragraph")?.as_u64()?).ok()?,
            ))
        });
        if rec.event_type == "PoliticalDecisionRecorded"
            && let Some(p) = fields.get("party").and_then(|p| p.as_str())
        {
            decided.insert(PartyId::new(p), (on.unwrap_or(recorded), minutes.clone()));
        }
        if rec.event_type == "FeedbackGiven" {
            // Told to the submitter: the body page lists what is still owed.
            continue;
        }
        let held = minutes.as_ref().and_then(|(m, _)| meeting_day(m));
        history.push(HistoryRow {
            date: on.or(held).unwrap_or(recorded),
            event: rec.event_type.to_string(),
            body,
            minutes,
        });
    }
    let route = matter.route.as_ref().and_then(|r| org.route(r));
    let forecast = matter
        .route
        .as_ref()
        .filter(|_| matter.status.is_open() || matter.status == MatterStatus::Decided)
        .map(|_| {
            read.forecast(id, &[])
                .map_err(|e| arende_notify::refusal::describe(&e, lang).detail)
        });
    let mut critical = BTreeSet::new();
    if let Some(Ok(f)) = &forecast
        && let Some(last) = f
            .steps
            .iter()
            .filter(|s| s.date.is_some())
            .max_by_key(|s| s.date)
    {
        critical.extend(
            f.critical_path(last.step.as_str())
                .iter()
                .map(|s| s.step.clone()),
        );
    }
    let mut question_bodies: Vec<(BodyId, String)> = Vec::new();
    if let Some(r) = route {
        for step in r.steps() {
            if let Some(b) = &step.body
                && !question_bodies.iter().any(|(x, _)| x == b)
            {
                question_bodies.push((b.clone(), body_name(org, b)));
            }
            if step.purpose == Purpose::PoliticalDecision {
                for p in org.parties.values().filter(|p| {
                    step.parties.is_empty() && p.signatory || step.parties.contains(&p.id)
                }) {
                    if let Some(b) = &p.political_body
                        && !question_bodies.iter().any(|(x, _)| x == b)
                    {
                        question_bodies.push((b.clone(), body_name(org, b)));
                    }
                }
            }
        }
    }
    let question = question.map(|(body, date)| {
        let answer = if org.body(&body).is_none() {
            Err(match lang {
                Language::English => format!("there is no body \"{body}\""),
                _ => format!("det finns inget organ \"{body}\""),
            })
        } else {
            read.forecast(id, &[Target::new(body.clone(), date)])
                .map_err(|e| arende_notify::refusal::describe(&e, lang).detail)
                .and_then(|f| {
                    f.target.ok_or_else(|| match lang {
                        Language::English => "the forecast gives no answer".to_owned(),
                        _ => "prognosen ger inget svar".to_owned(),
                    })
                })
        };
        let plan = answer.as_ref().ok().and_then(|_| {
            read.plan_backward(
                id,
                &Goal::Meeting {
                    body: body.clone(),
                    date,
                    purpose: None,
                },
            )
            .ok()
        });
        Question {
            body,
            date,
            answer,
            plan,
        }
    });
    let route_svg = route.map(|r| {
        let done: BTreeSet<StepId> = matter.done.iter().map(|d| d.step.clone()).collect();
        let current: BTreeSet<StepId> = matter.active.iter().map(|a| a.step.clone()).collect();
        crate::svg::route_svg(r, org, &done, &current).map_err(|e| e.to_string())
    });
    let mut parties = Vec::new();
    if let Some(r) = route
        && let Some(step) = r.steps().find(|s| s.purpose == Purpose::PoliticalDecision)
    {
        let forecast_step = forecast
            .as_ref()
            .and_then(|f| f.as_ref().ok())
            .and_then(|f| f.step(step.id.as_str()));
        for p in org.parties.values().filter(|p| {
            if step.parties.is_empty() {
                p.signatory
            } else {
                step.parties.contains(&p.id)
            }
        }) {
            let fp = forecast_step.and_then(|s| s.parties.iter().find(|x| x.party == p.id));
            let recorded = decided.get(&p.id);
            let legal = matter.legal.get(&p.id);
            parties.push(PartyRow {
                party: p.id.clone(),
                name: p.name.clone(),
                decision: matter.political.get(&p.id).copied(),
                decided_on: recorded.map(|r| r.0).or(fp.and_then(|f| f.date)),
                forecast: recorded.is_none(),
                minutes: recorded.and_then(|r| r.1.clone()),
                notice_board: legal
                    .and_then(|l| l.announced_on)
                    .or(fp.and_then(|f| f.minutes_final)),
                legal_force: match legal {
                    // Announced: the recorded day (none while appealed or annulled).
                    Some(l) if l.announced_on.is_some() => l.legal_force,
                    _ if legal.is_some_and(|l| l.appeal_pending() || l.annulled()) => None,
                    _ => fp.and_then(|f| f.legal_force),
                },
                legal_forecast: legal.and_then(|l| l.announced_on).is_none(),
                appeal_pending: legal.is_some_and(|l| l.appeal_pending()),
                annulled: legal.is_some_and(|l| l.annulled()),
            });
        }
    }
    let in_force = matter.in_force_from.map(|d| (d, false)).or_else(|| {
        forecast
            .as_ref()
            .and_then(|f| f.as_ref().ok())
            .and_then(|f| {
                f.steps
                    .iter()
                    .find(|s| s.purpose == Purpose::EntryIntoForce)
            })
            .and_then(|s| s.date)
            .map(|d| (d, true))
    });
    let mut names: BTreeMap<String, String> = org
        .bodies
        .values()
        .map(|b| (b.id.to_string(), b.name.clone()))
        .collect();
    if let Some(r) = route {
        names.extend(r.steps().map(|s| (s.id.to_string(), s.name.clone())));
    }
    Ok(MatterPage {
        names,
        id,
        route_name: route.map(|r| r.name().to_owned()),
        matter,
        version,
        history,
        forecast,
        critical,
        question_bodies,
        question,
        route_svg,
        parties,
        in_force,
    })
}

fn chrono_tz_stockholm() -> chrono_tz::Tz {
    chrono_tz::Europe::Stockholm
}

/// An event type in words.
pub fn event_text(event: &str, lang: Language) -> String {
    let (sv, en) = match event {
        "Submitted" => ("anmält", "submitted"),
        "CaseNumberRegistered" => ("diarienummer registrerat", "case number registered"),
        "DocumentsReady" => ("underlaget klart", "documents ready"),
        "ScreenedAsInformation" => ("bedömt som informationspunkt", "screened as information"),
        "AcceptedForHandling" => ("antaget för handläggning", "accepted for handling"),
        "Redirected" => ("skickat till annat organ", "redirected"),
        "AnsweredDirectly" => ("besvarat direkt", "answered directly"),
        "Scheduled" => ("satt på dagordningen", "scheduled"),
        "Presented" => ("informerat", "presented"),
        "Prepared" => ("berett", "prepared"),
        "RemissSent" => ("skickat på remiss", "sent on remiss"),
        "RemissResponseRecorded" => ("remissvar inkommet", "remiss response recorded"),
        "ResponsesWorkedIn" => ("remissvar inarbetade", "responses worked in"),
        "DirectionDecided" => ("inriktning beslutad", "direction decided"),
        "Recommended" => ("rekommenderat", "recommended"),
        "ReadinessChecked" => ("ställningstagande om beredskap", "readiness checked"),
        "Decided" => ("beslutat", "decided"),
        "ForwardedToPolitical" => ("skickat till politiskt beslut", "forwarded to the parties"),
        "ReferredBack" => ("återremitterat", "referred back"),
        "Tabled" => ("bordlagt", "tabled"),
        "DroppedFromAgenda" => ("utgick från dagordningen", "dropped from the agenda"),
        "Withdrawn" => ("återtaget", "withdrawn"),
        "Filed" => ("lagt till handlingarna", "filed"),
        "Escalated" => ("lyft till annat organ", "escalated"),
        "PoliticalDecisionRecorded" => ("politiskt beslut", "political decision"),
        "Concluded" => ("handläggningen avslutad", "concluded"),
        "EnteredIntoForce" => ("trätt i kraft", "entered into force"),
        "FollowedUp" => ("följts upp", "followed up"),
        "Revised" => ("reviderat", "revised"),
        "Extended" => ("förlängt", "extended"),
        "FeedbackGiven" => ("återkoppling given", "feedback given"),
        other => return other.to_owned(),
    };
    match lang {
        Language::English => en.to_owned(),
        _ => sv.to_owned(),
    }
}

/// The backward plan as a table: per step the latest day (the last meeting that still
/// makes it), the documents-by day, the earliest day and the slack.
fn backward_table(ctx: &Ctx, v: &MatterPage, plan: &BackwardPlan) -> Markup {
    let days = |d: i64| {
        if d >= 0 {
            format!("{d} {}", ctx.t("dagar", "days"))
        } else {
            format!("{} {}", -d, ctx.t("dagar för sent", "days late"))
        }
    };
    html! {
        table id="backward" {
            caption { (ctx.t("Bakåtplanering: senast per steg för att hinna", "Backward plan: the latest day of each step to make it")) }
            thead { tr {
                th scope="col" { (ctx.t("Steg", "Step")) }
                th scope="col" { (ctx.t("Senast (sista sammanträde som hinner)", "Latest (last meeting that makes it)")) }
                th scope="col" { (ctx.t("Underlag senast", "Documents by")) }
                th scope="col" { (ctx.t("Tidigast", "Earliest")) }
                th scope="col" { (ctx.t("Marginal", "Slack")) }
            } }
            tbody {
                @for s in &plan.steps {
                    tr class=[(!s.in_time()).then_some("late")] {
                        td { (v.name(s.step.as_str())) }
                        td class="d" {
                            @match (s.latest, &s.meeting) {
                                (Some(d), Some(mtg)) => a href=(ctx.href(&format!("meetings/{mtg}"))) { (d) },
                                (Some(d), None) => (d),
                                (None, _) => (ctx.t("inget sammanträde i planen hinner", "no meeting in the plan makes it")),
                            }
                        }
                        td class="d" { @if let Some(d) = s.documents_by { (d) } }
                        td class="d" { @if let Some(d) = s.earliest { (d) } }
                        td { @if let Some(d) = s.slack_days { (days(d)) } }
                    }
                }
            }
        }
    }
}

/// Renders a matter's page.
pub fn render(ctx: &Ctx, v: &MatterPage) -> Markup {
    let org_lang = ctx.lang;
    let m = &v.matter;
    let path = format!("matters/{}", v.id);
    let body = html! {
        dl {
            dt { (ctx.t("Slag", "Kind")) } dd { (kind_text(m.kind, org_lang)) }
            dt { (ctx.t("Läge", "Status")) } dd { (status_text(m.status, org_lang)) }
            dt { (ctx.t("Anmält av", "Submitted by")) } dd { (m.submitter) }
            dt { (ctx.t("Organ", "Body")) } dd { a href=(ctx.href(&format!("bodies/{}", m.body))) { (v.name(m.body.as_str())) } }
            @if let Some(r) = &v.route_name { dt { (ctx.t("Väg", "Route")) } dd { (r) } }
            @if let Some((d, forecast)) = v.in_force { dt { (ctx.t("Ikraftträdande", "Entry into force")) } dd { (d) @if forecast { " (" (ctx.t("prognos", "forecast")) ")" } } }
            dt { (ctx.t("Kalender", "Calendar")) } dd { a href=(format!("/feeds/{}/matter/{}.ics", ctx.tenant, v.id)) { (ctx.t("Prenumerera på ärendets datum (iCalendar)", "Subscribe to the matter's dates (iCalendar)")) } }
        }
        section aria-labelledby="timeline" {
            h2 id="timeline" { (ctx.t("Tidslinje", "Timeline")) }
            table id="history" {
                caption { (ctx.t("Historik", "History")) }
                thead { tr {
                    th scope="col" { (ctx.t("Datum", "Date")) }
                    th scope="col" { (ctx.t("Händelse", "Event")) }
                    th scope="col" { (ctx.t("Organ", "Body")) }
                    th scope="col" { (ctx.t("Sammanträde och §", "Meeting and §")) }
                } }
                tbody {
                    @for h in &v.history {
                        tr class="done" {
                            td class="d" { (h.date) }
                            td { (event_text(&h.event, org_lang)) }
                            td { @if let Some(b) = &h.body { (b) } }
                            td { @if let Some((mtg, p)) = &h.minutes { a href=(ctx.href(&format!("meetings/{mtg}"))) { (mtg) } " § " (p) } }
                        }
                    }
                }
            }
            @match &v.forecast {
                None => {}
                Some(Err(e)) => p { (ctx.t("Ingen prognos", "No forecast")) ": " (e) }
                Some(Ok(f)) => {
                    table id="forecast" {
                        caption { (ctx.t("Prognos framåt (▶ = kritisk linje)", "Forecast ahead (▶ = critical path)")) }
                        thead { tr {
                            th scope="col" { (ctx.t("Steg", "Step")) }
                            th scope="col" { (ctx.t("Syfte", "Purpose")) }
                            th scope="col" { (ctx.t("Organ", "Body")) }
                            th scope="col" { (ctx.t("Datum", "Date")) }
                            th scope="col" { (ctx.t("Underlag senast (kallelse)", "Documents by (notice)")) }
                            th scope="col" { (ctx.t("Begränsas av", "Bound by")) }
                        } }
                        tbody {
                            @for s in &f.steps {
                                @let crit = v.critical.contains(&s.step);
                                tr class=[crit.then_some("critical")] {
                                    td { (v.name(s.step.as_str())) @if crit { span class="muted" { " (" (ctx.t("kritisk", "critical")) ")" } } }
                                    td { (purpose_text(s.purpose, org_lang)) }
                                    td { @if let Some(b) = &s.body { (v.name(b.as_str())) } @else if !s.parties.is_empty() { (s.parties.len()) " " (ctx.t("parter", "parties")) } }
                                    td class="d" { @if let Some(d) = s.date { @if let Some(mtg) = &s.meeting { a href=(ctx.href(&format!("meetings/{mtg}"))) { (d) } } @else { (d) } } @else { (ctx.t("bortom planen", "beyond the plan")) } }
                                    td class="d" { @if let Some(c) = s.cutoff { (c) } }
                                    td { (s.bound_by.describe(org_lang)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="question" id="can-it-reach" {
            h2 id="question" { (ctx.t("Hinner ärendet till ett sammanträde?", "Can it reach a meeting?")) }
            form method="get" action=(format!("/ui/{}/{}#can-it-reach", ctx.tenant, path)) {
                input type="hidden" name="lang" value=(org_lang.code());
                label for="q-body" { (ctx.t("Organ", "Body")) }
                select id="q-body" name="body" {
                    @for (id, name) in &v.question_bodies {
                        option value=(id) selected[v.question.as_ref().is_some_and(|q| &q.body == id)] { (name) }
                    }
                }
                label for="q-date" { (ctx.t("Sammanträdesdag", "Meeting day")) }
                input id="q-date" name="date" type="date" required value=[v.question.as_ref().map(|q| q.date.to_string())];
                button type="submit" id="q-ask" { (ctx.t("Fråga", "Ask")) }
            }
            @if let Some(q) = &v.question {
                div class="answer" id="answer" role="status" aria-live="polite" {
                    @match &q.answer {
                        Ok(o) => {
                            p { strong { @if o.reachable { (ctx.t("Ja.", "Yes.")) } @else { (ctx.t("Nej.", "No.")) } } " " (o.describe(org_lang)) }
                            @if let Some(e) = o.earliest { p { (ctx.t("Tidigast", "Earliest")) ": " strong { (e) } @if let Some(mtg) = &o.earliest_meeting { " (" a href=(ctx.href(&format!("meetings/{mtg}"))) { (mtg) } ")" } } }
                        }
                        Err(e) => p { (ctx.t("Frågan kan inte besvaras", "The question cannot be answered")) ": " (e) }
                    }
                }
                @if let Some(plan) = &q.plan {
                    (backward_table(ctx, v, plan))
                }
            }
        }
        @if let Some(svg) = &v.route_svg {
            section aria-labelledby="route" {
                h2 id="route" { (ctx.t("Vägen", "The route")) }
                @match svg {
                    Ok(s) => figure class="route" {
                        div role="img" aria-label=(ctx.t("Vägens steg; gröna är klara, gula är där ärendet står nu", "The route's steps; green are done, yellow is where the matter stands now")) { (raw(s.clone())) }
                        figcaption { (ctx.t("Grönt: klart. Gult med tjock ram: där ärendet står nu.", "Green: done. Yellow with a thick border: where the matter stands now.")) }
                    }
                    Err(e) => (alert(ctx.t("Vägen kan inte ritas", "The route cannot be drawn"), e))
                }
            }
        }
        @if !v.parties.is_empty() {
            section aria-labelledby="parties" {
                h2 id="parties" { (ctx.t("Parternas beslut", "The parties' decisions")) }
                table {
                    caption { (ctx.t("Politiska beslut per part", "Political decisions per party")) }
                    thead { tr {
                        th scope="col" { (ctx.t("Part", "Party")) }
                        th scope="col" { (ctx.t("Beslut", "Decision")) }
                        th scope="col" { (ctx.t("Beslutsdag", "Decided on")) }
                        th scope="col" { (ctx.t("Anslagstavla", "Notice board")) }
                        th scope="col" { (ctx.t("Laga kraft", "Legal force")) }
                        th scope="col" { (ctx.t("Ikraftträdande", "Entry into force")) }
                    } }
                    tbody {
                        @for p in &v.parties {
                            tr {
                                th scope="row" { (p.name) }
                                td { @match p.decision { Some(PartyDecision::Adopted) => (ctx.t("antaget", "adopted")), Some(PartyDecision::Rejected) => (ctx.t("avslaget", "rejected")), None => (ctx.t("ej beslutat", "not decided")) } }
                                td { @if let Some(d) = p.decided_on { (d) @if p.forecast { " (" (ctx.t("prognos", "forecast")) ")" } } @if let Some((mtg, par)) = &p.minutes { " – " (mtg) " § " (par) } }
                                td { @if let Some(d) = p.notice_board { (d) @if p.legal_forecast { " (" (ctx.t("prognos", "forecast")) ")" } } }
                                td {
                                    @if p.annulled { (ctx.t("upphävt efter överklagande", "annulled on appeal")) }
                                    @else if p.appeal_pending { (ctx.t("överklagat: inte i laga kraft förrän domstolen avgjort", "appealed: not in legal force until the court has ruled")) }
                                    @else if let Some(d) = p.legal_force { (d) @if p.legal_forecast { " (" (ctx.t("prognos", "forecast")) ")" } }
                                }
                                td { @if let Some((d, _)) = v.in_force { @if m.in_force_for.is_empty() || m.in_force_for.contains(&p.party) { (d) } } }
                            }
                        }
                    }
                }
            }
        }
        @if ctx.can_act() && m.status == MatterStatus::Registered {
            section aria-labelledby="screen" {
                h2 id="screen" { (ctx.t("Bedöm ärendet", "Screen the matter")) }
                form method="post" action=(ctx.href(&format!("{path}/screen"))) {
                    input type="hidden" name="version" value=(v.version);
                    fieldset {
                        legend { (ctx.t("Bedömning", "Screening")) }
                        input type="radio" id="s-handle" name="screening" value="handle" checked;
                        label class="inline" for="s-handle" { (ctx.t("Handläggs enligt sin väg", "Handle on its route")) } br;
                        input type="radio" id="s-info" name="screening" value="information-item";
                        label class="inline" for="s-info" { (ctx.t("Informationspunkt", "Information item")) } br;
                        input type="radio" id="s-answer" name="screening" value="answer-directly";
                        label class="inline" for="s-answer" { (ctx.t("Besvaras direkt", "Answer directly")) }
                    }
                    label for="s-text" { (ctx.t("Svar (vid direkt svar)", "Answer (when answered directly)")) }
                    textarea id="s-text" name="answer" rows="2" cols="60" {}
                    button type="submit" id="s-submit" { (ctx.t("Spara bedömningen", "Save the screening")) }
                }
            }
        }
    };
    page(ctx, &m.title, &path, body)
}
