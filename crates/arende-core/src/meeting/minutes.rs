//! Minutes rendered as Markdown in the layout of the reference minutes (Region Örebro
//! län): a header with the body, date, time and place, "Justerat den: … via e-post",
//! chair, adjusters (with their labels) and secretary, attendance by role on the
//! meeting's day (absent names struck through), numbered § paragraphs with jäv, motions,
//! the order of propositions, open votes, "beslutar att …" clauses and reservations, the
//! "Justeras" signature block with a line per adjuster ("Justeras för …"), and the
//! distribution list. Swedish by default; English available.

use std::fmt::Write as _;

use crate::assignment::{Assignee, AssignmentOrder, Due};
use crate::ids::{BodyId, PersonId};
use crate::markdown::{escape_block, escape_line};
use crate::org::{MinutesKind, Organisation, Role};

use super::{
    AdjustmentMeans, Meeting, Minutes, Outcome, Paragraph, Presenter, VoteChoice, expanded_bodies,
};

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
    chair_and_secretary: &'static str,
    adjusted_for: &'static str,
    adjusted_by: &'static str,
    declined_by: &'static str,
    motions: &'static str,
    propositions: &'static str,
    vote: &'static str,
    vote_put: &'static str,
    yes: &'static str,
    no: &'static str,
    abstain: &'static str,
    result: &'static str,
    casting_vote: &'static str,
    adopted: &'static str,
    conflict: &'static str,
    conflict_text: &'static str,
    reservations: &'static str,
    reserves: &'static str,
    presenters: &'static str,
    send_to: &'static str,
    send_notes_to: &'static str,
    elected_in: &'static str,
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
    chair_and_secretary: "Ordförande och sekreterare",
    adjusted_for: "Justeras",
    adjusted_by: "Justerat av",
    declined_by: "Justering vägrad av",
    motions: "Yrkanden",
    propositions: "Propositionsordning",
    vote: "Omröstning",
    vote_put: "Den som vill bifalla yrkande {yes} röstar ja; den som vill bifalla yrkande {no} röstar nej.",
    yes: "ja",
    no: "nej",
    abstain: "avstår",
    result: "Resultat",
    casting_vote: "Ordföranden avgör med sin utslagsröst.",
    adopted: "Ordföranden finner att yrkande {n} bifalls.",
    conflict: "Jäv",
    conflict_text: "anmäler jäv och deltar inte i handläggningen av ärendet",
    reservations: "Reservationer",
    reserves: "reserverar sig mot beslutet",
    presenters: "Föredragande",
    send_to: "Protokollet ska skickas till",
    send_notes_to: "Minnesanteckningarna ska skickas till",
    elected_in: "utsedda i §",
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
    chair_and_secretary: "Chair and secretary",
    adjusted_for: "Adjusted",
    adjusted_by: "Adjusted by",
    declined_by: "Adjustment declined by",
    motions: "Motions",
    propositions: "Order of propositions",
    vote: "Vote",
    vote_put: "Those for motion {yes} vote yes; those for motion {no} vote no.",
    yes: "yes",
    no: "no",
    abstain: "abstains",
    result: "Result",
    casting_vote: "The chair decides with the casting vote.",
    adopted: "The chair finds motion {n} adopted.",
    conflict: "Conflict of interest",
    conflict_text: "declares a conflict of interest and takes no part in the item",
    reservations: "Reservations",
    reserves: "enters a reservation against the decision",
    presenters: "Presenters",
    send_to: "The minutes are sent to",
    send_notes_to: "The notes are sent to",
    elected_in: "elected in §",
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

/// A person's name, escaped for Markdown (as every name and typed text in the minutes).
fn person_name(org: &Organisation, p: &PersonId) -> String {
    escape_line(
        org.person(p)
            .map_or_else(|| p.as_str(), |x| x.name.as_str()),
    )
}

/// A body's name, escaped for Markdown.
fn body_name(org: &Organisation, b: &BodyId) -> String {
    escape_line(org.body(b).map_or_else(|| b.as_str(), |x| x.name.as_str()))
}

/// "Name, Party" (or "Name, title, Party" for officials), as in the reference minutes.
fn person_line(
    org: &Organisation,
    p: &PersonId,
    party: Option<&crate::ids::PartyId>,
    with_title: bool,
) -> String {
    let Some(person) = org.person(p) else {
        return escape_line(p.as_str());
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
    escape_line(&s)
}

fn presenter_name(org: &Organisation, p: &Presenter) -> String {
    match p {
        Presenter::Person(x) => person_name(org, x),
        Presenter::Guest {
            name,
            organisation: Some(o),
            ..
        } => escape_line(&format!("{name}, {o}")),
        Presenter::Guest { name, .. } => escape_line(name),
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
        [one] => format!(
            "{subject} {verb} {att} {}.",
            escape_line(one.trim_end_matches('.'))
        ),
        many => {
            let mut s = format!("{subject} {verb}\n");
            let n = many.len();
            for (i, c) in many.iter().enumerate() {
                let end = if i + 1 == n { "." } else { "," };
                let clause = escape_line(c.trim_end_matches(['.', ',']));
                let _ = write!(s, "\n- {att} {clause}{end}");
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
        Assignee::Body(b) => body_name(org, b),
        Assignee::WorkingGroup(g) => escape_line(&g.name),
    };
    let due = match &order.due {
        Due::Date(d) => format!("{} {d}", l.due_by),
        Due::Meeting(m) => match org.meeting(m) {
            Some(pm) => format!("{} {}", l.due_at, pm.date),
            None => format!("{} {}", l.due_at, escape_line(m.as_str())),
        },
    };
    match language {
        Language::Swedish => format!(
            "{who} ges i uppdrag att {}, {due}.",
            escape_line(order.task.trim_end_matches('.'))
        ),
        Language::English => format!(
            "{who} is assigned to {}, {due}.",
            escape_line(order.task.trim_end_matches('.'))
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
    let _ = writeln!(out, "## § {} {}\n", p.number, escape_line(&p.title));
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
    let text = escape_block(&p.text);
    if !text.is_empty() {
        let _ = writeln!(out, "{text}\n");
    }
    deliberation_md(org, meeting, p, l, out);
    let body_name = |b: &BodyId| body_name(org, b);
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
            let _ = writeln!(
                out,
                "{} {}.\n",
                l.dropped,
                escape_line(r.trim_end_matches('.'))
            );
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
    let reservations: Vec<_> = meeting.reservations_in(p.number).collect();
    if !reservations.is_empty() {
        let _ = writeln!(out, "**{}**\n", l.reservations);
        for r in reservations {
            let _ = writeln!(
                out,
                "- {} {}: {}",
                person_name(org, &r.member),
                l.reserves,
                escape_line(&r.reason)
            );
        }
        out.push('\n');
    }
}

/// A paragraph's conflicts of interest (jäv), motions (yrkanden), order of
/// propositions (propositionsordning) and open vote with each member's vote.
fn deliberation_md(
    org: &Organisation,
    meeting: &Meeting,
    p: &Paragraph,
    l: &Labels,
    out: &mut String,
) {
    if !p.conflicts.is_empty() {
        let _ = writeln!(out, "**{}**\n", l.conflict);
        for c in &p.conflicts {
            match &c.reason {
                Some(r) if !r.trim().is_empty() => {
                    let _ = writeln!(
                        out,
                        "- {} {} ({}).",
                        person_name(org, &c.member),
                        l.conflict_text,
                        escape_line(r)
                    );
                }
                _ => {
                    let _ = writeln!(
                        out,
                        "- {} {}.",
                        person_name(org, &c.member),
                        l.conflict_text
                    );
                }
            }
        }
        out.push('\n');
    }
    if !p.motions.is_empty() {
        let _ = writeln!(out, "**{}**\n", l.motions);
        for (i, m) in p.motions.iter().enumerate() {
            let _ = writeln!(
                out,
                "{}. {}: {}",
                i + 1,
                person_name(org, &m.by),
                escape_line(&m.text)
            );
        }
        out.push('\n');
    }
    if !p.propositions.is_empty() {
        let order: Vec<String> = p.propositions.iter().map(u32::to_string).collect();
        let _ = writeln!(out, "**{}:** {}\n", l.propositions, order.join(", "));
    }
    let chair = meeting.minutes.as_ref().map(|m| &m.chair);
    if let Some(v) = &p.vote {
        let _ = writeln!(out, "**{}**\n", l.vote);
        let _ = writeln!(
            out,
            "{}\n",
            l.vote_put
                .replace("{yes}", &v.yes.to_string())
                .replace("{no}", &v.no.to_string())
        );
        for b in &v.ballots {
            let choice = match b.choice {
                VoteChoice::Yes => l.yes,
                VoteChoice::No => l.no,
                VoteChoice::Abstain => l.abstain,
            };
            let _ = writeln!(out, "- {}: {choice}", person_name(org, &b.member));
        }
        out.push('\n');
        if let Some(r) = chair.and_then(|c| v.result(c)) {
            let _ = writeln!(
                out,
                "{}: {} {}, {} {}, {} {}.{}\n",
                l.result,
                r.yes,
                l.yes,
                r.no,
                l.no,
                r.abstained,
                l.abstain,
                if r.casting_vote {
                    format!(" {}", l.casting_vote)
                } else {
                    String::new()
                }
            );
            let _ = writeln!(
                out,
                "{}\n",
                l.adopted.replace("{n}", &r.adopted.to_string())
            );
        }
    } else if let Some(n) = p.adopted {
        let _ = writeln!(out, "{}\n", l.adopted.replace("{n}", &n.to_string()));
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
    let title = escape_line(&meeting_title(org, &meeting.bodies, language));
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
        let _ = write!(when, ". {}", escape_line(place));
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
            for a in &meeting.signatures {
                if let Some(by) = &a.by {
                    let _ = writeln!(
                        out,
                        "{} {} {} {}.\n",
                        l.adjusted_by,
                        person_name(org, by),
                        a.on,
                        means(&a.means, language)
                    );
                }
            }
            if meeting.returned
                && let Some(d) = meeting.declines.last()
            {
                let _ = writeln!(
                    out,
                    "{} {} {}: {}\n",
                    l.declined_by,
                    person_name(org, &d.by),
                    d.on,
                    escape_line(&d.comments)
                );
            }
        }
        None => {}
    }
    let on = meeting.date().unwrap_or(slot.date);
    let roster: Vec<&crate::org::Membership> = org.memberships_on(on).collect();
    let bodies = expanded_bodies(org, &meeting.bodies);
    let party_in = |p: &PersonId| {
        roster
            .iter()
            .find(|m| &m.person == p && bodies.contains(&m.body))
            .and_then(|m| m.party.clone())
    };
    let same = minutes.chair == minutes.secretary;
    let _ = writeln!(
        out,
        "**{}:** {}\n",
        if same { l.chair_and_secretary } else { l.chair },
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
            .map(|a| {
                let line = person_line(org, a, party_in(a).as_ref(), false);
                match minutes.label(a) {
                    Some(label) => format!("{line} ({})", escape_line(label)),
                    None => line,
                }
            })
            .collect();
        let elected = minutes
            .adjusters_elected_in
            .map(|n| format!(" ({} {n})", l.elected_in))
            .unwrap_or_default();
        let _ = writeln!(out, "**{}:** {}{elected}\n", l.adjusters, names.join("; "));
    }
    if !same {
        let _ = writeln!(
            out,
            "**{}:** {}\n",
            l.secretary,
            person_name(org, &minutes.secretary)
        );
    }

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
            let _ = writeln!(out, "### {}\n", body_name(org, body));
        }
        let members: Vec<_> = roster
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
        let subs: Vec<_> = roster
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
    for m in roster
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
            let guest = match &g.organisation {
                Some(o) => escape_line(&format!("{}, {o}", g.name)),
                None => escape_line(&g.name),
            };
            let _ = writeln!(out, "- {guest}");
        }
        out.push('\n');
    }
    if any_absent {
        let _ = writeln!(out, "*{}*\n", l.struck);
    }

    for p in &minutes.paragraphs {
        paragraph_md(org, meeting, &title, p, language, &mut out);
    }

    signatures_md(org, meeting, minutes, l, language, &mut out);
    distribution_md(org, meeting, minutes, &bodies, l, &mut out);
    Some(out)
}

/// The signature block: the chair (with "och sekreterare" when the same person), then
/// one line per adjuster with its label ("Justeras för kommunerna"), then the
/// secretary ("Vid protokollet").
fn signatures_md(
    org: &Organisation,
    meeting: &Meeting,
    minutes: &Minutes,
    l: &Labels,
    language: Language,
    out: &mut String,
) {
    let same = minutes.chair == minutes.secretary;
    let _ = writeln!(out, "## {}\n", l.signatures);
    let mut signers: Vec<(String, &PersonId)> = vec![(
        if same { l.chair_and_secretary } else { l.chair }.to_owned(),
        &minutes.chair,
    )];
    for a in &minutes.adjusters {
        let role = match (minutes.label(a), language) {
            (Some(label), Language::Swedish) => {
                format!("{} {}", l.adjusted_for, escape_line(label))
            }
            (Some(label), Language::English) => {
                format!("{} ({})", l.adjuster, escape_line(label))
            }
            (None, _) => l.adjuster.to_owned(),
        };
        signers.push((role, a));
    }
    let header: Vec<&str> = signers.iter().map(|(r, _)| r.as_str()).collect();
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(signers.len()));
    let _ = writeln!(
        out,
        "|{}",
        " ________________________ |".repeat(signers.len())
    );
    let names: Vec<String> = signers.iter().map(|(_, p)| person_name(org, p)).collect();
    let _ = writeln!(out, "| {} |\n", names.join(" | "));
    // Each adjustment as recorded: who, when and how (with the signing reference).
    if meeting.adjustment.is_some() {
        for a in &meeting.signatures {
            if let Some(by) = &a.by {
                let reference = a
                    .reference
                    .as_ref()
                    .map(|r| format!(" ({})", escape_line(r)))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "{} {} {} {}{reference}.\n",
                    l.adjusted_by,
                    person_name(org, by),
                    a.on,
                    means(&a.means, language)
                );
            }
        }
    }
    if !same {
        let _ = writeln!(
            out,
            "{}: {}, {}\n",
            l.at_minutes,
            person_name(org, &minutes.secretary),
            l.secretary.to_lowercase()
        );
    }
}

/// "Protokollet ska skickas till: Ledamöter, <the body above>, Föredragande".
fn distribution_md(
    org: &Organisation,
    meeting: &Meeting,
    minutes: &Minutes,
    bodies: &[BodyId],
    l: &Labels,
    out: &mut String,
) {
    let mut to: Vec<String> = vec![l.members.to_owned()];
    for b in bodies {
        if let Some(parent) = org.body(b).and_then(|x| x.parent.as_ref())
            && !bodies.contains(parent)
        {
            let name = body_name(org, parent);
            if !to.contains(&name) {
                to.push(name);
            }
        }
    }
    let presenters = meeting.agenda.iter().any(|e| e.item.presenter.is_some())
        || minutes.paragraphs.iter().any(|p| !p.presenters.is_empty());
    if presenters {
        to.push(l.presenters.to_owned());
    }
    let lead = match minutes.kind {
        MinutesKind::Protocol => l.send_to,
        MinutesKind::Notes => l.send_notes_to,
    };
    let _ = writeln!(out, "{lead}: {}", to.join(", "));
}
