//! The meeting's commands as data ([`MeetingCommand`]) and their pure `decide`: send
//! the call for matters and the notice, record the meeting, draft, adjust and
//! distribute the minutes, move, confirm or cancel a meeting. `decide` is given what it
//! needs beyond the state ([`Given`]: the followers, the next meeting, the matters
//! scheduled here) and reads nothing; the kernel gathers it.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::aggregate::Decision;
use crate::ids::{BodyId, MatterId, PersonId};
use crate::notification::{
    Adjusted, AdjustedBy, AgendaEntry, AgendaKind, Change, DropCause, MeetingChange, MeetingRef,
    NoticeDocument, NoticeFacts, Notification, NotificationKind, Recipient, RecipientReason,
    Substitution,
};
use crate::org::{MeetingStatus, Organisation, PlannedMeeting, Role};

use super::agenda::AgendaPlan;

use super::{
    Adjustment, AgendaItem, Context, Document, Meeting, MeetingError, MeetingEvent, MeetingRecord,
    MeetingSlot, MinutesDraft, Presenter, SubstituteFor, expanded_bodies,
};

/// What the secretary sends with a notice (kallelse).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeInput {
    /// The agenda (see [`Read::proposed_agenda`](crate::read::Read::proposed_agenda) for a
    /// proposal).
    pub agenda: Vec<AgendaItem>,
    /// The documents (handlingar).
    pub documents: Vec<Document>,
    /// What is expected of the members ("läs handlingarna", "ta med synpunkter från er
    /// kommun").
    pub expectations: Option<String>,
    /// Substitutes called for members who cannot come.
    pub substitutes_called: Vec<SubstituteFor>,
}

/// A new time and place for a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reschedule {
    /// The new day.
    pub date: NaiveDate,
    /// Start (local).
    pub start: NaiveTime,
    /// End (local).
    pub end: NaiveTime,
    /// The place (`None` keeps the current one).
    pub location: Option<String>,
}

/// A command to a meeting. Its JSON form is internally tagged by `type` in kebab-case,
/// e.g. `{"type": "send-notice", "agenda": […], "documents": […]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "type", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum MeetingCommand {
    /// Send the call for matters (inhämtning av frågor) to the members and officers.
    SendCallForMatters,
    /// Send the notice (kallelse) with the agenda and the documents; again before the
    /// meeting, a revised notice. The agenda's matters are scheduled on the meeting (by
    /// the notice policy, after the notice is written).
    SendNotice(NoticeInput),
    /// Record the meeting as held: attendance, items added, the agenda adopted, items
    /// dropped (their matters are dropped from the agenda by the held-meeting policy).
    RecordHeld(MeetingRecord),
    /// Record (or revise) the draft minutes.
    DraftMinutes(MinutesDraft),
    /// One adjuster adjusts (justerar) the minutes: who (`by`, the acting person when
    /// not given), when and how. The minutes are final when every adjuster named in
    /// them has adjusted (and the chair and secretary where the configuration says);
    /// final minutes take effect on their matters and give their assignments (the
    /// final-minutes policy).
    AdjustMinutes(Adjustment),
    /// An adjuster declines to adjust, with comments: the minutes go back to the
    /// secretary, and a new round of adjustment starts with the next draft.
    DeclineAdjustment {
        /// Who declines (the acting person when not given).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<PersonId>,
        /// On.
        on: NaiveDate,
        /// What must change.
        comments: String,
    },
    /// A member's reservation (reservation) against a paragraph's decision, with its
    /// written reason, handed in before the minutes are final.
    EnterReservation {
        /// The paragraph (§).
        paragraph: u32,
        /// The member reserving.
        member: PersonId,
        /// The written reason.
        reason: String,
    },
    /// Distribute the minutes to the members, the body above and the presenters.
    DistributeMinutes,
    /// Move the meeting to another time (and place).
    Move {
        /// The new time and place.
        to: Reschedule,
        /// Why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Confirm the meeting (STATUS:CONFIRMED).
    Confirm,
    /// Cancel the meeting (inställt).
    Cancel {
        /// Why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

impl MeetingCommand {
    /// The permission the command needs at one of the meeting's bodies (a person who
    /// must adjust the minutes may adjust them, or decline to, without it; a member may
    /// enter their own reservation without it). The kernel
    /// checks exactly this; the embedding guide's table is generated from it.
    pub fn permission(&self) -> crate::authz::Action {
        use crate::authz::Action as A;
        match self {
            MeetingCommand::SendCallForMatters
            | MeetingCommand::SendNotice(_)
            | MeetingCommand::Move { .. }
            | MeetingCommand::Confirm
            | MeetingCommand::Cancel { .. } => A::SendNotices,
            MeetingCommand::RecordHeld(_)
            | MeetingCommand::DraftMinutes(_)
            | MeetingCommand::DistributeMinutes
            | MeetingCommand::EnterReservation { .. } => A::RecordMinutes,
            MeetingCommand::AdjustMinutes(_) | MeetingCommand::DeclineAdjustment { .. } => {
                A::AdjustMinutes
            }
        }
    }

    /// The command's name in its JSON form, e.g. `send-notice`.
    pub fn name(&self) -> &'static str {
        match self {
            MeetingCommand::SendCallForMatters => "send-call-for-matters",
            MeetingCommand::SendNotice(_) => "send-notice",
            MeetingCommand::RecordHeld(_) => "record-held",
            MeetingCommand::DraftMinutes(_) => "draft-minutes",
            MeetingCommand::AdjustMinutes(_) => "adjust-minutes",
            MeetingCommand::DeclineAdjustment { .. } => "decline-adjustment",
            MeetingCommand::EnterReservation { .. } => "enter-reservation",
            MeetingCommand::DistributeMinutes => "distribute-minutes",
            MeetingCommand::Move { .. } => "move",
            MeetingCommand::Confirm => "confirm",
            MeetingCommand::Cancel { .. } => "cancel",
        }
    }
}

/// What a meeting's `decide` is given beyond the state and the [`Context`]: facts the
/// kernel reads from other streams before it decides.
#[derive(Debug, Clone, Copy, Default)]
pub struct Given<'a> {
    /// The followers of the meeting's bodies, as recipients.
    pub followers: &'a [Recipient],
    /// The next meeting (as it stands) of the same bodies, for items dropped.
    pub next: Option<&'a PlannedMeeting>,
    /// Agenda items (by number) whose matters are scheduled on this meeting: a dropped
    /// one is told to its submitter by the matter's own drop, not by the meeting.
    pub scheduled_here: &'a [(u32, MatterId)],
    /// For a move: the call-for-matters and notice dates of the new day (from the
    /// bodies' lead times and the working-day calendar).
    pub lead_dates: Option<(NaiveDate, NaiveDate)>,
}

/// Checks a meeting command against the state and yields its events and notification
/// facts, or a typed refusal. Pure.
pub fn decide(
    state: &Meeting,
    command: &MeetingCommand,
    ctx: &Context<'_>,
    given: &Given<'_>,
) -> Result<Decision<MeetingEvent>, MeetingError> {
    match command {
        MeetingCommand::SendCallForMatters => call_for_matters(state, ctx, given),
        MeetingCommand::SendNotice(input) => notice(state, ctx, given, input),
        MeetingCommand::RecordHeld(record) => held(state, ctx, given, record),
        MeetingCommand::DraftMinutes(draft) => {
            Ok(Decision::events(state.decide_minutes(ctx, draft)?))
        }
        MeetingCommand::AdjustMinutes(adjustment) => {
            Ok(Decision::events(state.decide_adjust(ctx, adjustment)?))
        }
        MeetingCommand::DeclineAdjustment { by, on, comments } => {
            let Some(by) = by else {
                return Err(MeetingError::InvalidInput {
                    meeting: ctx.plan.id.clone(),
                    problem: "the refusal does not say who declined (by)".into(),
                });
            };
            let events = state.decide_decline(ctx, by, *on, comments)?;
            Ok(Decision {
                notifications: declined_notification(state, ctx, &events),
                events,
            })
        }
        MeetingCommand::EnterReservation {
            paragraph,
            member,
            reason,
        } => Ok(Decision::events(
            state.decide_reservation(ctx, *paragraph, member, reason)?,
        )),
        MeetingCommand::DistributeMinutes => distribute(state, ctx, given),
        MeetingCommand::Move { to, reason } => moved(state, ctx, given, to, reason),
        MeetingCommand::Confirm => Ok(Decision::events(state.decide_confirm(ctx)?)),
        MeetingCommand::Cancel { reason } => cancelled(state, ctx, reason),
    }
}

/// The minutes are back with the secretary: tell the secretary of the declined draft
/// who declined, when and what must change.
fn declined_notification(
    state: &Meeting,
    ctx: &Context<'_>,
    events: &[MeetingEvent],
) -> Vec<Notification> {
    let Some(MeetingEvent::AdjustmentDeclined { declined }) = events
        .iter()
        .find(|e| matches!(e, MeetingEvent::AdjustmentDeclined { .. }))
    else {
        return Vec::new();
    };
    let Some(minutes) = &state.minutes else {
        return Vec::new();
    };
    let plan = state.effective_plan(ctx.plan);
    let mut n =
        Notification::about_meeting(NotificationKind::MinutesDeclined, ctx.org, &plan, ctx.today);
    n.minutes_kind = Some(minutes.kind);
    n.declined = Some(crate::notification::AdjustmentDeclined {
        by: declined.by.clone(),
        on: declined.on,
        comments: declined.comments.clone(),
        round: declined.round,
    });
    add_all(
        &mut n,
        [recipient(
            ctx.org,
            &minutes.secretary,
            RecipientReason::Officer,
        )],
    );
    vec![n]
}

/// Who gets a meeting's minutes: members, the body above and the presenters.
pub type DistributionList = Vec<Recipient>;

/// A meeting's agenda as proposed (with standing items), and what waits.
pub type ProposedAgenda = AgendaPlan;

fn recipient(org: &Organisation, person: &PersonId, reason: RecipientReason) -> Recipient {
    Recipient::for_person(org, person, reason)
}

fn presenter_recipient(org: &Organisation, p: &Presenter) -> Recipient {
    match p {
        Presenter::Person(x) => recipient(org, x, RecipientReason::Presenter),
        Presenter::Guest { name, email, .. } => {
            Recipient::by_address(name.clone(), email.clone(), RecipientReason::Presenter)
        }
    }
}

fn add_all(n: &mut Notification, rs: impl IntoIterator<Item = Recipient>) {
    n.add_recipients(rs);
}

/// Members and officers of a meeting's bodies (joint sessions expanded).
fn body_people(org: &Organisation, bodies: &[BodyId], roles: &[Role]) -> Vec<Recipient> {
    let bodies = expanded_bodies(org, bodies);
    let mut out = Vec::new();
    for role in roles {
        for m in org
            .memberships
            .iter()
            .filter(|m| m.role == *role && bodies.contains(&m.body))
        {
            let reason = match role {
                Role::Member => RecipientReason::Member,
                Role::Substitute => RecipientReason::Substitute,
                _ => RecipientReason::Officer,
            };
            out.push(recipient(org, &m.person, reason));
        }
    }
    out
}

const CORE_ROLES: [Role; 5] = [
    Role::Member,
    Role::Chair,
    Role::Secretary,
    Role::Adjuster,
    Role::Official,
];

/// Who gets the call for matters: the members and officers of the bodies.
pub fn call_recipients(org: &Organisation, bodies: &[BodyId]) -> Vec<Recipient> {
    body_people(org, bodies, &CORE_ROLES)
}

/// Who gets the notice: members and officers, the substitutes called, and the
/// presenters of the agenda.
pub fn notice_recipients(
    org: &Organisation,
    bodies: &[BodyId],
    agenda: &[AgendaItem],
    substitutes_called: &[SubstituteFor],
) -> Vec<Recipient> {
    let mut out = body_people(org, bodies, &CORE_ROLES);
    out.extend(
        substitutes_called
            .iter()
            .map(|s| recipient(org, &s.substitute, RecipientReason::Substitute)),
    );
    out.extend(
        agenda
            .iter()
            .filter_map(|i| i.presenter.as_ref())
            .map(|p| presenter_recipient(org, p)),
    );
    out
}

/// Who gets the minutes: the members and officers, the substitutes who served, the
/// members of the body above, and the presenters.
pub fn distribution_list(org: &Organisation, meeting: &Meeting) -> DistributionList {
    let mut n = Notification::new(
        NotificationKind::MinutesDistributed,
        org.tenant.clone(),
        NaiveDate::MIN,
    );
    add_all(&mut n, body_people(org, &meeting.bodies, &CORE_ROLES));
    if let Some(a) = &meeting.attendance {
        add_all(
            &mut n,
            a.substitutes
                .iter()
                .map(|s| recipient(org, &s.substitute, RecipientReason::Substitute)),
        );
    }
    let bodies = expanded_bodies(org, &meeting.bodies);
    for b in &bodies {
        if let Some(parent) = org.body(b).and_then(|x| x.parent.as_ref())
            && !bodies.contains(parent)
        {
            add_all(
                &mut n,
                body_people(
                    org,
                    std::slice::from_ref(parent),
                    &[Role::Chair, Role::Member, Role::Secretary],
                )
                .into_iter()
                .map(|mut r| {
                    r.reason = RecipientReason::BodyAbove;
                    r
                }),
            );
        }
    }
    let agenda_presenters = meeting
        .agenda
        .iter()
        .filter_map(|e| e.item.presenter.as_ref());
    let paragraph_presenters = meeting
        .minutes
        .iter()
        .flat_map(|m| m.paragraphs.iter().flat_map(|p| p.presenters.iter()));
    add_all(
        &mut n,
        agenda_presenters
            .chain(paragraph_presenters)
            .map(|p| presenter_recipient(org, p)),
    );
    n.recipients
}

fn meeting_ref(org: &Organisation, plan: &PlannedMeeting) -> MeetingRef {
    MeetingRef::of(org, plan)
}

impl From<&AgendaItem> for AgendaEntry {
    /// An agenda item as a notice states it.
    fn from(item: &AgendaItem) -> Self {
        AgendaEntry {
            number: item.number,
            title: item.title.clone(),
            matter: item.matter,
            kind: Some(match item.kind {
                super::ItemKind::Information => AgendaKind::Information,
                super::ItemKind::Discussion => AgendaKind::Discussion,
                super::ItemKind::Decision => AgendaKind::Decision,
            }),
            time_box: item.time_box,
        }
    }
}

impl From<&SubstituteFor> for Substitution {
    /// A substitute called, as a notice states it.
    fn from(s: &SubstituteFor) -> Self {
        Substitution {
            substitute: s.substitute.clone(),
            member: s.member.clone(),
        }
    }
}

fn call_for_matters(
    state: &Meeting,
    ctx: &Context<'_>,
    given: &Given<'_>,
) -> Result<Decision<MeetingEvent>, MeetingError> {
    let plan = state.effective_plan(ctx.plan);
    let n = Notification::call_for_matters(
        ctx.org,
        &plan,
        ctx.today,
        call_recipients(ctx.org, &plan.bodies)
            .into_iter()
            .chain(given.followers.iter().cloned()),
    );
    let ids = n
        .recipients
        .iter()
        .filter_map(|r| r.person.clone())
        .collect();
    let events = state.decide_call_for_matters(ctx, ids)?;
    Ok(Decision {
        events,
        notifications: vec![n],
    })
}

fn notice(
    state: &Meeting,
    ctx: &Context<'_>,
    given: &Given<'_>,
    input: &NoticeInput,
) -> Result<Decision<MeetingEvent>, MeetingError> {
    let plan = state.effective_plan(ctx.plan);
    let facts = NoticeFacts {
        agenda: input.agenda.iter().map(AgendaEntry::from).collect(),
        documents: input
            .documents
            .iter()
            .map(|d| NoticeDocument {
                title: d.title.clone(),
                reference: d.reference.clone(),
            })
            .collect(),
        expected: input.expectations.clone(),
        substitutes: input
            .substitutes_called
            .iter()
            .map(Substitution::from)
            .collect(),
        revised: state.notices > 0,
    };
    let n = Notification::notice(
        ctx.org,
        &plan,
        ctx.today,
        facts,
        notice_recipients(
            ctx.org,
            &plan.bodies,
            &input.agenda,
            &input.substitutes_called,
        )
        .into_iter()
        .chain(given.followers.iter().cloned()),
    );
    let ids = n
        .recipients
        .iter()
        .filter_map(|r| r.person.clone())
        .collect();
    let events = state.decide_notice(ctx, input, ids)?;
    Ok(Decision {
        events,
        notifications: vec![n],
    })
}

fn held(
    state: &Meeting,
    ctx: &Context<'_>,
    given: &Given<'_>,
    record: &MeetingRecord,
) -> Result<Decision<MeetingEvent>, MeetingError> {
    let events = state.decide_held(ctx, record)?;
    let plan = state.effective_plan(ctx.plan);
    let mut notifications = Vec::new();
    let mut items: Vec<AgendaItem> = state.agenda.iter().map(|e| e.item.clone()).collect();
    items.extend(record.added.iter().map(|a| a.item.clone()));
    for d in &record.dropped {
        let Some(item) = items.iter().find(|i| i.number == d.number) else {
            continue;
        };
        let Some(submitter) = &item.submitter else {
            continue;
        };
        if given.scheduled_here.iter().any(|(n, _)| *n == d.number) {
            // The matter's own drop tells its submitter.
            continue;
        }
        // A planned meeting always has a body (the configuration checks it).
        let Some(body) = plan.bodies.first() else {
            continue;
        };
        let mut n =
            Notification::about_meeting(NotificationKind::Feedback, ctx.org, &plan, ctx.today);
        n.matter = item.matter;
        n.matter_title = Some(item.title.clone());
        n.next_meeting = given.next.map(|m| meeting_ref(ctx.org, m));
        n.changes.push(Change::Dropped {
            body: body.clone(),
            reason: Some(match &d.reason {
                super::DropReason::LackOfTime => DropCause::LackOfTime,
                super::DropReason::Other(r) => DropCause::Other(r.clone()),
            }),
            moved_to: given.next.map(|m| m.id.clone()),
            on: given.next.map(|m| m.date),
        });
        n.add_recipient(recipient(ctx.org, submitter, RecipientReason::Submitter));
        notifications.push(n);
    }
    Ok(Decision {
        events,
        notifications,
    })
}

fn distribute(
    state: &Meeting,
    ctx: &Context<'_>,
    given: &Given<'_>,
) -> Result<Decision<MeetingEvent>, MeetingError> {
    let plan = state.effective_plan(ctx.plan);
    let list = distribution_list(ctx.org, state);
    let mut n = Notification::about_meeting(
        NotificationKind::MinutesDistributed,
        ctx.org,
        &plan,
        ctx.today,
    );
    n.minutes_kind = state.minutes.as_ref().map(|m| m.kind);
    n.adjusted = state.adjustment.as_ref().map(|a| Adjusted {
        on: a.on,
        by: match &a.means {
            super::AdjustmentMeans::Email => AdjustedBy::Email,
            super::AdjustmentMeans::AtMeeting => AdjustedBy::AtMeeting,
            super::AdjustmentMeans::Signature => AdjustedBy::Signature,
            super::AdjustmentMeans::ElectronicSignature => AdjustedBy::ElectronicSignature,
            super::AdjustmentMeans::Other(o) => AdjustedBy::Other(o.clone()),
        },
    });
    add_all(&mut n, list);
    add_all(&mut n, given.followers.iter().cloned());
    let ids = n
        .recipients
        .iter()
        .filter_map(|r| r.person.clone())
        .collect();
    let events = state.decide_distribute(ctx, ids)?;
    Ok(Decision {
        events,
        notifications: vec![n],
    })
}

fn moved(
    state: &Meeting,
    ctx: &Context<'_>,
    given: &Given<'_>,
    to: &Reschedule,
    reason: &Option<String>,
) -> Result<Decision<MeetingEvent>, MeetingError> {
    let current = state.effective_plan(ctx.plan);
    let (call, notice) = given.lead_dates.ok_or_else(|| MeetingError::InvalidInput {
        meeting: ctx.plan.id.clone(),
        problem: "the call-for-matters and notice dates of the new day are not given".into(),
    })?;
    let slot = MeetingSlot {
        date: to.date,
        start: to.start,
        end: to.end,
        location: to.location.clone().or(current.location.clone()),
        call_for_matters: call,
        notice,
    };
    let events = state.decide_move(ctx, slot, reason.clone())?;
    let mut after = state.clone();
    for e in &events {
        crate::aggregate::Aggregate::apply(&mut after, e);
    }
    let moved = after.effective_plan(ctx.plan);
    if !events
        .iter()
        .any(|e| matches!(e, MeetingEvent::MeetingMoved { .. }))
    {
        return Ok(Decision::events(events));
    }
    let notifications = change_notification(
        ctx,
        state,
        &moved,
        MeetingChange::Moved {
            previous: meeting_ref(ctx.org, &current),
        },
    );
    Ok(Decision {
        events,
        notifications,
    })
}

fn cancelled(
    state: &Meeting,
    ctx: &Context<'_>,
    reason: &Option<String>,
) -> Result<Decision<MeetingEvent>, MeetingError> {
    let events = state.decide_cancel(ctx, reason.clone())?;
    let plan = state.effective_plan(ctx.plan);
    let notifications = change_notification(
        ctx,
        state,
        &PlannedMeeting {
            status: MeetingStatus::Cancelled,
            sequence: plan.sequence + 1,
            ..plan.clone()
        },
        MeetingChange::Cancelled,
    );
    Ok(Decision {
        events,
        notifications,
    })
}

/// A `Notice` notification about a change (moved, cancelled) to those already told.
fn change_notification(
    ctx: &Context<'_>,
    state: &Meeting,
    plan: &PlannedMeeting,
    change: MeetingChange,
) -> Vec<Notification> {
    if state.call_sent_on.is_none() && state.notice_sent_on.is_none() {
        return Vec::new();
    }
    let mut n = Notification::about_meeting(NotificationKind::Notice, ctx.org, plan, ctx.today);
    n.meeting_change = Some(change);
    let agenda: Vec<AgendaItem> = state.agenda.iter().map(|e| e.item.clone()).collect();
    add_all(
        &mut n,
        notice_recipients(ctx.org, &plan.bodies, &agenda, &state.substitutes_called),
    );
    vec![n]
}
