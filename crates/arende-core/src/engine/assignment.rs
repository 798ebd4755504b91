//! What the kernel gathers for an assignment command: its id (the command's id when
//! one is given) and the date a meeting-due resolves to; then the assignment's pure
//! `decide` decides.

use super::Engine;
use crate::assignment::AssignmentError;
use crate::assignment::{Assignment, AssignmentCommand, AssignmentContext, Due, decide};
use crate::authz::Actor;
use crate::clock::Clock;
use crate::command::{CommandOptions, Executed};
use crate::error::Result;
use crate::ids::{AssignmentId, CommandId};
use crate::store::EventStore;

impl<S: EventStore, C: Clock> Engine<S, C> {
    pub(super) fn dispatch_assignment(
        &self,
        actor: &Actor,
        id: Option<AssignmentId>,
        command: &AssignmentCommand,
        command_id: CommandId,
        options: &CommandOptions,
    ) -> Result<Executed<Assignment>> {
        let id = match (id, command) {
            (Some(id), _) => id,
            (None, AssignmentCommand::Give { .. }) => AssignmentId(command_id.0),
            (None, _) => {
                return Err(AssignmentError::InvalidOrder {
                    issuer: crate::ids::BodyId::new("(none)"),
                    problem: "the command names no assignment".into(),
                }
                .into());
            }
        };
        let due = match command {
            AssignmentCommand::Give { order, .. } => Some(&order.due),
            AssignmentCommand::ChangeDue { due, .. } => Some(due),
            _ => None,
        };
        let due_date = match due {
            Some(Due::Meeting(m)) => self.effective_meeting(m).ok().map(|p| p.date),
            Some(Due::Date(d)) => Some(*d),
            None => None,
        };
        let today = self.clock().today();
        self.run::<Assignment, _>(&id.to_string(), actor, command_id, options, |state, _| {
            let ctx = AssignmentContext {
                org: self.org(),
                actor,
                today,
                id,
                due_date,
            };
            if !matches!(command, AssignmentCommand::Give { .. }) && state.id.is_none() {
                return Err(AssignmentError::NotFound(id).into());
            }
            Ok(decide(state, command, &ctx)?)
        })
    }
}
