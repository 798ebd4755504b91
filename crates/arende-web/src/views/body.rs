//! A body's page (organets sida): its next meetings with their call-for-matters and
//! notice dates and what is due today; the proposed agenda of the next meeting with what
//! missed its cut-off and why; the matters waiting at the body by state; minutes
//! awaiting adjustment (and by whom); owed feedback; overdue assignments.

use std::collections::BTreeMap;

use arende_core::Result;
use arende_core::assignment::Assignee;
use arende_core::deployment::CountyEngine;
use arende_core::ids::{BodyId, MatterId, MeetingId, UnknownId};
use arende_core::language::Language;
use arende_core::meeting::{MeetingPhase, ProposedAgenda};
use arende_core::org::{MeetingStatus, PlannedMeeting};
use arende_core::projection::MatterSummary;
use chrono::NaiveDate;
use maud::{Markup, html};

use super::{LIST_CAP, body_name, item_kind_text, more, person_name, phase_text, status_text};
use crate::layout::{Ctx, page};

/// How many upcoming meetings the page lists.
pub const UPCOMING: usize = 6;

/// One of the body's coming meetings.
#[derive(Debug, Clone)]
pub struct MeetingRow {
    /// The meeting.
    pub plan: PlannedMeeting,
    /// Where it stands.
    pub phase: MeetingPhase,
    /// What is due today: the call for matters (`call`) and/or the notice (`notice`).
    pub due_today: Vec<&'static str>,
}

/// Minutes awaiting adjustment (justering) and who adjusts them.
#[derive(Debug, Clone)]
pub struct AwaitingAdjustment {
    /// The meeting.
    pub meeting: MeetingId,
    /// Its day.
    pub date: NaiveDate,
    /// The adjusters and the chair, by name.
    pub by: Vec<String>,
}

/// An overdue assignment (förfallet uppdrag).
#[derive(Debug, Clone)]
pub struct OverdueRow {
    /// The task.
    pub task: String,
    /// Who carries it out, by name.
    pub assignee: String,
    /// Its due date.
    pub due: NaiveDate,
    /// The matter it concerns.
    pub matter: Option<MatterId>,
}

/// The body page's view model.
#[derive(Debug, Clone)]
pub struct BodyPage {
    /// The body.
    pub body: BodyId,
    /// Its name.
    pub name: String,
    /// Today (the engine's clock).
    pub today: NaiveDate,
    /// The coming meetings.
    pub upcoming: Vec<MeetingRow>,
    /// The proposed agenda of the next meeting, if any meeting is ahead.
    pub agenda: Option<ProposedAgenda>,
    /// The matters at the body, by status (Swedish or English status text).
    pub matters: BTreeMap<String, Vec<MatterSummary>>,
    /// Minutes awaiting adjustment.
    pub awaiting: Vec<AwaitingAdjustment>,
    /// Matters at the body whose submitters are owed feedback.
    pub owed_feedback: Vec<MatterSummary>,
    /// Overdue assignments issued by or given to the body.
    pub overdue: Vec<OverdueRow>,
}

/// Gathers a body's page from the engine's reads.
pub fn build(engine: &CountyEngine, body: &BodyId, lang: Language) -> Result<BodyPage> {
    let org = engine.org();
    let Some(b) = org.body(body) else {
        return Err(UnknownId::new("body", body).into());
    };
    let read = engine.read();
    let today = engine.clock().today();
    let plan = read.body_meeting_plan(body)?;
    let mut upcoming = Vec::new();
    let mut awaiting = Vec::new();
    for p in &plan {
        let state = read.meeting(&p.id)?;
        if state.phase == MeetingPhase::MinutesDrafted {
            let mut by: Vec<String> = Vec::new();
            if let Some(m) = &state.minutes {
                by.extend(m.adjusters.iter().map(|a| person_name(org, a)));
                by.push(person_name(org, &m.chair));
            }
            awaiting.push(AwaitingAdjustment {
                meeting: p.id.clone(),
                date: p.date,
                by,
            });
        }
        if p.date >= today && p.status != MeetingStatus::Cancelled && upcoming.len() < UPCOMING {
            let mut due_today = Vec::new();
            if p.call_for_matters == today && state.phase == MeetingPhase::Planned {
                due_today.push("call");
            }
            if p.notice == today
                && matches!(
                    state.phase,
                    MeetingPhase::Planned | MeetingPhase::CallForMattersSent
                )
            {
                due_today.push("notice");
            }
            upcoming.push(MeetingRow {
                plan: p.clone(),
                phase: state.phase,
                due_today,
            });
        }
    }
    let agenda = match upcoming.iter().find(|m| {
        matches!(
            m.phase,
            MeetingPhase::Planned | MeetingPhase::CallForMattersSent
        )
    }) {
        Some(next) => Some(read.proposed_agenda(&next.plan.id, &[], lang)?),
        None => None,
    };
    let at_body = read.matters_at(body, None)?;
    let mut matters: BTreeMap<String, Vec<MatterSummary>> = BTreeMap::new();
    for m in &at_body {
        matters
            .entry(status_text(m.status, lang))
            .or_default()
            .push(m.clone());
    }
    let owed_feedback = read
        .owed_feedback()?
        .into_iter()
        .flat_map(|o| o.matters)
        .filter(|m| &m.body == body || m.at.contains(body))
        .collect();
    let overdue = read
        .overdue_assignments(today)?
        .into_iter()
        .filter_map(|v| {
            let order = v.assignment.order.as_ref()?;
            let (mine, assignee) = match &order.assignee {
                Assignee::Body(x) => (x == body, body_name(org, x)),
                Assignee::Person(p) => (false, person_name(org, p)),
                Assignee::WorkingGroup(g) => (false, g.name.clone()),
            };
            let issued = v.assignment.issuer.as_ref() == Some(body);
            (mine || issued).then(|| OverdueRow {
                task: order.task.clone(),
                assignee,
                due: v.due_date.unwrap_or(today),
                matter: order.matter,
            })
        })
        .collect();
    Ok(BodyPage {
        body: body.clone(),
        name: b.name.clone(),
        today,
        upcoming,
        agenda,
        matters,
        awaiting,
        owed_feedback,
        overdue,
    })
}

/// Renders a body's page.
pub fn render(ctx: &Ctx, v: &BodyPage) -> Markup {
    let org_lang = ctx.lang;
    let body = html! {
        p { (ctx.t("Idag", "Today")) ": " (v.today) " · "
            a href=(ctx.href(&format!("bodies/{}/calendar", v.body))) { (ctx.t("Kalender", "Calendar")) } }
        section aria-labelledby="meetings" {
            h2 id="meetings" { (ctx.t("Kommande sammanträden", "Coming meetings")) }
            @if v.upcoming.is_empty() {
                p { (ctx.t("Inga sammanträden i planen framåt.", "No meetings ahead in the plan.")) }
            } @else {
                table {
                    caption { (ctx.t("Sammanträden med sista dag för frågor och kallelse", "Meetings with their call-for-matters and notice dates")) }
                    thead { tr {
                        th scope="col" { (ctx.t("Datum", "Date")) }
                        th scope="col" { (ctx.t("Inhämtning av frågor", "Call for matters")) }
                        th scope="col" { (ctx.t("Kallelse", "Notice")) }
                        th scope="col" { (ctx.t("Läge", "State")) }
                        th scope="col" { (ctx.t("Att göra idag", "Due today")) }
                    } }
                    tbody {
                        @for m in &v.upcoming {
                            tr {
                                td { a href=(ctx.href(&format!("meetings/{}", m.plan.id))) { (m.plan.date) " " (m.plan.start.format("%H:%M")) } }
                                td { (m.plan.call_for_matters) }
                                td { (m.plan.notice) }
                                td { (phase_text(m.phase, org_lang)) }
                                td {
                                    @for d in &m.due_today {
                                        strong class="late" { @if *d == "call" { (ctx.t("Skicka inhämtning av frågor", "Send the call for matters")) } @else { (ctx.t("Skicka kallelse", "Send the notice")) } } " "
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="agenda" {
            h2 id="agenda" { (ctx.t("Förslag till dagordning", "Proposed agenda")) }
            @match &v.agenda {
                None => p { (ctx.t("Inget kommande sammanträde väntar på kallelse.", "No coming meeting awaits its notice.")) }
                Some(a) => {
                    p { (ctx.t("Sammanträdet", "Meeting")) " " a href=(ctx.href(&format!("meetings/{}", a.meeting))) { (a.meeting) } }
                    ol {
                        @for item in a.items.iter().take(LIST_CAP) {
                            li value=(item.number) {
                                @if let Some(id) = item.matter { a href=(ctx.href(&format!("matters/{id}"))) { (item.title) } } @else { (item.title) }
                                " (" (item_kind_text(item.kind, org_lang)) ")"
                            }
                        }
                    }
                    @if let Some(m) = more(a.items.len(), org_lang) { p class="muted" { (m) } }
                    @if !a.deferred.is_empty() {
                        table {
                            caption { (ctx.t("Missade brytdatum", "Missed the cut-off")) }
                            thead { tr { th scope="col" { (ctx.t("Ärende", "Matter")) } th scope="col" { (ctx.t("Varför", "Why")) } th scope="col" { (ctx.t("Går till", "Goes to")) } } }
                            tbody {
                                @for d in a.deferred.iter().take(LIST_CAP) {
                                    tr {
                                        td { (d.candidate.title) }
                                        td { (deferral_text(&d.reason, org_lang)) }
                                        td { @if let Some(n) = &d.next_meeting { a href=(ctx.href(&format!("meetings/{n}"))) { (n) } } @else { (ctx.t("inget möte i planen", "no meeting in the plan")) } }
                                    }
                                }
                            }
                        }
                        @if let Some(m) = more(a.deferred.len(), org_lang) { p class="muted" { (m) } }
                    }
                }
            }
        }
        section aria-labelledby="waiting" {
            h2 id="waiting" { (ctx.t("Ärenden hos organet", "Matters at the body")) }
            @if v.matters.is_empty() { p { (ctx.t("Inga ärenden.", "No matters.")) } }
            @for (status, list) in &v.matters {
                h3 { (status) " (" (list.len()) ")" }
                ul {
                    @for m in list.iter().take(LIST_CAP) {
                        li { a href=(ctx.href(&format!("matters/{}", m.id))) { (m.title) } }
                    }
                }
                @if let Some(m) = more(list.len(), org_lang) { p class="muted" { (m) } }
            }
        }
        section aria-labelledby="adjust" {
            h2 id="adjust" { (ctx.t("Protokoll som väntar på justering", "Minutes awaiting adjustment")) }
            @if v.awaiting.is_empty() { p { (ctx.t("Inga.", "None.")) } }
            ul { @for a in &v.awaiting {
                li { a href=(ctx.href(&format!("meetings/{}", a.meeting))) { (a.date) } " – " (ctx.t("justeras av", "adjusted by")) " " (a.by.join(", ")) }
            } }
        }
        section aria-labelledby="feedback" {
            h2 id="feedback" { (ctx.t("Återkoppling att ge", "Feedback owed")) }
            @if v.owed_feedback.is_empty() { p { (ctx.t("Ingen.", "None.")) } }
            @if let Some(m) = more(v.owed_feedback.len(), org_lang) { p class="muted" { (m) } }
            ul { @for m in v.owed_feedback.iter().take(LIST_CAP) {
                li { a href=(ctx.href(&format!("matters/{}", m.id))) { (m.title) } " – " (m.submitter) }
            } }
        }
        section aria-labelledby="overdue" {
            h2 id="overdue" { (ctx.t("Förfallna uppdrag", "Overdue assignments")) }
            @if v.overdue.is_empty() { p { (ctx.t("Inga.", "None.")) } }
            @if let Some(m) = more(v.overdue.len(), org_lang) { p class="muted" { (m) } }
            ul { @for o in v.overdue.iter().take(LIST_CAP) {
                li { (o.task) " – " (o.assignee) ", " (ctx.t("skulle vara klart", "due")) " " span class="late" { (o.due) }
                    @if let Some(m) = o.matter { " (" a href=(ctx.href(&format!("matters/{m}"))) { (ctx.t("ärendet", "the matter")) } ")" } }
            } }
        }
    };
    page(ctx, &v.name, &format!("bodies/{}", v.body), body)
}

/// Why a candidate missed the agenda, in words.
pub fn deferral_text(r: &arende_core::meeting::DeferralReason, lang: Language) -> String {
    use arende_core::meeting::DeferralReason as R;
    match lang {
        Language::English => match r {
            R::SubmittedAfterCall {
                submitted_on,
                call_for_matters,
            } => format!("submitted {submitted_on}, after the call for matters {call_for_matters}"),
            R::DocumentsNotReady { ready_on, notice } => match ready_on {
                Some(d) => format!("documents ready {d}, after the notice {notice}"),
                None => format!("documents not ready by the notice {notice}"),
            },
        },
        _ => r.swedish(),
    }
}
