//! What the kernel gathers for a meeting command: the meeting as planned, the actor's
//! permission at its bodies on the meeting's day (an adjuster named in the minutes
//! may adjust them, or decline to; a member may enter their own reservation), the followers of its bodies, the next meeting and the matters scheduled on
//! this one; for a notice, that every matter on its agenda would accept being
//! scheduled. Then the meeting's pure `decide` decides.

use super::Engine;
use crate::authz::{Action, Actor, authorize_on};
use crate::clock::Clock;
use crate::command::{CommandOptions, Executed};
use crate::error::{Error, Result};
use crate::ids::{BodyId, CommandId, MatterId, MeetingId, UnknownId};
use crate::matter::{Matter, MatterCommand, MatterContext};
use crate::meeting::{
    Adjustment, AgendaItem, Context, Given, Meeting, MeetingCommand, MeetingError, decide,
    expanded_bodies,
};
use crate::notification::Recipient;
use crate::org::{MeetingStatus, PlannedMeeting};
use crate::store::EventStore;
use crate::subscription::FollowTarget;

impl<S: EventStore, C: Clock> Engine<S, C> {
    pub(super) fn dispatch_meeting(
        &self,
        actor: &Actor,
        id: &MeetingId,
        command: &MeetingCommand,
        command_id: CommandId,
        options: &CommandOptions,
    ) -> Result<Executed<Meeting>> {
        let plan = self.planned(id)?;
        let action = command.permission();
        // Who adjusts or declines is the acting person unless the command names them
        // (a secretary recording an adjustment received by e-mail).
        let filled;
        let command = match (command, actor.person()) {
            (MeetingCommand::AdjustMinutes(a), Some(p)) if a.by.is_none() => {
                filled = MeetingCommand::AdjustMinutes(Adjustment {
                    by: Some(p.clone()),
                    ..a.clone()
                });
                &filled
            }
            (
                MeetingCommand::DeclineAdjustment {
                    by: None,
                    on,
                    comments,
                },
                Some(p),
            ) => {
                filled = MeetingCommand::DeclineAdjustment {
                    by: Some(p.clone()),
                    on: *on,
                    comments: comments.clone(),
                };
                &filled
            }
            _ => command,
        };
        let (current, _) = self.load::<Meeting>(id.as_str())?;
        // A person acting for themself needs no permission where the minutes make it
        // their part: an adjuster adjusting or declining, a member entering their own
        // reservation.
        let own = match (command, actor.person(), &current.minutes) {
            (MeetingCommand::AdjustMinutes(a), Some(p), Some(m)) => {
                a.by.as_ref() == Some(p) && m.may_adjust(p)
            }
            (MeetingCommand::DeclineAdjustment { by, .. }, Some(p), Some(m)) => {
                by.as_ref() == Some(p) && m.may_adjust(p)
            }
            (MeetingCommand::EnterReservation { member, .. }, Some(p), Some(_)) => member == p,
            _ => false,
        };
        // Recording another person's adjustment or refusal (received by e-mail, signed
        // on paper) is the secretary's work: it needs the right to record the minutes.
        let for_another = match (command, actor.person()) {
            (MeetingCommand::AdjustMinutes(a), Some(p)) => a.by.as_ref().is_some_and(|b| b != p),
            (MeetingCommand::DeclineAdjustment { by, .. }, Some(p)) => {
                by.as_ref().is_some_and(|b| b != p)
            }
            _ => false,
        };
        let action = if for_another {
            Action::RecordMinutes
        } else {
            action
        };
        // Permissions are checked against the roster on the meeting's day.
        let on = current.date().unwrap_or(plan.date);
        if !own {
            self.authorize_meeting(actor, action, &plan.bodies, on)?;
        }
        let followers = match command {
            MeetingCommand::SendCallForMatters
            | MeetingCommand::SendNotice(_)
            | MeetingCommand::DistributeMinutes => self.meeting_followers(&plan.bodies)?,
            _ => Vec::new(),
        };
        if let MeetingCommand::SendNotice(input) = command {
            self.check_agenda_matters(id, &input.agenda)?;
        }
        let (next, scheduled_here) = match command {
            MeetingCommand::RecordHeld(record) => {
                let next = self.next_meeting_after(id)?;
                let (current, _) = self.load::<Meeting>(id.as_str())?;
                let mut on_agenda: Vec<&AgendaItem> =
                    current.agenda.iter().map(|e| &e.item).collect();
                on_agenda.extend(record.added.iter().map(|a| &a.item));
                let mut here: Vec<(u32, MatterId)> = Vec::new();
                for d in &record.dropped {
                    if let Some(m) = on_agenda
                        .iter()
                        .find(|i| i.number == d.number)
                        .and_then(|i| i.matter)
                        && self
                            .load::<Matter>(&m.to_string())
                            .is_ok_and(|(x, _)| x.scheduled.as_ref() == Some(id))
                    {
                        here.push((d.number, m));
                    }
                }
                (next, here)
            }
            _ => (None, Vec::new()),
        };
        let lead_dates = match command {
            MeetingCommand::Move { to, .. } => Some(crate::calendar::derived_dates(
                self.org(),
                &plan.bodies,
                to.date,
            )),
            _ => None,
        };
        let today = self.clock().today();
        let given = Given {
            followers: &followers,
            next: next.as_ref(),
            scheduled_here: &scheduled_here,
            lead_dates,
        };
        self.run::<Meeting, _>(id.as_str(), actor, command_id, options, |state, _| {
            let ctx = Context {
                org: self.org(),
                plan: &plan,
                today,
            };
            Ok(decide(state, command, &ctx, &given)?)
        })
    }

    /// A meeting as planned in the configuration.
    pub(crate) fn planned(&self, id: &MeetingId) -> Result<PlannedMeeting> {
        self.org()
            .meeting(id)
            .cloned()
            .ok_or_else(|| UnknownId::new("meeting", id).into())
    }

    /// Whether `actor` may take `action` at any of the bodies meeting.
    fn authorize_meeting(
        &self,
        actor: &Actor,
        action: Action,
        bodies: &[BodyId],
        on: chrono::NaiveDate,
    ) -> Result<()> {
        let all = expanded_bodies(self.org(), bodies);
        let mut first = None;
        for b in &all {
            match authorize_on(self.org(), actor, action, b, on) {
                Ok(()) => return Ok(()),
                Err(e) => {
                    first.get_or_insert(e);
                }
            }
        }
        match first {
            Some(e) => Err(e.into()),
            None => Err(UnknownId::new("body", "").into()),
        }
    }

    /// The followers of a meeting's bodies, as recipients.
    fn meeting_followers(&self, bodies: &[BodyId]) -> Result<Vec<Recipient>> {
        let targets: Vec<FollowTarget> = expanded_bodies(self.org(), bodies)
            .into_iter()
            .map(FollowTarget::Body)
            .collect();
        Ok(self.followers()?.recipients(self.org(), &targets))
    }

    /// Every matter on a notice's agenda must exist and accept being scheduled on the
    /// meeting (the notice policy schedules them once the notice is written): the first
    /// that would not stops the notice with its refusal, and nothing is written. The
    /// right to set the meeting's agenda is the right to send its notice, checked
    /// before: scheduling is checked as the policy will run it.
    fn check_agenda_matters(&self, meeting: &MeetingId, agenda: &[AgendaItem]) -> Result<()> {
        let policy = Actor::system("policy");
        let ctx = MatterContext {
            org: self.org(),
            actor: &policy,
            today: self.clock().today(),
        };
        for item in agenda {
            let Some(id) = item.matter else { continue };
            let (m, _) = self.load::<Matter>(&id.to_string())?;
            if !m.exists() {
                return Err(MeetingError::InvalidAgenda {
                    meeting: meeting.clone(),
                    number: item.number,
                    problem: format!("unknown matter {id}"),
                }
                .into());
            }
            if m.scheduled.as_ref() != Some(meeting) {
                let command = MatterCommand::Schedule {
                    meeting: meeting.clone(),
                };
                crate::matter::decide(&m, command, &ctx).map_err(Error::from)?;
            }
        }
        Ok(())
    }

    /// A meeting as it now stands in the plan: the configured plan with the moves,
    /// confirmation or cancellation recorded since (same id; raised sequence).
    pub(crate) fn effective_meeting(&self, id: &MeetingId) -> Result<PlannedMeeting> {
        let plan = self.planned(id)?;
        let (state, _) = self.load::<Meeting>(id.as_str())?;
        Ok(state.effective_plan(&plan))
    }

    /// Every planned meeting as it now stands (cancelled ones included, with that
    /// status), in date order.
    pub(crate) fn meeting_plan(&self) -> Result<Vec<PlannedMeeting>> {
        let mut out = Vec::with_capacity(self.org().meetings.len());
        for plan in &self.org().meetings {
            let (state, _) = self.load::<Meeting>(plan.id.as_str())?;
            out.push(state.effective_plan(plan));
        }
        out.sort_by(|a, b| (a.date, a.start, &a.id).cmp(&(b.date, b.start, &b.id)));
        Ok(out)
    }

    /// The next meeting (as it stands) of the same bodies after `meeting`.
    pub(crate) fn next_meeting_after(&self, meeting: &MeetingId) -> Result<Option<PlannedMeeting>> {
        let plan = self.effective_meeting(meeting)?;
        Ok(self.meeting_plan()?.into_iter().find(|m| {
            m.date > plan.date
                && m.status != MeetingStatus::Cancelled
                && m.bodies.iter().any(|b| plan.bodies.contains(b))
        }))
    }
}
