//! What the kernel gathers for a matter command: the id (a fresh time-ordered one for a
//! submission without one), the followers snapshot, the cited minutes and the matter a
//! submission revises; then the matter's pure `decide_with_facts` decides.

use super::Engine;
use crate::authz::Actor;
use crate::clock::Clock;
use crate::command::{CommandOptions, Executed};
use crate::error::{Error, Result};
use crate::ids::{CommandId, MatterId, MinutesRef, UnknownId};
use crate::matter::{Matter, MatterCommand, MatterContext, MatterError, decide_with_facts};
use crate::meeting::Meeting;
use crate::store::EventStore;

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
                    // A retried submission with the caller's command id names the same
                    // matter; otherwise a fresh time-ordered id.
                    (None, None) if options.command_id.is_some() => MatterId(command_id.0),
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
        if let Some(cited) = command.at().and_then(|at| at.minutes.as_ref()) {
            self.check_cited_minutes(cited)?;
        }
        let submitting = matches!(command, MatterCommand::Submit(_));
        // The id's text on the stack: the stream id is the one allocation.
        let mut text = uuid::Uuid::encode_buffer();
        let key: &str = id.0.hyphenated().encode_lower(&mut text);
        let today = self.clock().today();
        let followers = self.followers()?;
        self.run::<Matter, _>(key, actor, command_id, options, |state, version| {
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

    /// A decision that cites minutes must cite a meeting that was not cancelled and,
    /// when its minutes are recorded here, a § they hold.
    /// (That the meeting is one of the body's is `decide`'s check; minutes kept outside
    /// arende, e.g. only in a party's diarium, can be cited.)
    fn check_cited_minutes(&self, cited: &MinutesRef) -> Result<()> {
        let refuse = |reason: String| -> Result<()> {
            Err(MatterError::InvalidInput {
                field: "at.minutes",
                reason,
            }
            .into())
        };
        let Some(plan) = self.org().meeting(&cited.meeting) else {
            // Unknown meeting: decide names it.
            return Ok(());
        };
        let (meeting, _) = self.load::<Meeting>(cited.meeting.as_str())?;
        let held = meeting.effective_plan(plan);
        if held.status == crate::org::MeetingStatus::Cancelled {
            return refuse(format!(
                "{} was cancelled: it has no minutes",
                cited.meeting
            ));
        }
        if let Some(minutes) = &meeting.minutes
            && !minutes
                .paragraphs
                .iter()
                .any(|p| p.number == cited.paragraph)
        {
            return refuse(format!(
                "the minutes of {} have no § {}",
                cited.meeting, cited.paragraph
            ));
        }
        Ok(())
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
