//! Minutes rendered as Markdown in the layout of the reference minutes (Region Örebro
//! län): a header with the body, date, time and place, "Justerat den: … via e-post",
//! chair, adjusters and secretary, attendance by role (absent names struck through),
//! numbered § paragraphs with "beslutar att …" clauses, and the "Justeras" signature
//! block. Swedish by default; English available.

use std::fmt::Write as _;

use crate::assignment::{Assignee, AssignmentOrder, Due};
use crate::ids::{BodyId, PersonId};
use crate::org::{MinutesKind, Organisation, Role};

use super::{AdjustmentMeans, Meeting, Outcome, Paragraph, Presenter, expanded_bodies};

pub use crate::notification::Language;

struct Labels {
    protocol: &'static str,
    notes: &'static str,
    adjusted_on: &'static str,
    not_adjusted: &'static str,
    chair: &'static str,
    adjusters: &'static str,
    adjuster: &'static str,
    secretary: &'static str,
    members: &'static str,
    substitutes: &'static str,
    officials: &'static str,
    others: &'static str,
    serving_for: &'static str,
    struck: &'static str,
    presenter: &'static str,
    raised_by: &'static str,
    decision: &'static str,
    direction: &'static str,
    readiness: &'static str,
    prepared: &'static str,
    proposes: &'static str,
    ready: &'static str,
    not_ready: &'static str,
    to_political: &'static str,
    decides: &'static str,
    noted: &'static str,
    discussed: &'static str,
    tabled: &'static str,
    dropped: &'static str,
    assignment: &'static str,
    due_at: &'static str,
    due_by: &'static str,
    signatures: &'static str,
    at_minutes: &'static str,
    time: &'static str,
}

const SV: Labels = Labels {
    protocol: "Protokoll",
    notes: "Minnesanteckningar",
    adjusted_on: "Justerat den:",
    not_adjusted: "Ej justerat.",
    chair: "Ordförande",
    adjusters: "Justerare",
    adjuster: "Justerare",
    secretary: "Sekreterare",
    members: "Ledamöter",
    substitutes: "Ersättare",
    officials: "Tjänstepersoner",
    others: "Övriga",
    serving_for: "tjänstgör för",
    struck: "Överstruket namn: inte närvarande.",
    presenter: "Föredragande",
    raised_by: "anmäler ärendet till dagordningen",
    decision: "Beslut",
    direction: "Inriktningsbeslut",
    readiness: "Ställningstagande",
    prepared: "Beredning",
    proposes: "föreslår",
    ready: "Parterna är redo för beslutsprocess.",
    not_ready: "Parterna är inte redo för beslutsprocess.",
    to_political: "Ärendet går vidare till politisk beslutsprocess hos parterna.",
    decides: "beslutar",
    noted: "Informationen läggs till handlingarna.",
    discussed: "Frågan diskuterades.",
    tabled: "Ärendet bordläggs till nästa möte.",
    dropped: "Ärendet utgår",
    assignment: "Uppdrag",
    due_at: "återrapporteras vid mötet",
    due_by: "återrapporteras senast",
    signatures: "Justeras",
    at_minutes: "Vid protokollet",
    time: "kl.",
};

const EN: Labels = Labels {
    protocol: "Minutes",
    notes: "Notes",
    adjusted_on: "Adjusted on:",
    not_adjusted: "Not adjusted.",
    chair: "Chair",
    adjusters: "Adjusters",
    adjuster: "Adjuster",
    secretary: "Secretary",
    members: "Members",
    substitutes: "Substitutes",
    officials: "Officials",
    others: "Others",
    serving_for: "serving for",
    struck: "Struck-through name: not present.",
    presenter: "Presenter",
    raised_by: "adds the item to the agenda",
    decision: "Decision",
    direction: "Direction decision",
    readiness: "Readiness check",
    prepared: "Preparation",
    proposes: "proposes",
    ready: "The parties are ready for the decision process.",
    not_ready: "The parties are not ready for the decision process.",
    to_political: "The matter goes on to political decision in the parties.",
    decides: "decides",
    noted: "The information is noted and filed.",
    discussed: "The question was discussed.",
    tabled: "The item is tabled until the next meeting.",
    dropped: "The item is dropped",
    assignment: "Assignment",
    due_at: "to be reported at the meeting",
    due_by: "to be reported by",
    signatures: "Signatures",
    at_minutes: "Minutes taken by",
    time: "",
};

fn labels(language: Language) -> &'static Labels {
    match language {
        Language::Swedish => &SV,
        Language::English => &EN,
    }
}

/// The name of the bodies meeting: the body's name, or for several bodies the joint
/// session that joins exactly them, or their names joined.
pub fn meeting_title(org: &Organisation, bodies: &[BodyId], language: Language) -> String {
    let name = |b: &BodyId| {
        org.body(b)
            .map_or_else(|| b.to_string(), |x| x.name.clone())
    };
    // A joint session listed with (some of) the bodies it joins names the meeting.
    if let Some(session) = bodies.iter().find(|b| {
        org.body(b).is_some_and(|x| {
            !x.joint_of.is_empty()
                && bodies
                    .iter()
                    .all(|other| other == *b || x.joint_of.contains(other))
        })
    }) {
        return name(session);
    }
    if let [one] = bodies {
        return name(one);
    }
    let mut wanted: Vec<&BodyId> = bodies.iter().collect();
    wanted.sort();
    if let Some(joint) = org.bodies.values().find(|b| {
        let mut j: Vec<&BodyId> = b.joint_of.iter().collect();
        j.sort();
        !j.is_empty() && j == wanted
    }) {
        return joint.name.clone();
    }
    let names: Vec<String> = bodies.iter().map(name).collect();
    let and = match language {
        Language::Swedish => " och ",
        Language::English => " and ",
    };
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{}{and}{last}", rest.join(", ")),
        _ => names.concat(),
    }
}

fn person_name(org: &Organisation, p: &PersonId) -> String {
    org.person(p)
        .map_or_else(|| p.to_string(), |x| x.name.clone())
}

/// "Name, Party" (or "Name, title, Party" for officials), as in the reference minutes.
fn person_line(
    org: &Organisation,
    p: &PersonId,
    party: Option<&crate::ids::PartyId>,
    with_title: bool,
) -> String {
    let Some(person) = org.person(p) else {
        return p.to_string();
    };
    let mut s = person.name.clone();
    if with_title && let Some(t) = &person.title {
        s.push_str(", ");
        s.push_str(t);
    }
    if let Some(party) = party.or(person.party.as_ref()).and_then(|id| org.party(id)) {
        s.push_str(", ");
        s.push_str(&party.name);
    }
    s
}

fn presenter_name(org: &Organisation, p: &Presenter) -> String {
    match p {
        Presenter::Person(x) => person_name(org, x),
        Presenter::Guest {
            name,
            organisation: Some(o),
            ..
        } => format!("{name}, {o}"),
        Presenter::Guest { name, .. } => name.clone(),
    }
}

fn time_range(start: chrono::NaiveTime, end: chrono::NaiveTime, language: Language) -> String {
    match language {
        Language::Swedish => format!("{}–{}", start.format("%H.%M"), end.format("%H.%M")),
        Language::English => format!("{}–{}", start.format("%H:%M"), end.format("%H:%M")),
    }
}

fn means(m: &AdjustmentMeans, language: Language) -> String {
    match language {
        Language::Swedish => m.swedish(),
        Language::English => m.english(),
    }
}

fn clauses_text(subject: &str, verb: &str, clauses: &[String], language: Language) -> String {
    let att = match language {
        Language::Swedish => "att",
        Language::English => "to",
    };
    match clauses {
        [one] => format!("{subject} {verb} {att} {}.", one.trim_end_matches('.')),
        many => {
            let mut s = format!("{subject} {verb}\n");
            let n = many.len();
            for (i, c) in many.iter().enumerate() {
                let end = if i + 1 == n { "." } else { "," };
                let _ = write!(s, "\n- {att} {}{end}", c.trim_end_matches(['.', ',']));
            }
            s
        }
    }
}

fn assignment_line(
    org: &Organisation,
    order: &AssignmentOrder,
    language: Language,
    l: &Labels,
) -> String {
    let who = match &order.assignee {
        Assignee::Person(p) => person_name(org, p),
        Assignee::Body(b) => org
            .body(b)
            .map_or_else(|| b.to_string(), |x| x.name.clone()),
        Assignee::WorkingGroup(g) => g.name.clone(),
    };
    let due = match &order.due {
        Due::Date(d) => format!("{} {d}", l.due_by),
        Due::Meeting(m) => match org.meeting(m) {
            Some(pm) => format!("{} {}", l.due_at, pm.date),
            None => format!("{} {m}", l.due_at),
        },
    };
    match language {
        Language::Swedish => format!(
            "{who} ges i uppdrag att {}, {due}.",
            order.task.trim_end_matches('.')
        ),
        Language::English => format!(
            "{who} is assigned to {}, {due}.",
            order.task.trim_end_matches('.')
        ),
    }
}

fn paragraph_md(
    org: &Organisation,
    meeting: &Meeting,
    subject: &str,
    p: &Paragraph,
    language: Language,
    out: &mut String,
) {
    let l = labels(language);
    let _ = writeln!(out, "## § {} {}\n", p.number, p.title.trim());
    if !p.presenters.is_empty() {
        let names: Vec<String> = p
            .presenters
            .iter()
            .map(|x| presenter_name(org, x))
            .collect();
        let _ = writeln!(out, "*{}: {}*\n", l.presenter, names.join(", "));
    }
    if let Some(n) = p.agenda_item
        && let Some(added_by) = meeting
            .agenda
            .iter()
            .find(|e| e.item.number == n)
            .and_then(|e| e.added_by.as_ref())
    {
        let _ = writeln!(out, "*{} {}.*\n", person_name(org, added_by), l.raised_by);
    }
    if !p.text.trim().is_empty() {
        let _ = writeln!(out, "{}\n", p.text.trim());
    }
    let body_name = |b: &BodyId| {
        org.body(b)
            .map_or_else(|| b.to_string(), |x| x.name.clone())
    };
    match &p.outcome {
        Outcome::Recorded => {}
        Outcome::NotedAndFiled => {
            let _ = writeln!(out, "{}\n", l.noted);
        }
        Outcome::Discussed => {
            let _ = writeln!(out, "{}\n", l.discussed);
        }
        Outcome::Tabled => {
            let _ = writeln!(out, "{}\n", l.tabled);
        }
        Outcome::Dropped { reason } => {
            let r = match language {
                Language::Swedish => reason.swedish(),
                Language::English => reason.english(),
            };
            let _ = writeln!(out, "{} {}.\n", l.dropped, r.trim_end_matches('.'));
        }
        Outcome::Decided { clauses } => {
            let _ = writeln!(out, "**{}**\n", l.decision);
            let _ = writeln!(
                out,
                "{}\n",
                clauses_text(subject, l.decides, clauses, language)
            );
        }
        Outcome::Prepared { clauses } => {
            let _ = writeln!(out, "**{}**\n", l.prepared);
            if !clauses.is_empty() {
                let _ = writeln!(
                    out,
                    "{}\n",
                    clauses_text(subject, l.proposes, clauses, language)
                );
            }
        }
        Outcome::Rejected { clauses } => {
            let _ = writeln!(out, "**{}**\n", l.decision);
            let _ = writeln!(
                out,
                "{}\n",
                clauses_text(subject, l.decides, clauses, language)
            );
        }
        Outcome::ReadinessChecked { ready, clauses } => {
            let _ = writeln!(out, "**{}**\n", l.readiness);
            let _ = writeln!(out, "{}\n", if *ready { l.ready } else { l.not_ready });
            let _ = writeln!(
                out,
                "{}\n",
                clauses_text(subject, l.decides, clauses, language)
            );
        }
        Outcome::ForwardedToPolitical { clauses } => {
            let _ = writeln!(out, "**{}**\n", l.decision);
            let _ = writeln!(
                out,
                "{}\n",
                clauses_text(subject, l.decides, clauses, language)
            );
            let _ = writeln!(out, "{}\n", l.to_political);
        }
        Outcome::DirectionDecision { clauses } => {
            let _ = writeln!(out, "**{}**\n", l.direction);
            let _ = writeln!(
                out,
                "{}\n",
                clauses_text(subject, l.decides, clauses, language)
            );
        }
        Outcome::Recommended { to, clauses } => {
            let verb = match language {
                Language::Swedish => format!("föreslår {}", body_name(to)),
                Language::English => format!("recommends that {} decide", body_name(to)),
            };
            let _ = writeln!(out, "**{}**\n", l.decision);
            let _ = writeln!(out, "{}\n", clauses_text(subject, &verb, clauses, language));
        }
        Outcome::ReferredBack { to, clauses } => {
            let verb = match language {
                Language::Swedish => {
                    format!("återremitterar ärendet till {} med uppdrag", body_name(to))
                }
                Language::English => format!(
                    "refers the matter back to {} with the instruction",
                    body_name(to)
                ),
            };
            let _ = writeln!(out, "**{}**\n", l.decision);
            let _ = writeln!(out, "{}\n", clauses_text(subject, &verb, clauses, language));
        }
    }
    for order in &p.assignments {
        let _ = writeln!(
            out,
            "{}: {}\n",
            l.assignment,
            assignment_line(org, order, language, l)
        );
    }
}

/// Renders a meeting's minutes as Markdown, or `None` when no minutes are drafted.
pub fn render_markdown(
    org: &Organisation,
    meeting: &Meeting,
    language: Language,
) -> Option<String> {
    let minutes = meeting.minutes.as_ref()?;
    let slot = meeting.slot.as_ref()?;
    let l = labels(language);
    let title = meeting_title(org, &meeting.bodies, language);
    let mut out = String::new();
    let heading = match minutes.kind {
        MinutesKind::Protocol => l.protocol,
        MinutesKind::Notes => l.notes,
    };
    let _ = writeln!(out, "# {heading} {title}\n");
    let mut when = format!("{}, {}", slot.date, l.time);
    if l.time.is_empty() {
        when.pop();
    } else {
        when.push(' ');
    }
    when.push_str(&time_range(slot.start, slot.end, language));
    if let Some(place) = &slot.location {
        let _ = write!(when, ". {place}");
    }
    let _ = writeln!(out, "{when}\n");
    match &meeting.adjustment {
        Some(a) => {
            let _ = writeln!(
                out,
                "{} {} {}.\n",
                l.adjusted_on,
                a.on,
                means(&a.means, language)
            );
        }
        None if minutes.kind == MinutesKind::Protocol => {
            let _ = writeln!(out, "{}\n", l.not_adjusted);
        }
        None => {}
    }
    let bodies = expanded_bodies(org, &meeting.bodies);
    let party_in = |p: &PersonId| {
        org.memberships
            .iter()
            .find(|m| &m.person == p && bodies.contains(&m.body))
            .and_then(|m| m.party.clone())
    };
    let _ = writeln!(
        out,
        "**{}:** {}\n",
        l.chair,
        person_line(
            org,
            &minutes.chair,
            party_in(&minutes.chair).as_ref(),
            false
        )
    );
    if !minutes.adjusters.is_empty() {
        let names: Vec<String> = minutes
            .adjusters
            .iter()
            .map(|a| person_line(org, a, party_in(a).as_ref(), false))
            .collect();
        let _ = writeln!(out, "**{}:** {}\n", l.adjusters, names.join("; "));
    }
    let _ = writeln!(
        out,
        "**{}:** {}\n",
        l.secretary,
        person_name(org, &minutes.secretary)
    );

    let attendance = meeting.attendance.clone().unwrap_or_default();
    let struck = |present: bool, line: String| if present { line } else { format!("~~{line}~~") };
    // The bodies whose members sit at the meeting: a joint session's own bodies, or the
    // bodies meeting together, or the one body.
    let groups: Vec<BodyId> = {
        let inner: Vec<BodyId> = bodies
            .iter()
            .filter(|b| {
                !org.body(b).is_some_and(|x| {
                    !x.joint_of.is_empty() && x.joint_of.iter().all(|j| bodies.contains(j))
                })
            })
            .cloned()
            .collect();
        if inner.is_empty() {
            bodies.clone()
        } else {
            inner
        }
    };
    let mut listed: Vec<PersonId> = vec![minutes.chair.clone(), minutes.secretary.clone()];
    let mut any_absent = false;
    for body in &groups {
        if groups.len() > 1 {
            let name = org
                .body(body)
                .map_or_else(|| body.to_string(), |b| b.name.clone());
            let _ = writeln!(out, "### {name}\n");
        }
        let members: Vec<_> = org
            .memberships
            .iter()
            .filter(|m| &m.body == body && m.role == Role::Member)
            .collect();
        if !members.is_empty() {
            let _ = writeln!(out, "**{}:**\n", l.members);
            for m in members {
                let present = attendance.took_part(&m.person);
                any_absent |= !present;
                let _ = writeln!(
                    out,
                    "- {}",
                    struck(
                        present,
                        person_line(org, &m.person, m.party.as_ref(), false)
                    )
                );
                listed.push(m.person.clone());
            }
            out.push('\n');
        }
        let subs: Vec<_> = org
            .memberships
            .iter()
            .filter(|m| &m.body == body && m.role == Role::Substitute)
            .collect();
        if !subs.is_empty() {
            let _ = writeln!(out, "**{}:**\n", l.substitutes);
            for m in subs {
                let present = attendance.took_part(&m.person);
                any_absent |= !present;
                let mut line = person_line(org, &m.person, m.party.as_ref(), false);
                if let Some(s) = attendance
                    .substitutes
                    .iter()
                    .find(|s| s.substitute == m.person)
                {
                    let _ = write!(line, " ({} {})", l.serving_for, person_name(org, &s.member));
                }
                let _ = writeln!(out, "- {}", struck(present, line));
                listed.push(m.person.clone());
            }
            out.push('\n');
        }
    }
    let mut officials: Vec<(PersonId, bool)> = Vec::new();
    for m in org
        .memberships
        .iter()
        .filter(|m| bodies.contains(&m.body) && m.role == Role::Official)
    {
        if !officials.iter().any(|(p, _)| p == &m.person) && !listed.contains(&m.person) {
            officials.push((m.person.clone(), attendance.took_part(&m.person)));
        }
    }
    for p in &attendance.present {
        if !listed.contains(p) && !officials.iter().any(|(x, _)| x == p) {
            officials.push((p.clone(), true));
        }
    }
    if !officials.is_empty() {
        let _ = writeln!(out, "**{}:**\n", l.officials);
        for (p, present) in &officials {
            any_absent |= !present;
            let _ = writeln!(
                out,
                "- {}",
                struck(*present, person_line(org, p, None, true))
            );
        }
        out.push('\n');
    }
    if !attendance.guests.is_empty() {
        let _ = writeln!(out, "**{}:**\n", l.others);
        for g in &attendance.guests {
            match &g.organisation {
                Some(o) => {
                    let _ = writeln!(out, "- {}, {o}", g.name);
                }
                None => {
                    let _ = writeln!(out, "- {}", g.name);
                }
            }
        }
        out.push('\n');
    }
    if any_absent {
        let _ = writeln!(out, "*{}*\n", l.struck);
    }

    for p in &minutes.paragraphs {
        paragraph_md(org, meeting, &title, p, language, &mut out);
    }

    let _ = writeln!(out, "## {}\n", l.signatures);
    let mut signers: Vec<(String, String)> =
        vec![(l.chair.to_owned(), person_name(org, &minutes.chair))];
    for a in &minutes.adjusters {
        signers.push((l.adjuster.to_owned(), person_name(org, a)));
    }
    let header: Vec<&str> = signers.iter().map(|(r, _)| r.as_str()).collect();
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(signers.len()));
    let _ = writeln!(
        out,
        "|{}",
        " ________________________ |".repeat(signers.len())
    );
    let names: Vec<&str> = signers.iter().map(|(_, n)| n.as_str()).collect();
    let _ = writeln!(out, "| {} |\n", names.join(" | "));
    let _ = writeln!(
        out,
        "{}: {}, {}",
        l.at_minutes,
        person_name(org, &minutes.secretary),
        l.secretary.to_lowercase()
    );
    Some(out)
}
