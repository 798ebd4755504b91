//! The engine's meeting commands and queries: send the call for matters and the
//! notice, record the meeting, draft, adjust and distribute the minutes, move, confirm
//! or cancel a meeting; the proposed agenda, the meeting plan as it stands, and what
//! the scheduler must send today.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::authz::{Action, Actor};
use crate::clock::Clock;
use crate::engine::{Decision, Engine, Executed};
use crate::error::{Error, Result};
use crate::ids::{AssignmentId, BodyId, CommandId, MatterId, MeetingId, PersonId};
use crate::notification::{
    Adjusted, AdjustedBy, AgendaEntry, AgendaKind, Change, DropCause, MeetingChange, MeetingRef,
    NoticeDocument, NoticeFacts, Notification, NotificationKind, Recipient, RecipientReason,
    Substitution,
};
use crate::org::{MeetingStatus, Organisation, PlannedMeeting, Role};
use crate::store::EventStore;

use super::agenda::{AgendaPlan, Candidate, build_agenda, standard_agenda};
use super::minutes::{Language, render_markdown};
use crate::matter::{At, CommandOptions, Matter, MatterCommand, MatterStatus};
use crate::route::Purpose;
use crate::subscription::FollowTarget;

use super::{
    Adjustment, AgendaItem, Context, Document, ItemKind, Meeting, MeetingError, MeetingEvent,
    MeetingPhase, MeetingRecord, MeetingSlot, MinutesDraft, MinutesRef, Outcome, Presenter,
    SubstituteFor, expanded_bodies,
};

/// What the secretary sends with a notice (kallelse).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NoticeInput {
    /// The agenda (see [`Engine::proposed_agenda`] for a proposal).
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

/// Who gets a meeting's minutes: members, the body above and the presenters.
pub type DistributionList = Vec<Recipient>;

/// What a meeting command did to matters and assignments: the decisions of final
/// minutes recorded on their matters, the assignments given, the matters dropped.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Effects {
    /// Matters whose outcome (or drop from the agenda) was recorded, with the paragraph
    /// (paragraph 0 for a drop at the meeting).
    pub matters: Vec<(MatterId, MinutesRef)>,
    /// Assignments given in the minutes.
    pub assignments: Vec<AssignmentId>,
    /// Effects that could not be applied (run [`Engine::apply_final_minutes`] again
    /// after fixing the cause; applied effects are not repeated).
    pub failures: Vec<EffectFailure>,
}

/// An effect of final minutes that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectFailure {
    /// Where.
    pub at: MinutesRef,
    /// What was being done, e.g. `assignment 1` or `matter 0193…`.
    pub effect: String,
    /// The error.
    pub error: String,
}

/// The result of a meeting command that also acts on matters or assignments.
#[derive(Debug, Clone)]
pub struct WithEffects {
    /// The command's outcome on the meeting.
    pub executed: Executed<Meeting>,
    /// The effects on matters and assignments applied by this command (when minutes
    /// became final; when items with matters were dropped).
    pub effects: Option<Effects>,
}

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

impl From<&SubstituteFor> for Substitution {
    /// A substitute called, as a notice states it.
    fn from(s: &SubstituteFor) -> Self {
        Substitution {
            substitute: s.substitute.clone(),
            member: s.member.clone(),
        }
    }
}

impl From<&AgendaItem> for AgendaEntry {
    /// An agenda item as a notice states it.
    fn from(item: &AgendaItem) -> Self {
        AgendaEntry {
            number: item.number,
            title: item.title.clone(),
            matter: item.matter,
            kind: Some(match item.kind {
                ItemKind::Information => AgendaKind::Information,
                ItemKind::Discussion => AgendaKind::Discussion,
                ItemKind::Decision => AgendaKind::Decision,
            }),
            time_box: item.time_box,
        }
    }
}

/// A command id derived from its parts, stable across retries and restarts (FNV-1a,
/// 128 bits, as a UUID version 8). A scheduler can use e.g.
/// `derived_command_id(&["notice", meeting.as_str()])` so that a retried send writes
/// nothing twice.
pub fn derived_command_id(parts: &[&str]) -> CommandId {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    let mut h = OFFSET;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0x1f)) {
            h ^= u128::from(b);
            h = h.wrapping_mul(PRIME);
        }
    }
    CommandId(uuid::Builder::from_custom_bytes(h.to_be_bytes()).into_uuid())
}

impl<S: EventStore, C: Clock> Engine<S, C> {
    fn planned(&self, id: &MeetingId) -> Result<PlannedMeeting> {
        self.org()
            .meeting(id)
            .cloned()
            .ok_or_else(|| Error::Unknown {
                kind: "meeting",
                id: id.to_string(),
            })
    }

    /// Whether `actor` may take `action` at any of the bodies meeting.
    fn authorize_meeting(&self, actor: &Actor, action: Action, bodies: &[BodyId]) -> Result<()> {
        let all = expanded_bodies(self.org(), bodies);
        let mut first = None;
        for b in &all {
            match self.authorize(actor, action, b) {
                Ok(()) => return Ok(()),
                Err(e) => {
                    first.get_or_insert(e);
                }
            }
        }
        match first {
            Some(e) => Err(e),
            None => Err(Error::Unknown {
                kind: "body",
                id: String::new(),
            }),
        }
    }

    fn run_meeting<F>(
        &self,
        id: &MeetingId,
        actor: &Actor,
        command_id: CommandId,
        action: Action,
        decide: F,
    ) -> Result<Executed<Meeting>>
    where
        F: FnOnce(&Meeting, &Context<'_>) -> Result<Decision<MeetingEvent>>,
    {
        let plan = self.planned(id)?;
        self.authorize_meeting(actor, action, &plan.bodies)?;
        let org = self.org().clone();
        let today = self.clock().today();
        self.execute::<Meeting, _>(id.as_str(), actor, command_id, |state, _| {
            let ctx = Context {
                org: &org,
                plan: &plan,
                today,
            };
            decide(state, &ctx)
        })
    }

    /// A meeting's state (an empty state with phase `Planned` when nothing has been
    /// recorded yet).
    pub fn meeting(&self, id: &MeetingId) -> Result<Meeting> {
        self.planned(id)?;
        Ok(self.load::<Meeting>(id.as_str())?.0)
    }

    /// A meeting as it now stands in the plan: the configured plan with the moves,
    /// confirmation or cancellation recorded since (same id; raised sequence).
    pub fn effective_meeting(&self, id: &MeetingId) -> Result<PlannedMeeting> {
        let plan = self.planned(id)?;
        let (state, _) = self.load::<Meeting>(id.as_str())?;
        Ok(state.effective_plan(&plan))
    }

    /// Every planned meeting as it now stands (cancelled ones included, with that
    /// status), in date order.
    pub fn meeting_plan(&self) -> Result<Vec<PlannedMeeting>> {
        let mut out = Vec::with_capacity(self.org().meetings.len());
        for plan in &self.org().meetings {
            let (state, _) = self.load::<Meeting>(plan.id.as_str())?;
            out.push(state.effective_plan(plan));
        }
        out.sort_by(|a, b| (a.date, a.start, &a.id).cmp(&(b.date, b.start, &b.id)));
        Ok(out)
    }

    /// A body's meetings as they now stand (including joint meetings it takes part in).
    pub fn body_meeting_plan(&self, body: &BodyId) -> Result<Vec<PlannedMeeting>> {
        if self.org().body(body).is_none() {
            return Err(Error::Unknown {
                kind: "body",
                id: body.to_string(),
            });
        }
        let joint: Vec<BodyId> = self
            .org()
            .joint_sessions_of(body)
            .map(|b| b.id.clone())
            .collect();
        Ok(self
            .meeting_plan()?
            .into_iter()
            .filter(|m| m.bodies.contains(body) || m.bodies.iter().any(|b| joint.contains(b)))
            .collect())
    }

    /// Meetings whose call for matters is due by `as_of` and not yet sent (for the
    /// scheduler): not cancelled, not yet held.
    pub fn meetings_due_for_call(&self, as_of: NaiveDate) -> Result<Vec<PlannedMeeting>> {
        let mut out = Vec::new();
        for plan in &self.org().meetings {
            let (state, _) = self.load::<Meeting>(plan.id.as_str())?;
            let p = state.effective_plan(plan);
            if p.status != MeetingStatus::Cancelled
                && state.phase == MeetingPhase::Planned
                && p.call_for_matters <= as_of
                && p.date >= as_of
            {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// Meetings whose notice is due by `as_of` and not yet sent (for the scheduler).
    pub fn meetings_due_for_notice(&self, as_of: NaiveDate) -> Result<Vec<PlannedMeeting>> {
        let mut out = Vec::new();
        for plan in &self.org().meetings {
            let (state, _) = self.load::<Meeting>(plan.id.as_str())?;
            let p = state.effective_plan(plan);
            if p.status != MeetingStatus::Cancelled
                && matches!(
                    state.phase,
                    MeetingPhase::Planned | MeetingPhase::CallForMattersSent
                )
                && p.notice <= as_of
                && p.date >= as_of
            {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// Sends the call for matters (inhämtning av frågor) of a meeting: writes a
    /// `CallForMatters` notification to the members and officers of its bodies in the
    /// same append. Needs [`Action::SendNotices`] (the scheduler acts as a system actor).
    pub fn send_call_for_matters(
        &self,
        actor: &Actor,
        command_id: CommandId,
        meeting: &MeetingId,
    ) -> Result<Executed<Meeting>> {
        let followers = self.meeting_followers(&self.planned(meeting)?.bodies)?;
        self.run_meeting(
            meeting,
            actor,
            command_id,
            Action::SendNotices,
            |state, ctx| {
                let plan = state.effective_plan(ctx.plan);
                let n = Notification::call_for_matters(
                    ctx.org,
                    &plan,
                    ctx.today,
                    call_recipients(ctx.org, &plan.bodies)
                        .into_iter()
                        .chain(followers),
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
            },
        )
    }

    /// Sends the notice (kallelse) with the agenda, the documents and what is expected
    /// of the members: writes a `Notice` notification to the members and officers, the
    /// substitutes called and the presenters in the same append. Sending it again
    /// before the meeting sends a revised notice.
    pub fn send_notice(
        &self,
        actor: &Actor,
        command_id: CommandId,
        meeting: &MeetingId,
        input: NoticeInput,
    ) -> Result<Executed<Meeting>> {
        // Check the notice first, so that no matter is scheduled for a notice that is
        // refused; then put the agenda's matters on the meeting.
        let plan = self.planned(meeting)?;
        self.authorize_meeting(actor, Action::SendNotices, &plan.bodies)?;
        let (current, _) = self.load::<Meeting>(meeting.as_str())?;
        let check = Context {
            org: self.org(),
            plan: &plan,
            today: self.clock().today(),
        };
        current.decide_notice(&check, &input, Vec::new())?;
        self.schedule_agenda_matters(actor, meeting, &input.agenda)?;
        let followers = self.meeting_followers(&plan.bodies)?;
        self.run_meeting(
            meeting,
            actor,
            command_id,
            Action::SendNotices,
            |state, ctx| {
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
                    .chain(followers),
                );
                let ids = n
                    .recipients
                    .iter()
                    .filter_map(|r| r.person.clone())
                    .collect();
                let events = state.decide_notice(ctx, &input, ids)?;
                Ok(Decision {
                    events,
                    notifications: vec![n],
                })
            },
        )
    }

    /// The proposed agenda of a meeting: the standing items around the items dropped at
    /// the body's previous meeting (carried first), then the open matters at its bodies
    /// ([`Engine::matter_candidates`]) and the `extra` candidates that make the
    /// cut-offs; the rest are deferred to the meeting where they fit.
    pub fn proposed_agenda(
        &self,
        meeting: &MeetingId,
        extra: &[Candidate],
        language: Language,
    ) -> Result<ProposedAgenda> {
        let plan = self.effective_meeting(meeting)?;
        let all = self.meeting_plan()?;
        let shares = |m: &PlannedMeeting| m.bodies.iter().any(|b| plan.bodies.contains(b));
        let following: Vec<PlannedMeeting> = all
            .iter()
            .filter(|m| m.date > plan.date && shares(m))
            .cloned()
            .collect();
        let mut all_candidates: Vec<Candidate> = Vec::new();
        if let Some(previous) = all
            .iter()
            .rfind(|m| m.date < plan.date && shares(m) && m.status != MeetingStatus::Cancelled)
        {
            let (prev, _) = self.load::<Meeting>(previous.id.as_str())?;
            for (item, _) in prev.dropped_items() {
                all_candidates.push(Candidate {
                    matter: item.matter,
                    title: item.title.clone(),
                    kind: item.kind,
                    presenter: item.presenter.clone(),
                    time_box: item.time_box,
                    submitter: item.submitter.clone(),
                    submitted_on: previous.date,
                    documents_ready_on: Some(previous.date),
                    carried_from: Some(previous.id.clone()),
                });
            }
        }
        all_candidates.extend(self.matter_candidates(meeting)?);
        all_candidates.extend(extra.iter().cloned());
        let mut built = build_agenda(&plan, &following, &all_candidates, 1);
        built.items = standard_agenda(built.items, language);
        Ok(built)
    }

    /// Sends the notice with the proposed agenda (what the scheduler calls when the
    /// notice date arrives): the standing items, the items carried from the previous
    /// meeting and the open matters at its bodies that make the cut-offs.
    pub fn send_scheduled_notice(
        &self,
        actor: &Actor,
        command_id: CommandId,
        meeting: &MeetingId,
    ) -> Result<Executed<Meeting>> {
        let proposed = self.proposed_agenda(meeting, &[], Language::Swedish)?;
        self.send_notice(
            actor,
            command_id,
            meeting,
            NoticeInput {
                agenda: proposed.items,
                ..NoticeInput::default()
            },
        )
    }

    /// Records the meeting as held: attendance, items added at the meeting, the agenda
    /// adopted, items dropped. A dropped item's matter is dropped from the agenda
    /// (`DropFromAgenda`: it moves to the next meeting and its submitter is told); the
    /// submitter of a dropped item without a scheduled matter gets feedback
    /// (återkoppling) from here. Items dropped are carried to the next meeting's
    /// proposed agenda.
    pub fn record_meeting_held(
        &self,
        actor: &Actor,
        command_id: CommandId,
        meeting: &MeetingId,
        record: MeetingRecord,
    ) -> Result<WithEffects> {
        let next = self.next_meeting_after(meeting)?;
        let (current, _) = self.load::<Meeting>(meeting.as_str())?;
        let mut on_agenda: Vec<&AgendaItem> = current.agenda.iter().map(|e| &e.item).collect();
        on_agenda.extend(record.added.iter().map(|a| &a.item));
        let mut scheduled_here: Vec<(u32, MatterId)> = Vec::new();
        for d in &record.dropped {
            if let Some(id) = on_agenda
                .iter()
                .find(|i| i.number == d.number)
                .and_then(|i| i.matter)
                && self
                    .load_matter(id)
                    .is_ok_and(|m| m.scheduled.as_ref() == Some(meeting))
            {
                scheduled_here.push((d.number, id));
            }
        }
        let executed = self.run_meeting(
            meeting,
            actor,
            command_id,
            Action::RecordMinutes,
            |state, ctx| {
                let events = state.decide_held(ctx, &record)?;
                let plan = state.effective_plan(ctx.plan);
                let mut notifications = Vec::new();
                let mut items: Vec<AgendaItem> =
                    state.agenda.iter().map(|e| e.item.clone()).collect();
                items.extend(record.added.iter().map(|a| a.item.clone()));
                for d in &record.dropped {
                    let Some(item) = items.iter().find(|i| i.number == d.number) else {
                        continue;
                    };
                    let Some(submitter) = &item.submitter else {
                        continue;
                    };
                    if scheduled_here.iter().any(|(n, _)| *n == d.number) {
                        // The matter's own drop tells its submitter.
                        continue;
                    }
                    // A planned meeting always has a body (the configuration checks it).
                    let Some(body) = plan.bodies.first() else {
                        continue;
                    };
                    let mut n = Notification::about_meeting(
                        NotificationKind::Feedback,
                        ctx.org,
                        &plan,
                        ctx.today,
                    );
                    n.matter = item.matter;
                    n.matter_title = Some(item.title.clone());
                    n.next_meeting = next.as_ref().map(|m| meeting_ref(ctx.org, m));
                    n.changes.push(Change::Dropped {
                        body: body.clone(),
                        reason: Some(match &d.reason {
                            super::DropReason::LackOfTime => DropCause::LackOfTime,
                            super::DropReason::Other(r) => DropCause::Other(r.clone()),
                        }),
                        moved_to: next.as_ref().map(|m| m.id.clone()),
                        on: next.as_ref().map(|m| m.date),
                    });
                    n.add_recipient(recipient(ctx.org, submitter, RecipientReason::Submitter));
                    notifications.push(n);
                }
                Ok(Decision {
                    events,
                    notifications,
                })
            },
        )?;
        if executed.duplicate {
            return Ok(WithEffects {
                executed,
                effects: None,
            });
        }
        let mut effects = Effects::default();
        for (number, id) in scheduled_here {
            let reason = record
                .dropped
                .iter()
                .find(|d| d.number == number)
                .map(|d| d.reason.swedish());
            let cmd = derived_command_id(&["drop", meeting.as_str(), &id.to_string()]);
            let at = MinutesRef {
                meeting: meeting.clone(),
                paragraph: 0,
            };
            match self.matter_with(
                id,
                actor,
                MatterCommand::DropFromAgenda {
                    meeting: meeting.clone(),
                    reason,
                },
                CommandOptions::with_id(cmd),
            ) {
                Ok(_) => effects.matters.push((id, at)),
                Err(e) => effects.failures.push(EffectFailure {
                    at,
                    effect: format!("drop matter {id} from the agenda"),
                    error: e.to_string(),
                }),
            }
        }
        Ok(WithEffects {
            executed,
            effects: Some(effects),
        })
    }

    /// The next meeting (as it stands) of the same bodies after `meeting`.
    pub fn next_meeting_after(&self, meeting: &MeetingId) -> Result<Option<PlannedMeeting>> {
        let plan = self.effective_meeting(meeting)?;
        Ok(self.meeting_plan()?.into_iter().find(|m| {
            m.date > plan.date
                && m.status != MeetingStatus::Cancelled
                && m.bodies.iter().any(|b| plan.bodies.contains(b))
        }))
    }

    /// Records (or revises) the draft minutes. Refused with
    /// [`MeetingError::MinutesFinal`] once the minutes are adjusted or distributed.
    pub fn draft_minutes(
        &self,
        actor: &Actor,
        command_id: CommandId,
        meeting: &MeetingId,
        draft: MinutesDraft,
    ) -> Result<Executed<Meeting>> {
        self.run_meeting(
            meeting,
            actor,
            command_id,
            Action::RecordMinutes,
            |state, ctx| Ok(Decision::events(state.decide_minutes(ctx, &draft)?)),
        )
    }

    /// Adjusts (justerar) the minutes: an adjuster or the chair named in the minutes,
    /// or whoever holds [`Action::AdjustMinutes`] at the body, may. A protocol becomes
    /// final: its decisions take effect on their matters and its assignments are given.
    pub fn adjust_minutes(
        &self,
        actor: &Actor,
        command_id: CommandId,
        meeting: &MeetingId,
        adjustment: Adjustment,
    ) -> Result<WithEffects> {
        let plan = self.planned(meeting)?;
        let (current, _) = self.load::<Meeting>(meeting.as_str())?;
        let named = match (actor.person(), &current.minutes) {
            (Some(p), Some(m)) => m.adjusters.contains(p) || &m.chair == p,
            _ => false,
        };
        if !named {
            self.authorize_meeting(actor, Action::AdjustMinutes, &plan.bodies)?;
        }
        let org = self.org().clone();
        let today = self.clock().today();
        let executed =
            self.execute::<Meeting, _>(meeting.as_str(), actor, command_id, |state, _| {
                let ctx = Context {
                    org: &org,
                    plan: &plan,
                    today,
                };
                Ok(Decision::events(state.decide_adjust(&ctx, &adjustment)?))
            })?;
        let applied = if executed.state.minutes_final() && !executed.duplicate {
            Some(self.apply_final_minutes(meeting)?)
        } else {
            None
        };
        Ok(WithEffects {
            executed,
            effects: applied,
        })
    }

    /// Distributes the minutes to the members, the body above and the presenters,
    /// writing a `MinutesDistributed` notification in the same append. A protocol must
    /// be adjusted first; notes become final now and their decisions take effect.
    pub fn distribute_minutes(
        &self,
        actor: &Actor,
        command_id: CommandId,
        meeting: &MeetingId,
    ) -> Result<WithEffects> {
        let was_final = self.meeting(meeting)?.minutes_final();
        let followers = self.meeting_followers(&self.planned(meeting)?.bodies)?;
        let executed = self.run_meeting(
            meeting,
            actor,
            command_id,
            Action::RecordMinutes,
            |state, ctx| {
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
                        super::AdjustmentMeans::ElectronicSignature => {
                            AdjustedBy::ElectronicSignature
                        }
                        super::AdjustmentMeans::Other(o) => AdjustedBy::Other(o.clone()),
                    },
                });
                add_all(&mut n, list);
                add_all(&mut n, followers);
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
            },
        )?;
        let applied = if !was_final && executed.state.minutes_final() && !executed.duplicate {
            Some(self.apply_final_minutes(meeting)?)
        } else {
            None
        };
        Ok(WithEffects {
            executed,
            effects: applied,
        })
    }

    /// Applies the effects of final minutes: gives the assignments of each § and
    /// records each decision on its matter with the meeting and the §. Idempotent: each
    /// effect has a command id derived from the meeting, the § and the effect, so a
    /// second run applies only what failed before. Refused unless the minutes are final.
    pub fn apply_final_minutes(&self, meeting: &MeetingId) -> Result<Effects> {
        let state = self.meeting(meeting)?;
        let Some(minutes) = state.minutes.as_ref().filter(|_| state.minutes_final()) else {
            return Err(MeetingError::InvalidTransition {
                meeting: meeting.clone(),
                phase: state.phase,
                action: "apply the decisions of minutes that are not final",
            }
            .into());
        };
        let Some(issuer) = state.bodies.first().cloned() else {
            return Ok(Effects::default());
        };
        let mut applied = Effects::default();
        for p in &minutes.paragraphs {
            let at = MinutesRef {
                meeting: meeting.clone(),
                paragraph: p.number,
            };
            let actor = Actor::System(format!("minutes {at}"));
            for (i, order) in p.assignments.iter().enumerate() {
                let cmd = derived_command_id(&[
                    "assignment",
                    meeting.as_str(),
                    &p.number.to_string(),
                    &i.to_string(),
                ]);
                match self.give_assignment(&actor, cmd, &issuer, Some(at.clone()), order.clone()) {
                    Ok(_) => applied.assignments.push(AssignmentId(cmd.0)),
                    Err(e) => applied.failures.push(EffectFailure {
                        at: at.clone(),
                        effect: format!("assignment {}", i + 1),
                        error: e.to_string(),
                    }),
                }
            }
            if let Some(matter) = p.matter {
                match self.record_minutes_outcome(&actor, &at, matter, p) {
                    Ok(true) => applied.matters.push((matter, at.clone())),
                    Ok(false) => {}
                    Err(e) => applied.failures.push(EffectFailure {
                        at: at.clone(),
                        effect: format!("matter {matter}"),
                        error: e.to_string(),
                    }),
                }
            }
        }
        Ok(applied)
    }

    /// Records a paragraph's outcome on its matter. Returns whether anything was
    /// recorded.
    fn record_minutes_outcome(
        &self,
        actor: &Actor,
        at: &MinutesRef,
        matter: MatterId,
        paragraph: &super::Paragraph,
    ) -> Result<bool> {
        let state = self.load_matter(matter)?;
        let plan = self.planned(&at.meeting)?;
        let place = At::minutes(at_body(self.org(), &state, &plan.bodies), at.clone());
        let joined = |clauses: &[String]| clauses.join("; ");
        let command = match &paragraph.outcome {
            Outcome::Recorded => return Ok(false),
            Outcome::NotedAndFiled if state.status == MatterStatus::InformationItem => {
                MatterCommand::File { at: place }
            }
            Outcome::NotedAndFiled | Outcome::Discussed => MatterCommand::Present { at: place },
            Outcome::Prepared { clauses } => MatterCommand::Prepare {
                at: place,
                recommendation: (!clauses.is_empty()).then(|| joined(clauses)),
            },
            Outcome::Decided { clauses } => MatterCommand::Decide {
                at: place,
                approved: true,
                clauses: clauses.clone(),
            },
            Outcome::Rejected { clauses } => MatterCommand::Decide {
                at: place,
                approved: false,
                clauses: clauses.clone(),
            },
            Outcome::DirectionDecision { clauses } => MatterCommand::DecideDirection {
                at: place,
                direction: joined(clauses),
            },
            Outcome::ReadinessChecked { ready, clauses } => MatterCommand::CheckReadiness {
                at: place,
                ready: *ready,
                note: (!clauses.is_empty()).then(|| joined(clauses)),
            },
            Outcome::ForwardedToPolitical { .. } => MatterCommand::ForwardToPolitical { at: place },
            Outcome::Recommended { to, clauses } => MatterCommand::Recommend {
                at: place,
                to: Some(to.clone()),
                recommendation: joined(clauses),
            },
            Outcome::ReferredBack { to, clauses } => MatterCommand::ReferBack {
                at: place,
                to: Some(to.clone()),
                instructions: joined(clauses),
            },
            Outcome::Tabled => MatterCommand::Table { at: place },
            Outcome::Dropped { reason } => {
                if state.scheduled.as_ref() != Some(&at.meeting) {
                    return Ok(false);
                }
                MatterCommand::DropFromAgenda {
                    meeting: at.meeting.clone(),
                    reason: Some(reason.swedish()),
                }
            }
        };
        let cmd = derived_command_id(&[
            "outcome",
            at.meeting.as_str(),
            &at.paragraph.to_string(),
            &matter.to_string(),
        ]);
        self.matter_with(matter, actor, command, CommandOptions::with_id(cmd))?;
        Ok(true)
    }

    /// The followers of a meeting's bodies, as recipients.
    fn meeting_followers(&self, bodies: &[BodyId]) -> Result<Vec<Recipient>> {
        let targets: Vec<FollowTarget> = expanded_bodies(self.org(), bodies)
            .into_iter()
            .map(FollowTarget::Body)
            .collect();
        self.followers_of(&targets)
    }

    /// Puts the matters of an agenda on the meeting (the matter's `Schedule`), before
    /// the notice goes out. A matter that is unknown or not at the meeting's bodies
    /// stops the notice with the matter's error.
    fn schedule_agenda_matters(
        &self,
        actor: &Actor,
        meeting: &MeetingId,
        agenda: &[AgendaItem],
    ) -> Result<Vec<MatterId>> {
        let mut scheduled = Vec::new();
        for item in agenda {
            let Some(id) = item.matter else { continue };
            let m = self
                .load_matter(id)
                .map_err(|_| MeetingError::InvalidAgenda {
                    meeting: meeting.clone(),
                    number: item.number,
                    problem: format!("unknown matter {id}"),
                })?;
            if m.scheduled.as_ref() != Some(meeting) {
                let cmd = derived_command_id(&[
                    "schedule",
                    meeting.as_str(),
                    &id.to_string(),
                    &m.version.to_string(),
                ]);
                self.matter_with(
                    id,
                    actor,
                    MatterCommand::Schedule {
                        meeting: meeting.clone(),
                    },
                    CommandOptions::with_id(cmd),
                )?;
            }
            scheduled.push(id);
        }
        Ok(scheduled)
    }

    /// The open matters at a meeting's bodies that are not scheduled on another
    /// meeting, as agenda candidates (submitted on their registration day, documents
    /// ready when marked ready).
    pub fn matter_candidates(&self, meeting: &MeetingId) -> Result<Vec<Candidate>> {
        let plan = self.planned(meeting)?;
        let mut out: Vec<Candidate> = Vec::new();
        for body in &plan.bodies {
            for s in self.matters_at(body, None)? {
                if !s.status.is_open()
                    || s.scheduled.as_ref().is_some_and(|m| m != meeting)
                    || out.iter().any(|c| c.matter == Some(s.id))
                {
                    continue;
                }
                let m = self.load_matter(s.id)?;
                let kind = if m.status == MatterStatus::InformationItem {
                    ItemKind::Information
                } else {
                    match m
                        .active
                        .iter()
                        .find(|a| a.body.as_ref().is_some_and(|b| plan.bodies.contains(b)))
                        .map(|a| a.purpose)
                    {
                        Some(
                            Purpose::Decision
                            | Purpose::ReadinessCheck
                            | Purpose::PoliticalDecision,
                        ) => ItemKind::Decision,
                        Some(Purpose::Information) | None => ItemKind::Information,
                        Some(_) => ItemKind::Discussion,
                    }
                };
                out.push(Candidate {
                    matter: Some(s.id),
                    title: m.title.clone(),
                    kind,
                    presenter: None,
                    time_box: None,
                    submitter: Some(m.submitter.clone()),
                    submitted_on: m.registered_on,
                    documents_ready_on: m.documents_ready,
                    carried_from: None,
                });
            }
        }
        Ok(out)
    }

    /// Renders a meeting's minutes as Markdown.
    pub fn render_minutes(&self, meeting: &MeetingId, language: Language) -> Result<String> {
        let state = self.meeting(meeting)?;
        render_markdown(self.org(), &state, language).ok_or_else(|| {
            MeetingError::InvalidTransition {
                meeting: meeting.clone(),
                phase: state.phase,
                action: "render minutes that are not drafted",
            }
            .into()
        })
    }

    /// Moves a meeting to another time (and place): the same calendar entry with a
    /// raised sequence; the call-for-matters and notice dates follow the bodies' lead
    /// times. Those already called are told.
    pub fn move_meeting(
        &self,
        actor: &Actor,
        command_id: CommandId,
        meeting: &MeetingId,
        to: Reschedule,
        reason: Option<String>,
    ) -> Result<Executed<Meeting>> {
        self.run_meeting(
            meeting,
            actor,
            command_id,
            Action::SendNotices,
            |state, ctx| {
                let current = state.effective_plan(ctx.plan);
                let (call, notice) =
                    crate::calendar::derived_dates(ctx.org, &ctx.plan.bodies, to.date);
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
            },
        )
    }

    /// Confirms a meeting (STATUS:CONFIRMED in the calendar).
    pub fn confirm_meeting(
        &self,
        actor: &Actor,
        command_id: CommandId,
        meeting: &MeetingId,
    ) -> Result<Executed<Meeting>> {
        self.run_meeting(
            meeting,
            actor,
            command_id,
            Action::SendNotices,
            |state, ctx| Ok(Decision::events(state.decide_confirm(ctx)?)),
        )
    }

    /// Cancels a meeting (inställt): the same calendar entry, STATUS:CANCELLED. Those
    /// already called are told.
    pub fn cancel_meeting(
        &self,
        actor: &Actor,
        command_id: CommandId,
        meeting: &MeetingId,
        reason: Option<String>,
    ) -> Result<Executed<Meeting>> {
        self.run_meeting(
            meeting,
            actor,
            command_id,
            Action::SendNotices,
            |state, ctx| {
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
            },
        )
    }
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

/// The body an outcome at a meeting is recorded at: the meeting's body where the
/// matter now is (a joint session counts for the bodies it joins), else the first.
fn at_body(org: &Organisation, matter: &Matter, meeting_bodies: &[BodyId]) -> BodyId {
    let current = matter.current_bodies();
    meeting_bodies
        .iter()
        .find(|mb| {
            current.iter().any(|cb| {
                cb == mb
                    || org.body(mb).is_some_and(|b| b.joint_of.contains(cb))
                    || org.body(cb).is_some_and(|b| b.joint_of.contains(mb))
            })
        })
        .or(meeting_bodies.first())
        .cloned()
        .unwrap_or_else(|| matter.body.clone())
}
