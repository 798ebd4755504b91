//! The engine: loads a stream, checks a command against the state, and appends the
//! resulting events with the expected version and the notifications they cause to the
//! outbox, in one atomic append. Commands for matters, meetings and assignments are
//! `impl Engine` blocks in their own modules; this module holds the shared machinery.

use std::sync::Arc;

use crate::aggregate::{Aggregate, encode, fold};
use crate::authz::{Action, Actor};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::ids::{BodyId, CommandId};
use crate::notification::Notification;
use crate::org::Organisation;
use crate::store::{AppendRequest, Appended, EventStore, ExpectedVersion, OutboxMessage, StreamId};

/// The engine over a store and a clock.
pub struct Engine<S, C> {
    org: Arc<Organisation>,
    store: S,
    clock: C,
}

/// The outcome of a command.
#[derive(Debug, Clone)]
pub struct Executed<A: Aggregate> {
    /// The state after the command.
    pub state: A,
    /// The events written.
    pub events: Vec<A::Event>,
    /// The stream's version after the command.
    pub version: u64,
    /// Whether the command had already been executed (idempotent retry): nothing new
    /// was written.
    pub duplicate: bool,
}

/// What a decision yields: events, and notifications to write with them.
#[derive(Debug, Clone)]
pub struct Decision<E> {
    /// The events.
    pub events: Vec<E>,
    /// The notifications.
    pub notifications: Vec<Notification>,
}

impl<E> Decision<E> {
    /// Events without notifications.
    pub fn events(events: Vec<E>) -> Self {
        Decision {
            events,
            notifications: Vec::new(),
        }
    }
}

impl<S: EventStore, C: Clock> Engine<S, C> {
    /// An engine for an organisation, over a store, with a clock.
    pub fn new(org: Arc<Organisation>, store: S, clock: C) -> Self {
        Engine { org, store, clock }
    }

    /// The organisation.
    pub fn org(&self) -> &Arc<Organisation> {
        &self.org
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The clock.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// The stream id of an aggregate instance.
    pub fn stream_of<A: Aggregate>(key: &str) -> StreamId {
        StreamId::new(format!("{}-{}", A::PREFIX, key))
    }

    /// Loads an aggregate: its state and version (0 = no stream).
    pub fn load<A: Aggregate>(&self, key: &str) -> Result<(A, u64)> {
        let stream = Self::stream_of::<A>(key);
        let records = self.store.read_stream(&self.org.tenant, &stream, 1)?;
        Ok(fold::<A>(&records)?)
    }

    /// Checks that `actor` may take `action` at `body`; system actors always may.
    pub fn authorize(&self, actor: &Actor, action: Action, body: &BodyId) -> Result<()> {
        let Actor::Person(person) = actor else {
            return Ok(());
        };
        let held = self.org.roles_of(person, body);
        if self.org.permissions.allows(action, &held) {
            Ok(())
        } else {
            Err(Error::NotPermitted {
                actor: actor.clone(),
                action,
                body: body.clone(),
                needed: self.org.permissions.roles_for(action),
            })
        }
    }

    /// Runs a command: loads the aggregate, lets `decide` check it against the state,
    /// and appends the events and notifications with the expected version. Nothing is
    /// written when `decide` refuses. A retry with the same `command_id` writes nothing.
    pub fn execute<A, F>(
        &self,
        key: &str,
        actor: &Actor,
        command_id: CommandId,
        decide: F,
    ) -> Result<Executed<A>>
    where
        A: Aggregate,
        F: FnOnce(&A, u64) -> Result<Decision<A::Event>>,
    {
        let stream = Self::stream_of::<A>(key);
        let records = self.store.read_stream(&self.org.tenant, &stream, 1)?;
        let (mut state, version) = fold::<A>(&records)?;
        if records.iter().any(|r| r.command_id == command_id) {
            // A retry of a command that was already written: nothing to do.
            return Ok(Executed {
                state,
                events: Vec::new(),
                version,
                duplicate: true,
            });
        }
        let decision = decide(&state, version)?;
        let now = self.clock.now();
        let outbox = decision
            .notifications
            .iter()
            .map(|n| OutboxMessage {
                id: uuid::Uuid::new_v4(),
                kind: n.kind.name().to_owned(),
                payload: serde_json::to_string(n).unwrap_or_default(),
                available_at: now,
            })
            .collect::<Vec<_>>();
        if decision.events.is_empty() && outbox.is_empty() {
            return Ok(Executed {
                state,
                events: Vec::new(),
                version,
                duplicate: false,
            });
        }
        let appended: Appended = self.store.append(AppendRequest {
            tenant: self.org.tenant.clone(),
            stream,
            expected: ExpectedVersion::at(version),
            command_id,
            actor: actor.audit_name(),
            recorded_at: now,
            events: decision.events.iter().map(encode).collect(),
            outbox,
        })?;
        if appended.duplicate {
            let (state, version) = self.load::<A>(key)?;
            return Ok(Executed {
                state,
                events: Vec::new(),
                version,
                duplicate: true,
            });
        }
        for e in &decision.events {
            state.apply(e);
        }
        Ok(Executed {
            state,
            events: decision.events,
            version: appended.version,
            duplicate: false,
        })
    }
}
