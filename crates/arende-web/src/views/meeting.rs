//! A meeting's page (sammanträdets sida): the agenda, the notice, the attendance, the
//! minutes (rendered from the same Markdown the engine writes) and the adjustment
//! status; forms to send the notice with the proposed agenda, record the meeting as
//! held with its attendance and minutes, and adjust the minutes.

use arende_core::Result;
use arende_core::deployment::CountyEngine;
use arende_core::ids::{MeetingId, PersonId};
use arende_core::language::Language;
use arende_core::meeting::{Meeting, MeetingPhase, ProposedAgenda};
use arende_core::org::{PlannedMeeting, Role};
use maud::{Markup, html};

use super::{LIST_CAP, body::deferral_text, item_kind_text, more, person_name, phase_text};
use crate::layout::{Ctx, page, raw};

/// The meeting page's view model.
#[derive(Debug, Clone)]
pub struct MeetingPage {
    /// The meeting as it stands in the plan.
    pub plan: PlannedMeeting,
    /// Its title (the bodies' names and the day).
    pub title: String,
    /// Its recorded state.
    pub state: Meeting,
    /// Its stream version.
    pub version: u64,
    /// The proposed agenda, while the notice is not yet sent.
    pub proposed: Option<ProposedAgenda>,
    /// The minutes as HTML rendered from the Markdown, once drafted.
    pub minutes_html: Option<String>,
    /// The members of its bodies (for the attendance form), with names.
    pub members: Vec<(PersonId, String)>,
}

/// Gathers a meeting's page.
pub fn build(engine: &CountyEngine, id: &MeetingId, lang: Language) -> Result<MeetingPage> {
    let org = engine.org();
    let read = engine.read();
    let plan = read.effective_meeting(id)?;
    let (state, version) = read.state::<Meeting>(id.as_str())?;
    let proposed = if matches!(
        state.phase,
        MeetingPhase::Planned | MeetingPhase::CallForMattersSent
    ) {
        Some(read.proposed_agenda(id, &[], lang)?)
    } else {
        None
    };
    let minutes_html = match state.minutes {
        Some(_) => {
            let md = read.minutes(id, lang)?;
            Some(demote_headings(&arende_notify::markdown::to_html(&md)))
        }
        None => None,
    };
    // The roster of the meeting's bodies (joint sessions with their parts) on its day:
    // the people whose attendance the engine records (mandate periods).
    let bodies = org.expanded_bodies(&plan.bodies);
    let mut members: Vec<(PersonId, String)> = Vec::new();
    for m in org.memberships_on(plan.date) {
        if bodies.contains(&m.body)
            && m.substitute_for.is_none()
            && !matches!(m.role, Role::Substitute)
            && !members.iter().any(|(p, _)| p == &m.person)
        {
            members.push((m.person.clone(), person_name(org, &m.person)));
        }
    }
    Ok(MeetingPage {
        title: arende_core::meeting::meeting_title(org, &plan.bodies, lang)
            + " "
            + &plan.date.to_string(),
        plan,
        state,
        version,
        proposed,
        minutes_html,
        members,
    })
}

/// The minutes' headings one level down, under the page's own `<h1>` and `<h2>`.
fn demote_headings(html: &str) -> String {
    let mut out = html.to_owned();
    for level in (1..=5).rev() {
        out = out
            .replace(&format!("<h{level}>"), &format!("<h{}>", level + 2))
            .replace(&format!("</h{level}>"), &format!("</h{}>", level + 2));
    }
    out
}

/// Renders a meeting's page.
pub fn render(ctx: &Ctx, v: &MeetingPage) -> Markup {
    let lang = ctx.lang;
    let s = &v.state;
    let path = format!("meetings/{}", v.plan.id);
    let action = |what: &str| ctx.href(&format!("{path}/{what}"));
    let body = html! {
        dl {
            dt { (ctx.t("Tid", "Time")) } dd { (v.plan.date) " " (v.plan.start.format("%H:%M")) "–" (v.plan.end.format("%H:%M")) }
            @if let Some(l) = &v.plan.location { dt { (ctx.t("Plats", "Place")) } dd { (l) } }
            dt { (ctx.t("Organ", "Bodies")) } dd { @for b in &v.plan.bodies { a href=(ctx.href(&format!("bodies/{b}"))) { (b) } " " } }
            dt { (ctx.t("Inhämtning av frågor", "Call for matters")) } dd { (v.plan.call_for_matters) @if let Some(d) = s.call_sent_on { " (" (ctx.t("skickad", "sent")) " " (d) ")" } }
            dt { (ctx.t("Kallelse", "Notice")) } dd { (v.plan.notice) @if let Some(d) = s.notice_sent_on { " (" (ctx.t("skickad", "sent")) " " (d) ")" } }
            dt { (ctx.t("Läge", "State")) } dd id="phase" { (phase_text(s.phase, lang)) }
        }
        section aria-labelledby="agenda" {
            h2 id="agenda" { (ctx.t("Dagordning", "Agenda")) }
            @if !s.agenda.is_empty() {
                ol {
                    @for e in s.agenda.iter().take(LIST_CAP) {
                        li value=(e.item.number) {
                            @if let Some(id) = e.item.matter { a href=(ctx.href(&format!("matters/{id}"))) { (super::short(&e.item.title)) } } @else { (super::short(&e.item.title)) }
                            " (" (item_kind_text(e.item.kind, lang)) ")"
                        }
                    }
                }
                @if let Some(m) = more(s.agenda.len(), lang) { p class="muted" { (m) } }
            } @else if let Some(p) = &v.proposed {
                p { (ctx.t("Förslag (kallelsen är inte skickad):", "Proposal (the notice is not sent):")) }
                ol {
                    @for item in p.items.iter().take(LIST_CAP) {
                        li value=(item.number) {
                            @if let Some(id) = item.matter { a href=(ctx.href(&format!("matters/{id}"))) { (super::short(&item.title)) } } @else { (super::short(&item.title)) }
                            " (" (item_kind_text(item.kind, lang)) ")"
                        }
                    }
                }
                @if let Some(m) = more(p.items.len(), lang) { p class="muted" { (m) } }
                @if !p.deferred.is_empty() {
                    h3 { (ctx.t("Missade brytdatum", "Missed the cut-off")) }
                    ul { @for d in p.deferred.iter().take(LIST_CAP) { li { (super::short(&d.candidate.title)) ": " (deferral_text(&d.reason, lang)) } } }
                    @if let Some(m) = more(p.deferred.len(), lang) { p class="muted" { (m) } }
                }
                @if ctx.can_act() {
                    form method="post" action=(action("notice")) {
                        input type="hidden" name="version" value=(v.version);
                        label for="n-expect" { (ctx.t("Förväntningar på ledamöterna", "What is expected of the members")) }
                        input id="n-expect" name="expectations" type="text" size="60" value=(ctx.t("Läs handlingarna inför mötet.", "Read the documents before the meeting."));
                        button type="submit" id="n-send" { (ctx.t("Skicka kallelsen med föreslagen dagordning", "Send the notice with the proposed agenda")) }
                    }
                }
            }
        }
        section aria-labelledby="attendance" {
            h2 id="attendance" { (ctx.t("Närvaro", "Attendance")) }
            @match &s.attendance {
                Some(a) => {
                    p { (ctx.t("Närvarande", "Present")) ": " (a.present.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ")) }
                    @if !a.absent.is_empty() { p { (ctx.t("Frånvarande", "Absent")) ": " (a.absent.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ")) } }
                }
                None => p { (ctx.t("Inte registrerad ännu.", "Not recorded yet.")) }
            }
            @if ctx.can_act() && s.phase == MeetingPhase::NoticeSent {
                form method="post" action=(action("held")) {
                    input type="hidden" name="version" value=(v.version);
                    fieldset {
                        legend { (ctx.t("Närvarande", "Present")) }
                        @for (i, (id, name)) in v.members.iter().enumerate() {
                            input type="checkbox" id=(format!("p-{i}")) name="present" value=(id) checked;
                            label class="inline" for=(format!("p-{i}")) { (name) } br;
                        }
                    }
                    button type="submit" id="h-submit" { (ctx.t("Registrera mötet som hållet", "Record the meeting as held")) }
                }
            }
        }
        section aria-labelledby="minutes" {
            h2 id="minutes" { (ctx.t("Protokoll", "Minutes")) }
            @match &v.minutes_html {
                Some(h) => div class="minutes" { (raw(h.clone())) }
                None => p { (ctx.t("Inget protokoll ännu.", "No minutes yet.")) }
            }
            @if ctx.can_act() && s.phase == MeetingPhase::Held {
                form method="post" action=(action("minutes")) {
                    input type="hidden" name="version" value=(v.version);
                    label for="m-chair" { (ctx.t("Ordförande", "Chair")) }
                    select id="m-chair" name="chair" { @for (id, name) in &v.members { option value=(id) { (name) } } }
                    label for="m-secretary" { (ctx.t("Sekreterare", "Secretary")) }
                    select id="m-secretary" name="secretary" { @for (id, name) in &v.members { option value=(id) { (name) } } }
                    label for="m-adjuster" { (ctx.t("Justerare", "Adjuster")) }
                    select id="m-adjuster" name="adjuster" { @for (id, name) in &v.members { option value=(id) { (name) } } }
                    label for="m-adjuster-label" { (ctx.t("Justerar för (t.ex. ”kommunerna”, valfritt)", "Adjusts for (e.g. “the municipalities”, optional)")) }
                    input id="m-adjuster-label" name="adjuster-label" type="text";
                    label for="m-adjuster-2" { (ctx.t("Andra justerare (valfritt)", "Second adjuster (optional)")) }
                    select id="m-adjuster-2" name="adjuster-2" { option value="" { "–" } @for (id, name) in &v.members { option value=(id) { (name) } } }
                    label for="m-adjuster-2-label" { (ctx.t("Andra justeraren justerar för (valfritt)", "The second adjuster adjusts for (optional)")) }
                    input id="m-adjuster-2-label" name="adjuster-2-label" type="text";
                    label for="m-text" { (ctx.t("Anteckning för varje punkt (en rad per punkt, i dagordningens ordning)", "A note for each item (one line per item, in agenda order)")) }
                    textarea id="m-text" name="notes" rows="6" cols="70" {}
                    button type="submit" id="m-submit" { (ctx.t("Spara protokollet", "Save the minutes")) }
                }
            }
        }
        section aria-labelledby="adjustment" {
            h2 id="adjustment" { (ctx.t("Justering", "Adjustment")) }
            @match &s.adjustment {
                Some(a) => p id="adjusted" { (ctx.t("Justerat", "Adjusted")) " " (a.on) " " (match lang { Language::English => a.means.english(), _ => a.means.swedish() }) }
                None => @if s.minutes.is_some() {
                    p { (ctx.t("Väntar på justering av", "Awaiting adjustment by")) " " (s.awaiting_adjustment().iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ")) }
                } @else { p { (ctx.t("Inget att justera ännu.", "Nothing to adjust yet.")) } }
            }
            @if ctx.can_act() && s.phase == MeetingPhase::MinutesDrafted {
                form method="post" action=(action("adjust")) {
                    input type="hidden" name="version" value=(v.version);
                    label for="a-on" { (ctx.t("Justerat den", "Adjusted on")) }
                    input id="a-on" name="on" type="date" required;
                    label for="a-means" { (ctx.t("Hur", "How")) }
                    select id="a-means" name="means" {
                        option value="email" { (ctx.t("via e-post", "by e-mail")) }
                        option value="at-meeting" { (ctx.t("vid sammanträdet", "at the meeting")) }
                        option value="signature" { (ctx.t("genom underskrift", "by signature")) }
                        option value="electronic-signature" { (ctx.t("genom e-signering", "by electronic signature")) }
                    }
                    label for="a-by" { (ctx.t("Justerare (när sekreteraren registrerar en annans justering)", "Adjuster (when the secretary records another's adjustment)")) }
                    select id="a-by" name="by" { option value="" { (ctx.t("jag själv", "myself")) } @for p in s.awaiting_adjustment() { option value=(p) { (p) } } }
                    label for="a-reference" { (ctx.t("E-signeringstjänstens referens (vid e-signering)", "The signing service's reference (for an electronic signature)")) }
                    input id="a-reference" name="reference" type="text";
                    button type="submit" id="a-submit" { (ctx.t("Justera", "Adjust")) }
                }
            }
        }
    };
    page(ctx, &v.title, &path, body)
}
