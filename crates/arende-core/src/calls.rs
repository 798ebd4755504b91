//! Typed convenience calls: each is one line over [`Engine::execute`], for Rust callers
//! who would rather not build a [`Command`] by hand. Every call takes its options the
//! same way: anything that converts into [`CommandOptions`] (a [`CommandId`](crate::ids::CommandId), options,
//! or `CommandOptions::default()`).

use crate::assignment::{Assignment, AssignmentCommand, AssignmentOrder, Due, WorkingGroup};
use crate::authz::Actor;
use crate::clock::Clock;
use crate::command::{Command, CommandOptions, Effects, Executed, Outcome};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::ids::{AssignmentId, BodyId, MatterId, MeetingId, MinutesRef};
use crate::matter::{Matter, MatterCommand, SubmitMatter};
use crate::meeting::{
    Adjustment, Language, Meeting, MeetingCommand, MeetingRecord, MinutesDraft, NoticeInput,
    Reschedule,
};
use crate::store::EventStore;
use crate::subscription::{FollowTarget, Follower, SubscriptionCommand, Subscriptions};

/// The result of a meeting command that may act on matters or assignments through the
/// policies: the meeting's outcome and, apart, what the policies did.
#[derive(Debug, Clone)]
pub struct WithEffects {
    /// The command's outcome on the meeting.
    pub executed: Executed<Meeting>,
    /// What the policies did because of the command (`None` when nothing).
    pub effects: Option<Effects>,
}

impl From<Executed<Meeting>> for WithEffects {
    fn from(mut executed: Executed<Meeting>) -> Self {
        let effects = std::mem::take(&mut executed.effects);
        let any = !effects.is_empty() || !executed.events.is_empty();
        WithEffects {
            executed,
            effects: any.then_some(effects),
        }
    }
}

fn wrong(kind: &'static str) -> Error {
    Error::Unknown {
        kind,
        id: "outcome of another aggregate".into(),
    }
}

fn matter(o: Outcome) -> Result<Executed<Matter>> {
    o.into_matter().ok_or_else(|| wrong("matter"))
}

fn meeting(o: Outcome) -> Result<Executed<Meeting>> {
    o.into_meeting().ok_or_else(|| wrong("meeting"))
}

fn assignment(o: Outcome) -> Result<Executed<Assignment>> {
    o.into_assignment().ok_or_else(|| wrong("assignment"))
}

fn subscription(o: Outcome) -> Result<Executed<Subscriptions>> {
    o.into_subscription().ok_or_else(|| wrong("subscription"))
}

impl<S: EventStore, C: Clock> Engine<S, C> {
    /// Submits (registers) a new matter; its id is `submit.id` or a fresh one.
    pub fn submit_matter(&self, actor: &Actor, submit: SubmitMatter) -> Result<Executed<Matter>> {
        self.submit_matter_with(actor, submit, CommandOptions::default())
    }

    /// [`Engine::submit_matter`] with options.
    pub fn submit_matter_with(
        &self,
        actor: &Actor,
        submit: SubmitMatter,
        options: impl Into<CommandOptions>,
    ) -> Result<Executed<Matter>> {
        let command = Command::Matter {
            matter: submit.id,
            command: MatterCommand::Submit(submit),
        };
        matter(self.execute(actor, command, options.into())?)
    }

    /// Runs a command on a matter.
    pub fn run_matter(
        &self,
        id: MatterId,
        actor: &Actor,
        command: MatterCommand,
    ) -> Result<Executed<Matter>> {
        self.run_matter_with(id, actor, command, CommandOptions::default())
    }

    /// [`Engine::run_matter`] with options.
    pub fn run_matter_with(
        &self,
        id: MatterId,
        actor: &Actor,
        command: MatterCommand,
        options: impl Into<CommandOptions>,
    ) -> Result<Executed<Matter>> {
        matter(self.execute(actor, Command::matter(id, command), options.into())?)
    }

    /// Submits `submit` as the revision of `old` (`revises` is set to `old`): the
    /// revision policy then marks `old` revised by it.
    pub fn revise_matter(
        &self,
        old: MatterId,
        actor: &Actor,
        mut submit: SubmitMatter,
        options: impl Into<CommandOptions>,
    ) -> Result<Executed<Matter>> {
        submit.revises = Some(old);
        self.submit_matter_with(actor, submit, options)
    }

    /// Runs a command on a meeting.
    pub fn run_meeting(
        &self,
        id: &MeetingId,
        actor: &Actor,
        command: MeetingCommand,
        options: impl Into<CommandOptions>,
    ) -> Result<Executed<Meeting>> {
        meeting(self.execute(actor, Command::meeting(id.clone(), command), options.into())?)
    }

    /// Sends the call for matters (inhämtning av frågor) of a meeting.
    pub fn send_call_for_matters(
        &self,
        actor: &Actor,
        options: impl Into<CommandOptions>,
        id: &MeetingId,
    ) -> Result<Executed<Meeting>> {
        self.run_meeting(id, actor, MeetingCommand::SendCallForMatters, options)
    }

    /// Sends the notice (kallelse) with the agenda; its matters are scheduled.
    pub fn send_notice(
        &self,
        actor: &Actor,
        options: impl Into<CommandOptions>,
        id: &MeetingId,
        input: NoticeInput,
    ) -> Result<Executed<Meeting>> {
        self.run_meeting(id, actor, MeetingCommand::SendNotice(input), options)
    }

    /// Sends the notice with the proposed agenda ([`Read::proposed_agenda`](crate::read::Read::proposed_agenda)),
    /// as the scheduler does when the notice date arrives.
    pub fn send_scheduled_notice(
        &self,
        actor: &Actor,
        options: impl Into<CommandOptions>,
        id: &MeetingId,
    ) -> Result<Executed<Meeting>> {
        let agenda = self
            .read()
            .proposed_agenda(id, &[], Language::Swedish)?
            .items;
        let input = NoticeInput {
            agenda,
            ..NoticeInput::default()
        };
        self.send_notice(actor, options, id, input)
    }

    /// Records the meeting as held; dropped items' matters are dropped from the agenda.
    pub fn record_meeting_held(
        &self,
        actor: &Actor,
        options: impl Into<CommandOptions>,
        id: &MeetingId,
        record: MeetingRecord,
    ) -> Result<WithEffects> {
        Ok(self
            .run_meeting(id, actor, MeetingCommand::RecordHeld(record), options)?
            .into())
    }

    /// Records (or revises) the draft minutes.
    pub fn draft_minutes(
        &self,
        actor: &Actor,
        options: impl Into<CommandOptions>,
        id: &MeetingId,
        draft: MinutesDraft,
    ) -> Result<Executed<Meeting>> {
        self.run_meeting(id, actor, MeetingCommand::DraftMinutes(draft), options)
    }

    /// Adjusts (justerar) the minutes; final minutes take effect on their matters.
    pub fn adjust_minutes(
        &self,
        actor: &Actor,
        options: impl Into<CommandOptions>,
        id: &MeetingId,
        adjustment: Adjustment,
    ) -> Result<WithEffects> {
        Ok(self
            .run_meeting(
                id,
                actor,
                MeetingCommand::AdjustMinutes(adjustment),
                options,
            )?
            .into())
    }

    /// Distributes the minutes; final notes take effect on their matters.
    pub fn distribute_minutes(
        &self,
        actor: &Actor,
        options: impl Into<CommandOptions>,
        id: &MeetingId,
    ) -> Result<WithEffects> {
        Ok(self
            .run_meeting(id, actor, MeetingCommand::DistributeMinutes, options)?
            .into())
    }

    /// Moves a meeting to another time (and place).
    pub fn move_meeting(
        &self,
        actor: &Actor,
        options: impl Into<CommandOptions>,
        id: &MeetingId,
        to: Reschedule,
        reason: Option<String>,
    ) -> Result<Executed<Meeting>> {
        self.run_meeting(id, actor, MeetingCommand::Move { to, reason }, options)
    }

    /// Confirms a meeting.
    pub fn confirm_meeting(
        &self,
        actor: &Actor,
        options: impl Into<CommandOptions>,
        id: &MeetingId,
    ) -> Result<Executed<Meeting>> {
        self.run_meeting(id, actor, MeetingCommand::Confirm, options)
    }

    /// Cancels a meeting (inställt).
    pub fn cancel_meeting(
        &self,
        actor: &Actor,
        options: impl Into<CommandOptions>,
        id: &MeetingId,
        reason: Option<String>,
    ) -> Result<Executed<Meeting>> {
        self.run_meeting(id, actor, MeetingCommand::Cancel { reason }, options)
    }

    /// Runs a command on an assignment (`None` when giving one).
    pub fn run_assignment(
        &self,
        id: Option<AssignmentId>,
        actor: &Actor,
        command: AssignmentCommand,
        options: impl Into<CommandOptions>,
    ) -> Result<Executed<Assignment>> {
        assignment(self.execute(actor, Command::assignment(id, command), options.into())?)
    }

    /// Gives an assignment; its id is the command's id.
    pub fn give_assignment(
        &self,
        actor: &Actor,
        options: impl Into<CommandOptions>,
        issuer: &BodyId,
        minutes: Option<MinutesRef>,
        order: AssignmentOrder,
    ) -> Result<Executed<Assignment>> {
        let issuer = issuer.clone();
        let command = AssignmentCommand::Give {
            issuer,
            minutes,
            order,
        };
        self.run_assignment(None, actor, command, options)
    }

    /// Sets up a temporary working group for an assignment given to a body.
    pub fn form_working_group(
        &self,
        actor: &Actor,
        options: impl Into<CommandOptions>,
        id: AssignmentId,
        group: WorkingGroup,
    ) -> Result<Executed<Assignment>> {
        let command = AssignmentCommand::FormWorkingGroup { group };
        self.run_assignment(Some(id), actor, command, options)
    }

    /// Reports an assignment back (återrapportering).
    pub fn report_assignment(
        &self,
        actor: &Actor,
        options: impl Into<CommandOptions>,
        id: AssignmentId,
        report: &str,
        at: Option<MinutesRef>,
    ) -> Result<Executed<Assignment>> {
        let report = report.to_owned();
        let command = AssignmentCommand::Report { report, at };
        self.run_assignment(Some(id), actor, command, options)
    }

    /// Withdraws an assignment.
    pub fn withdraw_assignment(
        &self,
        actor: &Actor,
        options: impl Into<CommandOptions>,
        id: AssignmentId,
        reason: Option<String>,
    ) -> Result<Executed<Assignment>> {
        let command = AssignmentCommand::Withdraw { reason };
        self.run_assignment(Some(id), actor, command, options)
    }

    /// Moves an assignment's due meeting or date.
    pub fn change_assignment_due(
        &self,
        actor: &Actor,
        options: impl Into<CommandOptions>,
        id: AssignmentId,
        due: Due,
        reason: Option<String>,
    ) -> Result<Executed<Assignment>> {
        let command = AssignmentCommand::ChangeDue { due, reason };
        self.run_assignment(Some(id), actor, command, options)
    }

    /// Follows a matter or a body.
    pub fn follow(
        &self,
        actor: &Actor,
        target: FollowTarget,
        follower: Follower,
    ) -> Result<Executed<Subscriptions>> {
        self.follow_with(actor, target, follower, CommandOptions::default())
    }

    /// [`Engine::follow`] with options (a command id makes a retried follow idempotent).
    pub fn follow_with(
        &self,
        actor: &Actor,
        target: FollowTarget,
        follower: Follower,
        options: impl Into<CommandOptions>,
    ) -> Result<Executed<Subscriptions>> {
        let command = Command::subscription(SubscriptionCommand::Follow { target, follower });
        subscription(self.execute(actor, command, options.into())?)
    }

    /// Stops following.
    pub fn unfollow(
        &self,
        actor: &Actor,
        target: FollowTarget,
        follower: Follower,
    ) -> Result<Executed<Subscriptions>> {
        self.unfollow_with(actor, target, follower, CommandOptions::default())
    }

    /// [`Engine::unfollow`] with options.
    pub fn unfollow_with(
        &self,
        actor: &Actor,
        target: FollowTarget,
        follower: Follower,
        options: impl Into<CommandOptions>,
    ) -> Result<Executed<Subscriptions>> {
        let command = Command::subscription(SubscriptionCommand::Unfollow { target, follower });
        subscription(self.execute(actor, command, options.into())?)
    }
}
