//! Policies: what follows in other aggregates from a committed event. They follow the
//! tenant's committed log from a checkpoint (its own stream, `policies-checkpoint`)
//! and run each effect as an ordinary command through the kernel, with a command id
//! derived from the source event and the target, so an effect happens exactly once
//! however often the log is replayed, by however many engines.
//!
//! | source event | effect |
//! |---|---|
//! | a meeting's `NoticeSent` | each matter on its agenda is scheduled on the meeting (`schedule`) |
//! | a meeting's `AgendaItemDropped` with a matter scheduled there | the matter is dropped from the agenda (`drop-from-agenda`) |
//! | a meeting's `MinutesAdjusted` / `MinutesDistributed` that makes the minutes final | each § records its outcome on its matter, with the meeting and the §; each assignment of a § is given (`give`) |
//! | a matter's `Submitted` that revises another matter | the other matter records that its revision started (`mark-revision-started`) and stays valid |
//! | a revision's `EnteredIntoForce` | the matter it revises is closed as replaced (`mark-revised`) |
//! | an assignment's `AssignmentReported` into a matter | the matter records the report (`record-assignment-report`): its history shows it and its submitter is owed feedback |
//!
//! [`Engine::execute`] runs the policies right after a command whose events are a
//! source, so a caller sees the effects at once ([`Executed::effects`]); a crash between
//! the source's append and the effects leaves them to the next run, which
//! [`Engine::run_policies`] (or the first command of a new engine) does from the
//! checkpoint. A refused effect is reported in [`Effects::failures`] and not retried; a
//! store failure stops the run before the checkpoint passes its source event.
//!
//! A store written before policies existed had its effects applied inside its commands:
//! the first run on such a store starts its checkpoint at the end of the log.

use std::sync::atomic::Ordering;

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Event, decode};
use crate::authz::Actor;
use crate::clock::Clock;
use crate::command::{Command, CommandOptions, EffectFailure, Effects, Executed, Outcome};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::ids::{MatterId, MeetingId, MinutesRef, derived_command_id};
use crate::matter::{At, Matter, MatterCommand, MatterEvent, MatterStatus};
use crate::meeting::{Meeting, MeetingError, MeetingEvent, Outcome as ParagraphOutcome, Paragraph};
use crate::org::Organisation;
use crate::store::{EventStore, RecordedEvent, StoreError};

/// The policies' checkpoint: the global position up to which the log has been handled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyCheckpoint {
    /// The last position handled (0 = none).
    pub position: u64,
}

/// The checkpoint's event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckpointEvent {
    /// The policies handled the log up to `position`.
    CheckpointAdvanced {
        /// The last position handled.
        position: u64,
    },
}

impl Event for CheckpointEvent {
    fn event_type(&self) -> &'static str {
        "CheckpointAdvanced"
    }
    fn known_types() -> &'static [&'static str] {
        &["CheckpointAdvanced"]
    }
}

impl Aggregate for PolicyCheckpoint {
    type Event = CheckpointEvent;
    const PREFIX: &'static str = "policies";

    fn apply(&mut self, event: &CheckpointEvent) {
        let CheckpointEvent::CheckpointAdvanced { position } = event;
        self.position = self.position.max(*position);
    }
}

const CHECKPOINT_KEY: &str = "checkpoint";
const PAGE: usize = 1000;

/// Whether a stored event is the source of a policy (read without decoding the payload
/// when the type alone says no).
fn is_source(stream: &str, event_type: &str) -> bool {
    (stream.starts_with("meeting-")
        && matches!(
            event_type,
            "NoticeSent" | "AgendaItemDropped" | "MinutesAdjusted" | "MinutesDistributed"
        ))
        || (stream.starts_with("matter-") && matches!(event_type, "Submitted" | "EnteredIntoForce"))
        || (stream.starts_with("assignment-") && event_type == "AssignmentReported")
}

impl<S: EventStore, C: Clock> Engine<S, C> {
    /// The one entry point: runs any command on its aggregate through the kernel and
    /// then, when its events are the source of a policy and policies run inline (the
    /// default), the policies, whose effects the outcome reports. See [`Command`] for
    /// the commands and [`CommandOptions`] for the options.
    ///
    /// First of all, a command outside the actor's command scope (a system actor made
    /// with [`Actor::service_scoped`]) is refused with [`Error::CommandNotInScope`]:
    /// nothing is read or written, whichever route sent it.
    pub fn execute(
        &self,
        actor: &Actor,
        command: Command,
        options: CommandOptions,
    ) -> Result<Outcome> {
        // Who may send it, then what it carries: both before anything is read or written.
        crate::authz::authorize_command(actor, command.aggregate(), command.command_name())?;
        crate::input::check_command(&command, &self.org().limits)?;
        self.start_policies()?;
        let mut outcome = self.dispatch(actor, command, &options)?;
        if !outcome.duplicate() && self.policies.inline.load(Ordering::Relaxed) {
            let source = match &outcome {
                Outcome::Meeting(x) => x
                    .events
                    .iter()
                    .any(|e| is_source(&format!("{}-", Meeting::PREFIX), e.event_type())),
                Outcome::Matter(x) => x.events.iter().any(|e| match e {
                    MatterEvent::Submitted { revises, .. } => revises.is_some(),
                    MatterEvent::EnteredIntoForce { .. } => x.state.revises.is_some(),
                    _ => false,
                }),
                Outcome::Assignment(x) => x.events.iter().any(|e| {
                    matches!(
                        e,
                        crate::assignment::AssignmentEvent::AssignmentReported {
                            matter: Some(_),
                            ..
                        }
                    )
                }),
                _ => false,
            };
            if source {
                // The command is written: a failing policy run is left to the next one.
                match self.run_policies() {
                    Ok(effects) => *outcome.effects_mut() = effects,
                    Err(e) => outcome.effects_mut().failures.push(EffectFailure {
                        at: MinutesRef {
                            meeting: MeetingId::new(""),
                            paragraph: 0,
                        },
                        effect: "policies".into(),
                        error: e.to_string(),
                    }),
                }
            }
        }
        Ok(outcome)
    }

    /// Whether [`Engine::execute`] runs the policies right after a command that is
    /// their source (default `true`). With `false`, effects wait for
    /// [`Engine::run_policies`] (a background runner, or another process).
    pub fn with_inline_policies(self, inline: bool) -> Self {
        self.policies.inline.store(inline, Ordering::Relaxed);
        self
    }

    /// Runs the policies over the tenant's log from their checkpoint to its end, and
    /// advances the checkpoint. Idempotent; safe to run from many engines at once.
    pub fn run_policies(&self) -> Result<Effects> {
        self.start_policies()?;
        let _one = self.policies.lock.lock().unwrap_or_else(|p| p.into_inner());
        let (checkpoint, version) = self.load::<PolicyCheckpoint>(CHECKPOINT_KEY)?;
        let start = checkpoint.position;
        let mut position = start;
        let mut effects = Effects::default();
        // The checkpoint's own events move the log too: saving only for them would
        // write one more each run.
        let mut others = false;
        loop {
            let page = self
                .store()
                .read_tenant(&self.org().tenant, position, PAGE)?;
            let Some(last) = page.last().map(|r| r.position) else {
                break;
            };
            for rec in page.iter().filter(|r| r.tenant == self.org().tenant) {
                others |= !rec.stream.as_str().starts_with("policies-");
                if is_source(rec.stream.as_str(), &rec.event_type) {
                    match self.handle(rec) {
                        Ok(e) => effects.extend(e),
                        Err(e) => {
                            self.save_checkpoint(start, position, version)?;
                            return Err(e);
                        }
                    }
                }
                position = rec.position;
            }
            position = position.max(last);
        }
        if others {
            self.save_checkpoint(start, position, version)?;
        }
        Ok(effects)
    }

    /// Applies the effects of final minutes again (idempotent: each effect has a command
    /// id derived from the meeting, the § and the effect, so only what failed before is
    /// applied). Refused unless the minutes are final.
    pub fn apply_final_minutes(&self, meeting: &MeetingId) -> Result<Effects> {
        self.final_minutes(meeting)
    }

    /// Starts the policies once per engine, before its first command: on a store with a
    /// checkpoint, catches up from it; otherwise starts the checkpoint at 0 on a new
    /// store, or at the end of the log on a store written before policies existed.
    pub(crate) fn start_policies(&self) -> Result<()> {
        if self.policies.started.load(Ordering::Acquire) {
            return Ok(());
        }
        let resumed = {
            let _one = self.policies.lock.lock().unwrap_or_else(|p| p.into_inner());
            if self.policies.started.load(Ordering::Acquire) {
                return Ok(());
            }
            let (_, version) = self.load::<PolicyCheckpoint>(CHECKPOINT_KEY)?;
            if version == 0 {
                let mut end = 0;
                loop {
                    let page = self.store().read_tenant(&self.org().tenant, end, PAGE)?;
                    let Some(last) = page.last() else { break };
                    end = last.position;
                }
                match self.append_checkpoint(end, 0) {
                    Ok(()) | Err(Error::Store(StoreError::Conflict { .. })) => {}
                    Err(e) => return Err(e),
                }
            }
            self.policies.started.store(true, Ordering::Release);
            version > 0
        };
        if resumed {
            // Catch up from the checkpoint: what an engine that stopped (or crashed)
            // between a source and its effects left undone.
            self.run_policies()?;
        }
        Ok(())
    }

    fn save_checkpoint(&self, start: u64, position: u64, version: u64) -> Result<()> {
        if position <= start {
            return Ok(());
        }
        match self.append_checkpoint(position, version) {
            // Another runner advanced it first: it handled the same events (or more).
            Ok(()) | Err(Error::Store(StoreError::Conflict { .. })) => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn append_checkpoint(&self, position: u64, version: u64) -> Result<()> {
        let options = CommandOptions {
            expected_version: Some(version),
            conflict_retries: 0,
            ..CommandOptions::default()
        };
        let id = derived_command_id(&[
            "policies",
            "checkpoint",
            &version.to_string(),
            &position.to_string(),
        ]);
        let _: Executed<PolicyCheckpoint> =
            self.run(CHECKPOINT_KEY, &policy_actor(), id, &options, |_, _| {
                Ok(crate::aggregate::Decision::events(vec![
                    CheckpointEvent::CheckpointAdvanced { position },
                ]))
            })?;
        Ok(())
    }

    /// Handles one source event.
    fn handle(&self, rec: &RecordedEvent) -> Result<Effects> {
        if let Some(key) = rec.stream.as_str().strip_prefix("assignment-") {
            return self.assignment_reported(key, rec);
        }
        if let Some(key) = rec.stream.as_str().strip_prefix("matter-") {
            let Ok(new) = key.parse::<MatterId>() else {
                return Ok(Effects::default());
            };
            return match decode::<MatterEvent>(rec)? {
                MatterEvent::Submitted {
                    revises: Some(old), ..
                } => self.revision_started(old, new),
                MatterEvent::EnteredIntoForce { .. } => {
                    let (state, _) = self.load::<Matter>(key)?;
                    match state.revises {
                        Some(old) => self.mark_revised(old, new),
                        None => Ok(Effects::default()),
                    }
                }
                _ => Ok(Effects::default()),
            };
        }
        let meeting = MeetingId::new(
            rec.stream
                .as_str()
                .strip_prefix("meeting-")
                .unwrap_or_default(),
        );
        match decode::<MeetingEvent>(rec)? {
            MeetingEvent::NoticeSent { agenda, .. } => {
                let mut effects = Effects::default();
                for item in agenda {
                    if let Some(m) = item.matter {
                        self.schedule(&meeting, m, rec.version, &mut effects)?;
                    }
                }
                Ok(effects)
            }
            MeetingEvent::AgendaItemDropped {
                matter: Some(m),
                reason,
                ..
            } => {
                let mut effects = Effects::default();
                let (matter, _) = self.load::<Matter>(&m.to_string())?;
                if matter.scheduled.as_ref() == Some(&meeting) {
                    let at = MinutesRef {
                        meeting: meeting.clone(),
                        paragraph: 0,
                    };
                    let id = derived_command_id(&["drop", meeting.as_str(), &m.to_string()]);
                    let command = MatterCommand::DropFromAgenda {
                        meeting: meeting.clone(),
                        reason: Some(reason.swedish()),
                    };
                    match self.effect(Command::matter(m, command), id)? {
                        None => effects.matters.push((m, at)),
                        Some(refusal) => effects.failures.push(EffectFailure {
                            at,
                            effect: format!("drop matter {m} from the agenda"),
                            error: refusal.to_string(),
                        }),
                    }
                }
                Ok(effects)
            }
            MeetingEvent::MinutesAdjusted { .. } | MeetingEvent::MinutesDistributed { .. } => {
                let (state, _) = self.load::<Meeting>(meeting.as_str())?;
                if state.minutes_final() {
                    self.final_minutes(&meeting)
                } else {
                    Ok(Effects::default())
                }
            }
            _ => Ok(Effects::default()),
        }
    }

    /// Runs an effect: `Ok(None)` when written (or written before), `Ok(Some(refusal))`
    /// when the target refused it, `Err` when the store failed.
    fn effect(&self, command: Command, id: crate::ids::CommandId) -> Result<Option<Error>> {
        match self.dispatch(&policy_actor(), command, &CommandOptions::with_id(id)) {
            Ok(_) => Ok(None),
            Err(e @ (Error::Store(_) | Error::Decode(_))) => Err(e),
            Err(refusal) => Ok(Some(refusal)),
        }
    }

    fn schedule(
        &self,
        meeting: &MeetingId,
        matter: MatterId,
        source_version: u64,
        effects: &mut Effects,
    ) -> Result<()> {
        let (m, _) = self.load::<Matter>(&matter.to_string())?;
        if m.scheduled.as_ref() == Some(meeting) {
            return Ok(());
        }
        let id = derived_command_id(&[
            "schedule",
            meeting.as_str(),
            &matter.to_string(),
            &source_version.to_string(),
        ]);
        let command = MatterCommand::Schedule {
            meeting: meeting.clone(),
        };
        match self.effect(Command::matter(matter, command), id)? {
            None => effects.scheduled.push((matter, meeting.clone())),
            Some(refusal) => effects.failures.push(EffectFailure {
                at: MinutesRef {
                    meeting: meeting.clone(),
                    paragraph: 0,
                },
                effect: format!("schedule matter {matter}"),
                error: refusal.to_string(),
            }),
        }
        Ok(())
    }

    /// An assignment reported back into a matter: the matter records the report.
    fn assignment_reported(&self, key: &str, rec: &RecordedEvent) -> Result<Effects> {
        use crate::assignment::{Assignment, AssignmentEvent};
        let AssignmentEvent::AssignmentReported {
            on,
            report,
            matter: Some(matter),
            at,
        } = decode::<AssignmentEvent>(rec)?
        else {
            return Ok(Effects::default());
        };
        let (state, _) = self.load::<Assignment>(key)?;
        let (Some(id), Some(issuer)) = (state.id, state.issuer.clone()) else {
            return Ok(Effects::default());
        };
        let mut effects = Effects::default();
        let command_id = derived_command_id(&["assignment-report", key, &matter.to_string()]);
        let command = MatterCommand::RecordAssignmentReport {
            assignment: id,
            issuer,
            report,
            on,
            at: at.clone(),
        };
        let at = at.unwrap_or(MinutesRef {
            meeting: MeetingId::new(""),
            paragraph: 0,
        });
        match self.effect(Command::matter(matter, command), command_id)? {
            None => effects.matters.push((matter, at)),
            Some(refusal) => effects.failures.push(EffectFailure {
                at,
                effect: format!("record the report of assignment {id} on matter {matter}"),
                error: refusal.to_string(),
            }),
        }
        Ok(effects)
    }

    /// A revision was submitted: the old matter records it and stays valid.
    fn revision_started(&self, old: MatterId, new: MatterId) -> Result<Effects> {
        let mut effects = Effects::default();
        let id = derived_command_id(&["revision-started", &old.to_string(), &new.to_string()]);
        let command = MatterCommand::MarkRevisionStarted { by: new };
        match self.effect(Command::matter(old, command), id)? {
            None => effects.revision_started.push(old),
            Some(refusal) => effects.failures.push(EffectFailure {
                at: MinutesRef {
                    meeting: MeetingId::new(""),
                    paragraph: 0,
                },
                effect: format!("record that matter {new} revises matter {old}"),
                error: refusal.to_string(),
            }),
        }
        Ok(effects)
    }

    fn mark_revised(&self, old: MatterId, new: MatterId) -> Result<Effects> {
        let mut effects = Effects::default();
        let id = derived_command_id(&["revise", &old.to_string(), &new.to_string()]);
        let command = MatterCommand::MarkRevised { by: new };
        match self.effect(Command::matter(old, command), id)? {
            None => effects.revised.push(old),
            Some(refusal) => effects.failures.push(EffectFailure {
                at: MinutesRef {
                    meeting: MeetingId::new(""),
                    paragraph: 0,
                },
                effect: format!("mark matter {old} revised by {new}"),
                error: refusal.to_string(),
            }),
        }
        Ok(effects)
    }

    /// Gives the assignments of each § of final minutes and records each decision on
    /// its matter with the meeting and the §.
    fn final_minutes(&self, meeting: &MeetingId) -> Result<Effects> {
        let plan = self.planned(meeting)?;
        let (state, _) = self.load::<Meeting>(meeting.as_str())?;
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
            for (i, order) in p.assignments.iter().enumerate() {
                let id = derived_command_id(&[
                    "assignment",
                    meeting.as_str(),
                    &p.number.to_string(),
                    &i.to_string(),
                ]);
                let command = Command::assignment(
                    None,
                    crate::assignment::AssignmentCommand::Give {
                        issuer: issuer.clone(),
                        minutes: Some(at.clone()),
                        order: order.clone(),
                    },
                );
                match self.effect(command, id)? {
                    None => applied.assignments.push(crate::ids::AssignmentId(id.0)),
                    Some(refusal) => applied.failures.push(EffectFailure {
                        at: at.clone(),
                        effect: format!("assignment {}", i + 1),
                        error: refusal.to_string(),
                    }),
                }
            }
            let Some(matter) = p.matter else { continue };
            let (state, _) = self.load::<Matter>(&matter.to_string())?;
            if !state.exists() {
                applied.failures.push(EffectFailure {
                    at: at.clone(),
                    effect: format!("matter {matter}"),
                    error: crate::ids::UnknownId::new("matter", matter).to_string(),
                });
                continue;
            }
            let Some(command) = outcome_command(self.org(), &state, &plan.bodies, &at, p) else {
                continue;
            };
            let id = derived_command_id(&[
                "outcome",
                meeting.as_str(),
                &p.number.to_string(),
                &matter.to_string(),
            ]);
            match self.effect(Command::matter(matter, command), id)? {
                None => applied.matters.push((matter, at.clone())),
                Some(refusal) => applied.failures.push(EffectFailure {
                    at: at.clone(),
                    effect: format!("matter {matter}"),
                    error: refusal.to_string(),
                }),
            }
        }
        Ok(applied)
    }
}

/// The actor of the policies' effects (recorded as `system:policy` on the events).
fn policy_actor() -> Actor {
    Actor::system("policy")
}

/// The matter command that records a paragraph's outcome, if any.
fn outcome_command(
    org: &Organisation,
    state: &Matter,
    meeting_bodies: &[crate::ids::BodyId],
    at: &MinutesRef,
    paragraph: &Paragraph,
) -> Option<MatterCommand> {
    let place = At::minutes(at_body(org, state, meeting_bodies), at.clone());
    let joined = |clauses: &[String]| clauses.join("; ");
    Some(match &paragraph.outcome {
        ParagraphOutcome::Recorded => return None,
        ParagraphOutcome::NotedAndFiled if state.status == MatterStatus::InformationItem => {
            MatterCommand::File { at: place }
        }
        ParagraphOutcome::NotedAndFiled | ParagraphOutcome::Discussed => {
            MatterCommand::Present { at: place }
        }
        ParagraphOutcome::Prepared { clauses } => MatterCommand::Prepare {
            at: place,
            recommendation: (!clauses.is_empty()).then(|| joined(clauses)),
        },
        ParagraphOutcome::Decided { clauses } => MatterCommand::Decide {
            at: place,
            approved: true,
            clauses: clauses.clone(),
        },
        ParagraphOutcome::Rejected { clauses } => MatterCommand::Decide {
            at: place,
            approved: false,
            clauses: clauses.clone(),
        },
        ParagraphOutcome::DirectionDecision { clauses } => MatterCommand::DecideDirection {
            at: place,
            direction: joined(clauses),
        },
        ParagraphOutcome::ReadinessChecked { ready, clauses } => MatterCommand::CheckReadiness {
            at: place,
            ready: *ready,
            note: (!clauses.is_empty()).then(|| joined(clauses)),
        },
        ParagraphOutcome::ForwardedToPolitical { .. } => {
            MatterCommand::ForwardToPolitical { at: place }
        }
        ParagraphOutcome::Recommended { to, clauses } => MatterCommand::Recommend {
            at: place,
            to: Some(to.clone()),
            recommendation: joined(clauses),
        },
        ParagraphOutcome::ReferredBack { to, clauses } => MatterCommand::ReferBack {
            at: place,
            to: Some(to.clone()),
            instructions: joined(clauses),
        },
        ParagraphOutcome::Tabled => MatterCommand::Table { at: place },
        ParagraphOutcome::Dropped { reason } => {
            if state.scheduled.as_ref() != Some(&at.meeting) {
                return None;
            }
            MatterCommand::DropFromAgenda {
                meeting: at.meeting.clone(),
                reason: Some(reason.swedish()),
            }
        }
    })
}

/// The body an outcome at a meeting is recorded at: the meeting's body where the
/// matter now is (a joint session counts for the bodies it joins), else the first.
fn at_body(
    org: &Organisation,
    matter: &Matter,
    meeting_bodies: &[crate::ids::BodyId],
) -> crate::ids::BodyId {
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
