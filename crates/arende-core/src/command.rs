//! Commands as data: every change of every aggregate is a value of [`Command`], with a
//! stable JSON form (internally tagged, kebab-case), run through the one entry point
//! [`Engine::execute`](crate::engine::Engine::execute) with one set of
//! [`CommandOptions`]. The Rust API, the command line, the HTTP service, the dashboard's
//! forms and scenario files all speak these same commands.
//!
//! The JSON form names the aggregate, its id and the command:
//!
//! ```json
//! {"aggregate": "matter", "matter": "0193a…", "command": {"type": "screen", "screening": "information-item"}}
//! {"aggregate": "meeting", "meeting": "sbu-2024-10-15", "command": {"type": "send-call-for-matters"}}
//! {"aggregate": "assignment", "command": {"type": "give", "issuer": "kcrd", "order": {…}}}
//! {"aggregate": "subscription", "command": {"type": "follow", "target": {"matter": "0193a…"}, "follower": {"person": "anna"}}}
//! ```

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::assignment::{Assignment, AssignmentCommand};
use crate::ids::{AssignmentId, CommandId, MatterId, MeetingId, MinutesRef};
use crate::matter::{FeedbackMode, Matter, MatterCommand};
use crate::meeting::{Meeting, MeetingCommand};
use crate::reminder::{ReminderCommand, ScheduleLog};
use crate::subscription::{SubscriptionCommand, Subscriptions};

/// Any command to any aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "aggregate", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Command {
    /// A command to a matter (ärende).
    Matter {
        /// The matter. May be left out only when submitting (the engine then gives a
        /// fresh time-ordered id; give one to make a retried submission idempotent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        matter: Option<MatterId>,
        /// The command.
        command: MatterCommand,
    },
    /// A command to a meeting (sammanträde) and its minutes.
    Meeting {
        /// The meeting.
        meeting: MeetingId,
        /// The command.
        command: MeetingCommand,
    },
    /// A command to an assignment (uppdrag).
    Assignment {
        /// The assignment. Left out when giving one: its id is then the command's id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        assignment: Option<AssignmentId>,
        /// The command.
        command: AssignmentCommand,
    },
    /// Write a scheduled reminder to the outbox, once per key.
    Reminder {
        /// The reminder's key (its stream), e.g. `remiss-reminder/<matter>/<date>`.
        key: String,
        /// The command.
        command: ReminderCommand,
    },
    /// Follow or unfollow a matter or a body.
    Subscription {
        /// The command.
        command: SubscriptionCommand,
    },
}

impl Command {
    /// A command to matter `id`.
    pub fn matter(id: MatterId, command: MatterCommand) -> Self {
        Command::Matter {
            matter: Some(id),
            command,
        }
    }

    /// A command to meeting `id`.
    pub fn meeting(id: impl Into<MeetingId>, command: MeetingCommand) -> Self {
        Command::Meeting {
            meeting: id.into(),
            command,
        }
    }

    /// A command to assignment `id` (`None` when giving a new one).
    pub fn assignment(id: Option<AssignmentId>, command: AssignmentCommand) -> Self {
        Command::Assignment {
            assignment: id,
            command,
        }
    }

    /// A follow or unfollow.
    pub fn subscription(command: SubscriptionCommand) -> Self {
        Command::Subscription { command }
    }

    /// The command's name in its JSON form, e.g. `matter/screen` (for logs and metrics).
    pub fn name(&self) -> String {
        format!("{}/{}", self.aggregate(), self.command_name())
    }

    /// The command's own name within its aggregate, e.g. `submit` (the part of
    /// [`Command::name`] after the slash), without allocating.
    pub fn command_name(&self) -> &'static str {
        match self {
            Command::Matter { command, .. } => command.name(),
            Command::Meeting { command, .. } => command.name(),
            Command::Assignment { command, .. } => command.name(),
            Command::Subscription { command } => command.name(),
            Command::Reminder { command, .. } => command.name(),
        }
    }

    /// The aggregate the command is for: `matter`, `meeting`, `assignment`,
    /// `reminder` or `subscription`.
    pub fn aggregate(&self) -> &'static str {
        match self {
            Command::Matter { .. } => "matter",
            Command::Meeting { .. } => "meeting",
            Command::Assignment { .. } => "assignment",
            Command::Subscription { .. } => "subscription",
            Command::Reminder { .. } => "reminder",
        }
    }
}

/// The options of every command, for every aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct CommandOptions {
    /// The command's id, the idempotency key: the same id twice returns the first
    /// outcome and writes nothing twice. `None` = a fresh id.
    pub command_id: Option<CommandId>,
    /// Optimistic concurrency for a client that read version N: the command is refused
    /// with a conflict (and not retried) unless the stream is still at N (0 = the
    /// stream must not exist yet). `None` = no check beyond the engine's own.
    pub expected_version: Option<u64>,
    /// How many times a write conflict (another writer came first, or this engine's
    /// cached state was stale) is retried against the reloaded state before the
    /// conflict is returned. The command is checked again each time. Default 2.
    pub conflict_retries: u8,
    /// Tell a matter's submitter now (default), or later by hand (`record-feedback`).
    pub feedback: FeedbackMode,
}

impl Default for CommandOptions {
    fn default() -> Self {
        CommandOptions {
            command_id: None,
            expected_version: None,
            conflict_retries: 2,
            feedback: FeedbackMode::Now,
        }
    }
}

impl CommandOptions {
    /// Options with a command id, for idempotent retries.
    pub fn with_id(command_id: CommandId) -> Self {
        CommandOptions {
            command_id: Some(command_id),
            ..CommandOptions::default()
        }
    }

    /// Options telling the submitter later, by hand.
    pub fn tell_later() -> Self {
        CommandOptions {
            feedback: FeedbackMode::Later,
            ..CommandOptions::default()
        }
    }

    /// The same options returning the first conflict instead of retrying.
    pub fn no_retry(self) -> Self {
        CommandOptions {
            conflict_retries: 0,
            ..self
        }
    }

    /// The same options expecting the stream at `version` (0 = no stream yet).
    pub fn expecting(self, version: u64) -> Self {
        CommandOptions {
            expected_version: Some(version),
            ..self
        }
    }
}

impl From<CommandId> for CommandOptions {
    fn from(id: CommandId) -> Self {
        CommandOptions::with_id(id)
    }
}

impl From<Option<CommandId>> for CommandOptions {
    fn from(id: Option<CommandId>) -> Self {
        CommandOptions {
            command_id: id,
            ..CommandOptions::default()
        }
    }
}

/// The outcome of a command on one aggregate.
#[derive(Debug, Clone)]
pub struct Executed<A: Aggregate> {
    /// The state after the command (shared with the engine's cache: no copy is made).
    pub state: Arc<A>,
    /// The events the command wrote (for a duplicate: the events its first execution
    /// wrote).
    pub events: Vec<A::Event>,
    /// The stream's version after the command.
    pub version: u64,
    /// Whether the command had already been executed (idempotent retry): nothing new
    /// was written.
    pub duplicate: bool,
    /// What the policies did because of this command, when they ran inline (e.g. final
    /// minutes recorded on their matters). Empty otherwise.
    pub effects: Effects,
}

/// The outcome of any command: the aggregate's [`Executed`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Outcome {
    /// A matter command's outcome.
    Matter(Executed<Matter>),
    /// A meeting command's outcome.
    Meeting(Executed<Meeting>),
    /// An assignment command's outcome.
    Assignment(Executed<Assignment>),
    /// A follow or unfollow's outcome.
    Subscription(Executed<Subscriptions>),
    /// A reminder's outcome.
    Reminder(Executed<ScheduleLog>),
}

macro_rules! outcome_common {
    ($self:ident, $x:ident => $e:expr) => {
        match $self {
            Outcome::Matter($x) => $e,
            Outcome::Meeting($x) => $e,
            Outcome::Assignment($x) => $e,
            Outcome::Subscription($x) => $e,
            Outcome::Reminder($x) => $e,
        }
    };
}

impl Outcome {
    /// The stream's version after the command.
    pub fn version(&self) -> u64 {
        outcome_common!(self, x => x.version)
    }

    /// Whether the command had already been executed.
    pub fn duplicate(&self) -> bool {
        outcome_common!(self, x => x.duplicate)
    }

    /// What the policies did because of the command.
    pub fn effects(&self) -> &Effects {
        outcome_common!(self, x => &x.effects)
    }

    /// Mutable access to the effects (the entry point fills them in).
    pub(crate) fn effects_mut(&mut self) -> &mut Effects {
        outcome_common!(self, x => &mut x.effects)
    }

    /// How many events the command wrote.
    pub fn event_count(&self) -> usize {
        outcome_common!(self, x => x.events.len())
    }

    /// The matter outcome, if it is one.
    pub fn into_matter(self) -> Option<Executed<Matter>> {
        match self {
            Outcome::Matter(x) => Some(x),
            _ => None,
        }
    }

    /// The meeting outcome, if it is one.
    pub fn into_meeting(self) -> Option<Executed<Meeting>> {
        match self {
            Outcome::Meeting(x) => Some(x),
            _ => None,
        }
    }

    /// The assignment outcome, if it is one.
    pub fn into_assignment(self) -> Option<Executed<Assignment>> {
        match self {
            Outcome::Assignment(x) => Some(x),
            _ => None,
        }
    }

    /// The subscription outcome, if it is one.
    pub fn into_subscription(self) -> Option<Executed<Subscriptions>> {
        match self {
            Outcome::Subscription(x) => Some(x),
            _ => None,
        }
    }
}

/// What the policies did to other aggregates: the decisions of final minutes recorded
/// on their matters, the assignments given, the matters scheduled or dropped, the
/// revised matters marked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Effects {
    /// Matters whose outcome (or drop from the agenda) was recorded, with the paragraph
    /// (paragraph 0 for a drop at the meeting).
    pub matters: Vec<(MatterId, MinutesRef)>,
    /// Matters put on a meeting's agenda by its notice.
    pub scheduled: Vec<(MatterId, MeetingId)>,
    /// Assignments given in the minutes.
    pub assignments: Vec<AssignmentId>,
    /// Matters closed as replaced by a revision that entered into force.
    pub revised: Vec<MatterId>,
    /// Matters whose revision started (they stay valid until it enters into force).
    pub revision_started: Vec<MatterId>,
    /// Effects that were refused (a refusal is final for that effect: the policy goes
    /// on; a store failure is not recorded here but stops the run, which resumes from
    /// its checkpoint).
    pub failures: Vec<EffectFailure>,
}

impl Effects {
    /// Whether nothing was done.
    pub fn is_empty(&self) -> bool {
        self.matters.is_empty()
            && self.scheduled.is_empty()
            && self.assignments.is_empty()
            && self.revised.is_empty()
            && self.revision_started.is_empty()
            && self.failures.is_empty()
    }

    /// Adds what `other` did.
    pub fn extend(&mut self, other: Effects) {
        self.matters.extend(other.matters);
        self.scheduled.extend(other.scheduled);
        self.assignments.extend(other.assignments);
        self.revised.extend(other.revised);
        self.revision_started.extend(other.revision_started);
        self.failures.extend(other.failures);
    }
}

/// An effect of a policy that was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectFailure {
    /// Where (the minutes' §; paragraph 0 for effects of a notice or a held meeting).
    pub at: MinutesRef,
    /// What was being done, e.g. `assignment 1` or `matter 0193…`.
    pub effect: String,
    /// The refusal.
    pub error: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_field_is_refused_at_every_level_of_the_json_form() {
        let ok = r#"{"aggregate": "matter", "command": {"type": "submit", "kind": "information", "title": "IF-frågan", "body": "sbu"}}"#;
        assert!(crate::strict::from_json::<Command>(ok.as_bytes()).is_ok());
        for (bad, field) in [
            (
                r#"{"aggregate": "matter", "expected-versoin": 3, "command": {"type": "submit", "kind": "information", "title": "IF-frågan", "body": "sbu"}}"#,
                "expected-versoin",
            ),
            (
                r#"{"aggregate": "matter", "command": {"type": "submit", "kind": "information", "titel": "IF-frågan", "title": "x", "body": "sbu"}}"#,
                "titel",
            ),
            (
                r#"{"aggregate": "meeting", "meeting": "sbu-2024-10-15", "command": {"type": "send-call-for-matters", "urgent": true}}"#,
                "urgent",
            ),
        ] {
            let err = crate::strict::from_json::<Command>(bad.as_bytes())
                .expect_err(bad)
                .to_string();
            assert!(err.contains(field), "{err}");
        }
    }
}
