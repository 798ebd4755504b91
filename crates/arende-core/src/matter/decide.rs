//! `decide`: checks a matter command against the state, the organisation, the actor and
//! today's date, and yields the events or a typed refusal. Pure: no store, no clock.

use std::collections::{BTreeSet, HashSet};

use chrono::NaiveDate;

use super::MatterError;
use super::command::{MatterCommand, RemissOrder, SubmitMatter};
use super::event::{Matter, MatterEvent};
use super::types::*;
use crate::authz::{Action, Actor, authorize, authorize_any};
use crate::ids::{BodyId, MeetingId, PartyId, StepId};
use crate::notification::{Recipient, RecipientReason};
use crate::org::{Body, Mandate, MeetingStatus, Organisation, Role};
use crate::route::{Dependency, Purpose, Route, Step};

/// What `decide` needs besides the state and the command.
#[derive(Debug, Clone, Copy)]
pub struct MatterContext<'a> {
    /// The organisation (bodies, mandates, routes, meetings, permissions).
    pub org: &'a Organisation,
    /// Who issues the command.
    pub actor: &'a Actor,
    /// Today's date (Europe/Stockholm).
    pub today: NaiveDate,
}

/// The result of deciding a matter command.
pub type Result<T, E = MatterError> = std::result::Result<T, E>;

fn unknown(kind: &'static str, id: impl std::fmt::Display) -> MatterError {
    MatterError::Unknown(crate::ids::UnknownId::new(kind, id))
}

fn refuse<T>(e: MatterError) -> Result<T> {
    Err(e)
}

fn body<'o>(org: &'o Organisation, id: &BodyId) -> Result<&'o Body> {
    org.body(id).ok_or_else(|| unknown("body", id))
}

/// Whether an outcome at `at` counts for a step at `step_body`: the same body, or a joint
/// session one of them is part of.
pub(crate) fn body_matches(org: &Organisation, step_body: &BodyId, at: &BodyId) -> bool {
    step_body == at
        || org.body(at).is_some_and(|b| b.joint_of.contains(step_body))
        || org.body(step_body).is_some_and(|b| b.joint_of.contains(at))
}

/// The bodies that hold `mandate` for this matter: those on its route (political bodies
/// of the deciding parties for a political step); off route, every body that holds it.
pub fn holders_of(org: &Organisation, matter: &Matter, mandate: Mandate) -> Vec<BodyId> {
    let mut out: Vec<BodyId> = Vec::new();
    let mut push = |b: &BodyId| {
        if org.body(b).is_some_and(|x| x.may(mandate)) && !out.contains(b) {
            out.push(b.clone());
        }
    };
    match matter.route.as_ref().and_then(|r| org.route(r)) {
        Some(route) => {
            for step in route.steps() {
                if let Some(b) = &step.body {
                    push(b);
                }
                if step.purpose == Purpose::PoliticalDecision {
                    for p in political_parties(org, step) {
                        if let Some(b) = org.party(&p).and_then(|x| x.political_body.as_ref()) {
                            push(b);
                        }
                    }
                }
            }
        }
        None => {
            for b in org.bodies_with(mandate) {
                push(&b.id);
            }
        }
    }
    out
}

fn require_mandate(
    ctx: &MatterContext<'_>,
    matter: &Matter,
    at: &BodyId,
    mandate: Mandate,
) -> Result<()> {
    if body(ctx.org, at)?.may(mandate) {
        Ok(())
    } else {
        refuse(MatterError::MandateExceeded {
            body: at.clone(),
            mandate,
            holders: holders_of(ctx.org, matter, mandate),
        })
    }
}

/// The parties that decide at a political step: its list, or every signatory.
fn political_parties(org: &Organisation, step: &Step) -> Vec<PartyId> {
    if step.parties.is_empty() {
        org.signatories().map(|p| p.id.clone()).collect()
    } else {
        step.parties.clone()
    }
}

fn route_of<'o>(org: &'o Organisation, matter: &Matter) -> Result<&'o Route> {
    let id = matter
        .route
        .as_ref()
        .ok_or(MatterError::InvalidTransition {
            from: matter.status,
            command: "follow a route",
        })?;
    org.route(id).ok_or_else(|| unknown("route", id))
}

fn active_step(step: &Step) -> ActiveStep {
    ActiveStep {
        step: step.id.clone(),
        purpose: step.purpose,
        body: step.body.clone(),
    }
}

/// The current step at a body, if any.
/// The current step at a body, if any: one whose body is (or shares a joint session
/// with) `at`, else a current step without a body that any body may take (drafting by a
/// project lead, a remiss sent by whoever runs it).
fn step_at<'m>(org: &Organisation, matter: &'m Matter, at: &BodyId) -> Option<&'m ActiveStep> {
    matter
        .active
        .iter()
        .find(|a| a.body.as_ref().is_some_and(|b| body_matches(org, b, at)))
        .or_else(|| {
            matter.active.iter().find(|a| {
                a.body.is_none()
                    && !matches!(
                        a.purpose,
                        Purpose::PoliticalDecision | Purpose::EntryIntoForce | Purpose::FollowUp
                    )
            })
        })
}

fn require_step_at<'m>(
    org: &Organisation,
    matter: &'m Matter,
    at: &BodyId,
) -> Result<&'m ActiveStep> {
    step_at(org, matter, at).ok_or_else(|| MatterError::NotAtBody {
        body: at.clone(),
        active: matter.active.iter().map(|a| a.step.clone()).collect(),
    })
}

fn require_purpose(
    step: &ActiveStep,
    at: &BodyId,
    allowed: &[Purpose],
    command: &'static str,
) -> Result<()> {
    if allowed.contains(&step.purpose) {
        Ok(())
    } else {
        refuse(MatterError::StepMismatch {
            body: at.clone(),
            step: step.step.clone(),
            purpose: step.purpose,
            command,
        })
    }
}

/// Activates the candidates that are ready (every predecessor done, or current and
/// linked by [`Dependency::SameProposal`]), and after each, its same-proposal successors:
/// readiness forums that confirm the same final proposal are current together, so each
/// can be scheduled before the one before it has met.
fn activate(
    route: &Route,
    is_done: impl Fn(&StepId) -> bool,
    active: &mut Vec<StepId>,
    candidates: impl IntoIterator<Item = StepId>,
) -> Vec<ActiveStep> {
    let mut queue: std::collections::VecDeque<StepId> = candidates.into_iter().collect();
    let mut out = Vec::new();
    while let Some(y) = queue.pop_front() {
        if is_done(&y) || active.contains(&y) {
            continue;
        }
        let Some(step) = route.step(&y) else {
            continue;
        };
        let ready = route.predecessors_unordered(&y).all(|(p, dep)| {
            is_done(&p.id) || (dep == Dependency::SameProposal && active.contains(&p.id))
        });
        if !ready {
            continue;
        }
        active.push(y.clone());
        out.push(active_step(step));
        for (s, dep) in route.successors(&y) {
            if dep == Dependency::SameProposal {
                queue.push_back(s.id.clone());
            }
        }
    }
    out
}

/// The first step(s) of a route.
fn start(route: &Route) -> Vec<ActiveStep> {
    activate(
        route,
        |_| false,
        &mut Vec::new(),
        [route.first().id.clone()],
    )
}

/// The predecessors of `step` not yet completed.
fn waiting_for(route: &Route, matter: &Matter, step: &StepId) -> Vec<StepId> {
    route
        .predecessors(step)
        .into_iter()
        .filter(|(p, _)| !matter.is_done(&p.id))
        .map(|(p, _)| p.id.clone())
        .collect()
}

/// Completes `completed` (refused while a predecessor is not done) and activates the
/// successors that become ready.
fn advance(route: &Route, matter: &Matter, completed: &StepId) -> Result<Advance> {
    let waiting = waiting_for(route, matter, completed);
    if !waiting.is_empty() {
        return refuse(MatterError::WaitsFor {
            step: completed.clone(),
            waiting_for: waiting,
        });
    }
    let mut active: Vec<StepId> = matter
        .active
        .iter()
        .filter(|a| &a.step != completed)
        .map(|a| a.step.clone())
        .collect();
    let activated = activate(
        route,
        |s| s == completed || matter.is_done(s),
        &mut active,
        route
            .successors(completed)
            .into_iter()
            .map(|(s, _)| s.id.clone()),
    );
    Ok(Advance {
        completed: completed.clone(),
        activated,
    })
}

/// Whether, after `adv`, nothing but entry into force and follow-up is left to handle.
fn route_settled(matter: &Matter, adv: &Advance) -> bool {
    let is_tail = |p: Purpose| matches!(p, Purpose::EntryIntoForce | Purpose::FollowUp);
    matter
        .active
        .iter()
        .filter(|a| a.step != adv.completed)
        .all(|a| is_tail(a.purpose))
        && adv.activated.iter().all(|a| is_tail(a.purpose))
}

/// Checks the place of an outcome: the body exists, the minutes' meeting is one of its.
fn check_at(org: &Organisation, at: &At) -> Result<()> {
    body(org, &at.body)?;
    if let Some(m) = &at.minutes {
        let meeting = org
            .meeting(&m.meeting)
            .ok_or_else(|| unknown("meeting", &m.meeting))?;
        if !meeting
            .bodies
            .iter()
            .any(|b| body_matches(org, b, &at.body))
        {
            return refuse(MatterError::WrongMeeting {
                meeting: m.meeting.clone(),
                body: at.body.clone(),
            });
        }
    }
    Ok(())
}

/// The body a meeting handles the matter for: a current body of the matter that meets
/// there; for a matter on its route, otherwise the meeting's own body (a presentation
/// at a body off the route, e.g. information to a council). `None` when the meeting is
/// not the body's of a registered or information matter.
fn meeting_body(
    org: &Organisation,
    matter: &Matter,
    m: &crate::org::PlannedMeeting,
) -> Option<BodyId> {
    let current = matter.current_bodies();
    if let Some(found) = current
        .iter()
        .find(|cb| m.bodies.iter().any(|mb| body_matches(org, cb, mb)))
    {
        return Some((*found).clone());
    }
    match matter.status {
        MatterStatus::InProgress | MatterStatus::PoliticalProcess => m.bodies.first().cloned(),
        _ => None,
    }
}

/// The next planned (not cancelled) meeting of a body after `after`.
pub(crate) fn next_meeting(
    org: &Organisation,
    body: &BodyId,
    after: NaiveDate,
) -> Option<MeetingId> {
    org.meetings
        .iter()
        .find(|m| {
            m.date > after
                && m.status != MeetingStatus::Cancelled
                && m.bodies.iter().any(|b| body_matches(org, body, b))
        })
        .map(|m| m.id.clone())
}

/// The bodies that administer a matter: where it was submitted, where it was last
/// handled, its issuer, and every body on its route.
fn admin_bodies<'a>(org: &'a Organisation, matter: &'a Matter) -> Vec<&'a BodyId> {
    let mut out = vec![&matter.body];
    out.extend(matter.last_body.iter());
    out.extend(matter.issuer.iter());
    if let Some(route) = matter.route.as_ref().and_then(|r| org.route(r)) {
        out.extend(route.steps().filter_map(|s| s.body.as_ref()));
    }
    out
}

fn non_empty(field: &'static str, text: &str) -> Result<()> {
    if text.trim().is_empty() {
        refuse(MatterError::InvalidInput {
            field,
            reason: "must not be empty".into(),
        })
    } else {
        Ok(())
    }
}

fn invalid(from: MatterStatus, command: &'static str) -> MatterError {
    MatterError::InvalidTransition { from, command }
}

/// The people to tell of a remiss sent by `sender` to `recipient`, each once:
/// - a party: its members of the sending body; for a joint session, its members of the
///   bodies meeting together; when it has none there, the secretary of its political
///   body (who registers incoming matters);
/// - a body: its members and officers (for a joint session without members of its own,
///   those of the bodies meeting together).
///
/// Substitutes are not addressed.
pub fn remiss_recipients(
    org: &Organisation,
    sender: &BodyId,
    recipient: &RemissRecipient,
) -> Vec<Recipient> {
    remiss_recipients_all(org, sender, std::slice::from_ref(recipient))
}

/// [`remiss_recipients`] for several recipients at once, each person once.
pub fn remiss_recipients_all(
    org: &Organisation,
    sender: &BodyId,
    recipients: &[RemissRecipient],
) -> Vec<Recipient> {
    use crate::org::Membership;
    let joint_of = |b: &BodyId| -> &[BodyId] { org.body(b).map_or(&[], |x| x.joint_of.as_slice()) };
    let serving = |m: &&Membership| m.role != Role::Substitute;
    let direct: Vec<&Membership> = org
        .memberships
        .iter()
        .filter(|m| &m.body == sender)
        .filter(serving)
        .collect();
    let joint = joint_of(sender);
    let via_joint: Vec<&Membership> = if joint.is_empty() {
        Vec::new()
    } else {
        org.memberships
            .iter()
            .filter(|m| joint.contains(&m.body))
            .filter(serving)
            .collect()
    };
    let mut people: Vec<&crate::ids::PersonId> = Vec::new();
    for r in recipients {
        let before = people.len();
        match r {
            RemissRecipient::Party(p) => {
                let of_party = |m: &&&Membership| m.party.as_ref() == Some(p);
                people.extend(direct.iter().filter(of_party).map(|m| &m.person));
                if people.len() == before {
                    people.extend(via_joint.iter().filter(of_party).map(|m| &m.person));
                }
                if people.len() == before
                    && let Some(pb) = org.party(p).and_then(|x| x.political_body.as_ref())
                {
                    people.extend(
                        org.memberships
                            .iter()
                            .filter(|m| &m.body == pb && m.role == Role::Secretary)
                            .map(|m| &m.person),
                    );
                }
            }
            RemissRecipient::Body(b) => {
                people.extend(
                    org.memberships
                        .iter()
                        .filter(|m| &m.body == b)
                        .filter(serving)
                        .map(|m| &m.person),
                );
                if people.len() == before {
                    let j = joint_of(b);
                    people.extend(
                        org.memberships
                            .iter()
                            .filter(|m| j.contains(&m.body))
                            .filter(serving)
                            .map(|m| &m.person),
                    );
                }
            }
        }
    }
    people.sort();
    people.dedup();
    people
        .into_iter()
        .filter_map(|id| org.person(id))
        .map(|p| Recipient::from_person(p, RecipientReason::Consulted))
        .collect()
}

/// Checks `command` against `matter` and returns the events it yields, or why not.
/// Pure: depends only on its arguments.
pub fn decide(
    matter: &Matter,
    command: MatterCommand,
    ctx: &MatterContext<'_>,
) -> Result<Vec<MatterEvent>> {
    let name = command.name();
    // Permissions against the roster on the command's day (mandate periods).
    let org = &crate::org::RosterOn::new(ctx.org, ctx.today);
    if let MatterCommand::Submit(s) = command {
        return submit(matter, s, ctx);
    }
    let Some(_) = matter.id else {
        return Err(unknown("matter", "(not submitted)"));
    };
    let status = matter.status;
    if let MatterStatus::Closed(closure) = status {
        // Feedback, and an assignment's report (the history shows it), reach a closed
        // matter too.
        let allowed = matches!(
            command,
            MatterCommand::RecordFeedback { .. } | MatterCommand::RecordAssignmentReport { .. }
        ) || (closure == Closure::Revised
            && matches!(command, MatterCommand::Extend { .. }));
        if !allowed {
            return refuse(MatterError::Closed {
                closure,
                command: name,
            });
        }
    }
    use MatterCommand as C;
    use MatterStatus as S;
    let ev = match command {
        C::Submit(_) => unreachable_submit(matter)?,
        C::RegisterCaseNumber { party, number } => {
            let p = org.party(&party).ok_or_else(|| unknown("party", &party))?;
            non_empty("case number", &number)?;
            let own = ctx.actor.person().is_none_or(|a| {
                a == &matter.submitter
                    || org.person(a).and_then(|x| x.party.as_ref()) == Some(&p.id)
            });
            if !own {
                authorize_any(
                    org,
                    ctx.actor,
                    Action::RecordOutcome,
                    admin_bodies(org, matter),
                )?;
            }
            vec![MatterEvent::CaseNumberRegistered { party, number }]
        }
        C::MarkDocumentsReady => {
            if !status.is_open() {
                return Err(invalid(status, name));
            }
            if ctx.actor.person() != Some(&matter.submitter) {
                authorize_any(org, ctx.actor, Action::Schedule, matter.current_bodies())?;
            }
            vec![MatterEvent::DocumentsReady { on: ctx.today }]
        }
        C::Screen { screening } => {
            if status != S::Registered {
                return Err(invalid(status, name));
            }
            authorize(org, ctx.actor, Action::Screen, &matter.body)?;
            let b = matter.body.clone();
            match screening {
                Screening::InformationItem => vec![MatterEvent::ScreenedAsInformation { body: b }],
                Screening::Handle { route } => {
                    let route_id = match route {
                        Some(r) => r,
                        None => org.matter_kinds.get(matter.kind.name()).cloned().ok_or(
                            MatterError::NoRoute {
                                kind: matter.kind.name(),
                            },
                        )?,
                    };
                    let r = org
                        .route(&route_id)
                        .ok_or_else(|| unknown("route", &route_id))?;
                    vec![MatterEvent::AcceptedForHandling {
                        body: b,
                        route: route_id,
                        activated: start(r),
                    }]
                }
                Screening::Redirect { to, reason } => {
                    body(org, &to)?;
                    if to == b {
                        return refuse(MatterError::InvalidInput {
                            field: "redirect",
                            reason: format!("the matter is already at {to}"),
                        });
                    }
                    vec![MatterEvent::Redirected {
                        from: b,
                        to,
                        reason,
                    }]
                }
                Screening::AnswerDirectly { answer } => {
                    non_empty("answer", &answer)?;
                    vec![MatterEvent::AnsweredDirectly { body: b, answer }]
                }
            }
        }
        C::Schedule { meeting } => {
            if !matches!(
                status,
                S::InformationItem | S::InProgress | S::PoliticalProcess
            ) {
                return Err(invalid(status, name));
            }
            let m = org
                .meeting(&meeting)
                .ok_or_else(|| unknown("meeting", &meeting))?;
            if m.status == MeetingStatus::Cancelled {
                return refuse(MatterError::InvalidInput {
                    field: "meeting",
                    reason: format!("meeting {meeting} is cancelled"),
                });
            }
            if m.date < ctx.today {
                return refuse(MatterError::InvalidDate {
                    what: "meeting date",
                    date: m.date,
                    reason: "the meeting has already been held".into(),
                });
            }
            let found = meeting_body(org, matter, m).ok_or_else(|| MatterError::WrongMeeting {
                meeting: meeting.clone(),
                body: matter.body.clone(),
            })?;
            // The meeting's own secretary puts the matter on its agenda.
            authorize_any(org, ctx.actor, Action::Schedule, m.bodies.iter())?;
            vec![MatterEvent::Scheduled {
                meeting,
                body: found,
            }]
        }
        C::Present { at } => {
            check_at(org, &at)?;
            authorize(org, ctx.actor, Action::RecordOutcome, &at.body)?;
            let advance_opt = match status {
                S::InformationItem => {
                    if !body_matches(org, &matter.body, &at.body) {
                        return refuse(MatterError::NotAtBody {
                            body: at.body,
                            active: Vec::new(),
                        });
                    }
                    None
                }
                S::InProgress | S::PoliticalProcess => {
                    // A presentation (dragning) may be given at any body; it completes
                    // the matter's information step there once the steps before it are
                    // done, and otherwise leaves the matter where it is.
                    let route = route_of(org, matter)?;
                    match step_at(org, matter, &at.body) {
                        Some(step)
                            if step.purpose == Purpose::Information
                                && waiting_for(route, matter, &step.step).is_empty() =>
                        {
                            Some(advance(route, matter, &step.step)?)
                        }
                        _ => None,
                    }
                }
                _ => return Err(invalid(status, name)),
            };
            vec![MatterEvent::Presented {
                at,
                advance: advance_opt,
            }]
        }
        C::Prepare { at, recommendation } => {
            in_progress(status, name)?;
            check_at(org, &at)?;
            let step = require_step_at(org, matter, &at.body)?;
            require_purpose(
                step,
                &at.body,
                &[Purpose::Drafting, Purpose::Preparation],
                name,
            )?;
            let drafting = step.purpose == Purpose::Drafting;
            // Drafting outside a body (a project lead's draft) uses no body's mandate.
            if !(drafting && step.body.is_none()) {
                let mandate = if drafting {
                    Mandate::Draft
                } else {
                    Mandate::Prepare
                };
                require_mandate(ctx, matter, &at.body, mandate)?;
            }
            // The draft is the submitter's own work: they may report it done.
            if !(drafting && ctx.actor.person() == Some(&matter.submitter)) {
                authorize(org, ctx.actor, Action::RecordOutcome, &at.body)?;
            }
            let adv = advance(route_of(org, matter)?, matter, &step.step)?;
            vec![MatterEvent::Prepared {
                at,
                recommendation,
                advance: Some(adv),
            }]
        }
        C::SendOnRemiss(order) => send_on_remiss(matter, order, ctx, name)?,
        C::RecordRemissResponse {
            recipient,
            comments,
            received_on,
        } => {
            let Some(remiss) = &matter.remiss else {
                return refuse(MatterError::NoOpenRemiss);
            };
            if !remiss.recipients.contains(&recipient) {
                return refuse(MatterError::NotARecipient { recipient });
            }
            if remiss.has_answered(&recipient) {
                return refuse(MatterError::AlreadyAnswered { recipient });
            }
            authorize(org, ctx.actor, Action::Consult, &remiss.body)?;
            let received_on = received_on.unwrap_or(ctx.today);
            if received_on > ctx.today {
                return refuse(MatterError::InvalidDate {
                    what: "response date",
                    date: received_on,
                    reason: "it lies in the future".into(),
                });
            }
            vec![MatterEvent::RemissResponseRecorded {
                recipient,
                comments,
                received_on,
            }]
        }
        C::WorkInResponses {
            at,
            comments_handled,
        } => {
            let Some(remiss) = &matter.remiss else {
                return refuse(MatterError::NoOpenRemiss);
            };
            check_at(org, &at)?;
            if !body_matches(org, &remiss.body, &at.body)
                && step_at(org, matter, &at.body).is_none()
            {
                return refuse(MatterError::NotAtBody {
                    body: at.body,
                    active: matter.active.iter().map(|a| a.step.clone()).collect(),
                });
            }
            authorize(org, ctx.actor, Action::Consult, &at.body)?;
            let consult_step = matter.active.iter().find(|a| {
                a.purpose == Purpose::Consultation
                    && a.body
                        .as_ref()
                        .is_none_or(|b| body_matches(org, b, &at.body))
            });
            let adv = match consult_step {
                Some(s) => Some(advance(route_of(org, matter)?, matter, &s.step)?),
                None => None,
            };
            let missing = remiss.missing().into_iter().cloned().collect();
            vec![MatterEvent::ResponsesWorkedIn {
                at,
                comments_handled,
                missing,
                advance: adv,
            }]
        }
        C::DecideDirection { at, direction } => {
            in_progress(status, name)?;
            check_at(org, &at)?;
            non_empty("direction", &direction)?;
            require_mandate(ctx, matter, &at.body, Mandate::DirectionDecision)?;
            authorize(org, ctx.actor, Action::RecordOutcome, &at.body)?;
            require_step_at(org, matter, &at.body)?;
            vec![MatterEvent::DirectionDecided { at, direction }]
        }
        C::Recommend {
            at,
            to,
            recommendation,
        } => {
            in_progress(status, name)?;
            check_at(org, &at)?;
            non_empty("recommendation", &recommendation)?;
            require_mandate(ctx, matter, &at.body, Mandate::Recommend)?;
            authorize(org, ctx.actor, Action::RecordOutcome, &at.body)?;
            let step = require_step_at(org, matter, &at.body)?;
            require_purpose(
                step,
                &at.body,
                &[
                    Purpose::Drafting,
                    Purpose::Preparation,
                    Purpose::Recommendation,
                    Purpose::Decision,
                    Purpose::ReadinessCheck,
                ],
                name,
            )?;
            let adv = advance(route_of(org, matter)?, matter, &step.step)?;
            let next: Vec<BodyId> = adv
                .activated
                .iter()
                .filter_map(|a| a.body.clone())
                .collect();
            let to = match to {
                None => next,
                Some(t) => {
                    body(org, &t)?;
                    if !adv.activated.is_empty()
                        && !adv
                            .activated
                            .iter()
                            .any(|a| a.body.as_ref().is_some_and(|b| body_matches(org, b, &t)))
                    {
                        return refuse(MatterError::InvalidInput {
                            field: "to",
                            reason: format!(
                                "the route's next step is not at {t}; escalate to change the route"
                            ),
                        });
                    }
                    vec![t]
                }
            };
            vec![MatterEvent::Recommended {
                at,
                to,
                recommendation,
                advance: Some(adv),
            }]
        }
        C::CheckReadiness { at, ready, note } => {
            in_progress(status, name)?;
            check_at(org, &at)?;
            require_mandate(ctx, matter, &at.body, Mandate::ReadinessCheck)?;
            authorize(org, ctx.actor, Action::RecordOutcome, &at.body)?;
            let step = require_step_at(org, matter, &at.body)?;
            require_purpose(step, &at.body, &[Purpose::ReadinessCheck], name)?;
            let adv = if ready {
                Some(advance(route_of(org, matter)?, matter, &step.step)?)
            } else {
                None
            };
            vec![MatterEvent::ReadinessChecked {
                at,
                ready,
                note,
                advance: adv,
            }]
        }
        C::Decide {
            at,
            approved,
            clauses,
        } => {
            in_progress(status, name)?;
            check_at(org, &at)?;
            require_mandate(ctx, matter, &at.body, Mandate::Decide)?;
            authorize(org, ctx.actor, Action::RecordOutcome, &at.body)?;
            let step = require_step_at(org, matter, &at.body)?;
            require_purpose(step, &at.body, &[Purpose::Decision], name)?;
            let adv = advance(route_of(org, matter)?, matter, &step.step)?;
            let concluded = if !approved {
                Some(Conclusion::Rejected)
            } else if route_settled(matter, &adv) {
                Some(Conclusion::DecidedWithinMandate)
            } else {
                None
            };
            // A rejection ends the handling here: the route does not move on.
            let mut out = vec![MatterEvent::Decided {
                at,
                approved,
                clauses,
                advance: approved.then_some(adv),
            }];
            if let Some(outcome) = concluded {
                out.push(MatterEvent::Concluded { outcome });
            }
            out
        }
        C::ForwardToPolitical { at } => {
            in_progress(status, name)?;
            check_at(org, &at)?;
            require_mandate(ctx, matter, &at.body, Mandate::ForwardToPolitical)?;
            authorize(org, ctx.actor, Action::RecordOutcome, &at.body)?;
            let step = require_step_at(org, matter, &at.body)?;
            require_purpose(
                step,
                &at.body,
                &[
                    Purpose::Decision,
                    Purpose::ReadinessCheck,
                    Purpose::Recommendation,
                ],
                name,
            )?;
            let adv = advance(route_of(org, matter)?, matter, &step.step)?;
            vec![MatterEvent::ForwardedToPolitical {
                at,
                advance: Some(adv),
            }]
        }
        C::ReferBack {
            at,
            to,
            instructions,
        } => refer_back(matter, at, to, instructions, ctx, name)?,
        C::Table { at } => {
            check_at(org, &at)?;
            let scheduled_here = matter
                .scheduled
                .as_ref()
                .and_then(|m| org.meeting(m))
                .is_some_and(|m| m.bodies.iter().any(|b| body_matches(org, b, &at.body)));
            let b = if scheduled_here && matter.status.is_open() {
                at.body.clone()
            } else {
                current_body_for(org, matter, &at.body, name)?
            };
            authorize(org, ctx.actor, Action::RecordOutcome, &at.body)?;
            let after = at
                .minutes
                .as_ref()
                .map(|m| &m.meeting)
                .or(matter.scheduled.as_ref())
                .and_then(|m| org.meeting(m))
                .map_or(ctx.today, |m| m.date.max(ctx.today));
            let next_meeting = next_meeting(org, &b, after);
            vec![MatterEvent::Tabled { at, next_meeting }]
        }
        C::DropFromAgenda { meeting, reason } => {
            if !matches!(
                status,
                S::InformationItem | S::InProgress | S::PoliticalProcess
            ) {
                return Err(invalid(status, name));
            }
            let m = org
                .meeting(&meeting)
                .ok_or_else(|| unknown("meeting", &meeting))?;
            if matter.scheduled.as_ref() != Some(&meeting) {
                return refuse(MatterError::NotScheduled { meeting });
            }
            let Some(found) = meeting_body(org, matter, m) else {
                return refuse(MatterError::WrongMeeting {
                    meeting,
                    body: matter.body.clone(),
                });
            };
            authorize_any(
                org,
                ctx.actor,
                Action::RecordOutcome,
                std::iter::once(&found).chain(m.bodies.iter()),
            )?;
            let moved_to = next_meeting(org, &found, m.date);
            vec![MatterEvent::DroppedFromAgenda {
                meeting,
                body: found,
                reason,
                moved_to,
            }]
        }
        C::Withdraw { reason } => {
            if !status.is_open() {
                return Err(invalid(status, name));
            }
            let allowed = match ctx.actor {
                Actor::System(s) => s.may(Action::RecordOutcome),
                Actor::Person(p) => {
                    p == &matter.submitter
                        || matter
                            .issuer
                            .as_ref()
                            .is_some_and(|i| authorize(org, ctx.actor, Action::Assign, i).is_ok())
                }
            };
            if !allowed {
                return refuse(MatterError::MayNotWithdraw {
                    actor: ctx.actor.clone(),
                    submitter: matter.submitter.clone(),
                    issuer: matter.issuer.clone(),
                });
            }
            vec![MatterEvent::Withdrawn {
                by: ctx.actor.audit_name(),
                reason,
            }]
        }
        C::File { at } => {
            check_at(org, &at)?;
            match status {
                S::InformationItem => {
                    if !body_matches(org, &matter.body, &at.body) {
                        return refuse(MatterError::NotAtBody {
                            body: at.body,
                            active: Vec::new(),
                        });
                    }
                }
                S::InProgress | S::PoliticalProcess => {
                    let at_current = step_at(org, matter, &at.body).is_some()
                        || (matter.active.iter().all(|a| a.body.is_none())
                            && matter
                                .current_bodies()
                                .iter()
                                .any(|b| body_matches(org, b, &at.body)));
                    if !at_current {
                        return refuse(MatterError::NotAtBody {
                            body: at.body,
                            active: matter.active.iter().map(|a| a.step.clone()).collect(),
                        });
                    }
                }
                _ => return Err(invalid(status, name)),
            }
            authorize(org, ctx.actor, Action::RecordOutcome, &at.body)?;
            vec![MatterEvent::Filed { at }]
        }
        C::Escalate { at, route, reason } => {
            if !matches!(status, S::InformationItem | S::InProgress) {
                return Err(invalid(status, name));
            }
            check_at(org, &at)?;
            current_body_for(org, matter, &at.body, name)?;
            authorize(org, ctx.actor, Action::RecordOutcome, &at.body)?;
            non_empty("reason", &reason)?;
            let r = org.route(&route).ok_or_else(|| unknown("route", &route))?;
            if matter.route.as_ref() == Some(&route) {
                return refuse(MatterError::InvalidInput {
                    field: "route",
                    reason: format!("the matter already follows route {route}"),
                });
            }
            vec![MatterEvent::Escalated {
                at,
                from: matter.route.clone(),
                to: route,
                reason,
                activated: start(r),
            }]
        }
        C::RecordPoliticalDecision {
            party,
            decision,
            minutes,
            on,
        } => political_decision(matter, party, decision, minutes, on, ctx, name)?,
        C::RecordAssignmentReport {
            assignment,
            issuer,
            report,
            on,
            at,
        } => {
            if matter.reported_assignments.contains(&assignment) {
                return refuse(MatterError::InvalidInput {
                    field: "assignment",
                    reason: format!("the report of assignment {assignment} is already recorded"),
                });
            }
            non_empty("report", &report)?;
            org.body(&issuer).ok_or_else(|| unknown("body", &issuer))?;
            authorize(org, ctx.actor, Action::Assign, &issuer)?;
            vec![MatterEvent::AssignmentReportReceived {
                assignment,
                issuer,
                report,
                on,
                at,
            }]
        }
        C::RecordPartyAdjustment { party, on } => party_adjusted(matter, party, on, ctx, name)?,
        C::RecordAnnouncement { party, on } => party_announced(matter, party, on, ctx, name)?,
        C::RecordAppeal {
            party,
            on,
            reference,
        } => appeal_lodged(matter, party, on, reference, ctx)?,
        C::SettleAppeal {
            party,
            reference,
            outcome,
            on,
        } => appeal_settled(matter, party, reference, outcome, on, ctx)?,
        C::EnterIntoForce {
            on,
            valid_until,
            override_reason,
        } => {
            if !matches!(status, S::Decided | S::PoliticalProcess) {
                return Err(invalid(status, name));
            }
            if let Some(u) = valid_until
                && u <= on
            {
                return refuse(MatterError::InvalidDate {
                    what: "valid until",
                    date: u,
                    reason: format!("it must come after the entry into force on {on}"),
                });
            }
            authorize_any(
                org,
                ctx.actor,
                Action::RecordOutcome,
                admin_bodies(org, matter),
            )?;
            let route = route_of(org, matter)?;
            let political = route
                .steps()
                .find(|s| s.purpose == Purpose::PoliticalDecision);
            let parties = match political {
                Some(step) => {
                    let parties = political_parties(org, step);
                    let adopted: Vec<PartyId> = parties
                        .iter()
                        .filter(|p| matter.political.get(*p) == Some(&PartyDecision::Adopted))
                        .cloned()
                        .collect();
                    let quorum = route
                        .steps()
                        .find(|s| s.purpose == Purpose::EntryIntoForce)
                        .and_then(|s| s.quorum);
                    let needed = quorum.map_or(parties.len() as u32, |q| q.max(1));
                    if (adopted.len() as u32) < needed {
                        return refuse(MatterError::NotReady {
                            waiting_for: parties
                                .iter()
                                .filter(|p| !adopted.contains(p))
                                .cloned()
                                .collect(),
                            adopted: adopted.len() as u32,
                            needed,
                        });
                    }
                    // Every party it enters into force for must have a decision in
                    // legal force (laga kraft) by `on`, unless a reason is recorded.
                    let waiting: Vec<(PartyId, Option<NaiveDate>)> = adopted
                        .iter()
                        .filter_map(|p| {
                            let force = matter.legal.get(p).and_then(|l| l.legal_force);
                            match force {
                                Some(f) if f <= on => None,
                                other => Some((p.clone(), other)),
                            }
                        })
                        .collect();
                    match &override_reason {
                        Some(reason) => non_empty("override reason", reason)?,
                        None if !waiting.is_empty() => {
                            return refuse(MatterError::NotInLegalForce {
                                on,
                                waiting_for: waiting,
                            });
                        }
                        None => {}
                    }
                    adopted
                }
                None => {
                    if status != S::Decided {
                        return Err(invalid(status, name));
                    }
                    Vec::new()
                }
            };
            let adv = matter
                .active
                .iter()
                .find(|a| a.purpose == Purpose::EntryIntoForce)
                .map(|a| advance(route, matter, &a.step))
                .transpose()?;
            vec![MatterEvent::EnteredIntoForce {
                on,
                valid_until,
                parties,
                legal_force_override: override_reason,
                advance: adv,
            }]
        }
        C::FollowUp { note, next } => {
            if !matches!(status, S::Decided | S::InForce) {
                return Err(invalid(status, name));
            }
            non_empty("note", &note)?;
            if let Some(n) = next
                && n <= ctx.today
            {
                return refuse(MatterError::InvalidDate {
                    what: "next follow-up",
                    date: n,
                    reason: "it must lie in the future".into(),
                });
            }
            authorize_any(
                org,
                ctx.actor,
                Action::RecordOutcome,
                admin_bodies(org, matter),
            )?;
            let adv = match matter
                .active
                .iter()
                .find(|a| a.purpose == Purpose::FollowUp)
            {
                Some(a) => Some(advance(route_of(org, matter)?, matter, &a.step)?),
                None => None,
            };
            vec![MatterEvent::FollowedUp {
                note,
                next,
                advance: adv,
            }]
        }
        C::MarkRevisionStarted { by } => {
            if !matches!(status, S::Decided | S::InForce) {
                return Err(invalid(status, name));
            }
            if Some(by) == matter.id {
                return refuse(MatterError::InvalidInput {
                    field: "revision",
                    reason: "a matter cannot revise itself".into(),
                });
            }
            authorize_any(
                org,
                ctx.actor,
                Action::RecordOutcome,
                admin_bodies(org, matter),
            )?;
            vec![MatterEvent::RevisionStarted { by }]
        }
        C::MarkRevised { by } => {
            if !matches!(status, S::Decided | S::InForce) {
                return Err(invalid(status, name));
            }
            if Some(by) == matter.id {
                return refuse(MatterError::InvalidInput {
                    field: "revision",
                    reason: "a matter cannot revise itself".into(),
                });
            }
            authorize_any(
                org,
                ctx.actor,
                Action::RecordOutcome,
                admin_bodies(org, matter),
            )?;
            vec![MatterEvent::Revised { by }]
        }
        C::Extend { until } => {
            if !matches!(
                status,
                S::Decided | S::InForce | S::Closed(Closure::Revised)
            ) {
                return Err(invalid(status, name));
            }
            if until <= ctx.today {
                return refuse(MatterError::InvalidDate {
                    what: "extension",
                    date: until,
                    reason: "it must lie in the future".into(),
                });
            }
            if let Some(prev) = matter.valid_until
                && until <= prev
            {
                return refuse(MatterError::InvalidDate {
                    what: "extension",
                    date: until,
                    reason: format!("the matter is already valid until {prev}"),
                });
            }
            authorize_any(
                org,
                ctx.actor,
                Action::RecordOutcome,
                admin_bodies(org, matter),
            )?;
            vec![MatterEvent::Extended {
                until,
                previous: matter.valid_until,
            }]
        }
        C::RecordFeedback { note } => {
            if !matter.owes_feedback() {
                return refuse(MatterError::InvalidInput {
                    field: "feedback",
                    reason: "the submitter has been told of every change".into(),
                });
            }
            if ctx.actor.person() != Some(&matter.submitter) {
                authorize_any(
                    org,
                    ctx.actor,
                    Action::RecordOutcome,
                    admin_bodies(org, matter),
                )?;
            }
            vec![MatterEvent::FeedbackGiven {
                through: matter.last_change,
                manual: true,
                note,
            }]
        }
    };
    Ok(ev)
}

fn unreachable_submit(matter: &Matter) -> Result<Vec<MatterEvent>> {
    // `Submit` is handled before the match; reaching here means a second submission.
    match matter.id {
        Some(id) => refuse(MatterError::AlreadySubmitted { id }),
        None => Err(unknown("matter", "(not submitted)")),
    }
}

fn in_progress(status: MatterStatus, name: &'static str) -> Result<()> {
    if status == MatterStatus::InProgress {
        Ok(())
    } else {
        Err(invalid(status, name))
    }
}

/// The current body that `at` is (or is part of), for commands that keep the matter at
/// its body (tabling, escalation).
fn current_body_for(
    org: &Organisation,
    matter: &Matter,
    at: &BodyId,
    name: &'static str,
) -> Result<BodyId> {
    use MatterStatus as S;
    if !matches!(
        matter.status,
        S::InformationItem | S::InProgress | S::PoliticalProcess
    ) {
        return Err(invalid(matter.status, name));
    }
    matter
        .current_bodies()
        .into_iter()
        .find(|b| body_matches(org, b, at))
        .cloned()
        .ok_or_else(|| MatterError::NotAtBody {
            body: at.clone(),
            active: matter.active.iter().map(|a| a.step.clone()).collect(),
        })
}

fn submit(matter: &Matter, s: SubmitMatter, ctx: &MatterContext<'_>) -> Result<Vec<MatterEvent>> {
    // Permissions against the roster on the command's day (mandate periods).
    let org = &crate::org::RosterOn::new(ctx.org, ctx.today);
    if let Some(id) = matter.id {
        return refuse(MatterError::AlreadySubmitted { id });
    }
    let id = s.id.ok_or(MatterError::InvalidInput {
        field: "id",
        reason: "a submission needs the new matter's id".into(),
    })?;
    non_empty("title", &s.title)?;
    let submitter = match (s.submitter, ctx.actor.person()) {
        (Some(p), _) => p,
        (None, Some(p)) => p.clone(),
        (None, None) => {
            return refuse(MatterError::InvalidInput {
                field: "submitter",
                reason: "a system actor must name the submitter".into(),
            });
        }
    };
    if org.person(&submitter).is_none() {
        return Err(unknown("person", &submitter));
    }
    body(org, &s.body)?;
    if s.revises.is_none() && ctx.actor.person() != Some(&submitter) {
        // Registering a matter on another's behalf is the receiving body's secretary's
        // (or chair's) work: it needs the right to screen there. (A revision is
        // authorized by marking the matter it revises, which the kernel checks.)
        authorize(org, ctx.actor, Action::Screen, &s.body)?;
    }
    for (party, number) in &s.case_numbers {
        if org.party(party).is_none() {
            return Err(unknown("party", party));
        }
        non_empty("case number", number)?;
    }
    if let Some(i) = &s.issuer {
        body(org, i)?;
    }
    Ok(vec![MatterEvent::Submitted {
        id,
        kind: s.kind,
        title: s.title,
        submitter,
        body: s.body,
        case_numbers: s.case_numbers,
        issuer: s.issuer,
        revises: s.revises,
        on: ctx.today,
        config_version: org.version.clone(),
    }])
}

fn send_on_remiss(
    matter: &Matter,
    order: RemissOrder,
    ctx: &MatterContext<'_>,
    name: &'static str,
) -> Result<Vec<MatterEvent>> {
    // Permissions against the roster on the command's day (mandate periods).
    let org = &crate::org::RosterOn::new(ctx.org, ctx.today);
    in_progress(matter.status, name)?;
    if let Some(r) = &matter.remiss {
        return refuse(MatterError::RemissAlreadyOpen {
            deadline: r.deadline,
        });
    }
    let at = order.at;
    check_at(org, &at)?;
    let consult_step = matter.active.iter().find(|a| {
        a.purpose == Purpose::Consultation
            && a.body
                .as_ref()
                .is_none_or(|b| body_matches(org, b, &at.body))
    });
    if consult_step.is_none() {
        require_step_at(org, matter, &at.body)?;
    }
    require_mandate(ctx, matter, &at.body, Mandate::Consult)?;
    authorize(org, ctx.actor, Action::Consult, &at.body)?;
    if order.deadline <= ctx.today {
        return refuse(MatterError::InvalidDate {
            what: "remiss deadline",
            date: order.deadline,
            reason: "it must lie in the future".into(),
        });
    }
    let mut recipients: Vec<RemissRecipient> = order.recipients;
    if recipients.is_empty() {
        let spec = consult_step
            .and_then(|s| route_of(org, matter).ok()?.step(&s.step))
            .and_then(|s| s.consultation.as_ref());
        match spec {
            Some(spec) if !spec.recipients.is_empty() => {
                recipients.extend(spec.recipients.iter().cloned().map(RemissRecipient::Party));
            }
            _ => recipients.extend(
                org.signatories()
                    .map(|p| RemissRecipient::Party(p.id.clone())),
            ),
        }
    }
    let mut seen = BTreeSet::new();
    recipients.retain(|r| seen.insert(r.clone()));
    for r in &recipients {
        match r {
            RemissRecipient::Party(p) if org.party(p).is_none() => return Err(unknown("party", p)),
            RemissRecipient::Body(b) if org.body(b).is_none() => return Err(unknown("body", b)),
            _ => {}
        }
    }
    if recipients.is_empty() {
        return refuse(MatterError::InvalidInput {
            field: "recipients",
            reason: "a remiss needs at least one recipient".into(),
        });
    }
    Ok(vec![MatterEvent::RemissSent {
        at,
        recipients,
        deadline: order.deadline,
        receivers: order.receivers,
        edition: order.edition,
    }])
}

fn refer_back(
    matter: &Matter,
    at: At,
    to: Option<BodyId>,
    instructions: String,
    ctx: &MatterContext<'_>,
    name: &'static str,
) -> Result<Vec<MatterEvent>> {
    // Permissions against the roster on the command's day (mandate periods).
    let org = &crate::org::RosterOn::new(ctx.org, ctx.today);
    in_progress(matter.status, name)?;
    check_at(org, &at)?;
    non_empty("instructions", &instructions)?;
    let current = require_step_at(org, matter, &at.body)?;
    authorize(org, ctx.actor, Action::RecordOutcome, &at.body)?;
    let route = route_of(org, matter)?;
    // Done ancestors of the current step, nearest (latest in route order) first.
    let mut ancestors: Vec<&Step> = Vec::new();
    let mut stack = vec![current.step.clone()];
    let mut seen = HashSet::new();
    while let Some(s) = stack.pop() {
        for (p, _) in route.predecessors(&s) {
            if seen.insert(p.id.clone()) {
                stack.push(p.id.clone());
                if matter.is_done(&p.id) {
                    ancestors.push(p);
                }
            }
        }
    }
    ancestors.sort_by_key(|s| std::cmp::Reverse(route.position(&s.id).unwrap_or(0)));
    let target = match &to {
        Some(t) => {
            body(org, t)?;
            ancestors
                .iter()
                .find(|s| s.body.as_ref().is_some_and(|b| body_matches(org, b, t)))
                .copied()
                .ok_or_else(|| MatterError::InvalidInput {
                    field: "to",
                    reason: format!("{t} has no completed step before {}", current.step),
                })?
        }
        None => ancestors
            .iter()
            .find(|s| matches!(s.purpose, Purpose::Drafting | Purpose::Preparation))
            .or_else(|| ancestors.first())
            .copied()
            .ok_or_else(|| MatterError::NothingToReferBack {
                body: at.body.clone(),
            })?,
    };
    // Everything after the target is to be done again.
    let mut after = HashSet::new();
    let mut stack = vec![target.id.clone()];
    while let Some(s) = stack.pop() {
        for (n, _) in route.successors(&s) {
            if after.insert(n.id.clone()) {
                stack.push(n.id.clone());
            }
        }
    }
    let deactivated = matter
        .active
        .iter()
        .filter(|a| after.contains(&a.step))
        .map(|a| a.step.clone())
        .collect();
    let reopened = std::iter::once(target.id.clone())
        .chain(
            matter
                .done
                .iter()
                .filter(|o| after.contains(&o.step))
                .map(|o| o.step.clone()),
        )
        .collect();
    Ok(vec![MatterEvent::ReferredBack {
        at,
        instructions,
        to: active_step(target),
        deactivated,
        reopened,
    }])
}

/// The party's recorded decision on the matter, its political body's periods, and a
/// check that the actor may record for that body.
fn legal_of<'m>(
    matter: &'m Matter,
    party: &PartyId,
    ctx: &MatterContext<'_>,
) -> Result<(&'m PartyLegal, crate::legal::LegalPeriods)> {
    let org = ctx.org;
    org.party(party).ok_or_else(|| unknown("party", party))?;
    let legal = matter
        .legal
        .get(party)
        .ok_or_else(|| MatterError::NoDecision {
            party: party.clone(),
        })?;
    authorize(org, ctx.actor, Action::RecordPoliticalDecision, &legal.body)?;
    let body = org
        .body(&legal.body)
        .ok_or_else(|| unknown("body", &legal.body))?;
    Ok((legal, crate::legal::LegalPeriods::of(&body.lead_times)))
}

/// A day given for a step towards legal force: not in the future, not before `after`.
fn legal_day(
    on: Option<NaiveDate>,
    after: NaiveDate,
    what: &'static str,
    before_what: &str,
    ctx: &MatterContext<'_>,
) -> Result<NaiveDate> {
    let on = on.unwrap_or(ctx.today);
    if on > ctx.today {
        return refuse(MatterError::InvalidDate {
            what,
            date: on,
            reason: "it lies in the future".into(),
        });
    }
    if on < after {
        return refuse(MatterError::InvalidDate {
            what,
            date: on,
            reason: format!("it comes before the {before_what} on {after}"),
        });
    }
    Ok(on)
}

/// The adjustment (justering) of the minutes with a party's decision.
fn party_adjusted(
    matter: &Matter,
    party: PartyId,
    on: Option<NaiveDate>,
    ctx: &MatterContext<'_>,
    _name: &'static str,
) -> Result<Vec<MatterEvent>> {
    let (legal, periods) = legal_of(matter, &party, ctx)?;
    if let Some(done) = legal.adjusted_on {
        return refuse(MatterError::AlreadyRecorded {
            party,
            what: "adjustment",
            on: done,
        });
    }
    let on = legal_day(on, legal.decided_on, "adjustment date", "decision", ctx)?;
    let dates = crate::legal::legal_dates(
        &ctx.org.calendar(),
        periods,
        legal.decided_on,
        crate::legal::LegalFacts {
            adjusted: Some(on),
            ..legal.facts()
        },
    );
    Ok(vec![MatterEvent::PartyMinutesAdjusted {
        party,
        body: legal.body.clone(),
        on,
        due: dates.adjust_by,
        late: dates.adjusted_late(),
    }])
}

/// The notice on the party's notice board (anslag) that its minutes are adjusted: the
/// appeal period and the day of legal force follow from it.
fn party_announced(
    matter: &Matter,
    party: PartyId,
    on: Option<NaiveDate>,
    ctx: &MatterContext<'_>,
    _name: &'static str,
) -> Result<Vec<MatterEvent>> {
    let (legal, periods) = legal_of(matter, &party, ctx)?;
    if let Some(done) = legal.announced_on {
        return refuse(MatterError::AlreadyRecorded {
            party,
            what: "announcement",
            on: done,
        });
    }
    let Some(adjusted) = legal.adjusted_on else {
        return refuse(MatterError::InvalidInput {
            field: "announcement",
            reason: format!(
                "the adjustment of {party}'s minutes is not recorded yet (record-party-adjustment first)"
            ),
        });
    };
    let on = legal_day(on, adjusted, "announcement date", "adjustment", ctx)?;
    let dates = crate::legal::legal_dates(
        &ctx.org.calendar(),
        periods,
        legal.decided_on,
        crate::legal::LegalFacts {
            announced: Some(on),
            ..legal.facts()
        },
    );
    Ok(vec![MatterEvent::Announced {
        party,
        body: legal.body.clone(),
        on,
        due: dates.announce_by,
        late: dates.announced_late(),
        appeal_ends: dates.appeal_ends,
        legal_force: dates.legal_force,
    }])
}

/// A court's case number as entered, trimmed; none when blank.
fn case_number(reference: Option<String>) -> Option<String> {
    reference
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty())
}

/// An appeal lodged against a party's decision: in time (within the appeal period, or
/// before the notice that starts it), it defers the decision's legal force.
fn appeal_lodged(
    matter: &Matter,
    party: PartyId,
    on: Option<NaiveDate>,
    reference: Option<String>,
    ctx: &MatterContext<'_>,
) -> Result<Vec<MatterEvent>> {
    let (legal, _) = legal_of(matter, &party, ctx)?;
    let reference = case_number(reference);
    if let Some(r) = &reference
        && let Some(a) = legal
            .appeals
            .iter()
            .find(|a| a.reference.as_ref() == Some(r))
    {
        return refuse(MatterError::AlreadyRecorded {
            party,
            what: "appeal",
            on: a.lodged_on,
        });
    }
    let on = legal_day(on, legal.decided_on, "appeal date", "decision", ctx)?;
    let late = legal.appeal_ends.is_some_and(|end| on > end);
    Ok(vec![MatterEvent::AppealLodged {
        party,
        body: legal.body.clone(),
        on,
        reference,
        late,
    }])
}

/// The final ruling on an appeal against a party's decision.
fn appeal_settled(
    matter: &Matter,
    party: PartyId,
    reference: Option<String>,
    outcome: AppealOutcome,
    on: Option<NaiveDate>,
    ctx: &MatterContext<'_>,
) -> Result<Vec<MatterEvent>> {
    let (legal, _) = legal_of(matter, &party, ctx)?;
    let reference = case_number(reference);
    let found = legal
        .appeals
        .iter()
        .enumerate()
        .find(|(_, a)| match &reference {
            Some(r) => a.reference.as_ref() == Some(r),
            None => a.settled.is_none(),
        });
    let Some((index, appeal)) = found else {
        return refuse(MatterError::InvalidInput {
            field: "appeal",
            reason: match reference {
                Some(r) => format!("party {party} has no appeal with the case number {r}"),
                None => format!("party {party} has no pending appeal (record-appeal first)"),
            },
        });
    };
    if let Some(s) = appeal.settled {
        return refuse(MatterError::AlreadyRecorded {
            party,
            what: "ruling on the appeal",
            on: s.on,
        });
    }
    let on = legal_day(on, appeal.lodged_on, "ruling date", "appeal", ctx)?;
    Ok(vec![MatterEvent::AppealSettled {
        party,
        body: legal.body.clone(),
        appeal: index,
        on,
        outcome,
    }])
}

fn political_decision(
    matter: &Matter,
    party: PartyId,
    decision: PartyDecision,
    minutes: Option<crate::meeting::MinutesRef>,
    on: Option<NaiveDate>,
    ctx: &MatterContext<'_>,
    name: &'static str,
) -> Result<Vec<MatterEvent>> {
    // Permissions against the roster on the command's day (mandate periods).
    let org = &crate::org::RosterOn::new(ctx.org, ctx.today);
    let p = org.party(&party).ok_or_else(|| unknown("party", &party))?;
    if !matches!(
        matter.status,
        MatterStatus::PoliticalProcess | MatterStatus::InForce
    ) {
        return Err(invalid(matter.status, name));
    }
    let route = route_of(org, matter)?;
    let Some(active) = matter
        .active
        .iter()
        .find(|a| a.purpose == Purpose::PoliticalDecision)
    else {
        return Err(invalid(matter.status, name));
    };
    let step = route
        .step(&active.step)
        .ok_or_else(|| unknown("step", &active.step))?;
    let parties = political_parties(org, step);
    if !parties.contains(&party) {
        return refuse(MatterError::NotAParty { party });
    }
    if let Some(d) = matter.political.get(&party) {
        return refuse(MatterError::AlreadyDecided {
            party,
            decision: *d,
        });
    }
    let pbody = p
        .political_body
        .clone()
        .ok_or_else(|| MatterError::NoPoliticalBody {
            party: party.clone(),
        })?;
    require_mandate(ctx, matter, &pbody, Mandate::PoliticalDecision)?;
    authorize(org, ctx.actor, Action::RecordPoliticalDecision, &pbody)?;
    if let Some(m) = &minutes {
        check_at(org, &At::minutes(pbody.clone(), m.clone()))?;
    }
    let on = on.unwrap_or(ctx.today);
    if on > ctx.today {
        return refuse(MatterError::InvalidDate {
            what: "decision date",
            date: on,
            reason: "it lies in the future".into(),
        });
    }
    let decided = |p: &PartyId| p == &party || matter.political.contains_key(p);
    let all = parties.iter().all(decided);
    let mut out = Vec::with_capacity(2);
    let (adv, conclusion) = if all {
        let adopted = parties
            .iter()
            .filter(|p| {
                if *p == &party {
                    decision == PartyDecision::Adopted
                } else {
                    matter.political.get(*p) == Some(&PartyDecision::Adopted)
                }
            })
            .count();
        let outcome = if adopted == parties.len() {
            Conclusion::Adopted
        } else if adopted == 0 {
            Conclusion::Rejected
        } else {
            Conclusion::PartiallyAdopted
        };
        (Some(advance(route, matter, &step.id)?), Some(outcome))
    } else {
        (None, None)
    };
    out.push(MatterEvent::PoliticalDecisionRecorded {
        party,
        body: pbody,
        decision,
        minutes,
        on,
        advance: adv,
    });
    if let Some(outcome) = conclusion {
        out.push(MatterEvent::Concluded { outcome });
    }
    Ok(out)
}

/// A matter command's events with the notification facts they owe: feedback
/// (återkoppling) to the submitter and the followers of the matter and of the bodies
/// it touches (with the `FeedbackGiven` event when the submitter is told now), and the
/// remiss to its recipients. Pure: `followers` is the snapshot the kernel gives, and
/// `version` the stream's version before the command.
pub fn decide_with_facts(
    state: &Matter,
    command: MatterCommand,
    ctx: &MatterContext<'_>,
    followers: &crate::subscription::Subscriptions,
    feedback_mode: FeedbackMode,
    version: u64,
) -> Result<crate::aggregate::Decision<MatterEvent>> {
    use super::notify::{Subject, feedback, remiss_sent};
    use crate::subscription::FollowTarget;
    let mut events = decide(state, command, ctx)?;
    let mut notifications = Vec::new();
    let Some(subject) = Subject::of(state, &events) else {
        return Ok(crate::aggregate::Decision {
            events,
            notifications,
        });
    };
    let Some(last_change) = events.iter().rposition(|e| e.is_change()) else {
        return Ok(crate::aggregate::Decision {
            events,
            notifications,
        });
    };
    let through = version + last_change as u64 + 1;
    // Nobody follows anything in the tenant: no targets to collect.
    let recipients = if followers.follows.is_empty() {
        Vec::new()
    } else {
        let mut targets = vec![FollowTarget::Matter(subject.id)];
        for e in events.iter() {
            if let Some(b) = e.body() {
                let t = FollowTarget::Body(b.clone());
                if !targets.contains(&t) {
                    targets.push(t);
                }
            }
        }
        followers.recipients(ctx.org, &targets)
    };
    let fb = feedback(
        ctx.org,
        &subject,
        &events,
        ctx.actor,
        feedback_mode,
        recipients,
        ctx.today,
    );
    for e in events.iter() {
        if let Some(n) = remiss_sent(ctx.org, &subject, e, ctx.today) {
            notifications.push(n);
        }
    }
    let told = fb.submitter_told;
    if let Some(n) = fb.notification {
        notifications.push(n);
    }
    if told {
        events.push(MatterEvent::FeedbackGiven {
            through,
            manual: false,
            note: None,
        });
    }
    Ok(crate::aggregate::Decision {
        events,
        notifications,
    })
}
