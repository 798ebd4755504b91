//! What a matter's changes tell people, as facts: feedback (återkoppling) to the
//! submitter and to followers, and the remiss to its recipients. No text is made here:
//! `arende-notify` renders the facts in each recipient's language.

use chrono::NaiveDate;

use super::decide::remiss_recipients_all;
use super::event::{Matter, MatterEvent};
use super::types::*;
use crate::authz::Actor;
use crate::ids::{BodyId, MatterId, MeetingId, PersonId};
use crate::notification::{
    Change, DropCause, FinalOutcome, Notification, NotificationKind, Paragraph, Recipient,
    RecipientReason,
};
use crate::org::Organisation;

/// The bodies of the steps an advance made current.
fn next_bodies(adv: &Option<Advance>) -> Vec<BodyId> {
    adv.as_ref().map_or_else(Vec::new, |a| {
        a.activated.iter().filter_map(|s| s.body.clone()).collect()
    })
}

/// What a change event means, as data (`None` for an event that is no change to
/// tell: a case number, documents ready, a response recorded, feedback given).
pub(crate) fn change_of(org: &Organisation, event: &MatterEvent) -> Option<Change> {
    use MatterEvent::*;
    let meeting_day = |m: &MeetingId| org.meeting(m).map(|p| p.date);
    Some(match event {
        Submitted { body, .. } => Change::Submitted { body: body.clone() },
        ScreenedAsInformation { body } => Change::ScreenedAsInformation { body: body.clone() },
        AcceptedForHandling { body, route, .. } => Change::AcceptedForHandling {
            body: body.clone(),
            route: route.clone(),
        },
        Redirected { to, reason, .. } => Change::Redirected {
            to: to.clone(),
            reason: reason.clone(),
        },
        AnsweredDirectly { body, answer } => Change::AnsweredDirectly {
            body: body.clone(),
            answer: answer.clone(),
        },
        Scheduled { meeting, body } => Change::Scheduled {
            body: body.clone(),
            meeting: meeting.clone(),
            on: meeting_day(meeting),
        },
        Presented { at, advance } => Change::Presented {
            body: at.body.clone(),
            next: next_bodies(advance),
        },
        Prepared { at, advance, .. } => Change::Prepared {
            body: at.body.clone(),
            next: next_bodies(advance),
        },
        RemissSent { at, deadline, .. } => Change::RemissSent {
            body: at.body.clone(),
            deadline: *deadline,
        },
        ResponsesWorkedIn {
            at,
            comments_handled,
            advance,
            ..
        } => Change::ResponsesWorkedIn {
            body: at.body.clone(),
            comments: *comments_handled,
            next: next_bodies(advance),
        },
        DirectionDecided { at, direction } => Change::DirectionDecided {
            body: at.body.clone(),
            direction: direction.clone(),
        },
        Recommended {
            at,
            to,
            recommendation,
            ..
        } => Change::Recommended {
            body: at.body.clone(),
            to: to.clone(),
            recommendation: recommendation.clone(),
        },
        ReadinessChecked {
            at, ready, advance, ..
        } => Change::ReadinessChecked {
            body: at.body.clone(),
            ready: *ready,
            next: next_bodies(advance),
        },
        Decided {
            at,
            approved,
            clauses,
            advance,
        } => Change::Decided {
            body: at.body.clone(),
            approved: *approved,
            clauses: clauses.clone(),
            next: next_bodies(advance),
        },
        ForwardedToPolitical { at, advance } => Change::ForwardedToPolitical {
            body: at.body.clone(),
            next: next_bodies(advance),
        },
        ReferredBack {
            at,
            instructions,
            to,
            ..
        } => Change::ReferredBack {
            body: at.body.clone(),
            to: to.body.clone(),
            step: to.step.clone(),
            instructions: instructions.clone(),
        },
        Tabled { at, next_meeting } => Change::Tabled {
            body: at.body.clone(),
            meeting: next_meeting.clone(),
            on: next_meeting.as_ref().and_then(meeting_day),
        },
        DroppedFromAgenda {
            body,
            reason,
            moved_to,
            ..
        } => Change::Dropped {
            body: body.clone(),
            reason: reason.clone().map(DropCause::Other),
            moved_to: moved_to.clone(),
            on: moved_to.as_ref().and_then(meeting_day),
        },
        Withdrawn { reason, .. } => Change::Withdrawn {
            reason: reason.clone(),
        },
        Filed { at } => Change::Filed {
            body: at.body.clone(),
        },
        Escalated { to, reason, .. } => Change::Escalated {
            route: to.clone(),
            reason: reason.clone(),
        },
        PoliticalDecisionRecorded {
            party,
            decision,
            on,
            ..
        } => Change::PoliticalDecision {
            party: party.clone(),
            adopted: *decision == PartyDecision::Adopted,
            on: *on,
        },
        Concluded { outcome } => Change::Concluded {
            outcome: match outcome {
                Conclusion::DecidedWithinMandate => FinalOutcome::DecidedWithinMandate,
                Conclusion::Adopted => FinalOutcome::Adopted,
                Conclusion::PartiallyAdopted => FinalOutcome::PartiallyAdopted,
                Conclusion::Rejected => FinalOutcome::Rejected,
            },
        },
        EnteredIntoForce { on, .. } => Change::EnteredIntoForce { on: *on },
        FollowedUp { note, .. } => Change::FollowedUp { note: note.clone() },
        Revised { .. } => Change::Revised,
        RevisionStarted { .. } => return None,
        Extended { until, .. } => Change::Extended { until: *until },
        AssignmentReportReceived {
            issuer, report, on, ..
        } => Change::AssignmentReported {
            issuer: issuer.clone(),
            report: report.clone(),
            on: *on,
        },
        CaseNumberRegistered { .. }
        | DocumentsReady { .. }
        | RemissResponseRecorded { .. }
        | PartyMinutesAdjusted { .. }
        | Announced { .. }
        | AppealLodged { .. }
        | AppealSettled { .. }
        | FeedbackGiven { .. } => return None,
    })
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
    // Who is told, first: without anyone to tell, no fact is made.
    let actor_is_submitter = actor.person() == Some(subject.submitter);
    let mut recipients: Vec<Recipient> = Vec::with_capacity(1 + followers.len());
    if mode == FeedbackMode::Now
        && !actor_is_submitter
        && let Some(p) = org.person(subject.submitter)
        && p.email.is_some()
    {
        recipients.push(Recipient::from_person(p, RecipientReason::Submitter));
    }
    let told = actor_is_submitter || !recipients.is_empty();
    for f in followers {
        let known = |r: &Recipient| {
            (f.person.is_some() && r.person == f.person)
                || (f.person.is_none() && f.email.is_some() && r.email == f.email)
        };
        if (f.person.is_some() && f.person.as_ref() == actor.person())
            || recipients.iter().any(known)
        {
            continue;
        }
        recipients.push(f);
    }
    if recipients.is_empty() {
        return Feedback {
            notification: None,
            submitter_told: told,
        };
    }
    let mut n = Notification::new(NotificationKind::Feedback, org.tenant.clone(), today);
    n.changes.extend(change_of(org, first));
    n.changes.extend(changes.filter_map(|e| change_of(org, e)));
    n.recipients = recipients;
    n.matter = Some(subject.id);
    n.matter_title = Some(subject.title.to_owned());
    n.body = events.iter().find_map(|e| e.body().cloned());
    if let Some(at) = events.iter().find_map(|e| e.at())
        && let Some(m) = &at.minutes
    {
        n.paragraph = Some(Paragraph {
            meeting: m.meeting.clone(),
            number: m.paragraph,
        });
    }
    Feedback {
        notification: Some(n),
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
    let told = remiss_recipients_all(org, &at.body, recipients);
    if told.is_empty() {
        return None;
    }
    let mut n = Notification::new(NotificationKind::RemissSent, org.tenant.clone(), today);
    n.recipients = told;
    n.matter = Some(subject.id);
    n.matter_title = Some(subject.title.to_owned());
    n.body = Some(at.body.clone());
    n.deadline = Some(*deadline);
    n.receivers.clone_from(receivers);
    n.edition.clone_from(edition);
    Some(n)
}
