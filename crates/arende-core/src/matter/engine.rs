//! The engine's matter commands: submit, run any [`MatterCommand`], revise, load. Each
//! command's events are appended together with the feedback (återkoppling) it owes the
//! submitter and the matter's and body's followers, and with the remiss notice to the
//! consulted, in one atomic append.

use serde::{Deserialize, Serialize};

use super::MatterError;
use super::command::{MatterCommand, SubmitMatter};
use super::decide::{MatterContext, decide};
use super::event::{Matter, MatterEvent};
use super::notify::{Subject, feedback, remiss_sent};
use super::types::FeedbackMode;
use crate::authz::Actor;
use crate::clock::Clock;
use crate::engine::{Decision, Engine, Executed};
use crate::error::{Error, Result};
use crate::ids::{CommandId, MatterId};
use crate::store::EventStore;
use crate::subscription::FollowTarget;

/// Options of a matter command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandOptions {
    /// The command's id; give the same id to retry without writing twice. `None` = a
    /// fresh random id.
    pub command_id: Option<CommandId>,
    /// Tell the submitter now (default), or later by hand (`RecordFeedback`).
    pub feedback: FeedbackMode,
    /// How many times a write conflict (another writer came first, or this engine's
    /// cached state was stale) is retried against the reloaded state before the
    /// [`StoreError::Conflict`](crate::store::StoreError::Conflict) is returned. The
    /// command is checked again each time. Default 2.
    pub conflict_retries: u8,
}

impl Default for CommandOptions {
    fn default() -> Self {
        CommandOptions {
            command_id: None,
            feedback: FeedbackMode::Now,
            conflict_retries: 2,
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
}

impl<S: EventStore, C: Clock> Engine<S, C> {
    /// Submits (registers) a new matter. Its id is `submit.id`, or a fresh time-ordered
    /// one from the clock.
    pub fn submit_matter(&self, actor: &Actor, submit: SubmitMatter) -> Result<Executed<Matter>> {
        self.submit_matter_with(actor, submit, CommandOptions::default())
    }

    /// [`Engine::submit_matter`] with options.
    pub fn submit_matter_with(
        &self,
        actor: &Actor,
        mut submit: SubmitMatter,
        options: CommandOptions,
    ) -> Result<Executed<Matter>> {
        let id = *submit
            .id
            .get_or_insert_with(|| MatterId::new_at(self.clock().now()));
        self.matter_with(id, actor, MatterCommand::Submit(submit), options)
    }

    /// Runs a command on a matter: checks it (authorization, mandate, state), appends
    /// its events with the feedback and remiss notifications, and returns the new state.
    pub fn matter(
        &self,
        id: MatterId,
        actor: &Actor,
        command: MatterCommand,
    ) -> Result<Executed<Matter>> {
        self.matter_with(id, actor, command, CommandOptions::default())
    }

    /// [`Engine::matter`] with options (command id for retries; feedback now or later).
    pub fn matter_with(
        &self,
        id: MatterId,
        actor: &Actor,
        command: MatterCommand,
        options: CommandOptions,
    ) -> Result<Executed<Matter>> {
        let key = id.to_string();
        let today = self.clock().today();
        let command_id = options
            .command_id
            .unwrap_or_else(|| self.fresh_command_id());
        if let MatterCommand::Submit(s) = &command
            && s.id.is_some_and(|x| x != id)
        {
            return Err(MatterError::InvalidInput {
                field: "id",
                reason: format!("the submission names another matter than {id}"),
            }
            .into());
        }
        let submitting = matches!(command, MatterCommand::Submit(_));
        let command = match command {
            MatterCommand::Submit(mut s) => {
                s.id = Some(id);
                MatterCommand::Submit(s)
            }
            other => other,
        };
        let mut retries = options.conflict_retries;
        let mut command = Some(command);
        loop {
            // Keep the command for a retry only while one is possible.
            let attempt = if retries > 0 {
                command.clone()
            } else {
                command.take()
            };
            let Some(attempt) = attempt else {
                return Err(Error::Unknown {
                    kind: "matter command",
                    id: key,
                });
            };
            let r = self.execute::<Matter, _>(&key, actor, command_id, |state, version| {
                if !submitting && !state.exists() {
                    return Err(Error::Unknown {
                        kind: "matter",
                        id: key.clone(),
                    });
                }
                let ctx = MatterContext {
                    org: self.org(),
                    actor,
                    today,
                };
                let mut events = decide(state, attempt, &ctx)?;
                let notifications = self.notifications(
                    state,
                    version,
                    &mut events,
                    actor,
                    options.feedback,
                    today,
                )?;
                Ok(Decision {
                    events,
                    notifications,
                })
            });
            match r {
                Err(e) if e.is_conflict() && retries > 0 => retries -= 1,
                other => return other,
            }
        }
    }

    /// Adds the feedback (and its `FeedbackGiven` event) and remiss notifications.
    fn notifications(
        &self,
        state: &Matter,
        version: u64,
        events: &mut Vec<MatterEvent>,
        actor: &Actor,
        mode: FeedbackMode,
        today: chrono::NaiveDate,
    ) -> Result<Vec<crate::notification::Notification>> {
        let mut out = Vec::new();
        let Some(subject) = Subject::of(state, events) else {
            return Ok(out);
        };
        let Some(last_change) = events.iter().rposition(|e| e.is_change()) else {
            return Ok(out);
        };
        let through = version + last_change as u64 + 1;
        let mut targets = vec![FollowTarget::Matter(subject.id)];
        for e in events.iter() {
            if let Some(b) = e.body() {
                let t = FollowTarget::Body(b.clone());
                if !targets.contains(&t) {
                    targets.push(t);
                }
            }
        }
        let followers = self.followers_of(&targets)?;
        let org = self.org();
        let fb = feedback(org, &subject, events, actor, mode, followers, today);
        for e in events.iter() {
            if let Some(n) = remiss_sent(org, &subject, e, today) {
                out.push(n);
            }
        }
        let told = fb.submitter_told;
        if let Some(n) = fb.notification {
            out.push(n);
        }
        if told {
            events.push(MatterEvent::FeedbackGiven {
                through,
                manual: false,
                note: None,
            });
        }
        Ok(out)
    }

    /// A matter's current state; unknown id → [`Error::Unknown`].
    pub fn load_matter(&self, id: MatterId) -> Result<Matter> {
        let (m, _) = self.load::<Matter>(&id.to_string())?;
        if m.exists() {
            Ok(m)
        } else {
            Err(Error::Unknown {
                kind: "matter",
                id: id.to_string(),
            })
        }
    }

    /// Revises a decided or in-force matter: marks `old` revised and submits the new
    /// version (`submit`, with `revises` set to `old`) as a matter of its own that starts
    /// its own route. Give `submit.id` and `options.command_id` to make a retry after a
    /// failure between the two appends complete the revision without doubling it.
    pub fn revise_matter(
        &self,
        old: MatterId,
        actor: &Actor,
        mut submit: SubmitMatter,
        options: CommandOptions,
    ) -> Result<Executed<Matter>> {
        let new_id = *submit
            .id
            .get_or_insert_with(|| MatterId::new_at(self.clock().now()));
        let options = CommandOptions {
            command_id: Some(
                options
                    .command_id
                    .unwrap_or_else(|| self.fresh_command_id()),
            ),
            ..options
        };
        self.matter_with(
            old,
            actor,
            MatterCommand::MarkRevised { by: new_id },
            options,
        )?;
        let previous = self.load_matter(old)?;
        if previous.revised_by != Some(new_id) {
            return Err(MatterError::InvalidInput {
                field: "revision",
                reason: format!("{old} is revised by another matter"),
            }
            .into());
        }
        submit.revises = Some(old);
        self.matter_with(new_id, actor, MatterCommand::Submit(submit), options)
    }
}
