//! What the kernel gathers for a matter command: the id (a fresh time-ordered one for a
//! submission without one), the followers snapshot, the cited minutes and the matter a
//! submission revises; then the matter's pure `decide_with_facts` decides.

use std::sync::Arc;

use super::Engine;
use crate::authz::Actor;
use crate::clock::Clock;
use crate::command::{CommandOptions, Executed};
use crate::error::{Error, Result};
use crate::ids::{BodyId, CommandId, MatterId, MinutesRef, UnknownId};
use crate::matter::{Matter, MatterCommand, MatterContext, MatterError, decide_with_facts};
use crate::meeting::Meeting;
use crate::store::EventStore;
use crate::subscription::{SUBSCRIPTIONS_KEY, Subscriptions};

impl<S: EventStore, C: Clock> Engine<S, C> {
    pub(super) fn dispatch_matter(
        &self,
        actor: &Actor,
        id: Option<MatterId>,
        command: MatterCommand,
        command_id: CommandId,
        options: &CommandOptions,
    ) -> Result<Executed<Matter>> {
        let (id, command) = match command {
            MatterCommand::Submit(mut s) => {
                let id = match (id, s.id) {
                    (Some(a), Some(b)) if a != b => {
                        return Err(MatterError::InvalidInput {
                            field: "id",
                            reason: format!("the submission names another matter than {a}"),
                        }
                        .into());
                    }
                    (Some(a), _) | (None, Some(a)) => a,
                    (None, None) => MatterId::new_at(self.clock().now()),
                };
                s.id = Some(id);
                if let Some(old) = s.revises {
                    self.check_revisable(actor, old, id)?;
                }
                (id, MatterCommand::Submit(s))
            }
            other => {
                let id = id.ok_or_else(|| MatterError::InvalidInput {
                    field: "matter",
                    reason: "a matter command other than submit names its matter".into(),
                })?;
                (id, other)
            }
        };
        if let Some(at) = command.at()
            && let Some(cited) = &at.minutes
        {
            self.check_cited_minutes(&at.body, cited)?;
        }
        let submitting = matches!(command, MatterCommand::Submit(_));
        let key = id.to_string();
        let today = self.clock().today();
        let followers = self.followers()?;
        self.run::<Matter, _>(&key, actor, command_id, options, |state, version| {
            if !submitting && !state.exists() {
                return Err(UnknownId::new("matter", id).into());
            }
            let ctx = MatterContext {
                org: self.org(),
                actor,
                today,
            };
            Ok(decide_with_facts(
                state,
                command.clone(),
                &ctx,
                &followers,
                options.feedback,
                version,
            )?)
        })
    }

    /// A decision that cites minutes must cite a § that exists in the minutes of a
    /// meeting of that body (or of a joint session it takes part in).
    fn check_cited_minutes(&self, body: &BodyId, cited: &MinutesRef) -> Result<()> {
        let refuse = |reason: String| -> Result<()> {
            Err(MatterError::InvalidInput {
                field: "at.minutes",
                reason,
            }
            .into())
        };
        let Some(plan) = self.org().meeting(&cited.meeting) else {
            return refuse(format!("no meeting {} in the plan", cited.meeting));
        };
        let bodies = self.org().expanded_bodies(&plan.bodies);
        let joins = |b: &BodyId| {
            bodies.contains(b)
                || self
                    .org()
                    .body(body)
                    .is_some_and(|x| x.joint_of.iter().any(|j| bodies.contains(j)))
        };
        if !joins(body) {
            return refuse(format!("{body} did not meet at {}", cited.meeting));
        }
        let (meeting, _) = self.load::<Meeting>(cited.meeting.as_str())?;
        let has = meeting
            .minutes
            .as_ref()
            .is_some_and(|m| m.paragraphs.iter().any(|p| p.number == cited.paragraph));
        if !has {
            return refuse(format!(
                "the minutes of {} have no § {}",
                cited.meeting, cited.paragraph
            ));
        }
        Ok(())
    }

    /// The tenant's follows, as the kernel's cache holds them (caught up with the store).
    pub(crate) fn followers(&self) -> Result<Arc<Subscriptions>> {
        Ok(self.load::<Subscriptions>(SUBSCRIPTIONS_KEY)?.0)
    }

    /// A revision may be submitted only when the matter it revises would accept being
    /// marked revised by it (decided or in force, the actor may, not revised by another
    /// matter yet): the revision policy marks it after the submission is written.
    fn check_revisable(&self, actor: &Actor, old: MatterId, new: MatterId) -> Result<()> {
        let (previous, _) = self.load::<Matter>(&old.to_string())?;
        if !previous.exists() {
            return Err(Error::from(UnknownId::new("matter", old)));
        }
        if previous.revised_by == Some(new) {
            return Ok(());
        }
        let ctx = MatterContext {
            org: self.org(),
            actor,
            today: self.clock().today(),
        };
        crate::matter::decide(&previous, MatterCommand::MarkRevised { by: new }, &ctx)?;
        if previous.revised_by.is_some() {
            return Err(MatterError::InvalidInput {
                field: "revision",
                reason: format!("{old} is revised by another matter"),
            }
            .into());
        }
        Ok(())
    }
}
