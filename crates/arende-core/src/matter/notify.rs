//! What a matter's changes tell people: feedback (återkoppling) to the submitter and to
//! followers, and the remiss to its recipients. Texts in Swedish (default) and English.

use chrono::NaiveDate;

use super::decide::remiss_recipients;
use super::event::{Matter, MatterEvent};
use super::types::*;
use crate::aggregate::Event;
use crate::authz::Actor;
use crate::ids::{BodyId, MatterId, PersonId};
use crate::notification::{Notification, NotificationKind, Recipient, RecipientReason};
use crate::org::Organisation;

fn body_name<'a>(org: &'a Organisation, id: &'a BodyId) -> &'a str {
    org.body(id).map_or(id.as_str(), |b| b.name.as_str())
}

fn party_name<'a>(org: &'a Organisation, id: &'a crate::ids::PartyId) -> &'a str {
    org.party(id).map_or(id.as_str(), |p| p.name.as_str())
}

fn next_bodies(org: &Organisation, adv: Option<&Advance>) -> Option<String> {
    let names: Vec<&str> = adv?
        .activated
        .iter()
        .filter_map(|a| a.body.as_ref())
        .map(|b| body_name(org, b))
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// What an event means, in Swedish and in English.
pub(crate) fn describe(org: &Organisation, event: &MatterEvent) -> (String, String) {
    use MatterEvent::*;
    let moved = |adv: Option<&Advance>| -> (String, String) {
        match next_bodies(org, adv) {
            Some(n) => (
                format!(" Ärendet går vidare till {n}."),
                format!(" The matter moves on to {n}."),
            ),
            None => (String::new(), String::new()),
        }
    };
    match event {
        Submitted { body, .. } => {
            let b = body_name(org, body);
            (
                format!("Ärendet har registrerats hos {b} och väntar på relevansbedömning."),
                format!("The matter has been registered with {b} and awaits screening."),
            )
        }
        CaseNumberRegistered { party, number } => {
            let p = party_name(org, party);
            (
                format!("{p} har registrerat ärendet med diarienummer {number}."),
                format!("{p} registered the matter as case {number}."),
            )
        }
        DocumentsReady { on } => (
            format!("Handlingarna är klara ({on})."),
            format!("The documents are ready ({on})."),
        ),
        ScreenedAsInformation { body } => {
            let b = body_name(org, body);
            (
                format!("{b} tar emot ärendet som informationspunkt."),
                format!("{b} accepted the matter as an information item."),
            )
        }
        AcceptedForHandling { body, route, .. } => {
            let b = body_name(org, body);
            let r = org.route(route).map_or(route.as_str(), |r| r.name());
            (
                format!("{b} har tagit emot ärendet för handläggning enligt beslutsvägen {r}."),
                format!("{b} accepted the matter for handling on the route {r}."),
            )
        }
        Redirected { to, reason, .. } => {
            let b = body_name(org, to);
            (
                format!("Ärendet har lämnats över till {b}: {reason}"),
                format!("The matter has been redirected to {b}: {reason}"),
            )
        }
        AnsweredDirectly { answer, .. } => (
            format!("Ärendet har besvarats direkt: {answer}"),
            format!("The matter has been answered directly: {answer}"),
        ),
        Scheduled { meeting, body } => {
            let b = body_name(org, body);
            let date = org
                .meeting(meeting)
                .map(|m| m.date.to_string())
                .unwrap_or_default();
            (
                format!("Ärendet står på dagordningen för {b} den {date}."),
                format!("The matter is on the agenda of {b} on {date}."),
            )
        }
        Presented { at, advance } => {
            let b = body_name(org, &at.body);
            let (sv, en) = moved(advance.as_ref());
            (
                format!("Ärendet har föredragits för {b}.{sv}"),
                format!("The matter has been presented to {b}.{en}"),
            )
        }
        Prepared { at, advance, .. } => {
            let b = body_name(org, &at.body);
            let (sv, en) = moved(advance.as_ref());
            (
                format!("{b} har berett ärendet.{sv}"),
                format!("{b} has prepared the matter.{en}"),
            )
        }
        RemissSent { at, deadline, .. } => {
            let b = body_name(org, &at.body);
            (
                format!("{b} har skickat ärendet på remiss; synpunkter senast {deadline}."),
                format!("{b} has sent the matter on consultation; comments by {deadline}."),
            )
        }
        RemissResponseRecorded {
            recipient,
            comments,
            ..
        } => (
            format!("Remissvar från {recipient} med {comments} synpunkter har registrerats."),
            format!("A response from {recipient} with {comments} comments has been recorded."),
        ),
        ResponsesWorkedIn {
            comments_handled,
            advance,
            ..
        } => {
            let (sv, en) = moved(advance.as_ref());
            (
                format!(
                    "Remissvaren har bearbetats: {comments_handled} synpunkter omhändertagna.{sv}"
                ),
                format!(
                    "The responses have been worked in: {comments_handled} comments handled.{en}"
                ),
            )
        }
        DirectionDecided { at, direction } => {
            let b = body_name(org, &at.body);
            (
                format!("{b} har fattat inriktningsbeslut: {direction}"),
                format!("{b} took a direction decision: {direction}"),
            )
        }
        Recommended {
            at,
            recommendation,
            to,
            ..
        } => {
            let b = body_name(org, &at.body);
            let t: Vec<&str> = to.iter().map(|x| body_name(org, x)).collect();
            let t = if t.is_empty() {
                "nästa steg".to_owned()
            } else {
                t.join(", ")
            };
            (
                format!("{b} föreslår {t} att {recommendation}"),
                format!("{b} proposes to {t}: {recommendation}"),
            )
        }
        ReadinessChecked {
            at, ready, advance, ..
        } => {
            let b = body_name(org, &at.body);
            let (sv, en) = moved(advance.as_ref());
            if *ready {
                (
                    format!("{b} har bedömt att parterna är redo för beslutsprocess.{sv}"),
                    format!("{b} found the parties ready for the decision process.{en}"),
                )
            } else {
                (
                    format!("{b} har bedömt att parterna ännu inte är redo för beslutsprocess."),
                    format!("{b} found the parties not yet ready for the decision process."),
                )
            }
        }
        Decided {
            at,
            approved,
            clauses,
            advance,
        } => {
            let b = body_name(org, &at.body);
            let att = clauses
                .iter()
                .map(|c| format!(" att {c}"))
                .collect::<Vec<_>>()
                .join(";");
            let (sv, en) = moved(advance.as_ref());
            if *approved {
                (
                    format!("{b} har beslutat{att}.{sv}"),
                    format!("{b} has decided{att}.{en}"),
                )
            } else {
                (
                    format!("{b} har avslagit ärendet."),
                    format!("{b} has rejected the matter."),
                )
            }
        }
        ForwardedToPolitical { at, advance } => {
            let b = body_name(org, &at.body);
            let (sv, en) = moved(advance.as_ref());
            (
                format!("{b} har beslutat att ärendet går till politiskt beslut i parterna.{sv}"),
                format!(
                    "{b} decided that the matter goes to political decision in the parties.{en}"
                ),
            )
        }
        ReferredBack {
            at,
            instructions,
            to,
            ..
        } => {
            let b = body_name(org, &at.body);
            let t = to
                .body
                .as_ref()
                .map_or(to.step.as_str(), |x| body_name(org, x));
            (
                format!("{b} har återremitterat ärendet till {t}: {instructions}"),
                format!("{b} referred the matter back to {t}: {instructions}"),
            )
        }
        Tabled { at, next_meeting } => {
            let b = body_name(org, &at.body);
            let next = next_meeting
                .as_ref()
                .and_then(|m| org.meeting(m))
                .map(|m| m.date.to_string());
            match next {
                Some(d) => (
                    format!("{b} har bordlagt ärendet till mötet den {d}."),
                    format!("{b} tabled the matter until its meeting on {d}."),
                ),
                None => (
                    format!("{b} har bordlagt ärendet till ett kommande möte."),
                    format!("{b} tabled the matter until a coming meeting."),
                ),
            }
        }
        DroppedFromAgenda {
            body,
            reason,
            moved_to,
            ..
        } => {
            let b = body_name(org, body);
            let why = reason
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            let next = moved_to
                .as_ref()
                .and_then(|m| org.meeting(m))
                .map(|m| m.date.to_string());
            match next {
                Some(d) => (
                    format!(
                        "Ärendet utgick från dagordningen för {b}{why} och flyttas till mötet den {d}."
                    ),
                    format!(
                        "The matter was dropped from the agenda of {b}{why} and moves to the meeting on {d}."
                    ),
                ),
                None => (
                    format!("Ärendet utgick från dagordningen för {b}{why}."),
                    format!("The matter was dropped from the agenda of {b}{why}."),
                ),
            }
        }
        Withdrawn { reason, .. } => {
            let why = reason
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            (
                format!("Ärendet har återtagits{why}."),
                format!("The matter has been withdrawn{why}."),
            )
        }
        Filed { at } => {
            let b = body_name(org, &at.body);
            (
                format!("{b} har lagt ärendet till handlingarna."),
                format!("{b} has noted and filed the matter."),
            )
        }
        Escalated { to, reason, .. } => {
            let r = org.route(to).map_or(to.as_str(), |r| r.name());
            (
                format!("Ärendet har lyfts till beslutsvägen {r}: {reason}"),
                format!("The matter has been escalated to the route {r}: {reason}"),
            )
        }
        PoliticalDecisionRecorded {
            party,
            decision,
            on,
            ..
        } => {
            let p = party_name(org, party);
            match decision {
                PartyDecision::Adopted => (
                    format!("{p} har antagit ärendet ({on})."),
                    format!("{p} has adopted the matter ({on})."),
                ),
                PartyDecision::Rejected => (
                    format!("{p} har avslagit ärendet ({on})."),
                    format!("{p} has rejected the matter ({on})."),
                ),
            }
        }
        Concluded { outcome } => {
            let en = match outcome {
                Conclusion::DecidedWithinMandate => "decided within mandate",
                Conclusion::Adopted => "adopted by every party",
                Conclusion::PartiallyAdopted => "partially adopted",
                Conclusion::Rejected => "rejected",
            };
            (
                format!("Ärendet är {}.", outcome.swedish()),
                format!("The matter is {en}."),
            )
        }
        EnteredIntoForce { on, .. } => (
            format!("Ärendet träder i kraft den {on}."),
            format!("The matter enters into force on {on}."),
        ),
        FollowedUp { note, .. } => (
            format!("Ärendet har följts upp: {note}"),
            format!("The matter has been followed up: {note}"),
        ),
        Revised { .. } => (
            "Ärendet revideras; en ny version har påbörjats.".to_owned(),
            "The matter is being revised; a new version has started.".to_owned(),
        ),
        Extended { until, .. } => (
            format!("Ärendet har förlängts till {until}."),
            format!("The matter has been extended until {until}."),
        ),
        FeedbackGiven { .. } => (
            "Återkoppling har lämnats.".to_owned(),
            "Feedback has been given.".to_owned(),
        ),
    }
}

/// Who the matter is about and how to reach its submitter.
pub(crate) struct Subject<'a> {
    pub id: MatterId,
    pub title: &'a str,
    pub submitter: &'a PersonId,
}

impl<'a> Subject<'a> {
    /// From the state, or, for a submission, from its event.
    pub fn of(state: &'a Matter, events: &'a [MatterEvent]) -> Option<Subject<'a>> {
        if let Some(id) = state.id {
            return Some(Subject {
                id,
                title: &state.title,
                submitter: &state.submitter,
            });
        }
        events.iter().find_map(|e| match e {
            MatterEvent::Submitted {
                id,
                title,
                submitter,
                ..
            } => Some(Subject {
                id: *id,
                title,
                submitter,
            }),
            _ => None,
        })
    }
}

/// The feedback notification for a command's events, and whether the submitter is
/// told by it (or knows already, being the actor).
pub(crate) struct Feedback {
    pub notification: Option<Notification>,
    pub submitter_told: bool,
}

/// Builds the feedback for `events`: to the submitter (unless told later, or without an
/// address, or the actor), and to `followers`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn feedback(
    org: &Organisation,
    subject: &Subject<'_>,
    events: &[MatterEvent],
    actor: &Actor,
    mode: FeedbackMode,
    followers: Vec<Recipient>,
    today: NaiveDate,
) -> Feedback {
    let mut changes = events.iter().filter(|e| e.is_change());
    let Some(first) = changes.next() else {
        return Feedback {
            notification: None,
            submitter_told: false,
        };
    };
    let (mut sv, mut en) = describe(org, first);
    for e in changes {
        let (s, n) = describe(org, e);
        sv.push(' ');
        sv.push_str(&s);
        en.push(' ');
        en.push_str(&n);
    }
    let mut n = Notification::new(
        NotificationKind::Feedback,
        org.tenant.clone(),
        today,
        sv,
        en,
    );
    n.matter = Some(subject.id);
    n.matter_title = Some(subject.title.to_owned());
    n.body = events.iter().find_map(|e| e.body().cloned());
    n.details
        .insert("event".to_owned(), first.event_type().to_owned());
    if let Some(at) = events.iter().find_map(|e| e.at())
        && let Some(m) = &at.minutes
    {
        n.details
            .insert("meeting".to_owned(), m.meeting.to_string());
        n.details
            .insert("paragraph".to_owned(), m.paragraph.to_string());
    }
    let actor_is_submitter = actor.person() == Some(subject.submitter);
    let mut told = actor_is_submitter;
    if mode == FeedbackMode::Now
        && !actor_is_submitter
        && let Some(p) = org.person(subject.submitter)
        && p.email.is_some()
    {
        n.add_recipient(Recipient {
            person: Some(p.id.clone()),
            name: p.name.clone(),
            email: p.email.clone(),
            reason: RecipientReason::Submitter,
        });
        told = true;
    }
    for f in followers {
        if f.person.is_some() && f.person.as_ref() == actor.person() {
            continue;
        }
        n.add_recipient(f);
    }
    Feedback {
        notification: (!n.recipients.is_empty()).then_some(n),
        submitter_told: told,
    }
}

/// The remiss notification to its recipients, for a `RemissSent` event.
pub(crate) fn remiss_sent(
    org: &Organisation,
    subject: &Subject<'_>,
    event: &MatterEvent,
    today: NaiveDate,
) -> Option<Notification> {
    let MatterEvent::RemissSent {
        at,
        recipients,
        deadline,
        receivers,
        edition,
    } = event
    else {
        return None;
    };
    let (sv, en) = describe(org, event);
    let mut n = Notification::new(
        NotificationKind::RemissSent,
        org.tenant.clone(),
        today,
        sv,
        en,
    );
    n.matter = Some(subject.id);
    n.matter_title = Some(subject.title.to_owned());
    n.body = Some(at.body.clone());
    n.deadline = Some(*deadline);
    if !receivers.is_empty() {
        n.details
            .insert("receivers".to_owned(), receivers.join(", "));
    }
    if let Some(e) = edition {
        n.details.insert("edition".to_owned(), e.clone());
    }
    for r in recipients {
        for p in remiss_recipients(org, &at.body, r) {
            n.add_recipient(p);
        }
    }
    (!n.recipients.is_empty()).then_some(n)
}
