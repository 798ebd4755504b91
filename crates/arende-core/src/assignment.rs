//! The assignment (uppdrag) aggregate: given by a body (in a § of its minutes, or by
//! KCRD) to a person, a temporary working group or a lower body; due at a meeting or on
//! a date; reported back into a matter. Overdue assignments are queryable.
//!
//! A temporary working group (tillfällig arbetsgrupp) lives on its assignment's stream:
//! it is formed when the assignment is given to it (or when the assignee body sets it
//! up) and dissolved when the assignment is reported or withdrawn. The configuration
//! stays immutable.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, Event};
use crate::authz::{Action, Actor, authorize_on};
use crate::ids::MinutesRef;
use crate::ids::{AssignmentId, BodyId, MatterId, MeetingId, PersonId, UnknownId};
use crate::notification::{
    AssignedTo, Notification, NotificationKind, Paragraph, Recipient, RecipientReason,
};
use crate::org::{Mandate, Organisation, Role};

/// A temporary working group (tillfällig arbetsgrupp), formed for one assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkingGroup {
    /// The name, e.g. `Arbetsgrupp obruten skolgång`.
    pub name: String,
    /// Who convenes it (sammankallande).
    pub convener: Option<PersonId>,
    /// The members.
    pub members: Vec<PersonId>,
}

/// Who carries out an assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum Assignee {
    /// A person (e.g. a project lead).
    Person(PersonId),
    /// A lower body (e.g. the preparatory group).
    Body(BodyId),
    /// A temporary working group formed for this assignment.
    WorkingGroup(WorkingGroup),
}

/// When an assignment is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum Due {
    /// To be reported at a meeting ("till septembermötet").
    Meeting(MeetingId),
    /// By a date.
    Date(NaiveDate),
}

/// What is assigned: to whom, what, by when, and into which matter it reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignmentOrder {
    /// Who carries it out.
    pub assignee: Assignee,
    /// The task, e.g. `revidera överenskommelsen om familjecentraler`.
    pub task: String,
    /// When it is due.
    pub due: Due,
    /// The matter it reports back into.
    pub matter: Option<MatterId>,
}

impl AssignmentOrder {
    /// Checks the order against the organisation for an issuing body: the issuer may
    /// give assignments, people and bodies exist, an assignee body is below the issuer,
    /// a due meeting is planned. Returns what is wrong.
    pub fn check(&self, org: &Organisation, issuer: &BodyId) -> Result<(), String> {
        let Some(body) = org.body(issuer) else {
            return Err(format!("unknown issuing body \"{issuer}\""));
        };
        if !body.may(Mandate::Assign) {
            return Err(format!(
                "{} has no mandate to give assignments ({})",
                body.name,
                Mandate::Assign.swedish()
            ));
        }
        if self.task.trim().is_empty() {
            return Err("the task is empty".into());
        }
        match &self.assignee {
            Assignee::Person(p) => {
                if org.person(p).is_none() {
                    return Err(format!("unknown assignee \"{p}\""));
                }
            }
            Assignee::Body(b) => {
                if org.body(b).is_none() {
                    return Err(format!("unknown assignee body \"{b}\""));
                }
                if !is_below(org, b, issuer) {
                    return Err(format!("\"{b}\" is not a body below \"{issuer}\""));
                }
            }
            Assignee::WorkingGroup(g) => check_group(org, g)?,
        }
        if let Due::Meeting(m) = &self.due
            && org.meeting(m).is_none()
        {
            return Err(format!("unknown due meeting \"{m}\""));
        }
        Ok(())
    }
}

fn check_group(org: &Organisation, g: &WorkingGroup) -> Result<(), String> {
    if g.name.trim().is_empty() {
        return Err("the working group has no name".into());
    }
    if g.members.is_empty() {
        return Err(format!("the working group \"{}\" has no members", g.name));
    }
    for p in g.members.iter().chain(g.convener.iter()) {
        if org.person(p).is_none() {
            return Err(format!(
                "unknown person \"{p}\" in working group \"{}\"",
                g.name
            ));
        }
    }
    Ok(())
}

/// Whether `body` is below `issuer` (following parents), or below one of the bodies a
/// joint-session issuer joins.
pub fn is_below(org: &Organisation, body: &BodyId, issuer: &BodyId) -> bool {
    let tops = org.expanded_bodies(std::slice::from_ref(issuer));
    let mut current = org.body(body).and_then(|b| b.parent.clone());
    let mut steps = 0;
    while let Some(b) = current {
        // A joint session of the issuer counts as the issuer (the preparatory group
        // under the joint chief group is below each chief group).
        if tops.contains(&b)
            || org
                .body(&b)
                .is_some_and(|x| x.joint_of.iter().any(|j| tops.contains(j)))
        {
            return true;
        }
        steps += 1;
        if steps > org.bodies.len() {
            return false;
        }
        current = org.body(&b).and_then(|x| x.parent.clone());
    }
    false
}

/// Something that happened to an assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssignmentEvent {
    /// The assignment was given.
    AssignmentGiven {
        /// The assignment.
        id: AssignmentId,
        /// The body that gave it.
        issuer: BodyId,
        /// The paragraph of the minutes it was given in.
        minutes: Option<MinutesRef>,
        /// What was assigned.
        order: AssignmentOrder,
        /// The day.
        on: NaiveDate,
    },
    /// A temporary working group was formed for it.
    WorkingGroupFormed {
        /// The group.
        group: WorkingGroup,
        /// The body that set it up.
        set_up_by: BodyId,
        /// The day.
        on: NaiveDate,
    },
    /// The due meeting or date was changed.
    DueChanged {
        /// The new due.
        due: Due,
        /// Why.
        reason: Option<String>,
    },
    /// The assignment was reported back (återrapporterat).
    AssignmentReported {
        /// The day.
        on: NaiveDate,
        /// The report.
        report: String,
        /// The matter it was reported into.
        matter: Option<MatterId>,
        /// Where it was reported, if at a meeting.
        at: Option<MinutesRef>,
    },
    /// The assignment was withdrawn (återkallat).
    AssignmentWithdrawn {
        /// The day.
        on: NaiveDate,
        /// Why.
        reason: Option<String>,
    },
    /// The temporary working group was dissolved (upplöst).
    WorkingGroupDissolved {
        /// The day.
        on: NaiveDate,
    },
}

const ASSIGNMENT_EVENT_TYPES: &[&str] = &[
    "AssignmentGiven",
    "WorkingGroupFormed",
    "DueChanged",
    "AssignmentReported",
    "AssignmentWithdrawn",
    "WorkingGroupDissolved",
];

impl Event for AssignmentEvent {
    fn event_type(&self) -> &'static str {
        match self {
            AssignmentEvent::AssignmentGiven { .. } => "AssignmentGiven",
            AssignmentEvent::WorkingGroupFormed { .. } => "WorkingGroupFormed",
            AssignmentEvent::DueChanged { .. } => "DueChanged",
            AssignmentEvent::AssignmentReported { .. } => "AssignmentReported",
            AssignmentEvent::AssignmentWithdrawn { .. } => "AssignmentWithdrawn",
            AssignmentEvent::WorkingGroupDissolved { .. } => "WorkingGroupDissolved",
        }
    }

    fn known_types() -> &'static [&'static str] {
        ASSIGNMENT_EVENT_TYPES
    }

    /// Giving an assignment names it.
    fn subject(&self) -> Option<String> {
        match self {
            AssignmentEvent::AssignmentGiven { id, .. } => Some(id.to_string()),
            _ => None,
        }
    }
}

/// Where an assignment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum AssignmentStatus {
    /// Not given yet (an empty stream).
    #[default]
    None,
    /// Given, not yet reported.
    Open,
    /// Reported back.
    Reported,
    /// Withdrawn.
    Withdrawn,
}

/// An assignment's state: the fold of its events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assignment {
    /// The id.
    pub id: Option<AssignmentId>,
    /// The issuing body.
    pub issuer: Option<BodyId>,
    /// Where it was given.
    pub minutes: Option<MinutesRef>,
    /// What was assigned (with the current due).
    pub order: Option<AssignmentOrder>,
    /// Given on.
    pub given_on: Option<NaiveDate>,
    /// Where it stands.
    pub status: AssignmentStatus,
    /// The temporary working group, if one was formed.
    pub working_group: Option<WorkingGroup>,
    /// The body that set the group up.
    pub group_set_up_by: Option<BodyId>,
    /// When the working group was dissolved.
    pub group_dissolved_on: Option<NaiveDate>,
    /// The report, once reported.
    pub report: Option<String>,
    /// Reported or withdrawn on.
    pub closed_on: Option<NaiveDate>,
    /// Where it was reported.
    pub reported_at: Option<MinutesRef>,
}

impl Aggregate for Assignment {
    type Event = AssignmentEvent;
    const PREFIX: &'static str = "assignment";

    fn apply(&mut self, event: &AssignmentEvent) {
        match event {
            AssignmentEvent::AssignmentGiven {
                id,
                issuer,
                minutes,
                order,
                on,
            } => {
                self.id = Some(*id);
                self.issuer = Some(issuer.clone());
                self.minutes = minutes.clone();
                self.order = Some(order.clone());
                self.given_on = Some(*on);
                self.status = AssignmentStatus::Open;
            }
            AssignmentEvent::WorkingGroupFormed {
                group, set_up_by, ..
            } => {
                self.working_group = Some(group.clone());
                self.group_set_up_by = Some(set_up_by.clone());
            }
            AssignmentEvent::DueChanged { due, .. } => {
                if let Some(o) = &mut self.order {
                    o.due = due.clone();
                }
            }
            AssignmentEvent::AssignmentReported { on, report, at, .. } => {
                self.status = AssignmentStatus::Reported;
                self.report = Some(report.clone());
                self.closed_on = Some(*on);
                self.reported_at = at.clone();
            }
            AssignmentEvent::AssignmentWithdrawn { on, .. } => {
                self.status = AssignmentStatus::Withdrawn;
                self.closed_on = Some(*on);
            }
            AssignmentEvent::WorkingGroupDissolved { on } => {
                self.group_dissolved_on = Some(*on);
            }
        }
    }
}

impl Assignment {
    /// Whether it is given and not yet reported or withdrawn.
    pub fn is_open(&self) -> bool {
        self.status == AssignmentStatus::Open
    }

    /// Whether its temporary working group exists now.
    pub fn group_active(&self) -> bool {
        self.working_group.is_some() && self.group_dissolved_on.is_none()
    }

    /// The due date: the date, or the day of the due meeting in `meetings` (the plan
    /// as it stands, with moves).
    pub fn due_date(&self, meetings: &[crate::org::PlannedMeeting]) -> Option<NaiveDate> {
        match &self.order.as_ref()?.due {
            Due::Date(d) => Some(*d),
            Due::Meeting(m) => meetings.iter().find(|x| &x.id == m).map(|x| x.date),
        }
    }

    /// Whether it is open and its due date is before `as_of`.
    pub fn is_overdue(&self, meetings: &[crate::org::PlannedMeeting], as_of: NaiveDate) -> bool {
        self.is_open() && self.due_date(meetings).is_some_and(|d| d < as_of)
    }
}

/// A refused assignment command. Nothing was stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AssignmentError {
    /// The actor may not take this action at this body.
    #[error(transparent)]
    NotPermitted(#[from] crate::authz::NotPermitted),
    /// An id that the configuration does not know.
    #[error(transparent)]
    Unknown(#[from] UnknownId),
    /// The order is not valid for this issuer.
    #[error("assignment from {issuer}: {problem}")]
    InvalidOrder {
        /// The issuing body.
        issuer: BodyId,
        /// What is wrong.
        problem: String,
    },
    /// No assignment with this id.
    #[error("no assignment {0}")]
    NotFound(AssignmentId),
    /// The assignment was already given (the id is taken).
    #[error("assignment {0} already exists")]
    AlreadyGiven(AssignmentId),
    /// The assignment is reported or withdrawn.
    #[error("assignment {id} is closed ({status:?}): cannot {action}")]
    Closed {
        /// The assignment.
        id: AssignmentId,
        /// Its status.
        status: AssignmentStatus,
        /// What was tried.
        action: &'static str,
    },
    /// A working group can only be set up by an assignee body, once.
    #[error("assignment {id}: {problem}")]
    WorkingGroup {
        /// The assignment.
        id: AssignmentId,
        /// What is wrong.
        problem: String,
    },
    /// The report is empty.
    #[error("assignment {0}: the report is empty")]
    EmptyReport(AssignmentId),
}

fn recipient(org: &Organisation, person: &PersonId, reason: RecipientReason) -> Recipient {
    Recipient::for_person(org, person, reason)
}

/// Who is told about an assignment: the person, the group, or the body's chair and
/// secretary.
fn assignee_recipients(org: &Organisation, assignee: &Assignee) -> Vec<Recipient> {
    let mut out: Vec<Recipient> = Vec::new();
    let mut push = |r: Recipient| {
        if !out.iter().any(|x| x.person == r.person) {
            out.push(r);
        }
    };
    match assignee {
        Assignee::Person(p) => push(recipient(org, p, RecipientReason::Assignee)),
        Assignee::WorkingGroup(g) => {
            for p in g.convener.iter().chain(&g.members) {
                push(recipient(org, p, RecipientReason::Assignee));
            }
        }
        Assignee::Body(b) => {
            for m in org.members_of(b) {
                if matches!(m.role, Role::Chair | Role::Secretary) {
                    push(recipient(org, &m.person, RecipientReason::Assignee));
                }
            }
        }
    }
    out
}

fn assigned_to(assignee: &Assignee) -> AssignedTo {
    match assignee {
        Assignee::Person(p) => AssignedTo::Person(p.clone()),
        Assignee::Body(b) => AssignedTo::Body(b.clone()),
        Assignee::WorkingGroup(g) => AssignedTo::WorkingGroup(g.name.clone()),
    }
}

/// A command to an assignment. Its JSON form is internally tagged by `type` in
/// kebab-case, e.g. `{"type": "withdraw", "reason": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "type", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AssignmentCommand {
    /// Give an assignment from `issuer` (optionally recorded in a § of its minutes); an
    /// assignment to a working group forms the group. The assignment's id is the
    /// command's id, so a retry gives nothing twice.
    Give {
        /// The body that gives it.
        issuer: BodyId,
        /// The § of the issuer's minutes it was given in.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        minutes: Option<MinutesRef>,
        /// What is to be done, by whom, by when.
        order: AssignmentOrder,
    },
    /// An assignee body sets up a temporary working group for the assignment.
    FormWorkingGroup {
        /// The group.
        group: WorkingGroup,
    },
    /// Report the assignment back (återrapportering), optionally at a meeting's §;
    /// dissolves its working group.
    Report {
        /// The report.
        report: String,
        /// Where it was reported.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<MinutesRef>,
    },
    /// Withdraw the assignment (dissolving its working group).
    Withdraw {
        /// Why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Move the assignment's due meeting or date.
    ChangeDue {
        /// The new due meeting or date.
        due: Due,
        /// Why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

impl AssignmentCommand {
    /// The command's name in its JSON form, e.g. `give`.
    pub fn name(&self) -> &'static str {
        match self {
            AssignmentCommand::Give { .. } => "give",
            AssignmentCommand::FormWorkingGroup { .. } => "form-working-group",
            AssignmentCommand::Report { .. } => "report",
            AssignmentCommand::Withdraw { .. } => "withdraw",
            AssignmentCommand::ChangeDue { .. } => "change-due",
        }
    }
}

/// What an assignment's `decide` needs besides the state and the command.
#[derive(Debug, Clone, Copy)]
pub struct AssignmentContext<'a> {
    /// The organisation.
    pub org: &'a Organisation,
    /// Who issues the command.
    pub actor: &'a Actor,
    /// Today (Europe/Stockholm).
    pub today: NaiveDate,
    /// The assignment's id.
    pub id: AssignmentId,
    /// The date a meeting-due resolves to (the meeting as it now stands), for the
    /// order given or the due date set.
    pub due_date: Option<NaiveDate>,
}

/// Checks an assignment command against the state and yields its events and
/// notification facts, or a typed refusal. Pure.
pub fn decide(
    state: &Assignment,
    command: &AssignmentCommand,
    ctx: &AssignmentContext<'_>,
) -> Result<Decision<AssignmentEvent>, AssignmentError> {
    let (org, actor, today, id) = (ctx.org, ctx.actor, ctx.today, ctx.id);
    match command {
        AssignmentCommand::Give {
            issuer,
            minutes,
            order,
        } => {
            if org.body(issuer).is_none() {
                return Err(UnknownId::new("body", issuer).into());
            }
            authorize_on(org, actor, Action::Assign, issuer, today)?;
            if state.id.is_some() {
                return Err(AssignmentError::AlreadyGiven(id));
            }
            order
                .check(org, issuer)
                .map_err(|problem| AssignmentError::InvalidOrder {
                    issuer: issuer.clone(),
                    problem,
                })?;
            let mut events = vec![AssignmentEvent::AssignmentGiven {
                id,
                issuer: issuer.clone(),
                minutes: minutes.clone(),
                order: order.clone(),
                on: today,
            }];
            if let Assignee::WorkingGroup(g) = &order.assignee {
                events.push(AssignmentEvent::WorkingGroupFormed {
                    group: g.clone(),
                    set_up_by: issuer.clone(),
                    on: today,
                });
            }
            let mut n =
                Notification::new(NotificationKind::AssignmentGiven, org.tenant.clone(), today);
            n.assignment_title = Some(order.task.clone());
            n.assigned_to = Some(assigned_to(&order.assignee));
            n.body = Some(issuer.clone());
            n.assignment = Some(id);
            n.matter = order.matter;
            n.deadline = match &order.due {
                Due::Date(d) => Some(*d),
                Due::Meeting(_) => ctx.due_date,
            };
            if let Some(r) = minutes {
                n.paragraph = Some(Paragraph {
                    meeting: r.meeting.clone(),
                    number: r.paragraph,
                });
            }
            for r in assignee_recipients(org, &order.assignee) {
                n.add_recipient(r);
            }
            Ok(Decision {
                events,
                notifications: vec![n],
            })
        }
        AssignmentCommand::FormWorkingGroup { group } => {
            let Some(order) = &state.order else {
                return Err(AssignmentError::NotFound(id));
            };
            let Assignee::Body(body) = &order.assignee else {
                return Err(AssignmentError::WorkingGroup {
                    id,
                    problem: "only an assignment given to a body can be handed to a working group"
                        .into(),
                });
            };
            authorize_on(org, actor, Action::Assign, body, today)?;
            if !state.is_open() {
                return Err(closed(id, state.status, "form a working group"));
            }
            if state.working_group.is_some() {
                return Err(AssignmentError::WorkingGroup {
                    id,
                    problem: "a working group was already formed for it".into(),
                });
            }
            check_group(org, group)
                .map_err(|problem| AssignmentError::WorkingGroup { id, problem })?;
            let mut n =
                Notification::new(NotificationKind::AssignmentGiven, org.tenant.clone(), today);
            n.working_group = Some(group.name.clone());
            n.assignment = Some(id);
            n.body = Some(body.clone());
            for r in assignee_recipients(org, &Assignee::WorkingGroup(group.clone())) {
                n.add_recipient(r);
            }
            Ok(Decision {
                events: vec![AssignmentEvent::WorkingGroupFormed {
                    group: group.clone(),
                    set_up_by: body.clone(),
                    on: today,
                }],
                notifications: vec![n],
            })
        }
        AssignmentCommand::Report { report, at } => {
            let (Some(order), Some(issuer)) = (&state.order, &state.issuer) else {
                return Err(AssignmentError::NotFound(id));
            };
            if !is_assignee(org, actor, state) {
                authorize_on(org, actor, Action::Assign, issuer, today)?;
            }
            if !state.is_open() {
                return Err(closed(id, state.status, "report it"));
            }
            if report.trim().is_empty() {
                return Err(AssignmentError::EmptyReport(id));
            }
            let mut events = vec![AssignmentEvent::AssignmentReported {
                on: today,
                report: report.to_owned(),
                matter: order.matter,
                at: at.clone(),
            }];
            if state.group_active() {
                events.push(AssignmentEvent::WorkingGroupDissolved { on: today });
            }
            Ok(Decision::events(events))
        }
        AssignmentCommand::Withdraw { reason } => {
            let issuer = state.issuer.as_ref().ok_or(AssignmentError::NotFound(id))?;
            authorize_on(org, actor, Action::Assign, issuer, today)?;
            if !state.is_open() {
                return Err(closed(id, state.status, "withdraw it"));
            }
            let mut events = vec![AssignmentEvent::AssignmentWithdrawn {
                on: today,
                reason: reason.clone(),
            }];
            if state.group_active() {
                events.push(AssignmentEvent::WorkingGroupDissolved { on: today });
            }
            Ok(Decision::events(events))
        }
        AssignmentCommand::ChangeDue { due, reason } => {
            let issuer = state.issuer.as_ref().ok_or(AssignmentError::NotFound(id))?;
            authorize_on(org, actor, Action::Assign, issuer, today)?;
            if let Due::Meeting(m) = due
                && org.meeting(m).is_none()
            {
                return Err(UnknownId::new("meeting", m).into());
            }
            if !state.is_open() {
                return Err(closed(id, state.status, "change its due date"));
            }
            if state.order.as_ref().is_some_and(|o| &o.due == due) {
                return Ok(Decision::events(Vec::new()));
            }
            Ok(Decision::events(vec![AssignmentEvent::DueChanged {
                due: due.clone(),
                reason: reason.clone(),
            }]))
        }
    }
}

/// Whether `actor` is the assignment's assignee: the person, a member or the convener
/// of its group, or the chair or secretary of its body. A system actor counts as one.
fn is_assignee(org: &Organisation, actor: &Actor, state: &Assignment) -> bool {
    let Some(person) = actor.person() else {
        return true;
    };
    match state.order.as_ref().map(|o| &o.assignee) {
        Some(Assignee::Person(p)) => p == person,
        Some(Assignee::WorkingGroup(g)) => {
            g.members.contains(person) || g.convener.as_ref() == Some(person)
        }
        Some(Assignee::Body(b)) => {
            let roles = org.roles_of(person, b);
            roles.contains(&Role::Chair)
                || roles.contains(&Role::Secretary)
                || state.working_group.as_ref().is_some_and(|g| {
                    g.members.contains(person) || g.convener.as_ref() == Some(person)
                })
        }
        None => false,
    }
}

fn closed(id: AssignmentId, status: AssignmentStatus, action: &'static str) -> AssignmentError {
    AssignmentError::Closed { id, status, action }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SimulatedClock;
    use crate::engine::Engine;
    use crate::error::Error;
    use crate::ids::CommandId;
    use crate::store::{MemoryStore, Outbox};
    use crate::testing::{self, d, person, pid};
    use std::sync::Arc;

    type TestEngine = Engine<Arc<MemoryStore>, Arc<SimulatedClock>>;

    fn engine() -> (TestEngine, Arc<MemoryStore>, Arc<SimulatedClock>) {
        let store = Arc::new(MemoryStore::new());
        let clock = Arc::new(SimulatedClock::at_date(d(2024, 10, 1)));
        let e = Engine::new(Arc::new(testing::org()), store.clone(), clock.clone());
        (e, store, clock)
    }

    fn sent(store: &MemoryStore) -> Vec<Notification> {
        store
            .claim(
                crate::clock::stockholm_instant(d(2100, 1, 1), 0, 0),
                chrono::Duration::hours(1),
                100,
            )
            .unwrap()
            .iter()
            .map(|r| serde_json::from_str(&r.message.payload).unwrap())
            .collect()
    }

    fn order(assignee: Assignee, due: Due) -> AssignmentOrder {
        AssignmentOrder {
            assignee,
            task: "ta fram en prioriteringsordning".into(),
            due,
            matter: None,
        }
    }

    #[test]
    fn only_a_mandate_that_holds_today_may_give_assignments() {
        // Karolina's roles at the chief group ended on 30 September 2024.
        let mut org = testing::org();
        for m in org
            .memberships
            .iter_mut()
            .filter(|m| m.person == pid("karolina"))
        {
            m.until = Some(d(2024, 9, 30));
        }
        let store = Arc::new(MemoryStore::new());
        let clock = Arc::new(SimulatedClock::at_date(d(2024, 10, 1)));
        let e = Engine::new(Arc::new(org), store.clone(), clock.clone());
        let cg = BodyId::new("cg-social");
        let o = order(Assignee::Person(pid("susann")), Due::Date(d(2024, 12, 1)));
        let err = e
            .give_assignment(
                &person("karolina"),
                CommandId::random(),
                &cg,
                None,
                o.clone(),
            )
            .unwrap_err();
        assert!(matches!(err, Error::NotPermitted { .. }), "{err}");
        assert!(sent(&store).is_empty());
        // On a day her mandate covered, the same order is given.
        clock.set_date(d(2024, 9, 30));
        e.give_assignment(&person("karolina"), CommandId::random(), &cg, None, o)
            .unwrap();
    }

    #[test]
    fn giving_an_assignment_tells_the_assignee_once() {
        let (e, store, _) = engine();
        let c = CommandId::random();
        let cg = BodyId::new("cg-social");
        let o = order(Assignee::Person(pid("susann")), Due::Date(d(2024, 12, 1)));
        let done = e
            .give_assignment(&person("karolina"), c, &cg, None, o.clone())
            .unwrap();
        assert_eq!(done.state.id, Some(AssignmentId(c.0)));
        assert_eq!(done.state.status, AssignmentStatus::Open);
        let n = sent(&store);
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].kind, NotificationKind::AssignmentGiven);
        assert_eq!(n[0].recipients[0].person, Some(pid("susann")));
        assert_eq!(n[0].deadline, Some(d(2024, 12, 1)));
        assert_eq!(n[0].assigned_to, Some(AssignedTo::Person(pid("susann"))));
        assert_eq!(
            n[0].assignment_title.as_deref(),
            Some("ta fram en prioriteringsordning")
        );
        let again = e
            .give_assignment(&person("karolina"), c, &cg, None, o.clone())
            .unwrap();
        assert!(again.duplicate);
        assert!(sent(&store).is_empty());
        // A member may not give assignments; nothing is written.
        let err = e
            .give_assignment(&person("jaana"), CommandId::random(), &cg, None, o)
            .unwrap_err();
        assert!(matches!(err, Error::NotPermitted { .. }), "{err}");
        assert_eq!(e.read().assignments().unwrap().len(), 1);
    }

    #[test]
    fn a_report_reaches_its_matter_and_its_submitter_hears_of_it() {
        use crate::matter::{MatterEvent, MatterKind, SubmitMatter};
        use crate::notification::Change;
        let (e, store, _) = engine();
        let mut s = SubmitMatter::new(
            MatterKind::Assignment,
            "Prioriteringsordning för familjecentraler",
            "cg-social",
        );
        s.submitter = Some(pid("jaana"));
        let matter = e
            .submit_matter(&person("karolina"), s)
            .unwrap()
            .state
            .id
            .unwrap();
        let c = CommandId::random();
        let id = AssignmentId(c.0);
        let mut o = order(Assignee::Person(pid("susann")), Due::Date(d(2024, 12, 1)));
        o.matter = Some(matter);
        e.give_assignment(&person("karolina"), c, &BodyId::new("cg-social"), None, o)
            .unwrap();
        sent(&store);
        let done = e
            .report_assignment(
                &person("susann"),
                CommandId::random(),
                id,
                "ordningen är framtagen",
                None,
            )
            .unwrap();
        // The policy recorded the report on the matter, once.
        assert_eq!(done.effects.matters.len(), 1, "{:?}", done.effects);
        assert!(done.effects.failures.is_empty());
        let m = e.read().matter(matter).unwrap();
        assert_eq!(m.reported_assignments, vec![id]);
        let history = e.read().matter_history(matter).unwrap();
        assert!(history.iter().any(|ev| matches!(
            ev,
            MatterEvent::AssignmentReportReceived { assignment, report, issuer, .. }
                if *assignment == id && report == "ordningen är framtagen" && issuer.as_str() == "cg-social"
        )));
        // Whoever raised the matter is told of it (feedback with the report).
        let told = sent(&store);
        let feedback = told
            .iter()
            .find(|n| n.kind == NotificationKind::Feedback && n.matter == Some(matter))
            .expect("feedback to the submitter");
        assert!(
            feedback
                .recipients
                .iter()
                .any(|r| r.person == Some(pid("jaana")))
        );
        assert!(feedback.changes.iter().any(|c| matches!(
            c,
            Change::AssignmentReported { report, .. } if report == "ordningen är framtagen"
        )));
        // Run again (a replay): nothing more.
        let again = e.run_policies().unwrap();
        assert!(again.matters.is_empty());
        assert_eq!(
            e.read().matter(matter).unwrap().reported_assignments,
            vec![id]
        );
    }

    #[test]
    fn an_assignee_body_sets_up_a_working_group_dissolved_when_reported() {
        let (e, _, clock) = engine();
        let c = CommandId::random();
        let id = AssignmentId(c.0);
        e.give_assignment(
            &person("karolina"),
            c,
            &BodyId::new("cg-social"),
            None,
            order(
                Assignee::Body(BodyId::new("sbu")),
                Due::Meeting(MeetingId::new("sbu-2024-12-13")),
            ),
        )
        .unwrap();
        let group = WorkingGroup {
            name: "Arbetsgrupp prioriteringsordning".into(),
            convener: Some(pid("peter")),
            members: vec![pid("jaana"), pid("johanna")],
        };
        let err = e
            .form_working_group(&person("jaana"), CommandId::random(), id, group.clone())
            .unwrap_err();
        assert!(matches!(err, Error::NotPermitted { .. }), "{err}");
        let formed = e
            .form_working_group(&person("daniel"), CommandId::random(), id, group.clone())
            .unwrap();
        assert!(formed.state.group_active());
        assert_eq!(formed.state.group_set_up_by, Some(BodyId::new("sbu")));
        let err = e
            .form_working_group(&person("daniel"), CommandId::random(), id, group)
            .unwrap_err();
        assert!(
            matches!(err, Error::Assignment(AssignmentError::WorkingGroup { .. })),
            "{err}"
        );

        // Due at the December meeting: overdue the day after it, and it follows a move.
        assert_eq!(
            e.read().overdue_assignments(d(2024, 12, 14)).unwrap().len(),
            1
        );
        assert!(
            e.read()
                .overdue_assignments(d(2024, 12, 13))
                .unwrap()
                .is_empty()
        );
        e.move_meeting(
            &person("daniel"),
            CommandId::random(),
            &MeetingId::new("sbu-2024-12-13"),
            crate::meeting::Reschedule {
                date: d(2024, 12, 20),
                start: chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
                end: chrono::NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
                location: None,
            },
            None,
        )
        .unwrap();
        assert!(
            e.read()
                .overdue_assignments(d(2024, 12, 14))
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            e.read().assignments_due(d(2024, 12, 20)).unwrap()[0].due_date,
            Some(d(2024, 12, 20))
        );

        clock.set_date(d(2024, 12, 20));
        let err = e
            .report_assignment(&person("jaana"), CommandId::random(), id, " ", None)
            .unwrap_err();
        assert!(
            matches!(err, Error::Assignment(AssignmentError::EmptyReport(_))),
            "{err}"
        );
        let done = e
            .report_assignment(
                &person("jaana"),
                CommandId::random(),
                id,
                "Prioriteringsordningen är klar.",
                None,
            )
            .unwrap();
        assert_eq!(done.state.status, AssignmentStatus::Reported);
        assert_eq!(done.state.group_dissolved_on, Some(d(2024, 12, 20)));
        assert!(
            e.read()
                .overdue_assignments(d(2025, 1, 1))
                .unwrap()
                .is_empty()
        );
        let err = e
            .withdraw_assignment(&person("karolina"), CommandId::random(), id, None)
            .unwrap_err();
        assert!(
            matches!(err, Error::Assignment(AssignmentError::Closed { .. })),
            "{err}"
        );
    }

    #[test]
    fn withdrawing_dissolves_the_group_and_moving_the_due_date_is_recorded() {
        let (e, _, _) = engine();
        let c = CommandId::random();
        let id = AssignmentId(c.0);
        let group = WorkingGroup {
            name: "Tillfällig arbetsgrupp".into(),
            convener: None,
            members: vec![pid("jaana")],
        };
        e.give_assignment(
            &person("karolina"),
            c,
            &BodyId::new("cg-social"),
            None,
            order(Assignee::WorkingGroup(group), Due::Date(d(2024, 11, 1))),
        )
        .unwrap();
        assert!(e.read().assignment(id).unwrap().group_active());
        e.change_assignment_due(
            &person("karolina"),
            CommandId::random(),
            id,
            Due::Date(d(2025, 1, 31)),
            Some("remissen drog ut".into()),
        )
        .unwrap();
        assert!(
            e.read()
                .overdue_assignments(d(2024, 12, 1))
                .unwrap()
                .is_empty()
        );
        let done = e
            .withdraw_assignment(
                &person("karolina"),
                CommandId::random(),
                id,
                Some("ersatt".into()),
            )
            .unwrap();
        assert_eq!(done.state.status, AssignmentStatus::Withdrawn);
        assert!(!done.state.group_active());
        assert!(matches!(
            e.read().assignment(AssignmentId::random()),
            Err(Error::Assignment(AssignmentError::NotFound(_)))
        ));
    }

    #[test]
    fn an_assignee_body_must_be_below_the_issuer() {
        let org = testing::org();
        let order = |assignee| AssignmentOrder {
            assignee,
            task: "ta fram en prioriteringsordning".into(),
            due: Due::Date(chrono::NaiveDate::from_ymd_opt(2025, 9, 1).unwrap()),
            matter: None,
        };
        assert!(
            order(Assignee::Body(BodyId::new("sbu")))
                .check(&org, &BodyId::new("cg-social"))
                .is_ok()
        );
        let err = order(Assignee::Body(BodyId::new("cg-social")))
            .check(&org, &BodyId::new("cg-school"))
            .unwrap_err();
        assert!(err.contains("not a body below"), "{err}");
        let err = order(Assignee::Person(pid("ingmar")))
            .check(&org, &BodyId::new("sbu"))
            .unwrap_err();
        assert!(err.contains("no mandate"), "{err}");
        let err = order(Assignee::WorkingGroup(WorkingGroup {
            name: "Arbetsgrupp".into(),
            convener: None,
            members: vec![],
        }))
        .check(&org, &BodyId::new("cg-social"))
        .unwrap_err();
        assert!(err.contains("no members"), "{err}");
        // Below the joint session of the chief groups is below each of them.
        let mut joint = org.clone();
        if let Some(b) = joint.bodies.get_mut(&BodyId::new("sbu")) {
            b.parent = Some(BodyId::new("cg-joint"));
        }
        assert!(is_below(
            &joint,
            &BodyId::new("sbu"),
            &BodyId::new("cg-school")
        ));
        assert!(!is_below(
            &joint,
            &BodyId::new("sbu"),
            &BodyId::new("council-social")
        ));
    }
}
