//! A body's page (organets sida): its next meetings with their call-for-matters and
//! notice dates and what is due today; the proposed agenda of the next meeting with what
//! missed its cut-off and why; the matters waiting at the body by state; minutes
//! awaiting adjustment (and by whom); owed feedback; overdue assignments.
//!
//! Every list is paginated ([`PAGE_ROWS`] rows per page, `?page=N`, with links to the
//! previous and next page) and typed text is shortened ([`short`]), so one page stays
//! under 200 kB whatever is stored.

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

use super::{
    PAGE_ROWS, body_name, item_kind_text, page_of, pages, person_name, phase_text, short,
    status_text,
};
use crate::layout::Ctx;

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
    /// The page shown (from 1).
    pub page: usize,
    /// Minutes awaiting adjustment.
    pub awaiting: Vec<AwaitingAdjustment>,
    /// Matters at the body whose submitters are owed feedback.
    pub owed_feedback: Vec<MatterSummary>,
    /// Overdue assignments issued by or given to the body.
    pub overdue: Vec<OverdueRow>,
}

/// Gathers the first page of a body's page from the engine's reads.
pub fn build(engine: &CountyEngine, body: &BodyId, lang: Language) -> Result<BodyPage> {
    build_page(engine, body, lang, 1)
}

/// Gathers page `page` (from 1) of a body's page from the engine's reads.
pub fn build_page(
    engine: &CountyEngine,
    body: &BodyId,
    lang: Language,
    page: usize,
) -> Result<BodyPage> {
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
        page: page.max(1),
        awaiting,
        owed_feedback,
        overdue,
    })
}

impl BodyPage {
    /// The matters at the body in status order, as one list (what the pages split).
    fn matter_rows(&self) -> Vec<(&String, &MatterSummary)> {
        self.matters
            .iter()
            .flat_map(|(status, list)| list.iter().map(move |m| (status, m)))
            .collect()
    }

    /// How many pages the longest of its lists fills.
    pub fn pages(&self) -> usize {
        let agenda = self
            .agenda
            .as_ref()
            .map_or(0, |a| a.items.len().max(a.deferred.len()));
        [
            agenda,
            self.matters.values().map(Vec::len).sum(),
            self.awaiting.len(),
            self.owed_feedback.len(),
            self.overdue.len(),
        ]
        .into_iter()
        .map(pages)
        .max()
        .unwrap_or(1)
    }
}

/// "Rows a–b of n", when a list has more than one page.
fn rows_text(ctx: &Ctx, total: usize, page: usize) -> Option<String> {
    if total <= PAGE_ROWS {
        return None;
    }
    let first = (page - 1) * PAGE_ROWS + 1;
    if first > total {
        return Some(match ctx.lang {
            Language::English => format!("{total} in all, none on this page"),
            _ => format!("{total} totalt, inga på den här sidan"),
        });
    }
    let last = (first + PAGE_ROWS - 1).min(total);
    Some(match ctx.lang {
        Language::English => format!("{first}–{last} of {total}"),
        _ => format!("{first}–{last} av {total}"),
    })
}

/// Renders a body's page.
pub fn render(ctx: &Ctx, v: &BodyPage) -> Markup {
    let org_lang = ctx.lang;
    let page = v.page.max(1);
    let last_page = v.pages();
    let rows = v.matter_rows();
    let mut on_page: BTreeMap<&String, Vec<&MatterSummary>> = BTreeMap::new();
    for (status, m) in page_of(&rows, page) {
        on_page.entry(*status).or_default().push(*m);
    }
    let page_link = |n: usize| ctx.href(&format!("bodies/{}?page={n}", v.body));
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
                        @for item in page_of(&a.items, page) {
                            li value=(item.number) {
                                @if let Some(id) = item.matter { a href=(ctx.href(&format!("matters/{id}"))) { (short(&item.title)) } } @else { (short(&item.title)) }
                                " (" (item_kind_text(item.kind, org_lang)) ")"
                            }
                        }
                    }
                    @if let Some(m) = rows_text(ctx, a.items.len(), page) { p class="muted" { (m) } }
                    @if !a.deferred.is_empty() {
                        table {
                            caption { (ctx.t("Missade brytdatum", "Missed the cut-off")) }
                            thead { tr { th scope="col" { (ctx.t("Ärende", "Matter")) } th scope="col" { (ctx.t("Varför", "Why")) } th scope="col" { (ctx.t("Går till", "Goes to")) } } }
                            tbody {
                                @for d in page_of(&a.deferred, page) {
                                    tr {
                                        td { (short(&d.candidate.title)) }
                                        td { (deferral_text(&d.reason, org_lang)) }
                                        td { @if let Some(n) = &d.next_meeting { a href=(ctx.href(&format!("meetings/{n}"))) { (n) } } @else { (ctx.t("inget möte i planen", "no meeting in the plan")) } }
                                    }
                                }
                            }
                        }
                        @if let Some(m) = rows_text(ctx, a.deferred.len(), page) { p class="muted" { (m) } }
                    }
                }
            }
        }
        section aria-labelledby="waiting" {
            h2 id="waiting" { (ctx.t("Ärenden hos organet", "Matters at the body")) }
            @if v.matters.is_empty() { p { (ctx.t("Inga ärenden.", "No matters.")) } }
            @if let Some(m) = rows_text(ctx, rows.len(), page) { p class="muted" { (m) } }
            @for (status, list) in &on_page {
                h3 { (status) " (" (v.matters.get(*status).map_or(0, Vec::len)) ")" }
                ul {
                    @for m in list {
                        li { a href=(ctx.href(&format!("matters/{}", m.id))) { (short(&m.title)) } }
                    }
                }
            }
        }
        section aria-labelledby="adjust" {
            h2 id="adjust" { (ctx.t("Protokoll som väntar på justering", "Minutes awaiting adjustment")) }
            @if v.awaiting.is_empty() { p { (ctx.t("Inga.", "None.")) } }
            @if let Some(m) = rows_text(ctx, v.awaiting.len(), page) { p class="muted" { (m) } }
            ul { @for a in page_of(&v.awaiting, page) {
                li { a href=(ctx.href(&format!("meetings/{}", a.meeting))) { (a.date) } " – " (ctx.t("justeras av", "adjusted by")) " " (short(&a.by.join(", "))) }
            } }
        }
        section aria-labelledby="feedback" {
            h2 id="feedback" { (ctx.t("Återkoppling att ge", "Feedback owed")) }
            @if v.owed_feedback.is_empty() { p { (ctx.t("Ingen.", "None.")) } }
            @if let Some(m) = rows_text(ctx, v.owed_feedback.len(), page) { p class="muted" { (m) } }
            ul { @for m in page_of(&v.owed_feedback, page) {
                li { a href=(ctx.href(&format!("matters/{}", m.id))) { (short(&m.title)) } " – " (short(m.submitter.as_ref())) }
            } }
        }
        section aria-labelledby="overdue" {
            h2 id="overdue" { (ctx.t("Förfallna uppdrag", "Overdue assignments")) }
            @if v.overdue.is_empty() { p { (ctx.t("Inga.", "None.")) } }
            @if let Some(m) = rows_text(ctx, v.overdue.len(), page) { p class="muted" { (m) } }
            ul { @for o in page_of(&v.overdue, page) {
                li { (short(&o.task)) " – " (short(&o.assignee)) ", " (ctx.t("skulle vara klart", "due")) " " span class="late" { (o.due) }
                    @if let Some(m) = o.matter { " (" a href=(ctx.href(&format!("matters/{m}"))) { (ctx.t("ärendet", "the matter")) } ")" } }
            } }
        }
        @if last_page > 1 {
            nav aria-label=(ctx.t("Sidor", "Pages")) class="pages" {
                @if page > 1 { a rel="prev" href=(page_link(page - 1)) { "← " (ctx.t("Föregående sida", "Previous page")) } " " }
                (ctx.t("Sida", "Page")) " " (page) " / " (last_page)
                @if page < last_page { " " a rel="next" href=(page_link(page + 1)) { (ctx.t("Nästa sida", "Next page")) " →" } }
            }
        }
    };
    crate::layout::page(ctx, &v.name, &format!("bodies/{}", v.body), body)
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
