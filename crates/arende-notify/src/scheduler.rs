//! The scheduler: each (real or simulated) day it asks the pure schedule
//! ([`arende_core::schedule::due_messages`]) what is due, and writes each due message
//! to the outbox exactly once, atomically with the record that it was sent.
//!
//! One code path: [`Scheduler::due`] (the preview) and [`Scheduler::tick`] both take
//! what is due from [`Scheduler::due`], so a tick sends exactly the facts the preview
//! shows. The schedule builds a meeting's call and notice with the same builders
//! (`Notification::call_for_matters`, `Notification::notice`) and from the same inputs
//! (the meeting as it stands, the proposed agenda, the bodies' followers, today) as the
//! meeting commands that a tick runs to write them:
//! - a call for matters or a notice runs the meeting command
//!   (`Engine::send_call_for_matters`, `Engine::send_scheduled_notice`), which moves
//!   the meeting on and writes its notification in the same append; the meeting's
//!   phase refuses a second one;
//! - a remiss reminder, an assignment-due message or a date-due message (a party's
//!   minutes not adjusted or not announced in time, a follow-up or an end of validity
//!   coming up) is written with a
//!   `ScheduledMessageSent` event on its own stream (`schedule-<key>`), expected not to
//!   exist yet, so a second scheduler (or a rerun) writes nothing.
//!
//! The dispatcher then delivers what the scheduler wrote; [`run_day`] does both.

use std::collections::BTreeSet;
use std::sync::Arc;

use arende_core::assignment::Assignee;
use arende_core::authz::{Action, Actor};
use arende_core::clock::Clock;
use arende_core::command::{Command, CommandOptions};
use arende_core::engine::Engine;
use arende_core::ids::{BodyId, CommandId};
use arende_core::matter::remiss_recipients;
use arende_core::meeting::{MeetingPhase, derived_command_id};
use arende_core::notification::{Language, Recipient, RecipientReason};
use arende_core::org::{Organisation, Role};
use arende_core::read::AssignmentView;
use arende_core::reminder::ReminderCommand;
use arende_core::schedule::{
    AssignmentState, Due, DueSubject, MeetingState, RemissState, ScheduleRules, ScheduleState,
    Window, due_messages,
};
use arende_core::store::{EventStore, Outbox};
use arende_core::subscription::FollowTarget;
use chrono::NaiveDate;

use crate::dispatcher::{BatchReport, Dispatcher};
use crate::error::NotifyError;
use crate::transport::Transport;

pub use arende_core::reminder::{ScheduleEvent, ScheduleLog};

/// What a tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    /// The keys of the messages written now.
    pub sent: Vec<String>,
    /// Due, but written before (by an earlier tick or another scheduler).
    pub already: Vec<String>,
    /// Due, but the command was refused or failed: (key, error). Retried next tick.
    pub failed: Vec<(String, String)>,
}

/// The scheduler over an engine.
pub struct Scheduler<S, C> {
    engine: Arc<Engine<S, C>>,
    rules: ScheduleRules,
    catch_up_days: u32,
    actor: Actor,
}

/// The command id of a due message: derived from its key, so a rerun of the same tick
/// (or a second scheduler) is recognised by the store as the same command.
pub fn command_id_for(key: &str) -> CommandId {
    derived_command_id(&["schedule", key])
}

impl<S: EventStore, C: Clock> Scheduler<S, C> {
    /// A scheduler with the default rules, catching up on up to 7 missed days.
    pub fn new(engine: Arc<Engine<S, C>>) -> Self {
        Scheduler {
            engine,
            rules: ScheduleRules::default(),
            catch_up_days: 7,
            actor: Actor::service("scheduler", &[Action::SendNotices]),
        }
    }

    /// Sets the rules for reminders and assignment-due messages.
    pub fn with_rules(mut self, rules: ScheduleRules) -> Self {
        self.rules = rules;
        self
    }

    /// How many days back a tick still sends what it missed (e.g. after downtime).
    pub fn with_catch_up_days(mut self, days: u32) -> Self {
        self.catch_up_days = days;
        self
    }

    /// The engine.
    pub fn engine(&self) -> &Arc<Engine<S, C>> {
        &self.engine
    }

    fn window(&self) -> Window {
        let today = self.engine.clock().today();
        Window {
            from: today - chrono::Duration::days(i64::from(self.catch_up_days)),
            to: today,
        }
    }

    fn followers(&self, targets: &[FollowTarget]) -> Result<Vec<Recipient>, NotifyError> {
        Ok(self.engine.read().followers(targets)?)
    }

    /// The organisation with its meeting plan as it stands (moved meetings moved), and
    /// the state the schedule looks at, as of today.
    pub fn state(&self) -> Result<(Organisation, ScheduleState), NotifyError> {
        let engine = &self.engine;
        let today = engine.clock().today();
        let window = self.window();
        let mut org = (**engine.org()).clone();
        org.meetings = engine.read().meeting_plan()?;
        let mut state = ScheduleState::default();
        for m in &org.meetings {
            let meeting = engine.read().meeting(&m.id)?;
            let called = !matches!(meeting.phase, MeetingPhase::Planned);
            let noticed = meeting.notices > 0
                || !matches!(
                    meeting.phase,
                    MeetingPhase::Planned | MeetingPhase::CallForMattersSent
                );
            // The agenda a notice due now carries: the proposed agenda, as the notice
            // command (`Engine::send_scheduled_notice`) sends it.
            let agenda = if !noticed && window.contains(m.notice) && m.date > window.to {
                engine
                    .read()
                    .proposed_agenda(&m.id, &[], Language::default())?
                    .items
            } else {
                Vec::new()
            };
            state.meetings.insert(
                m.id.clone(),
                MeetingState {
                    call_for_matters_sent: called,
                    notice_sent: noticed,
                    agenda,
                    ..Default::default()
                },
            );
        }
        for r in engine.read().remiss_deadlines(today)? {
            let key = r.deadline.to_string();
            let sent = self.logged(&reminder_key(&r.matter.to_string(), &key))?;
            let mut recipients = Vec::new();
            for missing in &r.missing {
                recipients.extend(remiss_recipients(&org, &r.body, missing));
            }
            recipients.extend(self.followers(&[FollowTarget::Matter(r.matter)])?);
            state.remisses.push(RemissState {
                key,
                matter: r.matter,
                matter_title: r.title.clone(),
                body: Some(r.body.clone()),
                deadline: r.deadline,
                recipients,
                answered: BTreeSet::new(),
                reminder_sent: sent,
            });
        }
        for v in engine.read().assignments()? {
            if let Some(a) = self.assignment_state(&org, &v)? {
                if let Some(m) = a.matter {
                    state
                        .followers
                        .matters
                        .insert(m, self.followers(&[FollowTarget::Matter(m)])?);
                }
                state.assignments.push(a);
            }
        }
        // Dates of matters to watch (steps towards a party's legal force, follow-ups,
        // ends of validity); only those whose reminder falls in the window are looked
        // up in the log.
        for mut x in engine.read().dates_to_watch()? {
            if !window.contains(x.send_on(&self.rules)) {
                continue;
            }
            x.sent = self.logged(&x.key())?;
            if let std::collections::btree_map::Entry::Vacant(e) =
                state.followers.matters.entry(x.matter)
            {
                e.insert(self.followers(&[FollowTarget::Matter(x.matter)])?);
            }
            state.dates.push(x);
        }
        let bodies: BTreeSet<BodyId> = org.bodies.keys().cloned().collect();
        for b in bodies {
            let f = self.followers(&[FollowTarget::Body(b.clone())])?;
            if !f.is_empty() {
                state.followers.bodies.insert(b, f);
            }
        }
        Ok((org, state))
    }

    fn assignment_state(
        &self,
        org: &Organisation,
        v: &AssignmentView,
    ) -> Result<Option<AssignmentState>, NotifyError> {
        let a = &v.assignment;
        let (Some(order), Some(issuer), Some(due)) = (&a.order, &a.issuer, v.due_date) else {
            return Ok(None);
        };
        let person = |p: &arende_core::ids::PersonId| {
            org.person(p)
                .map(|x| Recipient::from_person(x, RecipientReason::Assignee))
        };
        let assignees: Vec<Recipient> = match &order.assignee {
            Assignee::Person(p) => person(p).into_iter().collect(),
            Assignee::WorkingGroup(g) => g
                .convener
                .iter()
                .chain(g.members.iter())
                .filter_map(person)
                .collect(),
            Assignee::Body(b) => org
                .members_of(b)
                .filter(|m| matches!(m.role, Role::Chair | Role::Secretary))
                .filter_map(|m| person(&m.person))
                .collect(),
        };
        let due_sent = self.logged(&format!("assignment-due/{}", v.id))?;
        Ok(Some(AssignmentState {
            assignment: v.id,
            title: order.task.clone(),
            issuer: issuer.clone(),
            assignees,
            due,
            matter: order.matter,
            matter_title: None,
            reported: !a.is_open(),
            due_sent,
        }))
    }

    fn logged(&self, key: &str) -> Result<bool, NotifyError> {
        Ok(self.engine.load::<ScheduleLog>(key)?.0.sent)
    }

    /// What is due now, with the facts each due message writes (a preview; nothing
    /// is written). [`Scheduler::tick`] writes exactly these.
    pub fn due(&self) -> Result<Vec<Due>, NotifyError> {
        let (org, state) = self.state()?;
        Ok(due_messages(&org, &state, &self.rules, self.window()))
    }

    /// Writes every message due now, each once: the facts [`Scheduler::due`] shows, and
    /// nothing else.
    pub fn tick(&self) -> Result<TickReport, NotifyError> {
        let mut report = TickReport::default();
        for due in self.due()? {
            let cmd = command_id_for(&due.key);
            let result = match &due.subject {
                DueSubject::Meeting(m) if due.key.starts_with("call-for-matters/") => self
                    .engine
                    .send_call_for_matters(&self.actor, cmd, m)
                    .map(|e| !e.duplicate),
                DueSubject::Meeting(m) => self
                    .engine
                    .send_scheduled_notice(&self.actor, cmd, m)
                    .map(|e| !e.duplicate),
                DueSubject::Remiss { .. } | DueSubject::Assignment(_) | DueSubject::Date { .. } => {
                    self.log_and_send(&due, cmd)
                }
            };
            match result {
                Ok(true) => report.sent.push(due.key),
                Ok(false) => report.already.push(due.key),
                Err(e) if e.is_conflict() => report.already.push(due.key),
                Err(e) => report.failed.push((due.key, e.to_string())),
            }
        }
        Ok(report)
    }

    fn log_and_send(&self, due: &Due, cmd: CommandId) -> arende_core::Result<bool> {
        let command = Command::Reminder {
            key: due.key.clone(),
            command: ReminderCommand::Send {
                send_on: due.send_on,
                notification: Box::new(due.notification.clone()),
            },
        };
        let executed = self
            .engine
            .execute(&self.actor, command, CommandOptions::with_id(cmd))?;
        Ok(!executed.duplicate() && executed.event_count() > 0)
    }
}

fn reminder_key(matter: &str, key: &str) -> String {
    format!("remiss-reminder/{matter}/{key}")
}

/// One step of the service: the scheduler's tick, then the dispatcher drains what is
/// deliverable now.
pub async fn run_day<S, C, O, T, C2>(
    scheduler: &Scheduler<S, C>,
    dispatcher: &Dispatcher<O, T, C2>,
) -> Result<(TickReport, BatchReport), NotifyError>
where
    S: EventStore,
    C: Clock,
    O: Outbox,
    T: Transport,
    C2: Clock,
{
    let tick = scheduler.tick()?;
    let batch = dispatcher.drain().await?;
    Ok((tick, batch))
}

/// The service loop for real time: the dispatcher drains every `poll` (wall-clock); the
/// scheduler ticks on start, whenever the local date changes, and at least every
/// `tick_every` (a tick reads every meeting, consultation and assignment, so it runs
/// less often than the dispatcher). Runs until `shutdown` turns true. A delivery
/// failure is retried by the dispatcher; a store error ends the loop with the error.
pub async fn run<S, C, O, T, C2>(
    scheduler: &Scheduler<S, C>,
    dispatcher: &Dispatcher<O, T, C2>,
    poll: std::time::Duration,
    tick_every: std::time::Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> Result<(), NotifyError>
where
    S: EventStore,
    C: Clock,
    O: Outbox,
    T: Transport,
    C2: Clock,
{
    let mut last_tick: Option<(NaiveDate, tokio::time::Instant)> = None;
    loop {
        if *shutdown.borrow() {
            return Ok(());
        }
        let today = scheduler.engine.clock().today();
        let due = last_tick.is_none_or(|(day, at)| day != today || at.elapsed() >= tick_every);
        if due {
            scheduler.tick()?;
            last_tick = Some((today, tokio::time::Instant::now()));
        }
        dispatcher.drain().await?;
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = shutdown.changed() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_ids_are_stable_per_key() {
        assert_eq!(
            command_id_for("notice/sbu-2024-10-15"),
            command_id_for("notice/sbu-2024-10-15")
        );
        assert_ne!(
            command_id_for("notice/sbu-2024-10-15"),
            command_id_for("notice/sbu-2024-12-16")
        );
    }
}
